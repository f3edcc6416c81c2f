"""Rules of rubrics: drafts are edited, published versions are immutable, changes make a new version.
Never commits: the request boundary does."""

from __future__ import annotations

import uuid

import msgspec
from sqlalchemy.ext.asyncio import AsyncSession

from evaluation.clock import Clock, system_clock
from evaluation.domain.rubrics import schemas
from evaluation.domain.rubrics.default import default_rubric
from evaluation.domain.rubrics.definition import definition_problems
from evaluation.domain.rubrics.models import Rubric, RubricStatus
from evaluation.domain.rubrics.repository import RubricRepository
from kit.audit import name_action
from kit.errors import ConflictError, InvalidInputError, NotFoundError
from tenants import TenantContext


def to_schema(rubric: Rubric) -> schemas.Rubric:
    return schemas.Rubric(
        id=rubric.id,
        lineage_id=rubric.lineage_id,
        version=rubric.version,
        status=rubric.status,
        title=rubric.title,
        definition=msgspec.convert(rubric.definition, schemas.RubricDefinition),
        created_by=rubric.created_by,
        created_at=rubric.created_at,
        published_at=rubric.published_at,
        published_by=rubric.published_by,
    )


def to_summary(rubric: Rubric) -> schemas.RubricSummary:
    indicators = sum(len(c.get("indicators", [])) for c in rubric.definition.get("categories", []))
    return schemas.RubricSummary(
        id=rubric.id,
        lineage_id=rubric.lineage_id,
        version=rubric.version,
        status=rubric.status,
        title=rubric.title,
        indicators=indicators,
        created_at=rubric.created_at,
        published_at=rubric.published_at,
    )


def _document(definition: schemas.RubricDefinition) -> dict[str, object]:
    problems = definition_problems(definition)
    if problems:
        raise InvalidInputError("the rubric breaks its rules", errors=problems)
    document: dict[str, object] = msgspec.to_builtins(definition)
    return document


class RubricService:
    def __init__(self, session: AsyncSession, tenant: TenantContext, clock: Clock = system_clock) -> None:
        self.session = session
        self.tenant = tenant
        self.clock = clock
        self.repository = RubricRepository(session)

    async def get(self, rubric_id: uuid.UUID) -> Rubric:
        rubric = await self.repository.get(rubric_id)
        if rubric is None:
            raise NotFoundError("rubric not found")
        return rubric

    async def get_published(self, rubric_id: uuid.UUID) -> Rubric:
        """A rubric a campaign may be scored with (422 when it is a draft or unknown: it is named in a body)."""
        rubric = await self.repository.get(rubric_id)
        if rubric is None:
            raise InvalidInputError("no such rubric", errors=[{"key": "rubric_id", "message": "unknown"}])
        if rubric.status is not RubricStatus.PUBLISHED:
            raise InvalidInputError(
                "only a published rubric can score a campaign",
                errors=[{"key": "rubric_id", "message": "not published"}],
            )
        return rubric

    async def list(self, status: RubricStatus | None) -> list[schemas.RubricSummary]:
        return [to_summary(r) for r in await self.repository.list(status=status)]

    async def create(self, definition: schemas.RubricDefinition) -> Rubric:
        """A new rubric: version 1, a draft."""
        rubric = Rubric(
            id=uuid.uuid4(),
            county_id=self.tenant.county_id,
            lineage_id=uuid.uuid4(),
            version=1,
            status=RubricStatus.DRAFT,
            title=definition.title,
            definition=_document(definition),
            created_by=self.tenant.username,
        )
        self.repository.add(rubric)
        await self.session.flush()
        await self.session.refresh(rubric)
        return rubric

    async def create_default(self) -> Rubric:
        """A draft of the default rubric built from the seed plan, for the bureau to adapt and publish."""
        return await self.create(default_rubric())

    async def replace(self, rubric_id: uuid.UUID, definition: schemas.RubricDefinition) -> Rubric:
        rubric = await self._get_for_update(rubric_id)
        if rubric.status is not RubricStatus.DRAFT:
            raise ConflictError("a published rubric cannot change; make a new version of it")
        rubric.definition = _document(definition)
        rubric.title = definition.title
        await self.session.flush()
        await self.session.refresh(rubric)
        return rubric

    async def publish(self, rubric_id: uuid.UUID) -> Rubric:
        rubric = await self._get_for_update(rubric_id)
        if rubric.status is RubricStatus.PUBLISHED:
            raise ConflictError("the rubric is already published")
        name_action(rubric, "rubric.publish")
        rubric.status = RubricStatus.PUBLISHED
        rubric.published_at = self.clock()
        rubric.published_by = self.tenant.username
        await self.session.flush()
        await self.session.refresh(rubric)
        return rubric

    async def new_version(self, rubric_id: uuid.UUID) -> Rubric:
        """A draft copy of ``rubric_id`` as the next version of its rubric (one open draft at a time)."""
        source = await self.get(rubric_id)
        versions = await self.repository.lineage(source.lineage_id)
        if any(v.status is RubricStatus.DRAFT for v in versions):
            raise ConflictError("this rubric already has a draft version; edit that one")
        rubric = Rubric(
            id=uuid.uuid4(),
            county_id=source.county_id,
            lineage_id=source.lineage_id,
            version=versions[0].version + 1,
            status=RubricStatus.DRAFT,
            title=source.title,
            definition=source.definition,
            created_by=self.tenant.username,
        )
        self.repository.add(rubric)
        await self.session.flush()
        await self.session.refresh(rubric)
        return rubric

    async def _get_for_update(self, rubric_id: uuid.UUID) -> Rubric:
        rubric = await self.repository.get(rubric_id, for_update=True)
        if rubric is None:
            raise NotFoundError("rubric not found")
        return rubric
