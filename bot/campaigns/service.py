"""Create entry codes for a campaign or a xã/phường and make their links and posters."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy.orm import Session

from bot.campaigns import repo
from bot.campaigns.links import Links, links_for
from bot.campaigns.models import EntryCode
from bot.campaigns.poster import poster_png
from bot.campaigns.repo import CodeError
from bot.cdht.chart import find_font
from bot.cdht.places import match_key

if TYPE_CHECKING:
    from bot.cdht.places import Places
    from bot.config import Settings
    from bot.content import Content


def resolve_place(places: Places, typed: str) -> str:
    """Return the label of the one xã/phường the typed name means, or raise CodeError."""
    exact = places.by_name(typed.strip())
    if exact is not None:
        return exact.label
    found = places.resolve(typed)
    same = [place for place in found if match_key(place.name) == match_key(typed)]
    if len(same) == 1:  # "lai vung": xã Lai Vung, not the old huyện's other xã
        return same[0].label
    if len(found) != 1:
        names = ", ".join(place.label for place in found[:5]) or "không có"
        raise CodeError(f"Không xác định được một xã/phường từ «{typed}» (gợi ý: {names}).")
    return found[0].label


def create_code(
    session: Session,
    content: Content,
    *,
    code: str,
    title: str | None,
    place: str | None,
    created_by: str,
    now: datetime,
) -> EntryCode:
    """Create a code for a xã/phường (title defaults to its name) or a titled campaign."""
    label = resolve_place(content.section("places"), place) if place else None
    title = (title or "").strip() or label
    if not title:
        raise CodeError("Cần tên chiến dịch hoặc một xã/phường.")
    return repo.add_code(
        session, code=code, title=title, place_name=label, created_by=created_by, now=now
    )


def links_of(settings: Settings, code: str) -> Links:
    """Return the Telegram deep link and the Zalo OA link of a code."""
    return links_for(
        code, bot_username=settings.telegram_bot_username, zalo_oa_link=settings.zalo_oa_link
    )


def poster(settings: Settings, content: Content, entry: EntryCode) -> bytes:
    """Return the A4 poster (PNG) of an entry code."""
    return poster_png(
        links_of(settings, entry.code),
        place=entry.place_name,
        title=entry.title,
        text=content.messages.text,
        font_path=find_font(settings.chart_font),
    )
