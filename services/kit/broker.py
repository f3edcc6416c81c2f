"""Dramatiq: one broker per process, chosen by URL, and actors that carry their tenant explicitly.

``BROKER_URL``: ``amqp://`` (RabbitMQ, production and tests), ``redis://``, or ``postgresql://``; unset,
the Postgres-backed broker in schema ``dramatiq`` of the SafeCampus database (needs nothing else).
Every process calls :func:`configure_broker` before it imports a module that declares actors.
"""

from __future__ import annotations

import asyncio
import functools
import threading
import uuid
from collections.abc import Awaitable, Callable
from typing import Any, ParamSpec

import dramatiq
from dramatiq.asyncio import get_event_loop_thread
from dramatiq.middleware import AsyncIO, CurrentMessage
from sqlalchemy.ext.asyncio import AsyncSession

from kit.db import Database
from kit.settings import Settings, get_settings
from tenants import TenantContext
from tenants.roles import BROKER_ROLE, app_role

P = ParamSpec("P")
_configured: dramatiq.Broker | None = None


class SharedAsyncIO(AsyncIO):
    """Dramatiq's event-loop thread for async actors, shared by every worker of the process.

    Dramatiq keeps one global loop thread; its own middleware starts a new one per worker and clears the
    global when any worker stops, which breaks the other workers of the process (tests run several).
    """

    _lock = threading.Lock()
    _workers = 0
    _owned = False

    def before_worker_boot(self, broker: Any, worker: Any) -> None:
        with SharedAsyncIO._lock:
            if SharedAsyncIO._workers == 0 and get_event_loop_thread() is None:
                super().before_worker_boot(broker, worker)  # type: ignore[no-untyped-call]
                SharedAsyncIO._owned = True
            SharedAsyncIO._workers += 1

    def after_worker_shutdown(self, broker: Any, worker: Any) -> None:
        with SharedAsyncIO._lock:
            SharedAsyncIO._workers -= 1
            if SharedAsyncIO._workers == 0 and SharedAsyncIO._owned:
                super().after_worker_shutdown(broker, worker)  # type: ignore[no-untyped-call]
                SharedAsyncIO._owned = False


def broker_kind(settings: Settings) -> str:
    url = settings.broker_url
    if url.startswith(("amqp://", "amqps://")):
        return "rabbitmq"
    if url.startswith(("redis://", "rediss://")):
        return "redis"
    return "postgres"


def create_broker(settings: Settings) -> dramatiq.Broker:
    """A broker for ``settings.broker_url`` with SafeCampus's middleware."""
    kind = broker_kind(settings)
    broker: dramatiq.Broker
    if kind == "rabbitmq":
        from dramatiq.brokers.rabbitmq import RabbitmqBroker

        # confirm_delivery: send() returns only once RabbitMQ has taken the message.
        broker = RabbitmqBroker(url=settings.broker_url, confirm_delivery=True)
    elif kind == "redis":
        from dramatiq.brokers.redis import RedisBroker

        broker = RedisBroker(url=settings.broker_url)  # type: ignore[no-untyped-call]
    else:
        from dramatiq_postgres import PostgresBroker

        url = settings.broker_url or settings.database_dsn(BROKER_ROLE, "broker")
        broker = PostgresBroker(url=url, schema="dramatiq", results=False)
    broker.add_middleware(CurrentMessage())
    broker.add_middleware(SharedAsyncIO())
    return broker


def configure_broker(settings: Settings | None = None, *, force: bool = False) -> dramatiq.Broker:
    """Install the process-wide broker (once). Returns it."""
    global _configured
    if _configured is not None and not force:
        return _configured
    _configured = create_broker(settings or get_settings())
    dramatiq.set_broker(_configured)
    return _configured


async def check_broker() -> None:
    """Readiness: the broker answers."""
    broker: Any = dramatiq.get_broker()
    kind = type(broker).__name__
    if kind == "RabbitmqBroker":
        await asyncio.to_thread(lambda: broker.connection)  # opens (or reuses) the channel
    elif kind == "RedisBroker":
        await asyncio.to_thread(broker.client.ping)
    else:
        await asyncio.to_thread(broker.get_declared_queues)


_databases: dict[tuple[int, str], Database] = {}


def worker_database(service: str) -> Database:
    """The worker-side engine of ``service`` for the running event loop (one per loop and service)."""
    key = (id(asyncio.get_running_loop()), service)
    if key not in _databases:
        _databases[key] = Database(get_settings().sqlalchemy_url(app_role(service), service), pool_size=4)
    return _databases[key]


TenantJob = Callable[..., Awaitable[None]]


def tenant_actor(
    service: str, *, actor_name: str, queue_name: str = "default", **options: Any
) -> Callable[[TenantJob], Any]:
    """Declare an actor that runs in one tenant's context and commits at its end.

    The decorated coroutine is called as ``fn(session, tenant, **kwargs)``. Messages carry ids only:
    ``county_id`` and ``school_id`` (``None`` for county-level work) plus the job's own arguments.
    Retries are safe as long as the job is idempotent, which every SafeCampus job must be.
    """

    def decorator(fn: TenantJob) -> Any:
        @functools.wraps(fn)
        async def run(county_id: str, school_id: str | None = None, **kwargs: Any) -> None:
            county = uuid.UUID(county_id)
            tenant = (
                TenantContext.for_school(county, uuid.UUID(school_id), actor=f"actor:{actor_name}")
                if school_id
                else TenantContext.for_county(county, actor=f"actor:{actor_name}")
            )
            async with worker_database(service).transaction(tenant) as session:
                await fn(session, tenant, **kwargs)

        declare: Any = dramatiq.actor
        return declare(run, actor_name=actor_name, queue_name=queue_name, **options)

    return decorator


__all__ = [
    "AsyncSession",
    "check_broker",
    "configure_broker",
    "create_broker",
    "tenant_actor",
    "worker_database",
]
