"""Authorization code flow with PKCE, as the portal drives it through a browser."""

from __future__ import annotations

import html
import json
import re
import secrets
from collections.abc import Callable
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs, urlencode, urlsplit

import httpx
import pytest
from jwcrypto import jwk
from keycloak import KeycloakAdmin, KeycloakOpenID
from keycloak.exceptions import KeycloakError, KeycloakPostError
from keycloak.pkce_utils import generate_code_challenge, generate_code_verifier

if TYPE_CHECKING:
    from conftest import Account


def _error(exc: KeycloakError) -> dict[str, Any]:
    """The JSON body Keycloak answered an error with."""
    body: dict[str, Any] = json.loads(exc.response_body or b"{}")
    return body


CALLBACK = "http://127.0.0.1:8123/auth/callback"


def _form(page: str) -> tuple[str, dict[str, str]]:
    """The action and hidden fields of the page's form."""
    action = html.unescape(re.search(r"<form[^>]*action='([^']*)'", page).group(1))  # type: ignore[union-attr]
    hidden = {
        html.unescape(name): html.unescape(value)
        for name, value in re.findall(r"<input type='hidden' name='([^']*)' value='([^']*)'>", page)
    }
    return action, hidden


def _callback(response: httpx.Response) -> dict[str, str]:
    assert response.status_code == 302, response.text
    location = response.headers["location"]
    assert location.startswith(CALLBACK)
    return {k: v[0] for k, v in parse_qs(urlsplit(location).query).items()}


class Browser:
    """A cookie-keeping HTTP client that stops at redirects, like a browser we can inspect."""

    def __init__(self, portal: KeycloakOpenID) -> None:
        self.portal = portal
        self.http = httpx.Client(follow_redirects=False)
        self.verifier = generate_code_verifier()
        self.state = secrets.token_urlsafe(8)
        self.nonce = secrets.token_urlsafe(8)

    def authorize(self, **extra: str) -> httpx.Response:
        challenge, method = generate_code_challenge(self.verifier)
        url = self.portal.auth_url(
            redirect_uri=CALLBACK,
            scope="openid",
            state=self.state,
            nonce=self.nonce,
            code_challenge=challenge,
            code_challenge_method=method,
        )
        return self.http.get(f"{url}&{urlencode(extra)}" if extra else url)

    def sign_in(self, username: str, password: str) -> httpx.Response:
        page = self.authorize()
        assert page.status_code == 200
        action, hidden = _form(page.text)
        return self.http.post(action, data={**hidden, "username": username, "password": password})


def test_code_flow_with_pkce(
    portal: KeycloakOpenID,
    make_user: Callable[..., Account],
    fetch_jwks: Callable[[], jwk.JWKSet],
    issuer: str,
) -> None:
    user = make_user(roles=("principal",))
    browser = Browser(portal)

    page = browser.authorize()
    assert "kc-form-login" in page.text
    callback = _callback(browser.sign_in(user.username, user.password))
    tokens = portal.token(
        grant_type="authorization_code",
        code=callback["code"],
        redirect_uri=CALLBACK,
        code_verifier=browser.verifier,
    )
    keys = fetch_jwks()
    access = portal.decode_token(tokens["access_token"], key=keys, check_claims={"aud": "safecampus-api"})
    id_token = portal.decode_token(tokens["id_token"], key=keys)

    assert callback["state"] == browser.state
    assert callback["iss"] == issuer
    assert access["azp"] == "safecampus-portal"
    assert access["sub"] == user.id
    assert "principal" in access["realm_access"]["roles"]
    assert access["county_id"] == "c-1"
    assert "http://127.0.0.1:8000" in access["allowed-origins"]
    assert id_token["nonce"] == browser.nonce
    assert id_token["aud"] == "safecampus-portal"
    assert tokens["refresh_token"]


def test_code_is_single_use(portal: KeycloakOpenID, make_user: Callable[..., Account]) -> None:
    user = make_user()
    browser = Browser(portal)
    code = _callback(browser.sign_in(user.username, user.password))["code"]
    portal.token(
        grant_type="authorization_code", code=code, redirect_uri=CALLBACK, code_verifier=browser.verifier
    )

    with pytest.raises(KeycloakPostError) as error:
        portal.token(
            grant_type="authorization_code", code=code, redirect_uri=CALLBACK, code_verifier=browser.verifier
        )

    assert _error(error.value) == {
        "error": "invalid_grant",
        "error_description": "Code not valid",
    }


def test_wrong_verifier_fails_and_burns_the_code(
    portal: KeycloakOpenID, make_user: Callable[..., Account]
) -> None:
    user = make_user()
    browser = Browser(portal)
    code = _callback(browser.sign_in(user.username, user.password))["code"]

    with pytest.raises(KeycloakPostError) as wrong:
        portal.token(
            grant_type="authorization_code",
            code=code,
            redirect_uri=CALLBACK,
            code_verifier=generate_code_verifier(),
        )
    with pytest.raises(KeycloakPostError):
        portal.token(
            grant_type="authorization_code", code=code, redirect_uri=CALLBACK, code_verifier=browser.verifier
        )

    assert _error(wrong.value)["error"] == "invalid_grant"
    assert "PKCE" in _error(wrong.value)["error_description"]


