"""The personnel service's Litestar app."""

from __future__ import annotations

from litestar import Litestar

from kit.app import create_service_app
from kit.broker import check_broker, configure_broker
from kit.db import Database
from kit.settings import Settings, get_settings
from personnel import SERVICE
from personnel.clock import Clock, system_clock
from personnel.settings import get_personnel_settings
from tenants.roles import app_role


def create_app(settings: Settings | None = None, *, clock: Clock = system_clock) -> Litestar:
    """``clock`` replaces the current time (tests of check-in windows and missed duties)."""
    settings = settings or get_settings()
    get_personnel_settings()  # refuse to start without a usable ID-number key (production)
    configure_broker(settings)
    # Imported after the broker is configured: the modules declare actors.
    from personnel.domain.audit import AuditController
    from personnel.domain.dormitories import DormitoryController, NightInspectionController
    from personnel.domain.duty import DutyController
    from personnel.domain.notifications import NotificationController
    from personnel.domain.school_profiles import GateController, SchoolProfileController
    from personnel.domain.security_team import SecurityTeamController, StaffingController, StandardController
    from personnel.domain.staff import BureauUserController, StaffController
    from personnel.domain.statistics import StatisticsController
    from personnel.domain.students_of_concern import StudentOfConcernController
    from personnel.domain.training import TrainingController
    from personnel.domain.visitors import VehicleAuthorisationController, VisitController

    app = create_service_app(
        service=SERVICE,
        title="SafeCampus personnel API",
        settings=settings,
        database=Database(settings.sqlalchemy_url(app_role(SERVICE), SERVICE)),
        route_handlers=[
            StaffController,
            BureauUserController,
            SchoolProfileController,
            GateController,
            StandardController,
            SecurityTeamController,
            StaffingController,
            DutyController,
            VisitController,
            VehicleAuthorisationController,
            DormitoryController,
            NightInspectionController,
            StudentOfConcernController,
            TrainingController,
            StatisticsController,
            NotificationController,
            AuditController,
        ],
        readiness={"broker": check_broker},
    )
    app.state.clock = clock
    return app
