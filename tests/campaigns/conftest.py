"""Fixtures of the campaign tests: counties of their own (a boarding school, a day school and a suspended
one, with their people), a clock the tests set, and a file store in a temporary directory."""

from __future__ import annotations

import datetime as dt
import io
import secrets
import uuid
import zipfile
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from typing import Any

import asyncpg
import pytest

from kit.storage import FilesystemStore
from schools.domain.campaigns.calendar import LOCAL_TZ
from tenants.roles import MIGRATOR
from tests.conftest import User, make_county, make_school, make_user
from tests.notifications.conftest import user_id

#: The day the tests live on (a Monday in the spring term) unless a test moves the clock.
TODAY = dt.date(2026, 4, 13)
PDF = b"%PDF-1.7\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00" + b"\x00" * 64 + b"\xff\xd9"


def docx() -> bytes:
    """A minimal Word document (an OOXML package)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")
    return buffer.getvalue()


class ManualClock:
    """The app's clock in these tests: it says whatever day the test sets."""

    def __init__(self, day: dt.date = TODAY) -> None:
        self.set(day)

    def set(self, day: dt.date, hour: int = 10) -> None:
        self.now = dt.datetime.combine(day, dt.time(hour), tzinfo=LOCAL_TZ)

    def __call__(self) -> dt.datetime:
        return self.now


@pytest.fixture(autouse=True)
def clock(app_client: Any) -> Iterator[ManualClock]:
    manual = ManualClock()
    app_client.app.state.clock = manual
    yield manual
    app_client.app.state.clock = None


@pytest.fixture(scope="session", autouse=True)
def file_store(app_client: Any, tmp_path_factory: pytest.TempPathFactory) -> FilesystemStore:
    store = FilesystemStore(tmp_path_factory.mktemp("files"))
    app_client.app.state.store = store
    return store


@dataclass
class County:
    """A county with a boarding school, a day school and a suspended school, and its people."""

    id: uuid.UUID
    boarding: uuid.UUID
    day: uuid.UUID
    suspended: uuid.UUID
    users: dict[str, User] = field(default_factory=dict)

    def __getitem__(self, key: str) -> User:
        return self.users[key]


async def set_school(stack: Any, school_id: uuid.UUID, **columns: Any) -> None:
    """Change a school's columns directly (test set-up the API does not offer, e.g. its boarding flag before
    any campaign, or the principal's account id that provisioning would record)."""
    conn = await asyncpg.connect(stack.settings.database_dsn(MIGRATOR, "migrator"))
    try:
        assignments = ", ".join(f"{name} = ${i}" for i, name in enumerate(columns, start=2))
        await conn.execute(
            f"UPDATE schools.schools SET {assignments} WHERE id = $1", school_id, *columns.values()
        )
    finally:
        await conn.close()


async def new_county(stack: Any, app_client: Any, label: str = "k", *, staff: bool = True) -> County:
    """A county with its bureau user and both schools' principals (``staff``: also a teacher and a guard of
    the boarding school). Accounts cost the identity server a password hash each, so tests share counties."""
    settings = stack.settings
    county_id = await make_county(settings, label)
    suffix = secrets.token_hex(2)
    boarding = await make_school(settings, county_id, f"{label}b{suffix}")
    day = await make_school(settings, county_id, f"{label}d{suffix}")
    suspended = await make_school(settings, county_id, f"{label}s{suffix}")
    county = County(county_id, boarding, day, suspended)
    specs = {
        "bureau": ("bureau", None),
        "principal": ("principal", boarding),
        "day_principal": ("principal", day),
    }
    if staff:
        specs |= {"teacher": ("teacher", boarding), "guard": ("guard", boarding)}
    for key, (role, school) in specs.items():
        county.users[key] = await make_user(settings, role, county_id, school)
    await set_school(stack, boarding, boarding=True, principal_user_id=user_id(county["principal"]))
    await set_school(stack, day, principal_user_id=user_id(county["day_principal"]))
    response = await app_client.post(
        f"/schools/{suspended}/suspend", json={"reason": "合并办学"}, headers=county["bureau"].headers
    )
    assert response.status_code == 200, response.text
    return county


@pytest.fixture(scope="session")
async def county(stack: Any, app_client: Any) -> County:
    """The county most campaign tests share: each test launches campaigns of its own in it, and a test that
    changes the county itself (a school suspended, onboarded) puts it back."""
    return await new_county(stack, app_client)


@pytest.fixture
async def migrator(stack: Any) -> AsyncIterator[asyncpg.Connection]:
    """The operator's connection (bypasses RLS): for reading the outbox and the audit trail in assertions."""
    conn = await asyncpg.connect(stack.settings.database_dsn(MIGRATOR, "migrator"))
    yield conn
    await conn.close()


def campaign_body(start: dt.date = TODAY, *, step: int = 14, **overrides: Any) -> dict[str, Any]:
    """A campaign starting on ``start`` whose phases are due every ``step`` days."""
    phases = ["deployment", "investigation", "remediation", "acceptance", "consolidation"]
    body: dict[str, Any] = {
        "title": f"校园安全专项治理 {secrets.token_hex(2)}",
        "description": "按县教育局部署开展。",
        "start_date": start.isoformat(),
        "phases": [
            {"phase": p, "deadline": (start + dt.timedelta(days=step * (i + 1))).isoformat()}
            for i, p in enumerate(phases)
        ],
    }
    body.update(overrides)
    return body


async def launched(app_client: Any, county: County, **overrides: Any) -> dict[str, Any]:
    """A launched campaign of ``county``: ``{"campaign": ..., "instances": {school id: instance id}}``."""
    bureau = county["bureau"].headers
    created = await app_client.post("/campaigns", json=campaign_body(**overrides), headers=bureau)
    assert created.status_code == 201, created.text
    campaign = created.json()
    launch = await app_client.post(f"/campaigns/{campaign['id']}/launch", headers=bureau)
    assert launch.status_code == 200, launch.text
    listed = await app_client.get("/school-campaigns", params={"campaign_id": campaign["id"]}, headers=bureau)
    instances = {uuid.UUID(i["school_id"]): i["id"] for i in listed.json()}
    return {"campaign": launch.json()["campaign"], "instances": instances}


async def upload(app_client: Any, user: User, data: bytes = PDF, name: str = "方案.pdf") -> str:
    response = await app_client.post("/files", files={"file": (name, data)}, headers=user.headers)
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


async def complete_deployment(
    app_client: Any, principal: User, instance: str, *, today: dt.date = TODAY
) -> None:
    """Record every deployment deliverable of ``instance`` as its principal."""
    file_id = await upload(app_client, principal)
    base = f"/school-campaigns/{instance}"
    day = today.isoformat()
    calls = [
        (
            "PUT",
            "leading-group",
            {
                "leader_duties": "全面负责",
                "established_on": day,
                "members": [{"name": "李副校长", "role": "deputy_leader", "duties": "具体组织"}],
            },
        ),
        (
            "POST",
            "meetings",
            {
                "held_on": day,
                "title": "专项治理部署会",
                "attendees": ["王校长", "李副校长"],
                "minutes": "部署专项治理工作。",
            },
        ),
        ("PUT", "implementation-plan", {"title": "实施方案", "file_id": file_id, "adopted_on": day}),
        ("PUT", "responsibilities", {"assignments": [{"duty": "校门安全", "responsible_name": "张主任"}]}),
    ]
    for method, path, body in calls:
        response = await app_client.request(method, f"{base}/{path}", json=body, headers=principal.headers)
        assert response.status_code in (200, 201), (path, response.text)
