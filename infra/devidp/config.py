"""Settings of the dev identity server, read from the environment (or given by a test)."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

from sqlalchemy.engine import make_url

#: The repository root, found from this package's location (``infra/devidp/config.py``).
REPO_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_REALM_FILE = REPO_ROOT / "infra" / "keycloak" / "realm-safecampus.json"
#: The port ``kit.settings`` expects a local Keycloak on.
DEFAULT_PORT = 8180
#: The database role that owns schema ``idp`` (see ``tenants.roles.IDP_ROLE``).
DATABASE_ROLE = "safecampus_idp"
DEFAULT_DATABASE_URL = "postgresql://127.0.0.1:5432/safecampus"
ENVIRONMENTS = ("development", "test", "production")


class ConfigError(RuntimeError):
    """The dev identity server cannot run with this configuration."""


class ProductionRefusedError(ConfigError):
    """SAFECAMPUS_ENV=production: the dev identity server never runs there."""

    def __init__(self) -> None:
        super().__init__(
            "the dev identity server refuses to start with SAFECAMPUS_ENV=production: it is for development "
            "and tests only. Run Keycloak with infra/keycloak/realm-safecampus.json instead."
        )


@dataclass(frozen=True, slots=True)
class IdpConfig:
    """Everything the dev identity server needs; lifetimes left ``None`` come from the realm file."""

    #: ``postgresql://safecampus_idp@host:port/db`` (``+asyncpg`` is accepted and ignored).
    database_url: str
    env: str = "development"
    host: str = "127.0.0.1"
    port: int = DEFAULT_PORT
    #: The base URL it advertises (issuer prefix); empty means ``http://{host}:{port}``.
    public_url: str = ""
    realm_file: Path = DEFAULT_REALM_FILE
    access_token_lifespan: int | None = None
    access_code_lifespan: int | None = None
    sso_session_idle_timeout: int | None = None
    sso_session_max_lifespan: int | None = None
    #: How many RS256 keys the JWKS publishes: the active one and the ones before it.
    published_keys: int = 2
    #: Values for ``${NAME}`` placeholders of the realm file; ``None`` means the process environment.
    placeholders: Mapping[str, str] | None = None
    #: Brute-force protection: ``None`` keeps the realm's ``failureFactor`` / ``waitIncrementSeconds``.
    failure_factor: int | None = None
    wait_increment_seconds: int | None = None
    #: Failed logins one client address may make in ``address_failure_window`` seconds (any usernames).
    address_failure_limit: int = 100
    address_failure_window: int = 300

    @property
    def base_url(self) -> str:
        return (self.public_url or f"http://{self.host}:{self.port}").rstrip("/")

    @property
    def allows_generated_secrets(self) -> bool:
        return self.env in ("development", "test")

    @property
    def asyncpg_dsn(self) -> str:
        url = make_url(self.database_url)
        return url.set(drivername="postgresql").render_as_string(hide_password=False)

    def check(self) -> None:
        """Refuse production and nonsense values."""
        if self.env == "production":
            raise ProductionRefusedError()
        if self.env not in ENVIRONMENTS:
            raise ConfigError(f"SAFECAMPUS_ENV must be one of {', '.join(ENVIRONMENTS)}, not {self.env!r}")
        if self.published_keys < 1:
            raise ConfigError("published_keys must be at least 1")
        for name in (
            "access_token_lifespan",
            "access_code_lifespan",
            "sso_session_idle_timeout",
            "failure_factor",
            "wait_increment_seconds",
        ):
            value = getattr(self, name)
            if value is not None and value <= 0:
                raise ConfigError(f"{name} must be positive")

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None, **overrides: Any) -> IdpConfig:
        """Read ``SAFECAMPUS_ENV``, ``IDP_*`` and ``DATABASE_URL``; keyword arguments win over them.

        Raises :class:`ProductionRefusedError` for ``SAFECAMPUS_ENV=production``.
        """
        env = os.environ if environ is None else environ
        known = {f.name for f in fields(cls)}
        unknown = set(overrides) - known
        if unknown:
            raise ConfigError(f"unknown dev identity server settings: {', '.join(sorted(unknown))}")

        def text(name: str, default: str = "") -> str:
            return env.get(name, default).strip()

        def number(name: str) -> int | None:
            raw = text(name)
            if not raw:
                return None
            try:
                return int(raw)
            except ValueError as exc:
                raise ConfigError(f"{name} must be an integer, not {raw!r}") from exc

        values: dict[str, Any] = {
            "env": text("SAFECAMPUS_ENV", "development"),
            "database_url": text("IDP_DATABASE_URL") or idp_database_url(text("DATABASE_URL")),
            "host": text("IDP_HOST", "127.0.0.1"),
            "port": number("IDP_PORT") or DEFAULT_PORT,
            "public_url": text("IDP_PUBLIC_URL"),
            "realm_file": Path(text("IDP_REALM_FILE")) if text("IDP_REALM_FILE") else DEFAULT_REALM_FILE,
            "access_token_lifespan": number("IDP_ACCESS_TOKEN_LIFESPAN"),
            "access_code_lifespan": number("IDP_ACCESS_CODE_LIFESPAN"),
            "sso_session_idle_timeout": number("IDP_SSO_SESSION_IDLE_TIMEOUT"),
            "sso_session_max_lifespan": number("IDP_SSO_SESSION_MAX_LIFESPAN"),
            "published_keys": number("IDP_PUBLISHED_KEYS") or 2,
            "failure_factor": number("IDP_FAILURE_FACTOR"),
            "wait_increment_seconds": number("IDP_WAIT_INCREMENT_SECONDS"),
            "address_failure_limit": number("IDP_ADDRESS_FAILURE_LIMIT") or 100,
            "address_failure_window": number("IDP_ADDRESS_FAILURE_WINDOW") or 300,
        }
        values.update(overrides)
        if isinstance(values["realm_file"], str):
            values["realm_file"] = Path(values["realm_file"])
        config = cls(**values)
        config.check()
        return config


def idp_database_url(database_url: str) -> str:
    """``DATABASE_URL`` with the identity server's own login role (no password: trust or ``PGPASSWORD``)."""
    url = make_url(database_url or DEFAULT_DATABASE_URL)
    return url.set(drivername="postgresql", username=DATABASE_ROLE, password=None).render_as_string(
        hide_password=False
    )
