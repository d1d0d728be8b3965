"""PTB's network layer for the bot: JSON bodies over one pooled httpx client.

PTB's own HTTPXRequest posts every parameter as a form field: a Vietnamese reply is
percent-encoded byte by byte, which cost more than the rest of building the request. The
Bot API takes JSON bodies as well, so plain calls go as one `application/json` body;
uploads keep the multipart form.
"""

from __future__ import annotations

import json
from typing import Any

import httpx
from telegram.error import NetworkError, TimedOut
from telegram.request import BaseRequest, RequestData

from bot.channels.telegram_transport import IdleCheckTransport

READ_SECONDS = 5.0
WRITE_SECONDS = 5.0
MEDIA_WRITE_SECONDS = 20.0
CONNECT_SECONDS = 5.0
POOL_SECONDS = 1.0
_JSON = {"Content-Type": "application/json"}
_UNSET = type(BaseRequest.DEFAULT_NONE)  # what PTB passes for a timeout not given


class JsonRequest(BaseRequest):
    """Send Bot API calls as JSON bodies through one httpx client with `pool_size` connections."""

    def __init__(self, pool_size: int, read_timeout: float = READ_SECONDS) -> None:
        self._timeouts = httpx.Timeout(
            connect=CONNECT_SECONDS, read=read_timeout, write=WRITE_SECONDS, pool=POOL_SECONDS
        )
        self._limits = httpx.Limits(max_connections=pool_size)
        self._client = self._new_client()

    def _new_client(self) -> httpx.AsyncClient:
        headers = {"User-Agent": self.USER_AGENT}
        transport = IdleCheckTransport(self._limits)
        return httpx.AsyncClient(timeout=self._timeouts, headers=headers, transport=transport)

    @property
    def read_timeout(self) -> float | None:
        """Return the default read timeout in seconds."""
        return self._timeouts.read

    async def initialize(self) -> None:
        """Open the client again after a shutdown."""
        if self._client.is_closed:
            self._client = self._new_client()

    async def shutdown(self) -> None:
        """Close the client and its connections."""
        if not self._client.is_closed:
            await self._client.aclose()

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: Any = BaseRequest.DEFAULT_NONE,
        write_timeout: Any = BaseRequest.DEFAULT_NONE,
        connect_timeout: Any = BaseRequest.DEFAULT_NONE,
        pool_timeout: Any = BaseRequest.DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        """Make one request; return the status code and the body."""
        files = request_data.multipart_data if request_data is not None else None
        default_write = MEDIA_WRITE_SECONDS if files else self._timeouts.write
        timeout = httpx.Timeout(
            connect=_given(connect_timeout, self._timeouts.connect),
            read=_given(read_timeout, self._timeouts.read),
            write=_given(write_timeout, default_write),
            pool=_given(pool_timeout, self._timeouts.pool),
        )
        options: dict[str, Any] = {}
        if files:
            options = {"files": files, "data": request_data.json_parameters}  # type: ignore[union-attr]
        elif request_data is not None and request_data.parameters:
            body = json.dumps(request_data.parameters, ensure_ascii=False)
            options = {"content": body.encode(), "headers": _JSON}
        try:
            answer = await self._client.request(method, url, timeout=timeout, **options)
        except httpx.TimeoutException as error:
            raise TimedOut(f"httpx.{type(error).__name__}: {error}") from error
        except httpx.HTTPError as error:
            raise NetworkError(f"httpx.{type(error).__name__}: {error}") from error
        return answer.status_code, answer.content


class JsonParameters(RequestData):
    """A call's parameters as plain JSON values (no files), sent as they are."""

    __slots__ = ("_json",)

    def __init__(self, parameters: dict[str, Any]) -> None:
        super().__init__()
        self._json = {key: value for key, value in parameters.items() if value is not None}

    @property
    def parameters(self) -> dict[str, Any]:
        """Return the parameters (PTB's RequestData builds them from its own objects)."""
        return self._json


def _given(value: Any, default: float | None) -> float | None:
    """Return a timeout passed to a call, or the default when PTB passed none."""
    return default if isinstance(value, _UNSET) else value
