"""FAQ matching decisions: hard cases, the dev set targets and the chatty held-out set."""

from __future__ import annotations

import os
from functools import cache
from pathlib import Path

import pytest

from bot.app import App
from bot.content import load_content
from bot.matching.evaluate import evaluate, read_cases
from bot.matching.index import FaqIndex, Status
from tests.conftest import CONTENT_DIR, ROOT
from tests.helpers import labels, say, texts

# ../shared/eval/dev.tsv from the repository root (a worktree sits one level deeper).
DEV_SET = (
    next(
        (p for p in (ROOT.parent / "shared", ROOT.parent.parent / "shared") if p.is_dir()),
        ROOT.parent / "shared",
    )
    / "eval"
    / "dev.tsv"
)
CHATTY_SET = Path(__file__).parent / "data" / "chatty.tsv"
# Written before the matcher was tuned on it, chattier still: long stories before the question.
HELDOUT_SET = Path(__file__).parent / "data" / "heldout.tsv"
# Written before the long-message rule was chosen and kept out of its choice.
HELDOUT2_SET = Path(__file__).parent / "data" / "heldout2.tsv"


@cache
def index() -> FaqIndex:
    content = load_content(CONTENT_DIR)
    return FaqIndex.from_content(content)


@pytest.mark.parametrize(
    ("question", "faq_id"),
    [
        ("hocj bongr khuyeens hocj cho con nhaf ngheo", None),  # answered or offered
        ("chào ad, cho tui hỏi tuần lễ học tập suốt đời là khi nào vậy", "tuan-le-hoc-tap"),
        ("TUAN LE HOC TAP SUOT DOI LA NGAY NAO???", "tuan-le-hoc-tap"),
        ("cdht mấy điểm thì đậu z ad", "tieu-chi-cdht"),
        ("bạn là ai vậy", "bot-huong-dan"),
        ("má tui 60 tuổi chưa biết chữ, có lớp học chữ hông", "xoa-mu-chu"),
        (
            "dạ chào ad, nhà em ở xã mới sau sáp nhập, hồi trước em ở huyện Lai Vung, con em "
            "học lớp 6, nhà khó khăn lắm, em muốn hỏi là xin học bổng khuyến học thì cần giấy "
            "tờ gì và nộp ở đâu vậy ad",
            "xin-hoc-bong",
        ),
    ],
)
def test_hard_cases_are_answered_right(question: str, faq_id: str | None) -> None:
    result = index().match(question)
    if faq_id is None:
        assert result.status is not Status.FALLBACK
        assert any(c.id in {"quy-khuyen-hoc", "xin-hoc-bong"} for c in result.candidates)
    else:
        assert (result.status, result.id) == (Status.ANSWER, faq_id)


@pytest.mark.parametrize(
    "question",
    [
        "học phí trường đại học đồng tháp bao nhiêu",
        "công đoàn phí đóng mấy phần trăm lương",
        "xổ số hôm nay ra con gì vậy ad",
        "đăng ký xe máy ở đâu",
        "cách nấu cháo cá lóc",
        "",
        "😀😀",
    ],
)
def test_out_of_scope_is_never_answered(question: str) -> None:
    assert index().match(question).status is not Status.ANSWER


def test_short_ambiguous_question_offers_choices() -> None:
    result = index().match("học bổng")
    assert result.status is Status.CLARIFY
    assert 2 <= len(result.candidates) <= 3


def test_dev_set_meets_the_targets() -> None:
    if not DEV_SET.exists():
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"{DEV_SET} is missing (CI=true: the dev set must be measured)")
        pytest.skip(f"{DEV_SET} not present")
    report = evaluate(index(), read_cases(DEV_SET))
    assert report.accuracy >= 0.90, report.summary()
    assert report.answered_or_offered >= 0.97, report.summary()
    assert report.confidently_wrong <= 0.03, report.summary()
    assert report.declined_share >= 0.90, report.summary()


def test_chatty_set_stays_above_its_floor() -> None:
    report = evaluate(index(), read_cases(CHATTY_SET))
    assert report.in_scope >= 80 and report.out_of_scope >= 20
    assert report.accuracy >= 0.90, report.summary()
    assert report.answered_or_offered >= 0.97, report.summary()
    assert report.confidently_wrong <= 0.03, report.summary()
    assert report.declined_share >= 0.90, report.summary()


