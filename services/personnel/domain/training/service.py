"""Rules of safety education and training records. Never commits."""

from __future__ import annotations

import datetime as dt
import uuid
from collections import Counter
from collections.abc import Sequence

import msgspec
from sqlalchemy.ext.asyncio import AsyncSession

from kit.errors import InvalidInputError, NotFoundError
from personnel.domain.common import own_school_id
from personnel.domain.staff.repository import StaffRepository
from personnel.domain.training import schemas
from personnel.domain.training.models import Audience, Topic, TrainingSession
from personnel.domain.training.repository import TrainingRepository
from personnel.settings import get_personnel_settings
from tenants import TenantContext

MAX_RANGE_DAYS = 400


def to_schema(row: TrainingSession) -> schemas.TrainingSession:
    return schemas.TrainingSession(
        id=row.id,
        topic=row.topic,
        title=row.title,
        held_on=row.held_on,
        duration_minutes=row.duration_minutes,
        audience=[Audience(a) for a in row.audience],
        participant_count=row.participant_count,
        staff_participant_ids=[uuid.UUID(s) for s in row.staff_participant_ids],
        trainer=row.trainer,
        materials=[msgspec.convert(m, schemas.Material) for m in row.materials],
        notes=row.notes,
    )


def summarise(rows: Sequence[TrainingSession], start: dt.date, end: dt.date) -> schemas.TrainingSummary:
    """Sessions, hours and participant-hours over a period. Pure."""
    minutes = sum(r.duration_minutes for r in rows)
    return schemas.TrainingSummary(
        start=start,
        end=end,
        sessions=len(rows),
        hours=round(minutes / 60, 2),
        participant_hours=round(sum(r.duration_minutes * r.participant_count for r in rows) / 60, 2),
        by_topic=dict(sorted(Counter(Topic(r.topic) for r in rows).items())),
    )


class TrainingService:
    def __init__(self, session: AsyncSession, tenant: TenantContext) -> None:
        self.session = session
        self.tenant = tenant
        self.repository = TrainingRepository(session)
        self.timezone = get_personnel_settings().timezone

    async def sessions(self, start: dt.date, end: dt.date, topic: Topic | None) -> list[TrainingSession]:
        _check_range(start, end)
        return await self.repository.sessions(
            school_id=own_school_id(self.tenant), start=start, end=end, topic=topic
        )

    async def get(self, session_id: uuid.UUID) -> TrainingSession:
        row = await self.repository.get(session_id)
        if row is None:
            raise NotFoundError("training session not found")
        return row

    async def record(self, data: schemas.TrainingCreate, now: dt.datetime) -> TrainingSession:
        school_id = own_school_id(self.tenant)
        self._check_date(data.held_on, now)
        row = TrainingSession(
            county_id=self.tenant.county_id,
            school_id=school_id,
            topic=data.topic,
            title=data.title,
            held_on=data.held_on,
            duration_minutes=data.duration_minutes,
            audience=_distinct([a.value for a in data.audience], "audience"),
            participant_count=data.participant_count,
            staff_participant_ids=await self._staff_ids(school_id, data.staff_participant_ids),
            trainer=data.trainer,
            materials=[msgspec.to_builtins(m) for m in data.materials],
            notes=data.notes,
            recorded_by=self.tenant.user_id,
        )
        self.session.add(row)
        await self.session.flush()
        return row

    async def update(
        self, session_id: uuid.UUID, data: schemas.TrainingUpdate, now: dt.datetime
    ) -> TrainingSession:
        row = await self.repository.get(session_id, for_update=True)
        if row is None:
            raise NotFoundError("training session not found")
        changes = {k: v for k, v in msgspec.structs.asdict(data).items() if v is not msgspec.UNSET}
        if not changes:
            raise InvalidInputError("nothing to change")
        if "held_on" in changes:
            self._check_date(changes["held_on"], now)
        if "audience" in changes:
            changes["audience"] = _distinct([a.value for a in changes["audience"]], "audience")
        if "staff_participant_ids" in changes:
            changes["staff_participant_ids"] = await self._staff_ids(
                row.school_id, changes["staff_participant_ids"]
            )
        if "materials" in changes:
            changes["materials"] = [msgspec.to_builtins(m) for m in changes["materials"]]
        for key, value in changes.items():
            setattr(row, key, value)
        await self.session.flush()
        return row

    async def delete(self, session_id: uuid.UUID) -> None:
        row = await self.repository.get(session_id, for_update=True)
        if row is None:
            raise NotFoundError("training session not found")
        await self.repository.delete(row)
        await self.session.flush()

    async def summary(
        self, start: dt.date, end: dt.date, school_id: uuid.UUID | None = None
    ) -> schemas.TrainingSummary:
        _check_range(start, end)
        rows = await self.repository.sessions(
            school_id=school_id or own_school_id(self.tenant), start=start, end=end
        )
        return summarise(rows, start, end)

    def _check_date(self, held_on: dt.date, now: dt.datetime) -> None:
        if held_on > now.astimezone(self.timezone).date():
            raise InvalidInputError(
                "record a session once it has been held",
                errors=[{"key": "held_on", "message": "in the future"}],
            )

    async def _staff_ids(self, school_id: uuid.UUID, ids: list[uuid.UUID]) -> list[str]:
        found = await StaffRepository(self.session).many(ids)
        unknown = [str(i) for i in ids if i not in found or found[i].school_id != school_id]
        if unknown:
            raise InvalidInputError(
                "not staff of this school: " + ", ".join(unknown),
                errors=[{"key": "staff_participant_ids", "message": "unknown staff"}],
            )
        return _distinct([str(i) for i in ids], "staff_participant_ids")


def _distinct(values: list[str], key: str) -> list[str]:
    if len(set(values)) != len(values):
        raise InvalidInputError(f"{key} lists a value twice", errors=[{"key": key, "message": "duplicates"}])
    return values


def _check_range(start: dt.date, end: dt.date) -> None:
    if end < start or (end - start).days > MAX_RANGE_DAYS:
        raise InvalidInputError(
            f"give a period of at most {MAX_RANGE_DAYS} days that ends after it starts",
            errors=[{"key": "end", "message": "bad period"}],
        )
