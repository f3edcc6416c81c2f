"""The benchmark's data generator at a small scale (so that it cannot rot), and the hot read paths on its
data: each list runs a bounded number of statements, and every statement that reads a big table uses an
index whose leading column is the caller's tenant (the school for school staff, the county for the
bureau), as Postgres plans it under the app role's row-level security.

Runs in a database of its own (generated, then dropped), as the services' app roles.
"""

from __future__ import annotations

import asyncio
import json
import os
import secrets
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from typing import Any

import asyncpg
import pytest
from litestar.params import FromPath
from sqlalchemy import event, text

from tests.conftest import ADMIN_URL

SCALE_ARGS = {
    "counties": 2,
    "schools": 12,
    "staff": 240,
    "hazards": 24_000,
    "visits": 24_000,
    "indicators": 60,
}
DB_NAME = f"safecampus_perf_{os.getpid()}_{secrets.token_hex(3)}"
#: Tables large enough that a scan of all of them is a bug on a list page.
BIG_TABLES = {"hazards", "hazard_history", "visits", "staff"}


@pytest.fixture(scope="module")
def perf_db() -> Iterator[Any]:
    """A generated data set in its own database; the process's settings point back where they were after."""
    from bench.common import Scale
    from bench.generation import generate
    from kit.settings import get_settings
    from tenants.bootstrap import drop_database

    saved = {k: os.environ.get(k) for k in ("DATABASE_URL", "ADMIN_DATABASE_URL", "SAFECAMPUS_DB_NAME")}
    os.environ["ADMIN_DATABASE_URL"] = ADMIN_URL
    scale = Scale(label="perf", **SCALE_ARGS)
    try:
        began = time.monotonic()
        first = asyncio.run(generate(scale, DB_NAME))
        # Seconds here (a minute under load); several minutes would mean a step went row by row.
        assert time.monotonic() - began < 300, first
        yield scale, get_settings()
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
        get_settings.cache_clear()
        asyncio.run(drop_database(ADMIN_URL, DB_NAME))


async def _counts(admin_dsn: str) -> dict[str, int]:
    conn = await asyncpg.connect(admin_dsn)
    try:
        return {
            table: await conn.fetchval(f"SELECT count(*) FROM {table}")
            for table in (
                "schools.schools",
                "schools.school_campaigns",
                "personnel.staff",
                "personnel.visits",
                "hazards.hazards",
                "hazards.hazard_history",
                "evaluation.school_results",
            )
        }
    finally:
        await conn.close()


def test_generate_builds_the_data_set_and_a_rerun_changes_nothing(perf_db: Any) -> None:
    from bench.common import admin_url, with_database
    from bench.generation import generate

    scale, _ = perf_db
    dsn = with_database(admin_url(), DB_NAME)
    before = asyncio.run(_counts(dsn))
    per = scale.schools * scale.counties
    assert before == {
        "schools.schools": per,
        "schools.school_campaigns": per,
        "personnel.staff": scale.staff * scale.counties,
        "personnel.visits": scale.visits * scale.counties,
        "hazards.hazards": scale.hazards * scale.counties,
        "hazards.hazard_history": scale.hazards * scale.counties,
        "evaluation.school_results": per,
    }
    asyncio.run(generate(scale, DB_NAME))
    assert asyncio.run(_counts(dsn)) == before


# --- the hot paths ------------------------------------------------------------------------------------------
@pytest.fixture
async def run_as(perf_db: Any) -> AsyncIterator[Callable[..., Awaitable[Any]]]:
    """``run_as(service, tenant, work)``: ``work(session)`` in a session of ``service``'s app role under
    ``tenant``; returns its result, the SQL statements it ran, and the plan of each (but the tenant's
    ``set_config``), explained under the same tenant (``no_seqscan``: with sequential and bitmap scans priced out, to
    see which index Postgres would use where the test's small table makes a full scan cheaper)."""
    from kit.db import Database

    _, settings = perf_db
    databases: dict[str, Database] = {}

    async def run(
        service: str, tenant: Any, work: Callable[[Any], Awaitable[Any]], *, no_seqscan: bool = False
    ) -> Any:
        if service not in databases:
            databases[service] = Database(
                settings.sqlalchemy_url(f"safecampus_{service}", service), pool_size=1
            )
        database = databases[service]
        captured: list[tuple[str, Any]] = []

        def capture(
            conn: Any, cursor: Any, statement: str, parameters: Any, context: Any, many: bool
        ) -> None:
            captured.append((statement, parameters))

        event.listen(database.engine.sync_engine, "before_cursor_execute", capture)
        try:
            async with database.session(tenant) as session:
                result = await work(session)
                await session.rollback()
        finally:
            event.remove(database.engine.sync_engine, "before_cursor_execute", capture)
        plans = []
        async with database.session(tenant) as session:
            if no_seqscan:
                await session.execute(text("SET LOCAL enable_seqscan = off"))
                await session.execute(text("SET LOCAL enable_bitmapscan = off"))
            for statement, parameters in captured:
                if statement.lstrip().lower().startswith("select set_config"):
                    continue
                explained = await session.connection()
                raw = await explained.exec_driver_sql("EXPLAIN (FORMAT JSON) " + statement, parameters)
                plan = raw.scalar_one()
                plans.append((statement, plan if isinstance(plan, list) else json.loads(plan)))
            await session.rollback()
        return result, captured, plans

    yield run
    for database in databases.values():
        await database.dispose()


