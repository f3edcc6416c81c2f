"""Every actor and periodic job of the personnel service (imported by the worker and the scheduler)."""

from kit.broker import configure_broker
from personnel.settings import get_personnel_settings

configure_broker()
get_personnel_settings()  # a worker without a usable ID-number key (production) refuses to start

import personnel.domain.dormitories.jobs  # noqa: E402
import personnel.domain.duty.jobs  # noqa: E402
import personnel.domain.notifications.jobs  # noqa: E402
import personnel.domain.school_profiles.jobs  # noqa: E402
import personnel.domain.staff.jobs  # noqa: E402
import personnel.domain.statistics.jobs  # noqa: E402
import personnel.domain.students_of_concern.jobs  # noqa: E402
import personnel.domain.visitors.jobs  # noqa: E402
import personnel.outbox  # noqa: E402,F401  (the relay and its periodic sweep)
