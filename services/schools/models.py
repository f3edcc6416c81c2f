"""The schools service's declarative base (its own schema and metadata)."""

from __future__ import annotations

from sqlalchemy.orm import DeclarativeBase

from kit.models import Timestamped, new_id, schema_metadata

SCHEMA = "schools"


class Base(DeclarativeBase):
    metadata = schema_metadata(SCHEMA)


__all__ = ["SCHEMA", "Base", "Timestamped", "new_id"]
