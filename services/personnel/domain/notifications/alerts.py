"""Who hears about what goes wrong in a school: its leaders (the principal, and staff with the school-leader
position) get an in-app notification; the person concerned too, when there is one."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from kit.notifications import Notifications
from personnel import SERVICE
from personnel.domain.staff.models import Position, Staff, StaffRole, StaffStatus


async def school_leaders(session: AsyncSession) -> list[Staff]:
    """Active leaders of the session's school who have an account."""
    query = select(Staff).where(
        Staff.status == StaffStatus.ACTIVE,
        Staff.user_id.is_not(None),
        Staff.school_id.is_not(None),
        (Staff.role == StaffRole.PRINCIPAL) | Staff.positions.contains([Position.SCHOOL_LEADER.value]),
    )
    return list((await session.execute(query)).scalars())


async def alert(
    session: AsyncSession,
    *,
    kind: str,
    title: str,
    body: str,
    link: str,
    also: Staff | None = None,
) -> int:
    """Notify the school's leaders (and ``also``, once). Returns how many people were notified."""
    recipients = {s.user_id: s for s in await school_leaders(session) if s.user_id}
    if also is not None and also.user_id and also.status == StaffStatus.ACTIVE:
        recipients.setdefault(also.user_id, also)
    notifications = Notifications(session, SERVICE)
    for user_id in sorted(recipients):
        await notifications.notify(user_id, kind=kind, title=title, body=body, link=link)
    return len(recipients)
