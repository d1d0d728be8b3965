"""Questions that ask for an action (stop notices, reminders, help, staff) get its button."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from bot.matching.normalize import clean, fold
from bot.messages import Button

if TYPE_CHECKING:
    from bot.context import AppParts as App

# Folded cues, checked on the citizen's own words.
_OFF = re.compile(r"\b(?:tat|ngung|ngung nhan|huy|dung|stop|off|unsubscribe|khong muon nhan)\b")
_ON = re.compile(r"\b(?:bat|nhan lai|mo lai|subscribe|turn on|dang ky nhan)\b")
_LIST = re.compile(r"\b(?:xem|list|danh sach|da dat|cua toi|cua tui|cua minh|coi)\b")
_STAFF = re.compile(
    r"\b(?:gap|noi chuyen|lien he|hoi truc tiep|chat|talk|contact)\b.*"
    r"\b(?:can bo|nguoi that|nhan vien|staff|human|admin|nguoi)\b"
)
# FAQ entry -> the actions it may offer: (message key of the label, command, cue or None).
ACTIONS: dict[str, tuple[tuple[str, str, re.Pattern[str] | None], ...]] = {
    "bot-thong-bao": (
        ("faq.action_notices_off", "tatthongbao", _OFF),
        ("faq.action_notices_on", "batthongbao", _ON),
    ),
    "bot-nhac-nho": (
        ("faq.action_reminder_list", "lichnhac", _LIST),
        ("faq.action_reminder_set", "nhacnho", None),
    ),
    "bot-huong-dan": (("faq.action_help", "help", None),),
}


def wants_staff(text: str) -> bool:
    """Whether the citizen asks to talk to a person."""
    return bool(_STAFF.search(fold(clean(text))))


def action_buttons(app: App, faq_id: str, text: str) -> list[Button]:
    """Return the buttons of the actions an entry offers, those the question names first."""
    folded = fold(clean(text))
    actions = ACTIONS.get(faq_id, ())
    named = [a for a in actions if a[2] is not None and a[2].search(folded)]
    chosen = named or list(actions)
    return [Button(app.content.messages.text(key), payload=f"cmd:{cmd}") for key, cmd, _ in chosen]
