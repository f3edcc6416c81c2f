"""Background jobs of school onboarding: the principal's Keycloak account."""

from __future__ import annotations

import asyncio
import uuid

import dramatiq
from sqlalchemy.ext.asyncio import AsyncSession

from kit.broker import configure_broker, tenant_actor
from kit.identity import AccountConflictError, admin_client, ensure_account, generate_password
from kit.logging import get_logger
from kit.mail import send_mail
from kit.settings import get_settings
from schools import SERVICE
from schools.domain.schools.models import ProvisioningStatus, School
from schools.domain.schools.repository import SchoolRepository
from tenants import TenantContext

configure_broker()
log = get_logger(__name__)

MAX_ATTEMPTS = 6


def _backoff_ms(attempt: int) -> int:
    return int(min(60_000, 1_000 * 2 ** max(0, attempt - 1)))


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


@tenant_actor(SERVICE, actor_name="schools.school.provision_principal", max_retries=0, time_limit=120_000)
async def provision_principal(session: AsyncSession, tenant: TenantContext) -> None:
    """Create the principal's account (role ``principal``, county and school attributes) and e-mail the
    initial password. Idempotent: a school whose provisioning is done is left alone; a retry reuses the
    account and sends a fresh password. Failures are recorded on the school and retried with backoff."""
    assert tenant.school_id is not None
    school_id = str(tenant.school_id)
    school = await SchoolRepository(session).get(tenant.school_id, for_update=True)
    if school is None or school.provisioning_status == ProvisioningStatus.DONE:
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
        log.warning("provisioning_conflict", school_id=school_id, error=str(exc))
        return
    except Exception as exc:  # recorded on the school and retried; the bureau sees the reason
        school.provisioning_status = ProvisioningStatus.FAILED
        school.provisioning_error = f"{type(exc).__name__}: {str(exc)[:300]}"
        log.warning(
            "provisioning_failed", school_id=school_id, attempt=school.provisioning_attempts, error=str(exc)
        )
        if school.provisioning_attempts < MAX_ATTEMPTS:
            enqueue_provisioning(
                tenant.county_id, school.id, delay_ms=_backoff_ms(school.provisioning_attempts)
            )
        return
    school.provisioning_status = ProvisioningStatus.DONE
    school.provisioning_error = ""
    school.principal_user_id = account.user_id
    log.info("principal_provisioned", school_id=school_id, created=account.created)


def enqueue_provisioning(
    county_id: uuid.UUID, school_id: uuid.UUID, delay_ms: int | None = None
) -> dramatiq.Message:
    """Ask a worker to provision the principal of ``school_id`` (call only after the school is committed)."""
    return provision_principal.send_with_options(args=(str(county_id), str(school_id)), delay=delay_ms)


async def enqueue_provisioning_after_commit(county_id: uuid.UUID, school_id: uuid.UUID) -> None:
    """The same, off the event loop (broker clients block). A failure leaves the school ``pending``, which the
    bureau sees and can retry."""
    try:
        await asyncio.to_thread(enqueue_provisioning, county_id, school_id)
    except Exception as exc:
        log.error("enqueue_failed", school_id=str(school_id), error=str(exc))
