"""Onboarding end to end: API → RabbitMQ → worker → account in the identity server → the principal logs in."""

from __future__ import annotations

import asyncio
import re
import secrets

from tests.conftest import user_token
from tests.schools.test_schools_api import new_school


async def _wait_for_provisioning(app_client, headers, school_id, *, timeout=30.0):
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        school = (await app_client.get(f"/schools/{school_id}", headers=headers)).json()
        if school["provisioning"]["status"] != "pending":
            return school
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"provisioning still pending: {school}")
        await asyncio.sleep(0.2)


async def test_an_onboarded_principal_receives_an_account_and_reads_their_school(
    app_client, world, worker, stack
):
    body = new_school()
    created = await app_client.post("/schools", json=body, headers=world["bureau_x"].headers)
    assert created.status_code == 201
    school_id = created.json()["id"]

    school = await _wait_for_provisioning(app_client, world["bureau_x"].headers, school_id)
    assert school["provisioning"] == {"status": "done", "error": "", "attempts": 1}

    mails = stack.mailbox.to(body["principal_email"])
    assert len(mails) == 1
    password = re.search(r"Initial password: (\S+)", mails[0].get_payload(decode=True).decode()).group(1)
    token = await user_token(stack.settings, body["principal_username"], password)
    own = await app_client.get("/school", headers={"Authorization": f"Bearer {token}"})
    assert own.status_code == 200
    assert own.json()["id"] == school_id
    other = await app_client.get(f"/schools/{world.school_a}", headers={"Authorization": f"Bearer {token}"})
    assert other.status_code == 404


async def test_a_provisioned_school_has_one_account_and_cannot_be_provisioned_again(
    app_client, world, worker, stack
):
    from kit.identity import admin_client

    body = new_school()
    created = (await app_client.post("/schools", json=body, headers=world["bureau_x"].headers)).json()
    school = await _wait_for_provisioning(app_client, world["bureau_x"].headers, created["id"])
    assert school["provisioning"]["status"] == "done"
    users = await admin_client(stack.settings).a_get_users(
        {"username": body["principal_username"], "exact": True}
    )
    assert len(users) == 1
    assert users[0]["attributes"]["school_id"] == [created["id"]]
    assert len(stack.mailbox.to(body["principal_email"])) == 1
    retry = await app_client.post(
        f"/schools/{created['id']}/provisioning/retry", headers=world["bureau_x"].headers
    )
    assert retry.status_code == 409


async def test_a_username_owned_by_another_school_fails_provisioning_with_a_reason(
    app_client, world, worker, stack
):
    from tests.conftest import make_user

    taken = f"taken-{secrets.token_hex(3)}"
    await make_user(stack.settings, "teacher", world.county_x, world.school_b, username=taken)
    created = await app_client.post(
        "/schools", json=new_school(principal_username=taken), headers=world["bureau_x"].headers
    )
    school = await _wait_for_provisioning(app_client, world["bureau_x"].headers, created.json()["id"])
    assert school["provisioning"]["status"] == "failed"
    assert "another account" in school["provisioning"]["error"]
    retry = await app_client.post(
        f"/schools/{school['id']}/provisioning/retry", headers=world["bureau_x"].headers
    )
    assert retry.status_code == 202
    assert retry.json()["provisioning"]["status"] == "pending"
