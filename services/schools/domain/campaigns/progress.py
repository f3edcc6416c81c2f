"""How far a school's campaign is: the state of every deliverable, from facts gathered in one batch.

Pure functions over :class:`Facts`, so that the same rules answer the principal's page (one school), the
phase-closing check and the bureau's board (every school of the campaign).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Collection
from dataclasses import dataclass, field

from schools.domain.campaigns.models import (
    CampaignPhase,
    InspectionOutcome,
    PhaseStatus,
    SchoolPhase,
)
from schools.domain.campaigns.schemas import DeliverableState, DeliverableStatus
from schools.domain.campaigns.vocabulary import (
    BOARDING_ONLY,
    CATALOGUE,
    MEASURES,
    Deliverable,
    Mechanism,
    Phase,
    required_areas,
)

HAZARDS = "hazards"
EVALUATION = "evaluation"


@dataclass(slots=True)
class Facts:
    """What one school campaign has on record, reduced to what completeness depends on."""

    boarding: bool
    leading_group_members: int | None = None
    meetings: int = 0
    implementation_plan: bool = False
    assignments: int = 0
    signed_areas: set[str] = field(default_factory=set)
    investigation_report: bool = False
    evidence: dict[str, int] = field(default_factory=dict)
    #: The outcome of the latest inspection result, if any.
    inspection_outcome: InspectionOutcome | None = None
    summary_report: bool = False
    mechanisms: set[str] = field(default_factory=set)


#: The areas to sign off (with and without dormitories) and the mechanisms, listed once: the county board
#: asks for them for every school (members are ``str`` enums: they compare and hash as their values).
_AREAS = {boarding: tuple(required_areas(boarding)) for boarding in (False, True)}
_MECHANISMS = tuple(Mechanism)


def applies(deliverable: Deliverable, boarding: bool) -> bool:
    return boarding or deliverable not in BOARDING_ONLY


State = tuple[DeliverableState, str | None, list[str]]


def _done() -> State:
    return DeliverableState.COMPLETE, None, []


def _leading_group(_: Deliverable, facts: Facts) -> State:
    if facts.leading_group_members is None:
        return DeliverableState.MISSING, None, ["leading_group"]
    return _done()


def _meeting(_: Deliverable, facts: Facts) -> State:
    return _done() if facts.meetings else (DeliverableState.MISSING, None, ["meeting"])


def _implementation_plan(_: Deliverable, facts: Facts) -> State:
    return _done() if facts.implementation_plan else (DeliverableState.MISSING, None, ["document"])


def _assignments(_: Deliverable, facts: Facts) -> State:
    return _done() if facts.assignments else (DeliverableState.MISSING, None, ["assignments"])


def _area_checklist(_: Deliverable, facts: Facts) -> State:
    missing = [f"area:{a}" for a in _AREAS[facts.boarding] if a not in facts.signed_areas]
    # Sign-offs are reported by the hazards service: until they arrive the checklist waits for it.
    return (DeliverableState.WAITING, HAZARDS, missing) if missing else _done()


def _investigation_report(_: Deliverable, facts: Facts) -> State:
    return _done() if facts.investigation_report else (DeliverableState.WAITING, HAZARDS, ["report"])


def _inspection_result(_: Deliverable, facts: Facts) -> State:
    if facts.inspection_outcome is InspectionOutcome.ACCEPTED:
        return _done()
    wanted = "result" if facts.inspection_outcome is None else "accepted_result"
    return DeliverableState.WAITING, EVALUATION, [wanted]


def _summary_report(_: Deliverable, facts: Facts) -> State:
    return _done() if facts.summary_report else (DeliverableState.MISSING, None, ["summary"])


def _mechanisms(_: Deliverable, facts: Facts) -> State:
    missing = [f"mechanism:{m}" for m in _MECHANISMS if m not in facts.mechanisms]
    if not missing:
        return _done()
    state = DeliverableState.INCOMPLETE if facts.mechanisms else DeliverableState.MISSING
    return state, None, missing


def _measure(deliverable: Deliverable, facts: Facts) -> State:
    return _done() if facts.evidence.get(deliverable) else (DeliverableState.MISSING, None, ["evidence"])


#: The rule of each deliverable (a dictionary: the county board applies them to every school × phase).
_RULES: dict[Deliverable, Callable[[Deliverable, Facts], State]] = {
    Deliverable.LEADING_GROUP: _leading_group,
    Deliverable.DEPLOYMENT_MEETING: _meeting,
    Deliverable.IMPLEMENTATION_PLAN: _implementation_plan,
    Deliverable.RESPONSIBILITY_ASSIGNMENTS: _assignments,
    Deliverable.AREA_CHECKLIST: _area_checklist,
    Deliverable.INVESTIGATION_REPORT: _investigation_report,
    Deliverable.INSPECTION_RESULT: _inspection_result,
    Deliverable.SUMMARY_REPORT: _summary_report,
    Deliverable.LONG_TERM_MECHANISMS: _mechanisms,
    **dict.fromkeys(MEASURES, _measure),
}


def _state(deliverable: Deliverable, facts: Facts) -> State:
    """``(state, waiting_for, missing)`` of one applicable deliverable."""
    rule = _RULES.get(deliverable)
    if rule is None:  # pragma: no cover - every deliverable of the catalogue has its rule
        raise AssertionError(f"no rule for deliverable {deliverable}")
    return rule(deliverable, facts)


def assess(phase: Phase, required: list[str], facts: Facts) -> list[DeliverableStatus]:
    """The state of every deliverable of ``phase`` for one school, in catalogue order."""
    wanted = set(required)
    statuses = []
    for deliverable in CATALOGUE[phase]:
        if not applies(deliverable, facts.boarding):
            statuses.append(
                DeliverableStatus(
                    key=deliverable,
                    required=False,
                    state=DeliverableState.NOT_APPLICABLE,
                    waiting_for=None,
                    missing=[],
                )
            )
            continue
        state, waiting_for, missing = _state(deliverable, facts)
        statuses.append(
            DeliverableStatus(
                key=deliverable,
                required=deliverable.value in wanted,
                state=state,
                waiting_for=waiting_for,
                missing=missing,
            )
        )
    return statuses


def blocking(statuses: list[DeliverableStatus]) -> list[Deliverable]:
    """Required deliverables that are not complete: what stops the phase from closing."""
    return [s.key for s in statuses if s.required and s.state is not DeliverableState.COMPLETE]


def required_progress(phase: Phase, required: Collection[str], facts: Facts) -> tuple[int, int]:
    """``(complete, total)`` of the required deliverables of ``phase`` that apply to the school: what
    :func:`assess` and :func:`blocking` would count, without building each deliverable's status (the
    county board counts every school × phase)."""
    complete = total = 0
    for deliverable in CATALOGUE[phase]:
        if deliverable not in required or not applies(deliverable, facts.boarding):
            continue
        total += 1
        if _state(deliverable, facts)[0] is DeliverableState.COMPLETE:
            complete += 1
    return complete, total


def deadline_in_force(county_deadline: dt.date, extended_until: dt.date | None) -> dt.date:
    """The school's deadline: the county's, or a later one the bureau granted."""
    if extended_until is not None and extended_until > county_deadline:
        return extended_until
    return county_deadline


def effective_deadline(plan: CampaignPhase, phase: SchoolPhase) -> dt.date:
    """The school's deadline: the county's, or a later one the bureau granted."""
    return deadline_in_force(plan.deadline, phase.extended_until)


def is_overdue(plan: CampaignPhase, phase: SchoolPhase, today: dt.date) -> bool:
    """Not closed, and its deadline has passed (a deadline day is still in time)."""
    return phase.status is not PhaseStatus.CLOSED and effective_deadline(plan, phase) < today
