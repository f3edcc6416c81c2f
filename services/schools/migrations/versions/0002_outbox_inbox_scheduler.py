"""Transactional outbox, consumer inbox (event-id dedup) and scheduler runs of the schools service.

These are system tables of the service, not tenant tables: the tenant of an event travels in
``tenant_county_id`` / ``tenant_school_id`` so that the relay (which works across tenants) can read
them, while the app role still cannot read any tenant table without a tenant context.

Revision ID: 0002
Revises: 0001
"""

from alembic import op

from tenants.messaging import create_messaging_tables, drop_messaging_tables

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    create_messaging_tables(op.execute, "schools")


def downgrade() -> None:
    drop_messaging_tables(op.execute, "schools")
