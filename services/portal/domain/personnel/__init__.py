"""The personnel pages. Menu entries here (`NAVIGATION`); route handlers in `routes.py` (`ROUTES`)."""

from __future__ import annotations

from portal.nav import NavItem

NAVIGATION: tuple[NavItem, ...] = ()
