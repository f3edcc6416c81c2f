"""Periodic work: declared in code, enqueued by one scheduler process, run by the workers, per tenant.

- A job is declared next to its code. :func:`periodic` declares one message per period. :func:`per_tenant`
  declares a dispatcher that lists the tenants and sends one message per tenant. Each tenant's run has
  its own transaction and its own retries, so one school's failure does not stop the others.
- Schedules: :func:`every` (a fixed interval, aligned on the Unix epoch in UTC), :func:`daily` and
  :func:`weekly` (a local time in a time zone). A run's *period* is the schedule's most recent
  occurrence, written as a key (``2026-11-30T06:05``, ``2026-11-30``). The job receives it as
  ``period=``.
- ``safecampus scheduler`` runs :class:`Scheduler`. Every second, for each job whose current period it has
  not handled yet, it inserts ``(job, period)`` into ``<service>.scheduler_runs`` with ON CONFLICT DO
  NOTHING. Only when the row is new does it enqueue the job, in the same transaction. A failed enqueue
  therefore releases the claim for the next tick, and two schedulers started together enqueue each job
  once per period.
- When no scheduler runs for a while, a job's most recent missed period runs once a scheduler starts
  again. Older missed periods are skipped. A job must be idempotent for its period.
"""

from __future__ import annotations

import abc
import asyncio
import contextlib
import datetime as dt
import signal
import uuid
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from functools import cache
from typing import Any
from zoneinfo import ZoneInfo

import dramatiq
from sqlalchemy import Column, DateTime, MetaData, Table, Text
from sqlalchemy.dialects.postgresql import insert

from kit.broker import TenantJob, configure_broker, tenant_actor
from kit.db import Database
from kit.logging import get_logger
from kit.settings import Settings, get_settings
from tenants.roles import app_role

log = get_logger(__name__)

#: SafeCampus's users are Chinese county schools: local times of day are Beijing time unless a job says so.
DEFAULT_TZ = "Asia/Shanghai"


# --- schedules ------------------------------------------------------------------------------------------
class Schedule(abc.ABC):
    """When a job runs: its occurrences, and the key that names each one."""

    @abc.abstractmethod
    def latest(self, now: dt.datetime) -> dt.datetime:
        """The most recent occurrence at or before ``now`` (timezone-aware)."""

    @abc.abstractmethod
    def key(self, occurrence: dt.datetime) -> str:
        """The period key of ``occurrence``, as stored in ``scheduler_runs.period``."""

    @abc.abstractmethod
    def describe(self) -> str:
        """For people: ``every 5 min``, ``daily at 06:00 Asia/Shanghai``."""

    def period(self, now: dt.datetime) -> str:
        """The key of the period that is current at ``now``."""
        return self.key(self.latest(now))


@dataclass(frozen=True, slots=True)
class Every(Schedule):
    seconds: int

    def latest(self, now: dt.datetime) -> dt.datetime:
        stamp = int(now.timestamp())
        return dt.datetime.fromtimestamp(stamp - stamp % self.seconds, dt.UTC)

    def key(self, occurrence: dt.datetime) -> str:
        pattern = "%Y-%m-%dT%H:%M" if self.seconds % 60 == 0 else "%Y-%m-%dT%H:%M:%S"
        return occurrence.astimezone(dt.UTC).strftime(pattern)

    def describe(self) -> str:
        if self.seconds % 3600 == 0:
            return f"every {self.seconds // 3600} h"
        if self.seconds % 60 == 0:
            return f"every {self.seconds // 60} min"
        return f"every {self.seconds} s"


def every(*, seconds: int = 0, minutes: int = 0, hours: int = 0) -> Every:
    """A fixed interval, aligned on the epoch (``every(minutes=5)`` runs at :00, :05, ... UTC)."""
    total = seconds + 60 * minutes + 3600 * hours
    if total <= 0:
        raise ValueError("a schedule needs a positive interval")
    return Every(total)


@dataclass(frozen=True, slots=True)
class Daily(Schedule):
    at: dt.time
    tz: str = DEFAULT_TZ

    def latest(self, now: dt.datetime) -> dt.datetime:
        zone = ZoneInfo(self.tz)
        local = now.astimezone(zone)
        occurrence = dt.datetime.combine(local.date(), self.at, tzinfo=zone)
        if occurrence > local:
            occurrence = dt.datetime.combine(local.date() - dt.timedelta(days=1), self.at, tzinfo=zone)
        return occurrence

    def key(self, occurrence: dt.datetime) -> str:
        return occurrence.astimezone(ZoneInfo(self.tz)).strftime("%Y-%m-%d")

    def describe(self) -> str:
        return f"daily at {self.at:%H:%M} {self.tz}"


