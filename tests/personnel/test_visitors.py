"""The gate: visitors registered, verified with the host, let in and out, or refused; outside vehicles
refused unless authorised; ID numbers encrypted at rest, shown masked, purged after the retention period."""

from __future__ import annotations

import asyncio
import datetime as dt
import random
import uuid

import asyncpg
import pytest
from cryptography.exceptions import InvalidTag
from sqlalchemy import text

from tenants import TenantContext
from tenants.roles import MIGRATOR, app_role

_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)


def resident_id() -> str:
    """A fresh, valid 18-character resident ID number (random region, birth date and sequence)."""
    body = f"{random.randint(110000, 659999)}19{random.randint(60, 99)}{random.randint(1, 12):02d}{random.randint(1, 28):02d}{random.randint(0, 999):03d}"
    return body + "10X98765432"[sum(int(c) * w for c, w in zip(body, _WEIGHTS, strict=True)) % 11]


def visitor(**overrides):
    return {
        "visitor_name": f"访客{uuid.uuid4().hex[:4]}",
        "id_type": "resident_id",
        "id_number": resident_id(),
        "phone": "13800138000",
        "purpose": "送教材",
        "host_name": "教务处 王老师",
        **overrides,
    }


async def test_a_guard_registers_verifies_admits_and_sees_out_a_visitor(
    personnel_client, world, personnel_world
):
    guard = world["guard_a"].headers
    body = visitor(host_staff_id=str(personnel_world.staff["teacher_a"]))
    registered = await personnel_client.post("/visits", json=body, headers=guard)
    assert registered.status_code == 201, registered.text
    visit = registered.json()
    host = (await personnel_client.get(f"/staff/{personnel_world.staff['teacher_a']}", headers=guard)).json()
    assert visit["status"] == "registered" and visit["host_name"] == host["name"]
    assert (await personnel_client.post(f"/visits/{visit['id']}/entry", headers=guard)).status_code == 409
    # the host confirms on their phone
    waiting = await personnel_client.get("/visits/awaiting-me", headers=world["teacher_a"].headers)
    assert visit["id"] in {v["id"] for v in waiting.json()}
    verified = await personnel_client.post(
        f"/visits/{visit['id']}/verify", json={}, headers=world["teacher_a"].headers
    )
    assert verified.json()["status"] == "verified" and verified.json()["verification_method"] == "host_in_app"
    entered = await personnel_client.post(f"/visits/{visit['id']}/entry", headers=guard)
    assert entered.json()["status"] == "inside" and entered.json()["entered_at"]
    left = await personnel_client.post(f"/visits/{visit['id']}/exit", headers=guard)
    assert left.json()["status"] == "left" and left.json()["left_at"]
    assert (await personnel_client.post(f"/visits/{visit['id']}/exit", headers=guard)).status_code == 409


async def test_a_teacher_who_is_not_the_host_cannot_touch_the_visit(personnel_client, world):
    visit = (await personnel_client.post("/visits", json=visitor(), headers=world["guard_a"].headers)).json()
    response = await personnel_client.post(
        f"/visits/{visit['id']}/verify", json={}, headers=world["teacher_a"].headers
    )
    assert response.status_code == 404


async def test_a_refused_visitor_is_recorded_with_the_reason(personnel_client, world):
    guard = world["guard_a"].headers
    visit = (await personnel_client.post("/visits", json=visitor(), headers=guard)).json()
    refused = await personnel_client.post(
        f"/visits/{visit['id']}/refuse", json={"reason": "被访人不认识此人"}, headers=guard
    )
    assert refused.json()["status"] == "refused" and refused.json()["refusal_reason"] == "被访人不认识此人"
    assert (await personnel_client.post(f"/visits/{visit['id']}/entry", headers=guard)).status_code == 409
    listed = await personnel_client.get("/visits", params={"status": "refused"}, headers=guard)
    assert visit["id"] in {v["id"] for v in listed.json()["items"]}


