"""The words of the campaign: its five phases and the deliverables each phase asks of a school, in the
order of the seed's "method steps", with their Chinese and English labels (API answers, portal, notices).

The catalogue is fixed here; a county campaign chooses which deliverables it *requires* per phase (by
default all of them, :func:`default_requirements`).
"""

from __future__ import annotations

import enum


class Phase(enum.StrEnum):
    """The five phases, in order (seed: "Third, the method steps")."""

    DEPLOYMENT = "deployment"
    INVESTIGATION = "investigation"
    REMEDIATION = "remediation"
    ACCEPTANCE = "acceptance"
    CONSOLIDATION = "consolidation"

    @property
    def position(self) -> int:
        return PHASES.index(self)

    @property
    def next(self) -> Phase | None:
        index = PHASES.index(self) + 1
        return PHASES[index] if index < len(PHASES) else None


PHASES: list[Phase] = list(Phase)


class Deliverable(enum.StrEnum):
    # organisational deployment
    LEADING_GROUP = "leading_group"
    DEPLOYMENT_MEETING = "deployment_meeting"
    IMPLEMENTATION_PLAN = "implementation_plan"
    RESPONSIBILITY_ASSIGNMENTS = "responsibility_assignments"
    # investigation ("check the bottom"): reported by the hazards service
    AREA_CHECKLIST = "area_checklist"
    INVESTIGATION_REPORT = "investigation_report"
    # centralised remediation: the seed's measures, each evidenced
    SECURITY_STAFFING = "security_staffing"
    MANAGEMENT_SYSTEMS = "management_systems"
    VISITOR_REGISTRATION = "visitor_registration"
    VEHICLE_BAN = "vehicle_ban"
    FLAMMABLES_BAN = "flammables_ban"
    VIDEO_SURVEILLANCE = "video_surveillance"
    GATE_DUTY = "gate_duty"
    SAFETY_EDUCATION = "safety_education"
    STUDENTS_OF_CONCERN = "students_of_concern"
    DORMITORY_NIGHT_INSPECTIONS = "dormitory_night_inspections"
    EMERGENCY_PLANS_DRILLS = "emergency_plans_drills"
    NO_PAID_TUTORING = "no_paid_tutoring"
    FOOD_HYGIENE = "food_hygiene"
    FIRE_SAFETY_CHECKS = "fire_safety_checks"
    # inspection and acceptance: reported by the evaluation service
    INSPECTION_RESULT = "inspection_result"
    # consolidation and improvement
    SUMMARY_REPORT = "summary_report"
    LONG_TERM_MECHANISMS = "long_term_mechanisms"


#: The remediation measures of the seed (each one is a deliverable that needs evidence).
MEASURES: tuple[Deliverable, ...] = (
    Deliverable.SECURITY_STAFFING,
    Deliverable.MANAGEMENT_SYSTEMS,
    Deliverable.VISITOR_REGISTRATION,
    Deliverable.VEHICLE_BAN,
    Deliverable.FLAMMABLES_BAN,
    Deliverable.VIDEO_SURVEILLANCE,
    Deliverable.GATE_DUTY,
    Deliverable.SAFETY_EDUCATION,
    Deliverable.STUDENTS_OF_CONCERN,
    Deliverable.DORMITORY_NIGHT_INSPECTIONS,
    Deliverable.EMERGENCY_PLANS_DRILLS,
    Deliverable.NO_PAID_TUTORING,
    Deliverable.FOOD_HYGIENE,
    Deliverable.FIRE_SAFETY_CHECKS,
)

CATALOGUE: dict[Phase, tuple[Deliverable, ...]] = {
    Phase.DEPLOYMENT: (
        Deliverable.LEADING_GROUP,
        Deliverable.DEPLOYMENT_MEETING,
        Deliverable.IMPLEMENTATION_PLAN,
        Deliverable.RESPONSIBILITY_ASSIGNMENTS,
    ),
    Phase.INVESTIGATION: (Deliverable.AREA_CHECKLIST, Deliverable.INVESTIGATION_REPORT),
    Phase.REMEDIATION: MEASURES,
    Phase.ACCEPTANCE: (Deliverable.INSPECTION_RESULT,),
    Phase.CONSOLIDATION: (Deliverable.SUMMARY_REPORT, Deliverable.LONG_TERM_MECHANISMS),
}
PHASE_OF: dict[Deliverable, Phase] = {d: phase for phase, items in CATALOGUE.items() for d in items}

#: Deliverables that only boarding schools have (a day school has no dormitories to inspect at night).
BOARDING_ONLY: frozenset[Deliverable] = frozenset({Deliverable.DORMITORY_NIGHT_INSPECTIONS})


