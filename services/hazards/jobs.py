"""Every actor of the hazards service, for the worker (and the scheduler) to import in one line."""

import hazards.domain.directory.consumers
import hazards.domain.escalation.jobs
import hazards.domain.hazards.consumers
import hazards.domain.notifications.jobs
import hazards.domain.reports.consumers
import hazards.outbox  # noqa: F401  (each import declares actors or periodic jobs)
