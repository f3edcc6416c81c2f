"""The evaluation side of the demo county (development only): the default rubric, published and attached to
a 2025 campaign whose year-end evaluation is signed off and to the running 2026 campaign, objective figures
for every school, self-assessments, and cross-school inspections scored and decided, with results and the
ranking computed.

Call it after ``schools.demo.seed.seed_demo``, with what that returned::

    asyncio.run(seed_evaluation_demo(get_settings(), data, progress=click.echo))

Idempotent: a county whose demo campaigns exist is left alone.
"""

from __future__ import annotations

import datetime as dt
import random
import uuid
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

from evaluation import SERVICE
from evaluation.domain.campaigns.repository import CampaignRepository
from evaluation.domain.campaigns.schemas import CampaignCreate
from evaluation.domain.campaigns.service import CampaignService
from evaluation.domain.directory.repository import DirectoryRepository
from evaluation.domain.indicators.service import IndicatorService, Reading, ratio
from evaluation.domain.inspections import schemas as inspection
from evaluation.domain.inspections.service import InspectionService
from evaluation.domain.rankings.service import ResultService
from evaluation.domain.rubrics.service import RubricService
from evaluation.domain.self_assessment.schemas import EntryInput
from evaluation.domain.self_assessment.service import SelfAssessmentService
from evaluation.domain.year_end.schemas import SignOff
from evaluation.domain.year_end.service import YearEndService
from kit.db import Database
from kit.identity import AccountProfile, admin_client, find_account
from kit.settings import Settings
from tenants import Scope, TenantContext
from tenants.roles import app_role

CAMPAIGNS = {2025: "2025 年学校安全专项治理（年终评价）", 2026: "2026 年学校安全专项治理"}
Lookup = Callable[[str], Awaitable[AccountProfile | None]]


def _campaign_id(county_id: uuid.UUID, year: int) -> uuid.UUID:
    return uuid.uuid5(county_id, f"safecampus-demo-evaluation-{year}")


def _figures(code: str, year: int, *, vetoed: bool) -> list[Reading]:
    """Plausible objective figures for a school, the same on every run."""
    rnd = random.Random(f"{code}-{year}")
    closed = rnd.randint(8, 30)
    on_time = closed - rnd.randint(0, 4)
    overdue = rnd.choice([0, 0, 0, 1, 2])
    listed = rnd.choice([0, 0, 1])
    held, planned = rnd.randint(1, 2), 2
    phases = rnd.randint(1, 3)
    missing = rnd.choice([0, 0, 1])
    return [
        Reading(
            "hazards.closed_on_time", ratio(on_time, closed), {"closed_on_time": on_time, "closed": closed}
        ),
        Reading("hazards.overdue", overdue, {"overdue": overdue}),
        Reading("hazards.listed_open", listed, {"listed_open": listed}),
        Reading("hazards.incidents", 1 if vetoed else 0, {"incidents": 1 if vetoed else 0}),
        Reading("hazards.major_incidents", 1 if vetoed else 0, {"major_incidents": 1 if vetoed else 0}),
        Reading(
            "schools.drills_per_plan", ratio(held, planned), {"drills_held": held, "drills_planned": planned}
        ),
        Reading("schools.phases_on_time", ratio(phases, 3), {"closed_on_time": phases, "closed": 3}),
        Reading("personnel.duty_coverage", round(rnd.uniform(0.8, 1.0), 2), {"week": f"{year}-W26"}),
        Reading(
            "personnel.night_inspection_coverage", round(rnd.uniform(0.7, 1.0), 2), {"week": f"{year}-W26"}
        ),
        Reading("personnel.staffing_missing", missing, {"staffing_missing": missing}),
    ]


def _points(code: str, year: int, item: str, maximum: float) -> float:
    rnd = random.Random(f"{code}-{year}-{item}")
    return round(maximum * rnd.uniform(0.55, 1.0) * 2) / 2


