"""Operator commands that need a progress bar and a report."""

from __future__ import annotations

import asyncio
import csv
from pathlib import Path

import click
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from kit.broker import configure_broker
from kit.db import Database
from kit.settings import get_settings
from tenants import TenantContext
from tenants.roles import app_role


def run_school_import(file: Path, county_code: str, report_path: Path | None) -> int:
    """Import ``file`` into county ``county_code``; print a per-row report. Returns the number of failed rows.

    Each onboarded school's event is in the outbox with it; the relay (nudged after each commit, swept every
    minute) delivers it to provisioning, so the import succeeds even while the broker is down."""
    settings = get_settings()
    configure_broker(settings)  # before the modules that declare actors; the outbox nudges through it
    from schools.domain.counties.operations import find_county_id
    from schools.domain.schools.importer import ImportFileError, RowResult, import_schools

    async def go() -> int:
        county_id = await find_county_id(settings, county_code)
        if county_id is None:
            raise click.ClickException(f"no county with code {county_code}")
        tenant = TenantContext.for_county(county_id, actor="operator:import", roles=["bureau"])
        database = Database(settings.sqlalchemy_url(app_role("schools"), "schools"), pool_size=1)
        with Progress(
            TextColumn("[bold]importing"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn()
        ) as progress:
            task = progress.add_task("rows", total=None)

            def on_row(result: RowResult, total: int) -> None:
                progress.update(task, total=total, advance=1)

            try:
                report = await import_schools(
                    database,
                    tenant,
                    file.name,
                    file.read_bytes(),
                    on_row=on_row,
                )
            except ImportFileError as exc:
                raise click.ClickException(str(exc)) from exc
            finally:
                await database.dispose()
        for row in report.rows:
            if not row.ok:
                click.echo(f"line {row.line} ({row.code or '-'}): {row.message}", err=True)
        click.echo(f"{report.succeeded} onboarded, {report.failed} failed")
        if report_path is not None:
            with report_path.open("w", newline="", encoding="utf-8") as fh:
                from kit.storage import spreadsheet_text

                writer = csv.writer(fh)
                writer.writerow(["line", "code", "result", "message", "school_id"])
                for row in report.rows:
                    cells = [
                        row.line,
                        row.code,
                        "ok" if row.ok else "error",
                        row.message,
                        row.school_id or "",
                    ]
                    writer.writerow([spreadsheet_text(cell) for cell in cells])
        return report.failed

    return asyncio.run(go())
