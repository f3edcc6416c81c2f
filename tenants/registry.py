"""Which tables are tenant tables, and a check that each is protected by forced RLS with policies."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import asyncpg


@dataclass(frozen=True, slots=True)
class UnprotectedTable:
    table: str
    problems: tuple[str, ...]


_QUERY = """
SELECT n.nspname || '.' || c.relname AS table_name,
       c.relrowsecurity AS enabled,
       c.relforcerowsecurity AS forced,
       (SELECT count(*) FROM pg_policy p WHERE p.polrelid = c.oid) AS policies,
       EXISTS (SELECT 1 FROM pg_attribute a WHERE a.attrelid = c.oid AND a.attname = 'county_id'
               AND NOT a.attisdropped) AS has_county
FROM pg_class c
JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE c.relkind IN ('r', 'p')
  AND n.nspname = ANY($1::text[])
  AND (EXISTS (SELECT 1 FROM pg_attribute a WHERE a.attrelid = c.oid AND a.attname = 'school_id'
               AND NOT a.attisdropped)
       OR n.nspname || '.' || c.relname = ANY($2::text[]))
ORDER BY 1
"""


async def unprotected_tables(
    conn: asyncpg.Connection, schemas: Iterable[str], declared: Iterable[str] = ()
) -> list[UnprotectedTable]:
    """Tables in ``schemas`` that have a ``school_id`` column (or are ``declared`` tenant tables) but lack
    ENABLE or FORCE row-level security, a policy, or a ``county_id`` column."""
    rows = await conn.fetch(_QUERY, list(schemas), list(declared))
    found = {r["table_name"] for r in rows}
    result = [UnprotectedTable(t, ("table does not exist",)) for t in declared if t not in found]
    for r in rows:
        problems = []
        if not r["enabled"]:
            problems.append("RLS not enabled")
        if not r["forced"]:
            problems.append("RLS not forced")
        if not r["policies"]:
            problems.append("no policy")
        if not r["has_county"]:
            problems.append("no county_id column")
        if problems:
            result.append(UnprotectedTable(r["table_name"], tuple(problems)))
    return result
