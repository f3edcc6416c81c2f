"""Every user sees their own notifications and nobody else's, marks them read, and the database itself
enforces it."""

from __future__ import annotations

import uuid

import asyncpg
import pytest
from sqlalchemy import text

from kit.db import Database
from tenants import TenantContext
from tenants.roles import MIGRATOR, app_role
from tests.audit.conftest import Chain, entries
from tests.notifications.conftest import notify, user_id


def school_user(world, key: str) -> TenantContext:
    user = world[key]
    return TenantContext(
        user_id=user_id(user),
        username=user.username,
        roles=frozenset({user.role}),
        county_id=user.county_id,
        school_id=user.school_id,
    )


async def test_a_teacher_sees_their_notifications_and_another_user_of_the_school_sees_none(
    app_client, world, stack
):
    school_a = TenantContext.for_school(world.county_x, world.school_a, actor="actor:test")
    teacher = user_id(world["teacher_a"])
    first = await notify(stack.settings, school_a, teacher, title="隐患待整改 / Hazard to rectify")
    second = await notify(stack.settings, school_a, teacher, link="/hazards/1")

    mine = (await app_client.get("/notifications", headers=world["teacher_a"].headers)).json()
    ids = [item["id"] for item in mine["items"]]
    assert str(first) in ids and str(second) in ids
    assert mine["unread"] >= 2
    assert mine["items"][0]["id"] == str(second)  # newest first
    assert mine["items"][0]["link"] == "/hazards/1"

    for other in ("guard_a", "principal_a", "bureau_x", "principal_b"):
        theirs = (await app_client.get("/notifications", headers=world[other].headers)).json()
        assert str(first) not in [item["id"] for item in theirs["items"]], other


async def test_marking_somebody_elses_notification_read_answers_404_and_changes_nothing(
    app_client, world, stack
):
    school_a = TenantContext.for_school(world.county_x, world.school_a, actor="actor:test")
    notification = await notify(stack.settings, school_a, user_id(world["teacher_a"]))
    for other in ("guard_a", "principal_a", "bureau_x"):
        response = await app_client.post(f"/notifications/{notification}/read", headers=world[other].headers)
        assert response.status_code == 404, other
        assert response.json()["detail"] == "notification not found"
    unread = (
        await app_client.get(
            "/notifications", params={"unread_only": True}, headers=world["teacher_a"].headers
        )
    ).json()
    assert str(notification) in [item["id"] for item in unread["items"]]


async def test_marking_read_one_and_then_all(app_client, world, stack, migrator):
    school_a = TenantContext.for_school(world.county_x, world.school_a, actor="actor:test")
    guard = world["guard_a"]
    ids = [await notify(stack.settings, school_a, user_id(guard)) for _ in range(3)]
    before = (await app_client.get("/notifications", headers=guard.headers)).json()["unread"]
    chain = Chain(world.county_x, world.school_a)
    head = len(await entries(migrator, chain))

    read = await app_client.post(f"/notifications/{ids[0]}/read", headers=guard.headers)
    assert read.status_code == 200 and read.json()["read_at"] is not None
    again = await app_client.post(f"/notifications/{ids[0]}/read", headers=guard.headers)
    assert again.json()["read_at"] == read.json()["read_at"]  # idempotent
    assert (await app_client.get("/notifications", headers=guard.headers)).json()["unread"] == before - 1

    all_read = await app_client.post("/notifications/read-all", headers=guard.headers)
    assert all_read.status_code == 200 and all_read.json() == {"marked": before - 1}
    after = (await app_client.get("/notifications", headers=guard.headers)).json()
    assert after["unread"] == 0
    assert (
        await app_client.get("/notifications", params={"unread_only": True}, headers=guard.headers)
    ).json()["items"] == []

    # Both writes are in the school's audit chain, by the guard; the second read wrote nothing.
    added = await entries(migrator, chain, after_seq=head)
    mine = [e for e in added if e["actor_name"] == guard.username]
    assert [(e["action"], e["object_id"]) for e in mine] == [
        ("notification.read", str(ids[0])),
        ("notification.read_all", user_id(guard)),
    ]


async def test_a_bureau_notifies_a_principal_of_one_school(app_client, world, stack):
    bureau = TenantContext.for_county(world.county_x, actor="actor:test")
    notification = await notify(
        stack.settings, bureau, user_id(world["principal_a"]), school_id=world.school_a
    )
    seen = (await app_client.get("/notifications", headers=world["principal_a"].headers)).json()
    assert str(notification) in [item["id"] for item in seen["items"]]
    # The same principal id in another school's tenant could not be notified by that school.
    with pytest.raises(Exception, match="row-level security"):
        await notify(
            stack.settings,
            TenantContext.for_school(world.county_x, world.school_b),
            user_id(world["principal_a"]),
            school_id=world.school_a,
        )


async def test_postgres_shows_a_user_only_their_own_notifications_even_without_a_filter(world, stack):
    school_a = TenantContext.for_school(world.county_x, world.school_a, actor="actor:test")
    await notify(stack.settings, school_a, user_id(world["teacher_a"]))
    database = Database(stack.settings.sqlalchemy_url(app_role("schools"), "schools"), pool_size=1)
    try:
        async with database.transaction(school_user(world, "guard_a")) as session:
            recipients = list(
                (await session.execute(text("SELECT recipient_id FROM schools.notifications"))).scalars()
            )
            updated = await session.execute(text("UPDATE schools.notifications SET read_at = now()"))
        assert set(recipients) <= {user_id(world["guard_a"])}
        assert updated.rowcount == len(recipients)
        async with database.transaction(school_user(world, "teacher_a")) as session:
            unread = (
                await session.execute(
                    text("SELECT count(*) FROM schools.notifications WHERE read_at IS NULL")
                )
            ).scalar_one()
        assert unread >= 1  # the guard's blanket UPDATE did not reach the teacher's notification
    finally:
        await database.dispose()


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE schools.notifications SET title = 'changed'",
        "UPDATE schools.notifications SET recipient_id = 'someone-else'",
        "DELETE FROM schools.notifications",
    ],
)
async def test_the_app_role_cannot_change_what_a_notification_says_or_delete_it(stack, statement):
    conn = await asyncpg.connect(stack.settings.database_dsn(app_role("schools"), "schools"))
    try:
        with pytest.raises(asyncpg.InsufficientPrivilegeError, match="permission denied"):
            await conn.execute(statement)
    finally:
        await conn.close()


async def test_a_rolled_back_transaction_leaves_no_notification(stack, world):
    from kit.notifications import Notifications

    database = Database(stack.settings.sqlalchemy_url(app_role("schools"), "schools"), pool_size=1)
    written: list[uuid.UUID] = []

    async def notify_then_fail() -> None:
        async with database.transaction(TenantContext.for_school(world.county_x, world.school_a)) as session:
            written.append(
                await Notifications(session, "schools").notify(
                    user_id(world["teacher_a"]),
                    kind="test.notice",
                    title="t",
                    body="b",
                    email="x@test.example",
                )
            )
            raise RuntimeError("the write failed")

    try:
        with pytest.raises(RuntimeError, match="the write failed"):
            await notify_then_fail()
    finally:
        await database.dispose()
    conn = await asyncpg.connect(stack.settings.database_dsn(MIGRATOR, "migrator"))
    try:
        assert (
            await conn.fetchval("SELECT count(*) FROM schools.notifications WHERE id = $1", written[0]) == 0
        )
    finally:
        await conn.close()
