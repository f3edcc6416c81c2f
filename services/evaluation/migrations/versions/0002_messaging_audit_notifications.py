"""The evaluation service's outbox, inbox and scheduler runs, its hash-chained audit trail (which a
cross-school inspector extends for the school they inspect) and its in-app notifications.

Revision ID: 0002
Revises: 0001
"""

from alembic import op

from tenants.audit import create_audit_table, drop_audit_table
from tenants.messaging import create_messaging_tables, drop_messaging_tables
from tenants.notifications import create_notifications_table, drop_notifications_table

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    create_messaging_tables(op.execute, "evaluation")
    create_audit_table(op.execute, "evaluation")
    create_notifications_table(op.execute, "evaluation")


def downgrade() -> None:
    drop_notifications_table(op.execute, "evaluation")
    drop_audit_table(op.execute, "evaluation")
    drop_messaging_tables(op.execute, "evaluation")
