"""Results and the county ranking on constructed data, checked against a hand computation; the year-end
evaluation freezes them; the ranking is read in a fixed number of queries, fast at county scale."""

from __future__ import annotations

import datetime as dt
import secrets
import statistics
import time
import uuid
from typing import Any

import asyncpg
import pytest
from sqlalchemy import event

from evaluation.domain.indicators import consumers
from evaluation.domain.rankings.service import ResultService
from kit.events import HAZARD_STATISTICS_UPDATED
from tenants import TenantContext
from tenants.roles import app_role
from tests.conftest import PASSWORD, User, user_token
from tests.evaluation.conftest import add_school, deliver, eventually
from tests.evaluation.test_indicators import hazard_stats

RUBRIC = {
    "title": "测试细则 / constructed rubric",
    "categories": [
        {
            "code": "a",
            "title": "A",
            "weight": 60,
            "indicators": [
                {"code": "a1", "title": "a1", "max_points": 10},
                {"code": "a2", "title": "a2", "max_points": 10},
            ],
        },
        {
            "code": "b",
            "title": "B",
            "weight": 40,
            "indicators": [
                {
                    "code": "b1",
                    "title": "b1",
                    "max_points": 8,
                    "source": "objective",
                    "metric": "hazards.closed_on_time",
                },
                {
                    "code": "b2",
                    "title": "b2",
                    "max_points": 2,
                    "source": "objective",
                    "metric": "hazards.overdue",
                    "deduction_per_unit": 0.5,
                },
            ],
        },
    ],
    "bonus_items": [
        {"code": "x1", "title": "x1", "max_points": 4},
        {"code": "x2", "title": "x2", "max_points": 4},
    ],
    "veto_items": [
        {"code": "v1", "title": "瞒报 / concealment"},
        {
            "code": "v2",
            "title": "重大事故 / major accident",
            "metric": "hazards.major_incidents",
            "threshold": 1,
        },
    ],
    "bonus_cap": 5,
}


class County:
    """A county of its own, so that nothing else is ranked with the constructed schools."""

    def __init__(self, county_id: uuid.UUID, bureau: User, schools: dict[str, uuid.UUID]) -> None:
        self.id, self.bureau, self.schools = county_id, bureau, schools


@pytest.fixture(scope="module")
async def county(stack, eval_db) -> County:
    from schools.domain.counties.operations import create_county

    code = f"rank-{secrets.token_hex(3)}"
    created = await create_county(
        stack.settings,
        code=code,
        name="排名测试县",
        name_en="Ranking County",
        locale="zh-Hans",
        bureau_username=f"{code}.bureau",
        bureau_email=f"{code}@test.example",
        bureau_name="bureau",
        bureau_password=PASSWORD,
    )
    bureau = User(
        created.bureau_username,
        "bureau",
        created.id,
        None,
        await user_token(stack.settings, created.bureau_username),
    )
    schools = {name: uuid.uuid4() for name in ("S1", "S2", "S3", "S4")}
    for name, school_id in schools.items():
        await add_school(eval_db, created.id, school_id, name, f"学校 {name}")
    return County(created.id, bureau, schools)


async def figures(
    county: County, school: str, *, ratio_closed: tuple[int, int], overdue: int, major: int = 0
) -> None:
    on_time, closed = ratio_closed
    school_id = county.schools[school]
    await deliver(
        consumers.hazard_statistics,
        HAZARD_STATISTICS_UPDATED,
        hazard_stats(
            school_id,
            closed=closed,
            on_time=on_time,
            overdue=overdue,
            major_incidents=major,
            as_of=dt.datetime.now(dt.UTC),
        ),
        county_id=county.id,
        school_id=school_id,
    )


