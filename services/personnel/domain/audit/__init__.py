"""The personnel service's audit trail, for the bureau: verify a school's chain, read its entries."""

from personnel.domain.audit.controller import AuditController

__all__ = ["AuditController"]
