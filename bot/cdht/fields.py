"""Check and normalise what a citizen types when registering: name, birth year, phone, yes/no."""

from __future__ import annotations

import re

from bot.matching.normalize import clean, fold, nfc

NAME_MIN, NAME_MAX = 2, 80
AGE_MIN, AGE_MAX = 10, 100
# Letters (any script, so every Vietnamese diacritic), spaces, ' - . between words.
_NAME = re.compile(r"^[^\W\d_]+(?:[ '\-.]+[^\W\d_]+)*\.?$", re.UNICODE)
# Vietnamese mobile numbers: 0 or +84/84, then 9 digits starting with a carrier prefix
# (03x Viettel, 05x Vietnamobile/Gmobile/Reddi, 07x MobiFone, 08x Vina/Viettel/iTel…, 09x).
_MOBILE = re.compile(r"^(?:\+?84|0)((?:3[2-9]|5[25689]|7[06-9]|8[1-9]|9[0-46-9])\d{7})$")
_BIRTH_YEAR = re.compile(
    r"(?:(?:toi|em|tui|minh|con|chau|anh|chi|co|chu|bac|ong|ba)\s+)?(?:sinh\s+)?(?:nam\s+)?"
    r"(\d{4})(?:\s+a)?\.?"
)
GENDERS = ("nam", "nu", "khac")  # stored codes; "Không muốn nói" stores nothing
YES_WORDS = {"co", "dong y", "ok", "oke", "yes", "u", "uh", "vang", "da", "da co", "dong y a"}
NO_WORDS = {"khong", "ko", "k", "no", "khong dong y", "thoi", "khong a", "hong"}


def parse_name(text: str) -> str | None:
    """Return the name normalised (NFC, single spaces, each word capitalised), or None."""
    name = re.sub(r"\s+", " ", nfc(text)).strip()
    if not NAME_MIN <= len(name) <= NAME_MAX or not _NAME.match(name):
        return None
    return " ".join(_capitalise(word) for word in name.split(" "))


def _capitalise(word: str) -> str:
    """Capitalise a word and each part after - or ' (e.g. "h'hen" -> "H'Hen")."""
    return re.sub(r"(^|[-'])(\w)", lambda m: m.group(1) + m.group(2).upper(), word.lower())


def parse_birth_year(text: str, current_year: int) -> int | None:
    """Return the four-digit birth year if the age is 10-100 this year, else None.

    The year may come in a short phrase: "sinh năm 1978", "năm 1978", "em sinh 1978".
    """
    found = _BIRTH_YEAR.fullmatch(" ".join(fold(text).lower().split()))
    if found is None:
        return None
    year = int(found.group(1))
    return year if AGE_MIN <= current_year - year <= AGE_MAX else None


def parse_phone(text: str) -> str | None:
    """Return a Vietnamese mobile number as 0xxxxxxxxx, or None if it is not one."""
    digits = re.sub(r"[\s.\-()]", "", text)
    found = _MOBILE.match(digits)
    return "0" + found.group(1) if found else None


def format_phone(phone: str | None) -> str:
    """Return a stored number grouped for reading (0912 345 678)."""
    if not phone:
        return ""
    return f"{phone[:4]} {phone[4:7]} {phone[7:]}"


def parse_yes_no(text: str) -> bool | None:
    """Return True for a typed yes, False for a no, None for anything else."""
    words = fold(clean(text))
    if words in YES_WORDS:
        return True
    if words in NO_WORDS:
        return False
    return None


def parse_score(text: str) -> int | None:
    """Return a typed whole number 0-10 ("8", "8 điểm"), or None."""
    found = re.fullmatch(r"\s*(\d{1,2})\s*(?:d|diem)?\s*", fold(text.lower()))
    if not found:
        return None
    value = int(found.group(1))
    return value if 0 <= value <= 10 else None
