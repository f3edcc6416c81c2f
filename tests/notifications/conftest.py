"""Helpers of the notification tests: users' ids and notifications written as the services write them."""

from __future__ import annotations

import base64
import json
import uuid
from typing import Any

from kit.db import Database
from kit.notifications import Notifications
from tenants import TenantContext
from tenants.roles import app_role
from tests.audit.conftest import migrator  # noqa: F401  (fixture)


def user_id(user: Any) -> str:
    """The ``sub`` of a test user's token: the id notifications are addressed to."""
    payload = user.token.split(".")[1]
    return str(json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))["sub"])


async def notify(
    settings: Any, tenant: TenantContext, recipient: str, *, title: str = "测试 / Test", **options: Any
) -> uuid.UUID:
    """One notification, written and committed the way a service's request or job does it."""
    database = Database(settings.sqlalchemy_url(app_role("schools"), "schools"), pool_size=1)
    try:
        async with database.transaction(tenant) as session:
            return await Notifications(session, "schools").notify(
                recipient, kind=options.pop("kind", "test.notice"), title=title, body="正文 / Body", **options
            )
    finally:
        await database.dispose()
