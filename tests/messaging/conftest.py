"""Fixtures for the messaging tests: a RabbitMQ node of our own that a test may stop, and the schools API and
a worker as real processes connected to it.

The machine's RabbitMQ (``TEST_BROKER_URL``) is never stopped, because other tests and other test sessions
use it. The throwaway node runs the Debian scripts on a private directory, with its own node name, AMQP
port and distribution port, loopback only. It takes a few seconds to start. Its queues belong to this
session alone, so no other session's worker can take our messages.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text

RABBIT_BIN = Path("/usr/lib/rabbitmq/bin")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _port_open(port: int) -> bool:
    with socket.socket() as s:
        s.settimeout(0.5)
        return s.connect_ex(("127.0.0.1", port)) == 0


class RabbitNode:
    """A RabbitMQ node on its own port and directory, started and stopped by the test."""

    def __init__(self, base: Path) -> None:
        self.base = base
        self.node = f"safecampus-test-{os.getpid()}-{secrets.token_hex(3)}@localhost"
        self.port = _free_port()
        self.dist_port = _free_port()
        (base / "rabbitmq.conf").write_text("loopback_users = none\n")  # instead of /etc/rabbitmq's listeners
        (base / "rabbitmq-env.conf").write_text("")
        self.env = {
            **os.environ,
            "HOME": str(base),  # its own Erlang cookie
            "PATH": f"{RABBIT_BIN}:{os.environ.get('PATH', '')}",
            "RABBITMQ_NODENAME": self.node,
            "RABBITMQ_NODE_IP_ADDRESS": "127.0.0.1",
            "RABBITMQ_NODE_PORT": str(self.port),
            "RABBITMQ_DIST_PORT": str(self.dist_port),
            "ERL_EPMD_ADDRESS": "127.0.0.1",
            "RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS": "-kernel inet_dist_use_interface {127,0,0,1}",
            "RABBITMQ_CONFIG_FILE": str(base / "rabbitmq.conf"),
            "RABBITMQ_CONF_ENV_FILE": str(base / "rabbitmq-env.conf"),
            "RABBITMQ_MNESIA_BASE": str(base / "mnesia"),
            "RABBITMQ_LOG_BASE": str(base / "log"),
            "RABBITMQ_PID_FILE": str(base / "node.pid"),
        }

    @property
    def url(self) -> str:
        return f"amqp://guest:guest@127.0.0.1:{self.port}/%2F"

    def _ctl(self, *args: str, timeout: float = 30.0) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            ["rabbitmqctl", "-q", "-n", self.node, *args],
            env=self.env,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )

    def launch(self) -> None:
        """Start the node in the background (``wait_ready`` waits for it)."""
        subprocess.run(["rabbitmq-server", "-detached"], env=self.env, check=True, timeout=30)

    def wait_ready(self, timeout: float = 90.0) -> None:
        """Wait until the node takes AMQP connections (its listener opens last while it boots)."""
        import pika

        deadline = time.monotonic() + timeout
        while True:
            if _port_open(self.port):
                try:
                    pika.BlockingConnection(pika.URLParameters(self.url)).close()
                    return
                except pika.exceptions.AMQPError:
                    pass
            if time.monotonic() > deadline:
                log = self.base / "log" / f"{self.node}.log"
                tail = log.read_text(errors="replace")[-2000:] if log.exists() else "(no log)"
                raise RuntimeError(f"RabbitMQ node {self.node} did not start:\n{tail}")
            time.sleep(0.2)

    def start(self) -> None:
        self.launch()
        self.wait_ready()

    def stop(self) -> None:
        self._ctl("stop")
        deadline = time.monotonic() + 20
        while _port_open(self.port):
            if time.monotonic() > deadline:
                raise RuntimeError(f"RabbitMQ node {self.node} still listens after stop")
            time.sleep(0.1)


@pytest.fixture(scope="session")
def rabbit_node() -> Iterator[RabbitNode]:
    """The node, launched but maybe still booting (see :func:`rabbit`)."""
    if shutil.which("rabbitmq-server", path=f"{RABBIT_BIN}:{os.environ.get('PATH', '')}") is None:
        pytest.fail("these tests start a RabbitMQ node of their own: install rabbitmq-server")
    base = Path(tempfile.mkdtemp(prefix="safecampus-rabbit-"))
    node = RabbitNode(base)
    node.launch()
    try:
        yield node
    finally:
        node.stop()
        shutil.rmtree(base, ignore_errors=True)


@pytest.fixture(scope="session")
def rabbit(rabbit_node: RabbitNode) -> RabbitNode:
    """The throwaway RabbitMQ node, up. A test that stops it starts it again before it ends."""
    rabbit_node.wait_ready()
    return rabbit_node


@pytest.fixture(scope="session")
def rabbit_broker(stack: Any, rabbit: RabbitNode) -> Iterator[Any]:
    """A Dramatiq broker on the throwaway node, attached to no worker (publishing and counting only)."""
    from kit.broker import create_broker

    broker = create_broker(dataclasses.replace(stack.settings, broker_url=rabbit.url))
    yield broker
    broker.close()


# --- real processes -------------------------------------------------------------------------------------
class Process:
    """A ``safecampus`` command in its own process group, its output in a log file."""

    def __init__(self, name: str, args: list[str], env: dict[str, str], log_dir: Path) -> None:
        self.name = name
        self.log = log_dir / f"{name}.log"
        executable = Path(sys.executable).with_name("safecampus")
        with self.log.open("wb") as out:
            self.popen = subprocess.Popen(
                [str(executable), *args],
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    def output(self) -> str:
        return self.log.read_text(errors="replace")

    def wait_for_output(self, needle: str, timeout: float = 90.0) -> None:
        deadline = time.monotonic() + timeout
        while needle not in self.output():
            if self.popen.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"{self.name} did not print {needle!r}:\n{self.output()[-3000:]}")
            time.sleep(0.1)

    def records(self, event: str, **fields: Any) -> list[dict[str, Any]]:
        """The JSON log records of ``event`` whose fields have the given values."""
        found = []
        for line in self.output().splitlines():
            if not line.startswith("{"):
                continue
            try:
                record = json.loads(line)
            except ValueError:
                continue
            if record.get("event") == event and all(record.get(k) == v for k, v in fields.items()):
                found.append(record)
        return found

    def terminate(self) -> None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.popen.pid, signal.SIGTERM)

    def wait(self, timeout: float = 15.0) -> int:
        try:
            return self.popen.wait(timeout)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.popen.pid, signal.SIGKILL)
            return self.popen.wait(5)

    def stop(self) -> int:
        self.terminate()
        return self.wait()


def stop_all(*processes: Process) -> list[int]:
    for process in processes:
        process.terminate()
    return [process.wait() for process in processes]


def process_env(rabbit: RabbitNode) -> dict[str, str]:
    """The test session's environment (database, identity server, SMTP sink), with the throwaway broker."""
    return {**os.environ, "BROKER_URL": rabbit.url, "LOG_LEVEL": "INFO", "LOG_FORMAT": "json"}


