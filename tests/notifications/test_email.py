"""Notification e-mails go out through SMTP after the commit; in the one-machine mode the local mail sink
catches them and shows them. An e-mail is not lost when SMTP or the broker is down for a while."""

from __future__ import annotations

import asyncio
import secrets
import socket
import uuid

import pytest
from litestar.testing import AsyncTestClient
from sqlalchemy import text

from kit.db import Database
from kit.mailsink import create_mailsink_app
from kit.notifications import Notifications, bilingual
from kit.settings import Settings
from tenants import TenantContext
from tenants.roles import app_role
from tests.notifications.conftest import notify, user_id


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def _received(reader, address: str, count: int = 1, timeout: float = 20.0) -> list[dict]:
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        messages = (await reader.get("/messages", params={"to": address})).json()
        if len(messages) >= count or asyncio.get_running_loop().time() > deadline:
            return messages
        await asyncio.sleep(0.1)


@pytest.fixture
async def sink(stack, tmp_path, monkeypatch):
    """The mail sink on a free port, with every process-level SMTP_URL pointing at it."""
    port = _free_port()
    monkeypatch.setenv("SMTP_URL", f"smtp://127.0.0.1:{port}")
    app = create_mailsink_app(stack.settings, tmp_path / "mail", smtp_host="127.0.0.1", smtp_port=port)
    async with AsyncTestClient(app) as reader:
        yield reader


async def test_an_email_notification_reaches_the_mail_sink_where_it_can_be_read(
    stack, world, worker, app_client, sink
):
    address = f"teacher-{secrets.token_hex(3)}@test.example"
    title = bilingual("隐患整改逾期提醒", "Hazard rectification overdue")
    notification = await notify(
        stack.settings,
        TenantContext.for_school(world.county_x, world.school_a, actor="actor:test"),
        user_id(world["teacher_a"]),
        title=title,
        email=address,
        link="http://127.0.0.1:8100/hazards/42",
    )

    (message,) = await _received(sink, address)
    assert message["subject"] == "隐患整改逾期提醒 / Hazard rectification overdue"
    assert message["to"] == [address]
    assert (
        "正文 / Body" in message["text"]
        and "链接 / Link: http://127.0.0.1:8100/hazards/42" in message["text"]
    )
    one = await sink.get(f"/messages/{message['id']}")
    assert one.json() == message
    raw = await sink.get(f"/messages/{message['id']}/raw")
    assert raw.headers["content-type"].startswith("message/rfc822") and b"Subject:" in raw.content
    page = await sink.get("/")
    assert "隐患整改逾期提醒" in page.text and address in page.text
    assert (await sink.get("/messages/../../etc/passwd")).status_code == 404
    # The in-app notification is there too.
    inbox = (await app_client.get("/notifications", headers=world["teacher_a"].headers)).json()
    assert str(notification) in [item["id"] for item in inbox["items"]]


async def _delivery_state(stack, notification_id: uuid.UUID):
    import asyncpg

    from tenants.roles import MIGRATOR

    conn = await asyncpg.connect(stack.settings.database_dsn(MIGRATOR, "migrator"))
    try:
        return await conn.fetchrow(
            "SELECT email_sent_at, email_attempts, email_error FROM schools.notifications WHERE id = $1",
            notification_id,
        )
    finally:
        await conn.close()


async def test_an_email_lost_to_an_smtp_and_broker_outage_is_delivered_later(
    stack, world, worker, app_client, tmp_path, monkeypatch
):
    from schools.domain.notifications.jobs import sweep

    address = f"principal-{secrets.token_hex(3)}@test.example"
    school_a = TenantContext.for_school(world.county_x, world.school_a, actor="actor:test")
    database = Database(stack.settings.sqlalchemy_url(app_role("schools"), "schools"), pool_size=1)
    notification_id = uuid.uuid4()
    try:
        # A notification whose e-mail job never reached the broker (it was down when the write committed).
        async with database.transaction(school_a) as session:
            await session.execute(
                text(
                    "INSERT INTO schools.notifications (id, county_id, school_id, recipient_id, kind, title, body,"
                    " email_to, created_at) VALUES (:id, :county, :school, :recipient, 'test.notice', '标题 / Title',"
                    " '正文 / Body', :email, now() - interval '10 minutes')"
                ),
                {
                    "id": notification_id,
                    "county": world.county_x,
                    "school": world.school_a,
                    "recipient": user_id(world["principal_a"]),
                    "email": address,
                },
            )
        # SMTP is down too: an attempt records the failure on the row and sends nothing.
        monkeypatch.setenv("SMTP_URL", f"smtp://127.0.0.1:{_free_port()}")
        async with database.transaction(school_a) as session:
            await Notifications(session, "schools").deliver_email(notification_id)
        state = await _delivery_state(stack, notification_id)
        assert state["email_sent_at"] is None and state["email_attempts"] == 1
        assert "Connection" in state["email_error"]

        # The sweep's directory lists the tenant (ids only), and the tenant's sweep finds the e-mail.
        async with database.transaction(None) as session:
            listed = (
                await session.execute(text("SELECT * FROM schools.tenants_with_unsent_email(now(), 8)"))
            ).all()
        assert (world.county_x, world.school_a) in [tuple(row) for row in listed]
        async with database.transaction(school_a) as session:
            assert notification_id in await Notifications(session, "schools").pending_emails()
    finally:
        await database.dispose()

    # Both are back: the scheduler's sweep for the school enqueues the e-mail and a worker sends it.
    port = _free_port()
    monkeypatch.setenv("SMTP_URL", f"smtp://127.0.0.1:{port}")
    app = create_mailsink_app(stack.settings, tmp_path / "mail", smtp_host="127.0.0.1", smtp_port=port)
    async with AsyncTestClient(app) as reader:
        await asyncio.to_thread(sweep.send, str(world.county_x), str(world.school_a), period="test")
        (message,) = await _received(reader, address)
        assert message["subject"] == "标题 / Title"
        state = await _delivery_state(stack, notification_id)
        assert (
            state["email_sent_at"] is not None and state["email_attempts"] == 2 and state["email_error"] == ""
        )
        # Another sweep or a late retry finds it sent and sends nothing more.
        await asyncio.to_thread(sweep.send, str(world.county_x), str(world.school_a), period="test-2")
        await asyncio.sleep(1.0)
        assert len((await reader.get("/messages", params={"to": address})).json()) == 1


def test_the_mail_sink_refuses_to_run_in_production(tmp_path):
    with pytest.raises(RuntimeError, match="development only"):
        create_mailsink_app(
            Settings(env="production"), tmp_path, smtp_host="127.0.0.1", smtp_port=_free_port()
        )
