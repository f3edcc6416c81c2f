from __future__ import annotations

import uuid

from sqlalchemy import Computed, String, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from schools.models import Base, Timestamped, new_id


class County(Timestamped, Base):
    __tablename__ = "counties"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=new_id)
    #: Mirrors ``id`` so that the county RLS policy reads the same column on every table.
    county_id: Mapped[uuid.UUID] = mapped_column(Uuid, Computed("id", persisted=True))
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    name_en: Mapped[str] = mapped_column(String(120), default="")
    locale: Mapped[str] = mapped_column(String(10), default="zh-Hans")
