"""DDL of every service's in-app notifications, ``<schema>.notifications`` (used from migrations).

A notification belongs to one tenant (``county_id``, ``school_id``) *and* one recipient (the user id of
the token, ``sub``). Row-level security enforces both: a user reads and marks read only their own
notifications, within their tenant. Background work (a context without user roles: actors, the
scheduler, operator commands) reads the tenant's notifications so that it can deliver their e-mails.

Anybody of the tenant (and a cross-school inspector, for the school they inspect) may *create* a
notification for another user: an assignment notifies the assignee.
The content is immutable: the app role may update only the read and e-mail delivery columns, and never
delete.
"""

from __future__ import annotations

from collections.abc import Callable

from tenants.rls import INSPECT_PREDICATE, WRITE_PREDICATE
from tenants.roles import OWNER, app_role

CTX_USER = "current_setting('app.user_id', true)"
#: Request contexts always carry at least one role (the token must); background work carries none.
CTX_IS_BACKGROUND = "coalesce(current_setting('app.roles', true), '') = ''"

RECIPIENT_PREDICATE = f"({WRITE_PREDICATE}) AND (recipient_id = {CTX_USER} OR {CTX_IS_BACKGROUND})"


def notifications_table_sql(schema: str) -> list[str]:
    """Statements that create ``<schema>.notifications`` with forced RLS and the recipient filter."""
    role = app_role(schema)
    table = f"{schema}.notifications"
    return [
        f"""
        CREATE TABLE {table} (
            id uuid PRIMARY KEY,
            county_id uuid NOT NULL,
            school_id uuid,
            recipient_id text NOT NULL CHECK (recipient_id <> ''),
            kind text NOT NULL CHECK (kind ~ '^[a-z][a-z0-9_]*(\\.[a-z][a-z0-9_]*)*$'),
            title text NOT NULL,
            body text NOT NULL,
            link text,
            created_at timestamptz NOT NULL DEFAULT now(),
            read_at timestamptz,
            email_to text,
            email_sent_at timestamptz,
            email_attempts integer NOT NULL DEFAULT 0,
            email_error text NOT NULL DEFAULT ''
        )""",
        f"CREATE INDEX ix_notifications_recipient ON {table} (recipient_id, created_at DESC)",
        f"CREATE INDEX ix_notifications_email_pending ON {table} (county_id, school_id, created_at)"
        " WHERE email_to IS NOT NULL AND email_sent_at IS NULL",
        f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY",
        f"ALTER TABLE {table} FORCE ROW LEVEL SECURITY",
        f"CREATE POLICY notifications_read ON {table} FOR SELECT USING ({RECIPIENT_PREDICATE})",
        # A cross-school inspector may notify the inspected school's staff.
        f"CREATE POLICY notifications_create ON {table} FOR INSERT"
        f" WITH CHECK (({WRITE_PREDICATE}) OR ({INSPECT_PREDICATE}))",
        f"CREATE POLICY notifications_update ON {table} FOR UPDATE"
        f" USING ({RECIPIENT_PREDICATE}) WITH CHECK ({RECIPIENT_PREDICATE})",
        f"REVOKE ALL ON {table} FROM PUBLIC",
        f"REVOKE ALL ON {table} FROM {role}",
        f"GRANT SELECT, INSERT ON {table} TO {role}",
        f"GRANT UPDATE (read_at, email_sent_at, email_attempts, email_error) ON {table} TO {role}",
        # The e-mail sweep's tenant directory: which tenants hold unsent e-mails (ids only, no content).
        # It runs as the owner, on whom RLS is forced too.
        f"CREATE POLICY notifications_owner_lists_tenants ON {table} FOR SELECT TO {OWNER} USING (true)",
        f"""
        CREATE FUNCTION {schema}.tenants_with_unsent_email(p_created_before timestamptz, p_max_attempts integer)
        RETURNS TABLE (county_id uuid, school_id uuid)
        LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
            SELECT DISTINCT n.county_id, n.school_id FROM {table} n
            WHERE n.email_to IS NOT NULL AND n.email_sent_at IS NULL
              AND n.email_attempts < p_max_attempts AND n.created_at < p_created_before
        $$""",
        f"REVOKE ALL ON FUNCTION {schema}.tenants_with_unsent_email(timestamptz, integer) FROM PUBLIC",
        f"GRANT EXECUTE ON FUNCTION {schema}.tenants_with_unsent_email(timestamptz, integer) TO {role}",
    ]


def create_notifications_table(execute: Callable[[str], object], schema: str) -> None:
    """Run :func:`notifications_table_sql` through ``execute`` (``op.execute`` in a migration)."""
    for statement in notifications_table_sql(schema):
        execute(statement)


def drop_notifications_table(execute: Callable[[str], object], schema: str) -> None:
    execute(f"DROP FUNCTION IF EXISTS {schema}.tenants_with_unsent_email(timestamptz, integer)")
    execute(f"DROP TABLE IF EXISTS {schema}.notifications")
