"""``make soak``: a bounded, steady load against the one-machine stack, with the figures that show it holds.

It starts the stack exactly as ``make run`` does (``safecampus run``: embedded Postgres, the Postgres-backed
broker, the dev identity server, the four APIs, the portal, the worker and the scheduler, seeded with the
demo county), but in a throwaway directory and on ports of its own, so it never meets a ``make run`` that is
already up. Then, for ``SOAK_SECONDS``, it sends ``SOAK_RATE`` requests a second (open loop: the rate does
not drop when the stack slows down) as the demo county's bureau, principals, teachers and guards with real
tokens from the identity server: reads on every API, and hazard reports (writes whose events the worker
consumes). Every ``SOAK_SAMPLE`` seconds it samples the resident memory of each process (the process group:
the worker's forks count) and the open connections in ``pg_stat_activity``.

Passes when there were no errors (every answer 2xx, no timeouts), memory stayed flat (the last fifth of the
run against the first fifth after the warm-up: at most ``SOAK_RSS_GROWTH_MIB`` MiB or 10 % more, whichever is
larger) and the open connections did not grow (their peak in the second half is not above the first half's).
The figures go to the console and into ``docs/reliability.md`` between its ``soak-results`` markers
(``SOAK_REPORT=`` empty: console only).

Settings (environment): SOAK_SECONDS (600), SOAK_RATE (10 requests/s), SOAK_WARMUP (60 s, capped at a
fifth of the run), SOAK_SAMPLE (5 s), SOAK_CONCURRENCY (32 requests in flight at most), SOAK_PORT_BASE
(the first of 28100, 29100, ... whose ports are all free: portal; +1..+4 the APIs; +80 identity;
+25/+26 mail; +332 Postgres), SOAK_ROOT (a new temporary
directory), SOAK_REPORT (docs/reliability.md), SOAK_RSS_GROWTH_MIB (16).
"""

from __future__ import annotations

import asyncio
import dataclasses
import datetime as dt
import itertools
import json
import os
import re
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
REPORT_START = "<!-- soak-results:start -->"
REPORT_END = "<!-- soak-results:end -->"
#: The demo county's logins the load uses (``safecampus demo seed`` creates them).
SCHOOLS = ("cl01", "cl02", "cl03", "cl04")


def _env_number(name: str, default: float) -> float:
    value = os.environ.get(name, "").strip()
    return float(value) if value else default


@dataclasses.dataclass(frozen=True)
class Config:
    seconds: float
    rate: float
    warmup: float
    sample: float
    concurrency: int
    port_base: int
    root: Path
    #: The root is a temporary directory of this run (deleted at the end), not SOAK_ROOT.
    temporary_root: bool
    report: Path | None
    rss_growth_mib: float

    @classmethod
    def from_env(cls) -> Config:
        seconds = _env_number("SOAK_SECONDS", 600)
        report = os.environ.get("SOAK_REPORT", str(REPO / "docs" / "reliability.md")).strip()
        root = os.environ.get("SOAK_ROOT", "").strip()
        return cls(
            seconds=seconds,
            rate=_env_number("SOAK_RATE", 10),
            warmup=min(_env_number("SOAK_WARMUP", 60), seconds / 5),
            sample=_env_number("SOAK_SAMPLE", 5),
            concurrency=int(_env_number("SOAK_CONCURRENCY", 32)),
            port_base=int(_env_number("SOAK_PORT_BASE", 0)) or free_port_base(),
            root=Path(root) if root else Path(tempfile.mkdtemp(prefix="safecampus-soak-")),
            temporary_root=not root,
            report=Path(report) if report else None,
            rss_growth_mib=_env_number("SOAK_RSS_GROWTH_MIB", 16),
        )


@dataclasses.dataclass(frozen=True)
class Ports:
    base: int

    @property
    def portal(self) -> int:
        return self.base

    def api(self, name: str) -> int:
        return self.base + {"schools": 1, "hazards": 2, "personnel": 3, "evaluation": 4}[name]

    @property
    def idp(self) -> int:
        return self.base + 80

    @property
    def smtp(self) -> int:
        return self.base + 25

    @property
    def mail(self) -> int:
        return self.base + 26

    @property
    def postgres(self) -> int:
        return self.base + 332


