"""Audit scenarios of the campaign engine's write routes, for the write-route walk of
``tests/audit/test_every_write_is_audited.py`` (merged into ``tests/audit/scenarios/schools.py``'s
``SCENARIOS``).

Each scenario launches what it needs in county X (the world's), calls the route once as the right user, and
names the first audit entry the call must leave in its tenant's chain. The apps of that walk have the real
clock, so dates here are relative to the real today.
"""

from __future__ import annotations

import datetime as dt
import secrets
import uuid
from collections.abc import Callable
from typing import Any

from kit.storage import FilesystemStore
from schools.domain.campaigns.calendar import local_date, system_clock
from tests.audit.conftest import Chain
from tests.audit.scenarios import Context, Scenario, Write
from tests.campaigns.conftest import JPEG, PDF, campaign_body, complete_deployment


def _today() -> dt.date:
    return local_date(system_clock())


def _county(ctx: Context) -> Callable[[Any], Chain]:
    return lambda _: Chain(ctx.world.county_x, None, ctx.service)


def _school_a(ctx: Context) -> Callable[[Any], Chain]:
    return ctx.in_school(ctx.world.school_a)


def _files_in_a_temporary_store(ctx: Context) -> None:
    if getattr(ctx.client.app.state, "store", None) is None:
        import tempfile

        ctx.client.app.state.store = FilesystemStore(tempfile.mkdtemp(prefix="safecampus-audit-files-"))


async def _draft(ctx: Context) -> str:
    response = await ctx.client.post(
        "/campaigns", json=campaign_body(_today()), headers=ctx.headers("bureau_x")
    )
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


async def _launched(ctx: Context) -> tuple[str, str]:
    """A launched campaign of county X and school A's instance of it."""
    campaign = await _draft(ctx)
    launch = await ctx.client.post(f"/campaigns/{campaign}/launch", headers=ctx.headers("bureau_x"))
    assert launch.status_code == 200, launch.text
    listed = await ctx.client.get(
        "/school-campaigns",
        params={"campaign_id": campaign, "school_id": str(ctx.world.school_a)},
        headers=ctx.headers("bureau_x"),
    )
    return campaign, str(listed.json()[0]["id"])


async def _upload(ctx: Context, user: str = "principal_a", data: bytes = PDF) -> str:
    _files_in_a_temporary_store(ctx)
    response = await ctx.client.post(
        "/files", files={"file": ("evidence.pdf", data)}, headers=ctx.headers(user)
    )
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


def _principal_call(ctx: Context, method: str, path: str, body: Any = None) -> Callable[[], Any]:
    return lambda: ctx.client.request(method, path, json=body, headers=ctx.headers("principal_a"))


# --- county campaigns -----------------------------------------------------------------------------------
async def create_campaign(ctx: Context) -> Write:
    body = campaign_body(_today())
    return Write(
        send=lambda: ctx.client.post("/campaigns", json=body, headers=ctx.headers("bureau_x")),
        chain=_county(ctx),
        action="campaign.create",
    )


async def update_campaign(ctx: Context) -> Write:
    campaign = await _draft(ctx)
    return Write(
        send=lambda: ctx.client.patch(
            f"/campaigns/{campaign}", json={"title": "改名后的专项治理"}, headers=ctx.headers("bureau_x")
        ),
        chain=_county(ctx),
        action="campaign.update",
    )


async def delete_campaign(ctx: Context) -> Write:
    campaign = await _draft(ctx)
    return Write(
        send=lambda: ctx.client.delete(f"/campaigns/{campaign}", headers=ctx.headers("bureau_x")),
        chain=_county(ctx),
        action="campaign_plan.delete",  # its phase plans go first, then the campaign
    )


async def launch_campaign(ctx: Context) -> Write:
    campaign = await _draft(ctx)
    return Write(
        send=lambda: ctx.client.post(f"/campaigns/{campaign}/launch", headers=ctx.headers("bureau_x")),
        chain=_county(ctx),
        action="campaign.launch",
    )


async def close_campaign(ctx: Context) -> Write:
    campaign, _ = await _launched(ctx)
    return Write(
        send=lambda: ctx.client.post(f"/campaigns/{campaign}/close", headers=ctx.headers("bureau_x")),
        chain=_county(ctx),
        action="campaign.close",
    )


# --- phase transitions ----------------------------------------------------------------------------------
async def close_phase(ctx: Context) -> Write:
    _, instance = await _launched(ctx)
    _files_in_a_temporary_store(ctx)
    await complete_deployment(ctx.client, ctx.world["principal_a"], instance, today=_today())
    return Write(
        send=_principal_call(
            ctx, "POST", f"/school-campaigns/{instance}/close-phase", {"phase": "deployment"}
        ),
        chain=_school_a(ctx),
        action="campaign_phase.close",
    )


