"""Fixtures of the evaluation tests: the evaluation API in-process (files in a temporary directory), the
world's schools in the evaluation's school directory, a published default rubric with a campaign, and
helpers to deliver an event to a consumer and to wait for the worker."""

from __future__ import annotations

import asyncio
import base64
import datetime as dt
import json
import secrets
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import pytest
from sqlalchemy import text

from tests.conftest import User

PROBLEM = "application/problem+json"
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00" + b"\x00" * 64 + b"\xff\xd9"
EPOCH = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)


def claims(user: User | str) -> dict[str, Any]:
    """The claims of an access token (already verified by the services; here only read)."""
    token = user.token if isinstance(user, User) else user
    payload = token.split(".")[1]
    return dict(json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4))))


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture(scope="session")
def eval_files(tmp_path_factory: pytest.TempPathFactory) -> Any:
    from kit.storage import FilesystemStore

    return FilesystemStore(tmp_path_factory.mktemp("evaluation-files"))


@pytest.fixture(scope="session")
async def eval_client(stack: Any, broker: Any, eval_files: Any) -> AsyncIterator[Any]:
    from litestar.testing import AsyncTestClient

    from evaluation.app import create_app

    async with AsyncTestClient(create_app(stack.settings, store=eval_files)) as client:
        yield client


@pytest.fixture(scope="session")
async def eval_db(stack: Any) -> AsyncIterator[Any]:
    """The evaluation service's app role (RLS applies)."""
    from kit.db import Database
    from tenants.roles import app_role

    database = Database(stack.settings.sqlalchemy_url(app_role("evaluation"), "evaluation"), pool_size=2)
    yield database
    await database.dispose()


async def add_school(db: Any, county_id: uuid.UUID, school_id: uuid.UUID, code: str, name: str) -> None:
    """Put a school into the directory, as its ``schools.school.onboarded`` event would."""
    from evaluation.domain.directory.repository import DirectoryRepository
    from tenants import TenantContext

    async with db.transaction(TenantContext.for_school(county_id, school_id)) as session:
        await DirectoryRepository(session).upsert(
            school_id=school_id,
            county_id=county_id,
            code=code,
            name=name,
            kind="primary",
            active=True,
            as_of=EPOCH,
        )


@pytest.fixture(scope="session")
async def directory(eval_db: Any, world: Any) -> Any:
    await add_school(eval_db, world.county_x, world.school_a, "A", "甲校 School A")
    await add_school(eval_db, world.county_x, world.school_b, "B", "乙校 School B")
    await add_school(eval_db, world.county_y, world.school_c, "C", "丙校 School C")
    return world


async def publish_default_rubric(client: Any, bureau: User) -> str:
    created = await client.post("/rubrics/default", headers=bureau.headers)
    assert created.status_code == 201, created.text
    published = await client.post(f"/rubrics/{created.json()['id']}/publish", headers=bureau.headers)
    assert published.status_code == 200, published.text
    return str(published.json()["id"])


async def open_campaign(client: Any, bureau: User, rubric_id: str, title: str = "2026 专项治理") -> str:
    response = await client.post(
        "/campaigns",
        json={"campaign_id": str(uuid.uuid4()), "title": title, "year": 2026, "rubric_id": rubric_id},
        headers=bureau.headers,
    )
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


@pytest.fixture(scope="session")
async def default_rubric(eval_client: Any, world: Any) -> str:
    return await publish_default_rubric(eval_client, world["bureau_x"])


async def deliver(
    actor: Any,
    event_type: Any,
    payload: Any,
    *,
    county_id: uuid.UUID,
    school_id: uuid.UUID | None,
    event_id: uuid.UUID | None = None,
    occurred_at: dt.datetime | None = None,
) -> uuid.UUID:
    """Hand an event to a consumer exactly as the relay's message would (the actor's own function)."""
    import msgspec

    from kit.events import envelope

    event_id = event_id or uuid.uuid4()
    message = envelope(
        event_id,
        event_type.name,
        county_id,
        school_id,
        occurred_at or dt.datetime.now(dt.UTC),
        msgspec.to_builtins(payload),
    )
    await actor.fn.__wrapped__(**message)  # the actor's coroutine, as the worker's event loop runs it
    return event_id


async def eventually(
    check: Callable[[], Awaitable[Any]], *, timeout: float = 30.0, interval: float = 0.3
) -> Any:
    """Poll ``check`` until it returns something truthy (work done by the worker)."""
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        result = await check()
        if result:
            return result
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError("the worker did not get there in time")
        await asyncio.sleep(interval)


async def rows(db: Any, tenant: Any, sql: str, **params: Any) -> list[Any]:
    async with db.transaction(tenant) as session:
        return list((await session.execute(text(sql), params)).all())


def unique(label: str) -> str:
    return f"{label}-{secrets.token_hex(3)}"
