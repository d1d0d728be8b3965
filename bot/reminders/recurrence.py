"""Recurrence rules of personal reminders and their next occurrence in local time."""

from __future__ import annotations

import calendar
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

KINDS = ("once", "daily", "weekly", "monthly")
QUIET_START = 22  # no reminders from 22:00 ...
QUIET_END = 6  # ... to 06:00 unless the citizen chose such a time
SEARCH_DAYS = 400  # a year and a bit: every rule matches at least once in that span


@dataclass(frozen=True)
class Rule:
    """When a reminder repeats: kind, weekdays (0 = Monday), day of month or date, time."""

    kind: str
    hour: int
    minute: int
    weekdays: tuple[int, ...] = field(default=())
    month_day: int | None = None
    once_date: date | None = None

    def matches(self, day: date) -> bool:
        """Return whether the rule fires on a local date."""
        if self.kind == "daily":
            return True
        if self.kind == "weekly":
            return day.weekday() in self.weekdays
        if self.kind == "monthly":
            assert self.month_day is not None
            # The 31st of a 30-day month (or February) falls on the month's last day.
            last = calendar.monthrange(day.year, day.month)[1]
            return day.day == min(self.month_day, last)
        return day == self.once_date

    @property
    def quiet(self) -> bool:
        """Return whether the chosen time lies in the quiet hours (22:00-06:00)."""
        return is_quiet_hour(self.hour)


def is_quiet_hour(hour: int) -> bool:
    """Return whether a local hour lies in the quiet hours."""
    return hour >= QUIET_START or hour < QUIET_END


def next_occurrence(rule: Rule, after: datetime, tz: ZoneInfo) -> datetime | None:
    """Return the first occurrence strictly after `after` (aware), in UTC; None if none left."""
    local = after.astimezone(tz)
    day = local.date()
    for _ in range(SEARCH_DAYS):
        if rule.matches(day):
            moment = datetime.combine(day, time(rule.hour, rule.minute), tz)
            if moment > local:
                return moment.astimezone(ZoneInfo("UTC"))
        if rule.kind == "once" and rule.once_date is not None and day > rule.once_date:
            return None
        day += timedelta(days=1)
    return None


def rule_of(row: object) -> Rule:
    """Build the rule of a Reminder row."""
    weekdays = tuple(int(d) for d in getattr(row, "weekdays", "").split(",") if d)
    once = getattr(row, "once_date", None)
    return Rule(
        kind=row.kind,  # type: ignore[attr-defined]
        hour=row.hour,  # type: ignore[attr-defined]
        minute=row.minute,  # type: ignore[attr-defined]
        weekdays=weekdays,
        month_day=getattr(row, "month_day", None),
        once_date=date.fromisoformat(once) if once else None,
    )
