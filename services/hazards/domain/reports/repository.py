"""SQL for report links and the public review queue."""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import func, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from hazards.domain.hazards.models import Photo
from hazards.domain.reports.models import PublicReport, PublicReportStatus, ReportLink

#: Lets this transaction read the one link whose token it names (the ``public_lookup`` policy).
_NAME_TOKEN = text("select set_config('app.report_token', :token, true)")


class ReportRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def active_link(self) -> ReportLink | None:
        """The caller's school's active link (RLS: school users see only their school's)."""
        query = (
            select(ReportLink).where(ReportLink.revoked_at.is_(None)).order_by(ReportLink.created_at.desc())
        )
        return (await self.session.execute(query.limit(1).with_for_update())).scalar_one_or_none()

    async def link_by_token(self, token: str) -> ReportLink | None:
        """The active link with ``token``, read without a tenant: only that one row becomes visible."""
        await self.session.execute(_NAME_TOKEN, {"token": token})
        query = select(ReportLink).where(ReportLink.token == token, ReportLink.revoked_at.is_(None))
        return (await self.session.execute(query)).scalar_one_or_none()

    def add_link(self, link: ReportLink) -> None:
        self.session.add(link)

    async def get(self, report_id: uuid.UUID, *, for_update: bool = False) -> PublicReport | None:
        query = select(PublicReport).where(PublicReport.id == report_id)
        if for_update:
            query = query.with_for_update()
        return (await self.session.execute(query)).scalar_one_or_none()

    async def page(
        self, *, status: PublicReportStatus | None, school_id: uuid.UUID | None, limit: int, offset: int
    ) -> tuple[list[PublicReport], int]:
        conditions = []
        if status is not None:
            conditions.append(PublicReport.status == status)
        if school_id is not None:
            conditions.append(PublicReport.school_id == school_id)
        total = (
            await self.session.execute(select(func.count()).select_from(PublicReport).where(*conditions))
        ).scalar_one()
        query = (
            select(PublicReport)
            .where(*conditions)
            .order_by(PublicReport.received_at.desc(), PublicReport.id)
            .limit(limit)
            .offset(offset)
        )
        return list((await self.session.execute(query)).scalars()), int(total)

    async def duplicate_exists(self, *, client_hash: str, description: str, since: dt.datetime) -> bool:
        query = select(PublicReport.id).where(
            PublicReport.client_hash == client_hash,
            PublicReport.description == description,
            PublicReport.received_at >= since,
        )
        return (await self.session.execute(query.limit(1))).first() is not None

    async def photos(self, report_id: uuid.UUID) -> list[Photo]:
        query = select(Photo).where(Photo.public_report_id == report_id).order_by(Photo.created_at, Photo.id)
        return list((await self.session.execute(query)).scalars())

    def add(self, report: PublicReport) -> None:
        self.session.add(report)
