"""A worker process killed (SIGKILL) in the middle of a job: the job is done once all the same.

The job is the evaluation's report rendering (``evaluation.report.requested``), slow enough to be caught
in the middle: the report is ``running`` (its progress committed) when the worker's whole process group is
killed, the message goes back to the queue because it was never acknowledged, and a new worker renders
the report. It ends ``done`` exactly once: one inbox entry for the event, one ``report_generated``, one
file. The API and both workers are real processes on a private RabbitMQ node.
"""

from __future__ import annotations

import asyncio
import os
import signal
import time
import uuid
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from tests.evaluation.conftest import open_campaign, publish_default_rubric
from tests.faults.conftest import start_api
from tests.messaging.conftest import Process, process_env, stop_all

WORKER = ["worker", "--processes", "1", "--threads", "2"]


@pytest.fixture
def evaluation_api(stack: Any, rabbit: Any, tmp_path: Any) -> Iterator[tuple[str, Any, Any]]:
    """``(url, env, log dir)``: the evaluation API as a process on the private broker."""
    env = process_env(rabbit)
    api, url = start_api("evaluation", env, tmp_path)
    try:
        yield url, env, tmp_path
    finally:
        api.stop()


async def _report(api: httpx.AsyncClient, report_id: str, headers: dict[str, str]) -> dict[str, Any]:
    response = await api.get(f"/reports/{report_id}", headers=headers)
    assert response.status_code == 200, response.text
    return dict(response.json())


async def test_a_report_whose_worker_is_killed_mid_rendering_is_rendered_once_by_the_next_worker(
    stack, world, evaluation_api
):
    from kit.db import Database
    from tenants.roles import app_role

    url, env, logs = evaluation_api
    bureau = world["bureau_x"].headers
    first = Process("worker-1", WORKER, env, logs)
    second = None
    try:
        first.wait_for_output("ready for action", timeout=90)
        async with httpx.AsyncClient(base_url=url, timeout=30) as api:
            rubric = await publish_default_rubric(api, world["bureau_x"])
            campaign = await open_campaign(api, world["bureau_x"], rubric, title="被中断的报告")
            queued = await api.post(
                f"/campaigns/{campaign}/reports", json={"kind": "county_pdf"}, headers=bureau
            )
            assert queued.status_code == 202, queued.text
            report_id = queued.json()["id"]

            deadline = time.monotonic() + 90
            while (report := await _report(api, report_id, bureau))["status"] != "running":
                assert report["status"] == "queued", report
                assert time.monotonic() < deadline, "the worker never started the report"
                await asyncio.sleep(0.05)
            os.killpg(first.popen.pid, signal.SIGKILL)  # the worker and its forks, mid-rendering
            first.wait(10)
            await asyncio.sleep(1)
            interrupted = await _report(api, report_id, bureau)
            assert interrupted["status"] == "running", interrupted  # it really was cut off

            second = Process("worker-2", WORKER, env, logs)
            deadline = time.monotonic() + 120
            while (report := await _report(api, report_id, bureau))["status"] != "done":
                assert report["status"] in ("queued", "running"), report
                assert time.monotonic() < deadline, f"the report was not finished: {report}"
                await asyncio.sleep(0.5)
            assert report["progress"] == 100 and report["size"] > 0
            download = await api.get(report["url"], headers=bureau)
            assert download.status_code == 200 and download.content.startswith(b"%PDF-")
    finally:
        stop_all(*(process for process in (first, second) if process is not None))

    generated = [
        record
        for process in (first, second)
        for record in process.records("report_generated", report_id=report_id)
    ]
    assert len(generated) == 1 and not first.records("report_generated", report_id=report_id)
    database = Database(stack.settings.sqlalchemy_url(app_role("evaluation"), "evaluation"), pool_size=1)
    try:
        from sqlalchemy import text

        async with database.transaction(None) as session:
            (event_id,) = (
                await session.execute(
                    text("SELECT id FROM evaluation.outbox WHERE payload->>'report_id' = :id"),
                    {"id": report_id},
                )
            ).scalars()
            handled = await session.execute(
                text("SELECT count(*) FROM evaluation.inbox WHERE event_id = :id"), {"id": event_id}
            )
            assert handled.scalar() == 1
    finally:
        await database.dispose()
    files_dir = os.environ["SAFECAMPUS_FILES_DIR"]
    stored = [
        name
        for _, _, names in os.walk(files_dir)
        for name in names
        if name.startswith(str(uuid.UUID(report_id)))
    ]
    assert len(stored) == 1, stored
