"""The portal under attack, page by page, discovered from the app so that pages landing later are covered:

- every page answers each role as its guard says (403 outside it) and never 5xx;
- every page carries the CSP (scripts from 'self' only, nothing inline) and has no inline script, event
  handler or style attribute to need an exception;
- any page given another tenant's record id in its URL answers the 404 page and shows nothing of it;
- text fields full of HTML, written through the APIs, come back escaped on every page that shows them.
"""

from __future__ import annotations

import html
import re
from collections import deque
from dataclasses import dataclass
from types import SimpleNamespace
from typing import Any
from urllib.parse import quote, urljoin, urlsplit

import httpx
import msgspec
import pytest
from litestar.routes import HTTPRoute
from msgspec import inspect as mi
from polyfactory.factories.msgspec_factory import MsgspecFactory

from tests.conftest import PASSWORD, User
from tests.hardening.conftest import HardWorld
from tests.hardening.harvest import PARAM, Harvest
from tests.portal.conftest import sign_in
from tests.test_route_matrix import ROUTES, Route

#: Paths that are not pages of a signed-in user.
NOT_PAGES = re.compile(r"^/(auth/|static/|health/|metrics$|language|favicon\.ico$|report/)")
MARK = "xss-9f3c"
PAYLOAD = f"<script>alert('{MARK}')</script>\"'><img src=x onerror=alert(1)>"
RAW = (f"<script>alert('{MARK}')", "<img src=x onerror")
ESCAPED = html.escape("<script>alert(", quote=False)
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>\s*\S", re.IGNORECASE)
TAG = re.compile(r"<[a-zA-Z][^>]*>")
QUOTED = re.compile(r"\"[^\"]*\"|'[^']*'")
EVENT_HANDLER = re.compile(r"\son[a-z]+\s*=", re.IGNORECASE)
STYLE_ATTRIBUTE = re.compile(r"\sstyle\s*=", re.IGNORECASE)
#: What a scanner expects besides the CSP on every page.
PAGE_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
}
#: The users who browse: the county X bureau and school A's principal, teacher and guard.
BROWSERS = ("bureau", "principal", "teacher", "guard")


@dataclass(frozen=True)
class Page:
    path: str
    allowed: frozenset[str]

    @property
    def params(self) -> list[str]:
        return PARAM.findall(self.path)


def portal_pages(app: Any) -> list[Page]:
    pages = []
    for route in app.routes:
        if not isinstance(route, HTTPRoute) or NOT_PAGES.match(route.path):
            continue
        for handler in route.route_handlers:
            if "GET" not in handler.http_methods:
                continue
            allowed: set[str] = set()
            for layer in handler.ownership_layers:
                for guard in layer.guards or ():
                    allowed |= set(getattr(guard, "allowed_roles", ()))
            pages.append(Page(route.path, frozenset(allowed)))
    return pages


def browser_user(world: HardWorld, role: str) -> User:
    return world.bureaus["X"] if role == "bureau" else world.schools["A"].users[role]


@pytest.fixture(scope="module")
async def signed_in(portal: Any, hard_world: HardWorld) -> Any:
    clients: dict[str, httpx.AsyncClient] = {}
    try:
        for role in BROWSERS:
            client = httpx.AsyncClient(follow_redirects=False, timeout=60)
            clients[role] = client
            landed = await sign_in(client, portal.url, browser_user(hard_world, role).username, PASSWORD)
            assert landed.status_code == 200, landed.text[:300]
        yield clients
    finally:
        for client in clients.values():
            await client.aclose()


def assert_safe_page(path: str, response: httpx.Response) -> None:
    policy = response.headers.get("content-security-policy", "")
    for header, value in PAGE_HEADERS.items():
        assert response.headers.get(header) == value, (path, header)
    if "text/html" not in response.headers.get("content-type", ""):
        # a download: its own stricter policy (nothing runs at all) is as good
        assert "default-src 'none'" in policy or "script-src 'self'" in policy, (path, policy)
        return
    assert "script-src 'self'" in policy and "unsafe-inline" not in policy, (path, policy)
    assert "frame-ancestors 'none'" in policy, path
    body = response.text
    assert not INLINE_SCRIPT.search(body), (path, INLINE_SCRIPT.search(body).group(0))  # type: ignore[union-attr]
    # attribute names only: what a user typed sits, escaped, inside quoted values
    for tag in TAG.findall(body):
        names = QUOTED.sub('""', tag)
        assert not EVENT_HANDLER.search(names), (path, tag)
        assert not STYLE_ATTRIBUTE.search(names), (path, tag)
    for raw in RAW:
        assert raw not in body, (path, "unescaped user text")


