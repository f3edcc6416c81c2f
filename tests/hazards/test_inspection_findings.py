"""Findings of the county's inspection teams (``evaluation.finding.reported``) become hazards of the inspected
school's register with source ``bureau_inspection`` — once per finding, however often the event comes."""

from __future__ import annotations

import asyncio
import datetime as dt
import uuid
from typing import Any

import msgspec
import pytest

from kit.events import INSPECTION_FINDING_REPORTED, InspectionFindingReported, envelope

pytestmark = pytest.mark.usefixtures("hazards_world")


def finding_event(w: Any, finding_id: uuid.UUID, **overrides: Any) -> dict[str, Any]:
    """A delivery message of ``evaluation.finding.reported`` for school A, as the relay sends it."""
    payload = {
        "finding_id": finding_id,
        "assignment_id": uuid.uuid4(),
        "campaign_id": uuid.uuid4(),
        "school_id": w.school_a,
        "item_code": "3.2",
        "item_title": "消防设施完好",
        "title": f"灭火器过期 {finding_id.hex[:6]}",
        "description": "二楼走廊两具灭火器压力不足",
        "severity": "general",
        "category": "fire",
        "location": "教学楼二楼走廊",
        "reported_by": "inspector.wang",
        "team_name": "第二检查组",
        "photos": 2,
        "found_at": dt.datetime.now(dt.UTC),
    } | overrides
    event = InspectionFindingReported(**payload)
    return envelope(
        uuid.uuid4(),
        INSPECTION_FINDING_REPORTED.name,
        w.county_x,
        w.school_a,
        dt.datetime.now(dt.UTC),
        msgspec.to_builtins(event),
    )


async def deliver(message: dict[str, Any]) -> None:
    """The consumer exactly as the worker runs it (inbox and handler in one transaction)."""
    from hazards.domain.hazards.consumers import register_finding

    await register_finding.fn.__wrapped__(**message)


async def hazards_titled(client: Any, user: Any, title: str) -> list[dict[str, Any]]:
    response = await client.get("/hazards", params={"q": title, "limit": 200}, headers=user.headers)
    assert response.status_code == 200, response.text
    return [h for h in response.json()["items"] if h["title"] == title]


async def test_a_finding_becomes_a_reported_hazard_of_the_inspected_school(hazards_client, hazards_world):
    w = hazards_world
    message = finding_event(w, uuid.uuid4())
    await deliver(message)

    (listed,) = await hazards_titled(hazards_client, w["principal_a"], message["payload"]["title"])
    detail = (await hazards_client.get(f"/hazards/{listed['id']}", headers=w["principal_a"].headers)).json()
    assert (detail["status"], detail["source"], detail["category"], detail["severity"]) == (
        "reported",
        "bureau_inspection",
        "fire",
        "general",
    )
    assert detail["area"] == "teaching_buildings"
    assert detail["location_text"] == "教学楼二楼走廊"
    assert detail["school_id"] == str(w.school_a)
    assert detail["reported_by"]["name"] == "inspector.wang"
    assert detail["number"].startswith(w.school_codes[w.school_a][0].upper() + "-")
    (first,) = detail["history"]
    assert first["details"]["finding_id"] == message["payload"]["finding_id"]
    # the principal takes it from here like any other report
    assert "confirm" in detail["allowed_actions"]
    # another school and another county see nothing of it
    assert await hazards_titled(hazards_client, w["principal_b"], message["payload"]["title"]) == []
    assert await hazards_titled(hazards_client, w["principal_c"], message["payload"]["title"]) == []


async def test_replaying_the_event_or_reporting_the_same_finding_again_changes_nothing(
    hazards_client, hazards_world
):
    w = hazards_world
    finding_id = uuid.uuid4()
    message = finding_event(w, finding_id)
    await deliver(message)
    (hazard,) = await hazards_titled(hazards_client, w["principal_a"], message["payload"]["title"])

    await deliver(message)  # the same event again (a redelivery)
    repeat = finding_event(w, finding_id, title=message["payload"]["title"])
    assert repeat["event_id"] != message["event_id"]
    await deliver(repeat)  # the same finding under a new event (the bureau decided again)

    again = await hazards_titled(hazards_client, w["principal_a"], message["payload"]["title"])
    assert [h["id"] for h in again] == [hazard["id"]]
    detail = (await hazards_client.get(f"/hazards/{hazard['id']}", headers=w["principal_a"].headers)).json()
    assert len(detail["history"]) == 1
    # the next hazard of the school gets the next number: no number was used up by the repeats
    following = finding_event(w, uuid.uuid4())
    await deliver(following)
    (next_one,) = await hazards_titled(hazards_client, w["principal_a"], following["payload"]["title"])
    assert int(next_one["number"][-4:]) > int(hazard["number"][-4:])


async def test_concurrent_deliveries_of_one_finding_register_one_hazard(hazards_client, hazards_world):
    w = hazards_world
    finding_id = uuid.uuid4()
    first = finding_event(w, finding_id)
    second = finding_event(w, finding_id, title=first["payload"]["title"])
    await asyncio.gather(deliver(first), deliver(second))
    assert len(await hazards_titled(hazards_client, w["principal_a"], first["payload"]["title"])) == 1


async def test_a_major_finding_of_an_unknown_category_is_a_major_hazard_of_category_other(
    hazards_client, hazards_world
):
    w = hazards_world
    message = finding_event(w, uuid.uuid4(), severity="major", category="no_such_category", location="")
    await deliver(message)
    (hazard,) = await hazards_titled(hazards_client, w["principal_a"], message["payload"]["title"])
    assert (hazard["severity"], hazard["category"], hazard["source"]) == (
        "major",
        "other",
        "bureau_inspection",
    )


async def test_a_finding_sent_through_the_broker_reaches_the_register(hazards_client, hazards_world, worker):
    from hazards.domain.hazards.consumers import register_finding

    w = hazards_world
    message = finding_event(w, uuid.uuid4())
    register_finding.send(**message)
    for _ in range(150):
        if await hazards_titled(hazards_client, w["principal_a"], message["payload"]["title"]):
            break
        await asyncio.sleep(0.2)
    found = await hazards_titled(hazards_client, w["principal_a"], message["payload"]["title"])
    assert len(found) == 1 and found[0]["source"] == "bureau_inspection"
