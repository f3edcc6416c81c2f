"""Entry module for `dramatiq safecampus.worker`: configures the broker, then imports every actor."""

from kit.broker import configure_broker
from kit.logging import configure_logging
from kit.settings import get_settings

_settings = get_settings()
configure_logging(_settings.log_level, _settings.log_json)
broker = configure_broker(_settings)

import evaluation.jobs  # noqa: E402,F401  (the evaluation service's consumers, periodic jobs and outbox relay)
import hazards.jobs  # noqa: E402,F401  (the hazards service's consumers, jobs and outbox relay)
import personnel.jobs  # noqa: E402,F401  (the personnel service's consumers, periodic jobs and outbox relay)
import schools.domain.campaigns.jobs  # noqa: E402  (campaign consumers and reminders)
import schools.domain.emergency.jobs  # noqa: E402  (drill figures for the evaluation, weekly)
import schools.domain.notifications.jobs  # noqa: E402  (notification e-mails and their sweep)
import schools.domain.schools.jobs  # noqa: E402  (principal provisioning)
import schools.outbox  # noqa: E402,F401  (the relay and its periodic sweep)
