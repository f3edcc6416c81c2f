"""The one source of "now" in the hazards service, so that tests (and jobs) can set the time."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from hazards.vocabulary import LOCAL_TZ

#: Returns the current instant (timezone-aware, UTC).
Clock = Callable[[], dt.datetime]


def system_clock() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def local_date(instant: dt.datetime) -> dt.date:
    """The calendar day at the school (Beijing time) of ``instant``."""
    return instant.astimezone(LOCAL_TZ).date()


def end_of_day(day: dt.date) -> dt.datetime:
    """The instant a deadline of ``day`` runs out: the following midnight at the school."""
    return dt.datetime.combine(day + dt.timedelta(days=1), dt.time(), tzinfo=LOCAL_TZ)
