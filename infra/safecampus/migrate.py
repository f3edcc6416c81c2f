"""Run every service's Alembic migrations as the migrator role."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from alembic import command
from alembic.config import Config

from kit.settings import Settings, get_settings
from tenants.roles import MIGRATOR, SERVICES


def alembic_config(service: str, settings: Settings) -> Config:
    """The Alembic configuration of one service (its migrations ship inside its package)."""
    location = Path(str(resources.files(service))) / "migrations"
    config = Config()
    config.set_main_option("script_location", str(location))
    url = settings.database_dsn(MIGRATOR, "migrator").replace("postgresql://", "postgresql+psycopg://", 1)
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def migrate_all(settings: Settings | None = None) -> None:
    """Upgrade every service to head, then make sure the Postgres broker's tables exist."""
    settings = settings or get_settings()
    for service in SERVICES:
        command.upgrade(alembic_config(service, settings), "head")
    init_postgres_broker(settings)


def init_postgres_broker(settings: Settings) -> None:
    """Create the Postgres-backed broker's tables (only used when no BROKER_URL is set)."""
    if settings.broker_url and not settings.broker_url.startswith("postgres"):
        return
    import psycopg
    from dramatiq_postgres import init

    from tenants.roles import BROKER_ROLE

    with psycopg.connect(settings.broker_url or settings.database_dsn(BROKER_ROLE, "broker")) as conn:
        with conn.cursor() as cursor:
            init(cursor, schema="dramatiq")
        conn.commit()
