"""The bureau's check of each school's audit chain (the schools API recomputes the hash chain)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from litestar import Controller, Request, Response, get, post
from litestar.params import FromPath

from kit.auth import requires_role
from portal.api import UserApi
from portal.web import page


@dataclass(frozen=True, slots=True)
class ChainCheck:
    """``GET /audit/schools/{id}/verification`` of the schools API, as the page shows it."""

    ok: bool
    verified: int
    #: The first broken link (sequence number) and the API's reason; 0 and empty while the chain holds.
    broken_seq: int
    broken_reason: str

    @classmethod
    def from_api(cls, body: dict[str, Any]) -> ChainCheck:
        broken = body.get("broken") or {}
        return cls(
            ok=bool(body["ok"]),
            verified=int(body.get("verified") or 0),
            broken_seq=int(broken.get("seq") or 0),
            broken_reason=str(broken.get("reason") or ""),
        )


class AuditController(Controller):
    path = "/audit"
    guards = [requires_role("bureau")]
    include_in_schema = False

    @get("/")
    async def index(self, request: Request[Any, Any, Any], api: UserApi) -> Response[Any]:
        """Every school of the county with a button to verify its chain."""
        result = await api.get("schools", "/schools", {"limit": 200})
        return page(request, "audit/index.html", schools=result["items"], total=int(result["total"]))

    @post("/{school_id:uuid}/verify")
    async def verify(
        self, request: Request[Any, Any, Any], api: UserApi, school_id: FromPath[uuid.UUID]
    ) -> Response[Any]:
        """Verify one school's chain; the answer replaces the button (htmx) or is a page of its own."""
        body = await api.get("schools", f"/audit/schools/{school_id}/verification")
        school = await api.get("schools", f"/schools/{school_id}")
        template = (
            "audit/_result.html" if request.headers.get("hx-request") == "true" else "audit/result.html"
        )
        return page(request, template, check=ChainCheck.from_api(body), school=school)