async def reopen_phase(ctx: Context) -> Write:
    write = await close_phase(ctx)
    closed = await write.send()
    assert closed.status_code == 200, closed.text
    instance = closed.json()["id"]
    return Write(
        send=lambda: ctx.client.post(
            f"/school-campaigns/{instance}/reopen-phase",
            json={"phase": "deployment", "reason": "分工不明确"},
            headers=ctx.headers("bureau_x"),
        ),
        chain=_school_a(ctx),
        action="campaign_phase.reopen",
    )


async def extend_deadline(ctx: Context) -> Write:
    _, instance = await _launched(ctx)
    later = (_today() + dt.timedelta(days=60)).isoformat()
    return Write(
        send=lambda: ctx.client.post(
            f"/school-campaigns/{instance}/extend-deadline",
            json={"phase": "deployment", "deadline": later, "reason": "校舍维修"},
            headers=ctx.headers("bureau_x"),
        ),
        chain=_school_a(ctx),
        action="campaign_phase.extend",
    )


# --- deliverables ---------------------------------------------------------------------------------------
async def set_leading_group(ctx: Context) -> Write:
    _, instance = await _launched(ctx)
    body = {
        "leader_duties": "全面负责",
        "established_on": _today().isoformat(),
        "members": [{"name": "李", "role": "deputy_leader", "duties": "组织实施"}],
    }
    return Write(
        send=_principal_call(ctx, "PUT", f"/school-campaigns/{instance}/leading-group", body),
        chain=_school_a(ctx),
        action="leading_group.create",
    )


def _meeting() -> dict[str, Any]:
    return {"held_on": _today().isoformat(), "title": "部署会", "attendees": ["王", "李"], "minutes": "纪要"}


async def add_meeting(ctx: Context) -> Write:
    _, instance = await _launched(ctx)
    return Write(
        send=_principal_call(ctx, "POST", f"/school-campaigns/{instance}/meetings", _meeting()),
        chain=_school_a(ctx),
        action="deployment_meeting.create",
    )


async def remove_meeting(ctx: Context) -> Write:
    _, instance = await _launched(ctx)
    added = await _principal_call(ctx, "POST", f"/school-campaigns/{instance}/meetings", _meeting())()
    meeting = added.json()["meetings"][0]["id"]
    return Write(
        send=_principal_call(ctx, "DELETE", f"/school-campaigns/{instance}/meetings/{meeting}"),
        chain=_school_a(ctx),
        action="deployment_meeting.delete",
    )


async def set_implementation_plan(ctx: Context) -> Write:
    _, instance = await _launched(ctx)
    body = {"title": "实施方案", "file_id": await _upload(ctx), "adopted_on": _today().isoformat()}
    return Write(
        send=_principal_call(ctx, "PUT", f"/school-campaigns/{instance}/implementation-plan", body),
        chain=_school_a(ctx),
        action="implementation_plan.create",
    )


async def set_responsibilities(ctx: Context) -> Write:
    _, instance = await _launched(ctx)
    body = {"assignments": [{"duty": "校门", "responsible_name": "张"}]}
    return Write(
        send=_principal_call(ctx, "PUT", f"/school-campaigns/{instance}/responsibilities", body),
        chain=_school_a(ctx),
        action="responsibility_assignment.create",
    )


async def add_evidence(ctx: Context) -> Write:
    _, instance = await _launched(ctx)
    body = {"measure": "video_surveillance", "kind": "photo", "file_id": await _upload(ctx, data=JPEG)}
    return Write(
        send=_principal_call(ctx, "POST", f"/school-campaigns/{instance}/evidence", body),
        chain=_school_a(ctx),
        action="measure_evidence.create",
    )


async def remove_evidence(ctx: Context) -> Write:
    _, instance = await _launched(ctx)
    body = {"measure": "gate_duty", "kind": "document", "file_id": await _upload(ctx)}
    added = await _principal_call(ctx, "POST", f"/school-campaigns/{instance}/evidence", body)()
    evidence = next(m for m in added.json()["measures"] if m["measure"] == "gate_duty")["evidence"][0]["id"]
    return Write(
        send=_principal_call(ctx, "DELETE", f"/school-campaigns/{instance}/evidence/{evidence}"),
        chain=_school_a(ctx),
        action="measure_evidence.delete",
    )


async def set_summary(ctx: Context) -> Write:
    _, instance = await _launched(ctx)
    return Write(
        send=_principal_call(ctx, "PUT", f"/school-campaigns/{instance}/summary-report", {"summary": "总结"}),
        chain=_school_a(ctx),
        action="summary_report.create",
    )


async def set_mechanisms(ctx: Context) -> Write:
    _, instance = await _launched(ctx)
    body = {"mechanisms": [{"mechanism": "leadership", "description": "校长负总责"}]}
    return Write(
        send=_principal_call(ctx, "PUT", f"/school-campaigns/{instance}/mechanisms", body),
        chain=_school_a(ctx),
        action="long_term_mechanism.create",
    )


