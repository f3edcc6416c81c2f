"""Events between services: the catalogue, and idempotent consumers.

The catalogue (:data:`CATALOGUE`) is the one place where every event type is declared, with its
payload (a msgspec struct), the service that produces it and the services that consume it.
``docs/events.md`` is generated from it (``python -m kit.events > docs/events.md``; a test keeps
the two equal).

- Names are ``<service>.<thing>.<verb>``: the producing service, the thing the event is about, and
  what happened to it in the past tense (``schools.school.onboarded``).
- A producer writes an event with :class:`kit.outbox.Outbox` in the transaction of the change it
  announces. The relay delivers it to each consumer's actor ``<consumer>.on.<event type>`` on queue
  ``<consumer>`` at least once.
- A consumer declares its handler with :func:`consumer`. The handler runs in the event's tenant
  context, in one transaction with an insert into ``<consumer>.inbox``. An event id that is already
  there is skipped, so a redelivered event changes nothing.
- Payloads carry ids and facts, never secrets. A consumer ignores fields it does not know, so a
  producer may add a field. Removing or renaming one needs a new event type.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
import uuid
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from functools import cache
from typing import Annotated, Any, Generic, TypeVar

import dramatiq
import msgspec
from sqlalchemy import Column, DateTime, MetaData, Table, Text, Uuid
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from kit.broker import worker_database
from kit.logging import get_logger
from tenants import TenantContext

log = get_logger(__name__)

#: The same rule as the CHECK constraint on ``<schema>.outbox.type`` (``tenants.messaging``).
EVENT_NAME = re.compile(r"^[a-z]+\.[a-z_]+\.[a-z_]+$")


class Payload(msgspec.Struct, frozen=True, kw_only=True):
    """Base of every event payload."""


# --- payloads -------------------------------------------------------------------------------------------
def _doc(text: str) -> msgspec.Meta:
    return msgspec.Meta(description=text)


class SchoolOnboarded(Payload, frozen=True, kw_only=True):
    """A school joined its county. The event's tenant is the school itself."""

    school_id: Annotated[uuid.UUID, _doc("the school (also the event's `school_id`)")]
    code: Annotated[str, _doc("the school's code, unique in its county")]
    name: Annotated[str, _doc("the school's name")]
    kind: Annotated[str, _doc("kind of school: `primary`, `junior_secondary`, ... (the API's `SchoolKind`)")]
    boarding: Annotated[bool, _doc("a boarding school has dormitories (night inspections, fire checks)")]
    student_count: Annotated[int, _doc("number of students")]


class SchoolUpdated(Payload, frozen=True, kw_only=True):
    """The bureau changed a school's facts, suspended it or reactivated it. The event's tenant is the school;
    the payload is the whole school afterwards, so a consumer needs no earlier event."""

    school_id: Annotated[uuid.UUID, _doc("the school (also the event's `school_id`)")]
    change: Annotated[str, _doc("`updated`, `suspended` or `reactivated`")]
    code: Annotated[str, _doc("the school's code, unique in its county")]
    name: Annotated[str, _doc("the school's name")]
    kind: Annotated[str, _doc("kind of school (the API's `SchoolKind`)")]
    boarding: Annotated[bool, _doc("a boarding school has dormitories")]
    student_count: Annotated[int, _doc("number of students")]
    status: Annotated[str, _doc("`active` or `suspended` (a suspended school is not evaluated or ranked)")]
    reason: Annotated[str, _doc("the bureau's reason for a suspension or reactivation; empty for an edit")]


class SchoolProvisioningRequested(Payload, frozen=True, kw_only=True):
    """Somebody asked for the principal's account of a school to be provisioned again."""

    school_id: Annotated[uuid.UUID, _doc("the school (also the event's `school_id`)")]
    requested_by: Annotated[str, _doc("user id (token `sub`) of the bureau user who asked")]


# --- hazards --------------------------------------------------------------------------------------------
class HazardChanged(Payload, frozen=True, kw_only=True):
    """A hazard of a school's register was reported, moved through its life cycle, listed or edited. The
    event's tenant is the hazard's school."""

    hazard_id: Annotated[uuid.UUID, _doc("the hazard")]
    school_id: Annotated[uuid.UUID, _doc("its school (also the event's `school_id`)")]
    number: Annotated[str, _doc("the human-readable number, per school and year: `CL01-2026-0007`")]
    title: Annotated[str, _doc("what the hazard is")]
    category: Annotated[
        str, _doc("`fire`, `electrical`, `surroundings_vendors`, ... (the register's categories)")
    ]
    severity: Annotated[str, _doc("`general` or `major`")]
    source: Annotated[
        str, _doc("`investigation`, `daily_patrol`, `staff_report`, `bureau_inspection`, `public_report`")
    ]
    status: Annotated[
        str,
        _doc(
            "the state after the change: `reported`, `confirmed`, `rejected`, `rectifying`, `rectified`, `verified`, `closed`"
        ),
    ]
    listed: Annotated[bool, _doc("listed for supervision by the bureau")]
    deadline: Annotated[dt.date | None, _doc("the rectification deadline, once assigned")]
    patrol_id: Annotated[uuid.UUID | None, _doc("the patrol that found it, if any")]
    change: Annotated[
        str, _doc("what was done: `report`, `confirm`, `assign`, `rectify`, `verify`, `list`, `edit`, ...")
    ]
    actor_id: Annotated[str, _doc("user id (token `sub`) of who did it, or the job's actor name")]
    reason: Annotated[str, _doc("the reason or note given with the change")]
    at: Annotated[dt.datetime, _doc("when")]


