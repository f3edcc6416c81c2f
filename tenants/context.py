"""The tenant context: built only from a verified token (or explicitly, for background work)."""

from __future__ import annotations

import enum
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

#: Realm roles that SafeCampus knows. Anything else in a token is ignored.
KNOWN_ROLES = frozenset({"bureau", "principal", "teacher", "guard"})
SCHOOL_ROLES = frozenset({"principal", "teacher", "guard"})

#: The transaction-local settings the RLS policies read. Keep in sync with ``tenants.rls``.
GUC_USER = "app.user_id"
GUC_COUNTY = "app.county_id"
GUC_SCHOOL = "app.school_id"
GUC_SCOPE = "app.scope"
GUC_ROLES = "app.roles"


class TenantContextError(ValueError):
    """The token or the caller's arguments do not describe a tenant SafeCampus can serve."""


class Scope(enum.StrEnum):
    """How far the caller reaches: a whole county (bureau) or one school."""

    COUNTY = "county"
    SCHOOL = "school"


def _as_uuid(value: Any, name: str) -> uuid.UUID | None:
    if value in (None, ""):
        return None
    if isinstance(value, list):  # Keycloak multivalued attribute mapper
        if len(value) != 1:
            raise TenantContextError(f"{name} must hold exactly one value")
        value = value[0]
    try:
        return uuid.UUID(str(value))
    except ValueError as exc:
        raise TenantContextError(f"{name} is not a valid id") from exc


@dataclass(frozen=True, slots=True)
class TenantContext:
    """Who is asking, and for which county and school.

    ``county_id`` is always set. ``school_id`` is set for school roles and for work done on
    behalf of one school; a bureau user has none and reaches their whole county.
    """

    user_id: str
    username: str
    roles: frozenset[str]
    county_id: uuid.UUID
    school_id: uuid.UUID | None = None
    scope: Scope = field(default=Scope.SCHOOL)

    @classmethod
    def from_claims(cls, claims: Mapping[str, Any]) -> TenantContext:
        """Build the context from the claims of an already verified access token."""
        realm_access = claims.get("realm_access") or {}
        raw_roles = realm_access.get("roles", []) if isinstance(realm_access, Mapping) else []
        roles = frozenset(r for r in raw_roles if isinstance(r, str)) & KNOWN_ROLES
        if not roles:
            raise TenantContextError("the token carries no SafeCampus role")
        county_id = _as_uuid(claims.get("county_id"), "county_id")
        if county_id is None:
            raise TenantContextError("the token carries no county")
        school_id = _as_uuid(claims.get("school_id"), "school_id")
        if "bureau" in roles:
            scope = Scope.COUNTY
            school_id = None
        else:
            scope = Scope.SCHOOL
            if school_id is None:
                raise TenantContextError("a school role needs a school")
        subject = claims.get("sub")
        if not isinstance(subject, str) or not subject:
            raise TenantContextError("the token has no subject")
        username = claims.get("preferred_username")
        return cls(
            user_id=subject,
            username=username if isinstance(username, str) else subject,
            roles=roles,
            county_id=county_id,
            school_id=school_id,
            scope=scope,
        )

    @classmethod
    def for_school(cls, county_id: uuid.UUID, school_id: uuid.UUID, actor: str = "system") -> TenantContext:
        """Context for background work done on behalf of one school (actors, the scheduler)."""
        return cls(
            user_id=actor,
            username=actor,
            roles=frozenset(),
            county_id=county_id,
            school_id=school_id,
            scope=Scope.SCHOOL,
        )

    @classmethod
    def for_county(
        cls, county_id: uuid.UUID, actor: str = "system", roles: Iterable[str] = ()
    ) -> TenantContext:
        """Context for work done at county level (a bureau's job, or an operator command)."""
        return cls(
            user_id=actor,
            username=actor,
            roles=frozenset(roles),
            county_id=county_id,
            school_id=None,
            scope=Scope.COUNTY,
        )

    def has_any_role(self, *roles: str) -> bool:
        return not self.roles.isdisjoint(roles)

    def settings(self) -> dict[str, str]:
        """The transaction-local settings that the RLS policies read."""
        return {
            GUC_USER: self.user_id,
            GUC_COUNTY: str(self.county_id),
            GUC_SCHOOL: str(self.school_id) if self.school_id else "",
            GUC_SCOPE: self.scope.value,
            GUC_ROLES: ",".join(sorted(self.roles)),
        }


#: The settings applied when a transaction has no tenant: every policy then matches nothing.
EMPTY_SETTINGS: dict[str, str] = {GUC_USER: "", GUC_COUNTY: "", GUC_SCHOOL: "", GUC_SCOPE: "", GUC_ROLES: ""}
