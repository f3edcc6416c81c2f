"""The portal and the schools API as real HTTP servers (uvicorn in background threads), signed in through
the test identity server; a browser for the Playwright tests; HTTP helpers that sign in like a browser."""

from __future__ import annotations

import html
import os
import re
import secrets
import socket
import threading
import time
from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urljoin

import httpx
import pytest
import uvicorn

REPO_ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = REPO_ROOT / ".data" / "screenshots"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
SESSION_SECRET = secrets.token_urlsafe(32)


@contextmanager
def serving(app_for_port: Any, *, name: str) -> Iterator[str]:
    """Serve the ASGI app that ``app_for_port(port)`` builds on a free loopback port; yields its URL."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    server = uvicorn.Server(
        uvicorn.Config(
            app_for_port(port),
            log_level="warning",
            access_log=False,
            lifespan="on",
            timeout_graceful_shutdown=3,
        )
    )
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, name=name, daemon=True)
    thread.start()
    try:
        deadline = time.monotonic() + 30
        while not server.started:
            if not thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError(f"{name} did not start")
            time.sleep(0.02)
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()


@contextmanager
def serving_api(service: str, stack: Any) -> Iterator[str]:
    """A service's API (``<service>.app.create_app``) as a real server."""
    from importlib import import_module

    create_app = import_module(f"{service}.app").create_app
    with serving(lambda port: create_app(stack.settings), name=f"{service}-api") as url:
        yield url


@pytest.fixture(scope="session")
def schools_api(stack: Any, broker: Any) -> Iterator[str]:
    with serving_api("schools", stack) as url:
        yield url


@pytest.fixture(scope="session")
def hazards_api(stack: Any, broker: Any) -> Iterator[str]:
    with serving_api("hazards", stack) as url:
        yield url


@pytest.fixture(scope="session")
def personnel_api(stack: Any, broker: Any) -> Iterator[str]:
    with serving_api("personnel", stack) as url:
        yield url


@pytest.fixture(scope="session")
def evaluation_api(stack: Any, broker: Any) -> Iterator[str]:
    with serving_api("evaluation", stack) as url:
        yield url


@pytest.fixture(scope="session")
def api_urls(schools_api: str, hazards_api: str, personnel_api: str, evaluation_api: str) -> dict[str, str]:
    """Every service API as a real server, by the name the portal's calls use."""
    return {
        "schools": schools_api,
        "hazards": hazards_api,
        "personnel": personnel_api,
        "evaluation": evaluation_api,
    }


@dataclass
class Portal:
    url: str
    app: Any

    @property
    def sessions(self) -> Any:
        return self.app.stores.get("sessions")


def portal_settings(stack: Any, api_urls: dict[str, str], public_url: str) -> Any:
    from portal.settings import PortalSettings

    return PortalSettings(
        base=stack.settings,
        client_secret=os.environ["SAFECAMPUS_PORTAL_CLIENT_SECRET"],
        session_secret=SESSION_SECRET,
        public_url=public_url,
        schools_api_url=api_urls["schools"],
        hazards_api_url=api_urls["hazards"],
        personnel_api_url=api_urls["personnel"],
        evaluation_api_url=api_urls["evaluation"],
    )


@pytest.fixture(scope="session")
def portal(stack: Any, api_urls: dict[str, str]) -> Iterator[Portal]:
    from portal.app import create_app

    built: dict[str, Any] = {}

    def build(port: int) -> Any:
        built["app"] = create_app(portal_settings(stack, api_urls, f"http://127.0.0.1:{port}"))
        return built["app"]

    with serving(build, name="portal") as url:
        yield Portal(url, built["app"])


async def fresh_headers(stack: Any, user: Any) -> dict[str, str]:
    """A bearer header with a new token (the session-wide ``world`` tokens expire after five minutes)."""
    from tests.conftest import user_token

    return {"Authorization": f"Bearer {await user_token(stack.settings, user.username)}"}


# --- signing in over plain HTTP -------------------------------------------------------------------------
def idp_form(page: str) -> tuple[str, dict[str, str]]:
    """The action and hidden fields of the identity server's login form."""
    action = html.unescape(re.search(r"<form[^>]*action='([^']*)'", page).group(1))  # type: ignore[union-attr]
    hidden = {
        html.unescape(name): html.unescape(value)
        for name, value in re.findall(r"<input type='hidden' name='([^']*)' value='([^']*)'>", page)
    }
    return action, hidden


def csrf_of(page: str) -> str:
    """The CSRF token a portal page carries in its forms."""
    return re.search(r'name="_csrf_token" value="([^"]+)"', page).group(1)  # type: ignore[union-attr]


async def follow(client: httpx.AsyncClient, response: httpx.Response, limit: int = 10) -> httpx.Response:
    """Follow redirects one by one (across the portal and the identity server)."""
    for _ in range(limit):
        if response.status_code not in (301, 302, 303, 307, 308):
            return response
        response = await client.get(urljoin(str(response.url), response.headers["location"]))
    raise AssertionError("too many redirects")


async def sign_in(
    client: httpx.AsyncClient, portal_url: str, username: str, password: str, path: str = "/"
) -> httpx.Response:
    """Open ``path`` signed out, sign in at the identity server, and land back (the final response)."""
    page = await follow(client, await client.get(portal_url + path))
    assert "kc-form-login" in page.text, page.text[:500]
    action, hidden = idp_form(page.text)
    answer = await client.post(action, data={**hidden, "username": username, "password": password})
    return await follow(client, answer)


@pytest.fixture
async def http() -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(follow_redirects=False, timeout=30) as client:
        yield client


# --- the browser ----------------------------------------------------------------------------------------
@pytest.fixture(scope="session")
async def browser() -> AsyncIterator[Any]:
    from playwright.async_api import async_playwright

    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: run scripts/ensure-browser (make test does)")
    async with async_playwright() as playwright:
        launched = await playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield launched
        await launched.close()
