"""A small closed-loop HTTP/1.1 load generator on asyncio streams (keep-alive, no client library).

Lean on purpose: on a 2-core machine the load generator shares the CPU with the servers, and httpx costs
several times more per request than these few lines. It measures latency per request, counts the
``X-DB-Queries`` header the services add when they count statements, and flags any non-2xx answer.
"""

from __future__ import annotations

import asyncio
import random
import time
from collections.abc import Sequence
from dataclasses import dataclass, field

#: Seconds a request may take before it counts as an error (and its connection is dropped).
TIMEOUT = 30.0


@dataclass(frozen=True, slots=True)
class Request:
    """A ready-to-send request: the endpoint it belongs to and its bytes on the wire."""

    endpoint: str
    port: int
    raw: bytes


def build(method: str, port: int, path: str, headers: dict[str, str], body: bytes = b"") -> bytes:
    lines = [f"{method} {path} HTTP/1.1", f"Host: 127.0.0.1:{port}", "Connection: keep-alive"]
    lines += [f"{k}: {v}" for k, v in headers.items()]
    if body or method != "GET":
        lines.append(f"Content-Length: {len(body)}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + body


@dataclass
class Tally:
    """What one endpoint got during one phase."""

    latencies: list[float] = field(default_factory=list)
    errors: int = 0
    #: Requests that got no answer within :data:`TIMEOUT`.
    timeouts: int = 0
    statuses: dict[int, int] = field(default_factory=dict)
    queries: list[int] = field(default_factory=list)
    error_sample: str = ""

    def percentile(self, p: float) -> float:
        if not self.latencies:
            return float("nan")
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


async def _read_response(reader: asyncio.StreamReader) -> tuple[int, dict[bytes, bytes], bytes]:
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.split(b"\r\n")
    status = int(lines[0].split(b" ", 2)[1])
    headers: dict[bytes, bytes] = {}
    for line in lines[1:]:
        if b":" in line:
            name, _, value = line.partition(b":")
            headers[name.strip().lower()] = value.strip()
    if headers.get(b"transfer-encoding", b"").lower() == b"chunked":
        chunks = []
        while True:
            size = int((await reader.readuntil(b"\r\n")).strip().split(b";")[0], 16)
            data = await reader.readexactly(size + 2)
            if size == 0:
                break
            chunks.append(data[:-2])
        return status, headers, b"".join(chunks)
    length = int(headers.get(b"content-length", b"0"))
    return status, headers, await reader.readexactly(length) if length else b""


async def _worker(
    requests: Sequence[Request],
    weights: Sequence[float] | None,
    stop_at: float,
    tallies: dict[str, Tally],
    seed: int,
) -> None:
    rng = random.Random(seed)
    streams: dict[int, tuple[asyncio.StreamReader, asyncio.StreamWriter]] = {}
    try:
        while time.perf_counter() < stop_at:
            request = rng.choices(requests, weights)[0] if weights else requests[rng.randrange(len(requests))]
            tally = tallies.setdefault(request.endpoint, Tally())
            if request.port not in streams:
                streams[request.port] = await asyncio.open_connection("127.0.0.1", request.port)
            reader, writer = streams[request.port]
            began = time.perf_counter()
            try:
                try:
                    writer.write(request.raw)
                    status, headers, body = await asyncio.wait_for(_read_response(reader), TIMEOUT)
                except (asyncio.IncompleteReadError, ConnectionResetError) as exc:
                    if isinstance(exc, asyncio.IncompleteReadError) and exc.partial:
                        raise
                    # The server closed a keep-alive connection that sat idle while this worker waited on
                    # another port (uvicorn's keep-alive timeout): not the request's fault; send it anew.
                    writer.close()
                    reader, writer = await asyncio.open_connection("127.0.0.1", request.port)
                    streams[request.port] = reader, writer
                    began = time.perf_counter()
                    writer.write(request.raw)
                    status, headers, body = await asyncio.wait_for(_read_response(reader), TIMEOUT)
            except (OSError, asyncio.IncompleteReadError, ValueError, TimeoutError) as exc:
                tally.errors += 1
                tally.timeouts += isinstance(exc, TimeoutError)
                tally.error_sample = tally.error_sample or repr(exc)
                writer.close()
                del streams[request.port]
                continue
            tally.latencies.append(time.perf_counter() - began)
            tally.statuses[status] = tally.statuses.get(status, 0) + 1
            if status >= 400:
                tally.errors += 1
                tally.error_sample = tally.error_sample or f"{status} {body[:300]!r}"
            if b"x-db-queries" in headers:
                tally.queries.append(int(headers[b"x-db-queries"]))
            if headers.get(b"connection", b"").lower() == b"close":
                writer.close()
                del streams[request.port]
    finally:
        for _, writer in streams.values():
            writer.close()


async def run_load(
    requests: Sequence[Request],
    *,
    seconds: float,
    concurrency: int,
    weights: Sequence[float] | None = None,
    warmup: float = 0.5,
) -> dict[str, Tally]:
    """Drive ``requests`` (picked at random, by ``weights``) from ``concurrency`` connections for
    ``seconds`` after a ``warmup`` whose results are dropped. Returns the tally per endpoint."""
    if warmup > 0:
        scratch: dict[str, Tally] = {}
        stop = time.perf_counter() + warmup
        await asyncio.gather(*(_worker(requests, weights, stop, scratch, i) for i in range(concurrency)))
    tallies: dict[str, Tally] = {}
    stop = time.perf_counter() + seconds
    await asyncio.gather(*(_worker(requests, weights, stop, tallies, 100 + i) for i in range(concurrency)))
    return tallies


async def fetch_once(request: Request) -> tuple[int, bytes]:
    """Send one request on its own connection: its status and body."""
    reader, writer = await asyncio.open_connection("127.0.0.1", request.port)
    try:
        writer.write(request.raw)
        status, _, body = await asyncio.wait_for(_read_response(reader), TIMEOUT)
        return status, body
    finally:
        writer.close()
