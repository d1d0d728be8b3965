"""The period a dashboard shows: today, this week or this month, in the bot's time zone."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, tzinfo

KINDS = ("day", "week", "month")


@dataclass(frozen=True)
class Period:
    """The half-open interval [start, end) in UTC, with the kind and an optional channel."""

    kind: str
    start: datetime
    end: datetime
    channel: str | None = None  # None: every channel

    def label(self, tz: tzinfo) -> str:
        """Return the dates as an admin reads them, e.g. "02/03/2026 – 08/03/2026"."""
        first = self.start.astimezone(tz)
        last = (self.end - timedelta(microseconds=1)).astimezone(tz)
        if first.date() == last.date():
            return f"{first:%d/%m/%Y}"
        return f"{first:%d/%m/%Y} – {last:%d/%m/%Y}"


def period_of(kind: str, now: datetime, tz: tzinfo, channel: str | None = None) -> Period:
    """Return the current day, week (from Monday) or month containing `now`, up to now."""
    if kind not in KINDS:
        raise ValueError(f"unknown period {kind!r}; one of {', '.join(KINDS)}")
    local = now.astimezone(tz)
    midnight = local.replace(hour=0, minute=0, second=0, microsecond=0)
    if kind == "week":
        midnight -= timedelta(days=local.weekday())
    elif kind == "month":
        midnight = midnight.replace(day=1)
    # Re-attach the zone after moving days, so a DST change would still give local midnight.
    start = midnight.replace(tzinfo=None).replace(tzinfo=tz).astimezone(UTC)
    return Period(kind, start, now.astimezone(UTC) + timedelta(microseconds=1), channel)
