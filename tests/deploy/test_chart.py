"""The Helm chart, rendered with Helm's own engine: lint, the values schema, and the properties the cluster
relies on (probes, limits, non-root pods, disruption budgets, network policies, hook-run migrations,
secrets only by reference)."""

from __future__ import annotations

import base64
import re
from typing import Any

import helm_python as helm
import pytest

from tenants.roles import SERVICES
from tests.deploy.manifests import CHART, NAMESPACE, RELEASE, chart, render, set_path, values_file

HTTP_COMPONENTS = ("schools", "hazards", "personnel", "evaluation", "portal")
PRODUCTION = values_file("production-values.yaml")
EXTERNAL = values_file("external-dependencies-values.yaml")


def containers(pod_spec: dict[str, Any]) -> list[dict[str, Any]]:
    return [*pod_spec.get("initContainers", []), *pod_spec["containers"]]


def env_of(container: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {item["name"]: item for item in container.get("env", [])}


# --- lint and schema ------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "values", [{}, PRODUCTION, EXTERNAL], ids=["defaults", "production", "external-dependencies"]
)
def test_helm_lint_reports_no_errors_or_warnings(values: dict[str, Any]) -> None:
    report = helm.lint(str(CHART), values, strict=True)
    problems = [m for m in report["messages"] if m["severity"] >= 2]
    assert report["errors"] == [] and problems == [], problems


def test_the_values_schema_accepts_the_defaults_and_the_example_files() -> None:
    for values in ({}, PRODUCTION, EXTERNAL):
        chart().validate_schema(values)


@pytest.mark.parametrize(
    ("dotted", "bad"),
    [
        ("image.tag", "latest"),
        ("image.digest", "sha256:short"),
        ("secrets.session", {"name": "safecampus-session", "key": "secret", "value": "hunter2hunter2"}),
        ("secrets.keycloakProvisioner.name", ""),
        ("services.schools.autoscaling.enabled", "yes"),
        ("services.schools.kind", "daemon"),
        ("services.schools.resources", {"requests": {"cpu": "100m"}}),
        ("services.Bad_Name", {"enabled": True, "kind": "api"}),
        ("podSecurityContext.runAsNonRoot", False),
        ("securityContext.allowPrivilegeEscalation", True),
        ("database.sslMode", "sometimes"),
        ("config.environment", "staging"),
        ("postgres.cluster.backup.schedule", "0 2 * * *"),
        ("rabbitmq.cluster.replicas", 2),
        ("monitoring.alerts.errorRatio", 5),
        ("workers", {"enabled": True}),
        ("files.bucketUrl", "/var/lib/safecampus/files"),
        ("files.endpoint", "http://minio:9000"),
    ],
)
def test_the_values_schema_rejects_bad_values(dotted: str, bad: Any) -> None:
    with pytest.raises(helm.HelmValuesError):
        chart().validate_schema(set_path({}, dotted, bad))


@pytest.mark.parametrize(
    ("values", "message"),
    [
        (set_path({}, "postgres.cluster.enabled", False), "database.host is required"),
        (set_path({}, "rabbitmq.cluster.enabled", False), "broker.existingSecret.name is required"),
        (set_path({}, "keycloak.enabled", False), "config.keycloakUrl is required"),
        (set_path({}, "config.keycloakUrl", "http://id.example.org/"), "https"),
        (set_path({}, "services.portal.enabled", True), "sessionStore.name is required"),
        (set_path({}, "networkPolicy.enabled", False), "trustedProxies"),
    ],
    ids=[
        "no-database",
        "no-broker",
        "no-keycloak",
        "keycloak-over-http",
        "portal-without-session-store",
        "trusting-every-proxy-without-network-policies",
    ],
)
def test_rendering_refuses_incomplete_configurations(values: dict[str, Any], message: str) -> None:
    with pytest.raises(helm.HelmError, match=re.escape(message)):
        render(values)


