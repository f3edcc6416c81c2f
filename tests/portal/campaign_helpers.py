"""Shared set-up of the campaign page tests: a county of their own (so that launching campaigns does not touch
the ``world`` county other tests read), its people, and campaigns launched through the schools API."""

from __future__ import annotations

import datetime as dt
import re
import secrets
import uuid
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

import httpx

from tests.campaigns.conftest import campaign_body
from tests.conftest import User, make_county, make_school, make_user
from tests.portal.conftest import fresh_headers

PHASES = ["deployment", "investigation", "remediation", "acceptance", "consolidation"]
PDF = b"%PDF-1.7\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00" + b"\x00" * 64 + b"\xff\xd9"


def school_today() -> dt.date:
    return dt.datetime.now(ZoneInfo("Asia/Shanghai")).date()


@dataclass
class CampaignCounty:
    """A county with two schools (A and B) and the users of the campaign pages."""

    id: uuid.UUID
    school_a: uuid.UUID
    school_b: uuid.UUID
    codes: dict[uuid.UUID, str]
    users: dict[str, User] = field(default_factory=dict)

    def __getitem__(self, key: str) -> User:
        return self.users[key]


async def new_campaign_county(stack: Any, label: str = "cp") -> CampaignCounty:
    settings = stack.settings
    county_id = await make_county(settings, label)
    code_a, code_b = f"{label}a{secrets.token_hex(2)}", f"{label}b{secrets.token_hex(2)}"
    school_a = await make_school(settings, county_id, code_a)
    school_b = await make_school(settings, county_id, code_b)
    county = CampaignCounty(county_id, school_a, school_b, {school_a: code_a, school_b: code_b})
    specs = {
        "bureau": ("bureau", None),
        "principal_a": ("principal", school_a),
        "teacher_a": ("teacher", school_a),
        "guard_a": ("guard", school_a),
        "principal_b": ("principal", school_b),
    }
    for key, (role, school) in specs.items():
        county.users[key] = await make_user(settings, role, county_id, school)
    return county


class SchoolsApi:
    """The schools API as the tests' users call it (fresh tokens each time)."""

    def __init__(self, stack: Any, url: str) -> None:
        self.stack, self.url = stack, url

    async def call(self, user: User, method: str, path: str, **kwargs: Any) -> httpx.Response:
        async with httpx.AsyncClient(timeout=30) as client:
            return await client.request(
                method, self.url + path, headers=await fresh_headers(self.stack, user), **kwargs
            )

    async def ok(self, user: User, method: str, path: str, **kwargs: Any) -> Any:
        response = await self.call(user, method, path, **kwargs)
        assert response.status_code < 300, response.text
        return response.json() if response.content else None

    async def launch(self, bureau: User, *, start: dt.date | None = None, step: int = 14) -> dict[str, Any]:
        """A campaign launched on ``start`` (today at the schools) with a phase due every ``step`` days;
        returns it with ``instances``: school id → school campaign id."""
        body = campaign_body(start or school_today(), step=step)
        campaign = await self.ok(bureau, "POST", "/campaigns", json=body)
        await self.ok(bureau, "POST", f"/campaigns/{campaign['id']}/launch")
        listed = await self.ok(bureau, "GET", "/school-campaigns", params={"campaign_id": campaign["id"]})
        campaign["instances"] = {uuid.UUID(item["school_id"]): item["id"] for item in listed}
        return campaign

    async def upload(self, user: User, content: bytes = PDF, name: str = "plan.pdf") -> str:
        stored = await self.ok(user, "POST", "/files", files={"file": (name, content, "application/pdf")})
        return str(stored["id"])


def field_errors(page: str) -> dict[str, str]:
    """The errors shown beside the fields of a form page: field name → message."""
    return dict(re.findall(r'<p class="field-error" id="e-([A-Za-z0-9_-]+)">([^<]+)</p>', page))
