"""The Zalo OA access token: seeded once, refreshed before expiry, stored before use."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

import httpx

from bot.channels.base import DeliveryError, RateLimited, TransientError
from bot.config import SettingsError
from bot.db import repo_zalo
from bot.db.models_zalo import ZaloToken
from bot.logs import REDACT

if TYPE_CHECKING:
    from bot.parts import Parts as App

log = logging.getLogger(__name__)

DOCUMENTED_LIFETIME = timedelta(hours=25)  # for a pair from the environment, age unknown
REFRESH_AT_FRACTION = 0.8  # refresh when 80 % of the lifetime has passed
LEASE = timedelta(seconds=60)  # how long another process waits for a refresher
RATE_LIMIT_CODE = -32
RATE_LIMIT_WAIT = 60.0
MAX_RETRY_PAUSE = 3600.0


class ZaloAuthError(DeliveryError):
    """The OA token could not be refreshed: the OA admin must authorise the app again."""


def store_environment_pair(app: App, *, replace: bool) -> bool:
    """Store ZALO_OA_ACCESS/REFRESH_TOKEN: into an empty database, or replacing the pair."""
    settings = app.settings
    app_id = settings.zalo_oa_app_id or ""
    now = app.now()
    with app.sessions.begin() as session:
        if not replace and repo_zalo.get_token(session, app_id=app_id) is not None:
            return False
        if not (settings.zalo_oa_access_token and settings.zalo_oa_refresh_token):
            raise SettingsError(
                "ZALO_OA_ACCESS_TOKEN and ZALO_OA_REFRESH_TOKEN are required "
                "to store a Zalo OA token pair"
            )
        pair = {
            "app_id": app_id,
            "access_token": settings.zalo_oa_access_token,
            "refresh_token": settings.zalo_oa_refresh_token,
            "now": now,
            "expires_at": now + DOCUMENTED_LIFETIME,
        }
        if repo_zalo.seed_token(session, **pair):
            return True
        if not replace:
            return False
        repo_zalo.store_refreshed_token(session, **pair)
        return True


def stored_token(app: App) -> ZaloToken:
    """Return the stored pair of the configured OA app."""
    with app.sessions() as session:
        token = repo_zalo.get_token(session, app_id=app.settings.zalo_oa_app_id or "")
    if token is None:
        raise ZaloAuthError("no Zalo OA token stored")
    return token


class ZaloTokens:
    """Hand out a valid OA access token; one refresher at a time, in-process and across."""

    def __init__(
        self,
        app: App,
        client: httpx.AsyncClient,
        on_refused: Callable[[str], Awaitable[None]] | None = None,
    ) -> None:
        self.app = app
        self.client = client
        self.app_id = app.settings.zalo_oa_app_id or ""
        self.on_refused = on_refused  # told once per run of refusals (admins are alerted)
        self._lock = asyncio.Lock()
        self._failures = 0
        self._retry_at: datetime | None = None
        self._alerted = False

    def seed_from_environment(self) -> None:
        """Store the pair from the environment when the database has none yet."""
        store_environment_pair(self.app, replace=False)

    def current(self) -> ZaloToken:
        """Return the stored pair (masked in logs from now on)."""
        token = stored_token(self.app)
        REDACT.add([token.access_token, token.refresh_token])
        return token

    def _due(self, token: ZaloToken) -> bool:
        lifetime = token.expires_at - token.obtained_at
        return self.app.now() >= token.obtained_at + lifetime * REFRESH_AT_FRACTION

    async def access_token(self) -> str:
        """Return an access token, refreshing it first when most of its life has passed.

        A failed refresh never silences the OA while the current token is still valid: it is
        used on, and the refresh is retried with a doubling pause (ZALO_TOKEN_RETRY_SECONDS,
        at most an hour); a refusal by Zalo alerts the admins once.
        """
        token = self.current()
        if not self._due(token):
            return token.access_token
        now = self.app.now()
        valid = now < token.expires_at
        if valid and self._retry_at is not None and now < self._retry_at:
            return token.access_token  # waiting before the next attempt
        try:
            return await self.refresh()
        except DeliveryError as error:
            await self._failed(error)
            if not valid:
                raise
            log.warning("zalo: token refresh failed (%s); the current token is used on", error)
            return token.access_token

    async def _failed(self, error: DeliveryError) -> None:
        """Schedule the next refresh attempt; alert once when Zalo refused the refresh."""
        self._failures += 1
        base = self.app.settings.zalo_token_retry_seconds
        pause = min(base * 2 ** (self._failures - 1), MAX_RETRY_PAUSE)
        self._retry_at = self.app.now() + timedelta(seconds=pause)
        if isinstance(error, ZaloAuthError) and not self._alerted and self.on_refused:
            self._alerted = True
            await self.on_refused(str(error))

    def _succeeded(self) -> None:
        self._failures, self._retry_at, self._alerted = 0, None, False

    async def replace(self, rejected: str) -> str:
        """Refresh after the API refused `rejected` (-216/-220); a failure is noted as such."""
        try:
            return await self.refresh(rejected=rejected)
        except DeliveryError as error:
            await self._failed(error)
            raise

    async def refresh(self, rejected: str | None = None) -> str:
        """Refresh the pair unless someone already did; `rejected` is a token the API refused."""
        async with self._lock:
            token = self.current()
            if rejected is not None and token.access_token != rejected:
                return token.access_token  # refreshed while we were waiting
            if rejected is None and not self._due(token):
                return token.access_token
            now = self.app.now()
            with self.app.sessions.begin() as session:
                leased = repo_zalo.acquire_refresh_lease(
                    session, app_id=self.app_id, now=now, until=now + LEASE
                )
            if not leased:
                return await self._wait_for_other_refresher(token.access_token)
            try:
                access, refresh, expires_in = await self._request(token.refresh_token)
            except BaseException:
                with self.app.sessions.begin() as session:
                    repo_zalo.release_refresh_lease(session, app_id=self.app_id)
                raise
            # Stored before use: the old refresh token is already spent.
            now = self.app.now()
            with self.app.sessions.begin() as session:
                repo_zalo.store_refreshed_token(
                    session,
                    app_id=self.app_id,
                    access_token=access,
                    refresh_token=refresh,
                    now=now,
                    expires_at=now + timedelta(seconds=expires_in),
                )
            log.info("zalo: OA access token refreshed, valid for %s s", expires_in)
            self._succeeded()
            return access

    async def _wait_for_other_refresher(self, old_access: str) -> str:
        """Another process holds the lease: wait for the pair it stores."""
        deadline = time.monotonic() + LEASE.total_seconds()
        while time.monotonic() < deadline:
            await asyncio.sleep(0.1)
            token = self.current()
            if token.access_token != old_access:
                return token.access_token
        raise ZaloAuthError("another process did not finish refreshing the Zalo OA token")

    async def _request(self, refresh_token: str) -> tuple[str, str, int]:
        """Ask the OAuth endpoint for a new pair; return (access, refresh, expires_in)."""
        settings = self.app.settings
        url = f"{settings.zalo_oauth_base_url.rstrip('/')}/v4/oa/access_token"
        try:
            response = await self.client.post(
                url,
                data={
                    "refresh_token": refresh_token,
                    "app_id": self.app_id,
                    "grant_type": "refresh_token",
                },
                headers={"secret_key": settings.zalo_app_secret_key or ""},
            )
            body = response.json()
        except (httpx.HTTPError, ValueError) as error:
            raise TransientError(f"zalo token refresh failed: {error}") from error
        if not isinstance(body, dict):
            raise TransientError("zalo token refresh: unexpected answer")
        if body.get("access_token") and body.get("refresh_token"):
            expires_in = int(float(str(body.get("expires_in") or 0)))
            lifetime = expires_in or int(DOCUMENTED_LIFETIME.total_seconds())
            REDACT.add([str(body["access_token"]), str(body["refresh_token"])])
            return str(body["access_token"]), str(body["refresh_token"]), lifetime
        code = body.get("error")
        if code == RATE_LIMIT_CODE:
            raise RateLimited(RATE_LIMIT_WAIT, "zalo token refresh rate limited")
        if response.status_code >= 500:
            raise TransientError(f"zalo token refresh: HTTP {response.status_code}")
        log.error(
            "zalo: refreshing the OA token was refused (%s %s); the OA admin must authorise "
            "the app again and set ZALO_OA_ACCESS_TOKEN/ZALO_OA_REFRESH_TOKEN",
            code,
            body.get("error_name") or body.get("message") or body.get("error_description"),
        )
        raise ZaloAuthError(f"zalo token refresh refused: {code}")
