"""Events from the outbox to their consumers: nothing acknowledged is lost, and nothing takes effect twice.

School onboarding is the case under test: the school and its ``schools.school.onboarded`` event commit
together, and provisioning the principal's account consumes the event. The API and the worker run as real
processes on a RabbitMQ node of the test's own, which the first test stops and starts again.
"""

from __future__ import annotations

import asyncio
import dataclasses
import secrets
import uuid

import httpx
import pytest

from kit.events import SCHOOL_ONBOARDED, SCHOOL_PROVISIONING_REQUESTED, consumer_actor_name
from tests.conftest import make_user, user_token
from tests.messaging.conftest import eventually, onboard
from tests.schools.test_schools_api import new_school

ONBOARDED_CONSUMER = consumer_actor_name("schools", SCHOOL_ONBOARDED)


async def _accounts(stack, username: str) -> list[dict]:
    from kit.identity import admin_client

    return await admin_client(stack.settings).a_get_users({"username": username, "exact": True})


def _logged(process, event: str, *, times: int = 1, **fields):
    """A check for :func:`eventually`: ``process`` has logged ``event`` with ``fields`` at least ``times`` times."""

    async def check() -> bool:
        return len(process.records(event, **fields)) >= times

    return check


async def test_an_onboarding_acknowledged_while_rabbitmq_is_down_provisions_the_principal_once_it_is_back(
    stack, world, services, rabbit, rabbit_broker, schools_database
):
    from kit.scheduler import REGISTRY, Scheduler, every

    token = await user_token(stack.settings, world["bureau_x"].username)
    body = new_school()
    # The sweep as the scheduler runs it, every second instead of every minute.
    sweep = dataclasses.replace(REGISTRY["schools.outbox.sweep"], schedule=every(seconds=1))
    scheduler = Scheduler([sweep], broker=rabbit_broker)
    rabbit.stop()
    try:
        async with httpx.AsyncClient(base_url=services.api_url, timeout=30) as api:
            created = await api.post("/schools", json=body, headers={"Authorization": f"Bearer {token}"})
        assert created.status_code == 201, created.text
        school = created.json()
        school_id = uuid.UUID(school["id"])
        assert school["provisioning"]["status"] == "pending"
        (event,) = await schools_database.events_of(school_id)
        assert event["type"] == "schools.school.onboarded"
        assert event["published_at"] is None
        assert event["payload"]["code"] == body["code"]
        # The nudge after the commit met no broker.
        await asyncio.to_thread(services.api.wait_for_output, "outbox_nudge_failed")
        # While the broker is down the sweep enqueues nothing and gives nothing up.
        assert await scheduler.tick() == []
        (event,) = await schools_database.events_of(school_id)
        assert event["published_at"] is None
    finally:
        rabbit.start()
    try:

        async def provisioned() -> bool:
            await scheduler.tick()
            row = await schools_database.school(world.county_x, school_id)
            return row["provisioning_status"] == "done"

        await eventually(provisioned, "the principal to be provisioned after RabbitMQ returned", timeout=60)
    finally:
        await scheduler.close()

    row = await schools_database.school(world.county_x, school_id)
    assert row["provisioning_attempts"] == 1
    (event,) = await schools_database.events_of(school_id)
    assert event["published_at"] is not None
    assert await schools_database.deliveries(ONBOARDED_CONSUMER, event["id"]) == 1
    assert len(await _accounts(stack, body["principal_username"])) == 1
    assert len(stack.mailbox.to(body["principal_email"])) == 1


async def test_a_relay_that_dies_between_publishing_and_marking_sent_causes_no_second_account_or_email(
    stack, world, services, rabbit, rabbit_broker, schools_database, no_nudges, monkeypatch
):
    from kit.outbox import Outbox
    from schools.outbox import outbox

    school = await onboard(stack.settings, world.county_x)
    (event,) = await schools_database.events_of(school.school_id)

    async def die(self, session, event_ids):
        raise RuntimeError("the relay died after publishing")

    with monkeypatch.context() as patch:
        patch.setattr(Outbox, "mark_published", die)
        with pytest.raises(RuntimeError, match="died after publishing"):
            await outbox.relay(broker=rabbit_broker)
    (event,) = await schools_database.events_of(school.school_id)
    assert event["published_at"] is None  # the crash lost the mark, not the publish

    async def provisioned() -> bool:
        row = await schools_database.school(school.county_id, school.school_id)
        return row["provisioning_status"] == "done"

    await eventually(provisioned, "the first publish to provision the principal")
    await outbox.relay(broker=rabbit_broker)  # the next run publishes the event again
    (event,) = await schools_database.events_of(school.school_id)
    assert event["published_at"] is not None
    await eventually(
        _logged(services.worker, "event_already_handled", event_id=str(event["id"])),
        "the second delivery to be recognised",
    )

    row = await schools_database.school(school.county_id, school.school_id)
    assert row["provisioning_attempts"] == 1
    assert await schools_database.deliveries(ONBOARDED_CONSUMER, event["id"]) == 1
    assert len(await _accounts(stack, school.username)) == 1
    assert len(stack.mailbox.to(school.email)) == 1


