"""One settings object for every SafeCampus process, read from the environment."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Literal

from sqlalchemy.engine import make_url

Environment = Literal["development", "test", "production"]

#: Secrets that only the dev identity server and local runs may use. Production refuses them.
DEV_ONLY_SECRETS = frozenset({"", "dev-only-change-me"})


class SettingsError(RuntimeError):
    """The environment does not describe a configuration SafeCampus can run with."""


def _env(name: str, default: str = "") -> str:
    return os.environ.get(name, default).strip()


@dataclass(frozen=True)
class Settings:
    """Everything a process needs to know about its surroundings."""

    env: Environment = "development"
    #: Where the database is: ``postgresql://host:port/dbname``. Roles are chosen per process.
    database_url: str = "postgresql://127.0.0.1:5432/safecampus"
    #: Per-role overrides (``<ROLE>_DATABASE_URL`` with the role's upper-cased short name).
    role_urls: dict[str, str] = field(default_factory=dict)
    #: ``amqp://...`` (RabbitMQ), ``redis://...`` or ``postgresql://...``; empty: the Postgres broker.
    broker_url: str = ""
    keycloak_url: str = "http://127.0.0.1:8180/"
    keycloak_realm: str = "safecampus"
    #: The ``aud`` every API access token must carry.
    api_audience: str = "safecampus-api"
    provisioner_client_id: str = "safecampus-provisioner"
    provisioner_client_secret: str = ""
    #: How long a fetched JWKS is trusted before it is fetched again.
    jwks_ttl_seconds: int = 300
    log_level: str = "INFO"
    log_json: bool = True
    #: Largest request body any API accepts, in bytes.
    max_request_body: int = 1_048_576
    #: Initial passwords must be changed at first login (Keycloak's UPDATE_PASSWORD). Off only for
    #: automated tests that log in with the password grant.
    temporary_passwords: bool = True

    @classmethod
    def from_env(cls) -> Settings:
        env = _env("SAFECAMPUS_ENV", "development")
        if env not in ("development", "test", "production"):
            raise SettingsError(f"SAFECAMPUS_ENV must be development, test or production, not {env!r}")
        role_urls = {
            key[: -len("_DATABASE_URL")].lower(): value
            for key, value in os.environ.items()
            if key.endswith("_DATABASE_URL") and key != "DATABASE_URL" and value
        }
        settings = cls(
            env=env,  # type: ignore[arg-type]
            database_url=_env("DATABASE_URL", cls.database_url),
            role_urls=role_urls,
            broker_url=_env("BROKER_URL"),
            keycloak_url=_env("KEYCLOAK_URL", cls.keycloak_url),
            keycloak_realm=_env("KEYCLOAK_REALM", cls.keycloak_realm),
            api_audience=_env("KEYCLOAK_AUDIENCE", cls.api_audience),
            provisioner_client_id=_env("KEYCLOAK_PROVISIONER_CLIENT_ID", cls.provisioner_client_id),
            provisioner_client_secret=_env("KEYCLOAK_PROVISIONER_CLIENT_SECRET"),
            jwks_ttl_seconds=int(_env("JWKS_TTL_SECONDS", "300")),
            log_level=_env("LOG_LEVEL", "INFO").upper(),
            log_json=_env("LOG_FORMAT", "json") != "console",
            temporary_passwords=_env("SAFECAMPUS_TEMPORARY_PASSWORDS", "true").lower()
            not in ("0", "false", "no"),
        )
        settings.check()
        return settings

    @property
    def is_production(self) -> bool:
        return self.env == "production"

    def check(self) -> None:
        """Refuse configurations that are only acceptable outside production."""
        if not self.is_production:
            return
        if self.provisioner_client_secret in DEV_ONLY_SECRETS:
            raise SettingsError("production needs KEYCLOAK_PROVISIONER_CLIENT_SECRET set to a real secret")
        if not self.temporary_passwords:
            raise SettingsError("production requires temporary initial passwords")
        if not self.keycloak_url.startswith("https://"):
            raise SettingsError("production needs KEYCLOAK_URL over https")

    @property
    def issuer(self) -> str:
        """The ``iss`` of this realm's tokens, in Keycloak's URL layout."""
        return f"{self.keycloak_url.rstrip('/')}/realms/{self.keycloak_realm}"

    def database_dsn(self, role: str, short_name: str | None = None) -> str:
        """A plain ``postgresql://`` DSN that logs in as ``role`` (asyncpg, psycopg, psql).

        ``short_name`` (``schools``, ``migrator``, ...) selects a ``<SHORT>_DATABASE_URL`` override.
        """
        key = short_name or role.removeprefix("safecampus_")
        if key in self.role_urls:
            return self.role_urls[key]
        url = make_url(self.database_url)
        return url.set(drivername="postgresql", username=role, password=None).render_as_string(
            hide_password=False
        )

    def sqlalchemy_url(self, role: str, short_name: str | None = None) -> str:
        """The same as :meth:`database_dsn`, for SQLAlchemy with asyncpg."""
        url = make_url(self.database_dsn(role, short_name))
        return url.set(drivername="postgresql+asyncpg").render_as_string(hide_password=False)


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings (read once)."""
    return Settings.from_env()
