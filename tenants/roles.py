"""Database roles and the one-time bootstrap of a SafeCampus database (run by an administrator).

- ``safecampus_owner`` (NOLOGIN) owns every table; nobody logs in as it.
- ``safecampus_migrator`` runs Alembic (``SET ROLE safecampus_owner`` so that objects belong to the
  owner) and the operator commands; it alone may bypass RLS, and no service ever connects as it.
- one app role per service (``safecampus_schools``, ...): LOGIN, NOSUPERUSER, NOBYPASSRLS, not an owner,
  with grants on its own schema only.
- ``safecampus_idp`` owns schema ``idp`` for the dev identity server; ``safecampus_broker`` owns schema
  ``dramatiq`` for the Postgres-backed message broker.
"""

from __future__ import annotations

from collections.abc import Mapping

OWNER = "safecampus_owner"
MIGRATOR = "safecampus_migrator"
IDP_ROLE = "safecampus_idp"
BROKER_ROLE = "safecampus_broker"

#: Every service that owns a schema. The schema is named after the service.
SERVICES: tuple[str, ...] = ("schools", "personnel", "hazards", "evaluation")


def app_role(service: str) -> str:
    """The login role a service's API and workers connect as."""
    if service not in SERVICES:
        raise KeyError(f"unknown service {service!r}")
    return f"safecampus_{service}"


def _quote_literal(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def _ensure_role(name: str, attributes: str, password: str | None) -> str:
    pw = f" PASSWORD {_quote_literal(password)}" if password else ""
    return (
        "DO $$ BEGIN "
        f"IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = {_quote_literal(name)}) THEN "
        f"CREATE ROLE {name} {attributes}{pw}; "
        f"ELSE ALTER ROLE {name} {attributes}{pw}; END IF; END $$"
    )


def cluster_sql(passwords: Mapping[str, str] | None = None) -> list[str]:
    """Statements that create or correct the roles (cluster-wide; run once per cluster)."""
    pw = passwords or {}
    app = "LOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE NOINHERIT"
    statements = [
        _ensure_role(OWNER, "NOLOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE", None),
        _ensure_role(
            MIGRATOR, "LOGIN NOSUPERUSER BYPASSRLS NOCREATEDB NOCREATEROLE INHERIT", pw.get(MIGRATOR)
        ),
        f"GRANT {OWNER} TO {MIGRATOR}",
        _ensure_role(IDP_ROLE, app, pw.get(IDP_ROLE)),
        _ensure_role(BROKER_ROLE, app, pw.get(BROKER_ROLE)),
    ]
    statements += [_ensure_role(app_role(s), app, pw.get(app_role(s))) for s in SERVICES]
    return statements


def database_grants_sql(dbname: str) -> list[str]:
    """Statements run in the cluster for one database (after it exists)."""
    logins = [MIGRATOR, IDP_ROLE, BROKER_ROLE, *(app_role(s) for s in SERVICES)]
    return [
        f'GRANT CONNECT, CREATE ON DATABASE "{dbname}" TO {OWNER}',
        *(f'GRANT CONNECT ON DATABASE "{dbname}" TO {role}' for role in logins),
        # The Postgres broker's installer runs CREATE SCHEMA IF NOT EXISTS, which needs the privilege.
        f'GRANT CREATE ON DATABASE "{dbname}" TO {BROKER_ROLE}',
    ]


def in_database_sql() -> list[str]:
    """Statements run inside the SafeCampus database (as an administrator)."""
    return [
        "REVOKE CREATE ON SCHEMA public FROM PUBLIC",
        f"CREATE SCHEMA IF NOT EXISTS idp AUTHORIZATION {IDP_ROLE}",
        f"CREATE SCHEMA IF NOT EXISTS dramatiq AUTHORIZATION {BROKER_ROLE}",
        # The tenancy kernel's own objects (shared functions used by policies live in each schema).
        f"CREATE SCHEMA IF NOT EXISTS tenancy AUTHORIZATION {OWNER}",
    ]