@pytest.mark.parametrize(
    ("path", "floor", "declined"), [(HELDOUT_SET, 0.85, 0.95), (HELDOUT2_SET, 0.80, 0.90)]
)
def test_heldout_sets_stay_above_their_floors(path: Path, floor: float, declined: float) -> None:
    report = evaluate(index(), read_cases(path))
    assert report.in_scope >= 70 and report.out_of_scope >= 20
    assert report.accuracy >= floor, report.summary()  # the floor reached, below the target
    assert report.answered_or_offered >= 0.97, report.summary()
    assert report.confidently_wrong <= 0.03, report.summary()
    assert report.declined_share >= declined, report.summary()


def test_long_story_with_a_clear_leader_is_answered() -> None:
    # Thirty words of story dilute every score below 40, but one entry leads clearly.
    question = (
        "dạ chào ad, tui là má của 3 đứa nhỏ, hôm qua tổ trưởng đưa tui tờ giấy đăng ký gia "
        "đình học tập biểu ký tên, tui hổng biết ký vô thì được gì, có mất tiền hông ad"
    )
    result = index().match(question)
    assert result.score < 40
    assert (result.status, result.id) == (Status.ANSWER, "gia-dinh-hoc-tap")


def test_story_cannot_turn_an_off_topic_message_into_an_answer() -> None:
    # The whole message is about flood damage; its last clauses alone ("xin hỗ trợ ... nộp
    # hồ sơ") look like a scholarship request.
    question = (
        "nhà tui ở ấp ven sông, mùa lũ năm nay nước lên ngập hết vườn, "
        "tui muốn xin hỗ trợ thiệt hại, hồ sơ nộp ở đâu vậy ad"
    )
    assert index().match(question).status is Status.FALLBACK


def test_story_topic_is_offered_beside_the_question() -> None:
    # The story is about the merger, the question about the bot: both reach the citizen.
    question = (
        "nhà tui ở Tân Hồng cũ giờ nhập với xã bên cạnh rồi, "
        "con tui hỏi bot này làm được những gì vậy"
    )
    result = index().match(question)
    assert result.candidates[0].id == "bot-huong-dan"
    if result.status is Status.ANSWER:  # answered; when not sure, the story's topic beside it
        sure = result.confidence >= index().calibration.sure_cut
        assert sure or "sap-nhap-dia-gioi" in {c.id for c in result.alternatives}
    else:  # unsure: both offered
        assert result.status is Status.CLARIFY
        assert "sap-nhap-dia-gioi" in {c.id for c in result.candidates}


def test_greeting_before_a_question_does_not_swallow_it(sqlite_app: App) -> None:
    replies = say(sqlite_app, "Chào bot! cho em hỏi tuần lễ học tập suốt đời là khi nào ạ")
    assert "1 đến ngày 7 tháng 10" in texts(replies)


@pytest.mark.parametrize(
    ("message", "reply"),
    [
        ("chào ad", "em chào"),
        ("Xin chào bot ạ!", "em chào"),
        ("alo alo", "em chào"),
        ("chào buổi sáng mọi người", "em chào"),
        ("dạ cảm ơn ad nhiều nha", "không có chi"),
        ("ok cám ơn bot", "không có chi"),
        ("thanks ad 😀", "không có chi"),
    ],
)
def test_greetings_and_thanks_get_natural_replies(
    sqlite_app: App, message: str, reply: str
) -> None:
    assert reply in texts(say(sqlite_app, message)).lower()


def test_who_are_you_shows_what_the_bot_can_do(sqlite_app: App) -> None:
    who = texts(say(sqlite_app, "bạn là ai vậy"))
    assert "Khuyến học Bot" in who and "/dangky" in who


def test_clarify_offers_at_most_three_entries_and_staff(sqlite_app: App) -> None:
    replies = say(sqlite_app, "học bổng")
    buttons = labels(replies)
    assert 3 <= len(buttons) <= 4
    assert any("cán bộ" in b for b in buttons)
