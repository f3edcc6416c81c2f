"""The image's entry point (infra/docker/entrypoint) starts each component. There is no Docker engine here,
so the same script runs with this virtualenv's ``safecampus`` first on PATH, against the test database,
RabbitMQ and identity server, the way a container runs it."""

from __future__ import annotations

import json
import os
import secrets
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from tests.deploy.manifests import REPO

ENTRYPOINT = REPO / "infra" / "docker" / "entrypoint"
VENV_BIN = Path(os.sys.executable).parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def container_env(**extra: str) -> dict[str, str]:
    """The process environment of a container: this test session's settings, the venv first on PATH."""
    env = dict(os.environ)
    env["PATH"] = f"{VENV_BIN}{os.pathsep}{env.get('PATH', '')}"
    env.update({"HOST": "127.0.0.1", "PYTHONUNBUFFERED": "1", "LOG_LEVEL": "INFO", "LOG_FORMAT": "json"})
    env.update(extra)
    return env


def get(url: str, timeout: float = 2.0) -> tuple[int, bytes]:
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    try:
        with opener.open(url, timeout=timeout) as response:
            return int(response.status), response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()
    except (urllib.error.URLError, OSError):
        return 0, b""  # not listening yet


@contextmanager
def running(args: list[str], env: Mapping[str, str], log: Path) -> Iterator[subprocess.Popen[bytes]]:
    """The entry point as a container would run it; stopped with SIGTERM like `docker stop`."""
    with log.open("wb") as out:
        process = subprocess.Popen(
            [str(ENTRYPOINT), *args],
            env=dict(env),
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        try:
            yield process
        finally:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
                try:
                    process.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    os.killpg(process.pid, signal.SIGKILL)
                    process.wait()


def wait_until(check: Any, process: subprocess.Popen[bytes], log: Path, timeout: float = 45.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"exited with {process.returncode}:\n{log.read_text(errors='replace')[-3000:]}")
        if check():
            return
        time.sleep(0.2)
    pytest.fail(f"not ready after {timeout} s:\n{log.read_text(errors='replace')[-3000:]}")


def stop_cleanly(process: subprocess.Popen[bytes], log: Path) -> None:
    process.send_signal(signal.SIGTERM)
    try:
        code = process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        pytest.fail("did not stop within 20 s of SIGTERM")
    assert code in (0, -signal.SIGTERM), log.read_text(errors="replace")[-2000:]


def built(component: str) -> bool:
    """Whether the code of a component exists yet (the entry point knows all of them in advance)."""
    from safecampus.cli import main, serve

    if component == "scheduler":
        return "scheduler" in main.commands
    return component in serve.params[0].type.choices  # type: ignore[attr-defined]


# --- dispatch -------------------------------------------------------------------------------------------
def test_help_names_every_component_and_an_unknown_one_is_refused() -> None:
    shown = subprocess.run([str(ENTRYPOINT), "help"], capture_output=True, text=True, check=False)
    assert shown.returncode == 0
    for component in (
        "schools",
        "hazards",
        "personnel",
        "evaluation",
        "portal",
        "worker",
        "scheduler",
        "migrate",
    ):
        assert component in shown.stdout
    refused = subprocess.run([str(ENTRYPOINT), "webserver"], capture_output=True, text=True, check=False)
    assert refused.returncode == 64 and "unknown component 'webserver'" in refused.stderr
    bare = subprocess.run([str(ENTRYPOINT)], capture_output=True, text=True, check=False)
    assert bare.returncode == 64


def test_operator_commands_pass_through(tmp_path: Path) -> None:
    result = subprocess.run(
        [str(ENTRYPOINT), "safecampus", "counties", "create", "--help"],
        env=container_env(),
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0 and "--bureau-username" in result.stdout


# --- components against the test stack ------------------------------------------------------------------
def test_migrate_runs_every_services_migrations_as_the_migrator(stack: Any) -> None:
    result = subprocess.run(
        [str(ENTRYPOINT), "migrate"],
        env=container_env(),
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "migrations applied" in result.stdout


def serve(component: str, tmp_path: Path) -> tuple[int, dict[str, str], Path]:
    port = free_port()
    env = container_env(
        PORT=str(port),
        SAFECAMPUS_SESSION_SECRET=secrets.token_urlsafe(40),
        SAFECAMPUS_PORTAL_URL=f"http://127.0.0.1:{port}",
    )
    return port, env, tmp_path / f"{component}.log"


@pytest.mark.parametrize("component", ["schools", "hazards", "personnel", "evaluation", "portal"])
def test_an_http_component_serves_its_health_endpoints_on_host_and_port_and_stops_on_sigterm(
    component: str, stack: Any, tmp_path: Path
) -> None:
    if not built(component):
        pytest.skip(f"{component} is not built yet; the entry point already dispatches it")
    port, env, log = serve(component, tmp_path)
    with running([component], env, log) as process:
        wait_until(lambda: get(f"http://127.0.0.1:{port}/health/ready")[0] == 200, process, log)
        assert get(f"http://127.0.0.1:{port}/health/live")[0] == 200
        if component != "portal":
            status, body = get(f"http://127.0.0.1:{port}/metrics")
            assert status == 200 and b"safecampus_http_requests_total" in body
        stop_cleanly(process, log)


def test_the_portal_exports_metrics_for_prometheus(stack: Any, tmp_path: Path) -> None:
    if not built("portal"):
        pytest.skip("the portal is not built yet")
    port, env, log = serve("portal", tmp_path)
    with running(["portal"], env, log) as process:
        wait_until(lambda: get(f"http://127.0.0.1:{port}/health/live")[0] == 200, process, log)
        status, body = get(f"http://127.0.0.1:{port}/metrics")
        assert status == 200 and b"safecampus_http_requests_total" in body


def test_a_service_logs_json_lines_for_the_cluster_log_collector(stack: Any, tmp_path: Path) -> None:
    port, env, log = serve("schools", tmp_path)
    with running(["schools"], env, log) as process:
        wait_until(lambda: get(f"http://127.0.0.1:{port}/health/ready")[0] == 200, process, log)
        get(f"http://127.0.0.1:{port}/county")  # an access log line (401)
        stop_cleanly(process, log)
    lines = [line for line in log.read_text().splitlines() if line.strip()]
    assert lines
    for line in lines:
        assert isinstance(json.loads(line), dict), line


def test_the_worker_starts_consumes_and_stops_on_sigterm(stack: Any, tmp_path: Path) -> None:
    # The Postgres broker of the test database, so that this worker takes no other test's messages.
    from dataclasses import replace

    from safecampus.migrate import init_postgres_broker

    init_postgres_broker(replace(stack.settings, broker_url=""))
    env = container_env(BROKER_URL="", WORKER_PROCESSES="1", WORKER_THREADS="1")
    log = tmp_path / "worker.log"
    with running(["worker"], env, log) as process:
        wait_until(
            lambda: "Worker process is ready" in log.read_text(errors="replace"), process, log, timeout=60
        )
        stop_cleanly(process, log)


def test_the_scheduler_starts(stack: Any, tmp_path: Path) -> None:
    if not built("scheduler"):
        pytest.skip("the scheduler command is not built yet; the entry point already dispatches it")
    log = tmp_path / "scheduler.log"
    with running(["scheduler"], container_env(), log) as process:
        time.sleep(3)
        assert process.poll() is None, log.read_text(errors="replace")[-3000:]
        stop_cleanly(process, log)


def test_the_dev_identity_server_listens_beyond_loopback_in_a_container(stack: Any, tmp_path: Path) -> None:
    port = free_port()
    env = container_env(IDP_PORT=str(port), IDP_PUBLIC_URL=f"http://127.0.0.1:{port}")
    env.pop("HOST")  # the image's default HOST=0.0.0.0 applies
    env["IDP_HOST"] = "0.0.0.0"  # noqa: S104 - what a container needs; the test reaches it on loopback
    log = tmp_path / "idp.log"
    with running(["idp"], env, log) as process:
        url = f"http://127.0.0.1:{port}/realms/safecampus/.well-known/openid-configuration"
        wait_until(lambda: get(url)[0] == 200, process, log)
        assert json.loads(get(url)[1])["issuer"] == f"http://127.0.0.1:{port}/realms/safecampus"
        stop_cleanly(process, log)


def test_the_toolbox_idles_until_stopped(tmp_path: Path) -> None:
    log = tmp_path / "toolbox.log"
    with running(["toolbox"], container_env(), log) as process:
        time.sleep(1)
        assert process.poll() is None
        stop_cleanly(process, log)