async def test_a_consumer_that_receives_the_same_event_twice_changes_nothing_the_second_time(
    stack, world, services, rabbit, rabbit_broker, schools_database, no_nudges
):
    import dramatiq

    from kit.events import envelope
    from schools.outbox import outbox

    # A username that belongs to another school's teacher: the first delivery fails provisioning for good,
    # so a second delivery that got past the inbox would count a second attempt.
    taken = f"taken-{secrets.token_hex(3)}"
    await make_user(stack.settings, "teacher", world.county_x, world.school_b, username=taken)
    school = await onboard(stack.settings, world.county_x, principal_username=taken)
    (event,) = await schools_database.events_of(school.school_id)
    message = dramatiq.Message(
        queue_name="schools",
        actor_name=ONBOARDED_CONSUMER,
        args=(),
        kwargs=envelope(
            event["id"],
            event["type"],
            event["tenant_county_id"],
            event["tenant_school_id"],
            event["created_at"],
            event["payload"],
        ),
        options={},
    )
    rabbit_broker.enqueue(message)
    rabbit_broker.enqueue(message)
    skipped = _logged(services.worker, "event_already_handled", event_id=str(event["id"]))
    await eventually(skipped, "one of the two deliveries to be recognised as a repeat")

    first = await schools_database.school(school.county_id, school.school_id)
    assert first["provisioning_status"] == "failed"
    assert "another account" in first["provisioning_error"]
    assert first["provisioning_attempts"] == 1
    assert await schools_database.deliveries(ONBOARDED_CONSUMER, event["id"]) == 1

    # The relay publishes the same event a third time; it still changes nothing.
    await outbox.relay(broker=rabbit_broker)
    skipped_again = _logged(services.worker, "event_already_handled", event_id=str(event["id"]), times=2)
    await eventually(skipped_again, "the third delivery to be recognised as a repeat")
    again = await schools_database.school(school.county_id, school.school_id)
    assert again["provisioning_attempts"] == 1
    assert again["updated_at"] == first["updated_at"]
    assert stack.mailbox.to(school.email) == []


async def test_a_new_request_for_a_provisioned_school_sends_no_second_password(
    stack, world, services, rabbit, rabbit_broker, schools_database, no_nudges
):
    """A different event (not a redelivery) passes the inbox; provisioning itself sees the school is done."""
    from kit.db import Database
    from kit.events import SchoolProvisioningRequested
    from schools.outbox import outbox
    from tenants import TenantContext

    school = await onboard(stack.settings, world.county_x)
    await outbox.relay(broker=rabbit_broker)

    async def provisioned() -> bool:
        row = await schools_database.school(school.county_id, school.school_id)
        return row["provisioning_status"] == "done"

    await eventually(provisioned, "the principal to be provisioned")

    database = Database(stack.settings.sqlalchemy_url("safecampus_schools", "schools"), pool_size=1)
    tenant = TenantContext.for_county(school.county_id, actor="test", roles=["bureau"])
    try:
        async with database.transaction(tenant) as session:
            request_id = await outbox.add(
                session,
                SCHOOL_PROVISIONING_REQUESTED,
                SchoolProvisioningRequested(school_id=school.school_id, requested_by="test"),
                county_id=school.county_id,
                school_id=school.school_id,
            )
    finally:
        await database.dispose()
    await outbox.relay(broker=rabbit_broker)

    consumer = consumer_actor_name("schools", SCHOOL_PROVISIONING_REQUESTED)

    async def handled() -> bool:
        return await schools_database.deliveries(consumer, request_id) == 1

    await eventually(handled, "the request to be handled")
    row = await schools_database.school(school.county_id, school.school_id)
    assert row["provisioning_status"] == "done"
    assert row["provisioning_attempts"] == 1
    assert len(stack.mailbox.to(school.email)) == 1


async def test_the_redrive_provisions_a_school_whose_event_was_lost_and_leaves_a_recent_one_alone(
    stack, world, services, rabbit, rabbit_broker, schools_database, no_nudges
):
    import schools.domain.schools.jobs  # noqa: F401  (declares the re-drive)
    from kit.scheduler import REGISTRY
    from tenants import TenantContext

    lost = await onboard(stack.settings, world.county_x)
    recent = await onboard(stack.settings, world.county_x)
    # Both events were published and lost (a dead-letter queue, say): the relay will not send them again.
    await schools_database.scalar(
        "UPDATE schools.outbox SET published_at = now() WHERE tenant_school_id IN (:a, :b) RETURNING 1",
        a=lost.school_id,
        b=recent.school_id,
    )
    # Only the first has been waiting longer than the re-drive's grace period.
    await schools_database.scalar(
        "UPDATE schools.schools SET updated_at = now() - interval '10 minutes' WHERE id = :id RETURNING 1",
        TenantContext.for_county(lost.county_id),
        id=lost.school_id,
    )
    period = f"test-{secrets.token_hex(3)}"
    rabbit_broker.enqueue(REGISTRY["schools.provisioning.redrive"].message(period))
    fanned_out = _logged(
        services.worker, "periodic_fanned_out", job="schools.provisioning.redrive", period=period
    )
    await eventually(fanned_out, "the re-drive to list the schools due")

    async def provisioned() -> bool:
        row = await schools_database.school(lost.county_id, lost.school_id)
        return row["provisioning_status"] == "done"

    await eventually(provisioned, "the re-drive to provision the school whose event was lost")
    done = await schools_database.school(lost.county_id, lost.school_id)
    assert (done["provisioning_status"], done["provisioning_attempts"]) == ("done", 1)
    assert len(stack.mailbox.to(lost.email)) == 1
    waiting = await schools_database.school(recent.county_id, recent.school_id)
    assert (waiting["provisioning_status"], waiting["provisioning_attempts"]) == ("pending", 0)
