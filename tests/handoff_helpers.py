"""Shared set-up for the handover tests: a staff group, a staff member, messages in the group."""

from __future__ import annotations

from bot.app import App
from bot.handoff.models import Ticket
from bot.messages import Incoming, Kind, Reply
from tests.conftest import AppFactory
from tests.helpers import button_press, text_message

STAFF_GROUP = "-100500"
STAFF_MEMBER = "7"
OUTSIDER = "8"
CITIZEN = "42"
OUT_OF_SCOPE = "hôm nay giá lúa bao nhiêu một ký"


def handoff_app(make_app: AppFactory, url: str, **extra: object) -> App:
    """Build an app with the staff group on Telegram and telegram:7 as a staff member."""
    app = make_app(url, staff_chat_id=STAFF_GROUP, **extra)
    grant_staff(app, "telegram", STAFF_MEMBER)
    return app


def grant_staff(app: App, channel: str, external_id: str) -> None:
    """Give an account the staff role the way a super-admin does (/quantri canbo them)."""
    replies = app.dispatcher.handle(
        Incoming("console", "admin", "admin", text=f"/quantri canbo them {channel}:{external_id}")
    )
    assert "Đã thêm" in replies[0].text, replies[0].text


def citizen_says(app: App, text: str, user: str = CITIZEN) -> list[Reply]:
    """A Telegram citizen writes to the bot."""
    return app.dispatcher.handle(text_message(text, user, channel="telegram"))


def citizen_presses(app: App, payload: str, user: str = CITIZEN) -> list[Reply]:
    """A Telegram citizen presses a button."""
    return app.dispatcher.handle(button_press(payload, user, channel="telegram"))


def in_group(app: App, text: str, user: str = STAFF_MEMBER, reply_to: str = "") -> list[Reply]:
    """Someone writes in the staff group, optionally replying to one of the bot's posts."""
    incoming = Incoming("telegram", user, STAFF_GROUP, text=text, is_group=True, reply_to=reply_to)
    return app.dispatcher.handle(incoming)


def group_presses(app: App, payload: str, user: str = STAFF_MEMBER) -> list[Reply]:
    """Someone presses a button under a post in the staff group."""
    incoming = Incoming(
        "telegram", user, STAFF_GROUP, payload=payload, kind=Kind.BUTTON, is_group=True
    )
    return app.dispatcher.handle(incoming)


def payload_of(replies: list[Reply], label_part: str) -> str:
    """Return the payload of the first button whose label contains the text."""
    for reply in replies:
        for button in reply.all_buttons():
            if label_part in button.label and button.payload:
                return button.payload
    raise AssertionError(f"no button {label_part!r} in {[r.all_buttons() for r in replies]}")


def hand_over(app: App, question: str = OUT_OF_SCOPE, user: str = CITIZEN) -> list[Reply]:
    """Ask a question and press "📨 Gửi câu hỏi cho cán bộ" (answered: type "gặp cán bộ")."""
    first = citizen_says(app, question, user)
    if not any("cán bộ" in b.label for r in first for b in r.all_buttons()):
        first = citizen_says(app, "gặp cán bộ", user)
    return citizen_presses(app, payload_of(first, "cán bộ"), user)


def staff_post(replies: list[Reply]) -> Reply:
    """Return the reply addressed to the staff group."""
    posts = [r for r in replies if r.to is not None and r.to.chat_id == STAFF_GROUP]
    assert len(posts) == 1, replies
    return posts[0]


def to_citizen(replies: list[Reply], chat: str = CITIZEN) -> list[Reply]:
    """Return the replies addressed to a citizen's chat."""
    return [r for r in replies if r.to is not None and r.to.chat_id == chat]


def stored_ticket(app: App, ticket_id: int = 1) -> Ticket:
    """Return a ticket as stored now, detached from its session."""
    with app.sessions() as session:
        ticket = session.get(Ticket, ticket_id)
        assert ticket is not None
        session.expunge(ticket)
        return ticket
