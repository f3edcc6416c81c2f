"""The five phases of a school's campaign: a phase closes only when its required deliverables are complete;
the bureau reopens a phase or extends a deadline with a reason; every transition is recorded, audited and
published."""

from __future__ import annotations

import asyncio
import datetime as dt
import uuid
from typing import Any

import asyncpg
import dramatiq
import pytest

from kit.db import Database
from kit.events import PATROL_AREA_SIGNED_OFF, PATROL_SUBMITTED, consumer_actor_name, envelope
from schools.domain.campaigns import intake
from tenants import TenantContext
from tenants.roles import app_role
from tests.campaigns.conftest import JPEG, TODAY, complete_deployment, launched, upload

AREAS = [
    "gate",
    "teaching_buildings",
    "labs",
    "dormitories",
    "canteen",
    "playground_sports",
    "electrical_rooms",
    "surroundings",
]


async def _view(app_client: Any, user: Any, instance: str) -> dict[str, Any]:
    response = await app_client.get(f"/school-campaigns/{instance}", headers=user.headers)
    assert response.status_code == 200, response.text
    return dict(response.json())


def _phase(view: dict[str, Any], name: str) -> dict[str, Any]:
    return next(p for p in view["phases"] if p["phase"] == name)


def _deliverable(view: dict[str, Any], phase: str, key: str) -> dict[str, Any]:
    return next(d for d in _phase(view, phase)["deliverables"] if d["key"] == key)


async def _close(app_client: Any, user: Any, instance: str, phase: str, note: str = "") -> Any:
    return await app_client.post(
        f"/school-campaigns/{instance}/close-phase", json={"phase": phase, "note": note}, headers=user.headers
    )


async def _events(migrator: asyncpg.Connection, instance: str, kind: str) -> list[asyncpg.Record]:
    return await migrator.fetch(
        "SELECT payload FROM schools.outbox WHERE type = $1 AND payload->>'school_campaign_id' = $2"
        " ORDER BY created_at",
        kind,
        instance,
    )


async def _deliver(
    broker: dramatiq.Broker,
    event_type: Any,
    school_id: uuid.UUID,
    county_id: uuid.UUID,
    payload: dict[str, Any],
    event_id: uuid.UUID | None = None,
) -> uuid.UUID:
    """Hand an event to the schools service exactly as the hazards service's outbox relay does."""
    event_id = event_id or uuid.uuid4()
    message = dramatiq.Message(
        queue_name="schools",
        actor_name=consumer_actor_name("schools", event_type),
        args=(),
        kwargs=envelope(event_id, event_type.name, county_id, school_id, dt.datetime.now(dt.UTC), payload),
        options={},
    )
    await asyncio.to_thread(broker.enqueue, message)
    return event_id


async def _until(check: Any, attempts: int = 600) -> None:
    """Wait for the worker (which may first have other tests' jobs to do)."""
    for _ in range(attempts):
        if await check():
            return
        await asyncio.sleep(0.1)
    raise AssertionError("the worker did not get there in time")


def _sign_off(
    school_id: uuid.UUID, campaign_id: str | None, area: str, kind: str = "investigation"
) -> dict[str, Any]:
    return {
        "patrol_id": str(uuid.uuid4()),
        "school_id": str(school_id),
        "campaign_id": campaign_id,
        "kind": kind,
        "area": area,
        "inspector_id": "u-1",
        "inspector_name": "巡查员",
        "findings": "未发现问题",
        "hazards_found": 0,
        "areas_signed_off": 1,
        "areas_total": 8,
        "signed_at": dt.datetime.now(dt.UTC).isoformat(),
    }


async def test_a_phase_with_a_missing_deliverable_cannot_close(app_client, county, migrator):
    instance = (await launched(app_client, county))["instances"][county.boarding]

    response = await _close(app_client, county["principal"], instance, "deployment")

    assert response.status_code == 409
    problem = response.json()
    assert {e["key"] for e in problem["errors"]} == {
        "deliverables.leading_group",
        "deliverables.deployment_meeting",
        "deliverables.implementation_plan",
        "deliverables.responsibility_assignments",
    }
    view = await _view(app_client, county["principal"], instance)
    assert _phase(view, "deployment")["status"] == "open"
    assert _phase(view, "deployment")["can_close"] is False
    assert [t["action"] for t in view["history"]] == ["open"]
    assert await _events(migrator, instance, "schools.campaign_phase.closed") == []


