"""The chart's database bootstrap SQL, generated from :mod:`tenants.roles` (the one definition of the roles).

CloudNativePG runs it once, in the new cluster's SafeCampus database, as the superuser. Regenerate after
changing the roles (tests/deploy/test_chart_dependencies.py fails until the file matches):

    .venv/bin/python -m tests.deploy.bootstrap_sql > helm/safecampus/files/postgres/bootstrap.sql
"""

from __future__ import annotations

from pathlib import Path

from tenants.roles import cluster_sql, database_grants_sql, in_database_sql

CHART_FILE = (
    Path(__file__).resolve().parents[2] / "helm" / "safecampus" / "files" / "postgres" / "bootstrap.sql"
)
#: Replaced by the chart with database.name.
DB_PLACEHOLDER = "__SAFECAMPUS_DB__"


def render() -> str:
    statements = [*cluster_sql(), *database_grants_sql(DB_PLACEHOLDER), *in_database_sql()]
    header = (
        "-- Generated from tenants/roles.py by tests/deploy/bootstrap_sql.py: do not edit.\n"
        "-- Roles without passwords; CloudNativePG's managed roles set the login roles' passwords.\n"
    )
    return header + "".join(f"{statement};\n" for statement in statements)


if __name__ == "__main__":
    print(render(), end="")