async def inspect(
    client: Any, county: County, campaign: str, school: str, scores: dict[str, Any], *, accept: bool = True
) -> str:
    """A bureau team scores the school (bureau staff need no grant), submits, and the bureau decides."""
    headers = county.bureau.headers
    team = await client.post(
        f"/campaigns/{campaign}/teams",
        json={
            "name": f"组 {school} {secrets.token_hex(2)}",
            "members": [{"username": county.bureau.username, "lead": True}],
        },
        headers=headers,
    )
    assert team.status_code == 201, team.text
    now = dt.datetime.now(dt.UTC)
    assignment = await client.post(
        f"/teams/{team.json()['id']}/assignments",
        json={
            "school_id": str(county.schools[school]),
            "starts_at": (now - dt.timedelta(minutes=1)).isoformat(),
            "ends_at": (now + dt.timedelta(hours=1)).isoformat(),
        },
        headers=headers,
    )
    assert assignment.status_code == 201, assignment.text
    url = f"/inspections/{assignment.json()['id']}"
    for code, value in scores.items():
        body = {"triggered": True} if value is True else {"points": value}
        response = await client.put(f"{url}/scores/{code}", json=body, headers=headers)
        assert response.status_code == 200, response.text
    assert (await client.post(f"{url}/submit", headers=headers)).status_code == 200
    if accept:
        decided = await client.post(f"{url}/accept", json={"note": "通过"}, headers=headers)
    else:
        decided = await client.post(f"{url}/return", json={"requests": ["整改"]}, headers=headers)
    assert decided.status_code == 200, decided.text
    return str(assignment.json()["id"])


async def new_campaign(client: Any, county: County, rubric_id: str, year: int) -> str:
    response = await client.post(
        "/campaigns",
        json={
            "campaign_id": str(uuid.uuid4()),
            "title": f"{year} 年度考评",
            "year": year,
            "rubric_id": rubric_id,
        },
        headers=county.bureau.headers,
    )
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


async def recomputed(client: Any, county: County, campaign: str) -> dict[str, Any]:
    """Ask for a recompute through the API and wait for the worker to have done it."""
    asked = await client.post(f"/campaigns/{campaign}/ranking/recompute", headers=county.bureau.headers)
    assert asked.status_code == 202

    async def fresh() -> dict[str, Any] | None:
        ranking = (await client.get(f"/campaigns/{campaign}/ranking", headers=county.bureau.headers)).json()
        return None if ranking["stale"] else ranking

    return await eventually(fresh)


@pytest.fixture(scope="module")
async def first_year(eval_client, county, worker) -> dict[str, Any]:
    rubric = await eval_client.post("/rubrics", json=RUBRIC, headers=county.bureau.headers)
    assert rubric.status_code == 201, rubric.text
    rubric_id = rubric.json()["id"]
    assert (
        await eval_client.post(f"/rubrics/{rubric_id}/publish", headers=county.bureau.headers)
    ).status_code == 200
    campaign = await new_campaign(eval_client, county, rubric_id, 2026)
    await figures(county, "S1", ratio_closed=(4, 4), overdue=0)
    await figures(county, "S2", ratio_closed=(3, 4), overdue=1)
    await figures(county, "S3", ratio_closed=(4, 4), overdue=0, major=1)
    await figures(county, "S4", ratio_closed=(2, 4), overdue=0)
    await inspect(eval_client, county, campaign, "S1", {"a1": 10, "a2": 10, "x1": 4})
    await inspect(eval_client, county, campaign, "S2", {"a1": 8, "a2": 5, "x1": 4, "x2": 3}, accept=False)
    await inspect(eval_client, county, campaign, "S3", {"a1": 10, "a2": 10})
    return {
        "rubric": rubric_id,
        "campaign": campaign,
        "ranking": await recomputed(eval_client, county, campaign),
    }


async def test_the_ranking_matches_a_hand_computation(first_year, county):
    rows = {r["school_code"]: r for r in first_year["ranking"]["rows"]}
    # S1: A 60 × 20/20 = 60, B 40 × (8 + 2)/10 = 40, bonus 4          → 104, excellent
    # S2: A 60 × 13/20 = 39, B 40 × (8×0.75 + 2−0.5)/10 = 30, bonus 5  →  74, pass (returned)
    # S3: 100 but vetoed by its major accident                         → fail, last
    # S4: not inspected: A 0, B 40 × (8×0.5 + 2)/10 = 24               →  24, fail
    expected = {
        "S1": (1, 104.0, "excellent", False, "accepted"),
        "S2": (2, 74.0, "pass", False, "returned"),
        "S4": (3, 24.0, "fail", False, None),
        "S3": (4, 100.0, "fail", True, "accepted"),
    }
    assert {
        k: (r["rank"], r["total"], r["grade"], r["vetoed"], r["acceptance"]) for k, r in rows.items()
    } == expected
    assert [r["school_code"] for r in first_year["ranking"]["rows"]] == ["S1", "S2", "S4", "S3"]
    assert rows["S2"]["categories"] == {"a": 39.0, "b": 30.0}
    assert rows["S3"]["veto_reasons"] == ["重大事故 / major accident"]
    assert rows["S4"]["inspected"] is False
    assert first_year["ranking"]["distribution"] == {"excellent": 1, "good": 0, "pass": 1, "fail": 2}
    # Calibration (inspection % − objective %): S1 100 − 100 = 0, S2 65 − 75 = −10, S3 100 − 100 = 0; one team
    # per school, each compared with the mean gap of the other two.
    teams = first_year["ranking"]["calibration"]
    assert {t["team_name"].split()[1]: (t["deviation"], t["flagged"]) for t in teams} == {
        "S2": (-10.0, True),
        "S1": (5.0, True),
        "S3": (5.0, True),
    }
    assert teams[0]["team_name"].split()[1] == "S2"  # the largest deviation first