# --- workloads ------------------------------------------------------------------------------------------
def test_defaults_deploy_the_built_services_the_worker_one_scheduler_and_the_migration_job() -> None:
    rendered = render()
    deployments = rendered.names("Deployment")
    assert deployments == {f"{RELEASE}-safecampus-{c}" for c in ("schools", "worker", "scheduler", "toolbox")}
    assert rendered.component("Deployment", "scheduler")["spec"]["replicas"] == 1
    assert (
        rendered.component("Deployment", "toolbox")["spec"]["replicas"] == 0
    )  # idle until an operator needs it
    assert rendered.names("Job") == {f"{RELEASE}-safecampus-migrations"}


def test_a_service_is_one_values_entry() -> None:
    values = set_path({}, "services.hazards.enabled", True)
    set_path(values, "services.inspections", {"enabled": True, "kind": "api"})
    rendered = render(values)
    for component in ("hazards", "inspections"):
        deployment = rendered.component("Deployment", component)
        container = deployment["spec"]["template"]["spec"]["containers"][0]
        assert container["args"] == [component]
        assert rendered.component("Service", component)
        assert rendered.component("PodDisruptionBudget", component)
        assert rendered.component("NetworkPolicy", component)
        # Its own database role, and nobody else's.
        assert f"{component.upper()}_DATABASE_URL" in env_of(container)
        assert "SCHOOLS_DATABASE_URL" not in env_of(container)


def test_every_http_component_is_probed_on_its_health_endpoints() -> None:
    rendered = render(PRODUCTION)
    for component in HTTP_COMPONENTS:
        container = rendered.component("Deployment", component)["spec"]["template"]["spec"]["containers"][0]
        assert container["livenessProbe"]["httpGet"]["path"] == "/health/live"
        assert container["readinessProbe"]["httpGet"]["path"] == "/health/ready"
        assert container["startupProbe"]["httpGet"]["path"] == "/health/live"
        assert {p["name"] for p in container["ports"]} == {"http"}


@pytest.mark.parametrize("values", [{}, PRODUCTION, EXTERNAL], ids=["defaults", "production", "external"])
def test_every_pod_runs_as_non_root_with_a_read_only_root_and_bounded_resources(
    values: dict[str, Any],
) -> None:
    rendered = render(values)
    workloads = list(rendered.pod_specs())
    assert workloads
    for workload, pod in workloads:
        where = f"{workload['kind']} {workload['metadata']['name']}"
        assert pod["securityContext"]["runAsNonRoot"] is True, where
        assert pod["securityContext"]["runAsUser"] != 0, where
        assert pod["securityContext"]["seccompProfile"] == {"type": "RuntimeDefault"}, where
        assert pod["automountServiceAccountToken"] is False, where
        for container in containers(pod):
            security = container["securityContext"]
            assert security["allowPrivilegeEscalation"] is False, where
            assert security["readOnlyRootFilesystem"] is True, where
            assert security["capabilities"]["drop"] == ["ALL"], where
            resources = container["resources"]
            assert {"cpu", "memory"} <= set(resources["requests"]), where
            assert "memory" in resources["limits"], where


def test_the_image_is_pinned_by_digest_when_one_is_given() -> None:
    rendered = render(PRODUCTION)
    images = {c["image"] for _, pod in rendered.pod_specs() for c in containers(pod)}
    assert images == {f"{PRODUCTION['image']['repository']}@{PRODUCTION['image']['digest']}"}
    assert {c["image"] for _, pod in render().pod_specs() for c in containers(pod)} == {"safecampus:0.1.0"}