async def test_every_page_answers_each_role_as_its_guard_says_and_carries_the_csp(
    portal: Any, signed_in: Any
):
    pages = [p for p in portal_pages(portal.app) if not p.params]
    assert len(pages) >= 8
    wrong = []
    for page in pages:
        for role, client in signed_in.items():
            response = await client.get(portal.url + page.path)
            outside = bool(page.allowed) and role not in page.allowed
            if response.status_code >= 500 or (response.status_code == 403) != outside:
                wrong.append((page.path, role, response.status_code))
                continue
            assert_safe_page(page.path, response)
    assert wrong == []


def _foreign_ids(seen: Harvest, world: HardWorld, page: Page, name: str, role: str) -> list[str]:
    """Real ids of another tenant for ``{name}``: county Y's for the bureau, school C's and B's
    private ones for school staff; by the parameter's name when the walk saw it, else any of theirs."""
    owners = [world.bureaus["Y"], *world.schools["C"].users.values()]
    if role != "bureau":
        owners += list(world.schools["B"].users.values())
    mine = {
        v
        for u in [browser_user(world, r) for r in BROWSERS]
        for vs in seen.named[u.username].values()
        for v in vs
    }
    probe = SimpleNamespace(path=page.path)
    named = {v for u in owners for v in seen.pool(u, probe, name)} - mine  # type: ignore[arg-type]
    if named:
        return sorted(named)[:2]
    anything = {v for u in owners for vs in seen.named[u.username].values() for v in vs} - mine
    return sorted(anything)[:2]


async def test_a_foreign_record_id_in_any_page_url_answers_404_and_shows_nothing_of_it(
    portal: Any, signed_in: Any, seen: Harvest, hard_world: HardWorld
):
    pages = [p for p in portal_pages(portal.app) if p.params]
    wrong = []
    for page in pages:
        for role, client in signed_in.items():
            values = {n: _foreign_ids(seen, hard_world, page, n, role) for n in page.params}
            for i in range(2):
                filled = {n: (v[i % len(v)] if v else "x") for n, v in values.items()}
                path = PARAM.sub(lambda m, f=filled: f[m.group(1)], page.path)
                response = await client.get(portal.url + path)
                outside = bool(page.allowed) and role not in page.allowed
                want = 403 if outside else 404
                # the page may repeat its own address (a language link's ``next``); anything more is a leak
                shown = response.text.replace(path, "").replace(quote(path, safe=""), "")
                leaked = [v for v in filled.values() if v != "x" and v in shown]
                if response.status_code != want or leaked:
                    wrong.append((path, role, response.status_code, leaked))
    assert wrong == []


# --- HTML in every text field --------------------------------------------------------------------------
def _hostile(info: Any, value: Any) -> Any:
    """``value`` (a valid body) with every free-text field the type allows replaced by :data:`PAYLOAD`."""
    if isinstance(info, mi.StrType) and isinstance(value, str):
        fits = info.pattern is None and (info.max_length is None or info.max_length >= len(PAYLOAD))
        return PAYLOAD if fits else value
    if isinstance(info, mi.StructType | mi.TypedDictType | mi.DataclassType) and isinstance(value, dict):
        return {f.encode_name: _hostile(f.type, value[f.encode_name]) if f.encode_name in value else None
                for f in info.fields if f.encode_name in value}  # fmt: skip
    if isinstance(info, mi.ListType | mi.SetType | mi.FrozenSetType | mi.VarTupleType) and isinstance(
        value, list
    ):
        return [_hostile(info.item_type, item) for item in value]
    if isinstance(info, mi.UnionType):
        strings = [t for t in info.types if isinstance(t, mi.StrType)]
        if isinstance(value, str) and strings:
            return _hostile(strings[0], value)
        structs = [t for t in info.types if isinstance(t, mi.StructType)]
        if isinstance(value, dict) and structs:
            return _hostile(structs[0], value)
    return value


def hostile_body(route: Route) -> Any:
    built = MsgspecFactory.create_factory(route.body_type).build()
    return _hostile(mi.type_info(route.body_type), msgspec.to_builtins(built))


