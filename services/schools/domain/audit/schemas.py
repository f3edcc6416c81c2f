"""API shapes of the audit trail."""

from __future__ import annotations

import datetime as dt
import uuid

import msgspec

#: ``<seq>:<hash>`` of an entry noted earlier (e.g. the head of the last verification).
ANCHOR_PATTERN = r"^[1-9][0-9]{0,17}:[0-9a-f]{64}$"


class AuditEntry(msgspec.Struct):
    seq: int
    at: dt.datetime
    actor_id: str
    actor_name: str
    roles: list[str]
    action: str
    object_type: str
    object_id: str
    fields: list[str]
    before_digest: str | None
    after_digest: str | None
    request_id: str | None
    prev_hash: str
    hash: str


class AuditPage(msgspec.Struct):
    county_id: uuid.UUID
    school_id: uuid.UUID | None
    items: list[AuditEntry]
    total: int
    limit: int
    offset: int


class ChainHead(msgspec.Struct):
    seq: int
    hash: str


class BrokenLink(msgspec.Struct):
    seq: int
    reason: str


class Verification(msgspec.Struct):
    """``ok`` is true when every entry verified; otherwise ``broken`` names the first broken link."""

    ok: bool
    county_id: uuid.UUID
    school_id: uuid.UUID | None
    verified: int
    head: ChainHead | None
    broken: BrokenLink | None
