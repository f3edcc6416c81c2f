"""Helpers every service's Alembic environment uses: schema, ownership and grants."""

from __future__ import annotations

from typing import Any

from sqlalchemy import MetaData, create_engine, pool, text
from sqlalchemy.engine import Connection

from tenants.roles import OWNER, app_role


def prepare_schema(connection: Connection, schema: str) -> None:
    """Act as the owner role and make sure ``schema`` exists with its app role's grants.

    Run by the migrator before Alembic touches the schema, so that every object it creates belongs to
    the owner role and the service's app role can use (but never own or alter) it.
    """
    role = app_role(schema)
    connection.execute(text(f"SET ROLE {OWNER}"))
    connection.execute(text(f"CREATE SCHEMA IF NOT EXISTS {schema}"))
    connection.execute(text(f"GRANT USAGE ON SCHEMA {schema} TO {role}"))
    connection.execute(
        text(
            f"ALTER DEFAULT PRIVILEGES FOR ROLE {OWNER} IN SCHEMA {schema} "
            f"GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO {role}"
        )
    )
    connection.execute(
        text(
            f"ALTER DEFAULT PRIVILEGES FOR ROLE {OWNER} IN SCHEMA {schema} GRANT USAGE, SELECT ON SEQUENCES TO {role}"
        )
    )
    connection.commit()


def finish_schema(connection: Connection, schema: str) -> None:
    """After migrations: the app role may read Alembic's version table but never change it."""
    role = app_role(schema)
    connection.execute(text(f"SET ROLE {OWNER}"))
    connection.execute(text(f"REVOKE ALL ON {schema}.alembic_version FROM {role}"))
    connection.execute(text(f"GRANT SELECT ON {schema}.alembic_version TO {role}"))
    connection.execute(text("RESET ROLE"))
    connection.commit()


def run_service_migrations(context: Any, schema: str, metadata: MetaData) -> None:
    """The body of every service's Alembic ``env.py``: as the owner role, in the service's own schema and
    version table, then the app role's grants on the version table put right."""
    engine = create_engine(context.config.get_main_option("sqlalchemy.url") or "", poolclass=pool.NullPool)
    with engine.connect() as connection:
        prepare_schema(connection, schema)
        context.configure(
            connection=connection,
            target_metadata=metadata,
            version_table_schema=schema,
            include_schemas=False,
            transaction_per_migration=False,
        )
        with context.begin_transaction():
            context.run_migrations()
        connection.execute(text("RESET ROLE"))
        connection.commit()
        finish_schema(connection, schema)
