"""Every dashboard figure equals what the test put in the database (SQLite and PostgreSQL)."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from bot.app import App
from bot.dashboard.export import to_csv, to_xlsx
from bot.dashboard.period import period_of
from bot.dashboard.service import dashboard, dashboard_tables
from bot.dashboard.tables import Share, Table
from bot.dashboard.tickets import TicketSummary
from bot.db.models import User
from bot.handoff import repository as tickets_repo
from tests.conftest import FakeClock
from tests.dashboard_helpers import (
    assessed,
    at,
    came_from,
    question,
    registered,
    steps,
    ticket,
    user,
    vote,
)

REGISTER_ALL = [
    "consent", "full_name", "birth_year", "gender", "place", "group", "union_member", "phone",
    "done",
]  # fmt: skip
ASSESS_ALL = [*(f"q{n}" for n in range(1, 11)), "done"]


@pytest.fixture
def filled(app: App, clock: FakeClock) -> tuple[App, str, str]:
    """A week of known events; now is Wednesday 4 March 2026, 10:00 in Vietnam."""
    clock.set(at(4, 3))
    a, b = sorted(app.content.faq)[:2]
    with app.sessions.begin() as s:
        lan = user(s, "lan", "telegram", at(20, 0, month=2), at(3, 10))
        minh = user(s, "minh", "telegram", at(2, 3), at(3, 4))
        hoa = user(s, "hoa", "zalo", at(4, 1), at(4, 2))
        tuan = user(s, "tuan", "telegram", at(1, 0, month=2), at(10, 0, month=2))
        vote(s, lan, question(s, lan, "answer", at(2, 5), a), True, at(2, 6))
        question(s, lan, "answer", at(3, 3), a)
        question(s, lan, "clarify", at(3, 4))
        question(s, minh, "fallback", at(3, 5), staff=True)
        question(s, minh, "chosen", at(3, 6), b)
        question(s, minh, "answer", at(3, 7), a)
        vote(s, hoa, question(s, hoa, "answer", at(4, 1), b), False, at(4, 2))
        question(s, hoa, "fallback", at(4, 2))
        old = question(s, lan, "answer", at(25, 0, month=2), a)  # last week
        vote(s, lan, old, True, at(25, 1, month=2))
        registered(s, lan, "nguoi-dan", "xã Lai Vung", at(2, 8))
        assessed(s, lan, True, at(2, 9))
        registered(s, minh, "hoc-sinh", "xã Lai Vung", at(3, 8))
        assessed(s, minh, None, at(3, 9))  # still answering
        registered(s, hoa, "nguoi-dan", "phường Sa Đéc", at(4, 1))
        assessed(s, hoa, False, at(4, 1))
        assessed(s, hoa, True, at(4, 2))  # tried again: the latest counts
        registered(s, tuan, "nguoi-dan", "xã Lai Vung", at(5, 0, month=2))
        assessed(s, tuan, False, at(3, 10))
        steps(s, lan, "dangky", REGISTER_ALL, at(2, 8))
        steps(s, minh, "dangky", REGISTER_ALL[:3], at(3, 8))
        steps(s, hoa, "dangky", ["consent"], at(4, 1))
        steps(s, tuan, "dangky", ["consent"], at(5, 0, month=2))
        steps(s, tuan, "dangky", ["full_name", "birth_year"], at(3, 8))  # began last month
        steps(s, lan, "tudanhgia", ASSESS_ALL, at(2, 9))
        steps(s, minh, "tudanhgia", ASSESS_ALL[:3], at(3, 9))
        steps(s, hoa, "tudanhgia", ASSESS_ALL, at(4, 2))
        came_from(s, lan, "laivung", "xã Lai Vung", at(2, 3))
        came_from(s, minh, "laivung", "xã Lai Vung", at(3, 3))
        came_from(s, hoa, "tuanle", "=HYPERLINK(\"x\")", at(4, 1))
        came_from(s, tuan, "cu", "Mã cũ", at(1, 0, month=2))
    return app, a, b


def test_periods_start_at_local_midnight_monday_and_the_first(clock: FakeClock) -> None:
    from zoneinfo import ZoneInfo

    tz = ZoneInfo("Asia/Ho_Chi_Minh")
    now = at(4, 3)
    assert period_of("day", now, tz).start == at(3, 17)
    assert period_of("week", now, tz).start == at(1, 17)
    assert period_of("month", now, tz).start == at(28, 17, month=2)
    assert period_of("week", now, tz).label(tz) == "02/03/2026 – 04/03/2026"
    with pytest.raises(ValueError, match="unknown period"):
        period_of("year", now, tz)


def test_question_figures_by_period_and_channel(filled: tuple[App, str, str]) -> None:
    app, _, _ = filled
    week = dashboard(app, "week").questions
    assert (week.asked, week.answered, week.clarified, week.declined) == (7, 4, 1, 2)
    assert (week.handed_over, week.helpful, week.unhelpful) == (1, 1, 1)
    assert week.share(week.answered) == pytest.approx(4 / 7)
    telegram = dashboard(app, "week", "telegram").questions
    assert (telegram.asked, telegram.answered, telegram.clarified, telegram.declined) == (
        5, 3, 1, 1,
    )  # fmt: skip
    assert (telegram.handed_over, telegram.helpful, telegram.unhelpful) == (1, 1, 0)
    today = dashboard(app, "day").questions
    assert (today.asked, today.answered, today.declined, today.unhelpful) == (2, 1, 1, 1)
    month = dashboard(app, "month").questions
    assert month.asked == 7  # 25 February is before the month began


def test_entries_asked_most_with_votes(filled: tuple[App, str, str]) -> None:
    app, a, b = filled
    entries = dashboard(app, "week").entries
    assert [(e.faq_id, e.asked, e.helpful, e.unhelpful) for e in entries] == [
        (a, 3, 1, 0),
        (b, 2, 0, 1),
    ]
    assert entries[0].question == app.content.faq[a].question
    telegram = dashboard(app, "week", "telegram").entries
    assert [(e.faq_id, e.asked) for e in telegram] == [(a, 3), (b, 1)]


def test_new_and_returning_citizens(filled: tuple[App, str, str]) -> None:
    app, _, _ = filled
    week = dashboard(app, "week").citizens
    assert (week.new, week.returning, week.active) == (2, 1, 3)
    telegram = dashboard(app, "week", "telegram").citizens
    assert (telegram.new, telegram.returning) == (1, 1)
    today = dashboard(app, "day").citizens
    assert (today.new, today.returning) == (1, 0)


def test_registrations_and_results_by_group_and_place(filled: tuple[App, str, str]) -> None:
    app, _, _ = filled
    cdht = dashboard(app, "week").cdht
    groups = {r.key: (r.registered, r.assessed, r.passed) for r in cdht.by_group}
    assert groups == {"nguoi-dan": (2, 3, 2), "hoc-sinh": (1, 0, 0)}
    assert next(r for r in cdht.by_group if r.key == "nguoi-dan").pass_rate == pytest.approx(2 / 3)
    assert next(r for r in cdht.by_group if r.key == "hoc-sinh").pass_rate is None
    total = cdht.total
    assert (total.registered, total.assessed, total.passed) == (3, 3, 2)
    places = {r.key: (r.registered, r.assessed, r.passed) for r in cdht.by_place}
    assert places == {"xã Lai Vung": (2, 2, 1), "phường Sa Đéc": (1, 1, 1)}
    telegram = dashboard(app, "week", "telegram").cdht
    groups = {r.key: (r.registered, r.assessed, r.passed) for r in telegram.by_group}
    assert groups == {"nguoi-dan": (1, 2, 1), "hoc-sinh": (1, 0, 0)}


def test_drop_off_per_step(filled: tuple[App, str, str]) -> None:
    app, _, _ = filled
    board = dashboard(app, "week")
    register = {r.step: (r.reached, r.stopped) for r in board.register_steps}
    assert register == {
        "consent": (3, 1), "full_name": (2, 0), "birth_year": (2, 1), "gender": (1, 0),
        "place": (1, 0), "group": (1, 0), "union_member": (1, 0), "phone": (1, 0),
        "done": (1, 0),
    }  # fmt: skip
    assess = [(r.step, r.reached, r.stopped) for r in board.assess_steps]
    assert assess[:4] == [("q1", 3, 0), ("q2", 3, 0), ("q3", 3, 1), ("q4", 2, 0)]
    assert assess[-1] == ("done", 2, 0)
    zalo = {r.step: r.reached for r in dashboard(app, "week", "zalo").register_steps}
    assert (zalo["consent"], zalo["full_name"]) == (1, 0)


def test_citizens_per_source(filled: tuple[App, str, str]) -> None:
    app, _, _ = filled
    sources = [(s.code, s.citizens, s.registered) for s in dashboard(app, "week").sources]
    assert sources == [("laivung", 2, 2), ("tuanle", 1, 1)]
    assert [(s.code, s.citizens) for s in dashboard(app, "day").sources] == [("tuanle", 1)]


def test_ticket_figures_equal_the_tickets_put_in(filled: tuple[App, str, str]) -> None:
    app, _, _ = filled
    with app.sessions.begin() as s:
        lan, minh, hoa = (s.scalars(select(User).where(User.external_id == n)).one()
                          for n in ("lan", "minh", "hoa"))  # fmt: skip
        ticket(s, lan, at(2, 5), answer_after=timedelta(minutes=30))
        ticket(s, minh, at(3, 5), answer_after=timedelta(minutes=90), closed=at(3, 9))
        follow_up = ticket(s, minh, at(3, 6), answer_after=timedelta(minutes=10))
        tickets_repo.add_message(s, ticket=follow_up, author="citizen", text="Thêm", now=at(3, 7))
        ticket(s, hoa, at(4, 1), answer_after=timedelta(minutes=60))
        ticket(s, lan, at(25, 0, month=2))  # last week, never answered, still open
        ticket(s, hoa, at(26, 0, month=2), closed=at(26, 1, month=2))  # last week, closed
    week = dashboard(app, "week").tickets
    # Waits 30, 90, 10 and 60 minutes: the median of an even count is the mean of the middle.
    assert week == TicketSummary(4, 4, 4, timedelta(minutes=45))
    assert dashboard(app, "week", "zalo").tickets == TicketSummary(1, 1, 1, timedelta(hours=1))
    assert dashboard(app, "week", "telegram").tickets == TicketSummary(
        3, 3, 3, timedelta(minutes=30)
    )
    assert dashboard(app, "day").tickets == TicketSummary(1, 1, 4, timedelta(hours=1))
    table = _table(app, "phieu")
    assert [value for _, value in table.rows] == [4, 4, 4, 45]


def test_ticket_figures_without_tickets_are_zero_and_no_median(
    filled: tuple[App, str, str],
) -> None:
    app, _, _ = filled
    assert dashboard(app, "week").tickets == TicketSummary(0, 0, 0, None)
    assert [value for _, value in _table(app, "phieu").rows] == [0, 0, 0, "chưa có"]


def _table(app: App, name: str) -> Table:
    return next(t for t in dashboard_tables(app, dashboard(app, "week")) if t.name == name)


def test_csv_has_bom_percentages_and_guards_formulas(filled: tuple[App, str, str]) -> None:
    app, _, _ = filled
    data = to_csv(_table(app, "nguon"))
    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert rows[0] == ["Mã", "Tên", "Người vào qua mã", "Đã đăng ký"]
    assert rows[2] == ["tuanle", "'=HYPERLINK(\"x\")", "1", "1"]
    groups = list(csv.reader(io.StringIO(to_csv(_table(app, "cdht-nhom")).decode("utf-8-sig"))))
    assert ["Người dân trong xã/phường", "2", "3", "2", "66.7%"] in groups
    assert groups[-1] == ["Tổng", "3", "3", "2", "66.7%"]


def test_xlsx_has_every_table_numbers_and_text_never_a_formula(
    filled: tuple[App, str, str],
) -> None:
    app, _, _ = filled
    found = dashboard_tables(app, dashboard(app, "week"))
    book = load_workbook(io.BytesIO(to_xlsx(found)))
    assert book.sheetnames == [t.name for t in found]
    sources = book["nguon"]
    assert sources["B3"].value == '=HYPERLINK("x")' and sources["B3"].data_type == "s"
    assert sources["C2"].value == 2
    overview = book["cau-hoi"]
    assert [overview["A2"].value, overview["B2"].value] == ["Câu hỏi đã nhận", 7]
    assert overview["C3"].value == pytest.approx(4 / 7) and overview["C3"].number_format == "0.0%"
    assert isinstance(found[0].rows[1][2], Share)
