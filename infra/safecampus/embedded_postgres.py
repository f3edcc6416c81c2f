"""The Postgres cluster that one-machine runs start for themselves when ``DATABASE_URL`` is not set.

It lives under ``.data/postgres`` (created on first use, reused afterwards), accepts connections on
127.0.0.1 only (trust auth: development and evaluation, never production) and keeps its Unix socket
inside the data directory, so it never collides with a machine-wide cluster.

``initdb`` and ``pg_ctl`` refuse to run as root: as root the cluster belongs to the ``postgres``
system user and every Postgres command runs through ``runuser``; as anyone else it belongs to the
current user. Standard library only, so ``make clean-data`` can stop it without a virtualenv::

    python3 infra/safecampus/embedded_postgres.py start|stop|status [DATA_DIR] [--port N]
"""

from __future__ import annotations

import argparse
import os
import pwd
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

DEFAULT_PORT = 55432
PORT_ENV = "SAFECAMPUS_PG_PORT"
BINDIR_ENV = "SAFECAMPUS_PG_BINDIR"
#: The system user that owns the cluster when SafeCampus runs as root.
ROOT_CLUSTER_OWNER = "postgres"
#: Rewritten on every start; postgresql.conf includes it.
CONF_NAME = "safecampus.conf"
LOG_NAME = "server.log"
# sockaddr_un.sun_path holds 108 bytes including the terminating NUL.
_MAX_SOCKET_PATH = 107


class EmbeddedPostgresError(RuntimeError):
    """The embedded cluster could not be created, started or stopped."""


def default_port() -> int:
    """``SAFECAMPUS_PG_PORT``, else 55432."""
    value = os.environ.get(PORT_ENV, "").strip()
    if not value:
        return DEFAULT_PORT
    try:
        return int(value)
    except ValueError:
        raise EmbeddedPostgresError(f"{PORT_ENV} must be a port number, not {value!r}") from None


def admin_dsn(port: int) -> str:
    """The superuser DSN of an embedded cluster listening on ``port``."""
    return f"postgresql://postgres@127.0.0.1:{port}/postgres"


def find_bindir() -> Path:
    """The directory holding ``initdb`` and ``pg_ctl``: ``SAFECAMPUS_PG_BINDIR``, Debian's newest, or PATH."""
    configured = os.environ.get(BINDIR_ENV, "").strip()
    candidates: list[Path] = [Path(configured)] if configured else []

    def version(path: Path) -> tuple[int, ...]:
        return tuple(int(part) for part in re.findall(r"\d+", path.parent.name)) or (0,)

    candidates += sorted(Path("/usr/lib/postgresql").glob("*/bin"), key=version, reverse=True)
    on_path = shutil.which("pg_ctl")
    if on_path:
        candidates.append(Path(on_path).resolve().parent)
    for candidate in candidates:
        if (candidate / "initdb").is_file() and (candidate / "pg_ctl").is_file():
            return candidate
    raise EmbeddedPostgresError(
        "Postgres server binaries (initdb, pg_ctl) not found: install the postgresql package, "
        f"set {BINDIR_ENV}, or set DATABASE_URL to use an existing server"
    )


def running_port(data_dir: Path) -> int | None:
    """The port of the postmaster running on ``data_dir``, or None when none is."""
    try:
        lines = (Path(data_dir) / "postmaster.pid").read_text().splitlines()
        pid, port = int(lines[0]), int(lines[3])
    except (OSError, ValueError, IndexError):
        return None
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return None  # a stale pid file from an unclean shutdown; pg_ctl start copes with it
    except PermissionError:
        pass  # alive, owned by the cluster's user
    try:
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return port
    # The pid may have been reused by an unrelated process since the cluster died.
    return port if b"postgres" in cmdline or b"postmaster" in cmdline else None


def is_running(data_dir: Path) -> bool:
    """Whether a postmaster is running on ``data_dir``."""
    return running_port(data_dir) is not None


def start(data_dir: Path, port: int | None = None, *, timeout: int = 60) -> str:
    """Start the cluster in ``data_dir`` (creating it on first use) and return its superuser DSN.

    Idempotent: an existing cluster is reused, and one that is already running is left as it is
    (its DSN carries the port it actually listens on).
    """
    data_dir = Path(data_dir).absolute()
    already = running_port(data_dir)
    if already is not None:
        return admin_dsn(already)
    port = default_port() if port is None else port
    bindir = find_bindir()
    owner = _prepare(data_dir, bindir)
    _write_conf(data_dir, port, owner)
    log = _real(data_dir) / LOG_NAME
    result = _run_as(
        owner,
        [
            str(bindir / "pg_ctl"),
            "-D",
            str(_real(data_dir)),
            "-l",
            str(log),
            "-w",
            "-t",
            str(timeout),
            "start",
        ],
        timeout=timeout + 15,
    )
    if result.returncode != 0 or running_port(data_dir) is None:
        raise EmbeddedPostgresError(
            f"Postgres did not start on 127.0.0.1:{port} (is the port taken? set {PORT_ENV})\n"
            f"{result.stdout.strip()}\n--- {log} ---\n{_tail(log)}"
        )
    return admin_dsn(port)


def stop(data_dir: Path, *, timeout: int = 60) -> bool:
    """Stop the cluster in ``data_dir`` (fast shutdown). Returns False when it was not running."""
    data_dir = Path(data_dir).absolute()
    if running_port(data_dir) is None:
        return False
    owner = _owner_of(_real(data_dir))
    result = _run_as(
        owner,
        [
            str(find_bindir() / "pg_ctl"),
            "-D",
            str(_real(data_dir)),
            "-m",
            "fast",
            "-w",
            "-t",
            str(timeout),
            "stop",
        ],
        timeout=timeout + 15,
    )
    if result.returncode != 0 and running_port(data_dir) is not None:
        raise EmbeddedPostgresError(f"Postgres in {data_dir} did not stop:\n{result.stdout.strip()}")
    return True