def _nodes(plan: dict[str, Any]) -> Iterator[dict[str, Any]]:
    yield plan
    for child in plan.get("Plans", []):
        yield from _nodes(child)


def _big_table_scans(plans: list[tuple[str, Any]]) -> list[tuple[str, str, str]]:
    """``(relation, node type, index)`` of every scan of a big table in ``plans`` (a bitmap heap scan names
    the index of its bitmap index scan)."""
    scans = []
    for _, plan in plans:
        for node in _nodes(plan[0]["Plan"]):
            relation = node.get("Relation Name")
            if relation not in BIG_TABLES:
                continue
            indexes = [n["Index Name"] for n in _nodes(node) if "Index Name" in n]
            scans.append((relation, node["Node Type"], ",".join(indexes)))
    return scans


def _tenants(scale: Any) -> dict[str, Any]:
    from tenants import TenantContext

    county = scale.county_id(1)
    school = scale.school_id(1, 3)
    return {
        "bureau": TenantContext.for_county(county, actor="perf-bureau", roles=["bureau"]),
        "principal": TenantContext(
            user_id="perf-principal",
            username="perf-principal",
            roles=frozenset({"principal"}),
            county_id=county,
            school_id=school,
        ),
        "guard": TenantContext(
            user_id="perf-guard",
            username="perf-guard",
            roles=frozenset({"guard"}),
            county_id=county,
            school_id=school,
        ),
    }


async def test_a_school_s_hazard_list_reads_its_index_in_two_queries(perf_db: Any, run_as: Any) -> None:
    from hazards.domain.hazards.repository import HazardFilter
    from hazards.domain.hazards.service import HazardService

    scale, _ = perf_db
    principal = _tenants(scale)["principal"]
    page, statements, plans = await run_as(
        "hazards", principal, lambda s: HazardService(s, principal).page(HazardFilter(), limit=50, offset=0)
    )
    assert len(page.items) == 50
    assert page.total == scale.per_school(scale.hazards)
    assert {item.school_id for item in page.items} == {principal.school_id}
    assert len(statements) <= 3  # the tenant context, the page, the count
    scans = _big_table_scans(plans)
    assert scans, plans
    for relation, node, index in scans:
        assert node != "Seq Scan", (relation, plans)
        assert index.startswith("ix_hazards_school_id"), (relation, node, index)


async def test_the_bureau_s_county_hazard_list_pages_by_the_county_index(perf_db: Any, run_as: Any) -> None:
    from hazards.domain.hazards.repository import HazardFilter
    from hazards.domain.hazards.service import HazardService

    scale, _ = perf_db
    bureau = _tenants(scale)["bureau"]
    # Here the county is half of a small table, so a full scan is cheaper; in a real county's million it
    # is not (bench/README.md). What must hold: the index that gives the page exists and fits the filter.
    page, statements, plans = await run_as(
        "hazards",
        bureau,
        lambda s: HazardService(s, bureau).page(HazardFilter(), limit=50, offset=0),
        no_seqscan=True,
    )
    assert page.total == scale.hazards
    assert len(statements) <= 3
    page_plan = [p for s, p in plans if "LIMIT" in s.upper()]
    assert len(page_plan) == 1
    nodes = [n for n in _nodes(page_plan[0][0]["Plan"]) if n.get("Relation Name") == "hazards"]
    assert [n.get("Index Name") for n in nodes] == ["ix_hazards_county_id_reported_at_desc"], page_plan


async def test_the_gate_screen_reads_the_school_s_visits_by_its_index(perf_db: Any, run_as: Any) -> None:
    from personnel.domain.visitors.service import VisitService

    scale, _ = perf_db
    guard = _tenants(scale)["guard"]
    page, statements, plans = await run_as(
        "personnel",
        guard,
        lambda s: VisitService(s, guard).page(
            search=None, plate=None, status=None, on=None, limit=50, offset=0
        ),
    )
    assert len(page.items) == 50
    assert page.total == scale.per_school(scale.visits)
    assert len(statements) <= 3
    scans = _big_table_scans(plans)
    assert scans
    for relation, node, index in scans:
        assert node != "Seq Scan", (relation, plans)
        assert index.startswith("ix_visits_school_id"), (relation, node, index)


