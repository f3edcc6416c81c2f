"""Shared fixtures: a throwaway database bootstrapped with the real roles, the dev identity server over
HTTP, RabbitMQ, an SMTP sink, and a small world of two counties to test isolation against.

Tests connect as the app roles; the administrator URL is used only to create and drop the database.
"""

from __future__ import annotations

import asyncio
import os
import secrets
import socket
import tempfile
import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from email import message_from_bytes
from email.message import Message
from typing import Any

import pytest


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


ADMIN_URL = os.environ.get("TEST_ADMIN_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
DB_NAME = f"safecampus_test_{os.getpid()}_{secrets.token_hex(3)}"


def _own_vhost() -> str | None:
    """A RabbitMQ virtual host of this test run, so that parallel runs never consume each other's
    messages. Needs a local rabbitmqctl (the machine's broker); otherwise the default vhost is used."""
    import shutil
    import subprocess

    if os.environ.get("TEST_BROKER_URL") or shutil.which("rabbitmqctl") is None:
        return None
    try:
        subprocess.run(["rabbitmqctl", "add_vhost", DB_NAME], check=True, capture_output=True, timeout=30)
        subprocess.run(
            ["rabbitmqctl", "set_permissions", "-p", DB_NAME, "guest", ".*", ".*", ".*"],
            check=True,
            capture_output=True,
            timeout=30,
        )
    except (subprocess.SubprocessError, OSError):
        return None
    return DB_NAME


VHOST = _own_vhost()
BROKER_URL = os.environ.get("TEST_BROKER_URL") or (
    f"amqp://guest:guest@127.0.0.1:5672/{VHOST}" if VHOST else "amqp://guest:guest@127.0.0.1:5672/%2F"
)
IDP_PORT = _free_port()
SMTP_PORT = _free_port()
PASSWORD = "Test-" + secrets.token_urlsafe(8)

# Every process-level setting is fixed before any service module is imported.
_admin_head = ADMIN_URL.rpartition("/")[0]
_host = _admin_head.split("@")[-1]
os.environ.update(
    {
        "SAFECAMPUS_ENV": "test",
        "DATABASE_URL": f"postgresql://{_host}/{DB_NAME}",
        "BROKER_URL": BROKER_URL,
        "KEYCLOAK_URL": f"http://127.0.0.1:{IDP_PORT}/",
        "KEYCLOAK_PROVISIONER_CLIENT_SECRET": secrets.token_urlsafe(24),
        "SAFECAMPUS_PORTAL_CLIENT_SECRET": secrets.token_urlsafe(24),
        "SMTP_URL": f"smtp://127.0.0.1:{SMTP_PORT}",
        "SAFECAMPUS_TEMPORARY_PASSWORDS": "false",
        # Uploaded files of the test run go to a throwaway directory, not the checkout.
        "SAFECAMPUS_FILES_DIR": os.path.join(tempfile.gettempdir(), f"{DB_NAME}-files"),
        # Many apps and workers share one test Postgres: keep each pool small.
        "SAFECAMPUS_DB_POOL_SIZE": "2",
        "SAFECAMPUS_DB_MAX_OVERFLOW": "4",
        "LOG_LEVEL": os.environ.get("LOG_LEVEL", "WARNING"),
    }
)


class Mailbox:
    """Messages received by the SMTP sink."""

    def __init__(self) -> None:
        self.messages: list[Message] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.messages.append(message_from_bytes(envelope.content))
        return "250 OK"

    def to(self, address: str) -> list[Message]:
        return [m for m in self.messages if m["To"] == address]


@dataclass
class Stack:
    settings: Any
    idp_url: str
    mailbox: Mailbox
    admin_url: str = ADMIN_URL
    db_name: str = DB_NAME


@pytest.fixture(scope="session")
def stack() -> Iterator[Stack]:
    from aiosmtpd.controller import Controller

    from devidp.testing import running_idp
    from kit.settings import get_settings
    from safecampus.migrate import migrate_all
    from tenants.bootstrap import bootstrap_database, drop_database
    from tenants.roles import IDP_ROLE

    get_settings.cache_clear()
    settings = get_settings()
    asyncio.run(bootstrap_database(ADMIN_URL, DB_NAME))
    mailbox = Mailbox()
    smtp = Controller(mailbox, hostname="127.0.0.1", port=SMTP_PORT)
    smtp.start()
    try:
        migrate_all(settings)
        # Tokens outlive the whole run: the session-scoped users are made once at the start.
        with running_idp(
            settings.database_dsn(IDP_ROLE, "idp"), port=IDP_PORT, access_token_lifespan=3600
        ) as idp_url:
            yield Stack(settings=settings, idp_url=idp_url, mailbox=mailbox)
    finally:
        smtp.stop()
        asyncio.run(drop_database(ADMIN_URL, DB_NAME))
        if VHOST:
            import subprocess

            subprocess.run(
                ["rabbitmqctl", "delete_vhost", VHOST], capture_output=True, timeout=30, check=False
            )


@pytest.fixture(scope="session")
def broker(stack: Stack) -> Any:
    from kit.broker import configure_broker

    broker = configure_broker(stack.settings)
    import safecampus.worker  # noqa: F401  (declares every actor on this broker)

    for queue in broker.get_declared_queues():
        broker.flush(queue)
    return broker


@pytest.fixture(scope="session")
def worker(broker: Any) -> Iterator[Any]:
    """A real Dramatiq worker consuming from RabbitMQ in this process."""
    from dramatiq import Worker

    worker = Worker(broker, worker_threads=2, worker_timeout=200)
    worker.start()
    yield worker
    worker.stop(timeout=10_000)


@pytest.fixture(scope="session")
async def app_client(stack: Stack, broker: Any) -> AsyncIterator[Any]:
    """The schools API in-process (ASGI), verifying tokens against the identity server over HTTP."""
    from litestar.testing import AsyncTestClient

    from schools.app import create_app

    async with AsyncTestClient(create_app(stack.settings)) as client:
        yield client


# --- accounts and tokens --------------------------------------------------------------------------------
@dataclass
class User:
    username: str
    role: str
    county_id: uuid.UUID
    school_id: uuid.UUID | None
    token: str = ""

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}


