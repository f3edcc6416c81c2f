"""Management systems: the school's versioned register of rules (security, dormitory, visitor management, ...)."""

from schools.domain.documents.controller import ManagementDocumentController

__all__ = ["ManagementDocumentController"]
