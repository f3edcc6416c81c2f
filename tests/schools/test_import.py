"""Bulk onboarding from CSV and XLSX through the operator command."""

from __future__ import annotations

import csv
import io
import secrets

import pytest
from click.testing import CliRunner
from openpyxl import Workbook
from sqlalchemy import text

from kit.db import Database
from safecampus.cli import main
from tenants import TenantContext
from tenants.roles import app_role


@pytest.fixture(scope="module")
def county(stack):
    import asyncio

    from schools.domain.counties.operations import create_county

    code = f"imp-{secrets.token_hex(3)}"
    created = asyncio.run(
        create_county(
            stack.settings,
            code=code,
            name="导入测试县",
            name_en="Import County",
            locale="zh-Hans",
            bureau_username=f"{code}.bureau",
            bureau_email=f"{code}@test.example",
            bureau_name="导入",
            bureau_password="Import-Only-1",
        )
    )
    return created


def _codes(stack, county_id) -> set[str]:
    import asyncio

    async def go():
        database = Database(stack.settings.sqlalchemy_url(app_role("schools"), "schools"), pool_size=1)
        try:
            async with database.transaction(TenantContext.for_county(county_id)) as session:
                return set((await session.execute(text("select code from schools.schools"))).scalars())
        finally:
            await database.dispose()

    return asyncio.run(go())


def _row(code: str, kind: str = "小学", username: str | None = None) -> list[str]:
    return [
        code,
        f"{code} 学校",
        kind,
        "否",
        "320",
        "某镇",
        "校长",
        f"{code}@test.example",
        username or f"{code}.p",
    ]


CN_HEADINGS = [
    "学校代码",
    "学校名称",
    "类型",
    "寄宿",
    "学生人数",
    "地址",
    "校长姓名",
    "校长邮箱",
    "校长用户名",
]


def _csv(rows: list[list[str]], encoding: str = "utf-8-sig") -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(CN_HEADINGS)
    writer.writerows(rows)
    return buffer.getvalue().encode(encoding)


def test_a_csv_with_a_bad_row_onboards_the_good_rows_and_reports_the_bad_one(stack, county, tmp_path):
    tag = secrets.token_hex(2)
    good1, good2, bad, dup = f"g1{tag}", f"g2{tag}", f"bd{tag}", f"g1{tag}"
    source = tmp_path / "schools.csv"
    source.write_bytes(
        _csv([_row(good1), _row(bad, kind="城堡"), _row(good2), _row(dup, username=f"x{tag}.p")])
    )
    report = tmp_path / "report.csv"
    result = CliRunner().invoke(
        main, ["schools", "import", str(source), "--county", county.code, "--report", str(report)]
    )
    assert result.exit_code == 1, result.output
    assert "2 onboarded, 2 failed" in result.output
    rows = list(csv.DictReader(report.open(encoding="utf-8")))
    assert [(r["line"], r["result"]) for r in rows] == [
        ("2", "ok"),
        ("3", "error"),
        ("4", "ok"),
        ("5", "error"),
    ]
    assert "kind" in rows[1]["message"]
    assert "already exists" in rows[3]["message"]
    codes = _codes(stack, county.id)
    assert {good1, good2} <= codes
    assert bad not in codes


def test_an_xlsx_with_english_headings_and_a_gb18030_csv_both_import(stack, county, tmp_path):
    tag = secrets.token_hex(2)
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["code", "name", "kind", "boarding", "student_count", "address", "principal_name",
                  "principal_email", "principal_username"])  # fmt: skip
    sheet.append(
        [
            f"x{tag}",
            "英文表头学校",
            "junior_secondary",
            "yes",
            800,
            "",
            "Wang",
            f"x{tag}@t.example",
            f"x{tag}.p",
        ]
    )
    xlsx = tmp_path / "schools.xlsx"
    workbook.save(xlsx)
    assert CliRunner().invoke(main, ["schools", "import", str(xlsx), "--county", county.code]).exit_code == 0
    gbk = tmp_path / "gbk.csv"
    gbk.write_bytes(_csv([_row(f"k{tag}", kind="九年一贯制")], encoding="gb18030"))
    assert CliRunner().invoke(main, ["schools", "import", str(gbk), "--county", county.code]).exit_code == 0
    assert {f"x{tag}", f"k{tag}"} <= _codes(stack, county.id)


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("missing.csv", b"code,name\nc1,School\n", "missing columns"),
        ("empty.csv", b"", "empty"),
        ("schools.txt", b"whatever", "only .csv and .xlsx"),
        ("broken.xlsx", b"PK\x03\x04 not really a zip", "not a readable XLSX"),
    ],
)
def test_an_unreadable_file_is_refused_with_a_reason(stack, county, tmp_path, name, content, message):
    path = tmp_path / name
    path.write_bytes(content)
    result = CliRunner().invoke(main, ["schools", "import", str(path), "--county", county.code])
    assert result.exit_code != 0
    assert message in result.output


def test_an_unknown_county_is_refused(stack, tmp_path):
    path = tmp_path / "s.csv"
    path.write_bytes(_csv([_row("zz1")]))
    result = CliRunner().invoke(main, ["schools", "import", str(path), "--county", "no-such-county"])
    assert result.exit_code != 0
    assert "no county" in result.output


def test_counties_create_is_idempotent_and_creates_one_bureau_account(stack):
    code = f"cc-{secrets.token_hex(3)}"
    args = ["counties", "create", "--code", code, "--name", "新县", "--bureau-username", f"{code}.b",
            "--bureau-email", f"{code}@t.example"]  # fmt: skip
    first = CliRunner().invoke(main, args)
    assert first.exit_code == 0, first.output
    assert "initial password (shown once)" in first.output
    second = CliRunner().invoke(main, args)
    assert second.exit_code == 0
    assert "already existed" in second.output
    assert first.output.splitlines()[0] == second.output.splitlines()[0]  # same county id
