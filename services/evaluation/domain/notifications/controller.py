"""HTTP for the caller's own notifications in the evaluation service (``kit.notifications``)."""

from __future__ import annotations

from evaluation import SERVICE
from kit.notifications import notifications_router

NotificationController = notifications_router(SERVICE)
