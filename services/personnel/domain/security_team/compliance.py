"""Staffing compliance: a school's security staffing measured against the county standard. Pure."""

from __future__ import annotations

import math
import uuid
from dataclasses import dataclass

from personnel.domain.security_team import schemas


@dataclass(frozen=True, slots=True)
class StandardFigures:
    students_per_guard: int
    min_guards_per_school: int
    min_guards_per_gate: int
    night_guards_boarding: int


@dataclass(frozen=True, slots=True)
class SchoolStaffing:
    """What a school has: its facts and its active security staff."""

    school_id: uuid.UUID
    school_name: str
    student_count: int
    boarding: bool
    active_gates: int = 0
    #: Active staff members with the guard role (professional guards).
    guards: int = 0
    #: Active security-team members on the night shift.
    night_guards: int = 0
    team_size: int = 0
    team_leaders: int = 0


def assess(standard: StandardFigures, school: SchoolStaffing) -> schemas.StaffingCompliance:
    """Each rule of the standard with what it requires of this school, what it has, and what is missing."""
    rules = [
        (
            "guards_per_students",
            math.ceil(school.student_count / standard.students_per_guard) if school.student_count else 0,
            school.guards,
            f"one professional guard per {standard.students_per_guard} students",
        ),
        (
            "guards_per_school",
            standard.min_guards_per_school,
            school.guards,
            f"at least {standard.min_guards_per_school} professional guard(s) per school",
        ),
        (
            "guards_per_gate",
            standard.min_guards_per_gate * school.active_gates,
            school.guards,
            f"{standard.min_guards_per_gate} professional guard(s) for each of {school.active_gates} gate(s)",
        ),
        ("team_leader", 1, school.team_leaders, "a security team with a leader"),
    ]
    if school.boarding:
        rules.append(
            (
                "night_guards",
                standard.night_guards_boarding,
                school.night_guards,
                f"{standard.night_guards_boarding} night-shift guard(s) for a boarding school",
            )
        )
    requirements = [
        schemas.Requirement(
            rule=rule, required=required, actual=actual, missing=max(0, required - actual), description=text
        )
        for rule, required, actual, text in rules
    ]
    missing = [
        f"{r.rule}: {r.missing} missing ({r.description}; has {r.actual} of {r.required})"
        for r in requirements
        if r.missing
    ]
    return schemas.StaffingCompliance(
        school_id=school.school_id,
        school_name=school.school_name,
        student_count=school.student_count,
        boarding=school.boarding,
        active_gates=school.active_gates,
        guards=school.guards,
        night_guards=school.night_guards,
        team_size=school.team_size,
        compliant=not missing,
        requirements=requirements,
        missing=missing,
    )
