"""The audit trail of the schools service: the bureau verifies a school's chain and reads its entries."""

from schools.domain.audit.controller import AuditController

# ORM writes are recorded by the hook that kit.db.Database installs in every process (see kit.audit).
__all__ = ["AuditController"]
