"""The hazards pages. Menu entries here (`NAVIGATION`); route handlers in `routes.py` (`ROUTES`)."""

from __future__ import annotations

from portal.i18n import N_
from portal.nav import NavItem

_EVERYONE = frozenset({"bureau", "principal", "teacher", "guard"})
_PRINCIPAL_OR_BUREAU = frozenset({"principal", "bureau"})

NAVIGATION: tuple[NavItem, ...] = (
    NavItem("/hazards/report", N_("Report a hazard"), frozenset({"principal", "teacher", "guard"})),
    NavItem("/hazards", N_("Hazard register"), _EVERYONE),
    NavItem("/hazards/patrols", N_("Patrols"), _EVERYONE),
    NavItem("/hazards/review", N_("Public reports"), frozenset({"principal"})),
    NavItem("/hazards/supervision", N_("Supervision list"), _PRINCIPAL_OR_BUREAU),
    NavItem("/hazards/statistics", N_("Hazard statistics"), _PRINCIPAL_OR_BUREAU),
    NavItem("/hazards/referrals", N_("Referrals"), _PRINCIPAL_OR_BUREAU),
    NavItem("/hazards/incidents", N_("Incidents"), _EVERYONE),
)