async def test_an_outside_vehicle_is_refused_unless_the_principal_authorised_it(personnel_client, world):
    guard = world["guard_a"].headers
    plate = f"吉A·{random.randint(10000, 99999)}"
    outsider = (await personnel_client.post("/visits", json=visitor(plate=plate), headers=guard)).json()
    assert outsider["vehicle_status"] == "refused" and "authorisation" in outsider["vehicle_reason"]
    today = dt.date.today()
    authorised = await personnel_client.post(
        "/vehicle-authorisations",
        json={
            "plate": plate.lower(),
            "holder": "食堂供货商",
            "reason": "每日送菜",
            "valid_from": (today - dt.timedelta(days=1)).isoformat(),
            "valid_until": (today + dt.timedelta(days=30)).isoformat(),
        },
        headers=world["principal_a"].headers,
    )
    assert authorised.status_code == 201, authorised.text
    check = await personnel_client.get(
        "/vehicle-authorisations/check", params={"plate": plate.replace("·", " ")}, headers=guard
    )
    assert check.json()["authorised"] is True
    supplier = (await personnel_client.post("/visits", json=visitor(plate=plate), headers=guard)).json()
    assert supplier["vehicle_status"] == "authorised"
    revoked = await personnel_client.post(
        f"/vehicle-authorisations/{authorised.json()['id']}/revoke", headers=world["principal_a"].headers
    )
    assert revoked.json()["revoked"] is True
    again = (await personnel_client.post("/visits", json=visitor(plate=plate), headers=guard)).json()
    assert again["vehicle_status"] == "refused"


async def test_search_by_name_or_plate_stays_within_the_school(personnel_client, world):
    name = f"查找{uuid.uuid4().hex[:6]}"
    plate = f"吉B{random.randint(10000, 99999)}"
    await personnel_client.post(
        "/visits", json=visitor(visitor_name=name, plate=plate), headers=world["guard_a"].headers
    )
    by_name = await personnel_client.get("/visits", params={"q": name[:4]}, headers=world["guard_a"].headers)
    assert [v["visitor_name"] for v in by_name.json()["items"]] == [name]
    by_plate = await personnel_client.get(
        "/visits", params={"plate": plate}, headers=world["principal_a"].headers
    )
    assert by_plate.json()["total"] == 1
    for other in ("principal_b", "principal_c"):
        response = await personnel_client.get("/visits", params={"q": name}, headers=world[other].headers)
        assert response.status_code == 200 and response.json()["total"] == 0


async def test_a_bad_resident_id_is_refused_and_nothing_is_written(personnel_client, world):
    number = resident_id()
    wrong = number[:-1] + ("0" if number[-1] != "0" else "1")
    name = f"错号{uuid.uuid4().hex[:4]}"
    response = await personnel_client.post(
        "/visits", json=visitor(id_number=wrong, visitor_name=name), headers=world["guard_a"].headers
    )
    assert response.status_code == 422
    assert response.headers["content-type"].startswith("application/problem+json")
    assert (
        await personnel_client.get("/visits", params={"q": name}, headers=world["guard_a"].headers)
    ).json()["total"] == 0


async def test_id_numbers_are_never_returned_unmasked(personnel_client, world):
    guard = world["guard_a"].headers
    number = resident_id()
    visit = await personnel_client.post("/visits", json=visitor(id_number=number), headers=guard)
    assert visit.json()["id_number_masked"] == number[:3] + "*" * 11 + number[-4:]
    visit_id = visit.json()["id"]
    answers = [
        visit,
        await personnel_client.get(f"/visits/{visit_id}", headers=guard),
        await personnel_client.get("/visits", headers=guard),
        await personnel_client.post(
            f"/visits/{visit_id}/verify", json={"method": "phone_call"}, headers=guard
        ),
        await personnel_client.post("/visits/search-id", json={"id_number": number}, headers=guard),
    ]
    for answer in answers:
        assert answer.status_code in (200, 201)
        assert number not in answer.text and number[:-4] not in answer.text
    # the exact search finds the visit by its keyed digest
    assert [v["id"] for v in answers[-1].json()] == [visit_id]


async def _raw_identity(dsn: str, visit_id: str, setup: list[str]) -> asyncpg.Record:
    conn = await asyncpg.connect(dsn)
    try:
        async with conn.transaction():
            for statement in setup:
                await conn.execute(statement)
            return await conn.fetchrow(
                "select id_number_cipher, id_number_digest, id_number_masked, county_id, school_id from personnel.visits where id = $1",
                uuid.UUID(visit_id),
            )
    finally:
        await conn.close()


