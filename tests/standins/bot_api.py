"""A local stand-in of the Telegram Bot API on 127.0.0.1 that records what the bot sends."""

from __future__ import annotations

import asyncio
import itertools
import json
import time
from collections import Counter, deque
from dataclasses import dataclass, field
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from tests.standins.server import LocalServer, ServedStandIn

SEND_METHODS = {"sendMessage", "sendDocument", "sendPhoto", "editMessageText"}

BOT_USER = {"id": 999, "is_bot": True, "first_name": "KhuyenHocBot", "username": "khuyenhoc_bot"}


@dataclass
class Call:
    """One Bot API request the bot made."""

    method: str
    params: dict[str, Any]
    at: float


@dataclass
class BotApiStandIn(ServedStandIn):
    """Serves the Bot API methods the bot uses and keeps a log of calls."""

    calls: list[Call] = field(default_factory=list)
    updates: list[dict[str, Any]] = field(default_factory=list)
    webhook: dict[str, Any] = field(default_factory=dict)
    fail_next: dict[str, dict[str, Any]] = field(default_factory=dict)
    blocked_chats: set[str] = field(default_factory=set)
    files: dict[str, bytes] = field(default_factory=dict)  # file_id -> bytes, for getFile
    port: int = 0
    # Optional flood control like Telegram's: sends over `overall_per_second` in any second,
    # or closer than `per_chat_seconds` to one chat, counted on arrival, are answered 429
    # with retry_after (the window of RateLimiter and of `worst_flood` below).
    flood_control: bool = False
    overall_per_second: int = 30
    per_chat_seconds: float = 1.0
    retry_after: int = 1
    too_many_requests: int = 0
    sent_messages: list[dict[str, Any]] = field(default_factory=list)
    forum_chats: set[int] = field(default_factory=set)  # groups that are forums (topics)
    topics: dict[int, dict[str, Any]] = field(default_factory=dict)  # thread id -> topic
    # Injected trouble: seconds each send takes; sends answered 429 until a moment
    # (time.monotonic()); the next N sends answered 502.
    latency: float = 0.0
    storm_until: float = 0.0
    server_errors: int = 0
    accepted: list[tuple[float, str]] = field(default_factory=list)  # (when, chat) per send
    fetched_up_to: int = 0  # the highest update_id getUpdates handed out

    def __post_init__(self) -> None:
        self._update_ids = itertools.count(1)
        self._message_ids = itertools.count(100)
        self._new_update = asyncio.Event()
        self._server: LocalServer | None = None
        self._recent_sends: deque[float] = deque()
        self._last_send_to: dict[str, float] = {}
        self._delivered: Counter[tuple[str, str]] = Counter()

    def routes(self) -> list[Route]:
        """Return the Bot API endpoint (every method at /bot<token>/<method>)."""
        return [
            Route("/bot{token}/{method}", self._endpoint, methods=["GET", "POST"]),
            Route("/file/bot{token}/{path:path}", self._file, methods=["GET"]),
        ]

    # --- what a citizen does -------------------------------------------------------------
    def user_says(self, text: str, user_id: int = 42, first_name: str = "Lan") -> dict[str, Any]:
        """Queue a text message from a citizen; return the update."""
        return self._queue({"message": self._message(user_id, first_name, text=text)})

    def user_sends(self, user_id: int = 42, **content: Any) -> dict[str, Any]:
        """Queue a non-text message (sticker=..., photo=..., voice=...)."""
        return self._queue({"message": self._message(user_id, "Lan", **content)})

    def user_sends_voice(self, data: bytes, seconds: int, user_id: int = 42) -> dict[str, Any]:
        """Queue a voice note whose file the bot can fetch with getFile."""
        file_id = f"voice-{len(self.files) + 1}"
        self.files[file_id] = data
        voice = {
            "file_id": file_id,
            "file_unique_id": f"u-{file_id}",
            "duration": seconds,
            "mime_type": "audio/ogg",
            "file_size": len(data),
        }
        return self.user_sends(user_id, voice=voice)

    def user_presses(self, data: str, user_id: int = 42) -> dict[str, Any]:
        """Queue a press of an inline button with the given callback data."""
        message = self._message(user_id, "Lan", text="(menu)")
        message["from"] = BOT_USER
        query = {
            "id": str(next(self._update_ids) + 5000),
            "from": {"id": user_id, "is_bot": False, "first_name": "Lan"},
            "chat_instance": "ci",
            "data": data,
            "message": message,
        }
        return self._queue({"callback_query": query})

    def member_says(
        self,
        chat_id: int,
        text: str,
        user_id: int,
        first_name: str = "Minh",
        reply_to: dict[str, Any] | None = None,
        thread_id: int | None = None,
    ) -> dict[str, Any]:
        """Queue a message in a group (in a forum topic), optionally replying to a message."""
        message = self._message(user_id, first_name, text=text)
        message["chat"] = {"id": chat_id, "type": "supergroup", "title": "Cán bộ"}
        if reply_to is not None:
            message["reply_to_message"] = reply_to
        if thread_id is not None:
            message.update(message_thread_id=thread_id, is_topic_message=True)
            message["chat"]["is_forum"] = True
        return self._queue({"message": message})

    def make_update(self, text: str, user_id: int = 42) -> dict[str, Any]:
        """Return a text update without queueing it (for webhook posts)."""
        return {
            "update_id": next(self._update_ids),
            "message": self._message(user_id, "Lan", text=text),
        }

    # --- what the bot did -------------------------------------------------------------
    def sent(self, chat_id: int | str | None = None) -> list[dict[str, Any]]:
        """Return the sendMessage/sendDocument/sendPhoto parameters, optionally for one chat."""
        kinds = {"sendMessage", "sendDocument", "sendPhoto", "editMessageText"}
        return [
            c.params
            for c in self.calls
            if c.method in kinds
            and (chat_id is None or str(c.params.get("chat_id")) == str(chat_id))
        ]

    def messages_in(self, chat_id: int | str) -> list[dict[str, Any]]:
        """Return the Message objects the bot sent to a chat (as the Bot API returned them)."""
        return [m for m in self.sent_messages if str(m["chat"]["id"]) == str(chat_id)]

    def duplicates(self) -> dict[str, int]:
        """Return, per chat, how many messages it got more than once (same text)."""
        extra: Counter[str] = Counter()
        for (chat_id, _text), count in self._delivered.items():
            if count > 1:
                extra[chat_id] += count - 1
        return dict(extra)

    def delivered_chats(self, text_part: str) -> set[str]:
        """Return the chats that got a message (not an edit) containing the text."""
        return {chat for (chat, text), _n in self._delivered.items() if text_part in text}

    def worst_flood(self, attempted: bool = False) -> tuple[int, int]:
        """Return the most sends accepted in any 1 s window, and to one chat in any 1 s.

        `attempted` counts every send that arrived, also those answered 429: with flood
        control on, what was accepted never breaks the limits, what was attempted may.
        """
        sends = self.accepted
        if attempted:
            sends = [
                (c.at, str(c.params.get("chat_id")))
                for c in self.calls
                if c.method in SEND_METHODS
            ]
        times = [t for t, _chat in sends]
        overall = _most_in_a_second(times)
        by_chat: dict[str, list[float]] = {}
        for moment, chat in sends:
            by_chat.setdefault(chat, []).append(moment)
        per_chat = max((_most_in_a_second(v) for v in by_chat.values()), default=0)
        return overall, per_chat

    def methods(self) -> list[str]:
        """Return the names of the methods called, in order."""
        return [c.method for c in self.calls]

    async def wait_for(self, count: int, method: str = "sendMessage", timeout: float = 30) -> None:
        """Wait until the bot has called `method` at least `count` times."""
        deadline = time.monotonic() + timeout
        while sum(1 for c in self.calls if c.method == method) < count:
            if time.monotonic() > deadline:
                raise TimeoutError(f"{method} called fewer than {count} times: {self.methods()}")
            await asyncio.sleep(0.02)

    # --- internals ----------------------------------------------------------------------
    def _queue(self, body: dict[str, Any]) -> dict[str, Any]:
        update = {"update_id": next(self._update_ids), **body}
        self.updates.append(update)
        self._new_update.set()
        return update

    def _message(self, user_id: int, first_name: str, **content: Any) -> dict[str, Any]:
        return {
            "message_id": next(self._message_ids),
            "date": int(time.time()),
            "chat": {"id": user_id, "type": "private", "first_name": first_name},
            "from": {"id": user_id, "is_bot": False, "first_name": first_name},
            **content,
        }

    async def _params(self, request: Request) -> dict[str, Any]:
        params: dict[str, Any] = dict(request.query_params)
        kind = request.headers.get("content-type", "")
        if "application/json" in kind:
            params.update(await request.json())
        elif "form" in kind:
            form = await request.form()
            for key, value in form.items():
                params[key] = value if isinstance(value, str) else f"<file {value.filename}>"
            await form.close()  # uploaded files are temporary files; unclosed ones warn
        for key in ("reply_markup", "commands", "allowed_updates"):
            if isinstance(params.get(key), str):
                try:
                    params[key] = json.loads(params[key])
                except ValueError:
                    pass
        return params

    async def _endpoint(self, request: Request) -> JSONResponse:
        method = request.path_params["method"]
        params = await self._params(request)
        arrived = time.monotonic()
        self.calls.append(Call(method, params, arrived))
        # Telegram counts a send when it arrives; `latency` is the time it takes to answer.
        flooded = self.flood_control and method in SEND_METHODS and self._flooded(params)
        if method in SEND_METHODS and self.latency:
            await asyncio.sleep(self.latency)
        failure = self.fail_next.pop(method, None)
        if method in SEND_METHODS and failure is None:
            failure = self._injected_failure()
        if failure is not None:
            return JSONResponse(
                {"ok": False, **failure}, status_code=failure.get("error_code", 400)
            )
        if str(params.get("chat_id")) in self.blocked_chats:
            body = {
                "ok": False,
                "error_code": 403,
                "description": "Forbidden: bot was blocked by the user",
            }
            return JSONResponse(body, status_code=403)
        if flooded:
            self.too_many_requests += 1
            body = {
                "ok": False,
                "error_code": 429,
                "description": f"Too Many Requests: retry after {self.retry_after}",
                "parameters": {"retry_after": self.retry_after},
            }
            return JSONResponse(body, status_code=429)
        handler = getattr(self, f"_m_{method}", None)
        result = await handler(params) if handler else True
        if method in SEND_METHODS:
            self.accepted.append((arrived, str(params.get("chat_id"))))
        if method in SEND_METHODS and method != "editMessageText":
            key = (str(params.get("chat_id")), str(params.get("text") or params.get("caption")))
            self._delivered[key] += 1
        return JSONResponse({"ok": True, "result": result})

    def _injected_failure(self) -> dict[str, Any] | None:
        """Return the failure the test asked for (a 429 storm, 5xx errors), if any."""
        if time.monotonic() < self.storm_until:
            self.too_many_requests += 1
            return {
                "error_code": 429,
                "description": f"Too Many Requests: retry after {self.retry_after}",
                "parameters": {"retry_after": self.retry_after},
            }
        if self.server_errors > 0:
            self.server_errors -= 1
            return {"error_code": 502, "description": "Bad Gateway"}
        return None

    def _flooded(self, params: dict[str, Any]) -> bool:
        """Return whether this send breaks the limits; otherwise count it."""
        now = time.monotonic()
        while self._recent_sends and self._recent_sends[0] <= now - 1.0:
            self._recent_sends.popleft()
        chat_id = str(params.get("chat_id"))
        last = self._last_send_to.get(chat_id)
        if len(self._recent_sends) >= self.overall_per_second or (
            last is not None and now - last < self.per_chat_seconds
        ):
            return True
        self._recent_sends.append(now)
        self._last_send_to[chat_id] = now
        return False

    async def _m_getMe(self, params: dict[str, Any]) -> dict[str, Any]:
        return {
            **BOT_USER,
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
        }

    async def _m_getUpdates(self, params: dict[str, Any]) -> list[dict[str, Any]]:
        offset = int(params.get("offset") or 0)
        self.updates = [u for u in self.updates if u["update_id"] >= offset]
        if not self.updates and not self.stopping:
            self._new_update.clear()
            try:
                await asyncio.wait_for(
                    self._new_update.wait(), timeout=min(float(params.get("timeout") or 0), 1.0)
                )
            except TimeoutError:
                pass
        handed = [u for u in self.updates if u["update_id"] >= offset]
        if handed:
            self.fetched_up_to = max(self.fetched_up_to, handed[-1]["update_id"])
        return handed

    async def _m_setWebhook(self, params: dict[str, Any]) -> bool:
        self.webhook = params
        return True

    async def _m_deleteWebhook(self, params: dict[str, Any]) -> bool:
        self.webhook = {}
        return True

    async def _m_getFile(self, params: dict[str, Any]) -> dict[str, Any]:
        file_id = str(params.get("file_id"))
        return {
            "file_id": file_id,
            "file_unique_id": f"u-{file_id}",
            "file_size": len(self.files.get(file_id, b"")),
            "file_path": f"voice/{file_id}.oga",
        }

    async def _file(self, request: Request) -> Response:
        file_id = request.path_params["path"].removeprefix("voice/").removesuffix(".oga")
        data = self.files.get(file_id)
        if data is None:
            return Response(status_code=404)
        return Response(data, media_type="audio/ogg")

    async def _m_getWebhookInfo(self, params: dict[str, Any]) -> dict[str, Any]:
        return {
            "url": self.webhook.get("url", ""),
            "has_custom_certificate": False,
            "pending_update_count": 0,
        }

    async def _sent_message(self, params: dict[str, Any], **extra: Any) -> dict[str, Any]:
        chat_id = int(params["chat_id"])
        message = {
            "message_id": next(self._message_ids),
            "date": int(time.time()),
            "chat": {"id": chat_id, "type": "private" if chat_id > 0 else "supergroup"},
            "from": BOT_USER,
            **extra,
        }
        self.sent_messages.append(message)
        return message

    async def _m_getChat(self, params: dict[str, Any]) -> dict[str, Any]:
        chat_id = int(params["chat_id"])
        return {
            "id": chat_id,
            "type": "private" if chat_id > 0 else "supergroup",
            "is_forum": chat_id in self.forum_chats,
            "accent_color_id": 0,
            "max_reaction_count": 11,
            "accepted_gift_types": {
                "unlimited_gifts": False,
                "limited_gifts": False,
                "unique_gifts": False,
                "premium_subscription": False,
                "gifts_from_channels": False,
            },
        }

    async def _m_createForumTopic(self, params: dict[str, Any]) -> dict[str, Any]:
        chat_id = int(params["chat_id"])
        if chat_id not in self.forum_chats:
            raise ValueError("createForumTopic in a chat that is not a forum")
        thread_id = next(self._message_ids)
        topic = {"message_thread_id": thread_id, "name": params["name"], "icon_color": 7322096}
        self.topics[thread_id] = topic
        return topic

    def topic_created(self, chat_id: int, thread_id: int) -> dict[str, Any]:
        """Return the service message that opened a forum topic (what topic messages reply to)."""
        topic = self.topics[thread_id]
        return {
            "message_id": thread_id,
            "message_thread_id": thread_id,
            "date": int(time.time()),
            "chat": {"id": chat_id, "type": "supergroup", "is_forum": True, "title": "Cán bộ"},
            "from": BOT_USER,
            "is_topic_message": True,
            "forum_topic_created": {"name": topic["name"], "icon_color": topic["icon_color"]},
        }

    async def _m_sendMessage(self, params: dict[str, Any]) -> dict[str, Any]:
        return await self._sent_message(params, text=params.get("text", ""))

    async def _m_sendDocument(self, params: dict[str, Any]) -> dict[str, Any]:
        return await self._sent_message(params, document={"file_id": "f1", "file_unique_id": "u1"})

    async def _m_sendPhoto(self, params: dict[str, Any]) -> dict[str, Any]:
        photo = [{"file_id": "p1", "file_unique_id": "pu1", "width": 1, "height": 1}]
        return await self._sent_message(params, photo=photo)

    async def _m_editMessageText(self, params: dict[str, Any]) -> dict[str, Any]:
        return await self._sent_message(params, text=params.get("text", ""))


def _most_in_a_second(times: list[float]) -> int:
    """Return the largest number of moments within any window shorter than one second."""
    times = sorted(times)
    best, start = 0, 0
    for end, moment in enumerate(times):
        while moment - times[start] >= 1.0:
            start += 1
        best = max(best, end - start + 1)
    return best
