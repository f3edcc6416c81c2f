"""The tenancy kernel reads cross-school inspection grants from the verified token: only well-formed grants,
never for the caller's own school, never for the bureau, and active only inside their window (the clock is
injected here)."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest

from tenants.context import GUC_INSPECT, InspectionGrant, TenantContext

COUNTY, OWN, TARGET, OTHER = (uuid.uuid4() for _ in range(4))
START = dt.datetime(2026, 5, 4, 8, tzinfo=dt.timezone(dt.timedelta(hours=8)))
END = START + dt.timedelta(hours=8)


def token_claims(*grants: str, role: str = "principal") -> dict:
    claims = {
        "sub": "u1",
        "preferred_username": "inspector",
        "realm_access": {"roles": [role]},
        "county_id": str(COUNTY),
        "school_id": str(OWN) if role != "bureau" else None,
    }
    if grants:
        claims["inspection_grants"] = list(grants)
    return claims


GRANT = InspectionGrant(TARGET, START, END).encode()


@pytest.mark.parametrize(
    ("now", "active"),
    [
        (START - dt.timedelta(seconds=1), False),
        (START, True),
        (END - dt.timedelta(seconds=1), True),
        (END, False),
        (END + dt.timedelta(days=3), False),
    ],
)
def test_a_grant_is_active_only_inside_its_window(now, active):
    ctx = TenantContext.from_claims(token_claims(GRANT), now=now)
    assert ctx.inspection_grants == (InspectionGrant(TARGET, START, END),)
    assert ctx.inspect_school_ids == ({TARGET} if active else set())
    assert ctx.settings()[GUC_INSPECT] == (str(TARGET) if active else "")


def test_a_grant_for_the_callers_own_school_is_ignored():
    own = InspectionGrant(OWN, START, END).encode()
    ctx = TenantContext.from_claims(token_claims(own, GRANT), now=START)
    assert ctx.inspect_school_ids == {TARGET}


def test_malformed_grants_grant_nothing_and_spoil_nothing_else():
    naive = f"{OTHER}|2026-05-04T08:00:00|2026-05-04T18:00:00"
    reversed_window = InspectionGrant(OTHER, END, START).encode()
    ctx = TenantContext.from_claims(
        token_claims(
            "garbage", f"not-a-uuid|{START.isoformat()}|{END.isoformat()}", naive, reversed_window, GRANT
        ),
        now=START,
    )
    assert ctx.inspect_school_ids == {TARGET}
    assert ctx.school_id == OWN


def test_a_single_string_claim_is_read_like_a_list():
    claims = token_claims()
    claims["inspection_grants"] = GRANT
    assert TenantContext.from_claims(claims, now=START).inspect_school_ids == {TARGET}


def test_the_bureau_holds_no_grants_it_reaches_its_county_anyway():
    ctx = TenantContext.from_claims(token_claims(GRANT, role="bureau"), now=START)
    assert ctx.inspection_grants == () and ctx.inspect_school_ids == frozenset()


def test_background_contexts_carry_no_grants():
    assert TenantContext.for_school(COUNTY, OWN).settings()[GUC_INSPECT] == ""
    assert TenantContext.for_county(COUNTY).settings()[GUC_INSPECT] == ""


def test_a_grant_round_trips_through_its_claim_value():
    grant = InspectionGrant(TARGET, START, END)
    assert InspectionGrant.decode(grant.encode()) == grant
