"""The forms of a school's deliverables: each reads the posted fields, names what is wrong, and builds the
body of its API call. Files are uploaded by the controller once the rest of the form is in order."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from portal.domain.campaign.forms import REQUIRED, Form, lines, row_names, rows
from portal.i18n import N_, gettext

MEMBER_FIELDS = ("name", "role", "position", "duties")
ASSIGNMENT_FIELDS = ("duty", "responsible_name", "responsible_title", "signed_on")
#: Blank rows offered below the rows already recorded.
SPARE_ROWS = 3
AT_LEAST_ONE = N_("Fill in at least one row.")


def _row_count(form: Mapping[str, Any], prefix: str, first: str) -> int:
    count = 0
    while f"{prefix}-{count}-{first}" in form:
        count += 1
    return count


def leading_group_form(group: dict[str, Any] | None) -> Form:
    """The form filled with the group as recorded, and blank rows for more members."""
    values: dict[str, str] = {}
    members = (group or {}).get("members") or []
    if group:
        values = {"leader_duties": group["leader_duties"], "established_on": group["established_on"]}
    for i, member in enumerate(members):
        for name in MEMBER_FIELDS:
            values[f"members-{i}-{name}"] = str(member.get(name) or "")
    for i in range(len(members), len(members) + SPARE_ROWS):
        values[f"members-{i}-role"] = "member"
    return Form(values=values)


def read_leading_group(posted: Mapping[str, Any], today: dt.date) -> tuple[Form, dict[str, Any] | None]:
    count = _row_count(posted, "members", "name")
    form: Form = Form.read(
        posted, ["leader_duties", "established_on", *row_names("members", count, MEMBER_FIELDS)]
    )
    form.require("leader_duties")
    established = form.date("established_on", not_after=today)
    members = rows(form, "members", MEMBER_FIELDS, defaults=("role",))
    if not members:
        form.errors["members-0-name"] = gettext(AT_LEAST_ONE)
    for row in members:
        for name in ("name", "duties"):
            if not row[name]:
                form.errors[f"members-{row['_index']}-{name}"] = gettext(REQUIRED)
    form.sent_rows["members"] = [row["_index"] for row in members]
    if not form.ok:
        return form, None
    body = {
        "leader_duties": form.get("leader_duties"),
        "established_on": str(established),
        "members": [
            {
                "name": row["name"],
                "role": row["role"] or "member",
                "position": row["position"],
                "duties": row["duties"],
            }
            for row in members
        ],
    }
    return form, body


def read_meeting(posted: Mapping[str, Any], today: dt.date) -> tuple[Form, dict[str, Any] | None]:
    form: Form = Form.read(posted, ["held_on", "title", "attendees", "minutes"])
    form.require("title", "attendees", "minutes")
    held = form.date("held_on", not_after=today)
    form.hints["title"] = gettext("Use 2 to 200 characters.")
    if not form.ok:
        return form, None
    return form, {
        "held_on": str(held),
        "title": form.get("title"),
        "attendees": lines(form.get("attendees")),
        "minutes": form.get("minutes"),
    }


def plan_form(plan: dict[str, Any] | None) -> Form:
    if not plan:
        return Form()
    return Form(values={"title": plan["title"], "adopted_on": plan["adopted_on"], "summary": plan["summary"]})


def read_plan(
    posted: Mapping[str, Any], today: dt.date, *, has_file: bool
) -> tuple[Form, dict[str, Any] | None]:
    form: Form = Form.read(posted, ["title", "adopted_on", "summary"])
    form.require("title")
    adopted = form.date("adopted_on", not_after=today)
    if not has_file:
        form.errors["file"] = gettext("Upload the plan document (PDF or an office document).")
    form.hints["title"] = gettext("Use 2 to 200 characters.")
    if not form.ok:
        return form, None
    return form, {"title": form.get("title"), "adopted_on": str(adopted), "summary": form.get("summary")}


def responsibilities_form(assignments: list[dict[str, Any]]) -> Form:
    values: dict[str, str] = {}
    for i, item in enumerate(assignments):
        for name in ASSIGNMENT_FIELDS:
            values[f"assignments-{i}-{name}"] = str(item.get(name) or "")
    for i in range(len(assignments), len(assignments) + SPARE_ROWS):
        values[f"assignments-{i}-duty"] = ""
    return Form(values=values)


def read_responsibilities(posted: Mapping[str, Any], today: dt.date) -> tuple[Form, dict[str, Any] | None]:
    count = _row_count(posted, "assignments", "duty")
    form: Form = Form.read(posted, row_names("assignments", count, ASSIGNMENT_FIELDS))
    items = rows(form, "assignments", ASSIGNMENT_FIELDS)
    if not items:
        form.errors["assignments-0-duty"] = gettext(AT_LEAST_ONE)
    body_items = []
    for row in items:
        prefix = f"assignments-{row['_index']}"
        for name in ("duty", "responsible_name"):
            if not row[name]:
                form.errors[f"{prefix}-{name}"] = gettext(REQUIRED)
        signed = form.date(f"{prefix}-signed_on", required=False, not_after=today)
        item = {
            "duty": row["duty"],
            "responsible_name": row["responsible_name"],
            "responsible_title": row["responsible_title"],
        }
        if signed:
            item["signed_on"] = str(signed)
        body_items.append(item)
    form.sent_rows["assignments"] = [row["_index"] for row in items]
    if not form.ok:
        return form, None
    return form, {"assignments": body_items}


def read_evidence(
    posted: Mapping[str, Any], measures: list[str], *, has_file: bool
) -> tuple[Form, dict[str, Any] | None]:
    form: Form = Form.read(posted, ["measure", "kind", "record_service", "record_type", "record_id", "note"])
    form.require("measure", "kind")
    if form.get("measure") and form.get("measure") not in measures:
        form.errors["measure"] = gettext("Choose a measure of the list.")
    kind = form.get("kind")
    if kind == "record":
        form.require("record_service", "record_type", "record_id")
    elif kind in ("document", "photo"):
        if not has_file:
            form.errors["file"] = gettext("Choose the file to upload.")
    elif kind:
        form.errors["kind"] = gettext("Choose the kind of evidence.")
    form.hints |= {
        "record_type": gettext("Lower-case letters and _, e.g. drill or management_document."),
        "record_id": gettext("The record's number as the service shows it."),
        "file_id": gettext("Only a photo can be photo evidence."),
    }
    if not form.ok:
        return form, None
    body: dict[str, Any] = {"measure": form.get("measure"), "kind": kind, "note": form.get("note")}
    if kind == "record":
        body["record"] = {
            "service": form.get("record_service"),
            "type": form.get("record_type"),
            "id": form.get("record_id"),
        }
    return form, body


def read_summary(posted: Mapping[str, Any]) -> tuple[Form, dict[str, Any] | None]:
    form: Form = Form.read(posted, ["summary"])
    form.require("summary")
    if not form.ok:
        return form, None
    return form, {"summary": form.get("summary")}


def mechanisms_form(recorded: list[dict[str, Any]]) -> Form:
    return Form(values={f"mechanism-{m['mechanism']}": m["description"] for m in recorded})


def read_mechanisms(posted: Mapping[str, Any], keys: list[str]) -> tuple[Form, dict[str, Any] | None]:
    form: Form = Form.read(posted, [f"mechanism-{key}" for key in keys])
    filled = [key for key in keys if form.get(f"mechanism-{key}")]
    if not filled:
        form.errors[f"mechanism-{keys[0]}"] = gettext("Describe at least one mechanism.")
    if not form.ok:
        return form, None
    return form, {
        "mechanisms": [{"mechanism": key, "description": form.get(f"mechanism-{key}")} for key in filled]
    }
