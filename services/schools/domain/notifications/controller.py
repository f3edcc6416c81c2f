"""HTTP for the caller's own notifications in the schools service (``kit.notifications``)."""

from __future__ import annotations

from kit.notifications import notifications_router
from schools import SERVICE

NotificationController = notifications_router(SERVICE)
