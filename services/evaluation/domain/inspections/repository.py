"""SQL for inspection teams, assignments, scores and photos (under the caller's RLS context)."""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import distinct_on
from sqlalchemy.ext.asyncio import AsyncSession

from evaluation.domain.inspections.models import (
    DECIDED,
    GRANTING,
    Assignment,
    InspectionPhoto,
    InspectionScore,
    InspectionTeam,
    TeamMember,
)


class InspectionRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    # --- teams ------------------------------------------------------------------------------------------
    async def team(self, team_id: uuid.UUID, *, for_update: bool = False) -> InspectionTeam | None:
        query = select(InspectionTeam).where(InspectionTeam.id == team_id)
        if for_update:
            query = query.with_for_update()
        return (await self.session.execute(query)).scalar_one_or_none()

    async def teams(self, campaign_id: uuid.UUID) -> list[InspectionTeam]:
        query = (
            select(InspectionTeam)
            .where(InspectionTeam.campaign_id == campaign_id)
            .order_by(InspectionTeam.name)
        )
        return list((await self.session.execute(query)).scalars())

    async def teams_by_id(self, team_ids: list[uuid.UUID]) -> dict[uuid.UUID, InspectionTeam]:
        if not team_ids:
            return {}
        query = select(InspectionTeam).where(InspectionTeam.id.in_(team_ids))
        return {t.id: t for t in (await self.session.execute(query)).scalars()}

    async def team_name_taken(self, campaign_id: uuid.UUID, name: str) -> bool:
        query = select(InspectionTeam.id).where(
            InspectionTeam.campaign_id == campaign_id, InspectionTeam.name == name
        )
        return (await self.session.execute(query)).first() is not None

    async def members(self, team_ids: list[uuid.UUID]) -> dict[uuid.UUID, list[TeamMember]]:
        result: dict[uuid.UUID, list[TeamMember]] = {t: [] for t in team_ids}
        if not team_ids:
            return result
        query = (
            select(TeamMember)
            .where(TeamMember.team_id.in_(team_ids))
            .order_by(TeamMember.is_lead.desc(), TeamMember.username)
        )
        for member in (await self.session.execute(query)).scalars():
            result[member.team_id].append(member)
        return result

    async def memberships(self, user_id: str) -> list[TeamMember]:
        query = select(TeamMember).where(TeamMember.user_id == user_id)
        return list((await self.session.execute(query)).scalars())

    # --- assignments ------------------------------------------------------------------------------------
    async def assignment(self, assignment_id: uuid.UUID, *, for_update: bool = False) -> Assignment | None:
        query = select(Assignment).where(Assignment.id == assignment_id)
        if for_update:
            query = query.with_for_update()
        return (await self.session.execute(query)).scalar_one_or_none()

    async def assignments(self, campaign_id: uuid.UUID) -> list[Assignment]:
        query = (
            select(Assignment)
            .where(Assignment.campaign_id == campaign_id)
            .order_by(Assignment.starts_at, Assignment.school_name)
        )
        return list((await self.session.execute(query)).scalars())

    async def team_assignments(self, team_id: uuid.UUID) -> list[Assignment]:
        query = select(Assignment).where(Assignment.team_id == team_id, Assignment.status.in_(GRANTING))
        return list((await self.session.execute(query)).scalars())

    async def open_assignment_exists(self, campaign_id: uuid.UUID, school_id: uuid.UUID) -> bool:
        query = select(Assignment.id).where(
            Assignment.campaign_id == campaign_id,
            Assignment.school_id == school_id,
            Assignment.status.in_(GRANTING),
        )
        return (await self.session.execute(query)).first() is not None

    async def visible_assignments(self, school_ids: list[uuid.UUID]) -> list[Assignment]:
        """Granting assignments of these schools that the caller can see (an inspector: inside the window)."""
        if not school_ids:
            return []
        query = select(Assignment).where(
            Assignment.school_id.in_(school_ids), Assignment.status.in_(GRANTING)
        )
        return list((await self.session.execute(query)).scalars())

    async def granting_for_user(self, user_id: str, now: dt.datetime) -> list[Assignment]:
        """The assignments whose window is not over and that grant ``user_id`` access (county context)."""
        query = (
            select(Assignment)
            .join(TeamMember, TeamMember.team_id == Assignment.team_id)
            .where(
                TeamMember.user_id == user_id,
                Assignment.status.in_(GRANTING),
                Assignment.ends_at > now,
                TeamMember.home_school_id.is_distinct_from(Assignment.school_id),
            )
            .order_by(Assignment.starts_at)
        )
        return list((await self.session.execute(query)).scalars())

    async def decided(self, campaign_id: uuid.UUID) -> list[Assignment]:
        """The latest decided assignment of each school of the campaign (its scores count)."""
        query = (
            select(Assignment)
            .where(Assignment.campaign_id == campaign_id, Assignment.status.in_(DECIDED))
            .ext(distinct_on(Assignment.school_id))
            .order_by(Assignment.school_id, Assignment.decided_at.desc())
        )
        return list((await self.session.execute(query)).scalars())

    # --- scores and photos ------------------------------------------------------------------------------
    async def scores(self, assignment_ids: list[uuid.UUID]) -> dict[uuid.UUID, list[InspectionScore]]:
        result: dict[uuid.UUID, list[InspectionScore]] = {a: [] for a in assignment_ids}
        if not assignment_ids:
            return result
        query = select(InspectionScore).where(InspectionScore.assignment_id.in_(assignment_ids))
        for score in (await self.session.execute(query)).scalars():
            result[score.assignment_id].append(score)
        return result

    async def score(self, assignment_id: uuid.UUID, code: str) -> InspectionScore | None:
        query = select(InspectionScore).where(
            InspectionScore.assignment_id == assignment_id, InspectionScore.item_code == code
        )
        return (await self.session.execute(query)).scalar_one_or_none()

    async def photos(self, assignment_id: uuid.UUID) -> list[InspectionPhoto]:
        query = (
            select(InspectionPhoto)
            .where(InspectionPhoto.assignment_id == assignment_id)
            .order_by(InspectionPhoto.uploaded_at)
        )
        return list((await self.session.execute(query)).scalars())

    async def photo(self, photo_id: uuid.UUID) -> InspectionPhoto | None:
        return await self.session.get(InspectionPhoto, photo_id)

    def add(self, row: InspectionTeam | TeamMember | Assignment | InspectionScore | InspectionPhoto) -> None:
        self.session.add(row)

    async def delete(self, row: TeamMember) -> None:
        await self.session.delete(row)
