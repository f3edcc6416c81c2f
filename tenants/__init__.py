"""The tenancy kernel: who is asking, which rows they may touch, and the database roles that enforce it.

Isolation is enforced by PostgreSQL row-level security. Python code only decides *who* the caller is
(from a verified token, or explicitly for background work) and hands that to the database once per
transaction; the policies decide what is visible.
"""

from tenants.context import Scope, TenantContext, TenantContextError

__all__ = ["Scope", "TenantContext", "TenantContextError"]
