"""Which installed distributions the image does not need: the development tools and what only they pull in.

The Dockerfile installs the whole hash-checked ``requirements.txt`` (one lock for development and
production) and then removes what this prints, so the final image carries no test runner, linter or
chart tooling::

    python infra/docker/runtime_packages.py requirements.in infra/docker/dev-packages.txt

``requirements.in`` names the roots; ``dev-packages.txt`` says which of them are development-only.
Everything reachable from the other roots (extras and environment markers honoured) is kept, so a new
runtime dependency is kept without touching this script; a new development tool that is not listed in
``dev-packages.txt`` stays in the image until it is listed (bloat, never breakage).
"""

from __future__ import annotations

import sys
from collections.abc import Iterable
from importlib import metadata
from pathlib import Path

from packaging.requirements import InvalidRequirement, Requirement
from packaging.utils import NormalizedName, canonicalize_name

#: The project itself (installed editable) is always kept.
PROJECT = canonicalize_name("safecampus")


def read_requirements(path: Path) -> list[Requirement]:
    """The requirements named in a pip requirements file (comments, options and blank lines skipped)."""
    found = []
    for raw in path.read_text().splitlines():
        line = raw.split("#", 1)[0].strip()
        if not line or line.startswith("-"):
            continue
        try:
            found.append(Requirement(line))
        except InvalidRequirement as error:
            raise SystemExit(f"{path}: cannot parse {line!r}: {error}") from error
    return found


def read_names(path: Path) -> set[NormalizedName]:
    """Normalised distribution names, one a line."""
    return {req.name for req in map(_canonical, read_requirements(path))}


def _canonical(requirement: Requirement) -> Requirement:
    requirement.name = canonicalize_name(requirement.name)
    return requirement


def closure(roots: Iterable[Requirement]) -> set[NormalizedName]:
    """Every installed distribution the roots need, with the extras they ask for."""
    needed: set[NormalizedName] = set()
    seen: set[tuple[NormalizedName, frozenset[str]]] = set()
    pending = [(canonicalize_name(req.name), frozenset(req.extras)) for req in roots]
    while pending:
        name, extras = pending.pop()
        if (name, extras) in seen:
            continue
        seen.add((name, extras))
        try:
            distribution = metadata.distribution(name)
        except metadata.PackageNotFoundError:
            continue  # an optional dependency for another platform, or not installed at all
        needed.add(name)
        for spec in distribution.requires or []:
            requirement = Requirement(spec)
            if requirement.marker is not None and not any(
                requirement.marker.evaluate({"extra": extra}) for extra in ("", *extras)
            ):
                continue
            pending.append((canonicalize_name(requirement.name), frozenset(requirement.extras)))
    return needed


def installed() -> set[NormalizedName]:
    return {canonicalize_name(dist.metadata["Name"]) for dist in metadata.distributions()}


def removable(requirements_in: Path, dev_packages: Path) -> list[NormalizedName]:
    """Installed distributions that no runtime root needs, sorted."""
    dev_only = read_names(dev_packages)
    roots = [req for req in map(_canonical, read_requirements(requirements_in)) if req.name not in dev_only]
    keep = closure(roots) | {PROJECT}
    return sorted(installed() - keep)


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print("usage: runtime_packages.py REQUIREMENTS_IN DEV_PACKAGES", file=sys.stderr)
        return 64
    requirements_in, dev_packages = map(Path, argv)
    unknown = read_names(dev_packages) - {
        req.name for req in map(_canonical, read_requirements(requirements_in))
    }
    if unknown:
        print(f"{dev_packages}: not in {requirements_in}: {', '.join(sorted(unknown))}", file=sys.stderr)
        return 1
    for name in removable(requirements_in, dev_packages):
        print(name)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
