"""DDL of every service's audit trail, ``<schema>.audit_log`` (used from migrations).

The table is append-only for the service's app role: it may INSERT and SELECT, and nothing else —
UPDATE, DELETE and TRUNCATE are revoked (the schema's default privileges would otherwise grant UPDATE and
DELETE), and a trigger refuses all three for anybody, the owner included, as defence in depth. Someone
with the owner's rights can still disable the trigger; that is what the hash chain is for (see
``kit.audit``): an entry altered, removed or moved afterwards no longer verifies.

Rows are chained per tenant: one chain per ``(county_id, school_id)``, county-level work in the chain
with ``school_id IS NULL``. Row-level security is forced like on every tenant table, but stricter than
``tenants.rls``: a school reads and appends only its own chain, never the county's. A cross-school
inspector appends to the chain of the school they inspect (every access is audited there) without
reading it: appending needs only the chain's head, which ``<schema>.audit_chain_head`` returns to
whoever may append to that chain.
"""

from __future__ import annotations

from collections.abc import Callable

from tenants.rls import INSPECT_PREDICATE, WRITE_PREDICATE
from tenants.roles import OWNER, app_role

#: ``action`` values look like ``school.update`` or ``student.read_sensitive``.
ACTION_PATTERN = r"^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+$"


def audit_table_sql(schema: str) -> list[str]:
    """Statements that create ``<schema>.audit_log`` with forced RLS, INSERT/SELECT-only grants and the
    append-only trigger."""
    role = app_role(schema)
    table = f"{schema}.audit_log"
    return [
        f"""
        CREATE TABLE {table} (
            county_id uuid NOT NULL,
            school_id uuid,
            seq bigint NOT NULL CHECK (seq > 0),
            at timestamptz NOT NULL,
            actor_id text NOT NULL,
            actor_name text NOT NULL,
            roles text[] NOT NULL,
            action text NOT NULL CHECK (action ~ '{ACTION_PATTERN}'),
            object_type text NOT NULL,
            object_id text NOT NULL,
            fields text[] NOT NULL DEFAULT '{{}}',
            before_digest text CHECK (before_digest ~ '^[0-9a-f]{{64}}$'),
            after_digest text CHECK (after_digest ~ '^[0-9a-f]{{64}}$'),
            request_id text,
            prev_hash text NOT NULL CHECK (prev_hash ~ '^[0-9a-f]{{64}}$'),
            hash text NOT NULL CHECK (hash ~ '^[0-9a-f]{{64}}$'),
            CONSTRAINT uq_audit_log_chain_seq UNIQUE NULLS NOT DISTINCT (county_id, school_id, seq)
        )""",
        f"CREATE INDEX ix_audit_log_object ON {table} (county_id, school_id, object_type, object_id)",
        f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY",
        f"ALTER TABLE {table} FORCE ROW LEVEL SECURITY",
        # A school reads and extends its own chain, the bureau every chain of its county; an inspector
        # extends the inspected school's chain but does not read it.
        f"CREATE POLICY audit_read ON {table} FOR SELECT USING ({WRITE_PREDICATE})",
        f"CREATE POLICY audit_append ON {table} FOR INSERT"
        f" WITH CHECK (({WRITE_PREDICATE}) OR ({INSPECT_PREDICATE}))",
        # For audit_chain_head, which runs as the owner (RLS is forced on the owner too).
        f"CREATE POLICY audit_owner_reads_heads ON {table} FOR SELECT TO {OWNER} USING (true)",
        f"REVOKE ALL ON {table} FROM PUBLIC",
        f"REVOKE ALL ON {table} FROM {role}",
        f"GRANT SELECT, INSERT ON {table} TO {role}",
        f"""
        CREATE FUNCTION {schema}.audit_chain_head(p_county_id uuid, p_school_id uuid,
                                                  OUT seq bigint, OUT hash text)
        LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
        BEGIN
            -- Only for a chain the caller may extend (the same predicates as audit_append).
            IF NOT EXISTS (
                SELECT 1 FROM (VALUES (p_county_id, p_school_id)) AS chain (county_id, school_id)
                WHERE ({WRITE_PREDICATE}) OR ({INSPECT_PREDICATE})
            ) THEN
                RETURN;
            END IF;
            IF p_school_id IS NULL THEN
                SELECT a.seq, a.hash INTO seq, hash FROM {table} a
                WHERE a.county_id = p_county_id AND a.school_id IS NULL ORDER BY a.seq DESC LIMIT 1;
            ELSE
                SELECT a.seq, a.hash INTO seq, hash FROM {table} a
                WHERE a.county_id = p_county_id AND a.school_id = p_school_id ORDER BY a.seq DESC LIMIT 1;
            END IF;
        END $$""",
        f"REVOKE ALL ON FUNCTION {schema}.audit_chain_head(uuid, uuid) FROM PUBLIC",
        f"GRANT EXECUTE ON FUNCTION {schema}.audit_chain_head(uuid, uuid) TO {role}",
        f"""
        CREATE FUNCTION {schema}.audit_log_is_append_only() RETURNS trigger
        LANGUAGE plpgsql AS $$
        BEGIN
            RAISE EXCEPTION 'the audit log is append-only: % refused', TG_OP
                USING ERRCODE = 'insufficient_privilege';
        END $$""",
        f"REVOKE ALL ON FUNCTION {schema}.audit_log_is_append_only() FROM PUBLIC",
        f"""
        CREATE TRIGGER audit_log_no_update_or_delete BEFORE UPDATE OR DELETE ON {table}
        FOR EACH ROW EXECUTE FUNCTION {schema}.audit_log_is_append_only()""",
        f"""
        CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON {table}
        FOR EACH STATEMENT EXECUTE FUNCTION {schema}.audit_log_is_append_only()""",
    ]


def create_audit_table(execute: Callable[[str], object], schema: str) -> None:
    """Run :func:`audit_table_sql` through ``execute`` (``op.execute`` in a migration)."""
    for statement in audit_table_sql(schema):
        execute(statement)


def drop_audit_table(execute: Callable[[str], object], schema: str) -> None:
    execute(f"DROP TABLE IF EXISTS {schema}.audit_log")
    execute(f"DROP FUNCTION IF EXISTS {schema}.audit_chain_head(uuid, uuid)")
    execute(f"DROP FUNCTION IF EXISTS {schema}.audit_log_is_append_only()")
