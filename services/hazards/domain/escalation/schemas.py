from __future__ import annotations

import datetime as dt
from typing import Annotated

import msgspec
from msgspec import Meta


class PolicyUpdate(msgspec.Struct, forbid_unknown_fields=True):
    remind_days_before: Annotated[int, Meta(ge=0, le=30)]
    grace_days: Annotated[int, Meta(ge=0, le=60)]


class Policy(msgspec.Struct):
    """Remind the responsible person ``remind_days_before`` days before the deadline, tell the principal
    when it has passed, and the bureau ``grace_days`` after that."""

    remind_days_before: int
    grace_days: int
    updated_at: dt.datetime | None
