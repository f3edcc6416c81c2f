"""The county board and the principal's campaign page read in a bounded number of statements, whatever the
county's size (issue 10: the board ran one query per kind of deliverable and assessed every cell through
ORM objects; bench/README.md), and the set-based read counts what the per-school rules count."""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Any

from sqlalchemy import event

from kit.db import Database
from schools.domain.campaigns.service import join_missing_schools
from tenants import TenantContext
from tenants.roles import app_role
from tests.campaigns.conftest import TODAY, complete_deployment, launched, new_county
from tests.conftest import make_school

#: The tenant's ``set_config``, the campaign with its plans, every school's phases and facts.
BOARD_STATEMENTS = 3
#: The tenant, the school's campaign and its phases, the county campaign with its plans, the school, its
#: facts, its history.
PAGE_STATEMENTS = 7


@asynccontextmanager
async def statements(app_client: Any) -> AsyncIterator[list[str]]:
    """The SQL statements the app's database runs inside the block (requests made one at a time)."""
    database: Database = app_client.app.state.database
    ran: list[str] = []

    def record(conn: Any, cursor: Any, statement: str, *_: Any) -> None:
        ran.append(statement)

    event.listen(database.engine.sync_engine, "before_cursor_execute", record)
    try:
        yield ran
    finally:
        event.remove(database.engine.sync_engine, "before_cursor_execute", record)


async def counted(app_client: Any, get: Callable[[], Awaitable[Any]]) -> tuple[Any, int]:
    async with statements(app_client) as ran:
        response = await get()
    assert response.status_code == 200, response.text
    return response.json(), len(ran)


async def test_the_board_reads_in_three_statements_however_many_schools(app_client, stack, clock):
    county = await new_county(stack, app_client, "q", staff=False)
    result = await launched(app_client, county, step=7)
    bureau = county["bureau"].headers
    board_url = f"/campaigns/{result['campaign']['id']}/board"
    page_url = f"/school-campaigns/{result['instances'][county.boarding]}"
    await complete_deployment(app_client, county["principal"], result["instances"][county.boarding])

    small, small_count = await counted(app_client, lambda: app_client.get(board_url, headers=bureau))
    page, page_count = await counted(
        app_client, lambda: app_client.get(page_url, headers=county["principal"].headers)
    )
    for n in range(6):  # the county grows: six more schools join the running campaign
        await make_school(stack.settings, county.id, f"q{n}{county.id.hex[:4]}")
    database = Database(stack.settings.sqlalchemy_url(app_role("schools"), "schools"), pool_size=1)
    tenant = TenantContext.for_county(county.id, actor="test")
    try:
        async with database.transaction(tenant) as session:
            assert len(await join_missing_schools(session, tenant)) == 6
    finally:
        await database.dispose()
    clock.set(TODAY + dt.timedelta(days=8))  # the deployment deadline has passed
    large, large_count = await counted(app_client, lambda: app_client.get(board_url, headers=bureau))
    _, page_count_after = await counted(
        app_client, lambda: app_client.get(page_url, headers=county["principal"].headers)
    )

    assert (small_count, large_count) == (BOARD_STATEMENTS, BOARD_STATEMENTS)
    assert (page_count, page_count_after) == (PAGE_STATEMENTS, PAGE_STATEMENTS)
    assert len(small["rows"]) == 2 and len(large["rows"]) == 8
    assert [r["school_code"] for r in large["rows"]] == sorted(r["school_code"] for r in large["rows"])
    # The board counts what the school's own page counts, cell by cell.
    row = next(r for r in large["rows"] if r["school_id"] == str(county.boarding))
    for cell, phase in zip(row["phases"], page["phases"], strict=True):
        required = [d for d in phase["deliverables"] if d["required"]]
        assert cell["phase"] == phase["phase"]
        assert cell["required_total"] == len(required)
        assert cell["required_complete"] == len(required) - len(phase["blocking"])
        assert cell["deadline"] == phase["deadline"]
    deployment = row["phases"][0]
    assert (deployment["required_complete"], deployment["required_total"]) == (4, 4)
    assert deployment["overdue"] is True  # still open after its deadline
    assert large["overdue"] == 8
    assert next(p for p in large["by_phase"] if p["phase"] == "deployment") == {
        "phase": "deployment",
        "schools": 8,
        "overdue": 8,
    }
    day_row = next(r for r in large["rows"] if r["school_id"] == str(county.day))
    assert day_row["phases"][0]["required_complete"] == 0
    assert day_row["phases"][2]["required_total"] == row["phases"][2]["required_total"] - 1
