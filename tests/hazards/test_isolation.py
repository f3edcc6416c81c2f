"""Tenant isolation of the hazards schema, enforced by PostgreSQL for the hazards app role (the route walker in
tests/test_route_matrix.py covers every hazards route over HTTP)."""

from __future__ import annotations

import uuid

import asyncpg
import pytest
from sqlalchemy import text

from tenants import TenantContext
from tenants.registry import unprotected_tables
from tenants.roles import MIGRATOR, app_role
from tests.hazards.conftest import hazard_in, report

pytestmark = pytest.mark.usefixtures("hazards_world")


async def _rows(db, tenant, sql, **params):
    async with db.transaction(tenant) as session:
        return list((await session.execute(text(sql), params)).all())


async def test_every_hazards_tenant_table_has_forced_rls_and_policies(stack):
    import hazards.domain.directory.models
    import hazards.domain.escalation.models
    import hazards.domain.hazards.models
    import hazards.domain.incidents.models
    import hazards.domain.patrols.models
    import hazards.domain.referrals.models
    import hazards.domain.reports.models  # noqa: F401
    from hazards.models import Base

    declared = [t.fullname for t in Base.metadata.tables.values() if "county_id" in t.c]
    assert len(declared) >= 12
    conn = await asyncpg.connect(stack.settings.database_dsn(MIGRATOR, "migrator"))
    try:
        assert await unprotected_tables(conn, ["hazards"], declared) == []
    finally:
        await conn.close()


async def test_the_hazards_app_role_passes_the_start_up_check_and_cannot_switch_rls_off(stack):
    from tenants.guard import assert_app_role_is_safe

    conn = await asyncpg.connect(stack.settings.database_dsn(app_role("hazards"), "hazards"))
    try:
        await assert_app_role_is_safe(conn, "hazards")
        with pytest.raises(asyncpg.InsufficientPrivilegeError):
            await conn.execute("ALTER TABLE hazards.hazards DISABLE ROW LEVEL SECURITY")
    finally:
        await conn.close()


async def test_without_a_tenant_context_no_hazard_is_visible(hazards_client, hazards_world, hazards_db):
    await report(hazards_client, hazards_world["teacher_a"])
    assert await _rows(hazards_db, None, "select id from hazards.hazards") == []
    assert await _rows(hazards_db, None, "select id from hazards.report_links") == []
    school_a = TenantContext.for_school(hazards_world.county_x, hazards_world.school_a)
    assert await _rows(hazards_db, school_a, "select id from hazards.hazards")


async def test_school_b_and_another_county_see_none_of_school_as_hazards(
    hazards_client, hazards_world, hazards_db
):
    w = hazards_world
    h = await report(hazards_client, w["teacher_a"])
    for tenant in (TenantContext.for_school(w.county_x, w.school_b), TenantContext.for_county(w.county_y)):
        assert (
            await _rows(hazards_db, tenant, "select id from hazards.hazards where id = :id", id=h["id"]) == []
        )
        assert (
            await _rows(
                hazards_db, tenant, "select id from hazards.hazard_history where hazard_id = :id", id=h["id"]
            )
            == []
        )
    assert await _rows(
        hazards_db,
        TenantContext.for_county(w.county_x),
        "select id from hazards.hazards where id = :id",
        id=h["id"],
    )


async def test_postgres_refuses_a_hazard_written_for_another_county(hazards_world, hazards_db):
    w = hazards_world
    with pytest.raises(Exception, match="row-level security"):
        async with hazards_db.transaction(TenantContext.for_county(w.county_x)) as session:
            await session.execute(
                text(
                    "insert into hazards.hazard_counters (school_id, year, county_id, last)"
                    " values (:school, 2026, :county, 1)"
                ),
                {"school": w.school_c, "county": w.county_y},
            )


async def test_the_history_cannot_be_rewritten(hazards_client, hazards_world, hazards_db):
    w = hazards_world
    h = await hazard_in(hazards_client, w, "confirmed")
    tenant = TenantContext.for_school(w.county_x, w.school_a)
    for statement in (
        "update hazards.hazard_history set reason = 'rewritten' where hazard_id = :id",
        "delete from hazards.hazard_history where hazard_id = :id",
        "delete from hazards.escalation_steps where hazard_id = :id",
    ):
        with pytest.raises(Exception, match="permission denied"):
            async with hazards_db.transaction(tenant) as session:
                await session.execute(text(statement), {"id": h["id"]})


async def test_a_token_opens_exactly_its_own_link_and_nothing_else(hazards_client, hazards_world, hazards_db):
    from hazards.domain.reports.repository import ReportRepository

    w = hazards_world
    link = (await hazards_client.get("/report-link", headers=w["principal_b"].headers)).json()
    async with hazards_db.transaction(None) as session:
        found = await ReportRepository(session).link_by_token(link["token"])
        visible = (await session.execute(text("select school_id from hazards.report_links"))).scalars().all()
        hazards = (await session.execute(text("select count(*) from hazards.hazards"))).scalar_one()
    assert found is not None and found.school_id == w.school_b
    assert visible == [w.school_b]
    assert hazards == 0
    async with hazards_db.transaction(None) as session:
        assert await ReportRepository(session).link_by_token("x" * 22) is None
        assert await ReportRepository(session).link_by_token(str(uuid.uuid4())) is None
