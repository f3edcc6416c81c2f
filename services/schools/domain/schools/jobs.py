"""Background jobs of school onboarding: the principal's Keycloak account.

Provisioning consumes ``schools.school.onboarded`` and ``schools.school.provisioning_requested``
(``kit.events``). Each event takes effect at most once, because of the consumer's inbox. Provisioning acts
only on a school whose provisioning is ``pending``, so a ``done`` (or ``failed``) school is left alone
whichever event arrives. A failure that may pass (Keycloak or SMTP unreachable) keeps the school
``pending`` and records the reason. The periodic re-drive then tries again with backoff. After
:data:`MAX_ATTEMPTS` attempts the school is ``failed`` and waits for the bureau's retry. A username that
belongs to somebody else fails at once.
"""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from kit.broker import configure_broker, worker_database
from kit.events import (
    SCHOOL_ONBOARDED,
    SCHOOL_PROVISIONING_REQUESTED,
    Event,
    SchoolOnboarded,
    SchoolProvisioningRequested,
    consumer,
)
from kit.identity import AccountConflictError, admin_client, ensure_account, generate_password
from kit.logging import get_logger
from kit.mail import send_mail
from kit.scheduler import Tenant, every, per_tenant
from kit.settings import get_settings
from schools import SERVICE
from schools.domain.schools.models import ProvisioningStatus, School
from schools.domain.schools.repository import SchoolRepository
from schools.outbox import outbox
from tenants import TenantContext

configure_broker()
log = get_logger(__name__)

MAX_ATTEMPTS = 6
#: A school still ``pending`` this long after its last change missed its event. The re-drive takes over.
REDRIVE_AFTER = dt.timedelta(minutes=5)


def retry_delay(attempts: int) -> dt.timedelta:
    """How long after the school's last change the re-drive waits. After a failed attempt the wait is 1, 2,
    4, 8 and then 16 minutes. With no attempt yet it is :data:`REDRIVE_AFTER`."""
    if attempts <= 0:
        return REDRIVE_AFTER
    return dt.timedelta(minutes=min(30, 2 ** (attempts - 1)))


def awaits_redrive(school: School, now: dt.datetime) -> bool:
    return (
        school.provisioning_status == ProvisioningStatus.PENDING
        and school.updated_at + retry_delay(school.provisioning_attempts) <= now
    )


def _welcome(school: School, password: str, temporary: bool) -> tuple[str, str]:
    subject = f"SafeCampus 账号 / account: {school.name}"
    change = "首次登录时请修改密码。/ You will be asked to change it at first login." if temporary else ""
    body = (
        f"{school.principal_name}，您好：\n\n"
        f"您已被登记为 {school.name} 的校长（校园安全第一责任人）。\n"
        f"Dear {school.principal_name}, you are registered as principal of {school.name}.\n\n"
        f"用户名 / Username: {school.principal_username}\n"
        f"初始密码 / Initial password: {password}\n{change}\n"
    )
    return subject, body


async def provision_principal(session: AsyncSession, school_id: uuid.UUID) -> None:
    """Create the principal's account (role ``principal``, county and school attributes) and e-mail the
    initial password, if the school's provisioning is ``pending``.

    Runs in the school's tenant context and holds the school's row lock until the transaction ends, so
    concurrent attempts for one school run one after the other. The second one finds the school done.
    A retry reuses an existing account and sends a fresh password.
    """
    school = await SchoolRepository(session).get(school_id, for_update=True)
    if school is None or school.provisioning_status != ProvisioningStatus.PENDING:
        return
    settings = get_settings()
    school.provisioning_attempts += 1
    password = generate_password()
    try:
        admin = admin_client(settings)
        account = await ensure_account(
            admin,
            username=school.principal_username,
            email=school.principal_email,
            full_name=school.principal_name,
            roles=["principal"],
            attributes={"county_id": str(school.county_id), "school_id": str(school.id)},
            password=password,
            temporary_password=settings.temporary_passwords,
        )
        if not account.created:
            await admin.a_set_user_password(account.user_id, password, temporary=settings.temporary_passwords)
        subject, body = _welcome(school, password, settings.temporary_passwords)
        await send_mail(school.principal_email, subject, body)
    except AccountConflictError as exc:
        school.provisioning_status = ProvisioningStatus.FAILED
        school.provisioning_error = str(exc)
        log.warning("provisioning_conflict", school_id=str(school.id), error=str(exc))
        return
    except Exception as exc:  # recorded on the school; the re-drive tries again
        school.provisioning_error = f"{type(exc).__name__}: {str(exc)[:300]}"
        if school.provisioning_attempts >= MAX_ATTEMPTS:
            school.provisioning_status = ProvisioningStatus.FAILED
        log.warning(
            "provisioning_failed",
            school_id=str(school.id),
            attempt=school.provisioning_attempts,
            error=str(exc),
        )
        return
    school.provisioning_status = ProvisioningStatus.DONE
    school.provisioning_error = ""
    school.principal_user_id = account.user_id
    log.info("principal_provisioned", school_id=str(school.id), created=account.created)


@consumer(SERVICE, SCHOOL_ONBOARDED, time_limit=120_000)
async def provision_onboarded_school(session: AsyncSession, event: Event[SchoolOnboarded]) -> None:
    await provision_principal(session, event.payload.school_id)


@consumer(SERVICE, SCHOOL_PROVISIONING_REQUESTED, time_limit=120_000)
async def provision_on_request(session: AsyncSession, event: Event[SchoolProvisioningRequested]) -> None:
    await provision_principal(session, event.payload.school_id)


async def schools_awaiting_provisioning(period: str) -> list[Tenant]:
    """Every school, in every county, whose provisioning is ``pending`` and due for the re-drive.

    The counties come from the outbox's ``schools.school.onboarded`` events, because the app role cannot
    list counties across tenants. Each county's schools are then read in that county's own context. If
    one county fails, the others are still listed.
    """
    database = worker_database(SERVICE)
    async with database.transaction(None) as session:
        counties = await outbox.counties_with(session, SCHOOL_ONBOARDED)
    now = dt.datetime.now(dt.UTC)
    due: list[Tenant] = []
    for county_id in counties:
        tenant = TenantContext.for_county(county_id, actor="scheduler:schools.provisioning.redrive")
        try:
            async with database.transaction(tenant) as session:
                pending = await SchoolRepository(session).pending_provisioning()
        except Exception as exc:
            log.error("redrive_listing_failed", county_id=str(county_id), error=str(exc))
            continue
        due += [(school.county_id, school.id) for school in pending if awaits_redrive(school, now)]
    return due


@per_tenant(
    SERVICE,
    "schools.provisioning.redrive",
    every(minutes=1),
    tenants=schools_awaiting_provisioning,
    max_retries=0,
    time_limit=120_000,
)
async def redrive_provisioning(session: AsyncSession, tenant: TenantContext, period: str) -> None:
    """Provision a school whose provisioning should have settled by now: its event was lost to a dead
    letter queue, or its last attempt failed and its backoff has passed."""
    assert tenant.school_id is not None  # dispatched per school
    school = await SchoolRepository(session).get(tenant.school_id, for_update=True)
    if school is not None and awaits_redrive(school, dt.datetime.now(dt.UTC)):
        log.info("provisioning_redriven", school_id=str(school.id), period=period)
        await provision_principal(session, school.id)
