"""The personnel service's declarative base (its own schema and metadata) and shared column helpers."""

from __future__ import annotations

import datetime as dt
import enum
import uuid

from sqlalchemy import DateTime, Enum, MetaData, Uuid, func
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

SCHEMA = "personnel"


class Base(DeclarativeBase):
    metadata = MetaData(
        schema=SCHEMA,
        naming_convention={
            "ix": "ix_%(table_name)s_%(column_0_N_name)s",
            "uq": "uq_%(table_name)s_%(column_0_N_name)s",
            "ck": "ck_%(table_name)s_%(constraint_name)s",
            "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
            "pk": "pk_%(table_name)s",
        },
    )


class Timestamped:
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    updated_at: Mapped[dt.datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), onupdate=func.now()
    )


class SchoolOwned:
    """A row of one school: the tenant columns every RLS policy reads."""

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=lambda: uuid.uuid4())
    county_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    school_id: Mapped[uuid.UUID] = mapped_column(Uuid)


def str_enum(cls: type[enum.StrEnum], name: str) -> Enum:
    """A StrEnum stored as its value in a plain string column (the migration adds the CHECK)."""
    return Enum(cls, name=name, native_enum=False, length=32, values_callable=lambda e: [m.value for m in e])
