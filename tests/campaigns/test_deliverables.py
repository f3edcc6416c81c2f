"""What the principal records for the phases: the leading group, meetings, the plan, responsibilities,
remediation evidence and the consolidation's mechanisms."""

from __future__ import annotations

import datetime as dt
import uuid

from tests.campaigns.conftest import JPEG, PDF, TODAY, launched, upload


async def test_the_principal_leads_the_leading_group(app_client, county):
    instance = (await launched(app_client, county))["instances"][county.boarding]
    body = {
        "leader_duties": "全面负责专项治理",
        "established_on": TODAY.isoformat(),
        "members": [
            {"name": "李副校长", "role": "deputy_leader", "duties": "具体组织实施", "position": "副校长"},
            {"name": "张主任", "role": "member", "duties": "校门及周边"},
        ],
    }

    response = await app_client.put(
        f"/school-campaigns/{instance}/leading-group", json=body, headers=county["principal"].headers
    )

    assert response.status_code == 200, response.text
    group = response.json()["leading_group"]
    assert group["leader_name"] == "测试校长"  # the school's principal, whatever the form says
    assert [m["name"] for m in group["members"]] == ["李副校长", "张主任"]


async def test_dates_in_the_future_and_leaderless_groups_are_refused(app_client, county):
    instance = (await launched(app_client, county))["instances"][county.boarding]
    base, headers = f"/school-campaigns/{instance}", county["principal"].headers
    tomorrow = (TODAY + dt.timedelta(days=1)).isoformat()

    future_meeting = await app_client.post(
        f"{base}/meetings",
        json={"held_on": tomorrow, "title": "部署会", "attendees": ["王"], "minutes": "会议纪要"},
        headers=headers,
    )
    no_members = await app_client.put(
        f"{base}/leading-group",
        json={"leader_duties": "负责", "established_on": TODAY.isoformat(), "members": []},
        headers=headers,
    )

    assert future_meeting.status_code == 422
    assert future_meeting.json()["errors"][0]["key"] == "held_on"
    assert no_members.status_code == 400
    contents = (await app_client.get(f"{base}/deliverables", headers=headers)).json()
    assert contents["meetings"] == [] and contents["leading_group"] is None


async def test_a_meeting_keeps_its_attachment_and_a_teacher_reads_it(app_client, county):
    instance = (await launched(app_client, county))["instances"][county.boarding]
    minutes = await upload(app_client, county["principal"], PDF, "会议纪要.pdf")

    added = await app_client.post(
        f"/school-campaigns/{instance}/meetings",
        json={
            "held_on": TODAY.isoformat(),
            "title": "部署会",
            "attendees": ["王", "李"],
            "minutes": "纪要",
            "attachment_id": minutes,
        },
        headers=county["principal"].headers,
    )
    read = await app_client.get(
        f"/school-campaigns/{instance}/deliverables", headers=county["teacher"].headers
    )

    assert added.status_code == 201, added.text
    [meeting] = read.json()["meetings"]
    assert meeting["attachment"]["filename"] == "会议纪要.pdf"
    assert meeting["attendees"] == ["王", "李"]


async def test_a_file_of_another_school_cannot_be_attached(app_client, county):
    instance = (await launched(app_client, county))["instances"][county.boarding]
    foreign = await upload(app_client, county["day_principal"])

    response = await app_client.put(
        f"/school-campaigns/{instance}/implementation-plan",
        json={"title": "实施方案", "file_id": foreign, "adopted_on": TODAY.isoformat()},
        headers=county["principal"].headers,
    )

    assert response.status_code == 422
    assert response.json()["errors"] == [{"key": "file_id", "message": "no such file"}]


async def test_responsibilities_are_replaced_as_a_whole(app_client, county):
    instance = (await launched(app_client, county))["instances"][county.boarding]
    url, headers = f"/school-campaigns/{instance}/responsibilities", county["principal"].headers
    letter = await upload(app_client, county["principal"], PDF, "责任书.pdf")

    await app_client.put(
        url, json={"assignments": [{"duty": "宿舍", "responsible_name": "赵"}]}, headers=headers
    )
    second = await app_client.put(
        url,
        json={
            "assignments": [
                {"duty": "校门", "responsible_name": "钱", "signed_on": TODAY.isoformat(), "file_id": letter},
                {"duty": "食堂", "responsible_name": "孙", "responsible_title": "后勤主任"},
            ]
        },
        headers=headers,
    )

    assert second.status_code == 200, second.text
    assert [(a["duty"], a["responsible_name"]) for a in second.json()["responsibilities"]] == [
        ("校门", "钱"),
        ("食堂", "孙"),
    ]
    assert second.json()["responsibilities"][0]["file"]["filename"] == "责任书.pdf"


