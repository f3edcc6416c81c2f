"""Dates as the schools live them: Beijing time, deadlines that end at midnight, and school terms.

Everything that asks "what day is it?" takes a :data:`Clock`, so that tests (and jobs) can set the time.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections.abc import Callable
from dataclasses import dataclass

#: Deadlines and terms are calendar days at the school.
LOCAL_TZ = zoneinfo.ZoneInfo("Asia/Shanghai")

#: Returns the current instant (timezone-aware).
Clock = Callable[[], dt.datetime]


def system_clock() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def local_date(instant: dt.datetime) -> dt.date:
    """The calendar day at the school of ``instant``."""
    return instant.astimezone(LOCAL_TZ).date()


def end_of_day(day: dt.date) -> dt.datetime:
    """The instant a deadline of ``day`` runs out: the following midnight at the school."""
    return dt.datetime.combine(day + dt.timedelta(days=1), dt.time(), tzinfo=LOCAL_TZ)


@dataclass(frozen=True, slots=True)
class Term:
    """A school term: spring (February to July) or autumn (August to January)."""

    name: str
    starts_on: dt.date
    ends_on: dt.date

    def contains(self, day: dt.date) -> bool:
        return self.starts_on <= day <= self.ends_on


def term_of(day: dt.date) -> Term:
    """The term ``day`` falls in (the summer and winter holidays belong to the term before them)."""
    if 2 <= day.month <= 7:
        return Term(f"{day.year}-spring", dt.date(day.year, 2, 1), dt.date(day.year, 7, 31))
    start_year = day.year if day.month >= 8 else day.year - 1
    return Term(f"{start_year}-autumn", dt.date(start_year, 8, 1), dt.date(start_year + 1, 1, 31))


def clock_of(app_state: object) -> Clock:
    """The app's clock: ``app.state.clock`` when a test set one, the system clock otherwise."""
    clock: Clock | None = getattr(app_state, "clock", None)
    return clock or system_clock
