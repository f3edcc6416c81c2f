"""The campaign pages' route handlers, mounted by the portal app."""

from __future__ import annotations

from typing import Any

ROUTES: list[Any] = []
