"""The one source of "now" in the evaluation service, so that tests can set the time."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

#: Returns the current instant (timezone-aware, UTC).
Clock = Callable[[], dt.datetime]


def system_clock() -> dt.datetime:
    return dt.datetime.now(dt.UTC)
