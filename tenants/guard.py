"""Start-up check: refuse to serve when the app's database role could see past row-level security."""

from __future__ import annotations

import asyncpg

from tenants.roles import OWNER


class UnsafeDatabaseRole(RuntimeError):
    """The service connects as a role that RLS would not hold."""


async def assert_app_role_is_safe(conn: asyncpg.Connection, schema: str) -> None:
    """Raise :class:`UnsafeDatabaseRole` when the connected role is superuser, BYPASSRLS, owns any
    table of ``schema``, or may act as the owner role."""
    row = await conn.fetchrow(
        "SELECT current_user AS name, rolsuper, rolbypassrls FROM pg_roles WHERE rolname = current_user"
    )
    if row is None:  # pragma: no cover - current_user always exists
        raise UnsafeDatabaseRole("cannot read the connected role")
    problems = []
    if row["rolsuper"]:
        problems.append("is a superuser")
    if row["rolbypassrls"]:
        problems.append("has BYPASSRLS")
    owned = await conn.fetchval(
        "SELECT count(*) FROM pg_tables WHERE schemaname = $1 AND tableowner = current_user", schema
    )
    if owned:
        problems.append(f"owns {owned} table(s) in schema {schema}")
    owner_exists = await conn.fetchval("SELECT 1 FROM pg_roles WHERE rolname = $1", OWNER)
    if owner_exists and await conn.fetchval("SELECT pg_has_role(current_user, $1, 'MEMBER')", OWNER):
        problems.append(f"is a member of {OWNER}")
    if problems:
        raise UnsafeDatabaseRole(
            f"database role {row['name']} " + ", ".join(problems) + "; refusing to serve"
        )