def _port_free(port: int) -> bool:
    with socket.socket() as sock:
        sock.settimeout(0.5)
        return sock.connect_ex(("127.0.0.1", port)) != 0


def free_port_base() -> int:
    """The first of 28100, 29100, ... 39100 whose ports (see :class:`Ports`) are all free."""
    for base in range(28100, 40000, 1000):
        if all(_port_free(base + offset) for offset in (0, 1, 2, 3, 4, 25, 26, 80, 332)):
            return base
    raise SystemExit("soak: no free range of ports found (set SOAK_PORT_BASE)")


# --- the stack (run in a child process: ``soak.py stack ROOT PORT_BASE``) --------------------------------
def run_stack(root: Path, ports: Ports) -> int:
    """``safecampus run`` with every port moved to ``ports`` and its data under ``root``."""
    from safecampus import run as runner

    def moved(service: runner.Service) -> runner.Service:
        if service.name in ("schools", "hazards", "personnel", "evaluation"):
            return runner.api(service.name, ports.api(service.name))
        if service.name == "idp":
            args = ("idp", "serve", "--port", str(ports.idp))
            return dataclasses.replace(service, args=args, port=ports.idp)
        if service.name == "portal":
            args = ("serve", "portal", "--port", str(ports.portal))
            return dataclasses.replace(service, args=args, port=ports.portal)
        if service.name == "mail":
            args = ("mail", "serve", "--smtp-port", str(ports.smtp), "--port", str(ports.mail))
            return dataclasses.replace(service, args=args, port=ports.mail)
        return service

    return runner.run(root=root, services=[moved(service) for service in runner.SERVICES])


def stack_env(ports: Ports) -> dict[str, str]:
    """``make run``'s mode: no DATABASE_URL (the embedded cluster), no BROKER_URL (the Postgres broker), no
    KEYCLOAK_URL (the dev identity server); the portal pointed at the moved APIs."""
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in ("DATABASE_URL", "ADMIN_DATABASE_URL", "BROKER_URL", "KEYCLOAK_URL")
        and not key.endswith("_DATABASE_URL")
    }
    env.update(
        {
            "SAFECAMPUS_PG_PORT": str(ports.postgres),
            "SMTP_URL": f"smtp://127.0.0.1:{ports.smtp}",
            "SAFECAMPUS_PORTAL_URL": f"http://127.0.0.1:{ports.portal}",
            "LOG_FORMAT": "json",
            "LOG_LEVEL": "WARNING",
            **{f"{name.upper()}_API_URL": f"http://127.0.0.1:{ports.api(name)}" for name in SERVICE_NAMES},
        }
    )
    return env


SERVICE_NAMES = ("schools", "hazards", "personnel", "evaluation")


class Stack:
    """The stack in its own process (and process group); its children's pids from the runner's output."""

    def __init__(self, config: Config) -> None:
        self.config = config
        self.ports = Ports(config.port_base)
        self.pids: dict[str, int] = {}
        self.output: list[str] = []
        self.popen: subprocess.Popen[str] | None = None

    def start(self, timeout: float = 600.0) -> None:
        self.config.root.mkdir(parents=True, exist_ok=True)
        self.popen = subprocess.Popen(  # noqa: S603 - our own command line
            [sys.executable, __file__, "stack", str(self.config.root), str(self.ports.base)],
            cwd=REPO,
            env=stack_env(self.ports),
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            start_new_session=True,
        )
        assert self.popen.stdout is not None
        deadline = time.monotonic() + timeout
        for line in self.popen.stdout:
            self.output.append(line.rstrip("\n"))
            started = re.match(r"started (\S+) \(pid (\d+),", line)
            if started:
                self.pids[started.group(1)] = int(started.group(2))
            if "SafeCampus is running" in line:
                break
            if time.monotonic() > deadline:
                break
        if "SafeCampus is running" not in "\n".join(self.output):
            self.stop()
            raise SystemExit("the stack did not start:\n" + "\n".join(self.output[-40:]))
        # Keep reading the runner's console so that it never blocks on a full pipe.
        threading.Thread(target=self._pump, daemon=True).start()

    def _pump(self) -> None:
        assert self.popen is not None and self.popen.stdout is not None
        for line in self.popen.stdout:
            self.output.append(line.rstrip("\n"))

    def alive(self) -> bool:
        return self.popen is not None and self.popen.poll() is None

    def stop(self) -> None:
        if self.popen is None or self.popen.poll() is not None:
            return
        self.popen.send_signal(signal.SIGTERM)  # the runner stops its children and the embedded Postgres
        try:
            self.popen.wait(60)
        except subprocess.TimeoutExpired:
            os.killpg(self.popen.pid, signal.SIGKILL)
            self.popen.wait(10)

    def demo(self) -> dict[str, Any]:
        return dict(json.loads((self.config.root / ".data" / "demo.json").read_text(encoding="utf-8")))

    @property
    def admin_dsn(self) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.ports.postgres}/postgres"