class HazardEscalated(Payload, frozen=True, kw_only=True):
    """An overdue-escalation step was taken for a hazard under rectification (each step once per deadline)."""

    hazard_id: Annotated[uuid.UUID, _doc("the hazard")]
    school_id: Annotated[uuid.UUID, _doc("its school (also the event's `school_id`)")]
    number: Annotated[str, _doc("the hazard's number")]
    title: Annotated[str, _doc("what the hazard is")]
    severity: Annotated[str, _doc("`general` or `major`")]
    deadline: Annotated[dt.date, _doc("the rectification deadline the step is about")]
    step: Annotated[
        str,
        _doc(
            "`remind` (before the deadline), `principal` (overdue), `bureau` (overdue past the grace period)"
        ),
    ]
    at: Annotated[dt.datetime, _doc("when the step was taken")]


class PatrolAreaSignedOff(Payload, frozen=True, kw_only=True):
    """A campus area was inspected and signed off in a patrol (investigation or daily)."""

    patrol_id: Annotated[uuid.UUID, _doc("the patrol")]
    school_id: Annotated[uuid.UUID, _doc("its school (also the event's `school_id`)")]
    campaign_id: Annotated[
        uuid.UUID | None, _doc("the school's campaign instance the patrol belongs to, if given")
    ]
    kind: Annotated[str, _doc("`investigation` (every area, reported to the bureau) or `daily`")]
    area: Annotated[
        str,
        _doc(
            "`gate`, `teaching_buildings`, `labs`, `dormitories`, `canteen`, `playground_sports`, `electrical_rooms`, `surroundings`"
        ),
    ]
    inspector_id: Annotated[str, _doc("user id of the named inspector")]
    inspector_name: Annotated[str, _doc("the inspector's name")]
    findings: Annotated[str, _doc("what the inspector found")]
    hazards_found: Annotated[int, _doc("hazards registered in this area during the patrol so far")]
    areas_signed_off: Annotated[int, _doc("areas of the patrol signed off so far")]
    areas_total: Annotated[int, _doc("areas the patrol covers")]
    signed_at: Annotated[dt.datetime, _doc("when")]


class PatrolSubmitted(Payload, frozen=True, kw_only=True):
    """A patrol whose every area is signed off was submitted: for an investigation, its report to the bureau."""

    patrol_id: Annotated[uuid.UUID, _doc("the patrol")]
    school_id: Annotated[uuid.UUID, _doc("its school (also the event's `school_id`)")]
    campaign_id: Annotated[uuid.UUID | None, _doc("the school's campaign instance, if given")]
    kind: Annotated[str, _doc("`investigation` or `daily`")]
    title: Annotated[str, _doc("the patrol's title")]
    summary: Annotated[str, _doc("the report's summary")]
    submitted_by_name: Annotated[str, _doc("who submitted it (the principal)")]
    hazards_found: Annotated[int, _doc("hazards registered during the patrol")]
    submitted_at: Annotated[dt.datetime, _doc("when")]


class ReferralChanged(Payload, frozen=True, kw_only=True):
    """A hazard was referred to an outside department, or the department's answer was recorded."""

    referral_id: Annotated[uuid.UUID, _doc("the referral")]
    hazard_id: Annotated[uuid.UUID, _doc("the hazard referred")]
    school_id: Annotated[uuid.UUID, _doc("its school (also the event's `school_id`)")]
    department: Annotated[
        str,
        _doc(
            "`public_security`, `market_supervision`, `urban_management`, `fire_service`, `transport`, `other`"
        ),
    ]
    status: Annotated[str, _doc("`sent`, `acknowledged`, `in_progress`, `resolved`, `declined`")]


class IncidentRecorded(Payload, frozen=True, kw_only=True):
    """A security incident was recorded, or its record corrected."""

    incident_id: Annotated[uuid.UUID, _doc("the incident")]
    school_id: Annotated[uuid.UUID, _doc("its school (also the event's `school_id`)")]
    kind: Annotated[str, _doc("`criminal`, `public_order`, `injury`, `food_poisoning`, `fire`, `other`")]
    occurred_at: Annotated[dt.datetime, _doc("when it happened")]
    people_affected: Annotated[int, _doc("people affected")]
    reported_to_police: Annotated[bool, _doc("reported to the police")]


class PublicReportReceived(Payload, frozen=True, kw_only=True):
    """Somebody reported a hazard anonymously through a school's public link; it waits for review."""

    report_id: Annotated[uuid.UUID, _doc("the report in the school's review queue")]
    school_id: Annotated[uuid.UUID, _doc("its school (also the event's `school_id`)")]
    reference: Annotated[str, _doc("the short reference the reporter was given")]
    category: Annotated[str, _doc("the category the reporter chose")]


class HazardStatistics(Payload, frozen=True, kw_only=True):
    """A school's hazard and incident figures for the evaluation, after a change. `open`, `overdue`,
    `listed_open` and `major_open` are the state now; the other counts are for `year`."""

    school_id: Annotated[uuid.UUID, _doc("the school (also the event's `school_id`)")]
    year: Annotated[int, _doc("the calendar year the counts are for (Beijing time)")]
    reported: Annotated[int, _doc("hazards reported in the year")]
    open: Annotated[int, _doc("hazards not closed or rejected")]
    overdue: Annotated[int, _doc("hazards under rectification past their deadline")]
    closed: Annotated[int, _doc("hazards closed in the year")]
    closed_on_time: Annotated[int, _doc("of those, closed by their deadline")]
    closed_on_time_rate: Annotated[
        float | None, _doc("`closed_on_time / closed`; null when nothing was closed")
    ]
    average_days_to_close: Annotated[
        float | None, _doc("mean days from report to closure of those closed in the year")
    ]
    rejected: Annotated[int, _doc("reports rejected as not a hazard in the year")]
    listed_open: Annotated[int, _doc("hazards listed for supervision and not closed")]
    major_open: Annotated[int, _doc("major hazards not closed")]
    by_category: Annotated[dict[str, int], _doc("open hazards per category")]
    by_severity: Annotated[dict[str, int], _doc("open hazards per severity")]
    incidents: Annotated[int, _doc("security incidents in the year")]
    major_incidents: Annotated[
        int, _doc("of those: criminal, fire or food poisoning, or an injury with people affected")
    ]
    as_of: Annotated[dt.datetime, _doc("when the figures were computed")]


