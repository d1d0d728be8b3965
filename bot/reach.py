"""Decide how a queued message reaches its citizen: as is, as a notice, by ZNS, or not at all.

One decision for every send (replies, reminders, notices, broadcasts): the outbox sender
makes it just before a message goes, and the reminder and notice pollers ask it before they
queue one (so an occurrence nobody can receive is settled at once, not queued).
Only Zalo OA has rules: Tư vấn (`cs`) only within 7 days of the citizen's last message;
broadcasts to followers as Tin Truyền thông (`promotion`); beyond the 7 days a reminder or
notice goes as an approved ZNS template to the phone of a citizen who agreed to it
(/nhantinsdt), else it is not sent and is counted "ngoài 7 ngày".
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from sqlalchemy.orm import Session

from bot.config import Settings
from bot.db import repo_users, repo_zalo
from bot.db.models import User

ZNS_TEXT_MAX = 400  # characters of the template's `noi_dung` parameter


class How(StrEnum):
    """How one message goes."""

    SEND = "send"  # the channel's ordinary message (Tư vấn on the OA)
    ANNOUNCE = "announce"  # a notice to followers (Tin Truyền thông on the OA)
    ZNS = "zns"  # an approved template by phone number (costs money)
    OUTSIDE = "outside"  # beyond Zalo's 7-day window and no ZNS: not sent


@dataclass(frozen=True)
class Plan:
    """The decision for one message; for ZNS, where and with which template."""

    how: How
    user_id: int | None = None
    phone: str | None = None
    template_id: str | None = None
    params: dict[str, str] = field(default_factory=dict)


def zns_template(settings: Settings, kind: str) -> str | None:
    """Return the configured ZNS template for a kind of message (None: no ZNS for it)."""
    if kind == "reminder":
        return settings.zalo_zns_reminder_template_id
    if kind in ("notice", "broadcast"):
        return settings.zalo_zns_notice_template_id
    return None  # replies, staff answers, progress: no template says what they say


def zns_params(text: str) -> dict[str, str]:
    """Return the template parameters for a message: its text, shortened to fit."""
    text = " ".join(text.split())
    if len(text) > ZNS_TEXT_MAX:
        text = text[: ZNS_TEXT_MAX - 1].rstrip() + "…"
    return {"noi_dung": text}


def plan(
    session: Session,
    *,
    settings: Settings,
    channel: str,
    chat_id: str,
    user_id: int | None,
    kind: str,
    text: str,
    now: datetime,
) -> Plan:
    """Decide how a message of `kind` goes to a chat now."""
    if channel != repo_zalo.OA_CHANNEL:
        return Plan(How.SEND, user_id)
    user = session.get(User, user_id) if user_id is not None else None
    if user is None:
        user = repo_users.get_user(session, channel=channel, external_id=chat_id)
    if user is None or repo_zalo.in_zalo_window(user, now):
        return Plan(How.ANNOUNCE if kind == "broadcast" else How.SEND, user_id)
    return beyond_window(session, settings=settings, user=user, kind=kind, text=text)


def beyond_window(
    session: Session, *, settings: Settings, user: User, kind: str, text: str
) -> Plan:
    """Return ZNS for a consenting citizen with a template for this kind, else OUTSIDE."""
    template = zns_template(settings, kind)
    consent = repo_zalo.get_consent(session, user_id=user.id) if template else None
    if template is None or consent is None:
        return Plan(How.OUTSIDE, user.id)
    return Plan(How.ZNS, user.id, consent.phone, template, zns_params(text))