# --- internals ------------------------------------------------------------------------------------------
def _is_root() -> bool:
    return os.geteuid() == 0


def _real(data_dir: Path) -> Path:
    return data_dir.resolve()


def _owner_of(path: Path) -> str:
    return pwd.getpwuid(path.stat().st_uid).pw_name


def _run_as(user: str | None, argv: list[str], *, timeout: float) -> subprocess.CompletedProcess[str]:
    """Run a Postgres tool as ``user`` (through runuser when we are root and it is someone else)."""
    if user is not None and _is_root() and user != "root":
        argv = ["runuser", "-u", user, "--", *argv]
    # cwd "/": the cluster's user may not be allowed into the caller's working directory.
    return subprocess.run(  # noqa: S603 - argv built from our own paths, no shell
        argv,
        cwd="/",
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        timeout=timeout,
        check=False,
    )


def _cluster_user() -> str | None:
    """Who owns a new cluster: the postgres system user as root, else ourselves (None)."""
    if not _is_root():
        return None
    try:
        pwd.getpwnam(ROOT_CLUSTER_OWNER)
    except KeyError:
        raise EmbeddedPostgresError(
            f"running as root needs a {ROOT_CLUSTER_OWNER!r} system user to own the embedded cluster"
        ) from None
    return ROOT_CLUSTER_OWNER


def _reachable(user: str, path: Path) -> bool:
    probe = _run_as(user, ["test", "-r", str(path), "-a", "-w", str(path), "-a", "-x", str(path)], timeout=10)
    return probe.returncode == 0


def _prepare(data_dir: Path, bindir: Path) -> str | None:
    """Create and initdb the cluster on first use. Returns the user that owns it (None: ourselves)."""
    real = _real(data_dir)
    if (real / "PG_VERSION").is_file():
        owner = _owner_of(real)
        return owner if _is_root() else None
    if real.exists() and any(real.iterdir()):
        raise EmbeddedPostgresError(f"{data_dir} exists, is not empty and holds no Postgres cluster")
    user = _cluster_user()
    data_dir.parent.mkdir(parents=True, exist_ok=True)
    real.mkdir(mode=0o700, parents=True, exist_ok=True)
    if user is not None:
        shutil.chown(real, user, user)
        if not _reachable(user, real):
            # A parent directory (say /root) keeps the postgres user out: keep the cluster where it
            # may go, and leave a symlink in .data so that the layout stays the same.
            real.rmdir()
            real = Path(tempfile.mkdtemp(prefix="safecampus-postgres-", dir="/var/tmp"))
            shutil.chown(real, user, user)
            data_dir.symlink_to(real, target_is_directory=True)
    real.chmod(0o700)
    result = _run_as(
        user,
        [
            str(bindir / "initdb"),
            "-D",
            str(real),
            "-U",
            "postgres",
            "-A",
            "trust",
            "-E",
            "UTF8",
            "--locale=C",
        ],
        timeout=120,
    )
    if result.returncode != 0:
        raise EmbeddedPostgresError(f"initdb failed in {real}:\n{result.stdout.strip()}")
    _write(real / "pg_hba.conf", "local all all trust\nhost all all 127.0.0.1/32 trust\n", user)
    with (real / "postgresql.conf").open("a") as conf:
        conf.write(
            f"\n# SafeCampus embedded cluster: listen address, port and socket\ninclude_if_exists = '{CONF_NAME}'\n"
        )
    return user


def _write_conf(data_dir: Path, port: int, owner: str | None) -> None:
    real = _real(data_dir)
    socket_dir = str(real)
    if len(f"{socket_dir}/.s.PGSQL.{port}") > _MAX_SOCKET_PATH or "'" in socket_dir:
        socket_dir = ""  # too long for a Unix socket path: TCP on 127.0.0.1 only
    _write(
        real / CONF_NAME,
        "# Written by safecampus.embedded_postgres on every start; edits are lost.\n"
        "listen_addresses = '127.0.0.1'\n"
        f"port = {port}\n"
        f"unix_socket_directories = '{socket_dir}'\n"
        "unix_socket_permissions = 0700\n"
        # Four services, the portal and the worker each hold a pool.
        "max_connections = 200\n",
        owner,
    )


def _write(path: Path, text: str, owner: str | None) -> None:
    path.write_text(text)
    if owner is not None and _is_root():
        shutil.chown(path, owner, owner)


def _tail(path: Path, lines: int = 20) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no log)"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="embedded_postgres", description=__doc__.split("\n\n")[0])
    parser.add_argument("action", choices=["start", "stop", "status"])
    parser.add_argument("data_dir", nargs="?", default=".data/postgres", type=Path)
    parser.add_argument("--port", type=int, default=None, help=f"default: ${PORT_ENV} or {DEFAULT_PORT}")
    args = parser.parse_args(argv)
    try:
        if args.action == "start":
            print(start(args.data_dir, args.port))
        elif args.action == "stop":
            print("stopped" if stop(args.data_dir) else "not running")
        else:
            port = running_port(Path(args.data_dir).absolute())
            print(f"running: {admin_dsn(port)}" if port else "not running")
            return 0 if port else 3
    except EmbeddedPostgresError as error:
        print(f"embedded postgres: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
