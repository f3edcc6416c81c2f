"""The portal over plain HTTP: sign-in and the way back, cookies, CSRF, roles, forms, refresh, sign-out."""

from __future__ import annotations

import json
import re
import secrets
from typing import Any

import httpx
import pytest
from litestar.testing import AsyncTestClient

from tests.conftest import PASSWORD
from tests.portal.conftest import csrf_of, follow, fresh_headers, portal_settings, sign_in

pytestmark = pytest.mark.usefixtures("portal")


def _session_id(client: httpx.AsyncClient) -> str:
    return client.cookies["safecampus_session"].rsplit(".", 1)[0]


async def _session(portal: Any, client: httpx.AsyncClient) -> dict[str, Any]:
    raw = await portal.sessions.get(_session_id(client))
    assert raw is not None
    return json.loads(raw)


async def _save_session(portal: Any, client: httpx.AsyncClient, data: dict[str, Any]) -> None:
    await portal.sessions.set(_session_id(client), json.dumps(data).encode(), expires_in=3600)


def _set_cookie(response: httpx.Response, name: str) -> str:
    return next(value for value in response.headers.get_list("set-cookie") if value.startswith(f"{name}="))


def _school_form(code: str, **overrides: str) -> dict[str, str]:
    return {
        "code": code,
        "name": f"表单学校 {code}",
        "kind": "primary",
        "student_count": "300",
        "address": "某镇",
        "principal_name": "王校长",
        "principal_email": f"{code}@test.example",
        "principal_username": f"{code}.principal",
        **overrides,
    }


@pytest.fixture
def codes(stack, http, schools_api):
    """The codes of the bureau's schools that match ``q``, read from the schools API."""

    async def find(user: Any, q: str) -> list[str]:
        listed = await http.get(
            f"{schools_api}/schools", params={"q": q}, headers=await fresh_headers(stack, user)
        )
        return [school["code"] for school in listed.json()["items"]]

    return find


async def test_a_signed_out_visit_goes_through_sign_in_and_lands_where_it_started(portal, http, world):
    first = await http.get(portal.url + "/schools?q=abc")
    assert first.status_code == 303
    assert first.headers["location"] == "/auth/login?next=%2Fschools%3Fq%3Dabc"

    landed = await sign_in(http, portal.url, world["bureau_x"].username, PASSWORD, path="/schools?q=abc")

    assert landed.status_code == 200
    assert str(landed.url) == portal.url + "/schools?q=abc"
    assert 'value="abc"' in landed.text


async def test_the_session_cookie_is_httponly_lax_and_holds_only_a_signed_id(portal, http, world):
    await http.get(portal.url + "/")  # no cookie for a visit that starts nothing
    assert "safecampus_session" not in http.cookies
    start = await http.get(portal.url + "/auth/login")
    cookie = _set_cookie(start, "safecampus_session")

    assert "HttpOnly" in cookie
    assert "SameSite=lax" in cookie
    assert "Path=/" in cookie
    assert "Secure" not in cookie  # served over plain http here; see the https test
    session_id, _, mac = http.cookies["safecampus_session"].partition(".")
    assert len(session_id) == 64
    assert len(mac) == 32


async def test_over_https_the_session_and_csrf_cookies_are_secure(stack, api_urls):
    from portal.app import create_app

    app = create_app(portal_settings(stack, api_urls, "https://portal.example"))
    async with AsyncTestClient(app) as client:
        start = await client.get("/auth/login", follow_redirects=False)
        page = await client.get("/auth/logged-out")

    assert "Secure" in _set_cookie(start, "safecampus_session")
    csrf_cookie = _set_cookie(page, "safecampus_csrf")
    assert "Secure" in csrf_cookie
    assert "HttpOnly" in csrf_cookie
    assert page.headers["strict-transport-security"] == "max-age=31536000"


