"""Every manifest the chart renders validates: built-in kinds against the Kubernetes API schemas
(kubernetes-validate, strict), custom resources against the operators' CRD excerpts in crds/."""

from __future__ import annotations

from typing import Any

import jsonschema
import pytest

from tests.deploy.manifests import KUBE_VERSION, render, set_path, validate, values_file

VARIATIONS: dict[str, dict[str, Any]] = {
    "defaults": {},
    "production": values_file("production-values.yaml"),
    "external-dependencies": values_file("external-dependencies-values.yaml"),
    "no-postgres-cluster": set_path(
        set_path({}, "postgres.cluster.enabled", False), "database.host", "pg.example.org"
    ),
    "no-rabbitmq-cluster": set_path(
        set_path({}, "rabbitmq.cluster.enabled", False), "broker.existingSecret.name", "broker"
    ),
    "no-keycloak": set_path(
        set_path({}, "keycloak.enabled", False), "config.keycloakUrl", "https://id.example.org/"
    ),
    "no-autoscaling": set_path(
        set_path({}, "services.schools.autoscaling.enabled", False), "worker.autoscaling.enabled", False
    ),
    "no-network-policies": set_path(
        set_path({}, "networkPolicy.enabled", False), "config.trustedProxies", "10.0.0.0/8"
    ),
    "no-monitoring": {
        "monitoring": {
            "serviceMonitor": {"enabled": False},
            "prometheusRule": {"enabled": False},
            "grafanaDashboard": {"enabled": False},
        }
    },
    "no-backups": set_path({}, "postgres.cluster.backup.enabled", False),
    "restore": set_path(
        set_path({}, "postgres.cluster.recovery.enabled", True),
        "postgres.cluster.recovery.sourceServerName",
        "old",
    ),
    "no-ingress": set_path({}, "ingress.enabled", False),
    "everything-off": {
        "services": {"schools": {"enabled": False}},
        "worker": {"enabled": False},
        "scheduler": {"enabled": False},
        "migrations": {"enabled": False},
        "toolbox": {"enabled": False},
    },
}


# An upgrade renders the same manifests but for the migration hook: checked for the two main files.
CASES = [(name, True) for name in sorted(VARIATIONS)] + [("defaults", False), ("production", False)]


@pytest.mark.parametrize(
    ("variation", "install"), CASES, ids=[f"{n}-{'install' if i else 'upgrade'}" for n, i in CASES]
)
def test_every_rendered_manifest_validates(variation: str, install: bool) -> None:
    rendered = render(VARIATIONS[variation], install=install)
    failures = []
    for manifest in rendered.manifests:
        try:
            validate(manifest)
        except (jsonschema.ValidationError, AssertionError) as error:
            failures.append(f"{manifest['kind']} {manifest['metadata']['name']}: {error}")
    assert failures == [], f"against Kubernetes {KUBE_VERSION}:\n" + "\n".join(failures)


def test_the_validation_catches_a_misspelt_field_in_a_built_in_and_in_a_custom_resource() -> None:
    rendered = render()
    deployment = rendered.component("Deployment", "schools")
    deployment["spec"]["template"]["spec"]["containers"][0]["livenesProbe"] = {}
    with pytest.raises(jsonschema.ValidationError):
        validate(deployment)
    (cluster,) = rendered.of_kind("Cluster")
    cluster["spec"]["managed"]["roles"][0]["bypassRLS"] = True
    with pytest.raises(jsonschema.ValidationError):
        validate(cluster)
    (rule,) = rendered.of_kind("PrometheusRule")
    rule["spec"]["groups"][0]["rules"][0]["for"] = "ten minutes"
    with pytest.raises(jsonschema.ValidationError):
        validate(rule)


def test_the_everything_off_variation_leaves_only_dependencies() -> None:
    rendered = render(VARIATIONS["everything-off"])
    assert rendered.of_kind("Deployment") == [] and rendered.of_kind("Job") == []
    assert {m["kind"] for m in rendered.manifests} >= {"Cluster", "RabbitmqCluster", "Keycloak"}
