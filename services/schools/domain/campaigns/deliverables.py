"""What a school records for its campaign, phase by phase. Never commits.

A deliverable belongs to one phase; it can be recorded while that phase is pending or open, and is frozen
once the phase is closed (the bureau reopens the phase to let it change). Files must be the school's own
evidence files; photos must be images.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable

import msgspec
from sqlalchemy.ext.asyncio import AsyncSession

from kit.errors import ConflictError, InvalidInputError, NotFoundError
from kit.storage import IMAGE_TYPES
from schools.domain.campaigns import schemas
from schools.domain.campaigns.calendar import Clock, local_date, system_clock
from schools.domain.campaigns.instances import SchoolCampaignService
from schools.domain.campaigns.models import (
    Campaign,
    CampaignStatus,
    DeploymentMeeting,
    EvidenceKind,
    ImplementationPlan,
    LeadingGroup,
    LongTermMechanism,
    MeasureEvidence,
    PhaseStatus,
    ResponsibilityAssignment,
    SchoolCampaign,
    SummaryReport,
)
from schools.domain.campaigns.progress import applies
from schools.domain.campaigns.repository import DeliverableRepository
from schools.domain.campaigns.vocabulary import MEASURES, PHASE_OF, Deliverable, required_areas
from schools.domain.documents.repository import DocumentRepository
from schools.domain.emergency.repository import EmergencyRepository
from schools.domain.evidence.models import EvidenceFile
from schools.domain.evidence.repository import EvidenceRepository
from schools.domain.evidence.schemas import FileRef
from schools.domain.evidence.service import EvidenceService
from schools.domain.schools.models import School
from tenants import TenantContext


def _invalid(key: str, message: str) -> InvalidInputError:
    return InvalidInputError(message, errors=[{"key": key, "message": message}])


def _file_ref(file: EvidenceFile | None) -> FileRef | None:
    if file is None:
        return None
    return FileRef(id=file.id, filename=file.filename, content_type=file.content_type, size=file.size)


class DeliverableService:
    def __init__(self, session: AsyncSession, tenant: TenantContext, *, clock: Clock = system_clock) -> None:
        self.session = session
        self.tenant = tenant
        self.clock = clock
        self.instances = SchoolCampaignService(session, tenant, clock=clock)
        self.repository = DeliverableRepository(session)
        self.files = EvidenceService(session, tenant)

    @property
    def today(self) -> dt.date:
        return local_date(self.clock())

    def _not_future(self, key: str, day: dt.date) -> None:
        if day > self.today:
            raise _invalid(key, "this date is in the future")

    async def _editable(
        self, school_campaign_id: uuid.UUID, deliverable: Deliverable
    ) -> tuple[SchoolCampaign, School]:
        """The instance, if the phase ``deliverable`` belongs to can still take it (404 / 409 otherwise)."""
        instance, campaign, school = await self.instances.context(school_campaign_id, for_update=True)
        self._check_open(instance, campaign, deliverable)
        return instance, school

    @staticmethod
    def _check_open(instance: SchoolCampaign, campaign: Campaign, deliverable: Deliverable) -> None:
        if campaign.status is not CampaignStatus.LAUNCHED:
            raise ConflictError("the campaign is closed; its deliverables no longer change")
        phase = PHASE_OF[deliverable]
        if instance.phase(phase).status is PhaseStatus.CLOSED:
            raise ConflictError(f"the {phase.value} phase is closed; the bureau can reopen it")

    async def _file(
        self, file_id: uuid.UUID, key: str, school: School, *, photo: bool = False
    ) -> EvidenceFile:
        return await self.files.require(
            file_id, key=key, school_id=school.id, allowed=IMAGE_TYPES if photo else None
        )

    async def _optional_file(
        self, file_id: uuid.UUID | None, key: str, school: School
    ) -> EvidenceFile | None:
        return None if file_id is None else await self._file(file_id, key, school)

    # --- deployment --------------------------------------------------------------------------------------
    async def set_leading_group(self, school_campaign_id: uuid.UUID, data: schemas.LeadingGroupInput) -> None:
        """The leading group: the school's principal leads it, the members have their duties."""
        instance, school = await self._editable(school_campaign_id, Deliverable.LEADING_GROUP)
        self._not_future("established_on", data.established_on)
        members = [msgspec.to_builtins(m) for m in data.members]
        group = await self.repository.leading_group(instance.id, for_update=True)
        if group is None:
            group = LeadingGroup(
                id=uuid.uuid4(),
                county_id=instance.county_id,
                school_id=instance.school_id,
                school_campaign_id=instance.id,
            )
            self.repository.add(group)
        group.leader_name = school.principal_name
        group.leader_user_id = school.principal_user_id
        group.leader_duties = data.leader_duties
        group.established_on = data.established_on
        group.members = members
        await self.session.flush()

    async def add_meeting(self, school_campaign_id: uuid.UUID, data: schemas.MeetingInput) -> uuid.UUID:
        instance, school = await self._editable(school_campaign_id, Deliverable.DEPLOYMENT_MEETING)
        self._not_future("held_on", data.held_on)
        attachment = await self._optional_file(data.attachment_id, "attachment_id", school)
        meeting = DeploymentMeeting(
            id=uuid.uuid4(),
            county_id=instance.county_id,
            school_id=instance.school_id,
            school_campaign_id=instance.id,
            held_on=data.held_on,
            title=data.title,
            attendees=list(data.attendees),
            minutes=data.minutes,
            attachment_id=attachment.id if attachment else None,
        )
        self.repository.add(meeting)
        await self.session.flush()
        return meeting.id

    async def remove_meeting(self, school_campaign_id: uuid.UUID, meeting_id: uuid.UUID) -> None:
        instance, _ = await self._editable(school_campaign_id, Deliverable.DEPLOYMENT_MEETING)
        meeting = await self.repository.meeting(instance.id, meeting_id)
        if meeting is None:
            raise NotFoundError("meeting not found")
        await self.repository.remove(meeting)
        await self.session.flush()

    async def set_implementation_plan(
        self, school_campaign_id: uuid.UUID, data: schemas.ImplementationPlanInput
    ) -> None:
        instance, school = await self._editable(school_campaign_id, Deliverable.IMPLEMENTATION_PLAN)
        self._not_future("adopted_on", data.adopted_on)
        file = await self._file(data.file_id, "file_id", school)
        plan = await self.repository.implementation_plan(instance.id, for_update=True)
        if plan is None:
            plan = ImplementationPlan(
                id=uuid.uuid4(),
                county_id=instance.county_id,
                school_id=instance.school_id,
                school_campaign_id=instance.id,
            )
            self.repository.add(plan)
        plan.title, plan.file_id, plan.adopted_on, plan.summary = (
            data.title,
            file.id,
            data.adopted_on,
            data.summary,
        )
        await self.session.flush()

    async def set_responsibilities(
        self, school_campaign_id: uuid.UUID, data: schemas.ResponsibilitiesInput
    ) -> None:
        """Replace the list of responsibility assignments ("who is in charge is responsible")."""
        instance, school = await self._editable(school_campaign_id, Deliverable.RESPONSIBILITY_ASSIGNMENTS)
        files = []
        for index, item in enumerate(data.assignments):
            if item.signed_on is not None:
                self._not_future(f"assignments[{index}].signed_on", item.signed_on)
            files.append(await self._optional_file(item.file_id, f"assignments[{index}].file_id", school))
        for old in await self.repository.assignments(instance.id):
            await self.repository.remove(old)
        await self.session.flush()
        for position, (item, file) in enumerate(zip(data.assignments, files, strict=True)):
            self.repository.add(
                ResponsibilityAssignment(
                    id=uuid.uuid4(),
                    county_id=instance.county_id,
                    school_id=instance.school_id,
                    school_campaign_id=instance.id,
                    position=position,
                    duty=item.duty,
                    responsible_name=item.responsible_name,
                    responsible_title=item.responsible_title,
                    signed_on=item.signed_on,
                    file_id=file.id if file else None,
                )
            )
        await self.session.flush()

    # --- remediation -------------------------------------------------------------------------------------
    async def add_evidence(self, school_campaign_id: uuid.UUID, data: schemas.EvidenceInput) -> uuid.UUID:
        """Evidence that a remediation measure is in place: a document, a photo, or a record of a service."""
        instance, campaign, school = await self.instances.context(school_campaign_id, for_update=True)
        if data.measure not in MEASURES:
            raise _invalid("measure", "not a remediation measure")
        self._check_open(instance, campaign, data.measure)
        if not applies(data.measure, school.boarding):
            raise _invalid("measure", "this measure does not apply to a school without dormitories")
        file_id: uuid.UUID | None = None
        record = data.record
        if data.kind is EvidenceKind.RECORD:
            if record is None or data.file_id is not None:
                raise _invalid("record", "a record reference (and no file) is needed")
            await self._check_record(record)
        else:
            if data.file_id is None or record is not None:
                raise _invalid("file_id", "a file (and no record reference) is needed")
            file_id = (
                await self._file(data.file_id, "file_id", school, photo=data.kind is EvidenceKind.PHOTO)
            ).id
        evidence = MeasureEvidence(
            id=uuid.uuid4(),
            county_id=instance.county_id,
            school_id=instance.school_id,
            school_campaign_id=instance.id,
            measure=data.measure.value,
            kind=data.kind,
            file_id=file_id,
            record_service=record.service.value if record else None,
            record_type=record.type if record else None,
            record_id=record.id if record else None,
            note=data.note,
            added_by=self.tenant.user_id,
            added_by_name=self.tenant.username,
        )
        self.repository.add(evidence)
        await self.session.flush()
        return evidence.id

    async def _check_record(self, record: schemas.RecordRef) -> None:
        """A record of this service must exist for the school; other services' records are taken as named
        (services never call each other synchronously)."""
        if record.service is not schemas.RecordService.SCHOOLS:
            return
        found: object | None = None
        try:
            record_id = uuid.UUID(record.id)
        except ValueError:
            record_id = None
        if record_id is not None:
            if record.type == "management_document":
                found = await DocumentRepository(self.session).get(record_id)
            elif record.type == "emergency_plan":
                found = await EmergencyRepository(self.session).get_plan(record_id)
            elif record.type == "drill":
                found = await EmergencyRepository(self.session).get_drill(record_id)
            elif record.type == "evidence_file":
                found = await EvidenceRepository(self.session).get(record_id)
            else:
                raise _invalid("record.type", "management_document, emergency_plan, drill or evidence_file")
        if found is None:
            raise _invalid("record.id", "no such record")

    async def remove_evidence(self, school_campaign_id: uuid.UUID, evidence_id: uuid.UUID) -> None:
        instance, campaign, _ = await self.instances.context(school_campaign_id, for_update=True)
        evidence = await self.repository.evidence_item(instance.id, evidence_id)
        if evidence is None:
            raise NotFoundError("evidence not found")
        self._check_open(instance, campaign, Deliverable(evidence.measure))
        await self.repository.remove(evidence)
        await self.session.flush()

    # --- consolidation -----------------------------------------------------------------------------------
    async def set_summary(self, school_campaign_id: uuid.UUID, data: schemas.SummaryInput) -> None:
        instance, school = await self._editable(school_campaign_id, Deliverable.SUMMARY_REPORT)
        file = await self._optional_file(data.file_id, "file_id", school)
        report = await self.repository.summary_report(instance.id, for_update=True)
        if report is None:
            report = SummaryReport(
                id=uuid.uuid4(),
                county_id=instance.county_id,
                school_id=instance.school_id,
                school_campaign_id=instance.id,
            )
            self.repository.add(report)
        report.summary, report.file_id = data.summary, file.id if file else None
        await self.session.flush()

    async def set_mechanisms(self, school_campaign_id: uuid.UUID, data: schemas.MechanismsInput) -> None:
        """Record (or replace) some of the five long-term mechanisms."""
        instance, school = await self._editable(school_campaign_id, Deliverable.LONG_TERM_MECHANISMS)
        names = [m.mechanism for m in data.mechanisms]
        if len(set(names)) != len(names):
            raise _invalid("mechanisms", "name each mechanism once")
        existing = {m.mechanism: m for m in await self.repository.mechanisms(instance.id)}
        for index, item in enumerate(data.mechanisms):
            file = await self._optional_file(item.file_id, f"mechanisms[{index}].file_id", school)
            row = existing.get(item.mechanism)
            if row is None:
                row = LongTermMechanism(
                    id=uuid.uuid4(),
                    county_id=instance.county_id,
                    school_id=instance.school_id,
                    school_campaign_id=instance.id,
                    mechanism=item.mechanism,
                )
                self.repository.add(row)
            row.description, row.file_id = item.description, file.id if file else None
        await self.session.flush()

    # --- reading -----------------------------------------------------------------------------------------
    async def contents(self, school_campaign_id: uuid.UUID) -> schemas.Deliverables:
        """Everything recorded for (or reported to) the school's campaign."""
        instance, _, school = await self.instances.context(school_campaign_id)
        sc = instance.id
        group = await self.repository.leading_group(sc)
        meetings = await self.repository.meetings(sc)
        plan = await self.repository.implementation_plan(sc)
        assignments = await self.repository.assignments(sc)
        evidence = await self.repository.evidence(sc)
        summary = await self.repository.summary_report(sc)
        mechanisms = await self.repository.mechanisms(sc)
        report = await self.repository.investigation_report(sc)
        files = await EvidenceRepository(self.session).many(
            _file_ids(
                [m.attachment_id for m in meetings],
                [plan.file_id if plan else None],
                [a.file_id for a in assignments],
                [e.file_id for e in evidence],
                [summary.file_id if summary else None],
                [m.file_id for m in mechanisms],
            )
        )

        def ref(file_id: uuid.UUID | None) -> FileRef | None:
            return _file_ref(files.get(file_id)) if file_id else None

        by_measure: dict[str, list[schemas.Evidence]] = {}
        for item in evidence:
            by_measure.setdefault(item.measure, []).append(
                schemas.Evidence(
                    id=item.id,
                    measure=Deliverable(item.measure),
                    kind=item.kind,
                    file=ref(item.file_id),
                    record=schemas.RecordRef(
                        service=schemas.RecordService(item.record_service),
                        type=item.record_type,
                        id=item.record_id,
                    )
                    if item.record_service and item.record_type and item.record_id
                    else None,
                    note=item.note,
                    added_by_name=item.added_by_name,
                    created_at=item.created_at,
                )
            )
        plan_file = ref(plan.file_id) if plan else None
        return schemas.Deliverables(
            leading_group=schemas.LeadingGroup(
                leader_name=group.leader_name,
                leader_duties=group.leader_duties,
                established_on=group.established_on,
                members=msgspec.convert(group.members, list[schemas.GroupMember]),
                updated_at=group.updated_at,
            )
            if group
            else None,
            meetings=[
                schemas.Meeting(
                    id=m.id,
                    held_on=m.held_on,
                    title=m.title,
                    attendees=list(m.attendees),
                    minutes=m.minutes,
                    attachment=ref(m.attachment_id),
                    created_at=m.created_at,
                )
                for m in meetings
            ],
            implementation_plan=schemas.ImplementationPlan(
                title=plan.title,
                file=plan_file,
                adopted_on=plan.adopted_on,
                summary=plan.summary,
                updated_at=plan.updated_at,
            )
            if plan and plan_file
            else None,
            responsibilities=[
                schemas.Assignment(
                    duty=a.duty,
                    responsible_name=a.responsible_name,
                    responsible_title=a.responsible_title,
                    signed_on=a.signed_on,
                    file=ref(a.file_id),
                )
                for a in assignments
            ],
            required_areas=required_areas(school.boarding),
            sign_offs=[
                schemas.SignOff(
                    area=s.area,
                    patrol_id=s.patrol_id,
                    inspector_name=s.inspector_name,
                    findings=s.findings,
                    hazards_found=s.hazards_found,
                    signed_at=s.signed_at,
                )
                for s in await self.repository.sign_offs(sc)
            ],
            investigation_report=schemas.InvestigationReport(
                patrol_id=report.patrol_id,
                submitted_by_name=report.submitted_by_name,
                hazards_found=report.hazards_found,
                summary=report.summary,
                submitted_at=report.submitted_at,
            )
            if report
            else None,
            measures=[
                schemas.MeasureView(
                    measure=measure,
                    applicable=applies(measure, school.boarding),
                    evidence=by_measure.get(measure, []),
                )
                for measure in MEASURES
            ],
            inspection_results=[
                schemas.InspectionResult(
                    inspection_id=r.inspection_id,
                    outcome=r.outcome,
                    score=r.score,
                    summary=r.summary,
                    rectification_requests=list(r.rectification_requests),
                    decided_at=r.decided_at,
                )
                for r in await self.repository.inspection_results(sc)
            ],
            summary_report=schemas.SummaryReport(
                summary=summary.summary, file=ref(summary.file_id), updated_at=summary.updated_at
            )
            if summary
            else None,
            mechanisms=[
                schemas.MechanismView(
                    mechanism=m.mechanism,
                    description=m.description,
                    file=ref(m.file_id),
                    updated_at=m.updated_at,
                )
                for m in mechanisms
            ],
        )


def _file_ids(*groups: Iterable[uuid.UUID | None]) -> list[uuid.UUID]:
    return [file_id for group in groups for file_id in group if file_id is not None]
