"""A principal's own school profile."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, Response, get

from kit.auth import requires_role
from portal.api import UserApi
from portal.web import page


class SchoolProfileController(Controller):
    path = "/school"
    include_in_schema = False

    @get("/", guards=[requires_role("principal")])
    async def profile(self, request: Request[Any, Any, Any], api: UserApi) -> Response[Any]:
        return page(request, "school/profile.html", school=await api.get("schools", "/school"))
