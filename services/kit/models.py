"""Building blocks every service's ORM models share: a per-schema declarative base, timestamps, ids and
string enums."""

from __future__ import annotations

import datetime as dt
import enum
import uuid

from sqlalchemy import DateTime, Enum, MetaData, func
from sqlalchemy.orm import Mapped, mapped_column

NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def schema_metadata(schema: str) -> MetaData:
    """The metadata of one service's schema, with the project's constraint naming convention.

    Use it as ``class Base(DeclarativeBase): metadata = schema_metadata("hazards")``.
    """
    return MetaData(schema=schema, naming_convention=NAMING_CONVENTION)


class Timestamped:
    """``created_at`` and ``updated_at``, set by the database."""

    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    updated_at: Mapped[dt.datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), onupdate=func.now()
    )


def new_id() -> uuid.UUID:
    """A new random primary key."""
    return uuid.uuid4()


def str_enum(cls: type[enum.StrEnum], name: str) -> Enum:
    """A string column holding the values of ``cls`` (the migration adds the CHECK constraint)."""
    return Enum(cls, name=name, native_enum=False, length=32, values_callable=lambda e: [m.value for m in e])
