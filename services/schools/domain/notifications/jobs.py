"""Background jobs of notifications: ``schools.notification.send_email`` and
``schools.notification.sweep`` (see kit.notifications)."""

from __future__ import annotations

from kit.broker import configure_broker
from kit.notifications import declare_email_jobs
from schools import SERVICE

configure_broker()

send_email, sweep = declare_email_jobs(SERVICE)
