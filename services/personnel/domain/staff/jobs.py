"""Accounts of staff and bureau users: make the Keycloak account match the staff row.

The account job consumes the ``personnel.staff.*`` events (``kit.events``) that the staff service writes
with each change. It is convergent: it looks at the row, not at the event, and creates and invites,
enables or disables the account until Keycloak matches (``status`` says what the account should be,
``account_status`` what it is). Running it twice, late, or for an out-of-date event leaves the same result.
A failure that may pass (Keycloak or SMTP unreachable) is recorded on the row; the periodic re-drive tries
again with backoff, up to :data:`MAX_ATTEMPTS`. A username that belongs to somebody else fails at once.
"""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import and_, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from kit.broker import configure_broker, worker_database
from kit.events import PERSONNEL_STAFF_EVENTS, Event, StaffChanged, consumer
from kit.identity import (
    AccountConflictError,
    admin_client,
    disable_account,
    enable_account,
    ensure_account,
    generate_password,
)
from kit.logging import get_logger
from kit.mail import send_mail
from kit.scheduler import Tenant, every, per_tenant
from kit.settings import get_settings
from personnel import SERVICE
from personnel.domain.staff.models import AccountStatus, Staff, StaffStatus
from personnel.domain.staff.repository import StaffRepository
from personnel.outbox import outbox
from tenants import TenantContext

configure_broker()
log = get_logger(__name__)

MAX_ATTEMPTS = 6
ROLE_LABELS = {
    "teacher": "教师 / teacher",
    "guard": "保安 / guard",
    "bureau": "教育局 / bureau",
    "principal": "校长 / principal",
}


def out_of_sync(staff: Staff) -> bool:
    """Keycloak does not match the row yet (or the last attempt failed and may be retried)."""
    if staff.status == StaffStatus.ACTIVE:
        return staff.user_id is None or staff.account_status != AccountStatus.READY
    return staff.account_status != AccountStatus.DISABLED


#: :func:`out_of_sync` in SQL.
OUT_OF_SYNC = or_(
    and_(
        Staff.status == StaffStatus.ACTIVE,
        or_(Staff.user_id.is_(None), Staff.account_status != AccountStatus.READY),
    ),
    and_(Staff.status == StaffStatus.DEACTIVATED, Staff.account_status != AccountStatus.DISABLED),
)


def retry_delay(attempts: int) -> dt.timedelta:
    """How long after the row's last change the re-drive waits: 5 minutes for an event that may still be
    on its way, then 1, 2, 4, 8 and 16 minutes after failed attempts."""
    if attempts <= 0:
        return dt.timedelta(minutes=5)
    return dt.timedelta(minutes=min(30, 2 ** (attempts - 1)))


def awaits_redrive(staff: Staff, now: dt.datetime) -> bool:
    return (
        out_of_sync(staff)
        and staff.account_attempts < MAX_ATTEMPTS
        and staff.updated_at + retry_delay(staff.account_attempts) <= now
    )


def _invitation(staff: Staff, password: str, temporary: bool) -> tuple[str, str]:
    subject = "SafeCampus 账号邀请 / account invitation"
    change = "首次登录时请修改密码。/ You will be asked to change it at first login.\n" if temporary else ""
    body = (
        f"{staff.name}，您好：\n\n"
        f"您已被登记为 SafeCampus 用户（{ROLE_LABELS.get(staff.role.value, staff.role.value)}）。\n"
        f"Dear {staff.name}, an account has been created for you in SafeCampus.\n\n"
        f"用户名 / Username: {staff.username}\n"
        f"初始密码 / Initial password: {password}\n{change}"
    )
    return subject, body


async def _provision(staff: Staff) -> None:
    """Create (or take up again) the account, give it a fresh initial password and e-mail it. The password
    goes straight to the mail server; it is never stored."""
    settings = get_settings()
    admin = admin_client(settings)
    attributes = {"county_id": str(staff.county_id)}
    if staff.school_id is not None:
        attributes["school_id"] = str(staff.school_id)
    password = generate_password()
    account = await ensure_account(
        admin,
        username=staff.username,
        email=staff.email,
        full_name=staff.name,
        roles=[staff.role.value],
        attributes=attributes,
        password=password,
        temporary_password=settings.temporary_passwords,
    )
    if not account.created:  # a retry, or a re-sent invitation: a fresh password, and enabled
        await admin.a_set_user_password(account.user_id, password, temporary=settings.temporary_passwords)
        await enable_account(admin, account.user_id)
    subject, body = _invitation(staff, password, settings.temporary_passwords)
    await send_mail(staff.email, subject, body)
    staff.user_id = account.user_id


