"""Alembic environment of the personnel service: own schema, own version table, run as the owner role."""

from __future__ import annotations

from alembic import context
from sqlalchemy import create_engine, pool, text

import personnel.domain.dormitories.models
import personnel.domain.duty.models
import personnel.domain.school_profiles.models
import personnel.domain.security_team.models
import personnel.domain.staff.models
import personnel.domain.students_of_concern.models
import personnel.domain.training.models
import personnel.domain.visitors.models  # noqa: F401  (the imports register the tables)
from personnel.models import SCHEMA, Base
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
