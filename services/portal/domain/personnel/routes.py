"""The personnel pages' route handlers, mounted by the portal app."""

from __future__ import annotations

from typing import Any

from portal.domain.personnel.bureau import BureauUsersController, CountyStaffingController
from portal.domain.personnel.concerns import ConcernsController
from portal.domain.personnel.dormitories import DormitoriesController
from portal.domain.personnel.duty import DutyController
from portal.domain.personnel.gate import GateController, HostController, VehicleController
from portal.domain.personnel.staff import StaffController
from portal.domain.personnel.training import TrainingController

ROUTES: list[Any] = [
    GateController,
    HostController,
    VehicleController,
    DutyController,
    StaffController,
    DormitoriesController,
    ConcernsController,
    TrainingController,
    CountyStaffingController,
    BureauUsersController,
]
