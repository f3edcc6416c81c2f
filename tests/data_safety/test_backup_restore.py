"""A logical backup of the whole database (``pg_dump``) restored with ``pg_restore`` into a fresh database
holds the same rows in every table, and every audit chain of every service verifies exactly as it did in
the original: same entries verified, same head, same verdict.

The counts and the chains of the original are read in the very snapshot that ``pg_dump`` copies
(``pg_export_snapshot``), so work going on meanwhile cannot make them differ.
"""

from __future__ import annotations

import asyncio
import subprocess
from pathlib import Path

import asyncpg
import pytest

from tenants.roles import app_role, database_grants_sql
from tests.data_safety.conftest import table_counts, verify_every_chain


def _in_database(admin_url: str, dbname: str) -> str:
    return f"{admin_url.rpartition('/')[0]}/{dbname}"


def _run(*argv: str) -> None:
    done = subprocess.run(argv, capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 0, f"{argv[0]} failed:\n{done.stderr[-3000:]}"


@pytest.fixture
async def restored_name(stack) -> str:
    """The name of the fresh database the backup is restored into (dropped afterwards)."""
    from tenants.bootstrap import drop_database

    name = f"{stack.db_name}_restored"
    yield name
    await drop_database(stack.admin_url, name)


async def test_a_dump_restored_into_a_fresh_database_matches_table_by_table_and_chain_by_chain(
    stack, world, app_client, tmp_path: Path, restored_name: str
):
    # Something recent in the chains: the bureau renames a school twice.
    for name in ("备份前甲校", "备份前乙校"):
        renamed = await app_client.patch(
            f"/schools/{world.school_a}", json={"name": name}, headers=world["bureau_x"].headers
        )
        assert renamed.status_code == 200, renamed.text

    source_url = _in_database(stack.admin_url, stack.db_name)
    dump = tmp_path / "safecampus.dump"
    source = await asyncpg.connect(source_url)
    try:
        snapshot = source.transaction(isolation="repeatable_read", readonly=True)
        await snapshot.start()
        snapshot_id = await source.fetchval("SELECT pg_export_snapshot()")
        counts = await table_counts(source)
        chains = await verify_every_chain(source)
        await asyncio.to_thread(
            _run,
            "pg_dump",
            "--format=custom",
            f"--snapshot={snapshot_id}",
            f"--file={dump}",
            f"--dbname={source_url}",
        )
        await snapshot.rollback()
    finally:
        await source.close()

    admin = await asyncpg.connect(stack.admin_url)
    try:
        await admin.execute(f'CREATE DATABASE "{restored_name}"')
        for statement in database_grants_sql(restored_name):  # database-level grants are not in a dump
            await admin.execute(statement)
    finally:
        await admin.close()
    restored_url = _in_database(stack.admin_url, restored_name)
    await asyncio.to_thread(_run, "pg_restore", "--exit-on-error", f"--dbname={restored_url}", str(dump))

    restored = await asyncpg.connect(restored_url)
    try:
        assert await table_counts(restored) == counts
        assert await verify_every_chain(restored) == chains
    finally:
        await restored.close()
    # What was copied is real: the world's schools with their audited history, in intact chains.
    assert counts["schools.schools"] >= 3 and counts["schools.audit_log"] > 0
    school_a_chain = chains[("schools", world.county_x, world.school_a)]
    assert school_a_chain[0] >= 3 and school_a_chain[3] is None

    # The restored database keeps its protections: an app role reads under RLS and cannot alter the trail.
    await _app_role_on(stack, restored_name, world)


async def _app_role_on(stack, dbname: str, world) -> None:
    from sqlalchemy import text
    from sqlalchemy.engine import make_url

    from kit.db import Database
    from tenants import TenantContext

    url = make_url(stack.settings.sqlalchemy_url(app_role("schools"), "schools")).set(database=dbname)
    database = Database(url.render_as_string(hide_password=False), pool_size=1)
    try:
        async with database.transaction(None) as session:  # no tenant: no rows
            assert (await session.execute(text("SELECT count(*) FROM schools.schools"))).scalar() == 0
        async with database.transaction(
            TenantContext.for_county(world.county_x, roles=["bureau"])
        ) as session:
            found = await session.execute(
                text("SELECT name FROM schools.schools WHERE id = :id"), {"id": world.school_a}
            )
            assert found.scalar() == "备份前乙校"
        with pytest.raises(Exception, match="permission denied for table audit_log"):
            async with database.transaction(None) as session:
                await session.execute(text("UPDATE schools.audit_log SET actor_name = 'x'"))
    finally:
        await database.dispose()