async def test_a_forged_session_cookie_is_ignored(portal, http, world):
    await sign_in(http, portal.url, world["bureau_x"].username, PASSWORD)
    session_id = _session_id(http)
    forged = httpx.AsyncClient(cookies={"safecampus_session": f"{session_id}.{'0' * 32}"})
    async with forged:
        response = await forged.get(portal.url + "/", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"].startswith("/auth/login")


async def test_the_session_id_changes_at_sign_in(portal, http, world):
    await http.get(portal.url + "/auth/login?next=/")
    before = _session_id(http)
    await sign_in(http, portal.url, world["bureau_x"].username, PASSWORD)
    assert _session_id(http) != before
    assert await portal.sessions.get(before) is None


async def test_every_form_needs_the_csrf_token_and_a_post_without_it_writes_nothing(
    portal, http, world, codes
):
    bureau = world["bureau_x"]
    home = await sign_in(http, portal.url, bureau.username, PASSWORD)
    code = f"csrf{secrets.token_hex(3)}"

    without = await http.post(portal.url + "/schools/new", data=_school_form(code))
    wrong = await http.post(
        portal.url + "/schools/new", data={**_school_form(code), "_csrf_token": "0" * 128}
    )
    language = await http.post(portal.url + "/language", data={"locale": "en"})
    logout = await http.post(portal.url + "/auth/logout")

    for response in (without, wrong, language, logout):
        assert response.status_code == 403
        assert "表单已过期" in response.text  # "This form has expired", in the county's language
    assert await codes(bureau, code) == []
    # the same form with the token goes through
    token = csrf_of(home.text)
    accepted = await http.post(portal.url + "/schools/new", data={**_school_form(code), "_csrf_token": token})
    assert accepted.status_code == 303
    assert await codes(bureau, code) == [code]


async def test_the_onboarding_form_names_every_missing_field_and_writes_nothing(portal, http, world):
    await sign_in(http, portal.url, world["bureau_x"].username, PASSWORD)
    form = await http.get(portal.url + "/schools/new")
    token = csrf_of(form.text)

    answer = await http.post(
        portal.url + "/schools/new", data={"_csrf_token": token, "code": "", "student_count": "many"}
    )

    assert answer.status_code == 422
    errors = dict(re.findall(r'<p class="field-error" id="e-([a-z_]+)">([^<]+)</p>', answer.text))
    assert set(errors) == {
        "code",
        "name",
        "kind",
        "student_count",
        "principal_name",
        "principal_email",
        "principal_username",
    }
    assert errors["name"] == "此项为必填项。"
    assert 'aria-invalid="true"' in answer.text


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("code", "bad code!", "请使用 1 至 32 个字母"),
        ("principal_email", "not-an-email", "请输入电子邮箱"),
        ("principal_username", "x", "请使用 3 至 64 个小写字母"),
        ("name", "x", "请输入学校名称"),
    ],
)
async def test_the_api_rejection_of_a_field_is_shown_beside_that_field(
    portal, http, world, codes, field, value, message
):
    await sign_in(http, portal.url, world["bureau_x"].username, PASSWORD)
    token = csrf_of((await http.get(portal.url + "/schools/new")).text)
    code = f"bad{secrets.token_hex(3)}"
    data = {**_school_form(code), field: value, "_csrf_token": token}

    answer = await http.post(portal.url + "/schools/new", data=data)

    assert answer.status_code == 422
    errors = dict(re.findall(r'<p class="field-error" id="e-([a-z_]+)">([^<]+)</p>', answer.text))
    assert list(errors) == [field]
    assert errors[field].startswith(message)
    assert f'value="{value}"' in answer.text  # what the user typed is kept
    assert await codes(world["bureau_x"], code) == []


