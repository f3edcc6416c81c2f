"""Helpers of the data-safety tests: the whole database read as the operator would back it up, and every
audit chain of every service verified from the rows themselves."""

from __future__ import annotations

import uuid
from typing import Any

import asyncpg

from tenants.roles import SERVICES

#: Schemas that belong to the application (not Postgres's own).
APP_SCHEMAS = (*SERVICES, "idp", "dramatiq", "public")


async def table_counts(conn: asyncpg.Connection) -> dict[str, int]:
    """``schema.table -> count(*)`` for every table of the application's schemas."""
    tables = await conn.fetch(
        "SELECT schemaname, tablename FROM pg_tables WHERE schemaname = ANY($1::text[]) ORDER BY 1, 2",
        list(APP_SCHEMAS),
    )
    counts = {}
    for row in tables:
        name = f'"{row["schemaname"]}"."{row["tablename"]}"'
        counts[f"{row['schemaname']}.{row['tablename']}"] = int(
            await conn.fetchval(f"SELECT count(*) FROM {name}")
        )
    return counts


async def verify_every_chain(conn: asyncpg.Connection) -> dict[tuple[str, uuid.UUID, uuid.UUID | None], Any]:
    """Every audit chain of every service, verified entry by entry (``kit.audit.ChainVerifier``):
    ``(service, county, school) -> (verified, head seq, head hash, broken)``."""
    from kit.audit import AuditEntry, ChainVerifier

    results: dict[tuple[str, uuid.UUID, uuid.UUID | None], Any] = {}
    for service in SERVICES:
        verifiers: dict[tuple[uuid.UUID, uuid.UUID | None], ChainVerifier] = {}
        rows = await conn.fetch(f"SELECT * FROM {service}.audit_log ORDER BY county_id, school_id, seq")
        for row in rows:
            verifier = verifiers.setdefault((row["county_id"], row["school_id"]), ChainVerifier())
            verifier.feed(AuditEntry.from_row(dict(row)))
        for (county, school), verifier in verifiers.items():
            result = verifier.finish(county, school)
            results[(service, county, school)] = (
                result.verified,
                result.head_seq,
                result.head_hash,
                result.broken,
            )
    return results
