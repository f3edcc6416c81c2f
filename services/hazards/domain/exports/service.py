"""Exports of the register (XLSX, school or county) and of a hazard's rectification notice (PDF)."""

from __future__ import annotations

import asyncio
import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from hazards import SERVICE
from hazards.clock import Clock, local_date, system_clock
from hazards.domain.directory import DirectoryRepository
from hazards.domain.exports.notice import notice_pdf
from hazards.domain.exports.register import register_workbook
from hazards.domain.hazards.repository import HazardFilter, HazardRepository
from hazards.domain.hazards.service import HazardService
from hazards.domain.statistics.service import StatisticsService
from kit.audit import AuditLog
from kit.errors import InvalidInputError
from tenants import TenantContext

#: The largest register exported in one file; narrow a larger one by school or year.
MAX_EXPORT_ROWS = 20_000


class ExportService:
    def __init__(self, session: AsyncSession, tenant: TenantContext, *, clock: Clock = system_clock) -> None:
        self.session = session
        self.tenant = tenant
        self.clock = clock

    async def register(
        self, *, school_id: uuid.UUID | None, year: int | None, lang: str
    ) -> tuple[str, bytes]:
        """The register the caller reaches (a school's, or the bureau's county with a summary sheet)."""
        now = self.clock()
        today = local_date(now)
        hazards = await HazardRepository(self.session).all(
            HazardFilter(school_id=school_id, year=year), today=today, limit=MAX_EXPORT_ROWS + 1
        )
        if len(hazards) > MAX_EXPORT_ROWS:
            raise InvalidInputError(
                f"more than {MAX_EXPORT_ROWS} hazards; export one school or one year at a time",
                errors=[{"key": "year", "message": "narrow the export"}],
            )
        county_wide = "bureau" in self.tenant.roles and school_id is None
        directory = DirectoryRepository(self.session)
        names = await directory.names({h.school_id for h in hazards})
        summary = []
        if county_wide:
            stats = await StatisticsService(self.session, self.tenant, clock=self.clock).statistics(year=year)
            summary = stats.schools
        content = await asyncio.to_thread(
            register_workbook,
            hazards,
            school_names={sid: entry.name for sid, entry in names.items()},
            today=today,
            lang=lang,
            summary=summary,
        )
        # Reading a whole register out is recorded like a sensitive read (who took which data, when).
        await AuditLog(self.session, SERVICE).record(
            "hazard_register.export",
            object_type="hazard_register",
            object_id=school_id or self.tenant.school_id or self.tenant.county_id,
            school_id=school_id or self.tenant.school_id,
            after=[str(h.id) for h in hazards],
        )
        own_school = school_id or self.tenant.school_id
        entry = await directory.get(own_school) if own_school and not county_wide else None
        scope = "county" if county_wide else (entry.code if entry else "school")
        suffix = f"-{year}" if year else ""
        return f"hazard-register-{scope}{suffix}-{today.isoformat()}.xlsx", content

    async def notice(self, hazard_id: uuid.UUID, *, lang: str) -> tuple[str, bytes]:
        hazard = await HazardService(self.session, self.tenant, clock=self.clock).get(hazard_id)
        entry = await DirectoryRepository(self.session).get(hazard.school_id)
        content = await notice_pdf(
            hazard, school_name=entry.name if entry else "", now=self.clock(), lang=lang
        )
        return f"rectification-notice-{hazard.number}.pdf", content
