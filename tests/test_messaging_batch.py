"""A batch of FAQ questions costs few statements (what throughput needs).

On PostgreSQL a batch's questions are logged in one INSERT, their ids reserved up front:
the statements of a batch do not grow with its size. SQLite inserts each question.
"""

from __future__ import annotations

import json
import re
from typing import Any

from sqlalchemy import event, select
from telegram import Update

from bot.app import App
from bot.channels.telegram import received_of, to_incoming
from bot.db import repo_inbox
from bot.db.models import QuestionLog, User
from bot.db.models_messaging import OutboxMessage
from bot.messages import Incoming
from bot.messaging.processing import process_batch
from tests.conftest import AppFactory
from tests.standins.bot_api import BotApiStandIn

QUESTION = "tuần lễ học tập suốt đời diễn ra khi nào"
CHATS = 20
PER_BATCH = 6  # claim (2), authors seen, their counts and flows, replies, settle
LOGGED = 2  # PostgreSQL: the questions' ids reserved, then their rows in one INSERT


class TelegramJson:
    """The Telegram channel as processing reads it: stored JSON, nothing sent."""

    name = "telegram"
    reads_database = False

    def incoming_of(self, _session: object, payload: dict[str, Any]) -> Incoming | None:
        """Read a stored update."""
        return to_incoming(Update.de_json(payload, None))

    def after_handled(self, _payload: dict[str, Any]) -> None:
        """Nothing follows."""


def store_questions(app: App, bot_api: BotApiStandIn, first_user: int) -> None:
    """Store one question from each of CHATS chats."""
    updates = [bot_api.make_update(QUESTION, user_id=first_user + n) for n in range(CHATS)]
    with app.sessions.begin() as session:
        repo_inbox.store(session, [received_of(u) for u in updates], now=app.now())


def _counter(statements: list[str]) -> Any:
    """Return an engine listener that notes each statement's first word."""

    def count(_conn: object, _cursor: object, statement: str, *_args: object) -> None:
        statements.append(statement.split(None, 1)[0].upper())

    return count


def test_a_batch_of_questions_takes_one_statement_each_plus_a_few(
    make_app: AppFactory, db_url: str, bot_api: BotApiStandIn
) -> None:
    app = make_app(db_url)
    receivers = {"telegram": TelegramJson()}
    for round_ in ("newcomers", "known citizens"):
        store_questions(app, bot_api, first_user=1000)
        statements: list[str] = []
        count = _counter(statements)
        event.listen(app.engine, "before_cursor_execute", count)
        handled = process_batch(app, receivers, limit=CHATS)
        event.remove(app.engine, "before_cursor_execute", count)
        assert len(handled) == CHATS, round_
        assert "SAVEPOINT" not in statements, round_
        per_question = 0 if app.engine.dialect.name == "postgresql" else CHATS - LOGGED
        assert len(statements) <= PER_BATCH + LOGGED + per_question, (round_, statements)
    with app.sessions() as session:
        answers = session.scalars(select(OutboxMessage)).all()
        logged = {
            row.id: (row.external_id, row.text)
            for row in session.execute(
                select(QuestionLog.id, User.external_id, QuestionLog.text).join(
                    User, User.id == QuestionLog.user_id
                )
            )
        }
    assert len(answers) == 2 * CHATS  # every question has its answer queued
    assert len(logged) == 2 * CHATS
    for answer in answers:  # its 👍/👎 buttons name the question that chat asked
        log_id = int(re.search(r'"fb:(\d+):1"', json.dumps(answer.payload))[1])
        assert logged[log_id] == (answer.chat_id, QUESTION)
