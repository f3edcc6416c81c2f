"""The demo county's campaign: launched five weeks ago, with its schools spread over the five phases (one
completed, some waiting for the hazards or evaluation service, some overdue, one with an extension, one
sent back by the bureau), plus management systems, emergency plans and drills. Dev only; idempotent.

Everything goes through the services, as the people concerned, on the day each step would have happened.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import select

from kit.db import Database
from kit.settings import Settings
from kit.storage import FileStore, store_from_env
from schools import SERVICE
from schools.domain.campaigns import intake, schemas
from schools.domain.campaigns.calendar import LOCAL_TZ, system_clock
from schools.domain.campaigns.deliverables import DeliverableService
from schools.domain.campaigns.instances import SchoolCampaignService
from schools.domain.campaigns.models import Campaign, EvidenceKind, SchoolCampaign
from schools.domain.campaigns.service import CampaignService
from schools.domain.campaigns.vocabulary import MEASURES, Area, Mechanism, Phase, required_areas
from schools.domain.documents.models import SystemKind
from schools.domain.documents.schemas import DocumentCreate, VersionInput
from schools.domain.documents.service import DocumentService
from schools.domain.emergency.models import PlanKind
from schools.domain.emergency.schemas import DrillCreate, PlanCreate
from schools.domain.emergency.service import EmergencyService
from schools.domain.evidence.service import EvidenceService
from schools.domain.schools.models import School
from tenants import Scope, TenantContext
from tenants.roles import app_role

TITLE = "2026年春季校园安全专项治理"
BUREAU_NAME = "长岭县教育局 安全科"
#: A one-page PDF standing in for the scanned documents of the demo.
DEMO_PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj 2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj "
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
)
#: A tiny PNG standing in for the photos.
DEMO_PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d4944415478da63f8cfc0f01f0005000201a5d1f0dd0000000049454e44ae426082"
)


@dataclass(frozen=True, slots=True)
class Progress:
    """How far a demo school got: the phases it closed, and what it did in the open one."""

    closed: tuple[Phase, ...] = ()
    #: Deployment deliverables recorded while deployment is open (all of them once it closed).
    deployment: tuple[str, ...] = ()
    areas_signed: int = 0
    measures_evidenced: int = 0
    accepted: bool = False
    extended_days: int = 0
    reopened: bool = False


PLAN: dict[str, Progress] = {
    "cl01": Progress(closed=tuple(Phase), accepted=True),
    "cl02": Progress(closed=(Phase.DEPLOYMENT, Phase.INVESTIGATION, Phase.REMEDIATION)),
    "cl03": Progress(closed=(Phase.DEPLOYMENT, Phase.INVESTIGATION), measures_evidenced=8),
    "cl04": Progress(closed=(Phase.DEPLOYMENT, Phase.INVESTIGATION), measures_evidenced=3),
    "cl05": Progress(closed=(Phase.DEPLOYMENT,), areas_signed=5),
    "cl06": Progress(closed=(Phase.DEPLOYMENT,), areas_signed=8),
    "cl07": Progress(deployment=("leading_group", "meeting"), extended_days=4),
    "cl08": Progress(),
    "cl09": Progress(closed=(Phase.DEPLOYMENT,), reopened=True),
    "cl10": Progress(deployment=("leading_group",)),
}


class _Day:
    """A settable clock: the seed acts on the day each step would have happened."""

    def __init__(self, day: dt.date) -> None:
        self.now = dt.datetime.combine(day, dt.time(9, 30), tzinfo=LOCAL_TZ)

    def __call__(self) -> dt.datetime:
        return self.now


def _principal(school: School) -> TenantContext:
    return TenantContext(
        user_id=school.principal_user_id or "demo-seed",
        username=school.principal_name,
        roles=frozenset({"principal"}),
        county_id=school.county_id,
        school_id=school.id,
        scope=Scope.SCHOOL,
    )


async def seed_campaign(
    settings: Settings, county_id: uuid.UUID, progress: Callable[[str], None] | None = None
) -> None:
    """Launch the demo campaign of ``county_id`` and move its schools along (once: a second run does nothing)."""
    note = progress or (lambda _msg: None)
    database = Database(settings.sqlalchemy_url(app_role(SERVICE), SERVICE), pool_size=1)
    bureau = TenantContext(
        user_id="demo-seed",
        username=BUREAU_NAME,
        roles=frozenset({"bureau"}),
        county_id=county_id,
        scope=Scope.COUNTY,
    )
    try:
        async with database.transaction(bureau) as session:
            existing = await session.execute(select(Campaign.id).where(Campaign.title == TITLE))
            if existing.first() is not None:
                note(f"campaign {TITLE} already there")
                return
        seeder = _Seeder(database, bureau, store_from_env(), system_clock().astimezone(LOCAL_TZ).date())
        await seeder.launch()
        note(f"campaign {TITLE} launched")
        for code, plan in PLAN.items():
            await seeder.advance(code, plan)
        await seeder.documents_and_drills()
        note("campaign phases, management systems and drills ready")
    finally:
        await database.dispose()


class _Seeder:
    def __init__(self, database: Database, bureau: TenantContext, store: FileStore, today: dt.date) -> None:
        self.database = database
        self.bureau = bureau
        self.store = store
        self.today = today
        self.start = today - dt.timedelta(days=35)
        self.instances: dict[str, tuple[SchoolCampaign, School]] = {}

    def day(self, offset: int) -> _Day:
        """``offset`` days after the campaign's start (never later than today)."""
        return _Day(min(self.start + dt.timedelta(days=offset), self.today))

    async def launch(self) -> None:
        deadlines = {
            Phase.DEPLOYMENT: 14,
            Phase.INVESTIGATION: 28,
            Phase.REMEDIATION: 49,
            Phase.ACCEPTANCE: 70,
            Phase.CONSOLIDATION: 84,
        }
        data = schemas.CampaignCreate(
            title=TITLE,
            start_date=self.start,
            description="根据县综治委、县委、县政府和教育局的部署，在全县中小学、幼儿园开展校园安全专项治理，"
            "建设“平安校园、和谐校园”。",
            phases=[
                schemas.PhasePlanInput(phase=phase, deadline=self.start + dt.timedelta(days=days))
                for phase, days in deadlines.items()
            ],
        )
        async with self.database.transaction(self.bureau) as session:
            service = CampaignService(session, self.bureau, clock=self.day(0))
            campaign = await service.create(data)
            await service.launch(campaign.id)
            rows = await session.execute(
                select(SchoolCampaign, School)
                .join(School, School.id == SchoolCampaign.school_id)
                .where(SchoolCampaign.campaign_id == campaign.id)
            )
            self.instances = {school.code: (instance, school) for instance, school in rows.all()}

    async def _file(self, tenant: TenantContext, name: str, data: bytes = DEMO_PDF) -> uuid.UUID:
        async with self.database.transaction(tenant) as session:
            return (await EvidenceService(session, tenant, self.store).upload(name, data)).id

    async def _close(self, tenant: TenantContext, sc: uuid.UUID, phase: Phase, offset: int) -> None:
        async with self.database.transaction(tenant) as session:
            await SchoolCampaignService(session, tenant, clock=self.day(offset)).close_phase(
                sc, schemas.ClosePhase(phase=phase, note="阶段任务完成")
            )

    async def advance(self, code: str, plan: Progress) -> None:
        if code not in self.instances:
            return
        instance, school = self.instances[code]
        principal = _principal(school)
        sc = instance.id
        if plan.closed or plan.deployment:
            await self._deployment(principal, school, sc, plan.deployment if not plan.closed else None)
        if Phase.DEPLOYMENT in plan.closed:
            await self._close(principal, sc, Phase.DEPLOYMENT, 10)
        if plan.reopened:
            async with self.database.transaction(self.bureau) as session:
                await SchoolCampaignService(session, self.bureau, clock=self.day(12)).reopen_phase(
                    sc,
                    schemas.ReopenPhase(
                        phase=Phase.DEPLOYMENT, reason="安全责任分工未落实到人，请补充后再提交"
                    ),
                )
        signed = (
            len(required_areas(school.boarding)) if Phase.INVESTIGATION in plan.closed else plan.areas_signed
        )
        if signed:
            await self._investigation(school, sc, signed, report=Phase.INVESTIGATION in plan.closed)
        if Phase.INVESTIGATION in plan.closed:
            await self._close(principal, sc, Phase.INVESTIGATION, 24)
        evidenced = len(MEASURES) if Phase.REMEDIATION in plan.closed else plan.measures_evidenced
        if evidenced:
            await self._remediation(principal, school, sc, evidenced)
        if Phase.REMEDIATION in plan.closed:
            await self._close(principal, sc, Phase.REMEDIATION, 33)
        if plan.accepted:
            await self._acceptance(school, sc)
            await self._close(principal, sc, Phase.ACCEPTANCE, 34)
        if Phase.CONSOLIDATION in plan.closed:
            await self._consolidation(principal, sc)
            await self._close(principal, sc, Phase.CONSOLIDATION, 35)
        if plan.extended_days:
            async with self.database.transaction(self.bureau) as session:
                await SchoolCampaignService(session, self.bureau, clock=self.day(35)).extend_deadline(
                    sc,
                    schemas.ExtendDeadline(
                        phase=Phase.DEPLOYMENT,
                        deadline=self.today + dt.timedelta(days=plan.extended_days),
                        reason="校长外出培训，部署会延期召开",
                    ),
                )

    async def _deployment(
        self, principal: TenantContext, school: School, sc: uuid.UUID, only: tuple[str, ...] | None
    ) -> None:
        wanted = set(only) if only is not None else {"leading_group", "meeting", "plan", "responsibilities"}
        plan_file = (
            await self._file(principal, f"{school.name}专项治理实施方案.pdf") if "plan" in wanted else None
        )
        clock = self.day(3)
        day = clock().date()
        async with self.database.transaction(principal) as session:
            service = DeliverableService(session, principal, clock=clock)
            if "leading_group" in wanted:
                await service.set_leading_group(
                    sc,
                    schemas.LeadingGroupInput(
                        leader_duties="校园安全第一责任人，全面负责专项治理工作",
                        established_on=day,
                        members=[
                            schemas.GroupMember(
                                name="副校长",
                                role=schemas.MemberRole.DEPUTY_LEADER,
                                duties="具体组织实施，协调各处室",
                                position="分管安全副校长",
                            ),
                            schemas.GroupMember(
                                name="政教主任",
                                role=schemas.MemberRole.MEMBER,
                                duties="安全教育、特殊学生关爱",
                                position="政教处主任",
                            ),
                            schemas.GroupMember(
                                name="总务主任",
                                role=schemas.MemberRole.MEMBER,
                                duties="校舍、消防、食堂安全",
                                position="总务处主任",
                            ),
                        ],
                    ),
                )
            if "meeting" in wanted:
                await service.add_meeting(
                    sc,
                    schemas.MeetingInput(
                        held_on=day,
                        title="校园安全专项治理部署会",
                        attendees=[school.principal_name, "副校长", "政教主任", "总务主任", "各班主任"],
                        minutes="传达县教育局专项治理文件精神，成立领导小组，明确五个阶段任务及时间节点。",
                    ),
                )
            if plan_file is not None:
                await service.set_implementation_plan(
                    sc,
                    schemas.ImplementationPlanInput(
                        title="校园安全专项治理实施方案", file_id=plan_file, adopted_on=day
                    ),
                )
            if "responsibilities" in wanted:
                await service.set_responsibilities(
                    sc,
                    schemas.ResponsibilitiesInput(
                        assignments=[
                            schemas.AssignmentInput(duty=duty, responsible_name=name, signed_on=day)
                            for duty, name in [
                                ("校门及周边", "政教主任"),
                                ("校舍、消防、食堂", "总务主任"),
                                ("宿舍及夜间巡查", "宿管主任"),
                                ("实验室危化品", "教务主任"),
                            ]
                        ]
                    ),
                )

    async def _investigation(self, school: School, sc: uuid.UUID, signed: int, *, report: bool) -> None:
        # Reported by the hazards service in reality: recorded here as its events would.
        tenant = TenantContext.for_school(school.county_id, school.id, actor="event:demo-seed")
        when = self.day(18)()
        patrol = uuid.uuid4()
        async with self.database.transaction(tenant) as session:
            for area in required_areas(school.boarding)[:signed]:
                await intake.record_area_sign_off(
                    session,
                    event_id=uuid.uuid4(),
                    school_id=school.id,
                    campaign_id=sc,
                    patrol_id=patrol,
                    kind=intake.INVESTIGATION,
                    area=area.value,
                    inspector_name="政教主任",
                    findings="已排查，隐患已登记" if area == Area.SURROUNDINGS else "未发现问题",
                    hazards_found=0,
                    signed_at=when,
                )
            if report:
                await intake.record_investigation_report(
                    session,
                    event_id=uuid.uuid4(),
                    school_id=school.id,
                    campaign_id=sc,
                    patrol_id=patrol,
                    kind=intake.INVESTIGATION,
                    summary="全面排查校园及周边，登记隐患 3 处，均已制定整改方案。",
                    submitted_by_name=school.principal_name,
                    hazards_found=3,
                    submitted_at=when,
                )

    async def _remediation(self, principal: TenantContext, school: School, sc: uuid.UUID, count: int) -> None:
        photo = await self._file(principal, "整改照片.png", DEMO_PNG)
        async with self.database.transaction(principal) as session:
            service = DeliverableService(session, principal, clock=self.day(30))
            for measure in [
                m for m in MEASURES if school.boarding or m.value != "dormitory_night_inspections"
            ][:count]:
                await service.add_evidence(
                    sc,
                    schemas.EvidenceInput(
                        measure=measure, kind=EvidenceKind.PHOTO, file_id=photo, note="已落实"
                    ),
                )

    async def _acceptance(self, school: School, sc: uuid.UUID) -> None:
        # Reported by the evaluation service in reality.
        tenant = TenantContext.for_school(school.county_id, school.id, actor="event:demo-seed")
        async with self.database.transaction(tenant) as session:
            await intake.record_inspection_result(
                session,
                event_id=uuid.uuid4(),
                school_id=school.id,
                campaign_id=sc,
                inspection_id="demo-inspection",
                accepted=True,
                score=92.5,
                summary="各项措施落实到位，同意验收。",
                rectification_requests=[],
                decided_at=self.day(34)(),
            )

    async def _consolidation(self, principal: TenantContext, sc: uuid.UUID) -> None:
        async with self.database.transaction(principal) as session:
            service = DeliverableService(session, principal, clock=self.day(35))
            await service.set_summary(
                sc, schemas.SummaryInput(summary="专项治理取得明显成效，校园及周边治安秩序明显好转。")
            )
            await service.set_mechanisms(
                sc,
                schemas.MechanismsInput(
                    mechanisms=[
                        schemas.MechanismInput(mechanism=m, description="已建立并纳入学校制度")
                        for m in Mechanism
                    ]
                ),
            )

    async def documents_and_drills(self) -> None:
        for code in ("cl01", "cl02", "cl03", "cl04"):
            if code not in self.instances:
                continue
            _, school = self.instances[code]
            principal = _principal(school)
            for kind, title in [
                (SystemKind.SECURITY, "安全保卫制度"),
                (SystemKind.DORMITORY, "宿舍管理制度"),
                (SystemKind.VISITOR_MANAGEMENT, "外来人员登记管理制度"),
            ]:
                file_id = await self._file(principal, f"{title}.pdf")
                async with self.database.transaction(principal) as session:
                    await DocumentService(session, principal, clock=self.day(5)).create(
                        DocumentCreate(
                            kind=kind,
                            title=title,
                            version=VersionInput(
                                file_id=file_id,
                                effective_on=self.day(6)().date(),
                                approved_by="校务委员会",
                                approved_on=self.day(5)().date(),
                            ),
                        )
                    )
            photo = await self._file(principal, "演练照片.png", DEMO_PNG)
            async with self.database.transaction(principal) as session:
                service = EmergencyService(session, principal, clock=self.day(7))
                fire = await service.create(
                    PlanCreate(
                        kind=PlanKind.FIRE,
                        title="火灾事故应急疏散预案",
                        responsible_name=school.principal_name,
                    )
                )
                await service.create(
                    PlanCreate(
                        kind=PlanKind.EARTHQUAKE,
                        title="地震应急疏散预案",
                        responsible_name=school.principal_name,
                    )
                )
                if code in ("cl01", "cl03"):  # the others' plans are flagged: not drilled this term
                    await service.record_drill(
                        fire.id,
                        DrillCreate(
                            held_on=self.day(7)().date(),
                            scenario="教学楼二楼模拟起火，全校疏散",
                            participants=max(school.student_count, 1),
                            participant_groups="全体师生",
                            evacuation_seconds=210,
                            findings="东侧楼梯口疏散较慢，已调整疏散路线",
                            photo_ids=[photo],
                        ),
                    )
