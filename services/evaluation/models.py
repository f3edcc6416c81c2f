"""The evaluation service's declarative base (its own schema and metadata)."""

from __future__ import annotations

from sqlalchemy.orm import DeclarativeBase

from kit.models import schema_metadata

SCHEMA = "evaluation"


class Base(DeclarativeBase):
    metadata = schema_metadata(SCHEMA)
