"""A world full of real data for the hardening suite: two counties, three schools, every role, and in each
school what the demo seeds write through the services (campaign instances and their evidence, management
documents, plans and drills, staff, visitors, dormitories, students of concern, training, patrols, hazards
in every state with photos, incidents, public reports, rubrics, self-assessments, inspections, results,
PDF/XLSX reports). Every service API runs in-process; the isolation matrix harvests ids from it.

County X: schools A, B and D (codes ``cl01``-``cl03``); county Y: school C (``cl01``). The campaign seed
moves ``cl01`` through every phase and the others part of the way, so both counties hold the same shapes
of data and only the tenant differs; the evaluation seed makes A's principal a cross-school inspector of
another school of X (the ``inspector`` fixture).
"""

from __future__ import annotations

import asyncio
import base64
import json
import os
import secrets
import tempfile
import time
import uuid
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import PASSWORD, User, make_county, make_school, make_user, user_token
from tests.portal.conftest import (  # noqa: F401  (the portal and every API as real servers, for the portal tests)
    api_urls,
    evaluation_api,
    hazards_api,
    personnel_api,
    portal,
    schools_api,
)

# The personnel service encrypts visitors' ID numbers with this key, as production has one.
os.environ.setdefault("PERSONNEL_ID_KEY", secrets.token_urlsafe(32))

SERVICES = ("schools", "hazards", "personnel", "evaluation")
#: School roles and the login suffix the demo seeds expect (``<prefix>.<suffix>``).
STAFF = {"principal": "principal", "teacher": "teacher1", "teacher2": "teacher2", "guard": "guard"}


@dataclass
class School:
    """One school of the hardening world and its people (``principal``, ``teacher``, ``teacher2``, ``guard``)."""

    key: str
    county: str
    county_id: uuid.UUID
    id: uuid.UUID
    code: str
    users: dict[str, User] = field(default_factory=dict)


@dataclass
class HardWorld:
    """Counties ``X`` and ``Y``, schools ``A``/``B`` (X) and ``C`` (Y), each county's bureau user."""

    county_ids: dict[str, uuid.UUID]
    bureaus: dict[str, User]
    schools: dict[str, School]

    def county_of(self, user: User) -> str:
        return next(k for k, v in self.county_ids.items() if v == user.county_id)

    def school_of(self, user: User) -> str | None:
        return next((k for k, s in self.schools.items() if s.id == user.school_id), None)

    def every_user(self) -> list[User]:
        return [*self.bureaus.values(), *(u for s in self.schools.values() for u in s.users.values())]


def _forget_personnel_settings() -> None:
    from personnel.domain.visitors.id_numbers import default_vault
    from personnel.settings import get_personnel_settings

    get_personnel_settings.cache_clear()
    default_vault.cache_clear()


async def _seed_county(
    settings: Any, county: str, label: str, codes: dict[str, str]
) -> tuple[uuid.UUID, User, list[School]]:
    from evaluation.demo.seed import seed_evaluation_demo
    from hazards.demo.seed import seed_hazards
    from personnel.demo.seed import seed_personnel
    from schools.demo.campaign_seed import seed_campaign

    county_id = await make_county(settings, label)
    bureau = await make_user(
        settings, "bureau", county_id, None, username=f"{label}{secrets.token_hex(4)}.bureau"
    )
    bureau_username = bureau.username
    schools: list[School] = []
    users: list[dict[str, Any]] = [{"username": bureau_username, "role": "bureau"}]
    for key, code in codes.items():
        school_id = await make_school(settings, county_id, code)
        school = School(key, county, county_id, school_id, code)
        prefix = f"h{secrets.token_hex(4)}"
        entry = {"code": code, "name": f"测试学校 {code}", "id": str(school_id), "boarding": True,
                 "student_count": 900}  # fmt: skip
        for role_key, suffix in STAFF.items():
            role = "teacher" if role_key == "teacher2" else role_key
            username = f"{prefix}.{suffix}"
            school.users[role_key] = await make_user(settings, role, county_id, school_id, username=username)
            users.append({"username": username, "role": role, "school": entry, "password": PASSWORD})
        schools.append(school)
    demo = {"county": {"id": str(county_id)}, "users": users, "password": PASSWORD}
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False, encoding="utf-8") as handle:
        json.dump(demo, handle, ensure_ascii=False)
    try:
        await seed_campaign(settings, county_id)
        await seed_personnel(settings, Path(handle.name))
        await seed_hazards(settings, demo)
        await seed_evaluation_demo(settings, demo)
    finally:
        os.unlink(handle.name)
    return county_id, bureau, schools


