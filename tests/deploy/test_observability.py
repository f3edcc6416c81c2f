"""What operators watch: the metrics the services export, the Grafana dashboard and the alerts built on
them, and the opt-in OpenTelemetry traces (kit.tracing)."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from litestar import Litestar, get
from litestar.testing import TestClient
from opentelemetry import trace
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from kit.tracing import add_trace_context, configure_tracing, tracing_enabled, tracing_plugins
from tests.deploy.manifests import CHART, render

DASHBOARD = json.loads((CHART / "dashboards" / "safecampus.json").read_text())
#: Metrics that services not built yet will export (documented in the chart README).
PROMISED = {"safecampus_hazards_overdue"}
METRIC = re.compile(r"\b(safecampus_[a-z_]+|rabbitmq_[a-z_]+|cnpg_[a-z_]+|kube_[a-z_]+)\b")


def dashboard_exprs() -> list[str]:
    return [t["expr"] for p in DASHBOARD["panels"] for t in p.get("targets", [])]


def alert_rules() -> list[dict[str, Any]]:
    (rule,) = render().of_kind("PrometheusRule")
    return [r for group in rule["spec"]["groups"] for r in group["rules"]]


def _base(name: str) -> str:
    return re.sub(r"_(bucket|sum|count)$", "", name)


async def test_the_metrics_the_dashboard_and_alerts_query_are_the_ones_the_services_export(
    app_client: Any,
) -> None:
    await app_client.get("/health/live")
    await app_client.get("/county")  # a 401 is counted too
    response = await app_client.get("/metrics")
    assert response.status_code == 200
    exported = {_base(m) for m in re.findall(r"^(safecampus_[a-z_]+)", response.text, re.MULTILINE)}
    assert {"safecampus_http_requests_total", "safecampus_http_request_duration_seconds"} <= exported
    queried = {
        _base(m)
        for expr in [*dashboard_exprs(), *(r["expr"] for r in alert_rules())]
        for m in METRIC.findall(expr)
    }
    ours = {m for m in queried if m.startswith("safecampus_")}
    assert ours - exported == PROMISED
    assert 'service="schools"' in response.text  # the label the dashboard groups by


def test_the_dashboard_shows_request_rates_latencies_queue_depth_and_overdue_hazards() -> None:
    exprs = "\n".join(dashboard_exprs())
    assert "rate(safecampus_http_requests_total" in exprs
    assert (
        "histogram_quantile(0.95, sum by (service, le) (rate(safecampus_http_request_duration_seconds_bucket"
        in exprs
    )
    assert "rabbitmq_detailed_queue_messages_ready" in exprs
    assert "safecampus_hazards_overdue" in exprs
    ids = [p["id"] for p in DASHBOARD["panels"]]
    assert len(ids) == len(set(ids))
    assert {v["name"] for v in DASHBOARD["templating"]["list"]} == {"datasource", "namespace"}
    for panel in DASHBOARD["panels"]:
        for target in panel.get("targets", []):
            assert 'namespace="$namespace"' in target["expr"], target["expr"]


def test_the_chart_ships_the_dashboard_unchanged_for_the_grafana_sidecar() -> None:
    dashboards = [c for c in render().of_kind("ConfigMap") if "safecampus.json" in c.get("data", {})]
    (dashboard,) = dashboards
    assert dashboard["metadata"]["labels"]["grafana_dashboard"] == "1"
    assert json.loads(dashboard["data"]["safecampus.json"]) == DASHBOARD


def test_every_alert_has_a_severity_a_summary_and_a_bounded_duration() -> None:
    rules = alert_rules()
    names = {r["alert"] for r in rules}
    assert {
        "SafeCampusHighErrorRate",
        "SafeCampusSlowRequests",
        "SafeCampusQueueBacklog",
        "SafeCampusDeadLetters",
        "SafeCampusMigrationFailed",
        "SafeCampusPostgresBackupTooOld",
    } <= names
    for rule in rules:
        assert rule["labels"]["severity"] in {"critical", "warning", "info"}, rule["alert"]
        assert rule["annotations"]["summary"], rule["alert"]
        assert 'namespace="county"' in rule["expr"], rule["alert"]
        assert rule["expr"].count("(") == rule["expr"].count(")"), rule["alert"]


def test_alert_thresholds_come_from_the_values() -> None:
    values = {"monitoring": {"alerts": {"errorRatio": 0.02, "queueBacklog": 50}}}
    (rule,) = render(values).of_kind("PrometheusRule")
    exprs = {r["alert"]: r["expr"] for g in rule["spec"]["groups"] for r in g["rules"]}
    assert exprs["SafeCampusHighErrorRate"].rstrip().endswith("> 0.02")
    assert exprs["SafeCampusQueueBacklog"].rstrip().endswith("> 50")


# --- traces ---------------------------------------------------------------------------------------------
def test_tracing_is_off_without_an_otlp_endpoint() -> None:
    assert tracing_enabled({}) is False
    assert configure_tracing("schools", environ={}) is None
    assert tracing_enabled({"OTEL_EXPORTER_OTLP_ENDPOINT": "http://collector:4318"}) is True


def test_with_tracing_on_each_request_is_a_span_of_its_service_and_health_checks_are_not() -> None:
    exporter = InMemorySpanExporter()
    provider = configure_tracing(
        "schools", environ={"OTEL_SERVICE_NAME": "safecampus-schools"}, exporter=exporter
    )
    assert provider is not None

    @get("/schools", sync_to_thread=False)
    def schools() -> list[str]:
        return ["school A"]

    @get("/health/live", sync_to_thread=False)
    def live() -> dict[str, str]:
        return {"status": "ok"}

    app = Litestar([schools, live], plugins=tracing_plugins("schools", provider=provider))
    with TestClient(app) as client:
        assert client.get("/schools").status_code == 200
        assert client.get("/health/live").status_code == 200
    provider.force_flush()
    spans = exporter.get_finished_spans()
    servers = [s for s in spans if s.kind == trace.SpanKind.SERVER]
    assert [s.attributes["http.target"] for s in servers] == ["/schools"]
    assert servers[0].attributes["http.status_code"] == 200
    assert servers[0].resource.attributes["service.name"] == "safecampus-schools"
    assert servers[0].resource.attributes["service.namespace"] == "safecampus"


def test_log_lines_inside_a_span_carry_its_trace_and_span_ids() -> None:
    provider = configure_tracing("schools", environ={}, exporter=InMemorySpanExporter())
    assert provider is not None
    with provider.get_tracer("test").start_as_current_span("work") as span:
        event = add_trace_context(None, "info", {"event": "done"})
        context = span.get_span_context()
    assert event["trace_id"] == format(context.trace_id, "032x")
    assert event["span_id"] == format(context.span_id, "016x")
    assert "trace_id" not in add_trace_context(None, "info", {"event": "outside"})


@pytest.mark.parametrize("component", ["schools", "worker", "scheduler"])
def test_each_component_names_its_traces_after_itself(component: str) -> None:
    values = {"tracing": {"enabled": True}}
    workload = render(values).component("Deployment", component)
    env = {e["name"]: e for e in workload["spec"]["template"]["spec"]["containers"][0]["env"]}
    assert env["OTEL_SERVICE_NAME"]["value"] == f"safecampus-{component}"