async def test_a_duplicate_code_is_reported_beside_the_code(portal, http, world):
    await sign_in(http, portal.url, world["bureau_x"].username, PASSWORD)
    token = csrf_of((await http.get(portal.url + "/schools/new")).text)
    code = f"dup{secrets.token_hex(3)}"
    first = await http.post(portal.url + "/schools/new", data={**_school_form(code), "_csrf_token": token})
    assert first.status_code == 303

    again = await http.post(
        portal.url + "/schools/new",
        data={**_school_form(code, principal_username=f"{code}.other"), "_csrf_token": token},
    )

    assert again.status_code == 422
    assert '<p class="field-error" id="e-code">已被占用。</p>' in again.text


@pytest.mark.parametrize("path", ["/schools", "/schools/new", "/schools/import", "/audit"])
async def test_a_teacher_gets_no_access_to_the_bureaus_pages_by_url(portal, http, world, path):
    home = await sign_in(http, portal.url, world["teacher_a"].username, PASSWORD)
    assert 'href="/schools"' not in home.text
    assert 'href="/audit"' not in home.text

    answer = await http.get(portal.url + path)

    assert answer.status_code == 403
    assert "无权访问" in answer.text


async def test_each_menu_entry_is_exactly_what_its_route_lets_in(portal):
    from litestar.routes import HTTPRoute

    from portal.nav import navigation

    for item in navigation():
        route = next(r for r in portal.app.routes if isinstance(r, HTTPRoute) and r.path == item.path)
        handler = next(h for h in route.route_handlers if "GET" in h.http_methods)
        allowed: set[str] = set()
        for layer in handler.ownership_layers:
            for guard in layer.guards or ():
                allowed |= set(getattr(guard, "allowed_roles", ()))
        assert allowed == set(item.roles), item.path


async def test_a_principal_sees_their_school_profile_and_a_teacher_does_not(portal, http, world):
    principal = await sign_in(http, portal.url, world["principal_a"].username, PASSWORD, path="/school")
    assert principal.status_code == 200
    assert "学校信息" in principal.text
    async with httpx.AsyncClient(timeout=30) as other:
        await sign_in(other, portal.url, world["teacher_a"].username, PASSWORD)
        assert (await other.get(portal.url + "/school")).status_code == 403


async def test_an_access_token_about_to_expire_is_refreshed(portal, http, world):
    await sign_in(http, portal.url, world["bureau_x"].username, PASSWORD)
    session = await _session(portal, http)
    old = session["tokens"]["access_token"]
    session["tokens"]["expires_at"] = 0
    await _save_session(portal, http, session)

    page = await http.get(portal.url + "/")

    assert page.status_code == 200
    assert (await _session(portal, http))["tokens"]["access_token"] != old


async def test_when_the_identity_session_has_ended_the_user_signs_in_again_and_returns(portal, http, world):
    from keycloak import KeycloakOpenID

    await sign_in(http, portal.url, world["bureau_x"].username, PASSWORD)
    session = await _session(portal, http)
    settings = portal.app.state.settings
    openid = KeycloakOpenID(
        server_url=settings.base.keycloak_url,
        realm_name=settings.base.keycloak_realm,
        client_id=settings.client_id,
        client_secret_key=settings.client_secret,
    )
    await openid.a_logout(session["tokens"]["refresh_token"])  # the IdP session ends elsewhere
    session["tokens"]["expires_at"] = 0
    await _save_session(portal, http, session)

    page_load = await http.get(portal.url + "/schools/new")
    htmx_call = await http.get(
        portal.url + f"/schools/{world.school_a}/row",
        headers={"HX-Request": "true", "HX-Current-URL": portal.url + "/schools?q=a"},
    )

    assert page_load.status_code == 303
    assert page_load.headers["location"] == "/auth/login?next=%2Fschools%2Fnew"
    assert htmx_call.headers["HX-Redirect"] == "/auth/login?next=%2Fschools%3Fq%3Da"
    # signing in again returns to the page
    back = await follow(http, await http.get(portal.url + page_load.headers["location"]))
    assert "kc-form-login" in back.text  # the IdP session is gone: credentials are asked for


