"""Render the Helm chart with Helm's own engine and validate what comes out.

- Rendering and lint: ``helm-python-sdk`` (Helm 4's Go SDK, no helm binary).
- Built-in kinds: the Kubernetes API schemas shipped by ``kubernetes-validate``, in strict mode
  (unknown fields fail).
- Custom resources: the CRD excerpts in ``tests/deploy/crds/`` (see its README), closed the same way.
"""

from __future__ import annotations

import copy
import functools
import json
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import helm_python as helm
import jsonschema
import yaml

REPO = Path(__file__).resolve().parents[2]
CHART = REPO / "helm" / "safecampus"
CRDS = Path(__file__).with_name("crds")
RELEASE = "sc"
NAMESPACE = "county"
#: The Kubernetes version the manifests are validated against (Helm's default capabilities).
KUBE_VERSION = "1.36"

helm.disable_logging()  # the chart's realm file is a symlink; Helm logs an INFO line for it


@dataclass(frozen=True)
class Rendered:
    """The manifests of one rendering, by kind and name."""

    manifests: tuple[dict[str, Any], ...]
    notes: str

    def of_kind(self, kind: str) -> list[dict[str, Any]]:
        return [m for m in self.manifests if m["kind"] == kind]

    def get(self, kind: str, name: str) -> dict[str, Any]:
        found = [m for m in self.of_kind(kind) if m["metadata"]["name"] == name]
        assert found, f"no {kind} {name!r}; there are {[m['metadata']['name'] for m in self.of_kind(kind)]}"
        return found[0]

    def names(self, kind: str) -> set[str]:
        return {m["metadata"]["name"] for m in self.of_kind(kind)}

    def component(self, kind: str, component: str) -> dict[str, Any]:
        return self.get(kind, f"{RELEASE}-safecampus-{component}")

    def pod_specs(self) -> Iterator[tuple[dict[str, Any], dict[str, Any]]]:
        """(workload, pod spec) of every Deployment and Job."""
        for manifest in self.manifests:
            if manifest["kind"] in ("Deployment", "Job"):
                yield manifest, manifest["spec"]["template"]["spec"]


@functools.cache
def chart() -> helm.Chart:
    return helm.Chart.load(str(CHART))


def values_file(name: str) -> dict[str, Any]:
    """A values file of the chart's ci/ folder."""
    return dict(yaml.safe_load((CHART / "ci" / name).read_text()))


def render(values: Mapping[str, Any] | None = None, *, install: bool = True, name: str = RELEASE) -> Rendered:
    """Render as `helm install` (or `helm upgrade` with install=False) would (a fresh copy each call)."""
    manifests, notes = _render(json.dumps(values or {}, sort_keys=True), install, name)
    return Rendered(copy.deepcopy(manifests), notes)


@functools.lru_cache(maxsize=64)
def _render(values: str, install: bool, name: str) -> tuple[tuple[dict[str, Any], ...], str]:
    flags = {"is_install": True} if install else {"is_upgrade": True}
    output = chart().render(json.loads(values), name=name, namespace=NAMESPACE, **flags)
    manifests: list[dict[str, Any]] = []
    notes = ""
    for path, text in sorted(output.items()):
        if path.endswith("NOTES.txt"):
            notes = text
            continue
        manifests += [doc for doc in yaml.safe_load_all(text) if doc]
    return tuple(manifests), notes


def set_path(values: dict[str, Any], dotted: str, value: Any) -> dict[str, Any]:
    """``values`` with ``a.b.c`` set (intermediate maps created)."""
    node = values
    *parents, last = dotted.split(".")
    for key in parents:
        node = node.setdefault(key, {})
    node[last] = value
    return values


# --- validation -----------------------------------------------------------------------------------------
class UnknownKind(AssertionError):
    """Neither Kubernetes nor the CRD excerpts know this kind."""


def validate(manifest: dict[str, Any]) -> None:
    """Raise when ``manifest`` does not validate (built-in or custom kind)."""
    group_version = manifest["apiVersion"]
    custom = _custom_schemas().get((group_version, manifest["kind"]))
    if custom is not None:
        jsonschema.Draft202012Validator(custom).validate(manifest)
        return
    _builtin_validator(group_version, manifest["kind"]).validate(manifest)


@functools.cache
def _builtin_validator(api_version: str, kind: str) -> jsonschema.Draft202012Validator:
    """kubernetes-validate's strict schema of one kind, loaded once (its validate() rereads the files)."""
    from kubernetes_validate import utils
    from referencing import Registry, Resource

    version = [v for v in utils.all_versions() if utils.major_minor(v) <= KUBE_VERSION][-1]
    directory = f"kubernetes-json-schema/v{version}-local-strict"
    group = re.sub(r"^([^./]*)(?:\.[^/]*)?/", r"\1-", api_version)
    try:
        schema = utils.schema_contents(f"{directory}/{kind.lower()}-{group}.json", version)
    except FileNotFoundError as missing:
        raise UnknownKind(f"no schema for {api_version} {kind}") from missing
    registry = Resource.from_contents(_builtin_definitions(directory, version)) @ Registry()
    registry = Resource.from_contents(schema) @ registry
    return jsonschema.Draft202012Validator(schema, registry=registry)


@functools.cache
def _builtin_definitions(directory: str, version: str) -> Any:
    from kubernetes_validate import utils

    return utils.schema_contents(f"{directory}/_definitions.json", version)


@functools.cache
def _custom_schemas() -> dict[tuple[str, str], dict[str, Any]]:
    schemas = {}
    for path in sorted(CRDS.glob("*.yaml")):
        group, _, version = path.stem.rpartition("_")
        for kind, schema in yaml.safe_load(path.read_text()).items():
            schema = _closed(copy.deepcopy(schema))
            schema.setdefault("properties", {}).update(
                {
                    "apiVersion": {"const": f"{group}/{version}"},
                    "kind": {"const": kind},
                    "metadata": {
                        "type": "object",
                        "required": ["name"],
                        "properties": {
                            "name": {"type": "string", "pattern": "^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$"}
                        },
                    },
                }
            )
            schemas[(f"{group}/{version}", kind)] = schema
    return schemas


def _closed(node: Any) -> Any:
    """The Kubernetes structural-schema extensions in JSON Schema terms; objects closed."""
    if isinstance(node, list):
        return [_closed(item) for item in node]
    if not isinstance(node, dict):
        return node
    node = {key: _closed(value) for key, value in node.items()}
    if node.pop("x-kubernetes-int-or-string", False):
        node["type"] = ["integer", "string"]
    preserve = node.pop("x-kubernetes-preserve-unknown-fields", False)
    if "properties" in node and "additionalProperties" not in node and not preserve:
        node["additionalProperties"] = False
    return node
