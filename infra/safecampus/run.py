"""``safecampus run``: the whole stack on one machine, for evaluation and development.

1. Postgres: ``DATABASE_URL`` when set, else the embedded cluster in ``.data/postgres``.
2. Dev-only secrets, generated once into ``.data/dev-secrets.env``.
3. ``safecampus db bootstrap`` and ``db migrate``.
4. The long-running processes of :data:`SERVICES` (dev identity server, APIs, worker), each in its own
   process group, logging to ``.data/logs/<name>.log``; the runner waits until each answers.
5. ``safecampus demo seed`` and a banner with the URLs and demo logins.

Ctrl-C (or SIGTERM) stops every process it started, and the embedded Postgres if it started it. A
process that dies on its own stops everything, with its last log lines on the console.
Every process is the current virtualenv's ``safecampus`` command, so there is nothing else to install.
"""

from __future__ import annotations

import collections
import json
import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from types import FrameType
from typing import Any, TextIO

import click

from safecampus import embedded_postgres

REPO_ROOT = Path(__file__).resolve().parents[2]
HOST = "127.0.0.1"


# --- what runs ------------------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class Step:
    """A one-shot ``safecampus`` command that must succeed before the next step."""

    name: str
    args: tuple[str, ...]
    #: Runs only with an administrator DSN (ADMIN_DATABASE_URL).
    needs_admin: bool = False
    timeout: float = 300.0


@dataclass(frozen=True, slots=True)
class Service:
    """A long-running ``safecampus`` process."""

    name: str
    args: tuple[str, ...]
    port: int | None = None
    #: ``GET http://127.0.0.1:<port><ready_path>`` answers 2xx once the process is ready.
    ready_path: str | None = None
    #: What the banner calls it.
    title: str = ""
    #: API documentation, shown in the banner.
    docs_path: str | None = None

    @property
    def url(self) -> str | None:
        return f"http://{HOST}:{self.port}/" if self.port else None


def api(name: str, port: int) -> Service:
    """One of the four APIs: ``safecampus serve <name> --port <port>``."""
    return Service(
        name,
        ("serve", name, "--port", str(port)),
        port=port,
        ready_path="/health/ready",
        title=f"{name} API",
        docs_path="/schema/swagger",
    )


IDP = Service(
    "idp",
    ("idp", "serve", "--port", "8180"),
    port=8180,
    ready_path="/realms/safecampus/.well-known/openid-configuration",
    title="identity server (dev)",
)

#: Started in this order; one line per process.
SERVICES: tuple[Service, ...] = (
    IDP,
    api("schools", 8101),
    api("hazards", 8102),
    api("personnel", 8103),
    api("evaluation", 8104),
    Service("portal", ("serve", "portal", "--port", "8100"), 8100, "/health/ready", "portal (web UI)"),
    # SMTP on 127.0.0.1:1025 (the children's SMTP_URL); the e-mails it caught on the page at :8025.
    Service(
        "mail", ("mail", "serve", "--smtp-port", "1025", "--port", "8025"), 8025, "/health", "mail sink (dev)"
    ),
    Service("worker", ("worker", "--processes", "1", "--threads", "4"), title="worker (background jobs)"),
    Service("scheduler", ("scheduler",), title="scheduler (periodic jobs)"),
)

SETUP_STEPS: tuple[Step, ...] = (
    Step("db-bootstrap", ("db", "bootstrap"), needs_admin=True),
    Step("db-migrate", ("db", "migrate")),
)

SECRET_NAMES = (
    "KEYCLOAK_PROVISIONER_CLIENT_SECRET",
    "SAFECAMPUS_PORTAL_CLIENT_SECRET",
    "SAFECAMPUS_SESSION_SECRET",
    "PERSONNEL_ID_KEY",
)
SECRETS_HEADER = "# dev-only, generated; never used in production\n"


# --- errors ---------------------------------------------------------------------------------------------
class RunnerError(RuntimeError):
    """The stack cannot be started as configured."""


