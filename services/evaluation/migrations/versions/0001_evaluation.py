"""Rubrics, campaigns, the school directory, objective indicators, self-assessments, cross-school inspections,
results, the year-end evaluation and reports — each with forced row-level security.

County-level tables (rubrics, campaigns, teams) use the county policy. Score sheets and their evidence use
the inspection policies of ``tenants.rls``: a cross-school inspector reaches the inspected school's rows of
these tables only, during the window of their grant. Results are written by the bureau's jobs only; the
frozen year-end results cannot be changed or deleted by the app role at all.

Revision ID: 0001
Revises:
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

from tenants.rls import enable_county_rls, enable_inspected_rls, enable_tenant_rls
from tenants.roles import app_role

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

S = "evaluation"


def _now() -> sa.Column:
    return sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False)


def _updated() -> sa.Column:
    return sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False)


def _result_columns(table: str) -> list[sa.Column]:
    return [
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("county_id", sa.Uuid(), nullable=False),
        sa.Column("school_id", sa.Uuid(), nullable=False),
        sa.Column("campaign_id", sa.Uuid(), nullable=False),
        sa.Column("school_code", sa.String(32), nullable=False),
        sa.Column("school_name", sa.String(120), nullable=False),
        sa.Column("rank", sa.Integer(), nullable=False),
        sa.Column("total", sa.Float(), nullable=False),
        sa.Column("weighted", sa.Float(), nullable=False),
        sa.Column("bonus", sa.Float(), nullable=False),
        sa.Column("grade", sa.String(16), nullable=False),
        sa.Column("vetoed", sa.Boolean(), nullable=False),
        sa.Column("veto_reasons", JSONB(), nullable=False),
        sa.Column("categories", JSONB(), nullable=False),
        sa.Column("items", JSONB(), nullable=False),
        sa.Column("assignment_id", sa.Uuid(), nullable=True),
        sa.Column("acceptance", sa.String(16), nullable=True),
        sa.Column("inspected_pct", sa.Float(), nullable=True),
        sa.Column("objective_pct", sa.Float(), nullable=True),
        sa.Column("self_pct", sa.Float(), nullable=True),
        sa.Column("previous_total", sa.Float(), nullable=True),
        sa.Column("change", sa.Float(), nullable=True),
        sa.Column("computed_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("grade in ('excellent', 'good', 'pass', 'fail')", name=f"ck_{table}_grade"),
    ]


def upgrade() -> None:
    op.create_table(
        "rubrics",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("county_id", sa.Uuid(), nullable=False),
        sa.Column("lineage_id", sa.Uuid(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(32), nullable=False),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("definition", JSONB(), nullable=False),
        sa.Column("created_by", sa.String(80), nullable=False),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("published_by", sa.String(80), nullable=True),
        _now(),
        _updated(),
        sa.PrimaryKeyConstraint("id", name="pk_rubrics"),
        sa.UniqueConstraint("lineage_id", "version", name="uq_rubrics_lineage_id_version"),
        sa.CheckConstraint("version > 0", name="ck_rubrics_version_positive"),
        sa.CheckConstraint("status in ('draft', 'published')", name="ck_rubrics_status"),
        schema=S,
    )
    op.create_index("ix_rubrics_county_id", "rubrics", ["county_id"], schema=S)
    enable_county_rls(op.execute, f"{S}.rubrics")

    op.create_table(
        "campaigns",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("county_id", sa.Uuid(), nullable=False),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("rubric_id", sa.Uuid(), nullable=False),
        sa.Column("status", sa.String(32), nullable=False),
        sa.Column("results_stale_since", sa.DateTime(timezone=True), nullable=True),
        sa.Column("results_computed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("calibration", JSONB(), nullable=False, server_default="[]"),
        sa.Column("frozen_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("frozen_by", sa.String(80), nullable=True),
        sa.Column("frozen_note", sa.Text(), nullable=False, server_default=""),
        _now(),
        _updated(),
        sa.PrimaryKeyConstraint("id", name="pk_campaigns"),
        sa.ForeignKeyConstraint(["rubric_id"], [f"{S}.rubrics.id"], name="fk_campaigns_rubric_id_rubrics"),
        sa.CheckConstraint("status in ('open', 'frozen')", name="ck_campaigns_status"),
        sa.CheckConstraint("status = 'open' OR frozen_at IS NOT NULL", name="ck_campaigns_frozen_signed"),
        schema=S,
    )
    op.create_index("ix_campaigns_county_id", "campaigns", ["county_id"], schema=S)
    enable_county_rls(op.execute, f"{S}.campaigns")

    op.create_table(
        "schools",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("county_id", sa.Uuid(), nullable=False),
        sa.Column("school_id", sa.Uuid(), sa.Computed("id", persisted=True), nullable=False),
        sa.Column("code", sa.String(32), nullable=False),
        sa.Column("name", sa.String(120), nullable=False),
        sa.Column("kind", sa.String(32), nullable=False, server_default=""),
        sa.Column("active", sa.Boolean(), nullable=False, server_default=sa.true()),
        sa.Column("as_of", sa.DateTime(timezone=True), nullable=False),
        _updated(),
        sa.PrimaryKeyConstraint("id", name="pk_schools"),
        schema=S,
    )
    op.create_index("ix_schools_county_id", "schools", ["county_id"], schema=S)
    enable_tenant_rls(op.execute, f"{S}.schools")

    op.create_table(
        "indicator_values",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("county_id", sa.Uuid(), nullable=False),
        sa.Column("school_id", sa.Uuid(), nullable=False),
        sa.Column("metric", sa.String(64), nullable=False),
        sa.Column("value", sa.Float(), nullable=False),
        sa.Column("figures", JSONB(), nullable=False),
        sa.Column("source_event_id", sa.Uuid(), nullable=False),
        sa.Column("source_event_type", sa.String(80), nullable=False),
        sa.Column("observed_at", sa.DateTime(timezone=True), nullable=False),
        _updated(),
        sa.PrimaryKeyConstraint("id", name="pk_indicator_values"),
        sa.UniqueConstraint("school_id", "metric", name="uq_indicator_values_school_id_metric"),
        schema=S,
    )
    op.create_index("ix_indicator_values_county_id", "indicator_values", ["county_id"], schema=S)
    enable_tenant_rls(op.execute, f"{S}.indicator_values")

    # --- self-assessment: the school writes; its inspectors read during their window ------------------
    op.create_table(
        "self_assessments",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("county_id", sa.Uuid(), nullable=False),
        sa.Column("school_id", sa.Uuid(), nullable=False),
        sa.Column("campaign_id", sa.Uuid(), nullable=False),
        sa.Column("status", sa.String(32), nullable=False),
        sa.Column("submitted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("submitted_by", sa.String(80), nullable=True),
        _now(),
        _updated(),
        sa.PrimaryKeyConstraint("id", name="pk_self_assessments"),
        sa.ForeignKeyConstraint(
            ["campaign_id"], [f"{S}.campaigns.id"], name="fk_self_assessments_campaign_id_campaigns"
        ),
        sa.UniqueConstraint("campaign_id", "school_id", name="uq_self_assessments_campaign_id_school_id"),
        sa.CheckConstraint("status in ('draft', 'submitted')", name="ck_self_assessments_status"),
        schema=S,
    )
    op.create_index("ix_self_assessments_county_id", "self_assessments", ["county_id"], schema=S)
    enable_inspected_rls(op.execute, f"{S}.self_assessments")

    op.create_table(
        "self_assessment_entries",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("county_id", sa.Uuid(), nullable=False),
        sa.Column("school_id", sa.Uuid(), nullable=False),
        sa.Column("self_assessment_id", sa.Uuid(), nullable=False),
        sa.Column("item_code", sa.String(32), nullable=False),
        sa.Column("points", sa.Float(), nullable=True),
        sa.Column("triggered", sa.Boolean(), nullable=False, server_default=sa.false()),
        sa.Column("comment", sa.Text(), nullable=False, server_default=""),
        sa.Column("evidence_note", sa.Text(), nullable=False, server_default=""),
        sa.Column("updated_by", sa.String(80), nullable=False),
        _updated(),
        sa.PrimaryKeyConstraint("id", name="pk_self_assessment_entries"),
        sa.ForeignKeyConstraint(
            ["self_assessment_id"],
            [f"{S}.self_assessments.id"],
            name="fk_self_assessment_entries_self_assessment_id_self_assessments",
        ),
        sa.UniqueConstraint(
            "self_assessment_id", "item_code", name="uq_self_assessment_entries_self_assessment_id_item_code"
        ),
        sa.CheckConstraint("points IS NULL OR points >= 0", name="ck_self_assessment_entries_points"),
        schema=S,
    )
    enable_inspected_rls(op.execute, f"{S}.self_assessment_entries")

    op.create_table(
        "self_assessment_evidence",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("county_id", sa.Uuid(), nullable=False),
        sa.Column("school_id", sa.Uuid(), nullable=False),
        sa.Column("self_assessment_id", sa.Uuid(), nullable=False),
        sa.Column("item_code", sa.String(32), nullable=False),
        sa.Column("content_type", sa.String(64), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("storage_key", sa.String(300), nullable=False),
        sa.Column("uploaded_by", sa.String(80), nullable=False),
        sa.Column("uploaded_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_self_assessment_evidence"),
        sa.ForeignKeyConstraint(
            ["self_assessment_id"],
            [f"{S}.self_assessments.id"],
            name="fk_self_assessment_evidence_self_assessment_id_self_assessments",
        ),
        schema=S,
    )
    op.create_index(
        "ix_self_assessment_evidence_self_assessment_id",
        "self_assessment_evidence",
        ["self_assessment_id"],
        schema=S,
    )
    enable_inspected_rls(op.execute, f"{S}.self_assessment_evidence")

    # --- inspection: county-level teams; the sheet belongs to the inspected school ------------------------
    op.create_table(
        "inspection_teams",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("county_id", sa.Uuid(), nullable=False),
        sa.Column("campaign_id", sa.Uuid(), nullable=False),
        sa.Column("name", sa.String(120), nullable=False),
        _now(),
        _updated(),
        sa.PrimaryKeyConstraint("id", name="pk_inspection_teams"),
        sa.ForeignKeyConstraint(
            ["campaign_id"], [f"{S}.campaigns.id"], name="fk_inspection_teams_campaign_id_campaigns"
        ),
        sa.UniqueConstraint("campaign_id", "name", name="uq_inspection_teams_campaign_id_name"),
        schema=S,
    )
    op.create_index("ix_inspection_teams_county_id", "inspection_teams", ["county_id"], schema=S)
    enable_county_rls(op.execute, f"{S}.inspection_teams")

    op.create_table(
        "inspection_team_members",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("county_id", sa.Uuid(), nullable=False),
        sa.Column("team_id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.String(64), nullable=False),
        sa.Column("username", sa.String(64), nullable=False),
        sa.Column("full_name", sa.String(120), nullable=False),
        sa.Column("role", sa.String(32), nullable=False),
        sa.Column("home_school_id", sa.Uuid(), nullable=True),
        sa.Column("is_lead", sa.Boolean(), nullable=False, server_default=sa.false()),
        sa.Column("added_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_inspection_team_members"),
        sa.ForeignKeyConstraint(
            ["team_id"],
            [f"{S}.inspection_teams.id"],
            name="fk_inspection_team_members_team_id_inspection_teams",
        ),
        sa.UniqueConstraint("team_id", "user_id", name="uq_inspection_team_members_team_id_user_id"),
        sa.CheckConstraint(
            "role in ('bureau', 'principal', 'teacher')", name="ck_inspection_team_members_role"
        ),
        sa.CheckConstraint(
            "(role = 'bureau') = (home_school_id IS NULL)", name="ck_inspection_team_members_home"
        ),
        schema=S,
    )
    op.create_index("ix_inspection_team_members_team_id", "inspection_team_members", ["team_id"], schema=S)
    op.create_index("ix_inspection_team_members_user_id", "inspection_team_members", ["user_id"], schema=S)
    # One lead per team at most.
    op.create_index(
        "uq_inspection_team_members_one_lead",
        "inspection_team_members",
        ["team_id"],
        unique=True,
        schema=S,
        postgresql_where=sa.text("is_lead"),
    )
    enable_county_rls(op.execute, f"{S}.inspection_team_members")

    op.create_table(
        "inspection_assignments",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("county_id", sa.Uuid(), nullable=False),
        sa.Column("school_id", sa.Uuid(), nullable=False),
        sa.Column("school_name", sa.String(120), nullable=False),
        sa.Column("campaign_id", sa.Uuid(), nullable=False),
        sa.Column("team_id", sa.Uuid(), nullable=False),
        sa.Column("starts_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ends_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("status", sa.String(32), nullable=False),
        sa.Column("assigned_by", sa.String(80), nullable=False),
        sa.Column("submitted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("submitted_by", sa.String(80), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("decided_by", sa.String(80), nullable=True),
        sa.Column("decision_note", sa.Text(), nullable=False, server_default=""),
        sa.Column("rectification_requests", JSONB(), nullable=False, server_default="[]"),
        _now(),
        _updated(),
        sa.PrimaryKeyConstraint("id", name="pk_inspection_assignments"),
        sa.ForeignKeyConstraint(
            ["campaign_id"], [f"{S}.campaigns.id"], name="fk_inspection_assignments_campaign_id_campaigns"
        ),
        sa.ForeignKeyConstraint(
            ["team_id"],
            [f"{S}.inspection_teams.id"],
            name="fk_inspection_assignments_team_id_inspection_teams",
        ),
        sa.CheckConstraint("ends_at > starts_at", name="ck_inspection_assignments_window"),
        sa.CheckConstraint(
            "status in ('assigned', 'submitted', 'accepted', 'returned', 'cancelled')",
            name="ck_inspection_assignments_status",
        ),
        schema=S,
    )
    op.create_index(
        "ix_inspection_assignments_campaign_id", "inspection_assignments", ["campaign_id"], schema=S
    )
    op.create_index("ix_inspection_assignments_school_id", "inspection_assignments", ["school_id"], schema=S)
    op.create_index("ix_inspection_assignments_team_id", "inspection_assignments", ["team_id"], schema=S)
    enable_inspected_rls(
        op.execute, f"{S}.inspection_assignments", school_writes=False, inspector_writes=True
    )

    op.create_table(
        "inspection_scores",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("county_id", sa.Uuid(), nullable=False),
        sa.Column("school_id", sa.Uuid(), nullable=False),
        sa.Column("assignment_id", sa.Uuid(), nullable=False),
        sa.Column("item_code", sa.String(32), nullable=False),
        sa.Column("points", sa.Float(), nullable=True),
        sa.Column("triggered", sa.Boolean(), nullable=False, server_default=sa.false()),
        sa.Column("comment", sa.Text(), nullable=False, server_default=""),
        sa.Column("finding", JSONB(), nullable=True),
        sa.Column("scored_by", sa.String(80), nullable=False),
        _updated(),
        sa.PrimaryKeyConstraint("id", name="pk_inspection_scores"),
        sa.ForeignKeyConstraint(
            ["assignment_id"],
            [f"{S}.inspection_assignments.id"],
            name="fk_inspection_scores_assignment_id_inspection_assignments",
        ),
        sa.UniqueConstraint(
            "assignment_id", "item_code", name="uq_inspection_scores_assignment_id_item_code"
        ),
        sa.CheckConstraint("points IS NULL OR points >= 0", name="ck_inspection_scores_points"),
        schema=S,
    )
    op.create_index("ix_inspection_scores_assignment_id", "inspection_scores", ["assignment_id"], schema=S)
    enable_inspected_rls(op.execute, f"{S}.inspection_scores", school_writes=False, inspector_writes=True)

    op.create_table(
        "inspection_photos",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("county_id", sa.Uuid(), nullable=False),
        sa.Column("school_id", sa.Uuid(), nullable=False),
        sa.Column("assignment_id", sa.Uuid(), nullable=False),
        sa.Column("item_code", sa.String(32), nullable=False),
        sa.Column("content_type", sa.String(64), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("storage_key", sa.String(300), nullable=False),
        sa.Column("uploaded_by", sa.String(80), nullable=False),
        sa.Column("uploaded_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_inspection_photos"),
        sa.ForeignKeyConstraint(
            ["assignment_id"],
            [f"{S}.inspection_assignments.id"],
            name="fk_inspection_photos_assignment_id_inspection_assignments",
        ),
        schema=S,
    )
    op.create_index("ix_inspection_photos_assignment_id", "inspection_photos", ["assignment_id"], schema=S)
    enable_inspected_rls(op.execute, f"{S}.inspection_photos", school_writes=False, inspector_writes=True)

    # --- results: written by the bureau's jobs; the school reads its own --------------------------------
    op.create_table(
        "school_results",
        *_result_columns("school_results"),
        sa.PrimaryKeyConstraint("id", name="pk_school_results"),
        sa.ForeignKeyConstraint(
            ["campaign_id"], [f"{S}.campaigns.id"], name="fk_school_results_campaign_id_campaigns"
        ),
        sa.UniqueConstraint("campaign_id", "school_id", name="uq_school_results_campaign_id_school_id"),
        schema=S,
    )
    op.create_index("ix_school_results_campaign_id_rank", "school_results", ["campaign_id", "rank"], schema=S)
    enable_tenant_rls(op.execute, f"{S}.school_results", school_writes=False)

    op.create_table(
        "year_end_results",
        *_result_columns("year_end_results"),
        sa.Column("signed_off_by", sa.String(80), nullable=False),
        sa.Column("signed_off_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("digest", sa.String(64), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_year_end_results"),
        sa.ForeignKeyConstraint(
            ["campaign_id"], [f"{S}.campaigns.id"], name="fk_year_end_results_campaign_id_campaigns"
        ),
        sa.UniqueConstraint("campaign_id", "school_id", name="uq_year_end_results_campaign_id_school_id"),
        schema=S,
    )
    enable_tenant_rls(op.execute, f"{S}.year_end_results", school_writes=False)
    # Frozen means frozen: the service's role may add a signed-off result and read it, nothing else.
    op.execute(f"REVOKE UPDATE, DELETE, TRUNCATE ON {S}.year_end_results FROM {app_role(S)}")

    op.create_table(
        "reports",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("county_id", sa.Uuid(), nullable=False),
        sa.Column("school_id", sa.Uuid(), nullable=True),
        sa.Column("campaign_id", sa.Uuid(), nullable=False),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("status", sa.String(32), nullable=False),
        sa.Column("progress", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("error", sa.Text(), nullable=False, server_default=""),
        sa.Column("storage_key", sa.String(300), nullable=True),
        sa.Column("content_type", sa.String(100), nullable=True),
        sa.Column("filename", sa.String(200), nullable=True),
        sa.Column("size", sa.Integer(), nullable=True),
        sa.Column("pages", sa.Integer(), nullable=True),
        sa.Column("requested_by", sa.String(80), nullable=False),
        _now(),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_reports"),
        sa.ForeignKeyConstraint(
            ["campaign_id"], [f"{S}.campaigns.id"], name="fk_reports_campaign_id_campaigns"
        ),
        sa.CheckConstraint("progress BETWEEN 0 AND 100", name="ck_reports_progress"),
        sa.CheckConstraint(
            "kind in ('county_pdf', 'ranking_xlsx', 'sheets_xlsx', 'report_card_pdf')", name="ck_reports_kind"
        ),
        sa.CheckConstraint("status in ('queued', 'running', 'done', 'failed')", name="ck_reports_status"),
        sa.CheckConstraint("(kind = 'report_card_pdf') = (school_id IS NOT NULL)", name="ck_reports_school"),
        schema=S,
    )
    op.create_index("ix_reports_county_id_campaign_id", "reports", ["county_id", "campaign_id"], schema=S)
    # A school sees its own report cards, never the county's reports.
    enable_tenant_rls(op.execute, f"{S}.reports", school_reads_county_rows=False)


def downgrade() -> None:
    for table in (
        "reports",
        "year_end_results",
        "school_results",
        "inspection_photos",
        "inspection_scores",
        "inspection_assignments",
        "inspection_team_members",
        "inspection_teams",
        "self_assessment_evidence",
        "self_assessment_entries",
        "self_assessments",
        "indicator_values",
        "schools",
        "campaigns",
        "rubrics",
    ):
        op.drop_table(table, schema=S)
