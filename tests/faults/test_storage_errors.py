"""A file store that is full or broken while a file is uploaded: every upload route answers a clear,
machine-readable problem (507 when the store is full, 503 when it is unavailable) and leaves no row behind
— no evidence row, photo, hazard, public report or outbox event that would point at a file that is not there.

The full store is a real tmpfs filled to the last block (writes fail with ENOSPC); the broken one is a store
whose directory cannot be created (its parent is a regular file: ENOTDIR).
"""

from __future__ import annotations

import datetime as dt
import io
import secrets
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.evaluation.conftest import JPEG, add_school, open_campaign, publish_default_rubric
from tests.faults.conftest import row_counts

PROBLEM = "application/problem+json"
EXPECTED = {
    "full": (507, "insufficient-storage"),
    "broken": (503, "storage-unavailable"),
}


@dataclass
class Apps:
    """The three services that take uploads, in-process, all keeping files in the same failing store."""

    schools: Any
    hazards: Any
    evaluation: Any
    world: Any
    kind: str
    settings: Any


@pytest.fixture(params=sorted(EXPECTED))
async def apps(
    request: pytest.FixtureRequest,
    stack: Any,
    broker: Any,
    hazards_world: Any,
    full_disk: Path,
    broken_store_root: Path,
) -> AsyncIterator[Apps]:
    from litestar.testing import AsyncTestClient

    import evaluation.files
    from evaluation.app import create_app as evaluation_app
    from hazards.app import create_app as hazards_app
    from hazards.domain.reports.limits import ChannelLimits
    from kit.storage import FilesystemStore
    from schools.app import create_app as schools_app

    root = full_disk / "files" if request.param == "full" else broken_store_root
    store = FilesystemStore(root)
    schools = schools_app(stack.settings)
    schools.state.store = store
    hazards = hazards_app(
        stack.settings, store=store, report_limits=ChannelLimits(per_client=1_000, per_link=1_000)
    )
    previous = evaluation.files._store  # the evaluation API keeps its store per process: put it back after
    evaluation_api = evaluation_app(stack.settings, store=store)
    try:
        async with (
            AsyncTestClient(schools) as s,
            AsyncTestClient(hazards) as h,
            AsyncTestClient(evaluation_api) as e,
        ):
            yield Apps(s, h, e, hazards_world, request.param, stack.settings)
    finally:
        evaluation.files._store = previous


def _jpeg(field: str = "file") -> dict[str, Any]:
    return {field: (f"IMG_{secrets.token_hex(2)}.jpg", io.BytesIO(JPEG), "image/jpeg")}


async def _schools_evidence(apps: Apps) -> Any:
    return await apps.schools.post("/files", files=_jpeg(), headers=apps.world["principal_a"].headers)


async def _hazard_photo(apps: Apps) -> Any:
    teacher = apps.world["teacher_a"].headers
    created = await apps.hazards.post(
        "/hazards",
        json={
            "title": "消防通道堆放杂物",
            "category": "fire",
            "area": "teaching_buildings",
            "location_text": "二号楼",
        },
        headers=teacher,
    )
    assert created.status_code == 201, created.text
    return await apps.hazards.post(
        f"/hazards/{created.json()['id']}/photos", data={"stage": "before"}, files=_jpeg(), headers=teacher
    )


async def _quick_hazard_report(apps: Apps) -> Any:
    return await apps.hazards.post(
        "/hazards/quick",
        data={"category": "electrical", "area": "dormitories", "place": "3号宿舍楼", "note": "插座烧焦"},
        files=_jpeg("photo"),
        headers=apps.world["teacher_a"].headers,
    )


async def _public_report(apps: Apps) -> Any:
    link = await apps.hazards.get("/report-link", headers=apps.world["principal_a"].headers)
    assert link.status_code == 200, link.text
    return await apps.hazards.post(
        link.json()["path"],
        data={
            "category": "surroundings_vendors",
            "description": f"校门口流动摊贩 {secrets.token_hex(4)}",
            "place": "南门",
        },
        files=_jpeg("photo"),
    )