# --- measuring ------------------------------------------------------------------------------------------
def group_rss_kib(pgid: int) -> int:
    """The resident memory of every live process in process group ``pgid`` (KiB), from /proc."""
    total = 0
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            if fields[2] != str(pgid) or fields[0] in ("Z", "X"):
                continue
            status = (entry / "status").read_text()
        except (OSError, IndexError):
            continue
        found = re.search(r"^VmRSS:\s+(\d+) kB", status, re.MULTILINE)
        total += int(found.group(1)) if found else 0
    return total


@dataclasses.dataclass
class Sample:
    at: float
    rss_kib: dict[str, int]
    connections: dict[str, int]


class Recorder:
    def __init__(self) -> None:
        self.statuses: Counter[str] = Counter()
        self.latencies: list[float] = []
        self.errors: list[str] = []
        self.samples: list[Sample] = []
        self.by_route: Counter[str] = Counter()
        #: When (seconds into the load) each failed request was sent.
        self.error_times: list[float] = []
        self.started = time.monotonic()

    def answer(self, route: str, status: int | None, seconds: float, detail: str = "") -> None:
        self.by_route[route] += 1
        if status is None or not 200 <= status < 300:
            self.error_times.append(time.monotonic() - seconds - self.started)
        self.latencies.append(seconds)
        key = str(status) if status is not None else "no answer"
        self.statuses[key] += 1
        if (status is None or not 200 <= status < 300) and len(self.errors) < 20:
            self.errors.append(f"{route}: {key} {detail[:200]}")

    @property
    def error_count(self) -> int:
        return sum(count for status, count in self.statuses.items() if not status.startswith("2"))


async def connections(conn: Any) -> dict[str, int]:
    rows = await conn.fetch(
        "SELECT coalesce(usename, '(none)') AS role, count(*) AS n FROM pg_stat_activity"
        " WHERE datname IS NOT NULL AND pid <> pg_backend_pid() GROUP BY 1"
    )
    return {row["role"]: int(row["n"]) for row in rows}


# --- the load -------------------------------------------------------------------------------------------
class Tokens:
    """Access tokens of the demo logins, renewed before they expire the way a client does: with the refresh
    token (the password grant only for the first one, or when the refresh token has run out). One renewal
    per login at a time: requests that need the token meanwhile wait for it."""

    def __init__(self, client: Any, idp_url: str, logins: dict[str, str], recorder: Recorder) -> None:
        self.client, self.logins, self.recorder = client, logins, recorder
        self.url = f"{idp_url}/realms/safecampus/protocol/openid-connect/token"
        self.cache: dict[str, tuple[str, float, str, float]] = {}
        self.locks: dict[str, asyncio.Lock] = {}

    async def header(self, username: str) -> dict[str, str]:
        async with self.locks.setdefault(username, asyncio.Lock()):
            token, renew_at, refresh, refresh_until = self.cache.get(username, ("", 0.0, "", 0.0))
            now = time.monotonic()
            if now >= renew_at:
                grant = (
                    {"grant_type": "refresh_token", "refresh_token": refresh}
                    if refresh and now < refresh_until
                    else {"grant_type": "password", "username": username, "password": self.logins[username]}
                )
                started = time.monotonic()
                try:
                    response = await self.client.post(self.url, data={"client_id": "safecampus-cli", **grant})
                except Exception as exc:
                    self.recorder.answer(
                        f"POST idp/token ({grant['grant_type']})", None, time.monotonic() - started, repr(exc)
                    )
                    raise
                self.recorder.answer(
                    f"POST idp/token ({grant['grant_type']})",
                    response.status_code,
                    time.monotonic() - started,
                    response.text,
                )
                response.raise_for_status()
                body = response.json()
                token = body["access_token"]
                renew_at = now + 0.6 * float(body.get("expires_in", 300))
                refresh = body.get("refresh_token", "")
                refresh_until = now + 0.9 * float(body.get("refresh_expires_in", 0) or 0)
                self.cache[username] = (token, renew_at, refresh, refresh_until)
        return {"Authorization": f"Bearer {token}"}