async def test_remediation_evidence_is_a_document_a_photo_or_a_record(app_client, county):
    instance = (await launched(app_client, county))["instances"][county.boarding]
    url, headers = f"/school-campaigns/{instance}/evidence", county["principal"].headers
    pdf = await upload(app_client, county["principal"], PDF)
    plan = await app_client.post(
        "/emergency-plans",
        json={"kind": "fire", "title": f"消防应急预案 {uuid.uuid4().hex[:4]}", "responsible_name": "王"},
        headers=headers,
    )

    photo_as_pdf = await app_client.post(
        url, json={"measure": "video_surveillance", "kind": "photo", "file_id": pdf}, headers=headers
    )
    document = await app_client.post(
        url, json={"measure": "management_systems", "kind": "document", "file_id": pdf}, headers=headers
    )
    record = await app_client.post(
        url,
        json={
            "measure": "emergency_plans_drills",
            "kind": "record",
            "record": {"service": "schools", "type": "emergency_plan", "id": plan.json()["id"]},
        },
        headers=headers,
    )
    missing_record = await app_client.post(
        url,
        json={
            "measure": "emergency_plans_drills",
            "kind": "record",
            "record": {"service": "schools", "type": "drill", "id": str(uuid.uuid4())},
        },
        headers=headers,
    )
    elsewhere = await app_client.post(
        url,
        json={
            "measure": "gate_duty",
            "kind": "record",
            "record": {"service": "personnel", "type": "duty_roster", "id": "roster-2026-spring"},
        },
        headers=headers,
    )
    not_a_measure = await app_client.post(
        url, json={"measure": "leading_group", "kind": "document", "file_id": pdf}, headers=headers
    )

    assert photo_as_pdf.status_code == 422
    assert (document.status_code, record.status_code, elsewhere.status_code) == (201, 201, 201)
    assert missing_record.status_code == 422
    assert not_a_measure.status_code == 422
    measures = {m["measure"]: m for m in elsewhere.json()["measures"]}
    assert measures["gate_duty"]["evidence"][0]["record"] == {
        "service": "personnel",
        "type": "duty_roster",
        "id": "roster-2026-spring",
    }
    assert measures["management_systems"]["evidence"][0]["file"]["content_type"] == "application/pdf"


async def test_a_day_school_records_no_dormitory_night_inspections(app_client, county):
    instance = (await launched(app_client, county))["instances"][county.day]
    photo = await upload(app_client, county["day_principal"], JPEG, "photo.jpg")

    response = await app_client.post(
        f"/school-campaigns/{instance}/evidence",
        json={"measure": "dormitory_night_inspections", "kind": "photo", "file_id": photo},
        headers=county["day_principal"].headers,
    )

    assert response.status_code == 422


async def test_evidence_can_be_taken_back_while_the_phase_is_open(app_client, county):
    instance = (await launched(app_client, county))["instances"][county.boarding]
    base, headers = f"/school-campaigns/{instance}", county["principal"].headers
    photo = await upload(app_client, county["principal"], JPEG, "photo.jpg")
    added = await app_client.post(
        f"{base}/evidence",
        json={"measure": "fire_safety_checks", "kind": "photo", "file_id": photo},
        headers=headers,
    )
    evidence_id = next(m for m in added.json()["measures"] if m["measure"] == "fire_safety_checks")[
        "evidence"
    ][0]["id"]

    removed = await app_client.delete(f"{base}/evidence/{evidence_id}", headers=headers)
    again = await app_client.delete(f"{base}/evidence/{evidence_id}", headers=headers)

    assert (removed.status_code, again.status_code) == (204, 404)


async def test_each_mechanism_is_named_once(app_client, county):
    instance = (await launched(app_client, county))["instances"][county.boarding]

    response = await app_client.put(
        f"/school-campaigns/{instance}/mechanisms",
        json={
            "mechanisms": [
                {"mechanism": "working", "description": "a"},
                {"mechanism": "working", "description": "b"},
            ]
        },
        headers=county["principal"].headers,
    )

    assert response.status_code == 422


async def test_a_teacher_reads_but_does_not_write_the_campaign(app_client, county):
    instance = (await launched(app_client, county))["instances"][county.boarding]

    read = await app_client.get(f"/school-campaigns/{instance}", headers=county["teacher"].headers)
    write = await app_client.put(
        f"/school-campaigns/{instance}/summary-report",
        json={"summary": "总结"},
        headers=county["teacher"].headers,
    )
    guard = await app_client.get(f"/school-campaigns/{instance}", headers=county["guard"].headers)

    assert (read.status_code, write.status_code, guard.status_code) == (200, 403, 403)
