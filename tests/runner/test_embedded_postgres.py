"""The embedded Postgres of one-machine runs: created once, reused, loopback only, stoppable twice."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest

from safecampus import embedded_postgres

from .conftest import free_port

try:
    embedded_postgres.find_bindir()
except embedded_postgres.EmbeddedPostgresError:  # pragma: no cover - depends on the machine
    pytest.skip("Postgres server binaries are not installed", allow_module_level=True)


@pytest.fixture
def data_dir() -> Iterator[Path]:
    # Not pytest's tmp_path: as root the cluster belongs to the postgres user, who must be able to
    # reach it, and the socket path must stay short.
    base = Path(tempfile.mkdtemp(prefix="scpg-", dir="/tmp"))
    base.chmod(0o755)
    try:
        yield base / "postgres"
    finally:
        embedded_postgres.stop(base / "postgres")
        shutil.rmtree(base, ignore_errors=True)


def _query(dsn: str, sql: str) -> object:
    with psycopg.connect(dsn, connect_timeout=5, autocommit=True) as conn:
        cursor = conn.execute(sql)
        row = cursor.fetchone() if cursor.description else None
        return row[0] if row else None


def test_first_start_creates_a_trust_cluster_on_loopback_with_its_socket_inside(data_dir: Path) -> None:
    port = free_port()

    dsn = embedded_postgres.start(data_dir, port)

    assert dsn == f"postgresql://postgres@127.0.0.1:{port}/postgres"
    assert (data_dir / "PG_VERSION").is_file()
    assert _query(dsn, "show listen_addresses") == "127.0.0.1"
    assert _query(dsn, "show unix_socket_directories") == str(data_dir)
    assert (data_dir / f".s.PGSQL.{port}").exists()
    assert _query(dsn, "select rolsuper from pg_roles where rolname = current_user") is True
    if os.geteuid() == 0:
        assert data_dir.owner() == "postgres"


def test_starting_a_running_cluster_reuses_it(data_dir: Path) -> None:
    port = free_port()
    dsn = embedded_postgres.start(data_dir, port)
    backend = _query(dsn, "select pg_postmaster_start_time()")

    # Even when asked for another port: the running cluster is what the caller gets.
    again = embedded_postgres.start(data_dir, free_port())

    assert again == dsn
    assert _query(again, "select pg_postmaster_start_time()") == backend


def test_data_survives_a_stop_and_a_second_start(data_dir: Path) -> None:
    port = free_port()
    dsn = embedded_postgres.start(data_dir, port)
    _query(dsn, "create table kept (v text)")
    _query(dsn, "insert into kept values ('still here')")

    assert embedded_postgres.stop(data_dir) is True
    assert not embedded_postgres.is_running(data_dir)
    dsn = embedded_postgres.start(data_dir, port)

    assert _query(dsn, "select v from kept") == "still here"


def test_stop_is_idempotent(data_dir: Path) -> None:
    embedded_postgres.start(data_dir, free_port())

    assert embedded_postgres.stop(data_dir) is True
    assert embedded_postgres.stop(data_dir) is False
    assert embedded_postgres.stop(data_dir.parent / "never-created") is False


def test_a_taken_port_is_reported_with_the_server_log(data_dir: Path) -> None:
    import socket

    with socket.socket() as squatter:
        squatter.bind(("127.0.0.1", 0))
        squatter.listen()
        port = squatter.getsockname()[1]

        with pytest.raises(embedded_postgres.EmbeddedPostgresError, match="SAFECAMPUS_PG_PORT"):
            embedded_postgres.start(data_dir, port)


def test_a_non_empty_directory_without_a_cluster_is_left_alone(data_dir: Path) -> None:
    data_dir.mkdir()
    (data_dir / "something.txt").write_text("mine")

    with pytest.raises(embedded_postgres.EmbeddedPostgresError, match="holds no Postgres cluster"):
        embedded_postgres.start(data_dir, free_port())
    assert (data_dir / "something.txt").read_text() == "mine"