#: (weight, who, service, method, path). ``{n}`` is the school of the login (cl01..cl04).
MIX: tuple[tuple[int, str, str, str, str], ...] = (
    (3, "cl.bureau", "schools", "GET", "/schools?limit=20"),
    (1, "cl.bureau", "schools", "GET", "/county"),
    (2, "cl.bureau", "hazards", "GET", "/hazards?limit=20"),
    (1, "cl.bureau", "hazards", "GET", "/statistics"),
    (1, "cl.bureau", "personnel", "GET", "/bureau-users"),
    (1, "cl.bureau", "evaluation", "GET", "/rubrics"),
    (1, "cl.bureau", "evaluation", "GET", "/campaigns"),
    (2, "{n}.principal", "schools", "GET", "/school"),
    (1, "{n}.principal", "schools", "GET", "/notifications"),
    (2, "{n}.principal", "hazards", "GET", "/hazards?limit=20"),
    (2, "{n}.principal", "personnel", "GET", "/staff"),
    (1, "{n}.principal", "personnel", "GET", "/staffing"),
    (1, "{n}.principal", "evaluation", "GET", "/campaigns"),
    (2, "{n}.teacher1", "hazards", "POST", "/hazards"),
    (1, "{n}.teacher1", "hazards", "GET", "/patrols"),
    (1, "{n}.teacher1", "schools", "GET", "/management-documents"),
    (1, "{n}.guard", "personnel", "GET", "/visits"),
    (1, "{n}.guard", "personnel", "GET", "/gates"),
)


def plan() -> list[tuple[str, str, str, str]]:
    """The request mix as a repeating list, weights spread out, schools taken in turn."""
    rows = []
    for weight, who, service, method, path in MIX:
        rows += [(who, service, method, path)] * weight
    rng = secrets.SystemRandom()
    rng.shuffle(rows)
    return rows


def hazard_body() -> dict[str, str]:
    return {
        "title": f"压力测试：消防通道堆放杂物 {secrets.token_hex(3)}",
        "category": "fire",
        "area": "teaching_buildings",
        "location_text": "一号楼东侧",
    }