async def test_the_database_holds_id_numbers_only_encrypted(personnel_client, world, stack):
    from personnel.domain.visitors.id_numbers import IdNumberVault, default_vault

    number = resident_id()
    visit_id = (
        await personnel_client.post(
            "/visits", json=visitor(id_number=number), headers=world["guard_a"].headers
        )
    ).json()["id"]
    tenant = [
        f"select set_config('app.county_id', '{world.county_x}', true)",
        f"select set_config('app.school_id', '{world.school_a}', true)",
        "select set_config('app.scope', 'school', true)",
    ]
    as_app = await _raw_identity(
        stack.settings.database_dsn(app_role("personnel"), "personnel"), visit_id, tenant
    )
    as_migrator = await _raw_identity(stack.settings.database_dsn(MIGRATOR, "migrator"), visit_id, [])
    for row in (as_app, as_migrator):
        cipher, digest = bytes(row["id_number_cipher"]), bytes(row["id_number_digest"])
        for needle in (number, number[:-4], number[-8:]):
            assert needle.encode() not in cipher and needle.encode() not in digest
            assert needle.encode().hex() not in cipher.hex()
        assert number not in row["id_number_masked"]
        # without the key there is nothing to read: another key fails the authentication tag
        with pytest.raises(InvalidTag):
            IdNumberVault("another-key-" + "x" * 32).decrypt(
                cipher, school_id=row["school_id"], visit_id=uuid.UUID(visit_id)
            )
        assert IdNumberVault("another-key-" + "x" * 32).digest(number, school_id=row["school_id"]) != digest
    # ...with it, the number is there (the column is the encryption, not noise); bound to its visit
    vault = default_vault()
    assert (
        vault.decrypt(
            bytes(as_app["id_number_cipher"]), school_id=world.school_a, visit_id=uuid.UUID(visit_id)
        )
        == number
    )
    with pytest.raises(InvalidTag):
        vault.decrypt(bytes(as_app["id_number_cipher"]), school_id=world.school_a, visit_id=uuid.uuid4())


async def test_the_retention_purge_removes_id_numbers_of_old_visits(
    personnel_client, personnel_db, world, clock, worker
):
    from personnel.domain.visitors.jobs import purge_identity

    guard = world["guard_a"].headers
    standard = await personnel_client.put(
        "/standard",
        json={
            "students_per_guard": 500,
            "min_guards_per_school": 1,
            "min_guards_per_gate": 1,
            "night_guards_boarding": 2,
            "visitor_id_retention_days": 30,
        },
        headers=world["bureau_x"].headers,
    )
    assert standard.status_code == 200, standard.text
    old_number, new_number = resident_id(), resident_id()
    clock.fixed = dt.datetime.now(dt.UTC) - dt.timedelta(days=31)
    old = (await personnel_client.post("/visits", json=visitor(id_number=old_number), headers=guard)).json()
    clock.fixed = dt.datetime.now(dt.UTC) - dt.timedelta(days=29)
    recent = (
        await personnel_client.post("/visits", json=visitor(id_number=new_number), headers=guard)
    ).json()
    clock.fixed = None

    # what the scheduler's dispatcher sends for this school, run by a real worker
    await asyncio.to_thread(
        purge_identity.send_with_options,
        args=(str(world.county_x), str(world.school_a)),
        kwargs={"period": "test"},
    )
    deadline = asyncio.get_running_loop().time() + 20
    while not (purged := (await personnel_client.get(f"/visits/{old['id']}", headers=guard)).json())[
        "id_purged"
    ]:
        assert asyncio.get_running_loop().time() < deadline, "the purge job did not run"
        await asyncio.sleep(0.2)
    assert purged["id_purged"] is True and purged["id_number_masked"] == "" and purged["phone"] == ""
    assert purged["visitor_name"] == old["visitor_name"]  # the visit itself stays on record
    assert (
        await personnel_client.post("/visits/search-id", json={"id_number": old_number}, headers=guard)
    ).json() == []
    kept = (await personnel_client.get(f"/visits/{recent['id']}", headers=guard)).json()
    assert kept["id_purged"] is False and kept["id_number_masked"]
    tenant = TenantContext.for_school(world.county_x, world.school_a)
    async with personnel_db.transaction(tenant) as session:
        row = (
            await session.execute(
                text("select id_number_cipher, id_number_digest from personnel.visits where id = :id"),
                {"id": old["id"]},
            )
        ).one()
    assert row.id_number_cipher is None and row.id_number_digest is None
    # the standard goes back to the defaults' retention for the other tests
    await personnel_client.put(
        "/standard",
        json={
            "students_per_guard": 500,
            "min_guards_per_school": 1,
            "min_guards_per_gate": 1,
            "night_guards_boarding": 2,
            "visitor_id_retention_days": 180,
        },
        headers=world["bureau_x"].headers,
    )
