"""Check a notice composed outside the chat (the web console) and count who it reaches."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.broadcast import audience
from bot.broadcast.render import MAX_LINK_BUTTONS, TEXT_LIMIT, notice_length
from bot.content.messages import Messages
from bot.db.models import User
from bot.db.repo_zalo import OA_CHANNEL, WINDOW_MARGIN, ZALO_WINDOW

LINK = re.compile(r"^https://\S{3,500}$")
LABEL_MAX = 40


@dataclass
class Draft:
    """A notice as typed in a form, with what is wrong with it (Vietnamese, for staff)."""

    text: str
    attachment_url: str | None
    buttons: list[list[str]]
    audience: dict[str, Any]
    problems: list[str] = field(default_factory=list)


def read_draft(
    messages: Messages, *, text: str, attachment: str, buttons: str, kind: str, value: str
) -> Draft:
    """Parse the form's fields into a draft, listing every problem found."""
    text, attachment = text.strip(), attachment.strip()
    problems: list[str] = []
    if not text:
        problems.append("Chưa có nội dung thông báo.")
    elif notice_length(messages, text) > TEXT_LIMIT:
        length = notice_length(messages, text)
        problems.append(f"Nội dung dài {length} ký tự, tối đa {TEXT_LIMIT} (tính cả lời dặn).")
    if attachment and not LINK.match(attachment):
        problems.append("Đường link tệp đính kèm phải bắt đầu bằng https:// và không có dấu cách.")
    links: list[list[str]] = []
    lines = [line.strip() for line in buttons.splitlines() if line.strip()]
    if len(lines) > MAX_LINK_BUTTONS:
        problems.append(f"Tối đa {MAX_LINK_BUTTONS} nút liên kết.")
    for line in lines[:MAX_LINK_BUTTONS]:
        label, _, url = (part.strip() for part in line.partition("|"))
        if not label or len(label) > LABEL_MAX or not LINK.match(url):
            problems.append(f"Dòng «{line[:60]}» chưa đúng dạng «Tên nút | https://...».")
        else:
            links.append([label, url])
    spec: dict[str, Any] = {"kind": kind, "value": value.strip() or None}
    if kind not in audience.KINDS:
        problems.append("Chưa chọn người nhận.")
    elif kind in ("place", "group", "topic") and not spec["value"]:
        problems.append("Chưa chọn xã/phường, đối tượng hoặc chủ đề của người nhận.")
    elif kind == "group" and spec["value"] not in audience.GROUPS:
        problems.append("Đối tượng không có trong danh sách.")
    return Draft(text, attachment or None, links, spec, problems)


def reach(session: Session, spec: dict[str, Any], *, now: datetime) -> tuple[int, int]:
    """Return how many citizens the audience reaches, and how many are past Zalo's window.

    Zalo OA citizens who last wrote over 7 days ago are counted apart: Zalo refuses messages
    to them, so they end up unreachable.
    """
    ids = audience.recipients(spec).subquery()
    total = session.scalar(select(func.count()).select_from(ids)) or 0
    outside = session.scalar(
        select(func.count())
        .select_from(User)
        .where(
            User.id.in_(select(ids.c.id)),
            User.channel == OA_CHANNEL,
            # the same edge as repo_zalo.inside_window, which the senders go by
            User.last_seen <= now - (ZALO_WINDOW - WINDOW_MARGIN),
        )
    )
    return total, outside or 0