async def test_a_schools_breakdown_shows_every_item_with_its_figures(eval_client, first_year, county):
    response = await eval_client.get(
        f"/campaigns/{first_year['campaign']}/results/{county.schools['S2']}", headers=county.bureau.headers
    )
    assert response.status_code == 200
    items = {i["code"]: i for i in response.json()["items"]}
    assert items["b1"]["points"] == 6.0 and items["b1"]["figures"]["closed_on_time"] == 3
    assert items["b2"]["points"] == 1.5 and items["b2"]["figures"]["overdue"] == 1
    assert items["a2"]["points"] == 5.0 and items["a2"]["source"] == "inspection"
    assert response.json()["bonus"] == 5.0


async def test_the_ranking_is_read_in_at_most_three_queries(eval_client, first_year, county):
    engine = eval_client.app.state.database.engine.sync_engine
    statements: list[str] = []

    def count(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", count)
    try:
        response = await eval_client.get(
            f"/campaigns/{first_year['campaign']}/ranking", headers=county.bureau.headers
        )
    finally:
        event.remove(engine, "before_cursor_execute", count)
    assert response.status_code == 200
    assert len(statements) <= 3, statements


async def test_the_dashboard_counts_progress_and_flags(eval_client, first_year, county):
    dashboard = (
        await eval_client.get(f"/campaigns/{first_year['campaign']}/dashboard", headers=county.bureau.headers)
    ).json()
    assert dashboard["progress"]["schools"] == 4
    assert dashboard["progress"]["inspections"] == {"accepted": 2, "returned": 1}
    assert dashboard["vetoed"] == 1
    assert dashboard["average_total"] == round((104 + 74 + 100 + 24) / 4, 2)
    assert [r["school_code"] for r in dashboard["top"]] == ["S1", "S2", "S4", "S3"]


async def test_a_frozen_year_end_result_never_changes_and_the_next_year_shows_the_change(
    eval_client, eval_db, first_year, county, stack
):
    campaign = first_year["campaign"]
    signed = await eval_client.post(
        f"/campaigns/{campaign}/year-end", json={"note": "县教育局签批"}, headers=county.bureau.headers
    )
    assert signed.status_code == 201, signed.text
    frozen = {r["result"]["school_code"]: r for r in signed.json()["rows"]}
    assert frozen["S2"]["result"]["total"] == 74.0 and len(frozen["S2"]["digest"]) == 64
    again = await eval_client.post(f"/campaigns/{campaign}/year-end", json={}, headers=county.bureau.headers)
    assert again.status_code == 409

    # New data arrives: S2 now closes nothing on time and has 4 overdue hazards.
    await figures(county, "S2", ratio_closed=(0, 4), overdue=4)
    tenant = TenantContext.for_county(county.id)
    async with eval_db.transaction(tenant) as session:
        assert await ResultService(session, tenant).recompute(uuid.UUID(campaign)) is False
    result = (
        await eval_client.get(
            f"/campaigns/{campaign}/results/{county.schools['S2']}", headers=county.bureau.headers
        )
    ).json()
    assert (result["total"], result["frozen"], result["signed_off_by"]) == (
        74.0,
        True,
        county.bureau.username,
    )
    assert (
        await eval_client.get(f"/campaigns/{campaign}/year-end", headers=county.bureau.headers)
    ).json() == signed.json()
    # ...and the service's own database role cannot change a frozen result either.
    conn = await asyncpg.connect(stack.settings.database_dsn(app_role("evaluation"), "evaluation"))
    try:
        with pytest.raises(asyncpg.InsufficientPrivilegeError):
            await conn.execute("UPDATE evaluation.year_end_results SET total = 100")
        with pytest.raises(asyncpg.InsufficientPrivilegeError):
            await conn.execute("DELETE FROM evaluation.year_end_results")
    finally:
        await conn.close()

    # The next year's campaign shows each school's change since this evaluation.
    next_year = await new_campaign(eval_client, county, first_year["rubric"], 2027)
    await inspect(eval_client, county, next_year, "S1", {"a1": 9, "a2": 10, "x1": 4})
    ranking = await recomputed(eval_client, county, next_year)
    rows = {r["school_code"]: r for r in ranking["rows"]}
    assert rows["S1"]["total"] == 101.0 and rows["S1"]["change"] == -3.0  # 57 + 40 + 4, down from 104
    assert rows["S2"]["change"] == round(0 + 40 * (0 + 0) / 10 - 74.0, 2)  # not inspected yet, no points left


async def test_a_school_reads_its_own_result_only(eval_client, first_year, world, directory):
    # County X schools are not part of the constructed county: nothing to read there.
    response = await eval_client.get(
        f"/campaigns/{first_year['campaign']}/results/{world.school_a}", headers=world["principal_a"].headers
    )
    assert response.status_code == 404


async def test_the_county_ranking_of_300_schools_and_60_indicators_is_served_fast(
    stack, eval_client, eval_db
):
    """The performance target of the county ranking (p95 < 200 ms): precomputed, read in two queries."""
    from schools.domain.counties.operations import create_county

    code = f"big-{secrets.token_hex(3)}"
    created = await create_county(
        stack.settings,
        code=code,
        name="大县",
        name_en="Big County",
        locale="zh-Hans",
        bureau_username=f"{code}.bureau",
        bureau_email=f"{code}@test.example",
        bureau_name="bureau",
        bureau_password=PASSWORD,
    )
    headers = {"Authorization": f"Bearer {await user_token(stack.settings, created.bureau_username)}"}
    indicators = [
        {"code": f"c{c}.i{i}", "title": f"指标 {c}.{i}", "max_points": 5} for c in range(6) for i in range(10)
    ]
    rubric = {
        "title": "60 indicators",
        "categories": [
            {
                "code": f"c{c}",
                "title": f"类别 {c}",
                "weight": 100 / 6 if c < 5 else 100 - 5 * (100 / 6),
                "indicators": indicators[c * 10 : (c + 1) * 10],
            }
            for c in range(6)
        ],
    }
    made = await eval_client.post("/rubrics", json=rubric, headers=headers)
    assert made.status_code == 201, made.text
    await eval_client.post(f"/rubrics/{made.json()['id']}/publish", headers=headers)
    campaign = (
        await eval_client.post(
            "/campaigns",
            json={
                "campaign_id": str(uuid.uuid4()),
                "title": "大县考评",
                "year": 2026,
                "rubric_id": made.json()["id"],
            },
            headers=headers,
        )
    ).json()["id"]
    from evaluation.domain.directory.repository import DirectoryRepository

    async with eval_db.transaction(TenantContext.for_county(created.id)) as session:
        for n in range(300):
            await DirectoryRepository(session).upsert(
                school_id=uuid.uuid4(),
                county_id=created.id,
                code=f"s{n:03d}",
                name=f"学校 {n}",
                kind="primary",
                active=True,
                as_of=dt.datetime.now(dt.UTC),
            )
    tenant = TenantContext.for_county(created.id)
    async with eval_db.transaction(tenant) as session:
        assert await ResultService(session, tenant).recompute(uuid.UUID(campaign))

    timings = []
    for _ in range(40):
        started = time.perf_counter()
        response = await eval_client.get(f"/campaigns/{campaign}/ranking", headers=headers)
        timings.append(time.perf_counter() - started)
        assert response.status_code == 200
    assert len(response.json()["rows"]) == 300
    # Measured in-process on a shared 2-core machine, so the median is asserted (computing the ranking on
    # request takes seconds at this size); issue 10's benchmark measures the p95 against a served API.
    median, p95 = statistics.median(timings), statistics.quantiles(timings, n=20)[-1]
    assert median < 0.2, f"median {median * 1000:.0f} ms, p95 {p95 * 1000:.0f} ms"


async def report(
    client: Any, headers: dict[str, str], campaign: str, kind: str, school_id: Any = None
) -> Any:
    """Request a report and wait for the worker to finish it; return its record."""
    body: dict[str, Any] = {"kind": kind}
    if school_id is not None:
        body["school_id"] = str(school_id)
    asked = await client.post(f"/campaigns/{campaign}/reports", json=body, headers=headers)
    assert asked.status_code == 202, asked.text
    assert asked.json()["status"] == "queued"

    async def finished() -> dict[str, Any] | None:
        record = (await client.get(asked.headers["location"], headers=headers)).json()
        return record if record["status"] in ("done", "failed") else None

    record = await eventually(finished, timeout=60)
    assert record["status"] == "done", record
    assert record["progress"] == 100
    return record


async def test_the_ranking_and_score_sheets_open_in_a_spreadsheet_with_the_right_rows(
    eval_client, first_year, county
):
    import io

    from openpyxl import load_workbook

    headers = county.bureau.headers
    ranking = await report(eval_client, headers, first_year["campaign"], "ranking_xlsx")
    data = (await eval_client.get(ranking["url"], headers=headers)).content
    sheet = load_workbook(io.BytesIO(data)).active
    table = list(sheet.iter_rows(values_only=True))
    assert table[0][:5] == ("名次 rank", "学校代码 code", "学校 school", "总分 total", "等级 grade")
    assert [(r[0], r[1], r[3], r[4]) for r in table[1:]] == [
        (1, "S1", 104.0, "excellent"),
        (2, "S2", 74.0, "pass"),
        (3, "S4", 24.0, "fail"),
        (4, "S3", 100.0, "fail"),
    ]

    sheets = await report(eval_client, headers, first_year["campaign"], "sheets_xlsx")
    rows = list(
        load_workbook(
            io.BytesIO((await eval_client.get(sheets["url"], headers=headers)).content)
        ).active.iter_rows(values_only=True)
    )
    assert (
        len(rows) == 1 + 4 * 8
    )  # a heading, and every school × every rubric item (4 indicators, 2 bonus, 2 veto)
    b1_of_s2 = next(r for r in rows if r[0] == "S2" and r[2] == "b1")
    assert b1_of_s2[7] == 6.0 and '"closed_on_time": 3' in b1_of_s2[11]


async def test_the_county_report_and_a_report_card_are_pdfs_with_their_pages(eval_client, first_year, county):
    headers = county.bureau.headers
    county_pdf = await report(eval_client, headers, first_year["campaign"], "county_pdf")
    data = (await eval_client.get(county_pdf["url"], headers=headers)).content
    assert data.startswith(b"%PDF-")
    assert county_pdf["pages"] == 4  # summary, charts, ranking, calibration
    assert county_pdf["filename"].endswith(".pdf")

    card = await report(eval_client, headers, first_year["campaign"], "report_card_pdf", county.schools["S2"])
    assert card["pages"] == 2  # summary with the rectification requests, breakdown
    assert (await eval_client.get(card["url"], headers=headers)).content.startswith(b"%PDF-")


async def test_a_principal_gets_their_own_report_card_and_never_a_county_report(
    eval_client, world, directory, default_rubric
):
    from tests.evaluation.conftest import open_campaign

    campaign = await open_campaign(eval_client, world["bureau_x"], default_rubric)
    principal = world["principal_a"].headers
    denied = await eval_client.post(
        f"/campaigns/{campaign}/reports", json={"kind": "county_pdf"}, headers=principal
    )
    assert denied.status_code == 403
    other = await eval_client.post(
        f"/campaigns/{campaign}/reports",
        json={"kind": "report_card_pdf", "school_id": str(world.school_b)},
        headers=principal,
    )
    assert other.status_code == 422
    county_report = await eval_client.post(
        f"/campaigns/{campaign}/reports", json={"kind": "ranking_xlsx"}, headers=world["bureau_x"].headers
    )
    assert (await eval_client.get(county_report.headers["location"], headers=principal)).status_code == 404
    own = await eval_client.post(
        f"/campaigns/{campaign}/reports", json={"kind": "report_card_pdf"}, headers=principal
    )
    assert own.status_code == 202 and own.json()["school_id"] == str(world.school_a)
    listed = (await eval_client.get(f"/campaigns/{campaign}/reports", headers=principal)).json()
    assert [r["id"] for r in listed] == [own.json()["id"]]
    everything = (
        await eval_client.get(f"/campaigns/{campaign}/reports", headers=world["bureau_x"].headers)
    ).json()
    assert len(everything) == 2
    assert (
        await eval_client.get(own.headers["location"], headers=world["principal_b"].headers)
    ).status_code == 404
