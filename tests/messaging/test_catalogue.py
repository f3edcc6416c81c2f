"""The event catalogue is the one place event types are declared: the outbox refuses anything else, every
consumer it lists has a handler, and docs/events.md is generated from it."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest
from sqlalchemy import text

from kit.events import CATALOGUE, SCHOOL_ONBOARDED, EventType, SchoolOnboarded, SchoolProvisioningRequested

REPO = Path(__file__).resolve().parents[2]


def test_docs_events_md_is_the_catalogue_as_generated():
    from kit.events import catalogue_markdown

    assert (REPO / "docs" / "events.md").read_text(encoding="utf-8") == catalogue_markdown(), (
        "regenerate it: python -m kit.events > docs/events.md"
    )


def test_every_consumer_the_catalogue_lists_has_its_handler_in_the_worker(broker):
    from kit.events import consumer_actor_name

    declared = set(broker.get_declared_actors())
    wanted = {consumer_actor_name(c, t): t for t in CATALOGUE.values() for c in t.consumers}
    assert sorted(set(wanted) - declared) == []
    assert all(broker.get_actor(name).queue_name == name.split(".on.")[0] for name in wanted)


def test_event_names_say_which_service_produced_what():
    with pytest.raises(ValueError, match="must be named"):
        EventType("schools.onboarded", SchoolOnboarded, producer="schools", consumers=(), summary="")
    with pytest.raises(ValueError, match="must be named"):
        EventType("hazards.school.onboarded", SchoolOnboarded, producer="schools", consumers=(), summary="")


def _payload(school_id: uuid.UUID) -> SchoolOnboarded:
    return SchoolOnboarded(school_id=school_id, code="c1", name="学校", kind="primary", boarding=False,
                           student_count=1)  # fmt: skip


async def test_the_outbox_refuses_an_event_the_catalogue_or_the_transactions_tenant_does_not_allow(
    stack, world
):
    from kit.db import Database
    from kit.outbox import Outbox, OutboxError
    from schools.outbox import outbox
    from tenants import TenantContext

    database = Database(stack.settings.sqlalchemy_url("safecampus_schools", "schools"), pool_size=1)
    bureau_x = TenantContext.for_county(world.county_x, roles=["bureau"])
    school_a = TenantContext.for_school(world.county_x, world.school_a)
    unlisted = EventType(
        "schools.school.renamed", SchoolOnboarded, producer="schools", consumers=(), summary=""
    )
    attempts = [
        # (context of the transaction, outbox, event type, payload, event's county, event's school, reason)
        (bureau_x, outbox, unlisted, _payload(world.school_a), world.county_x, world.school_a, "CATALOGUE"),
        (bureau_x, Outbox("hazards"), SCHOOL_ONBOARDED, _payload(world.school_a), world.county_x, world.school_a,
         "produced by schools"),
        (bureau_x, outbox, SCHOOL_ONBOARDED, SchoolProvisioningRequested(school_id=world.school_a, requested_by="x"),
         world.county_x, world.school_a, "carries SchoolOnboarded"),
        (bureau_x, outbox, SCHOOL_ONBOARDED, _payload(world.school_c), world.county_y, world.school_c, "tenant"),
        (school_a, outbox, SCHOOL_ONBOARDED, _payload(world.school_b), world.county_x, world.school_b, "tenant"),
        (school_a, outbox, SCHOOL_ONBOARDED, _payload(world.school_a), world.county_x, None, "tenant"),
        (None, outbox, SCHOOL_ONBOARDED, _payload(world.school_a), world.county_x, world.school_a, "tenant"),
    ]  # fmt: skip
    count = text("select count(*) from schools.outbox")
    try:
        async with database.transaction(None) as session:
            before = (await session.execute(count)).scalar_one()
        for tenant, box, kind, payload, county_id, school_id, reason in attempts:
            with pytest.raises(OutboxError, match=reason):
                async with database.transaction(tenant) as session:
                    await box.add(session, kind, payload, county_id=county_id, school_id=school_id)
        async with database.transaction(None) as session:
            assert (await session.execute(count)).scalar_one() == before
    finally:
        await database.dispose()
