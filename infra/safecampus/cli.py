"""`safecampus` — one command for operators, developers and the process runner."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import click

REPO_ROOT = Path(__file__).resolve().parents[2]


@click.group()
def main() -> None:
    """SafeCampus: school safety special governance campaigns."""


# --- database -------------------------------------------------------------------------------------------
@main.group()
def db() -> None:
    """Database bootstrap and migrations."""


@db.command("bootstrap")
@click.option("--admin-url", envvar="ADMIN_DATABASE_URL", required=True, help="A role that may create roles.")
@click.option("--dbname", envvar="SAFECAMPUS_DB_NAME", default="safecampus", show_default=True)
def db_bootstrap(admin_url: str, dbname: str) -> None:
    """Create the roles and the database (idempotent)."""
    from tenants.bootstrap import bootstrap_database

    asyncio.run(bootstrap_database(admin_url, dbname))
    click.echo(f"database {dbname} bootstrapped")


@db.command("migrate")
def db_migrate() -> None:
    """Run every service's migrations as the migrator role, and set up the Postgres broker's schema."""
    from safecampus.migrate import migrate_all

    migrate_all()
    click.echo("migrations applied")


# --- processes ------------------------------------------------------------------------------------------
@main.command("serve")
@click.argument("service", type=click.Choice(["schools", "portal", "hazards", "personnel", "evaluation"]))
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", type=int, required=True)
def serve(service: str, host: str, port: int) -> None:
    """Serve one service's API."""
    import uvicorn

    uvicorn.run(
        f"{service}.app:create_app", factory=True, host=host, port=port, log_config=None, access_log=False
    )


@main.command("worker")
@click.option("--processes", type=int, default=1, show_default=True)
@click.option("--threads", type=int, default=4, show_default=True)
def worker(processes: int, threads: int) -> None:
    """Run a Dramatiq worker for every service's actors."""
    import sys

    from dramatiq.cli import main as dramatiq_main

    sys.argv = ["dramatiq", "safecampus.worker", "--processes", str(processes), "--threads", str(threads)]
    raise SystemExit(dramatiq_main())


@main.command("scheduler")
@click.option(
    "--list", "list_jobs", is_flag=True, help="Print the periodic jobs and their schedules, then exit."
)
def scheduler(list_jobs: bool) -> None:
    """Run the scheduler: enqueue every periodic job once per period (a second scheduler is harmless)."""
    import safecampus.worker  # noqa: F401  (logging, the broker, and every actor and periodic job)
    from kit.scheduler import REGISTRY, run_scheduler

    if list_jobs:
        for job in sorted(REGISTRY.values(), key=lambda job: job.name):
            click.echo(f"{job.name:<36} {job.schedule.describe():<30} -> {job.actor_name}")
        return
    asyncio.run(run_scheduler())


@main.group()
def idp() -> None:
    """The dev identity server (development and tests only)."""


@idp.command("serve")
@click.option("--port", type=int, default=8180, show_default=True)
def idp_serve(port: int) -> None:
    """Serve the Keycloak-compatible dev identity server."""
    from devidp.__main__ import main as idp_main

    raise SystemExit(idp_main(["serve", "--port", str(port)]))


@main.group()
def mail() -> None:
    """The local SMTP sink (development only)."""


@mail.command("serve")
@click.option("--smtp-port", type=int, default=1025, show_default=True, help="Where it accepts e-mail.")
@click.option("--port", type=int, default=8025, show_default=True, help="Where its read-only page is.")
@click.option(
    "--dir",
    "directory",
    type=click.Path(file_okay=False, path_type=Path),
    default=REPO_ROOT / ".data" / "mail",
)
def mail_serve(smtp_port: int, port: int, directory: Path) -> None:
    """Keep every e-mail sent to 127.0.0.1:<smtp-port> as .eml files and list them on http://127.0.0.1:<port>/."""
    from kit.mailsink import serve as serve_mailsink
    from kit.settings import get_settings

    serve_mailsink(get_settings(), directory, smtp_port=smtp_port, port=port)


# --- operator commands ----------------------------------------------------------------------------------
@main.group()
def counties() -> None:
    """Counties (operator)."""


