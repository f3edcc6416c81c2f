# ruff: noqa: F811  (the fixtures imported from the helpers are the test functions' arguments)
"""The public QR channel through the portal: an anonymous page that shows nothing of the school, reports that
land in the principal's review queue, spam that is dropped, and the rate limit counted per browser address
(the portal passes the address it saw on; a header the browser sends itself, or a direct caller of the API,
cannot choose the address that is counted)."""

from __future__ import annotations

import re
import secrets
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx
import pytest

from tests.conftest import PASSWORD
from tests.portal.conftest import csrf_of, sign_in
from tests.portal.hazards_helpers import hazards_db, hazards_world, photo  # noqa: F401

pytestmark = pytest.mark.usefixtures("hazards_world")


@asynccontextmanager
async def browser_at(address: str) -> AsyncIterator[httpx.AsyncClient]:
    """An HTTP client whose connections come from ``address`` (any 127.x.y.z is this machine)."""
    transport = httpx.AsyncHTTPTransport(local_address=address)
    async with httpx.AsyncClient(transport=transport, follow_redirects=False, timeout=30) as client:
        yield client


def a_loopback_address() -> str:
    return f"127.{secrets.randbelow(200) + 20}.{secrets.randbelow(250) + 1}.{secrets.randbelow(250) + 1}"


@pytest.fixture
async def report_link(portal: Any, hazards_world: Any) -> str:
    """School A's public link, as its principal finds it on the review page."""
    async with httpx.AsyncClient(timeout=30) as client:
        page = await sign_in(
            client, portal.url, hazards_world["principal_a"].username, PASSWORD, "/hazards/review"
        )
    assert page.status_code == 200
    return str(re.search(r'<p class="link-box" id="report-link"><a href="([^"]+)"', page.text).group(1))  # type: ignore[union-attr]


async def send(client: httpx.AsyncClient, link: str, **fields: Any) -> httpx.Response:
    form = await client.get(link)
    assert form.status_code == 200
    data = {"_csrf_token": csrf_of(form.text), "category": "surroundings_vendors"} | fields
    return await client.post(link, data=data)


async def test_anyone_reports_through_the_qr_link_and_the_principal_takes_it_into_the_register(
    portal, hazards_world, report_link
):
    w = hazards_world
    school_name = w.school_codes[w.school_a][1]
    async with browser_at(a_loopback_address()) as anonymous:
        form = await anonymous.get(report_link)
        assert form.status_code == 200
        assert school_name not in form.text and w.school_codes[w.school_a][0] not in form.text
        assert 'class="main-nav"' not in form.text  # no menu, no account
        description = f"校门口有流动摊贩占道 {secrets.token_hex(3)}"
        bad = await anonymous.post(report_link, data={"_csrf_token": csrf_of(form.text), "description": "短"})
        assert bad.status_code == 422
        assert 'id="e-pub-category"' in bad.text and 'id="e-pub-description"' in bad.text
        thanks = await anonymous.post(
            report_link,
            data={"_csrf_token": csrf_of(form.text), "category": "surroundings_vendors", "description": description,
                  "place": "南门外", "area": "surroundings"},
            files={"photo": ("stall.jpg", photo(), "image/jpeg")},
        )  # fmt: skip
    assert thanks.status_code == 200
    reference = re.search(r'id="public-reference">([^<]+)<', thanks.text).group(1)  # type: ignore[union-attr]
    assert school_name not in thanks.text

    async with httpx.AsyncClient(timeout=30) as principal:
        queue = await sign_in(principal, portal.url, w["principal_a"].username, PASSWORD, "/hazards/review")
        section = queue.text[queue.text.index(f'data-report="{reference}"') :]
        assert description in section[:3000]
        assert '<img class="hazard-photo" src="/hazards/photos/' in section[:3000]
        report_id = re.search(r'action="/hazards/review/([0-9a-f-]{36})/accept"', section).group(1)  # type: ignore[union-attr]
        refused = await principal.post(
            f"{portal.url}/hazards/review/{report_id}/accept", data={"_csrf_token": csrf_of(queue.text)}
        )
        assert refused.status_code == 422
        assert (
            f'id="e-acc-{report_id}-title"' in refused.text and f'id="e-acc-{report_id}-area"' in refused.text
        )
        accepted = await principal.post(
            f"{portal.url}/hazards/review/{report_id}/accept",
            data={"_csrf_token": csrf_of(queue.text), "title": "南门外流动摊贩占道", "area": "surroundings"},
        )
        assert accepted.status_code == 303
        register = await principal.get(portal.url + "/hazards?q=南门外流动摊贩占道")
        assert "南门外流动摊贩占道" in register.text
    async with httpx.AsyncClient(timeout=30) as other:
        await sign_in(other, portal.url, w["principal_b"].username, PASSWORD, "/hazards/review")
        assert reference not in (await other.get(portal.url + "/hazards/review")).text


