"""The public reporting channel: the anonymous form behind a school's QR link (``/report/<token>``, no account),
the principal's review queue, and where the principal finds the link to print.

The public form shows nothing of the school: the token is all the page knows, and the API answers a receipt
and nothing else. The API throttles by the client's address; the portal is the API's client, so it passes
the browser's address on as ``X-Forwarded-For`` (the address the portal's own server saw, never a header the
browser sent), and the API trusts that header only from the portal (its server's forwarded-allow-ips).
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

import httpx
from litestar import Controller, Request, Response, get, post
from litestar.params import FromPath
from litestar.response import Redirect

from portal.api import Api, ApiProblem, ApiUnavailable, UserApi
from portal.domain.hazards import labels
from portal.domain.hazards.forms import PHOTO_MESSAGE, Form, attempt
from portal.domain.hazards.pages import MAX_FORM_BODY, PAGE_SIZE, PRINCIPAL, PageNumber, photo_of, render
from portal.i18n import N_, current_locale, gettext, html_lang

#: A token as the API issues them (URL-safe); anything else is answered like an unknown link.
LINK_SHAPE = re.compile(r"[A-Za-z0-9_-]{8,128}")
PUBLIC_FIELDS = ("category", "area", "place", "description", "contact", "website")
PUBLIC_FAILED = N_("The report was not sent. Correct the marked fields and send it again.")
ReportId = FromPath[uuid.UUID]


def _token_ok(token: str) -> bool:
    return LINK_SHAPE.fullmatch(token) is not None


async def submit_public_report(
    request: Request[Any, Any, Any], token: str, fields: dict[str, str], photo: tuple[str, bytes, str] | None
) -> httpx.Response:
    """Post the anonymous form to the API, without a token, naming the browser's address."""
    client = request.client.host if request.client else "unknown"
    url = request.app.state.api_urls["hazards"].rstrip("/") + f"/public/reports/{token}"
    headers = {
        "X-Forwarded-For": client,
        "Accept": "application/json, application/problem+json",
        "Accept-Language": html_lang(current_locale()),
    }
    try:
        return await request.app.state.http.post(  # type: ignore[no-any-return]
            url, data=fields, files={"photo": photo} if photo else None, headers=headers
        )
    except httpx.HTTPError as exc:
        raise ApiUnavailable("hazards") from exc


class PublicReportController(Controller):
    """Anyone with the QR link; ``^/report/`` is public in the portal app."""

    path = "/report"
    include_in_schema = False

    @get("/{token:str}")
    async def form(self, request: Request[Any, Any, Any], token: FromPath[str]) -> Response[Any]:
        if not _token_ok(token):
            return render(request, "hazards/public_unknown.html", status_code=404)
        return render(request, "hazards/public_report.html", form=Form(), token=token)

    @post("/{token:str}", request_max_body_size=MAX_FORM_BODY)
    async def send(self, request: Request[Any, Any, Any], token: FromPath[str]) -> Response[Any]:
        """Send the anonymous report; the answer is a reference number and nothing of the school."""
        if not _token_ok(token):
            return render(request, "hazards/public_unknown.html", status_code=404)
        raw = await request.form()
        form = Form.of(raw, PUBLIC_FIELDS)
        form.choice("category", labels.CATEGORIES)
        form.choice("area", labels.AREAS, required=False)
        form.require("description")
        if form["description"] and len(form["description"]) < 5:
            form.error("description", N_("Describe what you saw in at least five characters."))
        try:
            photo = await photo_of(raw.get("photo"))
        except ValueError:
            photo = None
            form.error("photo", PHOTO_MESSAGE)
        if not form.ok:
            form.message = gettext(PUBLIC_FAILED)
            return render(request, "hazards/public_report.html", status_code=422, form=form, token=token)
        answer = await submit_public_report(
            request, token, {k: v for k, v in form.values.items() if v}, photo
        )
        if answer.status_code == 202:
            return render(request, "hazards/public_thanks.html", reference=answer.json()["reference"])
        if answer.status_code == 404:
            return render(request, "hazards/public_unknown.html", status_code=404)
        if answer.status_code == 429:
            return render(request, "hazards/public_busy.html", status_code=429)
        if answer.status_code in (400, 413, 415, 422):
            form.reject(ApiProblem.from_response(answer), failed=PUBLIC_FAILED)
            return render(request, "hazards/public_report.html", status_code=422, form=form, token=token)
        raise ApiUnavailable("hazards")


