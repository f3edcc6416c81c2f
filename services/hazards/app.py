"""The hazards service's Litestar app."""

from __future__ import annotations

from litestar import Litestar

from hazards import SERVICE
from hazards.clock import Clock, system_clock
from hazards.domain.reports.limits import ChannelLimits
from kit.app import create_service_app
from kit.broker import check_broker, configure_broker
from kit.db import Database
from kit.settings import Settings, get_settings
from kit.storage import FileStore, store_from_env
from tenants.roles import app_role


def create_app(
    settings: Settings | None = None,
    *,
    store: FileStore | None = None,
    clock: Clock | None = None,
    report_limits: ChannelLimits | None = None,
) -> Litestar:
    """The hazards API. ``store`` (default: ``SAFECAMPUS_FILES_DIR``), ``clock`` and ``report_limits`` (the
    public channel's :class:`~hazards.domain.reports.channel.ChannelLimits`) can be replaced in tests."""
    settings = settings or get_settings()
    configure_broker(settings)
    # Imported after the broker is configured: the modules declare actors.
    import hazards.domain.notifications.jobs  # noqa: F401  (the e-mail job notifications enqueue)
    from hazards.domain.escalation.controller import EscalationPolicyController
    from hazards.domain.exports.controller import ExportController
    from hazards.domain.hazards.controller import AssigneeController, HazardController, PhotoController
    from hazards.domain.incidents.controller import IncidentController
    from hazards.domain.notifications.controller import NotificationController
    from hazards.domain.patrols.controller import PatrolController
    from hazards.domain.referrals.controller import ReferralController
    from hazards.domain.reports.controller import (
        PublicReportController,
        ReportLinkController,
        ReviewQueueController,
    )
    from hazards.domain.statistics.controller import StatisticsController
    from hazards.domain.supervision.controller import SupervisionController

    app = create_service_app(
        service=SERVICE,
        title="SafeCampus hazards API",
        settings=settings,
        database=Database(settings.sqlalchemy_url(app_role(SERVICE), SERVICE)),
        route_handlers=[
            PatrolController,
            HazardController,
            PhotoController,
            AssigneeController,
            SupervisionController,
            ReferralController,
            ReportLinkController,
            ReviewQueueController,
            PublicReportController,
            IncidentController,
            StatisticsController,
            EscalationPolicyController,
            ExportController,
            NotificationController,
        ],
        readiness={"broker": check_broker},
    )
    app.state.store = store or store_from_env()
    app.state.clock = clock or system_clock
    app.state.report_limits = report_limits or ChannelLimits()
    return app
