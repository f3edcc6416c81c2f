"""The audit log is append-only for the app roles, and whatever somebody with the owner's rights changes
directly in the database is detected and named by the verification."""

from __future__ import annotations

import asyncpg
import pytest

from kit.audit import AuditEntry
from tenants.roles import OWNER, SERVICES, app_role
from tests.audit.conftest import IN_CHAIN, entries, tamper_as_owner


async def _verify(app_client, world, chain, **params):
    response = await app_client.get(
        f"/audit/schools/{chain.school_id}/verification", params=params, headers=world["bureau_x"].headers
    )
    assert response.status_code == 200
    return response.json()


async def test_an_entry_altered_as_the_owner_is_named(app_client, world, school_chain, migrator):
    await tamper_as_owner(
        migrator,
        school_chain,
        f"UPDATE {school_chain.table} SET actor_name = 'someone-else' WHERE {IN_CHAIN} AND seq = 3",
    )
    result = await _verify(app_client, world, school_chain)
    assert result["ok"] is False
    assert result["broken"] == {
        "seq": 3,
        "reason": "entry 3 was altered (its content does not match its hash)",
    }
    assert result["verified"] == 2 and result["head"]["seq"] == 2


async def test_an_entry_deleted_as_the_owner_is_named(app_client, world, school_chain, migrator):
    await tamper_as_owner(
        migrator, school_chain, f"DELETE FROM {school_chain.table} WHERE {IN_CHAIN} AND seq = 2"
    )
    result = await _verify(app_client, world, school_chain)
    assert result["broken"] == {"seq": 2, "reason": "entry 2 is missing (the next entry is 3)"}


async def test_entries_reordered_as_the_owner_are_named(app_client, world, school_chain, migrator):
    table = school_chain.table
    await tamper_as_owner(
        migrator,
        school_chain,
        f"UPDATE {table} SET seq = 1000 WHERE {IN_CHAIN} AND seq = 2",
        f"UPDATE {table} SET seq = 2 WHERE {IN_CHAIN} AND seq = 3",
        f"UPDATE {table} SET seq = 3 WHERE {IN_CHAIN} AND seq = 1000",
    )
    result = await _verify(app_client, world, school_chain)
    assert result["broken"]["seq"] == 2
    assert result["broken"]["reason"].startswith("entry 2 does not link to entry 1")


async def test_an_alteration_with_a_recomputed_hash_is_named_at_the_next_link(
    app_client, world, school_chain, migrator
):
    # The attacker knows the algorithm: they fix entry 2's own hash, but entry 3 still points at the old one.
    row = (await entries(migrator, school_chain))[1]
    forged = AuditEntry.from_row({**dict(row), "actor_name": "someone-else"})
    await tamper_as_owner(
        migrator,
        school_chain,
        f"UPDATE {school_chain.table} SET actor_name = 'someone-else', hash = '{forged.computed_hash()}'"
        f" WHERE {IN_CHAIN} AND seq = 2",
    )
    result = await _verify(app_client, world, school_chain)
    assert result["broken"]["seq"] == 3
    assert result["broken"]["reason"] == "entry 3 does not link to entry 2 (moved, or entry 2 was replaced)"


async def test_a_removed_tail_is_caught_against_a_head_noted_earlier(
    app_client, world, school_chain, migrator
):
    noted = (await _verify(app_client, world, school_chain))["head"]
    await tamper_as_owner(
        migrator, school_chain, f"DELETE FROM {school_chain.table} WHERE {IN_CHAIN} AND seq = 4"
    )
    # Without the noted head the shorter chain is consistent in itself...
    assert (await _verify(app_client, world, school_chain))["ok"] is True
    # ...and the anchor names what is gone.
    result = await _verify(app_client, world, school_chain, anchor=f"{noted['seq']}:{noted['hash']}")
    assert result["broken"] == {
        "seq": 4,
        "reason": "the chain ends at entry 3, before the anchored entry 4 (truncated)",
    }
    bad = await app_client.get(
        f"/audit/schools/{school_chain.school_id}/verification",
        params={"anchor": "4:not-a-hash"},
        headers=world["bureau_x"].headers,
    )
    assert bad.status_code == 400


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE {table} SET actor_name = 'x' WHERE {chain}",
        "DELETE FROM {table} WHERE {chain}",
        "TRUNCATE {table}",
    ],
)
async def test_the_trigger_refuses_even_the_owner_while_it_is_on(school_chain, migrator, statement):
    sql = statement.format(table=school_chain.table, chain=IN_CHAIN)
    args = (school_chain.county_id, school_chain.school_id) if "$1" in sql else ()

    async def as_owner_with_the_trigger_on() -> None:
        async with migrator.transaction():
            await migrator.execute(f"SET LOCAL ROLE {OWNER}")
            await migrator.execute(f"ALTER TABLE {school_chain.table} NO FORCE ROW LEVEL SECURITY")
            await migrator.execute(sql, *args)

    with pytest.raises(asyncpg.InsufficientPrivilegeError, match="append-only"):
        await as_owner_with_the_trigger_on()
    assert len(await entries(migrator, school_chain)) == 4


@pytest.mark.parametrize("service", SERVICES)
@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE {schema}.audit_log SET actor_name = 'x'",
        "DELETE FROM {schema}.audit_log",
        "TRUNCATE {schema}.audit_log",
    ],
)
async def test_each_app_role_is_refused_update_delete_and_truncate(stack, service, statement):
    conn = await asyncpg.connect(stack.settings.database_dsn(app_role(service), service))
    try:
        with pytest.raises(asyncpg.InsufficientPrivilegeError, match="permission denied for table audit_log"):
            await conn.execute(statement.format(schema=service))
        privileges = await conn.fetch(
            "SELECT privilege_type FROM information_schema.table_privileges"
            " WHERE table_schema = $1 AND table_name = 'audit_log' AND grantee = current_user ORDER BY 1",
            service,
        )
        assert [p["privilege_type"] for p in privileges] == ["INSERT", "SELECT"]
    finally:
        await conn.close()


async def test_an_app_role_cannot_append_to_another_tenants_chain(stack, world, migrator):
    from kit.db import Database
    from tenants import TenantContext

    database = Database(stack.settings.sqlalchemy_url(app_role("schools"), "schools"), pool_size=1)
    try:
        from kit.audit import AuditLog

        with pytest.raises(Exception, match="row-level security"):
            async with database.transaction(
                TenantContext.for_school(world.county_x, world.school_a)
            ) as session:
                await AuditLog(session, "schools").record(
                    "school.read_sensitive",
                    object_type="school",
                    object_id=world.school_b,
                    school_id=world.school_b,
                )
    finally:
        await database.dispose()
