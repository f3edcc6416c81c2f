"""Rules of school profiles and gates. Never commits: the request or job boundary does."""

from __future__ import annotations

import datetime as dt
import uuid

import msgspec
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from kit.errors import ConflictError, InvalidInputError, NotFoundError
from kit.events import PERSONNEL_SCHOOL_PROFILE_CREATED, SchoolProfileCreated
from personnel.domain.common import own_school_id
from personnel.domain.school_profiles import schemas
from personnel.domain.school_profiles.models import Gate, Peak, SchoolProfile, new_profile
from personnel.domain.school_profiles.repository import SchoolProfileRepository
from personnel.outbox import outbox
from tenants import TenantContext


def to_schema(profile: SchoolProfile) -> schemas.SchoolProfile:
    return schemas.SchoolProfile(
        school_id=profile.id,
        code=profile.code,
        name=profile.name,
        boarding=profile.boarding,
        student_count=profile.student_count,
        active=profile.active,
        synced=profile.synced_at is not None,
        school_weekdays=sorted(profile.school_weekdays),
        boarding_nights=sorted(profile.boarding_nights),
        duty_peaks=profile.peaks,
        peak_times={
            peak: schemas.PeakWindow(start=window[0], end=window[1])
            for peak in Peak
            for window in [profile.peak_window(peak)]
        },
    )


def gate_to_schema(gate: Gate) -> schemas.Gate:
    return schemas.Gate(id=gate.id, name=gate.name, kind=gate.kind, active=gate.active)


def _distinct(key: str, values: list[int] | list[Peak]) -> None:
    if len(set(values)) != len(values):
        raise InvalidInputError(f"{key} lists a value twice", errors=[{"key": key, "message": "duplicates"}])


class SchoolProfileService:
    def __init__(self, session: AsyncSession, tenant: TenantContext) -> None:
        self.session = session
        self.tenant = tenant
        self.repository = SchoolProfileRepository(session)

    async def profile(self, school_id: uuid.UUID | None = None) -> SchoolProfile:
        """The school's profile; the defaults (not stored) while nothing is known about it yet."""
        school_id = school_id or own_school_id(self.tenant)
        profile = await self.repository.get(school_id)
        return profile if profile is not None else new_profile(self.tenant.county_id, school_id)

    async def update(self, data: schemas.SchoolProfileUpdate) -> SchoolProfile:
        school_id = own_school_id(self.tenant)
        changes = {k: v for k, v in msgspec.structs.asdict(data).items() if v is not msgspec.UNSET}
        if not changes:
            raise InvalidInputError("nothing to change")
        profile = await self._get_or_create(self.tenant.county_id, school_id)
        for key in ("school_weekdays", "boarding_nights", "duty_peaks"):
            if key in changes:
                _distinct(key, changes[key])
                setattr(profile, key, [v.value if isinstance(v, Peak) else v for v in changes[key]])
        for peak, window in changes.get("peak_times", {}).items():
            if window.start >= window.end:
                raise InvalidInputError(
                    f"the {peak.value} peak must end after it starts",
                    errors=[{"key": f"peak_times.{peak.value}", "message": "end before start"}],
                )
            setattr(profile, f"{peak.value}_start", window.start)
            setattr(profile, f"{peak.value}_end", window.end)
        await self.session.flush()
        return profile

    async def apply_facts(self, facts: schemas.SchoolFacts) -> SchoolProfile:
        """Copy what the schools service says about a school (its events). Idempotent."""
        profile = await self._get_or_create(facts.county_id, facts.id)
        profile.code = facts.code
        profile.name = facts.name
        profile.boarding = facts.boarding
        profile.student_count = facts.student_count
        profile.active = facts.status == "active"
        profile.synced_at = dt.datetime.now(dt.UTC)
        await self.session.flush()
        return profile

    async def _get_or_create(self, county_id: uuid.UUID, school_id: uuid.UUID) -> SchoolProfile:
        """The profile, locked; created (and announced) the first time. The schools service's event and the
        principal's first change may create it at the same moment: the loser takes the winner's row."""
        profile = await self.repository.get(school_id, for_update=True)
        if profile is not None:
            return profile
        try:
            async with self.session.begin_nested():
                profile = new_profile(county_id, school_id)
                self.session.add(profile)
                await self.session.flush()
        except IntegrityError:
            created = await self.repository.get(school_id, for_update=True)
            if created is None:
                raise
            return created
        await outbox.add(
            self.session,
            PERSONNEL_SCHOOL_PROFILE_CREATED,
            SchoolProfileCreated(school_id=school_id),
            county_id=county_id,
            school_id=school_id,
        )
        return profile

    # --- gates ---------------------------------------------------------------------------------------
    async def gates(self) -> list[Gate]:
        return await self.repository.gates(own_school_id(self.tenant))

    async def add_gate(self, data: schemas.GateCreate) -> Gate:
        school_id = own_school_id(self.tenant)
        if await self.repository.gate_name_taken(school_id, data.name):
            raise ConflictError(
                f"a gate named {data.name} already exists", errors=[{"key": "name", "message": "in use"}]
            )
        gate = Gate(county_id=self.tenant.county_id, school_id=school_id, name=data.name, kind=data.kind)
        self.session.add(gate)
        await self.session.flush()
        return gate

    async def update_gate(self, gate_id: uuid.UUID, data: schemas.GateUpdate) -> Gate:
        gate = await self.repository.gate(gate_id, for_update=True)
        if gate is None:
            raise NotFoundError("gate not found")
        changes = {k: v for k, v in msgspec.structs.asdict(data).items() if v is not msgspec.UNSET}
        if not changes:
            raise InvalidInputError("nothing to change")
        if "name" in changes and await self.repository.gate_name_taken(
            gate.school_id, changes["name"], except_id=gate.id
        ):
            raise ConflictError(
                f"a gate named {changes['name']} already exists",
                errors=[{"key": "name", "message": "in use"}],
            )
        for key, value in changes.items():
            setattr(gate, key, value)
        await self.session.flush()
        return gate
