"""Postgres restarts while the schools API is under load: meanwhile readiness answers 503 and requests get
a 503 problem (never a 500, never a hang), and afterwards the same API process serves again without being
restarted; every write it acknowledged is in the database.

The shared Postgres is never touched: the API runs against a private cluster (the project's embedded
Postgres, ``safecampus.embedded_postgres``) on its own port, bootstrapped and migrated with the project's
own commands (``safecampus db bootstrap``, ``safecampus db migrate``), which the test stops and starts.
"""

from __future__ import annotations

import asyncio
import dataclasses
import os
import secrets
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import pytest

from tests.conftest import PASSWORD, _free_port, user_token
from tests.faults.conftest import start_api

DB_NAME = "safecampus"
#: How long Postgres stays down.
DOWN_SECONDS = 4.0


@dataclasses.dataclass
class PrivatePostgres:
    data_dir: Path
    port: int
    admin_url: str

    @property
    def database_url(self) -> str:
        return f"postgresql://127.0.0.1:{self.port}/{DB_NAME}"

    def stop(self) -> None:
        from safecampus import embedded_postgres

        embedded_postgres.stop(self.data_dir)

    def start(self) -> None:
        from safecampus import embedded_postgres

        embedded_postgres.start(self.data_dir, self.port)


def _safecampus(*args: str, env: dict[str, str]) -> None:
    done = subprocess.run(
        [str(Path(sys.executable).with_name("safecampus")), *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, (
        f"safecampus {' '.join(args)} failed:\n{done.stdout[-2000:]}{done.stderr[-2000:]}"
    )


@pytest.fixture(scope="module")
def private_postgres(stack: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[PrivatePostgres]:
    """A cluster of this test's own, with the SafeCampus database bootstrapped and migrated."""
    from safecampus import embedded_postgres

    data_dir = tmp_path_factory.mktemp("private-postgres") / "postgres"
    port = _free_port()
    admin_url = embedded_postgres.start(data_dir, port)
    try:
        cluster = PrivatePostgres(data_dir, port, admin_url)
        env = {
            **os.environ,
            "ADMIN_DATABASE_URL": admin_url,
            "DATABASE_URL": cluster.database_url,
            "SAFECAMPUS_DB_NAME": DB_NAME,
            "BROKER_URL": "",  # the Postgres-backed broker of the private database, as in `make run`
        }
        _safecampus("db", "bootstrap", env=env)
        _safecampus("db", "migrate", env=env)
        yield cluster
    finally:
        embedded_postgres.stop(data_dir)
        real = data_dir.resolve()
        subprocess.run(["rm", "-rf", str(real)], check=False)


@dataclasses.dataclass
class Outcome:
    at: float
    status: int | None
    content_type: str = ""
    code: str | None = None


async def _load(
    api: httpx.AsyncClient, headers: dict[str, str], stop: asyncio.Event, out: list[Outcome]
) -> None:
    """Reads and writes back to back: list the schools, onboard one every fourth request."""
    turn = 0
    while not stop.is_set():
        turn += 1
        code = f"r{secrets.token_hex(3)}" if turn % 4 == 0 else None
        try:
            if code:
                response = await api.post(
                    "/schools",
                    json={
                        "code": code,
                        "name": f"重启测试学校 {code}",
                        "kind": "primary",
                        "principal_name": "测试校长",
                        "principal_email": f"{code}@test.example",
                        "principal_username": f"{code}.principal",
                    },
                    headers=headers,
                )
            else:
                response = await api.get("/schools?limit=5", headers=headers)
        except httpx.HTTPError:
            out.append(Outcome(time.monotonic(), None, code=code))
            continue
        out.append(
            Outcome(time.monotonic(), response.status_code, response.headers.get("content-type", ""), code)
        )
        await asyncio.sleep(0.02)


async def _readiness(api: httpx.AsyncClient, stop: asyncio.Event, out: list[Outcome]) -> None:
    while not stop.is_set():
        try:
            response = await api.get("/health/ready")
            out.append(
                Outcome(time.monotonic(), response.status_code, response.headers.get("content-type", ""))
            )
        except httpx.HTTPError:
            out.append(Outcome(time.monotonic(), None))
        await asyncio.sleep(0.2)


async def test_the_api_answers_503_while_postgres_restarts_and_recovers_without_a_restart(
    stack, private_postgres, tmp_path, monkeypatch
):
    from kit.outbox import Outbox
    from schools.domain.counties.operations import create_county

    settings = dataclasses.replace(stack.settings, database_url=private_postgres.database_url, broker_url="")
    code = f"pg{secrets.token_hex(3)}"
    with monkeypatch.context() as patch:
        # No event of this county may reach the session's broker.
        patch.setattr(Outbox, "nudge_soon", lambda self: None)
        await create_county(
            settings,
            code=code,
            name="重启县",
            name_en="Restart County",
            locale="zh-Hans",
            bureau_username=f"{code}.bureau",
            bureau_email=f"{code}@test.example",
            bureau_name="重启县教育局",
            bureau_password=PASSWORD,
        )
    headers = {"Authorization": f"Bearer {await user_token(stack.settings, f'{code}.bureau')}"}

    env = {
        **os.environ,
        "DATABASE_URL": private_postgres.database_url,
        "BROKER_URL": "",
        "LOG_FORMAT": "json",
        "LOG_LEVEL": "INFO",
    }
    api_process, url = start_api("schools", env, tmp_path)
    try:
        requests: list[Outcome] = []
        ready: list[Outcome] = []
        stop = asyncio.Event()
        async with httpx.AsyncClient(base_url=url, timeout=15) as api:
            workers = [asyncio.create_task(_load(api, headers, stop, requests)) for _ in range(3)]
            workers.append(asyncio.create_task(_readiness(api, stop, ready)))
            await _until(
                lambda: sum(o.status in (200, 201) for o in requests) >= 10, "load before the restart"
            )
            down_at = time.monotonic()
            await asyncio.to_thread(private_postgres.stop)
            await asyncio.sleep(DOWN_SECONDS)
            await asyncio.to_thread(private_postgres.start)
            up_at = time.monotonic()
            recovered = await _until_ready(ready, up_at, timeout=60)
            await asyncio.sleep(3)  # load on the recovered service
            stop.set()
            await asyncio.gather(*workers)
            out_of_slots = await _without_connection_slots(private_postgres, api, headers)
        assert api_process.popen.poll() is None, "the API process died"
    finally:
        api_process.stop()
    # No connection slot left for the service's role (SQLSTATE 53300): a 503 problem too, then service again.
    assert [status for status, _ in out_of_slots] == [503, 200], out_of_slots
    assert out_of_slots[0][1].startswith("application/problem+json")

    before = [o for o in requests if o.at < down_at]
    after = [o for o in requests if o.at > recovered + 0.5]
    assert before and all(o.status in (200, 201) for o in before), [o.status for o in before]
    # While Postgres was down: readiness said so, and requests failed as a clear, retryable 503 problem.
    assert any(o.status == 503 for o in ready if down_at <= o.at <= up_at), [(o.at, o.status) for o in ready]
    failed = [o for o in requests if o.status not in (200, 201)]
    assert failed, "no request met the outage"
    assert {o.status for o in failed} == {503}, {o.status for o in failed}
    assert all(o.content_type.startswith("application/problem+json") for o in failed)
    # Afterwards: the same process serves every request again.
    assert len(after) >= 10 and all(o.status in (200, 201) for o in after), [o.status for o in after]
    assert ready[-1].status == 200
    # Every onboarding it acknowledged is in the database.
    acknowledged = {o.code for o in requests if o.status == 201}
    assert acknowledged
    conn = await asyncpg.connect(private_postgres.admin_url.rpartition("/")[0] + f"/{DB_NAME}")
    try:
        stored = {row["code"] for row in await conn.fetch("SELECT code FROM schools.schools")}
    finally:
        await conn.close()
    assert acknowledged <= stored


async def _without_connection_slots(
    cluster: PrivatePostgres, api: httpx.AsyncClient, headers: dict[str, str]
) -> list[tuple[int, str]]:
    """One request while the schools role may open no connection, one after: ``(status, content type)``."""
    from tenants.roles import app_role

    role = app_role("schools")
    admin = await asyncpg.connect(cluster.admin_url)
    answers = []
    try:
        await admin.execute(f"ALTER ROLE {role} CONNECTION LIMIT 0")
        await admin.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = $1", role)
        response = await api.get("/schools?limit=5", headers=headers)
        answers.append((response.status_code, response.headers.get("content-type", "")))
    finally:
        await admin.execute(f"ALTER ROLE {role} CONNECTION LIMIT -1")
        await admin.close()
    response = await api.get("/schools?limit=5", headers=headers)
    answers.append((response.status_code, response.headers.get("content-type", "")))
    return answers


async def _until(check: Any, what: str, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await asyncio.sleep(0.1)


async def _until_ready(ready: list[Outcome], since: float, timeout: float) -> float:
    """When readiness first answered 200 after ``since``."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for outcome in ready:
            if outcome.at > since and outcome.status == 200:
                return outcome.at
        await asyncio.sleep(0.1)
    raise AssertionError(f"not ready again within {timeout:.0f} s of Postgres starting")
