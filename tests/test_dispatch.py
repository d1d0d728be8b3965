"""The dispatcher and the core handlers, called directly as a citizen would use them."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from bot.app import App
from bot.db.models import AnswerFeedback, QuestionLog, User
from bot.messages import Incoming, Kind
from tests.helpers import labels, press, press_label, say, texts


def test_start_greets_with_menu_buttons(app: App) -> None:
    replies = say(app, "/start")
    assert "Khuyến học Bot" in texts(replies)
    assert "❓ Hướng dẫn" in labels(replies)


def test_help_lists_commands(app: App) -> None:
    text = texts(say(app, "/help"))
    assert "/start" in text and "/huy" in text


def test_union_scholarship_question_gets_relevant_reply(app: App) -> None:
    replies = say(app, "hoc bong cong doan cho con cong nhan")
    text = texts(replies)
    assert "công đoàn" in text.lower()
    assert "Nguồn" in text or any("công đoàn" in b.lower() for b in labels(replies))


def test_out_of_scope_question_is_declined_with_staff_button(app: App) -> None:
    replies = say(app, "công thức nấu phở bò Nam Định")
    assert "không dám trả lời sai" in texts(replies)
    follow = press_label(app, replies, "Gửi câu hỏi cho cán bộ")
    assert "chuyển câu hỏi" in texts(follow)
    with app.sessions() as session:
        row = session.scalars(select(QuestionLog)).one()
        assert row.status == "fallback" and row.left_for_staff


def test_feedback_is_recorded_once(app: App) -> None:
    replies = press(app, "faq:tuan-le-hoc-tap")
    assert "10" in texts(replies)
    assert "cảm ơn" in texts(press_label(app, replies, "Hữu ích")).lower()
    assert "đã ghi nhận" in texts(press_label(app, replies, "Hữu ích"))
    with app.sessions() as session:
        votes = session.scalars(select(AnswerFeedback)).all()
        assert [(v.faq_id, v.helpful) for v in votes] == [("tuan-le-hoc-tap", True)]


def test_greeting_and_thanks_get_natural_replies(sqlite_app: App) -> None:
    assert "chào" in texts(say(sqlite_app, "Chào bot")).lower()
    assert "không có chi" in texts(say(sqlite_app, "cảm ơn nha")).lower()


@pytest.mark.parametrize(
    ("incoming", "expected"),
    [
        (Incoming("console", "u", "u", text=""), "tin nhắn trống"),
        (Incoming("console", "u", "u", text="   \x00  "), "tin nhắn trống"),
        (Incoming("console", "u", "u", kind=Kind.STICKER), "chỉ đọc được tin nhắn chữ"),
        (Incoming("console", "u", "u", kind=Kind.PHOTO), "chỉ đọc được tin nhắn chữ"),
        (Incoming("console", "u", "u", kind=Kind.VOICE), "chỉ đọc được tin nhắn chữ"),
        (Incoming("console", "u", "u", text="x" * 4001), "dài quá"),
        (Incoming("console", "u", "u", text="😀😀🎉"), "chưa hiểu ý"),
        (Incoming("console", "u", "u", text="/khongcolenhnay"), "chưa biết lệnh"),
        (Incoming("console", "u", "u", payload="faq:khong-ton-tai", kind=Kind.BUTTON), "nút"),
        (Incoming("console", "u", "u", payload="zzz:1", kind=Kind.BUTTON), "nút"),
        (Incoming("console", "u", "u", payload="fb:abc:9", kind=Kind.BUTTON), "nút"),
        (Incoming("console", "u", "u", payload="staff:999999", kind=Kind.BUTTON), "nút"),
    ],
)
def test_bad_input_gets_a_short_clear_reply(
    sqlite_app: App, incoming: Incoming, expected: str
) -> None:
    replies = sqlite_app.dispatcher.handle(incoming)
    assert len(replies) == 1
    assert expected in replies[0].text
    assert len(replies[0].text) < 300


def test_nul_bytes_and_mixed_scripts_are_handled(sqlite_app: App) -> None:
    replies = say(sqlite_app, "học\x00 bổng привет 你好 công đoàn")
    assert replies and replies[0].text


def test_cancel_without_and_with_a_flow(sqlite_app: App) -> None:
    assert "không có bước nào" in texts(say(sqlite_app, "/huy"))
    with sqlite_app.sessions.begin() as session:
        from bot.db import repo_flows

        user = session.scalars(select(User)).one()
        repo_flows.set_flow(
            session, user_id=user.id, flow="gone", step="x", data={}, now=sqlite_app.now()
        )
    assert "đã dừng" in texts(say(sqlite_app, "/huy"))


def test_unknown_flow_does_not_trap_the_user(sqlite_app: App) -> None:
    say(sqlite_app, "/start")
    with sqlite_app.sessions.begin() as session:
        from bot.db import repo_flows

        user = session.scalars(select(User)).one()
        repo_flows.set_flow(
            session,
            user_id=user.id,
            flow="removed-feature",
            step="x",
            data={},
            now=sqlite_app.now(),
        )
    assert "Khuyến học" in texts(say(sqlite_app, "chào bot")) or say(sqlite_app, "chào bot")


def test_handler_crash_gives_apology_not_traceback(
    sqlite_app: App, monkeypatch: pytest.MonkeyPatch
) -> None:
    def boom(_question: str) -> None:
        raise RuntimeError("matcher broke")

    monkeypatch.setattr(sqlite_app.faq_index, "match", boom)
    replies = say(sqlite_app, "học bổng")
    assert "trục trặc" in texts(replies)
    assert "RuntimeError" not in texts(replies)


def test_command_with_bot_name_and_arguments(sqlite_app: App) -> None:
    assert "Khuyến học Bot" in texts(say(sqlite_app, "/start@khuyenhoc_bot abc"))


def test_menu_button_runs_the_command(sqlite_app: App) -> None:
    assert "/huy" in texts(press(sqlite_app, "cmd:help"))
