"""The office's working hours (STAFF_WORKING_HOURS, _DAYS) and messengers' reply windows."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta

from bot.config import Settings, parse_days, parse_hours

# How long after the citizen's last message a messenger still delivers an answer. Zalo OA
# sends customer-service messages only within 7 days of the user's last interaction.
REPLY_WINDOWS = {"zalo": timedelta(days=7)}


@dataclass(frozen=True)
class WorkingHours:
    """Opening and closing time on the working days (ISO weekdays, 1 = Monday)."""

    opens: time
    closes: time
    days: frozenset[int]

    def is_open(self, moment: datetime) -> bool:
        """Return whether the office is open at a local moment."""
        return moment.isoweekday() in self.days and self.opens <= moment.time() < self.closes

    def next_opening(self, moment: datetime) -> datetime:
        """Return the next local moment the office opens after `moment`."""
        day = moment.replace(hour=self.opens.hour, minute=self.opens.minute, second=0)
        day = day.replace(microsecond=0)
        for _ in range(8):
            if day > moment and day.isoweekday() in self.days:
                return day
            day += timedelta(days=1)
        raise ValueError("no working day")  # unreachable: days is never empty

    def closing_today(self, moment: datetime) -> datetime:
        """Return today's closing moment."""
        return moment.replace(
            hour=self.closes.hour, minute=self.closes.minute, second=0, microsecond=0
        )


def working_hours(hours: str, days: str) -> WorkingHours:
    """Build the working hours from the two settings."""
    opens, closes = parse_hours(hours)
    return WorkingHours(opens, closes, parse_days(days))


def from_settings(settings: Settings) -> WorkingHours:
    """Build the working hours from STAFF_WORKING_HOURS and STAFF_WORKING_DAYS."""
    return working_hours(settings.staff_working_hours, settings.staff_working_days)


def window_end(channel: str, last_seen: datetime) -> datetime | None:
    """Return until when the channel delivers answers, or None when it has no window."""
    window = REPLY_WINDOWS.get(channel)
    return None if window is None else last_seen + window
