"""Understand reminders written in plain Vietnamese, with or without diacritics."""

from __future__ import annotations

import re
import unicodedata
from datetime import date, timedelta
from typing import Any

WEEKDAY_WORDS = {"hai": 0, "ba": 1, "tu": 2, "nam": 3, "sau": 4, "bay": 5}
_DAY = r"(?:[2-7]|hai|bay|ba|tu|nam|sau)"
_WEEKDAYS = re.compile(rf"\bthu\s+({_DAY}\b(?:(?:\s*(?:,|-|va|\s)\s*(?:thu\s+)?){_DAY}\b)*)\b")
_SHORT_DAY = re.compile(r"\bt([2-7])\b")
_SUNDAY = re.compile(r"\b(?:chu\s*nhat|cn)\b")
_DATE = re.compile(
    r"\b(?:(?:vao\s+)?ngay\s+|mung\s+)?(\d{1,2})\s*[/.-]\s*(\d{1,2})(?:\s*[/.-]\s*(\d{4}|\d{2}))?\b"
)
_MONTHLY_DAY = re.compile(
    r"\b(?:(?:hang|moi)\s+thang\s+(?:vao\s+)?(?:ngay|mung)\s+(\d{1,2})"
    r"|(?:ngay|mung)\s+(\d{1,2})\s+(?:hang|moi)\s+thang)\b"
)
_PERIOD = r"sang|trua|chieu|toi|dem"
_TIME = re.compile(
    r"\b(?:luc\s+)?(\d{1,2})\s*(?:h|g|gio|:)(?:\s*(\d{1,2})(?:\s*(?:p|phut))?\b|\s*(ruoi)\b|\b)"
    rf"(?:\s*({_PERIOD})\b)?"
)
_PERIOD_FIRST = re.compile(
    rf"\b({_PERIOD})\s+(?:luc\s+)?(\d{{1,2}})\s*(?:h|g|gio|:)(?:\s*(\d{{1,2}})\b|\b)"
)
_LONE_PERIOD = re.compile(rf"\b({_PERIOD})\b")
_BARE_HOUR = re.compile(r"^\s*(\d{1,2})\s*$")
_DAILY = re.compile(rf"\b(?:(?:hang|moi)\s+ngay|ngay\s+nao\s+cung|moi\s+({_PERIOD}))\b")
_WEEKLY = re.compile(r"\b(?:hang|moi)\s+tuan\b")
_MONTHLY = re.compile(r"\b(?:hang|moi)\s+thang\b")
_RELATIVE = re.compile(
    rf"\b(?:(?:({_PERIOD})\s+)?(?:ngay\s+)?(mai|mot)|(?:hom|({_PERIOD}))\s+(nay)|tuan\s+(sau|toi|nay))\b"
)
_FILLER = {
    "nhac", "nho", "toi", "tui", "minh", "em", "dat", "loi", "luc", "vao", "de", "giup", "gium",
    "dum", "voi", "nhe", "nha", "a", "va", "cho", "con",
}  # fmt: skip
# Words whose diacritics say they are not a time of day ("tôi" = me, not "tối" = evening).
_NOT_PERIOD = {"tôi"}


def fold(text: str) -> str:
    """Lowercase and strip diacritics, keeping one character per character (đ -> d)."""
    out = []
    for char in unicodedata.normalize("NFC", text).lower():
        base = unicodedata.normalize("NFD", char)[0]
        out.append("d" if base == "đ" else base)
    return "".join(out)


class _Text:
    """The citizen's text and its folded form; recognised parts are blanked in both."""

    def __init__(self, text: str) -> None:
        self.original = unicodedata.normalize("NFC", text)
        self.folded = fold(self.original)

    def take(self, pattern: re.Pattern[str]) -> list[re.Match[str]]:
        """Return the matches of a pattern and blank them out."""
        found = list(pattern.finditer(self.folded))
        for match in found:
            self.blank(match.start(), match.end())
        return found

    def blank(self, start: int, end: int) -> None:
        """Blank out a span."""
        pad = " " * (end - start)
        self.original = self.original[:start] + pad + self.original[end:]
        self.folded = self.folded[:start] + pad + self.folded[end:]

    def word_at(self, start: int, end: int) -> str:
        """Return the original (with diacritics) of a span."""
        return self.original[start:end].lower()


def adjust_hour(hour: int, period: str | None) -> int:
    """Turn "8 giờ tối" into 20; a bare 1-5 means the afternoon (nobody wants 2 a.m.)."""
    if period in ("toi", "chieu") and 1 <= hour <= 11:
        return hour + 12
    if period == "dem":
        return 0 if hour == 12 else hour + 12 if 7 <= hour <= 11 else hour
    if period == "trua" and 1 <= hour <= 4:
        return hour + 12
    if period is None and 1 <= hour <= 5:
        return hour + 12
    return hour


def _parse_time(t: _Text, draft: dict[str, Any]) -> None:
    """Find the time of day ("20h30", "20:30", "8 giờ tối", "tối 8 giờ")."""
    for match in _PERIOD_FIRST.finditer(t.folded):
        # Without diacritics "toi" before a time is usually "nhắc tôi", not "tối".
        if match.group(1) == "toi" and t.word_at(match.start(1), match.end(1)) != "tối":
            continue
        t.blank(match.start(), match.end())
        _set_time(draft, int(match.group(2)), int(match.group(3) or 0), match.group(1))
        return
    for match in _TIME.finditer(t.folded):
        period = match.group(4)
        end = match.end()
        if period and t.word_at(match.start(4), match.end(4)) in _NOT_PERIOD:
            period, end = None, match.start(4)
        minute = 30 if match.group(3) else int(match.group(2) or 0)
        t.blank(match.start(), end)
        _set_time(draft, int(match.group(1)), minute, period)
        return


