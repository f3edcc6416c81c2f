"""The evaluation pages. Menu entries here (`NAVIGATION`); route handlers in `routes.py` (`ROUTES`)."""

from __future__ import annotations

from portal.i18n import N_
from portal.nav import NavItem

_STAFF = frozenset({"bureau", "principal", "teacher"})

NAVIGATION: tuple[NavItem, ...] = (
    NavItem("/evaluation", N_("Evaluation"), _STAFF),
    NavItem("/inspections", N_("My inspections"), _STAFF),
    NavItem("/evaluation/rubrics", N_("Rubrics"), frozenset({"bureau"})),
)
