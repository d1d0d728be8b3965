"""Local stand-ins (127.0.0.1) of the Zalo OA API, the OAuth token endpoint and the Bot API."""

from __future__ import annotations

import asyncio
import hashlib
import itertools
import json
import time
from dataclasses import dataclass, field
from typing import Any

from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import Route

from tests.standins.server import LocalServer, ServedStandIn
from tests.standins.zalo_media import ZaloMediaEndpoints

APP_ID = "2553928453557884079"
OA_ID = "3662729599332560487"
OA_SECRET_KEY = "oa-webhook-secret"
APP_SECRET_KEY = "app-secret-key"
BOT_TOKEN = "123456789:zalo-bot-token"
WINDOW_SECONDS = 7 * 24 * 3600  # Tư vấn only within 7 days of the user's last interaction


@dataclass
class Call:
    """One request the bot made to a stand-in."""

    path: str
    params: dict[str, Any]
    headers: dict[str, str]


@dataclass
class ZaloStandIn(ZaloMediaEndpoints, ServedStandIn):
    """Serves the OA API, OAuth and the Bot API; records calls; errors on demand."""

    calls: list[Call] = field(default_factory=list)
    access_token: str = "acc-0"
    refresh_token: str = "ref-0"
    expires_in: str = "90000"  # Zalo sends it as a string
    fail_next: list[int] = field(default_factory=list)  # OA error codes for the next sends
    user_errors: dict[str, int] = field(default_factory=dict)  # OA error code per user id
    refresh_error: dict[str, Any] | None = None
    refresh_status: int = 200  # e.g. 500 or 502 (with an HTML page) for a broken refresh
    # Zalo's 7-day window: the last interaction per user (epoch seconds); unknown = inside.
    last_interaction: dict[str, float] = field(default_factory=dict)
    not_followers: set[str] = field(default_factory=set)  # promotion needs a follower
    refused_file_types: set[str] = field(default_factory=set)  # e.g. {".json"}
    zns_templates: dict[str, set[str]] = field(default_factory=dict)  # id -> its params
    clock: Any = time.time  # the stand-in's "now", epoch seconds
    bot_updates: list[dict[str, Any]] = field(default_factory=list)
    bot_webhook: dict[str, Any] = field(default_factory=dict)
    media: dict[str, bytes] = field(default_factory=dict)  # files served at /media/<name>
    port: int = 0

    def __post_init__(self) -> None:
        self._ids = itertools.count(1)
        self._generation = itertools.count(1)
        self._server: LocalServer | None = None
        self._new_update = asyncio.Event()
        self.uploads: dict[str, tuple[str, bytes]] = {}  # attachment id or token -> file

    def routes(self) -> list[Route]:
        """Return the OA send, OAuth and Bot API endpoints (one base URL for all)."""
        return [
            Route("/v3.0/oa/message/cs", self._oa_send, methods=["POST"]),
            Route("/v3.0/oa/message/promotion", self._oa_promotion, methods=["POST"]),
            Route("/v2.0/oa/upload/image", self._upload_image, methods=["POST"]),
            Route("/v2.0/oa/upload/file", self._upload_file, methods=["POST"]),
            Route("/message/template", self._zns, methods=["POST"]),
            Route("/v4/oa/access_token", self._oauth, methods=["POST"]),
            Route("/bot{token}/{method}", self._bot, methods=["GET", "POST"]),
            Route("/media/{name}", self._media, methods=["GET"]),
        ]

    def host_media(self, name: str, data: bytes) -> str:
        """Serve a file (e.g. a citizen's voice note) as Zalo's CDN would; return its URL."""
        self.media[name] = data
        return f"{self.base_url}/media/{name}"

    async def _media(self, request: Request) -> Response:
        data = self.media.get(request.path_params["name"])
        if data is None:
            return Response(status_code=404)
        return Response(data, media_type="audio/aac")

    # --- what Zalo sends us ------------------------------------------------------------
    @staticmethod
    def oa_event(
        event_name: str,
        user_id: str,
        *,
        at_ms: int,
        text: str | None = None,
        msg_id: str = "",
        attachment_url: str | None = None,
    ) -> dict[str, Any]:
        """Build an OA webhook event as Zalo sends it (ids and timestamp as strings)."""
        if event_name in ("follow", "unfollow"):
            return {
                "app_id": APP_ID,
                "oa_id": OA_ID,
                "event_name": event_name,
                "follower": {"id": user_id},
                "source": "oa_profile",
                "timestamp": str(at_ms),
                "user_id_by_app": "979122185046046317",
            }
        message: dict[str, Any] = {"msg_id": msg_id or f"m{at_ms}"}
        if text is not None:
            message["text"] = text
        if attachment_url is not None:
            kind = event_name.removeprefix("user_send_")
            message["attachments"] = [{"type": kind, "payload": {"url": attachment_url}}]
        if event_name.startswith("oa_send_"):
            sender, recipient = {"id": OA_ID}, {"id": user_id}
        else:
            sender, recipient = {"id": user_id}, {"id": OA_ID}
        return {
            "event_name": event_name,
            "app_id": APP_ID,
            "sender": sender,
            "recipient": recipient,
            "message": message,
            "timestamp": str(at_ms),
            "user_id_by_app": "979122185046046317",
        }

    @staticmethod
    def sign(raw: bytes, secret: str = OA_SECRET_KEY) -> str:
        """Return the X-ZEvent-Signature header value for a raw body."""
        timestamp = str(json.loads(raw).get("timestamp", ""))
        digest = hashlib.sha256(APP_ID.encode() + raw + timestamp.encode() + secret.encode())
        return "mac=" + digest.hexdigest()

    def bot_user_says(self, text: str, user_id: str = "6ede9afa66b88fe6d6a9") -> dict[str, Any]:
        """Queue a Bot API text update for getUpdates; return it (unwrapped)."""
        update = self.bot_update(text, user_id)
        self.bot_updates.append(update)
        self._new_update.set()
        return update

    def bot_user_sends_voice(
        self, voice_url: str, user_id: str = "6ede9afa66b88fe6d6a9"
    ) -> dict[str, Any]:
        """Queue a Bot API `message.voice.received` update (as Zalo sends it: an .aac URL)."""
        update = self.bot_update("", user_id)
        update["event_name"] = "message.voice.received"
        del update["message"]["text"]
        update["message"].update(voice_url=voice_url, message_type="CHAT_VOICE")
        self.bot_updates.append(update)
        self._new_update.set()
        return update

    @staticmethod
    def bot_update(text: str, user_id: str = "6ede9afa66b88fe6d6a9") -> dict[str, Any]:
        """Build a Bot API `message.text.received` update."""
        return {
            "event_name": "message.text.received",
            "message": {
                "from": {"id": user_id, "display_name": "Ted", "is_bot": False},
                "chat": {"id": user_id, "chat_type": "PRIVATE"},
                "text": text,
                "message_id": f"bm{time.monotonic_ns()}",
                "date": int(time.time() * 1000),
            },
        }

    # --- what the bot did -------------------------------------------------------------
    def oa_sent(self, user_id: str | None = None) -> list[dict[str, Any]]:
        """Return the OA messages delivered (accepted), optionally to one user."""
        return [
            c.params["message"]
            for c in self.calls
            if c.path == "oa"
            and c.headers.get("accepted") == "yes"
            and (user_id is None or c.params["recipient"]["user_id"] == user_id)
        ]

    def call(self, path: str, params: dict[str, Any], headers: dict[str, str]) -> Call:
        """Record one call."""
        found = Call(path, params, headers)
        self.calls.append(found)
        return found

    def promotions(self, user_id: str | None = None) -> list[dict[str, Any]]:
        """Return the Tin Truyền thông (promotion) messages accepted, optionally to one user."""
        return [
            c.params["message"]
            for c in self.calls_to("promotion")
            if c.headers.get("accepted") == "yes"
            and (user_id is None or c.params["recipient"]["user_id"] == user_id)
        ]

    def calls_to(self, path: str) -> list[Call]:
        """Return the calls to one endpoint (`oa`, `oauth` or a Bot API method name)."""
        return [c for c in self.calls if c.path == path]

    def bot_sent(self, chat_id: str | None = None) -> list[str]:
        """Return the texts sent through the Bot API."""
        return [
            c.params["text"]
            for c in self.calls_to("sendMessage")
            if chat_id is None or c.params["chat_id"] == chat_id
        ]

    async def wait_for(self, count: int, path: str = "oa", timeout: float = 30) -> None:
        """Wait until the bot has delivered `count` OA messages (or called `path` as often)."""
        deadline = time.monotonic() + timeout
        while True:
            done = len(self.oa_sent()) if path == "oa" else len(self.calls_to(path))
            if done >= count:
                return
            if time.monotonic() > deadline:
                raise TimeoutError(f"{path}: {done} of {count}; calls {self.calls}")
            await asyncio.sleep(0.02)

    def expire_access_token(self) -> None:
        """Make the current access token invalid (as after its 25 hours)."""
        self.access_token = "expired"

    # --- endpoints ----------------------------------------------------------------------
    async def _oa_send(self, request: Request) -> JSONResponse:
        call, refused = await self._oa_call(request, "oa")
        if refused is not None:
            return refused
        message, user_id = call.params["message"], call.params["recipient"]["user_id"]
        seen = self.last_interaction.get(user_id)
        if seen is not None and self.clock() - seen > WINDOW_SECONDS:
            body = {"error": -230, "message": "User has not interacted with the OA in 7 days"}
            return JSONResponse(body)
        text = message.get("text", "")
        attachment = message.get("attachment")
        if attachment is None and not 1 <= len(text) <= 2000:
            return JSONResponse({"error": -201, "message": "text is invalid"})
        if len(text) > 2000 or (attachment is not None and not self._known(attachment)):
            return JSONResponse({"error": -201, "message": "attachment is invalid"})
        return self._accepted(call, user_id)

    async def _oa_promotion(self, request: Request) -> JSONResponse:
        call, refused = await self._oa_call(request, "promotion")
        if refused is not None:
            return refused
        user_id = call.params["recipient"]["user_id"]
        if user_id in self.not_followers:
            return JSONResponse({"error": -213, "message": "User has not followed OA"})
        payload = call.params["message"].get("attachment", {}).get("payload", {})
        if payload.get("template_type") != "promotion":
            return JSONResponse({"error": -201, "message": "template_type is invalid"})
        return self._accepted(call, user_id)

    async def _oa_call(self, request: Request, path: str) -> tuple[Call, JSONResponse | None]:
        """Record an OA send and check what every send needs: token, scripted errors, user."""
        body = await request.json()
        call = Call(path, body, {"access_token": request.headers.get("access_token", "")})
        self.calls.append(call)
        if call.headers["access_token"] != self.access_token:
            return call, JSONResponse({"error": -216, "message": "Access token is invalid"})
        if self.fail_next:
            return call, JSONResponse({"error": self.fail_next.pop(0), "message": "failure"})
        user_id = body["recipient"]["user_id"]
        if user_id in self.user_errors:
            return call, JSONResponse({"error": self.user_errors[user_id], "message": "refused"})
        return call, None

    def _accepted(self, call: Call, user_id: str) -> JSONResponse:
        call.headers["accepted"] = "yes"
        data = {"message_id": f"oam{next(self._ids)}", "user_id": user_id, "sent_time": "1"}
        return JSONResponse({"data": data, "error": 0, "message": "Success"})

    async def _oauth(self, request: Request) -> JSONResponse:
        form = dict(await request.form())
        self.calls.append(
            Call("oauth", form, {"secret_key": request.headers.get("secret_key", "")})
        )
        if self.refresh_status == 502:
            return HTMLResponse("<html><body>502 Bad Gateway</body></html>", 502)
        if self.refresh_status != 200:
            return JSONResponse({"error": -1, "message": "server error"}, self.refresh_status)
        if self.refresh_error is not None:
            return JSONResponse(self.refresh_error)
        if (
            request.headers.get("secret_key") != APP_SECRET_KEY
            or form.get("app_id") != APP_ID
            or form.get("grant_type") != "refresh_token"
            or form.get("refresh_token") != self.refresh_token
        ):
            return JSONResponse({"error": -14014, "error_name": "Invalid refresh token"})
        generation = next(self._generation)
        self.access_token, self.refresh_token = f"acc-{generation}", f"ref-{generation}"
        return JSONResponse(
            {
                "access_token": self.access_token,
                "refresh_token": self.refresh_token,
                "expires_in": self.expires_in,
            }
        )

    async def _bot(self, request: Request) -> JSONResponse:
        method = request.path_params["method"]
        params: dict[str, Any] = dict(request.query_params)
        if "json" in request.headers.get("content-type", ""):
            params.update(await request.json())
        self.calls.append(Call(method, params, {}))
        if request.path_params["token"] != BOT_TOKEN:
            return JSONResponse(
                {"ok": False, "error_code": 401, "description": "Unauthorized"}, 401
            )
        if method == "getUpdates":
            return await self._bot_updates(float(params.get("timeout") or 0))
        if method == "setWebhook":
            self.bot_webhook = params
        elif method == "sendPhoto":
            if not str(params.get("photo", "")).startswith(("http://", "https://")):
                body = {"ok": False, "error_code": 400, "description": "photo must be a URL"}
                return JSONResponse(body, 400)
            return JSONResponse({"ok": True, "result": {"message_id": f"bp{next(self._ids)}"}})
        elif method == "deleteWebhook":
            self.bot_webhook = {}
        elif method == "sendMessage":
            if not 1 <= len(params.get("text", "")) <= 2000:
                body = {"ok": False, "error_code": 400, "description": "text too long"}
                return JSONResponse(body, 400)
            return JSONResponse({"ok": True, "result": {"message_id": f"bs{next(self._ids)}"}})
        return JSONResponse({"ok": True, "result": True})

    async def _bot_updates(self, timeout: float) -> JSONResponse:
        if not self.bot_updates and not self.stopping:
            self._new_update.clear()
            try:
                await asyncio.wait_for(self._new_update.wait(), timeout=min(timeout, 0.5))
            except TimeoutError:
                pass
        if not self.bot_updates:
            body = {"ok": False, "error_code": 408, "description": "Request timeout"}
            return JSONResponse(body, 408)
        return JSONResponse({"ok": True, "result": self.bot_updates.pop(0)})
