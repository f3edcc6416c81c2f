"""How far a school's campaign is: the state of every deliverable, from facts gathered in one batch.

Pure functions over :class:`Facts`, so that the same rules answer the principal's page (one school), the
phase-closing check and the bureau's board (every school of the campaign).
"""

from __future__ import annotations

import datetime as dt
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


def applies(deliverable: Deliverable, boarding: bool) -> bool:
    return boarding or deliverable not in BOARDING_ONLY


def _state(deliverable: Deliverable, facts: Facts) -> tuple[DeliverableState, str | None, list[str]]:
    """``(state, waiting_for, missing)`` of one applicable deliverable."""
    done: tuple[DeliverableState, str | None, list[str]] = (DeliverableState.COMPLETE, None, [])
    match deliverable:
        case Deliverable.LEADING_GROUP:
            if facts.leading_group_members is None:
                return DeliverableState.MISSING, None, ["leading_group"]
            return done
        case Deliverable.DEPLOYMENT_MEETING:
            return done if facts.meetings else (DeliverableState.MISSING, None, ["meeting"])
        case Deliverable.IMPLEMENTATION_PLAN:
            return done if facts.implementation_plan else (DeliverableState.MISSING, None, ["document"])
        case Deliverable.RESPONSIBILITY_ASSIGNMENTS:
            return done if facts.assignments else (DeliverableState.MISSING, None, ["assignments"])
        case Deliverable.AREA_CHECKLIST:
            missing = [
                f"area:{a}" for a in required_areas(facts.boarding) if a.value not in facts.signed_areas
            ]
            # Sign-offs are reported by the hazards service: until they arrive the checklist waits for it.
            return (DeliverableState.WAITING, HAZARDS, missing) if missing else done
        case Deliverable.INVESTIGATION_REPORT:
            return done if facts.investigation_report else (DeliverableState.WAITING, HAZARDS, ["report"])
        case Deliverable.INSPECTION_RESULT:
            if facts.inspection_outcome is InspectionOutcome.ACCEPTED:
                return done
            wanted = "result" if facts.inspection_outcome is None else "accepted_result"
            return DeliverableState.WAITING, EVALUATION, [wanted]
        case Deliverable.SUMMARY_REPORT:
            return done if facts.summary_report else (DeliverableState.MISSING, None, ["summary"])
        case Deliverable.LONG_TERM_MECHANISMS:
            missing = [f"mechanism:{m}" for m in Mechanism if m.value not in facts.mechanisms]
            if not missing:
                return done
            state = DeliverableState.INCOMPLETE if facts.mechanisms else DeliverableState.MISSING
            return state, None, missing
        case _ if deliverable in MEASURES:
            return (
                done
                if facts.evidence.get(deliverable.value)
                else (DeliverableState.MISSING, None, ["evidence"])
            )
    raise AssertionError(f"no rule for deliverable {deliverable}")  # pragma: no cover


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


def effective_deadline(plan: CampaignPhase, phase: SchoolPhase) -> dt.date:
    """The school's deadline: the county's, or a later one the bureau granted."""
    if phase.extended_until is not None and phase.extended_until > plan.deadline:
        return phase.extended_until
    return plan.deadline


def is_overdue(plan: CampaignPhase, phase: SchoolPhase, today: dt.date) -> bool:
    """Not closed, and its deadline has passed (a deadline day is still in time)."""
    return phase.status is not PhaseStatus.CLOSED and effective_deadline(plan, phase) < today
