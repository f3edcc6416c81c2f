"""Helpers of the audit-trail tests: a fresh school with a few entries, and direct database access as the
migrator (the operator) — and as an attacker holding the owner's rights."""

from __future__ import annotations

import secrets
import uuid
from dataclasses import dataclass
from typing import Any

import asyncpg
import pytest

from tenants.roles import MIGRATOR, OWNER
from tests.conftest import make_school


@dataclass
class Chain:
    county_id: uuid.UUID
    school_id: uuid.UUID | None
    service: str = "schools"

    @property
    def table(self) -> str:
        return f"{self.service}.audit_log"


@pytest.fixture
async def migrator(stack) -> Any:
    conn = await asyncpg.connect(stack.settings.database_dsn(MIGRATOR, "migrator"))
    yield conn
    await conn.close()


async def entries(conn: asyncpg.Connection, chain: Chain, after_seq: int = 0) -> list[asyncpg.Record]:
    """The chain's entries after ``after_seq``, in order (read as the migrator, across tenants)."""
    school = "school_id = $2" if chain.school_id else "school_id IS NULL AND $2::uuid IS NULL"
    return await conn.fetch(
        f"SELECT * FROM {chain.table} WHERE county_id = $1 AND {school} AND seq > $3 ORDER BY seq",
        chain.county_id,
        chain.school_id,
        after_seq,
    )


async def head_seq(conn: asyncpg.Connection, chain: Chain) -> int:
    rows = await entries(conn, chain)
    return rows[-1]["seq"] if rows else 0


#: Use in tampering statements: the chain's rows (``$1`` county, ``$2`` school).
IN_CHAIN = "county_id = $1 AND school_id IS NOT DISTINCT FROM $2"


async def tamper_as_owner(conn: asyncpg.Connection, chain: Chain, *statements: str) -> None:
    """What an attacker with the owner's rights can do: switch the append-only trigger and the forced RLS
    off, change rows directly, and switch both back on. Every statement filters with :data:`IN_CHAIN`."""
    async with conn.transaction():
        await conn.execute(f"SET LOCAL ROLE {OWNER}")
        await conn.execute(f"ALTER TABLE {chain.table} DISABLE TRIGGER USER")
        await conn.execute(f"ALTER TABLE {chain.table} NO FORCE ROW LEVEL SECURITY")
        for statement in statements:
            await conn.execute(statement, chain.county_id, chain.school_id)
        await conn.execute(f"ALTER TABLE {chain.table} FORCE ROW LEVEL SECURITY")
        await conn.execute(f"ALTER TABLE {chain.table} ENABLE TRIGGER USER")


@pytest.fixture
async def school_chain(stack, world, app_client) -> Chain:
    """A new school of county X whose chain holds 4 entries: its creation and three updates by the bureau."""
    school_id = await make_school(stack.settings, world.county_x, f"t{secrets.token_hex(3)}")
    for name in ("甲校", "乙校", "丙校"):
        response = await app_client.patch(
            f"/schools/{school_id}", json={"name": f"审计测试{name}"}, headers=world["bureau_x"].headers
        )
        assert response.status_code == 200, response.text
    return Chain(world.county_x, school_id)
