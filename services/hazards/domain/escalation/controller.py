"""HTTP for the county's escalation timing."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, get, put
from litestar.params import JSONBody

from hazards.domain.escalation import schemas
from hazards.domain.escalation.service import EscalationService
from hazards.guards import BUREAU, PRINCIPAL_OR_BUREAU
from kit.db import DbSession
from tenants import TenantContext


class EscalationPolicyController(Controller):
    path = "/escalation-policy"
    tags = ["escalation"]

    @get("/", guards=PRINCIPAL_OR_BUREAU, operation_id="getEscalationPolicy")
    async def get_policy(
        self, db_session: DbSession, request: Request[TenantContext, Any, Any]
    ) -> schemas.Policy:
        return await EscalationService(db_session, request.user).policy()

    @put("/", guards=BUREAU, operation_id="setEscalationPolicy")
    async def set_policy(
        self,
        db_session: DbSession,
        request: Request[TenantContext, Any, Any],
        data: JSONBody[schemas.PolicyUpdate],
    ) -> schemas.Policy:
        """How many days before a deadline to remind, and how long after it to tell the bureau."""
        return await EscalationService(db_session, request.user).set_policy(data)
