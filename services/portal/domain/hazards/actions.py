"""The life-cycle actions of a hazard's page: the fields each form has, what the portal checks before it
asks the API, and the request it sends. The API decides whether the action is allowed (its ``allowed_actions``
say which forms to show; a refusal comes back with its reason)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from portal.domain.hazards import labels
from portal.domain.hazards.forms import Form
from portal.i18n import N_


def today() -> dt.date:
    """The school's calendar day (deadlines are days in Beijing time)."""
    return (dt.datetime.now(dt.UTC) + dt.timedelta(hours=8)).date()


def _person(value: str) -> tuple[str | None, str]:
    """A chosen account (``id|name``) or a name typed in (someone without an account)."""
    if "|" in value:
        person_id, name = value.split("|", 1)
        return person_id or None, name
    return None, value


def _check_confirm(form: Form) -> None:
    return None


def _check_reject(form: Form) -> None:
    form.require("reason", min_length=2)


def _check_assign(form: Form) -> None:
    if not form["responsible"] and not form["responsible_name"]:
        form.error("responsible", N_("Choose the responsible person or type a name."))
    form.require("plan", min_length=2)
    form.date("deadline", not_before=today())


def _assign_body(form: Form) -> dict[str, Any]:
    person_id, name = _person(form["responsible"]) if form["responsible"] else (None, "")
    body: dict[str, Any] = {
        "responsible_name": form["responsible_name"] or name,
        "responsible_id": person_id,
        "plan": form["plan"],
        "deadline": form["deadline"],
        "containment": form["containment"],
    }
    if form["checker"]:
        checker_id, checker_name = _person(form["checker"])
        body |= {"checker_id": checker_id, "checker_name": checker_name}
    return body


def _check_reassign(form: Form) -> None:
    form.require("reason", min_length=2)
    form.date("deadline", required=False, not_before=today())


def _reassign_body(form: Form) -> dict[str, Any]:
    body: dict[str, Any] = {"reason": form["reason"]}
    if form["responsible"]:
        person_id, name = _person(form["responsible"])
        body |= {"responsible_id": person_id, "responsible_name": name}
    if form["checker"]:
        checker_id, checker_name = _person(form["checker"])
        body |= {"checker_id": checker_id, "checker_name": checker_name}
    if form["plan"]:
        body["plan"] = form["plan"]
    if form["deadline"]:
        body["deadline"] = form["deadline"]
    return body


def _check_contain(form: Form) -> None:
    form.require("measures", min_length=2)


def _check_reopen(form: Form) -> None:
    form.require("reason", min_length=2)
    form.date("deadline", required=False, not_before=today())


def _reopen_body(form: Form) -> dict[str, Any]:
    return {"reason": form["reason"], "deadline": form["deadline"] or None}


def _check_list(form: Form) -> None:
    form.require("official")
    form.date("deadline", not_before=today())


def _check_refer(form: Form) -> None:
    form.choice("department", labels.DEPARTMENTS)


@dataclass(frozen=True)
class ActionForm:
    """One action's form: its fields, the portal's checks, the API call and what the page says."""

    name: str
    fields: tuple[str, ...]
    check: Callable[[Form], None]
    body: Callable[[Form], dict[str, Any]]
    #: The API path after ``/hazards/{id}``.
    path: str
    failed: str
    done: str


def _fields(*names: str) -> Callable[[Form], dict[str, Any]]:
    return lambda form: {name: form[name] for name in names}


ACTIONS: dict[str, ActionForm] = {
    form.name: form
    for form in (
        ActionForm(
            "confirm", ("note",), _check_confirm, _fields("note"), "/confirm",
            N_("The hazard was not confirmed."), N_("The hazard is confirmed."),
        ),
        ActionForm(
            "reject", ("reason",), _check_reject, _fields("reason"), "/reject",
            N_("The report was not rejected."), N_("The report is rejected as not a hazard."),
        ),
        ActionForm(
            "assign",
            ("responsible", "responsible_name", "plan", "deadline", "checker", "containment"),
            _check_assign, _assign_body, "/assign",
            N_("The rectification was not assigned."), N_("The rectification is assigned."),
        ),
        ActionForm(
            "reassign", ("reason", "responsible", "checker", "plan", "deadline"),
            _check_reassign, _reassign_body, "/reassign",
            N_("The rectification was not changed."), N_("The rectification is changed."),
        ),
        ActionForm(
            "contain", ("measures",), _check_contain, _fields("measures"), "/containment",
            N_("The containment measures were not recorded."), N_("The containment measures are recorded."),
        ),
        ActionForm(
            "verify", ("note",), _check_confirm, _fields("note"), "/verify",
            N_("The rectification was not verified."), N_("The rectification is verified."),
        ),
        ActionForm(
            "reopen", ("reason", "deadline"), _check_reopen, _reopen_body, "/reopen",
            N_("The hazard was not reopened."), N_("The hazard is reopened for rectification."),
        ),
        ActionForm(
            "sign_off", ("note",), _check_confirm, _fields("note"), "/sign-off",
            N_("The hazard was not signed off."), N_("The hazard is signed off and closed."),
        ),
        ActionForm(
            "list", ("official", "deadline", "note"), _check_list, _fields("official", "deadline", "note"),
            "/listing",
            N_("The hazard was not listed for supervision."), N_("The hazard is listed for supervision."),
        ),
        ActionForm(
            "refer", ("department", "department_name", "contact", "note"), _check_refer,
            _fields("department", "department_name", "contact", "note"), "/referrals",
            N_("The hazard was not referred."), N_("The hazard is referred to the department."),
        ),
    )
}  # fmt: skip