async def test_sign_out_ends_the_portal_and_the_identity_provider_sessions(portal, http, world):
    from keycloak import KeycloakOpenID
    from keycloak.exceptions import KeycloakError

    home = await sign_in(http, portal.url, world["bureau_x"].username, PASSWORD)
    tokens = (await _session(portal, http))["tokens"]
    session_id = _session_id(http)

    out = await http.post(portal.url + "/auth/logout", data={"_csrf_token": csrf_of(home.text)})
    assert out.status_code == 303
    assert "/protocol/openid-connect/logout" in out.headers["location"]
    done = await follow(http, out)

    assert str(done.url) == portal.url + "/auth/logged-out"
    assert await portal.sessions.get(session_id) is None
    again = await follow(http, await http.get(portal.url + "/"))
    assert "kc-form-login" in again.text  # no silent sign-in: the IdP session ended too
    settings = portal.app.state.settings
    openid = KeycloakOpenID(
        server_url=settings.base.keycloak_url,
        realm_name=settings.base.keycloak_realm,
        client_id=settings.client_id,
        client_secret_key=settings.client_secret,
    )
    with pytest.raises(KeycloakError):
        await openid.a_refresh_token(tokens["refresh_token"])


async def test_a_callback_with_an_unknown_state_is_refused(portal, http):
    answer = await http.get(portal.url + "/auth/callback?state=forged&code=abc")
    assert answer.status_code == 400
    assert "登录链接已失效" in answer.text


async def test_the_chosen_language_is_remembered_beyond_the_session(portal, http, world):
    home = await sign_in(http, portal.url, world["bureau_x"].username, PASSWORD)
    assert '<html lang="zh-Hans">' in home.text  # the county's language by default

    chosen = await http.post(
        portal.url + "/language", data={"locale": "en", "next": "/schools", "_csrf_token": csrf_of(home.text)}
    )
    assert chosen.status_code == 303
    assert chosen.headers["location"] == "/schools"
    cookie = _set_cookie(chosen, "safecampus_lang")
    assert cookie.startswith("safecampus_lang=en;")
    assert "HttpOnly" in cookie
    english = await http.get(portal.url + "/schools")
    assert '<html lang="en">' in english.text
    assert "Onboard a school" in english.text
    signed_out = await http.get(portal.url + "/auth/logged-out")
    assert "You have signed out" in signed_out.text


async def test_an_unknown_page_answers_a_readable_404(portal, http, world):
    await sign_in(http, portal.url, world["bureau_x"].username, PASSWORD)
    answer = await http.get(portal.url + "/schools/00000000-0000-0000-0000-000000000000/row")
    assert answer.status_code == 404
    assert "该页面或记录不存在" in answer.text


def test_next_never_leads_off_the_portal():
    from portal.web import safe_next

    assert safe_next("/schools?q=1") == "/schools?q=1"
    for hostile in (
        "//evil.example/x",
        "https://evil.example/",
        "/\\evil.example",
        "evil",
        "/auth/callback",
        "",
    ):
        assert safe_next(hostile) == "/", hostile


async def test_a_user_sees_their_notifications_and_marks_them_read(portal, http, world, stack):
    from keycloak import KeycloakOpenID

    from kit.db import Database
    from kit.notifications import Notifications
    from tenants import TenantContext

    teacher = world["teacher_a"]
    subject = KeycloakOpenID(server_url="http://unused/", realm_name="x", client_id="x").decode_token(
        teacher.token, validate=False
    )["sub"]
    title = f"巡查提醒 {secrets.token_hex(3)}"
    database = Database(stack.settings.sqlalchemy_url("safecampus_schools", "schools"), pool_size=1)
    try:
        async with database.transaction(TenantContext.for_school(world.county_x, world.school_a)) as session:
            await Notifications(session, "schools").notify(
                subject, kind="test", title=title, body="请完成今天的巡查。", link="/school"
            )
    finally:
        await database.dispose()

    home = await sign_in(http, portal.url, teacher.username, PASSWORD)
    assert title in home.text
    listed = await http.get(portal.url + "/notifications")
    assert title in listed.text
    assert "请完成今天的巡查。" in listed.text
    read_all = await http.post(
        portal.url + "/notifications/read-all", data={"_csrf_token": csrf_of(listed.text)}
    )
    assert read_all.status_code == 303
    after = await http.get(portal.url + "/notifications")
    assert "0 条未读" in after.text
    assert "标为已读" not in after.text


