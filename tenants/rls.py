"""Row-level security policies for tenant tables, for use in Alembic migrations.

Every tenant table carries ``county_id`` and ``school_id`` (``NULL`` for county-level rows) and gets
``ENABLE`` and ``FORCE ROW LEVEL SECURITY`` plus the policies below in the migration that creates it.

- a school user (scope ``school``) reaches the rows of their school, and reads the county-level rows of
  their county (``school_id IS NULL``) without being able to write them;
- a bureau user (scope ``county``) reaches every row of their county;
- a transaction without a tenant context reaches nothing (the settings are ``''`` and cast to ``NULL``).

Tables created with :func:`inspected_policy_sql` are also reachable by a cross-school inspector: a school
user whose token holds an active inspection grant for a school of their county (``app.inspect_school_ids``)
reads that school's rows of *these tables only* (and, where the table says so, writes them). Every other
table keeps hiding the school from them.
"""

from __future__ import annotations

from collections.abc import Callable

CTX_COUNTY = "nullif(current_setting('app.county_id', true), '')::uuid"
CTX_SCHOOL = "nullif(current_setting('app.school_id', true), '')::uuid"
CTX_SCOPE = "current_setting('app.scope', true)"
CTX_INSPECT = "string_to_array(nullif(current_setting('app.inspect_school_ids', true), ''), ',')::uuid[]"

#: Row visible to the caller for writing.
WRITE_PREDICATE = f"county_id = {CTX_COUNTY} AND ({CTX_SCOPE} = 'county' OR school_id = {CTX_SCHOOL})"
#: Row visible to the caller for reading: also the county-level rows of their county.
READ_PREDICATE = (
    f"county_id = {CTX_COUNTY} AND ({CTX_SCOPE} = 'county' OR school_id = {CTX_SCHOOL} OR school_id IS NULL)"
)
#: Row written by the bureau only.
COUNTY_WRITE_PREDICATE = f"county_id = {CTX_COUNTY} AND {CTX_SCOPE} = 'county'"
#: Row of a school the caller inspects under an active cross-school inspection grant.
INSPECT_PREDICATE = f"county_id = {CTX_COUNTY} AND {CTX_SCOPE} = 'school' AND school_id = ANY({CTX_INSPECT})"


def tenant_policy_sql(
    table: str,
    *,
    id_column_is_school: bool = False,
    school_writes: bool = True,
    school_reads_county_rows: bool = True,
) -> list[str]:
    """SQL statements that enable, force and define tenant RLS on ``table`` (``schema.name``).

    ``id_column_is_school``: the table's own ``id`` is the school id (the schools table itself),
    so its ``school_id`` column mirrors ``id``; the same predicate applies.
    ``school_writes=False``: the school's users only read their rows; the bureau alone writes them
    (results computed for a school, figures it must not forge).
    ``school_reads_county_rows=False``: the county-level rows (``school_id IS NULL``) stay the bureau's.
    """
    del id_column_is_school  # the predicate is the same; kept for readability at call sites
    read = READ_PREDICATE if school_reads_county_rows else WRITE_PREDICATE
    write = WRITE_PREDICATE if school_writes else COUNTY_WRITE_PREDICATE
    return [
        f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY",
        f"ALTER TABLE {table} FORCE ROW LEVEL SECURITY",
        f"CREATE POLICY tenant_read ON {table} FOR SELECT USING ({read})",
        f"CREATE POLICY tenant_insert ON {table} FOR INSERT WITH CHECK ({write})",
        f"CREATE POLICY tenant_update ON {table} FOR UPDATE USING ({write}) WITH CHECK ({write})",
        f"CREATE POLICY tenant_delete ON {table} FOR DELETE USING ({write})",
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


def enable_tenant_rls(
    execute: Callable[[str], object],
    table: str,
    *,
    school_writes: bool = True,
    school_reads_county_rows: bool = True,
) -> None:
    """Run :func:`tenant_policy_sql` through ``execute`` (``op.execute`` in a migration)."""
    for statement in tenant_policy_sql(
        table, school_writes=school_writes, school_reads_county_rows=school_reads_county_rows
    ):
        execute(statement)


def enable_county_rls(execute: Callable[[str], object], table: str) -> None:
    """Run :func:`county_policy_sql` through ``execute`` (``op.execute`` in a migration)."""
    for statement in county_policy_sql(table):
        execute(statement)


def inspected_policy_sql(
    table: str, *, school_writes: bool = True, inspector_writes: bool = False
) -> list[str]:
    """RLS for a tenant table that cross-school inspectors may reach (score sheets and their evidence).

    The policies of :func:`tenant_policy_sql` (with its ``school_writes``), plus ``inspector_read`` over
    the rows of the schools the caller holds an active grant for, and with ``inspector_writes``
    ``inspector_insert`` / ``inspector_update`` over the same rows (never delete).
    """
    statements = tenant_policy_sql(table, school_writes=school_writes)
    statements.append(f"CREATE POLICY inspector_read ON {table} FOR SELECT USING ({INSPECT_PREDICATE})")
    if inspector_writes:
        statements += [
            f"CREATE POLICY inspector_insert ON {table} FOR INSERT WITH CHECK ({INSPECT_PREDICATE})",
            f"CREATE POLICY inspector_update ON {table} FOR UPDATE USING ({INSPECT_PREDICATE})"
            f" WITH CHECK ({INSPECT_PREDICATE})",
        ]
    return statements


def enable_inspected_rls(
    execute: Callable[[str], object],
    table: str,
    *,
    school_writes: bool = True,
    inspector_writes: bool = False,
) -> None:
    """Run :func:`inspected_policy_sql` through ``execute`` (``op.execute`` in a migration)."""
    for statement in inspected_policy_sql(
        table, school_writes=school_writes, inspector_writes=inspector_writes
    ):
        execute(statement)
