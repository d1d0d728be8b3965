"""Deep links for an entry code: Telegram `?start=<code>`, and the Zalo OA's own link."""

from __future__ import annotations

from dataclasses import dataclass

from bot.campaigns.repo import valid_code


@dataclass(frozen=True)
class Links:
    """Where a poster sends citizens: Telegram with the code, and the OA (no code)."""

    telegram: str | None
    zalo: str | None


def telegram_link(bot_username: str, code: str) -> str:
    """Return `https://t.me/<bot>?start=<code>`."""
    if not valid_code(code):
        raise ValueError(f"not a deep-link code: {code!r}")
    return f"https://t.me/{bot_username.lstrip('@')}?start={code}"


def links_for(code: str, *, bot_username: str | None, zalo_oa_link: str | None) -> Links:
    """Return the links of a code from the configured bot username and OA link.

    The Zalo OA API documents no start parameter for a follow or chat link, so the OA link
    is the configured one as is: it opens the OA, and the place is asked in /dangky.
    """
    telegram = telegram_link(bot_username, code) if bot_username else None
    return Links(telegram=telegram, zalo=zalo_oa_link or None)