def daily(at: str, *, tz: str = DEFAULT_TZ) -> Daily:
    """Once a day at ``at`` (``"06:00"``) local time in ``tz``."""
    ZoneInfo(tz)  # an unknown zone fails here, at declaration
    return Daily(dt.time.fromisoformat(at), tz)


@dataclass(frozen=True, slots=True)
class Weekly(Schedule):
    #: Monday is 0, as in :meth:`datetime.date.weekday`.
    weekday: int
    at: dt.time
    tz: str = DEFAULT_TZ

    def latest(self, now: dt.datetime) -> dt.datetime:
        zone = ZoneInfo(self.tz)
        local = now.astimezone(zone)
        day = local.date() - dt.timedelta(days=(local.weekday() - self.weekday) % 7)
        occurrence = dt.datetime.combine(day, self.at, tzinfo=zone)
        if occurrence > local:
            occurrence = dt.datetime.combine(day - dt.timedelta(days=7), self.at, tzinfo=zone)
        return occurrence

    def key(self, occurrence: dt.datetime) -> str:
        return occurrence.astimezone(ZoneInfo(self.tz)).strftime("%Y-%m-%d")

    def describe(self) -> str:
        return f"weekly on {WEEKDAYS[self.weekday]} at {self.at:%H:%M} {self.tz}"


WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


def weekly(day: str, at: str, *, tz: str = DEFAULT_TZ) -> Weekly:
    """Once a week on ``day`` (``"monday"``) at ``at`` local time in ``tz``."""
    ZoneInfo(tz)
    return Weekly(WEEKDAYS.index(day.lower()), dt.time.fromisoformat(at), tz)


# --- jobs -----------------------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class PeriodicJob:
    """What the scheduler enqueues: actor ``actor_name`` on ``queue_name``, with ``period=<key>``."""

    name: str
    #: Whose ``scheduler_runs`` table records the runs (and whose app role the scheduler uses for it).
    service: str
    schedule: Schedule
    actor_name: str
    queue_name: str

    def message(self, period: str) -> dramatiq.Message[Any]:
        return dramatiq.Message(
            queue_name=self.queue_name,
            actor_name=self.actor_name,
            args=(),
            kwargs={"period": period},
            options={},
        )


#: Every periodic job, by name. Modules add to it when they declare jobs; the scheduler process imports
#: the same modules as the worker (``safecampus.worker``).
REGISTRY: dict[str, PeriodicJob] = {}


def register(job: PeriodicJob) -> PeriodicJob:
    """Schedule an already declared actor. A name can be registered twice only with the same definition."""
    existing = REGISTRY.get(job.name)
    if existing is not None and existing != job:
        raise ValueError(f"periodic job {job.name} is already registered differently")
    REGISTRY[job.name] = job
    return job


PeriodicFn = Callable[..., Awaitable[None]]
#: ``(county_id, school_id)``; ``school_id`` is ``None`` for county-level work.
Tenant = tuple[uuid.UUID, uuid.UUID | None]
TenantLister = Callable[[str], Awaitable[Iterable[Tenant]]]


def periodic(
    service: str, name: str, schedule: Schedule, *, queue_name: str | None = None, **options: Any
) -> Callable[[PeriodicFn], Any]:
    """Declare ``fn(period=...)`` as actor ``name`` and run it once per period of ``schedule``.

    For work that is not about one tenant (the outbox sweep). Work on tenants' data uses
    :func:`per_tenant`.
    """
    queue = queue_name or service

    def decorator(fn: PeriodicFn) -> Any:
        declare: Any = dramatiq.actor
        actor = declare(fn, actor_name=name, queue_name=queue, **options)
        register(PeriodicJob(name, service, schedule, name, queue))
        return actor

    return decorator


