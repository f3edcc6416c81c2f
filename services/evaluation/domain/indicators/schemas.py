"""API shapes of objective indicators: each with the figures it came from."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import msgspec


class IndicatorReading(msgspec.Struct):
    code: str
    title: str
    #: ``indicator`` or ``veto``
    kind: str
    metric: str
    metric_title: str
    #: What the figures are, e.g. "hazards closed by their deadline / hazards closed".
    explanation: str
    max_points: float
    points: float
    #: ``computed``, ``no_data`` (no figures arrived yet: 0 points), ``triggered`` or ``clear`` (veto)
    state: str
    value: float | None
    figures: dict[str, Any]
    as_of: dt.datetime | None
    #: The event that carried the figures.
    source_event_id: uuid.UUID | None


class SchoolIndicators(msgspec.Struct):
    campaign_id: uuid.UUID
    school_id: uuid.UUID
    school_name: str
    items: list[IndicatorReading]