async def load(stack: Stack, config: Config, recorder: Recorder) -> None:
    import asyncpg
    import httpx

    demo = stack.demo()
    logins = {user["username"]: user["password"] for user in demo["users"]}
    ports = stack.ports
    limits = httpx.Limits(max_connections=config.concurrency, max_keepalive_connections=config.concurrency)
    async with httpx.AsyncClient(timeout=10.0, limits=limits, trust_env=False) as client:
        tokens = Tokens(client, f"http://127.0.0.1:{ports.idp}", logins, recorder)
        bases = {name: f"http://127.0.0.1:{ports.api(name)}" for name in SERVICE_NAMES}
        gate = asyncio.Semaphore(config.concurrency)
        schools = itertools.cycle(SCHOOLS)
        requests = itertools.cycle(plan())

        async def one(who: str, service: str, method: str, path: str) -> None:
            route = f"{method} {service}{path.split('?')[0]}"
            async with gate:
                try:
                    headers = await tokens.header(who)
                except Exception:  # counted by Tokens, under the token route
                    return
                started = time.monotonic()
                try:
                    body = hazard_body() if method == "POST" else None
                    response = await client.request(method, bases[service] + path, json=body, headers=headers)
                except (httpx.HTTPError, OSError) as exc:
                    recorder.answer(route, None, time.monotonic() - started, repr(exc))
                    return
                recorder.answer(route, response.status_code, time.monotonic() - started, response.text)

        admin = await asyncpg.connect(stack.admin_dsn)
        in_flight: set[asyncio.Task[None]] = set()
        try:
            start = time.monotonic()
            next_sample = start
            sent = 0
            while (now := time.monotonic()) - start < config.seconds:
                if not stack.alive():
                    raise SystemExit("the stack stopped during the soak:\n" + "\n".join(stack.output[-40:]))
                if now >= next_sample:
                    recorder.samples.append(
                        Sample(
                            now - start,
                            {name: group_rss_kib(pid) for name, pid in stack.pids.items()},
                            await connections(admin),
                        )
                    )
                    next_sample += config.sample
                due = int((now - start) * config.rate) + 1
                while sent < due:
                    who, service, method, path = next(requests)
                    who = who.replace("{n}", next(schools))
                    task = asyncio.create_task(one(who, service, method, path))
                    in_flight.add(task)
                    task.add_done_callback(in_flight.discard)
                    sent += 1
                await asyncio.sleep(min(1.0 / config.rate, 0.05))
            if in_flight:
                await asyncio.wait(in_flight, timeout=30)
            recorder.samples.append(
                Sample(
                    time.monotonic() - start,
                    {name: group_rss_kib(pid) for name, pid in stack.pids.items()},
                    await connections(admin),
                )
            )
        finally:
            await admin.close()


# --- verdict and report ---------------------------------------------------------------------------------
@dataclasses.dataclass
class Verdict:
    lines: list[str]
    table: list[str]
    ok: bool


def _mib(kib: float) -> float:
    return kib / 1024