@pytest.fixture(scope="module")
async def injected(hard_world: HardWorld, api: dict[str, Any]) -> int:
    """HTML written into every free-text field of every create route school A's principal may call
    (and school A's name, through the bureau); returns how many writes were accepted."""
    principal = hard_world.schools["A"].users["principal"]
    MsgspecFactory.seed_random(11)  # the same bodies every run
    accepted = 0
    for route in ROUTES:
        if route.method != "POST" or "{" in route.path or "principal" not in route.allowed:
            continue
        if not (isinstance(route.body_type, type) and issubclass(route.body_type, msgspec.Struct)):
            continue  # no JSON body (uploads are the upload tests' business)
        body = hostile_body(route)
        response = await api[route.service].post(route.path, json=body, headers=principal.headers)
        assert response.status_code < 500, (route.id, response.text[:300])
        accepted += response.status_code < 300
    school = hard_world.schools["A"]
    renamed = await api["schools"].patch(
        f"/schools/{school.id}",
        json={"name": f"学校 {PAYLOAD}"[:120]},
        headers=hard_world.bureaus["X"].headers,
    )
    assert renamed.status_code == 200, renamed.text
    return accepted + 1


async def crawl(client: httpx.AsyncClient, base: str, limit: int = 120) -> dict[str, httpx.Response]:
    """The pages reachable from the home page by links, breadth first, at most ``limit``."""
    seen: dict[str, httpx.Response] = {}
    queue = deque(["/"])
    while queue and len(seen) < limit:
        path = queue.popleft()
        if path in seen:
            continue
        response = await client.get(base + path)
        seen[path] = response
        if "text/html" not in response.headers.get("content-type", ""):
            continue
        for href in re.findall(r'(?:href|hx-get)="([^"#]+)"', response.text):
            target = urlsplit(urljoin(base + path, html.unescape(href)))
            if target.netloc == urlsplit(base).netloc and not NOT_PAGES.match(target.path):
                queue.append(target.path + (f"?{target.query}" if target.query else ""))
    return seen


async def test_html_typed_into_text_fields_is_escaped_on_every_page_that_shows_it(
    portal: Any, signed_in: Any, injected: int
):
    assert injected >= 3  # the payload really went in through several create routes and a rename
    shown = []
    for role, client in signed_in.items():
        pages = await crawl(client, portal.url)
        assert len(pages) > 3, role
        for path, response in pages.items():
            assert response.status_code < 500, (role, path)
            assert_safe_page(path, response)
            if ESCAPED in response.text:
                shown.append((role, path))
    assert any(role == "bureau" for role, _ in shown)  # the renamed school, escaped, on the bureau's pages
    assert any(role == "principal" for role, _ in shown)


async def test_a_session_planted_before_sign_in_never_becomes_the_signed_in_one(
    portal: Any, hard_world: HardWorld
):
    """Session fixation: an attacker starts a sign-in, plants that session cookie in the victim's browser,
    the victim signs in — the attacker's cookie must still be signed out."""
    from tests.portal.conftest import follow

    async with httpx.AsyncClient(follow_redirects=False, timeout=60) as attacker:
        await follow(attacker, await attacker.get(portal.url + "/"))
        planted = attacker.cookies.get("safecampus_session")
        assert planted
        async with httpx.AsyncClient(
            follow_redirects=False, timeout=60, cookies={"safecampus_session": planted}
        ) as victim:
            victim_user = hard_world.schools["A"].users["principal"]
            landed = await sign_in(victim, portal.url, victim_user.username, PASSWORD)
            assert landed.status_code == 200
            issued = [c.value for c in victim.cookies.jar if c.name == "safecampus_session" and c.domain]
            assert issued and planted not in issued

        after = await attacker.get(portal.url + "/")
        assert after.status_code in (302, 303), after.status_code  # sent to sign in, not the victim's home
        assert victim_user.username not in after.text


async def test_a_form_post_with_another_sessions_csrf_token_is_refused(portal: Any, signed_in: Any):
    from tests.portal.conftest import csrf_of

    bureau, principal = signed_in["bureau"], signed_in["principal"]
    page = await principal.get(portal.url + "/notifications")
    assert page.status_code == 200
    foreign_token = csrf_of(page.text)
    answer = await bureau.post(portal.url + "/notifications/read-all", data={"_csrf_token": foreign_token})
    assert answer.status_code == 403
