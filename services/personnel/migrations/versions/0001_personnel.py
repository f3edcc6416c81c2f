"""The personnel schema: staff and accounts, school profiles and gates, the county standard and security
teams, gate duty, visitors and vehicles, dormitories and night inspections, students of concern, training;
with forced row-level security on every tenant table, and the service's outbox, inbox, scheduler runs,
audit trail and notifications.

Students of concern get stricter policies than tenants.rls: for the role ``teacher`` a row is visible only
when ``responsible_user_id`` is the caller's ``app.user_id``; only the principal adds records; nobody
deletes them; the bureau sees no row at all. Two views owned by the owner role expose what others may
know without names: ``concern_counts`` (counts per school and category, for the bureau) and
``concern_reviews_due`` (due dates and responsible accounts, for background jobs only). They read the
table through the ``owner_views`` policy, which applies to the owner role only, i.e. inside these views.

Revision ID: 0001
Revises:
"""

from typing import Any

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from tenants.audit import create_audit_table, drop_audit_table
from tenants.messaging import create_messaging_tables, drop_messaging_tables
from tenants.notifications import CTX_IS_BACKGROUND, create_notifications_table, drop_notifications_table
from tenants.rls import (
    CTX_COUNTY,
    CTX_SCHOOL,
    CTX_SCOPE,
    WRITE_PREDICATE,
    enable_county_rls,
    enable_tenant_rls,
)
from tenants.roles import OWNER, app_role

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

S = "personnel"
ROLE = app_role(S)


def _tenant_columns(nullable_school: bool = False) -> list[sa.Column[Any]]:
    return [
        sa.Column("id", sa.Uuid(), primary_key=True),
        sa.Column("county_id", sa.Uuid(), nullable=False),
        sa.Column("school_id", sa.Uuid(), nullable=nullable_school),
    ]


def _timestamps() -> list[sa.Column[Any]]:
    return [
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
    ]


def _one_of(column: str, values: list[str], name: str) -> sa.CheckConstraint:
    listed = ", ".join(f"'{v}'" for v in values)
    return sa.CheckConstraint(f"{column} IN ({listed})", name=name)


def _all_of(column: str, values: list[str], name: str) -> sa.CheckConstraint:
    listed = ", ".join(f"'{v}'" for v in values)
    return sa.CheckConstraint(f"{column} <@ ARRAY[{listed}]::varchar[]", name=name)


PEAKS = ["arrival", "noon", "dismissal"]


