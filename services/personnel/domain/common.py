"""Small helpers every personnel feature uses."""

from __future__ import annotations

import uuid

from kit.errors import ForbiddenError
from tenants import TenantContext


def own_school_id(tenant: TenantContext) -> uuid.UUID:
    """The caller's school. Routes that call this are guarded to school roles, which always carry one."""
    if tenant.school_id is None:
        raise ForbiddenError("this needs a school account")
    return tenant.school_id


def like_pattern(text: str) -> str:
    """``%text%`` for ILIKE, with the wildcards of ``text`` escaped."""
    return "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
