"""Operator work on counties: creating one with its first bureau account."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

import asyncpg
from sqlalchemy import select

from kit.db import Database
from kit.errors import ConflictError
from kit.identity import admin_client, ensure_account, generate_password
from kit.settings import Settings
from schools import SERVICE
from schools.domain.counties.models import County
from tenants import TenantContext
from tenants.roles import MIGRATOR, app_role


@dataclass(frozen=True, slots=True)
class CreatedCounty:
    id: uuid.UUID
    code: str
    bureau_username: str
    bureau_password: str | None
    bureau_created: bool


async def find_county_id(settings: Settings, code: str) -> uuid.UUID | None:
    """Look a county up by code across tenants (operator commands only: runs as the migrator)."""
    conn = await asyncpg.connect(settings.database_dsn(MIGRATOR, "migrator"))
    try:
        value = await conn.fetchval("SELECT id FROM schools.counties WHERE code = $1", code)
    finally:
        await conn.close()
    return value if value is None else uuid.UUID(str(value))


async def create_county(
    settings: Settings,
    *,
    code: str,
    name: str,
    name_en: str,
    locale: str,
    bureau_username: str,
    bureau_email: str,
    bureau_name: str,
    bureau_password: str | None = None,
) -> CreatedCounty:
    """Create a county (idempotent on ``code``) and its first bureau account.

    The county row is written through the schools app role under the new county's own context, so the
    same RLS rules hold for the operator as for everyone else.
    """
    existing = await find_county_id(settings, code)
    county_id = existing or uuid.uuid4()
    database = Database(settings.sqlalchemy_url(app_role(SERVICE), SERVICE), pool_size=1)
    try:
        async with database.transaction(TenantContext.for_county(county_id, actor="operator")) as session:
            county = (
                await session.execute(select(County).where(County.id == county_id))
            ).scalar_one_or_none()
            if county is None:
                session.add(County(id=county_id, code=code, name=name, name_en=name_en, locale=locale))
            elif county.name != name:
                raise ConflictError(f"county {code} exists with another name ({county.name})")
    finally:
        await database.dispose()
    password = bureau_password or generate_password()
    account = await ensure_account(
        admin_client(settings),
        username=bureau_username,
        email=bureau_email,
        full_name=bureau_name,
        roles=["bureau"],
        attributes={"county_id": str(county_id)},
        password=password,
        temporary_password=settings.temporary_passwords and bureau_password is None,
    )
    return CreatedCounty(
        id=county_id,
        code=code,
        bureau_username=bureau_username,
        bureau_password=password if account.created else None,
        bureau_created=account.created,
    )
