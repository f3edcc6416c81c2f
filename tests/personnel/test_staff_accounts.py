"""Staff and accounts end to end: the principal invites → the event → the worker creates the account and
e-mails the password → the teacher logs in; deactivation disables the account."""

from __future__ import annotations

import asyncio
import re
import secrets

import pytest
from keycloak.exceptions import KeycloakPostError
from sqlalchemy import text

from tenants import TenantContext
from tests.conftest import user_token


async def _settled(client, path, headers, *, timeout=30.0):
    """Poll a staff entry until its account is no longer pending (the job ran)."""
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        staff = (await client.get(path, headers=headers)).json()
        if staff["account"]["status"] != "pending" and staff["account"]["attempts"] > 0:
            return staff
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"the account job did not run: {staff}")
        await asyncio.sleep(0.2)


def _password(stack, email):
    mails = stack.mailbox.to(email)
    assert len(mails) == 1, [m["Subject"] for m in mails]
    return re.search(r"Initial password: (\S+)", mails[0].get_payload(decode=True).decode()).group(1)


async def test_an_invited_teacher_gets_an_account_logs_in_and_is_locked_out_once_deactivated(
    personnel_client, world, personnel_world, stack, worker
):
    principal = world["principal_a"].headers
    username = f"t-{secrets.token_hex(4)}"
    email = f"{username}@test.example"
    invited = await personnel_client.post(
        "/staff",
        json={
            "name": "周老师",
            "email": email,
            "username": username,
            "role": "teacher",
            "phone": "13912345678",
            "positions": ["class_leader", "dormitory_supervisor"],
        },
        headers=principal,
    )
    assert invited.status_code == 201, invited.text
    assert invited.json()["account"]["status"] == "pending"
    path = f"/staff/{invited.json()['id']}"

    staff = await _settled(personnel_client, path, principal)
    assert staff["account"] == {"status": "ready", "error": "", "attempts": 1}
    token = await user_token(stack.settings, username, _password(stack, email))
    me = await personnel_client.get("/staff/me", headers={"Authorization": f"Bearer {token}"})
    assert me.status_code == 200
    assert me.json()["id"] == staff["id"] and me.json()["positions"] == [
        "class_leader",
        "dormitory_supervisor",
    ]

    deactivated = await personnel_client.post(
        f"{path}/deactivate", json={"reason": "调离本校"}, headers=principal
    )
    assert deactivated.json()["status"] == "deactivated"
    deadline = asyncio.get_running_loop().time() + 30
    while (await personnel_client.get(path, headers=principal)).json()["account"]["status"] != "disabled":
        assert asyncio.get_running_loop().time() < deadline, "the account was not disabled"
        await asyncio.sleep(0.2)
    # the right password no longer opens it (Keycloak: 400 invalid_grant, "Account disabled")
    with pytest.raises(KeycloakPostError, match="invalid_grant"):
        await user_token(stack.settings, username, _password(stack, email))


async def test_the_bureau_invites_a_bureau_user_who_logs_in(
    personnel_client, personnel_db, world, stack, worker
):
    username = f"b-{secrets.token_hex(4)}"
    email = f"{username}@test.example"
    invited = await personnel_client.post(
        "/bureau-users",
        json={"name": "教育局 安全科 刘科长", "email": email, "username": username},
        headers=world["bureau_x"].headers,
    )
    assert invited.status_code == 201, invited.text
    deadline = asyncio.get_running_loop().time() + 30
    while True:
        users = (await personnel_client.get("/bureau-users", headers=world["bureau_x"].headers)).json()[
            "items"
        ]
        entry = next(u for u in users if u["username"] == username)
        if entry["account"]["status"] == "ready":
            break
        assert asyncio.get_running_loop().time() < deadline, entry
        await asyncio.sleep(0.2)
    token = await user_token(stack.settings, username, _password(stack, email))
    standard = await personnel_client.get("/standard", headers={"Authorization": f"Bearer {token}"})
    assert standard.status_code == 200
    # school users never see the bureau's users, down to the database
    listed = await personnel_client.get(
        "/staff", params={"q": "刘科长"}, headers=world["principal_a"].headers
    )
    assert listed.json()["total"] == 0
    school = TenantContext.for_school(world.county_x, world.school_a)
    async with personnel_db.transaction(school) as session:
        rows = await session.execute(
            text("select count(*) from personnel.staff where username = :u"), {"u": username}
        )
        assert rows.scalar_one() == 0


async def test_a_username_taken_elsewhere_fails_the_invitation_with_a_reason(
    personnel_client, world, personnel_world, stack, worker
):
    from tests.conftest import make_user

    taken = f"taken-{secrets.token_hex(3)}"
    await make_user(stack.settings, "teacher", world.county_x, world.school_b, username=taken)
    invited = await personnel_client.post(
        "/staff",
        json={"name": "吴老师", "email": f"{taken}@test.example", "username": taken, "role": "teacher"},
        headers=world["principal_a"].headers,
    )
    staff = await _settled(personnel_client, f"/staff/{invited.json()['id']}", world["principal_a"].headers)
    assert staff["account"]["status"] == "failed"
    assert "another account" in staff["account"]["error"]


async def test_the_principal_invites_teachers_and_guards_only(personnel_client, world):
    response = await personnel_client.post(
        "/staff",
        json={
            "name": "x",
            "email": "x@test.example",
            "username": f"x-{secrets.token_hex(3)}",
            "role": "bureau",
        },
        headers=world["principal_a"].headers,
    )
    assert response.status_code == 422


def test_an_account_out_of_step_is_retried_with_backoff_and_then_left_alone():
    import datetime as dt

    from personnel.domain.staff.jobs import MAX_ATTEMPTS, awaits_redrive, out_of_sync
    from personnel.domain.staff.models import AccountStatus, Staff, StaffStatus

    now = dt.datetime(2026, 3, 2, 8, tzinfo=dt.UTC)

    def staff(status, account, attempts, minutes_ago, user_id="u1"):
        return Staff(
            status=status,
            account_status=account,
            account_attempts=attempts,
            user_id=user_id,
            updated_at=now - dt.timedelta(minutes=minutes_ago),
        )

    assert not out_of_sync(staff(StaffStatus.ACTIVE, AccountStatus.READY, 1, 0))
    assert out_of_sync(staff(StaffStatus.DEACTIVATED, AccountStatus.READY, 0, 0))
    # an invitation whose event may still be on its way waits five minutes
    assert not awaits_redrive(staff(StaffStatus.ACTIVE, AccountStatus.PENDING, 0, 4, user_id=None), now)
    assert awaits_redrive(staff(StaffStatus.ACTIVE, AccountStatus.PENDING, 0, 6, user_id=None), now)
    # after a failed attempt, 2 ** (n - 1) minutes; after the last, never again
    assert not awaits_redrive(staff(StaffStatus.ACTIVE, AccountStatus.PENDING, 3, 3), now)
    assert awaits_redrive(staff(StaffStatus.ACTIVE, AccountStatus.PENDING, 3, 5), now)
    assert not awaits_redrive(staff(StaffStatus.ACTIVE, AccountStatus.FAILED, MAX_ATTEMPTS, 600), now)
