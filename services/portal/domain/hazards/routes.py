"""The hazards pages' route handlers, mounted by the portal app."""

from __future__ import annotations

from typing import Any

from portal.domain.hazards.county import CountyController
from portal.domain.hazards.patrols import PatrolsController
from portal.domain.hazards.public import PublicReportController, ReviewController
from portal.domain.hazards.register import RegisterController

ROUTES: list[Any] = [
    RegisterController,
    CountyController,
    PatrolsController,
    ReviewController,
    PublicReportController,
]
