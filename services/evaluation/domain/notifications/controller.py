"""HTTP for the caller's own notifications (every role). Somebody else's notification is not found."""

from __future__ import annotations

import uuid
from typing import Annotated

from litestar import Controller, get, post
from litestar.params import FromPath, FromQuery, QueryParameter

from evaluation import SERVICE
from kit.auth import requires_role
from kit.db import DbSession
from kit.notifications import MarkedRead, Notification, NotificationPage, Notifications

everyone = [requires_role("bureau", "principal", "teacher", "guard")]


class NotificationController(Controller):
    path = "/notifications"
    tags = ["notifications"]
    guards = everyone

    @get("/", operation_id="listMyEvaluationNotifications")
    async def list_mine(
        self,
        db_session: DbSession,
        unread_only: FromQuery[bool] = False,
        limit: Annotated[int, QueryParameter(ge=1, le=200)] = 50,
        offset: Annotated[int, QueryParameter(ge=0, le=1_000_000)] = 0,
    ) -> NotificationPage:
        """The caller's notifications, newest first, with the unread count."""
        return await Notifications(db_session, SERVICE).inbox(
            unread_only=unread_only, limit=limit, offset=offset
        )

    @post("/{notification_id:uuid}/read", operation_id="markEvaluationNotificationRead", status_code=200)
    async def mark_read(self, db_session: DbSession, notification_id: FromPath[uuid.UUID]) -> Notification:
        """Mark one of the caller's notifications read."""
        return await Notifications(db_session, SERVICE).mark_read(notification_id)

    @post("/read-all", operation_id="markAllEvaluationNotificationsRead", status_code=200)
    async def mark_all_read(self, db_session: DbSession) -> MarkedRead:
        """Mark every unread notification of the caller read."""
        return await Notifications(db_session, SERVICE).mark_all_read()
