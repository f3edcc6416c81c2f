"""Every tenant policy of the evaluation schema reads each tenant setting once per query (issue 10).

Recreated as ``tenants.rls`` now builds them (:func:`tenants.rls.read_once`). Same predicates, so the same
rows for everyone; downgrade restores the per-row form.

Revision ID: 0003
Revises: 0002
"""

from alembic import op

from tenants.rls import rewrite_schema_policies

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

S = "evaluation"
#: ``(builder, table, options it was created with)``, as in the migration that created each table.
TABLES: tuple[tuple[str, str, dict[str, bool]], ...] = (
    ("county", "rubrics", {}),
    ("county", "campaigns", {}),
    ("tenant", "schools", {}),
    ("tenant", "indicator_values", {}),
    ("inspected", "self_assessments", {}),
    ("inspected", "self_assessment_entries", {}),
    ("inspected", "self_assessment_evidence", {}),
    ("county", "inspection_teams", {}),
    ("county", "inspection_team_members", {}),
    ("inspected", "inspection_assignments", {"school_writes": False, "inspector_writes": True}),
    ("inspected", "inspection_scores", {"school_writes": False, "inspector_writes": True}),
    ("inspected", "inspection_photos", {"school_writes": False, "inspector_writes": True}),
    ("tenant", "school_results", {"school_writes": False}),
    ("tenant", "year_end_results", {"school_writes": False}),
    ("tenant", "reports", {"school_reads_county_rows": False}),
)


def upgrade() -> None:
    rewrite_schema_policies(op.execute, S, TABLES)


def downgrade() -> None:
    rewrite_schema_policies(op.execute, S, TABLES, settings_once=False)
