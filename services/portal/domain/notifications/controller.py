"""Every user's notifications."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from litestar import Controller, Request, Response, get, post
from litestar.params import FromPath, QueryParameter
from litestar.response import Redirect

from kit.auth import requires_role
from portal.api import UserApi
from portal.domain.notifications.client import list_notifications, mark_all_read, mark_read
from portal.nav import ALL_ROLES
from portal.web import page

PAGE_SIZE = 50


class NotificationsController(Controller):
    path = "/notifications"
    guards = [requires_role(*ALL_ROLES)]
    include_in_schema = False

    @get("/")
    async def index(
        self,
        request: Request[Any, Any, Any],
        api: UserApi,
        page_number: Annotated[int, QueryParameter(ge=1, le=10_000)] = 1,
    ) -> Response[Any]:
        notifications = await list_notifications(api, limit=PAGE_SIZE, offset=(page_number - 1) * PAGE_SIZE)
        return page(
            request,
            "notifications/index.html",
            notifications=notifications,
            page_number=page_number,
            pages=max(1, -(-notifications.total // PAGE_SIZE)),
        )

    @post("/{notification_id:uuid}/read", status_code=303)
    async def read(self, api: UserApi, notification_id: FromPath[uuid.UUID]) -> Redirect:
        await mark_read(api, str(notification_id))
        return Redirect(path="/notifications", status_code=303)

    @post("/read-all", status_code=303)
    async def read_all(self, api: UserApi) -> Redirect:
        await mark_all_read(api)
        return Redirect(path="/notifications", status_code=303)
