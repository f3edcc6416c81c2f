"""What ``bench/generate`` and ``bench/run`` share: where the bench database is, its stable ids, and the
scale of a data set."""

from __future__ import annotations

import hashlib
import os
import uuid
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

REPO = Path(__file__).resolve().parents[1]
DEFAULT_DB = "safecampus_bench"


def stable_id(*parts: object) -> uuid.UUID:
    """The id a generated row always gets (``md5(text)::uuid`` in SQL gives the same), so reruns find it."""
    return uuid.UUID(hashlib.md5(":".join(str(p) for p in parts).encode()).hexdigest())  # noqa: S324


def admin_url() -> str:
    """``ADMIN_DATABASE_URL``, or else ``make run``'s embedded cluster (started if it is not running)."""
    url = os.environ.get("ADMIN_DATABASE_URL")
    if not url:
        from safecampus import embedded_postgres

        url = embedded_postgres.start(REPO / ".data" / "postgres", embedded_postgres.default_port())
        os.environ["ADMIN_DATABASE_URL"] = url
    return url


def with_database(url: str, dbname: str, *, user: bool = True) -> str:
    """``url`` pointing at ``dbname``; without ``user`` the user name (and password) is left out, as the
    services expect in ``DATABASE_URL`` (each process picks its own role)."""
    parts = urlsplit(url)
    netloc = parts.netloc if user else parts.netloc.rpartition("@")[2]
    return urlunsplit((parts.scheme, netloc, f"/{dbname}", parts.query, ""))


def with_user(url: str, user: str) -> str:
    """``url`` logging in as ``user`` (no password: the bench cluster trusts loopback, as ``make run``'s)."""
    parts = urlsplit(url)
    host = parts.netloc.rpartition("@")[2]
    return urlunsplit((parts.scheme, f"{user}@{host}", parts.path, parts.query, ""))


def point_settings_at(dbname: str) -> None:
    """Make every SafeCampus setting read in this process (and its children) use the bench database."""
    os.environ["DATABASE_URL"] = with_database(admin_url(), dbname, user=False)
    os.environ["ADMIN_DATABASE_URL"] = admin_url()
    os.environ["SAFECAMPUS_DB_NAME"] = dbname
    from kit.settings import get_settings

    get_settings.cache_clear()


@dataclass(frozen=True, slots=True)
class Scale:
    """How big a data set is. Staff, hazards and visits are totals per county, spread evenly over its
    schools; the evaluation has ``indicators`` per school."""

    counties: int = 1
    schools: int = 300
    staff: int = 30_000
    hazards: int = 1_000_000
    visits: int = 2_000_000
    indicators: int = 60
    #: Label of the data set (several can live in one database: growth runs use 30/300/3,000 schools).
    label: str = "bench"

    def per_school(self, total: int) -> int:
        return max(1, total // self.schools)

    def county_id(self, county: int) -> uuid.UUID:
        return stable_id(self.label, "county", county)

    def county_code(self, county: int) -> str:
        return f"{self.label}{county:02d}"

    def school_code(self, county: int, school: int) -> str:
        return f"{self.label}{county:02d}s{school:04d}"

    def school_id(self, county: int, school: int) -> uuid.UUID:
        return stable_id(self.label, "school", county, school)

    def campaign_id(self, county: int) -> uuid.UUID:
        return stable_id(self.label, "campaign", county)