@pytest.fixture(scope="session")
async def hard_world(stack: Any, broker: Any) -> HardWorld:
    _forget_personnel_settings()
    x_id, x_bureau, x_schools = await _seed_county(
        stack.settings, "X", "hx", {"A": "cl01", "B": "cl02", "D": "cl03"}
    )
    y_id, y_bureau, y_schools = await _seed_county(stack.settings, "Y", "hy", {"C": "cl01"})
    world = HardWorld(
        county_ids={"X": x_id, "Y": y_id},
        bureaus={"X": x_bureau, "Y": y_bureau},
        schools={s.key: s for s in [*x_schools, *y_schools]},
    )
    return world


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The first test of a run pays for seeding the world (a minute, more on a busy machine)."""
    here = Path(__file__).parent
    for item in items:
        if here in Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.timeout(900))


def token_claims(token: str) -> dict[str, Any]:
    payload = token.split(".")[1]
    return dict(json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4))))


@pytest.fixture(scope="session")
async def inspector(stack: Any, hard_world: HardWorld, worker: Any) -> User:
    """The cross-school inspector of the seeded open inspection: a school user whose token carries an
    inspection grant (the worker pushes grants to the identity server; a fresh token picks them up)."""
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        for school in hard_world.schools.values():
            for user in school.users.values():
                token = await user_token(stack.settings, user.username)
                if token_claims(token).get("inspection_grants"):
                    user.token = token
                    return user
        await asyncio.sleep(1)
    raise AssertionError("no inspection grant reached a token: is the worker running?")


@pytest.fixture(scope="session")
async def api(stack: Any, broker: Any, hard_world: HardWorld) -> AsyncIterator[dict[str, Any]]:
    """Every service API in-process, by service name."""
    from importlib import import_module

    from litestar.testing import AsyncTestClient

    async with AsyncExitStack() as exits:
        yield {
            s: await exits.enter_async_context(
                AsyncTestClient(import_module(f"{s}.app").create_app(stack.settings), timeout=60)
            )
            for s in SERVICES
        }


JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00" + b"\x00" * 64 + b"\xff\xd9"
PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


async def _first(api: Any, service: str, path: str, user: User, key: str = "id") -> str | None:
    response = await api[service].get(path, headers=user.headers)
    if response.status_code != 200:
        return None
    body = response.json()
    items = body.get("items", body) if isinstance(body, dict) else body
    return str(items[0][key]) if items else None


@dataclass
class SeededFiles:
    """Ids of the files made for the matrix, as ``{username: {name: ids}}``, and what could not be made."""

    ids: dict[str, dict[str, set[str]]] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)

    def note(self, user: User, name: str, response: Any, what: str) -> None:
        if response.status_code in (200, 201, 202):
            self.ids.setdefault(user.username, {}).setdefault(name, set()).add(str(response.json()["id"]))
        else:
            self.problems.append(f"{what}: {response.status_code} {response.text[:200]}")


@pytest.fixture(scope="session")
async def files(hard_world: HardWorld, api: dict[str, Any], inspector: User) -> SeededFiles:
    """Files the seeds do not write, so that every download route meets a real one of each county: a
    hazard photo, self-assessment evidence and a report of schools A and C, and an inspection photo of
    the inspector's sheet. What could not be made shows up with the matrix's unreached routes."""
    made = SeededFiles()
    for key in ("A", "C"):
        school = hard_world.schools[key]
        principal, bureau = school.users["principal"], hard_world.bureaus[school.county]
        hazard = await _first(api, "hazards", "/hazards", principal)
        photo = await api["hazards"].post(
            f"/hazards/{hazard}/photos",
            files={"file": ("p.jpg", JPEG, "image/jpeg")},
            data={"stage": "before"},
            headers=principal.headers,
        )
        made.note(principal, "photos", photo, f"hazard photo of {key}")
        campaign = await _first(api, "evaluation", "/campaigns", bureau)
        report = await api["evaluation"].post(
            f"/campaigns/{campaign}/reports", json={"kind": "ranking_xlsx"}, headers=bureau.headers
        )
        made.note(bureau, "reports", report, f"report of {school.county}")
        # the seeded self-assessments are submitted: a campaign of next year takes evidence
        rubrics = (await api["evaluation"].get("/rubrics", headers=bureau.headers)).json()
        for rubric in rubrics.get("items", []) if isinstance(rubrics, dict) else rubrics:
            opened = await api["evaluation"].post(
                "/campaigns",
                json={"campaign_id": str(uuid.uuid4()), "title": "明年的专项治理", "year": 2027,
                      "rubric_id": rubric["id"]},
                headers=bureau.headers,
            )  # fmt: skip
            if opened.status_code == 201:
                break
        listed = (await api["evaluation"].get("/campaigns", headers=principal.headers)).json()
        attached = None
        for item in listed.get("items", []) if isinstance(listed, dict) else listed:
            # only the running campaign's self-assessment still takes evidence
            sheet = await api["evaluation"].get(
                f"/campaigns/{item['id']}/self-assessment", headers=principal.headers
            )
            codes = [i["code"] for i in sheet.json().get("items", [])] if sheet.status_code == 200 else []
            if not codes:
                continue
            attached = await api["evaluation"].post(
                f"/campaigns/{item['id']}/self-assessment/items/{codes[0]}/evidence",
                content=PDF,
                headers={**principal.headers, "Content-Type": "application/pdf"},
            )
            if attached.status_code == 201:
                break
        if attached is None:
            made.problems.append(f"self-assessment evidence of {key}: no self-assessment to attach it to")
        else:
            made.note(principal, "evidence_id", attached, f"self-assessment evidence of {key}")
    mine = (await api["evaluation"].get("/inspections/mine", headers=inspector.headers)).json()
    for grant in mine.get("grants", [])[:1]:
        assignment = grant.get("assignment_id")
        detail = await api["evaluation"].get(f"/inspections/{assignment}", headers=inspector.headers)
        code = detail.json()["items"][0]["code"] if detail.status_code == 200 else "?"
        photo = await api["evaluation"].post(
            f"/inspections/{assignment}/scores/{code}/photos",
            content=JPEG,
            headers={**inspector.headers, "Content-Type": "image/jpeg"},
        )
        made.note(inspector, "inspection-photos", photo, "inspection photo")
    return made


def matrix_users(world: HardWorld) -> list[User]:
    """Who walks the APIs: both bureaus and the principal, a teacher and the guard of every school."""
    staff = [s.users[k] for s in world.schools.values() for k in ("principal", "teacher", "guard")]
    return [*world.bureaus.values(), *staff]


@pytest.fixture(scope="session")
async def seen(hard_world: HardWorld, api: dict[str, Any], inspector: User, files: SeededFiles) -> Any:
    """What every user of the hardening world can see through the APIs (:mod:`tests.hardening.harvest`)."""
    from tests.hardening.harvest import harvest

    return await harvest(hard_world, api, matrix_users(hard_world), known=files.ids)
