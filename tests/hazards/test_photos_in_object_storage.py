"""Production keeps uploads in an S3-compatible bucket: a hazard photo reported from a phone lands in the
bucket under the tenant's key, is served back to the school, and is refused to another county."""

from __future__ import annotations

import io
import secrets

from tests.hazards.conftest import JPEG
from tests.s3server import running_s3


async def test_a_reported_photo_is_stored_in_the_bucket_and_served_only_in_its_tenant(
    stack, broker, hazards_world
):
    from litestar.testing import AsyncTestClient

    from hazards.app import create_app
    from kit.s3 import S3Store

    w = hazards_world
    with running_s3() as s3:
        bucket = f"files-{secrets.token_hex(4)}"
        s3.create_bucket(bucket)
        app = create_app(stack.settings, store=S3Store(s3.location(bucket, prefix="safecampus")))
        async with AsyncTestClient(app) as client:
            response = await client.post(
                "/hazards/quick",
                data={"category": "fire", "area": "canteen", "place": "后厨", "note": "灭火器过期"},
                files={"photo": ("IMG_0002.jpg", io.BytesIO(JPEG), "image/jpeg")},
                headers=w["teacher_a"].headers,
            )
            assert response.status_code == 201, response.text
            photo = response.json()["photos"][0]

            keys = s3.keys(bucket)
            assert len(keys) == 1
            assert keys[0].startswith(f"safecampus/hazards/{w.county_x}/{w.school_a}/")

            served = await client.get(photo["url"], headers=w["principal_a"].headers)
            assert served.status_code == 200 and served.content == JPEG
            foreign = await client.get(photo["url"], headers=w["bureau_y"].headers)
            assert foreign.status_code == 404
