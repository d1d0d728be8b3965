"""Repository functions for forum topics the bot opened in group chats."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.db.base import add_once
from bot.db.models import ChatTopic

MAX_TITLE = 128  # Telegram's limit for a forum topic's name


def find_thread(session: Session, *, channel: str, chat_id: str, title: str) -> str | None:
    """Return the thread id of the topic with that title in the chat, if one was opened."""
    query = select(ChatTopic.thread_id).where(
        ChatTopic.channel == channel,
        ChatTopic.chat_id == chat_id,
        ChatTopic.title == title[:MAX_TITLE],
    )
    return session.scalar(query)


def save_thread(
    session: Session, *, channel: str, chat_id: str, title: str, thread_id: str, now: datetime
) -> None:
    """Remember the topic opened for a title (the first one wins if two were opened)."""
    row = ChatTopic(
        channel=channel,
        chat_id=chat_id,
        title=title[:MAX_TITLE],
        thread_id=thread_id,
        created_at=now,
    )
    add_once(session, row)