class ReviewController(Controller):
    """The principal's review queue of anonymous reports, and the school's QR link."""

    path = "/hazards/review"
    guards = PRINCIPAL
    include_in_schema = False

    @get("/")
    async def index(
        self,
        request: Request[Any, Any, Any],
        api: UserApi,
        page_number: PageNumber = 1,
    ) -> Response[Any]:
        """Pending anonymous reports first; the link to print as a QR code."""
        return await self._index(request, api, page_number, forms={})

    async def _index(
        self,
        request: Request[Any, Any, Any],
        api: Api,
        page_number: int = 1,
        *,
        forms: dict[str, Form],
        status_code: int = 200,
    ) -> Response[Any]:
        status = str(request.query_params.get("status", "pending"))
        status = status if status in labels.PUBLIC_REPORT_STATUSES else "pending"
        result = await api.get(
            "hazards",
            "/public-reports",
            {"status": status, "limit": PAGE_SIZE, "offset": (page_number - 1) * PAGE_SIZE},
        )
        link = await api.get("hazards", "/report-link")
        public_url = request.app.state.settings.public_url.rstrip("/")
        total = int(result["total"])
        return render(
            request,
            "hazards/review.html",
            status_code=status_code,
            reports=result["items"],
            total=total,
            status=status,
            link_url=f"{public_url}/report/{link['token']}",
            forms=forms,
            done=request.query_params.get("done", ""),
            page_number=page_number,
            pages=max(1, -(-total // PAGE_SIZE)),
        )

    @post("/{report_id:uuid}/accept")
    async def accept(
        self, request: Request[Any, Any, Any], api: UserApi, report_id: ReportId
    ) -> Response[Any]:
        """Take the report into the register as a reported hazard."""
        form = Form.of(await request.form(), ("title", "area", "category", "severity", "note"))
        form.require("title", min_length=2)
        form.choice("area", labels.AREAS)
        form.choice("category", labels.CATEGORIES, required=False)
        form.choice("severity", labels.SEVERITIES, required=False)
        body = {k: v for k, v in form.values.items() if v}
        return await self._review(
            request, api, form, f"accept-{report_id}",
            lambda: api.post("hazards", f"/public-reports/{report_id}/accept", json=body),
            failed=N_("The report was not taken into the register."), done="accepted",
        )  # fmt: skip

    @post("/{report_id:uuid}/dismiss")
    async def dismiss(
        self, request: Request[Any, Any, Any], api: UserApi, report_id: ReportId
    ) -> Response[Any]:
        """Not a hazard, or spam: the report leaves the queue with the reason."""
        form = Form.of(await request.form(), ("reason", "spam"))
        form.require("reason", min_length=2)
        body = {"reason": form["reason"], "spam": form["spam"] == "on"}
        return await self._review(
            request, api, form, f"dismiss-{report_id}",
            lambda: api.post("hazards", f"/public-reports/{report_id}/dismiss", json=body),
            failed=N_("The report was not dismissed."), done="dismissed",
        )  # fmt: skip

    async def _review(
        self,
        request: Request[Any, Any, Any],
        api: Api,
        form: Form,
        key: str,
        call: Callable[[], Awaitable[Any]],
        *,
        failed: str,
        done: str,
    ) -> Response[Any]:
        """Send a review decision; on a refusal the queue again with that report's form open."""
        sent, _ = await attempt(form, call, failed=failed)
        if sent:
            return Redirect(path=f"/hazards/review?done={done}", status_code=303)
        return await self._index(request, api, forms={key: form}, status_code=form.status)

    @post("/link/rotate")
    async def rotate(self, api: UserApi) -> Response[Any]:
        """A new link: the old one and every QR code printed from it stop working."""
        await api.post("hazards", "/report-link/rotate")
        return Redirect(path="/hazards/review?done=rotated", status_code=303)
