"""Rules of the self-assessment: the principal scores the school's people-scored items with evidence, then
submits it before the inspection; a submitted self-assessment no longer changes. Never commits."""

from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from evaluation import SERVICE
from evaluation.clock import Clock, system_clock
from evaluation.domain.campaigns.models import Campaign
from evaluation.domain.campaigns.service import CampaignService
from evaluation.domain.directory.repository import DirectoryRepository
from evaluation.domain.rankings.scoring import Entry, score_school
from evaluation.domain.rubrics.definition import Item, ItemKind, Rubric
from evaluation.domain.self_assessment import schemas
from evaluation.domain.self_assessment.models import (
    SelfAssessment,
    SelfAssessmentEntry,
    SelfAssessmentEvidence,
    SelfAssessmentStatus,
)
from evaluation.domain.self_assessment.repository import SelfAssessmentRepository
from evaluation.files import EVIDENCE_TYPES, store_upload
from kit.audit import AuditLog, name_action
from kit.errors import ConflictError, InvalidInputError, NotFoundError
from tenants import TenantContext


def scorable_item(rubric: Rubric, code: str) -> Item:
    """The rubric item a person may score (404: the code is part of the URL)."""
    item = rubric.item(code)
    if item is None or not item.scored_by_people:
        raise NotFoundError("no such item to score in this rubric")
    return item


def check_entry(item: Item, points: float | None, triggered: bool) -> None:
    """Points for an indicator or bonus item (within its maximum), ``triggered`` only for a veto item."""
    if item.kind is ItemKind.VETO:
        if points is not None:
            raise InvalidInputError(
                "a veto item takes no points", errors=[{"key": "points", "message": "not allowed"}]
            )
        return
    if triggered:
        raise InvalidInputError(
            "only a veto item is triggered", errors=[{"key": "triggered", "message": "not allowed"}]
        )
    if points is None:
        raise InvalidInputError("points are required", errors=[{"key": "points", "message": "required"}])
    if points > item.max_points:
        raise InvalidInputError(
            f"at most {item.max_points:g} points",
            errors=[{"key": "points", "message": f"at most {item.max_points:g}"}],
        )


def evidence_schema(row: SelfAssessmentEvidence) -> schemas.EvidenceFile:
    return schemas.EvidenceFile(
        id=row.id,
        content_type=row.content_type,
        size=row.size,
        uploaded_by=row.uploaded_by,
        uploaded_at=row.uploaded_at,
        url=f"/self-assessment-evidence/{row.id}",
    )


def sheet_schema(
    campaign: Campaign,
    school_id: uuid.UUID,
    rubric: Rubric,
    sheet: SelfAssessment | None,
    entries: list[SelfAssessmentEntry],
    evidence: list[SelfAssessmentEvidence],
) -> schemas.SelfAssessment:
    by_code = {e.item_code: e for e in entries}
    files: dict[str, list[schemas.EvidenceFile]] = {}
    for row in evidence:
        files.setdefault(row.item_code, []).append(evidence_schema(row))
    items = []
    for item in rubric.items:
        if not item.scored_by_people:
            continue
        entry = by_code.get(item.code)
        items.append(
            schemas.SheetItem(
                code=item.code,
                kind=item.kind.value,
                title=item.title,
                category=item.category,
                max_points=item.max_points,
                guidance=item.guidance,
                required_evidence=list(item.required_evidence),
                points=entry.points if entry else None,
                triggered=entry.triggered if entry else False,
                comment=entry.comment if entry else "",
                evidence_note=entry.evidence_note if entry else "",
                evidence=files.get(item.code, []),
                updated_by=entry.updated_by if entry else None,
                updated_at=entry.updated_at if entry else None,
            )
        )
    score = score_school(rubric, {e.item_code: Entry(e.points, e.triggered) for e in entries}, {})
    return schemas.SelfAssessment(
        campaign_id=campaign.id,
        school_id=school_id,
        status=sheet.status if sheet else SelfAssessmentStatus.DRAFT,
        submitted_at=sheet.submitted_at if sheet else None,
        submitted_by=sheet.submitted_by if sheet else None,
        self_pct=score.inspected_pct if entries else None,
        items=items,
    )


