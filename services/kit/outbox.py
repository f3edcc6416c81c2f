"""The transactional outbox: events are written in the writer's own transaction and relayed to their consumers.

Writing: ``await outbox.add(session, SCHOOL_ONBOARDED, payload, county_id=..., school_id=...)`` inserts a
row into ``<service>.outbox`` inside the caller's transaction and commits nothing. The event must be in
the catalogue (:mod:`kit.events`), produced by this service, with a valid payload of the catalogue's
struct, and the session's tenant context must reach the event's tenant. The event exists exactly when
the change it announces exists.

Relaying: :meth:`Outbox.relay` takes pending rows with ``FOR UPDATE SKIP LOCKED`` in batches. It enqueues
one message per consumer, addressed by actor name and queue, so the relay imports no consumer code. Then
it marks the rows published in the same transaction. With RabbitMQ a publish returns only once the broker
has confirmed it. A crash between publishing and marking means the event is published again, and the
consumer's inbox absorbs the duplicate.

When the relay runs: after a commit that added events, the process sends the relay actor a message. This
nudge is best effort, off the event loop, and coalesced. A periodic sweep (the scheduler, every minute)
runs the relay regardless. A write acknowledged while the broker is down is therefore published once the
broker is back, and nothing depends on the nudge.
"""

from __future__ import annotations

import asyncio
import threading
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cache
from typing import Any, TypeVar

import dramatiq
import msgspec
from sqlalchemy import (
    Column,
    DateTime,
    Integer,
    MetaData,
    Row,
    Table,
    Text,
    Uuid,
    event,
    func,
    select,
    update,
)
from sqlalchemy.dialects.postgresql import JSONB, insert
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session

from kit.broker import configure_broker, worker_database
from kit.events import (
    CATALOGUE,
    EventType,
    Payload,
    UnknownEventError,
    consumer_actor_name,
    envelope,
    event_type,
)
from kit.logging import get_logger
from kit.scheduler import PeriodicJob, Schedule, every, register
from tenants.context import Scope, TenantContext
from tenants.session import TENANT_KEY

log = get_logger(__name__)
P = TypeVar("P", bound=Payload)

#: How often the scheduler sweeps each outbox, whatever the nudges did.
SWEEP = every(minutes=1)
#: ``Session.info`` key: the outboxes that got events in the session's current transaction.
_NUDGE_KEY = "kit.outbox.nudge"


class OutboxError(RuntimeError):
    """An event that the catalogue or the transaction's tenant does not allow (a programming error)."""


@cache
def outbox_table(schema: str) -> Table:
    """``<schema>.outbox`` (created by ``tenants.messaging``)."""
    return Table(
        "outbox",
        MetaData(schema=schema),
        Column("id", Uuid, primary_key=True),
        Column("type", Text),
        Column("tenant_county_id", Uuid),
        Column("tenant_school_id", Uuid),
        Column("payload", JSONB),
        Column("created_at", DateTime(timezone=True), server_default=func.now()),
        Column("published_at", DateTime(timezone=True)),
        Column("attempts", Integer),
        Column("last_error", Text),
    )


@dataclass(slots=True)
class _Batch:
    """What one relay pass did with its rows."""

    sent: list[uuid.UUID] = field(default_factory=list)
    #: Rows that could not be published, with the reason (an unknown type, or the broker's error).
    failed: dict[uuid.UUID, str] = field(default_factory=dict)
    #: The broker refused a publish: the rest of the batch waits for the next run.
    broker_down: bool = False


