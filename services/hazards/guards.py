"""Who may call what: the role guards the hazards API's routes declare (finer rules live in the services)."""

from __future__ import annotations

from kit.auth import requires_role

EVERYONE = [requires_role("bureau", "principal", "teacher", "guard")]
SCHOOL_STAFF = [requires_role("principal", "teacher", "guard")]
PRINCIPAL = [requires_role("principal")]
BUREAU = [requires_role("bureau")]
PRINCIPAL_OR_BUREAU = [requires_role("principal", "bureau")]
PRINCIPAL_OR_TEACHER = [requires_role("principal", "teacher")]
MANAGERS = [requires_role("principal", "teacher", "bureau")]
