"""The demo county's hazards (dev only): for every school a submitted (or still open) investigation patrol,
a register with hazards in every state of the life cycle — closed on time and late, awaiting the bureau's
sign-off, listed for supervision and referred, overdue, under rectification, awaiting verification,
confirmed, just reported, rejected — a public report waiting for review, and a few incidents.

Everything is written through the services, as the demo users and at plausible moments in the past, so the
history, the audit trail, the events and the statistics are what real use would have produced. Idempotent:
a school that already has hazards is left alone.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any, TypeVar

from sqlalchemy.ext.asyncio import AsyncSession

from hazards import SERVICE
from hazards.clock import Clock, local_date
from hazards.domain.directory import DirectoryRepository
from hazards.domain.hazards import schemas as hz
from hazards.domain.hazards.models import Hazard
from hazards.domain.hazards.repository import HazardFilter
from hazards.domain.hazards.service import HazardService
from hazards.domain.incidents import schemas as inc
from hazards.domain.incidents.service import IncidentService
from hazards.domain.patrols import schemas as pt
from hazards.domain.patrols.models import PatrolKind
from hazards.domain.patrols.service import PatrolService
from hazards.domain.referrals import schemas as rf
from hazards.domain.referrals.models import ReferralStatus
from hazards.domain.referrals.service import ReferralService
from hazards.domain.supervision.service import SupervisionService
from hazards.vocabulary import Area, Category, Department, IncidentKind, Severity, Source
from kit.db import Database
from kit.identity import admin_client, find_account
from kit.settings import Settings
from tenants import Scope, TenantContext
from tenants.roles import app_role

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Item:
    title: str
    category: Category
    area: Area
    place: str
    description: str
    plan: str
    severity: Severity = Severity.GENERAL


# One line per state the demo shows; the order of the states below decides which item lands where.
ITEMS = {
    "closed_on_time": Item("灭火器压力不足", Category.FIRE, Area.TEACHING_BUILDINGS, "教学楼二层走廊",
                           "二层东侧两具干粉灭火器压力表指针在红区。", "更换两具灭火器，建立月度检查记录。"),
    "closed_late": Item("宿舍楼应急照明损坏", Category.DORMITORY, Area.DORMITORIES, "女生宿舍楼三层",
                        "三层楼梯间应急照明灯不亮，夜间断电时无法疏散。", "更换应急照明灯并测试断电切换。"),
    "verified": Item("实验室危化品未双人双锁", Category.LAB_CHEMICALS, Area.LABS, "化学实验室药品柜",
                     "浓硫酸、高锰酸钾与普通试剂混放，药品柜只有一把锁。",
                     "危化品单独存放，安装双锁，建立领用登记。", Severity.MAJOR),
    "listed": Item("校门口流动摊贩占道经营", Category.SURROUNDINGS_VENDORS, Area.SURROUNDINGS, "南门外人行道",
                   "放学时段有三至五个流动摊贩占道，售卖无证食品，学生聚集影响通行。",
                   "协调市场监管和城管部门清理，放学时段安排护学岗。"),
    "overdue": Item("配电房门锁损坏", Category.ELECTRICAL, Area.ELECTRICAL_ROOMS, "综合楼一层配电房",
                    "配电房门锁损坏，门常开，学生可进入。", "更换门锁，张贴警示标识，钥匙专人保管。"),
    "rectifying": Item("篮球架底座松动", Category.BUILDINGS_FACILITIES, Area.PLAYGROUND_SPORTS, "操场东侧篮球场",
                       "东侧第二个篮球架底座螺栓松动，架体晃动。", "紧固螺栓并加装配重，体育课前检查。"),
    "rectified": Item("食堂燃气软管老化", Category.FIRE, Area.CANTEEN, "食堂后厨灶台",
                      "灶台燃气软管表面龟裂，已超过使用年限。", "更换金属波纹软管，安装燃气泄漏报警器。"),
    "confirmed": Item("教学楼楼梯扶手松动", Category.BUILDINGS_FACILITIES, Area.TEACHING_BUILDINGS, "一号楼西侧楼梯",
                      "三至四层楼梯扶手固定件脱落。", "重新固定扶手，全面排查其余楼梯。"),
    "reported": Item("校门口缺少减速带", Category.TRAFFIC, Area.GATE, "学校正门",
                     "正门外道路无减速带和警示标志，接送高峰车速较快。", ""),
    "rejected": Item("教室灯管闪烁", Category.ELECTRICAL, Area.TEACHING_BUILDINGS, "三年级二班",
                     "教室一支灯管闪烁。", ""),
}  # fmt: skip
ILLEGAL_BUILDING = Item(
    "学校围墙外违章搭建彩钢房", Category.SURROUNDINGS_ILLEGAL_BUILDINGS, Area.SURROUNDINGS, "北侧围墙外",
    "紧贴围墙搭建彩钢板房，存放易燃杂物，存在火灾隐患。", "报请城管部门依法拆除，拆除前设置隔离。",
)  # fmt: skip
INCIDENTS = [
    (IncidentKind.PUBLIC_ORDER, 75, "校门口", 0, "校外人员在校门口滋事，与保安发生口角，已劝离。", False),
    (IncidentKind.INJURY, 40, "操场", 1, "学生体育课跳远时扭伤脚踝，校医处置后送医。", False),
    (
        IncidentKind.FOOD_POISONING,
        120,
        "食堂",
        6,
        "午餐后六名学生腹痛呕吐，送医观察后康复，已封存留样。",
        True,
    ),
    (IncidentKind.FIRE, 20, "宿舍楼", 0, "宿舍违规使用电器引燃被褥，宿管员用灭火器扑灭，无人员受伤。", True),
    (IncidentKind.CRIMINAL, 200, "学校周边", 1, "学生放学途中被校外人员抢走手机，已报警，嫌疑人落网。", True),
]


@dataclass(frozen=True, slots=True)
class Person:
    tenant: TenantContext

    @property
    def id(self) -> str:
        return self.tenant.user_id


class _Seeder:
    def __init__(self, database: Database, now: dt.datetime) -> None:
        self.database = database
        self.now = now

    async def run(
        self, who: Person, days_ago: float, work: Callable[[AsyncSession, Clock], Awaitable[T]]
    ) -> T:
        """``work(session, clock)`` as ``who``, ``days_ago`` days before now, in its own transaction."""
        moment = self.now - dt.timedelta(days=days_ago)
        async with self.database.transaction(who.tenant) as session:
            return await work(session, lambda: moment)

    async def hazard(self, who: Person, days_ago: float, item: Item, source: Source, **extra: Any) -> Hazard:
        data = hz.HazardCreate(
            title=item.title, category=item.category, area=item.area, description=item.description,
            location_text=item.place, severity=item.severity, source=source, **extra,
        )  # fmt: skip
        return await self.run(who, days_ago, lambda s, c: HazardService(s, who.tenant, clock=c).report(data))

    async def act(self, who: Person, days_ago: float, method: str, hazard: Hazard, *args: Any) -> Hazard:
        async def work(session: AsyncSession, clock: Clock) -> Hazard:
            changed: Hazard = await getattr(HazardService(session, who.tenant, clock=clock), method)(
                hazard.id, *args
            )
            return changed

        return await self.run(who, days_ago, work)

    def deadline(self, days_ago: float, in_days: int) -> dt.date:
        return local_date(self.now - dt.timedelta(days=days_ago)) + dt.timedelta(days=in_days)


async def _people(
    settings: Settings, county_id: uuid.UUID, users: list[Mapping[str, Any]]
) -> dict[str, Person]:
    """The demo accounts of one school (and the bureau), with their Keycloak ids and roles."""
    admin = admin_client(settings)
    people = {}
    for user in users:
        account = await find_account(admin, user["username"])
        if account is None:
            continue
        school = user.get("school")
        tenant = TenantContext(
            user_id=account.user_id,
            username=user["username"],
            roles=frozenset({user["role"]}),
            county_id=county_id,
            school_id=uuid.UUID(school["id"]) if school else None,
            scope=Scope.SCHOOL if school else Scope.COUNTY,
        )
        people[user["username"].rsplit(".", 1)[-1] if school else "bureau"] = Person(tenant)
    return people


def _sign_off(
    who: Person, patrol_id: uuid.UUID, data: pt.SignOffCreate
) -> Callable[[AsyncSession, Clock], Awaitable[Any]]:
    return lambda session, clock: PatrolService(session, who.tenant, clock=clock).sign_off(patrol_id, data)


async def _seed_school(seeder: _Seeder, index: int, p: dict[str, Person], bureau: Person) -> int:
    principal, t1, t2, guard = p["principal"], p["teacher1"], p["teacher2"], p["guard"]

    def assignment(responsible: Person, days_ago: float, in_days: int, **extra: Any) -> hz.Assignment:
        return hz.Assignment(
            responsible_id=responsible.id, responsible_name=responsible.tenant.username,
            plan=extra.pop("plan"), deadline=seeder.deadline(days_ago, in_days),
            checker_id=t2.id, checker_name=t2.tenant.username, **extra,
        )  # fmt: skip

    # the investigation: every area signed off; half of the schools have submitted the report already
    patrol = await seeder.run(principal, 45, lambda s, c: PatrolService(s, principal.tenant, clock=c).start(
        pt.PatrolCreate(kind=PatrolKind.INVESTIGATION, title="校园安全隐患集中排查")))  # fmt: skip
    inspectors = {Area.GATE: guard, Area.SURROUNDINGS: guard, Area.LABS: t2, Area.DORMITORIES: t2}
    for n, area in enumerate(Area):
        if index % 2 and area in (Area.SURROUNDINGS, Area.ELECTRICAL_ROOMS):
            continue  # still being checked
        who = inspectors.get(area, t1)
        findings = (
            "发现隐患，已登记"
            if area in (Area.LABS, Area.SURROUNDINGS, Area.ELECTRICAL_ROOMS)
            else "未发现问题"
        )
        await seeder.run(
            who, 44 - n * 0.5, _sign_off(who, patrol.id, pt.SignOffCreate(area=area, findings=findings))
        )
    count = 0
    # closed on time
    h = await seeder.hazard(t1, 43, ITEMS["closed_on_time"], Source.INVESTIGATION, patrol_id=patrol.id)
    await seeder.act(principal, 42, "confirm", h, "情况属实")
    await seeder.act(principal, 42, "assign", h, assignment(t1, 42, 7, plan=ITEMS["closed_on_time"].plan))
    await seeder.act(t1, 38, "rectify", h, "两具灭火器已更换，检查记录上墙。")
    await seeder.act(t2, 37, "verify", h, "现场验收合格")
    count += 1
    # closed, but late
    h = await seeder.hazard(t2, 41, ITEMS["closed_late"], Source.INVESTIGATION, patrol_id=patrol.id)
    await seeder.act(principal, 40, "confirm", h, "")
    await seeder.act(principal, 40, "assign", h, assignment(t1, 40, 5, plan=ITEMS["closed_late"].plan))
    await seeder.act(t1, 30, "rectify", h, "应急照明已更换，断电测试正常。")
    await seeder.act(t2, 29, "verify", h, "验收合格（超期完成）")
    count += 1
    # major: verified by the school, waiting for the bureau
    h = await seeder.hazard(t2, 40, ITEMS["verified"], Source.INVESTIGATION, patrol_id=patrol.id)
    await seeder.act(principal, 39, "confirm", h, "重大隐患")
    await seeder.act(
        principal,
        39,
        "assign",
        h,
        assignment(t2, 39, 14, plan=ITEMS["verified"].plan, containment="实验室暂停使用"),
    )
    await seeder.act(principal, 12, "rectify", h, "危化品已分柜存放，双锁到位，领用登记本已建立。")
    await seeder.act(t2, 10, "verify", h, "学校验收合格，报教育局销号")
    count += 1
    # listed for supervision by the bureau, referred to outside departments
    h = await seeder.hazard(guard, 36, ITEMS["listed"], Source.DAILY_PATROL)
    await seeder.act(principal, 35, "confirm", h, "")
    await seeder.act(
        principal, 35, "assign", h, assignment(principal, 35, 30 + index % 3 * 5, plan=ITEMS["listed"].plan)
    )
    listing = hz.Listing(
        official="县教育局安全科 刘科长", deadline=seeder.deadline(33, 40), note="挂牌督办，限期整治"
    )
    await seeder.run(
        bureau, 33, lambda s, c: SupervisionService(s, bureau.tenant, clock=c).list_hazard(h.id, listing)
    )
    referral = await seeder.run(principal, 34, lambda s, c: ReferralService(s, principal.tenant, clock=c).refer(h.id, rf.ReferralCreate(
        department=Department.MARKET_SUPERVISION, department_name="长岭县市场监督管理局", contact="0438-7221234",
        note="请协助取缔校门口无证食品摊贩。")))  # fmt: skip
    reply = rf.ReferralUpdate(status=ReferralStatus.IN_PROGRESS, reply="已安排执法人员放学时段巡查。")
    await seeder.run(
        bureau, 30, lambda s, c: ReferralService(s, bureau.tenant, clock=c).update(referral.id, reply)
    )
    count += 1
    # overdue
    h = await seeder.hazard(
        t1, 20, ITEMS["overdue"], Source.INVESTIGATION if index % 2 == 0 else Source.STAFF_REPORT
    )
    await seeder.act(principal, 19, "confirm", h, "")
    await seeder.act(
        principal,
        19,
        "assign",
        h,
        assignment(guard, 19, 14 - index % 4, plan=ITEMS["overdue"].plan, containment="已张贴警示标识"),
    )
    count += 1
    # under rectification, on schedule
    h = await seeder.hazard(t2, 6, ITEMS["rectifying"], Source.DAILY_PATROL)
    await seeder.act(principal, 5, "confirm", h, "")
    await seeder.act(
        principal,
        5,
        "assign",
        h,
        assignment(t2, 5, 10, plan=ITEMS["rectifying"].plan, containment="篮球架暂停使用"),
    )
    count += 1
    # fixed, waiting for the checker
    h = await seeder.hazard(t1, 9, ITEMS["rectified"], Source.STAFF_REPORT)
    await seeder.act(principal, 8, "confirm", h, "")
    await seeder.act(principal, 8, "assign", h, assignment(t1, 8, 10, plan=ITEMS["rectified"].plan))
    await seeder.act(t1, 1, "rectify", h, "软管已更换，报警器安装调试完毕。")
    count += 1
    # confirmed, not yet assigned; just reported (the phone flow); rejected
    h = await seeder.hazard(t2, 2, ITEMS["confirmed"], Source.STAFF_REPORT)
    await seeder.act(principal, 1, "confirm", h, "请尽快安排整改")
    await seeder.hazard(guard, 0.2, ITEMS["reported"], Source.STAFF_REPORT)
    h = await seeder.hazard(t1, 15, ITEMS["rejected"], Source.STAFF_REPORT)
    await seeder.act(principal, 14, "reject", h, "属日常维修，已报后勤处理，不列为安全隐患。")
    count += 3
    if index % 3 == 0:  # an illegal building next door, referred to urban management and reopened once
        h = await seeder.hazard(
            bureau, 28, ILLEGAL_BUILDING, Source.BUREAU_INSPECTION, school_id=principal.tenant.school_id
        )
        await seeder.act(principal, 27, "confirm", h, "")
        await seeder.act(
            principal,
            27,
            "assign",
            h,
            assignment(principal, 27, 45, plan=ILLEGAL_BUILDING.plan, containment="围墙内侧设置隔离带"),
        )
        referral = await seeder.run(principal, 26, lambda s, c: ReferralService(s, principal.tenant, clock=c).refer(
            h.id, rf.ReferralCreate(department=Department.URBAN_MANAGEMENT, department_name="长岭县城市管理综合执法局")))  # fmt: skip
        await seeder.act(principal, 8, "rectify", h, "城管部门已拆除彩钢房。")
        await seeder.act(t2, 7, "reopen", h, hz.Reopening(reason="现场仍有建筑垃圾和易燃杂物未清运。"))
        count += 1
    # the investigation report goes to the bureau once its hazards are registered (written last: a
    # submitted patrol takes no more hazards)
    if index % 2 == 0:
        summary = pt.Submission(summary="八个区域全部排查完毕，共发现隐患若干处，均已登记并落实整改责任。")
        await seeder.run(
            principal, 39, lambda s, c: PatrolService(s, principal.tenant, clock=c).submit(patrol.id, summary)
        )

    if index < len(INCIDENTS):
        kind, days_ago, place, affected, description, police = INCIDENTS[index]
        occurred = seeder.now - dt.timedelta(days=days_ago, hours=3)
        data = inc.IncidentCreate(
            kind=kind, occurred_at=occurred, place=place, description=description, people_affected=affected,
            actions_taken="已按应急预案处置并上报。", reported_to_police=police,
        )  # fmt: skip
        await seeder.run(
            principal, days_ago - 0.5, lambda s, c: IncidentService(s, principal.tenant, clock=c).report(data)
        )
    return count


async def _public_report(
    database: Database, store: Any, school_tenant: TenantContext, now: dt.datetime
) -> None:
    """An anonymous report through the school's QR link, waiting in its review queue."""
    from hazards.domain.reports.channel import PublicChannel
    from hazards.domain.reports.service import ReportReviewService

    async with database.transaction(school_tenant) as session:
        link = await ReportReviewService(session, school_tenant).current_link()
        token = link.token
    fields = {
        "category": Category.SURROUNDINGS_BUSINESS.value,
        "area": Area.SURROUNDINGS.value,
        "place": "学校东侧",
        "description": "学校东侧新开了一家网吧，中午有学生进出，希望学校和有关部门关注。",
    }
    client = f"demo-seed:{school_tenant.school_id}"  # one client per school: the channel's limits stay out of the way
    channel = PublicChannel(database, store, clock=lambda: now)
    await channel.submit(await channel.admit(token, client), fields, None)


