"""Indexes that match the register's tenant filter and its order (issue 10, measured by ``bench/run``).

The register is read newest first, 50 a page, for one school (school staff) or one county (the bureau).
With only ``(school_id, reported_at)`` the page was a bitmap scan plus a sort of the school's every row,
and the bureau's page a sort of the whole county. These indexes give the page in index order
(``reported_at DESC, id``, the API's order) and carry the other tenant column, so that counting a
tenant's hazards under the RLS policy (which reads ``county_id`` and ``school_id``) is an index-only scan.

Revision ID: 0002
Revises: 0001
"""

from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

S = "hazards"


def upgrade() -> None:
    op.execute(
        f"CREATE INDEX ix_hazards_school_id_reported_at_desc ON {S}.hazards"
        " (school_id, reported_at DESC, id) INCLUDE (county_id)"
    )
    op.execute(
        f"CREATE INDEX ix_hazards_county_id_reported_at_desc ON {S}.hazards"
        " (county_id, reported_at DESC, id) INCLUDE (school_id)"
    )
    op.drop_index("ix_hazards_school_id_reported_at", table_name="hazards", schema=S)


def downgrade() -> None:
    op.create_index("ix_hazards_school_id_reported_at", "hazards", ["school_id", "reported_at"], schema=S)
    op.drop_index("ix_hazards_county_id_reported_at_desc", table_name="hazards", schema=S)
    op.drop_index("ix_hazards_school_id_reported_at_desc", table_name="hazards", schema=S)
