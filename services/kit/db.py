"""Database engine and sessions for a service's app role, with the tenant context applied per transaction."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from contextvars import ContextVar
from typing import Any

import msgspec
from litestar import Request
from litestar.datastructures import MutableScopeHeaders
from litestar.di import NamedDependency
from litestar.enums import ScopeType
from litestar.types import ASGIApp, Message, Receive, Scope, Send
from sqlalchemy import event, text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine

from tenants import TenantContext
from tenants.session import bind_tenant, install_tenant_hook

#: ``SAFECAMPUS_COUNT_QUERIES=1`` (the benchmark sets it): every response carries ``X-DB-Queries``, the SQL
#: statements the request ran (the tenant's ``set_config`` included). Off by default: an event per statement.
COUNT_QUERIES = os.environ.get("SAFECAMPUS_COUNT_QUERIES", "") == "1"
_statements: ContextVar[list[int] | None] = ContextVar("safecampus_statements", default=None)

#: How a handler asks for the request's session: ``db_session: DbSession``.
DbSession = NamedDependency[AsyncSession]


class Database:
    """One engine (connection pool) for one database role."""

    def __init__(
        self, url: str, *, pool_size: int | None = None, max_overflow: int | None = None, echo: bool = False
    ) -> None:
        install_tenant_hook()
        # Every ORM write of a tenant table is audited, in whatever process writes it.
        from kit.audit import install_audit_hook

        install_audit_hook()
        if pool_size is None:
            pool_size = int(os.environ.get("SAFECAMPUS_DB_POOL_SIZE", "10"))
        if max_overflow is None:
            max_overflow = int(os.environ.get("SAFECAMPUS_DB_MAX_OVERFLOW", "10"))
        self.url = url
        self.engine: AsyncEngine = create_async_engine(
            url,
            pool_size=pool_size,
            max_overflow=max_overflow,
            pool_pre_ping=True,
            pool_recycle=1800,
            echo=echo,
            connect_args={"server_settings": {"application_name": "safecampus"}},
            # JSONB columns decode with msgspec: the stdlib decoder was half of the county ranking's time
            # (3,000 schools × their category scores; bench/README.md).
            json_deserializer=msgspec.json.decode,
        )
        self._sessions = async_sessionmaker(self.engine, expire_on_commit=False, autoflush=False)
        if COUNT_QUERIES:
            event.listen(self.engine.sync_engine, "before_cursor_execute", _count_statement)

    def session(self, tenant: TenantContext | None) -> AsyncSession:
        """A new session whose transactions run as ``tenant`` (``None``: no rows visible)."""
        session = self._sessions()
        bind_tenant(session, tenant)
        return session

    @asynccontextmanager
    async def transaction(self, tenant: TenantContext | None) -> AsyncIterator[AsyncSession]:
        """A session that commits when the block ends normally and rolls back otherwise.

        The one place outside the request boundary (actors, commands) where work is committed.
        """
        async with self.session(tenant) as session, session.begin():
            yield session

    async def ping(self) -> None:
        async with self.engine.connect() as conn:
            await conn.execute(text("select 1"))

    async def dispose(self) -> None:
        await self.engine.dispose()


async def provide_db_session(request: Request[Any, Any, Any]) -> AsyncIterator[AsyncSession]:
    """Litestar dependency: the request's session, committed if the handler returns, rolled back if it raises.

    Only this boundary commits; services and repositories never do.
    """
    database: Database = request.app.state.database
    tenant = request.user if isinstance(request.scope.get("user"), TenantContext) else None
    async with database.session(tenant) as session:
        try:
            yield session
        except BaseException:
            await session.rollback()
            raise
        else:
            await session.commit()


def _count_statement(*_: Any) -> None:
    counter = _statements.get()  # SQLAlchemy's greenlets run in the request task's context
    if counter is not None:
        counter[0] += 1


def count_queries_middleware(app: ASGIApp) -> ASGIApp:
    """ASGI wrapper that adds ``X-DB-Queries`` (see :data:`COUNT_QUERIES`) to every HTTP response."""

    async def counted(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != ScopeType.HTTP:
            await app(scope, receive, send)
            return
        counter = [0]
        token = _statements.set(counter)

        async def send_counted(message: Message) -> None:
            if message["type"] == "http.response.start":
                MutableScopeHeaders.from_message(message)["X-DB-Queries"] = str(counter[0])
            await send(message)

        try:
            await app(scope, receive, send_counted)
        finally:
            _statements.reset(token)

    return counted