@dataclass
class Services:
    api_url: str
    api: Process
    worker: Process


@pytest.fixture(scope="session")
def services(
    stack: Any, rabbit_node: RabbitNode, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Services]:
    """The schools API and a worker, each its own process, on the throwaway RabbitMQ node (which boots
    meanwhile)."""
    logs = tmp_path_factory.mktemp("processes")
    env = process_env(rabbit_node)
    port = _free_port()
    api = Process("api", ["serve", "schools", "--port", str(port)], env, logs)
    worker = Process("worker", ["worker", "--processes", "1", "--threads", "2"], env, logs)
    try:
        rabbit_node.wait_ready()
        deadline = time.monotonic() + 90
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/health/live", timeout=2):
                    break
            except OSError:
                if api.popen.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"the API did not start:\n{api.output()[-3000:]}") from None
                time.sleep(0.2)
        worker.wait_for_output("ready for action", timeout=90)
        yield Services(f"http://127.0.0.1:{port}", api, worker)
    finally:
        stop_all(api, worker)


# --- the database, as the schools app role ----------------------------------------------------------------
class SchoolsDatabase:
    """Reads and a few deliberate changes, as the schools app role (the outbox and inbox have no RLS)."""

    def __init__(self, settings: Any) -> None:
        from kit.db import Database
        from tenants.roles import app_role

        self.database = Database(settings.sqlalchemy_url(app_role("schools"), "schools"), pool_size=2)

    async def scalar(self, sql: str, tenant: Any = None, **params: Any) -> Any:
        async with self.database.transaction(tenant) as session:
            return (await session.execute(text(sql), params)).scalar()

    async def rows(self, sql: str, tenant: Any = None, **params: Any) -> list[Any]:
        async with self.database.transaction(tenant) as session:
            return list((await session.execute(text(sql), params)).mappings())

    async def events_of(self, school_id: uuid.UUID) -> list[Any]:
        return await self.rows(
            "SELECT * FROM schools.outbox WHERE tenant_school_id = :school ORDER BY created_at",
            school=school_id,
        )

    async def deliveries(self, consumer: str, event_id: uuid.UUID) -> int:
        return int(
            await self.scalar(
                "SELECT count(*) FROM schools.inbox WHERE consumer = :consumer AND event_id = :event",
                consumer=consumer,
                event=event_id,
            )
        )

    async def school(self, county_id: uuid.UUID, school_id: uuid.UUID) -> Any:
        from tenants import TenantContext

        rows = await self.rows(
            "SELECT * FROM schools.schools WHERE id = :id", TenantContext.for_county(county_id), id=school_id
        )
        return rows[0]


