"""The campaign pages' route handlers, mounted by the portal app."""

from __future__ import annotations

from typing import Any

from portal.domain.campaign.county import CampaignEditorController, CampaignPageController
from portal.domain.campaign.deliverables import DeliverableController
from portal.domain.campaign.files import FileController
from portal.domain.campaign.records import DocumentController, DrillController
from portal.domain.campaign.school import SchoolCampaignController

ROUTES: list[Any] = [
    CampaignPageController,
    CampaignEditorController,
    SchoolCampaignController,
    DeliverableController,
    FileController,
    DocumentController,
    DrillController,
]
