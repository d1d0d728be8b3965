"""Event reminders ("Nhắc tôi" under FAQ answers) and the yearly self-assessment reminder."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
import yaml

from bot.app import App
from bot.broadcast.models import Broadcast
from bot.cdht.models import Assessment, Registration
from bot.content import load_content
from bot.content.errors import ContentError
from bot.db.models import User
from tests.conftest import CONTENT_DIR, AppFactory, FakeClock
from tests.helpers import console, press, press_label, run_due, say, texts


async def test_subscribe_from_faq_answer_and_get_reminded_once(app: App, clock: FakeClock) -> None:
    out = console(app)
    answer = press(app, "faq:tuan-le-hoc-tap")
    replies = press_label(app, answer, "Nhắc tôi")
    assert "28/09/2026" in texts(replies) and "3 ngày" in texts(replies)
    assert "đã đăng ký" in texts(press(app, "ev:tuan-le-hoc-tap"))
    assert "Tuần lễ hưởng ứng" in texts(say(app, "/lichnhac"))

    clock.set(datetime(2026, 9, 28, 1, 59, tzinfo=UTC))
    await run_due(app)
    assert "Còn 3 ngày" not in out.getvalue()
    clock.set(datetime(2026, 9, 28, 2, 0, tzinfo=UTC))  # 09:00 in Vietnam
    await run_due(app)
    clock.advance(days=1)
    await run_due(app)
    assert out.getvalue().count("Còn 3 ngày nữa là Tuần lễ hưởng ứng học tập suốt đời") == 1


async def test_unsubscribe(app: App, clock: FakeClock) -> None:
    out = console(app)
    press(app, "ev:tuan-le-hoc-tap")
    assert "không nhắc" in texts(press_label(app, say(app, "/lichnhac"), "Bỏ nhắc"))
    clock.set(datetime(2026, 9, 28, 2, 0, tzinfo=UTC))
    await run_due(app)
    assert out.getvalue() == ""


def test_stale_event_button(sqlite_app: App) -> None:
    assert "nút này đã cũ" in texts(press(sqlite_app, "ev:khong-co"))


def register(app: App, external_id: str, *, assessed_year: int | None = None) -> None:
    say(app, "/start", user=external_id)
    with app.sessions.begin() as session:
        user = session.query(User).filter_by(external_id=external_id).one()
        session.add(
            Registration(
                user_id=user.id,
                full_name="Nguyễn Văn A",
                birth_year=1970,
                place_name="Phường Cao Lãnh",
                group="nong-dan",
                consent_version="v1",
            )
        )
        if assessed_year is not None:
            session.add(
                Assessment(
                    user_id=user.id,
                    year=assessed_year,
                    completed_at=datetime(assessed_year, 2, 1, tzinfo=UTC),
                )
            )


async def test_self_assessment_reminder_once_in_the_configured_month(
    app: App, clock: FakeClock
) -> None:
    out = console(app)
    register(app, "not-yet")
    register(app, "done", assessed_year=2026)
    register(app, "done-last-year", assessed_year=2025)
    clock.set(datetime(2026, 10, 31, 5, 0, tzinfo=UTC))
    await run_due(app)
    assert "tự đánh giá" not in out.getvalue()
    clock.set(datetime(2026, 11, 1, 2, 0, tzinfo=UTC))  # 1 November, 09:00 in Vietnam
    counts = await run_due(app)
    clock.advance(days=3)
    await run_due(app)
    assert counts["notice_queued"] == 2
    assert out.getvalue().count("chưa tự đánh giá Công dân học tập năm 2026") == 2


async def test_self_assessment_notices_are_spread_over_polls(
    make_app: AppFactory, db_url: str, clock: FakeClock
) -> None:
    app = make_app(db_url, notice_rate=1, reminder_poll_seconds=2)  # at most 1 per poll
    out = console(app)
    for name in ("a", "b", "c"):
        register(app, name)
    clock.set(datetime(2026, 11, 2, 2, 0, tzinfo=UTC))
    first = await run_due(app)
    clock.advance(minutes=1)
    second = await run_due(app)
    clock.advance(minutes=1)
    third = await run_due(app)
    assert (first["notice_queued"], second["notice_queued"], third["notice_queued"]) == (1, 1, 1)
    assert out.getvalue().count("chưa tự đánh giá Công dân học tập năm 2026") == 3


async def test_notices_wait_while_a_broadcast_is_sending(app: App, clock: FakeClock) -> None:
    out = console(app)
    register(app, "waiting")
    with app.sessions.begin() as session:
        session.add(Broadcast(text="Thông báo", status="sending"))
    clock.set(datetime(2026, 11, 2, 2, 0, tzinfo=UTC))
    assert (await run_due(app))["notice_queued"] == 0
    with app.sessions.begin() as session:
        session.query(Broadcast).update({"status": "done"})
    clock.advance(minutes=1)
    assert (await run_due(app))["notice_queued"] == 1
    assert "chưa tự đánh giá" in out.getvalue()


async def test_self_assessment_button_payload(sqlite_app: App, clock: FakeClock) -> None:
    register(sqlite_app, "x")
    clock.set(datetime(2026, 11, 2, 3, 0, tzinfo=UTC))
    from bot.reminders.notices import _claim

    notices = _claim(sqlite_app, clock())
    assert [b.payload for b in notices[0].reply.all_buttons()] == ["cmd:tudanhgia"]


def test_events_file_is_validated(tmp_path: Path) -> None:
    import shutil

    folder = tmp_path / "content"
    shutil.copytree(CONTENT_DIR, folder)
    path = folder / "events.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["events"][0]["start"] = "32/10"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    with pytest.raises(ContentError, match="tuan-le-hoc-tap"):
        load_content(folder)
    data["events"][0]["start"] = "01/10"
    data["events"][0]["faq"] = "khong-co-muc-nay"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    with pytest.raises(ContentError, match="faq"):
        load_content(folder)
