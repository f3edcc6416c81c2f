"""``hazards.notification.send_email`` and ``hazards.notification.sweep`` (see kit.notifications)."""

from __future__ import annotations

from hazards import SERVICE
from kit.broker import configure_broker
from kit.notifications import declare_email_jobs

configure_broker()

send_email, sweep = declare_email_jobs(SERVICE)
