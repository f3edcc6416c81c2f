"""In-app notifications of the hazards service (reminders, escalations, public reports): every user lists
theirs and marks them read. Written with ``kit.notifications.Notifications(session, SERVICE)``."""
