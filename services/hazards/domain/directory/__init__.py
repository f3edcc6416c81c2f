"""The schools the hazards service knows: code and name of each, from the schools service's events."""

from hazards.domain.directory.models import SchoolEntry
from hazards.domain.directory.repository import DirectoryRepository

__all__ = ["DirectoryRepository", "SchoolEntry"]