class _Seeder:
    """The schools by code, in order: every school is inspected in 2025 and the first half in 2026; the
    principal of the school after that half inspects in another school's team; the fourth school (or the last
    one inspected) is returned with rectification requests in 2026, and the ninth had a major accident (its veto shows in the ranking)."""

    def __init__(
        self,
        database: Database,
        county_id: uuid.UUID,
        bureau: AccountProfile,
        schools: list[dict[str, Any]],
        principals: Mapping[str, AccountProfile],
        lookup: Lookup,
    ) -> None:
        self.database = database
        self.county_id = county_id
        self.schools = {s["code"]: s for s in sorted(schools, key=lambda s: str(s["code"]))}
        self.principals = principals
        self.lookup = lookup
        self.bureau = TenantContext(
            user_id=bureau.user_id,
            username=bureau.username,
            roles=frozenset({"bureau"}),
            county_id=county_id,
            scope=Scope.COUNTY,
        )
        codes = list(self.schools)
        self.inspected = {2025: codes, 2026: codes[: max(1, len(codes) // 2)]}
        half = len(self.inspected[2026])
        self.cross_school = codes[half] if len(codes) > half else None
        self.returned = self.inspected[2026][min(3, len(self.inspected[2026]) - 1)]
        self.vetoed = codes[8] if len(codes) > 8 else None

    def _school_id(self, code: str) -> uuid.UUID:
        return uuid.UUID(str(self.schools[code]["id"]))

    async def exists(self) -> bool:
        async with self.database.transaction(self.bureau) as session:
            return await CampaignRepository(session).get(_campaign_id(self.county_id, 2026)) is not None

    async def directory(self) -> None:
        async with self.database.transaction(self.bureau) as session:
            for code, school in self.schools.items():
                await DirectoryRepository(session).upsert(
                    school_id=self._school_id(code),
                    county_id=self.county_id,
                    code=code,
                    name=str(school["name"]),
                    kind="",
                    active=True,
                    as_of=dt.datetime(2000, 1, 1, tzinfo=dt.UTC),  # the schools service's own event wins
                )

    async def rubric(self) -> uuid.UUID:
        async with self.database.transaction(self.bureau) as session:
            rubrics = RubricService(session, self.bureau)
            return (await rubrics.publish((await rubrics.create_default()).id)).id

    async def figures(self, year: int) -> None:
        for code in self.schools:
            tenant = TenantContext.for_school(self.county_id, self._school_id(code), actor="demo-seed")
            async with self.database.transaction(tenant) as session:
                await IndicatorService(session, tenant).record(
                    school_id=self._school_id(code),
                    readings=_figures(code, year, vetoed=code == self.vetoed and year == 2026),
                    event_id=uuid.uuid5(self.county_id, f"demo-figures-{code}-{year}"),
                    event_type="demo.seed.figures",
                    observed_at=dt.datetime(year, 6, 30, tzinfo=dt.UTC),
                )

    async def campaign(self, year: int, rubric_id: uuid.UUID) -> uuid.UUID:
        async with self.database.transaction(self.bureau) as session:
            created = await CampaignService(session, self.bureau).create(
                CampaignCreate(
                    campaign_id=_campaign_id(self.county_id, year),
                    title=CAMPAIGNS[year],
                    year=year,
                    rubric_id=rubric_id,
                )
            )
            return created.id

    async def self_assessments(self, campaign_id: uuid.UUID, year: int) -> None:
        for code in self.inspected[year]:
            account = self.principals.get(code)
            if account is None:
                continue
            tenant = TenantContext(
                user_id=account.user_id,
                username=account.username,
                roles=frozenset({"principal"}),
                county_id=self.county_id,
                school_id=self._school_id(code),
                scope=Scope.SCHOOL,
            )
            async with self.database.transaction(tenant) as session:
                campaigns = CampaignService(session, tenant)
                rubric = await campaigns.rubric(await campaigns.get(campaign_id))
                service = SelfAssessmentService(session, tenant)
                for item in rubric.indicators():
                    if item.scored_by_people:
                        points = min(item.max_points, _points(code, year, item.code, item.max_points) + 0.5)
                        await service.score(
                            campaign_id, item.code, EntryInput(points=points, evidence_note="见台账")
                        )
                await service.submit(campaign_id)

    async def inspections(self, campaign_id: uuid.UUID, year: int) -> None:
        now = dt.datetime.now(dt.UTC)
        codes = self.inspected[year]
        middle = (len(codes) + 1) // 2
        for number, group in enumerate((g for g in (codes[:middle], codes[middle:]) if g), start=1):
            members = [inspection.MemberInput(username=self.bureau.username, lead=True)]
            colleague = self.principals.get(self.cross_school) if self.cross_school else None
            if colleague is not None and self.cross_school not in group:
                members.append(inspection.MemberInput(username=colleague.username))
            async with self.database.transaction(self.bureau) as session:
                service = InspectionService(session, self.bureau, accounts=self.lookup)
                team = await service.create_team(
                    campaign_id, inspection.TeamCreate(name=f"县检查第{number}组", members=members)
                )
                assignments = {
                    code: (
                        await service.assign(
                            team.id,
                            inspection.AssignmentCreate(
                                school_id=self._school_id(code),
                                starts_at=now - dt.timedelta(hours=1),
                                ends_at=now + dt.timedelta(days=14),
                            ),
                        )
                    ).id
                    for code in group
                }
            for code, assignment_id in assignments.items():
                await self._score_and_decide(campaign_id, year, code, assignment_id)

    async def _score_and_decide(
        self, campaign_id: uuid.UUID, year: int, code: str, assignment_id: uuid.UUID
    ) -> None:
        async with self.database.transaction(self.bureau) as session:
            service = InspectionService(session, self.bureau, accounts=self.lookup)
            campaigns = CampaignService(session, self.bureau)
            rubric = await campaigns.rubric(await campaigns.get(campaign_id))
            returned = code == self.returned and year == 2026
            for item in rubric.indicators():
                if not item.scored_by_people:
                    continue
                finding = None
                if returned and item.code == "safe.fire":
                    finding = inspection.FindingInput(
                        title="学生宿舍灭火器过期", category="fire", location="2号宿舍楼"
                    )
                await service.score(
                    assignment_id,
                    item.code,
                    inspection.ScoreInput(
                        points=_points(code, year, item.code, item.max_points),
                        comment="现场查看",
                        finding=finding,
                    ),
                )
            if code in list(self.schools)[:2]:
                await service.score(
                    assignment_id, "bonus.mechanism", inspection.ScoreInput(points=2, comment="长效机制健全")
                )
            await service.submit(assignment_id)
            if returned:
                await service.return_school(
                    assignment_id,
                    inspection.Return(
                        requests=["更换2号宿舍楼过期灭火器", "补齐消防检查记录"], note="限期一个月整改"
                    ),
                )
            else:
                await service.accept(assignment_id, inspection.Decision(note="验收通过"))

    async def open_inspection(self, campaign_id: uuid.UUID) -> None:
        """A cross-school inspection under way: the first school's principal inspects the first school that
        is not inspected yet in 2026, for two weeks (their grant reaches Keycloak through the worker)."""
        codes = list(self.schools)
        pending = [c for c in codes if c not in self.inspected[2026] and c != self.cross_school]
        inspector = self.principals.get(codes[0])
        if not pending or inspector is None:
            return
        now = dt.datetime.now(dt.UTC)
        members = [
            inspection.MemberInput(username=inspector.username, lead=True),
            inspection.MemberInput(username=self.bureau.username),
        ]
        async with self.database.transaction(self.bureau) as session:
            service = InspectionService(session, self.bureau, accounts=self.lookup)
            team = await service.create_team(
                campaign_id, inspection.TeamCreate(name="交叉检查组", members=members)
            )
            await service.assign(
                team.id,
                inspection.AssignmentCreate(
                    school_id=self._school_id(pending[0]), starts_at=now, ends_at=now + dt.timedelta(days=14)
                ),
            )

    async def results(self, campaign_id: uuid.UUID) -> None:
        async with self.database.transaction(self.bureau) as session:
            await ResultService(session, self.bureau).recompute(campaign_id)

    async def sign_off(self, campaign_id: uuid.UUID) -> None:
        async with self.database.transaction(self.bureau) as session:
            await YearEndService(session, self.bureau).sign_off(
                campaign_id, SignOff(note="县教育局年度综合考评签批")
            )


async def seed_evaluation_demo(
    settings: Settings, data: Mapping[str, Any], progress: Callable[[str], None] | None = None
) -> None:
    """Seed the evaluation of the demo county that ``schools.demo.seed.seed_demo`` returned (idempotent)."""
    if settings.is_production:
        raise RuntimeError("the demo seed is for development only")
    note = progress or (lambda _msg: None)
    admin = admin_client(settings)

    async def lookup(username: str) -> AccountProfile | None:
        return await find_account(admin, username)

    bureau_username = next(u["username"] for u in data["users"] if u["role"] == "bureau")
    bureau = await lookup(bureau_username)
    if bureau is None:
        raise RuntimeError("the demo county's bureau account is missing: run the schools demo seed first")
    schools = {u["school"]["code"]: u["school"] for u in data["users"] if u.get("school")}
    principals = {
        u["school"]["code"]: account
        for u in data["users"]
        if u["role"] == "principal" and (account := await lookup(u["username"])) is not None
    }
    database = Database(settings.sqlalchemy_url(app_role(SERVICE), SERVICE), pool_size=1)
    seeder = _Seeder(
        database, uuid.UUID(data["county"]["id"]), bureau, list(schools.values()), principals, lookup
    )
    try:
        if await seeder.exists():
            return
        await seeder.directory()
        rubric_id = await seeder.rubric()
        note("evaluation: the default rubric is published")
        for year in (2025, 2026):
            await seeder.figures(year)
            campaign_id = await seeder.campaign(year, rubric_id)
            await seeder.self_assessments(campaign_id, year)
            await seeder.inspections(campaign_id, year)
            await seeder.results(campaign_id)
            if year == 2025:
                await seeder.sign_off(campaign_id)
            else:
                await seeder.open_inspection(campaign_id)
            note(f"evaluation: {CAMPAIGNS[year]} scored and ranked")
    finally:
        await database.dispose()


__all__ = ["seed_evaluation_demo"]