def _set_time(draft: dict[str, Any], hour: int, minute: int, period: str | None) -> None:
    """Store a time, or mark it unreadable when out of range."""
    hour = adjust_hour(hour, period or draft.get("period"))
    if 0 <= hour <= 23 and 0 <= minute <= 59:
        draft.update(hour=hour, minute=minute)
    else:
        draft["bad_time"] = True


def _parse_weekdays(t: _Text) -> list[int]:
    """Find weekdays: "thứ 3", "thu 2 4 6", "thứ hai và thứ năm", "t2", "cn"."""
    days: set[int] = set()
    for match in t.take(_WEEKDAYS):
        for token in re.findall(_DAY, match.group(1)):
            days.add(int(token) - 2 if token.isdigit() else WEEKDAY_WORDS[token])
    days.update(int(m.group(1)) - 2 for m in t.take(_SHORT_DAY))
    if t.take(_SUNDAY):
        days.add(6)
    return sorted(days)


def _checked_date(year: int, month: int, day: int) -> date | None:
    """Return the date, or None when it does not exist."""
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _parse_dates(t: _Text, draft: dict[str, Any], today: date) -> None:
    """Find a one-off date: "15/12", "ngày mai", "hôm nay", "tuần sau"."""
    for match in t.take(_DATE):
        day, month = int(match.group(1)), int(match.group(2))
        year = int(match.group(3)) if match.group(3) else today.year
        year += 2000 if year < 100 else 0
        found = _checked_date(year, month, day)
        if found is not None and found < today and not match.group(3):
            found = _checked_date(year + 1, month, day)
        if found is None or found < today:
            draft["bad_date"] = True
        else:
            draft["date"] = found.isoformat()
        return
    for match in _RELATIVE.finditer(t.folded):
        group = 1 if match.group(1) else 3
        period = match.group(group)
        if period == "toi" and t.word_at(match.start(group), match.end(group)) != "tối":
            period = None  # "nhắc tôi ngày mai": me, not evening
        t.blank(match.start(), match.end())
        if period:
            draft.setdefault("period", period)
        if match.group(2):
            draft["date"] = (
                today + timedelta(days=1 if match.group(2) == "mai" else 2)
            ).isoformat()
        elif match.group(4):
            draft["date"] = today.isoformat()
        elif match.group(5) in ("sau", "toi"):
            draft["next_week"] = True


def parse(text: str, today: date) -> dict[str, Any]:
    """Return what a phrase says: kind, weekdays, day of month, date, time, and the text."""
    t = _Text(text)
    draft: dict[str, Any] = {}
    month_days = t.take(_MONTHLY_DAY)
    if month_days:
        draft.update(
            kind="monthly", month_day=int(month_days[0].group(1) or month_days[0].group(2))
        )
    _parse_dates(t, draft, today)
    daily = t.take(_DAILY)
    if daily:
        draft["kind"] = "daily"
        if daily[0].group(1):
            draft["period"] = daily[0].group(1)
    _parse_time(t, draft)
    weekdays = _parse_weekdays(t)
    weekly = bool(t.take(_WEEKLY))
    if t.take(_MONTHLY) and "kind" not in draft:
        draft["kind"] = "monthly"
    if weekdays and draft.pop("next_week", False):
        monday = today - timedelta(days=today.weekday()) + timedelta(days=7)
        draft.update(kind="once", date=(monday + timedelta(days=weekdays[0])).isoformat())
    elif weekdays or weekly:
        draft.update(kind="weekly", weekdays=weekdays)
    elif draft.pop("next_week", False):
        draft["date"] = (today + timedelta(days=7)).isoformat()
    if "date" in draft and "kind" not in draft:
        draft["kind"] = "once"
    if "hour" not in draft and "bad_time" not in draft:
        for match in _LONE_PERIOD.finditer(t.folded):
            if match.group(1) != "toi" or t.word_at(match.start(), match.end()) == "tối":
                t.blank(match.start(), match.end())
                draft["period"] = match.group(1)
        if draft.get("period"):
            draft["period_only"] = True
    if not draft.get("period_only"):
        draft.pop("period", None)
    what = _what(t)
    if what:
        draft["text"] = what
    return draft


def _what(t: _Text) -> str:
    """Return what is left once the time words and filler words at both ends are removed."""
    words = t.original.split()
    folded = t.folded.split()
    while folded and folded[0].strip(",.:;!-") in _FILLER | {""}:
        words, folded = words[1:], folded[1:]
    while folded and folded[-1].strip(",.:;!-") in _FILLER | {""}:
        words, folded = words[:-1], folded[:-1]
    return " ".join(words).strip(" ,.:;!-")[:200]


def parse_time_only(text: str, period: str | None = None) -> tuple[int, int] | None:
    """Read a time typed on its own ("20h", "20:30", "8 giờ tối", "20"); None if unreadable."""
    bare = _BARE_HOUR.match(fold(text))
    if bare:
        hour = adjust_hour(int(bare.group(1)), period)
        return (hour, 0) if hour <= 23 else None
    draft: dict[str, Any] = {"period": period}
    _parse_time(_Text(text), draft)
    return (draft["hour"], draft["minute"]) if "hour" in draft else None


def parse_weekdays(text: str) -> list[int]:
    """Read weekdays typed on their own ("2 4 6" also works after the weekday question)."""
    folded = fold(text)
    if re.fullmatch(r"[\s,2-7]+|[\s,2-7]*(?:cn)?[\s,2-7]*", folded.replace("va", " ")):
        folded = "thu " + folded
    return _parse_weekdays(_Text(folded))