class Outbox:
    """The outbox of one service (whose schema holds the ``outbox`` table)."""

    def __init__(self, service: str) -> None:
        self.service = service
        self.table = outbox_table(service)
        self.relay_actor_name = f"{service}.outbox.relay"
        self._nudge_lock = threading.Lock()
        self._nudge_pending = False
        _install_commit_hooks()

    # --- writing ----------------------------------------------------------------------------------------
    async def add(
        self,
        session: AsyncSession,
        event_type: EventType[P],
        payload: P,
        *,
        county_id: uuid.UUID,
        school_id: uuid.UUID | None,
    ) -> uuid.UUID:
        """Add an event to the session's transaction; returns its id. Nothing is committed here."""
        if CATALOGUE.get(event_type.name) is not event_type:
            raise OutboxError(f"{event_type.name} is not in kit.events.CATALOGUE")
        if event_type.producer != self.service:
            raise OutboxError(f"{event_type.name} is produced by {event_type.producer}, not {self.service}")
        if type(payload) is not event_type.payload:
            raise OutboxError(f"{event_type.name} carries {event_type.payload.__name__}")
        data = msgspec.to_builtins(payload)
        try:
            msgspec.convert(data, event_type.payload)  # the struct's constraints, which construction skips
        except msgspec.ValidationError as exc:
            raise OutboxError(f"{event_type.name}: {exc}") from exc
        tenant: TenantContext | None = session.sync_session.info.get(TENANT_KEY)
        if tenant is None or not _reaches(tenant, county_id, school_id):
            raise OutboxError("an event belongs to a tenant that its transaction's context reaches")
        event_id = uuid.uuid4()
        await session.execute(
            insert(self.table).values(
                id=event_id,
                type=event_type.name,
                tenant_county_id=county_id,
                tenant_school_id=school_id,
                payload=data,
            )
        )
        session.sync_session.info.setdefault(_NUDGE_KEY, set()).add(self)
        return event_id

    # --- nudging the relay ------------------------------------------------------------------------------
    def nudge_soon(self) -> None:
        """Send the relay a nudge from a thread, unless one is already waiting to be sent. Every commit
        that happens before a nudge is sent is covered by it."""
        with self._nudge_lock:
            if self._nudge_pending:
                return
            self._nudge_pending = True
        try:
            asyncio.get_running_loop().run_in_executor(None, self.nudge)
        except RuntimeError:  # no running loop (or it is shutting down)
            threading.Thread(target=self.nudge, name=f"{self.service}-outbox-nudge", daemon=True).start()

    def nudge(self) -> None:
        """Ask a worker to run the relay now. Best effort: a failure is logged, and the sweep covers it."""
        with self._nudge_lock:
            self._nudge_pending = False
        message: dramatiq.Message[Any] = dramatiq.Message(
            queue_name=self.service, actor_name=self.relay_actor_name, args=(), kwargs={}, options={}
        )
        try:
            configure_broker().enqueue(message)
        except Exception as exc:
            log.warning("outbox_nudge_failed", service=self.service, error=str(exc))

    # --- relaying ---------------------------------------------------------------------------------------
    async def relay(self, *, broker: dramatiq.Broker | None = None, batch_size: int = 100) -> int:
        """Publish pending events to their consumers; returns how many were published.

        Stops at the first broker failure (recorded on the row as ``last_error``), leaving the rest for the
        next run. Safe to run concurrently: each run takes rows that no other run holds.
        """
        broker = broker or configure_broker()
        database = worker_database(self.service)
        published = 0
        while True:
            async with database.transaction(None) as session:
                rows = (
                    await session.execute(
                        select(self.table)
                        .where(self.table.c.published_at.is_(None))
                        .order_by(self.table.c.created_at)
                        .limit(batch_size)
                        .with_for_update(skip_locked=True)
                    )
                ).all()
                if not rows:
                    return published
                batch = await asyncio.to_thread(_publish, broker, rows)
                await self.mark_published(session, batch.sent)
                for event_id, error in batch.failed.items():
                    await session.execute(
                        update(self.table)
                        .where(self.table.c.id == event_id)
                        .values(attempts=self.table.c.attempts + 1, last_error=error[:500])
                    )
            published += len(batch.sent)
            if batch.failed:
                log.warning("outbox_publish_failed", service=self.service, errors=list(batch.failed.values()))
            if batch.broker_down or len(rows) < batch_size:
                return published

    async def mark_published(self, session: AsyncSession, event_ids: Sequence[uuid.UUID]) -> None:
        """Record that ``event_ids`` were handed to the broker (in the relay's transaction)."""
        if event_ids:
            await session.execute(
                update(self.table)
                .where(self.table.c.id.in_(event_ids))
                .values(published_at=func.clock_timestamp(), attempts=self.table.c.attempts + 1)
            )

    def declare_relay(self, sweep: Schedule = SWEEP) -> Any:
        """Declare the relay actor ``<service>.outbox.relay`` (what nudges call), and schedule it as the
        periodic job ``<service>.outbox.sweep``. Call once per service, from a module the worker imports."""

        async def relay_outbox(period: str | None = None) -> None:
            published = await self.relay()
            if published:
                log.info("outbox_relayed", service=self.service, published=published, period=period)

        declare: Any = dramatiq.actor
        actor = declare(
            relay_outbox, actor_name=self.relay_actor_name, queue_name=self.service, max_retries=0
        )
        register(
            PeriodicJob(f"{self.service}.outbox.sweep", self.service, sweep, actor.actor_name, self.service)
        )
        return actor

    # --- reading ----------------------------------------------------------------------------------------
    async def counties_with(self, session: AsyncSession, event_type: EventType[Any]) -> list[uuid.UUID]:
        """The counties for which this outbox holds an event of ``event_type``.

        The outbox is the one cross-tenant record a service's app role can read, so it serves as the tenant
        directory of a periodic dispatcher (see ``schools.domain.schools.jobs``).
        """
        query = (
            select(self.table.c.tenant_county_id)
            .where(self.table.c.type == event_type.name)
            .distinct()
            .order_by(self.table.c.tenant_county_id)
        )
        return list((await session.execute(query)).scalars())


def _reaches(tenant: TenantContext, county_id: uuid.UUID, school_id: uuid.UUID | None) -> bool:
    if tenant.county_id != county_id:
        return False
    return tenant.scope is Scope.COUNTY or (school_id is not None and tenant.school_id == school_id)


def _publish(broker: dramatiq.Broker, rows: Sequence[Row[Any]]) -> _Batch:
    """Hand each row to every consumer of its type (blocking: runs in a thread)."""
    batch = _Batch()
    for row in rows:
        try:
            kind = event_type(row.type)
        except UnknownEventError as exc:
            batch.failed[row.id] = str(exc)
            continue
        kwargs = envelope(
            row.id, row.type, row.tenant_county_id, row.tenant_school_id, row.created_at, row.payload
        )
        try:
            for consumer in kind.consumers:
                broker.enqueue(
                    dramatiq.Message(
                        queue_name=consumer,
                        actor_name=consumer_actor_name(consumer, kind),
                        args=(),
                        kwargs=kwargs,
                        options={},
                    )
                )
        except Exception as exc:  # the broker is down or refused the message
            batch.failed[row.id] = f"{type(exc).__name__}: {exc}"
            batch.broker_down = True
            return batch
        batch.sent.append(row.id)
    return batch


def _after_commit(session: Session) -> None:
    for outbox in session.info.pop(_NUDGE_KEY, ()):
        outbox.nudge_soon()


def _after_rollback(session: Session) -> None:
    session.info.pop(_NUDGE_KEY, None)


def _install_commit_hooks() -> None:
    if not event.contains(Session, "after_commit", _after_commit):
        event.listen(Session, "after_commit", _after_commit)
        event.listen(Session, "after_rollback", _after_rollback)