async def test_a_malformed_link_answers_404_and_an_unknown_one_refuses_the_report(portal):
    """The page cannot tell a well-formed unknown link from a real one without a report (it asks the API
    nothing of the school); the report to an unknown link is refused like the API refuses it."""
    async with browser_at(a_loopback_address()) as anonymous:
        for token in ("bad token!", "x", "a" * 200):  # no link looks like these: not even a form
            answer = await anonymous.get(f"{portal.url}/report/{token}")
            assert answer.status_code == 404, token
            assert '<form method="post" action="/report/' not in answer.text
        unknown = await send(anonymous, f"{portal.url}/report/{'a' * 22}", description="有人在学校门口卖烟花")
    assert unknown.status_code == 404


async def test_the_spam_trap_answers_like_a_success_and_nothing_reaches_the_queue(
    portal, hazards_world, report_link
):
    marker = f"spam {secrets.token_hex(4)}"
    async with browser_at(a_loopback_address()) as robot:
        answer = await send(
            robot, report_link, description=f"buy cheap watches {marker}", website="http://spam.example"
        )
    assert answer.status_code == 200 and 'id="public-reference"' in answer.text
    async with httpx.AsyncClient(timeout=30) as principal:
        queue = await sign_in(
            principal, portal.url, hazards_world["principal_a"].username, PASSWORD, "/hazards/review"
        )
    assert marker not in queue.text


async def test_the_limit_counts_the_browsers_address_and_a_header_of_its_own_does_not_escape_it(
    portal, api_urls, report_link
):
    token = report_link.rsplit("/", 1)[1]
    busy = a_loopback_address()
    async with browser_at(busy) as browser:
        for n in range(10):
            answer = await send(browser, report_link, description=f"第 {n} 条：门口积水结冰很滑")
            assert answer.status_code == 200, (n, answer.text[:300])
        # the eleventh from the same browser: refused, whatever it claims its address is
        form = await browser.get(report_link)
        refused = await browser.post(
            report_link,
            data={
                "_csrf_token": csrf_of(form.text),
                "category": "traffic",
                "description": "第十一条：门口积水",
            },
            headers={"X-Forwarded-For": a_loopback_address()},
        )
    assert refused.status_code == 429
    assert "110" in refused.text
    # another browser is not held back by the first one's reports
    async with browser_at(a_loopback_address()) as neighbour:
        assert (await send(neighbour, report_link, description="路口红绿灯坏了很久")).status_code == 200

    # the API itself counts a direct caller by its own address: a forwarded header from anyone but the
    # portal's host is not believed
    direct = a_loopback_address()
    async with browser_at(direct) as caller:
        for n in range(11):
            answer = await caller.post(
                f"{api_urls['hazards']}/public/reports/{token}",
                data={"category": "traffic", "description": f"直接调用第 {n} 条：路面塌陷"},
                headers={"X-Forwarded-For": a_loopback_address()},
            )
            if n < 10:
                assert answer.status_code == 202, (n, answer.text)
    assert answer.status_code == 429
    assert answer.headers["retry-after"]
