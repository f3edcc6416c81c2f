"""Every actor of the evaluation service (imported by the worker, ``safecampus.worker``, and the scheduler):
the outbox relay, the event consumers and the periodic jobs."""

from kit.broker import configure_broker

configure_broker()

import evaluation.domain.directory.consumers  # noqa: E402
import evaluation.domain.indicators.consumers  # noqa: E402
import evaluation.domain.inspections.jobs  # noqa: E402
import evaluation.domain.rankings.jobs  # noqa: E402
import evaluation.domain.reports.jobs  # noqa: E402
import evaluation.outbox  # noqa: E402,F401
