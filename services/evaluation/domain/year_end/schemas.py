"""API shapes of the year-end comprehensive evaluation."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Annotated

import msgspec
from msgspec import Meta

from evaluation.domain.rankings.schemas import RankingRow


class SignOff(msgspec.Struct, forbid_unknown_fields=True):
    note: Annotated[str, Meta(max_length=2000)] = ""


class FrozenRow(msgspec.Struct):
    result: RankingRow
    #: sha256 of the frozen result (printed on the reports; recompute it to check a printout).
    digest: str


class YearEnd(msgspec.Struct):
    campaign_id: uuid.UUID
    year: int
    signed_off_by: str
    signed_off_at: dt.datetime
    note: str
    distribution: dict[str, int]
    rows: list[FrozenRow]
