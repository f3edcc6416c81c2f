"""The one-machine runner: order of steps, readiness, the banner, and that nothing outlives it."""

from __future__ import annotations

import contextlib
import io
import json
import os
import signal
import socket
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from safecampus.run import (
    SECRET_NAMES,
    SECRETS_HEADER,
    ChildFailed,
    Console,
    Supervisor,
    demo_logins,
    load_dev_secrets,
    run,
)

from .conftest import FakeStack, alive, wait_gone


def _run(stack: FakeStack, **kwargs: object) -> tuple[int, str]:
    out = io.StringIO()
    status = run(
        root=stack.root,
        services=stack.services,
        command=stack.command,
        out=out,
        stop_timeout=kwargs.pop("stop_timeout", 3.0),  # type: ignore[arg-type]
        ready_timeout=kwargs.pop("ready_timeout", 20.0),  # type: ignore[arg-type]
        **kwargs,  # type: ignore[arg-type]
    )
    return status, out.getvalue()


def test_runs_setup_then_services_then_seed_and_prints_urls_and_logins(fake_stack: FakeStack) -> None:
    status, output = _run(fake_stack, exit_when_ready=True)

    assert status == 0, output
    calls = fake_stack.calls()
    # The services start concurrently; the steps around them are strictly ordered.
    assert calls[:2] == ["db-bootstrap", "db-migrate"]
    assert sorted(calls[2:5]) == ["idp", "schools", "worker"]
    assert calls[5:] == ["demo-seed"]
    schools = fake_stack.services[1]
    assert "SafeCampus is running" in output
    assert f"http://127.0.0.1:{schools.port}/schema/swagger" in output
    assert f"http://127.0.0.1:{fake_stack.services[0].port}/" in output
    assert "bureau.li" in output and "pw-bureau" in output
    assert "principal.a" in output and "teacher.a" in output
    assert "principal.b" not in output  # only one school's logins on the console
    assert "All 4 demo logins are in" in output
    logs = fake_stack.root / ".data" / "logs"
    assert "db-migrate: DATABASE_URL=postgresql://127.0.0.1:1/fake" in (logs / "db-migrate.log").read_text()
    assert "schools listening on" in (logs / "schools.log").read_text()
    assert wait_gone(list(fake_stack.pids().values())) == []


def test_the_worker_grandchild_is_stopped_with_its_process_group(fake_stack: FakeStack) -> None:
    status, output = _run(fake_stack, exit_when_ready=True)

    assert status == 0, output
    assert wait_gone([fake_stack.pids()["worker-grandchild"]]) == []


