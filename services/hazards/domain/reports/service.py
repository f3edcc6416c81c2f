"""The school's side of the public reporting channel: its QR link and the review queue. Never commits."""

from __future__ import annotations

import secrets
import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from hazards.clock import Clock, system_clock
from hazards.domain.hazards.service import HazardService, photo_info
from hazards.domain.reports import schemas
from hazards.domain.reports.models import PublicReport, PublicReportStatus, ReportLink
from hazards.domain.reports.repository import ReportRepository
from hazards.vocabulary import Source
from kit.audit import name_action
from kit.errors import ConflictError, InvalidInputError, NotFoundError
from tenants import TenantContext

PUBLIC_PATH = "/public/reports/{token}"


def reference_of(report_id: uuid.UUID) -> str:
    """The short reference a reporter is given (and the school sees next to the report)."""
    return report_id.hex[:8].upper()


def link_schema(link: ReportLink) -> schemas.ReportLink:
    return schemas.ReportLink(
        token=link.token, path=PUBLIC_PATH.format(token=link.token), created_at=link.created_at
    )


class ReportReviewService:
    def __init__(self, session: AsyncSession, tenant: TenantContext, *, clock: Clock = system_clock) -> None:
        self.session = session
        self.tenant = tenant
        self.clock = clock
        self.repository = ReportRepository(session)

    # --- the school's link --------------------------------------------------------------------------------
    async def current_link(self) -> ReportLink:
        """The school's active link, created on first use."""
        link = await self.repository.active_link()
        return link or await self._new_link()

    async def rotate_link(self) -> ReportLink:
        """Revoke the active link (its QR codes stop working) and issue a new one."""
        link = await self.repository.active_link()
        if link is not None:
            name_action(link, "report_link.revoke")
            link.revoked_at = self.clock()
            await self.session.flush()
        return await self._new_link()

    async def _new_link(self) -> ReportLink:
        assert self.tenant.school_id is not None  # principals only (route guard)
        link = ReportLink(
            id=uuid.uuid4(),
            county_id=self.tenant.county_id,
            school_id=self.tenant.school_id,
            token=secrets.token_urlsafe(16),
            created_by=self.tenant.user_id,
            created_at=self.clock(),
        )
        self.repository.add_link(link)
        name_action(link, "report_link.issue")
        await self.session.flush()
        return link

    # --- the review queue ---------------------------------------------------------------------------------
    async def get(self, report_id: uuid.UUID, *, for_update: bool = False) -> PublicReport:
        report = await self.repository.get(report_id, for_update=for_update)
        if report is None:
            raise NotFoundError("report not found")
        return report

    async def to_schema(self, report: PublicReport) -> schemas.PublicReport:
        return schemas.PublicReport(
            id=report.id,
            school_id=report.school_id,
            reference=reference_of(report.id),
            received_at=report.received_at,
            category=report.category,
            area=report.area,
            location_text=report.location_text,
            description=report.description,
            contact=report.contact,
            status=report.status,
            spam=report.spam,
            reviewed_by=report.reviewed_by_name,
            reviewed_at=report.reviewed_at,
            review_note=report.review_note,
            hazard_id=report.hazard_id,
            photos=[photo_info(p) for p in await self.repository.photos(report.id)],
        )

    async def page(
        self, *, status: PublicReportStatus | None, school_id: uuid.UUID | None, limit: int, offset: int
    ) -> schemas.PublicReportPage:
        items, total = await self.repository.page(
            status=status, school_id=school_id, limit=limit, offset=offset
        )
        return schemas.PublicReportPage(
            items=[await self.to_schema(r) for r in items], total=total, limit=limit, offset=offset
        )

    async def _pending(self, report_id: uuid.UUID) -> PublicReport:
        report = await self.get(report_id, for_update=True)
        if report.status != PublicReportStatus.PENDING:
            raise ConflictError(f"the report has already been reviewed ({report.status.value})")
        return report

    def _reviewed(self, report: PublicReport, status: PublicReportStatus, note: str) -> None:
        name_action(
            report,
            "public_report.accept" if status == PublicReportStatus.ACCEPTED else "public_report.dismiss",
        )
        report.status = status
        report.reviewed_by = self.tenant.user_id
        report.reviewed_by_name = self.tenant.username
        report.reviewed_at = self.clock()
        report.review_note = note

    async def accept(self, report_id: uuid.UUID, data: schemas.Acceptance) -> uuid.UUID:
        """Enter the report in the register as a reported hazard; its photos become the hazard's."""
        report = await self._pending(report_id)
        area = data.area or report.area
        if area is None:
            raise InvalidInputError(
                "name the campus area", errors=[{"key": "area", "message": "the reporter gave none"}]
            )
        hazards = HazardService(self.session, self.tenant, clock=self.clock)
        hazard = await hazards.register(
            school_id=report.school_id,
            title=data.title,
            category=data.category or report.category,
            area=area,
            description=report.description,
            location_text=report.location_text,
            severity=data.severity,
            source=Source.PUBLIC_REPORT,
            details={
                "public_report": reference_of(report.id),
                "received_at": report.received_at.isoformat(),
                "note": data.note,
            },
        )
        for photo in await self.repository.photos(report.id):
            photo.hazard_id = hazard.id
        self._reviewed(report, PublicReportStatus.ACCEPTED, data.note)
        report.hazard_id = hazard.id
        await self.session.flush()
        return hazard.id

    async def dismiss(self, report_id: uuid.UUID, data: schemas.Dismissal) -> PublicReport:
        report = await self._pending(report_id)
        self._reviewed(report, PublicReportStatus.DISMISSED, data.reason)
        report.spam = data.spam
        await self.session.flush()
        return report