async def sync_account(session: AsyncSession, staff_id: uuid.UUID) -> None:
    """Bring one account in line with its staff row. Holds the row's lock until the transaction ends, so
    two runs for one person go one after the other and the second finds nothing to do."""
    staff = await StaffRepository(session).get(staff_id, for_update=True)
    if staff is None or not out_of_sync(staff):
        return
    wanted_active = staff.status == StaffStatus.ACTIVE
    staff.account_attempts += 1
    try:
        if wanted_active and (staff.user_id is None or staff.account_status != AccountStatus.DISABLED):
            await _provision(staff)
        elif wanted_active and staff.user_id is not None:
            await enable_account(admin_client(get_settings()), staff.user_id)
        elif staff.user_id is not None:  # an account never created has nothing to disable
            await disable_account(admin_client(get_settings()), staff.user_id)
    except AccountConflictError as exc:  # retrying cannot help: the principal picks another username
        staff.account_status, staff.account_error = AccountStatus.FAILED, str(exc)
        staff.account_attempts = MAX_ATTEMPTS
        log.warning("account_conflict", staff_id=str(staff_id), error=str(exc))
        return
    except Exception as exc:  # recorded on the row; the re-drive tries again
        staff.account_error = f"{type(exc).__name__}: {str(exc)[:300]}"
        if wanted_active and staff.account_attempts >= MAX_ATTEMPTS:
            staff.account_status = AccountStatus.FAILED
        log.warning(
            "account_sync_failed", staff_id=str(staff_id), attempt=staff.account_attempts, error=str(exc)
        )
        return
    staff.account_status = AccountStatus.READY if wanted_active else AccountStatus.DISABLED
    staff.account_error = ""
    log.info("account_synced", staff_id=str(staff_id), status=staff.account_status.value)


def _declare_consumer(verb: str) -> object:
    @consumer(SERVICE, PERSONNEL_STAFF_EVENTS[verb], time_limit=120_000)
    async def on_staff_change(session: AsyncSession, event: Event[StaffChanged]) -> None:
        await sync_account(session, event.payload.staff_id)

    return on_staff_change


#: The consumers of ``personnel.staff.invited``, ``.invitation_resent``, ``.deactivated``, ``.reactivated``.
STAFF_CONSUMERS = {verb: _declare_consumer(verb) for verb in PERSONNEL_STAFF_EVENTS}


async def schools_with_accounts_to_sync(period: str) -> list[Tenant]:
    """Tenants (schools, or a county for its bureau users) with an account whose sync is due: its event went
    to a dead-letter queue, or its last attempt failed and its backoff has passed."""
    database = worker_database(SERVICE)
    async with database.transaction(None) as session:
        counties = await outbox.counties_with(session, PERSONNEL_STAFF_EVENTS["invited"])
    now = dt.datetime.now(dt.UTC)
    due: set[Tenant] = set()
    for county_id in counties:
        tenant = TenantContext.for_county(county_id, actor="scheduler:personnel.accounts.redrive")
        try:
            async with database.transaction(tenant) as session:
                rows = await session.execute(
                    select(Staff).where(OUT_OF_SYNC, Staff.account_attempts < MAX_ATTEMPTS)
                )
                due |= {(s.county_id, s.school_id) for s in rows.scalars() if awaits_redrive(s, now)}
        except Exception as exc:
            log.error("redrive_listing_failed", county_id=str(county_id), error=str(exc))
    return sorted(due, key=str)


@per_tenant(
    SERVICE,
    "personnel.accounts.redrive",
    every(minutes=1),
    tenants=schools_with_accounts_to_sync,
    max_retries=0,
    time_limit=300_000,
)
async def redrive_accounts(session: AsyncSession, tenant: TenantContext, period: str) -> None:
    now = dt.datetime.now(dt.UTC)
    own = Staff.school_id == tenant.school_id if tenant.school_id else Staff.school_id.is_(None)
    query = select(Staff.id).where(own, OUT_OF_SYNC, Staff.account_attempts < MAX_ATTEMPTS)
    for staff_id in (await session.execute(query)).scalars():
        staff = await StaffRepository(session).get(staff_id)
        if staff is not None and awaits_redrive(staff, now):
            log.info("account_redriven", staff_id=str(staff_id), period=period)
            await sync_account(session, staff_id)
