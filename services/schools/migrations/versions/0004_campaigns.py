"""The campaign engine: county campaigns, each school's five phases and their deliverables, management
system documents, emergency plans and drills, and evidence files. Every table is a tenant table with
forced row-level security (county campaigns and their phase plans are county-level rows: school_id null).

Revision ID: 0004
Revises: 0003
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

from tenants.rls import enable_tenant_rls
from tenants.roles import app_role

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

SCHEMA = "schools"
PHASES = ("deployment", "investigation", "remediation", "acceptance", "consolidation")
AREAS = (
    "gate",
    "teaching_buildings",
    "labs",
    "dormitories",
    "canteen",
    "playground_sports",
    "electrical_rooms",
    "surroundings",
)
MECHANISMS = ("leadership", "working", "supervision", "assessment_evaluation", "accountability")
SYSTEM_KINDS = (
    "security",
    "dormitory",
    "visitor_management",
    "gate_duty",
    "fire_safety",
    "food_safety",
    "safety_education",
    "hazard_investigation",
    "emergency_management",
    "accountability",
    "other",
)
PLAN_KINDS = (
    "fire",
    "earthquake",
    "intruder",
    "food_poisoning",
    "stampede",
    "flood",
    "traffic",
    "epidemic",
    "severe_weather",
    "other",
)
#: Tables in creation order (dropped in reverse).
TABLES = (
    "evidence_files",
    "campaigns",
    "campaign_phases",
    "school_campaigns",
    "school_campaign_phases",
    "phase_transitions",
    "leading_groups",
    "deployment_meetings",
    "implementation_plans",
    "responsibility_assignments",
    "area_sign_offs",
    "investigation_reports",
    "measure_evidence",
    "inspection_results",
    "summary_reports",
    "long_term_mechanisms",
    "phase_reminders",
    "management_documents",
    "management_document_versions",
    "emergency_plans",
    "drills",
)
#: History that the app role may add to and read, never change.
APPEND_ONLY = ("phase_transitions", "management_document_versions")


def _one_of(column: str, values: tuple[str, ...], name: str) -> sa.CheckConstraint:
    listed = ", ".join(f"'{v}'" for v in values)
    return sa.CheckConstraint(f"{column} in ({listed})", name=name)


def _tenant_columns(*, county_level: bool = False) -> list[sa.Column]:
    return [
        sa.Column("id", sa.Uuid(), primary_key=True),
        sa.Column("county_id", sa.Uuid(), nullable=False),
        sa.Column("school_id", sa.Uuid(), nullable=county_level),
    ]


def _timestamps() -> list[sa.Column]:
    return [
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
    ]


def _school_campaign_fk(*, unique: bool = False) -> list[sa.Column]:
    return [
        sa.Column(
            "school_campaign_id",
            sa.Uuid(),
            sa.ForeignKey(f"{SCHEMA}.school_campaigns.id"),
            nullable=False,
            unique=unique,
            index=not unique,
        )
    ]


def _file_fk(column: str = "file_id", *, nullable: bool = True) -> sa.Column:
    return sa.Column(column, sa.Uuid(), sa.ForeignKey(f"{SCHEMA}.evidence_files.id"), nullable=nullable)


def upgrade() -> None:
    op.create_table(
        "evidence_files",
        *_tenant_columns(county_level=True),
        sa.Column("filename", sa.String(200), nullable=False),
        sa.Column("content_type", sa.String(100), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("storage_key", sa.String(300), nullable=False, unique=True),
        sa.Column("uploaded_by", sa.String(64), nullable=False),
        sa.Column("uploaded_by_name", sa.String(120), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.CheckConstraint("size > 0", name="size_positive"),
        schema=SCHEMA,
    )
    op.create_index("ix_evidence_files_school_id", "evidence_files", ["school_id"], schema=SCHEMA)

    # --- county campaigns -------------------------------------------------------------------------------
    op.create_table(
        "campaigns",
        *_tenant_columns(county_level=True),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("description", sa.Text(), nullable=False, server_default=""),
        sa.Column("start_date", sa.Date(), nullable=False),
        sa.Column("rubric_id", sa.Uuid(), nullable=True),
        sa.Column("status", sa.String(32), nullable=False),
        sa.Column("created_by", sa.String(64), nullable=False),
        sa.Column("created_by_name", sa.String(120), nullable=False),
        sa.Column("launched_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("launched_by_name", sa.String(120), nullable=False, server_default=""),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        *_timestamps(),
        _one_of("status", ("draft", "launched", "closed"), "status"),
        sa.CheckConstraint("school_id IS NULL", name="county_level"),
        schema=SCHEMA,
    )
    op.create_index("ix_campaigns_county_id", "campaigns", ["county_id"], schema=SCHEMA)
    op.create_table(
        "campaign_phases",
        *_tenant_columns(county_level=True),
        sa.Column(
            "campaign_id",
            sa.Uuid(),
            sa.ForeignKey(f"{SCHEMA}.campaigns.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("phase", sa.String(32), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("deadline", sa.Date(), nullable=False),
        sa.Column("required", sa.ARRAY(sa.String(40)), nullable=False),
        *_timestamps(),
        sa.UniqueConstraint("campaign_id", "phase"),
        _one_of("phase", PHASES, "phase"),
        sa.CheckConstraint("school_id IS NULL", name="county_level"),
        schema=SCHEMA,
    )

    # --- each school's campaign -------------------------------------------------------------------------
    op.create_table(
        "school_campaigns",
        sa.Column("id", sa.Uuid(), primary_key=True),
        sa.Column("county_id", sa.Uuid(), nullable=False),
        sa.Column("school_id", sa.Uuid(), sa.ForeignKey(f"{SCHEMA}.schools.id"), nullable=False, index=True),
        sa.Column(
            "campaign_id", sa.Uuid(), sa.ForeignKey(f"{SCHEMA}.campaigns.id"), nullable=False, index=True
        ),
        sa.Column("status", sa.String(32), nullable=False),
        sa.Column("current_phase", sa.String(32), nullable=True),
        sa.Column("joined_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("completed_at", sa.DateTime(timezone=True), nullable=True),
        *_timestamps(),
        sa.UniqueConstraint("campaign_id", "school_id"),
        _one_of("status", ("active", "completed"), "status"),
        _one_of("current_phase", PHASES, "current_phase"),
        sa.CheckConstraint("(status = 'completed') = (current_phase IS NULL)", name="completed_has_no_phase"),
        schema=SCHEMA,
    )
    op.create_table(
        "school_campaign_phases",
        *_tenant_columns(),
        sa.Column(
            "school_campaign_id", sa.Uuid(), sa.ForeignKey(f"{SCHEMA}.school_campaigns.id"), nullable=False
        ),
        sa.Column("phase", sa.String(32), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(32), nullable=False),
        sa.Column("opened_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("closed_by_name", sa.String(120), nullable=False, server_default=""),
        sa.Column("extended_until", sa.Date(), nullable=True),
        *_timestamps(),
        sa.UniqueConstraint("school_campaign_id", "phase"),
        _one_of("phase", PHASES, "phase"),
        _one_of("status", ("pending", "open", "closed"), "status"),
        schema=SCHEMA,
    )
    op.create_table(
        "phase_transitions",
        *_tenant_columns(),
        sa.Column("seq", sa.BigInteger(), sa.Identity(), nullable=False),
        *_school_campaign_fk(),
        sa.Column("phase", sa.String(32), nullable=False),
        sa.Column("action", sa.String(32), nullable=False),
        sa.Column("from_status", sa.String(32), nullable=True),
        sa.Column("to_status", sa.String(32), nullable=False),
        sa.Column("deadline_before", sa.Date(), nullable=True),
        sa.Column("deadline_after", sa.Date(), nullable=True),
        sa.Column("reason", sa.Text(), nullable=False, server_default=""),
        sa.Column("actor_id", sa.String(64), nullable=False),
        sa.Column("actor_name", sa.String(120), nullable=False),
        sa.Column("actor_roles", sa.String(120), nullable=False, server_default=""),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        _one_of("phase", PHASES, "phase"),
        _one_of("action", ("open", "close", "reopen", "reset", "extend"), "action"),
        schema=SCHEMA,
    )

    # --- deployment -------------------------------------------------------------------------------------
    op.create_table(
        "leading_groups",
        *_tenant_columns(),
        *_school_campaign_fk(unique=True),
        sa.Column("leader_name", sa.String(80), nullable=False),
        sa.Column("leader_user_id", sa.String(64), nullable=True),
        sa.Column("leader_duties", sa.Text(), nullable=False),
        sa.Column("members", JSONB(), nullable=False),
        sa.Column("established_on", sa.Date(), nullable=False),
        *_timestamps(),
        sa.CheckConstraint("jsonb_typeof(members) = 'array'", name="members_array"),
        schema=SCHEMA,
    )
    op.create_table(
        "deployment_meetings",
        *_tenant_columns(),
        *_school_campaign_fk(),
        sa.Column("held_on", sa.Date(), nullable=False),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("attendees", sa.ARRAY(sa.String(80)), nullable=False),
        sa.Column("minutes", sa.Text(), nullable=False),
        _file_fk("attachment_id"),
        *_timestamps(),
        schema=SCHEMA,
    )
    op.create_table(
        "implementation_plans",
        *_tenant_columns(),
        *_school_campaign_fk(unique=True),
        sa.Column("title", sa.String(200), nullable=False),
        _file_fk(nullable=False),
        sa.Column("adopted_on", sa.Date(), nullable=False),
        sa.Column("summary", sa.Text(), nullable=False, server_default=""),
        *_timestamps(),
        schema=SCHEMA,
    )
    op.create_table(
        "responsibility_assignments",
        *_tenant_columns(),
        *_school_campaign_fk(),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("duty", sa.String(200), nullable=False),
        sa.Column("responsible_name", sa.String(80), nullable=False),
        sa.Column("responsible_title", sa.String(80), nullable=False, server_default=""),
        sa.Column("signed_on", sa.Date(), nullable=True),
        _file_fk(),
        *_timestamps(),
        schema=SCHEMA,
    )

    # --- investigation ----------------------------------------------------------------------------------
    op.create_table(
        "area_sign_offs",
        *_tenant_columns(),
        sa.Column(
            "school_campaign_id", sa.Uuid(), sa.ForeignKey(f"{SCHEMA}.school_campaigns.id"), nullable=False
        ),
        sa.Column("area", sa.String(32), nullable=False),
        sa.Column("patrol_id", sa.Uuid(), nullable=False),
        sa.Column("inspector_name", sa.String(120), nullable=False),
        sa.Column("findings", sa.Text(), nullable=False, server_default=""),
        sa.Column("hazards_found", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("signed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("event_id", sa.Uuid(), nullable=False),
        sa.UniqueConstraint("school_campaign_id", "area"),
        _one_of("area", AREAS, "area"),
        schema=SCHEMA,
    )
    op.create_table(
        "investigation_reports",
        *_tenant_columns(),
        *_school_campaign_fk(unique=True),
        sa.Column("patrol_id", sa.Uuid(), nullable=False),
        sa.Column("submitted_by_name", sa.String(120), nullable=False, server_default=""),
        sa.Column("hazards_found", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("summary", sa.Text(), nullable=False, server_default=""),
        sa.Column("submitted_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("event_id", sa.Uuid(), nullable=False),
        schema=SCHEMA,
    )

    # --- remediation ------------------------------------------------------------------------------------
    op.create_table(
        "measure_evidence",
        *_tenant_columns(),
        *_school_campaign_fk(),
        sa.Column("measure", sa.String(40), nullable=False),
        sa.Column("kind", sa.String(32), nullable=False),
        _file_fk(),
        sa.Column("record_service", sa.String(32), nullable=True),
        sa.Column("record_type", sa.String(64), nullable=True),
        sa.Column("record_id", sa.String(64), nullable=True),
        sa.Column("note", sa.Text(), nullable=False, server_default=""),
        sa.Column("added_by", sa.String(64), nullable=False),
        sa.Column("added_by_name", sa.String(120), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        _one_of("kind", ("document", "photo", "record"), "kind"),
        sa.CheckConstraint(
            "(kind = 'record') = (file_id IS NULL) AND (kind = 'record') = (record_id IS NOT NULL)",
            name="file_or_record",
        ),
        schema=SCHEMA,
    )

    # --- acceptance -------------------------------------------------------------------------------------
    op.create_table(
        "inspection_results",
        *_tenant_columns(),
        *_school_campaign_fk(),
        sa.Column("inspection_id", sa.String(64), nullable=False),
        sa.Column("outcome", sa.String(32), nullable=False),
        sa.Column("score", sa.Float(), nullable=True),
        sa.Column("summary", sa.Text(), nullable=False, server_default=""),
        sa.Column("rectification_requests", sa.ARRAY(sa.Text()), nullable=False),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("event_id", sa.Uuid(), nullable=False),
        _one_of("outcome", ("accepted", "not_accepted"), "outcome"),
        schema=SCHEMA,
    )

    # --- consolidation ----------------------------------------------------------------------------------
    op.create_table(
        "summary_reports",
        *_tenant_columns(),
        *_school_campaign_fk(unique=True),
        sa.Column("summary", sa.Text(), nullable=False),
        _file_fk(),
        *_timestamps(),
        schema=SCHEMA,
    )
    op.create_table(
        "long_term_mechanisms",
        *_tenant_columns(),
        sa.Column(
            "school_campaign_id", sa.Uuid(), sa.ForeignKey(f"{SCHEMA}.school_campaigns.id"), nullable=False
        ),
        sa.Column("mechanism", sa.String(32), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        _file_fk(),
        *_timestamps(),
        sa.UniqueConstraint("school_campaign_id", "mechanism"),
        _one_of("mechanism", MECHANISMS, "mechanism"),
        schema=SCHEMA,
    )

    # --- reminders --------------------------------------------------------------------------------------
    op.create_table(
        "phase_reminders",
        *_tenant_columns(),
        sa.Column(
            "school_campaign_id", sa.Uuid(), sa.ForeignKey(f"{SCHEMA}.school_campaigns.id"), nullable=False
        ),
        sa.Column("phase", sa.String(32), nullable=False),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("deadline", sa.Date(), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("school_campaign_id", "phase", "kind", "deadline"),
        _one_of("phase", PHASES, "phase"),
        _one_of("kind", ("due_soon", "overdue"), "kind"),
        schema=SCHEMA,
    )

    # --- management systems -----------------------------------------------------------------------------
    op.create_table(
        "management_documents",
        *_tenant_columns(),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("latest_version", sa.Integer(), nullable=False, server_default="0"),
        *_timestamps(),
        sa.UniqueConstraint("school_id", "kind", "title"),
        _one_of("kind", SYSTEM_KINDS, "kind"),
        schema=SCHEMA,
    )
    op.create_index("ix_management_documents_school_id", "management_documents", ["school_id"], schema=SCHEMA)
    op.create_table(
        "management_document_versions",
        *_tenant_columns(),
        sa.Column(
            "document_id", sa.Uuid(), sa.ForeignKey(f"{SCHEMA}.management_documents.id"), nullable=False
        ),
        sa.Column("version", sa.Integer(), nullable=False),
        _file_fk(nullable=False),
        sa.Column("effective_on", sa.Date(), nullable=False),
        sa.Column("approved_by", sa.String(120), nullable=False),
        sa.Column("approved_on", sa.Date(), nullable=False),
        sa.Column("change_note", sa.Text(), nullable=False, server_default=""),
        sa.Column("recorded_by", sa.String(64), nullable=False),
        sa.Column("recorded_by_name", sa.String(120), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.UniqueConstraint("document_id", "version"),
        sa.CheckConstraint("version > 0", name="version_positive"),
        sa.CheckConstraint("approved_on <= effective_on", name="approved_before_effective"),
        schema=SCHEMA,
    )

    # --- emergency plans and drills ---------------------------------------------------------------------
    op.create_table(
        "emergency_plans",
        *_tenant_columns(),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("responsible_name", sa.String(80), nullable=False),
        sa.Column("approved_on", sa.Date(), nullable=True),
        _file_fk(),
        sa.Column("summary", sa.Text(), nullable=False, server_default=""),
        *_timestamps(),
        sa.UniqueConstraint("school_id", "kind", "title"),
        _one_of("kind", PLAN_KINDS, "kind"),
        schema=SCHEMA,
    )
    op.create_index("ix_emergency_plans_school_id", "emergency_plans", ["school_id"], schema=SCHEMA)
    op.create_table(
        "drills",
        *_tenant_columns(),
        sa.Column(
            "plan_id", sa.Uuid(), sa.ForeignKey(f"{SCHEMA}.emergency_plans.id"), nullable=False, index=True
        ),
        sa.Column("held_on", sa.Date(), nullable=False),
        sa.Column("scenario", sa.Text(), nullable=False),
        sa.Column("participants", sa.Integer(), nullable=False),
        sa.Column("participant_groups", sa.String(300), nullable=False, server_default=""),
        sa.Column("evacuation_seconds", sa.Integer(), nullable=True),
        sa.Column("findings", sa.Text(), nullable=False, server_default=""),
        sa.Column("photo_ids", sa.ARRAY(sa.Uuid()), nullable=False),
        sa.Column("recorded_by", sa.String(64), nullable=False),
        sa.Column("recorded_by_name", sa.String(120), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.CheckConstraint("participants > 0", name="participants_positive"),
        sa.CheckConstraint(
            "evacuation_seconds IS NULL OR evacuation_seconds > 0", name="evacuation_positive"
        ),
        schema=SCHEMA,
    )

    for table in TABLES:
        enable_tenant_rls(op.execute, f"{SCHEMA}.{table}")
    for table in APPEND_ONLY:
        op.execute(f"REVOKE UPDATE, DELETE, TRUNCATE ON {SCHEMA}.{table} FROM {app_role(SCHEMA)}")


def downgrade() -> None:
    for table in reversed(TABLES):
        op.drop_table(table, schema=SCHEMA)
