"""The personnel pages. Menu entries here (`NAVIGATION`); route handlers in `routes.py` (`ROUTES`)."""

from __future__ import annotations

from portal.i18n import N_
from portal.nav import NavItem

_SCHOOL = frozenset({"principal", "teacher", "guard"})

NAVIGATION: tuple[NavItem, ...] = (
    NavItem("/gate", N_("Gate"), frozenset({"guard", "principal"})),
    NavItem("/duty", N_("Gate duty"), _SCHOOL),
    NavItem("/staff", N_("Staff"), frozenset({"principal"})),
    NavItem("/dormitories", N_("Dormitories"), _SCHOOL),
    NavItem("/concerns", N_("Students of concern"), frozenset({"principal", "teacher"})),
    NavItem("/training", N_("Safety training"), _SCHOOL),
    NavItem("/county-staffing", N_("Staffing"), frozenset({"bureau"})),
    NavItem("/bureau-users", N_("Bureau users"), frozenset({"bureau"})),
)
