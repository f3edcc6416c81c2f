"""Rules of school onboarding and upkeep. Never commits: the request or job boundary does."""

from __future__ import annotations

import uuid

import msgspec
from sqlalchemy.ext.asyncio import AsyncSession

from kit.errors import ConflictError, InvalidInputError, NotFoundError
from kit.events import (
    SCHOOL_ONBOARDED,
    SCHOOL_PROVISIONING_REQUESTED,
    SCHOOL_UPDATED,
    SchoolOnboarded,
    SchoolProvisioningRequested,
    SchoolUpdated,
)
from schools.domain.schools import schemas
from schools.domain.schools.models import ProvisioningStatus, School, SchoolStatus
from schools.domain.schools.repository import SchoolRepository
from schools.outbox import outbox
from tenants import TenantContext


def to_schema(school: School) -> schemas.School:
    return schemas.School(
        id=school.id,
        county_id=school.county_id,
        code=school.code,
        name=school.name,
        kind=school.kind,
        boarding=school.boarding,
        student_count=school.student_count,
        address=school.address,
        principal_name=school.principal_name,
        principal_email=school.principal_email,
        principal_username=school.principal_username,
        status=school.status,
        status_reason=school.status_reason,
        provisioning=schemas.Provisioning(
            status=school.provisioning_status,
            error=school.provisioning_error,
            attempts=school.provisioning_attempts,
        ),
        created_at=school.created_at,
        updated_at=school.updated_at,
    )


class SchoolService:
    def __init__(self, session: AsyncSession, tenant: TenantContext) -> None:
        self.session = session
        self.tenant = tenant
        self.repository = SchoolRepository(session)

    async def get(self, school_id: uuid.UUID) -> School:
        school = await self.repository.get(school_id)
        if school is None:
            raise NotFoundError("school not found")
        return school

    async def page(
        self, *, status: SchoolStatus | None, search: str | None, limit: int, offset: int
    ) -> schemas.SchoolPage:
        items, total = await self.repository.page(status=status, search=search, limit=limit, offset=offset)
        return schemas.SchoolPage(
            items=[to_schema(s) for s in items], total=total, limit=limit, offset=offset
        )

    async def onboard(self, data: schemas.SchoolCreate) -> School:
        """Create the school and, in the same transaction, its ``schools.school.onboarded`` event, from which
        the principal's account is provisioned (``jobs``)."""
        county_id = self.tenant.county_id
        if await self.repository.code_taken(county_id, data.code):
            raise ConflictError(
                f"a school with code {data.code} already exists in this county",
                errors=[{"key": "code", "message": "already in use"}],
            )
        school = School(
            id=uuid.uuid4(),
            county_id=county_id,
            status=SchoolStatus.ACTIVE,
            provisioning_status=ProvisioningStatus.PENDING,
            provisioning_error="",
            provisioning_attempts=0,
            status_reason="",
            **msgspec.structs.asdict(data),
        )
        self.repository.add(school)
        await self.session.flush()  # constraint violations surface here, inside the request
        await self.session.refresh(school)
        await outbox.add(
            self.session,
            SCHOOL_ONBOARDED,
            SchoolOnboarded(
                school_id=school.id,
                code=school.code,
                name=school.name,
                kind=school.kind.value,
                boarding=school.boarding,
                student_count=school.student_count,
            ),
            county_id=school.county_id,
            school_id=school.id,
        )
        return school

    async def update(self, school_id: uuid.UUID, data: schemas.SchoolUpdate) -> School:
        school = await self._get_for_update(school_id)
        changes = {k: v for k, v in msgspec.structs.asdict(data).items() if v is not msgspec.UNSET}
        if not changes:
            raise InvalidInputError("nothing to change")
        for key, value in changes.items():
            setattr(school, key, value)
        await self.session.flush()
        await self.session.refresh(school)
        await self._announce(school, "updated")
        return school

    async def suspend(self, school_id: uuid.UUID, reason: str) -> School:
        school = await self._get_for_update(school_id)
        if school.status == SchoolStatus.SUSPENDED:
            raise ConflictError("the school is already suspended")
        school.status = SchoolStatus.SUSPENDED
        school.status_reason = reason
        await self.session.flush()
        await self.session.refresh(school)
        await self._announce(school, "suspended", reason)
        return school

    async def reactivate(self, school_id: uuid.UUID, reason: str) -> School:
        school = await self._get_for_update(school_id)
        if school.status == SchoolStatus.ACTIVE:
            raise ConflictError("the school is already active")
        school.status = SchoolStatus.ACTIVE
        school.status_reason = reason
        await self.session.flush()
        await self.session.refresh(school)
        await self._announce(school, "reactivated", reason)
        return school

    async def retry_provisioning(self, school_id: uuid.UUID) -> School:
        """Put the school's provisioning back to ``pending`` and ask for it (``schools.school.provisioning_requested``)."""
        school = await self._get_for_update(school_id)
        if school.provisioning_status == ProvisioningStatus.DONE:
            raise ConflictError("the principal's account is already provisioned")
        school.provisioning_status = ProvisioningStatus.PENDING
        school.provisioning_error = ""
        await self.session.flush()
        await self.session.refresh(school)
        await outbox.add(
            self.session,
            SCHOOL_PROVISIONING_REQUESTED,
            SchoolProvisioningRequested(school_id=school.id, requested_by=self.tenant.user_id),
            county_id=school.county_id,
            school_id=school.id,
        )
        return school

    async def _announce(self, school: School, change: str, reason: str = "") -> None:
        """``schools.school.updated``: the whole school as it is now, for the other services' directories."""
        await outbox.add(
            self.session,
            SCHOOL_UPDATED,
            SchoolUpdated(
                school_id=school.id,
                change=change,
                code=school.code,
                name=school.name,
                kind=school.kind.value,
                boarding=school.boarding,
                student_count=school.student_count,
                status=school.status.value,
                reason=reason,
            ),
            county_id=school.county_id,
            school_id=school.id,
        )

    async def _get_for_update(self, school_id: uuid.UUID) -> School:
        school = await self.repository.get(school_id, for_update=True)
        if school is None:
            raise NotFoundError("school not found")
        return school