class ChildFailed(RunnerError):
    """A child process exited when it should not have (or a step failed)."""

    def __init__(
        self, name: str, returncode: int | None, tail: Sequence[str], log: Path, why: str = ""
    ) -> None:
        self.name, self.returncode, self.tail, self.log = name, returncode, list(tail), log
        what = why or f"exited with code {returncode}"
        super().__init__(f"{name} {what} (log: {log})")


class Interrupted(BaseException):
    """SIGINT or SIGTERM arrived: stop everything."""

    def __init__(self, signum: int) -> None:
        self.signum = signum
        super().__init__(signal.Signals(signum).name)


# --- console --------------------------------------------------------------------------------------------
# Warnings and worse, in the formats the children write: structlog console (``[warning  ]``), stdlib and
# Dramatiq (``WARNING``/``[WARNING]``), JSON (``"level": "warning"``). Logger names such as
# ``uvicorn.error`` must not count.
_NOTEWORTHY = re.compile(
    r"\b(WARNING|ERROR|CRITICAL|FATAL)\b"
    r"|\[(warning|error|critical|exception)\s*\]"
    r"|\"level\":\s*\"(warning|error|critical|exception)\""
    r"|^Traceback \(most recent call last\)"
)


class Console:
    """The runner's own messages plus a summary of the children's logs (thread-safe)."""

    def __init__(self, out: TextIO, verbose: bool = False) -> None:
        self.out, self.verbose = out, verbose
        self._lock = threading.Lock()
        self._width = 10

    def say(self, message: str = "") -> None:
        with self._lock:
            print(message, file=self.out, flush=True)

    def child_line(self, name: str, line: str, *, force: bool = False) -> None:
        # Summary: warnings, errors and tracebacks; everything with --verbose (the log file has it all).
        if force or self.verbose or _NOTEWORTHY.search(line):
            with self._lock:
                print(f"{name:>{self._width}} | {line}", file=self.out, flush=True)


# --- child processes ------------------------------------------------------------------------------------
class Child:
    """One child process in its own process group, its output copied to a log file."""

    def __init__(
        self,
        name: str,
        argv: Sequence[str],
        *,
        env: Mapping[str, str],
        cwd: Path,
        log: Path,
        console: Console,
    ) -> None:
        self.name, self.argv, self.log = name, list(argv), log
        self.tail: collections.deque[str] = collections.deque(maxlen=40)
        self._console = console
        self._log_file = log.open("w", encoding="utf-8")
        self._log_file.write(f"# {time.strftime('%Y-%m-%d %H:%M:%S')} $ {' '.join(self.argv)}\n")
        self._log_file.flush()
        self.popen = subprocess.Popen(  # noqa: S603 - our own command line, no shell
            self.argv,
            cwd=cwd,
            env=dict(env),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            # Own process group (and session): Ctrl-C reaches only the runner, which then stops the
            # leader and, after it, whatever is left of its group (the worker forks).
            start_new_session=True,
        )
        self.pid = self.popen.pid
        self._pump = threading.Thread(target=self._copy_output, name=f"log-{name}", daemon=True)
        self._pump.start()

    def _copy_output(self) -> None:
        assert self.popen.stdout is not None
        in_traceback = False
        for raw in self.popen.stdout:
            line = raw.decode("utf-8", errors="replace").rstrip("\n")
            self._log_file.write(line + "\n")
            self._log_file.flush()
            self.tail.append(line)
            # A traceback is shown whole: its indented frames, up to the exception line.
            if line.startswith("Traceback (most recent call last)"):
                in_traceback = True
            elif in_traceback and line and not line[0].isspace():
                in_traceback = False
                self._console.child_line(self.name, line, force=True)
                continue
            self._console.child_line(self.name, line, force=in_traceback)
        self._log_file.close()

    def poll(self) -> int | None:
        return self.popen.poll()

    def drain(self, timeout: float = 2.0) -> None:
        """Wait for the last output of an exited child to reach the log."""
        self._pump.join(timeout)

    def failure(self, why: str = "") -> ChildFailed:
        if self.poll() is not None:
            self.drain()
        return ChildFailed(self.name, self.popen.returncode, list(self.tail), self.log, why)

    def signal_group(self, signum: int) -> bool:
        """Send ``signum`` to the child's process group. False when the group is gone."""
        try:
            os.killpg(self.pid, signum)
        except ProcessLookupError:
            return False
        except PermissionError:  # only a zombie leader left on some systems
            return self.poll() is None
        return True

    def group_alive(self) -> bool:
        self.poll()  # reap the leader so that a zombie does not count as alive
        members = _group_members(self.pid)
        return bool(members) if members is not None else self.signal_group(0)


