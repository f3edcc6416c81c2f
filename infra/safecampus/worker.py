"""Entry module for `dramatiq safecampus.worker`: configures the broker, then imports every actor."""

from kit.broker import configure_broker
from kit.logging import configure_logging
from kit.settings import get_settings

_settings = get_settings()
configure_logging(_settings.log_level, _settings.log_json)
broker = configure_broker(_settings)

import schools.domain.schools.jobs  # noqa: E402,F401
