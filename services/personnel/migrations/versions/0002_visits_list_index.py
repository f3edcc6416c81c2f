"""The gate screen's index: a school's visits newest first (issue 10, measured by ``bench/run``).

Visits are the largest table (every visitor of every school, kept for a year and more). The gate screen
reads a school's newest 50 in the API's order (``registered_at DESC, id``) and counts the school's
visits; this index gives the page in index order and carries ``county_id``, which the RLS policy reads,
so that the count is an index-only scan. It replaces ``(school_id, registered_at)``.

Revision ID: 0002
Revises: 0001
"""

from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

S = "personnel"


def upgrade() -> None:
    op.execute(
        f"CREATE INDEX ix_visits_school_id_registered_at_desc ON {S}.visits"
        " (school_id, registered_at DESC, id) INCLUDE (county_id)"
    )
    op.drop_index("ix_visits_school_id_registered_at", table_name="visits", schema=S)


def downgrade() -> None:
    op.create_index("ix_visits_school_id_registered_at", "visits", ["school_id", "registered_at"], schema=S)
    op.drop_index("ix_visits_school_id_registered_at_desc", table_name="visits", schema=S)
