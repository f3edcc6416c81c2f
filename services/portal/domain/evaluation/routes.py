"""The evaluation pages' route handlers, mounted by the portal app."""

from __future__ import annotations

from typing import Any

from portal.domain.evaluation.inspections import (
    AssignmentBoardController,
    InspectionController,
    InspectionPhotoController,
)
from portal.domain.evaluation.overview import EvaluationController
from portal.domain.evaluation.ranking import RankingController, ReportController
from portal.domain.evaluation.rubrics import RubricController
from portal.domain.evaluation.self_assessment import EvidenceController, SelfAssessmentController

ROUTES: list[Any] = [
    EvaluationController,
    AssignmentBoardController,
    InspectionController,
    InspectionPhotoController,
    RankingController,
    ReportController,
    RubricController,
    SelfAssessmentController,
    EvidenceController,
]