async def test_one_missing_deliverable_is_enough_to_block_the_phase(app_client, county):
    instance = (await launched(app_client, county))["instances"][county.boarding]
    await complete_deployment(app_client, county["principal"], instance)
    await app_client.put(
        f"/school-campaigns/{instance}/responsibilities",
        json={"assignments": []},
        headers=county["principal"].headers,
    )  # an empty list is refused: the assignments stay
    assert (await _close(app_client, county["principal"], instance, "deployment")).status_code == 200

    second = (await launched(app_client, county))["instances"][county.boarding]
    await complete_deployment(app_client, county["principal"], second)
    meetings = (
        await app_client.get(f"/school-campaigns/{second}/deliverables", headers=county["principal"].headers)
    ).json()["meetings"]
    removed = await app_client.delete(
        f"/school-campaigns/{second}/meetings/{meetings[0]['id']}", headers=county["principal"].headers
    )
    assert removed.status_code == 204

    response = await _close(app_client, county["principal"], second, "deployment")
    assert response.status_code == 409
    assert [e["key"] for e in response.json()["errors"]] == ["deliverables.deployment_meeting"]


async def test_closing_the_complete_phase_opens_the_next_and_is_recorded_audited_and_published(
    app_client, county, migrator
):
    instance = (await launched(app_client, county))["instances"][county.boarding]
    await complete_deployment(app_client, county["principal"], instance)

    response = await _close(app_client, county["principal"], instance, "deployment", note="部署到位")

    assert response.status_code == 200, response.text
    view = response.json()
    assert view["current_phase"] == "investigation"
    assert [(p["phase"], p["status"]) for p in view["phases"][:3]] == [
        ("deployment", "closed"),
        ("investigation", "open"),
        ("remediation", "pending"),
    ]
    closing = view["history"][-2]
    assert (closing["phase"], closing["action"], closing["reason"]) == ("deployment", "close", "部署到位")
    assert closing["actor_name"] == county["principal"].username and closing["at"]
    assert (view["history"][-1]["phase"], view["history"][-1]["action"]) == ("investigation", "open")
    [event] = await _events(migrator, instance, "schools.campaign_phase.closed")
    payload = dict(__import__("json").loads(event["payload"]))
    assert (payload["phase"], payload["current_phase"], payload["reason"]) == (
        "deployment",
        "investigation",
        "部署到位",
    )
    audited = await migrator.fetch(
        "SELECT action, actor_name FROM schools.audit_log WHERE county_id = $1 AND school_id = $2"
        " AND action LIKE 'campaign_phase.%' ORDER BY seq",
        county.id,
        county.boarding,
    )
    assert ("campaign_phase.close", county["principal"].username) in [
        (a["action"], a["actor_name"]) for a in audited
    ]
    assert ("campaign_phase.open", county["principal"].username) in [
        (a["action"], a["actor_name"]) for a in audited
    ]


async def test_only_the_open_phase_can_be_closed(app_client, county):
    instance = (await launched(app_client, county))["instances"][county.boarding]
    await complete_deployment(app_client, county["principal"], instance)
    assert (await _close(app_client, county["principal"], instance, "deployment")).status_code == 200

    again = await _close(app_client, county["principal"], instance, "deployment")  # a second click
    ahead = await _close(app_client, county["principal"], instance, "remediation")

    assert again.status_code == ahead.status_code == 409
    assert (await _view(app_client, county["principal"], instance))["current_phase"] == "investigation"


