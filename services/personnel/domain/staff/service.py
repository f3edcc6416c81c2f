"""Rules of staff and bureau users: invitation, contact details, deactivation. Never commits.

Accounts are not touched here: the service records what the account should be (``status``), marks it for
the account job (``account_status``) and writes a ``personnel.staff.*`` event in the same transaction; the
personnel service consumes that event and makes Keycloak match (``jobs.py``).
"""

from __future__ import annotations

import uuid

import msgspec
from sqlalchemy.ext.asyncio import AsyncSession

from kit.errors import ConflictError, InvalidInputError, NotFoundError
from kit.events import PERSONNEL_STAFF_EVENTS, StaffChanged
from personnel.domain.common import own_school_id
from personnel.domain.duty.repository import DutyRepository
from personnel.domain.staff import schemas
from personnel.domain.staff.models import AccountStatus, Position, Staff, StaffRole, StaffStatus
from personnel.domain.staff.repository import StaffRepository
from personnel.outbox import outbox
from tenants import TenantContext

INVITABLE_ROLES = frozenset({StaffRole.TEACHER, StaffRole.GUARD})


def to_schema(staff: Staff) -> schemas.Staff:
    return schemas.Staff(
        id=staff.id,
        school_id=staff.school_id,
        role=staff.role,
        name=staff.name,
        phone=staff.phone,
        email=staff.email,
        username=staff.username,
        positions=[Position(p) for p in staff.positions],
        status=staff.status,
        status_reason=staff.status_reason,
        account=schemas.Account(
            status=staff.account_status, error=staff.account_error, attempts=staff.account_attempts
        ),
        created_at=staff.created_at,
    )


def _positions(values: list[Position]) -> list[str]:
    if len(set(values)) != len(values):
        raise InvalidInputError(
            "a position is listed twice", errors=[{"key": "positions", "message": "duplicates"}]
        )
    return [p.value for p in values]


