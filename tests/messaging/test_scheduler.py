"""The scheduler: each periodic job is enqueued once per period however many schedulers run, and a per-tenant
job runs for every school even when it fails for one."""

from __future__ import annotations

import asyncio
import dataclasses
import datetime as dt
import json
import secrets
import time

from sqlalchemy import text

from tests.messaging.conftest import Process, eventually, process_env, stop_all


def _probe_jobs(tag: str) -> list:
    from kit.scheduler import PeriodicJob, daily, every

    queue = f"probe_{tag}"
    return [
        PeriodicJob(f"tests.every_minute_{tag}", "schools", every(minutes=1), f"tests.probe_{tag}", queue),
        PeriodicJob(f"tests.daily_{tag}", "schools", daily("06:00"), f"tests.probe_{tag}", queue),
    ]


def test_periods_are_named_after_the_most_recent_occurrence():
    from kit.scheduler import daily, every, weekly

    now = dt.datetime(2026, 11, 30, 6, 7, 30, tzinfo=dt.UTC)  # 14:07:30 in Beijing
    assert every(minutes=5).period(now) == "2026-11-30T06:05"
    assert every(seconds=20).period(now) == "2026-11-30T06:07:20"
    assert daily("06:00").period(now) == "2026-11-30"
    assert daily("15:00").period(now) == "2026-11-29"  # today's 15:00 in Beijing has not come yet
    assert daily("06:00", tz="UTC").period(now - dt.timedelta(minutes=10)) == "2026-11-29"
    # 2026-11-30 is a Monday.
    assert weekly("monday", "06:00").period(now) == "2026-11-30"
    assert weekly("monday", "15:00").period(now) == "2026-11-23"
    assert weekly("sunday", "23:00").period(now) == "2026-11-29"


async def test_two_schedulers_started_together_enqueue_each_periodic_job_once_per_period(
    stack, rabbit, rabbit_broker
):
    from kit.broker import create_broker
    from kit.scheduler import Scheduler

    tag = secrets.token_hex(3)
    jobs = _probe_jobs(tag)
    # Each scheduler has its own broker connection and its own database connection, as two processes would.
    brokers = [create_broker(dataclasses.replace(stack.settings, broker_url=rabbit.url)) for _ in range(2)]
    schedulers = [Scheduler(jobs, broker=broker) for broker in brokers]
    start = dt.datetime(2026, 11, 30, 6, 0, 0, tzinfo=dt.UTC)
    enqueued: list[tuple[str, str]] = []
    try:
        for minute in range(3):
            for second in (0, 20, 40):
                now = start + dt.timedelta(minutes=minute, seconds=second)
                for result in await asyncio.gather(*(s.tick(now) for s in schedulers)):
                    enqueued += result
        latecomer = Scheduler(jobs, broker=brokers[0])
        assert await latecomer.tick(start + dt.timedelta(minutes=2, seconds=50)) == []
        await latecomer.close()
    finally:
        for scheduler in schedulers:
            await scheduler.close()
        for broker in brokers:
            broker.close()

    every_minute, every_day = (job.name for job in jobs)
    assert sorted(enqueued) == [
        (every_day, "2026-11-30"),
        (every_minute, "2026-11-30T06:00"),
        (every_minute, "2026-11-30T06:01"),
        (every_minute, "2026-11-30T06:02"),
    ]
    ready, delayed, dead = rabbit_broker.get_queue_message_counts(f"probe_{tag}")
    assert (ready, delayed, dead) == (4, 0, 0)
    rabbit_broker.flush(f"probe_{tag}")


def _enqueued(process: Process) -> list[tuple[str, str]]:
    runs = []
    for line in process.output().splitlines():
        if line.startswith("{") and '"periodic_enqueued"' in line:
            record = json.loads(line)
            runs.append((record["job"], record["period"]))
    return runs


def test_two_scheduler_processes_started_together_enqueue_each_job_once(stack, rabbit, tmp_path):
    env = process_env(rabbit)
    first = Process("scheduler-1", ["scheduler"], env, tmp_path)
    second = Process("scheduler-2", ["scheduler"], env, tmp_path)
    try:
        for process in (first, second):
            process.wait_for_output('"scheduler_started"')
        time.sleep(1.5)  # a few more ticks each
    finally:
        codes = stop_all(first, second)
    assert codes == [0, 0], first.output()[-2000:] + second.output()[-2000:]
    assert '"scheduler_stopped"' in first.output()

    runs = _enqueued(first) + _enqueued(second)
    assert len(runs) == len(set(runs)), runs  # no job was enqueued twice for one period
    assert {"schools.outbox.sweep", "schools.provisioning.redrive"} <= {job for job, _ in runs}


async def test_a_per_tenant_job_that_fails_for_one_school_still_runs_for_the_others(
    stack, world, rabbit, monkeypatch
):
    import dramatiq

    import kit.scheduler
    from kit.broker import create_broker
    from kit.scheduler import Scheduler, every, per_tenant

    monkeypatch.setattr(kit.scheduler, "REGISTRY", dict(kit.scheduler.REGISTRY))
    tag = secrets.token_hex(3)
    ran: list[tuple[object, int, str]] = []

    async def schools(period: str) -> list:
        return [
            (world.county_x, world.school_a),
            (world.county_x, world.school_b),
            (world.county_y, world.school_c),
        ]

    # The probe's actors live on a broker of their own (a queue of the throwaway node), run by a worker of
    # their own.
    probe_broker = create_broker(dataclasses.replace(stack.settings, broker_url=rabbit.url))
    previous = dramatiq.get_broker()
    dramatiq.set_broker(probe_broker)
    try:

        @per_tenant("schools", f"tests.per_tenant_{tag}", every(minutes=1), tenants=schools,
                    queue_name=f"probe_{tag}", max_retries=0)  # fmt: skip
        async def probe(session, tenant, period: str) -> None:
            if tenant.school_id == world.school_b:
                raise RuntimeError("school B's job is broken")
            visible = (await session.execute(text("select count(*) from schools.schools"))).scalar_one()
            ran.append((tenant.school_id, visible, period))

    finally:
        dramatiq.set_broker(previous)
    worker = dramatiq.Worker(probe_broker, worker_threads=2)
    worker.start()
    scheduler = Scheduler([kit.scheduler.REGISTRY[f"tests.per_tenant_{tag}"]], broker=probe_broker)
    try:
        (enqueued,) = await scheduler.tick()

        async def two_ran() -> bool:
            return len(ran) >= 2

        await eventually(two_ran, "the jobs of schools A and C")
        await asyncio.sleep(0.5)  # B has failed by now, and A and C ran once each
        dead = probe_broker.get_queue_message_counts(f"probe_{tag}")[2]
    finally:
        await scheduler.close()
        await asyncio.to_thread(worker.stop, 10_000)
        probe_broker.flush(f"probe_{tag}")
        probe_broker.close()
    period = enqueued[1]
    assert sorted((str(school), visible, p) for school, visible, p in ran) == sorted(
        [(str(world.school_a), 1, period), (str(world.school_c), 1, period)]
    )
    assert dead == 1  # B's message, in the dead-letter queue for somebody to look at