async def make_user(
    settings: Any, role: str, county_id: uuid.UUID, school_id: uuid.UUID | None, username: str | None = None
) -> User:
    """An account in the identity server (through python-keycloak's admin client) with a fresh token."""

    from kit.identity import admin_client, ensure_account

    username = username or f"{role}-{secrets.token_hex(4)}"
    attributes = {"county_id": str(county_id)}
    if school_id is not None:
        attributes["school_id"] = str(school_id)
    await ensure_account(
        admin_client(settings),
        username=username,
        email=f"{username}@test.example",
        full_name=username,
        roles=[role],
        attributes=attributes,
        password=PASSWORD,
        temporary_password=False,
    )
    return User(username, role, county_id, school_id, token=await user_token(settings, username))


async def user_token(settings: Any, username: str, password: str = PASSWORD) -> str:
    from keycloak import KeycloakOpenID

    openid = KeycloakOpenID(
        server_url=settings.keycloak_url, realm_name=settings.keycloak_realm, client_id="safecampus-cli"
    )
    token = await openid.a_token(username=username, password=password)
    return str(token["access_token"])


async def make_county(settings: Any, label: str) -> uuid.UUID:
    from schools.domain.counties.operations import create_county

    code = f"{label}-{secrets.token_hex(3)}"
    created = await create_county(
        settings,
        code=code,
        name=f"{label} 县",
        name_en=f"{label} County",
        locale="zh-Hans",
        bureau_username=f"{code}.bureau",
        bureau_email=f"{code}@test.example",
        bureau_name=label,
        bureau_password=PASSWORD,
    )
    return created.id


async def make_school(settings: Any, county_id: uuid.UUID, code: str) -> uuid.UUID:
    """A school written through the service layer under the county's bureau context (no provisioning job)."""
    from kit.db import Database
    from schools.domain.schools.models import SchoolKind
    from schools.domain.schools.schemas import SchoolCreate
    from schools.domain.schools.service import SchoolService
    from tenants import TenantContext

    database = Database(settings.sqlalchemy_url("safecampus_schools", "schools"), pool_size=1)
    tenant = TenantContext.for_county(county_id, roles=["bureau"])
    try:
        async with database.transaction(tenant) as session:
            school = await SchoolService(session, tenant).onboard(
                SchoolCreate(
                    code=code,
                    name=f"测试学校 {code}",
                    kind=SchoolKind.PRIMARY,
                    principal_name="测试校长",
                    principal_email=f"{code}@test.example",
                    principal_username=f"p-{code}-{secrets.token_hex(3)}".lower(),
                )
            )
            return school.id
    finally:
        await database.dispose()


@dataclass
class World:
    """County X with schools A and B, county Y with school C, and a user of every role."""

    county_x: uuid.UUID
    county_y: uuid.UUID
    school_a: uuid.UUID
    school_b: uuid.UUID
    school_c: uuid.UUID
    users: dict[str, User] = field(default_factory=dict)

    def __getitem__(self, key: str) -> User:
        return self.users[key]


@pytest.fixture(scope="session")
async def world(stack: Stack) -> World:
    settings = stack.settings
    county_x = await make_county(settings, "x")
    county_y = await make_county(settings, "y")
    school_a = await make_school(settings, county_x, f"a{secrets.token_hex(2)}")
    school_b = await make_school(settings, county_x, f"b{secrets.token_hex(2)}")
    school_c = await make_school(settings, county_y, f"c{secrets.token_hex(2)}")
    w = World(county_x, county_y, school_a, school_b, school_c)
    specs = {
        "bureau_x": ("bureau", county_x, None),
        "bureau_y": ("bureau", county_y, None),
        "principal_a": ("principal", county_x, school_a),
        "teacher_a": ("teacher", county_x, school_a),
        "guard_a": ("guard", county_x, school_a),
        "principal_b": ("principal", county_x, school_b),
        "principal_c": ("principal", county_y, school_c),
    }
    for key, (role, county, school) in specs.items():
        w.users[key] = await make_user(settings, role, county, school)
    return w
