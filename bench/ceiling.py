"""The benchmark's ceilings: a bare Litestar app, served the same way as the services, that answers

- ``GET /constant``: a constant (what the server and Litestar cost on their own);
- ``GET /raw/{query}``: the SQL of a service's list endpoint through a raw asyncpg pool, as the
  administrator, whom RLS does not restrict: no RLS, no ORM, no tenant context, none of the app's layers;
- ``GET /ctx/{query}``: the same, in a transaction that applies the tenant context first (``set_config``,
  as the services' session hook does), still as the administrator: what the context's round trips cost;
- ``GET /rls/{query}``: the same as the service's app role, whose forced RLS policies now filter too:
  ``/rls`` against ``/raw`` is what row-level security costs in all (round trips and policy).

Each query names its tenant in the query string (``?school=`` or ``?county=``, ``&campaign=``).
"""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

import asyncpg
from litestar import Litestar, Request, get
from litestar.exceptions import NotFoundException

from tenants.session import _APPLY


@dataclass(frozen=True, slots=True)
class Query:
    """One list endpoint's SQL (explicitly filtered by its tenant) and the service whose role runs it."""

    service: str
    #: The list, then (if any) the count the service runs after it.
    sql: tuple[str, ...]
    #: Query-string parameters, in the order of the SQL's ``$n``.
    params: tuple[str, ...]
    #: Settings of the tenant context the service would apply (``scope`` school or county).
    scope: str


QUERIES: dict[str, Query] = {
    # GET /hazards (a school's register, newest first, 50 a page): the ORM selects every column.
    "hazards": Query(
        "hazards",
        (
            "SELECT h.* FROM hazards.hazards h WHERE h.school_id = $1"
            " ORDER BY h.reported_at DESC, h.id LIMIT 50 OFFSET 0",
            "SELECT count(*) FROM hazards.hazards h WHERE h.school_id = $1",
        ),
        ("school",),
        "school",
    ),
    # GET /hazards as the bureau: the whole county's register.
    "county_hazards": Query(
        "hazards",
        (
            "SELECT h.* FROM hazards.hazards h WHERE h.county_id = $1"
            " ORDER BY h.reported_at DESC, h.id LIMIT 50 OFFSET 0",
            "SELECT count(*) FROM hazards.hazards h WHERE h.county_id = $1",
        ),
        ("county",),
        "county",
    ),
    # GET /visits (the guard's gate screen).
    "visits": Query(
        "personnel",
        (
            "SELECT v.* FROM personnel.visits v WHERE v.school_id = $1"
            " ORDER BY v.registered_at DESC, v.id LIMIT 50 OFFSET 0",
            "SELECT count(*) FROM personnel.visits v WHERE v.school_id = $1",
        ),
        ("school",),
        "school",
    ),
    # GET /supervision (the bureau's list of listed hazards, with the schools' names).
    "supervision": Query(
        "hazards",
        (
            "SELECT h.*, d.name AS school_name FROM hazards.hazards h"
            " LEFT JOIN hazards.school_directory d ON d.school_id = h.school_id"
            " WHERE h.county_id = $1 AND h.listed_at IS NOT NULL AND h.status <> 'closed'"
            " ORDER BY h.listed_deadline NULLS LAST, h.listed_at, h.id LIMIT 2000",
        ),
        ("county",),
        "county",
    ),
    # GET /campaigns/{id}/ranking (the county ranking's rows).
    "ranking": Query(
        "evaluation",
        (
            "SELECT rank, school_id, school_code, school_name, total, grade, vetoed, veto_reasons, categories,"
            " acceptance, assignment_id, self_pct, inspected_pct, change FROM evaluation.school_results"
            " WHERE campaign_id = $1 AND county_id = $2 ORDER BY rank, school_code",
        ),
        ("campaign", "county"),
        "county",
    ),
}


def _settings(query: Query, county: str, school: str) -> dict[str, str]:
    return {
        "user_id": "bench",
        "county_id": county,
        "school_id": school if query.scope == "school" else "",
        "scope": query.scope,
        "roles": "bureau" if query.scope == "county" else "principal",
        "inspect": "",
    }


def _apply_sql() -> str:
    """The tenant hook's ``set_config`` statement, in asyncpg's ``$n`` style."""
    sql = str(_APPLY)
    for n, name in enumerate(("user_id", "county_id", "school_id", "scope", "roles", "inspect"), start=1):
        sql = sql.replace(f":{name}", f"${n}")
    return sql


APPLY_SQL = _apply_sql()


def create_app() -> Litestar:
    """The ceiling app; ``BENCH_RAW_DSN`` (a role RLS does not restrict) and ``BENCH_<SERVICE>_DSN``."""
    pools: dict[str, asyncpg.Pool] = {}
    # As many connections as a service's engine may open (pool plus overflow).
    size = int(os.environ.get("SAFECAMPUS_DB_POOL_SIZE", "10")) + int(
        os.environ.get("SAFECAMPUS_DB_MAX_OVERFLOW", "10")
    )

    @asynccontextmanager
    async def lifespan(_: Litestar) -> AsyncIterator[None]:
        pools["raw"] = await asyncpg.create_pool(os.environ["BENCH_RAW_DSN"], min_size=1, max_size=size)
        for service in {q.service for q in QUERIES.values()}:
            pools[service] = await asyncpg.create_pool(
                os.environ[f"BENCH_{service.upper()}_DSN"], min_size=1, max_size=size
            )
        try:
            yield
        finally:
            for pool in pools.values():
                await pool.close()

    def lookup(name: str, request: Request[Any, Any, Any]) -> tuple[Query, list[Any]]:
        query = QUERIES.get(name)
        if query is None:
            raise NotFoundException(f"no query {name}")
        args = [uuid.UUID(request.query_params[p]) for p in query.params]
        return query, args

    @get("/constant", sync_to_thread=False)
    def constant() -> dict[str, str]:
        return {"status": "ok"}

    async def answer(conn: asyncpg.Connection, query: Query, args: list[Any]) -> dict[str, Any]:
        rows = await conn.fetch(query.sql[0], *args)
        counts = [await conn.fetchval(sql, *args) for sql in query.sql[1:]]
        return {"items": [dict(r) for r in rows], "counts": counts}

    @get("/raw/{name:str}")
    async def raw(name: str, request: Request[Any, Any, Any]) -> dict[str, Any]:
        query, args = lookup(name, request)
        async with pools["raw"].acquire() as conn:
            return await answer(conn, query, args)

    async def in_context(pool: str, name: str, request: Request[Any, Any, Any]) -> dict[str, Any]:
        query, args = lookup(name, request)
        params = request.query_params
        settings = _settings(query, params.get("county", ""), params.get("school", ""))
        async with pools[pool or query.service].acquire() as conn, conn.transaction():
            await conn.execute(APPLY_SQL, *settings.values())
            return await answer(conn, query, args)

    @get("/ctx/{name:str}")
    async def ctx(name: str, request: Request[Any, Any, Any]) -> dict[str, Any]:
        """The tenant context's transaction and ``set_config`` without RLS (the administrator bypasses it)."""
        return await in_context("raw", name, request)

    @get("/rls/{name:str}")
    async def rls(name: str, request: Request[Any, Any, Any]) -> dict[str, Any]:
        return await in_context("", name, request)

    return Litestar(route_handlers=[constant, raw, ctx, rls], lifespan=[lifespan], logging_config=None)
