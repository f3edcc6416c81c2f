"""RabbitMQ stops while the hazards and personnel services take writes: each write is acknowledged (its event
waits in the service's outbox), and once RabbitMQ is back every event is delivered and takes effect exactly
once — even when the relay publishes it a second time.

``tests/messaging/test_delivery.py`` proves this for the schools service's onboarding; here the writes are
a principal inviting a teacher (personnel: the account is created and the password e-mailed by the worker)
and an anonymous public hazard report (hazards: the principal is notified by the worker). The APIs and the
worker are real processes on a private RabbitMQ node that the test stops and starts.
"""

from __future__ import annotations

import asyncio
import dataclasses
import json
import secrets
from collections.abc import Iterator
from typing import Any

import asyncpg
import httpx
import pytest

from kit.events import PERSONNEL_STAFF_EVENTS, PUBLIC_REPORT_RECEIVED, consumer_actor_name
from tenants.roles import MIGRATOR
from tests.faults.conftest import start_api
from tests.messaging.conftest import Process, eventually, process_env, stop_all


@dataclasses.dataclass
class Running:
    personnel: str
    hazards: str
    worker: Process


@pytest.fixture
def running(stack: Any, rabbit: Any, tmp_path: Any) -> Iterator[Running]:
    env = process_env(rabbit)
    started: list[tuple[Process, str]] = []
    try:
        for name in ("personnel", "hazards"):
            started.append(start_api(name, env, tmp_path, ready="/health/live"))
        worker = Process("worker", ["worker", "--processes", "1", "--threads", "2"], env, tmp_path)
        started.append((worker, ""))
        worker.wait_for_output("ready for action", timeout=90)
        yield Running(started[0][1], started[1][1], worker)
    finally:
        stop_all(*(process for process, _ in started))


async def _outbox_events(
    conn: asyncpg.Connection, service: str, key: str, value: str
) -> list[asyncpg.Record]:
    return await conn.fetch(f"SELECT * FROM {service}.outbox WHERE payload->>'{key}' = $1", value)


async def test_writes_acknowledged_while_rabbitmq_is_down_take_effect_once_after_it_returns(
    stack, world, broker, hazards_world, personnel_world, rabbit, rabbit_broker, running
):
    from kit.identity import admin_client
    from kit.scheduler import REGISTRY, Scheduler, every

    principal = world["principal_a"].headers
    username = f"down-{secrets.token_hex(4)}"
    email = f"{username}@test.example"
    sweeps = [
        dataclasses.replace(REGISTRY[f"{service}.outbox.sweep"], schedule=every(seconds=1))
        for service in ("personnel", "hazards")
    ]
    scheduler = Scheduler(sweeps, broker=rabbit_broker)
    operator = await asyncpg.connect(stack.settings.database_dsn(MIGRATOR, "migrator"))
    try:
        async with httpx.AsyncClient(timeout=30) as api:
            link = await api.get(f"{running.hazards}/report-link", headers=principal)
            assert link.status_code == 200, link.text
            rabbit.stop()
            try:
                invited = await api.post(
                    f"{running.personnel}/staff",
                    json={"name": "断线老师", "email": email, "username": username, "role": "teacher"},
                    headers=principal,
                )
                assert invited.status_code == 201, invited.text
                staff_id = invited.json()["id"]
                reported = await api.post(
                    f"{running.hazards}{link.json()['path']}",
                    data={
                        "category": "fire",
                        "description": f"消防通道被堵 {secrets.token_hex(3)}",
                        "place": "东门",
                    },
                )
                assert reported.status_code == 202, reported.text
                (staff_event,) = await _outbox_events(operator, "personnel", "staff_id", staff_id)
                (report_event,) = await _outbox_events(
                    operator, "hazards", "reference", reported.json()["reference"]
                )
                assert staff_event["published_at"] is None and report_event["published_at"] is None
                assert await scheduler.tick() == []  # nothing can be enqueued while the broker is down
            finally:
                rabbit.start()

        link_to_report = f"/public-reports/{json.loads(report_event['payload'])['report_id']}"

        async def effects() -> tuple[int, int, int]:
            accounts = await admin_client(stack.settings).a_get_users({"username": username, "exact": True})
            notified = await operator.fetchval(
                "SELECT count(*) FROM hazards.notifications WHERE link = $1", link_to_report
            )
            return len(accounts), len(stack.mailbox.to(email)), int(notified)

        async def delivered() -> bool:
            await scheduler.tick()
            return (await effects())[0] == 1 and (await effects())[2] >= 1

        await eventually(delivered, "both events to take effect after RabbitMQ returned", timeout=90)
        await eventually(
            lambda: _settled(operator, "personnel.staff", staff_id),
            "the account's e-mail to be sent",
            timeout=30,
        )
        first = await effects()

        # The relay publishes both events again (as after a crash between publishing and marking them).
        for service, event in (("personnel", staff_event), ("hazards", report_event)):
            await operator.execute(
                f"UPDATE {service}.outbox SET published_at = NULL WHERE id = $1", event["id"]
            )

        async def repeats_recognised() -> bool:
            await scheduler.tick()
            return all(
                running.worker.records("event_already_handled", event_id=str(event["id"]))
                for event in (staff_event, report_event)
            )

        await eventually(repeats_recognised, "the second deliveries to be recognised", timeout=60)
        await asyncio.sleep(1)
        assert await effects() == first and first[:2] == (1, 1) and first[2] >= 1
        for service, event, consumer in (
            ("personnel", staff_event, consumer_actor_name("personnel", PERSONNEL_STAFF_EVENTS["invited"])),
            ("hazards", report_event, consumer_actor_name("hazards", PUBLIC_REPORT_RECEIVED)),
        ):
            handled = await operator.fetchval(
                f"SELECT count(*) FROM {service}.inbox WHERE event_id = $1 AND consumer = $2",
                event["id"],
                consumer,
            )
            assert handled == 1, (service, handled)
        staff = await operator.fetchrow("SELECT * FROM personnel.staff WHERE id = $1::uuid", staff_id)
        assert (staff["account_status"], staff["account_attempts"]) == ("ready", 1)
    finally:
        await scheduler.close()
        await operator.close()


async def _settled(operator: asyncpg.Connection, table: str, staff_id: str) -> bool:
    status = await operator.fetchval(f"SELECT account_status FROM {table} WHERE id = $1::uuid", staff_id)
    return status == "ready"
