"""The tenant context: built only from a verified token (or explicitly, for background work)."""

from __future__ import annotations

import datetime as dt
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
GUC_INSPECT = "app.inspect_school_ids"

#: The access-token claim that carries cross-school inspection grants (a multivalued user attribute
#: of the same name, mapped by the realm's ``safecampus`` client scope).
INSPECTION_GRANTS_CLAIM = "inspection_grants"


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
class InspectionGrant:
    """The bureau's permission for one inspector to inspect one school during a time window.

    Carried in the token as ``"<school uuid>|<start ISO 8601>|<end ISO 8601>"`` (times with a zone); the
    window is half open: ``starts_at <= now < ends_at``.
    """

    school_id: uuid.UUID
    starts_at: dt.datetime
    ends_at: dt.datetime

    def active_at(self, now: dt.datetime) -> bool:
        return self.starts_at <= now < self.ends_at

    def encode(self) -> str:
        """The claim value (the user attribute's value in Keycloak)."""
        return f"{self.school_id}|{self.starts_at.isoformat()}|{self.ends_at.isoformat()}"

    @classmethod
    def decode(cls, value: object) -> InspectionGrant | None:
        """The grant a claim value describes, or ``None`` when it is malformed (a malformed grant grants
        nothing; it does not invalidate the rest of the token)."""
        if not isinstance(value, str) or value.count("|") != 2:
            return None
        school, start, end = value.split("|")
        try:
            grant = cls(uuid.UUID(school), dt.datetime.fromisoformat(start), dt.datetime.fromisoformat(end))
        except ValueError:
            return None
        if grant.starts_at.tzinfo is None or grant.ends_at.tzinfo is None or grant.ends_at <= grant.starts_at:
            return None
        return grant


def _grants(value: Any) -> tuple[InspectionGrant, ...]:
    items = value if isinstance(value, list) else [value] if value else []
    return tuple(g for g in (InspectionGrant.decode(item) for item in items) if g is not None)


@dataclass(frozen=True, slots=True)
class TenantContext:
    """Who is asking, and for which county and school.

    ``county_id`` is always set. ``school_id`` is set for school roles and for work done on
    behalf of one school; a bureau user has none and reaches their whole county.

    A school user may also hold cross-school inspection grants: ``inspection_grants`` are all the
    well-formed grants of the token (past, current and future, for display), ``inspect_school_ids``
    the schools whose grant was active when the token was read. Only the latter reach the database
    (``app.inspect_school_ids``), where the inspection policies of :mod:`tenants.rls` read them.
    Revoking a grant takes effect when the caller's token is next issued: the lag is at most the
    realm's access-token lifetime.
    """

    user_id: str
    username: str
    roles: frozenset[str]
    county_id: uuid.UUID
    school_id: uuid.UUID | None = None
    scope: Scope = field(default=Scope.SCHOOL)
    inspection_grants: tuple[InspectionGrant, ...] = ()
    inspect_school_ids: frozenset[uuid.UUID] = frozenset()

    @classmethod
    def from_claims(cls, claims: Mapping[str, Any], *, now: dt.datetime | None = None) -> TenantContext:
        """Build the context from the claims of an already verified access token.

        ``now`` (default: the current time) decides which inspection grants are active. Grants are
        ignored for bureau users (who reach their county anyway) and for the caller's own school
        (an inspector never inspects their own school).
        """
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
        grants: tuple[InspectionGrant, ...] = ()
        if scope is Scope.SCHOOL:
            grants = tuple(
                g for g in _grants(claims.get(INSPECTION_GRANTS_CLAIM)) if g.school_id != school_id
            )
        moment = now or dt.datetime.now(dt.UTC)
        return cls(
            user_id=subject,
            username=username if isinstance(username, str) else subject,
            roles=roles,
            county_id=county_id,
            school_id=school_id,
            scope=scope,
            inspection_grants=grants,
            inspect_school_ids=frozenset(g.school_id for g in grants if g.active_at(moment)),
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
            GUC_INSPECT: ",".join(sorted(str(s) for s in self.inspect_school_ids)),
        }


#: The settings applied when a transaction has no tenant: every policy then matches nothing.
EMPTY_SETTINGS: dict[str, str] = {
    GUC_USER: "",
    GUC_COUNTY: "",
    GUC_SCHOOL: "",
    GUC_SCOPE: "",
    GUC_ROLES: "",
    GUC_INSPECT: "",
}
