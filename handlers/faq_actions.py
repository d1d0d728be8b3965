"""Questions that ask for an action (stop notices, reminders, help, staff) get its button."""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.messages import Button

if TYPE_CHECKING:
    from bot.context import AppParts as App

# FAQ entry -> the actions it may offer: (message key of the label, command), the first the
# default when the question names none.
ENTRY_ACTIONS: dict[str, tuple[tuple[str, str], ...]] = {
    "bot-thong-bao": (
        ("faq.action_notices_off", "tatthongbao"),
        ("faq.action_notices_on", "batthongbao"),
    ),
    "bot-nhac-nho": (
        ("faq.action_reminder_list", "lichnhac"),
        ("faq.action_reminder_set", "nhacnho"),
    ),
    "bot-huong-dan": (("faq.action_help", "help"),),
}


def action_buttons(app: App, faq_id: str, asked: str | None = None) -> list[Button]:
    """Return the buttons of an entry's actions: only the one asked for, when one was."""
    actions = ENTRY_ACTIONS.get(faq_id, ())
    chosen = [a for a in actions if a[1] == asked] or list(actions)
    return [Button(app.content.messages.text(key), payload=f"cmd:{cmd}") for key, cmd in chosen]
