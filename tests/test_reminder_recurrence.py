"""Next occurrences across month ends, year ends and leap days (Asia/Ho_Chi_Minh)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest

from bot.reminders.recurrence import Rule, next_occurrence

TZ = ZoneInfo("Asia/Ho_Chi_Minh")


def local(*args: int) -> datetime:
    return datetime(*args, tzinfo=TZ)


def following(rule: Rule, start: datetime, count: int) -> list[datetime]:
    found, moment = [], start
    for _ in range(count):
        moment = next_occurrence(rule, moment, TZ)
        assert moment is not None and moment.tzinfo is not None
        found.append(moment.astimezone(TZ))
    return found


def test_monthly_31st_falls_on_the_last_day_of_short_months() -> None:
    rule = Rule("monthly", 9, 0, month_day=31)
    days = [d.date() for d in following(rule, local(2027, 12, 31, 10), 14)]
    assert days[:3] == [date(2028, 1, 31), date(2028, 2, 29), date(2028, 3, 31)]  # leap year
    assert date(2028, 4, 30) in days and date(2028, 6, 30) in days
    assert date(2029, 1, 31) in days and days[-1] == date(2029, 2, 28)


def test_monthly_29th_in_february_of_a_common_year() -> None:
    rule = Rule("monthly", 9, 0, month_day=29)
    assert following(rule, local(2026, 1, 30), 2)[0].date() == date(2026, 2, 28)


def test_daily_crosses_year_end_and_leap_day() -> None:
    rule = Rule("daily", 20, 0)
    assert [d.date() for d in following(rule, local(2026, 12, 30, 21), 3)] == [
        date(2026, 12, 31),
        date(2027, 1, 1),
        date(2027, 1, 2),
    ]
    assert following(rule, local(2028, 2, 28, 21), 1)[0].date() == date(2028, 2, 29)


def test_daily_later_today_and_utc_storage() -> None:
    moment = next_occurrence(Rule("daily", 20, 0), local(2026, 3, 2, 9), TZ)
    assert moment == datetime(2026, 3, 2, 13, 0, tzinfo=UTC)


def test_weekly_several_days_over_the_year_end() -> None:
    rule = Rule("weekly", 7, 30, weekdays=(0, 2, 4))  # Mon, Wed, Fri
    days = following(rule, local(2026, 12, 30, 8), 4)  # Wednesday after 07:30
    assert [d.date() for d in days] == [
        date(2027, 1, 1),
        date(2027, 1, 4),
        date(2027, 1, 6),
        date(2027, 1, 8),
    ]
    assert all((d.hour, d.minute) == (7, 30) for d in days)


def test_once_happens_once() -> None:
    rule = Rule("once", 8, 0, once_date=date(2026, 12, 15))
    first = next_occurrence(rule, local(2026, 3, 2, 9), TZ)
    assert first == local(2026, 12, 15, 8)
    assert next_occurrence(rule, first, TZ) is None


def test_once_on_leap_day() -> None:
    rule = Rule("once", 8, 0, once_date=date(2028, 2, 29))
    assert next_occurrence(rule, local(2027, 12, 31, 23), TZ) == local(2028, 2, 29, 8)


@pytest.mark.parametrize("hour", [0, 23])
def test_midnight_hours_map_to_the_right_utc_day(hour: int) -> None:
    moment = next_occurrence(Rule("daily", hour, 0), local(2026, 12, 31, 12), TZ)
    assert moment is not None and moment.astimezone(TZ).hour == hour
