"""Old district and city names: "huyện Lấp Vò giờ thuộc xã nào" lists today's xã/phường."""

from __future__ import annotations

import pytest

from bot.app import App
from tests.helpers import labels, press_label, say, texts


@pytest.mark.parametrize(
    "question",
    [
        "huyện Lấp Vò giờ thuộc xã nào",
        "huyen lap vo gio thuoc xa nao",
        "Lấp Vò sau sáp nhập là xã gì",
    ],
)
def test_old_district_names_its_successors(sqlite_app: App, question: str) -> None:
    text = texts(say(sqlite_app, question))
    assert "huyện Lấp Vò" in text and "4 xã/phường" in text
    for unit in ("xã Mỹ An Hưng", "xã Tân Khánh Trung", "xã Lấp Vò"):
        assert f"• {unit}\n" in text
    assert "• xã Lai Vung (chỉ một phần)" in text  # only part of it was huyện Lấp Vò
    assert "Nghị quyết 1663/NQ-UBTVQH15" in text


def test_a_shared_name_lists_both_the_city_and_the_district(sqlite_app: App) -> None:
    both = texts(say(sqlite_app, "cao lanh gio thuoc xa nao"))
    assert "thành phố Cao Lãnh" in both and "huyện Cao Lãnh" in both
    city = texts(say(sqlite_app, "TP Cao Lãnh cũ nay là phường nào"))
    assert "thành phố Cao Lãnh" in city and "huyện Cao Lãnh" not in city
    assert "• phường Cao Lãnh" in city


def test_the_longer_old_name_wins_and_tien_giang_names_work(sqlite_app: App) -> None:
    text = texts(say(sqlite_app, "Gò Công Tây giờ là xã gì"))
    assert "huyện Gò Công Tây" in text and "TP Gò Công" not in text
    assert "chỉ một phần" not in text  # no unit there holds another district's land


@pytest.mark.parametrize(
    "question",
    ["học bổng ở huyện Lấp Vò", "xã Lấp Vò thuộc huyện nào", "tui ở thị trấn Mỹ Thọ cũ"],
)
def test_other_questions_naming_a_place_go_to_the_faq(sqlite_app: App, question: str) -> None:
    assert "trước 1/7/2025 đây là" not in texts(say(sqlite_app, question))


def test_the_reply_offers_the_general_merger_answer(sqlite_app: App) -> None:
    replies = say(sqlite_app, "Tháp Mười bây giờ thuộc xã nào")
    assert "huyện Tháp Mười" in texts(replies)
    assert labels(replies) == ["Huyện cũ nay thuộc xã, phường nào?"]
    assert "102 xã/phường" in texts(press_label(sqlite_app, replies, "Huyện cũ"))
