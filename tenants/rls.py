"""Row-level security policies for tenant tables, for use in Alembic migrations.

Every tenant table carries ``county_id`` and ``school_id`` (``NULL`` for county-level rows) and gets
``ENABLE`` and ``FORCE ROW LEVEL SECURITY`` plus the policies below in the migration that creates it.

- a school user (scope ``school``) reaches the rows of their school, and reads the county-level rows of
  their county (``school_id IS NULL``) without being able to write them;
- a bureau user (scope ``county``) reaches every row of their county;
- a transaction without a tenant context reaches nothing (the settings are ``''`` and cast to ``NULL``).

Every policy built here reads each tenant setting once per statement (:func:`read_once`): a bare
``current_setting(…)`` in a policy is evaluated for every row the query touches, which made a count under
RLS several times slower than without it (bench/README.md); in a scalar subquery it is an InitPlan,
evaluated once, and the planner can use it in an index condition. What each caller sees is unchanged: the
predicates below are the same, only wrapped. The ``*_PREDICATE`` constants keep the per-row form that the
first migrations created (migrations that restore it on downgrade use them; so do policies built outside
this module).

Tables created with :func:`inspected_policy_sql` are also reachable by a cross-school inspector: a school
user whose token holds an active inspection grant for a school of their county (``app.inspect_school_ids``)
reads that school's rows of *these tables only* (and, where the table says so, writes them). Every other
table keeps hiding the school from them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping

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
#: Row of the caller's county (tables of the county as a whole).
COUNTY_PREDICATE = f"county_id = {CTX_COUNTY}"

#: Each setting in a scalar subquery. The inspected schools' array is cast again outside it: in
#: ``ANY(…)`` a bare parenthesised subquery would be read as a set of arrays, not as one array.
_ONCE = {
    CTX_COUNTY: f"(SELECT {CTX_COUNTY})",
    CTX_SCHOOL: f"(SELECT {CTX_SCHOOL})",
    CTX_SCOPE: f"(SELECT {CTX_SCOPE})",
    CTX_INSPECT: f"(SELECT {CTX_INSPECT})::uuid[]",
}


def read_once(predicate: str) -> str:
    """``predicate`` (built from the ``CTX_*`` settings) with each setting in a scalar subquery, which
    Postgres evaluates once per statement instead of once per row; the logic is the same."""
    for setting, once in _ONCE.items():
        predicate = predicate.replace(setting, once)
    return predicate


def _policy(once: bool) -> Callable[[str], str]:
    return read_once if once else _as_is


def _as_is(predicate: str) -> str:
    return predicate


def tenant_policy_sql(
    table: str,
    *,
    id_column_is_school: bool = False,
    school_writes: bool = True,
    school_reads_county_rows: bool = True,
    settings_once: bool = True,
) -> list[str]:
    """SQL statements that enable, force and define tenant RLS on ``table`` (``schema.name``).

    ``id_column_is_school``: the table's own ``id`` is the school id (the schools table itself),
    so its ``school_id`` column mirrors ``id``; the same predicate applies.
    ``school_writes=False``: the school's users only read their rows; the bureau alone writes them
    (results computed for a school, figures it must not forge).
    ``school_reads_county_rows=False``: the county-level rows (``school_id IS NULL``) stay the bureau's.
    ``settings_once=False``: the per-row form of the first migrations (for downgrades to them).
    """
    del id_column_is_school  # the predicate is the same; kept for readability at call sites
    policy = _policy(settings_once)
    read = policy(READ_PREDICATE if school_reads_county_rows else WRITE_PREDICATE)
    write = policy(WRITE_PREDICATE if school_writes else COUNTY_WRITE_PREDICATE)
    return [
        f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY",
        f"ALTER TABLE {table} FORCE ROW LEVEL SECURITY",
        f"CREATE POLICY tenant_read ON {table} FOR SELECT USING ({read})",
        f"CREATE POLICY tenant_insert ON {table} FOR INSERT WITH CHECK ({write})",
        f"CREATE POLICY tenant_update ON {table} FOR UPDATE USING ({write}) WITH CHECK ({write})",
        f"CREATE POLICY tenant_delete ON {table} FOR DELETE USING ({write})",
    ]


def county_policy_sql(table: str, *, settings_once: bool = True) -> list[str]:
    """RLS for a table whose rows belong to a county as a whole and carry only ``county_id``."""
    policy = _policy(settings_once)
    read, write = policy(COUNTY_PREDICATE), policy(COUNTY_WRITE_PREDICATE)
    return [
        f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY",
        f"ALTER TABLE {table} FORCE ROW LEVEL SECURITY",
        f"CREATE POLICY tenant_read ON {table} FOR SELECT USING ({read})",
        f"CREATE POLICY tenant_write ON {table} FOR ALL USING ({write}) WITH CHECK ({write})",
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
    table: str, *, school_writes: bool = True, inspector_writes: bool = False, settings_once: bool = True
) -> list[str]:
    """RLS for a tenant table that cross-school inspectors may reach (score sheets and their evidence).

    The policies of :func:`tenant_policy_sql` (with its ``school_writes``), plus ``inspector_read`` over
    the rows of the schools the caller holds an active grant for, and with ``inspector_writes``
    ``inspector_insert`` / ``inspector_update`` over the same rows (never delete).
    """
    statements = tenant_policy_sql(table, school_writes=school_writes, settings_once=settings_once)
    inspected = _policy(settings_once)(INSPECT_PREDICATE)
    statements.append(f"CREATE POLICY inspector_read ON {table} FOR SELECT USING ({inspected})")
    if inspector_writes:
        statements += [
            f"CREATE POLICY inspector_insert ON {table} FOR INSERT WITH CHECK ({inspected})",
            f"CREATE POLICY inspector_update ON {table} FOR UPDATE USING ({inspected}) WITH CHECK ({inspected})",
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


def recreated_policies(statements: list[str]) -> list[str]:
    """The ``CREATE POLICY`` statements of ``statements`` (one of the builders above), each preceded by a
    ``DROP POLICY IF EXISTS`` of the same policy: a migration rewrites a table's policies with them (row
    level security stays enabled and forced; a transaction sees the old policies or the new ones)."""
    out = []
    for statement in statements:
        if statement.startswith("CREATE POLICY "):
            name, _, table = statement.split()[2:5]
            out += [f"DROP POLICY IF EXISTS {name} ON {table}", statement]
    return out


#: The builders by the name a migration's list of tables uses.
_BUILDERS: dict[str, Callable[..., list[str]]] = {
    "tenant": tenant_policy_sql,
    "county": county_policy_sql,
    "inspected": inspected_policy_sql,
}


def rewrite_policies(
    execute: Callable[[str], object],
    kind: str,
    table: str,
    *,
    settings_once: bool = True,
    **options: bool,
) -> None:
    """Replace the policies of ``table`` by those of the ``kind`` builder (``tenant``, ``county`` or
    ``inspected``, with the ``options`` the table was created with): the read-once form, or with
    ``settings_once=False`` the per-row form of the first migrations (a downgrade)."""
    for statement in recreated_policies(_BUILDERS[kind](table, settings_once=settings_once, **options)):
        execute(statement)


def rewrite_schema_policies(
    execute: Callable[[str], object],
    schema: str,
    tables: Iterable[tuple[str, str, Mapping[str, bool]]],
    *,
    settings_once: bool = True,
) -> None:
    """:func:`rewrite_policies` for each ``(builder, table, options)`` of ``schema``: a migration's list of
    its tenant tables, with the options each was created with."""
    for kind, table, options in tables:
        rewrite_policies(execute, kind, f"{schema}.{table}", settings_once=settings_once, **options)
