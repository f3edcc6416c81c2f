"""In-app notifications of the schools service: every user lists theirs and marks them read.

Writing them is ``kit.notifications.Notifications(session, SERVICE).notify(...)``; the e-mail jobs are
declared in :mod:`schools.domain.notifications.jobs`.
"""

from schools.domain.notifications import jobs  # noqa: F401  (declares the e-mail jobs the API enqueues)
from schools.domain.notifications.controller import NotificationController

__all__ = ["NotificationController"]
