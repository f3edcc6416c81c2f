"""Every write through the API appends to the tenant's hash chain, which the bureau verifies."""

from __future__ import annotations

import itertools
import uuid

from kit.audit import GENESIS, AuditEntry
from tests.audit.conftest import Chain, entries
from tests.schools.test_schools_api import new_school


async def test_a_schools_writes_form_a_chain_that_the_bureau_verifies(app_client, world, school_chain):
    bureau = world["bureau_x"]
    response = await app_client.post(
        f"/schools/{school_chain.school_id}/suspend", json={"reason": "整改期间停用"}, headers=bureau.headers
    )
    assert response.status_code == 200

    page = (
        await app_client.get(f"/audit/schools/{school_chain.school_id}/entries", headers=bureau.headers)
    ).json()
    assert page["total"] == 5
    newest = page["items"][0]
    assert newest["action"] == "school.update"
    assert newest["fields"] == ["status", "status_reason"]
    assert newest["actor_name"] == bureau.username and newest["roles"] == ["bureau"]
    assert newest["request_id"] == response.headers["x-request-id"]
    assert newest["object_type"] == "school" and newest["object_id"] == str(school_chain.school_id)
    assert [item["seq"] for item in page["items"]] == [5, 4, 3, 2, 1]
    assert page["items"][-1]["action"] == "school.create" and page["items"][-1]["prev_hash"] == GENESIS
    # Each link points at the one before it.
    for newer, older in itertools.pairwise(page["items"]):
        assert newer["prev_hash"] == older["hash"]

    verified = await app_client.get(
        f"/audit/schools/{school_chain.school_id}/verification", headers=bureau.headers
    )
    assert verified.status_code == 200
    assert verified.json() == {
        "ok": True,
        "county_id": str(world.county_x),
        "school_id": str(school_chain.school_id),
        "verified": 5,
        "head": {"seq": 5, "hash": newest["hash"]},
        "broken": None,
    }


async def test_the_digests_are_of_the_stored_row_and_follow_the_object(
    app_client, world, school_chain, migrator
):
    rows = await entries(migrator, school_chain)
    # An update's "before" is the state the previous entry left behind: nothing changed the row unseen.
    for previous, update in itertools.pairwise(rows):
        assert update["before_digest"] == previous["after_digest"]
    current = await migrator.fetchval(
        "SELECT encode(sha256(convert_to(to_jsonb(s)::text, 'UTF8')), 'hex') FROM schools.schools s WHERE id = $1",
        school_chain.school_id,
    )
    assert rows[-1]["after_digest"] == current
    # The digest is all that is kept of the data: the new name appears nowhere in the entry.
    assert "丙校" not in str(dict(rows[-1]))


async def test_onboarding_through_the_api_starts_the_new_schools_chain(app_client, world, migrator):
    created = await app_client.post("/schools", json=new_school(), headers=world["bureau_x"].headers)
    assert created.status_code == 201
    chain = Chain(world.county_x, uuid.UUID(created.json()["id"]))
    first = AuditEntry.from_row({k: v for k, v in dict((await entries(migrator, chain))[0]).items()})
    assert (first.seq, first.action, first.prev_hash) == (1, "school.create", GENESIS)
    assert first.before_digest is None and first.after_digest is not None
    assert first.request_id == created.headers["x-request-id"]
    assert first.computed_hash() == first.hash


async def test_a_rejected_write_leaves_no_entry(app_client, world, school_chain, migrator):
    before = len(await entries(migrator, school_chain))
    response = await app_client.patch(
        f"/schools/{school_chain.school_id}", json={"student_count": -1}, headers=world["bureau_x"].headers
    )
    assert response.status_code == 400
    conflict = await app_client.post(
        f"/schools/{school_chain.school_id}/reactivate",
        json={"reason": "已经在用"},
        headers=world["bureau_x"].headers,
    )
    assert conflict.status_code == 409
    assert len(await entries(migrator, school_chain)) == before


async def test_a_principal_reads_their_own_schools_entries_and_no_other(app_client, world):
    own = await app_client.get(
        f"/audit/schools/{world.school_a}/entries", headers=world["principal_a"].headers
    )
    assert own.status_code == 200
    other = await app_client.get(
        f"/audit/schools/{world.school_b}/entries", headers=world["principal_a"].headers
    )
    assert other.status_code == 404
    # Verification is the bureau's: school staff are refused.
    refused = await app_client.get(
        f"/audit/schools/{world.school_a}/verification", headers=world["principal_a"].headers
    )
    assert refused.status_code == 403


async def test_a_bureau_cannot_verify_or_read_a_school_of_another_county(app_client, world, school_chain):
    for path in ("verification", "entries"):
        response = await app_client.get(
            f"/audit/schools/{school_chain.school_id}/{path}", headers=world["bureau_y"].headers
        )
        assert response.status_code == 404, path


async def test_entries_can_be_filtered_to_one_object(app_client, world, school_chain):
    page = await app_client.get(
        f"/audit/schools/{school_chain.school_id}/entries",
        params={"object_type": "school", "object_id": str(school_chain.school_id), "limit": 2},
        headers=world["bureau_x"].headers,
    )
    body = page.json()
    assert body["total"] == 4 and [item["seq"] for item in body["items"]] == [4, 3]
    none = await app_client.get(
        f"/audit/schools/{school_chain.school_id}/entries",
        params={"object_type": "hazard"},
        headers=world["bureau_x"].headers,
    )
    assert none.json()["total"] == 0


async def test_county_level_work_is_chained_in_the_county_chain(app_client, world, stack):
    from tests.conftest import make_county

    county_id = await make_county(stack.settings, "audit")
    from tests.conftest import make_user

    bureau = await make_user(stack.settings, "bureau", county_id, None)
    page = (await app_client.get("/audit/county/entries", headers=bureau.headers)).json()
    assert [(e["seq"], e["action"], e["actor_name"]) for e in page["items"]] == [
        (1, "county.create", "operator")
    ]
    verified = (await app_client.get("/audit/county/verification", headers=bureau.headers)).json()
    assert verified["ok"] is True and verified["verified"] == 1