class StaffService:
    def __init__(self, session: AsyncSession, tenant: TenantContext) -> None:
        self.session = session
        self.tenant = tenant
        self.repository = StaffRepository(session)

    # --- reading -------------------------------------------------------------------------------------
    async def get(self, staff_id: uuid.UUID) -> Staff:
        staff = await self.repository.get(staff_id)
        if staff is None or staff.school_id is None:
            raise NotFoundError("staff member not found")
        return staff

    async def me(self) -> Staff:
        staff = await self.repository.by_user_id(self.tenant.user_id)
        if staff is None:
            raise NotFoundError("you are not on the staff list of your school yet")
        return staff

    async def page(
        self,
        *,
        school_id: uuid.UUID | None,
        role: StaffRole | None,
        status: StaffStatus | None,
        position: Position | None,
        search: str | None,
        limit: int,
        offset: int,
    ) -> schemas.StaffPage:
        if self.tenant.school_id is not None:
            school_id = self.tenant.school_id  # school users see their school, whatever they ask for
        items, total = await self.repository.page(
            school_id=school_id,
            bureau=False,
            role=role,
            status=status,
            position=position,
            search=search,
            limit=limit,
            offset=offset,
        )
        return schemas.StaffPage(items=[to_schema(s) for s in items], total=total, limit=limit, offset=offset)

    # --- school staff --------------------------------------------------------------------------------
    async def invite(self, data: schemas.StaffInvite) -> Staff:
        """Put a teacher or guard on the staff list; their account is provisioned after the commit."""
        school_id = own_school_id(self.tenant)
        if data.role not in INVITABLE_ROLES:
            raise InvalidInputError(
                "the principal invites teachers and guards",
                errors=[{"key": "role", "message": "teacher or guard"}],
            )
        return await self._add(
            role=data.role,
            school_id=school_id,
            name=data.name,
            email=data.email,
            username=data.username,
            phone=data.phone,
            positions=_positions(data.positions),
        )

    async def register_self(self, data: schemas.SelfRegistration) -> Staff:
        """The principal's own staff entry, tied to the account they are signed in with."""
        school_id = own_school_id(self.tenant)
        if await self.repository.by_user_id(self.tenant.user_id) is not None:
            raise ConflictError("you are already on the staff list")
        return await self.adopt_account(
            role=StaffRole.PRINCIPAL,
            school_id=school_id,
            user_id=self.tenant.user_id,
            username=self.tenant.username,
            name=data.name,
            email=data.email,
            phone=data.phone,
            positions=_positions(data.positions),
        )

    async def adopt_account(
        self,
        *,
        role: StaffRole,
        school_id: uuid.UUID | None,
        user_id: str,
        username: str,
        name: str,
        email: str,
        phone: str = "",
        positions: list[str] | None = None,
    ) -> Staff:
        """A staff entry for an account that already exists (the principal's, or accounts created before the
        personnel service): nothing to provision."""
        if await self.repository.username_taken(username):
            raise ConflictError(f"username {username} is already on a staff list")
        staff = Staff(
            id=uuid.uuid4(),
            county_id=self.tenant.county_id,
            school_id=school_id,
            role=role,
            name=name,
            phone=phone,
            email=email,
            username=username,
            positions=positions or [],
            status=StaffStatus.ACTIVE,
            status_reason="",
            account_status=AccountStatus.READY,
            account_error="",
            account_attempts=0,
            user_id=user_id,
            invited_by=self.tenant.user_id,
        )
        self.repository.add(staff)
        await self.session.flush()
        await self.session.refresh(staff)
        return staff

    async def update(self, staff_id: uuid.UUID, data: schemas.StaffUpdate) -> Staff:
        staff = await self._school_staff_for_update(staff_id)
        changes = {k: v for k, v in msgspec.structs.asdict(data).items() if v is not msgspec.UNSET}
        if not changes:
            raise InvalidInputError("nothing to change")
        if "positions" in changes:
            changes["positions"] = _positions(changes["positions"])
        for key, value in changes.items():
            setattr(staff, key, value)
        await self.session.flush()
        await self.session.refresh(staff)
        return staff

    async def deactivate(self, staff_id: uuid.UUID, reason: str, *, bureau: bool = False) -> Staff:
        """Mark the staff member (or bureau user) inactive; the account job disables the account."""
        staff = await self._for_update(staff_id, bureau=bureau)
        if staff.user_id is not None and staff.user_id == self.tenant.user_id:
            raise ConflictError("you cannot deactivate yourself")
        if staff.status == StaffStatus.DEACTIVATED:
            raise ConflictError("already deactivated")
        staff.status = StaffStatus.DEACTIVATED
        staff.status_reason = reason
        staff.account_attempts = 0
        if not bureau:
            await DutyRepository(self.session).cancel_future(staff.id)
        await self._announce(staff, "deactivated")
        await self.session.flush()
        await self.session.refresh(staff)
        return staff

    async def reactivate(self, staff_id: uuid.UUID, reason: str, *, bureau: bool = False) -> Staff:
        staff = await self._for_update(staff_id, bureau=bureau)
        if staff.status == StaffStatus.ACTIVE:
            raise ConflictError("already active")
        staff.status = StaffStatus.ACTIVE
        staff.status_reason = reason
        staff.account_attempts = 0
        await self._announce(staff, "reactivated")
        await self.session.flush()
        await self.session.refresh(staff)
        return staff

    async def resend_invitation(self, staff_id: uuid.UUID, *, bureau: bool = False) -> Staff:
        """Provision again (a failed attempt, or a lost e-mail): a fresh initial password is sent."""
        staff = await self._for_update(staff_id, bureau=bureau)
        if staff.status != StaffStatus.ACTIVE:
            raise ConflictError("the staff member is deactivated")
        if staff.role == StaffRole.PRINCIPAL:
            raise ConflictError("the principal's account belongs to the school's onboarding")
        if staff.account_status == AccountStatus.PENDING and staff.account_attempts == 0:
            raise ConflictError("the invitation is on its way; it is sent again if it fails")
        staff.account_status = AccountStatus.PENDING
        staff.account_error = ""
        staff.account_attempts = 0
        await self._announce(staff, "invitation_resent")
        await self.session.flush()
        await self.session.refresh(staff)
        return staff

    # --- bureau users --------------------------------------------------------------------------------
    async def bureau_users(self, *, status: StaffStatus | None, limit: int, offset: int) -> schemas.StaffPage:
        items, total = await self.repository.page(
            school_id=None, bureau=True, status=status, limit=limit, offset=offset
        )
        return schemas.StaffPage(items=[to_schema(s) for s in items], total=total, limit=limit, offset=offset)

    async def invite_bureau_user(self, data: schemas.BureauUserInvite) -> Staff:
        return await self._add(
            role=StaffRole.BUREAU,
            school_id=None,
            name=data.name,
            email=data.email,
            username=data.username,
            phone=data.phone,
            positions=[],
        )

    # --- internals -----------------------------------------------------------------------------------
    async def _add(
        self,
        *,
        role: StaffRole,
        school_id: uuid.UUID | None,
        name: str,
        email: str,
        username: str,
        phone: str,
        positions: list[str],
    ) -> Staff:
        if await self.repository.username_taken(username):
            raise ConflictError(
                f"username {username} is already taken", errors=[{"key": "username", "message": "in use"}]
            )
        staff = Staff(
            id=uuid.uuid4(),
            county_id=self.tenant.county_id,
            school_id=school_id,
            role=role,
            name=name,
            phone=phone,
            email=email,
            username=username,
            positions=positions,
            status=StaffStatus.ACTIVE,
            status_reason="",
            account_status=AccountStatus.PENDING,
            account_error="",
            account_attempts=0,
            invited_by=self.tenant.user_id,
        )
        self.repository.add(staff)
        await self.session.flush()  # a unique username raced in elsewhere surfaces here
        await self._announce(staff, "invited")
        await self.session.refresh(staff)
        return staff

    async def _announce(self, staff: Staff, verb: str) -> None:
        await outbox.add(
            self.session,
            PERSONNEL_STAFF_EVENTS[verb],
            StaffChanged(staff_id=staff.id, role=staff.role.value),
            county_id=staff.county_id,
            school_id=staff.school_id,
        )

    async def _school_staff_for_update(self, staff_id: uuid.UUID) -> Staff:
        return await self._for_update(staff_id, bureau=False)

    async def _for_update(self, staff_id: uuid.UUID, *, bureau: bool) -> Staff:
        staff = await self.repository.get(staff_id, for_update=True)
        # School routes manage school staff only, bureau routes bureau users only.
        if staff is None or (staff.school_id is None) != bureau:
            raise NotFoundError("bureau user not found" if bureau else "staff member not found")
        return staff
