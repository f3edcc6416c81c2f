"""The local SMTP sink of the one-machine mode (development only).

``safecampus mail serve`` accepts every e-mail on ``127.0.0.1:1025`` (``SMTP_URL=smtp://127.0.0.1:1025``
for the other processes), delivers nothing, and keeps each message as an ``.eml`` file under
``.data/mail/``. A read-only web page on ``http://127.0.0.1:8025/`` lists them, newest first, so that
invitation, welcome and reminder e-mails are visible in the demo:

- ``GET /`` — the messages as a page (recipient, subject, time, the text);
- ``GET /messages`` — the same as JSON (``?to=`` filters by recipient), for the portal and tests;
- ``GET /messages/{id}`` — one message as JSON; ``GET /messages/{id}/raw`` — the ``.eml`` file.

It refuses to start in production.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import email.policy
import html
import re
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from email import message_from_bytes
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import msgspec
from aiosmtpd.smtp import SMTP, Envelope, Session
from litestar import Litestar, MediaType, Response, get
from litestar.exceptions import NotFoundException
from litestar.params import FromPath, FromQuery

from kit.logging import configure_logging, get_logger
from kit.problems import EXCEPTION_HANDLERS
from kit.settings import Settings

log = get_logger(__name__)
_ID = re.compile(r"^[0-9]{8}T[0-9]{12}-[0-9a-f]{8}$")


class MailSummary(msgspec.Struct):
    id: str
    received_at: dt.datetime
    sender: str
    to: list[str]
    subject: str


class MailMessage(MailSummary):
    text: str


class MailStore:
    """``.eml`` files in one directory; the file name is the message id (time received + random)."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        directory.mkdir(parents=True, exist_ok=True)

    def save(self, content: bytes) -> str:
        now = dt.datetime.now(dt.UTC)
        message_id = f"{now:%Y%m%dT%H%M%S%f}-{uuid.uuid4().hex[:8]}"
        partial = self.directory / f".{message_id}.tmp"
        partial.write_bytes(content)
        partial.rename(self.directory / f"{message_id}.eml")  # readers never see half a message
        return message_id

    def raw(self, message_id: str) -> bytes | None:
        if not _ID.match(message_id):
            return None
        path = self.directory / f"{message_id}.eml"
        return path.read_bytes() if path.is_file() else None

    def get(self, message_id: str) -> MailMessage | None:
        raw = self.raw(message_id)
        return None if raw is None else _parse(message_id, raw)

    def messages(self, to: str | None = None) -> list[MailMessage]:
        """Every message, newest first (optionally only those to ``to``)."""
        found = []
        for path in sorted(self.directory.glob("*.eml"), reverse=True):
            message = _parse(path.stem, path.read_bytes())
            if to is None or to.lower() in (address.lower() for address in message.to):
                found.append(message)
        return found


def _parse(message_id: str, raw: bytes) -> MailMessage:
    parsed = message_from_bytes(raw, policy=email.policy.default)
    assert isinstance(parsed, EmailMessage)
    body = parsed.get_body(preferencelist=("plain", "html"))
    text = body.get_content() if isinstance(body, EmailMessage) else ""
    received = dt.datetime.strptime(message_id[:21], "%Y%m%dT%H%M%S%f").replace(tzinfo=dt.UTC)
    return MailMessage(
        id=message_id,
        received_at=received,
        sender=str(parsed.get("From", "")),
        to=[address.strip() for address in str(parsed.get("To", "")).split(",") if address.strip()],
        subject=str(parsed.get("Subject", "")),
        text=str(text).replace("\r\n", "\n"),
    )


class _SaveEveryMessage:
    """aiosmtpd handler: accept every recipient and keep the message."""

    def __init__(self, store: MailStore) -> None:
        self.store = store

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        content = envelope.original_content or b""
        message_id = self.store.save(content)
        log.info("mail_received", id=message_id, to=envelope.rcpt_tos)
        return "250 Message accepted"


def _page(messages: list[MailMessage]) -> str:
    rows = "".join(
        "<details><summary>"
        f"<time>{m.received_at:%Y-%m-%d %H:%M:%S}</time> · <b>{html.escape(', '.join(m.to))}</b> · "
        f"{html.escape(m.subject)}</summary>"
        f"<p>From: {html.escape(m.sender)} · <a href='/messages/{m.id}/raw'>.eml</a></p>"
        f"<pre>{html.escape(m.text)}</pre></details>"
        for m in messages
    )
    return (
        "<!doctype html><html lang='zh-Hans'><head><meta charset='utf-8'>"
        "<meta name='viewport' content='width=device-width, initial-scale=1'>"
        "<title>SafeCampus 邮件 / mail sink</title><style>body{font-family:sans-serif;margin:1rem;max-width:60rem}"
        "summary{cursor:pointer;padding:.4rem 0}pre{white-space:pre-wrap;background:#f4f4f4;padding:.6rem}"
        "</style></head><body><h1>SafeCampus 邮件 / mail sink (dev)</h1>"
        f"<p>{len(messages)} 封邮件 / messages. JSON: <a href='/messages'>/messages</a></p>"
        f"{rows or '<p>暂无邮件 / No mail yet.</p>'}</body></html>"
    )


def create_mailsink_app(settings: Settings, directory: Path, *, smtp_host: str, smtp_port: int) -> Litestar:
    """The reader (an ASGI app) whose lifespan also runs the SMTP server on the same event loop."""
    if settings.is_production:
        raise RuntimeError("the mail sink is for development only and refuses to run in production")
    configure_logging(settings.log_level, settings.log_json)
    store = MailStore(directory)
    handler = _SaveEveryMessage(store)

    @asynccontextmanager
    async def smtp_server(app: Litestar) -> AsyncIterator[None]:
        loop = asyncio.get_running_loop()
        server = await loop.create_server(
            lambda: SMTP(handler, hostname="safecampus-mailsink", enable_SMTPUTF8=True), smtp_host, smtp_port
        )
        log.info("mailsink_listening", smtp=f"{smtp_host}:{smtp_port}", directory=str(directory))
        try:
            yield
        finally:
            server.close()
            await server.wait_closed()

    @get("/", media_type=MediaType.HTML, include_in_schema=False, sync_to_thread=True)
    def page() -> str:
        return _page(store.messages())

    @get("/health", include_in_schema=False, sync_to_thread=False)
    def health() -> dict[str, str]:
        return {"status": "ok"}

    @get("/messages", sync_to_thread=True)
    def messages(to: FromQuery[str | None] = None) -> list[MailMessage]:
        return store.messages(to)

    @get("/messages/{message_id:str}", sync_to_thread=True)
    def message(message_id: FromPath[str]) -> MailMessage:
        found = store.get(message_id)
        if found is None:
            raise NotFoundException("no such message")
        return found

    @get("/messages/{message_id:str}/raw", sync_to_thread=True)
    def raw(message_id: FromPath[str]) -> Response[bytes]:
        content = store.raw(message_id)
        if content is None:
            raise NotFoundException("no such message")
        return Response(content, media_type="message/rfc822")

    handlers: Any = [page, health, messages, message, raw]
    return Litestar(route_handlers=handlers, lifespan=[smtp_server], exception_handlers=EXCEPTION_HANDLERS)


def serve(settings: Settings, directory: Path, *, smtp_port: int, port: int, host: str = "127.0.0.1") -> None:
    """Run the sink until interrupted (``safecampus mail serve``)."""
    import uvicorn

    app = create_mailsink_app(settings, directory, smtp_host=host, smtp_port=smtp_port)
    uvicorn.run(app, host=host, port=port, log_config=None, access_log=False)