async def test_the_investigation_waits_for_the_hazards_services_sign_offs(app_client, county, broker, worker):
    instance = (await launched(app_client, county))["instances"][county.boarding]
    await complete_deployment(app_client, county["principal"], instance)
    await _close(app_client, county["principal"], instance, "deployment")

    waiting = _deliverable(
        await _view(app_client, county["principal"], instance), "investigation", "area_checklist"
    )
    assert (waiting["state"], waiting["waiting_for"]) == ("waiting", "hazards")
    assert len(waiting["missing"]) == 8

    import schools.domain.campaigns.jobs  # noqa: F401  (the consumers, as the worker declares them)

    first = await _deliver(
        broker,
        PATROL_AREA_SIGNED_OFF,
        county.boarding,
        county.id,
        _sign_off(county.boarding, instance, "gate"),
    )
    for area in AREAS[1:]:
        await _deliver(
            broker,
            PATROL_AREA_SIGNED_OFF,
            county.boarding,
            county.id,
            _sign_off(county.boarding, instance, area),
        )
    # a redelivery of the first event and a daily patrol change nothing
    await _deliver(
        broker,
        PATROL_AREA_SIGNED_OFF,
        county.boarding,
        county.id,
        _sign_off(county.boarding, instance, "gate"),
        first,
    )
    await _deliver(
        broker,
        PATROL_AREA_SIGNED_OFF,
        county.boarding,
        county.id,
        _sign_off(county.boarding, instance, "labs", kind="daily"),
    )

    async def checklist_done() -> bool:
        view = await _view(app_client, county["principal"], instance)
        return bool(_deliverable(view, "investigation", "area_checklist")["state"] == "complete")

    await _until(checklist_done)
    blocked = await _close(app_client, county["principal"], instance, "investigation")
    assert [e["key"] for e in blocked.json()["errors"]] == ["deliverables.investigation_report"]

    report = {
        "patrol_id": str(uuid.uuid4()),
        "school_id": str(county.boarding),
        "campaign_id": None,
        "kind": "investigation",
        "title": "集中排查",
        "summary": "排查隐患 3 处",
        "submitted_by_name": "王校长",
        "hazards_found": 3,
        "submitted_at": dt.datetime.now(dt.UTC).isoformat(),
    }
    await _deliver(broker, PATROL_SUBMITTED, county.boarding, county.id, report)

    async def report_done() -> bool:
        view = await _view(app_client, county["principal"], instance)
        return bool(_phase(view, "investigation")["can_close"])

    await _until(report_done)
    contents = (
        await app_client.get(
            f"/school-campaigns/{instance}/deliverables", headers=county["principal"].headers
        )
    ).json()
    assert sorted(s["area"] for s in contents["sign_offs"]) == sorted(AREAS)
    assert contents["investigation_report"]["hazards_found"] == 3
    assert (await _close(app_client, county["principal"], instance, "investigation")).status_code == 200


async def test_a_day_school_has_no_dormitories_to_sign_off(app_client, stack, county):
    instance = (await launched(app_client, county))["instances"][county.day]
    tenant = TenantContext.for_school(county.id, county.day, actor="event:test")
    database = Database(stack.settings.sqlalchemy_url(app_role("schools"), "schools"), pool_size=1)
    try:
        async with database.transaction(tenant) as session:
            for area in [a for a in AREAS if a != "dormitories"]:
                counted = await intake.record_area_sign_off(
                    session,
                    event_id=uuid.uuid4(),
                    school_id=county.day,
                    campaign_id=None,
                    patrol_id=uuid.uuid4(),
                    kind="investigation",
                    area=area,
                    inspector_name="巡查员",
                    findings="",
                    hazards_found=0,
                    signed_at=dt.datetime.now(dt.UTC),
                )
                assert counted >= 1
    finally:
        await database.dispose()

    view = await _view(app_client, county["day_principal"], instance)
    assert _deliverable(view, "investigation", "area_checklist")["state"] == "complete"
    assert _deliverable(view, "remediation", "dormitory_night_inspections")["state"] == "not_applicable"


async def test_the_bureau_reopens_a_closed_phase_with_a_reason(app_client, county, migrator):
    instance = (await launched(app_client, county))["instances"][county.boarding]
    await complete_deployment(app_client, county["principal"], instance)
    await _close(app_client, county["principal"], instance, "deployment")
    url = f"/school-campaigns/{instance}/reopen-phase"

    no_reason = await app_client.post(url, json={"phase": "deployment"}, headers=county["bureau"].headers)
    not_closed = await app_client.post(
        url, json={"phase": "remediation", "reason": "材料不全"}, headers=county["bureau"].headers
    )
    reopened = await app_client.post(
        url, json={"phase": "deployment", "reason": "领导小组分工不明确"}, headers=county["bureau"].headers
    )

    assert no_reason.status_code == 400
    assert not_closed.status_code == 409
    assert reopened.status_code == 200, reopened.text
    view = reopened.json()
    assert view["current_phase"] == "deployment"
    assert [(p["phase"], p["status"]) for p in view["phases"][:2]] == [
        ("deployment", "open"),
        ("investigation", "pending"),
    ]
    assert [(t["phase"], t["action"], t["reason"]) for t in view["history"][-2:]] == [
        ("deployment", "reopen", "领导小组分工不明确"),
        ("investigation", "reset", "领导小组分工不明确"),
    ]
    assert view["history"][-1]["actor_name"] == county["bureau"].username
    [event] = await _events(migrator, instance, "schools.campaign_phase.reopened")
    assert "领导小组分工不明确" in event["payload"]
    audited = await migrator.fetchval(
        "SELECT count(*) FROM schools.audit_log WHERE school_id = $1 AND action = 'campaign_phase.reopen'",
        county.boarding,
    )
    assert audited >= 1
    # the deliverables stayed: the principal can close it again at once
    assert (await _close(app_client, county["principal"], instance, "deployment")).status_code == 200


