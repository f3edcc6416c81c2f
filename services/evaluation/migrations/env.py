"""Alembic environment of the evaluation service: own schema, own version table, run as the owner role."""

from __future__ import annotations

from alembic import context
from sqlalchemy import create_engine, pool, text

import evaluation.domain.campaigns.models
import evaluation.domain.directory.models
import evaluation.domain.indicators.models
import evaluation.domain.inspections.models
import evaluation.domain.rankings.models
import evaluation.domain.reports.models
import evaluation.domain.rubrics.models
import evaluation.domain.self_assessment.models
import evaluation.domain.year_end.models  # noqa: F401  (each registers its tables)
from evaluation.models import SCHEMA, Base
from tenants.migrations import finish_schema, prepare_schema

config = context.config
target_metadata = Base.metadata


def run_migrations_online() -> None:
    engine = create_engine(config.get_main_option("sqlalchemy.url"), poolclass=pool.NullPool)
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
