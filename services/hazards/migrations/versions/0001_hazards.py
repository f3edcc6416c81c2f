"""The hazards service's tables: patrols and area sign-offs, the hazard register (counters, history,
photos), referrals, the public reporting channel, incidents, escalation; with forced row-level security on
every tenant table; the service's outbox, inbox and scheduler tables, its hash-chained audit trail and its
notifications.

System tables without tenant rows (ids and hashes only) carry no ``school_id`` column: the escalation work
list (``deadline_schools``), the public channel's rate-limit windows and its hashing key.

Revision ID: 0001
Revises:
"""

import secrets
from typing import Any

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from tenants.audit import create_audit_table, drop_audit_table
from tenants.messaging import create_messaging_tables, drop_messaging_tables
from tenants.notifications import create_notifications_table, drop_notifications_table
from tenants.rls import enable_tenant_rls
from tenants.roles import app_role

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

S = "hazards"
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
CATEGORIES = (
    "buildings_facilities", "fire", "electrical", "food_hygiene", "traffic", "dormitory", "lab_chemicals",
    "surroundings_business", "surroundings_vendors", "surroundings_illegal_buildings", "personnel", "other",
)  # fmt: skip
STATUSES = ("reported", "confirmed", "rejected", "rectifying", "rectified", "verified", "closed")
SOURCES = ("investigation", "daily_patrol", "staff_report", "bureau_inspection", "public_report")
DEPARTMENTS = (
    "public_security",
    "market_supervision",
    "urban_management",
    "fire_service",
    "transport",
    "other",
)
INCIDENT_KINDS = ("criminal", "public_order", "injury", "food_poisoning", "fire", "other")


def _one_of(column: str, values: tuple[str, ...], name: str) -> sa.CheckConstraint:
    listed = ", ".join(f"'{v}'" for v in values)
    return sa.CheckConstraint(f"{column} IN ({listed})", name=name)


def _tenant_columns() -> list[sa.Column[Any]]:
    return [
        sa.Column("county_id", sa.Uuid(), nullable=False),
        sa.Column("school_id", sa.Uuid(), nullable=False),
    ]


def _timestamps() -> list[sa.Column[Any]]:
    return [
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
    ]


def _text(name: str, length: int | None = None) -> sa.Column[Any]:
    kind = sa.String(length) if length else sa.Text()
    return sa.Column(name, kind, nullable=False, server_default="")