async def test_the_bureau_extends_a_deadline_with_a_reason(app_client, county, clock, migrator):
    instance = (await launched(app_client, county, step=7))["instances"][county.boarding]
    url = f"/school-campaigns/{instance}/extend-deadline"
    clock.set(TODAY + dt.timedelta(days=9))
    assert _phase(await _view(app_client, county["principal"], instance), "deployment")["overdue"] is True

    earlier = await app_client.post(
        url,
        json={"phase": "deployment", "deadline": TODAY.isoformat(), "reason": "延期"},
        headers=county["bureau"].headers,
    )
    later = (TODAY + dt.timedelta(days=12)).isoformat()
    extended = await app_client.post(
        url,
        json={"phase": "deployment", "deadline": later, "reason": "校舍维修，延期一周"},
        headers=county["bureau"].headers,
    )

    assert earlier.status_code == 422
    assert extended.status_code == 200, extended.text
    deployment = _phase(extended.json(), "deployment")
    assert (deployment["deadline"], deployment["county_deadline"], deployment["overdue"]) == (
        later,
        (TODAY + dt.timedelta(days=7)).isoformat(),
        False,
    )
    last = extended.json()["history"][-1]
    assert (last["action"], last["deadline_after"], last["reason"]) == ("extend", later, "校舍维修，延期一周")
    assert len(await _events(migrator, instance, "schools.campaign_phase.deadline_extended")) == 1


async def test_a_closed_phase_gets_no_extension_and_its_deliverables_are_frozen(app_client, county):
    instance = (await launched(app_client, county))["instances"][county.boarding]
    await complete_deployment(app_client, county["principal"], instance)
    await _close(app_client, county["principal"], instance, "deployment")

    extension = await app_client.post(
        f"/school-campaigns/{instance}/extend-deadline",
        json={"phase": "deployment", "deadline": "2030-01-01", "reason": "延期"},
        headers=county["bureau"].headers,
    )
    edit = await app_client.put(
        f"/school-campaigns/{instance}/responsibilities",
        json={"assignments": [{"duty": "食堂", "responsible_name": "赵"}]},
        headers=county["principal"].headers,
    )
    ahead = await app_client.put(
        f"/school-campaigns/{instance}/summary-report",
        json={"summary": "提前准备"},
        headers=county["principal"].headers,
    )

    assert extension.status_code == 409
    assert edit.status_code == 409
    assert ahead.status_code == 200  # a later phase's deliverable can be prepared early


