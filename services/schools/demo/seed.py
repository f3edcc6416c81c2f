"""The demo county (长岭县 / Changling County): schools and logins for the one-machine mode. Dev only."""

from __future__ import annotations

import json
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import select

from kit.db import Database
from kit.identity import admin_client, ensure_account
from kit.settings import Settings
from schools import SERVICE
from schools.demo.campaign_seed import seed_campaign
from schools.domain.counties.operations import create_county
from schools.domain.schools.models import ProvisioningStatus, School, SchoolKind
from schools.domain.schools.schemas import SchoolCreate
from schools.domain.schools.service import SchoolService
from tenants import TenantContext
from tenants.roles import app_role

COUNTY = {"code": "changling", "name": "长岭县", "name_en": "Changling County", "locale": "zh-Hans"}


@dataclass(frozen=True, slots=True)
class DemoSchool:
    code: str
    name: str
    kind: SchoolKind
    boarding: bool
    students: int
    address: str
    principal: str


SCHOOLS = [
    DemoSchool(
        "cl01", "长岭县第一中学", SchoolKind.SENIOR_SECONDARY, True, 3200, "长岭镇振兴大街 188 号", "王建国"
    ),
    DemoSchool(
        "cl02", "长岭县第二中学", SchoolKind.SENIOR_SECONDARY, True, 2600, "长岭镇文化路 66 号", "李秀英"
    ),
    DemoSchool(
        "cl03", "长岭县实验中学", SchoolKind.JUNIOR_SECONDARY, False, 1800, "长岭镇育才街 12 号", "张志强"
    ),
    DemoSchool(
        "cl04", "长岭县第三中学", SchoolKind.JUNIOR_SECONDARY, True, 1400, "长岭镇东环路 35 号", "刘红梅"
    ),
    DemoSchool("cl05", "长岭县实验小学", SchoolKind.PRIMARY, False, 2100, "长岭镇人民大街 9 号", "陈丽华"),
    DemoSchool("cl06", "长岭县第二小学", SchoolKind.PRIMARY, False, 1500, "长岭镇繁荣路 41 号", "杨德明"),
    DemoSchool(
        "cl07", "太平川镇九年一贯制学校", SchoolKind.NINE_YEAR, True, 900, "太平川镇学府路 3 号", "赵海燕"
    ),
    DemoSchool("cl08", "三青山镇中心小学", SchoolKind.PRIMARY, False, 620, "三青山镇政府街 17 号", "黄国华"),
    DemoSchool("cl09", "前七号镇中学", SchoolKind.JUNIOR_SECONDARY, True, 540, "前七号镇北街 8 号", "周淑珍"),
    DemoSchool(
        "cl10", "长岭县职业技术教育中心", SchoolKind.VOCATIONAL, True, 1300, "长岭镇工业路 100 号", "吴振东"
    ),
    DemoSchool(
        "cl11", "长岭县特殊教育学校", SchoolKind.SPECIAL_EDUCATION, True, 160, "长岭镇康宁街 5 号", "郑晓燕"
    ),
    DemoSchool(
        "cl12", "长岭县第一幼儿园", SchoolKind.KINDERGARTEN, False, 450, "长岭镇幸福街 21 号", "孙玉兰"
    ),
]
STAFF = [("teacher1", "teacher", "教师甲"), ("teacher2", "teacher", "教师乙"), ("guard", "guard", "保安")]


def _demo_password(out: Path) -> str:
    if out.exists():
        try:
            previous = json.loads(out.read_text(encoding="utf-8"))
            return str(previous["password"])
        except (ValueError, KeyError):
            pass
    return "Demo-" + secrets.token_urlsafe(9)


async def seed_demo(
    settings: Settings, out: Path, progress: Callable[[str], None] | None = None
) -> dict[str, Any]:
    """Create (or complete) the demo county; write its logins to ``out``. Idempotent."""
    if settings.is_production:
        raise RuntimeError("the demo seed is for development only")
    note = progress or (lambda _msg: None)
    password = _demo_password(out)
    county = await create_county(
        settings,
        code=COUNTY["code"],
        name=COUNTY["name"],
        name_en=COUNTY["name_en"],
        locale=COUNTY["locale"],
        bureau_username="cl.bureau",
        bureau_email="bureau@changling.example",
        bureau_name="长岭县教育局 安全科",
        bureau_password=password,
    )
    note("county 长岭县 ready")
    users: list[dict[str, Any]] = [
        {"username": "cl.bureau", "password": password, "role": "bureau", "name": "长岭县教育局 安全科"}
    ]
    admin = admin_client(settings)
    database = Database(settings.sqlalchemy_url(app_role(SERVICE), SERVICE), pool_size=1)
    bureau = TenantContext.for_county(county.id, actor="demo-seed", roles=["bureau"])
    try:
        for demo in SCHOOLS:
            async with database.transaction(bureau) as session:
                school = (
                    await session.execute(select(School).where(School.code == demo.code))
                ).scalar_one_or_none()
                if school is None:
                    school = await SchoolService(session, bureau).onboard(
                        SchoolCreate(
                            code=demo.code,
                            name=demo.name,
                            kind=demo.kind,
                            boarding=demo.boarding,
                            student_count=demo.students,
                            address=demo.address,
                            principal_name=demo.principal,
                            principal_email=f"{demo.code}.principal@changling.example",
                            principal_username=f"{demo.code}.principal",
                        )
                    )
                attributes = {"county_id": str(county.id), "school_id": str(school.id)}
                account = await ensure_account(
                    admin,
                    username=school.principal_username,
                    email=school.principal_email,
                    full_name=school.principal_name,
                    roles=["principal"],
                    attributes=attributes,
                    password=password,
                    temporary_password=False,
                )
                school.provisioning_status = ProvisioningStatus.DONE
                school.provisioning_error = ""
                school.principal_user_id = account.user_id
                school_entry = {
                    "code": demo.code,
                    "name": demo.name,
                    "id": str(school.id),
                    "boarding": demo.boarding,
                    "student_count": demo.students,
                }
                users.append({"username": school.principal_username, "password": password, "role": "principal",
                              "school": school_entry})  # fmt: skip
                for suffix, role, label in STAFF:
                    username = f"{demo.code}.{suffix}"
                    await ensure_account(
                        admin,
                        username=username,
                        email=f"{username}@changling.example",
                        full_name=f"{demo.name} {label}",
                        roles=[role],
                        attributes=attributes,
                        password=password,
                        temporary_password=False,
                    )
                    users.append(
                        {"username": username, "password": password, "role": role, "school": school_entry}
                    )
            note(f"school {demo.name} ready")
    finally:
        await database.dispose()
    await seed_campaign(settings, county.id, progress=note)
    data = {
        "county": {"id": str(county.id), **COUNTY},
        "password": password,
        "note": "dev-only demo logins, generated on this machine",
        "users": users,
    }
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(data, ensure_ascii=False, indent=2), encoding="utf-8")
    return data