def test_code_exchange_needs_the_same_redirect_uri(
    portal: KeycloakOpenID, make_user: Callable[..., Account]
) -> None:
    user = make_user()
    browser = Browser(portal)
    code = _callback(browser.sign_in(user.username, user.password))["code"]

    with pytest.raises(KeycloakPostError) as error:
        portal.token(
            grant_type="authorization_code",
            code=code,
            redirect_uri="http://127.0.0.1:9999/auth/callback",
            code_verifier=browser.verifier,
        )

    assert _error(error.value)["error_description"] == "Incorrect redirect_uri"


def test_sso_cookie_skips_the_form_the_second_time(
    portal: KeycloakOpenID, make_user: Callable[..., Account]
) -> None:
    user = make_user()
    browser = Browser(portal)
    first = _callback(browser.sign_in(user.username, user.password))

    second = _callback(browser.authorize())

    assert second["code"] != first["code"]
    assert second["session_state"] == first["session_state"]


def test_wrong_password_shows_the_form_again(
    portal: KeycloakOpenID, make_user: Callable[..., Account]
) -> None:
    user = make_user()

    response = Browser(portal).sign_in(user.username, "wrong-password")

    assert response.status_code == 200
    assert "Invalid username or password." in response.text
    assert "kc-form-login" in response.text


def test_pkce_is_required_for_the_portal(portal: KeycloakOpenID, idp_url: str) -> None:
    url = f"{idp_url}/realms/safecampus/protocol/openid-connect/auth"
    params = {
        "client_id": "safecampus-portal",
        "redirect_uri": CALLBACK,
        "response_type": "code",
        "state": "s1",
    }

    response = httpx.get(url, params=params)

    callback = _callback(response)
    assert callback["error"] == "invalid_request"
    assert callback["state"] == "s1"


def test_unregistered_redirect_uri_is_an_error_page_not_a_redirect(idp_url: str) -> None:
    url = f"{idp_url}/realms/safecampus/protocol/openid-connect/auth"
    for redirect_uri in ("https://evil.example/auth/callback", "http://127.0.0.1:80@evil.example/"):
        params = {"client_id": "safecampus-portal", "redirect_uri": redirect_uri, "response_type": "code"}

        response = httpx.get(url, params=params)

        assert response.status_code == 400
        assert "Invalid parameter: redirect_uri" in response.text


def test_prompt_none_without_a_session_reports_login_required(portal: KeycloakOpenID) -> None:
    callback = _callback(Browser(portal).authorize(prompt="none"))

    assert callback["error"] == "login_required"


def test_temporary_password_is_changed_during_login(
    portal: KeycloakOpenID, admin: KeycloakAdmin, cli: KeycloakOpenID, make_user: Callable[..., Account]
) -> None:
    user = make_user()
    admin.set_user_password(user.id, "Temporary-Pass-1", temporary=True)
    browser = Browser(portal)

    page = browser.sign_in(user.username, "Temporary-Pass-1")
    assert "kc-passwd-update-form" in page.text
    action, hidden = _form(page.text)
    mismatch = browser.http.post(
        action, data={**hidden, "password-new": "New-Pass-123", "password-confirm": "x"}
    )
    assert "Passwords don&#x27;t match." in mismatch.text
    done = browser.http.post(
        action, data={**hidden, "password-new": "New-Pass-123", "password-confirm": "New-Pass-123"}
    )

    assert _callback(done)["code"]
    assert admin.get_user(user.id)["requiredActions"] == []
    assert cli.token(user.username, "New-Pass-123")["access_token"]


def test_end_session_with_id_token_hint_logs_out_and_redirects(
    portal: KeycloakOpenID, make_user: Callable[..., Account]
) -> None:
    user = make_user()
    browser = Browser(portal)
    code = _callback(browser.sign_in(user.username, user.password))["code"]
    tokens = portal.token(
        grant_type="authorization_code", code=code, redirect_uri=CALLBACK, code_verifier=browser.verifier
    )
    logout_url = portal.well_known()["end_session_endpoint"]

    response = browser.http.get(
        logout_url,
        params={"id_token_hint": tokens["id_token"], "post_logout_redirect_uri": CALLBACK, "state": "bye"},
    )

    assert response.status_code == 302
    assert response.headers["location"] == f"{CALLBACK}?state=bye"
    with pytest.raises(KeycloakPostError):
        portal.refresh_token(tokens["refresh_token"])
    assert "kc-form-login" in browser.authorize().text


def test_end_session_without_hint_asks_for_confirmation(
    portal: KeycloakOpenID, make_user: Callable[..., Account]
) -> None:
    user = make_user()
    browser = Browser(portal)
    _callback(browser.sign_in(user.username, user.password))
    logout_url = portal.well_known()["end_session_endpoint"]

    confirm = browser.http.get(logout_url)
    action, hidden = _form(confirm.text)
    done = browser.http.post(action, data={**hidden, "confirmLogout": "yes"})

    assert "Do you want to log out?" in confirm.text
    assert "You are logged out" in done.text
    assert "kc-form-login" in browser.authorize().text
