"""The schools service's Litestar app."""

from __future__ import annotations

from litestar import Litestar

from kit.app import create_service_app
from kit.broker import check_broker, configure_broker
from kit.db import Database
from kit.settings import Settings, get_settings
from schools import SERVICE
from tenants.roles import app_role


def create_app(settings: Settings | None = None) -> Litestar:
    settings = settings or get_settings()
    configure_broker(settings)
    # Imported after the broker is configured: the modules declare actors.
    from schools.domain.audit import AuditController
    from schools.domain.campaigns import (
        CampaignCatalogueController,
        CampaignController,
        SchoolCampaignController,
    )
    from schools.domain.counties import CountyController
    from schools.domain.documents import ManagementDocumentController
    from schools.domain.emergency import EmergencyPlanController
    from schools.domain.evidence import EvidenceFileController
    from schools.domain.notifications import NotificationController
    from schools.domain.schools import OwnSchoolController, SchoolController
    from schools.domain.schools.imports import SchoolImportController

    return create_service_app(
        service=SERVICE,
        title="SafeCampus schools API",
        settings=settings,
        database=Database(settings.sqlalchemy_url(app_role(SERVICE), SERVICE)),
        route_handlers=[
            CountyController,
            SchoolController,
            OwnSchoolController,
            SchoolImportController,
            AuditController,
            NotificationController,
            CampaignCatalogueController,
            CampaignController,
            SchoolCampaignController,
            ManagementDocumentController,
            EmergencyPlanController,
            EvidenceFileController,
        ],
        readiness={"broker": check_broker},
    )
