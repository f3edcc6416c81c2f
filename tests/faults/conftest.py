"""Fixtures of the fault tests: a file store on a filesystem that is really full, direct counts as the
migrator (the operator's view, across tenants), and the helpers of the services' own test fixtures."""

from __future__ import annotations

import contextlib
import errno
import os
import subprocess
import tempfile
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import pytest

from tenants.roles import MIGRATOR

# The hazards tests' directory fixtures (the world's schools in the hazards service), reused as they are.
from tests.hazards.conftest import hazards_db, hazards_world  # noqa: F401

# The messaging tests' private RabbitMQ node (a test may stop it), reused as it is.
from tests.messaging.conftest import rabbit, rabbit_broker, rabbit_node  # noqa: F401

# The personnel tests' staff list of the world (principal A may invite), reused as it is.
from tests.personnel.conftest import personnel_db, personnel_world  # noqa: F401


@pytest.fixture(scope="session")
def full_disk() -> Iterator[Path]:
    """A directory on a tiny tmpfs that has been filled up: every write there fails with ENOSPC.

    Mounting needs root (CI and these machines run the suite as root)."""
    if os.geteuid() != 0:
        pytest.skip("mounting a full tmpfs needs root (the unavailable-store case still runs)")
    mount_point = Path(tempfile.mkdtemp(prefix="safecampus-full-"))
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=256k", "tmpfs", str(mount_point)], capture_output=True, text=True
    )
    if mounted.returncode != 0:
        mount_point.rmdir()
        pytest.skip(f"this machine does not let the tests mount a tmpfs: {mounted.stderr.strip()}")
    try:
        _fill(mount_point / "filler")
        with pytest.raises(OSError, match="No space left") as refused:
            (mount_point / "probe").write_bytes(b"x")
        assert refused.value.errno == errno.ENOSPC
        yield mount_point
    finally:
        subprocess.run(["umount", "-l", str(mount_point)], check=False)
        with contextlib.suppress(OSError):
            mount_point.rmdir()


def _fill(path: Path) -> None:
    """Write zeros to ``path`` until the filesystem has no block left."""
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT, 0o600)
    try:
        while True:
            os.write(descriptor, b"\0" * 4096)
    except OSError as exc:
        if exc.errno != errno.ENOSPC:
            raise
    finally:
        os.close(descriptor)


@pytest.fixture(scope="session")
def broken_store_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A store root whose parent is a regular file: creating any folder under it fails (ENOTDIR)."""
    blocker = tmp_path_factory.mktemp("broken-store") / "not-a-directory"
    blocker.write_text("the volume is gone")
    return blocker / "files"


@pytest.fixture
async def operator(stack: Any) -> AsyncIterator[asyncpg.Connection]:
    """The migrator's connection: counts rows across tenants (it bypasses RLS)."""
    conn = await asyncpg.connect(stack.settings.database_dsn(MIGRATOR, "migrator"))
    yield conn
    await conn.close()


async def row_counts(conn: asyncpg.Connection, tables: list[str]) -> dict[str, int]:
    """``schema.table -> count(*)``."""
    return {table: int(await conn.fetchval(f"SELECT count(*) FROM {table}")) for table in tables}


def start_api(
    service: str, env: dict[str, str], log_dir: Path, *, ready: str = "/health/ready"
) -> tuple[Any, str]:
    """``safecampus serve <service>`` as a process of its own on a free port, once ``ready`` answers 200:
    ``(process, base URL)``. The caller stops the process."""
    from tests.conftest import _free_port
    from tests.messaging.conftest import Process

    port = _free_port()
    process = Process(f"{service}-api", ["serve", service, "--port", str(port)], env, log_dir)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 90
    while True:
        try:
            if httpx.get(url + ready, timeout=2).status_code == 200:
                return process, url
        except httpx.HTTPError:
            pass
        if process.popen.poll() is not None or time.monotonic() > deadline:
            process.stop()
            raise RuntimeError(f"the {service} API did not get ready:\n{process.output()[-3000:]}")
        time.sleep(0.2)
