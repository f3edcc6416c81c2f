"""Isolation is enforced by PostgreSQL itself, for the app roles that the services log in as."""

from __future__ import annotations

import uuid

import asyncpg
import pytest
from sqlalchemy import text

from kit.db import Database
from tenants import TenantContext
from tenants.guard import UnsafeDatabaseRole, assert_app_role_is_safe
from tenants.registry import unprotected_tables
from tenants.roles import MIGRATOR, SERVICES, app_role


@pytest.fixture
async def schools_db(stack):
    database = Database(stack.settings.sqlalchemy_url(app_role("schools"), "schools"), pool_size=2)
    yield database
    await database.dispose()


async def _count(database: Database, tenant: TenantContext | None, table: str) -> int:
    async with database.transaction(tenant) as session:
        return int((await session.execute(text(f"select count(*) from {table}"))).scalar_one())


async def test_without_tenant_context_the_app_role_sees_no_rows(schools_db, world):
    assert await _count(schools_db, None, "schools.schools") == 0
    assert await _count(schools_db, None, "schools.counties") == 0
    # ...while the same tables do hold rows for a bureau of the county.
    assert await _count(schools_db, TenantContext.for_county(world.county_x), "schools.schools") >= 2


async def test_a_school_context_sees_only_its_own_school(schools_db, world):
    tenant = TenantContext.for_school(world.county_x, world.school_a)
    async with schools_db.transaction(tenant) as session:
        ids = (await session.execute(text("select id from schools.schools"))).scalars().all()
    assert ids == [world.school_a]


async def test_a_bureau_context_sees_only_its_own_county(schools_db, world):
    tenant = TenantContext.for_county(world.county_y)
    async with schools_db.transaction(tenant) as session:
        counties = set((await session.execute(text("select county_id from schools.schools"))).scalars())
    assert counties == {world.county_y}


async def test_postgres_refuses_an_insert_for_another_county(schools_db, world):
    tenant = TenantContext.for_county(world.county_x)
    with pytest.raises(Exception, match="row-level security"):
        async with schools_db.transaction(tenant) as session:
            await session.execute(
                text(
                    "insert into schools.schools (id, county_id, code, name, kind, principal_name, principal_email,"
                    " principal_username) values (:id, :county, 'evil', 'Evil', 'primary', 'x', 'x@x.x', :u)"
                ),
                {"id": uuid.uuid4(), "county": world.county_y, "u": f"evil-{uuid.uuid4().hex[:6]}"},
            )


async def test_postgres_refuses_a_school_user_updating_another_school(schools_db, world):
    tenant = TenantContext.for_school(world.county_x, world.school_a)
    async with schools_db.transaction(tenant) as session:
        result = await session.execute(
            text("update schools.schools set name = 'hijacked' where id = :id"), {"id": world.school_b}
        )
    assert result.rowcount == 0
    async with schools_db.transaction(TenantContext.for_county(world.county_x)) as session:
        name = (
            await session.execute(
                text("select name from schools.schools where id = :id"), {"id": world.school_b}
            )
        ).scalar_one()
    assert name != "hijacked"


async def test_the_context_does_not_leak_into_the_next_transaction_on_a_pooled_connection(stack, world):
    database = Database(
        stack.settings.sqlalchemy_url(app_role("schools"), "schools"), pool_size=1, max_overflow=0
    )
    try:
        assert await _count(database, TenantContext.for_county(world.county_x), "schools.schools") >= 2
        assert await _count(database, None, "schools.schools") == 0
    finally:
        await database.dispose()


async def test_every_tenant_table_has_forced_rls_and_policies(stack):
    from schools.models import Base

    declared = [t.fullname for t in Base.metadata.tables.values() if "county_id" in t.c]
    conn = await asyncpg.connect(stack.settings.database_dsn(MIGRATOR, "migrator"))
    try:
        problems = await unprotected_tables(conn, SERVICES, declared)
    finally:
        await conn.close()
    assert problems == []


async def test_the_registry_check_catches_a_table_without_forced_rls(stack):
    conn = await asyncpg.connect(stack.settings.database_dsn(MIGRATOR, "migrator"))
    try:
        async with conn.transaction():
            await conn.execute("SET ROLE safecampus_owner")
            await conn.execute(
                "CREATE TABLE schools.leaky (id uuid primary key, county_id uuid, school_id uuid)"
            )
            await conn.execute("ALTER TABLE schools.leaky ENABLE ROW LEVEL SECURITY")
            problems = await unprotected_tables(conn, ["schools"])
            raise _Rollback(problems)
    except _Rollback as rollback:
        problems = rollback.problems
    finally:
        await conn.close()
    assert [(p.table, p.problems) for p in problems] == [("schools.leaky", ("RLS not forced", "no policy"))]


class _Rollback(Exception):
    def __init__(self, problems):
        super().__init__("rollback")
        self.problems = problems


@pytest.mark.parametrize("service", SERVICES)
async def test_each_app_role_passes_the_start_up_check(stack, service):
    conn = await asyncpg.connect(stack.settings.database_dsn(app_role(service), service))
    try:
        await assert_app_role_is_safe(conn, service)
        # ...and cannot switch RLS off, because it does not own the tables.
        table = await conn.fetchval(
            "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
            " WHERE n.nspname = $1 AND c.relrowsecurity ORDER BY 1 LIMIT 1",
            service,
        )
        with pytest.raises(asyncpg.InsufficientPrivilegeError):
            await conn.execute(f"ALTER TABLE {service}.{table} DISABLE ROW LEVEL SECURITY")
    finally:
        await conn.close()


async def test_the_start_up_check_refuses_a_role_that_bypasses_rls(stack):
    conn = await asyncpg.connect(stack.settings.database_dsn(MIGRATOR, "migrator"))
    try:
        with pytest.raises(UnsafeDatabaseRole, match="BYPASSRLS"):
            await assert_app_role_is_safe(conn, "schools")
    finally:
        await conn.close()


async def test_the_start_up_check_refuses_a_superuser(stack):
    conn = await asyncpg.connect(stack.admin_url.rpartition("/")[0] + "/" + stack.db_name)
    try:
        with pytest.raises(UnsafeDatabaseRole, match="superuser"):
            await assert_app_role_is_safe(conn, "schools")
    finally:
        await conn.close()