# --- personnel ------------------------------------------------------------------------------------------
class StaffChanged(Payload, frozen=True, kw_only=True):
    """A staff member of a school, or a user of the bureau, whose account must follow. The event's tenant is
    the school (the county for a bureau user)."""

    staff_id: Annotated[uuid.UUID, _doc("the staff entry in the personnel service")]
    role: Annotated[str, _doc("the account's realm role: `teacher`, `guard`, `principal` or `bureau`")]


class DutyShiftMissed(Payload, frozen=True, kw_only=True):
    """A rostered gate duty whose peak ended without a check-in."""

    shift_id: Annotated[uuid.UUID, _doc("the duty shift")]
    staff_id: Annotated[uuid.UUID, _doc("who was rostered")]
    gate_id: Annotated[uuid.UUID, _doc("at which gate")]
    date: Annotated[dt.date, _doc("the school day (local)")]
    peak: Annotated[str, _doc("`arrival`, `noon` or `dismissal`")]


class VisitRefused(Payload, frozen=True, kw_only=True):
    """A visitor was refused entry at the gate (the reason stays in the personnel service)."""

    visit_id: Annotated[uuid.UUID, _doc("the visit")]
    verified: Annotated[bool, _doc("whether the host had confirmed the visit before it was refused")]


class VehicleRefused(Payload, frozen=True, kw_only=True):
    """An outside motor vehicle was refused at the gate because it had no authorisation."""

    visit_id: Annotated[uuid.UUID, _doc("the visit whose vehicle was refused")]


class NightInspectionRecorded(Payload, frozen=True, kw_only=True):
    """A dormitory was inspected at night: head count against the roster, and findings."""

    inspection_id: Annotated[uuid.UUID, _doc("the inspection")]
    dormitory_id: Annotated[uuid.UUID, _doc("the dormitory building")]
    night: Annotated[dt.date, _doc("the night (local date of its evening)")]
    priority: Annotated[bool, _doc("a female (or mixed) dormitory")]
    expected_count: Annotated[int, _doc("boarders on the roster")]
    present_count: Annotated[int, _doc("boarders counted")]
    unexplained_absences: Annotated[int, _doc("absent without leave")]
    findings: Annotated[
        list[str], _doc("`unexplained_absence`, `unauthorised_person`, `door_unlocked`, `fire_hazard`, ...")
    ]


class NightInspectionMissed(Payload, frozen=True, kw_only=True):
    """A boarding night passed without an inspection of a dormitory."""

    dormitory_id: Annotated[uuid.UUID, _doc("the dormitory building")]
    night: Annotated[dt.date, _doc("the night (local date of its evening)")]
    priority: Annotated[bool, _doc("a female (or mixed) dormitory")]


class SchoolProfileCreated(Payload, frozen=True, kw_only=True):
    """The personnel service started keeping a school (its facts arrived, or its principal set it up)."""

    school_id: Annotated[uuid.UUID, _doc("the school (also the event's `school_id`)")]


class PersonnelStatistics(Payload, frozen=True, kw_only=True):
    """A school's personnel figures for the evaluation over one week (Monday to Sunday, Beijing time)."""

    school_id: Annotated[uuid.UUID, _doc("the school (also the event's `school_id`)")]
    start: Annotated[dt.date, _doc("the week's Monday")]
    end: Annotated[dt.date, _doc("the week's Sunday")]
    staffing_compliant: Annotated[bool, _doc("security staffing meets the county standard (now)")]
    staffing_missing: Annotated[int, _doc("people missing over all rules of the standard (now)")]
    duty_coverage_rate: Annotated[float | None, _doc("gate-duty slots covered / required; null when none")]
    duty_attendance_rate: Annotated[float | None, _doc("rostered shifts attended / ended; null when none")]
    visitors_registered: Annotated[int, _doc("visits registered")]
    visitors_refused: Annotated[int, _doc("visitors refused entry")]
    vehicles_refused: Annotated[int, _doc("outside vehicles refused")]
    night_inspection_coverage_rate: Annotated[float | None, _doc("dormitory-nights inspected / required")]
    priority_night_inspection_coverage_rate: Annotated[
        float | None, _doc("the same for female and mixed dormitories")
    ]
    training_sessions: Annotated[int, _doc("safety education and training sessions held")]
    training_hours: Annotated[float, _doc("their total duration in hours")]


class CampaignLaunched(Payload, frozen=True, kw_only=True):
    """The bureau launched a county campaign. The event's tenant is the county."""

    campaign_id: Annotated[uuid.UUID, _doc("the county campaign")]
    title: Annotated[str, _doc("its title")]
    start_date: Annotated[dt.date, _doc("when it starts")]
    rubric_id: Annotated[uuid.UUID | None, _doc("the inspection rubric (evaluation), if set")]
    deadlines: Annotated[
        dict[str, dt.date],
        _doc("phase → deadline: `deployment`, `investigation`, `remediation`, `acceptance`, `consolidation`"),
    ]
    schools: Annotated[int, _doc("schools that got their instance at launch")]


class CampaignClosed(Payload, frozen=True, kw_only=True):
    """The bureau ended a county campaign. The event's tenant is the county."""

    campaign_id: Annotated[uuid.UUID, _doc("the county campaign")]
    title: Annotated[str, _doc("its title")]


