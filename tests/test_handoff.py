"""Handing a question to staff, called through the dispatcher (no messenger)."""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import func, select

from bot.db import repo_outbox
from bot.db.models_messaging import OutboxMessage
from bot.handoff import repository as repo
from bot.handoff.models import FaqProposal, Ticket, TicketMessage
from bot.messages import Incoming, Kind
from tests.conftest import AppFactory, FakeClock
from tests.handoff_helpers import (
    CITIZEN,
    OUT_OF_SCOPE,
    OUTSIDER,
    STAFF_GROUP,
    citizen_presses,
    citizen_says,
    group_presses,
    hand_over,
    handoff_app,
    in_group,
    payload_of,
    staff_post,
    stored_ticket,
    to_citizen,
)
from tests.helpers import button_press, run_cli, text_message, texts


def test_citizen_hands_over_and_staff_answer_reaches_them(
    make_app: AppFactory, db_url: str
) -> None:
    app = handoff_app(make_app, db_url)
    replies = hand_over(app)
    confirmation = replies[0]
    assert confirmation.to is None
    assert "HK-0001" in confirmation.text
    assert "làm việc đến 17:00" in confirmation.text  # Monday 09:00 in Vietnam
    post = staff_post(replies)
    assert post.to is not None and post.to.channel == "telegram"
    assert "HK-0001" in post.text and OUT_OF_SCOPE in post.text and "Lan" in post.text
    labels = [b.label for b in post.all_buttons()]
    assert "✅ Đã xong" in labels and "📚 Thêm vào FAQ" in labels and len(labels) >= 3

    answer = in_group(app, "Dạ, giá lúa Anh/Chị xem trên báo địa phương ạ.", reply_to=post.text)
    delivered = to_citizen(answer)
    assert len(delivered) == 1
    assert delivered[0].text.startswith("💬 Cán bộ Hội Khuyến học trả lời (HK-0001):")
    assert "xem trên báo địa phương" in delivered[0].text
    assert delivered[0].to is not None and delivered[0].to.channel == "telegram"
    notes = [r for r in answer if r.to is not None and r.to.chat_id == STAFF_GROUP]
    assert [note.text for note in notes] == ["✅ Đã gửi trả lời HK-0001 cho Lan."]
    # In the group, notes about a ticket go to its topic (a forum topic in a forum group).
    assert post.to.topic is not None and post.to.topic.startswith("HK-0001 · hôm nay giá lúa")
    assert notes[0].to is not None and notes[0].to.topic == post.to.topic
    ticket = stored_ticket(app)
    assert ticket.state == "answered" and ticket.first_answer_at is not None


