"""The campaign pages. Menu entries here (`NAVIGATION`); route handlers in `routes.py` (`ROUTES`)."""

from __future__ import annotations

from portal.i18n import N_
from portal.nav import NavItem

NAVIGATION: tuple[NavItem, ...] = (
    # The bureau's county board and the principal's campaign page share the address.
    NavItem("/campaign", N_("Campaign"), frozenset({"bureau", "principal"})),
    NavItem("/documents", N_("Management systems"), frozenset({"principal"})),
    NavItem("/drills", N_("Emergency drills"), frozenset({"principal"})),
)