def upgrade() -> None:
    role = app_role(S)

    # --- the schools this service knows (read model of the schools service) --------------------------------
    op.create_table(
        "school_directory",
        sa.Column("school_id", sa.Uuid(), nullable=False),
        sa.Column("county_id", sa.Uuid(), nullable=False),
        sa.Column("code", sa.String(32), nullable=False),
        sa.Column("name", sa.String(120), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.PrimaryKeyConstraint("school_id", name="pk_school_directory"),
        schema=S,
    )
    op.create_index("ix_school_directory_county_id", "school_directory", ["county_id"], schema=S)
    enable_tenant_rls(op.execute, f"{S}.school_directory")

    # --- patrols and area sign-off ------------------------------------------------------------------------
    op.create_table(
        "patrols",
        sa.Column("id", sa.Uuid(), nullable=False),
        *_tenant_columns(),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("campaign_id", sa.Uuid(), nullable=True),
        sa.Column("areas", postgresql.ARRAY(sa.String(32)), nullable=False),
        sa.Column("status", sa.String(32), nullable=False, server_default="open"),
        sa.Column("started_by", sa.String(64), nullable=False),
        sa.Column("started_by_name", sa.String(120), nullable=False),
        _text("summary"),
        sa.Column("submitted_by", sa.String(64), nullable=True),
        sa.Column("submitted_by_name", sa.String(120), nullable=True),
        sa.Column("submitted_at", sa.DateTime(timezone=True), nullable=True),
        *_timestamps(),
        sa.PrimaryKeyConstraint("id", name="pk_patrols"),
        _one_of("kind", ("investigation", "daily"), "ck_patrols_kind"),
        _one_of("status", ("open", "submitted"), "ck_patrols_status"),
        sa.CheckConstraint(
            f"areas <@ ARRAY[{', '.join(repr(a) for a in AREAS)}]::varchar[]", name="ck_patrols_areas"
        ),
        schema=S,
    )
    op.create_index("ix_patrols_school_id", "patrols", ["school_id", "created_at"], schema=S)
    enable_tenant_rls(op.execute, f"{S}.patrols")

    op.create_table(
        "area_sign_offs",
        sa.Column("id", sa.Uuid(), nullable=False),
        *_tenant_columns(),
        sa.Column("patrol_id", sa.Uuid(), nullable=False),
        sa.Column("area", sa.String(32), nullable=False),
        sa.Column("inspector_id", sa.String(64), nullable=False),
        sa.Column("inspector_name", sa.String(120), nullable=False),
        sa.Column("findings", sa.Text(), nullable=False),
        sa.Column("signed_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_area_sign_offs"),
        sa.ForeignKeyConstraint(
            ["patrol_id"], [f"{S}.patrols.id"], name="fk_area_sign_offs_patrol_id_patrols"
        ),
        sa.UniqueConstraint("patrol_id", "area", name="uq_area_sign_offs_patrol_id_area"),
        _one_of("area", AREAS, "ck_area_sign_offs_area"),
        schema=S,
    )
    enable_tenant_rls(op.execute, f"{S}.area_sign_offs")

    # --- the hazard register ------------------------------------------------------------------------------
    op.create_table(
        "hazard_counters",
        sa.Column("school_id", sa.Uuid(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("county_id", sa.Uuid(), nullable=False),
        sa.Column("last", sa.Integer(), nullable=False, server_default="0"),
        sa.PrimaryKeyConstraint("school_id", "year", name="pk_hazard_counters"),
        schema=S,
    )
    enable_tenant_rls(op.execute, f"{S}.hazard_counters")

    op.create_table(
        "hazards",
        sa.Column("id", sa.Uuid(), nullable=False),
        *_tenant_columns(),
        sa.Column("number", sa.String(48), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(200), nullable=False),
        _text("description"),
        sa.Column("category", sa.String(32), nullable=False),
        sa.Column("area", sa.String(32), nullable=False),
        _text("location_text", 300),
        sa.Column("latitude", sa.Float(), nullable=True),
        sa.Column("longitude", sa.Float(), nullable=True),
        sa.Column("severity", sa.String(32), nullable=False),
        sa.Column("source", sa.String(32), nullable=False),
        sa.Column("patrol_id", sa.Uuid(), nullable=True),
        sa.Column("status", sa.String(32), nullable=False),
        _text("status_reason"),
        sa.Column("reported_by", sa.String(64), nullable=False),
        sa.Column("reported_by_name", sa.String(120), nullable=False),
        sa.Column("reported_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.Column("responsible_id", sa.String(64), nullable=True),
        _text("responsible_name", 120),
        sa.Column("checker_id", sa.String(64), nullable=True),
        _text("checker_name", 120),
        _text("plan"),
        sa.Column("deadline", sa.Date(), nullable=True),
        _text("containment"),
        sa.Column("rectified_by", sa.String(64), nullable=True),
        _text("rectified_by_name", 120),
        sa.Column("rectified_at", sa.DateTime(timezone=True), nullable=True),
        _text("rectification_note"),
        sa.Column("verified_by", sa.String(64), nullable=True),
        _text("verified_by_name", 120),
        sa.Column("verified_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("signed_off_by", sa.String(64), nullable=True),
        _text("signed_off_by_name", 120),
        sa.Column("signed_off_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("reopen_count", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("listed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("listed_by", sa.String(64), nullable=True),
        _text("listed_by_name", 120),
        _text("listed_official", 120),
        sa.Column("listed_deadline", sa.Date(), nullable=True),
        _text("listed_note"),
        *_timestamps(),
        sa.PrimaryKeyConstraint("id", name="pk_hazards"),
        sa.ForeignKeyConstraint(["patrol_id"], [f"{S}.patrols.id"], name="fk_hazards_patrol_id_patrols"),
        sa.UniqueConstraint("school_id", "number", name="uq_hazards_school_id_number"),
        _one_of("category", CATEGORIES, "ck_hazards_category"),
        _one_of("area", AREAS, "ck_hazards_area"),
        _one_of("severity", ("general", "major"), "ck_hazards_severity"),
        _one_of("source", SOURCES, "ck_hazards_source"),
        _one_of("status", STATUSES, "ck_hazards_status"),
        sa.CheckConstraint("latitude IS NULL OR latitude BETWEEN -90 AND 90", name="ck_hazards_latitude"),
        sa.CheckConstraint(
            "longitude IS NULL OR longitude BETWEEN -180 AND 180", name="ck_hazards_longitude"
        ),
        # The life cycle's invariants, held by the database as well as by the service.
        sa.CheckConstraint(
            "status NOT IN ('rectifying', 'rectified', 'verified') OR deadline IS NOT NULL",
            name="ck_hazards_rectification_has_deadline",
        ),
        sa.CheckConstraint(
            "status NOT IN ('rectified', 'verified') OR rectified_by IS NOT NULL",
            name="ck_hazards_rectified_by",
        ),
        sa.CheckConstraint(
            "verified_by IS NULL OR verified_by IS DISTINCT FROM rectified_by",
            name="ck_hazards_checker_not_rectifier",
        ),
        sa.CheckConstraint(
            "status NOT IN ('closed', 'rejected') OR closed_at IS NOT NULL", name="ck_hazards_closed_at"
        ),
        schema=S,
    )
    op.create_index("ix_hazards_school_id_status", "hazards", ["school_id", "status"], schema=S)
    op.create_index("ix_hazards_county_id_status", "hazards", ["county_id", "status"], schema=S)
    op.create_index("ix_hazards_school_id_reported_at", "hazards", ["school_id", "reported_at"], schema=S)
    op.create_index(
        "ix_hazards_rectifying_deadline",
        "hazards",
        ["deadline"],
        schema=S,
        postgresql_where=sa.text("status = 'rectifying'"),
    )
    op.create_index(
        "ix_hazards_listed", "hazards", ["county_id", "listed_deadline"], schema=S,
        postgresql_where=sa.text("listed_at IS NOT NULL AND status <> 'closed'"),
    )  # fmt: skip
    enable_tenant_rls(op.execute, f"{S}.hazards")

    op.create_table(
        "hazard_history",
        sa.Column("id", sa.Uuid(), nullable=False),
        *_tenant_columns(),
        sa.Column("hazard_id", sa.Uuid(), nullable=False),
        sa.Column(
            "at", sa.DateTime(timezone=True), server_default=sa.text("clock_timestamp()"), nullable=False
        ),
        sa.Column("actor_id", sa.String(64), nullable=False),
        sa.Column("actor_name", sa.String(120), nullable=False),
        _text("actor_roles", 120),
        sa.Column("action", sa.String(32), nullable=False),
        sa.Column("from_status", sa.String(32), nullable=True),
        sa.Column("to_status", sa.String(32), nullable=True),
        _text("reason"),
        sa.Column("details", postgresql.JSONB(), nullable=False, server_default=sa.text("'{}'::jsonb")),
        sa.PrimaryKeyConstraint("id", name="pk_hazard_history"),
        sa.ForeignKeyConstraint(
            ["hazard_id"], [f"{S}.hazards.id"], name="fk_hazard_history_hazard_id_hazards"
        ),
        schema=S,
    )
    op.create_index("ix_hazard_history_hazard_id", "hazard_history", ["hazard_id", "at"], schema=S)
    enable_tenant_rls(op.execute, f"{S}.hazard_history")
    # History is a record of facts: the service adds to it and reads it, never changes or removes it.
    op.execute(f"REVOKE UPDATE, DELETE, TRUNCATE ON {S}.hazard_history FROM {role}")

    # --- referrals ------------------------------------------------------------------------------------------
    op.create_table(
        "referrals",
        sa.Column("id", sa.Uuid(), nullable=False),
        *_tenant_columns(),
        sa.Column("hazard_id", sa.Uuid(), nullable=False),
        sa.Column("department", sa.String(32), nullable=False),
        _text("department_name", 200),
        _text("contact", 200),
        _text("note"),
        sa.Column("status", sa.String(32), nullable=False, server_default="sent"),
        _text("reply"),
        sa.Column("replied_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("referred_by", sa.String(64), nullable=False),
        sa.Column("referred_by_name", sa.String(120), nullable=False),
        sa.Column("referred_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        *_timestamps(),
        sa.PrimaryKeyConstraint("id", name="pk_referrals"),
        sa.ForeignKeyConstraint(["hazard_id"], [f"{S}.hazards.id"], name="fk_referrals_hazard_id_hazards"),
        _one_of("department", DEPARTMENTS, "ck_referrals_department"),
        _one_of(
            "status", ("sent", "acknowledged", "in_progress", "resolved", "declined"), "ck_referrals_status"
        ),
        schema=S,
    )
    op.create_index("ix_referrals_hazard_id", "referrals", ["hazard_id"], schema=S)
    op.create_index("ix_referrals_county_id_referred_at", "referrals", ["county_id", "referred_at"], schema=S)
    enable_tenant_rls(op.execute, f"{S}.referrals")

    # --- the public reporting channel ---------------------------------------------------------------------
    op.create_table(
        "report_links",
        sa.Column("id", sa.Uuid(), nullable=False),
        *_tenant_columns(),
        sa.Column("token", sa.String(64), nullable=False),
        sa.Column("created_by", sa.String(64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_report_links"),
        sa.UniqueConstraint("token", name="uq_report_links_token"),
        schema=S,
    )
    op.create_index(
        "uq_report_links_active", "report_links", ["school_id"], unique=True, schema=S,
        postgresql_where=sa.text("revoked_at IS NULL"),
    )  # fmt: skip
    enable_tenant_rls(op.execute, f"{S}.report_links")
    # The public channel has no tenant until the token names one: a transaction that names a token (and only
    # that token) may read that one active link.
    op.execute(
        f"CREATE POLICY public_lookup ON {S}.report_links FOR SELECT USING ("
        "revoked_at IS NULL AND token = nullif(current_setting('app.report_token', true), ''))"
    )

    op.create_table(
        "public_reports",
        sa.Column("id", sa.Uuid(), nullable=False),
        *_tenant_columns(),
        sa.Column("link_id", sa.Uuid(), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.Column("category", sa.String(32), nullable=False),
        sa.Column("area", sa.String(32), nullable=True),
        _text("location_text", 300),
        sa.Column("description", sa.Text(), nullable=False),
        _text("contact", 100),
        sa.Column("client_hash", sa.String(64), nullable=False),
        sa.Column("status", sa.String(32), nullable=False, server_default="pending"),
        sa.Column("spam", sa.Boolean(), nullable=False, server_default=sa.false()),
        sa.Column("reviewed_by", sa.String(64), nullable=True),
        _text("reviewed_by_name", 120),
        sa.Column("reviewed_at", sa.DateTime(timezone=True), nullable=True),
        _text("review_note"),
        sa.Column("hazard_id", sa.Uuid(), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_public_reports"),
        sa.ForeignKeyConstraint(
            ["link_id"], [f"{S}.report_links.id"], name="fk_public_reports_link_id_report_links"
        ),
        sa.ForeignKeyConstraint(
            ["hazard_id"], [f"{S}.hazards.id"], name="fk_public_reports_hazard_id_hazards"
        ),
        _one_of("category", CATEGORIES, "ck_public_reports_category"),
        sa.CheckConstraint(
            f"area IS NULL OR area IN ({', '.join(repr(a) for a in AREAS)})", name="ck_public_reports_area"
        ),
        _one_of("status", ("pending", "accepted", "dismissed"), "ck_public_reports_status"),
        schema=S,
    )
    op.create_index(
        "ix_public_reports_school_id_status",
        "public_reports",
        ["school_id", "status", "received_at"],
        schema=S,
    )
    op.create_index(
        "ix_public_reports_client_hash", "public_reports", ["client_hash", "received_at"], schema=S
    )
    enable_tenant_rls(op.execute, f"{S}.public_reports")

    op.create_table(
        "report_throttle",
        sa.Column("bucket", sa.String(80), nullable=False),
        sa.Column("window_start", sa.DateTime(timezone=True), nullable=False),
        sa.Column("hits", sa.Integer(), nullable=False, server_default="0"),
        sa.PrimaryKeyConstraint("bucket", "window_start", name="pk_report_throttle"),
        schema=S,
    )
    op.create_table(
        "report_channel_secret",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.LargeBinary(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_report_channel_secret"),
        sa.CheckConstraint("id = 1", name="ck_report_channel_secret_one_row"),
        schema=S,
    )
    op.execute(
        sa.text(f"INSERT INTO {S}.report_channel_secret (id, key) VALUES (1, :key)").bindparams(
            key=secrets.token_bytes(32)
        )
    )
    op.execute(f"REVOKE ALL ON {S}.report_channel_secret FROM {role}")
    op.execute(f"GRANT SELECT ON {S}.report_channel_secret TO {role}")

    # --- photos (hazards and public reports) ----------------------------------------------------------------
    op.create_table(
        "photos",
        sa.Column("id", sa.Uuid(), nullable=False),
        *_tenant_columns(),
        sa.Column("hazard_id", sa.Uuid(), nullable=True),
        sa.Column("public_report_id", sa.Uuid(), nullable=True),
        sa.Column("stage", sa.String(32), nullable=False),
        sa.Column("content_type", sa.String(64), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("storage_key", sa.String(300), nullable=False),
        sa.Column("uploaded_by", sa.String(64), nullable=False),
        sa.Column("uploaded_by_name", sa.String(120), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_photos"),
        sa.ForeignKeyConstraint(["hazard_id"], [f"{S}.hazards.id"], name="fk_photos_hazard_id_hazards"),
        sa.ForeignKeyConstraint(
            ["public_report_id"], [f"{S}.public_reports.id"], name="fk_photos_public_report_id_public_reports"
        ),
        _one_of("stage", ("before", "after"), "ck_photos_stage"),
        sa.CheckConstraint("hazard_id IS NOT NULL OR public_report_id IS NOT NULL", name="ck_photos_owner"),
        schema=S,
    )
    op.create_index("ix_photos_hazard_id", "photos", ["hazard_id"], schema=S)
    op.create_index("ix_photos_public_report_id", "photos", ["public_report_id"], schema=S)
    enable_tenant_rls(op.execute, f"{S}.photos")

    # --- incidents ------------------------------------------------------------------------------------------
    op.create_table(
        "incidents",
        sa.Column("id", sa.Uuid(), nullable=False),
        *_tenant_columns(),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("occurred_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("place", sa.String(300), nullable=False),
        sa.Column("people_affected", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("description", sa.Text(), nullable=False),
        _text("actions_taken"),
        sa.Column("reported_to_police", sa.Boolean(), nullable=False, server_default=sa.false()),
        _text("police_reference", 100),
        sa.Column("reported_by", sa.String(64), nullable=False),
        sa.Column("reported_by_name", sa.String(120), nullable=False),
        *_timestamps(),
        sa.PrimaryKeyConstraint("id", name="pk_incidents"),
        _one_of("kind", INCIDENT_KINDS, "ck_incidents_kind"),
        sa.CheckConstraint("people_affected >= 0", name="ck_incidents_people_affected"),
        schema=S,
    )
    op.create_index("ix_incidents_school_id_occurred_at", "incidents", ["school_id", "occurred_at"], schema=S)
    op.create_index("ix_incidents_county_id_occurred_at", "incidents", ["county_id", "occurred_at"], schema=S)
    enable_tenant_rls(op.execute, f"{S}.incidents")

    # --- escalation -----------------------------------------------------------------------------------------
    op.create_table(
        "escalation_policies",
        sa.Column("county_id", sa.Uuid(), nullable=False),
        sa.Column("school_id", sa.Uuid(), nullable=True),
        sa.Column("remind_days_before", sa.Integer(), nullable=False),
        sa.Column("grace_days", sa.Integer(), nullable=False),
        sa.Column("updated_by", sa.String(64), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.PrimaryKeyConstraint("county_id", name="pk_escalation_policies"),
        sa.CheckConstraint("school_id IS NULL", name="ck_escalation_policies_county_level"),
        sa.CheckConstraint("remind_days_before BETWEEN 0 AND 30", name="ck_escalation_policies_remind"),
        sa.CheckConstraint("grace_days BETWEEN 0 AND 60", name="ck_escalation_policies_grace"),
        schema=S,
    )
    enable_tenant_rls(op.execute, f"{S}.escalation_policies")

    op.create_table(
        "escalation_steps",
        sa.Column("hazard_id", sa.Uuid(), nullable=False),
        sa.Column("step", sa.String(32), nullable=False),
        sa.Column("deadline", sa.Date(), nullable=False),
        *_tenant_columns(),
        sa.Column("taken_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("hazard_id", "step", "deadline", name="pk_escalation_steps"),
        sa.ForeignKeyConstraint(
            ["hazard_id"], [f"{S}.hazards.id"], name="fk_escalation_steps_hazard_id_hazards"
        ),
        _one_of("step", ("remind", "principal", "bureau"), "ck_escalation_steps_step"),
        schema=S,
    )
    enable_tenant_rls(op.execute, f"{S}.escalation_steps")
    op.execute(f"REVOKE UPDATE, DELETE, TRUNCATE ON {S}.escalation_steps FROM {role}")

    op.create_table(
        "deadline_schools",
        sa.Column("tenant_school_id", sa.Uuid(), nullable=False),
        sa.Column("tenant_county_id", sa.Uuid(), nullable=False),
        sa.PrimaryKeyConstraint("tenant_school_id", name="pk_deadline_schools"),
        schema=S,
    )
    op.execute(f"REVOKE UPDATE, DELETE, TRUNCATE ON {S}.deadline_schools FROM {role}")

    # --- outbox, inbox, scheduler runs; the audit trail; notifications ---------------------------------------
    create_messaging_tables(op.execute, S)
    create_audit_table(op.execute, S)
    create_notifications_table(op.execute, S)


def downgrade() -> None:
    drop_notifications_table(op.execute, S)
    drop_audit_table(op.execute, S)
    drop_messaging_tables(op.execute, S)
    for table in (
        "deadline_schools", "escalation_steps", "escalation_policies", "incidents", "photos",
        "report_channel_secret", "report_throttle", "public_reports", "report_links", "referrals",
        "hazard_history", "hazards", "hazard_counters", "area_sign_offs", "patrols", "school_directory",
    ):  # fmt: skip
        op.drop_table(table, schema=S)