# --- migrations -----------------------------------------------------------------------------------------
def test_migrations_run_as_a_pre_install_and_pre_upgrade_hook_as_the_migrator() -> None:
    job = render(EXTERNAL).component("Job", "migrations")
    assert job["metadata"]["annotations"]["helm.sh/hook"] == "pre-install,pre-upgrade"
    container = job["spec"]["template"]["spec"]["containers"][0]
    assert container["args"] == ["migrate"]  # the entry point runs `safecampus db migrate`
    env = env_of(container)
    assert env["SAFECAMPUS_DB_PASSWORD_MIGRATOR"]["valueFrom"]["secretKeyRef"] == {
        "name": "safecampus-db-migrator",
        "key": "password",
    }
    assert env["MIGRATOR_DATABASE_URL"]["value"].startswith(
        "postgresql://safecampus_migrator:$(SAFECAMPUS_DB_PASSWORD_MIGRATOR)@postgres.db.example.org:5432/"
    )
    # No service role: the job can do nothing but migrate.
    assert not [name for name in env if name.endswith("_DATABASE_URL") and name != "MIGRATOR_DATABASE_URL"]
    # It brings its own service account: the release's does not exist yet before an install.
    account = job["spec"]["template"]["spec"]["serviceAccountName"]
    hooks = render(EXTERNAL).get("ServiceAccount", account)["metadata"]["annotations"]
    assert hooks["helm.sh/hook"] == "pre-install,pre-upgrade"
    assert int(hooks["helm.sh/hook-weight"]) < int(job["metadata"]["annotations"]["helm.sh/hook-weight"])


def test_with_the_in_chart_database_the_first_install_migrates_once_the_cluster_exists() -> None:
    install = render().component("Job", "migrations")
    upgrade = render(install=False).component("Job", "migrations")
    assert install["metadata"]["annotations"]["helm.sh/hook"] == "post-install,pre-upgrade"
    assert "pre-upgrade" in upgrade["metadata"]["annotations"]["helm.sh/hook"].split(",")
    assert install["spec"]["backoffLimit"] >= 5  # retries until the new cluster answers


# --- availability ---------------------------------------------------------------------------------------
def test_disruption_budgets_and_autoscalers_cover_the_services_and_workers_but_not_the_scheduler() -> None:
    rendered = render(PRODUCTION)
    scaled = {*HTTP_COMPONENTS, "worker"}
    assert rendered.names("PodDisruptionBudget") == {f"{RELEASE}-safecampus-{c}" for c in scaled}
    assert rendered.names("HorizontalPodAutoscaler") == {f"{RELEASE}-safecampus-{c}" for c in scaled}
    for pdb in rendered.of_kind("PodDisruptionBudget"):
        assert pdb["spec"]["minAvailable"] == 1
        component = pdb["spec"]["selector"]["matchLabels"]["app.kubernetes.io/component"]
        assert rendered.component("Deployment", component)
    for hpa in rendered.of_kind("HorizontalPodAutoscaler"):
        assert hpa["spec"]["minReplicas"] >= 2
        assert hpa["spec"]["scaleTargetRef"]["name"] == hpa["metadata"]["name"]
        # The autoscaler owns the replica count.
        assert "replicas" not in rendered.get("Deployment", hpa["metadata"]["name"])["spec"]


def test_a_single_replica_gets_no_budget_that_would_block_node_drains() -> None:
    values = set_path({}, "services.schools", {"replicas": 1, "autoscaling": {"enabled": False}})
    rendered = render(values)
    assert f"{RELEASE}-safecampus-schools" not in rendered.names("PodDisruptionBudget")
    assert f"{RELEASE}-safecampus-worker" in rendered.names("PodDisruptionBudget")


def test_switching_autoscaling_off_gives_the_deployment_its_replicas_back() -> None:
    values = set_path({}, "services.schools.autoscaling.enabled", False)
    set_path(values, "services.schools.replicas", 3)
    set_path(values, "worker.autoscaling.enabled", False)
    rendered = render(values)
    assert rendered.of_kind("HorizontalPodAutoscaler") == []
    assert rendered.component("Deployment", "schools")["spec"]["replicas"] == 3
    assert rendered.component("Deployment", "worker")["spec"]["replicas"] == 2


