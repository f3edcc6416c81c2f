"""Brute-force protection of the password grant and the login form: per username (Keycloak's temporary
lockout) and per client address (password spraying), with a clear 4xx answer and a Retry-After."""

from __future__ import annotations

import time
from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import TYPE_CHECKING

import httpx
import pytest

from devidp.brute_force import BruteForceGuard, BruteForcePolicy

if TYPE_CHECKING:
    from conftest import Account

REALM = "safecampus"


def _grant(url: str, username: str, password: str, *, source: str = "127.0.0.1") -> httpx.Response:
    """A password grant of the public CLI client, sent from the loopback address ``source``."""
    transport = httpx.HTTPTransport(local_address=source)
    with httpx.Client(transport=transport, timeout=30) as client:
        return client.post(
            f"{url}/realms/{REALM}/protocol/openid-connect/token",
            data={
                "grant_type": "password",
                "client_id": "safecampus-cli",
                "username": username,
                "password": password,
            },
        )


def test_the_realm_file_turns_brute_force_protection_on() -> None:
    from devidp.config import DEFAULT_REALM_FILE
    from devidp.realm import load_realm

    realm = load_realm(DEFAULT_REALM_FILE, {}, allow_generated=True)

    assert realm.brute_force.enabled
    assert realm.brute_force.failure_factor == 10


def test_a_username_is_locked_after_the_failure_factor_even_for_the_right_password(
    start_idp: Callable[..., AbstractContextManager[str]], make_user: Callable[..., Account]
) -> None:
    user = make_user()
    with start_idp(failure_factor=3, wait_increment_seconds=2) as url:
        for _ in range(3):
            wrong = _grant(url, user.username, "not-the-password")
            assert wrong.status_code == 401
            assert wrong.json()["error_description"] == "Invalid user credentials"

        locked = _grant(url, user.username, user.password)

        assert locked.status_code == 400
        assert locked.json() == {
            "error": "invalid_grant",
            "error_description": "Account temporarily disabled",
        }
        assert 1 <= int(locked.headers["Retry-After"]) <= 2
        # The same username written differently is the same account.
        assert _grant(url, user.username.upper(), user.password).status_code == 400

        time.sleep(2.1)
        assert _grant(url, user.username, user.password).status_code == 200


def test_a_successful_login_resets_the_count_and_other_users_are_not_affected(
    start_idp: Callable[..., AbstractContextManager[str]], make_user: Callable[..., Account]
) -> None:
    user, neighbour = make_user(), make_user()
    with start_idp(failure_factor=3, wait_increment_seconds=60) as url:
        for _ in range(2):
            assert _grant(url, user.username, "nope-nope").status_code == 401
        assert _grant(url, user.username, user.password).status_code == 200
        for _ in range(2):
            assert _grant(url, user.username, "nope-nope").status_code == 401
        assert _grant(url, user.username, user.password).status_code == 200  # still 2 < 3 in a row

        for _ in range(3):
            _grant(url, user.username, "nope-nope")
        assert _grant(url, user.username, user.password).status_code == 400
        assert _grant(url, neighbour.username, neighbour.password).status_code == 200


def test_password_spraying_from_one_address_gets_429_and_other_addresses_still_sign_in(
    start_idp: Callable[..., AbstractContextManager[str]], make_user: Callable[..., Account]
) -> None:
    victim = make_user()
    with start_idp(failure_factor=30, address_failure_limit=5, address_failure_window=60) as url:
        for n in range(5):
            # a different username every time: no single account reaches its own limit
            assert _grant(url, f"guess-{n}", "Spring2026!", source="127.0.0.2").status_code == 401

        sprayed = _grant(url, victim.username, victim.password, source="127.0.0.2")

        assert sprayed.status_code == 429
        assert sprayed.json()["error"] == "too_many_requests"
        assert int(sprayed.headers["Retry-After"]) > 0
        # the victim signs in from their own address; successes never count against an address
        for _ in range(10):
            assert _grant(url, victim.username, victim.password, source="127.0.0.3").status_code == 200


def test_the_login_form_is_protected_too(
    start_idp: Callable[..., AbstractContextManager[str]], make_user: Callable[..., Account]
) -> None:
    from conftest import PORTAL_SECRET
    from keycloak import KeycloakOpenID
    from test_devidp_code_flow import Browser

    user = make_user()
    with start_idp(failure_factor=2, wait_increment_seconds=60) as url:
        portal = KeycloakOpenID(
            server_url=url, realm_name=REALM, client_id="safecampus-portal", client_secret_key=PORTAL_SECRET
        )
        for _ in range(2):
            assert "Invalid username or password." in Browser(portal).sign_in(user.username, "wrong").text

        page = Browser(portal).sign_in(user.username, user.password)

        assert page.status_code == 429
        assert "Too many failed login attempts" in page.text
        assert "location" not in page.headers  # no code was issued


@pytest.mark.parametrize(
    ("failures", "wait"), [(2, 0), (3, 10), (5, 10), (6, 20), (9, 40), (12, 50), (30, 50)]
)
def test_the_lockout_doubles_with_every_round_up_to_the_maximum(failures: int, wait: int) -> None:
    now = [1000.0]
    guard = BruteForceGuard(
        BruteForcePolicy(failure_factor=3, wait_increment_seconds=10, max_failure_wait_seconds=50),
        clock=lambda: now[0],
    )
    for _ in range(failures):
        guard.failed("alice", "10.0.0.1")

    lockout = guard.check("alice", "10.0.0.9")

    assert (lockout.retry_after if lockout else 0) == wait


def test_old_failures_are_forgotten_and_a_switched_off_realm_never_locks() -> None:
    now = [0.0]
    guard = BruteForceGuard(
        BruteForcePolicy(failure_factor=3, max_delta_time_seconds=100), clock=lambda: now[0]
    )
    guard.failed("bob", "a")
    guard.failed("bob", "a")
    now[0] = 500.0
    guard.failed("bob", "a")
    assert guard.check("bob", "b") is None

    off = BruteForceGuard(BruteForcePolicy(enabled=False, failure_factor=1, address_failure_limit=1))
    for _ in range(5):
        off.failed("carol", "a")
    assert off.check("carol", "a") is None