def test_only_staff_answers_and_others_are_logged_without_text(
    make_app: AppFactory, db_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    app = handoff_app(make_app, db_url)
    post = staff_post(hand_over(app))
    with caplog.at_level(logging.INFO):
        ignored = in_group(app, "bí mật riêng tư", user=OUTSIDER, reply_to=post.text)
    assert ignored == []
    assert "non-staff u" in caplog.text and "bí mật" not in caplog.text
    assert f":{OUTSIDER}" not in caplog.text
    assert stored_ticket(app).state == "new"
    # Chatter among staff that replies to nothing is not an answer either.
    assert in_group(app, "mọi người ơi họp lúc 2 giờ") == []
    # The group is no FAQ: a staff member's plain question there gets no answer.
    assert in_group(app, "học bổng là gì") == []


def test_outside_working_hours_the_citizen_is_told_when_the_office_opens(
    make_app: AppFactory, sqlite_url: str, clock: FakeClock
) -> None:
    app = handoff_app(make_app, sqlite_url)
    clock.set(datetime(2026, 3, 7, 3, 0, tzinfo=UTC))  # Saturday 10:00 in Vietnam
    confirmation = hand_over(app)[0]
    assert "ngoài giờ làm việc" in confirmation.text
    assert "07:30 ngày 09/03/2026" in confirmation.text  # the Monday after


@pytest.mark.parametrize("phrase", ["gặp cán bộ", "gap can bo", "Cho tôi hỏi người thật ạ"])
def test_typing_for_a_person_asks_for_the_question(
    make_app: AppFactory, sqlite_url: str, phrase: str
) -> None:
    app = handoff_app(make_app, sqlite_url)
    asked = citizen_says(app, phrase)
    assert "gõ câu hỏi" in asked[0].text
    replies = citizen_says(app, "con tôi học lớp 5 có được học bổng không")
    assert "HK-0001" in replies[0].text
    assert "lớp 5" in staff_post(replies).text


def test_typing_for_a_person_offers_the_question_just_asked(
    make_app: AppFactory, sqlite_url: str
) -> None:
    app = handoff_app(make_app, sqlite_url)
    citizen_says(app, OUT_OF_SCOPE)
    offer = citizen_says(app, "gặp cán bộ")
    replies = citizen_presses(app, payload_of(offer, "câu vừa hỏi"))
    assert OUT_OF_SCOPE in staff_post(replies).text
    # The flow ended with the press: the next message is a question for the FAQ again.
    assert "HK-" not in texts(citizen_says(app, "học bổng là gì"))


def test_a_double_press_or_the_same_question_twice_opens_one_ticket(
    make_app: AppFactory, db_url: str
) -> None:
    app = handoff_app(make_app, db_url)
    asked = citizen_says(app, OUT_OF_SCOPE)
    button = payload_of(asked, "cán bộ")
    first = citizen_presses(app, button)
    assert "HK-0001" in first[0].text and len(staff_post(first).text) > 0
    again = citizen_presses(app, button)  # the second press of a double tap
    assert [r.text for r in again] == [
        "Dạ, câu hỏi này Anh/Chị đã gửi cho cán bộ rồi (mã HK-0001); cán bộ sẽ trả lời"
        " trong cuộc trò chuyện này ạ."
    ]
    assert "Gửi thêm" in str([b.label for b in again[0].all_buttons()])
    # Typed again through "gặp cán bộ", in other case and spacing: still the one ticket.
    citizen_says(app, "gặp cán bộ")
    typed = citizen_says(app, "  Hôm nay GIÁ LÚA bao nhiêu một ký ")
    assert "HK-0001" in typed[0].text and to_citizen(typed) == [] and len(typed) == 1
    with app.sessions() as session:
        assert session.scalar(select(func.count()).select_from(Ticket)) == 1
    # Once that ticket is closed, the same question may be handed over again.
    citizen_presses(app, "hk:close:1")
    assert "HK-0002" in citizen_presses(app, button)[0].text


def test_follow_ups_join_the_thread_and_the_citizen_closes(
    make_app: AppFactory, db_url: str
) -> None:
    app = handoff_app(make_app, db_url)
    post = staff_post(hand_over(app))
    answer = to_citizen(in_group(app, "Dạ, Anh/Chị ở xã nào ạ?", reply_to=post.text))[0]
    asked = citizen_presses(app, payload_of([answer], "Gửi thêm"))
    assert "HK-0001" in asked[0].text
    more = citizen_says(app, "Dạ, tôi ở xã Mỹ An")
    assert "đã gửi thêm" in more[0].text
    follow_up = staff_post(more)
    assert "HK-0001" in follow_up.text and "xã Mỹ An" in follow_up.text
    assert stored_ticket(app).state == "answering"
    # Replying to the follow-up's post answers the same ticket.
    second = to_citizen(in_group(app, "Dạ, cảm ơn Anh/Chị.", reply_to=follow_up.text))
    assert "HK-0001" in second[0].text
    closed = citizen_presses(app, payload_of([answer], "Đóng"))
    assert "đã đóng câu hỏi HK-0001" in closed[0].text
    assert "người hỏi đã đóng" in staff_post(closed).text
    assert stored_ticket(app).state == "closed"
    again = citizen_presses(app, payload_of([answer], "Gửi thêm"))
    assert "đã đóng rồi" in again[0].text
    with app.sessions() as session:
        thread = repo.thread(session, ticket_id=1)
    assert [m.author for m in thread] == ["citizen", "staff", "citizen", "staff"]


def test_staff_buttons_done_canned_and_faq_proposal(make_app: AppFactory, db_url: str) -> None:
    app = handoff_app(make_app, db_url)
    post = staff_post(hand_over(app, "con tôi muốn xin học bổng thì làm sao"))
    canned = group_presses(app, payload_of([post], "Hỏi xã/phường"))
    assert "xã/phường nào" in to_citizen(canned)[0].text
    picked = group_presses(app, payload_of([post], "Thêm vào FAQ"))
    entry_button = picked[0].all_buttons()[0]
    proposed = group_presses(app, entry_button.payload or "")
    assert "Đã ghi đề xuất" in proposed[0].text
    assert "đã có rồi" in group_presses(app, entry_button.payload or "")[0].text
    typed = in_group(app, "/themfaq HK-0001 khong-co-muc-nay")
    assert "Không có mục FAQ" in typed[0].text
    with app.sessions() as session:
        proposals = list(session.scalars(select(FaqProposal)))
        assert [p.phrasing for p in proposals] == ["con tôi muốn xin học bổng thì làm sao"]
        assert proposals[0].proposed_by.startswith("s-")
    done = group_presses(app, payload_of([post], "Đã xong"))
    assert "HK-0001 đã xong" in texts(done)
    assert "cán bộ đã đánh dấu xong" in to_citizen(done)[0].text
    assert "đã đóng từ trước" in texts(group_presses(app, payload_of([post], "Đã xong")))


@pytest.mark.parametrize(
    ("who", "payload", "expected"),
    [
        ("citizen", "hk:more:1", "không còn dùng được"),  # another citizen's ticket
        ("citizen", "hk:close:x", "không còn dùng được"),
        ("citizen", "hk:drop:1", "không còn dùng được"),
        ("citizen", "staff:999", "không còn dùng được"),
        ("citizen", "tk:done:1", "chỉ dành cho cán bộ"),
        ("staff", "tk:done:999", "không còn dùng được"),
        ("staff", "tk:c:1:khong-co", "không còn dùng được"),
        ("staff", "tk:fq:1:9", "không còn dùng được"),
        ("staff", "tk:zz", "không còn dùng được"),
    ],
)
def test_forged_ticket_buttons_get_a_polite_reply(
    make_app: AppFactory, sqlite_url: str, who: str, payload: str, expected: str
) -> None:
    app = handoff_app(make_app, sqlite_url)
    hand_over(app)
    if who == "citizen":
        replies = citizen_presses(app, payload, user="99")
    else:
        replies = group_presses(app, payload)
    assert len(replies) == 1 and to_citizen(replies) == []
    assert expected in replies[0].text.lower()
    assert stored_ticket(app).state == "new"


def test_answer_to_a_zalo_citizen_after_seven_days_is_not_sent_and_staff_are_told(
    make_app: AppFactory, db_url: str, clock: FakeClock
) -> None:
    app = handoff_app(make_app, db_url)
    declined = app.dispatcher.handle(_zalo_text(OUT_OF_SCOPE))
    post = staff_post(app.dispatcher.handle(_zalo_press(payload_of(declined, "cán bộ"))))
    assert "Zalo OA" in post.text and "Zalo chỉ cho gửi trả lời đến 09:00 09/03/2026" in post.text
    clock.advance(days=6, hours=23)
    assert len(to_citizen(in_group(app, "Dạ, trả lời 1", reply_to=post.text), "zc1")) == 1
    clock.advance(hours=2)
    late = in_group(app, "Dạ, trả lời 2", reply_to=post.text)
    assert to_citizen(late, "zc1") == []
    assert "Không gửi được trả lời HK-0001" in late[0].text and "quá 7 ngày" in late[0].text
    with app.sessions() as session:
        delivered = session.scalars(select(TicketMessage.delivered).order_by(TicketMessage.id))
        assert list(delivered) == [True, True, False]


def _zalo_text(text: str) -> Incoming:
    return Incoming("zalo", "zc1", "zc1", text=text)


def _zalo_press(payload: str) -> Incoming:
    return Incoming("zalo", "zc1", "zc1", payload=payload, kind=Kind.BUTTON)


def test_open_list_oldest_first_staff_only_and_a_limit_per_citizen(
    make_app: AppFactory, sqlite_url: str, clock: FakeClock
) -> None:
    app = handoff_app(make_app, sqlite_url)
    hand_over(app, "câu hỏi thứ nhất về giá vàng", user="41")
    clock.advance(minutes=90)
    hand_over(app, "câu hỏi thứ hai về giá lúa", user="42")
    listing = in_group(app, "/phieu")[0].text
    assert listing.index("HK-0001") < listing.index("HK-0002")
    assert "1 giờ" in listing and "mới" in listing
    assert "chỉ dành cho cán bộ" in citizen_says(app, "/phieu")[0].text
    hand_over(app, "câu thứ ba về giá xăng", user="42")
    hand_over(app, "câu thứ tư về giá điện", user="42")
    refused = hand_over(app, "câu thứ năm về giá nước", user="42")
    assert "đang có 3 câu hỏi chờ cán bộ" in refused[0].text
    assert all(r.to is None for r in refused)


def test_export_includes_tickets_and_delete_removes_them(
    make_app: AppFactory, db_url: str
) -> None:
    app = handoff_app(make_app, db_url)
    handed = hand_over(app, "con tôi muốn xin học bổng thì làm sao")
    post = staff_post(handed)
    with app.sessions.begin() as session:  # queued as processing does: the staff post too
        for reply in handed:
            repo_outbox.enqueue(session, reply=reply, channel="telegram", chat_id=CITIZEN)
    in_group(app, "Dạ, cán bộ trả lời đây.", reply_to=post.text)
    picker = group_presses(app, payload_of([post], "Thêm vào FAQ"))
    group_presses(app, picker[0].all_buttons()[0].payload or "")
    export = citizen_says(app, "/taidulieu")[0].attachment
    assert export is not None
    label = app.content.messages.text
    tables = json.loads(export.data)[label("privacy.export_data")]
    (ticket,) = tables[label("privacy.table_tickets")]
    assert ticket[label("privacy_fields.question")] == "con tôi muốn xin học bổng thì làm sao"
    thread = tables[label("privacy.table_ticket_messages")]
    said = [m[label("privacy_fields.text")] for m in thread]
    assert said[1] == "Dạ, cán bộ trả lời đây."
    asked = citizen_says(app, "/xoadulieu")
    assert "câu hỏi đã chuyển cán bộ" in asked[0].text
    citizen_presses(app, payload_of(asked, "Xóa"))
    with app.sessions() as session:
        for model in (Ticket, TicketMessage, FaqProposal, OutboxMessage):
            assert session.scalar(select(func.count()).select_from(model)) == 0


def test_figures_for_admins(make_app: AppFactory, db_url: str, clock: FakeClock) -> None:
    app = handoff_app(make_app, db_url)
    citizen_says(app, "học bổng là gì", user="40")
    post = staff_post(hand_over(app, user="41"))
    hand_over(app, "giá vàng hôm nay thế nào", user="42")
    clock.advance(minutes=45)
    in_group(app, "Dạ, trả lời.", reply_to=post.text)
    stats = app.dispatcher.handle(text_message("/thongke", "admin"))[0].text
    assert "2 câu, đã trả lời 1" in stats
    assert "45 phút" in stats
    assert "66,7%" in stats  # 2 of the 3 typed questions were handed over


def test_terminal_chat_as_citizen_then_as_the_staff_side(tmp_path: Path) -> None:
    env = {"STAFF_CHANNEL": "console", "STAFF_CHAT_ID": "staff"}
    citizen = run_cli(["chat"], tmp_path, stdin=f"{OUT_OF_SCOPE}\n1\n", **env)
    assert citizen.returncode == 0, citizen.stderr
    assert "Mã câu hỏi: HK-0001" in citizen.stdout
    staff = run_cli(
        ["chat", "--staff"], tmp_path, stdin="HK-0001 Dạ, cán bộ trả lời ạ.\n/phieu\n", **env
    )
    assert staff.returncode == 0, staff.stderr
    assert "Câu hỏi đang mở (1)" in staff.stdout and "HK-0001 · mới" in staff.stdout
    assert "📤 [→ console:citizen-1]" not in staff.stdout
    assert "📤 [→ console:local]" in staff.stdout
    assert "Cán bộ Hội Khuyến học trả lời (HK-0001):\nDạ, cán bộ trả lời ạ." in staff.stdout
    assert "HK-0001 · đã trả lời" in staff.stdout


def test_quantri_manages_the_staff_role_and_staff_are_not_admins(
    make_app: AppFactory, db_url: str
) -> None:
    app = handoff_app(make_app, db_url)  # telegram:7 was given the staff role

    def admin(text: str) -> str:
        return texts(app.dispatcher.handle(text_message(text, "admin")))

    listing = app.dispatcher.handle(text_message("/quantri cán bộ", "admin"))[0]
    assert "telegram:7" in listing.text
    assert "chỉ dành cho cán bộ quản trị" in in_group(app, "/thongke")[0].text
    assert "telegram:7" not in admin("/quantri")  # not an admin
    assert "đã là cán bộ rồi" in admin("/quantri canbo them telegram:7")
    assert "Mã tài khoản chưa đúng" in admin("/quantri canbo them 7")
    # Made an admin, the account keeps answering (admins are staff) and leaves the staff list.
    assert "Đã thêm telegram:7 làm quản trị viên" in admin("/quantri them telegram:7")
    assert "telegram:7" not in admin("/quantri canbo")
    assert "không có trong danh sách cán bộ" in admin("/quantri canbo xoa telegram:7")
    post = staff_post(hand_over(app))
    assert to_citizen(in_group(app, "Dạ, trả lời.", reply_to=post.text))
    admin("/quantri xoa telegram:7")
    assert in_group(app, "Dạ, trả lời nữa.", reply_to=post.text) == []
    # The remove button of the staff list.
    admin("/quantri canbo them telegram:9")
    remove = payload_of(app.dispatcher.handle(text_message("/quantri canbo", "admin")), "Gỡ")
    assert remove == "qt:rs:telegram:9"
    removed = app.dispatcher.handle(button_press(remove, "admin"))
    assert "Đã gỡ quyền cán bộ của telegram:9" in removed[0].text