# --- network ----------------------------------------------------------------------------------------------
def test_every_pod_is_denied_ingress_unless_a_policy_allows_it() -> None:
    rendered = render(PRODUCTION)
    deny = rendered.get("NetworkPolicy", f"{RELEASE}-safecampus-default-deny")
    assert deny["spec"]["policyTypes"] == ["Ingress", "Egress"]
    assert "ingress" not in deny["spec"] and "egress" not in deny["spec"]
    selector = deny["spec"]["podSelector"]["matchLabels"]
    for workload, _ in rendered.pod_specs():
        labels = workload["spec"]["template"]["metadata"]["labels"]
        assert selector.items() <= labels.items(), workload["metadata"]["name"]


def _allowed_sources(policy: dict[str, Any]) -> tuple[set[str], list[dict[str, Any]]]:
    (rule,) = policy["spec"]["ingress"]
    components = {
        peer["podSelector"]["matchLabels"]["app.kubernetes.io/component"]
        for peer in rule["from"]
        if "namespaceSelector" not in peer
    }
    namespaces = [peer["namespaceSelector"] for peer in rule["from"] if "namespaceSelector" in peer]
    return components, namespaces


def test_apis_are_reachable_only_from_the_portal_their_callers_the_ingress_and_prometheus() -> None:
    rendered = render(PRODUCTION)
    components, namespaces = _allowed_sources(rendered.component("NetworkPolicy", "schools"))
    assert components == {"portal", "worker", "evaluation"}
    assert {"matchLabels": {"kubernetes.io/metadata.name": "ingress-nginx"}} in namespaces
    assert {"matchLabels": {"kubernetes.io/metadata.name": "monitoring"}} in namespaces
    # The portal takes no calls from other components.
    components, _ = _allowed_sources(rendered.component("NetworkPolicy", "portal"))
    assert components == set()
    # Workers, the scheduler, the toolbox and the migration job accept nothing at all.
    for component in ("worker", "scheduler", "toolbox", "migrations"):
        assert f"{RELEASE}-safecampus-{component}" not in rendered.names("NetworkPolicy")


def test_an_api_without_ingress_is_not_reachable_from_the_ingress_controller() -> None:
    values = set_path({}, "services.schools.ingress.enabled", False)
    rendered = render(values)
    _, namespaces = _allowed_sources(rendered.component("NetworkPolicy", "schools"))
    assert {"matchLabels": {"kubernetes.io/metadata.name": "ingress-nginx"}} not in namespaces
    assert rendered.of_kind("Ingress") == []


def test_egress_when_restricted_allows_dns_the_database_the_broker_and_the_extra_rules() -> None:
    egress = render(PRODUCTION).get("NetworkPolicy", f"{RELEASE}-safecampus-egress")["spec"]["egress"]
    ports = [{p["port"] for p in rule["ports"]} for rule in egress]
    assert {53} in ports and {5432} in ports and {5672} in ports and {587} in ports
    assert render().names("NetworkPolicy").isdisjoint({f"{RELEASE}-safecampus-egress"})


def test_ingress_serves_the_portal_and_the_api_paths_over_tls_and_never_metrics_or_health() -> None:
    (ingress,) = render(PRODUCTION).of_kind("Ingress")
    hosts = {rule["host"]: rule for rule in ingress["spec"]["rules"]}
    assert ingress["spec"]["tls"] == [{"secretName": "safecampus-changling-tls", "hosts": sorted(hosts)}]
    portal = hosts["safecampus.changling.example.org"]["http"]["paths"]
    assert [(p["path"], p["backend"]["service"]["name"]) for p in portal] == [
        ("/", f"{RELEASE}-safecampus-portal")
    ]
    api_paths = {
        p["path"]: p["backend"]["service"]["name"]
        for p in hosts["api.safecampus.changling.example.org"]["http"]["paths"]
    }
    assert api_paths["/schools"] == f"{RELEASE}-safecampus-schools"
    assert api_paths["/hazards"] == f"{RELEASE}-safecampus-hazards"
    assert not [p for p in api_paths if p.startswith(("/metrics", "/health", "/schema")) or p == "/"]


