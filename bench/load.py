"""``bench/run``: the services as real servers over loopback, a per-role load, and the targets.

1. Starts the dev identity server, the four APIs (``safecampus serve <service>``, as ``make run`` does)
   and the ceiling app (``bench/ceiling.py``, served by the same server) against the bench database, with
   ``SAFECAMPUS_COUNT_QUERIES=1`` so that every answer says how many SQL statements it ran.
2. Makes the accounts the load needs (a bureau user; a principal, a teacher and a guard of a few schools)
   and takes their tokens from the identity server.
3. Pauses the identity server (SIGSTOP): every request from here on must validate its token locally.
4. Runs each endpoint alone, and next to each list its ceilings (the same SQL through bare asyncpg, then
   with the tenant context's transaction, then under RLS) and the constant; then the realistic per-role
   mix of all endpoints at once.
5. Prints the table, the targets as pass/miss, peak memory per process; writes the results as JSON to
   ``.data/bench/`` and (``--readme``) the tables into ``bench/README.md``. ``--growth`` adds the same
   endpoints against counties of 30, 300 and 3,000 schools.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import os
import platform
import secrets
import signal
import subprocess
import sys
import time
import urllib.request
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench.common import DEFAULT_DB, Scale, admin_url, point_settings_at, stable_id, with_database, with_user
from bench.httpload import Request, Tally, build, fetch_once, run_load

REPO = Path(__file__).resolve().parents[1]
DATA = REPO / ".data" / "bench"
README = REPO / "bench" / "README.md"
#: The README's generated sections, each between ``<!-- bench:<name>:start -->`` and ``…:end -->``.
MAIN, GROWTH = "results", "growth"

#: Ports of the bench's own processes (a running ``make run`` keeps its 81xx ports).
PORTS = {
    "idp": 18180,
    "schools": 18101,
    "hazards": 18102,
    "personnel": 18103,
    "evaluation": 18104,
    "ceiling": 18110,
}
SCHOOL_ROLES = ("principal", "teacher", "guard")
CONCURRENCY = 8


@dataclass(frozen=True, slots=True)
class Endpoint:
    """One thing a user does, as the benchmark sends it."""

    name: str
    role: str
    service: str
    path: str
    #: Share of the mixed load.
    weight: float
    method: str = "GET"
    body: bytes = b""
    content_type: str = ""
    #: The ceiling query of :mod:`bench.ceiling` with the same SQL (tenant-scoped list endpoints).
    ceiling: str | None = None
    #: A list page: at most 3 queries per request.
    list_page: bool = False
    #: Latency target at p95 in the mix, in milliseconds.
    p95_target_ms: float | None = None


def quick_report_form() -> tuple[bytes, str]:
    boundary = "bench" + secrets.token_hex(8)
    fields = {"category": "fire", "area": "teaching_buildings", "place": "三楼走廊", "note": "灭火器压力不足"}
    parts = [
        f'--{boundary}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n'
        for k, v in fields.items()
    ]
    return ("".join(parts) + f"--{boundary}--\r\n").encode(), f"multipart/form-data; boundary={boundary}"


def endpoints(scale: Scale) -> list[Endpoint]:
    campaign = scale.campaign_id(1)
    form, form_type = quick_report_form()
    return [
        Endpoint("guard: gate screen (visits)", "guard", "personnel", "/visits?limit=50", 25, ceiling="visits", list_page=True),
        Endpoint("teacher: hazard report (quick)", "teacher", "hazards", "/hazards/quick", 5, "POST", form, form_type),
        Endpoint("teacher: hazard list", "teacher", "hazards", "/hazards?limit=50", 15, ceiling="hazards", list_page=True),
        Endpoint("principal: hazard list", "principal", "hazards", "/hazards?limit=50", 20, ceiling="hazards", list_page=True),
        Endpoint("principal: campaign page", "principal", "schools", "/school-campaigns/{school_campaign}", 10),
        Endpoint("bureau: county board", "bureau", "schools", f"/campaigns/{campaign}/board", 5, p95_target_ms=300),
        Endpoint("bureau: supervision list", "bureau", "hazards", "/supervision", 5, ceiling="supervision", list_page=True),
        Endpoint("bureau: ranking", "bureau", "evaluation", f"/campaigns/{campaign}/ranking", 5, ceiling="ranking", p95_target_ms=200),
        Endpoint("bureau: county hazard list", "bureau", "hazards", "/hazards?limit=50", 5, ceiling="county_hazards", list_page=True),
    ]  # fmt: skip


# --- processes ------------------------------------------------------------------------------------------
@dataclass
class Process:
    name: str
    popen: subprocess.Popen[bytes]
    log: Path

    def peak_rss_mb(self) -> float:
        try:
            for line in Path(f"/proc/{self.popen.pid}/status").read_text().splitlines():
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
        except OSError:
            pass
        return float("nan")

    def stop(self) -> None:
        if self.popen.poll() is None:
            os.killpg(self.popen.pid, signal.SIGCONT)
            os.killpg(self.popen.pid, signal.SIGTERM)
            try:
                self.popen.wait(10)
            except subprocess.TimeoutExpired:
                os.killpg(self.popen.pid, signal.SIGKILL)


def child_env(dbname: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        {
            "DATABASE_URL": with_database(admin_url(), dbname, user=False),
            "KEYCLOAK_URL": f"http://127.0.0.1:{PORTS['idp']}/",
            "KEYCLOAK_PROVISIONER_CLIENT_SECRET": os.environ.get("BENCH_PROVISIONER_SECRET", ""),
            "SAFECAMPUS_PORTAL_CLIENT_SECRET": secrets.token_urlsafe(24),
            "PERSONNEL_ID_KEY": os.environ.get("PERSONNEL_ID_KEY") or secrets.token_urlsafe(32),
            "SAFECAMPUS_ENV": "development",
            "SAFECAMPUS_COUNT_QUERIES": "1",
            # The cluster may be shared (here: max_connections 100 and other test runs): at most 4
            # connections per process, which two cores keep busy.
            "SAFECAMPUS_DB_POOL_SIZE": "2",
            "SAFECAMPUS_DB_MAX_OVERFLOW": "2",
            "SAFECAMPUS_FILES_DIR": str(DATA / "files"),
            "IDP_ACCESS_TOKEN_LIFESPAN": "7200",
            "BROKER_URL": "",
            "LOG_LEVEL": "WARNING",
            "PYTHONUNBUFFERED": "1",
        }
    )
    return env


def start(name: str, argv: list[str], env: dict[str, str]) -> Process:
    DATA.mkdir(parents=True, exist_ok=True)
    log = DATA / f"{name}.log"
    with log.open("ab") as out:  # appended: the main run and the growth run start their own stacks
        popen = subprocess.Popen(  # noqa: S603 (our own commands)
            argv, cwd=REPO, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )
    return Process(name, popen, log)


def wait_ready(process: Process, url: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.popen.poll() is not None:
            raise RuntimeError(f"{process.name} exited: see {process.log}\n{process.log.read_text()[-2000:]}")
        try:
            with urllib.request.urlopen(url, timeout=2) as answer:  # noqa: S310 (loopback)
                if answer.status < 300:
                    return
        except OSError:
            time.sleep(0.3)
    raise RuntimeError(f"{process.name} did not answer {url} within {timeout:.0f} s (log: {process.log})")


def start_stack(dbname: str, server: str) -> dict[str, Process]:
    from tenants.roles import app_role

    bin_dir = Path(sys.executable).parent
    safecampus = str(bin_dir / "safecampus")
    env = child_env(dbname)
    processes: dict[str, Process] = {}
    try:
        idp = start("idp", [safecampus, "idp", "serve", "--port", str(PORTS["idp"])], env)
        processes["idp"] = idp
        wait_ready(idp, f"http://127.0.0.1:{PORTS['idp']}/realms/safecampus/.well-known/openid-configuration")
        for service in ("schools", "hazards", "personnel", "evaluation"):
            argv = [safecampus, "serve", service, "--port", str(PORTS[service])]
            processes[service] = start(service, argv, env)
        raw_env = dict(env)
        raw_env["BENCH_RAW_DSN"] = with_database(admin_url(), dbname)
        for service in ("hazards", "personnel", "evaluation"):
            raw_env[f"BENCH_{service.upper()}_DSN"] = with_user(
                with_database(admin_url(), dbname), app_role(service)
            )
        processes["ceiling"] = start("ceiling", ceiling_argv(server, bin_dir), raw_env)
        for name, process in processes.items():
            if name == "idp":
                continue
            path = "/constant" if name == "ceiling" else "/health/ready"
            wait_ready(process, f"http://127.0.0.1:{PORTS[name]}{path}")
    except BaseException:
        for process in processes.values():
            process.stop()
        raise
    return processes


def ceiling_argv(server: str, bin_dir: Path) -> list[str]:
    port = str(PORTS["ceiling"])
    if server == "granian":
        return [
            str(bin_dir / "granian"),
            "--interface",
            "asgi",
            "--factory",
            "--port",
            port,
            "bench.ceiling:create_app",
        ]
    return [
        str(bin_dir / "uvicorn"), "bench.ceiling:create_app", "--factory", "--port", port,
        "--no-access-log", "--log-level", "warning",
    ]  # fmt: skip


# --- accounts and tokens --------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class Caller:
    role: str
    username: str
    county_id: uuid.UUID
    school_id: uuid.UUID | None
    token: str


async def make_callers(scale: Scale, schools: int) -> dict[str, list[Caller]]:
    """The accounts of the load (idempotent) and a token for each: one bureau user, and a principal, a
    teacher and a guard of each of the first ``schools`` schools."""
    from keycloak import KeycloakOpenID

    from kit.identity import admin_client, ensure_account
    from kit.settings import get_settings

    settings = get_settings()
    password = bench_password()
    admin = admin_client(settings)
    openid = KeycloakOpenID(
        server_url=settings.keycloak_url, realm_name=settings.keycloak_realm, client_id="safecampus-cli"
    )
    county = scale.county_id(1)
    wanted: list[tuple[str, str, uuid.UUID | None]] = [("bureau", f"{scale.county_code(1)}.bureau", None)]
    for n in range(1, schools + 1):
        code = scale.school_code(1, n)
        wanted += [(role, f"{code}.bench-{role}", scale.school_id(1, n)) for role in SCHOOL_ROLES]
    callers: dict[str, list[Caller]] = {}
    for role, username, school in wanted:
        attributes = {"county_id": str(county)} | ({"school_id": str(school)} if school else {})
        await ensure_account(
            admin,
            username=username,
            email=f"{username}@bench.example",
            full_name=username,
            roles=[role],
            attributes=attributes,
            password=password,
            temporary_password=False,
        )
        admin_user = await admin.a_get_user_id(username)
        await admin.a_set_user_password(admin_user, password, temporary=False)
        token = (await openid.a_token(username=username, password=password))["access_token"]
        callers.setdefault(role, []).append(Caller(role, username, county, school, token))
    return callers


def bench_password() -> str:
    """The bench accounts' password: dev only, kept in ``.data/bench/`` like ``make run``'s demo logins."""
    path = DATA / "accounts.json"
    if path.exists():
        return str(json.loads(path.read_text())["password"])
    DATA.mkdir(parents=True, exist_ok=True)
    password = "Bench-" + secrets.token_urlsafe(12)
    path.write_text(json.dumps({"password": password}))
    path.chmod(0o600)
    return password


# --- the phases -----------------------------------------------------------------------------------------
def requests_for(endpoint: Endpoint, callers: list[Caller], scale: Scale) -> list[Request]:
    port = PORTS[endpoint.service]
    out = []
    for caller in callers:
        path = endpoint.path
        if "{school_campaign}" in path and caller.school_id is not None:
            path = path.replace("{school_campaign}", str(stable_id(scale.campaign_id(1), caller.school_id)))
        headers = {"Authorization": f"Bearer {caller.token}"}
        if endpoint.content_type:
            headers["Content-Type"] = endpoint.content_type
        out.append(Request(endpoint.name, port, build(endpoint.method, port, path, headers, endpoint.body)))
    return out


def ceiling_requests(endpoint: Endpoint, kind: str, callers: list[Caller], scale: Scale) -> list[Request]:
    port = PORTS["ceiling"]
    out = []
    for caller in callers:
        query = f"county={caller.county_id}&campaign={scale.campaign_id(1)}"
        if caller.school_id is not None:
            query += f"&school={caller.school_id}"
        path = f"/{kind}/{endpoint.ceiling}?{query}"
        out.append(Request(f"{endpoint.name} [{kind}]", port, build("GET", port, path, {})))
    return out


async def check_endpoints(scale: Scale, callers: dict[str, list[Caller]]) -> None:
    for endpoint in endpoints(scale):
        for request in requests_for(endpoint, callers[endpoint.role], scale):
            status, body = await fetch_once(request)
            if status >= 400:
                raise RuntimeError(f"{endpoint.name} answered {status}: {body[:500]!r}")


@dataclass
class Measure:
    name: str
    rps: float
    p50: float
    p95: float
    p99: float
    errors: int
    requests: int
    queries: float | None = None
    queries_max: int | None = None
    error_sample: str = ""
    unauthorised: int = 0
    timeouts: int = 0

    @classmethod
    def of(cls, name: str, tally: Tally | None, seconds: float) -> Measure:
        tally = tally or Tally()
        n = len(tally.latencies)
        return cls(
            name,
            n / seconds,
            tally.percentile(50) * 1000,
            tally.percentile(95) * 1000,
            tally.percentile(99) * 1000,
            tally.errors,
            n,
            sum(tally.queries) / len(tally.queries) if tally.queries else None,
            max(tally.queries) if tally.queries else None,
            tally.error_sample,
            tally.statuses.get(401, 0),
            tally.timeouts,
        )


@dataclass
class Results:
    started: str
    machine: str
    server: str
    seconds: float
    concurrency: int
    alone: dict[str, Measure] = field(default_factory=dict)
    ceilings: dict[str, dict[str, Measure]] = field(default_factory=dict)
    constant: Measure | None = None
    mix: dict[str, Measure] = field(default_factory=dict)
    memory_mb: dict[str, float] = field(default_factory=dict)
    idp_paused: bool = False
    generate_seconds: float | None = None
    data_counts: dict[str, int] = field(default_factory=dict)


async def measure(requests: list[Request], name: str, seconds: float, concurrency: int) -> Measure:
    tallies = await run_load(requests, seconds=seconds, concurrency=concurrency)
    merged = Tally()
    for tally in tallies.values():
        merged.latencies += tally.latencies
        merged.errors += tally.errors
        merged.timeouts += tally.timeouts
        merged.statuses[401] = merged.statuses.get(401, 0) + tally.statuses.get(401, 0)
        merged.queries += tally.queries
        merged.error_sample = merged.error_sample or tally.error_sample
    return Measure.of(name, merged, seconds)


async def run_phases(scale: Scale, callers: dict[str, list[Caller]], results: Results, console: Any) -> None:
    seconds, concurrency = results.seconds, results.concurrency
    chosen = endpoints(scale)
    results.constant = await measure(
        [Request("constant", PORTS["ceiling"], build("GET", PORTS["ceiling"], "/constant", {}))],
        "constant",
        seconds,
        concurrency,
    )
    console.print(f"  constant: {results.constant.rps:,.0f} req/s")
    for endpoint in chosen:
        who = callers[endpoint.role]
        results.alone[endpoint.name] = await measure(
            requests_for(endpoint, who, scale), endpoint.name, seconds, concurrency
        )
        line = f"  {endpoint.name}: {results.alone[endpoint.name].rps:,.0f} req/s"
        if endpoint.ceiling:
            results.ceilings[endpoint.name] = {}
            for kind in ("raw", "ctx", "rls"):
                got = await measure(ceiling_requests(endpoint, kind, who, scale), kind, seconds, concurrency)
                results.ceilings[endpoint.name][kind] = got
                line += f", {kind} {got.rps:,.0f}"
        console.print(line)
    mixed: list[Request] = []
    weights: list[float] = []
    for endpoint in chosen:
        batch = requests_for(endpoint, callers[endpoint.role], scale)
        mixed += batch
        weights += [endpoint.weight / len(batch)] * len(batch)
    mix_seconds = seconds * 3
    tallies = await run_load(mixed, seconds=mix_seconds, concurrency=concurrency, weights=weights)
    results.mix = {e.name: Measure.of(e.name, tallies.get(e.name), mix_seconds) for e in chosen}
    console.print(f"  mix: {sum(m.rps for m in results.mix.values()):,.0f} req/s in all")


# --- report ---------------------------------------------------------------------------------------------
def _ms(value: float) -> str:
    return "–" if value != value else f"{value:,.1f}"  # NaN: nothing measured


def targets(results: Results, scale: Scale) -> list[tuple[str, bool, str]]:
    """``(target, held, measured)`` for every target of issue 10 this run can judge."""
    out: list[tuple[str, bool, str]] = []
    by_name = {e.name: e for e in endpoints(scale)}
    for name, ceilings in results.ceilings.items():
        alone, raw, ctx, rls = results.alone[name], ceilings["raw"], ceilings["ctx"], ceilings["rls"]
        # A failed request is a fast one: a ratio with errors on either side proves nothing.
        clean = not (alone.errors or raw.errors or ctx.errors or rls.errors)
        note = "" if clean else " (errors: not valid)"
        ratio = alone.rps / raw.rps if raw.rps else 0.0
        out.append((f"{name}: ≥ 50 % of bare asyncpg", clean and ratio >= 0.5, f"{ratio:.0%}{note}"))
        cost = 1 - rls.rps / raw.rps if raw.rps else 1.0
        policy = 1 - rls.rps / ctx.rps if ctx.rps else 1.0
        out.append(
            (
                f"{name}: RLS costs ≤ 10 %",
                clean and cost <= 0.10,
                f"{cost:.0%} (policy alone {policy:.0%}){note}",
            )
        )
    for name, measured in results.alone.items():
        endpoint = by_name[name]
        if endpoint.list_page and measured.queries_max is not None:
            out.append((f"{name}: ≤ 3 queries", measured.queries_max <= 3, f"{measured.queries_max}"))
    for name, measured in results.mix.items():
        target = by_name[name].p95_target_ms
        if target is not None:
            note = f" ({measured.errors} errors: not valid)" if measured.errors else ""
            out.append(
                (
                    f"{name}: p95 < {target:.0f} ms",
                    not measured.errors and measured.p95 < target,
                    f"{_ms(measured.p95)} ms{note}",
                )
            )
    measured = (*results.alone.values(), *results.mix.values())
    refused = sum(m.unauthorised + m.timeouts for m in measured)
    out.append(
        (
            "tokens validated with no network call (identity server paused: no 401, no timeout)",
            results.idp_paused and refused == 0,
            f"{refused} of {sum(m.requests for m in measured):,} requests",
        )
    )
    if results.generate_seconds is not None:
        out.append(
            (
                "bench/generate defaults < 10 min",
                results.generate_seconds < 600,
                f"{results.generate_seconds:.0f} s",
            )
        )
    return out


def table(results: Results, scale: Scale) -> str:
    """The results as Markdown (what goes into bench/README.md)."""
    lines = [
        f"Run of {results.started} on {results.machine}; server: {results.server}; data: "
        + ", ".join(f"{k} {v:,}" for k, v in results.data_counts.items())
        + f"; {results.concurrency} connections, each endpoint alone for {results.seconds:g} s, "
        f"then the mix for {results.seconds * 3:g} s. Latencies in ms.",
        "",
        "| endpoint (alone) | req/s | p50 | p95 | p99 | queries/req | bare asyncpg req/s | ratio to bare"
        " | + tenant context req/s | + RLS req/s | RLS cost (all) | policy alone | errors |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for name, m in results.alone.items():
        c = results.ceilings.get(name)
        raw = f"{c['raw'].rps:,.0f} | {m.rps / c['raw'].rps:.0%}" if c and c["raw"].rps else "– | –"
        rls = (
            f"{c['ctx'].rps:,.0f} | {c['rls'].rps:,.0f} | {1 - c['rls'].rps / c['raw'].rps:.0%}"
            f" | {1 - c['rls'].rps / c['ctx'].rps:.0%}"
            if c and c["raw"].rps and c["ctx"].rps
            else "– | – | – | –"
        )
        queries = f"{m.queries:.1f}" if m.queries is not None else "–"
        lines.append(
            f"| {name} | {m.rps:,.0f} | {_ms(m.p50)} | {_ms(m.p95)} | {_ms(m.p99)} | {queries} | {raw} | {rls} | {m.errors} |"
        )
    if results.constant:
        lines.append(
            f"| constant (bare Litestar) | {results.constant.rps:,.0f} | {_ms(results.constant.p50)} | "
            f"{_ms(results.constant.p95)} | {_ms(results.constant.p99)} | – | – | – | – | – | – | – | {results.constant.errors} |"
        )
    lines += [
        "",
        "| endpoint (mixed load) | req/s | p50 | p95 | p99 | errors |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for name, m in results.mix.items():
        lines.append(f"| {name} | {m.rps:,.1f} | {_ms(m.p50)} | {_ms(m.p95)} | {_ms(m.p99)} | {m.errors} |")
    lines += ["", "| target | result | measured |", "|---|---|---|"]
    for target, held, measured in targets(results, scale):
        lines.append(f"| {target} | {'pass' if held else '**miss**'} | {measured} |")
    lines += ["", "| process | peak RSS (MiB) |", "|---|---:|"]
    lines += [f"| {name} | {mb:,.0f} |" for name, mb in results.memory_mb.items()]
    return "\n".join(lines)


def write_readme(section: str, markdown: str) -> None:
    begin, end = f"<!-- bench:{section}:start -->", f"<!-- bench:{section}:end -->"
    text = README.read_text(encoding="utf-8")
    head, found, rest = text.partition(begin)
    if not found:
        raise RuntimeError(f"{README} has no {begin} marker")
    _, _, tail = rest.partition(end)
    README.write_text(f"{head}{begin}\n{markdown}\n{end}{tail}", encoding="utf-8")


def machine() -> str:
    cpu = "?"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"{os.cpu_count()} cores ({cpu}), Linux {platform.release()}, Python {platform.python_version()}"


async def data_counts(dbname: str) -> dict[str, int]:
    import asyncpg

    conn = await asyncpg.connect(with_database(admin_url(), dbname))
    try:
        return {
            "schools": await conn.fetchval("SELECT count(*) FROM schools.schools"),
            "staff": await conn.fetchval("SELECT count(*) FROM personnel.staff"),
            "hazards": await conn.fetchval("SELECT count(*) FROM hazards.hazards"),
            "visits": await conn.fetchval("SELECT count(*) FROM personnel.visits"),
            "results": await conn.fetchval("SELECT count(*) FROM evaluation.school_results"),
        }
    finally:
        await conn.close()


def _terminate(signum: int, _: Any) -> None:
    raise SystemExit(128 + signum)


GROWTH_DB = "safecampus_bench_growth"
GROWTH_SIZES = (30, 300, 3_000)


def growth_scales(quick: bool) -> list[Scale]:
    """One county per size in one database, so that every county shares the same (big) tables: a school's
    page must not slow down because the county, or the deployment, grew. Per school: 100 staff, and
    hazards and visits as in the default data set (--quick: 100 hazards and 200 visits per school)."""
    hazards, visits = (100, 200) if quick else (1_000, 2_000)
    return [
        Scale(schools=n, staff=n * 100, hazards=n * hazards, visits=n * visits, label=f"g{n}")
        for n in GROWTH_SIZES
    ]


def growth_table(growth: dict[str, dict[int, Measure]], quick: bool, scales: list[Scale]) -> str:
    sizes = [s.schools for s in scales]
    per = scales[0].per_school(scales[0].hazards), scales[0].per_school(scales[0].visits)
    started = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    lines = [
        f"Growth run of {started} on {machine()}: one county each of {', '.join(f'{n:,}' for n in sizes)}"
        " schools in one database"
        f" ({per[0]:,} hazards and {per[1]:,} visits per school{'; --quick' if quick else ''}), each endpoint"
        " alone; p50 / p95 in ms.",
        "",
        "| endpoint | " + " | ".join(f"{n:,} schools" for n in sizes) + " |",
        "|---|" + "---:|" * len(sizes),
    ]
    for name, by_size in growth.items():
        cells = [f"{_ms(by_size[n].p50)} / {_ms(by_size[n].p95)}" if n in by_size else "–" for n in sizes]
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def run_growth(args: argparse.Namespace, console: Any) -> str:
    """Generate the growth counties (idempotent), bench each endpoint alone per county, drop the database
    unless --keep."""
    from bench.generation import generate
    from tenants.bootstrap import drop_database

    scales = growth_scales(args.quick)
    for scale in scales:
        console.print(f"generating {scale.label}: {scale.schools:,} schools …")
        asyncio.run(generate(scale, GROWTH_DB))
    point_settings_at(GROWTH_DB)
    processes = start_stack(GROWTH_DB, args.server)
    growth: dict[str, dict[int, Measure]] = {}
    try:
        callers = {s.label: asyncio.run(make_callers(s, 2)) for s in scales}
        for scale in scales:
            asyncio.run(check_endpoints(scale, callers[scale.label]))
        os.killpg(processes["idp"].popen.pid, signal.SIGSTOP)
        for scale in scales:
            for endpoint in endpoints(scale):
                requests = requests_for(endpoint, callers[scale.label][endpoint.role], scale)
                measured = asyncio.run(measure(requests, endpoint.name, args.seconds, args.concurrency))
                growth.setdefault(endpoint.name, {})[scale.schools] = measured
            console.print(f"  {scale.schools:,} schools measured")
        os.killpg(processes["idp"].popen.pid, signal.SIGCONT)
    finally:
        for process in processes.values():
            process.stop()
        if not args.keep:
            asyncio.run(drop_database(admin_url(), GROWTH_DB))
    return growth_table(growth, args.quick, scales)


def main(argv: list[str] | None = None) -> int:
    from rich.console import Console

    parser = argparse.ArgumentParser(prog="bench/run", description=__doc__.splitlines()[0])
    parser.add_argument("--db", default=DEFAULT_DB)
    parser.add_argument("--seconds", type=float, default=5.0, help="per endpoint alone (the mix runs 3×)")
    parser.add_argument("--concurrency", type=int, default=CONCURRENCY)
    parser.add_argument("--schools-with-users", type=int, default=4)
    parser.add_argument("--server", choices=["uvicorn", "granian"], default="uvicorn")
    parser.add_argument("--readme", action="store_true", help="write the tables into bench/README.md")
    parser.add_argument("--label", default=Scale().label)
    parser.add_argument("--growth", action="store_true", help="also the growth run (30/300/3,000 schools)")
    parser.add_argument("--quick", action="store_true", help="growth with 100 hazards per school, not 1,000")
    parser.add_argument("--keep", action="store_true", help=f"keep the growth database ({GROWTH_DB})")
    parser.add_argument("--skip-main", action="store_true", help="only the growth run")
    args = parser.parse_args(argv)
    console = Console()
    os.environ.setdefault("BENCH_PROVISIONER_SECRET", secrets.token_urlsafe(24))
    os.environ["KEYCLOAK_URL"] = f"http://127.0.0.1:{PORTS['idp']}/"
    os.environ["KEYCLOAK_PROVISIONER_CLIENT_SECRET"] = os.environ["BENCH_PROVISIONER_SECRET"]
    signal.signal(signal.SIGTERM, _terminate)  # stop the children on SIGTERM too (the finally blocks)
    sections: dict[str, str] = {}
    if not args.skip_main:
        sections[MAIN] = run_main(args, console)
    if args.growth:
        sections[GROWTH] = run_growth(args, console)
        print(sections[GROWTH], flush=True)
    if args.readme:
        for marker, markdown in sections.items():
            write_readme(marker, markdown)
        console.print(f"tables written to {README.relative_to(REPO)}")
    return 0


def run_main(args: argparse.Namespace, console: Any) -> str:
    """The main run on the bench database: its table as Markdown (also kept as JSON in .data/bench/)."""
    scale = Scale(label=args.label)
    point_settings_at(args.db)
    results = Results(
        started=dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        machine=machine(),
        server=args.server,
        seconds=args.seconds,
        concurrency=args.concurrency,
    )
    results.data_counts = asyncio.run(data_counts(args.db))
    generated = DATA / f"generate-{args.db}.json"
    if generated.exists():
        record = json.loads(generated.read_text())
        results.generate_seconds = record["timings"]["total"] if record.get("defaults") else None
    console.print(f"starting the stack on {args.db} …")
    processes = start_stack(args.db, args.server)
    try:
        callers = asyncio.run(make_callers(scale, args.schools_with_users))
        # Every endpoint answers once for every caller (which also fills each service's key cache); then
        # the identity server is paused: from here, a token check that needed the network would fail.
        asyncio.run(check_endpoints(scale, callers))
        os.killpg(processes["idp"].popen.pid, signal.SIGSTOP)
        results.idp_paused = True
        asyncio.run(run_phases(scale, callers, results, console))
        os.killpg(processes["idp"].popen.pid, signal.SIGCONT)
        results.memory_mb = {name: p.peak_rss_mb() for name, p in processes.items()}
    finally:
        for process in processes.values():
            process.stop()
    markdown = table(results, scale)
    print(markdown, flush=True)
    DATA.mkdir(parents=True, exist_ok=True)
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%S")
    (DATA / f"results-{stamp}.json").write_text(
        json.dumps(results, default=lambda o: o.__dict__, ensure_ascii=False, indent=1), encoding="utf-8"
    )
    return markdown


if __name__ == "__main__":
    raise SystemExit(main())
