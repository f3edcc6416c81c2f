"""HTTP for campaigns. Thin: parse, call the service, shape the answer."""

from __future__ import annotations

import uuid
from typing import Any

from litestar import Controller, Request, Response, delete, get, patch, post, put
from litestar.params import FromPath, FromQuery, JSONBody

from kit.auth import requires_role
from kit.db import DbSession
from schools.domain.campaigns import schemas
from schools.domain.campaigns.calendar import clock_of
from schools.domain.campaigns.deliverables import DeliverableService
from schools.domain.campaigns.instances import SchoolCampaignService
from schools.domain.campaigns.models import CampaignStatus, SchoolCampaignStatus
from schools.domain.campaigns.service import CampaignService, catalogue
from tenants import TenantContext

bureau_only = [requires_role("bureau")]
principal_only = [requires_role("principal")]
#: Guards keep to the gate: the campaign is the bureau's, the principal's and the teachers' business.
readers = [requires_role("bureau", "principal", "teacher")]
SchoolCampaignId = FromPath[uuid.UUID]


def _campaigns(db_session: DbSession, request: Request[TenantContext, Any, Any]) -> CampaignService:
    return CampaignService(db_session, request.user, clock=clock_of(request.app.state))


def _instances(db_session: DbSession, request: Request[TenantContext, Any, Any]) -> SchoolCampaignService:
    return SchoolCampaignService(db_session, request.user, clock=clock_of(request.app.state))


def _deliverables(db_session: DbSession, request: Request[TenantContext, Any, Any]) -> DeliverableService:
    return DeliverableService(db_session, request.user, clock=clock_of(request.app.state))


class CampaignCatalogueController(Controller):
    path = "/campaign-catalogue"
    tags = ["campaigns"]

    @get(
        "/",
        guards=[requires_role("bureau", "principal", "teacher", "guard")],
        operation_id="getCampaignCatalogue",
    )
    async def get_catalogue(self) -> schemas.Catalogue:
        """The five phases, the deliverables each can require (with labels in Chinese and English), the
        campus areas of the investigation and the long-term mechanisms."""
        return catalogue()


class CampaignController(Controller):
    """County campaigns: the bureau's."""

    path = "/campaigns"
    tags = ["campaigns"]
    guards = bureau_only

    @get("/", operation_id="listCampaigns")
    async def list_campaigns(
        self,
        db_session: DbSession,
        request: Request[TenantContext, Any, Any],
        status: FromQuery[CampaignStatus | None] = None,
    ) -> list[schemas.Campaign]:
        return await _campaigns(db_session, request).campaigns(status)

    @post("/", operation_id="createCampaign")
    async def create_campaign(
        self,
        db_session: DbSession,
        request: Request[TenantContext, Any, Any],
        data: JSONBody[schemas.CampaignCreate],
    ) -> Response[schemas.Campaign]:
        """A draft campaign: title, start date, a deadline per phase and (by default all) the required
        deliverables per phase."""
        service = _campaigns(db_session, request)
        campaign = await service.view(await service.create(data))
        return Response(campaign, status_code=201, headers={"Location": f"/campaigns/{campaign.id}"})

    @get("/{campaign_id:uuid}", operation_id="getCampaign")
    async def get_campaign(
        self,
        db_session: DbSession,
        request: Request[TenantContext, Any, Any],
        campaign_id: FromPath[uuid.UUID],
    ) -> schemas.Campaign:
        service = _campaigns(db_session, request)
        return await service.view(await service.get(campaign_id))

    @patch("/{campaign_id:uuid}", operation_id="updateCampaign")
    async def update_campaign(
        self,
        db_session: DbSession,
        request: Request[TenantContext, Any, Any],
        campaign_id: FromPath[uuid.UUID],
        data: JSONBody[schemas.CampaignUpdate],
    ) -> schemas.Campaign:
        """Change a draft; once launched, only the title, description, rubric and deadlines."""
        service = _campaigns(db_session, request)
        return await service.view(await service.update(campaign_id, data))

    @delete("/{campaign_id:uuid}", operation_id="deleteCampaign")
    async def delete_campaign(
        self,
        db_session: DbSession,
        request: Request[TenantContext, Any, Any],
        campaign_id: FromPath[uuid.UUID],
    ) -> None:
        """Delete a draft."""
        await _campaigns(db_session, request).delete(campaign_id)

    @post("/{campaign_id:uuid}/launch", operation_id="launchCampaign", status_code=200)
    async def launch_campaign(
        self,
        db_session: DbSession,
        request: Request[TenantContext, Any, Any],
        campaign_id: FromPath[uuid.UUID],
    ) -> schemas.CampaignLaunch:
        """Launch a draft: every active school of the county gets its instance, with deployment open."""
        return await _campaigns(db_session, request).launch(campaign_id)

    @post("/{campaign_id:uuid}/close", operation_id="closeCampaign", status_code=200)
    async def close_campaign(
        self,
        db_session: DbSession,
        request: Request[TenantContext, Any, Any],
        campaign_id: FromPath[uuid.UUID],
    ) -> schemas.Campaign:
        """End a launched campaign."""
        service = _campaigns(db_session, request)
        return await service.view(await service.close(campaign_id))

    @get("/{campaign_id:uuid}/board", operation_id="getCampaignBoard")
    async def board(
        self,
        db_session: DbSession,
        request: Request[TenantContext, Any, Any],
        campaign_id: FromPath[uuid.UUID],
    ) -> schemas.Board:
        """Every school × phase: status, deadline in force, overdue, required deliverables done."""
        return await _campaigns(db_session, request).board(campaign_id)


