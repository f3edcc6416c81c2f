"""The current time, injectable: duty check-in windows and missed-duty flags depend on it."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from litestar import Request
from litestar.di import NamedDependency

Clock = Callable[[], dt.datetime]


def system_clock() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def provide_now(request: Request[Any, Any, Any]) -> dt.datetime:
    """Litestar dependency ``now``: the app's clock (the system clock unless a test replaced it)."""
    clock: Clock = getattr(request.app.state, "clock", system_clock)
    return clock()


#: How a handler asks for the current time: ``now: Now``.
Now = NamedDependency[dt.datetime]
