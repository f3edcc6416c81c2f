"""HTTP for the caller's own notifications (every role). Somebody else's notification is not found."""

from __future__ import annotations

import uuid
from typing import Annotated

from litestar import Controller, get, post
from litestar.params import FromPath, FromQuery, QueryParameter

from hazards import SERVICE
from hazards.guards import EVERYONE
from kit.db import DbSession
from kit.notifications import MarkedRead, Notification, NotificationPage, Notifications


class NotificationController(Controller):
    path = "/notifications"
    tags = ["notifications"]
    guards = EVERYONE

    @get("/", operation_id="listMyNotifications")
    async def list_mine(
        self,
        db_session: DbSession,
        unread_only: FromQuery[bool] = False,
        limit: Annotated[int, QueryParameter(ge=1, le=200)] = 50,
        offset: Annotated[int, QueryParameter(ge=0, le=1_000_000)] = 0,
    ) -> NotificationPage:
        """The caller's notifications from the hazards service, newest first, with the unread count."""
        return await Notifications(db_session, SERVICE).inbox(
            unread_only=unread_only, limit=limit, offset=offset
        )

    @post("/{notification_id:uuid}/read", operation_id="markNotificationRead", status_code=200)
    async def mark_read(self, db_session: DbSession, notification_id: FromPath[uuid.UUID]) -> Notification:
        return await Notifications(db_session, SERVICE).mark_read(notification_id)

    @post("/read-all", operation_id="markAllNotificationsRead", status_code=200)
    async def mark_all_read(self, db_session: DbSession) -> MarkedRead:
        return await Notifications(db_session, SERVICE).mark_all_read()