class SchoolCampaignJoined(Payload, frozen=True, kw_only=True):
    """A school got its instance of a county campaign (at launch, or when it became active later)."""

    school_campaign_id: Annotated[uuid.UUID, _doc("the school's campaign instance")]
    campaign_id: Annotated[uuid.UUID, _doc("the county campaign")]
    school_id: Annotated[uuid.UUID, _doc("the school (also the event's `school_id`)")]
    title: Annotated[str, _doc("the campaign's title")]
    rubric_id: Annotated[uuid.UUID | None, _doc("the campaign's inspection rubric, if set")]
    current_phase: Annotated[str, _doc("the open phase (`deployment`)")]
    deadline: Annotated[dt.date, _doc("its deadline")]


class DrillStatistics(Payload, frozen=True, kw_only=True):
    """A school's emergency drills against its plans for the current term (the evaluation's
    `schools.drills_per_plan`)."""

    school_id: Annotated[uuid.UUID, _doc("the school (also the event's `school_id`)")]
    term: Annotated[str, _doc("the term, e.g. `2026-autumn` (spring: February–July; autumn: August–January)")]
    term_starts_on: Annotated[dt.date, _doc("its first day")]
    term_ends_on: Annotated[dt.date, _doc("its last day")]
    plans: Annotated[int, _doc("the school's emergency plans (each to be drilled once a term)")]
    drilled_plans: Annotated[int, _doc("of those, the plans with at least one drill this term")]
    drills: Annotated[int, _doc("drills held this term")]
    as_of: Annotated[dt.datetime, _doc("when the figures were computed")]


class CampaignPhaseChanged(Payload, frozen=True, kw_only=True):
    """A phase of a school's campaign was closed, reopened or given a later deadline."""

    school_campaign_id: Annotated[uuid.UUID, _doc("the school's campaign instance")]
    campaign_id: Annotated[uuid.UUID, _doc("the county campaign")]
    school_id: Annotated[uuid.UUID, _doc("the school (also the event's `school_id`)")]
    phase: Annotated[
        str, _doc("`deployment`, `investigation`, `remediation`, `acceptance` or `consolidation`")
    ]
    action: Annotated[str, _doc("`close`, `reopen` or `extend`")]
    status: Annotated[str, _doc("the phase's status afterwards: `open` or `closed`")]
    deadline: Annotated[dt.date, _doc("the phase's deadline in force afterwards")]
    current_phase: Annotated[str | None, _doc("the school's open phase afterwards (null: completed)")]
    completed: Annotated[bool, _doc("the school has closed all five phases")]
    reason: Annotated[str, _doc("why (the bureau's reason; the principal's note when closing)")]
    actor_id: Annotated[str, _doc("user id of who did it")]
    actor_name: Annotated[str, _doc("their name")]


# --- the catalogue --------------------------------------------------------------------------------------
P = TypeVar("P", bound=Payload)


@dataclass(frozen=True, slots=True)
class EventType(Generic[P]):
    """One kind of event: its name, payload, producer, consumers and what it means."""

    name: str
    payload: type[P]
    producer: str
    consumers: tuple[str, ...]
    summary: str

    def __post_init__(self) -> None:
        if not EVENT_NAME.match(self.name) or not self.name.startswith(f"{self.producer}."):
            raise ValueError(f"event type {self.name!r} must be named <{self.producer}>.<thing>.<verb>")


SCHOOL_ONBOARDED = EventType(
    name="schools.school.onboarded",
    payload=SchoolOnboarded,
    producer="schools",
    consumers=("schools", "hazards", "personnel", "evaluation"),
    summary="The bureau onboarded a school (the API, or a bulk import). The schools service provisions "
    "the principal's Keycloak account and e-mails the initial password; the personnel service keeps the "
    "school's facts (students, boarding) for staffing compliance and night inspections.",
)
SCHOOL_UPDATED = EventType(
    name="schools.school.updated",
    payload=SchoolUpdated,
    producer="schools",
    consumers=("hazards", "personnel", "evaluation"),
    summary="The bureau edited a school, suspended it or reactivated it. The other services' school "
    "directories follow (names on exports and notices, staffing figures); the evaluation stops ranking a "
    "suspended school.",
)
SCHOOL_PROVISIONING_REQUESTED = EventType(
    name="schools.school.provisioning_requested",
    payload=SchoolProvisioningRequested,
    producer="schools",
    consumers=("schools",),
    summary="The bureau retried the provisioning of a school's principal account after it failed. The "
    "schools service provisions it again. Nothing happens if it is already done.",
)

