"""The audit trail of the schools service: the bureau verifies a school's chain and reads its entries."""

from kit.audit import install_audit_hook
from schools.domain.audit.controller import AuditController

# Every process that serves this feature records ORM writes (see kit.audit). kit.db.Database is the place
# that should install it for every process (worker and operator commands too): see the issue-3 report.
install_audit_hook()

__all__ = ["AuditController"]
