"""The evaluation demo seed: a signed-off 2025 evaluation, a ranked 2026 campaign with a returned school and a
cross-school inspection under way; a second run changes nothing."""

from __future__ import annotations

import secrets
import uuid

from sqlalchemy import text

from tenants import TenantContext
from tests.conftest import PASSWORD, make_school, make_user
from tests.evaluation.conftest import rows


async def test_the_demo_seed_builds_a_finished_evaluation_and_is_idempotent(stack, eval_db, broker):
    from evaluation.demo.seed import seed_evaluation_demo
    from schools.domain.counties.operations import create_county

    settings = stack.settings
    code = f"demo-{secrets.token_hex(3)}"
    county = await create_county(
        settings,
        code=code,
        name="演示县",
        name_en="Demo County",
        locale="zh-Hans",
        bureau_username=f"{code}.bureau",
        bureau_email=f"{code}@test.example",
        bureau_name="bureau",
        bureau_password=PASSWORD,
    )
    users = [{"username": county.bureau_username, "role": "bureau"}]
    for n in range(1, 6):
        school_code = f"d{n:02d}{secrets.token_hex(2)}"
        school_id = await make_school(settings, county.id, school_code)
        principal = await make_user(settings, "principal", county.id, school_id, f"{school_code}.principal")
        users.append(
            {
                "username": principal.username,
                "role": "principal",
                "school": {"code": school_code, "name": f"演示学校 {n}", "id": str(school_id)},
            }
        )
    data = {"county": {"id": str(county.id)}, "users": users}

    await seed_evaluation_demo(settings, data)
    await seed_evaluation_demo(settings, data)  # a second run leaves everything as it is

    bureau = TenantContext.for_county(county.id)
    campaigns = await rows(eval_db, bureau, "select year, status from evaluation.campaigns order by year")
    assert [(c.year, c.status) for c in campaigns] == [(2025, "frozen"), (2026, "open")]
    frozen = await rows(eval_db, bureau, "select count(*) from evaluation.year_end_results")
    assert frozen[0][0] == 5
    assignments = await rows(
        eval_db,
        bureau,
        "select a.status, count(*) from evaluation.inspection_assignments a join evaluation.campaigns c"
        " on c.id = a.campaign_id where c.year = 2026 group by a.status order by a.status",
    )
    assert [(a.status, a[1]) for a in assignments] == [("accepted", 1), ("assigned", 1), ("returned", 1)]
    results = await rows(
        eval_db,
        bureau,
        "select r.rank, r.acceptance, r.change from evaluation.school_results r join evaluation.campaigns c"
        " on c.id = r.campaign_id where c.year = 2026 order by r.rank",
    )
    assert len(results) == 5 and results[0].rank == 1
    assert all(r.change is not None for r in results)  # every school was evaluated in 2025
    async with eval_db.transaction(bureau) as session:
        rubrics = (await session.execute(text("select count(*) from evaluation.rubrics"))).scalar_one()
    assert rubrics == 1
    assert uuid.UUID(str(county.id))
