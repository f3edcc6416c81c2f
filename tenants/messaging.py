"""DDL shared by every service for its outbox, inbox and scheduler tables (used from migrations)."""

from __future__ import annotations

from collections.abc import Callable

from tenants.roles import app_role


def messaging_tables_sql(schema: str) -> list[str]:
    """Statements that create ``<schema>.outbox``, ``<schema>.inbox`` and ``<schema>.scheduler_runs``."""
    role = app_role(schema)
    return [
        f"""
        CREATE TABLE {schema}.outbox (
            id uuid PRIMARY KEY,
            type text NOT NULL CHECK (type ~ '^[a-z]+\\.[a-z_]+\\.[a-z_]+$'),
            tenant_county_id uuid NOT NULL,
            tenant_school_id uuid,
            payload jsonb NOT NULL,
            created_at timestamptz NOT NULL DEFAULT now(),
            published_at timestamptz,
            attempts integer NOT NULL DEFAULT 0,
            last_error text NOT NULL DEFAULT ''
        )""",
        f"CREATE INDEX ix_outbox_pending ON {schema}.outbox (created_at) WHERE published_at IS NULL",
        f"""
        CREATE TABLE {schema}.inbox (
            consumer text NOT NULL,
            event_id uuid NOT NULL,
            processed_at timestamptz NOT NULL DEFAULT now(),
            PRIMARY KEY (consumer, event_id)
        )""",
        f"""
        CREATE TABLE {schema}.scheduler_runs (
            job text NOT NULL,
            period text NOT NULL,
            enqueued_at timestamptz NOT NULL DEFAULT now(),
            PRIMARY KEY (job, period)
        )""",
        # Events and dedup records are facts: the app role adds and reads them, and marks an event sent.
        f"REVOKE ALL ON {schema}.outbox, {schema}.inbox, {schema}.scheduler_runs FROM {role}",
        f"GRANT SELECT, INSERT ON {schema}.outbox, {schema}.inbox, {schema}.scheduler_runs TO {role}",
        f"GRANT UPDATE (published_at, attempts, last_error) ON {schema}.outbox TO {role}",
    ]


def create_messaging_tables(execute: Callable[[str], object], schema: str) -> None:
    for statement in messaging_tables_sql(schema):
        execute(statement)


def drop_messaging_tables(execute: Callable[[str], object], schema: str) -> None:
    execute(f"DROP TABLE IF EXISTS {schema}.scheduler_runs, {schema}.inbox, {schema}.outbox")
