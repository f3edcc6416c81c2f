from __future__ import annotations

import uuid

import msgspec


class County(msgspec.Struct):
    id: uuid.UUID
    code: str
    name: str
    name_en: str
    locale: str
