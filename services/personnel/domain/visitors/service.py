"""Rules of the gate: register a visitor, verify with the host, let in, see out, or refuse; outside motor
vehicles stay out unless the principal authorised them. Never commits."""

from __future__ import annotations

import datetime as dt
import re
import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from kit.audit import AuditLog
from kit.errors import ConflictError, InvalidInputError, NotFoundError
from kit.events import PERSONNEL_VEHICLE_REFUSED, PERSONNEL_VISIT_REFUSED, VehicleRefused, VisitRefused
from personnel import SERVICE
from personnel.domain.common import own_school_id
from personnel.domain.staff.models import Staff
from personnel.domain.staff.repository import StaffRepository
from personnel.domain.visitors import schemas
from personnel.domain.visitors.id_numbers import (
    IdNumberVault,
    default_vault,
    is_valid_resident_id,
    mask,
    normalise,
)
from personnel.domain.visitors.models import (
    IdType,
    VehicleAuthorisation,
    VehicleStatus,
    VerificationMethod,
    Visit,
    VisitStatus,
)
from personnel.domain.visitors.repository import VisitRepository
from personnel.outbox import outbox
from personnel.settings import get_personnel_settings
from tenants import TenantContext

NO_AUTHORISATION = "outside motor vehicles may not enter without the principal's authorisation"


def normalise_plate(plate: str) -> str:
    """``吉A·12345`` and ``吉a 12345`` are the same plate: upper case, without separators."""
    return re.sub(r"[\s·.\-]", "", plate).upper()


def to_schema(visit: Visit) -> schemas.Visit:
    return schemas.Visit(
        id=visit.id,
        visitor_name=visit.visitor_name,
        id_type=visit.id_type,
        id_number_masked=visit.id_number_masked,
        id_purged=visit.id_purged_at is not None,
        phone=visit.phone,
        organisation=visit.organisation,
        purpose=visit.purpose,
        party_size=visit.party_size,
        host_staff_id=visit.host_staff_id,
        host_name=visit.host_name,
        plate=visit.plate,
        vehicle_status=visit.vehicle_status,
        vehicle_reason=visit.vehicle_reason,
        status=visit.status,
        registered_at=visit.registered_at,
        verified_at=visit.verified_at,
        verification_method=visit.verification_method,
        entered_at=visit.entered_at,
        left_at=visit.left_at,
        refused_at=visit.refused_at,
        refusal_reason=visit.refusal_reason,
    )


def authorisation_to_schema(row: VehicleAuthorisation) -> schemas.VehicleAuthorisation:
    return schemas.VehicleAuthorisation(
        id=row.id,
        plate=row.plate,
        holder=row.holder,
        reason=row.reason,
        valid_from=row.valid_from,
        valid_until=row.valid_until,
        revoked=row.revoked_at is not None,
    )