async def test_the_bureau_uploads_a_school_list_through_the_portal(portal, http, world, codes):
    page = await sign_in(http, portal.url, world["bureau_x"].username, PASSWORD, path="/schools/import")
    token = csrf_of(page.text)
    good, bad = f"pu{secrets.token_hex(3)}", f"pu{secrets.token_hex(3)}"
    csv = "\n".join(
        [
            "code,name,kind,boarding,student_count,address,principal_name,principal_email,principal_username",
            f"{good},Upload School,primary,no,100,Town,Head,{good}@test.example,{good}.p",
            f"{bad},Upload School 2,university,no,100,Town,Head,{bad}@test.example,{bad}.p",
        ]
    ).encode()

    full = await http.post(
        portal.url + "/schools/import",
        data={"_csrf_token": token},
        files={"file": ("list.csv", csv, "text/csv")},
    )
    fragment = await http.post(
        portal.url + "/schools/import",
        data={"_csrf_token": token},
        files={"file": ("list.csv", csv, "text/csv")},
        headers={"HX-Request": "true"},
    )
    nothing = await http.post(portal.url + "/schools/import", data={"_csrf_token": token})
    not_a_list = await http.post(
        portal.url + "/schools/import",
        data={"_csrf_token": token},
        files={"file": ("list.pdf", b"%PDF", "application/pdf")},
    )

    assert full.status_code == 200
    assert "<html" in full.text
    assert "共 2 所学校，已录入 1 所，1 行失败。" in full.text
    assert fragment.status_code == 200
    assert "<html" not in fragment.text
    assert "已录入 0 所，2 行失败" in fragment.text  # the same file again: both codes are taken now
    assert nothing.status_code == 422
    assert "请先选择 CSV 或 XLSX 文件。" in nothing.text
    assert not_a_list.status_code == 422
    assert "该文件无法导入。" in not_a_list.text
    assert "only .csv and .xlsx files can be imported" in not_a_list.text
    assert await codes(world["bureau_x"], good) == [good]
    assert await codes(world["bureau_x"], bad) == []


async def test_retrying_a_provisioned_account_says_it_is_already_provisioned(portal, http, world, worker):
    import asyncio

    page = await sign_in(http, portal.url, world["bureau_x"].username, PASSWORD)
    token = csrf_of(page.text)
    code = f"rt{secrets.token_hex(3)}"
    created = await http.post(portal.url + "/schools/new", data={**_school_form(code), "_csrf_token": token})
    assert created.status_code == 303
    listed = await http.get(portal.url + "/schools", params={"q": code})
    school_id = re.search(r'id="school-([0-9a-f-]{36})"', listed.text).group(1)
    for _ in range(100):
        row = await http.get(portal.url + f"/schools/{school_id}/row", headers={"HX-Request": "true"})
        if 'data-provisioning="done"' in row.text:
            break
        await asyncio.sleep(0.2)
    assert "hx-trigger" not in row.text  # a settled row stops polling

    retried = await http.post(
        portal.url + f"/schools/{school_id}/retry", headers={"HX-Request": "true", "X-CSRF-Token": token}
    )

    assert retried.status_code == 200
    assert "该账号已开通。" in retried.text
    assert retried.text.lstrip().startswith("<tr")
