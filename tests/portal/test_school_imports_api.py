"""POST /schools/imports: the bureau uploads a CSV or XLSX file and gets the per-row report."""

from __future__ import annotations

import asyncio
import io
import secrets

from openpyxl import Workbook

from tests.portal.conftest import fresh_headers

HEADINGS = "学校代码,学校名称,类型,寄宿,学生人数,地址,校长姓名,校长邮箱,校长用户名"


def _row(code: str, kind: str = "小学") -> str:
    return f"{code},{code} 学校,{kind},否,320,某镇,校长,{code}@test.example,{code}.p"


async def _wait_until_provisioned(app_client, headers, school_id: str) -> dict:
    for _ in range(150):
        school = (await app_client.get(f"/schools/{school_id}", headers=headers)).json()
        if school["provisioning"]["status"] != "pending":
            return school
        await asyncio.sleep(0.1)
    raise AssertionError("provisioning did not finish")


async def test_a_bureau_imports_a_csv_and_gets_a_report_row_by_row(app_client, world, worker, stack):
    good, bad = f"im{secrets.token_hex(3)}", f"im{secrets.token_hex(3)}"
    content = "\n".join([HEADINGS, _row(good), _row(bad, kind="大学")]).encode()

    headers = await fresh_headers(stack, world["bureau_x"])
    answer = await app_client.post(
        "/schools/imports", files={"file": ("schools.csv", content, "text/csv")}, headers=headers
    )

    assert answer.status_code == 200, answer.text
    report = answer.json()
    assert (report["total"], report["succeeded"], report["failed"]) == (2, 1, 1)
    first, second = report["rows"]
    assert (first["line"], first["code"], first["ok"]) == (2, good, True)
    assert (second["line"], second["code"], second["ok"]) == (3, bad, False)
    assert "kind" in second["message"]
    # the onboarded school's principal is provisioned like a single onboarding's
    school = await _wait_until_provisioned(app_client, headers, first["school_id"])
    assert school["provisioning"]["status"] == "done"
    assert len(stack.mailbox.to(f"{good}@test.example")) == 1
    listed = await app_client.get("/schools", params={"q": bad}, headers=headers)
    assert listed.json()["total"] == 0


async def test_an_xlsx_file_is_imported_too(app_client, world, stack):
    code = f"ix{secrets.token_hex(3)}"
    workbook = Workbook()
    workbook.active.append(HEADINGS.split(","))
    workbook.active.append(_row(code).split(","))
    buffer = io.BytesIO()
    workbook.save(buffer)

    answer = await app_client.post(
        "/schools/imports",
        files={"file": ("schools.xlsx", buffer.getvalue(), "application/octet-stream")},
        headers=await fresh_headers(stack, world["bureau_x"]),
    )

    assert answer.status_code == 200
    assert answer.json()["succeeded"] == 1


async def test_a_file_that_cannot_be_read_is_a_problem_about_the_file_and_writes_nothing(
    app_client, world, stack
):
    headers = await fresh_headers(stack, world["bureau_x"])
    cases = [
        ("schools.pdf", b"%PDF-1.4"),
        ("schools.csv", b"code,name\nx,y\n"),  # missing columns
        ("schools.csv", b""),
        ("schools.xlsx", b"not a workbook"),
    ]
    for filename, content in cases:
        answer = await app_client.post(
            "/schools/imports", files={"file": (filename, content, "text/csv")}, headers=headers
        )
        assert answer.status_code == 422, (filename, answer.text)
        assert answer.headers["content-type"].startswith("application/problem+json")
        assert answer.json()["errors"][0]["key"] == "file"
    missing = await app_client.post("/schools/imports", data={"other": "x"}, headers=headers)
    assert missing.status_code == 422
    as_json = await app_client.post("/schools/imports", json={"file": "x"}, headers=headers)
    assert as_json.status_code == 422


async def test_a_file_over_the_size_limit_is_refused(app_client, world, stack):
    from schools.domain.schools.imports import MAX_IMPORT_BODY

    big = b"x" * (MAX_IMPORT_BODY + 1)
    answer = await app_client.post(
        "/schools/imports",
        files={"file": ("big.csv", big, "text/csv")},
        headers=await fresh_headers(stack, world["bureau_x"]),
    )
    assert answer.status_code == 413


async def test_school_staff_may_not_import(app_client, world, stack):
    content = "\n".join([HEADINGS, _row(f"st{secrets.token_hex(3)}")]).encode()
    for user in ("principal_a", "teacher_a", "guard_a"):
        answer = await app_client.post(
            "/schools/imports",
            files={"file": ("s.csv", content, "text/csv")},
            headers=await fresh_headers(stack, world[user]),
        )
        assert answer.status_code == 403
