"""Words for the campaign pages.

The campaign's own vocabulary (phases, deliverables, campus areas, long-term mechanisms) comes from the
schools API's catalogue, which words it in Chinese and English; the portal picks the request's language.
The codes the catalogue does not word (statuses, kinds, what a deliverable still lacks) are translated here.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from portal.api import Api
from portal.i18n import N_, current_locale, gettext

PHASES = ("deployment", "investigation", "remediation", "acceptance", "consolidation")
DEPLOYMENT = ("leading_group", "deployment_meeting", "implementation_plan", "responsibility_assignments")

CAMPAIGN_STATUSES = {"draft": N_("Draft"), "launched": N_("Launched"), "closed": N_("Ended")}
PHASE_STATUSES = {"pending": N_("Not started"), "open": N_("Open"), "closed": N_("Finished")}
SCHOOL_STATUSES = {"active": N_("In progress"), "completed": N_("Completed")}
DELIVERABLE_STATES = {
    "complete": N_("Complete"),
    "incomplete": N_("Incomplete"),
    "missing": N_("Not recorded"),
    "waiting": N_("Waiting"),
    "not_applicable": N_("Does not apply"),
}
WAITING_FOR = {
    "hazards": N_("Waiting for the hazards service (patrol sign-offs)"),
    "evaluation": N_("Waiting for the evaluation service (inspection result)"),
}
ACTIONS = {
    "open": N_("Phase opened"),
    "close": N_("Phase closed"),
    "reopen": N_("Reopened by the bureau"),
    "reset": N_("Set back (an earlier phase was reopened)"),
    "extend": N_("Deadline extended"),
}
#: What a deliverable still lacks (the API's ``missing`` keys; ``area:*`` and ``mechanism:*`` are worded
#: by the catalogue).
MISSING = {
    "leading_group": N_("the leading group is not set up"),
    "meeting": N_("no deployment meeting is recorded"),
    "document": N_("no implementation plan document is uploaded"),
    "assignments": N_("no responsibility is assigned"),
    "report": N_("the investigation patrol is not submitted"),
    "result": N_("no inspection result yet"),
    "accepted_result": N_("the latest inspection did not accept the school"),
    "summary": N_("the summary report is not written"),
    "evidence": N_("no evidence yet"),
}
#: The principal's form for each deliverable the school records itself (the others are reported by services).
FORMS = {
    "leading_group": "leading-group",
    "deployment_meeting": "meetings",
    "implementation_plan": "implementation-plan",
    "responsibility_assignments": "responsibilities",
    "summary_report": "summary-report",
    "long_term_mechanisms": "mechanisms",
}
MEMBER_ROLES = {"deputy_leader": N_("Deputy leader"), "member": N_("Group member")}
EVIDENCE_KINDS = {
    "document": N_("Document"),
    "photo": N_("Photo"),
    "record": N_("Record in a SafeCampus service"),
}
RECORD_SERVICES = {
    "schools": N_("Schools (management systems, plans, drills)"),
    "hazards": N_("Hazards"),
    "personnel": N_("Personnel (staff, duty, visitors)"),
    "evaluation": N_("Evaluation"),
}
OUTCOMES = {"accepted": N_("Accepted"), "not_accepted": N_("Not accepted")}
SYSTEM_KINDS = {
    "security": N_("Security management"),
    "dormitory": N_("Dormitory management"),
    "visitor_management": N_("Visitor management"),
    "gate_duty": N_("Gate duty rules"),
    "fire_safety": N_("Fire safety"),
    "food_safety": N_("Food safety"),
    "safety_education": N_("Safety education"),
    "hazard_investigation": N_("Hazard investigation"),
    "emergency_management": N_("Emergency management"),
    "accountability": N_("Accountability"),
    "other": N_("Other"),
}
PLAN_KINDS = {
    "fire": N_("Fire"),
    "earthquake": N_("Earthquake"),
    "intruder": N_("Intruder"),
    "food_poisoning": N_("Food poisoning"),
    "stampede": N_("Stampede"),
    "flood": N_("Flood"),
    "traffic": N_("Traffic accident"),
    "epidemic": N_("Epidemic"),
    "severe_weather": N_("Severe weather"),
    "other": N_("Other"),
}


def word(table: dict[str, str], code: str | None) -> str:
    """A code's words in the request's language (an unknown code as it is)."""
    if code is None:
        return ""
    return gettext(table[code]) if code in table else code


@dataclass(frozen=True)
class Vocabulary:
    """The catalogue in the request's language: labels by key, the deliverables of each phase."""

    labels: dict[str, str]
    phase_deliverables: dict[str, list[dict[str, Any]]]
    areas: list[str]
    mechanisms: list[str]

    def __call__(self, key: str | None) -> str:
        return self.labels.get(key or "", key or "")

    def join(self, keys: list[str]) -> str:
        """Several labels in one line, with the language's list separator."""
        return ("、" if current_locale() != "en" else ", ").join(self(key) for key in keys)

    def missing(self, key: str) -> str:
        """One thing a deliverable lacks, in words."""
        kind, _, value = key.partition(":")
        if kind == "area":
            return gettext("area not signed off: %(area)s", area=self(value))
        if kind == "mechanism":
            return gettext("not recorded: %(mechanism)s", mechanism=self(value))
        return word(MISSING, key)


async def vocabulary(api: Api) -> Vocabulary:
    """The campaign catalogue (``GET /campaign-catalogue``) worded for this request."""
    catalogue = await api.get("schools", "/campaign-catalogue")
    lang = "en" if current_locale() == "en" else "zh"
    labels: dict[str, str] = {}
    phases: dict[str, list[dict[str, Any]]] = {}
    for phase in catalogue["phases"]:
        labels[phase["key"]] = phase[lang]
        phases[phase["key"]] = phase["deliverables"]
        for item in phase["deliverables"]:
            labels[item["key"]] = item[lang]
    for group in ("areas", "mechanisms"):
        for item in catalogue[group]:
            labels.setdefault(item["key"], item[lang])
    return Vocabulary(
        labels=labels,
        phase_deliverables=phases,
        areas=[a["key"] for a in catalogue["areas"]],
        mechanisms=[m["key"] for m in catalogue["mechanisms"]],
    )
