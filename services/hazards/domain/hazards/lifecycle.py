"""The hazard life cycle: which action may move a hazard from which state, and who may take it.

    reported ─confirm→ confirmed ─assign→ rectifying ─rectify→ rectified ─verify→ closed
        └─reject→ rejected            ↑ (containment,   ↑            │          (general, not listed)
                                      │  reassignment)  └──reopen────┤
                                      │                               └─verify→ verified ─sign_off→ closed
                                      └────────────reopen (bureau refuses)──────────┘   (major or listed)

Every rule lives here so that the service, the API's ``allowed_actions`` and the tests agree. Role
mistakes answer 403, an action that the current state does not allow answers 409 with the reason.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from hazards.domain.hazards.models import Hazard, Status
from kit.errors import ConflictError, ForbiddenError
from tenants import TenantContext

SCHOOL_STAFF = frozenset({"principal", "teacher", "guard"})


class Action(enum.StrEnum):
    CONFIRM = "confirm"
    REJECT = "reject"
    ASSIGN = "assign"
    REASSIGN = "reassign"
    CONTAIN = "contain"
    RECTIFY = "rectify"
    VERIFY = "verify"
    REOPEN = "reopen"
    SIGN_OFF = "sign_off"
    LIST = "list"
    EDIT = "edit"
    REFER = "refer"
    ADD_PHOTO = "add_photo"


@dataclass(frozen=True, slots=True)
class Rule:
    sources: frozenset[Status]
    roles: frozenset[str]
    #: What the action is called in a reason ("verified", "signed off").
    done: str


OPEN_STATES = frozenset(
    {Status.REPORTED, Status.CONFIRMED, Status.RECTIFYING, Status.RECTIFIED, Status.VERIFIED}
)
FINAL_STATES = frozenset({Status.REJECTED, Status.CLOSED})

RULES: dict[Action, Rule] = {
    Action.CONFIRM: Rule(frozenset({Status.REPORTED}), frozenset({"principal", "bureau"}), "confirmed"),
    Action.REJECT: Rule(frozenset({Status.REPORTED}), frozenset({"principal", "bureau"}), "rejected"),
    Action.ASSIGN: Rule(
        frozenset({Status.CONFIRMED}), frozenset({"principal"}), "assigned for rectification"
    ),
    Action.REASSIGN: Rule(frozenset({Status.RECTIFYING}), frozenset({"principal"}), "reassigned"),
    Action.CONTAIN: Rule(
        frozenset({Status.CONFIRMED, Status.RECTIFYING}), SCHOOL_STAFF, "given containment measures"
    ),
    Action.RECTIFY: Rule(frozenset({Status.RECTIFYING}), SCHOOL_STAFF, "marked rectified"),
    Action.VERIFY: Rule(frozenset({Status.RECTIFIED}), frozenset({"principal", "teacher"}), "verified"),
    Action.REOPEN: Rule(
        frozenset({Status.RECTIFIED, Status.VERIFIED}),
        frozenset({"principal", "teacher", "bureau"}),
        "reopened",
    ),
    Action.SIGN_OFF: Rule(frozenset({Status.VERIFIED}), frozenset({"bureau"}), "signed off"),
    Action.LIST: Rule(
        frozenset({Status.CONFIRMED, Status.RECTIFYING, Status.RECTIFIED, Status.VERIFIED}),
        frozenset({"bureau"}),
        "listed for supervision",
    ),
    Action.EDIT: Rule(
        frozenset({Status.REPORTED, Status.CONFIRMED, Status.RECTIFYING}),
        frozenset({"principal", "bureau"}),
        "edited",
    ),
    Action.REFER: Rule(
        frozenset({Status.CONFIRMED, Status.RECTIFYING}), frozenset({"principal", "bureau"}), "referred"
    ),
    Action.ADD_PHOTO: Rule(OPEN_STATES, SCHOOL_STAFF | {"bureau"}, "given photos"),
}


class IllegalTransitionError(ConflictError):
    """The hazard's current state does not allow the action."""

    type_suffix = "illegal-transition"


def _states(states: frozenset[Status]) -> str:
    order = list(Status)
    return " or ".join(s.value for s in sorted(states, key=order.index))


def check(action: Action, hazard: Hazard, actor: TenantContext) -> None:
    """Raise unless ``actor`` may take ``action`` on ``hazard`` now (403 for who, 409 for when)."""
    rule = RULES[action]
    if actor.roles.isdisjoint(rule.roles):
        raise ForbiddenError(f"a hazard is {rule.done} only by: {', '.join(sorted(rule.roles))}")
    if hazard.status not in rule.sources:
        raise IllegalTransitionError(
            f"hazard {hazard.number} is {hazard.status.value}; only a hazard that is "
            f"{_states(rule.sources)} can be {rule.done}",
            errors=[{"key": "status", "message": f"is {hazard.status.value}"}],
        )
    _check_person(action, hazard, actor)


def _is_principal(actor: TenantContext) -> bool:
    return "principal" in actor.roles


def _check_person(action: Action, hazard: Hazard, actor: TenantContext) -> None:
    if action in (Action.RECTIFY, Action.CONTAIN):
        if not _is_principal(actor) and actor.user_id != hazard.responsible_id:
            raise ForbiddenError(
                f"only the responsible person or the principal may mark hazard {hazard.number}"
            )
    elif action == Action.VERIFY or (action == Action.REOPEN and hazard.status == Status.RECTIFIED):
        if "bureau" in actor.roles and not actor.roles & SCHOOL_STAFF:
            raise ForbiddenError(
                "the school's checker verifies a rectification; the bureau signs off afterwards"
            )
        if actor.user_id == hazard.rectified_by:
            raise ForbiddenError(
                f"the checker must be someone other than the person who rectified hazard {hazard.number}"
            )
        if not _is_principal(actor) and actor.user_id != hazard.checker_id:
            raise ForbiddenError(f"only the named checker or the principal may verify hazard {hazard.number}")
    elif action == Action.REOPEN and hazard.status == Status.VERIFIED and "bureau" not in actor.roles:
        raise ForbiddenError(
            f"hazard {hazard.number} awaits the bureau's sign-off; only the bureau may reopen it"
        )


def allowed_actions(hazard: Hazard, actor: TenantContext) -> list[str]:
    """The actions ``actor`` may take on ``hazard`` now (the portal shows these buttons)."""
    allowed = []
    for action in Action:
        try:
            check(action, hazard, actor)
        except (ForbiddenError, IllegalTransitionError):
            continue
        if action == Action.LIST and hazard.listed:
            continue
        allowed.append(action.value)
    return allowed
