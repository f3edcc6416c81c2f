"""Each role's home page: a dashboard whose empty states say what to do first."""

from __future__ import annotations

from collections import Counter
from typing import Any

from litestar import Controller, Request, Response, get

from kit.auth import requires_role
from portal.api import UserApi
from portal.domain.notifications.client import list_notifications
from portal.nav import ALL_ROLES
from portal.web import Viewer, page

#: The bureau's dashboard counts over at most this many schools (a county has a few hundred).
DASHBOARD_SCHOOLS = 200


class HomeController(Controller):
    path = "/"
    include_in_schema = False

    @get("/", guards=[requires_role(*ALL_ROLES)])
    async def home(self, request: Request[Any, Any, Any], api: UserApi) -> Response[Any]:
        viewer = Viewer.of(request)
        assert viewer is not None  # the guard let a signed-in user through
        notifications = await list_notifications(api, limit=5)
        if viewer.role == "bureau":
            result = await api.get("schools", "/schools", {"limit": DASHBOARD_SCHOOLS})
            counts = Counter(school["provisioning"]["status"] for school in result["items"])
            suspended = sum(1 for school in result["items"] if school["status"] == "suspended")
            return page(
                request,
                "home/bureau.html",
                total=int(result["total"]),
                counts=counts,
                suspended=suspended,
                notifications=notifications,
            )
        school = await api.get("schools", "/school")
        return page(request, f"home/{viewer.role}.html", school=school, notifications=notifications)
