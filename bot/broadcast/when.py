"""Read the time an admin types for a scheduled notice, such as "20:00 30/11"."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

_WHEN = re.compile(r"^(\d{1,2})[:hg](\d{2})\s+(\d{1,2})/(\d{1,2})(?:/(\d{4}))?$", re.IGNORECASE)


def parse_when(text: str, now: datetime) -> datetime | None:
    """Return the moment meant (in now's time zone), or None if the text is not a time.

    Without a year, a date more than a day in the past means next year (typed on 31/12
    "08:00 02/01" is January); a moment earlier today stays in the past for the caller to refuse.
    """
    found = _WHEN.match(text.strip())
    if found is None:
        return None
    hour, minute, day, month = (int(found.group(i)) for i in range(1, 5))
    year = int(found.group(5)) if found.group(5) else now.year
    try:
        moment = now.replace(
            year=year, month=month, day=day, hour=hour, minute=minute, second=0, microsecond=0
        )
    except ValueError:
        return None
    if found.group(5) is None and moment < now - timedelta(days=1):
        try:
            moment = moment.replace(year=year + 1)
        except ValueError:
            return None
    return moment