# --- secrets ------------------------------------------------------------------------------------------------
SECRET_NAMES = re.compile(r"(SECRET|PASSWORD|TOKEN|SMTP_URL|BROKER_URL|SESSION_STORE)")


@pytest.mark.parametrize("values", [{}, PRODUCTION, EXTERNAL], ids=["defaults", "production", "external"])
def test_no_secret_value_is_written_into_any_manifest(values: dict[str, Any]) -> None:
    rendered = render(values)
    assert rendered.of_kind("Secret") == []
    for workload, pod in rendered.pod_specs():
        for container in containers(pod):
            for name, item in env_of(container).items():
                if SECRET_NAMES.search(name):
                    value = item.get("value", "")
                    # Either from a Secret, or a URL assembled from variables that come from Secrets.
                    assert "valueFrom" in item or re.fullmatch(
                        r"[^:]+://\$\([A-Z_]+\):\$\([A-Z_]+\)@.*", value
                    ), (
                        workload["metadata"]["name"],
                        name,
                    )
                if name.endswith("_DATABASE_URL") and name != "DATABASE_URL":
                    password = item["value"].split("@")[0].rsplit(":", 1)[1]
                    assert re.fullmatch(r"\$\(SAFECAMPUS_DB_PASSWORD_[A-Z]+\)", password), name
    # The realm import carries the client secrets as placeholders resolved from Secrets, not as values.
    if rendered.of_kind("KeycloakRealmImport"):
        (realm_import,) = rendered.of_kind("KeycloakRealmImport")
        secrets = {c["clientId"]: c.get("secret") for c in realm_import["spec"]["realm"]["clients"]}
        assert secrets["safecampus-portal"] == "${SAFECAMPUS_PORTAL_CLIENT_SECRET}"
        assert secrets["safecampus-provisioner"] == "${KEYCLOAK_PROVISIONER_CLIENT_SECRET}"
        assert set(realm_import["spec"]["placeholders"]) == {
            "SAFECAMPUS_PORTAL_CLIENT_SECRET",
            "KEYCLOAK_PROVISIONER_CLIENT_SECRET",
        }


def test_secret_like_strings_given_as_values_never_reach_the_output() -> None:
    """Values carry Secret names only; a name that looks like a value shows up as a name, nothing more."""
    marker = base64.b32encode(b"not-a-real-secret").decode().lower().strip("=")
    values = set_path({}, "secrets.session.name", f"session-{marker[:20]}")
    set_path(values, "services.portal", {"enabled": True, "replicas": 1, "autoscaling": {"enabled": False}})
    portal = render(values).component("Deployment", "portal")["spec"]["template"]["spec"]["containers"][0]
    assert env_of(portal)["SAFECAMPUS_SESSION_SECRET"]["valueFrom"]["secretKeyRef"]["name"].startswith(
        "session-"
    )


def test_each_component_gets_only_the_database_roles_it_connects_as() -> None:
    rendered = render(
        set_path({}, "services.portal", {"enabled": True, "replicas": 1, "autoscaling": {"enabled": False}})
    )

    def roles(component: str, kind: str = "Deployment") -> set[str]:
        container = rendered.component(kind, component)["spec"]["template"]["spec"]["containers"][0]
        return {
            name.removesuffix("_DATABASE_URL").lower()
            for name in env_of(container)
            if name.endswith("_DATABASE_URL") and name != "DATABASE_URL"
        }

    assert roles("schools") == {"schools"}
    assert roles("worker") == set(SERVICES)  # the worker runs every service's jobs as that service
    assert roles("portal") == set()
    assert roles("migrations", "Job") == {"migrator"}
    assert roles("toolbox") == {"migrator", *SERVICES}  # operator commands run as the migrator


