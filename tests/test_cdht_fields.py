"""Field validation: names, birth years, Vietnamese mobiles, yes/no and scores."""

from __future__ import annotations

import pytest

from bot.cdht.fields import parse_birth_year, parse_name, parse_phone, parse_score, parse_yes_no


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("nguyễn  thị lan", "Nguyễn Thị Lan"),
        ("NGUYỄN VĂN AN", "Nguyễn Văn An"),
        ("h'hen niê", "H'Hen Niê"),
        ("Lê Văn A.", "Lê Văn A."),
        ("Nguye\u0302\u0303n Lan", "Nguyễn Lan"),  # NFD from some keyboards becomes NFC
    ],
)
def test_names_are_normalised(typed: str, stored: str) -> None:
    assert parse_name(typed) == stored


@pytest.mark.parametrize(
    "typed", ["A", "", "   ", "Lan 3", "079123456789", "Lan 😀", "x" * 81, "@lan"]
)
def test_bad_names(typed: str) -> None:
    assert parse_name(typed) is None


@pytest.mark.parametrize(
    ("typed", "year"),
    [
        ("1975", 1975),
        ("2016", 2016),
        ("1926", 1926),
        ("2017", None),
        ("1925", None),
        ("75", None),
        ("19755", None),
        ("một chín", None),
        ("1975a", None),
        ("sinh năm 1978", 1978),
        ("Sinh năm 1978 ạ", 1978),
        ("năm 1978", 1978),
        ("em sinh 1990", 1990),
        ("sinh năm 2020", None),
        ("1978 1979", None),
    ],
)
def test_birth_years(typed: str, year: int | None) -> None:
    assert parse_birth_year(typed, 2026) == year


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("0912345678", "0912345678"),
        ("0912 345 678", "0912345678"),
        ("+84 912 345 678", "0912345678"),
        ("84-387-654-321", "0387654321"),
        ("(0703) 123.456", "0703123456"),
        ("0812345678", "0812345678"),
        ("0212345678", None),  # landline-style prefix
        ("0951234567", None),  # unused prefix
        ("091234567", None),
        ("09123456789", None),
        ("+1 415 555 0100", None),
        ("không có", None),
    ],
)
def test_mobiles(typed: str, stored: str | None) -> None:
    assert parse_phone(typed) == stored


def test_yes_no_and_scores() -> None:
    assert parse_yes_no("Đồng ý") is True and parse_yes_no("ko") is False
    assert parse_yes_no("để mai") is None
    assert [parse_score(t) for t in ["0", "10", "8 điểm", "11", "-1", "7.5", "tám"]] == [
        0,
        10,
        8,
        None,
        None,
        None,
        None,
    ]
