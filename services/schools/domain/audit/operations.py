"""Operator work on audit chains: ``safecampus audit verify`` (runs as the migrator, across tenants)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

import asyncpg

from kit.audit import AuditLog, Verification
from kit.db import Database
from kit.settings import Settings
from tenants.roles import MIGRATOR


class ChainNotFoundError(LookupError):
    """The school or county named on the command line does not exist (or is ambiguous)."""


@dataclass(frozen=True, slots=True)
class Chain:
    county_id: uuid.UUID
    school_id: uuid.UUID | None
    label: str


def _uuid(value: str) -> uuid.UUID | None:
    try:
        return uuid.UUID(value)
    except ValueError:
        return None


async def resolve_chain(settings: Settings, *, school: str | None, county: str | None) -> Chain:
    """The chain of ``school`` (id, or code within ``county``), or of ``county`` itself when no school."""
    conn = await asyncpg.connect(settings.database_dsn(MIGRATOR, "migrator"))
    try:
        county_row = None
        if county is not None:
            county_row = await conn.fetchrow("SELECT id, code FROM schools.counties WHERE code = $1", county)
            if county_row is None:
                raise ChainNotFoundError(f"no county with code {county}")
        if school is None:
            if county_row is None:
                raise ChainNotFoundError("name a school (--school) or a county (--county)")
            return Chain(county_row["id"], None, f"county {county_row['code']}")
        school_id = _uuid(school)
        query = "SELECT s.id, s.county_id, s.code, s.name FROM schools.schools s WHERE "
        query += "s.id = $1" if school_id else "s.code = $1"
        args: list[object] = [school_id or school]
        if county_row is not None:
            query += " AND s.county_id = $2"
            args.append(county_row["id"])
        rows = await conn.fetch(query, *args)
    finally:
        await conn.close()
    if not rows:
        raise ChainNotFoundError(f"no school {school}" + (f" in county {county}" if county else ""))
    if len(rows) > 1:
        raise ChainNotFoundError(f"school code {school} exists in several counties: add --county")
    row = rows[0]
    return Chain(row["county_id"], row["id"], f"school {row['code']} {row['name']} ({row['id']})")


async def verify_chain(
    settings: Settings, service: str, chain: Chain, anchor: tuple[int, str] | None = None
) -> Verification:
    """Recompute one chain of ``<service>.audit_log`` as the migrator (which reads every tenant)."""
    database = Database(settings.sqlalchemy_url(MIGRATOR, "migrator"), pool_size=1)
    try:
        async with database.transaction(None) as session:
            return await AuditLog(session, service).verify(chain.county_id, chain.school_id, anchor=anchor)
    finally:
        await database.dispose()