async def test_supervision_and_ranking_are_bounded_whatever_the_county_s_size(
    perf_db: Any, run_as: Any
) -> None:
    from evaluation.domain.rankings.service import ResultService
    from hazards.domain.supervision.service import SupervisionService

    scale, _ = perf_db
    bureau = _tenants(scale)["bureau"]
    listed, statements, plans = await run_as(
        "hazards", bureau, lambda s: SupervisionService(s, bureau).supervision_list()
    )
    assert len(statements) <= 3
    for relation, node, index in _big_table_scans(plans):
        assert node != "Seq Scan", (relation, plans)
        assert index == "ix_hazards_listed", index
    ranking, statements, _ = await run_as(
        "evaluation", bureau, lambda s: ResultService(s, bureau).ranking(scale.campaign_id(1))
    )
    assert [row.rank for row in ranking.rows] == sorted(row.rank for row in ranking.rows)
    assert len(ranking.rows) == scale.schools
    assert len(ranking.categories) == 12
    assert len(statements) <= 3
    del listed


async def test_the_statement_counter_reports_each_request_s_statements(
    perf_db: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """What ``bench/run`` reads as queries per request: the ``X-DB-Queries`` header of an app built with
    ``SAFECAMPUS_COUNT_QUERIES=1`` counts the statements of that request only (the tenant's included)."""
    from litestar import Litestar, get
    from litestar.testing import AsyncTestClient
    from sqlalchemy import text as sql

    import kit.db
    from kit.db import Database, count_queries_middleware

    scale, settings = perf_db
    monkeypatch.setattr(kit.db, "COUNT_QUERIES", True)
    database = Database(settings.sqlalchemy_url("safecampus_hazards", "hazards"), pool_size=1)
    tenant = _tenants(scale)["principal"]

    @get("/{n:int}")
    async def run_n(n: FromPath[int]) -> dict[str, int]:
        async with database.session(tenant) as session:
            for _ in range(n):
                await session.execute(sql("SELECT count(*) FROM hazards.hazards"))
        return {"ran": n}

    app = Litestar([run_n])
    app.asgi_handler = count_queries_middleware(app.asgi_handler)
    try:
        async with AsyncTestClient(app) as client:
            answers = [await client.get(f"/{n}") for n in (1, 3, 0)]
    finally:
        await database.dispose()
    # n statements plus the tenant's set_config (none when no transaction began).
    assert [a.headers["x-db-queries"] for a in answers] == ["2", "4", "0"]


async def test_the_county_board_reads_every_school_in_two_queries(perf_db: Any, run_as: Any) -> None:
    from schools.domain.campaigns.service import CampaignService

    scale, _ = perf_db
    bureau = _tenants(scale)["bureau"]
    board, statements, _ = await run_as(
        "schools", bureau, lambda s: CampaignService(s, bureau).board(scale.campaign_id(1))
    )
    assert len(board.rows) == scale.schools
    assert sum(p.schools for p in board.by_phase) + board.completed == scale.schools
    assert len(statements) <= 3  # the tenant context, the campaign with its plans, the schools' rows


#: Policies built by ``tenants.rls`` (the ``tenant_*`` and ``inspector_*`` ones of every service).
_BUILT_POLICIES = "policyname LIKE 'tenant\\_%' OR policyname LIKE 'inspector\\_%'"


def test_every_tenant_policy_reads_the_settings_once_per_query(perf_db: Any) -> None:
    """A bare ``current_setting(…)`` in a policy is evaluated for every row (bench/README.md); each one
    must sit in a scalar subquery, which Postgres deparses as ``( SELECT …)``."""
    from bench.common import admin_url, with_database

    async def policies() -> list[Any]:
        conn = await asyncpg.connect(with_database(admin_url(), DB_NAME))
        try:
            return await conn.fetch(
                "SELECT schemaname, tablename, policyname, coalesce(qual, '') || ' ' || coalesce(with_check, '')"
                f" AS expr FROM pg_policies WHERE {_BUILT_POLICIES}"
            )
        finally:
            await conn.close()

    rows = asyncio.run(policies())
    assert len({(r["schemaname"], r["tablename"]) for r in rows}) >= 60, rows
    per_row = []
    for row in rows:
        expr = row["expr"]
        calls = expr.count("current_setting(")
        once = expr.count("( SELECT (NULLIF(current_setting(") + expr.count("( SELECT current_setting(")
        once += expr.count("( SELECT (string_to_array(NULLIF(current_setting(")
        if calls != once:
            per_row.append((row["schemaname"], row["tablename"], row["policyname"], expr))
    assert not per_row, per_row
