"""Fixed-window rate limits for the public channel, counted in Postgres so that every API process agrees.

Buckets name what is limited (``client:<hash>``, ``link:<id>``); they hold no tenant data, so the table is
a system table that the channel may use before it knows the tenant.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac

from sqlalchemy import delete, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from hazards.domain.reports.models import ChannelSecret, ThrottleWindow


def window_start(now: dt.datetime, length: dt.timedelta) -> dt.datetime:
    seconds = int(length.total_seconds())
    epoch = int(now.timestamp())
    return dt.datetime.fromtimestamp(epoch - epoch % seconds, tz=dt.UTC)


class Throttle:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def hit(self, bucket: str, *, now: dt.datetime, window: dt.timedelta, limit: int) -> bool:
        """Count one hit on ``bucket``; ``False`` once the window already holds ``limit`` hits."""
        statement = (
            insert(ThrottleWindow)
            .values(bucket=bucket, window_start=window_start(now, window), hits=1)
            .on_conflict_do_update(
                index_elements=[ThrottleWindow.bucket, ThrottleWindow.window_start],
                set_={"hits": ThrottleWindow.hits + 1},
            )
            .returning(ThrottleWindow.hits)
        )
        hits = int((await self.session.execute(statement)).scalar_one())
        return hits <= limit

    async def client_hash(self, address: str) -> str:
        """A keyed hash of the client's address (the key never leaves the database)."""
        key = (
            await self.session.execute(select(ChannelSecret.key).where(ChannelSecret.id == 1))
        ).scalar_one()
        return hmac.new(key, address.encode(), hashlib.sha256).hexdigest()[:32]

    async def purge(self, *, before: dt.datetime) -> int:
        result = await self.session.execute(
            delete(ThrottleWindow).where(ThrottleWindow.window_start < before)
        )
        return int(result.rowcount)  # type: ignore[attr-defined]