class SchoolCampaignController(Controller):
    """Each school's campaign: its phases and deliverables."""

    path = "/school-campaigns"
    tags = ["school campaigns"]

    @get("/", guards=readers, operation_id="listSchoolCampaigns")
    async def list_school_campaigns(
        self,
        db_session: DbSession,
        request: Request[TenantContext, Any, Any],
        campaign_id: FromQuery[uuid.UUID | None] = None,
        school_id: FromQuery[uuid.UUID | None] = None,
        status: FromQuery[SchoolCampaignStatus | None] = None,
    ) -> list[schemas.SchoolCampaignSummary]:
        """The caller's school's campaigns (the bureau: every school's, filtered by campaign or school)."""
        return await _instances(db_session, request).summaries(
            campaign_id=campaign_id, school_id=school_id, status=status
        )

    @get("/{school_campaign_id:uuid}", guards=readers, operation_id="getSchoolCampaign")
    async def get_school_campaign(
        self,
        db_session: DbSession,
        request: Request[TenantContext, Any, Any],
        school_campaign_id: SchoolCampaignId,
    ) -> schemas.SchoolCampaign:
        """The phase timeline: each phase's status and deadline, what it still lacks, and the history."""
        return await _instances(db_session, request).view(school_campaign_id)

    @get(
        "/{school_campaign_id:uuid}/deliverables",
        guards=readers,
        operation_id="getSchoolCampaignDeliverables",
    )
    async def get_deliverables(
        self,
        db_session: DbSession,
        request: Request[TenantContext, Any, Any],
        school_campaign_id: SchoolCampaignId,
    ) -> schemas.Deliverables:
        """Everything the school recorded, and what the hazards and evaluation services reported."""
        return await _deliverables(db_session, request).contents(school_campaign_id)

    # --- transitions -------------------------------------------------------------------------------------
    @post(
        "/{school_campaign_id:uuid}/close-phase",
        guards=principal_only,
        operation_id="closeCampaignPhase",
        status_code=200,
    )
    async def close_phase(
        self,
        db_session: DbSession,
        request: Request[TenantContext, Any, Any],
        school_campaign_id: SchoolCampaignId,
        data: JSONBody[schemas.ClosePhase],
    ) -> schemas.SchoolCampaign:
        """Close the open phase (409 naming the missing deliverables while any is incomplete)."""
        service = _instances(db_session, request)
        await service.close_phase(school_campaign_id, data)
        return await service.view(school_campaign_id)

    @post(
        "/{school_campaign_id:uuid}/reopen-phase",
        guards=bureau_only,
        operation_id="reopenCampaignPhase",
        status_code=200,
    )
    async def reopen_phase(
        self,
        db_session: DbSession,
        request: Request[TenantContext, Any, Any],
        school_campaign_id: SchoolCampaignId,
        data: JSONBody[schemas.ReopenPhase],
    ) -> schemas.SchoolCampaign:
        """Reopen a closed phase, with a reason; the phases after it go back to pending."""
        service = _instances(db_session, request)
        await service.reopen_phase(school_campaign_id, data)
        return await service.view(school_campaign_id)

    @post(
        "/{school_campaign_id:uuid}/extend-deadline",
        guards=bureau_only,
        operation_id="extendCampaignPhaseDeadline",
        status_code=200,
    )
    async def extend_deadline(
        self,
        db_session: DbSession,
        request: Request[TenantContext, Any, Any],
        school_campaign_id: SchoolCampaignId,
        data: JSONBody[schemas.ExtendDeadline],
    ) -> schemas.SchoolCampaign:
        """Give this school a later deadline for a phase that is not closed, with a reason."""
        service = _instances(db_session, request)
        await service.extend_deadline(school_campaign_id, data)
        return await service.view(school_campaign_id)

    # --- deliverables (the principal's) ------------------------------------------------------------------
    @put("/{school_campaign_id:uuid}/leading-group", guards=principal_only, operation_id="setLeadingGroup")
    async def set_leading_group(
        self,
        db_session: DbSession,
        request: Request[TenantContext, Any, Any],
        school_campaign_id: SchoolCampaignId,
        data: JSONBody[schemas.LeadingGroupInput],
    ) -> schemas.Deliverables:
        """The leading group: led by the school's principal, with its members and their duties."""
        service = _deliverables(db_session, request)
        await service.set_leading_group(school_campaign_id, data)
        return await service.contents(school_campaign_id)

    @post("/{school_campaign_id:uuid}/meetings", guards=principal_only, operation_id="addDeploymentMeeting")
    async def add_meeting(
        self,
        db_session: DbSession,
        request: Request[TenantContext, Any, Any],
        school_campaign_id: SchoolCampaignId,
        data: JSONBody[schemas.MeetingInput],
    ) -> schemas.Deliverables:
        """A deployment meeting: date, attendees, minutes and an optional attachment."""
        service = _deliverables(db_session, request)
        await service.add_meeting(school_campaign_id, data)
        return await service.contents(school_campaign_id)

    @delete(
        "/{school_campaign_id:uuid}/meetings/{meeting_id:uuid}",
        guards=principal_only,
        operation_id="removeDeploymentMeeting",
    )
    async def remove_meeting(
        self,
        db_session: DbSession,
        request: Request[TenantContext, Any, Any],
        school_campaign_id: SchoolCampaignId,
        meeting_id: FromPath[uuid.UUID],
    ) -> None:
        await _deliverables(db_session, request).remove_meeting(school_campaign_id, meeting_id)

    @put(
        "/{school_campaign_id:uuid}/implementation-plan",
        guards=principal_only,
        operation_id="setImplementationPlan",
    )
    async def set_implementation_plan(
        self,
        db_session: DbSession,
        request: Request[TenantContext, Any, Any],
        school_campaign_id: SchoolCampaignId,
        data: JSONBody[schemas.ImplementationPlanInput],
    ) -> schemas.Deliverables:
        """The school's implementation plan: an uploaded document (see ``POST /files``)."""
        service = _deliverables(db_session, request)
        await service.set_implementation_plan(school_campaign_id, data)
        return await service.contents(school_campaign_id)

    @put(
        "/{school_campaign_id:uuid}/responsibilities",
        guards=principal_only,
        operation_id="setResponsibilityAssignments",
    )
    async def set_responsibilities(
        self,
        db_session: DbSession,
        request: Request[TenantContext, Any, Any],
        school_campaign_id: SchoolCampaignId,
        data: JSONBody[schemas.ResponsibilitiesInput],
    ) -> schemas.Deliverables:
        """The safety responsibility assignments, as a whole list."""
        service = _deliverables(db_session, request)
        await service.set_responsibilities(school_campaign_id, data)
        return await service.contents(school_campaign_id)

    @post("/{school_campaign_id:uuid}/evidence", guards=principal_only, operation_id="addMeasureEvidence")
    async def add_evidence(
        self,
        db_session: DbSession,
        request: Request[TenantContext, Any, Any],
        school_campaign_id: SchoolCampaignId,
        data: JSONBody[schemas.EvidenceInput],
    ) -> schemas.Deliverables:
        """Evidence for a remediation measure: a document, a photo, or a record of a service."""
        service = _deliverables(db_session, request)
        await service.add_evidence(school_campaign_id, data)
        return await service.contents(school_campaign_id)

    @delete(
        "/{school_campaign_id:uuid}/evidence/{evidence_id:uuid}",
        guards=principal_only,
        operation_id="removeMeasureEvidence",
    )
    async def remove_evidence(
        self,
        db_session: DbSession,
        request: Request[TenantContext, Any, Any],
        school_campaign_id: SchoolCampaignId,
        evidence_id: FromPath[uuid.UUID],
    ) -> None:
        await _deliverables(db_session, request).remove_evidence(school_campaign_id, evidence_id)

    @put("/{school_campaign_id:uuid}/summary-report", guards=principal_only, operation_id="setSummaryReport")
    async def set_summary(
        self,
        db_session: DbSession,
        request: Request[TenantContext, Any, Any],
        school_campaign_id: SchoolCampaignId,
        data: JSONBody[schemas.SummaryInput],
    ) -> schemas.Deliverables:
        service = _deliverables(db_session, request)
        await service.set_summary(school_campaign_id, data)
        return await service.contents(school_campaign_id)

    @put("/{school_campaign_id:uuid}/mechanisms", guards=principal_only, operation_id="setLongTermMechanisms")
    async def set_mechanisms(
        self,
        db_session: DbSession,
        request: Request[TenantContext, Any, Any],
        school_campaign_id: SchoolCampaignId,
        data: JSONBody[schemas.MechanismsInput],
    ) -> schemas.Deliverables:
        """Record some or all of the five long-term mechanisms."""
        service = _deliverables(db_session, request)
        await service.set_mechanisms(school_campaign_id, data)
        return await service.contents(school_campaign_id)
