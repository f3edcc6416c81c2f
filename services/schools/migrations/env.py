"""Alembic environment of the schools service: own schema, own version table, run as the owner role."""

from __future__ import annotations

from alembic import context
from sqlalchemy import create_engine, pool, text

from schools.domain.campaigns import models as campaign_models  # noqa: F401  (registers the tables)
from schools.domain.counties.models import County  # noqa: F401  (registers the table)
from schools.domain.documents import models as document_models  # noqa: F401
from schools.domain.emergency import models as emergency_models  # noqa: F401
from schools.domain.evidence import models as evidence_models  # noqa: F401
from schools.domain.schools.models import School  # noqa: F401
from schools.models import SCHEMA, Base
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
