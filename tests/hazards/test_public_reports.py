"""The public reporting channel: anyone with a school's QR link reports anonymously into the school's review
queue. It is the one route without a token, so it must give nothing away, throttle abuse and drop spam."""

from __future__ import annotations

import asyncio
import io
import secrets
import uuid
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from tests.hazards.conftest import JPEG, PROBLEM, user_id

pytestmark = pytest.mark.usefixtures("hazards_world")

FORM = {"category": "surroundings_vendors", "description": "校门口有流动摊贩售卖三无食品", "place": "南门外"}


def _with_client_address(app: Any) -> Any:
    """Like a trusted proxy (uvicorn's proxy headers): the client address comes from ``X-Test-Client``."""

    async def asgi(scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] == "http":
            for name, value in scope["headers"]:
                if name == b"x-test-client":
                    scope = {**scope, "client": (value.decode(), 40000)}
        await app(scope, receive, send)

    return asgi


@pytest.fixture(scope="module")
async def public(stack, broker, file_store, hazards_clock) -> AsyncIterator[httpx.AsyncClient]:
    """The hazards API with small public-channel limits: 3 reports per client, 4 per link (per hour)."""
    from hazards.app import create_app
    from hazards.domain.reports.limits import ChannelLimits

    app = create_app(
        stack.settings,
        store=file_store,
        clock=hazards_clock,
        report_limits=ChannelLimits(per_client=3, per_link=4),
    )
    transport = httpx.ASGITransport(app=_with_client_address(app))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        yield client
    await app.state.database.dispose()


def _address() -> str:
    return f"203.0.113.{secrets.randbelow(250) + 1}:{secrets.token_hex(4)}"


async def _link(hazards_client, user, *, rotate: bool = False) -> dict[str, Any]:
    if rotate:
        response = await hazards_client.post("/report-link/rotate", headers=user.headers)
    else:
        response = await hazards_client.get("/report-link", headers=user.headers)
    assert response.status_code == 200, response.text
    return dict(response.json())


async def _send(
    client, link: dict[str, Any], address: str, form: dict[str, str] | None = None, photo: bytes | None = None
):
    files = {"photo": ("p.jpg", io.BytesIO(photo), "image/jpeg")} if photo else None
    return await client.post(link["path"], data=form or FORM, files=files, headers={"X-Test-Client": address})


async def _queue(hazards_client, user, status: str = "pending") -> list[dict[str, Any]]:
    response = await hazards_client.get(f"/public-reports?status={status}&limit=200", headers=user.headers)
    assert response.status_code == 200
    return list(response.json()["items"])


async def test_an_anonymous_report_gets_a_receipt_that_exposes_nothing_of_the_school(
    hazards_client, hazards_world, public
):
    w = hazards_world
    link = await _link(hazards_client, w["principal_a"], rotate=True)  # a fresh link: its own per-link count
    response = await _send(public, link, _address(), photo=JPEG)
    assert response.status_code == 202, response.text
    receipt = response.json()
    assert set(receipt) == {"status", "reference"} and receipt["status"] == "received"
    body = response.text
    code, name = w.school_codes[w.school_a]
    for secret in (str(w.school_a), str(w.county_x), code, name, "学校"):
        assert secret not in body
    assert not any(h.lower().startswith("set-cookie") for h in response.headers)
    queued = [
        r for r in await _queue(hazards_client, w["principal_a"]) if r["reference"] == receipt["reference"]
    ]
    assert len(queued) == 1
    assert queued[0]["description"] == FORM["description"] and len(queued[0]["photos"]) == 1
    assert receipt["reference"] not in {
        r["reference"] for r in await _queue(hazards_client, w["principal_b"])
    }


async def test_an_unknown_malformed_or_rotated_link_answers_the_same_404(
    hazards_client, hazards_world, public
):
    w = hazards_world
    old = await _link(hazards_client, w["principal_b"])
    await _link(hazards_client, w["principal_b"], rotate=True)
    answers = [
        await _send(public, old, _address()),
        await _send(public, {"path": f"/public/reports/{secrets.token_urlsafe(16)}"}, _address()),
        await _send(public, {"path": "/public/reports/not*a*token*at*all"}, _address()),
        await _send(public, {"path": f"/public/reports/{w.school_b!s}"}, _address()),
    ]
    assert [a.status_code for a in answers] == [404] * 4
    assert all(a.headers["content-type"].startswith(PROBLEM) for a in answers)
    assert {a.json()["detail"] for a in answers} == {"this reporting link is not valid"}


