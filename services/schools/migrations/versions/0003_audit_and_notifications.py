"""The schools service's hash-chained audit trail and in-app notifications.

``audit_log``: append-only for the app role (INSERT and SELECT only; a trigger refuses UPDATE, DELETE and
TRUNCATE), chained per tenant. ``notifications``: per recipient, with e-mail delivery state. Both are
tenant tables with forced row-level security.

Revision ID: 0003
Revises: 0002
"""

from alembic import op

from tenants.audit import create_audit_table, drop_audit_table
from tenants.notifications import create_notifications_table, drop_notifications_table

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    create_audit_table(op.execute, "schools")
    create_notifications_table(op.execute, "schools")


def downgrade() -> None:
    drop_notifications_table(op.execute, "schools")
    drop_audit_table(op.execute, "schools")