async def seed_hazards(
    settings: Settings, demo: Mapping[str, Any], progress: Callable[[str], None] | None = None
) -> dict[str, int]:
    """Seed the hazards of the demo county described by ``demo`` (the schools seed's ``.data/demo.json``).
    Returns the number of hazards created per school code. Idempotent."""
    if settings.is_production:
        raise RuntimeError("the demo seed is for development only")
    from kit.storage import store_from_env

    note = progress or (lambda _msg: None)
    county_id = uuid.UUID(demo["county"]["id"])
    by_school: dict[str, list[Mapping[str, Any]]] = {}
    bureau_users = []
    for user in demo["users"]:
        if user.get("school"):
            by_school.setdefault(user["school"]["code"], []).append(user)
        elif user["role"] == "bureau":
            bureau_users.append(user)
    database = Database(settings.sqlalchemy_url(app_role(SERVICE), SERVICE), pool_size=2)
    now = dt.datetime.now(dt.UTC)
    seeder = _Seeder(database, now)
    created: dict[str, int] = {}
    try:
        bureau = (await _people(settings, county_id, bureau_users))["bureau"]
        for index, (code, users) in enumerate(sorted(by_school.items())):
            school = users[0]["school"]
            school_id = uuid.UUID(school["id"])
            school_tenant = TenantContext.for_school(county_id, school_id, actor="demo-seed")
            async with database.transaction(school_tenant) as session:
                await DirectoryRepository(session).upsert(
                    county_id=county_id, school_id=school_id, code=code, name=school["name"]
                )
                existing = await HazardService(session, school_tenant).page(HazardFilter(), limit=1, offset=0)
            if existing.total:
                continue
            people = await _people(settings, county_id, list(users))
            created[code] = await _seed_school(seeder, index, people, bureau)
            await _public_report(database, store_from_env(), school_tenant, now - dt.timedelta(hours=5))
            note(f"hazards of {school['name']} ready ({created[code]})")
    finally:
        await database.dispose()
    return created