async def test_no_token_is_needed_and_a_token_changes_nothing(hazards_client, hazards_world, public):
    w = hazards_world
    link = await _link(hazards_client, w["principal_a"], rotate=True)  # a fresh link: its own per-link count
    response = await public.post(
        link["path"], data=FORM | {"description": "带着别人令牌的匿名举报"},
        headers={"X-Test-Client": _address(), **w["bureau_y"].headers},
    )  # fmt: skip
    assert response.status_code == 202


async def test_a_client_is_limited_to_three_reports_an_hour(hazards_client, hazards_world, public):
    w = hazards_world
    link = await _link(hazards_client, w["principal_a"], rotate=True)  # a fresh link: its own per-link count
    address = _address()
    codes = [
        (await _send(public, link, address, FORM | {"description": f"第 {i} 条举报内容"})).status_code
        for i in range(3)
    ]
    assert codes == [202, 202, 202]
    limited = await _send(public, link, address, FORM | {"description": "第四条举报内容"})
    assert limited.status_code == 429
    assert 0 < int(limited.headers["Retry-After"]) <= 3600
    # guessing tokens counts against the same limit
    guess = await _send(public, {"path": f"/public/reports/{secrets.token_urlsafe(16)}"}, address)
    assert guess.status_code == 429
    # another client is not affected
    assert (
        await _send(public, link, _address(), FORM | {"description": "另一个人的举报"})
    ).status_code == 202


async def test_a_link_takes_at_most_four_reports_an_hour_from_everybody(
    hazards_client, hazards_world, public
):
    w = hazards_world
    link = await _link(hazards_client, w["principal_b"], rotate=True)
    codes = [
        (await _send(public, link, _address(), FORM | {"description": f"不同的人举报 {i}"})).status_code
        for i in range(5)
    ]
    assert codes == [202, 202, 202, 202, 429]
    queued = [
        r
        for r in await _queue(hazards_client, w["principal_b"])
        if r["description"].startswith("不同的人举报")
    ]
    assert len(queued) == 4


async def test_spam_is_acknowledged_and_dropped(hazards_client, hazards_world, public):
    w = hazards_world
    link = await _link(hazards_client, w["principal_a"], rotate=True)  # a fresh link: its own per-link count
    address = _address()
    marker = secrets.token_hex(4)
    trap = await _send(
        public, link, address, FORM | {"description": f"正常内容 {marker}", "website": "http://spam.example"}
    )
    links = await _send(
        public,
        link,
        _address(),
        FORM | {"description": f"{marker} http://a.example http://b.example www.c.example"},
    )
    first = await _send(public, link, address, FORM | {"description": f"重复提交 {marker}"})
    again = await _send(public, link, address, FORM | {"description": f"重复提交 {marker}"})
    assert [r.status_code for r in (trap, links, first, again)] == [202] * 4
    assert all(set(r.json()) == {"status", "reference"} for r in (trap, links, again))
    queued = [r for r in await _queue(hazards_client, w["principal_a"]) if marker in r["description"]]
    assert [r["description"] for r in queued] == [f"重复提交 {marker}"]


async def test_an_invalid_form_is_refused_and_nothing_is_queued(hazards_client, hazards_world, public):
    w = hazards_world
    link = await _link(hazards_client, w["principal_a"], rotate=True)  # a fresh link: its own per-link count
    marker = secrets.token_hex(4)
    no_text = await _send(public, link, _address(), {"category": "fire", "place": marker})
    bad_category = await _send(
        public, link, _address(), {"category": "aliens", "description": f"内容 {marker}"}
    )
    not_a_photo = await _send(
        public, link, _address(), FORM | {"description": f"附件 {marker}"}, photo=b"%!PS-Adobe" * 20
    )
    assert [r.status_code for r in (no_text, bad_category, not_a_photo)] == [422, 422, 415]
    assert not [
        r
        for r in await _queue(hazards_client, w["principal_a"])
        if marker in r["description"] + r["location_text"]
    ]