def default_requirements() -> dict[Phase, list[Deliverable]]:
    """What a new county campaign requires unless the bureau changes it: the whole catalogue."""
    return {phase: list(items) for phase, items in CATALOGUE.items()}


class Area(enum.StrEnum):
    """The campus areas the investigation covers "without leaving dead ends" (the same words as the
    hazards service's patrols, which sign them off)."""

    GATE = "gate"
    TEACHING_BUILDINGS = "teaching_buildings"
    LABS = "labs"
    DORMITORIES = "dormitories"
    CANTEEN = "canteen"
    PLAYGROUND_SPORTS = "playground_sports"
    ELECTRICAL_ROOMS = "electrical_rooms"
    SURROUNDINGS = "surroundings"


def required_areas(boarding: bool) -> list[Area]:
    """The areas a school's checklist must have signed off (dormitories only where there are any)."""
    return [a for a in Area if boarding or a != Area.DORMITORIES]


class Mechanism(enum.StrEnum):
    """The long-term mechanisms of the consolidation phase (seed: "Consolidation and improvement")."""

    LEADERSHIP = "leadership"
    WORKING = "working"
    SUPERVISION = "supervision"
    ASSESSMENT_EVALUATION = "assessment_evaluation"
    ACCOUNTABILITY = "accountability"


LABELS: dict[str, tuple[str, str]] = {
    # phases
    "deployment": ("组织部署", "Organisational deployment"),
    "investigation": ("摸底排查", "Investigation"),
    "remediation": ("集中整治", "Centralised remediation"),
    "acceptance": ("检查验收", "Inspection and acceptance"),
    "consolidation": ("巩固提高", "Consolidation and improvement"),
    # deliverables
    "leading_group": ("领导小组", "Leading group"),
    "deployment_meeting": ("部署会议", "Deployment meeting"),
    "implementation_plan": ("实施方案", "Implementation plan"),
    "responsibility_assignments": ("安全责任分工", "Safety responsibility assignments"),
    "area_checklist": ("区域排查清单", "Area checklist"),
    "investigation_report": ("排查报告", "Investigation report"),
    "security_staffing": ("安保人员配备及护校队", "Security staffing and security team"),
    "management_systems": ("安全管理制度", "Management systems"),
    "visitor_registration": ("外来人员登记核查", "Visitor registration and verification"),
    "vehicle_ban": ("禁止无关人员和校外机动车入校", "No unrelated people or outside motor vehicles"),
    "flammables_ban": ("禁止易燃易爆物品入校", "No flammable or explosive materials"),
    "video_surveillance": (
        "重点部位视频监控并与110联网",
        "Video surveillance linked to the 110 alarm system",
    ),
    "gate_duty": ("上学放学校门值守", "Gate duty at arrival and dismissal"),
    "safety_education": ("师生安全教育", "Safety education"),
    "students_of_concern": ("特殊学生关爱管控", "Care for students of concern"),
    "dormitory_night_inspections": ("宿舍夜间巡查（重点女生宿舍）", "Dormitory night inspections"),
    "emergency_plans_drills": ("应急预案及演练", "Emergency plans and drills"),
    "no_paid_tutoring": ("杜绝教师有偿补课", "No paid tutoring by teachers"),
    "food_hygiene": ("食品卫生安全", "Food hygiene"),
    "fire_safety_checks": ("宿舍食堂消防安全检查", "Fire safety checks of dormitories and canteens"),
    "inspection_result": ("验收结果", "Inspection result"),
    "summary_report": ("总结报告", "Summary report"),
    "long_term_mechanisms": ("长效机制", "Long-term mechanisms"),
    # areas
    "gate": ("校门", "Gate"),
    "teaching_buildings": ("教学楼", "Teaching buildings"),
    "labs": ("实验室", "Laboratories"),
    "dormitories": ("宿舍", "Dormitories"),
    "canteen": ("食堂", "Canteen"),
    "playground_sports": ("操场及体育设施", "Playground and sports facilities"),
    "electrical_rooms": ("配电房", "Electrical rooms"),
    "surroundings": ("校园周边", "Surroundings"),
    # mechanisms
    "leadership": ("领导机制", "Leadership mechanism"),
    "working": ("工作机制", "Working mechanism"),
    "supervision": ("监督机制", "Supervision mechanism"),
    "assessment_evaluation": ("考核评价机制", "Assessment and evaluation mechanism"),
    "accountability": ("责任追究机制", "Accountability mechanism"),
}


def label(value: str, lang: str = "zh") -> str:
    """The display label of a vocabulary value (``lang``: ``zh`` or ``en``); unknown values as they are."""
    pair = LABELS.get(value)
    if pair is None:
        return value
    return pair[1] if lang == "en" else pair[0]