async def test_a_school_walks_all_five_phases_to_completion(app_client, stack, county, migrator):
    instance = (await launched(app_client, county))["instances"][county.boarding]
    principal = county["principal"]
    base = f"/school-campaigns/{instance}"
    await complete_deployment(app_client, principal, instance)
    assert (await _close(app_client, principal, instance, "deployment")).status_code == 200

    tenant = TenantContext.for_school(county.id, county.boarding, actor="event:test")
    database = Database(stack.settings.sqlalchemy_url(app_role("schools"), "schools"), pool_size=1)
    try:
        async with database.transaction(tenant) as session:
            for area in AREAS:
                await intake.record_area_sign_off(
                    session,
                    event_id=uuid.uuid4(),
                    school_id=county.boarding,
                    campaign_id=uuid.UUID(instance),
                    patrol_id=uuid.uuid4(),
                    kind="investigation",
                    area=area,
                    inspector_name="巡查员",
                    findings="",
                    hazards_found=0,
                    signed_at=dt.datetime.now(dt.UTC),
                )
            await intake.record_investigation_report(
                session,
                event_id=uuid.uuid4(),
                school_id=county.boarding,
                campaign_id=None,
                patrol_id=uuid.uuid4(),
                kind="investigation",
                summary="完成",
                submitted_by_name="王",
                hazards_found=0,
                submitted_at=dt.datetime.now(dt.UTC),
            )
    finally:
        await database.dispose()
    assert (await _close(app_client, principal, instance, "investigation")).status_code == 200

    photo = await upload(app_client, principal, JPEG, "监控.jpg")
    measures = [
        d["key"] for d in _phase(await _view(app_client, principal, instance), "remediation")["deliverables"]
    ]
    for measure in measures:
        added = await app_client.post(
            f"{base}/evidence",
            json={"measure": measure, "kind": "photo", "file_id": photo},
            headers=principal.headers,
        )
        assert added.status_code == 201, added.text
    assert (await _close(app_client, principal, instance, "remediation")).status_code == 200

    database = Database(stack.settings.sqlalchemy_url(app_role("schools"), "schools"), pool_size=1)
    try:
        for accepted in (False, True):
            async with database.transaction(tenant) as session:
                await intake.record_inspection_result(
                    session,
                    event_id=uuid.uuid4(),
                    school_id=county.boarding,
                    campaign_id=None,
                    inspection_id=str(uuid.uuid4()),
                    accepted=accepted,
                    score=88.5 if accepted else 61.0,
                    summary="",
                    rectification_requests=[] if accepted else ["补充监控"],
                    decided_at=dt.datetime.now(dt.UTC),
                )
            if not accepted:
                waiting = _deliverable(
                    await _view(app_client, principal, instance), "acceptance", "inspection_result"
                )
                assert (waiting["state"], waiting["missing"]) == ("waiting", ["accepted_result"])
    finally:
        await database.dispose()
    assert (await _close(app_client, principal, instance, "acceptance")).status_code == 200

    await app_client.put(
        f"{base}/summary-report", json={"summary": "专项治理总结"}, headers=principal.headers
    )
    partial = await app_client.put(
        f"{base}/mechanisms",
        json={"mechanisms": [{"mechanism": "leadership", "description": "校长负总责"}]},
        headers=principal.headers,
    )
    assert partial.status_code == 200
    blocked = await _close(app_client, principal, instance, "consolidation")
    assert [e["key"] for e in blocked.json()["errors"]] == ["deliverables.long_term_mechanisms"]
    rest = ["working", "supervision", "assessment_evaluation", "accountability"]
    await app_client.put(
        f"{base}/mechanisms",
        json={"mechanisms": [{"mechanism": m, "description": "建立"} for m in rest]},
        headers=principal.headers,
    )
    done = await _close(app_client, principal, instance, "consolidation")

    assert done.status_code == 200, done.text
    assert (done.json()["status"], done.json()["current_phase"]) == ("completed", None)
    [last] = (await _events(migrator, instance, "schools.campaign_phase.closed"))[-1:]
    assert '"completed": true' in last["payload"]


async def test_the_history_of_transitions_cannot_be_rewritten_by_the_app(stack, county, app_client):
    await launched(app_client, county)
    conn = await asyncpg.connect(stack.settings.database_dsn(app_role("schools"), "schools"))
    try:
        async with conn.transaction():
            await conn.execute(
                "SELECT set_config('app.county_id', $1, true), set_config('app.scope', 'county', true)",
                str(county.id),
            )
            with pytest.raises(asyncpg.InsufficientPrivilegeError):
                await conn.execute("UPDATE schools.phase_transitions SET reason = 'rewritten'")
    finally:
        await conn.close()


async def test_the_evaluation_services_decision_is_the_acceptance_result(app_client, stack, county):
    from kit.events import INSPECTION_DECIDED, Event, InspectionDecided
    from schools.domain.campaigns.jobs import on_inspection_decided

    result = await launched(app_client, county)
    instance = result["instances"][county.boarding]
    tenant = TenantContext.for_school(
        county.id, county.boarding, actor="event:schools.on.evaluation.inspection.decided"
    )
    database = Database(stack.settings.sqlalchemy_url(app_role("schools"), "schools"), pool_size=1)
    try:
        for decision, requests in (("returned", ["补齐视频监控"]), ("accepted", [])):
            payload = InspectionDecided(
                assignment_id=uuid.uuid4(),
                campaign_id=uuid.UUID(result["campaign"]["id"]),
                school_id=county.boarding,
                decision=decision,
                rectification_requests=requests,
                note="检查组意见",
            )
            event = Event(uuid.uuid4(), INSPECTION_DECIDED, tenant, payload, dt.datetime.now(dt.UTC))
            async with database.transaction(tenant) as session:
                await on_inspection_decided(session, event)
    finally:
        await database.dispose()

    contents = (
        await app_client.get(
            f"/school-campaigns/{instance}/deliverables", headers=county["principal"].headers
        )
    ).json()
    assert [(r["outcome"], r["rectification_requests"]) for r in contents["inspection_results"]] == [
        ("not_accepted", ["补齐视频监控"]),
        ("accepted", []),
    ]
    view = await _view(app_client, county["principal"], instance)
    assert _deliverable(view, "acceptance", "inspection_result")["state"] == "complete"
