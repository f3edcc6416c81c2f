"""Fixtures for the one-machine runner's tests: a fake ``safecampus`` command and process checks."""

from __future__ import annotations

import os
import socket
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

from safecampus.run import IDP, Service, api

FAKE = Path(__file__).with_name("fake_safecampus.py")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def alive(pid: int) -> bool:
    """Whether ``pid`` is a live process (a zombie counts as gone)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


def wait_gone(pids: list[int], timeout: float = 5.0) -> list[int]:
    """The pids still alive after ``timeout``."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and any(alive(pid) for pid in pids):
        time.sleep(0.05)
    return [pid for pid in pids if alive(pid)]


@dataclass
class FakeStack:
    root: Path
    record: Path
    services: list[Service]
    command: list[str]

    def calls(self) -> list[str]:
        path = self.record / "calls"
        return path.read_text().split() if path.exists() else []

    def pids(self) -> dict[str, int]:
        return {path.stem: int(path.read_text()) for path in self.record.glob("*.pid")}


@pytest.fixture
def fake_stack(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> FakeStack:
    root, record = tmp_path / "repo", tmp_path / "record"
    root.mkdir()
    record.mkdir()
    idp_port, schools_port = free_port(), free_port()
    services = [
        Service("idp", ("idp", "serve", "--port", str(idp_port)), idp_port, IDP.ready_path, IDP.title),
        api("schools", schools_port),
        Service("worker", ("worker", "--processes", "1", "--threads", "4"), title="worker (background jobs)"),
    ]
    # An external database: the runner must not start the embedded one for these tests.
    monkeypatch.setenv("DATABASE_URL", "postgresql://127.0.0.1:1/fake")
    monkeypatch.setenv("ADMIN_DATABASE_URL", "postgresql://postgres@127.0.0.1:1/postgres")
    for name in ("KEYCLOAK_URL", "FAKE_FAIL", "FAKE_DIE", "FAKE_NOT_READY", "FAKE_IGNORE_TERM"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("FAKE_DIR", str(record))
    return FakeStack(root, record, services, [sys.executable, str(FAKE)])


_ = os