class Supervisor:
    """Starts children, waits for them, and stops them all (terminate, then kill after a timeout)."""

    def __init__(
        self,
        *,
        env: Mapping[str, str],
        cwd: Path,
        log_dir: Path,
        console: Console,
        stop_timeout: float = 10.0,
    ) -> None:
        self.env, self.cwd, self.log_dir, self.console = env, cwd, log_dir, console
        self.stop_timeout = stop_timeout
        self.children: list[Child] = []
        self.services: list[Child] = []
        log_dir.mkdir(parents=True, exist_ok=True)

    def spawn(self, name: str, argv: Sequence[str], *, service: bool = True) -> Child:
        child = Child(
            name, argv, env=self.env, cwd=self.cwd, log=self.log_dir / f"{name}.log", console=self.console
        )
        self.children.append(child)
        if service:
            self.services.append(child)
        return child

    def run_step(self, name: str, argv: Sequence[str], timeout: float = 300.0) -> Child:
        """Run a one-shot command to completion; raise :class:`ChildFailed` unless it exits 0."""
        child = self.spawn(name, argv, service=False)
        deadline = time.monotonic() + timeout
        while child.poll() is None:
            self.check()
            if time.monotonic() > deadline:
                raise child.failure(f"did not finish within {timeout:.0f} s")
            time.sleep(0.1)
        child.drain()
        if child.popen.returncode != 0:
            raise child.failure()
        return child

    def check(self) -> None:
        """Raise :class:`ChildFailed` for the first long-running child that has exited."""
        for child in self.services:
            if child.poll() is not None:
                raise child.failure()

    def wait_ready(self, waits: Mapping[str, str], timeout: float) -> None:
        """Poll each ``name -> url`` until it answers 2xx, failing fast if any child dies."""
        pending = dict(waits)
        started = time.monotonic()
        while pending:
            self.check()
            for name, url in list(pending.items()):
                if http_ok(url):
                    del pending[name]
                    self.console.say(f"  ready: {name} ({time.monotonic() - started:.1f} s)")
            if not pending:
                return
            if time.monotonic() - started > timeout:
                child = next(c for c in self.services if c.name in pending)
                raise child.failure(f"did not answer {pending[child.name]} within {timeout:.0f} s")
            time.sleep(0.25)

    def stop_all(self) -> None:
        """Stop every child: SIGTERM to each leader, then to what its group leaves behind, SIGKILL at the end.

        The leader is signalled alone first, like systemd's ``KillMode=mixed``: Dramatiq's main process
        forwards SIGTERM to its worker processes itself, and a worker process that gets it twice skips
        its graceful shutdown and hangs.
        """
        alive = [child for child in reversed(self.children) if child.group_alive()]
        if not alive:
            return
        self.console.say(f"stopping {', '.join(child.name for child in alive)} ...")
        orphans_signalled: set[int] = set()
        for child in alive:
            if child.poll() is None:
                child.popen.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + self.stop_timeout
        while time.monotonic() < deadline:
            remaining = [child for child in alive if child.group_alive()]
            if not remaining:
                break
            for child in remaining:
                if child.poll() is not None and child.pid not in orphans_signalled:
                    orphans_signalled.add(child.pid)
                    child.signal_group(signal.SIGTERM)
            time.sleep(0.1)
        for child in alive:
            if child.group_alive():
                self.console.say(f"  {child.name} did not stop within {self.stop_timeout:.0f} s: killing it")
                child.signal_group(signal.SIGKILL)
        for child in alive:
            try:
                child.popen.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.console.say(f"  {child.name} (pid {child.pid}) is still there after SIGKILL")
            child.drain()


