"""Curated dated events from `content/events.yaml`, and when to remind about them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bot.content.errors import ContentError
from bot.content.yamlio import read_yaml

if TYPE_CHECKING:
    from bot.content.loader import Content
    from bot.parts import Parts as App

KINDS = ("event", "self_assessment")
TOPIC_PREFIX = "ev:"  # button payload and subscription topic: "ev:<event id>"


@dataclass(frozen=True)
class DayMonth:
    """A day of the year; `year` is None for an event that comes back every year."""

    day: int
    month: int
    year: int | None = None

    def in_year(self, year: int) -> date:
        """Return the date in a given year."""
        return date(self.year or year, self.month, self.day)


@dataclass(frozen=True)
class Event:
    """A dated event citizens can ask to be reminded of."""

    id: str
    title: str
    start: DayMonth
    end: DayMonth
    source: str
    kind: str = "event"
    faq: str | None = None

    def occurrence(self, today: date) -> tuple[date, date] | None:
        """Return the (start, end) of this or the next occurrence not yet over, if any."""
        for year in (today.year, today.year + 1):
            start, end = self.start.in_year(year), self.end.in_year(year)
            if end >= today:
                return start, end
            if self.start.year is not None:
                return None
        return None


def _day_month(value: Any, where: str) -> DayMonth:
    """Parse "dd/mm" (every year) or "dd/mm/yyyy" (once)."""
    parts = str(value).split("/")
    try:
        numbers = [int(p) for p in parts]
        found = DayMonth(numbers[0], numbers[1], numbers[2] if len(numbers) == 3 else None)
        if len(numbers) not in (2, 3):
            raise ValueError
        found.in_year(2024)  # a leap year, so 29/02 is allowed for yearly events
    except (ValueError, IndexError):
        raise ContentError(
            f"{where}: expected a date dd/mm or dd/mm/yyyy, got {value!r}"
        ) from None
    return found


def load_events(path: Path, content: Content) -> dict[str, Event]:
    """Load and validate the events file."""
    data = read_yaml(path)
    items = data.get("events") if isinstance(data, dict) else None
    if not isinstance(items, list):
        raise ContentError(f"{path}: expected a list 'events'")
    events: dict[str, Event] = {}
    for number, item in enumerate(items, 1):
        where = (
            f"{path.name}: entry {item.get('id', number) if isinstance(item, dict) else number}"
        )
        if not isinstance(item, dict):
            raise ContentError(f"{where}: expected a mapping")
        for key in ("id", "title", "start", "end", "source"):
            if not str(item.get(key) or "").strip():
                raise ContentError(f"{where}: missing {key}")
        event = Event(
            id=str(item["id"]),
            title=str(item["title"]).strip(),
            start=_day_month(item["start"], where),
            end=_day_month(item["end"], where),
            source=str(item["source"]).strip(),
            kind=str(item.get("kind", "event")),
            faq=item.get("faq"),
        )
        if event.kind not in KINDS:
            raise ContentError(f"{where}: kind must be one of {', '.join(KINDS)}")
        if event.faq is not None and event.faq not in content.faq:
            raise ContentError(f"{where}: faq {event.faq!r} is not an FAQ entry id")
        if len((TOPIC_PREFIX + event.id).encode()) > 64:
            raise ContentError(f"{where}: id too long for a button")
        if event.id in events:
            raise ContentError(f"{where}: duplicate id")
        if (event.start.year is None) != (event.end.year is None):
            raise ContentError(f"{where}: give the year on both dates or on neither")
        events[event.id] = event
    return events


def events_of(app: App) -> dict[str, Event]:
    """Return the loaded events."""
    return app.content.section("events")


def remind_window(app: App, event: Event, today: date) -> tuple[datetime, datetime, date] | None:
    """Return when to remind about the next occurrence (from, until) and its start date."""
    settings = app.settings
    tz = settings.tz
    found = event.occurrence(today)
    if found is None:
        return None
    start, end = found
    if event.kind == "self_assessment":
        month = settings.self_assessment_reminder_month
        first = date(start.year, month, 1)
        last = (date(start.year + month // 12, month % 12 + 1, 1)) - timedelta(days=1)
        opens = datetime.combine(first, time(settings.reminder_notice_hour), tz)
        return opens, datetime.combine(min(last, end), time(22), tz), start
    remind_day = start - timedelta(days=settings.event_reminder_days_before)
    opens = datetime.combine(remind_day, time(settings.reminder_notice_hour), tz)
    return opens, datetime.combine(start, time(22), tz), start
