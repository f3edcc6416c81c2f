"""No login role the applications use can alter any service's audit trail: not its own service's, not
another's. ``tests/audit/test_tampering.py`` proves each service role is refused UPDATE, DELETE and
TRUNCATE on its own ``audit_log``; this adds every other login role (the identity server's, the
broker's), every other service's trail, and the ways around a refusal: switching the append-only trigger
off, dropping or renaming the table, or becoming the owner."""

from __future__ import annotations

import asyncpg
import pytest

from tenants.roles import BROKER_ROLE, IDP_ROLE, OWNER, SERVICES, app_role

#: Every role an application process logs in as (the migrator is the operator's, not an application's).
APP_LOGINS = {**{app_role(s): s for s in SERVICES}, IDP_ROLE: "idp", BROKER_ROLE: "broker"}
ATTEMPTS = (
    "UPDATE {table} SET actor_name = 'someone-else'",
    "DELETE FROM {table}",
    "TRUNCATE {table}",
    "ALTER TABLE {table} DISABLE TRIGGER USER",
    "ALTER TABLE {table} NO FORCE ROW LEVEL SECURITY",
    "DROP TABLE {table}",
    "ALTER TABLE {table} RENAME TO audit_log_old",
)


@pytest.mark.parametrize("role", sorted(APP_LOGINS))
async def test_no_app_login_can_alter_or_remove_any_services_audit_trail(stack, world, role):
    conn = await asyncpg.connect(stack.settings.database_dsn(role, APP_LOGINS[role]))
    try:
        for service in SERVICES:
            table = f"{service}.audit_log"
            for attempt in ATTEMPTS:
                statement = attempt.format(table=table)
                with pytest.raises(asyncpg.InsufficientPrivilegeError):
                    async with conn.transaction():
                        await conn.execute(statement)
        # Nor can it take the owner's rights for itself.
        with pytest.raises(asyncpg.InsufficientPrivilegeError, match="permission denied to set role"):
            await conn.execute(f"SET ROLE {OWNER}")
        assert not await conn.fetchval("SELECT pg_has_role(current_user, $1, 'MEMBER')", OWNER)
    finally:
        await conn.close()


async def test_the_trails_still_hold_their_entries_afterwards(stack, world):
    """The attempts above changed nothing: the world's onboarding entries are still there, in order."""
    from tenants.roles import MIGRATOR

    conn = await asyncpg.connect(stack.settings.database_dsn(MIGRATOR, "migrator"))
    try:
        seqs = [
            row["seq"]
            for row in await conn.fetch(
                "SELECT seq FROM schools.audit_log WHERE county_id = $1 AND school_id = $2 ORDER BY seq",
                world.county_x,
                world.school_a,
            )
        ]
        assert seqs and seqs == list(range(1, len(seqs) + 1))
    finally:
        await conn.close()
