"""Outgoing e-mail through SMTP (``SMTP_URL``: ``smtp://host:port``; in the one-machine mode a local sink)."""

from __future__ import annotations

import asyncio
import os
import smtplib
from email.message import EmailMessage
from urllib.parse import urlparse

DEFAULT_SENDER = "SafeCampus <no-reply@safecampus.local>"


class MailNotConfiguredError(RuntimeError):
    """No SMTP server is configured."""


def _send(to: str, subject: str, body: str, sender: str) -> None:
    url = os.environ.get("SMTP_URL", "").strip()
    if not url:
        raise MailNotConfiguredError("SMTP_URL is not set")
    parts = urlparse(url)
    message = EmailMessage()
    message["From"] = sender
    message["To"] = to
    message["Subject"] = subject
    message.set_content(body)
    smtp_class = smtplib.SMTP_SSL if parts.scheme == "smtps" else smtplib.SMTP
    with smtp_class(parts.hostname or "127.0.0.1", parts.port or 25, timeout=15) as smtp:
        if parts.username:
            smtp.login(parts.username, parts.password or "")
        smtp.send_message(message)


async def send_mail(to: str, subject: str, body: str, sender: str = DEFAULT_SENDER) -> None:
    """Send a plain-text e-mail; raises on failure so that the calling job is retried."""
    await asyncio.to_thread(_send, to, subject, body, sender)
