"""Emergency plans by type and their drills; a plan not drilled in the current school term is flagged.
Never commits."""

from __future__ import annotations

import datetime as dt
import uuid

import msgspec
from sqlalchemy.ext.asyncio import AsyncSession

from kit.errors import ConflictError, InvalidInputError, NotFoundError
from kit.events import DRILLS_UPDATED, DrillStatistics
from kit.storage import IMAGE_TYPES
from schools.domain.campaigns.calendar import Clock, Term, local_date, system_clock, term_of
from schools.domain.emergency import schemas
from schools.domain.emergency.models import Drill, EmergencyPlan, PlanKind
from schools.domain.emergency.repository import EmergencyRepository
from schools.domain.evidence.models import EvidenceFile
from schools.domain.evidence.repository import EvidenceRepository
from schools.domain.evidence.schemas import FileRef
from schools.domain.evidence.service import EvidenceService
from schools.outbox import outbox
from tenants import TenantContext

#: The flag of a plan without a drill in the current term.
NOT_DRILLED_THIS_TERM = "not_drilled_this_term"


def _ref(file: EvidenceFile) -> FileRef:
    return FileRef(id=file.id, filename=file.filename, content_type=file.content_type, size=file.size)


class EmergencyService:
    def __init__(self, session: AsyncSession, tenant: TenantContext, *, clock: Clock = system_clock) -> None:
        self.session = session
        self.tenant = tenant
        self.clock = clock
        self.repository = EmergencyRepository(session)
        self.files = EvidenceService(session, tenant)

    @property
    def today(self) -> dt.date:
        return local_date(self.clock())

    async def get(self, plan_id: uuid.UUID, *, for_update: bool = False) -> EmergencyPlan:
        plan = await self.repository.get_plan(plan_id, for_update=for_update)
        if plan is None:
            raise NotFoundError("emergency plan not found")
        return plan

    async def create(self, data: schemas.PlanCreate) -> EmergencyPlan:
        assert self.tenant.school_id is not None  # school roles only (route guard)
        if await self.repository.title_taken(self.tenant.school_id, data.kind, data.title):
            raise ConflictError(
                "the school already has this plan", errors=[{"key": "title", "message": "already registered"}]
            )
        self._check_approved(data.approved_on)
        file = await self.files.require_optional(data.file_id, key="file_id", school_id=self.tenant.school_id)
        plan = EmergencyPlan(
            id=uuid.uuid4(),
            county_id=self.tenant.county_id,
            school_id=self.tenant.school_id,
            kind=data.kind,
            title=data.title,
            responsible_name=data.responsible_name,
            approved_on=data.approved_on,
            file_id=file.id if file else None,
            summary=data.summary,
        )
        self.repository.add(plan)
        await self.session.flush()
        await self.session.refresh(plan, ["drills", "updated_at", "created_at"])
        await self.publish_statistics(plan.school_id)
        return plan

    async def update(self, plan_id: uuid.UUID, data: schemas.PlanUpdate) -> EmergencyPlan:
        plan = await self.get(plan_id, for_update=True)
        changes = {k: v for k, v in msgspec.structs.asdict(data).items() if v is not msgspec.UNSET}
        if not changes:
            raise InvalidInputError("nothing to change")
        if "approved_on" in changes:
            self._check_approved(changes["approved_on"])
        if changes.get("file_id") is not None:
            await self.files.require(changes["file_id"], key="file_id", school_id=plan.school_id)
        renamed = "title" in changes and changes["title"] != plan.title
        if renamed and await self.repository.title_taken(plan.school_id, plan.kind, changes["title"]):
            raise ConflictError(
                "the school already has this plan", errors=[{"key": "title", "message": "already registered"}]
            )
        for key, value in changes.items():
            setattr(plan, key, value)
        await self.session.flush()
        await self.session.refresh(plan, ["updated_at"])
        return plan

    def _check_approved(self, approved_on: dt.date | None) -> None:
        if approved_on is not None and approved_on > self.today:
            raise InvalidInputError(
                "the approval date is in the future",
                errors=[{"key": "approved_on", "message": "in the future"}],
            )

    async def record_drill(self, plan_id: uuid.UUID, data: schemas.DrillCreate) -> Drill:
        plan = await self.get(plan_id, for_update=True)
        if data.held_on > self.today:
            raise InvalidInputError(
                "a drill is recorded once it took place",
                errors=[{"key": "held_on", "message": "in the future"}],
            )
        if len(set(data.photo_ids)) != len(data.photo_ids):
            raise InvalidInputError(
                "a photo is listed twice", errors=[{"key": "photo_ids", "message": "duplicate"}]
            )
        for index, photo_id in enumerate(data.photo_ids):
            await self.files.require(
                photo_id, key=f"photo_ids[{index}]", school_id=plan.school_id, allowed=IMAGE_TYPES
            )
        drill = Drill(
            id=uuid.uuid4(),
            county_id=plan.county_id,
            school_id=plan.school_id,
            plan_id=plan.id,
            held_on=data.held_on,
            scenario=data.scenario,
            participants=data.participants,
            participant_groups=data.participant_groups,
            evacuation_seconds=data.evacuation_seconds,
            findings=data.findings,
            photo_ids=list(data.photo_ids),
            recorded_by=self.tenant.user_id,
            recorded_by_name=self.tenant.username,
        )
        self.repository.add(drill)
        await self.session.flush()
        await self.session.refresh(drill, ["created_at"])
        await self.session.refresh(plan, ["drills"])
        await self.publish_statistics(plan.school_id)
        return drill

    async def publish_statistics(self, school_id: uuid.UUID) -> DrillStatistics:
        """Announce the school's drills against its plans this term (``schools.drills.updated``), in the
        transaction of the change."""
        term = term_of(self.today)
        plans, drilled, drills = await self.repository.drill_figures(school_id, term.starts_on, term.ends_on)
        statistics = DrillStatistics(
            school_id=school_id,
            term=term.name,
            term_starts_on=term.starts_on,
            term_ends_on=term.ends_on,
            plans=plans,
            drilled_plans=drilled,
            drills=drills,
            as_of=self.clock(),
        )
        await outbox.add(
            self.session, DRILLS_UPDATED, statistics, county_id=self.tenant.county_id, school_id=school_id
        )
        return statistics

    # --- reading -----------------------------------------------------------------------------------------
    async def plans(
        self, *, school_id: uuid.UUID | None, kind: PlanKind | None, undrilled_only: bool = False
    ) -> list[schemas.Plan]:
        plans = await self.repository.find_plans(school_id=school_id, kind=kind)
        files = await EvidenceRepository(self.session).many(p.file_id for p in plans if p.file_id)
        term = term_of(self.today)
        views = [self._summary(plan, term, files) for plan in plans]
        return [v for v in views if v.flag] if undrilled_only else views

    async def detail(self, plan: EmergencyPlan) -> schemas.PlanDetail:
        files = await EvidenceRepository(self.session).many(
            [*([plan.file_id] if plan.file_id else []), *(p for d in plan.drills for p in d.photo_ids)]
        )
        summary = self._summary(plan, term_of(self.today), files)
        return schemas.PlanDetail(
            **msgspec.structs.asdict(summary),
            drills=[self._drill(d, files) for d in plan.drills],
        )

    def _drill(self, drill: Drill, files: dict[uuid.UUID, EvidenceFile]) -> schemas.Drill:
        return schemas.Drill(
            id=drill.id,
            plan_id=drill.plan_id,
            held_on=drill.held_on,
            scenario=drill.scenario,
            participants=drill.participants,
            participant_groups=drill.participant_groups,
            evacuation_seconds=drill.evacuation_seconds,
            findings=drill.findings,
            photos=[_ref(files[p]) for p in drill.photo_ids if p in files],
            recorded_by_name=drill.recorded_by_name,
            created_at=drill.created_at,
        )

    def _summary(self, plan: EmergencyPlan, term: Term, files: dict[uuid.UUID, EvidenceFile]) -> schemas.Plan:
        drilled = any(term.contains(d.held_on) for d in plan.drills)
        file = files.get(plan.file_id) if plan.file_id else None
        return schemas.Plan(
            id=plan.id,
            school_id=plan.school_id,
            kind=plan.kind,
            title=plan.title,
            responsible_name=plan.responsible_name,
            approved_on=plan.approved_on,
            file=_ref(file) if file else None,
            summary=plan.summary,
            term=term.name,
            drilled_this_term=drilled,
            flag=None if drilled else NOT_DRILLED_THIS_TERM,
            last_drill_on=max((d.held_on for d in plan.drills), default=None),
            drill_count=len(plan.drills),
            updated_at=plan.updated_at,
        )
