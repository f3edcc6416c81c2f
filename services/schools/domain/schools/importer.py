"""Bulk onboarding from a CSV or XLSX file: each row is its own transaction, and a bad row is reported,
never half-written."""

from __future__ import annotations

import csv
import io
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import msgspec
from sqlalchemy.exc import IntegrityError

from kit.db import Database
from kit.errors import DomainError
from schools.domain.schools.schemas import SchoolCreate
from schools.domain.schools.service import SchoolService
from tenants import TenantContext

#: Column headings accepted (English keys and the Chinese headings of the bureau's template).
HEADINGS = {
    "code": "code", "学校代码": "code", "代码": "code",
    "name": "name", "学校名称": "name", "名称": "name",
    "kind": "kind", "类型": "kind", "学校类型": "kind",
    "boarding": "boarding", "寄宿": "boarding", "是否寄宿": "boarding",
    "student_count": "student_count", "学生人数": "student_count", "在校生数": "student_count",
    "address": "address", "地址": "address",
    "principal_name": "principal_name", "校长姓名": "principal_name", "校长": "principal_name",
    "principal_email": "principal_email", "校长邮箱": "principal_email", "邮箱": "principal_email",
    "principal_username": "principal_username", "校长用户名": "principal_username", "用户名": "principal_username",
}  # fmt: skip
KIND_ALIASES = {
    "幼儿园": "kindergarten", "小学": "primary", "初中": "junior_secondary", "初级中学": "junior_secondary",
    "高中": "senior_secondary", "高级中学": "senior_secondary", "九年一贯制": "nine_year",
    "九年一贯制学校": "nine_year", "十二年一贯制": "twelve_year", "完全中学": "twelve_year",
    "职业学校": "vocational", "中职": "vocational", "职业高中": "vocational",
    "特殊教育学校": "special_education", "特教": "special_education",
}  # fmt: skip
TRUE_WORDS = {"1", "true", "yes", "y", "是", "寄宿"}
FALSE_WORDS = {"", "0", "false", "no", "n", "否", "走读"}
MAX_ROWS = 5_000


class ImportFileError(ValueError):
    """The file as a whole cannot be read (format, encoding, headings, size)."""


@dataclass(slots=True)
class RowResult:
    line: int
    code: str
    ok: bool
    message: str = ""
    school_id: uuid.UUID | None = None


@dataclass(slots=True)
class ImportReport:
    rows: list[RowResult] = field(default_factory=list)

    @property
    def succeeded(self) -> int:
        return sum(1 for r in self.rows if r.ok)

    @property
    def failed(self) -> int:
        return sum(1 for r in self.rows if not r.ok)


def _decode(raw: bytes) -> str:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise ImportFileError("the file is neither UTF-8 nor GB18030 text")


def _rows_from_csv(raw: bytes) -> Iterator[list[str]]:
    text = _decode(raw)
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel  # type: ignore[assignment]
    yield from csv.reader(io.StringIO(text), dialect)


def _rows_from_xlsx(raw: bytes) -> Iterator[list[str]]:
    from openpyxl import load_workbook

    from kit.storage import check_archive

    check_archive(raw)  # a decompression bomb is refused before openpyxl inflates anything
    try:
        workbook = load_workbook(io.BytesIO(raw), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types for a broken file
        raise ImportFileError("the file is not a readable XLSX workbook") from exc
    try:
        sheet = workbook.worksheets[0]
        for values in sheet.iter_rows(values_only=True):
            yield ["" if v is None else str(v) for v in values]
    finally:
        workbook.close()


def read_table(filename: str, raw: bytes) -> tuple[list[str], list[tuple[int, list[str]]]]:
    """Headings (normalised) and the numbered data rows of a CSV or XLSX file."""
    suffix = Path(filename).suffix.lower()
    if suffix == ".csv":
        rows = _rows_from_csv(raw)
    elif suffix == ".xlsx":
        rows = _rows_from_xlsx(raw)
    else:
        raise ImportFileError("only .csv and .xlsx files can be imported")
    header: list[str] | None = None
    data: list[tuple[int, list[str]]] = []
    for line, row in enumerate(rows, start=1):
        if header is None:
            header = [HEADINGS.get(cell.strip().lower(), HEADINGS.get(cell.strip(), "")) for cell in row]
            missing = {
                "code",
                "name",
                "kind",
                "principal_name",
                "principal_email",
                "principal_username",
            } - set(header)
            if missing:
                raise ImportFileError("missing columns: " + ", ".join(sorted(missing)))
            continue
        if not any(cell.strip() for cell in row):
            continue
        data.append((line, row))
        if len(data) > MAX_ROWS:
            raise ImportFileError(f"at most {MAX_ROWS} schools per file")
    if header is None:
        raise ImportFileError("the file is empty")
    return header, data


def _to_payload(header: list[str], row: list[str]) -> dict[str, Any]:
    payload: dict[str, Any] = {}
    for key, cell in zip(header, row, strict=False):
        if not key:
            continue
        value = cell.strip()
        if key == "kind":
            payload[key] = KIND_ALIASES.get(value, value.lower())
        elif key == "boarding":
            if value.lower() in TRUE_WORDS:
                payload[key] = True
            elif value.lower() in FALSE_WORDS:
                payload[key] = False
            else:
                raise ValueError(f"boarding: cannot read {value!r} as yes/no")
        elif key == "student_count":
            if value:
                try:
                    payload[key] = int(float(value))
                except ValueError as exc:
                    raise ValueError(f"student_count: {value!r} is not a number") from exc
        elif key == "principal_username":
            payload[key] = value.lower()
        else:
            payload[key] = value
    return payload


async def import_schools(
    database: Database,
    tenant: TenantContext,
    filename: str,
    raw: bytes,
    *,
    on_row: Callable[[RowResult, int], None] | None = None,
) -> ImportReport:
    """Onboard every valid row; report every row. ``on_row(result, total)`` reports progress.

    Each row's school commits together with its ``schools.school.onboarded`` event, so every imported
    principal is provisioned through the outbox exactly as after a single onboarding. Nothing is enqueued
    here."""
    header, rows = read_table(filename, raw)
    report = ImportReport()
    for line, row in rows:
        code = (
            row[header.index("code")].strip() if "code" in header and header.index("code") < len(row) else ""
        )
        result = RowResult(line=line, code=code, ok=False)
        try:
            data = msgspec.convert(_to_payload(header, row), SchoolCreate)
            async with database.transaction(tenant) as session:
                school = await SchoolService(session, tenant).onboard(data)
            result.ok, result.school_id = True, school.id
        except (msgspec.ValidationError, ValueError) as exc:
            result.message = str(exc)
        except DomainError as exc:
            result.message = exc.detail
        except IntegrityError:
            result.message = "conflicts with an existing school or principal username"
        report.rows.append(result)
        if on_row is not None:
            on_row(result, len(rows))
    return report