@pytest.fixture(scope="session")
async def schools_database(stack: Any) -> AsyncIterator[SchoolsDatabase]:
    database = SchoolsDatabase(stack.settings)
    yield database
    await database.database.dispose()


@dataclass
class Onboarded:
    county_id: uuid.UUID
    school_id: uuid.UUID
    username: str
    email: str


async def onboard(settings: Any, county_id: uuid.UUID, **overrides: Any) -> Onboarded:
    """Onboard a school through the service layer, as the bureau of ``county_id``, in one transaction."""
    from kit.db import Database
    from schools.domain.schools.models import SchoolKind
    from schools.domain.schools.schemas import SchoolCreate
    from schools.domain.schools.service import SchoolService
    from tenants import TenantContext

    code = f"m{secrets.token_hex(3)}"
    fields: dict[str, Any] = {
        "code": code,
        "name": f"消息测试学校 {code}",
        "kind": SchoolKind.PRIMARY,
        "principal_name": "测试校长",
        "principal_email": f"{code}@test.example",
        "principal_username": f"{code}.principal",
        **overrides,
    }
    database = Database(settings.sqlalchemy_url("safecampus_schools", "schools"), pool_size=1)
    tenant = TenantContext.for_county(county_id, actor="test", roles=["bureau"])
    try:
        async with database.transaction(tenant) as session:
            school = await SchoolService(session, tenant).onboard(SchoolCreate(**fields))
    finally:
        await database.dispose()
    return Onboarded(county_id, school.id, fields["principal_username"], fields["principal_email"])


async def eventually(check: Callable[[], Awaitable[bool]], what: str, timeout: float = 45.0) -> None:
    """Wait until ``check()`` is true."""
    deadline = asyncio.get_running_loop().time() + timeout
    while not await check():
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await asyncio.sleep(0.2)


@pytest.fixture
def no_nudges(monkeypatch: pytest.MonkeyPatch) -> None:
    """Leave the relay to the test: writes made in this process send no nudge after commit.

    The nudge only shortens the wait; the sweep delivers without it. Here it would go to the machine's
    RabbitMQ, where the in-process worker (or another test session's) could relay our events before
    the test does.
    """
    from kit.outbox import Outbox

    monkeypatch.setattr(Outbox, "nudge_soon", lambda self: None)