_HAZARD_CHANGES = {
    "reported": "A hazard was entered in a school's register (state `reported`), by staff, the bureau or from a reviewed public report.",
    "confirmed": "The principal or the bureau confirmed a reported hazard.",
    "rejected": "The principal or the bureau rejected a report as not a hazard (with the reason).",
    "assigned": "Rectification started: responsible person, plan and deadline set (state `rectifying`).",
    "rectified": "The responsible person (or the principal) marked the hazard fixed, with an after-photo or a note.",
    "verified": "A checker other than the rectifier accepted the fix of a major or listed hazard; it awaits the bureau's sign-off.",
    "reopened": "A failed verification or a refused sign-off sent the hazard back to rectification.",
    "closed": "The hazard was closed: verified by a checker other than the rectifier, and signed off by the bureau if major or listed.",
    "listed": "The bureau listed the hazard for supervision (supervising official, deadline); it is on the county's supervision list until closed.",
    "updated": "The hazard's description, assignment or containment measures changed, or a photo was added (see `change`).",
}
HAZARD_EVENTS: dict[str, EventType[HazardChanged]] = {
    verb: EventType(
        name=f"hazards.hazard.{verb}",
        payload=HazardChanged,
        producer="hazards",
        consumers=(),
        summary=summary,
    )
    for verb, summary in _HAZARD_CHANGES.items()
}
HAZARD_ESCALATED = EventType(
    name="hazards.hazard.escalated",
    payload=HazardEscalated,
    producer="hazards",
    consumers=(),
    summary="An overdue-escalation step was taken: the responsible person reminded before the deadline, the "
    "principal told once it passed, the bureau after the county's grace period. Each step once per deadline.",
)
PATROL_AREA_SIGNED_OFF = EventType(
    name="hazards.patrol.area_signed_off",
    payload=PatrolAreaSignedOff,
    producer="hazards",
    consumers=("schools",),
    summary="A campus area was inspected and signed off by a named inspector in a patrol. The campaign's "
    "investigation checklist (schools) records it.",
)
PATROL_SUBMITTED = EventType(
    name="hazards.patrol.submitted",
    payload=PatrolSubmitted,
    producer="hazards",
    consumers=("schools",),
    summary="A patrol with every area signed off was submitted; for an investigation this is the report to "
    "the bureau (the campaign's investigation report deliverable).",
)
REFERRAL_SENT = EventType(
    name="hazards.referral.sent",
    payload=ReferralChanged,
    producer="hazards",
    consumers=(),
    summary="A hazard beyond the school's power was referred to an outside department.",
)
REFERRAL_UPDATED = EventType(
    name="hazards.referral.updated",
    payload=ReferralChanged,
    producer="hazards",
    consumers=(),
    summary="The outside department's status or reply on a referral was recorded.",
)
INCIDENT_RECORDED = EventType(
    name="hazards.incident.recorded",
    payload=IncidentRecorded,
    producer="hazards",
    consumers=(),
    summary="A security incident was recorded by a school.",
)
INCIDENT_UPDATED = EventType(
    name="hazards.incident.updated",
    payload=IncidentRecorded,
    producer="hazards",
    consumers=(),
    summary="The record of a security incident was corrected by the principal.",
)
PUBLIC_REPORT_RECEIVED = EventType(
    name="hazards.public_report.received",
    payload=PublicReportReceived,
    producer="hazards",
    consumers=("hazards",),
    summary="An anonymous report arrived through a school's public link. The hazards service notifies the "
    "school's principal that it waits for review.",
)
HAZARD_STATISTICS_UPDATED = EventType(
    name="hazards.statistics.updated",
    payload=HazardStatistics,
    producer="hazards",
    consumers=("evaluation",),
    summary="A school's hazard and incident figures changed (a hazard changed state, became overdue, or an "
    "incident was recorded): the figures the evaluation's objective indicators are computed from.",
)
HAZARDS_EVENTS: tuple[EventType[Any], ...] = (
    *HAZARD_EVENTS.values(),
    HAZARD_ESCALATED,
    PATROL_AREA_SIGNED_OFF,
    PATROL_SUBMITTED,
    REFERRAL_SENT,
    REFERRAL_UPDATED,
    INCIDENT_RECORDED,
    INCIDENT_UPDATED,
    PUBLIC_REPORT_RECEIVED,
    HAZARD_STATISTICS_UPDATED,
)

_STAFF_CHANGES = {
    "invited": "The principal invited a teacher or guard, or the bureau one of its users. The personnel "
    "service creates the Keycloak account and e-mails the initial password.",
    "invitation_resent": "The invitation was sent again (a failed provisioning, a lost e-mail): the account "
    "is provisioned again with a fresh initial password.",
    "deactivated": "A staff member or bureau user was deactivated: the personnel service disables the "
    "account and ends its sessions; future gate duties are taken off the roster.",
    "reactivated": "A deactivated staff member or bureau user was reactivated: the account is enabled again.",
}
PERSONNEL_STAFF_EVENTS: dict[str, EventType[StaffChanged]] = {
    verb: EventType(
        name=f"personnel.staff.{verb}",
        payload=StaffChanged,
        producer="personnel",
        consumers=("personnel",),
        summary=summary,
    )
    for verb, summary in _STAFF_CHANGES.items()
}
PERSONNEL_DUTY_SHIFT_MISSED = EventType(
    name="personnel.duty_shift.missed",
    payload=DutyShiftMissed,
    producer="personnel",
    consumers=(),
    summary="A gate duty at the arrival, noon or dismissal peak passed without a check-in (flagged by a "
    "periodic job; the principal and the staff member are notified).",
)
PERSONNEL_VISIT_REFUSED = EventType(
    name="personnel.visit.refused",
    payload=VisitRefused,
    producer="personnel",
    consumers=(),
    summary="A visitor was refused entry at the gate, with a reason.",
)
PERSONNEL_VEHICLE_REFUSED = EventType(
    name="personnel.vehicle.refused",
    payload=VehicleRefused,
    producer="personnel",
    consumers=(),
    summary="An outside motor vehicle without the principal's authorisation was refused at the gate.",
)
PERSONNEL_NIGHT_INSPECTION_RECORDED = EventType(
    name="personnel.night_inspection.recorded",
    payload=NightInspectionRecorded,
    producer="personnel",
    consumers=(),
    summary="A dormitory night inspection was recorded (female dormitories are flagged as priority).",
)
PERSONNEL_NIGHT_INSPECTION_MISSED = EventType(
    name="personnel.night_inspection.missed",
    payload=NightInspectionMissed,
    producer="personnel",
    consumers=(),
    summary="A boarding night passed without an inspection of a dormitory (flagged by a daily job; the "
    "principal is notified).",
)
PERSONNEL_SCHOOL_PROFILE_CREATED = EventType(
    name="personnel.school_profile.created",
    payload=SchoolProfileCreated,
    producer="personnel",
    consumers=(),
    summary="The personnel service started keeping a school. Its outbox is also the directory its "
    "periodic jobs list schools from.",
)
PERSONNEL_STATISTICS_PUBLISHED = EventType(
    name="personnel.statistics.published",
    payload=PersonnelStatistics,
    producer="personnel",
    consumers=("evaluation",),
    summary="Every Monday, each school's personnel figures for the week before: staffing compliance, gate-duty "
    "coverage, visitor volume and refusals, night-inspection coverage, training hours (the same figures as "
    "`GET /statistics`).",
)
PERSONNEL_EVENTS: tuple[EventType[Any], ...] = (
    *PERSONNEL_STAFF_EVENTS.values(),
    PERSONNEL_DUTY_SHIFT_MISSED,
    PERSONNEL_VISIT_REFUSED,
    PERSONNEL_VEHICLE_REFUSED,
    PERSONNEL_NIGHT_INSPECTION_RECORDED,
    PERSONNEL_NIGHT_INSPECTION_MISSED,
    PERSONNEL_SCHOOL_PROFILE_CREATED,
    PERSONNEL_STATISTICS_PUBLISHED,
)

