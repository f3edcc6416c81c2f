"""The single-host trial (compose.yaml), read as Compose reads it (no Docker engine here to run it): the
same image and entry point as the chart, official images for the dependencies, no secret in the file."""

from __future__ import annotations

import re
import subprocess
from typing import Any

import pytest
import yaml

from tests.deploy.manifests import REPO

COMPOSE: dict[str, Any] = yaml.safe_load((REPO / "compose.yaml").read_text())
SERVICES: dict[str, Any] = COMPOSE["services"]
DEPENDENCIES = {"postgres", "rabbitmq", "keycloak", "mailpit"}
OURS = {name: spec for name, spec in SERVICES.items() if name not in DEPENDENCIES}


def entrypoint_components() -> set[str]:
    text = (REPO / "infra" / "docker" / "entrypoint").read_text()
    return {
        word.strip()
        for line in re.findall(r"^\s+([a-z |-]+)\)$", text, re.MULTILINE)
        for word in line.split("|")
    }


def test_every_safecampus_container_runs_the_one_image_through_its_entry_point() -> None:
    assert set(OURS) >= {"db-bootstrap", "db-migrate", "schools", "worker", "scheduler", "portal"}
    components = entrypoint_components()
    for name, spec in OURS.items():
        assert spec["image"] == "${SAFECAMPUS_IMAGE:-safecampus:0.1.0}", name
        (component,) = spec["command"]
        assert component in components, name
        assert spec["user"] == "10001:10001" and spec["read_only"] is True and spec["cap_drop"] == ["ALL"], (
            name
        )
    built = [name for name, spec in OURS.items() if "build" in spec]
    assert built == ["db-bootstrap"] and OURS["db-bootstrap"]["build"]["dockerfile"] == "Dockerfile"


def test_dependencies_come_from_their_official_images_at_exact_versions() -> None:
    images = {name: SERVICES[name]["image"] for name in DEPENDENCIES}
    assert images["postgres"].startswith("postgres:")
    assert images["rabbitmq"].startswith("rabbitmq:")
    assert images["keycloak"].startswith("quay.io/keycloak/keycloak:")
    for image in images.values():
        assert re.search(r":v?\d+\.\d+(\.\d+)?(-[a-z]+)*$", image), (
            image
        )  # PostgreSQL releases are major.minor


def test_startup_order_is_bootstrap_then_migrations_then_the_services() -> None:
    assert OURS["db-migrate"]["depends_on"] == {
        "db-bootstrap": {"condition": "service_completed_successfully"}
    }
    assert OURS["db-bootstrap"]["depends_on"]["postgres"] == {"condition": "service_healthy"}
    for name in ("schools", "worker", "scheduler", "hazards", "personnel", "evaluation", "portal"):
        depends = OURS[name]["depends_on"]
        assert depends["db-migrate"] == {"condition": "service_completed_successfully"}, name
        assert depends["keycloak"] == {"condition": "service_healthy"}, name
    for name in ("postgres", "rabbitmq", "keycloak", "schools"):
        assert "healthcheck" in SERVICES[name], name


def test_keycloak_imports_the_realm_file_of_the_repository() -> None:
    keycloak = SERVICES["keycloak"]
    assert "--import-realm" in keycloak["command"]
    mounts = [volume.split(":") for volume in keycloak["volumes"]]
    assert [
        "./infra/keycloak/realm-safecampus.json",
        "/opt/keycloak/data/import/realm-safecampus.json",
        "ro",
    ] in mounts
    # The services check tokens against the issuer Keycloak advertises.
    assert keycloak["environment"]["KC_HOSTNAME"] + "/" == OURS["schools"]["environment"]["KEYCLOAK_URL"]


def test_no_secret_is_written_into_the_compose_file() -> None:
    secretish = re.compile(r"(PASSWORD|SECRET|PASS)$")
    for name, spec in SERVICES.items():
        for key, value in (spec.get("environment") or {}).items():
            if secretish.search(key):
                assert re.fullmatch(r"\$\{[A-Z_]+:\?[^}]+\}", str(value)), (name, key)
            if "://" in str(value) and "@" in str(value):
                credentials = str(value).split("://", 1)[1].split("@", 1)[0]
                assert re.search(r"\$\{[A-Z_]+:\?[^}]+\}$", credentials), (name, key)
    example = (REPO / "infra" / "docker" / "compose" / "trial.env.example").read_text()
    required = set(re.findall(r"\$\{([A-Z_]+):\?", (REPO / "compose.yaml").read_text()))
    assert required <= set(re.findall(r"^([A-Z_]+)=", example, re.MULTILINE))


def test_only_loopback_ports_are_published() -> None:
    for name, spec in SERVICES.items():
        for port in spec.get("ports", []):
            assert str(port).startswith("127.0.0.1:"), (name, port)
    assert "ports" not in SERVICES["postgres"]


@pytest.mark.parametrize("script", ["infra/docker/entrypoint", "infra/docker/compose/postgres-init.sh"])
def test_the_shell_scripts_are_posix_sh(script: str) -> None:
    result = subprocess.run(["sh", "-n", str(REPO / script)], capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr
    assert (REPO / script).stat().st_mode & 0o111