# --- management systems, emergency plans, files ---------------------------------------------------------
def _version(file_id: str) -> dict[str, str]:
    today = _today().isoformat()
    return {"file_id": file_id, "effective_on": today, "approved_by": "校务会", "approved_on": today}


async def register_document(ctx: Context) -> Write:
    body = {
        "kind": "security",
        "title": f"安全保卫制度 {secrets.token_hex(3)}",
        "version": _version(await _upload(ctx)),
    }
    return Write(
        send=_principal_call(ctx, "POST", "/management-documents", body),
        chain=_school_a(ctx),
        action="management_document.create",
    )


async def add_document_version(ctx: Context) -> Write:
    write = await register_document(ctx)
    document = (await write.send()).json()["id"]
    body = _version(await _upload(ctx))
    return Write(
        send=_principal_call(ctx, "POST", f"/management-documents/{document}/versions", body),
        chain=_school_a(ctx),
        action="management_document.add_version",
    )


def _plan() -> dict[str, str]:
    return {"kind": "fire", "title": f"消防应急预案 {secrets.token_hex(3)}", "responsible_name": "王校长"}


async def create_plan(ctx: Context) -> Write:
    return Write(
        send=_principal_call(ctx, "POST", "/emergency-plans", _plan()),
        chain=_school_a(ctx),
        action="emergency_plan.create",
    )


async def update_plan(ctx: Context) -> Write:
    plan = (await _principal_call(ctx, "POST", "/emergency-plans", _plan())()).json()["id"]
    return Write(
        send=_principal_call(ctx, "PATCH", f"/emergency-plans/{plan}", {"summary": "疏散路线"}),
        chain=_school_a(ctx),
        action="emergency_plan.update",
    )


async def record_drill(ctx: Context) -> Write:
    plan = (await _principal_call(ctx, "POST", "/emergency-plans", _plan())()).json()["id"]
    body = {"held_on": _today().isoformat(), "scenario": "模拟火警疏散", "participants": 300}
    return Write(
        send=lambda: ctx.client.post(
            f"/emergency-plans/{plan}/drills", json=body, headers=ctx.headers("teacher_a")
        ),
        chain=_school_a(ctx),
        action="drill.create",
    )


async def upload_file(ctx: Context) -> Write:
    _files_in_a_temporary_store(ctx)
    return Write(
        send=lambda: ctx.client.post(
            "/files", files={"file": (f"{uuid.uuid4().hex}.pdf", PDF)}, headers=ctx.headers("teacher_a")
        ),
        chain=_school_a(ctx),
        action="evidence_file.create",
    )


SCHOOL_CAMPAIGN = "schools:{method} /school-campaigns/{{school_campaign_id:uuid}}{path}"
SCENARIOS: dict[str, Scenario] = {
    "schools:POST /campaigns": create_campaign,
    "schools:PATCH /campaigns/{campaign_id:uuid}": update_campaign,
    "schools:DELETE /campaigns/{campaign_id:uuid}": delete_campaign,
    "schools:POST /campaigns/{campaign_id:uuid}/launch": launch_campaign,
    "schools:POST /campaigns/{campaign_id:uuid}/close": close_campaign,
    SCHOOL_CAMPAIGN.format(method="POST", path="/close-phase"): close_phase,
    SCHOOL_CAMPAIGN.format(method="POST", path="/reopen-phase"): reopen_phase,
    SCHOOL_CAMPAIGN.format(method="POST", path="/extend-deadline"): extend_deadline,
    SCHOOL_CAMPAIGN.format(method="PUT", path="/leading-group"): set_leading_group,
    SCHOOL_CAMPAIGN.format(method="POST", path="/meetings"): add_meeting,
    SCHOOL_CAMPAIGN.format(method="DELETE", path="/meetings/{meeting_id:uuid}"): remove_meeting,
    SCHOOL_CAMPAIGN.format(method="PUT", path="/implementation-plan"): set_implementation_plan,
    SCHOOL_CAMPAIGN.format(method="PUT", path="/responsibilities"): set_responsibilities,
    SCHOOL_CAMPAIGN.format(method="POST", path="/evidence"): add_evidence,
    SCHOOL_CAMPAIGN.format(method="DELETE", path="/evidence/{evidence_id:uuid}"): remove_evidence,
    SCHOOL_CAMPAIGN.format(method="PUT", path="/summary-report"): set_summary,
    SCHOOL_CAMPAIGN.format(method="PUT", path="/mechanisms"): set_mechanisms,
    "schools:POST /management-documents": register_document,
    "schools:POST /management-documents/{document_id:uuid}/versions": add_document_version,
    "schools:POST /emergency-plans": create_plan,
    "schools:PATCH /emergency-plans/{plan_id:uuid}": update_plan,
    "schools:POST /emergency-plans/{plan_id:uuid}/drills": record_drill,
    "schools:POST /files": upload_file,
}
