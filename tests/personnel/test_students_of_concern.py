"""Students of concern: the principal and the responsible teacher only, enforced by PostgreSQL; the bureau
counts; every read in the audit trail; reviews falling due remind the teacher."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from sqlalchemy import text

from tenants import TenantContext
from tests.personnel.conftest import new_staff_user


@pytest.fixture(scope="module")
async def carers(stack, world, personnel_world, personnel_db):
    """A second teacher of school A, who will be responsible for the records (teacher_a is not)."""
    user, staff_id = await new_staff_user(
        stack, personnel_db, "teacher", world.county_x, world.school_a, "孙老师"
    )
    return {"teacher": user, "staff_id": staff_id}


async def _record(client, principal, responsible_staff_id, **overrides):
    body = {
        "student_name": f"学生{uuid.uuid4().hex[:4]}",
        "class_name": "初二(3)班",
        "category": "psychological_problems",
        "responsible_staff_id": str(responsible_staff_id),
        "description": "情绪低落，近期成绩下滑",
        "care_plan": "每周谈心一次，联系家长",
        "review_interval_days": 14,
        **overrides,
    }
    response = await client.post("/students-of-concern", json=body, headers=principal.headers)
    assert response.status_code == 201, response.text
    return response.json()


async def _audit_reads(personnel_db, county_id, school_id, record_id) -> int:
    tenant = TenantContext.for_county(county_id, roles=["bureau"])
    async with personnel_db.transaction(tenant) as session:
        return int(
            (
                await session.execute(
                    text(
                        "select count(*) from personnel.audit_log where school_id = :school and object_id = :id"
                        " and action = 'student_of_concern.read_sensitive'"
                    ),
                    {"school": school_id, "id": str(record_id)},
                )
            ).scalar_one()
        )


async def test_a_teacher_not_responsible_for_a_student_of_concern_gets_404(personnel_client, world, carers):
    record = await _record(personnel_client, world["principal_a"], carers["staff_id"])
    stranger = world["teacher_a"]
    for method, path, body in [
        ("GET", f"/students-of-concern/{record['id']}", None),
        ("GET", f"/students-of-concern/{record['id']}/reviews", None),
        ("PATCH", f"/students-of-concern/{record['id']}", {"care_plan": "改写"}),
        ("POST", f"/students-of-concern/{record['id']}/reviews", {"notes": "偷看"}),
    ]:
        response = await personnel_client.request(method, path, json=body, headers=stranger.headers)
        assert response.status_code == 404, (method, path, response.text)
    listed = await personnel_client.get("/students-of-concern", headers=stranger.headers)
    assert record["id"] not in {r["id"] for r in listed.json()}
    # ...while the responsible teacher and the principal see it.
    mine = await personnel_client.get(
        f"/students-of-concern/{record['id']}", headers=carers["teacher"].headers
    )
    assert mine.status_code == 200 and mine.json()["student_name"] == record["student_name"]
    theirs = await personnel_client.get(
        f"/students-of-concern/{record['id']}", headers=world["principal_a"].headers
    )
    assert theirs.status_code == 200


async def test_postgres_itself_hides_the_record_from_other_teachers_and_the_bureau(
    personnel_db, world, carers, personnel_client
):
    record = await _record(personnel_client, world["principal_a"], carers["staff_id"])
    query = text("select count(*) from personnel.students_of_concern where id = :id")

    async def visible(tenant):
        async with personnel_db.transaction(tenant) as session:
            return int((await session.execute(query, {"id": record["id"]})).scalar_one())

    def school_user(role: str) -> TenantContext:
        return TenantContext(
            user_id="someone-else",
            username="someone-else",
            roles=frozenset({role}),
            county_id=world.county_x,
            school_id=world.school_a,
        )

    assert await visible(school_user("teacher")) == 0
    assert await visible(TenantContext.for_county(world.county_x, roles=["bureau"])) == 0
    assert await visible(TenantContext.for_school(world.county_x, world.school_a)) == 0  # background work
    assert await visible(school_user("principal")) == 1


async def test_the_bureau_gets_counts_per_category_and_nothing_else(personnel_client, world, carers):
    before = await personnel_client.get("/students-of-concern/counts", headers=world["bureau_x"].headers)
    assert before.status_code == 200
    record = await _record(
        personnel_client, world["principal_a"], carers["staff_id"], category="restlessness"
    )
    after = await personnel_client.get("/students-of-concern/counts", headers=world["bureau_x"].headers)

    def restless(body):
        school = next((s for s in body if s["school_id"] == str(world.school_a)), None)
        if school is None:
            return 0
        return next(c["active"] for c in school["categories"] if c["category"] == "restlessness")

    assert restless(after.json()) == restless(before.json()) + 1
    assert record["student_name"] not in after.text and "care_plan" not in after.text
    for path in ("/students-of-concern", f"/students-of-concern/{record['id']}"):
        response = await personnel_client.get(path, headers=world["bureau_x"].headers)
        assert response.status_code == 403
    # another county's bureau does not even see the counts
    other = await personnel_client.get("/students-of-concern/counts", headers=world["bureau_y"].headers)
    assert str(world.school_a) not in other.text


async def test_every_read_leaves_an_audit_entry(personnel_client, personnel_db, world, carers):
    record = await _record(personnel_client, world["principal_a"], carers["staff_id"])
    assert await _audit_reads(personnel_db, world.county_x, world.school_a, record["id"]) == 0
    await personnel_client.get(f"/students-of-concern/{record['id']}", headers=carers["teacher"].headers)
    await personnel_client.get("/students-of-concern", headers=world["principal_a"].headers)
    await personnel_client.get(
        f"/students-of-concern/{record['id']}/reviews", headers=world["principal_a"].headers
    )
    assert await _audit_reads(personnel_db, world.county_x, world.school_a, record["id"]) == 3
    # a refused read leaves nothing to audit, and the chain still verifies
    await personnel_client.get(f"/students-of-concern/{record['id']}", headers=world["teacher_a"].headers)
    assert await _audit_reads(personnel_db, world.county_x, world.school_a, record["id"]) == 3
    # the bureau verifies the chain, and sees who read the record (never what it says)
    bureau = world["bureau_x"].headers
    verification = await personnel_client.get(f"/audit/schools/{world.school_a}/verification", headers=bureau)
    assert verification.json()["ok"] is True, verification.text
    entries = await personnel_client.get(
        f"/audit/schools/{world.school_a}/entries",
        params={"object_type": "student_of_concern", "object_id": record["id"]},
        headers=bureau,
    )
    actions = [e["action"] for e in entries.json()["items"]]
    assert actions.count("student_of_concern.read_sensitive") == 2 and "student_of_concern.create" in actions
    assert record["student_name"] not in entries.text
    assert (
        await personnel_client.get(f"/audit/schools/{world.school_c}/verification", headers=bureau)
    ).status_code == 404


async def test_the_responsible_teacher_changes_the_care_plan_only(personnel_client, world, carers):
    record = await _record(personnel_client, world["principal_a"], carers["staff_id"])
    path = f"/students-of-concern/{record['id']}"
    teacher = carers["teacher"].headers
    assert (await personnel_client.patch(path, json={"care_plan": "每天观察"}, headers=teacher)).json()[
        "care_plan"
    ] == "每天观察"
    assert (
        await personnel_client.patch(path, json={"category": "other"}, headers=teacher)
    ).status_code == 403
    review = await personnel_client.post(f"{path}/reviews", json={"notes": "情况好转"}, headers=teacher)
    assert review.status_code == 201
    assert (
        review.json()["next_review_on"]
        == (dt.date.fromisoformat(review.json()["reviewed_on"]) + dt.timedelta(days=14)).isoformat()
    )
    # reassigned to teacher_a, the record leaves the first teacher's sight
    moved = await personnel_client.patch(
        path,
        json={"responsible_staff_id": str(await _staff_id(personnel_client, world, "teacher_a"))},
        headers=world["principal_a"].headers,
    )
    assert moved.status_code == 200
    assert (await personnel_client.get(path, headers=teacher)).status_code == 404
    assert (await personnel_client.get(path, headers=world["teacher_a"].headers)).status_code == 200


async def _staff_id(client, world, key):
    return (await client.get("/staff/me", headers=world[key].headers)).json()["id"]


async def test_a_review_falling_due_reminds_the_teacher_once(
    personnel_client, personnel_db, world, carers, clock
):
    from personnel.domain.students_of_concern.service import ConcernService

    record = await _record(
        personnel_client,
        world["principal_a"],
        carers["staff_id"],
        next_review_on=(dt.date.today() + dt.timedelta(days=1)).isoformat(),
    )
    job = TenantContext.for_school(world.county_x, world.school_a, actor="test:reminders")
    now = dt.datetime.now(dt.UTC)
    async with personnel_db.transaction(job) as session:
        first = await ConcernService(session, job).remind_due_reviews(now)
    async with personnel_db.transaction(job) as session:
        second = await ConcernService(session, job).remind_due_reviews(now)
    assert first >= 1 and second == 0
    inbox = await personnel_client.get("/notifications", headers=carers["teacher"].headers)
    reminders = [n for n in inbox.json()["items"] if n["link"] == f"/students-of-concern/{record['id']}"]
    assert len(reminders) == 1
    assert record["student_name"] not in reminders[0]["body"]
    # the background job saw due dates without ever reading a record
    async with personnel_db.transaction(job) as session:
        assert (
            await session.execute(text("select count(*) from personnel.students_of_concern"))
        ).scalar_one() == 0
