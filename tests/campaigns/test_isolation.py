"""Another school's or another county's campaign objects answer 404, exactly like objects that do not exist
(the route walker checks every route with made-up ids; these use real objects of the other tenant)."""

from __future__ import annotations

import secrets
import uuid

from tests.campaigns.conftest import TODAY, launched, upload


async def test_another_schools_campaign_is_not_found_for_reading_or_writing(app_client, county):
    result = await launched(app_client, county)
    instance = result["instances"][county.boarding]
    other = county["day_principal"].headers
    base = f"/school-campaigns/{instance}"

    responses = [
        await app_client.get(base, headers=other),
        await app_client.get(f"{base}/deliverables", headers=other),
        await app_client.post(f"{base}/close-phase", json={"phase": "deployment"}, headers=other),
        await app_client.put(f"{base}/summary-report", json={"summary": "冒充"}, headers=other),
    ]
    missing = await app_client.get(f"/school-campaigns/{uuid.uuid4()}", headers=other)

    assert [r.status_code for r in responses] == [404, 404, 404, 404]
    assert {r.json()["detail"] for r in responses} == {missing.json()["detail"]}


async def test_another_countys_bureau_finds_nothing_of_this_county(app_client, county, world):
    result = await launched(app_client, county)
    instance = result["instances"][county.boarding]
    outsider = world["bureau_y"].headers
    file_id = await upload(app_client, county["principal"])
    document = await app_client.post(
        "/management-documents",
        json={
            "kind": "security",
            "title": f"安全制度 {secrets.token_hex(2)}",
            "version": {
                "file_id": file_id,
                "effective_on": TODAY.isoformat(),
                "approved_by": "校务会",
                "approved_on": TODAY.isoformat(),
            },
        },
        headers=county["principal"].headers,
    )

    responses = [
        await app_client.get(f"/campaigns/{result['campaign']['id']}/board", headers=outsider),
        await app_client.post(f"/campaigns/{result['campaign']['id']}/close", headers=outsider),
        await app_client.get(f"/school-campaigns/{instance}", headers=outsider),
        await app_client.post(
            f"/school-campaigns/{instance}/extend-deadline",
            json={"phase": "deployment", "deadline": "2030-01-01", "reason": "越权"},
            headers=outsider,
        ),
        await app_client.get(f"/management-documents/{document.json()['id']}", headers=outsider),
    ]
    listed = await app_client.get(
        "/school-campaigns", params={"school_id": str(county.boarding)}, headers=outsider
    )

    assert [r.status_code for r in responses] == [404, 404, 404, 404, 404]
    assert listed.status_code == 200 and listed.json() == []
    still = await app_client.get(f"/campaigns/{result['campaign']['id']}", headers=county["bureau"].headers)
    assert still.json()["status"] == "launched"
