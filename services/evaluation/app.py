"""The evaluation service's Litestar app."""

from __future__ import annotations

from litestar import Litestar

from evaluation import SERVICE
from evaluation.files import use_file_store
from kit.app import create_service_app
from kit.broker import check_broker, configure_broker
from kit.db import Database
from kit.settings import Settings, get_settings
from kit.storage import FileStore
from tenants.roles import app_role


def create_app(settings: Settings | None = None, *, store: FileStore | None = None) -> Litestar:
    """The API; ``store`` keeps evidence, photos and reports somewhere else than ``SAFECAMPUS_FILES_DIR``."""
    settings = settings or get_settings()
    configure_broker(settings)
    if store is not None:
        use_file_store(store)
    # Imported after the broker is configured: the modules declare actors.
    from evaluation.domain.campaigns.controller import CampaignController
    from evaluation.domain.indicators.controller import IndicatorController
    from evaluation.domain.inspections.controller import (
        InspectionController,
        InspectionPhotoController,
        TeamController,
    )
    from evaluation.domain.notifications.controller import NotificationController
    from evaluation.domain.rankings.controller import RankingController
    from evaluation.domain.reports.controller import ReportController
    from evaluation.domain.rubrics.controller import RubricController
    from evaluation.domain.self_assessment.controller import (
        SchoolSelfAssessmentController,
        SelfAssessmentController,
        SelfAssessmentEvidenceController,
    )
    from evaluation.domain.year_end.controller import YearEndController

    return create_service_app(
        service=SERVICE,
        title="SafeCampus evaluation API",
        settings=settings,
        database=Database(settings.sqlalchemy_url(app_role(SERVICE), SERVICE)),
        route_handlers=[
            RubricController,
            CampaignController,
            IndicatorController,
            SelfAssessmentController,
            SchoolSelfAssessmentController,
            SelfAssessmentEvidenceController,
            TeamController,
            InspectionController,
            InspectionPhotoController,
            RankingController,
            YearEndController,
            ReportController,
            NotificationController,
        ],
        readiness={"broker": check_broker},
    )
