"""Alembic environment of the hazards service: own schema, own version table, run as the owner role."""

from __future__ import annotations

from alembic import context
from sqlalchemy import create_engine, pool, text

import hazards.domain.directory.models
import hazards.domain.escalation.models
import hazards.domain.hazards.models
import hazards.domain.incidents.models
import hazards.domain.patrols.models
import hazards.domain.referrals.models
import hazards.domain.reports.models  # noqa: F401  (each import registers its tables)
from hazards.models import SCHEMA, Base
from tenants.migrations import finish_schema, prepare_schema

config = context.config
target_metadata = Base.metadata


def run_migrations_online() -> None:
    engine = create_engine(config.get_main_option("sqlalchemy.url") or "", poolclass=pool.NullPool)
    with engine.connect() as connection:
        prepare_schema(connection, SCHEMA)
        context.configure(
            connection=connection,
            target_metadata=target_metadata,
            version_table_schema=SCHEMA,
            include_schemas=False,
            transaction_per_migration=False,
        )
        with context.begin_transaction():
            context.run_migrations()
        connection.execute(text("RESET ROLE"))
        connection.commit()
        finish_schema(connection, SCHEMA)


run_migrations_online()
