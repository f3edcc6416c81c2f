"""The pages the bureau watches the county with (the principal sees the same for the school): the
supervision list, statistics per school, referrals to outside departments, and security incidents."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Annotated, Any

from litestar import Controller, Request, Response, get, post
from litestar.params import FromPath, QueryParameter
from litestar.response import Redirect

from portal.api import UserApi
from portal.domain.hazards import labels
from portal.domain.hazards.forms import Form, attempt
from portal.domain.hazards.pages import (
    EVERYONE,
    PAGE_SIZE,
    PRINCIPAL_OR_BUREAU,
    SCHOOL_STAFF,
    PageNumber,
    render,
)
from portal.i18n import N_
from portal.web import Viewer

INCIDENT_FIELDS = (
    "kind",
    "occurred_at",
    "place",
    "description",
    "people_affected",
    "actions_taken",
    "reported_to_police",
    "police_reference",
)
INCIDENT_FAILED = N_("The incident was not recorded. Correct the marked fields and send it again.")
REFERRAL_FAILED = N_("The referral was not updated.")


def _school_param(request: Request[Any, Any, Any]) -> str:
    value = str(request.query_params.get("school_id", "")).strip()
    try:
        return str(uuid.UUID(value)) if value else ""
    except ValueError:
        return ""


async def _schools(api: Any, request: Request[Any, Any, Any]) -> list[dict[str, Any]]:
    """The county's schools for the bureau's school filter (a school user has none to choose)."""
    viewer = Viewer.of(request)
    if viewer is None or viewer.role != "bureau":
        return []
    return list((await api.get("schools", "/schools", {"limit": 200}))["items"])


class CountyController(Controller):
    path = "/hazards"
    include_in_schema = False

    @get("/supervision", guards=PRINCIPAL_OR_BUREAU)
    async def supervision(self, request: Request[Any, Any, Any], api: UserApi) -> Response[Any]:
        """Every listed hazard not yet closed: the county's (bureau) or the school's."""
        school_id = _school_param(request)
        result = await api.get("hazards", "/supervision", {"school_id": school_id})
        return render(
            request,
            "hazards/supervision.html",
            result=result,
            school_id=school_id,
            schools=await _schools(api, request),
        )

    @get("/statistics", guards=PRINCIPAL_OR_BUREAU)
    async def statistics(
        self,
        request: Request[Any, Any, Any],
        api: UserApi,
        year: Annotated[int | None, QueryParameter(ge=2000, le=2100)] = None,
    ) -> Response[Any]:
        """Per school: open, overdue, closed on time, average days to close, by category and severity."""
        school_id = _school_param(request)
        result = await api.get("hazards", "/statistics", {"year": year, "school_id": school_id})
        return render(
            request,
            "hazards/statistics.html",
            stats=result,
            school_id=school_id,
            schools=await _schools(api, request),
        )

    # --- referrals ---------------------------------------------------------------------------------------
    @get("/referrals", guards=PRINCIPAL_OR_BUREAU)
    async def referrals(
        self,
        request: Request[Any, Any, Any],
        api: UserApi,
        page_number: PageNumber = 1,
    ) -> Response[Any]:
        """Referrals to outside departments: the school's, or (the bureau) the county's."""
        return await self._referrals(request, api, page_number)

    async def _referrals(
        self,
        request: Request[Any, Any, Any],
        api: Any,
        page_number: int = 1,
        *,
        forms: dict[str, Form] | None = None,
        status_code: int = 200,
    ) -> Response[Any]:
        status = str(request.query_params.get("status", ""))
        status = status if status in labels.REFERRAL_STATUSES else ""
        department = str(request.query_params.get("department", ""))
        department = department if department in labels.DEPARTMENTS else ""
        result = await api.get(
            "hazards",
            "/referrals",
            {
                "status": status,
                "department": department,
                "limit": PAGE_SIZE,
                "offset": (page_number - 1) * PAGE_SIZE,
            },
        )
        total = int(result["total"])
        return render(
            request,
            "hazards/referrals.html",
            status_code=status_code,
            referrals=result["items"],
            total=total,
            status=status,
            department=department,
            forms=forms or {},
            updated=request.query_params.get("updated", ""),
            page_number=page_number,
            pages=max(1, -(-total // PAGE_SIZE)),
        )

    @post("/referrals/{referral_id:uuid}", guards=PRINCIPAL_OR_BUREAU)
    async def update_referral(
        self, request: Request[Any, Any, Any], api: UserApi, referral_id: FromPath[uuid.UUID]
    ) -> Response[Any]:
        """Record the department's answer: its status and reply."""
        form = Form.of(await request.form(), ("status", "reply"))
        form.choice("status", labels.REFERRAL_STATUSES)
        sent, _ = await attempt(
            form,
            lambda: api.patch(
                "hazards",
                f"/referrals/{referral_id}",
                json={"status": form["status"], "reply": form["reply"]},
            ),
            failed=REFERRAL_FAILED,
        )
        if sent:
            return Redirect(path=f"/hazards/referrals?updated={referral_id}", status_code=303)
        return await self._referrals(request, api, forms={str(referral_id): form}, status_code=form.status)

    # --- incidents ---------------------------------------------------------------------------------------
    @get("/incidents", guards=EVERYONE)
    async def incidents(
        self,
        request: Request[Any, Any, Any],
        api: UserApi,
        page_number: PageNumber = 1,
    ) -> Response[Any]:
        """Security incidents; the principal and the bureau also see counts by type and the monthly trend."""
        viewer = Viewer.of(request)
        kind = str(request.query_params.get("kind", ""))
        kind = kind if kind in labels.INCIDENT_KINDS else ""
        school_id = _school_param(request)
        result = await api.get(
            "hazards",
            "/incidents",
            {
                "kind": kind,
                "school_id": school_id,
                "limit": PAGE_SIZE,
                "offset": (page_number - 1) * PAGE_SIZE,
            },
        )
        statistics = None
        if viewer is not None and viewer.role in ("principal", "bureau"):
            statistics = await api.get("hazards", "/incidents/statistics", {"school_id": school_id})
        total = int(result["total"])
        return render(
            request,
            "hazards/incidents.html",
            incidents=result["items"],
            total=total,
            kind=kind,
            school_id=school_id,
            schools=await _schools(api, request),
            statistics=statistics,
            recorded=request.query_params.get("recorded", ""),
            page_number=page_number,
            pages=max(1, -(-total // PAGE_SIZE)),
        )

    @get("/incidents/new", guards=SCHOOL_STAFF)
    async def new_incident(self, request: Request[Any, Any, Any]) -> Response[Any]:
        return render(request, "hazards/incident_new.html", form=Form())

    @post("/incidents/new", guards=SCHOOL_STAFF)
    async def record_incident(self, request: Request[Any, Any, Any], api: UserApi) -> Response[Any]:
        """Record a security incident; bad input comes back beside the fields and writes nothing."""
        form = Form.of(await request.form(), INCIDENT_FIELDS)
        form.choice("kind", labels.INCIDENT_KINDS)
        form.require("place")
        form.require("description", min_length=2)
        form.number("people_affected")
        occurred = _local_time(form["occurred_at"])
        if not form["occurred_at"]:
            form.require("occurred_at")
        elif occurred is None:
            form.error("occurred_at", N_("Enter the date and time, such as 2026-11-30 14:30."))
        body = {
            "kind": form["kind"],
            "occurred_at": occurred.isoformat() if occurred else "",
            "place": form["place"],
            "description": form["description"],
            "people_affected": int(form["people_affected"]) if form["people_affected"].isdigit() else 0,
            "actions_taken": form["actions_taken"],
            "reported_to_police": form["reported_to_police"] == "on",
            "police_reference": form["police_reference"],
        }
        sent, _ = await attempt(
            form, lambda: api.post("hazards", "/incidents", json=body), failed=INCIDENT_FAILED
        )
        if sent:
            return Redirect(path="/hazards/incidents?recorded=1", status_code=303)
        return render(request, "hazards/incident_new.html", status_code=form.status, form=form)


def _local_time(value: str) -> dt.datetime | None:
    """A ``datetime-local`` value (the school's time, Beijing) as an aware time."""
    try:
        moment = dt.datetime.fromisoformat(value.replace(" ", "T"))
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.timezone(dt.timedelta(hours=8)))
    return moment
