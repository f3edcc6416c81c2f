"""HTTP for the caller's own notifications in the personnel service (``kit.notifications``)."""

from __future__ import annotations

from kit.notifications import notifications_router
from personnel import SERVICE

NotificationController = notifications_router(SERVICE)