async def test_the_principal_takes_a_report_into_the_register(hazards_client, hazards_world, public):
    w = hazards_world
    link = await _link(hazards_client, w["principal_a"], rotate=True)  # a fresh link: its own per-link count
    receipt = (
        await _send(public, link, _address(), FORM | {"description": "围墙有一处破洞可进入校园"}, photo=JPEG)
    ).json()
    report = next(
        r for r in await _queue(hazards_client, w["principal_a"]) if r["reference"] == receipt["reference"]
    )
    assert (await hazards_client.post(f"/public-reports/{report['id']}/accept", json={"title": "围墙破洞"},
                                      headers=w["principal_a"].headers)).status_code == 422  # no area given  # fmt: skip
    accepted = await hazards_client.post(
        f"/public-reports/{report['id']}/accept",
        json={"title": "围墙破洞", "area": "surroundings", "severity": "major"},
        headers=w["principal_a"].headers,
    )
    assert accepted.status_code == 201, accepted.text
    assert accepted.json()["status"] == "accepted"
    hazard = (await hazards_client.get(accepted.headers["location"], headers=w["principal_a"].headers)).json()
    assert (hazard["source"], hazard["status"], hazard["severity"]) == ("public_report", "reported", "major")
    assert len(hazard["photos"]) == 1
    assert hazard["history"][0]["details"]["public_report"] == receipt["reference"]
    again = await hazards_client.post(
        f"/public-reports/{report['id']}/dismiss", json={"reason": "重复"}, headers=w["principal_a"].headers
    )
    assert again.status_code == 409


async def test_the_principal_dismisses_spam_and_other_schools_cannot_see_it(
    hazards_client, hazards_world, public
):
    w = hazards_world
    link = await _link(hazards_client, w["principal_a"], rotate=True)  # a fresh link: its own per-link count
    receipt = (await _send(public, link, _address(), FORM | {"description": "广告广告广告广告"})).json()
    report = next(
        r for r in await _queue(hazards_client, w["principal_a"]) if r["reference"] == receipt["reference"]
    )
    assert (
        await hazards_client.get(f"/public-reports/{report['id']}", headers=w["principal_b"].headers)
    ).status_code == 404
    dismissed = await hazards_client.post(
        f"/public-reports/{report['id']}/dismiss",
        json={"reason": "广告", "spam": True},
        headers=w["principal_a"].headers,
    )
    assert dismissed.status_code == 200
    assert (dismissed.json()["status"], dismissed.json()["spam"]) == ("dismissed", True)
    assert report["id"] not in {r["id"] for r in await _queue(hazards_client, w["principal_a"])}


async def test_the_principal_is_notified_of_a_new_report(hazards_client, hazards_world, public, worker):
    w = hazards_world
    link = await _link(hazards_client, w["principal_a"], rotate=True)  # a fresh link: its own per-link count
    receipt = (await _send(public, link, _address(), FORM | {"description": "操场围栏松动有倒塌风险"})).json()
    for _ in range(100):
        page = (await hazards_client.get("/notifications?limit=200", headers=w["principal_a"].headers)).json()
        mine = [n for n in page["items"] if receipt["reference"] in n["title"]]
        if mine:
            break
        await asyncio.sleep(0.2)
    assert mine, "no notification reached the principal"
    assert mine[0]["kind"] == "hazards.public_report"
    others = (await hazards_client.get("/notifications?limit=200", headers=w["teacher_a"].headers)).json()
    assert not [n for n in others["items"] if receipt["reference"] in n["title"]]
    assert user_id(w["principal_a"]) != user_id(w["teacher_a"])


async def test_the_report_link_belongs_to_the_principal(hazards_client, hazards_world):
    w = hazards_world
    assert (await hazards_client.get("/report-link", headers=w["teacher_a"].headers)).status_code == 403
    first = await _link(hazards_client, w["principal_a"])
    again = await _link(hazards_client, w["principal_a"])
    assert first["token"] == again["token"]
    assert uuid.UUID(int=0).hex not in first["path"]
