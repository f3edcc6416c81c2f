"""Request ids, access logs and Prometheus metrics for every service."""

from __future__ import annotations

import re
import time
import uuid
from typing import Any

import structlog
from litestar import Request, Response, get
from litestar.datastructures import MutableScopeHeaders
from litestar.enums import ScopeType
from litestar.types import ASGIApp, Message, Receive, Scope, Send
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Histogram, generate_latest

from kit.logging import get_logger

_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")
log = get_logger("safecampus.access")

REGISTRY = CollectorRegistry(auto_describe=True)
REQUESTS = Counter(
    "safecampus_http_requests_total",
    "HTTP requests",
    ["service", "method", "route", "status"],
    registry=REGISTRY,
)
LATENCY = Histogram(
    "safecampus_http_request_duration_seconds",
    "HTTP request latency",
    ["service", "method", "route"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5),
    registry=REGISTRY,
)


def request_context_middleware(service: str) -> Any:
    """ASGI middleware factory: request id (from ``X-Request-ID`` or new), access log line, metrics."""

    def factory(app: ASGIApp) -> ASGIApp:
        async def middleware(scope: Scope, receive: Receive, send: Send) -> None:
            if scope["type"] != ScopeType.HTTP:
                await app(scope, receive, send)
                return
            incoming = ""
            for name, value in scope.get("headers", []):
                if name == b"x-request-id":
                    incoming = value.decode("latin-1")
                    break
            request_id = incoming if _REQUEST_ID.match(incoming) else uuid.uuid4().hex
            scope.setdefault("state", {})["request_id"] = request_id
            status_holder = {"status": 500}
            started = time.perf_counter()

            async def send_wrapper(message: Message) -> None:
                if message["type"] == "http.response.start":
                    status_holder["status"] = message["status"]
                    MutableScopeHeaders.from_message(message)["X-Request-ID"] = request_id
                await send(message)

            with structlog.contextvars.bound_contextvars(request_id=request_id, service=service):
                try:
                    await app(scope, receive, send_wrapper)
                finally:
                    elapsed = time.perf_counter() - started
                    route_handler = scope.get("route_handler")
                    route = scope.get("path_template") or (
                        str(next(iter(route_handler.paths))) if route_handler is not None else "unmatched"
                    )
                    method = scope.get("method", "")
                    REQUESTS.labels(service, method, route, str(status_holder["status"])).inc()
                    LATENCY.labels(service, method, route).observe(elapsed)
                    if not str(scope.get("path", "")).startswith(("/health", "/metrics")):
                        log.info(
                            "request",
                            method=method,
                            path=scope.get("path"),
                            status=status_holder["status"],
                            ms=round(elapsed * 1000, 2),
                        )

        return middleware

    return factory


@get("/metrics", include_in_schema=False, exclude_from_auth=True, sync_to_thread=False)
def metrics_endpoint(request: Request[Any, Any, Any]) -> Response[bytes]:
    return Response(content=generate_latest(REGISTRY), media_type=CONTENT_TYPE_LATEST)
