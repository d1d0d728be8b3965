"""Download a citizen's voice note from a messenger's media URL, refusing one too large."""

from __future__ import annotations

import httpx

from bot.channels.base import TransientError
from bot.messages import AudioTooLarge


async def download(client: httpx.AsyncClient, url: str, max_bytes: int, what: str) -> bytes:
    """Return the bytes at the URL, streamed; AudioTooLarge once past max_bytes."""
    parts: list[bytes] = []
    size = 0
    try:
        async with client.stream("GET", url) as response:
            response.raise_for_status()
            async for part in response.aiter_bytes():
                size += len(part)
                if size > max_bytes:
                    raise AudioTooLarge(f"over {max_bytes} bytes")
                parts.append(part)
    except httpx.HTTPError as error:
        raise TransientError(f"{what}: {error}") from error
    return b"".join(parts)
