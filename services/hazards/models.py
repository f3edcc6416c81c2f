"""The hazards service's declarative base (its own schema and metadata)."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import DeclarativeBase

from kit.models import Timestamped, new_id, schema_metadata, str_enum

SCHEMA = "hazards"


class Base(DeclarativeBase):
    metadata = schema_metadata(SCHEMA)
    # Values the database sets on flush (``updated_at``'s onupdate, server defaults) come back with the
    # INSERT/UPDATE ... RETURNING: an async session must never lazy-load an expired attribute.
    __mapper_args__: Any = {"eager_defaults": True}


__all__ = ["SCHEMA", "Base", "Timestamped", "new_id", "str_enum"]
