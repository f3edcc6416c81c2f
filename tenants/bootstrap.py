"""Create the roles and the database, as an administrator (local runs, tests, the operator's first step)."""

from __future__ import annotations

from collections.abc import Mapping

import asyncpg

from tenants.roles import cluster_sql, database_grants_sql, in_database_sql


def _with_database(dsn: str, dbname: str) -> str:
    head, _, _ = dsn.rpartition("/")
    return f"{head}/{dbname}"


async def bootstrap_database(admin_dsn: str, dbname: str, passwords: Mapping[str, str] | None = None) -> None:
    """Ensure the SafeCampus roles exist and ``dbname`` is ready for migrations. Idempotent.

    ``admin_dsn`` points at any database of the cluster as a role that may create roles and databases.
    """
    conn = await asyncpg.connect(admin_dsn)
    try:
        # Roles are cluster-wide; two bootstraps racing (parallel test workers) serialise here.
        await conn.execute("SELECT pg_advisory_lock(hashtext('safecampus-bootstrap'))")
        try:
            for statement in cluster_sql(passwords):
                await conn.execute(statement)
            exists = await conn.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", dbname)
            if not exists:
                await conn.execute(f'CREATE DATABASE "{dbname}"')
            for statement in database_grants_sql(dbname):
                await conn.execute(statement)
        finally:
            await conn.execute("SELECT pg_advisory_unlock(hashtext('safecampus-bootstrap'))")
    finally:
        await conn.close()
    conn = await asyncpg.connect(_with_database(admin_dsn, dbname))
    try:
        for statement in in_database_sql():
            await conn.execute(statement)
    finally:
        await conn.close()


async def drop_database(admin_dsn: str, dbname: str) -> None:
    """Drop ``dbname`` (tests only)."""
    conn = await asyncpg.connect(admin_dsn)
    try:
        await conn.execute(f'DROP DATABASE IF EXISTS "{dbname}" WITH (FORCE)')
    finally:
        await conn.close()
