"""Every evaluation table is protected by forced RLS; only the score-sheet tables let an inspector in; what the
bureau's jobs compute cannot be written by a school."""

from __future__ import annotations

import uuid

import asyncpg
import pytest
from sqlalchemy import text

from tenants import TenantContext
from tenants.registry import unprotected_tables
from tenants.roles import MIGRATOR
from tests.evaluation.test_inspections import INSPECTED


async def test_every_evaluation_table_has_forced_rls_and_policies(stack):
    import evaluation.jobs  # noqa: F401  (registers every model)
    from evaluation.models import Base

    declared = [t.fullname for t in Base.metadata.tables.values() if "county_id" in t.c]
    assert len(declared) >= 15
    conn = await asyncpg.connect(stack.settings.database_dsn(MIGRATOR, "migrator"))
    try:
        assert await unprotected_tables(conn, ["evaluation"], declared) == []
        inspectable = await conn.fetch(
            "SELECT DISTINCT c.relname FROM pg_policy p JOIN pg_class c ON c.oid = p.polrelid"
            " JOIN pg_namespace n ON n.oid = c.relnamespace"
            " WHERE n.nspname = 'evaluation' AND p.polname LIKE 'inspector_%'"
        )
    finally:
        await conn.close()
    assert {r["relname"] for r in inspectable} == INSPECTED


@pytest.mark.parametrize(
    "table", ["school_results", "year_end_results", "inspection_scores", "inspection_assignments"]
)
async def test_a_school_cannot_write_what_the_bureau_or_its_inspectors_write(eval_db, world, table):
    tenant = TenantContext.for_school(world.county_x, world.school_a)
    with pytest.raises(Exception, match=r"row-level security"):
        async with eval_db.transaction(tenant) as session:
            await session.execute(
                text(f"INSERT INTO evaluation.{table} (id, county_id, school_id) VALUES (:id, :c, :s)"),
                {"id": uuid.uuid4(), "c": world.county_x, "s": world.school_a},
            )