@counties.command("create")
@click.option("--code", required=True, help="Short unique code, e.g. changling.")
@click.option("--name", required=True, help="Name in Chinese, e.g. 长岭县.")
@click.option("--name-en", default="", help="Name in English.")
@click.option("--locale", type=click.Choice(["zh-Hans", "en"]), default="zh-Hans", show_default=True)
@click.option("--bureau-username", required=True)
@click.option("--bureau-email", required=True)
@click.option("--bureau-name", default="", help="Display name of the bureau account.")
def counties_create(
    code: str, name: str, name_en: str, locale: str, bureau_username: str, bureau_email: str, bureau_name: str
) -> None:
    """Create a county and its first bureau account (idempotent on --code)."""
    from kit.settings import get_settings
    from schools.domain.counties.operations import create_county

    created = asyncio.run(
        create_county(
            get_settings(),
            code=code,
            name=name,
            name_en=name_en,
            locale=locale,
            bureau_username=bureau_username,
            bureau_email=bureau_email,
            bureau_name=bureau_name or name,
        )
    )
    click.echo(f"county {created.code} id={created.id}")
    if created.bureau_password:
        click.echo(
            f"bureau account {created.bureau_username}, initial password (shown once): {created.bureau_password}"
        )
    else:
        click.echo(f"bureau account {created.bureau_username} already existed; password unchanged")


@main.group()
def schools() -> None:
    """Schools (operator)."""


@schools.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--county", "county_code", required=True, help="Code of the county the schools join.")
@click.option(
    "--report", type=click.Path(dir_okay=False, path_type=Path), help="Write the per-row report as CSV."
)
def schools_import(file: Path, county_code: str, report: Path | None) -> None:
    """Onboard schools in bulk from a CSV or XLSX file; bad rows are reported and never half-written."""
    from safecampus.operations import run_school_import

    failed = run_school_import(file, county_code, report)
    raise SystemExit(1 if failed else 0)


@main.group()
def audit() -> None:
    """Audit trails (operator)."""


@audit.command("verify")
@click.option("--service", default="schools", show_default=True, help="Whose audit log: schools, ...")
@click.option("--school", help="The school's id, or its code (with --county if codes repeat).")
@click.option("--county", "county_code", help="The county's code; without --school, its county-level chain.")
@click.option("--anchor", help="<seq>:<hash> of a head noted earlier: the chain must still contain it.")
def audit_verify(service: str, school: str | None, county_code: str | None, anchor: str | None) -> None:
    """Recompute one tenant's audit chain as the migrator. Prints OK, or the first broken link (exit 1)."""
    from kit.audit import parse_anchor
    from kit.settings import get_settings
    from schools.domain.audit.operations import ChainNotFoundError, resolve_chain, verify_chain
    from tenants.roles import SERVICES

    if service not in SERVICES:
        raise click.BadParameter(f"one of {', '.join(SERVICES)}", param_hint="--service")
    try:
        expected = parse_anchor(anchor)
    except ValueError as error:
        raise click.BadParameter(str(error), param_hint="--anchor") from error
    settings = get_settings()
    try:
        chain = asyncio.run(resolve_chain(settings, school=school, county=county_code))
    except ChainNotFoundError as error:
        raise click.UsageError(str(error)) from error
    result = asyncio.run(verify_chain(settings, service, chain, expected))
    head = f"head {result.head_seq}:{result.head_hash}" if result.head_seq else "no entries yet"
    if result.broken is None:
        click.echo(f"OK {service} audit chain of {chain.label}: {result.verified} entries, {head}")
        return
    broken = result.broken
    click.echo(f"BROKEN {service} audit chain of {chain.label} at entry {broken.seq}: {broken.reason}")
    click.echo(f"({result.verified} entries verified before it)")
    raise SystemExit(1)


@main.group()
def demo() -> None:
    """The demo county (development only)."""


@demo.command("seed")
@click.option(
    "--out", type=click.Path(dir_okay=False, path_type=Path), default=REPO_ROOT / ".data" / "demo.json"
)
def demo_seed(out: Path) -> None:
    """Create the demo county 长岭县 with schools, logins, staff, hazards and an evaluation; write the logins
    to --out. Idempotent: a second run completes what is missing."""
    from evaluation.demo.seed import seed_evaluation_demo
    from hazards.demo.seed import seed_hazards
    from kit.settings import get_settings
    from personnel.demo.seed import seed_personnel
    from schools.demo.seed import seed_demo

    settings = get_settings()

    async def seed_all() -> dict[str, Any]:
        data = await seed_demo(settings, out, progress=click.echo)
        await seed_personnel(settings, out, progress=click.echo)
        await seed_hazards(settings, data, progress=click.echo)
        await seed_evaluation_demo(settings, data, progress=click.echo)
        return data

    data = asyncio.run(seed_all())
    click.echo(f"demo ready: {len(data['users'])} logins written to {out}")


try:
    from safecampus.run import run_command

    main.add_command(run_command, "run")
except ImportError:  # pragma: no cover - the runner is optional for the service entry points
    pass


if __name__ == "__main__":  # pragma: no cover
    main()
