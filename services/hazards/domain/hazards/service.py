"""Rules of the hazard register and its life cycle. Never commits: the request or job boundary does.

Every change of a hazard goes through :meth:`HazardService.record`, which writes the history entry (who,
when, why), the audit entry and the event in the caller's transaction.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import uuid
from typing import Any

import msgspec
from sqlalchemy.ext.asyncio import AsyncSession

from hazards import SERVICE
from hazards.clock import Clock, local_date, system_clock
from hazards.domain.directory import DirectoryRepository
from hazards.domain.escalation.repository import remember_deadline_school
from hazards.domain.hazards import schemas
from hazards.domain.hazards.lifecycle import Action, allowed_actions, check
from hazards.domain.hazards.models import Hazard, HistoryEntry, Photo, PhotoStage, Status
from hazards.domain.hazards.repository import HazardFilter, HazardRepository
from hazards.domain.patrols.models import Patrol, PatrolKind, PatrolStatus
from hazards.domain.statistics.service import StatisticsService
from hazards.outbox import outbox
from hazards.vocabulary import Area, Category, Severity, Source, label
from kit.audit import name_action
from kit.errors import ConflictError, ForbiddenError, InvalidInputError, NotFoundError
from kit.events import HAZARD_EVENTS, HazardChanged
from kit.storage import CheckedFile, FileStore, object_key
from tenants import TenantContext

SCHOOL_SOURCES = frozenset({Source.INVESTIGATION, Source.DAILY_PATROL, Source.STAFF_REPORT})
MAX_PHOTOS_PER_HAZARD = 20
#: Action → the event published when a hazard *enters* a state through it.
EVENT_OF_STATUS = {
    Status.CONFIRMED: "confirmed",
    Status.REJECTED: "rejected",
    Status.RECTIFYING: "assigned",
    Status.RECTIFIED: "rectified",
    Status.VERIFIED: "verified",
    Status.CLOSED: "closed",
}


def _person(person_id: str | None, name: str) -> schemas.Person | None:
    if person_id is None and not name:
        return None
    return schemas.Person(id=person_id, name=name)


def _invalid(key: str, message: str) -> InvalidInputError:
    return InvalidInputError(message, errors=[{"key": key, "message": message}])


def hazard_changed(
    hazard: Hazard, *, change: str, actor_id: str, reason: str, at: dt.datetime
) -> HazardChanged:
    """The payload of every ``hazards.hazard.*`` event: enough for a consumer to act without calling back."""
    return HazardChanged(
        hazard_id=hazard.id,
        school_id=hazard.school_id,
        number=hazard.number,
        title=hazard.title,
        category=hazard.category.value,
        severity=hazard.severity.value,
        source=hazard.source.value,
        status=hazard.status.value,
        listed=hazard.listed,
        deadline=hazard.deadline,
        patrol_id=hazard.patrol_id,
        change=change,
        actor_id=actor_id,
        reason=reason,
        at=at,
    )


class HazardService:
    def __init__(
        self,
        session: AsyncSession,
        tenant: TenantContext,
        *,
        clock: Clock = system_clock,
        store: FileStore | None = None,
    ) -> None:
        self.session = session
        self.tenant = tenant
        self.clock = clock
        self.store = store
        self.repository = HazardRepository(session)
        self.directory = DirectoryRepository(session)

    @property
    def today(self) -> dt.date:
        return local_date(self.clock())

    # --- reading -----------------------------------------------------------------------------------------
    async def get(self, hazard_id: uuid.UUID, *, for_update: bool = False) -> Hazard:
        hazard = await self.repository.get(hazard_id, for_update=for_update)
        if hazard is None:
            raise NotFoundError("hazard not found")
        return hazard

    async def page(self, f: HazardFilter, *, limit: int, offset: int) -> schemas.HazardPage:
        if f.school_id is None and self.tenant.school_id is not None:
            # Name the caller's school as RLS does: the policy's OR cannot use an index (bench/README.md).
            f = dataclasses.replace(f, school_id=self.tenant.school_id)
        items, total = await self.repository.page(f, today=self.today, limit=limit, offset=offset)
        return schemas.HazardPage(
            items=[self.summary(h) for h in items], total=total, limit=limit, offset=offset
        )

    def is_overdue(self, hazard: Hazard) -> bool:
        return (
            hazard.status == Status.RECTIFYING
            and hazard.deadline is not None
            and hazard.deadline < self.today
        )

    def summary(self, hazard: Hazard) -> schemas.HazardSummary:
        return schemas.HazardSummary(
            id=hazard.id,
            school_id=hazard.school_id,
            number=hazard.number,
            title=hazard.title,
            category=hazard.category,
            area=hazard.area,
            location_text=hazard.location_text,
            severity=hazard.severity,
            source=hazard.source,
            status=hazard.status,
            responsible_name=hazard.responsible_name,
            deadline=hazard.deadline,
            overdue=self.is_overdue(hazard),
            listed=hazard.listed,
            reported_at=hazard.reported_at,
            closed_at=hazard.closed_at,
            updated_at=hazard.updated_at,
        )

    async def detail(self, hazard: Hazard) -> schemas.Hazard:
        """The hazard as the API shows it: with photos, referrals, history and the caller's next actions."""
        # Imported here: referrals are changed through this service (they record on the hazard).
        from hazards.domain.referrals.service import ReferralService

        school = await self.directory.get(hazard.school_id)
        photos = await self.repository.photos(hazard.id)
        history = await self.repository.history(hazard.id)
        referrals = await ReferralService(self.session, self.tenant).for_hazard(hazard.id)
        listing = None
        if hazard.listed_at is not None:
            listing = schemas.ListingInfo(
                listed_at=hazard.listed_at,
                listed_by=hazard.listed_by_name,
                official=hazard.listed_official,
                deadline=hazard.listed_deadline,
                note=hazard.listed_note,
            )
        return schemas.Hazard(
            id=hazard.id,
            county_id=hazard.county_id,
            school_id=hazard.school_id,
            school_name=school.name if school else "",
            number=hazard.number,
            title=hazard.title,
            description=hazard.description,
            category=hazard.category,
            area=hazard.area,
            location_text=hazard.location_text,
            latitude=hazard.latitude,
            longitude=hazard.longitude,
            severity=hazard.severity,
            source=hazard.source,
            patrol_id=hazard.patrol_id,
            status=hazard.status,
            status_reason=hazard.status_reason,
            reported_by=schemas.Person(id=hazard.reported_by, name=hazard.reported_by_name),
            reported_at=hazard.reported_at,
            responsible=_person(hazard.responsible_id, hazard.responsible_name),
            checker=_person(hazard.checker_id, hazard.checker_name),
            plan=hazard.plan,
            deadline=hazard.deadline,
            overdue=self.is_overdue(hazard),
            containment=hazard.containment,
            rectified_by=_person(hazard.rectified_by, hazard.rectified_by_name),
            rectified_at=hazard.rectified_at,
            rectification_note=hazard.rectification_note,
            verified_by=_person(hazard.verified_by, hazard.verified_by_name),
            verified_at=hazard.verified_at,
            signed_off_by=_person(hazard.signed_off_by, hazard.signed_off_by_name),
            signed_off_at=hazard.signed_off_at,
            closed_at=hazard.closed_at,
            reopen_count=hazard.reopen_count,
            needs_bureau_sign_off=hazard.needs_bureau_sign_off,
            listing=listing,
            photos=[photo_info(p) for p in photos],
            history=[
                schemas.HistoryItem(
                    at=h.at,
                    actor=schemas.Person(id=h.actor_id, name=h.actor_name),
                    actor_roles=h.actor_roles,
                    action=h.action,
                    from_status=h.from_status,
                    to_status=h.to_status,
                    reason=h.reason,
                    details=h.details,
                )
                for h in history
            ],
            referrals=referrals,
            allowed_actions=allowed_actions(hazard, self.tenant),
            created_at=hazard.created_at,
            updated_at=hazard.updated_at,
        )

    # --- recording changes --------------------------------------------------------------------------------
    async def record(
        self,
        hazard: Hazard,
        action: str,
        *,
        from_status: Status | None,
        reason: str = "",
        details: dict[str, Any] | None = None,
        event: str | None = None,
    ) -> None:
        """Record a change made to ``hazard``: the history entry (who, when, why), the audit entry's name
        (``hazard.<action>``; ``kit.audit`` writes it when the change is flushed), the event
        ``hazards.hazard.<event>``, and the school's statistics when the state changed."""
        now = self.clock()
        if from_status is not None:  # a new hazard was inserted (and audited) by register()
            hazard.updated_at = now
            name_action(hazard, f"hazard.{action}")
        self.repository.add_history(
            HistoryEntry(
                county_id=hazard.county_id,
                school_id=hazard.school_id,
                hazard_id=hazard.id,
                at=now,
                actor_id=self.tenant.user_id,
                actor_name=self.tenant.username,
                actor_roles=",".join(sorted(self.tenant.roles)),
                action=action,
                from_status=from_status.value if from_status else None,
                to_status=hazard.status.value,
                reason=reason,
                details=msgspec.to_builtins(details or {}),  # dates and ids as JSON strings
            )
        )
        await self.session.flush()
        if event is not None:
            await outbox.add(
                self.session,
                HAZARD_EVENTS[event],
                hazard_changed(hazard, change=action, actor_id=self.tenant.user_id, reason=reason, at=now),
                county_id=hazard.county_id,
                school_id=hazard.school_id,
            )
        if from_status != hazard.status:
            await StatisticsService(self.session, self.tenant, clock=self.clock).publish_for_school(
                hazard.county_id, hazard.school_id
            )

    async def _transition(
        self,
        hazard: Hazard,
        action: Action,
        to: Status,
        *,
        reason: str = "",
        details: dict[str, Any] | None = None,
    ) -> Hazard:
        from_status = hazard.status
        hazard.status = to
        hazard.status_reason = reason
        if to in (Status.CLOSED, Status.REJECTED):
            hazard.closed_at = self.clock()
        await self.record(
            hazard,
            action.value,
            from_status=from_status,
            reason=reason,
            details=details,
            event=EVENT_OF_STATUS.get(to) if action != Action.REOPEN else "reopened",
        )
        return hazard

    async def load(self, hazard_id: uuid.UUID, action: Action) -> Hazard:
        """The hazard, locked for the change, once ``action`` is allowed for the caller now."""
        hazard = await self.get(hazard_id, for_update=True)
        check(action, hazard, self.tenant)
        return hazard

    def check_deadline(self, deadline: dt.date, key: str = "deadline") -> None:
        if deadline < self.today:
            raise _invalid(key, "the deadline is in the past")
        if deadline > self.today + dt.timedelta(days=366):
            raise _invalid(key, "the deadline is more than a year away")

    # --- reporting ----------------------------------------------------------------------------------------
    async def _target_school(self, requested: uuid.UUID | None) -> uuid.UUID:
        if "bureau" in self.tenant.roles:
            if requested is None:
                raise _invalid("school_id", "the bureau names the school the hazard belongs to")
            # The directory (RLS: the bureau's county) knows the county's schools; a school of another
            # county, or no school at all, is not found.
            if await self.directory.get(requested) is None:
                raise NotFoundError("school not found")
            return requested
        assert self.tenant.school_id is not None  # school roles always carry a school
        if requested is not None and requested != self.tenant.school_id:
            raise _invalid("school_id", "school staff report hazards of their own school only")
        return self.tenant.school_id

    def _source(self, requested: Source | None, patrol: Patrol | None) -> Source:
        if "bureau" in self.tenant.roles:
            if requested not in (None, Source.BUREAU_INSPECTION):
                raise _invalid("source", "the bureau's hazards come from its inspections")
            return Source.BUREAU_INSPECTION
        if requested is None:
            if patrol is None:
                return Source.STAFF_REPORT
            return Source.INVESTIGATION if patrol.kind == PatrolKind.INVESTIGATION else Source.DAILY_PATROL
        if requested not in SCHOOL_SOURCES:
            raise _invalid("source", f"school staff report from: {', '.join(sorted(SCHOOL_SOURCES))}")
        return requested

    async def _patrol(self, patrol_id: uuid.UUID | None, school_id: uuid.UUID) -> Patrol | None:
        if patrol_id is None:
            return None
        patrol = await self.session.get(Patrol, patrol_id)
        if patrol is None or patrol.school_id != school_id:
            raise _invalid("patrol_id", "no such patrol at this school")
        if patrol.status != PatrolStatus.OPEN:
            raise ConflictError("the patrol has been submitted; report further hazards without it")
        return patrol

    async def register(
        self,
        *,
        school_id: uuid.UUID,
        title: str,
        category: Category,
        area: Area,
        description: str = "",
        location_text: str = "",
        latitude: float | None = None,
        longitude: float | None = None,
        severity: Severity = Severity.GENERAL,
        source: Source,
        patrol_id: uuid.UUID | None = None,
        details: dict[str, Any] | None = None,
    ) -> Hazard:
        """Enter a hazard in the register (state ``reported``) with the next number of its school."""
        now = self.clock()
        year = local_date(now).year
        sequence = await self.repository.next_sequence(
            county_id=self.tenant.county_id, school_id=school_id, year=year
        )
        entry = await self.directory.get(school_id)
        prefix = entry.code.upper() if entry else f"S{school_id.hex[:6].upper()}"
        hazard = Hazard(
            id=uuid.uuid4(),
            county_id=self.tenant.county_id,
            school_id=school_id,
            number=f"{prefix}-{year}-{sequence:04d}",
            year=year,
            title=title,
            description=description,
            category=category,
            area=area,
            location_text=location_text,
            latitude=latitude,
            longitude=longitude,
            severity=severity,
            source=source,
            patrol_id=patrol_id,
            status=Status.REPORTED,
            status_reason="",
            reported_by=self.tenant.user_id,
            reported_by_name=self.tenant.username,
            reported_at=now,
            created_at=now,
            updated_at=now,
            responsible_name="",
            checker_name="",
            plan="",
            containment="",
            rectified_by_name="",
            rectification_note="",
            verified_by_name="",
            signed_off_by_name="",
            reopen_count=0,
            listed_by_name="",
            listed_official="",
            listed_note="",
        )
        self.repository.add(hazard)
        name_action(hazard, "hazard.report")
        await self.session.flush()  # constraint violations surface here, inside the request
        await self.record(hazard, "report", from_status=None, details=details, event="reported")
        return hazard

    async def report(self, data: schemas.HazardCreate) -> Hazard:
        school_id = await self._target_school(data.school_id)
        patrol = await self._patrol(data.patrol_id, school_id)
        if (data.latitude is None) != (data.longitude is None):
            raise _invalid("latitude", "a map point needs both latitude and longitude")
        return await self.register(
            school_id=school_id,
            title=data.title,
            category=data.category,
            area=data.area,
            description=data.description,
            location_text=data.location_text,
            latitude=data.latitude,
            longitude=data.longitude,
            severity=data.severity,
            source=self._source(data.source, patrol),
            patrol_id=patrol.id if patrol else None,
        )

    async def quick_report(self, data: schemas.QuickReport, photo: CheckedFile | None) -> Hazard:
        """The phone flow: category, place and a photo; the title is made from them unless one is given. Sent
        from a patrol, the hazard is that patrol's finding (source investigation or daily patrol)."""
        school_id = await self._target_school(None)
        patrol = await self._patrol(data.patrol_id, school_id)
        place = data.place.strip() or label(data.area.value)
        hazard = await self.register(
            school_id=school_id,
            title=(data.title or "").strip() or f"{label(data.category.value)}：{place}"[:200],
            category=data.category,
            area=data.area,
            description=data.note,
            location_text=data.place,
            severity=data.severity,
            source=self._source(None, patrol),
            patrol_id=patrol.id if patrol else None,
        )
        if photo is not None:
            await self._store_photo(hazard, PhotoStage.BEFORE, photo)
        return hazard

    # --- life cycle ---------------------------------------------------------------------------------------
    async def update(self, hazard_id: uuid.UUID, data: schemas.HazardUpdate) -> Hazard:
        hazard = await self.load(hazard_id, Action.EDIT)
        fields = {k: v for k, v in msgspec.structs.asdict(data).items() if v is not msgspec.UNSET}
        reason = str(fields.pop("reason", ""))
        changes = {k: v for k, v in fields.items() if getattr(hazard, k) != v}
        if not changes:
            raise InvalidInputError("nothing to change")
        if (
            changes.get("severity") == Severity.GENERAL
            and hazard.severity == Severity.MAJOR
            and "bureau" not in self.tenant.roles
        ):
            raise ForbiddenError("only the bureau may downgrade a major hazard")
        latitude = changes.get("latitude", hazard.latitude)
        longitude = changes.get("longitude", hazard.longitude)
        if (latitude is None) != (longitude is None):
            raise _invalid("latitude", "a map point needs both latitude and longitude")
        before = {k: getattr(hazard, k) for k in changes}
        for key, value in changes.items():
            setattr(hazard, key, value)
        await self.record(
            hazard,
            Action.EDIT.value,
            from_status=hazard.status,
            reason=reason,
            details={"changes": {k: [before[k], v] for k, v in changes.items()}},
            event="updated",
        )
        return hazard

    async def confirm(self, hazard_id: uuid.UUID, note: str) -> Hazard:
        hazard = await self.load(hazard_id, Action.CONFIRM)
        return await self._transition(hazard, Action.CONFIRM, Status.CONFIRMED, reason=note)

    async def reject(self, hazard_id: uuid.UUID, reason: str) -> Hazard:
        hazard = await self.load(hazard_id, Action.REJECT)
        return await self._transition(hazard, Action.REJECT, Status.REJECTED, reason=reason)

    async def assign(self, hazard_id: uuid.UUID, data: schemas.Assignment) -> Hazard:
        hazard = await self.load(hazard_id, Action.ASSIGN)
        self.check_deadline(data.deadline)
        hazard.responsible_id = data.responsible_id
        hazard.responsible_name = data.responsible_name
        hazard.checker_id = data.checker_id
        hazard.checker_name = data.checker_name
        hazard.plan = data.plan
        hazard.deadline = data.deadline
        if data.containment:
            hazard.containment = data.containment
        await remember_deadline_school(self.session, hazard.county_id, hazard.school_id)
        return await self._transition(
            hazard,
            Action.ASSIGN,
            Status.RECTIFYING,
            details={
                "responsible": data.responsible_name,
                "deadline": data.deadline.isoformat(),
                "checker": data.checker_name,
                "containment": data.containment,
            },
        )

    async def reassign(self, hazard_id: uuid.UUID, data: schemas.Reassignment) -> Hazard:
        hazard = await self.load(hazard_id, Action.REASSIGN)
        changes = {
            k: v for k, v in msgspec.structs.asdict(data).items() if v is not msgspec.UNSET and k != "reason"
        }
        if not changes:
            raise InvalidInputError("nothing to change")
        if "deadline" in changes:
            self.check_deadline(changes["deadline"])
        before = {k: getattr(hazard, k) for k in changes}
        for key, value in changes.items():
            setattr(hazard, key, value)
        await self.record(
            hazard,
            Action.REASSIGN.value,
            from_status=hazard.status,
            reason=data.reason,
            details={"changes": {k: [before[k], v] for k, v in changes.items()}},
            event="updated",
        )
        return hazard

    async def contain(self, hazard_id: uuid.UUID, measures: str) -> Hazard:
        """Containment measures taken before the fix (fencing off, warning signs, cutting the power)."""
        hazard = await self.load(hazard_id, Action.CONTAIN)
        hazard.containment = measures
        await self.record(
            hazard,
            Action.CONTAIN.value,
            from_status=hazard.status,
            details={"measures": measures},
            event="updated",
        )
        return hazard

    async def rectify(self, hazard_id: uuid.UUID, note: str) -> Hazard:
        hazard = await self.load(hazard_id, Action.RECTIFY)
        after_photos = await self.repository.count_photos(hazard.id, PhotoStage.AFTER)
        if not after_photos and not note.strip():
            raise _invalid("note", "a rectification needs an after-photo or a note")
        hazard.rectified_by = self.tenant.user_id
        hazard.rectified_by_name = self.tenant.username
        hazard.rectified_at = self.clock()
        hazard.rectification_note = note
        return await self._transition(
            hazard, Action.RECTIFY, Status.RECTIFIED, reason=note, details={"after_photos": after_photos}
        )

    async def verify(self, hazard_id: uuid.UUID, note: str) -> Hazard:
        """The checker accepts the fix: closed, or (major or listed) waiting for the bureau's sign-off."""
        hazard = await self.load(hazard_id, Action.VERIFY)
        hazard.verified_by = self.tenant.user_id
        hazard.verified_by_name = self.tenant.username
        hazard.verified_at = self.clock()
        target = Status.VERIFIED if hazard.needs_bureau_sign_off else Status.CLOSED
        return await self._transition(hazard, Action.VERIFY, target, reason=note)

    async def reopen(self, hazard_id: uuid.UUID, data: schemas.Reopening) -> Hazard:
        """A failed verification (or a refused sign-off): back to rectification."""
        hazard = await self.load(hazard_id, Action.REOPEN)
        if data.deadline is not None:
            self.check_deadline(data.deadline)
            hazard.deadline = data.deadline
        details = {
            "rectified_by": hazard.rectified_by_name,
            "rectification_note": hazard.rectification_note,
            "deadline": hazard.deadline.isoformat() if hazard.deadline else None,
        }
        hazard.reopen_count += 1
        hazard.rectified_by = None
        hazard.rectified_by_name = ""
        hazard.rectified_at = None
        hazard.rectification_note = ""
        hazard.verified_by = None
        hazard.verified_by_name = ""
        hazard.verified_at = None
        return await self._transition(
            hazard, Action.REOPEN, Status.RECTIFYING, reason=data.reason, details=details
        )

    async def sign_off(self, hazard_id: uuid.UUID, note: str) -> Hazard:
        hazard = await self.load(hazard_id, Action.SIGN_OFF)
        hazard.signed_off_by = self.tenant.user_id
        hazard.signed_off_by_name = self.tenant.username
        hazard.signed_off_at = self.clock()
        return await self._transition(hazard, Action.SIGN_OFF, Status.CLOSED, reason=note)

    # --- photos -------------------------------------------------------------------------------------------
    async def _store_photo(self, hazard: Hazard, stage: PhotoStage, file: CheckedFile) -> Photo:
        if self.store is None:
            raise RuntimeError("no file store configured")
        photo_id = uuid.uuid4()
        key = object_key(SERVICE, hazard.county_id, hazard.school_id, photo_id, file.extension)
        # Stored before the row is committed: a rolled-back request leaves an unreferenced file, never a row
        # that points at nothing.
        await self.store.put(key, file.data)
        photo = Photo(
            id=photo_id,
            county_id=hazard.county_id,
            school_id=hazard.school_id,
            hazard_id=hazard.id,
            stage=stage,
            content_type=file.content_type,
            size=file.size,
            sha256=file.sha256,
            storage_key=key,
            uploaded_by=self.tenant.user_id,
            uploaded_by_name=self.tenant.username,
            created_at=self.clock(),
        )
        self.repository.add_photo(photo)
        await self.session.flush()
        return photo

    async def add_photo(self, hazard_id: uuid.UUID, stage: PhotoStage, file: CheckedFile) -> Photo:
        hazard = await self.load(hazard_id, Action.ADD_PHOTO)
        if stage == PhotoStage.AFTER and hazard.status not in (Status.RECTIFYING, Status.RECTIFIED):
            raise ConflictError(
                f"hazard {hazard.number} is {hazard.status.value}; after-photos belong to a rectification",
                errors=[{"key": "stage", "message": "after-photos only while rectifying"}],
            )
        if len(await self.repository.photos(hazard.id)) >= MAX_PHOTOS_PER_HAZARD:
            raise ConflictError(f"a hazard holds at most {MAX_PHOTOS_PER_HAZARD} photos")
        photo = await self._store_photo(hazard, stage, file)
        await self.record(
            hazard,
            "add_photo",
            from_status=hazard.status,
            details={"photo_id": str(photo.id), "stage": stage.value},
            event="updated",
        )
        return photo

    async def photo_bytes(self, photo_id: uuid.UUID) -> tuple[Photo, bytes]:
        """A photo the caller may see (RLS on the metadata row) and its bytes."""
        photo = await self.repository.get_photo(photo_id)
        if photo is None or self.store is None:
            raise NotFoundError("photo not found")
        return photo, await self.store.get(photo.storage_key)


def photo_info(photo: Photo) -> schemas.PhotoInfo:
    return schemas.PhotoInfo(
        id=photo.id,
        stage=photo.stage,
        content_type=photo.content_type,
        size=photo.size,
        url=f"/photos/{photo.id}",
        uploaded_by=photo.uploaded_by_name,
        created_at=photo.created_at,
    )
