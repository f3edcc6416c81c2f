"""API shapes of campaigns (the evaluation side of a county campaign)."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Annotated

import msgspec
from msgspec import UNSET, Meta, UnsetType

from evaluation.domain.campaigns.models import CampaignStatus

Title = Annotated[str, Meta(min_length=2, max_length=200)]
Year = Annotated[int, Meta(ge=2000, le=2100)]


class CampaignCreate(msgspec.Struct, forbid_unknown_fields=True):
    """Attach a published rubric to a county campaign (named by its id in the schools service)."""

    campaign_id: uuid.UUID
    title: Title
    year: Year
    rubric_id: uuid.UUID


class CampaignUpdate(msgspec.Struct, forbid_unknown_fields=True, omit_defaults=True):
    title: Title | UnsetType = UNSET
    #: Only before anything was scored against the current rubric.
    rubric_id: uuid.UUID | UnsetType = UNSET


class Campaign(msgspec.Struct):
    id: uuid.UUID
    title: str
    year: int
    rubric_id: uuid.UUID
    status: CampaignStatus
    results_computed_at: dt.datetime | None
    results_stale: bool
    frozen_at: dt.datetime | None
    frozen_by: str | None
    frozen_note: str
    created_at: dt.datetime