CAMPAIGN_LAUNCHED = EventType(
    name="schools.campaign.launched",
    payload=CampaignLaunched,
    producer="schools",
    consumers=(),
    summary="The bureau launched a county campaign: every active school of the county got its instance, "
    "with the deployment phase open.",
)
CAMPAIGN_CLOSED = EventType(
    name="schools.campaign.closed",
    payload=CampaignClosed,
    producer="schools",
    consumers=(),
    summary="The bureau ended a county campaign: the schools keep their record; nobody joins it and no "
    "reminders are sent any more.",
)
SCHOOL_CAMPAIGN_JOINED = EventType(
    name="schools.school_campaign.joined",
    payload=SchoolCampaignJoined,
    producer="schools",
    consumers=(),
    summary="A school got its instance of a launched campaign: at the launch, or later when it was onboarded "
    "or reactivated. Its id is the `campaign_id` a hazards-service investigation patrol names.",
)
CAMPAIGN_PHASE_CLOSED = EventType(
    name="schools.campaign_phase.closed",
    payload=CampaignPhaseChanged,
    producer="schools",
    consumers=("evaluation",),
    summary="The principal closed the open phase of the school's campaign (its required deliverables were "
    "complete); the next phase opened, or the campaign is completed.",
)
CAMPAIGN_PHASE_REOPENED = EventType(
    name="schools.campaign_phase.reopened",
    payload=CampaignPhaseChanged,
    producer="schools",
    consumers=("evaluation",),
    summary="The bureau reopened a closed phase of a school's campaign, with a reason; the phases after it "
    "went back to pending.",
)
CAMPAIGN_PHASE_DEADLINE_EXTENDED = EventType(
    name="schools.campaign_phase.deadline_extended",
    payload=CampaignPhaseChanged,
    producer="schools",
    consumers=(),
    summary="The bureau gave one school a later deadline for a phase that is not closed, with a reason.",
)
DRILLS_UPDATED = EventType(
    name="schools.drills.updated",
    payload=DrillStatistics,
    producer="schools",
    consumers=("evaluation",),
    summary="A school's emergency plans drilled this term, after a plan or a drill was recorded, and every "
    "Monday (so that a new term starts from its own figures).",
)
CAMPAIGN_EVENTS: tuple[EventType[Any], ...] = (
    CAMPAIGN_LAUNCHED,
    CAMPAIGN_CLOSED,
    SCHOOL_CAMPAIGN_JOINED,
    CAMPAIGN_PHASE_CLOSED,
    CAMPAIGN_PHASE_REOPENED,
    CAMPAIGN_PHASE_DEADLINE_EXTENDED,
    DRILLS_UPDATED,
)


# --- evaluation -----------------------------------------------------------------------------------------
class InspectionGrantsChanged(Payload, frozen=True, kw_only=True):
    """Inspection teams or assignments changed. The event's tenant is the county."""

    user_ids: Annotated[list[str], _doc("account ids (token `sub`) of the inspectors whose grants changed")]


class ResultsOutdated(Payload, frozen=True, kw_only=True):
    """A campaign's results no longer match their inputs. The event's tenant is the county."""

    campaign_id: Annotated[uuid.UUID, _doc("the county campaign")]


class InspectionFindingReported(Payload, frozen=True, kw_only=True):
    """A problem a cross-school inspection team found on site, for the school's hazard register."""

    finding_id: Annotated[uuid.UUID, _doc("stable id of the finding (a repeat of it carries the same id)")]
    assignment_id: Annotated[uuid.UUID, _doc("the inspection")]
    campaign_id: Annotated[uuid.UUID, _doc("the county campaign")]
    school_id: Annotated[uuid.UUID, _doc("the inspected school (also the event's `school_id`)")]
    item_code: Annotated[str, _doc("the rubric item it was found under")]
    item_title: Annotated[str, _doc("that item's title")]
    title: Annotated[str, _doc("what was found")]
    description: Annotated[str, _doc("details")]
    severity: Annotated[str, _doc("`general` or `major`")]
    category: Annotated[str, _doc("a hazard register category (`fire`, `electrical`, ..., `other`)")]
    location: Annotated[str, _doc("where, in words")]
    reported_by: Annotated[str, _doc("username of the inspector who recorded it")]
    team_name: Annotated[str, _doc("the inspection team")]
    photos: Annotated[int, _doc("photos the team took of the item (kept by the evaluation service)")]
    found_at: Annotated[dt.datetime, _doc("when it was recorded")]


