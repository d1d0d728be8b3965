"""Forum topics in Telegram groups: one topic per conversation title, opened on first use."""

from __future__ import annotations

import asyncio
import logging

from telegram import Bot
from telegram.error import TelegramError

from bot.db import repo_topics
from bot.parts import Parts

log = logging.getLogger(__name__)

CHANNEL = "telegram"


class ForumTopics:
    """Finds or opens the forum topic of a title; plain groups and private chats have none."""

    def __init__(self, app: Parts, bot: Bot) -> None:
        self.app = app
        self.bot = bot
        self._is_forum: dict[str, bool] = {}
        self._lock = asyncio.Lock()

    async def thread_for(self, chat_id: str, title: str) -> int | None:
        """Return the message_thread_id for the title in the chat, opening the topic if new."""
        if not chat_id.startswith("-") or not await self._forum(chat_id):
            return None
        async with self._lock:  # two messages of a new title must not open two topics
            found = await asyncio.to_thread(self._find, chat_id, title)
            if found is not None:
                return int(found)
            try:
                topic = await self.bot.create_forum_topic(
                    chat_id, name=title[: repo_topics.MAX_TITLE]
                )
            except TelegramError as error:
                log.warning("could not open a forum topic in %s: %s", chat_id, error)
                return None
            thread = str(topic.message_thread_id)
            await asyncio.to_thread(self._save, chat_id, title, thread)
            return topic.message_thread_id

    async def _forum(self, chat_id: str) -> bool:
        """Return whether the group is a forum (asked once per chat)."""
        if chat_id not in self._is_forum:
            try:
                chat = await self.bot.get_chat(chat_id)
            except TelegramError as error:
                log.warning("could not look up chat %s: %s", chat_id, error)
                return False
            self._is_forum[chat_id] = bool(chat.is_forum)
        return self._is_forum[chat_id]

    def _find(self, chat_id: str, title: str) -> str | None:
        with self.app.sessions() as session:
            return repo_topics.find_thread(session, channel=CHANNEL, chat_id=chat_id, title=title)

    def _save(self, chat_id: str, title: str, thread: str) -> None:
        with self.app.sessions.begin() as session:
            repo_topics.save_thread(
                session,
                channel=CHANNEL,
                chat_id=chat_id,
                title=title,
                thread_id=thread,
                now=self.app.now(),
            )