class SelfAssessmentService:
    def __init__(self, session: AsyncSession, tenant: TenantContext, clock: Clock = system_clock) -> None:
        self.session = session
        self.tenant = tenant
        self.clock = clock
        self.repository = SelfAssessmentRepository(session)
        self.campaigns = CampaignService(session, tenant, clock)

    def _own_school(self) -> uuid.UUID:
        assert self.tenant.school_id is not None  # school roles always carry a school (see the guards)
        return self.tenant.school_id

    async def view(self, campaign_id: uuid.UUID, school_id: uuid.UUID) -> schemas.SelfAssessment:
        """The school's self-assessment as far as it exists (an empty draft before the first score)."""
        campaign = await self.campaigns.get(campaign_id)
        rubric = await self.campaigns.rubric(campaign)
        sheet = await self.repository.find(campaign.id, school_id)
        entries = await self.repository.entries(sheet.id) if sheet else []
        evidence = await self.repository.evidence(sheet.id) if sheet else []
        return sheet_schema(campaign, school_id, rubric, sheet, entries, evidence)

    async def own(self, campaign_id: uuid.UUID) -> schemas.SelfAssessment:
        return await self.view(campaign_id, self._own_school())

    async def of_school(self, campaign_id: uuid.UUID, school_id: uuid.UUID) -> schemas.SelfAssessment:
        """The bureau's view of one school's self-assessment."""
        await self.campaigns.get(campaign_id)
        if await DirectoryRepository(self.session).get(school_id) is None:
            raise NotFoundError("school not found")
        return await self.view(campaign_id, school_id)

    async def score(
        self, campaign_id: uuid.UUID, code: str, data: schemas.EntryInput
    ) -> schemas.SelfAssessment:
        campaign = await self.campaigns.get_open(campaign_id)
        item = scorable_item(await self.campaigns.rubric(campaign), code)
        check_entry(item, data.points, data.triggered)
        sheet = await self._draft(campaign)
        entry = await self.repository.entry(sheet.id, code)
        if entry is None:
            entry = SelfAssessmentEntry(
                id=uuid.uuid4(),
                county_id=sheet.county_id,
                school_id=sheet.school_id,
                self_assessment_id=sheet.id,
                item_code=code,
            )
            self.repository.add(entry)
        entry.points = data.points
        entry.triggered = data.triggered
        entry.comment = data.comment
        entry.evidence_note = data.evidence_note
        entry.updated_by = self.tenant.username
        await self.session.flush()
        return await self.view(campaign.id, sheet.school_id)

    async def attach(self, campaign_id: uuid.UUID, code: str, data: bytes) -> schemas.EvidenceFile:
        campaign = await self.campaigns.get_open(campaign_id)
        scorable_item(await self.campaigns.rubric(campaign), code)
        sheet = await self._draft(campaign)
        stored = await store_upload(
            data, county_id=sheet.county_id, school_id=sheet.school_id, allowed=EVIDENCE_TYPES
        )
        row = SelfAssessmentEvidence(
            id=stored.id,
            county_id=sheet.county_id,
            school_id=sheet.school_id,
            self_assessment_id=sheet.id,
            item_code=code,
            content_type=stored.checked.content_type,
            size=stored.checked.size,
            sha256=stored.checked.sha256,
            storage_key=stored.key,
            uploaded_by=self.tenant.username,
        )
        self.repository.add(row)
        await self.session.flush()
        await self.session.refresh(row)
        return evidence_schema(row)

    async def submit(self, campaign_id: uuid.UUID) -> schemas.SelfAssessment:
        campaign = await self.campaigns.get_open(campaign_id)
        rubric = await self.campaigns.rubric(campaign)
        sheet = await self._draft(campaign)
        scored = {e.item_code for e in await self.repository.entries(sheet.id) if e.points is not None}
        missing = [i.code for i in rubric.indicators() if i.scored_by_people and i.code not in scored]
        if missing:
            raise InvalidInputError(
                "every indicator needs a score before submitting",
                errors=[{"key": code, "message": "not scored"} for code in missing],
            )
        name_action(sheet, "self_assessment.submit")
        sheet.status = SelfAssessmentStatus.SUBMITTED
        sheet.submitted_at = self.clock()
        sheet.submitted_by = self.tenant.username
        await self.session.flush()
        return await self.view(campaign.id, sheet.school_id)

    async def evidence_file(self, evidence_id: uuid.UUID) -> SelfAssessmentEvidence:
        """An evidence file the caller may read; an inspector's read is written to the school's audit chain."""
        row = await self.repository.evidence_file(evidence_id)
        if row is None:
            raise NotFoundError("file not found")
        if self.tenant.school_id is not None and self.tenant.school_id != row.school_id:
            await AuditLog(self.session, SERVICE).record(
                "self_assessment_evidence.read",
                object_type="self_assessment_evidence",
                object_id=row.id,
                school_id=row.school_id,
            )
        return row

    async def _draft(self, campaign: Campaign) -> SelfAssessment:
        """The school's self-assessment, created on first use; 409 once submitted."""
        school_id = self._own_school()
        sheet = await self.repository.find(campaign.id, school_id, for_update=True)
        if sheet is None:
            sheet = SelfAssessment(
                id=uuid.uuid4(),
                county_id=self.tenant.county_id,
                school_id=school_id,
                campaign_id=campaign.id,
                status=SelfAssessmentStatus.DRAFT,
            )
            self.repository.add(sheet)
            await self.session.flush()
        elif sheet.status is SelfAssessmentStatus.SUBMITTED:
            raise ConflictError("the self-assessment is submitted and can no longer change")
        return sheet
