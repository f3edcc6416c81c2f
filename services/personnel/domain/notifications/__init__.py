"""In-app notifications of the personnel service (review reminders, missed duties and nights): every user
lists theirs and marks them read. Written with ``kit.notifications.Notifications(session, SERVICE)``."""

from personnel.domain.notifications import jobs  # noqa: F401  (declares the e-mail jobs the API enqueues)
from personnel.domain.notifications.controller import NotificationController

__all__ = ["NotificationController"]
