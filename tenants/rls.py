"""Row-level security policies for tenant tables, for use in Alembic migrations.

Every tenant table carries ``county_id`` and ``school_id`` (``NULL`` for county-level rows) and gets
``ENABLE`` and ``FORCE ROW LEVEL SECURITY`` plus the policies below in the migration that creates it.

- a school user (scope ``school``) reaches the rows of their school, and reads the county-level rows of
  their county (``school_id IS NULL``) without being able to write them;
- a bureau user (scope ``county``) reaches every row of their county;
- a transaction without a tenant context reaches nothing (the settings are ``''`` and cast to ``NULL``).
"""

from __future__ import annotations

from collections.abc import Callable

CTX_COUNTY = "nullif(current_setting('app.county_id', true), '')::uuid"
CTX_SCHOOL = "nullif(current_setting('app.school_id', true), '')::uuid"
CTX_SCOPE = "current_setting('app.scope', true)"

#: Row visible to the caller for writing.
WRITE_PREDICATE = f"county_id = {CTX_COUNTY} AND ({CTX_SCOPE} = 'county' OR school_id = {CTX_SCHOOL})"
#: Row visible to the caller for reading: also the county-level rows of their county.
READ_PREDICATE = (
    f"county_id = {CTX_COUNTY} AND ({CTX_SCOPE} = 'county' OR school_id = {CTX_SCHOOL} OR school_id IS NULL)"
)


def tenant_policy_sql(table: str, *, id_column_is_school: bool = False) -> list[str]:
    """SQL statements that enable, force and define tenant RLS on ``table`` (``schema.name``).

    ``id_column_is_school``: the table's own ``id`` is the school id (the schools table itself),
    so its ``school_id`` column mirrors ``id``; the same predicate applies.
    """
    del id_column_is_school  # the predicate is the same; kept for readability at call sites
    return [
        f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY",
        f"ALTER TABLE {table} FORCE ROW LEVEL SECURITY",
        f"CREATE POLICY tenant_read ON {table} FOR SELECT USING ({READ_PREDICATE})",
        f"CREATE POLICY tenant_insert ON {table} FOR INSERT WITH CHECK ({WRITE_PREDICATE})",
        f"CREATE POLICY tenant_update ON {table} FOR UPDATE USING ({WRITE_PREDICATE}) WITH CHECK ({WRITE_PREDICATE})",
        f"CREATE POLICY tenant_delete ON {table} FOR DELETE USING ({WRITE_PREDICATE})",
    ]


def county_policy_sql(table: str) -> list[str]:
    """RLS for a table whose rows belong to a county as a whole and carry only ``county_id``."""
    predicate = f"county_id = {CTX_COUNTY}"
    return [
        f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY",
        f"ALTER TABLE {table} FORCE ROW LEVEL SECURITY",
        f"CREATE POLICY tenant_read ON {table} FOR SELECT USING ({predicate})",
        f"CREATE POLICY tenant_write ON {table} FOR ALL USING ({predicate} AND {CTX_SCOPE} = 'county')"
        f" WITH CHECK ({predicate} AND {CTX_SCOPE} = 'county')",
    ]


def enable_tenant_rls(execute: Callable[[str], object], table: str) -> None:
    """Run :func:`tenant_policy_sql` through ``execute`` (``op.execute`` in a migration)."""
    for statement in tenant_policy_sql(table):
        execute(statement)


def enable_county_rls(execute: Callable[[str], object], table: str) -> None:
    """Run :func:`county_policy_sql` through ``execute`` (``op.execute`` in a migration)."""
    for statement in county_policy_sql(table):
        execute(statement)