class VisitService:
    def __init__(
        self, session: AsyncSession, tenant: TenantContext, vault: IdNumberVault | None = None
    ) -> None:
        self.session = session
        self.tenant = tenant
        self.repository = VisitRepository(session)
        self.vault = vault or default_vault()
        self.timezone = get_personnel_settings().timezone

    # --- reading -------------------------------------------------------------------------------------
    async def get(self, visit_id: uuid.UUID) -> Visit:
        visit = await self.repository.get(visit_id)
        if visit is None:
            raise NotFoundError("visit not found")
        return visit

    async def page(
        self,
        *,
        search: str | None,
        plate: str | None,
        status: VisitStatus | None,
        on: dt.date | None,
        limit: int,
        offset: int,
    ) -> schemas.VisitPage:
        """Visits of the caller's school only, by visitor name or plate, on one local day or all days."""
        since = until = None
        if on is not None:
            since = dt.datetime.combine(on, dt.time(0), tzinfo=self.timezone)
            until = since + dt.timedelta(days=1)
        items, total = await self.repository.page(
            school_id=own_school_id(self.tenant),
            search=search,
            plate=normalise_plate(plate) if plate else None,
            status=status,
            since=since,
            until=until,
            limit=limit,
            offset=offset,
        )
        return schemas.VisitPage(items=[to_schema(v) for v in items], total=total, limit=limit, offset=offset)

    async def find_by_id_number(self, id_number: str) -> list[Visit]:
        """Visits of the same ID number at the caller's school. A lookup of a person is itself recorded in
        the audit trail (who looked, and which visits it found; never the number)."""
        school_id = own_school_id(self.tenant)
        visits = await self.repository.by_digest(school_id, self.vault.digest(id_number, school_id=school_id))
        await AuditLog(self.session, SERVICE).record(
            "visit.search_id_number",
            object_type="visit_id_search",
            object_id=self.tenant.user_id,
            after=sorted(str(v.id) for v in visits),
        )
        return visits

    async def awaiting_me(self, limit: int = 50) -> list[Visit]:
        """Visits waiting for the caller, as host, to confirm."""
        me = await StaffRepository(self.session).by_user_id(self.tenant.user_id)
        if me is None:
            return []
        items, _ = await self.repository.page(
            school_id=own_school_id(self.tenant),
            search=None,
            plate=None,
            status=VisitStatus.REGISTERED,
            since=None,
            until=None,
            host_staff_id=me.id,
            limit=limit,
            offset=0,
        )
        return items

    # --- the gate ------------------------------------------------------------------------------------
    async def register(self, data: schemas.VisitCreate, now: dt.datetime) -> Visit:
        school_id = own_school_id(self.tenant)
        id_number = normalise(data.id_number)
        if data.id_type == IdType.RESIDENT_ID and not is_valid_resident_id(id_number):
            raise InvalidInputError(
                "not a valid resident ID number", errors=[{"key": "id_number", "message": "check character"}]
            )
        host_name = data.host_name.strip()
        if data.host_staff_id is not None:
            host = await StaffRepository(self.session).get(data.host_staff_id)
            if host is None or host.school_id != school_id or not host.is_active:
                raise InvalidInputError(
                    "no such staff member in this school",
                    errors=[{"key": "host_staff_id", "message": "unknown"}],
                )
            host_name = host.name
        if not host_name:
            raise InvalidInputError(
                "say whom the visitor comes to see", errors=[{"key": "host_name", "message": "required"}]
            )
        visit_id = uuid.uuid4()
        visit = Visit(
            id=visit_id,
            county_id=self.tenant.county_id,
            school_id=school_id,
            visitor_name=data.visitor_name.strip(),
            id_type=data.id_type,
            id_number_cipher=self.vault.encrypt(id_number, school_id=school_id, visit_id=visit_id),
            id_number_digest=self.vault.digest(id_number, school_id=school_id),
            id_number_masked=mask(id_number),
            phone=data.phone,
            organisation=data.organisation,
            purpose=data.purpose,
            party_size=data.party_size,
            host_staff_id=data.host_staff_id,
            host_name=host_name,
            status=VisitStatus.REGISTERED,
            registered_at=now,
            registered_by=self.tenant.user_id,
            verified_by="",
            verification_note="",
            refused_by="",
            refusal_reason="",
        )
        await self._decide_vehicle(visit, normalise_plate(data.plate), now)
        self.session.add(visit)
        await self.session.flush()
        if visit.vehicle_status == VehicleStatus.REFUSED:
            await outbox.add(
                self.session,
                PERSONNEL_VEHICLE_REFUSED,
                VehicleRefused(visit_id=visit.id),
                county_id=visit.county_id,
                school_id=visit.school_id,
            )
        return visit

    async def _decide_vehicle(self, visit: Visit, plate: str, now: dt.datetime) -> None:
        visit.plate = plate
        if not plate:
            visit.vehicle_status, visit.vehicle_reason = VehicleStatus.NONE, ""
            return
        if len(plate) < 5 or len(plate) > 16:
            raise InvalidInputError(
                "not a vehicle plate", errors=[{"key": "plate", "message": "5 to 16 characters"}]
            )
        authorisation = await self.repository.active_authorisation(
            visit.school_id, plate, now.astimezone(self.timezone).date()
        )
        if authorisation is None:
            visit.vehicle_status, visit.vehicle_reason = VehicleStatus.REFUSED, NO_AUTHORISATION
        else:
            visit.vehicle_status = VehicleStatus.AUTHORISED
            visit.vehicle_reason = (
                f"authorised until {authorisation.valid_until.isoformat()}: {authorisation.reason}"
            )

    async def verify(self, visit_id: uuid.UUID, data: schemas.Verification, now: dt.datetime) -> Visit:
        """The host confirms (in the app), or the guard records how they confirmed with the host."""
        visit, is_host = await self._for_update(visit_id)
        if visit.status != VisitStatus.REGISTERED:
            raise ConflictError(f"the visit is already {visit.status.value}")
        visit.status = VisitStatus.VERIFIED
        visit.verified_at = now
        visit.verified_by = self.tenant.user_id
        visit.verification_method = VerificationMethod.HOST_IN_APP if is_host else data.method
        visit.verification_note = data.note
        await self.session.flush()
        return visit

    async def refuse(self, visit_id: uuid.UUID, reason: str, now: dt.datetime) -> Visit:
        visit, _ = await self._for_update(visit_id)
        if visit.status not in (VisitStatus.REGISTERED, VisitStatus.VERIFIED):
            raise ConflictError(f"the visit is already {visit.status.value}")
        await outbox.add(
            self.session,
            PERSONNEL_VISIT_REFUSED,
            VisitRefused(visit_id=visit.id, verified=visit.status == VisitStatus.VERIFIED),
            county_id=visit.county_id,
            school_id=visit.school_id,
        )
        visit.status = VisitStatus.REFUSED
        visit.refused_at = now
        visit.refused_by = self.tenant.user_id
        visit.refusal_reason = reason
        await self.session.flush()
        return visit

    async def enter(self, visit_id: uuid.UUID, now: dt.datetime) -> Visit:
        visit, _ = await self._for_update(visit_id, gate_only=True)
        if visit.status == VisitStatus.REGISTERED:
            raise ConflictError("verify the visit with the host first")
        if visit.status != VisitStatus.VERIFIED:
            raise ConflictError(f"the visit is already {visit.status.value}")
        visit.status = VisitStatus.INSIDE
        visit.entered_at = now
        await self.session.flush()
        return visit

    async def leave(self, visit_id: uuid.UUID, now: dt.datetime) -> Visit:
        visit, _ = await self._for_update(visit_id, gate_only=True)
        if visit.status != VisitStatus.INSIDE:
            raise ConflictError(f"the visitor is not inside (the visit is {visit.status.value})")
        visit.status = VisitStatus.LEFT
        visit.left_at = now
        await self.session.flush()
        return visit

    async def _for_update(self, visit_id: uuid.UUID, *, gate_only: bool = False) -> tuple[Visit, bool]:
        """The visit, and whether the caller is its host. A teacher reaches only visits they host."""
        visit = await self.repository.get(visit_id, for_update=True)
        if visit is None:
            raise NotFoundError("visit not found")
        me: Staff | None = None
        if visit.host_staff_id is not None:
            me = await StaffRepository(self.session).by_user_id(self.tenant.user_id)
        is_host = me is not None and me.id == visit.host_staff_id
        at_the_gate = self.tenant.has_any_role("guard", "principal")
        if not at_the_gate and (gate_only or not is_host):
            raise NotFoundError("visit not found")
        return visit, is_host

    async def purge_expired(self, retention_days: int, now: dt.datetime) -> int:
        """Erase the ID and phone numbers of visits older than the retention period (the caller's tenant)."""
        cutoff = now - dt.timedelta(days=retention_days)
        purged = await self.repository.purge_identity(cutoff, now)
        if purged:  # a bulk UPDATE, which the ORM audit hook does not see
            await AuditLog(self.session, SERVICE).record(
                "visit.purge_identity",
                object_type="visit_identity_purge",
                object_id=cutoff.isoformat(),
                fields=["id_number_cipher", "id_number_digest", "id_number_masked", "phone"],
                after={
                    "visits": purged,
                    "registered_before": cutoff.isoformat(),
                    "retention_days": retention_days,
                },
            )
        return purged

    # --- vehicle authorisations ----------------------------------------------------------------------
    async def authorisations(self, *, active_on: dt.date | None) -> list[VehicleAuthorisation]:
        return await self.repository.authorisations(own_school_id(self.tenant), active_on=active_on)

    async def authorise_vehicle(self, data: schemas.VehicleAuthorisationCreate) -> VehicleAuthorisation:
        plate = normalise_plate(data.plate)
        if not 5 <= len(plate) <= 16:
            raise InvalidInputError(
                "not a vehicle plate", errors=[{"key": "plate", "message": "5 to 16 characters"}]
            )
        if data.valid_until < data.valid_from:
            raise InvalidInputError(
                "the authorisation ends before it starts",
                errors=[{"key": "valid_until", "message": "before valid_from"}],
            )
        if (data.valid_until - data.valid_from).days > 366:
            raise InvalidInputError(
                "authorise for at most a year at a time",
                errors=[{"key": "valid_until", "message": "too long"}],
            )
        row = VehicleAuthorisation(
            county_id=self.tenant.county_id,
            school_id=own_school_id(self.tenant),
            plate=plate,
            holder=data.holder,
            reason=data.reason,
            valid_from=data.valid_from,
            valid_until=data.valid_until,
            created_by=self.tenant.user_id,
            revoked_by="",
        )
        self.session.add(row)
        await self.session.flush()
        return row

    async def revoke_vehicle(self, authorisation_id: uuid.UUID, now: dt.datetime) -> VehicleAuthorisation:
        row = await self.repository.authorisation(authorisation_id, for_update=True)
        if row is None:
            raise NotFoundError("vehicle authorisation not found")
        if row.revoked_at is not None:
            raise ConflictError("already revoked")
        row.revoked_at = now
        row.revoked_by = self.tenant.user_id
        await self.session.flush()
        return row

    async def check_vehicle(self, plate: str, now: dt.datetime) -> schemas.VehicleCheck:
        normalised = normalise_plate(plate)
        row = await self.repository.active_authorisation(
            own_school_id(self.tenant), normalised, now.astimezone(self.timezone).date()
        )
        return schemas.VehicleCheck(
            plate=normalised,
            authorised=row is not None,
            authorisation=authorisation_to_schema(row) if row else None,
        )
