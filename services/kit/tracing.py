"""OpenTelemetry traces, opt in: nothing is set up unless ``OTEL_EXPORTER_OTLP_ENDPOINT`` is set.

With it set, every request to a service becomes a span (route, method, status), exported over OTLP/HTTP
to a collector in batches; ``OTEL_SERVICE_NAME``, ``OTEL_RESOURCE_ATTRIBUTES``, ``OTEL_TRACES_SAMPLER``
and ``OTEL_TRACES_SAMPLER_ARG`` are honoured as the OpenTelemetry SDK defines them. Logs and metrics
stay where they are (JSON logs on stderr, Prometheus at ``/metrics``); :func:`add_trace_context` puts
the trace and span ids on log lines so that the two meet.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, MutableMapping
from typing import Any

from opentelemetry import trace
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor, SpanExporter

#: Paths that are polled, not used: no span for them.
UNTRACED_PATHS = ["/health/live", "/health/ready", "/metrics"]

_global_provider_set = False


def tracing_enabled(environ: Mapping[str, str] | None = None) -> bool:
    """Whether an OTLP endpoint is configured (the only switch)."""
    env = os.environ if environ is None else environ
    return bool(env.get("OTEL_EXPORTER_OTLP_ENDPOINT", "").strip())


def configure_tracing(
    service: str, *, environ: Mapping[str, str] | None = None, exporter: SpanExporter | None = None
) -> TracerProvider | None:
    """A tracer provider for ``service`` that exports in batches; ``None`` when tracing is off.

    ``exporter`` replaces the OTLP exporter (tests pass an in-memory one, which also turns tracing on).
    The first provider created in a process becomes the global one, for libraries that trace on their own.
    """
    global _global_provider_set
    env = os.environ if environ is None else environ
    if exporter is None and not tracing_enabled(env):
        return None
    resource = Resource.create(
        {
            "service.name": env.get("OTEL_SERVICE_NAME", "").strip() or f"safecampus-{service}",
            "service.namespace": "safecampus",
        }
    )
    provider = TracerProvider(resource=resource)
    if exporter is None:
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

        exporter = OTLPSpanExporter()  # endpoint, headers and timeout from OTEL_EXPORTER_OTLP_*
    provider.add_span_processor(BatchSpanProcessor(exporter))
    if not _global_provider_set:
        trace.set_tracer_provider(provider)
        _global_provider_set = True
    return provider


def tracing_plugins(service: str, *, provider: TracerProvider | None = None) -> list[Any]:
    """Litestar plugins that trace every request of ``service`` (none when tracing is off).

    Wired into the app factory as ``Litestar(..., plugins=tracing_plugins(service))``.
    """
    provider = provider or configure_tracing(service)
    if provider is None:
        return []
    from litestar.plugins.opentelemetry import OpenTelemetryConfig, OpenTelemetryPlugin

    return [OpenTelemetryPlugin(OpenTelemetryConfig(tracer_provider=provider, exclude=UNTRACED_PATHS))]


def add_trace_context(logger: Any, method_name: str, event_dict: MutableMapping[str, Any]) -> Any:
    """structlog processor: ``trace_id`` and ``span_id`` of the current span, when there is one."""
    context = trace.get_current_span().get_span_context()
    if context.is_valid:
        event_dict.setdefault("trace_id", format(context.trace_id, "032x"))
        event_dict.setdefault("span_id", format(context.span_id, "016x"))
    return event_dict


__all__ = ["UNTRACED_PATHS", "add_trace_context", "configure_tracing", "tracing_enabled", "tracing_plugins"]