def test_a_service_that_dies_stops_everything_and_shows_its_last_lines(
    fake_stack: FakeStack, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FAKE_DIE", "schools")

    status, output = _run(fake_stack)

    assert status == 1
    assert "ERROR: schools exited with code 3" in output
    assert "schools | ERROR schools: boom, something broke" in output
    assert wait_gone(list(fake_stack.pids().values())) == []


def test_a_failing_step_stops_before_any_service_starts(
    fake_stack: FakeStack, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FAKE_FAIL", "db-migrate")

    status, output = _run(fake_stack)

    assert status == 1
    assert "db-migrate exited with code 2" in output
    assert fake_stack.calls() == ["db-bootstrap", "db-migrate"]


def test_a_service_that_never_gets_ready_fails_with_the_url_it_waited_for(
    fake_stack: FakeStack, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FAKE_NOT_READY", "schools")

    status, output = _run(fake_stack, ready_timeout=1.5)

    assert status == 1
    assert "schools did not answer" in output and "/health/ready" in output
    assert wait_gone(list(fake_stack.pids().values())) == []


def test_a_busy_port_is_refused_before_anything_starts(fake_stack: FakeStack) -> None:
    with socket.socket() as squatter:
        squatter.bind(("127.0.0.1", fake_stack.services[1].port or 0))
        squatter.listen()

        status, output = _run(fake_stack)

    assert status == 1
    assert f"{fake_stack.services[1].port} (schools)" in output
    assert fake_stack.calls() == []


def test_bootstrap_is_skipped_without_an_admin_url(
    fake_stack: FakeStack, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("ADMIN_DATABASE_URL")

    status, output = _run(fake_stack, exit_when_ready=True, seed=False)

    assert status == 0, output
    assert "skipping db-bootstrap" in output
    assert fake_stack.calls()[0] == "db-migrate"
    assert "db-bootstrap" not in fake_stack.calls()


def test_an_external_keycloak_replaces_the_dev_identity_server(
    fake_stack: FakeStack, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("KEYCLOAK_URL", "https://keycloak.example.test/")

    status, output = _run(fake_stack, exit_when_ready=True, seed=False)

    assert status == 0, output
    assert "idp" not in fake_stack.calls()
    assert "https://keycloak.example.test/" in output


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM])
def test_a_signal_stops_every_child_even_one_that_ignores_sigterm(fake_stack: FakeStack, signum: int) -> None:
    driver = textwrap.dedent(
        f"""
        import sys
        from pathlib import Path
        from safecampus.run import Service, run
        services = [Service(*s) for s in {[(s.name, s.args, s.port, s.ready_path) for s in fake_stack.services]!r}]
        sys.exit(run(root=Path({str(fake_stack.root)!r}), services=services, command={fake_stack.command!r},
                     stop_timeout=1.0))
        """
    )
    env = {**os.environ, "FAKE_IGNORE_TERM": "worker"}
    runner = subprocess.Popen(
        [sys.executable, "-c", driver], env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    try:
        assert runner.stdout is not None
        seen = []
        deadline = time.monotonic() + 20
        for line in runner.stdout:
            seen.append(line)
            if "SafeCampus is running" in line or time.monotonic() > deadline:
                break
        assert any("SafeCampus is running" in line for line in seen), "".join(seen)
        running = ("idp", "schools", "worker", "worker-grandchild")
        pids = [pid for name, pid in fake_stack.pids().items() if name in running]
        assert len(pids) == len(running)
        assert all(alive(pid) for pid in pids)

        runner.send_signal(signum)
        rest, _ = runner.communicate(timeout=15)
    finally:
        if runner.poll() is None:  # the test failed before the runner stopped: leave nothing behind
            runner.kill()
            for pid in fake_stack.pids().values():
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGKILL)

    assert runner.returncode == 0, "".join(seen) + rest
    assert f"{signal.Signals(signum).name} received" in rest
    assert "worker did not stop within 1 s: killing it" in rest
    assert wait_gone(pids) == []


def test_dev_secrets_are_generated_once_private_and_kept(tmp_path: Path) -> None:
    path = tmp_path / ".data" / "dev-secrets.env"

    first = load_dev_secrets(path)
    second = load_dev_secrets(path)

    assert set(first) == set(SECRET_NAMES)
    assert all(len(value) >= 32 for value in first.values())
    assert len(set(first.values())) == len(SECRET_NAMES)
    assert second == first
    assert path.read_text().startswith(SECRETS_HEADER)
    assert path.stat().st_mode & 0o777 == 0o600


def test_a_secret_added_later_is_generated_without_touching_the_others(tmp_path: Path) -> None:
    path = tmp_path / "dev-secrets.env"
    path.write_text(SECRETS_HEADER + "KEYCLOAK_PROVISIONER_CLIENT_SECRET=kept\n")

    values = load_dev_secrets(path)

    assert values["KEYCLOAK_PROVISIONER_CLIENT_SECRET"] == "kept"
    assert values["SAFECAMPUS_SESSION_SECRET"]
    assert load_dev_secrets(path) == values


def test_demo_logins_show_the_bureau_and_one_school_and_point_at_the_file(tmp_path: Path) -> None:
    demo = tmp_path / "demo.json"
    demo.write_text(
        json.dumps(
            {
                "county": {"name": "Demo County"},
                "users": [
                    {"username": "b1", "password": "p1", "role": "bureau"},
                    {"username": "s1", "password": "p2", "role": "principal", "school": "A"},
                    {"username": "s2", "password": "p3", "role": "guard", "school": "B"},
                ],
                "urls": {"portal": "http://127.0.0.1:8100/"},
            }
        )
    )

    text = "\n".join(demo_logins(demo))

    assert "Demo County" in text
    assert "b1" in text and "p1" in text and "s1" in text
    assert "s2" not in text
    assert f"All 3 demo logins are in {demo} (1 more)" in text
    assert "portal: http://127.0.0.1:8100/" in text


def test_an_unreadable_demo_file_is_reported_not_fatal(tmp_path: Path) -> None:
    demo = tmp_path / "demo.json"
    demo.write_text("not json")

    assert "could not read it" in demo_logins(demo)[0]


def test_the_console_shows_warnings_and_whole_tracebacks_but_not_info_lines(tmp_path: Path) -> None:
    script = (
        "import logging, sys\n"
        "logging.basicConfig(format='%(levelname)s - %(name)s - %(message)s', level=logging.INFO)\n"
        "logging.getLogger('uvicorn.error').info('Started server process')\n"
        "logging.getLogger('app').warning('disk almost full')\n"
        "def handler():\n"
        "    raise ValueError('bad input')\n"
        "handler()\n"
    )
    out = io.StringIO()
    supervisor = Supervisor(env=os.environ, cwd=tmp_path, log_dir=tmp_path / "logs", console=Console(out))

    with pytest.raises(ChildFailed) as failure:
        supervisor.run_step("step", [sys.executable, "-c", script])

    console = out.getvalue()
    assert "WARNING - app - disk almost full" in console
    assert "Started server process" not in console
    assert "Traceback (most recent call last):" in console
    assert "in handler" in console
    assert "step | ValueError: bad input" in console
    assert failure.value.returncode == 1
    assert "Started server process" in (tmp_path / "logs" / "step.log").read_text()