def test_every_component_reaches_the_in_chart_broker_and_database_over_tls() -> None:
    rendered = render()
    for _, pod in rendered.pod_specs():
        env = env_of(pod["containers"][0])
        assert env["BROKER_URL"]["value"] == (
            f"amqp://$(RABBITMQ_USERNAME):$(RABBITMQ_PASSWORD)@{RELEASE}-safecampus-mq.{NAMESPACE}.svc:5672/%2F"
        )
        assert env["PGSSLMODE"]["value"] == "verify-full"
        assert env["PGSSLROOTCERT"]["value"] == "/etc/safecampus/postgres-ca/ca.crt"
        assert env["KEYCLOAK_URL"]["value"] == "https://id.safecampus.example.org/"
        volumes = {v["name"]: v for v in pod["volumes"]}
        assert volumes["postgres-ca"]["secret"]["secretName"] == f"{RELEASE}-safecampus-db-ca"


def test_every_component_keeps_uploads_in_the_same_bucket_with_credentials_by_reference() -> None:
    for _, pod in render().pod_specs():
        env = env_of(pod["containers"][0])
        assert env["SAFECAMPUS_FILES_URL"]["value"] == "s3://safecampus-files"
        assert env["SAFECAMPUS_S3_SECRET_ACCESS_KEY"]["valueFrom"]["secretKeyRef"] == {
            "name": "safecampus-files-s3",
            "key": "secret-access-key",
        }
    workload_identity = render(set_path({}, "files.credentials.name", ""))
    for _, pod in workload_identity.pod_specs():
        assert "SAFECAMPUS_S3_ACCESS_KEY_ID" not in env_of(pod["containers"][0])


def test_traces_are_exported_only_when_tracing_is_enabled() -> None:
    default_env = env_of(
        render().component("Deployment", "schools")["spec"]["template"]["spec"]["containers"][0]
    )
    assert "OTEL_EXPORTER_OTLP_ENDPOINT" not in default_env
    env = env_of(
        render(PRODUCTION).component("Deployment", "schools")["spec"]["template"]["spec"]["containers"][0]
    )
    assert env["OTEL_EXPORTER_OTLP_ENDPOINT"]["value"] == "http://otel-collector.monitoring.svc:4318"
    assert env["OTEL_SERVICE_NAME"]["value"] == "safecampus-schools"


# --- documentation --------------------------------------------------------------------------------------
#: Values whose content is a Kubernetes object or a map of settings: documented as one key.
DOCUMENTED_AS_ONE = {
    "resources",
    "annotations",
    "labels",
    "nodeSelector",
    "affinity",
    "parameters",
    "podSecurityContext",
    "securityContext",
    "namespaceSelector",
    "podSelector",
    "probes",
    "podAnnotations",
    "s3Credentials",
    "autoscaling",
    "pdb",
    "storage",
    "walStorage",
    "persistence",
    "alerts",
}


def _value_keys(node: Any, path: str = "") -> list[str]:
    last = path.rsplit(".", 1)[-1]
    if isinstance(node, dict) and node and last not in DOCUMENTED_AS_ONE and not path.startswith("services."):
        return [
            key
            for name, value in node.items()
            for key in _value_keys(value, f"{path}.{name}" if path else name)
        ]
    return [path]


def _documented_keys() -> set[str]:
    readme = (CHART / "README.md").read_text()
    section = readme.split("## Values", 1)[1].split("\n## ", 1)[0]
    keys: set[str] = set()
    for line in section.splitlines():
        if not line.startswith("| `"):
            continue
        tokens = re.findall(r"`([^`]+)`", line.split(" | ")[0])
        parent = tokens[0].rsplit(".", 1)[0]
        keys |= {parent + token if token.startswith(".") else token for token in tokens}
    return keys


def test_every_value_is_documented_in_the_chart_readme() -> None:
    import yaml

    values = yaml.safe_load((CHART / "values.yaml").read_text())
    missing = [key for key in _value_keys(values) if key not in _documented_keys()]
    assert missing == []