def judge(config: Config, recorder: Recorder, elapsed: float) -> Verdict:
    measured = [s for s in recorder.samples if s.at >= config.warmup]
    fifth = max(1, len(measured) // 5)
    first, last = measured[:fifth], measured[-fifth:]
    lines, table, ok = [], [], True

    total = sum(recorder.statuses.values())
    errors = recorder.error_count
    ok &= errors == 0 and total > 0
    latencies = sorted(recorder.latencies)

    def pct(p: float) -> float:
        return latencies[min(len(latencies) - 1, int(p * len(latencies)))] * 1000 if latencies else 0.0

    statuses = ", ".join(f"{k}: {v}" for k, v in sorted(recorder.statuses.items()))
    table += [
        "| figure | value |",
        "|---|---|",
        f"| run | {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC, {elapsed:.0f} s of load "
        f"(SOAK_SECONDS={config.seconds:g}), warm-up {config.warmup:g} s, target {config.rate:g} requests/s |",
        f"| requests | {total} ({total / elapsed:.1f}/s achieved); {statuses} |",
        f"| errors (non-2xx or no answer) | **{errors}** |",
        f"| latency p50 / p95 / p99 / max | {pct(0.5):.0f} / {pct(0.95):.0f} / {pct(0.99):.0f} / "
        f"{(latencies[-1] * 1000 if latencies else 0):.0f} ms |",
    ]
    table += [
        "",
        "| process | RSS after warm-up (MiB) | RSS at the end (MiB) | growth (MiB) | flat |",
        "|---|---|---|---|---|",
    ]
    for name in sorted(measured[0].rss_kib) if measured else []:
        start = statistics.mean(s.rss_kib.get(name, 0) for s in first)
        end = statistics.mean(s.rss_kib.get(name, 0) for s in last)
        growth = _mib(end - start)
        flat = growth <= max(config.rss_growth_mib, 0.10 * _mib(start))
        ok &= flat
        table.append(
            f"| {name} | {_mib(start):.1f} | {_mib(end):.1f} | {growth:+.1f} | {'yes' if flat else 'NO'} |"
        )
    half = len(measured) // 2
    table += [
        "",
        "| database role | open connections, peak first half | peak second half | at the end |",
        "|---|---|---|---|",
    ]
    roles = sorted({role for s in measured for role in s.connections})
    for role in roles:
        early = max((s.connections.get(role, 0) for s in measured[:half]), default=0)
        late = max((s.connections.get(role, 0) for s in measured[half:]), default=0)
        end_count = measured[-1].connections.get(role, 0) if measured else 0
        table.append(f"| {role} | {early} | {late} | {end_count} |")
    early_total = max((sum(s.connections.values()) for s in measured[:half]), default=0)
    late_total = max((sum(s.connections.values()) for s in measured[half:]), default=0)
    ok &= late_total <= early_total
    table.append(
        f"| **all** | {early_total} | {late_total} | {sum(measured[-1].connections.values()) if measured else 0} |"
    )
    lines += table
    if recorder.errors:
        lines += ["", "first errors:", *recorder.errors]
        per_ten = Counter(int(at // 10) * 10 for at in recorder.error_times)
        lines += ["", "errors by when they were sent (seconds into the load: count):"]
        lines += [", ".join(f"{at}s: {n}" for at, n in sorted(per_ten.items()))]
    lines += ["", f"SOAK {'PASSED' if ok else 'FAILED'}"]
    return Verdict(lines, table, ok)


def write_report(path: Path, verdict: Verdict, command: str) -> None:
    block = "\n".join(
        [
            REPORT_START,
            f"Written by `soak/soak.py` ({command}); result: **{'passed' if verdict.ok else 'FAILED'}**.",
            "",
            *verdict.table,
            REPORT_END,
        ]
    )
    text = path.read_text(encoding="utf-8") if path.exists() else ""
    if REPORT_START in text and REPORT_END in text:
        head, _, rest = text.partition(REPORT_START)
        _, _, tail = rest.partition(REPORT_END)
        text = head + block + tail
    else:
        text = text + ("\n" if text and not text.endswith("\n") else "") + block + "\n"
    path.write_text(text, encoding="utf-8")


def main() -> int:
    config = Config.from_env()
    stack = Stack(config)
    print(f"soak: starting the stack in {config.root} (ports from {config.port_base}) ...", flush=True)
    # SIGTERM (a CI timeout, kill) unwinds like Ctrl-C, so that the stack is always stopped.
    signal.signal(
        signal.SIGTERM, lambda signum, frame: sys.exit(f"soak: {signal.Signals(signum).name} received")
    )
    recorder = Recorder()
    try:
        began = time.monotonic()
        stack.start()
        print(f"soak: stack ready in {time.monotonic() - began:.0f} s; pids {stack.pids}", flush=True)
        print(
            f"soak: {config.seconds:g} s at {config.rate:g} requests/s, sampling every {config.sample:g} s ...",
            flush=True,
        )
        recorder.started = started = time.monotonic()
        asyncio.run(load(stack, config, recorder))
        elapsed = time.monotonic() - started
    finally:
        stack.stop()
        logs = config.root / ".data" / "logs"
        if logs.is_dir():  # the processes' logs outlive the run, for a look at whatever went wrong
            kept = REPO / ".data" / "soak" / f"logs-{dt.datetime.now(dt.UTC):%Y%m%d-%H%M%S}"
            shutil.copytree(logs, kept)
            print(f"soak: the processes' logs are in {kept}", flush=True)
        if config.temporary_root:
            shutil.rmtree(config.root, ignore_errors=True)
    verdict = judge(config, recorder, elapsed)
    print("\n".join(verdict.lines), flush=True)
    if config.report is not None:
        command = f"SOAK_SECONDS={config.seconds:g} SOAK_RATE={config.rate:g} make soak"
        write_report(config.report, verdict, command)
        print(f"soak: figures written to {config.report}", flush=True)
    return 0 if verdict.ok else 1


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "stack":
        raise SystemExit(run_stack(Path(sys.argv[2]), Ports(int(sys.argv[3]))))
    raise SystemExit(main())
