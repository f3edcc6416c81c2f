"""The menu: its entries, and the page areas that add their own.

Each page area with a menu of its own (``portal/domain/<area>/``) lists its entries in its package's
``NAVIGATION`` and its route handlers in its ``routes.py`` (``ROUTES``); the app and the menu pick up the
areas named in :data:`AREAS`. Each entry's roles are exactly those its route's guard lets in (a test
checks this).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from importlib import import_module
from typing import Any

from portal.i18n import N_

ALL_ROLES = frozenset({"bureau", "principal", "teacher", "guard"})
#: Page areas that bring their own routes and menu entries, in menu order.
AREAS = ("campaign", "hazards", "personnel", "evaluation")


@dataclass(frozen=True, slots=True)
class NavItem:
    path: str
    label: str
    roles: frozenset[str]


def _areas_navigation() -> tuple[NavItem, ...]:
    items: list[NavItem] = []
    for area in AREAS:
        items.extend(getattr(import_module(f"portal.domain.{area}"), "NAVIGATION", ()))
    return tuple(items)


def area_routes() -> list[Any]:
    """Every page area's route handlers (imported when the app is built)."""
    handlers: list[Any] = []
    for area in AREAS:
        handlers.extend(import_module(f"portal.domain.{area}.routes").ROUTES)
    return handlers


@cache
def navigation() -> tuple[NavItem, ...]:
    """The whole menu. Built on first use, not at import: an area's package imports this module for
    :class:`NavItem`, so reading the areas' entries at import time would miss a half-imported area's."""
    return (
        NavItem("/", N_("Home"), ALL_ROLES),
        NavItem("/schools", N_("Schools"), frozenset({"bureau"})),
        *_areas_navigation(),
        NavItem("/audit", N_("Audit check"), frozenset({"bureau"})),
        NavItem("/school", N_("School profile"), frozenset({"principal"})),
        NavItem("/notifications", N_("Notifications"), ALL_ROLES),
    )


def current_entry(items: list[NavItem], path: str) -> str:
    """The path of the menu entry ``path`` belongs to: the longest entry that is ``path`` or a prefix of it
    (``/hazards/supervision`` is its own entry, not "the register at ``/hazards``")."""
    matches = [
        item.path
        for item in items
        if path == item.path or (item.path != "/" and path.startswith(item.path + "/"))
    ]
    return max(matches, key=len, default="")