class InspectionDecided(Payload, frozen=True, kw_only=True):
    """The bureau decided on a submitted cross-school inspection of a school."""

    assignment_id: Annotated[uuid.UUID, _doc("the inspection")]
    campaign_id: Annotated[uuid.UUID, _doc("the county campaign")]
    school_id: Annotated[uuid.UUID, _doc("the inspected school (also the event's `school_id`)")]
    decision: Annotated[str, _doc("`accepted`, or `returned` with rectification requests")]
    rectification_requests: Annotated[list[str], _doc("what the school must put right (empty when accepted)")]
    note: Annotated[str, _doc("the bureau's note")]


class YearEndSignedOff(Payload, frozen=True, kw_only=True):
    """The bureau froze and signed off a campaign's year-end comprehensive evaluation. Tenant: the county."""

    campaign_id: Annotated[uuid.UUID, _doc("the county campaign")]
    year: Annotated[int, _doc("the campaign's year")]
    schools: Annotated[int, _doc("schools with a frozen result")]
    signed_off_by: Annotated[str, _doc("username of the bureau user who signed off")]


class ReportRequested(Payload, frozen=True, kw_only=True):
    """Somebody asked for a report; the evaluation service's worker renders it."""

    report_id: Annotated[uuid.UUID, _doc("the report")]
    campaign_id: Annotated[uuid.UUID, _doc("the county campaign")]
    kind: Annotated[str, _doc("`county_pdf`, `ranking_xlsx`, `sheets_xlsx` or `report_card_pdf`")]


INSPECTION_GRANTS_CHANGED = EventType(
    name="evaluation.inspection_grants.changed",
    payload=InspectionGrantsChanged,
    producer="evaluation",
    consumers=("evaluation",),
    summary="A team's members or an assignment changed. The evaluation service pushes each named inspector's "
    "current grants (`inspection_grants` attribute) to Keycloak; they reach the token when it is next issued.",
)
RESULTS_OUTDATED = EventType(
    name="evaluation.results.outdated",
    payload=ResultsOutdated,
    producer="evaluation",
    consumers=("evaluation",),
    summary="A change of the bureau's (a rubric attached or changed, an inspection decided, a recompute asked "
    "for) outdated a campaign's results. The evaluation service recomputes them and the ranking.",
)
INSPECTION_FINDING_REPORTED = EventType(
    name="evaluation.finding.reported",
    payload=InspectionFindingReported,
    producer="evaluation",
    consumers=("hazards",),
    summary="With the bureau's decision on an inspection, each finding the team recorded is reported for the "
    "school's hazard register. The hazards service registers it as a reported hazard with source "
    "`bureau_inspection`, once per finding id.",
)
INSPECTION_DECIDED = EventType(
    name="evaluation.inspection.decided",
    payload=InspectionDecided,
    producer="evaluation",
    consumers=("schools",),
    summary="The bureau accepted a school after its cross-school inspection, or returned it with "
    "rectification requests (the campaign's inspection-and-acceptance phase).",
)
YEAR_END_SIGNED_OFF = EventType(
    name="evaluation.year_end.signed_off",
    payload=YearEndSignedOff,
    producer="evaluation",
    consumers=(),
    summary="A campaign's final results were frozen and signed off; they never change again.",
)
REPORT_REQUESTED = EventType(
    name="evaluation.report.requested",
    payload=ReportRequested,
    producer="evaluation",
    consumers=("evaluation",),
    summary="A report (county PDF, ranking or score sheets XLSX, a school's report card PDF) was requested. "
    "The evaluation service's worker renders it, with progress on the report.",
)
EVALUATION_EVENTS: tuple[EventType[Any], ...] = (
    INSPECTION_GRANTS_CHANGED,
    RESULTS_OUTDATED,
    INSPECTION_FINDING_REPORTED,
    INSPECTION_DECIDED,
    YEAR_END_SIGNED_OFF,
    REPORT_REQUESTED,
)

#: Every event type, by name.
_ALL_EVENTS: tuple[EventType[Any], ...] = (
    SCHOOL_ONBOARDED,
    SCHOOL_UPDATED,
    SCHOOL_PROVISIONING_REQUESTED,
    *CAMPAIGN_EVENTS,
    *HAZARDS_EVENTS,
    *PERSONNEL_EVENTS,
    *EVALUATION_EVENTS,
)
CATALOGUE: Mapping[str, EventType[Any]] = {event_type.name: event_type for event_type in _ALL_EVENTS}


class UnknownEventError(LookupError):
    """The event type is not in the catalogue."""


def event_type(name: str) -> EventType[Any]:
    """The catalogue entry for ``name``."""
    try:
        return CATALOGUE[name]
    except KeyError:
        raise UnknownEventError(f"event type {name!r} is not in kit.events.CATALOGUE") from None


def consumer_actor_name(service: str, event_type: EventType[Any]) -> str:
    """The actor that delivers ``event_type`` to ``service``: ``<service>.on.<event type>``."""
    return f"{service}.on.{event_type.name}"


# --- delivery -------------------------------------------------------------------------------------------
def envelope(
    event_id: uuid.UUID,
    type_name: str,
    county_id: uuid.UUID,
    school_id: uuid.UUID | None,
    occurred_at: dt.datetime,
    payload: Mapping[str, Any],
) -> dict[str, Any]:
    """The keyword arguments of a delivery message (JSON only: ids as strings, time in ISO 8601)."""
    return {
        "event_id": str(event_id),
        "type": type_name,
        "county_id": str(county_id),
        "school_id": str(school_id) if school_id else None,
        "occurred_at": occurred_at.isoformat(),
        "payload": dict(payload),
    }


@dataclass(frozen=True, slots=True)
class Event(Generic[P]):
    """A delivered event, as its handler sees it."""

    id: uuid.UUID
    type: EventType[P]
    #: The event's tenant. The handler's transaction runs in this context.
    tenant: TenantContext
    payload: P
    occurred_at: dt.datetime


class InvalidEventError(ValueError):
    """A delivery message does not match the catalogue. It is never retried and ends in the dead-letter
    queue."""


