"""Database engine and sessions for a service's app role, with the tenant context applied per transaction."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from litestar import Request
from litestar.di import NamedDependency
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine

from tenants import TenantContext
from tenants.session import bind_tenant, install_tenant_hook

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
        )
        self._sessions = async_sessionmaker(self.engine, expire_on_commit=False, autoflush=False)

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
