"""The campaign engine: county campaigns and each school's five phases with their deliverables."""

from schools.domain.campaigns.controller import (
    CampaignCatalogueController,
    CampaignController,
    SchoolCampaignController,
)

__all__ = ["CampaignCatalogueController", "CampaignController", "SchoolCampaignController"]