@cache
def inbox_table(schema: str) -> Table:
    """``<schema>.inbox``: the ids of the events each consumer has handled (``tenants.messaging``)."""
    return Table(
        "inbox",
        MetaData(schema=schema),
        Column("consumer", Text, primary_key=True),
        Column("event_id", Uuid, primary_key=True),
        Column("processed_at", DateTime(timezone=True)),
    )


async def claim_event(session: AsyncSession, schema: str, consumer: str, event_id: uuid.UUID) -> bool:
    """Record that ``consumer`` handles ``event_id`` in the session's transaction. Returns False if it
    already did.

    A concurrent delivery of the same event waits on the first transaction's row. If the first one
    commits, this returns False. If it rolls back, this one goes ahead.
    """
    inbox = inbox_table(schema)
    statement = (
        insert(inbox)
        .values(consumer=consumer, event_id=event_id)
        .on_conflict_do_nothing()
        .returning(inbox.c.event_id)
    )
    return (await session.execute(statement)).first() is not None


Handler = Callable[[AsyncSession, Event[P]], Awaitable[None]]

#: Retries of a failing handler: quick at first, at most every five minutes, then the dead-letter queue.
CONSUMER_DEFAULTS: dict[str, Any] = {"max_retries": 10, "min_backoff": 1_000, "max_backoff": 300_000}


def consumer(service: str, event_type: EventType[P], **options: Any) -> Callable[[Handler[P]], Any]:
    """Declare ``service``'s handler of ``event_type``, as actor ``<service>.on.<type>`` on queue
    ``<service>``.

    The handler is called as ``handler(session, event)``. The call runs in one transaction in the
    event's tenant context, together with the inbox insert that makes a redelivery a no-op. If the
    handler raises, the transaction rolls back (the inbox row too) and Dramatiq retries the message.
    ``service`` must be listed as a consumer of ``event_type`` in the catalogue, which is where the relay
    learns where to deliver.
    """
    if service not in event_type.consumers:
        raise ValueError(f"{service} is not a consumer of {event_type.name} in kit.events.CATALOGUE")
    actor_name = consumer_actor_name(service, event_type)

    def decorator(handler: Handler[P]) -> Any:
        @functools.wraps(handler)
        async def deliver(
            event_id: str,
            type: str,
            county_id: str,
            school_id: str | None,
            occurred_at: str,
            payload: dict[str, Any],
        ) -> None:
            try:
                if type != event_type.name:
                    raise ValueError(f"{type} delivered to {actor_name}")
                county = uuid.UUID(county_id)
                actor = f"event:{actor_name}"
                tenant = (
                    TenantContext.for_school(county, uuid.UUID(school_id), actor=actor)
                    if school_id
                    else TenantContext.for_county(county, actor=actor)
                )
                event = Event(
                    id=uuid.UUID(event_id),
                    type=event_type,
                    tenant=tenant,
                    payload=msgspec.convert(payload, event_type.payload),
                    occurred_at=dt.datetime.fromisoformat(occurred_at),
                )
            except (ValueError, msgspec.ValidationError) as exc:
                raise InvalidEventError(f"{actor_name}: {exc}") from exc
            async with worker_database(service).transaction(tenant) as session:
                if not await claim_event(session, service, actor_name, event.id):
                    log.info("event_already_handled", consumer=actor_name, event_id=event_id)
                    return
                await handler(session, event)

        declare: Any = dramatiq.actor
        return declare(
            deliver,
            actor_name=actor_name,
            queue_name=service,
            **{"throws": (InvalidEventError,), **CONSUMER_DEFAULTS, **options},
        )

    return decorator


# --- documentation --------------------------------------------------------------------------------------
def _field_rows(payload: type[Payload]) -> list[str]:
    schema = msgspec.json.schema(payload)
    properties: dict[str, dict[str, Any]] = schema["$defs"][payload.__name__]["properties"]
    rows = []
    for name, spec in properties.items():
        kind = spec.get("format") or spec.get("type") or "see schema"
        rows.append(f"| `{name}` | {kind} | {spec.get('description', '')} |")
    return rows


def catalogue_markdown() -> str:
    """``docs/events.md``: the catalogue as a document."""
    lines = [
        "# Events between services",
        "",
        "<!-- Generated from services/kit/events.py by `python -m kit.events > docs/events.md`;"
        " edit the catalogue, not this file. -->",
        "",
        "A service that changes data and must tell others writes an event into its own `outbox` table in the"
        " same transaction as the change. A relay publishes pending events to the consumers' Dramatiq"
        " actors (`<consumer>.on.<event type>` on queue `<consumer>`) and then marks them sent. Each"
        " consumer records the event id in its own `inbox` in the handler's transaction, so an event that"
        " is delivered twice changes nothing the second time. An event is delivered at least once and"
        " takes effect exactly once. Events arrive in no guaranteed order.",
        "",
        "Every message also carries `event_id`, `type`, the tenant (`county_id`, `school_id`; the"
        " handler runs in that context) and `occurred_at`. Consumers ignore payload fields they do not"
        " know.",
        "",
        "| event | producer | consumers |",
        "|---|---|---|",
    ]
    for item in CATALOGUE.values():
        consumers = ", ".join(f"`{c}`" for c in item.consumers) or "(none yet)"
        lines.append(f"| [`{item.name}`](#{item.name.replace('.', '')}) | `{item.producer}` | {consumers} |")
    for item in CATALOGUE.values():
        lines += [
            "",
            f"## `{item.name}`",
            "",
            item.summary,
            "",
            f"Payload `{item.payload.__name__}`:",
            "",
            "| field | type | meaning |",
            "|---|---|---|",
            *_field_rows(item.payload),
        ]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":  # pragma: no cover
    print(catalogue_markdown(), end="")