def per_tenant(
    service: str,
    name: str,
    schedule: Schedule,
    *,
    tenants: TenantLister,
    queue_name: str | None = None,
    **options: Any,
) -> Callable[[TenantJob], Any]:
    """Run ``fn(session, tenant, period=...)`` once per period for every tenant that ``tenants(period)``
    lists. Each tenant gets its own message, transaction and retries.

    The scheduler enqueues the dispatcher (actor ``name``), which calls ``tenants(period)`` and sends one
    message per tenant to actor ``<name>.tenant`` (a :func:`kit.broker.tenant_actor`). Every message names
    its tenant. If the dispatcher fails part-way, its retry sends to every tenant again, which is why
    tenant jobs must be idempotent.
    """
    queue = queue_name or service

    def decorator(fn: TenantJob) -> Any:
        tenant_job = tenant_actor(service, actor_name=f"{name}.tenant", queue_name=queue, **options)(fn)

        async def dispatch(period: str) -> None:
            targets = [(str(c), str(s) if s else None) for c, s in await tenants(period)]

            def send_all() -> None:
                for county_id, school_id in targets:
                    tenant_job.send_with_options(args=(county_id, school_id), kwargs={"period": period})

            await asyncio.to_thread(send_all)  # broker clients block
            log.info("periodic_fanned_out", job=name, period=period, tenants=len(targets))

        declare: Any = dramatiq.actor
        declare(dispatch, actor_name=name, queue_name=queue, max_retries=3, min_backoff=5_000)
        register(PeriodicJob(name, service, schedule, name, queue))
        return tenant_job

    return decorator


# --- the scheduler --------------------------------------------------------------------------------------
@cache
def runs_table(schema: str) -> Table:
    """``<schema>.scheduler_runs``: one row per job and period that was enqueued (``tenants.messaging``)."""
    return Table(
        "scheduler_runs",
        MetaData(schema=schema),
        Column("job", Text, primary_key=True),
        Column("period", Text, primary_key=True),
        Column("enqueued_at", DateTime(timezone=True)),
    )


class Scheduler:
    """Enqueues each job once per period, however many schedulers run (see the module docstring)."""

    def __init__(
        self,
        jobs: Iterable[PeriodicJob] | None = None,
        *,
        broker: dramatiq.Broker | None = None,
        settings: Settings | None = None,
    ) -> None:
        self.settings = settings or get_settings()
        self.jobs = list(REGISTRY.values() if jobs is None else jobs)
        self.broker = broker or configure_broker(self.settings)
        self._databases: dict[str, Database] = {}
        #: The period this process last settled for each job (enqueued it, or saw another scheduler had).
        self._settled: dict[str, str] = {}

    def _database(self, service: str) -> Database:
        if service not in self._databases:
            url = self.settings.sqlalchemy_url(app_role(service), service)
            self._databases[service] = Database(url, pool_size=1, max_overflow=1)
        return self._databases[service]

    async def tick(self, now: dt.datetime | None = None) -> list[tuple[str, str]]:
        """Enqueue every job whose current period is not enqueued yet. Returns ``(job, period)`` for each job
        this scheduler enqueued."""
        now = now or dt.datetime.now(dt.UTC)
        enqueued = []
        for job in self.jobs:
            period = job.schedule.period(now)
            if self._settled.get(job.name) == period:
                continue
            try:
                won = await self._claim_and_enqueue(job, period)
            except Exception as exc:  # the broker or the database is down: the next tick tries again
                log.warning("periodic_enqueue_failed", job=job.name, period=period, error=str(exc))
                continue
            self._settled[job.name] = period
            if won:
                enqueued.append((job.name, period))
                log.info("periodic_enqueued", job=job.name, period=period)
        return enqueued

    async def _claim_and_enqueue(self, job: PeriodicJob, period: str) -> bool:
        runs = runs_table(job.service)
        claim = (
            insert(runs).values(job=job.name, period=period).on_conflict_do_nothing().returning(runs.c.job)
        )
        async with self._database(job.service).transaction(None) as session:
            # A second scheduler's insert waits here for the first one's transaction. If that one commits,
            # this one conflicts and enqueues nothing. If it rolls back, this one takes the period.
            if (await session.execute(claim)).first() is None:
                return False
            await asyncio.to_thread(self.broker.enqueue, job.message(period))
        return True

    async def run(self, stop: asyncio.Event, *, interval: float = 1.0) -> None:
        """Tick every ``interval`` seconds until ``stop`` is set."""
        while not stop.is_set():
            await self.tick()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), interval)

    async def close(self) -> None:
        for database in self._databases.values():
            await database.dispose()


async def run_scheduler(jobs: Iterable[PeriodicJob] | None = None, *, interval: float = 1.0) -> None:
    """The ``safecampus scheduler`` process: tick until SIGINT or SIGTERM."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    scheduler = Scheduler(jobs)
    log.info("scheduler_started", jobs={job.name: job.schedule.describe() for job in scheduler.jobs})
    try:
        await scheduler.run(stop, interval=interval)
    finally:
        await scheduler.close()
        log.info("scheduler_stopped")
