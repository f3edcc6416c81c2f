from __future__ import annotations

import datetime as dt
import uuid

import msgspec


class Counts(msgspec.Struct):
    #: Reported in the year.
    reported: int
    #: Open now (whatever year they were reported in).
    open: int


class SchoolStatistics(msgspec.Struct):
    """One school's hazard figures for the evaluation. ``open``/``overdue``/``listed_open``/``major_open``
    are the state now; the other counts are for ``year`` (reported, closed or rejected in it)."""

    school_id: uuid.UUID | None
    school_name: str
    year: int
    reported: int
    open: int
    overdue: int
    closed: int
    closed_on_time: int
    #: ``closed_on_time / closed``; ``None`` when nothing was closed.
    closed_on_time_rate: float | None
    average_days_to_close: float | None
    rejected: int
    listed_open: int
    major_open: int
    #: Security incidents in the year, and of those the major ones (criminal, fire, food poisoning, or an
    #: injury with people affected).
    incidents: int
    major_incidents: int
    by_category: dict[str, Counts]
    by_severity: dict[str, Counts]


class Statistics(msgspec.Struct):
    year: int
    as_of: dt.datetime
    #: One row per school (a school user: their own school only).
    schools: list[SchoolStatistics]
    #: The sum over ``schools`` (the county, for the bureau).
    total: SchoolStatistics