async def _evaluation_campaign(apps: Apps) -> str:
    """A campaign of county X with schools A and B in the evaluation's directory."""
    from kit.db import Database
    from tenants.roles import app_role

    w = apps.world
    database = Database(apps.settings.sqlalchemy_url(app_role("evaluation"), "evaluation"), pool_size=1)
    try:
        await add_school(database, w.county_x, w.school_a, "A", "甲校 School A")
        await add_school(database, w.county_x, w.school_b, "B", "乙校 School B")
    finally:
        await database.dispose()
    rubric = await publish_default_rubric(apps.evaluation, w["bureau_x"])
    return await open_campaign(
        apps.evaluation, w["bureau_x"], rubric, title=f"存储故障 {secrets.token_hex(3)}"
    )


async def _self_assessment_evidence(apps: Apps) -> Any:
    w = apps.world
    campaign = await _evaluation_campaign(apps)
    scored = await apps.evaluation.put(
        f"/campaigns/{campaign}/self-assessment/items/sec.video",
        json={"points": 4, "evidence_note": "见附件"},
        headers=w["principal_a"].headers,
    )
    assert scored.status_code == 200, scored.text
    return await apps.evaluation.post(
        f"/campaigns/{campaign}/self-assessment/items/sec.video/evidence",
        content=JPEG,
        headers=w["principal_a"].headers,
    )


async def _inspection_photo(apps: Apps) -> Any:
    """A principal of school A inspects school B: the grant reaches the token through the worker."""
    from tenants.context import InspectionGrant
    from tests.conftest import make_user
    from tests.evaluation.conftest import bearer, unique
    from tests.evaluation.test_inspections import assign, team, wait_for_grants, window

    w = apps.world
    campaign = await _evaluation_campaign(apps)
    inspector = await make_user(apps.settings, "principal", w.county_x, w.school_a, unique("fault-insp"))
    team_id = await team(apps.evaluation, w["bureau_x"], campaign, (inspector.username, True))
    begin, end = window(-dt.timedelta(minutes=1))
    assigned = await assign(apps.evaluation, w["bureau_x"], team_id, w.school_b, begin, end)
    assert assigned.status_code == 201, assigned.text
    token = await wait_for_grants(
        apps.settings, inspector.username, {InspectionGrant(w.school_b, begin, end)}
    )
    sheet = f"/inspections/{assigned.json()['id']}"
    scored = await apps.evaluation.put(
        f"{sheet}/scores/sec.video", json={"points": 4, "comment": "监控已联网"}, headers=bearer(token)
    )
    assert scored.status_code == 200, scored.text
    return await apps.evaluation.post(f"{sheet}/scores/sec.video/photos", content=JPEG, headers=bearer(token))


Upload = Callable[[Apps], Awaitable[Any]]
#: Every upload route, with the tables a successful upload would add rows to.
ROUTES: dict[str, tuple[Upload, list[str]]] = {
    "schools POST /files": (_schools_evidence, ["schools.evidence_files"]),
    "hazards POST /hazards/{id}/photos": (_hazard_photo, ["hazards.photos"]),
    "hazards POST /hazards/quick": (
        _quick_hazard_report,
        ["hazards.hazards", "hazards.photos", "hazards.hazard_history", "hazards.outbox"],
    ),
    "hazards POST /public/reports/{token}": (
        _public_report,
        ["hazards.public_reports", "hazards.photos", "hazards.outbox"],
    ),
    "evaluation POST .../self-assessment/items/{code}/evidence": (
        _self_assessment_evidence,
        ["evaluation.self_assessment_evidence"],
    ),
    "evaluation POST /inspections/{id}/scores/{code}/photos": (
        _inspection_photo,
        ["evaluation.inspection_photos"],
    ),
}


@pytest.mark.parametrize("route", sorted(ROUTES))
async def test_an_upload_to_a_failing_store_is_a_clear_problem_and_leaves_no_row(
    apps, operator, worker, route
):
    upload, tables = ROUTES[route]
    status, problem_type = EXPECTED[apps.kind]
    before = await row_counts(operator, tables)
    response = await upload(apps)
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith(PROBLEM)
    body = response.json()
    assert body["type"].endswith("/" + problem_type) and body["status"] == status
    assert "not kept" in body["detail"] and body["request_id"]
    after = await row_counts(operator, tables)
    assert after == before, f"rows were left behind by a failed upload: {before} -> {after}"
