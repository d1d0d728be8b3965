"""The console's tickets pages (server side): list, thread, answer, close, roles, audit."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from bot.app import App
from bot.db.models import AuditLog, User
from bot.db.models_messaging import OutboxMessage
from bot.db.repo_outbox import reply_of
from bot.handoff import repository as repo
from tests.conftest import AppFactory, FakeClock
from tests.console_helpers import CONSOLE_SETTINGS, page_text, seed, signed_in
from tests.handoff_helpers import (
    CITIZEN,
    OUT_OF_SCOPE,
    STAFF_GROUP,
    hand_over,
    handoff_app,
    in_group,
    staff_post,
    stored_ticket,
    to_citizen,
)

ANSWER = "Dạ, giá lúa hôm nay Anh/Chị xem bản tin nông nghiệp của xã ạ."


@pytest.fixture
def app(make_app: AppFactory, db_url: str) -> App:
    """The bot with a staff group, a staff member on Telegram and the console."""
    app = handoff_app(make_app, db_url, **CONSOLE_SETTINGS)
    seed(app)
    return app


def _outbox(app: App) -> list[OutboxMessage]:
    with app.sessions() as session:
        rows = list(session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))
        session.expunge_all()
        return rows


def test_staff_list_tickets_by_state_with_age_and_channel(app: App, clock: FakeClock) -> None:
    hand_over(app)
    clock.advance(minutes=25)
    console = signed_in(app, "staff", "lan")
    listing = console.get("/tickets")
    text = page_text(listing)
    assert listing.status_code == 200
    assert 'data-ticket="HK-0001"' in listing.text and 'data-state="new"' in listing.text
    assert "HK-0001 mới Telegram · Lan" in text and OUT_OF_SCOPE in text
    assert "Gửi cách đây 25 phút · chờ trả lời 25 phút" in text
    answered = page_text(console.get("/tickets?show=answered"))
    assert "Không có câu hỏi nào ở mục «Đã trả lời»" in answered
    assert "HK-0001" in page_text(console.get("/tickets?show=all"))
    assert "HK-0001" in page_text(console.get("/tickets?show=nonsense"))  # falls back to open

    page = page_text(console.get("/tickets/1"))
    assert f"Người hỏi · 02/03/2026 09:00 {OUT_OF_SCOPE}" in page
    assert "Người hỏi: Lan · Telegram" in page and "Bot gợi ý:" in page
    assert console.get("/tickets/99").status_code == 404


def test_an_answer_from_the_browser_reaches_the_citizen_like_a_group_reply(
    app: App, clock: FakeClock
) -> None:
    # HK-0001 is answered in the staff group, HK-0002 from the console: the citizen's
    # messages are the same but for the reference.
    group_answer = in_group(app, ANSWER, reply_to=staff_post(hand_over(app)).text)
    from_group = to_citizen(group_answer)[0]
    hand_over(app, "hôm nay giá xăng bao nhiêu một lít", user="43")
    console = signed_in(app, "staff", "lan")
    console.get("/tickets/2")
    sent = console.post("/tickets/2/answer", {"text": f"  {ANSWER}\n"})
    assert sent.status_code == 200 and "Đã gửi câu trả lời" in page_text(sent)

    rows = _outbox(app)
    to_citizen_rows = [r for r in rows if r.chat_id == "43"]
    assert len(to_citizen_rows) == 1 and to_citizen_rows[0].kind == "reply"
    reply = reply_of(to_citizen_rows[0])
    assert reply.text == from_group.text.replace("HK-0001", "HK-0002")
    assert reply.text == f"💬 Cán bộ Hội Khuyến học trả lời (HK-0002):\n{ANSWER}"
    assert [b.label for b in reply.all_buttons()] == [b.label for b in from_group.all_buttons()]
    assert to_citizen_rows[0].channel == "telegram"
    notes = [reply_of(r) for r in rows if r.chat_id == STAFF_GROUP]
    assert notes[-1].text == f"💻 lan đã trả lời HK-0002 trên trang quản trị:\n{ANSWER}"
    assert notes[-1].to is not None and notes[-1].to.topic is not None
    assert notes[-1].to.topic.startswith("HK-0002 · ")

    ticket = stored_ticket(app, 2)
    assert ticket.state == "answered" and ticket.first_answer_at == clock()
    page = page_text(console.get("/tickets/2"))
    assert "đã trả lời" in page
    assert f"Cán bộ lan (trang quản trị) · 02/03/2026 09:00 {ANSWER}" in page
    assert "Cán bộ 7 (telegram)" in page_text(console.get("/tickets/1"))  # the group's answer
    assert "HK-0002" in page_text(console.get("/tickets?show=answered"))
    with app.sessions() as session:
        audit = session.scalars(select(AuditLog).where(AuditLog.action == "ticket.answer")).one()
    assert (audit.who, audit.detail) == ("console:lan", f"HK-0002 delivered, {len(ANSWER)} chars")
    assert ANSWER not in audit.detail  # what the citizen is told stays out of the audit log
    admin = signed_in(app, "admin", "an")
    viewer = page_text(admin.get("/audit?action=ticket.answer"))
    assert f"console:lan ticket.answer HK-0002 delivered, {len(ANSWER)} chars" in viewer
    board = admin.get("/?period=day").text  # both answered at once: the median wait is 0
    assert 'data-figure="tickets-open">2<' in board
    assert 'data-figure="tickets-median">0 phút<' in board


def test_bad_answers_get_a_short_vietnamese_message_and_send_nothing(app: App) -> None:
    hand_over(app)
    before = len(_outbox(app))
    console = signed_in(app, "admin", "an")
    console.get("/tickets/1")
    empty = console.post("/tickets/1/answer", {"text": "   "})
    assert empty.status_code == 400
    assert "Câu trả lời đang trống" in page_text(empty)
    long = console.post("/tickets/1/answer", {"text": "a" * 3501})
    assert long.status_code == 400 and "tối đa 3500 ký tự" in page_text(long)
    assert "a" * 3501 in long.text  # what was typed is kept in the form
    assert len(_outbox(app)) == before and stored_ticket(app).state == "new"
    forged = console.client.post("/console/tickets/1/answer", data={"text": "x", "csrf": "bad"})
    assert forged.status_code == 403

    closed = console.post("/tickets/1/close")
    assert "Đã đóng câu hỏi; người hỏi đã được báo." in page_text(closed)
    assert stored_ticket(app).state == "closed"
    told = [reply_of(r).text for r in _outbox(app) if r.chat_id == CITIZEN]
    assert told == ["Dạ, cán bộ đã đánh dấu xong câu hỏi HK-0001. Nếu còn điều chưa rõ, Anh/Chị"
                    " cứ gõ \"gặp cán bộ\" nhé."]  # fmt: skip
    page = page_text(console.get("/tickets/1"))
    assert "Câu hỏi đã đóng" in page and "Gửi câu trả lời" not in page
    late = console.post("/tickets/1/answer", {"text": ANSWER})
    assert late.status_code == 400
    assert "Câu hỏi HK-0001 đã đóng nên không gửi trả lời được nữa." in page_text(late)
    again = console.post("/tickets/1/close")
    assert "Câu hỏi này đã đóng từ trước." in page_text(again)
    with app.sessions() as session:
        query = select(AuditLog.action).where(AuditLog.who == "console:an")
        actions = list(session.scalars(query))
    assert actions.count("ticket.close") == 1 and "ticket.answer" not in actions


def test_a_zalo_answer_past_seven_days_is_kept_and_not_sent(
    app: App, clock: FakeClock
) -> None:
    now = clock()
    with app.sessions.begin() as session:
        citizen = User(
            channel="zalo", external_id="z1", chat_id="z1", display_name="Hoa",
            first_seen=now - timedelta(days=9), last_seen=now - timedelta(days=8),
        )  # fmt: skip
        session.add(citizen)
        session.flush()
        repo.create_ticket(
            session, user_id=citizen.id, channel="zalo", chat_id="z1", display_name="Hoa",
            question="Xin hỏi về học bổng", candidates=[], question_log_id=None,
            now=now - timedelta(days=8),
        )  # fmt: skip
    console = signed_in(app, "staff", "lan")
    page = page_text(console.get("/tickets/1"))
    assert "quá 7 ngày: Zalo không cho gửi câu trả lời nữa" in page
    sent = console.post("/tickets/1/answer", {"text": ANSWER})
    assert "KHÔNG gửi được" in page_text(sent) and "chưa gửi được" in page_text(sent)
    assert [r for r in _outbox(app) if r.chat_id == "z1"] == []


@pytest.mark.parametrize("role", ["curator", "broadcaster"])
def test_only_staff_and_admins_open_tickets(app: App, role: str) -> None:
    hand_over(app)
    console = signed_in(app, role, "khach")
    assert console.get("/tickets").status_code == 403
    assert console.get("/tickets/1").status_code == 403
    assert console.post("/tickets/1/answer", {"text": ANSWER}).status_code == 403
    assert "Câu hỏi cho cán bộ" not in page_text(console.get("/start"))


def test_a_staff_account_starts_on_the_tickets(app: App) -> None:
    console = signed_in(app, "staff", "lan")
    start = page_text(console.get("/"))
    assert "Câu hỏi cho cán bộ" in start and "Tài khoản của Anh/Chị chưa có trang" not in start
