"""Night-inspection coverage: which dormitory-nights needed an inspection and which had one. Pure."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from personnel.domain.dormitories import schemas
from personnel.domain.duty.coverage import days, rate


@dataclass(frozen=True, slots=True)
class DormRef:
    id: uuid.UUID
    priority: bool
    #: The first night the dormitory existed.
    since: dt.date


def required_nights(
    dorms: Sequence[DormRef], boarding_nights: Iterable[int], start: dt.date, end: dt.date
) -> list[tuple[DormRef, dt.date]]:
    """Every (dormitory, night) in ``start..end`` on which boarders sleep there."""
    weekdays = set(boarding_nights)
    return [
        (dorm, night)
        for night in days(start, end)
        if night.weekday() in weekdays
        for dorm in dorms
        if night >= dorm.since
    ]


def night_coverage(
    dorms: Sequence[DormRef],
    boarding_nights: Iterable[int],
    inspected: set[tuple[uuid.UUID, dt.date]],
    start: dt.date,
    end: dt.date,
    *,
    last_complete_night: dt.date,
    with_issues: int = 0,
) -> schemas.NightCoverage:
    needed = required_nights(dorms, boarding_nights, start, min(end, last_complete_night))
    done = [(d, n) for d, n in needed if (d.id, n) in inspected]
    priority_needed = [x for x in needed if x[0].priority]
    priority_done = [x for x in done if x[0].priority]
    return schemas.NightCoverage(
        start=start,
        end=end,
        required=len(needed),
        inspected=len(done),
        coverage_rate=rate(len(done), len(needed)),
        priority_required=len(priority_needed),
        priority_inspected=len(priority_done),
        priority_coverage_rate=rate(len(priority_done), len(priority_needed)),
        inspections_with_issues=with_issues,
    )
