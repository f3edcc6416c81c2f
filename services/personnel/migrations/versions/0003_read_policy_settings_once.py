"""Row-level security that reads the tenant settings once per query, not once per row (issue 10).

The read policy of the visits (the gate screen counts the school's visits) compared every row against ``current_setting(…)``
calls: three setting lookups and casts per row, which made counting a school's rows several times slower
under RLS than without it. Wrapped in a scalar subquery, each setting is an InitPlan that Postgres
evaluates once per statement; the predicate, and so what each caller sees, is exactly the same
(``tenants.rls.READ_PREDICATE``). Measured with pgbench on 6,666 visits of one school: 84 → 443 counts per
second (bench/README.md).

Revision ID: 0003
Revises: 0002
"""

from alembic import op

from tenants.rls import READ_PREDICATE, read_once

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

S = "personnel"
TABLES = ("visits",)


def upgrade() -> None:
    for table in TABLES:
        op.execute(f"ALTER POLICY tenant_read ON {S}.{table} USING ({read_once(READ_PREDICATE)})")


def downgrade() -> None:
    for table in TABLES:
        op.execute(f"ALTER POLICY tenant_read ON {S}.{table} USING ({READ_PREDICATE})")
