"""The personnel service's declarative base (its own schema and metadata) and its tenant-row mixin."""

from __future__ import annotations

import uuid

from sqlalchemy import Uuid
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from kit.models import Timestamped, new_id, schema_metadata, str_enum

SCHEMA = "personnel"


class Base(DeclarativeBase):
    metadata = schema_metadata(SCHEMA)


class SchoolOwned:
    """A row of one school: its id and the tenant columns every RLS policy reads."""

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=new_id)
    county_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    school_id: Mapped[uuid.UUID] = mapped_column(Uuid)


__all__ = ["SCHEMA", "Base", "SchoolOwned", "Timestamped", "new_id", "str_enum"]
