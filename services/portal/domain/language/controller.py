"""Choosing the language (remembered in a cookie, so it outlives the session)."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, post
from litestar.datastructures import Cookie
from litestar.response import Redirect

from portal.i18n import LANGUAGE_COOKIE, normalise
from portal.web import safe_next

ONE_YEAR = 365 * 24 * 3600


class LanguageController(Controller):
    path = "/language"
    include_in_schema = False

    @post("/", status_code=303)
    async def choose(self, request: Request[Any, Any, Any]) -> Redirect:
        form = await request.form()
        locale = normalise(str(form.get("locale") or ""))
        target = safe_next(str(form.get("next") or "/"))
        if locale is None:
            return Redirect(path=target, status_code=303)
        secure = request.app.state.settings.secure_cookies
        cookie = Cookie(
            key=LANGUAGE_COOKIE, value=locale, max_age=ONE_YEAR, httponly=True, samesite="lax", secure=secure
        )
        return Redirect(path=target, status_code=303, cookies=[cookie])