def _group_members(pgid: int) -> list[int] | None:
    """Live (non-zombie) processes of a process group, from /proc; None where there is no /proc.

    ``killpg(pgid, 0)`` also counts zombies, and orphaned grandchildren stay zombies until init reaps
    them, which some inits do only now and then.
    """
    proc = Path("/proc")
    if not (proc / "self" / "stat").exists():
        return None
    members = []
    for entry in proc.iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        # After the command: state, ppid, pgrp, ...
        if len(fields) > 2 and fields[2] == str(pgid) and fields[0] not in ("Z", "X"):
            members.append(int(entry.name))
    return members


def http_ok(url: str, timeout: float = 2.0) -> bool:
    """Whether ``GET url`` answers 2xx (proxies ignored: everything is on loopback)."""
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    try:
        with opener.open(url, timeout=timeout) as response:
            return 200 <= int(response.status) < 300
    except (urllib.error.URLError, OSError, ValueError):
        return False


def port_in_use(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.settimeout(0.5)
        return sock.connect_ex((HOST, port)) == 0


# --- environment ----------------------------------------------------------------------------------------
def load_dev_secrets(path: Path, names: Sequence[str] = SECRET_NAMES) -> dict[str, str]:
    """Read ``path`` (``NAME=value`` lines), generating and saving any of ``names`` that is missing."""
    values: dict[str, str] = {}
    if path.exists():
        for line in path.read_text().splitlines():
            line = line.strip()
            if line and not line.startswith("#") and "=" in line:
                key, _, value = line.partition("=")
                values[key.strip()] = value.strip()
    missing = [name for name in names if not values.get(name)]
    if missing or not path.exists():
        for name in missing:
            values[name] = secrets.token_urlsafe(32)
        path.parent.mkdir(parents=True, exist_ok=True)
        body = SECRETS_HEADER + "".join(f"{key}={value}\n" for key, value in values.items())
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(descriptor, "w") as handle:
            handle.write(body)
    return values


def safecampus_command() -> list[str]:
    """This virtualenv's ``safecampus`` executable (or the module, when the script is missing)."""
    script = Path(sys.executable).with_name("safecampus")
    if script.is_file() and os.access(script, os.X_OK):
        return [str(script)]
    return [sys.executable, "-m", "safecampus.cli"]


def _no_proxy(env: Mapping[str, str]) -> str:
    current = env.get("NO_PROXY") or env.get("no_proxy") or ""
    extra = [host for host in ("127.0.0.1", "localhost") if host not in current.split(",")]
    return ",".join(part for part in [current, *extra] if part)


# --- banner ---------------------------------------------------------------------------------------------
def banner(
    services: Sequence[Service], *, database: str, data_dir: Path, demo: Path | None, keycloak_url: str
) -> str:
    """The text printed once everything is up."""
    rule = "=" * 78
    lines = [rule, " SafeCampus is running (development mode). Ctrl-C stops everything.", ""]
    rows: list[tuple[str, str]] = []
    # The portal is what a person opens first: its URL leads the list.
    for service in sorted(services, key=lambda service: service.name != "portal"):
        if service.url:
            rows.append((service.title or service.name, service.url))
            if service.docs_path:
                rows.append(("  docs", f"{service.url.rstrip('/')}{service.docs_path}"))
        else:
            rows.append((service.title or service.name, "(no HTTP port)"))
    if not any(service.name == IDP.name for service in services):
        rows.append(("identity server", keycloak_url))
    rows += [("database", database), ("logs", f"{data_dir / 'logs'}/<name>.log")]
    width = max(len(label) for label, _ in rows)
    lines += [f"   {label:<{width}}  {value}" for label, value in rows]
    if demo is not None:
        lines += ["", *demo_logins(demo)]
    lines.append(rule)
    return "\n".join(lines)


def demo_logins(path: Path) -> list[str]:
    """The bureau's and one school's demo logins from the ``demo seed`` output file."""
    try:
        data: dict[str, Any] = json.loads(path.read_text())
        users = [user for user in data.get("users", []) if isinstance(user, dict) and user.get("username")]
    except (OSError, ValueError, AttributeError) as error:
        return [f" Demo logins: see {path} (could not read it: {error})"]
    county = data.get("county") or {}
    county_name = _label(county) if county else None
    lines = [f" Demo logins{f' - {county_name}' if county_name else ''}:"]

    def row(user: dict[str, Any]) -> str:
        return f"   {user.get('role', '?'):<10} {user['username']:<28} password: {user.get('password', '?')}"

    bureau = [user for user in users if user.get("role") == "bureau"]
    lines += [row(user) for user in bureau]
    school = next((user.get("school") for user in users if user.get("school")), None)
    of_school = [user for user in users if school is not None and user.get("school") == school]
    if school is not None:
        lines.append(f"   school {_label(school)}:")
        lines += [row(user) for user in of_school]
    lines.append(
        f" All {len(users)} demo logins are in {path} ({len(users) - len(bureau) - len(of_school)} more)."
    )
    urls = data.get("urls")
    if isinstance(urls, dict) and urls:
        lines.append(" Links:")
        lines += [f"   {name}: {url}" for name, url in urls.items()]
    return lines


def _label(thing: object) -> str:
    """``name (code)`` for a county or school object of the demo file; the value itself otherwise."""
    if isinstance(thing, dict):
        name, code = thing.get("name"), thing.get("code")
        if name and code:
            return f"{name} ({code})"
        return str(name or code or thing.get("id") or "?")
    return str(thing)


# --- the run --------------------------------------------------------------------------------------------
@contextmanager
def _signals_raise() -> Iterator[None]:
    """SIGINT/SIGTERM raise :class:`Interrupted` in the main thread (restored afterwards)."""

    def handler(signum: int, frame: FrameType | None) -> None:
        # A second signal while shutting down is ignored: the shutdown already escalates to SIGKILL.
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        raise Interrupted(signum)

    previous = {signum: signal.signal(signum, handler) for signum in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield
    finally:
        for signum, old in previous.items():
            signal.signal(signum, old)


def run(
    *,
    root: Path = REPO_ROOT,
    services: Sequence[Service] = SERVICES,
    setup: Sequence[Step] = SETUP_STEPS,
    seed: bool = True,
    command: Sequence[str] | None = None,
    verbose: bool = False,
    exit_when_ready: bool = False,
    ready_timeout: float = 120.0,
    stop_timeout: float = 10.0,
    out: TextIO | None = None,
) -> int:
    """Run the stack until Ctrl-C; returns the exit status (0: stopped on request)."""
    console = Console(out or sys.stdout, verbose=verbose)
    data_dir = root / ".data"
    data_dir.mkdir(parents=True, exist_ok=True)
    base = list(command) if command is not None else safecampus_command()
    env = dict(os.environ)
    pg_dir = data_dir / "postgres"
    started_pg = False
    supervisor: Supervisor | None = None
    status = 0
    with _signals_raise():
        try:
            database = _database(env, pg_dir, console)
            started_pg = env.pop("_SAFECAMPUS_STARTED_PG", "") == "1"
            services = _identity(env, services, console)
            for name, value in load_dev_secrets(data_dir / "dev-secrets.env").items():
                env.setdefault(name, value)  # values from the environment win
            env["SAFECAMPUS_ENV"] = "development"
            env.setdefault("SMTP_URL", "smtp://127.0.0.1:1025")  # the mail sink, unless a real server is set
            env.setdefault("LOG_FORMAT", "console")
            env["PYTHONUNBUFFERED"] = "1"
            env["NO_PROXY"] = env["no_proxy"] = _no_proxy(env)

            busy = [service for service in services if service.port and port_in_use(service.port)]
            if busy:
                raise RunnerError(
                    "port(s) already in use: "
                    + ", ".join(f"{service.port} ({service.name})" for service in busy)
                    + " - is another `safecampus run` still running?"
                )
            supervisor = Supervisor(
                env=env, cwd=root, log_dir=data_dir / "logs", console=console, stop_timeout=stop_timeout
            )
            for step in setup:
                if step.needs_admin and not env.get("ADMIN_DATABASE_URL"):
                    console.say(f"skipping {step.name}: ADMIN_DATABASE_URL is not set")
                    continue
                console.say(f"running {step.name} ...")
                supervisor.run_step(step.name, [*base, *step.args], step.timeout)
            for service in services:
                child = supervisor.spawn(service.name, [*base, *service.args])
                console.say(f"started {service.name} (pid {child.pid}, log {child.log})")
            supervisor.wait_ready(
                {s.name: f"{s.url.rstrip('/')}{s.ready_path}" for s in services if s.url and s.ready_path},
                ready_timeout,
            )
            demo: Path | None = None
            if seed:
                demo = data_dir / "demo.json"
                console.say("running demo-seed ...")
                supervisor.run_step("demo-seed", [*base, "demo", "seed", "--out", str(demo)])
            console.say(
                banner(
                    services,
                    database=_redact(database),
                    data_dir=data_dir,
                    demo=demo,
                    keycloak_url=env["KEYCLOAK_URL"],
                )
            )
            while not exit_when_ready:
                supervisor.check()
                time.sleep(0.5)
        except Interrupted as interrupt:
            console.say(f"\n{interrupt} received")
        except ChildFailed as failure:
            status = 1
            console.say(f"\nERROR: {failure}; stopping everything. Its last log lines:")
            for line in failure.tail[-25:]:
                console.say(f"  {failure.name} | {line}")
        except (RunnerError, embedded_postgres.EmbeddedPostgresError) as error:
            status = 1
            console.say(f"ERROR: {error}")
        finally:
            if supervisor is not None:
                supervisor.stop_all()
            if started_pg:
                console.say("stopping embedded Postgres ...")
                embedded_postgres.stop(pg_dir)
    console.say("stopped." if status == 0 else "stopped (failed).")
    return status


def _database(env: dict[str, str], pg_dir: Path, console: Console) -> str:
    """``DATABASE_URL`` if set, else start (or reuse) the embedded cluster and point the children at it."""
    if env.get("DATABASE_URL"):
        console.say(f"database: DATABASE_URL ({_redact(env['DATABASE_URL'])})")
        return env["DATABASE_URL"]
    started = not embedded_postgres.is_running(pg_dir)
    if not started:
        what = "reusing the running"
    elif (pg_dir / "PG_VERSION").exists():
        what = "starting the existing"
    else:
        what = "creating an"
    console.say(f"database: {what} embedded Postgres in {pg_dir}")
    admin = embedded_postgres.start(pg_dir, embedded_postgres.default_port())
    if started:
        env["_SAFECAMPUS_STARTED_PG"] = "1"
    port = urllib.parse.urlsplit(admin).port
    dbname = env.get("SAFECAMPUS_DB_NAME") or "safecampus"
    env["DATABASE_URL"] = f"postgresql://{HOST}:{port}/{dbname}"
    env["ADMIN_DATABASE_URL"] = admin
    return env["DATABASE_URL"]


def _identity(env: dict[str, str], services: Sequence[Service], console: Console) -> Sequence[Service]:
    """The dev identity server, unless ``KEYCLOAK_URL`` already points at a Keycloak."""
    if env.get("KEYCLOAK_URL"):
        console.say(f"identity: KEYCLOAK_URL ({env['KEYCLOAK_URL']}); the dev identity server is not started")
        return [service for service in services if service.name != IDP.name]
    idp = next((service for service in services if service.name == IDP.name), IDP)
    env["KEYCLOAK_URL"] = idp.url or ""
    return services


def _redact(dsn: str) -> str:
    return re.sub(r"(://[^:/@]+:)[^@]+@", r"\1***@", dsn)


@click.command("run")
@click.option(
    "-v", "--verbose", is_flag=True, help="Echo every log line (default: warnings and errors only)."
)
@click.option("--no-seed", is_flag=True, help="Do not run `safecampus demo seed`.")
@click.option(
    "--exit-when-ready", is_flag=True, help="Start and seed everything, print the banner, then stop."
)
def run_command(verbose: bool, no_seed: bool, exit_when_ready: bool) -> None:
    """Run everything on this machine (embedded Postgres unless DATABASE_URL is set), seeded with demo data."""
    raise SystemExit(run(verbose=verbose, seed=not no_seed, exit_when_ready=exit_when_ready))


if __name__ == "__main__":
    run_command(prog_name="safecampus run")