def upgrade() -> None:
    # --- school profiles and gates ---------------------------------------------------------------------
    op.create_table(
        "school_profiles",
        sa.Column("id", sa.Uuid(), primary_key=True),
        sa.Column("county_id", sa.Uuid(), nullable=False),
        sa.Column("school_id", sa.Uuid(), sa.Computed("id", persisted=True), nullable=False),
        sa.Column("code", sa.String(32), nullable=False, server_default=""),
        sa.Column("name", sa.String(120), nullable=False, server_default=""),
        sa.Column("boarding", sa.Boolean(), nullable=False, server_default=sa.false()),
        sa.Column("student_count", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("active", sa.Boolean(), nullable=False, server_default=sa.true()),
        sa.Column("synced_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("school_weekdays", postgresql.ARRAY(sa.SmallInteger()), nullable=False),
        sa.Column("boarding_nights", postgresql.ARRAY(sa.SmallInteger()), nullable=False),
        sa.Column("duty_peaks", postgresql.ARRAY(sa.String(16)), nullable=False),
        *(
            sa.Column(f"{peak}_{edge}", sa.Time(), nullable=False)
            for peak in PEAKS
            for edge in ("start", "end")
        ),
        *_timestamps(),
        sa.CheckConstraint("student_count >= 0", name="ck_school_profiles_student_count"),
        sa.CheckConstraint(
            "school_weekdays <@ ARRAY[0,1,2,3,4,5,6]::smallint[]", name="ck_school_profiles_weekdays"
        ),
        sa.CheckConstraint(
            "boarding_nights <@ ARRAY[0,1,2,3,4,5,6]::smallint[]", name="ck_school_profiles_nights"
        ),
        _all_of("duty_peaks", PEAKS, "ck_school_profiles_duty_peaks"),
        *(
            sa.CheckConstraint(f"{peak}_start < {peak}_end", name=f"ck_school_profiles_{peak}_window")
            for peak in PEAKS
        ),
        schema=S,
    )
    enable_tenant_rls(op.execute, f"{S}.school_profiles")

    op.create_table(
        "gates",
        *_tenant_columns(),
        sa.Column("name", sa.String(80), nullable=False),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False, server_default=sa.true()),
        *_timestamps(),
        sa.UniqueConstraint("school_id", "name", name="uq_gates_school_id_name"),
        _one_of("kind", ["main", "side", "vehicle", "emergency"], "ck_gates_kind"),
        schema=S,
    )
    enable_tenant_rls(op.execute, f"{S}.gates")

    # --- staff -----------------------------------------------------------------------------------------
    op.create_table(
        "staff",
        *_tenant_columns(nullable_school=True),
        sa.Column("role", sa.String(32), nullable=False),
        sa.Column("name", sa.String(80), nullable=False),
        sa.Column("phone", sa.String(32), nullable=False, server_default=""),
        sa.Column("email", sa.String(254), nullable=False),
        sa.Column("username", sa.String(64), nullable=False),
        sa.Column("positions", postgresql.ARRAY(sa.String(32)), nullable=False, server_default="{}"),
        sa.Column("status", sa.String(32), nullable=False, server_default="active"),
        sa.Column("status_reason", sa.Text(), nullable=False, server_default=""),
        sa.Column("account_status", sa.String(32), nullable=False, server_default="pending"),
        sa.Column("account_error", sa.Text(), nullable=False, server_default=""),
        sa.Column("account_attempts", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("user_id", sa.String(64), nullable=True),
        sa.Column("invited_by", sa.String(64), nullable=False, server_default=""),
        *_timestamps(),
        sa.UniqueConstraint("username", name="uq_staff_username"),
        sa.UniqueConstraint("user_id", name="uq_staff_user_id"),
        _one_of("role", ["principal", "teacher", "guard", "bureau"], "ck_staff_role"),
        sa.CheckConstraint("(role = 'bureau') = (school_id IS NULL)", name="ck_staff_bureau_is_county_level"),
        _one_of("status", ["active", "deactivated"], "ck_staff_status"),
        _one_of("account_status", ["pending", "ready", "failed", "disabled"], "ck_staff_account_status"),
        _all_of(
            "positions",
            [
                "school_leader",
                "class_leader",
                "dormitory_supervisor",
                "security_team_member",
                "safety_officer",
                "psychological_counselor",
            ],
            "ck_staff_positions",
        ),
        schema=S,
    )
    op.create_index("ix_staff_school_id_name", "staff", ["school_id", "name"], schema=S)
    # School users do not see the bureau's users (county-level rows).
    enable_tenant_rls(op.execute, f"{S}.staff", school_reads_county_rows=False)

    # --- the county standard and the security team -----------------------------------------------------
    op.create_table(
        "county_standards",
        sa.Column("county_id", sa.Uuid(), primary_key=True),
        sa.Column("students_per_guard", sa.Integer(), nullable=False),
        sa.Column("min_guards_per_school", sa.Integer(), nullable=False),
        sa.Column("min_guards_per_gate", sa.Integer(), nullable=False),
        sa.Column("night_guards_boarding", sa.Integer(), nullable=False),
        sa.Column("visitor_id_retention_days", sa.Integer(), nullable=False),
        sa.Column("updated_by", sa.String(64), nullable=False, server_default=""),
        *_timestamps(),
        sa.CheckConstraint("students_per_guard > 0", name="ck_county_standards_students_per_guard"),
        sa.CheckConstraint(
            "min_guards_per_school >= 0 AND min_guards_per_gate >= 0 AND night_guards_boarding >= 0",
            name="ck_county_standards_counts",
        ),
        sa.CheckConstraint("visitor_id_retention_days > 0", name="ck_county_standards_retention"),
        schema=S,
    )
    enable_county_rls(op.execute, f"{S}.county_standards")

    op.create_table(
        "security_team_members",
        *_tenant_columns(),
        sa.Column("staff_id", sa.Uuid(), sa.ForeignKey(f"{S}.staff.id"), nullable=False),
        sa.Column("team_role", sa.String(32), nullable=False),
        sa.Column("night_shift", sa.Boolean(), nullable=False, server_default=sa.false()),
        sa.Column("certificate_no", sa.String(40), nullable=False, server_default=""),
        sa.Column("joined_on", sa.Date(), nullable=False),
        *_timestamps(),
        sa.UniqueConstraint("staff_id", name="uq_security_team_members_staff_id"),
        _one_of("team_role", ["leader", "member"], "ck_security_team_members_team_role"),
        schema=S,
    )
    enable_tenant_rls(op.execute, f"{S}.security_team_members")

    # --- gate duty -------------------------------------------------------------------------------------
    op.create_table(
        "duty_shifts",
        *_tenant_columns(),
        sa.Column("gate_id", sa.Uuid(), sa.ForeignKey(f"{S}.gates.id"), nullable=False),
        sa.Column("staff_id", sa.Uuid(), sa.ForeignKey(f"{S}.staff.id"), nullable=False),
        sa.Column("on_date", sa.Date(), nullable=False),
        sa.Column("peak", sa.String(32), nullable=False),
        sa.Column("starts_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ends_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("status", sa.String(32), nullable=False, server_default="scheduled"),
        sa.Column("checked_in_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("checked_out_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("late_minutes", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("assigned_by", sa.String(64), nullable=False, server_default=""),
        *_timestamps(),
        sa.UniqueConstraint("staff_id", "on_date", "peak", name="uq_duty_shifts_staff_id_on_date_peak"),
        _one_of("peak", PEAKS, "ck_duty_shifts_peak"),
        _one_of("status", ["scheduled", "checked_in", "completed", "missed"], "ck_duty_shifts_status"),
        sa.CheckConstraint("starts_at < ends_at", name="ck_duty_shifts_window"),
        schema=S,
    )
    op.create_index("ix_duty_shifts_school_id_on_date", "duty_shifts", ["school_id", "on_date"], schema=S)
    op.create_index(
        "ix_duty_shifts_pending",
        "duty_shifts",
        ["ends_at"],
        schema=S,
        postgresql_where=sa.text("status = 'scheduled'"),
    )
    enable_tenant_rls(op.execute, f"{S}.duty_shifts")

    # --- visitors and vehicles -------------------------------------------------------------------------
    op.create_table(
        "visits",
        *_tenant_columns(),
        sa.Column("visitor_name", sa.String(80), nullable=False),
        sa.Column("id_type", sa.String(32), nullable=False),
        sa.Column("id_number_cipher", sa.LargeBinary(), nullable=True),
        sa.Column("id_number_digest", sa.LargeBinary(), nullable=True),
        sa.Column("id_number_masked", sa.String(40), nullable=False, server_default=""),
        sa.Column("id_purged_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("phone", sa.String(32), nullable=False, server_default=""),
        sa.Column("organisation", sa.String(120), nullable=False, server_default=""),
        sa.Column("purpose", sa.String(300), nullable=False),
        sa.Column("party_size", sa.Integer(), nullable=False, server_default="1"),
        sa.Column("host_staff_id", sa.Uuid(), sa.ForeignKey(f"{S}.staff.id"), nullable=True),
        sa.Column("host_name", sa.String(80), nullable=False),
        sa.Column("plate", sa.String(16), nullable=False, server_default=""),
        sa.Column("vehicle_status", sa.String(32), nullable=False, server_default="none"),
        sa.Column("vehicle_reason", sa.Text(), nullable=False, server_default=""),
        sa.Column("status", sa.String(32), nullable=False, server_default="registered"),
        sa.Column("registered_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("registered_by", sa.String(64), nullable=False),
        sa.Column("verified_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("verified_by", sa.String(64), nullable=False, server_default=""),
        sa.Column("verification_method", sa.String(32), nullable=True),
        sa.Column("verification_note", sa.Text(), nullable=False, server_default=""),
        sa.Column("entered_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("left_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("refused_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("refused_by", sa.String(64), nullable=False, server_default=""),
        sa.Column("refusal_reason", sa.Text(), nullable=False, server_default=""),
        *_timestamps(),
        _one_of("id_type", ["resident_id", "passport", "other"], "ck_visits_id_type"),
        _one_of("vehicle_status", ["none", "authorised", "refused"], "ck_visits_vehicle_status"),
        _one_of("status", ["registered", "verified", "inside", "left", "refused"], "ck_visits_status"),
        _one_of("verification_method", ["host_in_app", "phone_call", "in_person"], "ck_visits_verification"),
        sa.CheckConstraint("party_size >= 1", name="ck_visits_party_size"),
        # Identity data is either all there (encrypted) or all gone (purged).
        sa.CheckConstraint(
            "(id_purged_at IS NULL) = (id_number_cipher IS NOT NULL AND id_number_digest IS NOT NULL)",
            name="ck_visits_identity_or_purged",
        ),
        schema=S,
    )
    op.create_index("ix_visits_school_id_registered_at", "visits", ["school_id", "registered_at"], schema=S)
    op.create_index("ix_visits_school_id_plate", "visits", ["school_id", "plate"], schema=S)
    op.create_index(
        "ix_visits_school_id_id_number_digest", "visits", ["school_id", "id_number_digest"], schema=S
    )
    op.create_index(
        "ix_visits_unpurged",
        "visits",
        ["registered_at"],
        schema=S,
        postgresql_where=sa.text("id_purged_at IS NULL"),
    )
    enable_tenant_rls(op.execute, f"{S}.visits")

    op.create_table(
        "vehicle_authorisations",
        *_tenant_columns(),
        sa.Column("plate", sa.String(16), nullable=False),
        sa.Column("holder", sa.String(80), nullable=False),
        sa.Column("reason", sa.String(300), nullable=False),
        sa.Column("valid_from", sa.Date(), nullable=False),
        sa.Column("valid_until", sa.Date(), nullable=False),
        sa.Column("created_by", sa.String(64), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("revoked_by", sa.String(64), nullable=False, server_default=""),
        *_timestamps(),
        sa.CheckConstraint("valid_from <= valid_until", name="ck_vehicle_authorisations_period"),
        schema=S,
    )
    op.create_index(
        "ix_vehicle_authorisations_school_id_plate",
        "vehicle_authorisations",
        ["school_id", "plate"],
        schema=S,
    )
    enable_tenant_rls(op.execute, f"{S}.vehicle_authorisations")

    # --- dormitories -----------------------------------------------------------------------------------
    op.create_table(
        "dormitories",
        *_tenant_columns(),
        sa.Column("name", sa.String(80), nullable=False),
        sa.Column("occupants", sa.String(32), nullable=False),
        sa.Column("roster_count", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("supervisor_staff_id", sa.Uuid(), sa.ForeignKey(f"{S}.staff.id"), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False, server_default=sa.true()),
        *_timestamps(),
        sa.UniqueConstraint("school_id", "name", name="uq_dormitories_school_id_name"),
        _one_of("occupants", ["female", "male", "mixed"], "ck_dormitories_occupants"),
        sa.CheckConstraint("roster_count >= 0", name="ck_dormitories_roster_count"),
        schema=S,
    )
    enable_tenant_rls(op.execute, f"{S}.dormitories")

    op.create_table(
        "night_inspections",
        *_tenant_columns(),
        sa.Column("dormitory_id", sa.Uuid(), sa.ForeignKey(f"{S}.dormitories.id"), nullable=False),
        sa.Column("night", sa.Date(), nullable=False),
        sa.Column("inspected_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("inspector_staff_id", sa.Uuid(), sa.ForeignKey(f"{S}.staff.id"), nullable=False),
        sa.Column("expected_count", sa.Integer(), nullable=False),
        sa.Column("present_count", sa.Integer(), nullable=False),
        sa.Column("absent_with_leave", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("findings", postgresql.ARRAY(sa.String(32)), nullable=False, server_default="{}"),
        sa.Column("notes", sa.Text(), nullable=False, server_default=""),
        *_timestamps(),
        sa.CheckConstraint(
            "expected_count >= 0 AND present_count >= 0 AND absent_with_leave >= 0",
            name="ck_night_inspections_counts",
        ),
        _all_of(
            "findings",
            [
                "unexplained_absence",
                "unauthorised_person",
                "door_unlocked",
                "fire_hazard",
                "electrical_hazard",
                "student_unwell",
                "other",
            ],
            "ck_night_inspections_findings",
        ),
        schema=S,
    )
    op.create_index(
        "ix_night_inspections_school_id_night", "night_inspections", ["school_id", "night"], schema=S
    )
    enable_tenant_rls(op.execute, f"{S}.night_inspections")

    op.create_table(
        "missed_night_inspections",
        *_tenant_columns(),
        sa.Column("dormitory_id", sa.Uuid(), sa.ForeignKey(f"{S}.dormitories.id"), nullable=False),
        sa.Column("night", sa.Date(), nullable=False),
        sa.Column("flagged_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("dormitory_id", "night", name="uq_missed_night_inspections_dormitory_id_night"),
        schema=S,
    )
    enable_tenant_rls(op.execute, f"{S}.missed_night_inspections")

    # --- students of concern ---------------------------------------------------------------------------
    op.create_table(
        "students_of_concern",
        *_tenant_columns(),
        sa.Column("student_name", sa.String(80), nullable=False),
        sa.Column("class_name", sa.String(40), nullable=False, server_default=""),
        sa.Column("category", sa.String(32), nullable=False),
        sa.Column("description", sa.Text(), nullable=False, server_default=""),
        sa.Column("care_plan", sa.Text(), nullable=False, server_default=""),
        sa.Column("responsible_staff_id", sa.Uuid(), sa.ForeignKey(f"{S}.staff.id"), nullable=False),
        sa.Column("responsible_user_id", sa.String(64), nullable=False),
        sa.Column("review_interval_days", sa.Integer(), nullable=False, server_default="30"),
        sa.Column("next_review_on", sa.Date(), nullable=False),
        sa.Column("status", sa.String(32), nullable=False, server_default="active"),
        sa.Column("closed_reason", sa.Text(), nullable=False, server_default=""),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_by", sa.String(64), nullable=False),
        *_timestamps(),
        _one_of(
            "category",
            ["mental_illness", "psychological_problems", "inferiority", "restlessness", "other"],
            "ck_students_of_concern_category",
        ),
        _one_of("status", ["active", "closed"], "ck_students_of_concern_status"),
        sa.CheckConstraint("review_interval_days BETWEEN 1 AND 365", name="ck_students_of_concern_interval"),
        schema=S,
    )
    op.create_index("ix_students_of_concern_school_id", "students_of_concern", ["school_id"], schema=S)
    concerns = f"{S}.students_of_concern"
    roles = "string_to_array(current_setting('app.roles', true), ',')"
    own_school = f"county_id = {CTX_COUNTY} AND {CTX_SCOPE} = 'school' AND school_id = {CTX_SCHOOL}"
    principal = f"'principal' = ANY({roles})"
    responsible_teacher = f"('teacher' = ANY({roles}) AND responsible_user_id = nullif(current_setting('app.user_id', true), ''))"
    visible = f"{own_school} AND ({principal} OR {responsible_teacher})"
    for statement in (
        f"ALTER TABLE {concerns} ENABLE ROW LEVEL SECURITY",
        f"ALTER TABLE {concerns} FORCE ROW LEVEL SECURITY",
        f"CREATE POLICY concern_read ON {concerns} FOR SELECT USING ({visible})",
        f"CREATE POLICY concern_insert ON {concerns} FOR INSERT WITH CHECK ({own_school} AND {principal})",
        f"CREATE POLICY concern_update ON {concerns} FOR UPDATE USING ({visible}) WITH CHECK ({visible})",
        # No delete policy: records are closed, never deleted.
        f"CREATE POLICY owner_views ON {concerns} FOR SELECT TO {OWNER} USING ({WRITE_PREDICATE})",
    ):
        op.execute(statement)

    op.create_table(
        "concern_reviews",
        *_tenant_columns(),
        sa.Column("concern_id", sa.Uuid(), sa.ForeignKey(f"{S}.students_of_concern.id"), nullable=False),
        sa.Column("reviewed_on", sa.Date(), nullable=False),
        sa.Column("notes", sa.Text(), nullable=False),
        sa.Column("reviewer_user_id", sa.String(64), nullable=False),
        sa.Column("reviewer_name", sa.String(80), nullable=False),
        sa.Column("next_review_on", sa.Date(), nullable=False),
        *_timestamps(),
        schema=S,
    )
    op.create_index("ix_concern_reviews_concern_id", "concern_reviews", ["concern_id"], schema=S)
    reviews = f"{S}.concern_reviews"
    # A review is as visible as its record (the subquery runs under the record's policies).
    of_visible_record = f"{own_school} AND EXISTS (SELECT 1 FROM {concerns} c WHERE c.id = concern_id)"
    for statement in (
        f"ALTER TABLE {reviews} ENABLE ROW LEVEL SECURITY",
        f"ALTER TABLE {reviews} FORCE ROW LEVEL SECURITY",
        f"CREATE POLICY review_read ON {reviews} FOR SELECT USING ({of_visible_record})",
        f"CREATE POLICY review_insert ON {reviews} FOR INSERT WITH CHECK ({of_visible_record})",
    ):
        op.execute(statement)

    op.create_table(
        "concern_reminders",
        *_tenant_columns(),
        sa.Column("concern_id", sa.Uuid(), sa.ForeignKey(f"{S}.students_of_concern.id"), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("reminded_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("concern_id", "due_on", name="uq_concern_reminders_concern_id_due_on"),
        schema=S,
    )
    reminders = f"{S}.concern_reminders"
    background = f"{WRITE_PREDICATE} AND {CTX_IS_BACKGROUND}"
    for statement in (
        f"ALTER TABLE {reminders} ENABLE ROW LEVEL SECURITY",
        f"ALTER TABLE {reminders} FORCE ROW LEVEL SECURITY",
        f"CREATE POLICY background_only ON {reminders} FOR ALL USING ({background}) WITH CHECK ({background})",
    ):
        op.execute(statement)

    for statement in (
        f"""CREATE VIEW {S}.concern_counts AS
            SELECT county_id, school_id, category,
                   count(*) FILTER (WHERE status = 'active') AS active,
                   count(*) FILTER (WHERE status = 'closed') AS closed
            FROM {concerns} GROUP BY county_id, school_id, category""",
        f"""CREATE VIEW {S}.concern_reviews_due WITH (security_barrier) AS
            SELECT id, county_id, school_id, responsible_staff_id, responsible_user_id, next_review_on
            FROM {concerns}
            WHERE status = 'active' AND {CTX_IS_BACKGROUND}""",
        # Read-only for the app role (a simple view would otherwise be updatable with the owner's rights).
        f"REVOKE ALL ON {S}.concern_counts, {S}.concern_reviews_due FROM {ROLE}",
        f"GRANT SELECT ON {S}.concern_counts, {S}.concern_reviews_due TO {ROLE}",
    ):
        op.execute(statement)

    # --- training --------------------------------------------------------------------------------------
    op.create_table(
        "training_sessions",
        *_tenant_columns(),
        sa.Column("topic", sa.String(32), nullable=False),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("held_on", sa.Date(), nullable=False),
        sa.Column("duration_minutes", sa.Integer(), nullable=False),
        sa.Column("audience", postgresql.ARRAY(sa.String(16)), nullable=False),
        sa.Column("participant_count", sa.Integer(), nullable=False),
        sa.Column(
            "staff_participant_ids", postgresql.ARRAY(sa.String(36)), nullable=False, server_default="{}"
        ),
        sa.Column("trainer", sa.String(120), nullable=False, server_default=""),
        sa.Column("materials", postgresql.JSONB(), nullable=False, server_default="[]"),
        sa.Column("notes", sa.Text(), nullable=False, server_default=""),
        sa.Column("recorded_by", sa.String(64), nullable=False),
        *_timestamps(),
        _one_of(
            "topic",
            [
                "fire",
                "traffic",
                "drowning",
                "food",
                "anti_bullying",
                "self_protection",
                "earthquake",
                "electricity",
                "mental_health",
                "anti_fraud",
                "security_duty",
                "other",
            ],
            "ck_training_sessions_topic",
        ),
        _all_of("audience", ["students", "teachers", "guards", "parents"], "ck_training_sessions_audience"),
        sa.CheckConstraint(
            "duration_minutes > 0 AND participant_count > 0", name="ck_training_sessions_positive"
        ),
        schema=S,
    )
    op.create_index(
        "ix_training_sessions_school_id_held_on", "training_sessions", ["school_id", "held_on"], schema=S
    )
    enable_tenant_rls(op.execute, f"{S}.training_sessions")

    # --- the service's messaging, audit trail and notifications ----------------------------------------
    create_messaging_tables(op.execute, S)
    create_audit_table(op.execute, S)
    create_notifications_table(op.execute, S)


def downgrade() -> None:
    drop_notifications_table(op.execute, S)
    drop_audit_table(op.execute, S)
    drop_messaging_tables(op.execute, S)
    op.execute(f"DROP VIEW IF EXISTS {S}.concern_reviews_due, {S}.concern_counts")
    for table in (
        "training_sessions",
        "concern_reminders",
        "concern_reviews",
        "students_of_concern",
        "missed_night_inspections",
        "night_inspections",
        "dormitories",
        "vehicle_authorisations",
        "visits",
        "duty_shifts",
        "security_team_members",
        "county_standards",
        "staff",
        "gates",
        "school_profiles",
    ):
        op.drop_table(table, schema=S)
