"""Every tenant policy of the hazards schema reads each tenant setting once per query (issue 10).

Recreated as ``tenants.rls`` now builds them (:func:`tenants.rls.read_once`). Revision 0003 did it for the
read policy of the register and its history; their write policies are recreated here too. The predicates,
and so what each caller sees and may write, are the same. Downgrade restores the form of the revision
before.

Revision ID: 0004
Revises: 0003
"""

from alembic import op

from tenants.rls import READ_PREDICATE, read_once, rewrite_schema_policies

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

S = "hazards"
#: ``(builder, table, options it was created with)``, as in the migration that created each table.
TABLES: tuple[tuple[str, str, dict[str, bool]], ...] = (
    ("tenant", "school_directory", {}),
    ("tenant", "patrols", {}),
    ("tenant", "area_sign_offs", {}),
    ("tenant", "hazard_counters", {}),
    ("tenant", "hazards", {}),
    ("tenant", "hazard_history", {}),
    ("tenant", "referrals", {}),
    ("tenant", "report_links", {}),
    ("tenant", "public_reports", {}),
    ("tenant", "photos", {}),
    ("tenant", "incidents", {}),
    ("tenant", "escalation_policies", {}),
    ("tenant", "escalation_steps", {}),
)
READ_ONCE_BEFORE = ("hazards", "hazard_history")


def upgrade() -> None:
    rewrite_schema_policies(op.execute, S, TABLES)


def downgrade() -> None:
    rewrite_schema_policies(op.execute, S, TABLES, settings_once=False)
    # Revision 0003 had already made these tables' read policy read the settings once.
    for table in READ_ONCE_BEFORE:
        op.execute(f"ALTER POLICY tenant_read ON {S}.{table} USING ({read_once(READ_PREDICATE)})")
