"""HTTP for the caller's own notifications in the hazards service (``kit.notifications``)."""

from __future__ import annotations

from hazards import SERVICE
from kit.notifications import notifications_router

NotificationController = notifications_router(SERVICE)
