"""Counties and schools, with forced row-level security.

Revision ID: 0001
Revises:
"""

import sqlalchemy as sa
from alembic import op

from tenants.rls import enable_county_rls, enable_tenant_rls

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "counties",
        sa.Column("id", sa.Uuid(), primary_key=True),
        sa.Column("county_id", sa.Uuid(), sa.Computed("id", persisted=True), nullable=False),
        sa.Column("code", sa.String(32), nullable=False),
        sa.Column("name", sa.String(120), nullable=False),
        sa.Column("name_en", sa.String(120), nullable=False, server_default=""),
        sa.Column("locale", sa.String(10), nullable=False, server_default="zh-Hans"),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_counties"),
        sa.UniqueConstraint("code", name="uq_counties_code"),
        schema="schools",
    )
    enable_county_rls(op.execute, "schools.counties")

    op.create_table(
        "schools",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("county_id", sa.Uuid(), nullable=False),
        sa.Column("school_id", sa.Uuid(), sa.Computed("id", persisted=True), nullable=False),
        sa.Column("code", sa.String(32), nullable=False),
        sa.Column("name", sa.String(120), nullable=False),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("boarding", sa.Boolean(), nullable=False, server_default=sa.false()),
        sa.Column("student_count", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("address", sa.String(300), nullable=False, server_default=""),
        sa.Column("principal_name", sa.String(80), nullable=False),
        sa.Column("principal_email", sa.String(254), nullable=False),
        sa.Column("principal_username", sa.String(64), nullable=False),
        sa.Column("status", sa.String(32), nullable=False, server_default="active"),
        sa.Column("status_reason", sa.Text(), nullable=False, server_default=""),
        sa.Column("provisioning_status", sa.String(32), nullable=False, server_default="pending"),
        sa.Column("provisioning_error", sa.Text(), nullable=False, server_default=""),
        sa.Column("provisioning_attempts", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("principal_user_id", sa.String(64), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_schools"),
        sa.ForeignKeyConstraint(["county_id"], ["schools.counties.id"], name="fk_schools_county_id_counties"),
        sa.UniqueConstraint("county_id", "code", name="uq_schools_county_id_code"),
        sa.UniqueConstraint("principal_username", name="uq_schools_principal_username"),
        sa.CheckConstraint("student_count >= 0", name="ck_schools_student_count_nonneg"),
        sa.CheckConstraint("status in ('active', 'suspended')", name="ck_schools_status"),
        sa.CheckConstraint(
            "provisioning_status in ('pending', 'done', 'failed')", name="ck_schools_provisioning"
        ),
        schema="schools",
    )
    op.create_index("ix_schools_county_id_name", "schools", ["county_id", "name"], schema="schools")
    enable_tenant_rls(op.execute, "schools.schools")


def downgrade() -> None:
    op.drop_table("schools", schema="schools")
    op.drop_table("counties", schema="schools")
