"""Every tenant policy of the schools schema reads each tenant setting once per query (issue 10).

Recreated as ``tenants.rls`` now builds them (:func:`tenants.rls.read_once`). Same predicates, so the same
rows for everyone; downgrade restores the per-row form.

Revision ID: 0005
Revises: 0004
"""

from alembic import op

from tenants.rls import rewrite_schema_policies

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

S = "schools"
#: ``(builder, table, options it was created with)``, as in the migration that created each table.
TABLES: tuple[tuple[str, str, dict[str, bool]], ...] = (
    ("county", "counties", {}),
    ("tenant", "schools", {}),
    ("tenant", "evidence_files", {}),
    ("tenant", "campaigns", {}),
    ("tenant", "campaign_phases", {}),
    ("tenant", "school_campaigns", {}),
    ("tenant", "school_campaign_phases", {}),
    ("tenant", "phase_transitions", {}),
    ("tenant", "leading_groups", {}),
    ("tenant", "deployment_meetings", {}),
    ("tenant", "implementation_plans", {}),
    ("tenant", "responsibility_assignments", {}),
    ("tenant", "area_sign_offs", {}),
    ("tenant", "investigation_reports", {}),
    ("tenant", "measure_evidence", {}),
    ("tenant", "inspection_results", {}),
    ("tenant", "summary_reports", {}),
    ("tenant", "long_term_mechanisms", {}),
    ("tenant", "phase_reminders", {}),
    ("tenant", "management_documents", {}),
    ("tenant", "management_document_versions", {}),
    ("tenant", "emergency_plans", {}),
    ("tenant", "drills", {}),
)


def upgrade() -> None:
    rewrite_schema_policies(op.execute, S, TABLES)


def downgrade() -> None:
    rewrite_schema_policies(op.execute, S, TABLES, settings_once=False)
