"""One person cannot flood the bot: a burst limit with one polite reply, and a daily budget."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from bot.app import App
from bot.db.models import QuestionLog, User
from bot.messages import Reply
from tests.conftest import AppFactory, FakeClock
from tests.helpers import text_message, texts

QUESTION = "học bổng công đoàn là gì"
SLOW = "chậm lại"


def _rows(app: App, external_id: str) -> int:
    with app.sessions.begin() as session:
        query = (
            select(func.count())
            .select_from(QuestionLog)
            .join(User, User.id == QuestionLog.user_id)
            .where(User.external_id == external_id)
        )
        return session.scalar(query) or 0


def _flood(apps: list[App], clock: FakeClock) -> list[list[Reply]]:
    """Send 100 messages of one user in 1.15 s (as in the report), the apps taking turns."""
    replies = []
    for number in range(100):
        clock.advance(seconds=0.0115)
        app = apps[number % len(apps)]
        replies.append(app.dispatcher.handle(text_message(f"{QUESTION} {number}", user="flood")))
    return replies


@pytest.mark.parametrize("processes", [1, 2])
def test_one_user_sending_100_messages_gets_bounded_replies_and_rows(
    make_app: AppFactory, db_url: str, clock: FakeClock, processes: int
) -> None:
    # With 2: two bot processes on one database (each with its own memory), taking turns at
    # one flooding user's updates as the inbox workers do; the limit holds once, not twice.
    apps = [make_app(db_url, flood_burst=8, flood_window_seconds=10) for _ in range(processes)]
    replies = _flood(apps, clock)
    answered = [r for r in replies if r and SLOW not in texts(r)]
    slowed = [r for r in replies if r and SLOW in texts(r)]
    assert len(answered) == 8
    assert len(slowed) == processes  # one "chậm lại" per burst (and process), not per message
    assert sum(1 for r in replies if not r) == 92 - processes
    app = apps[-1]
    assert _rows(app, "flood") == 8

    # Someone else is unaffected, in the middle of the flood.
    other = app.dispatcher.handle(text_message(QUESTION, user="neighbour"))
    assert other and SLOW not in texts(other)
    assert _rows(app, "neighbour") == 1

    # After a pause, the flooder is answered again.
    clock.advance(seconds=11)
    again = app.dispatcher.handle(text_message(QUESTION, user="flood"))
    assert again and SLOW not in texts(again)


def test_daily_budget_caps_what_one_user_can_store(
    make_app: AppFactory, sqlite_url: str, clock: FakeClock
) -> None:
    app = make_app(sqlite_url, flood_burst=1000, user_daily_messages=20)
    replies = [
        app.dispatcher.handle(text_message(f"{QUESTION} {n}", user="busy")) for n in range(60)
    ]
    assert sum(1 for r in replies if r) == 21  # 20 answers and one "tomorrow" note
    assert "Ngày mai" in texts(replies[20])
    assert _rows(app, "busy") == 20
    clock.advance(days=1)
    assert "Ngày mai" not in texts(app.dispatcher.handle(text_message(QUESTION, user="busy")))


def test_daily_cap_holds_across_processes_and_a_restart(
    make_app: AppFactory, db_url: str, clock: FakeClock
) -> None:
    first, second = (make_app(db_url, flood_burst=1000, user_daily_messages=20) for _ in "ab")
    for number in range(30):
        app = (first, second)[number % 2]
        app.dispatcher.handle(text_message(f"{QUESTION} {number}", user="busy"))
    assert _rows(first, "busy") == 20
    restarted = make_app(db_url, flood_burst=1000, user_daily_messages=20)
    reply = restarted.dispatcher.handle(text_message(QUESTION, user="busy"))
    assert "Ngày mai" in texts(reply)  # a fresh process still knows today's count
    assert _rows(restarted, "busy") == 20
    clock.advance(days=1)
    assert "Ngày mai" not in texts(
        restarted.dispatcher.handle(text_message(QUESTION, user="busy"))
    )
