"""The school scores itself against the rubric, with evidence, and submits before the inspection."""

from __future__ import annotations

import pytest

from tests.evaluation.conftest import JPEG, open_campaign


@pytest.fixture
async def campaign(eval_client, world, directory, default_rubric) -> str:
    return await open_campaign(eval_client, world["bureau_x"], default_rubric)


async def test_the_principal_scores_with_evidence_and_the_teachers_read_it(eval_client, world, campaign):
    principal, teacher = world["principal_a"].headers, world["teacher_a"].headers
    empty = await eval_client.get(f"/campaigns/{campaign}/self-assessment", headers=teacher)
    assert empty.status_code == 200
    assert empty.json()["status"] == "draft" and empty.json()["self_pct"] is None
    assert all(i["points"] is None for i in empty.json()["items"])
    assert "inv.closed_on_time" not in {
        i["code"] for i in empty.json()["items"]
    }  # objective: computed, not scored

    scored = await eval_client.put(
        f"/campaigns/{campaign}/self-assessment/items/sec.video",
        json={"points": 4.5, "comment": "8 路监控", "evidence_note": "联网测试记录见附件"},
        headers=principal,
    )
    assert scored.status_code == 200
    evidence = await eval_client.post(
        f"/campaigns/{campaign}/self-assessment/items/sec.video/evidence", content=JPEG, headers=principal
    )
    assert evidence.status_code == 201
    assert evidence.json()["content_type"] == "image/jpeg"

    seen = (await eval_client.get(f"/campaigns/{campaign}/self-assessment", headers=teacher)).json()
    video = next(i for i in seen["items"] if i["code"] == "sec.video")
    assert (video["points"], video["comment"], len(video["evidence"])) == (4.5, "8 路监控", 1)
    download = await eval_client.get(video["evidence"][0]["url"], headers=teacher)
    assert download.content == JPEG
    assert (
        await eval_client.get(video["evidence"][0]["url"], headers=world["principal_b"].headers)
    ).status_code == 404
    teacher_scores = await eval_client.put(
        f"/campaigns/{campaign}/self-assessment/items/sec.video", json={"points": 5}, headers=teacher
    )
    assert teacher_scores.status_code == 403

    bureau = await eval_client.get(
        f"/campaigns/{campaign}/schools/{world.school_a}/self-assessment", headers=world["bureau_x"].headers
    )
    assert bureau.status_code == 200
    assert next(i for i in bureau.json()["items"] if i["code"] == "sec.video")["points"] == 4.5


@pytest.mark.parametrize(
    ("code", "body", "status"),
    [
        ("sec.video", {"points": 6}, 422),  # more than the item's 5 points
        ("sec.video", {"triggered": True, "points": 1}, 422),
        ("veto.concealment", {"points": 1}, 422),
        ("sec.video", {}, 422),
        ("inv.closed_on_time", {"points": 1}, 404),  # objective indicators are computed
        ("no.such.item", {"points": 1}, 404),
        ("sec.video", {"points": -1}, 400),
    ],
)
async def test_bad_scores_are_refused(eval_client, world, campaign, code, body, status):
    response = await eval_client.put(
        f"/campaigns/{campaign}/self-assessment/items/{code}", json=body, headers=world["principal_a"].headers
    )
    assert response.status_code == status, response.text
    sheet = (
        await eval_client.get(f"/campaigns/{campaign}/self-assessment", headers=world["principal_a"].headers)
    ).json()
    assert all(i["points"] is None for i in sheet["items"])


async def test_submitting_needs_every_indicator_and_freezes_the_self_assessment(eval_client, world, campaign):
    principal = world["principal_a"].headers
    sheet = (await eval_client.get(f"/campaigns/{campaign}/self-assessment", headers=principal)).json()
    indicators = [i for i in sheet["items"] if i["kind"] == "indicator"]
    for item in indicators[1:]:
        response = await eval_client.put(
            f"/campaigns/{campaign}/self-assessment/items/{item['code']}",
            json={"points": item["max_points"]},
            headers=principal,
        )
        assert response.status_code == 200
    missing = await eval_client.post(f"/campaigns/{campaign}/self-assessment/submit", headers=principal)
    assert missing.status_code == 422
    assert missing.json()["errors"] == [{"key": indicators[0]["code"], "message": "not scored"}]

    half = indicators[0]["max_points"] / 2
    await eval_client.put(
        f"/campaigns/{campaign}/self-assessment/items/{indicators[0]['code']}",
        json={"points": half},
        headers=principal,
    )
    submitted = await eval_client.post(f"/campaigns/{campaign}/self-assessment/submit", headers=principal)
    assert submitted.status_code == 200
    body = submitted.json()
    total = sum(i["max_points"] for i in indicators)
    assert body["status"] == "submitted"
    assert body["self_pct"] == round(100 * (total - half) / total, 2)
    again = await eval_client.put(
        f"/campaigns/{campaign}/self-assessment/items/{indicators[0]['code']}",
        json={"points": 0},
        headers=principal,
    )
    assert again.status_code == 409
