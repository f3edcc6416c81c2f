"""Notifications for every service: in-app (per user, read/unread) and, when wanted, by e-mail.

A notification is a row of ``<schema>.notifications`` (created by ``tenants.notifications``), written in
the caller's transaction by :meth:`Notifications.notify`, so it exists iff the change that caused it
committed. Row-level security shows each user only their own notifications.

E-mail is delivered by the service's ``<service>.notification.send_email`` job (declared by the service
with :func:`declare_email_jobs`), enqueued once the transaction has committed. The row itself records
the delivery (``email_sent_at``, attempts, last error), so nothing is lost: SMTP down → the job records
the failure and retries with backoff; broker down at commit → the sweep ``<service>.notification.sweep``
(every two minutes, from the scheduler) enqueues what is still unsent. Delivery is at least once.

Reminders and escalations of every feature go through here. Titles and bodies are bilingual, Chinese
first (:func:`bilingual`).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import uuid
from collections.abc import Sequence
from typing import Annotated, Any, Final

import dramatiq
import msgspec
from litestar import Router, get, post
from litestar.params import FromPath, FromQuery, QueryParameter
from sqlalchemy import event, text
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session

from kit.audit import SAME, AuditLog, SameTenant
from kit.auth import requires_role
from kit.broker import tenant_actor, worker_database
from kit.db import DbSession
from kit.errors import NotFoundError
from kit.logging import get_logger
from kit.mail import send_mail
from kit.scheduler import Tenant, every, per_tenant
from tenants import TenantContext
from tenants.session import TENANT_KEY

log = get_logger(__name__)

#: Delivery attempts of one e-mail before it is left as failed (about an hour of backoff in total).
MAX_EMAIL_ATTEMPTS: Final = 8
#: The sweep leaves younger unsent e-mails to the job that was enqueued at commit.
SWEEP_GRACE: Final = dt.timedelta(minutes=2)
_AFTER_COMMIT = "notifications.after_commit"
_COLUMNS = "id, county_id, school_id, kind, title, body, link, created_at, read_at"


def bilingual(zh: str, en: str) -> str:
    """One text in Chinese and English, Chinese first: ``中文 / English`` for one-line titles, two
    paragraphs for longer bodies."""
    if "\n" in zh or "\n" in en or len(zh) + len(en) > 120:
        return f"{zh}\n\n{en}"
    return f"{zh} / {en}"


class Notification(msgspec.Struct):
    id: uuid.UUID
    kind: str
    title: str
    body: str
    link: str | None
    created_at: dt.datetime
    read_at: dt.datetime | None
    county_id: uuid.UUID
    school_id: uuid.UUID | None


class NotificationPage(msgspec.Struct):
    items: list[Notification]
    total: int
    unread: int
    limit: int
    offset: int


class MarkedRead(msgspec.Struct):
    marked: int


def _email_job(service: str) -> str:
    return f"{service}.notification.send_email"


def _backoff_ms(attempt: int) -> int:
    return int(min(30 * 60_000, 15_000 * 2 ** max(0, attempt - 1)))


def _enqueue_email(
    service: str,
    county_id: uuid.UUID,
    school_id: uuid.UUID | None,
    notification_id: uuid.UUID,
    delay_ms: int | None = None,
) -> None:
    actor = dramatiq.get_broker().get_actor(_email_job(service))
    actor.send_with_options(
        args=(str(county_id), str(school_id) if school_id else None),
        kwargs={"notification_id": str(notification_id)},
        delay=delay_ms,
    )


def _enqueue_all(items: Sequence[tuple[str, uuid.UUID, uuid.UUID | None, uuid.UUID]]) -> None:
    for service, county_id, school_id, notification_id in items:
        try:
            _enqueue_email(service, county_id, school_id, notification_id)
        except Exception as exc:  # the row stays unsent; the sweep enqueues it again later
            log.warning("email_enqueue_failed", notification_id=str(notification_id), error=str(exc)[:300])


_in_flight: set[asyncio.Future[None]] = set()


def _after_commit(session: Session) -> None:
    items = session.info.pop(_AFTER_COMMIT, [])
    if not items:
        return
    try:
        loop = asyncio.get_running_loop()
    except RuntimeError:
        _enqueue_all(items)
        return
    # Broker clients block: enqueue off the event loop, without delaying the caller's response.
    future = loop.run_in_executor(None, _enqueue_all, items)
    _in_flight.add(future)
    future.add_done_callback(_in_flight.discard)


def _after_rollback(session: Session) -> None:
    session.info.pop(_AFTER_COMMIT, None)


class Notifications:
    """The notifications of one service, through the caller's session (and so its tenant context)."""

    def __init__(self, session: AsyncSession, service: str) -> None:
        self.session = session
        self.service = service
        self.table = f"{service}.notifications"

    @property
    def _tenant(self) -> TenantContext:
        tenant = self.session.sync_session.info.get(TENANT_KEY)
        if not isinstance(tenant, TenantContext):
            raise RuntimeError("notifications need a tenant context")
        return tenant

    async def notify(
        self,
        recipient_id: str,
        *,
        kind: str,
        title: str,
        body: str,
        link: str | None = None,
        email: str | None = None,
        school_id: uuid.UUID | SameTenant | None = SAME,
    ) -> uuid.UUID:
        """Notify ``recipient_id`` (the user's id, the token's ``sub``) in the app and, with ``email``, by
        e-mail once the caller's transaction has committed.

        ``school_id`` is the tenant the notification belongs to: by default the caller's school (the
        county for a bureau user); the bureau names the school when it notifies a school's staff.
        """
        tenant = self._tenant
        notification_id = uuid.uuid4()
        tenant_school = tenant.school_id if isinstance(school_id, SameTenant) else school_id
        await self.session.execute(
            text(
                f"INSERT INTO {self.table} (id, county_id, school_id, recipient_id, kind, title, body, link,"
                " email_to) VALUES (:id, :county_id, :school_id, :recipient_id, :kind, :title, :body, :link,"
                " :email_to)"
            ),
            {
                "id": notification_id,
                "county_id": tenant.county_id,
                "school_id": tenant_school,
                "recipient_id": recipient_id,
                "kind": kind,
                "title": title,
                "body": body,
                "link": link,
                "email_to": email or None,
            },
        )
        if email:
            self._send_after_commit((self.service, tenant.county_id, tenant_school, notification_id))
        return notification_id

    def _send_after_commit(self, item: tuple[str, uuid.UUID, uuid.UUID | None, uuid.UUID]) -> None:
        session = self.session.sync_session
        session.info.setdefault(_AFTER_COMMIT, []).append(item)
        if not event.contains(session, "after_commit", _after_commit):
            event.listen(session, "after_commit", _after_commit)
            event.listen(session, "after_rollback", _after_rollback)

    # --- the caller's inbox -----------------------------------------------------------------------------
    async def inbox(self, *, unread_only: bool = False, limit: int = 50, offset: int = 0) -> NotificationPage:
        """The caller's notifications, newest first, with how many there are and how many are unread."""
        me = {"me": self._tenant.user_id}
        counts = (
            await self.session.execute(
                text(
                    f"SELECT count(*) AS total, count(*) FILTER (WHERE read_at IS NULL) AS unread"
                    f" FROM {self.table} WHERE recipient_id = :me"
                ),
                me,
            )
        ).one()
        rows = (
            await self.session.execute(
                text(
                    f"SELECT {_COLUMNS} FROM {self.table} WHERE recipient_id = :me"
                    f"{' AND read_at IS NULL' if unread_only else ''}"
                    " ORDER BY created_at DESC, id LIMIT :limit OFFSET :offset"
                ),
                {**me, "limit": limit, "offset": offset},
            )
        ).mappings()
        return NotificationPage(
            items=[Notification(**row) for row in rows],
            total=int(counts.unread if unread_only else counts.total),
            unread=int(counts.unread),
            limit=limit,
            offset=offset,
        )

    async def mark_read(self, notification_id: uuid.UUID) -> Notification:
        """Mark one of the caller's notifications read (idempotent); somebody else's is not found."""
        params = {"id": notification_id, "me": self._tenant.user_id}
        row = (
            (
                await self.session.execute(
                    text(
                        f"UPDATE {self.table} SET read_at = now() WHERE id = :id AND recipient_id = :me"
                        f" AND read_at IS NULL RETURNING {_COLUMNS}"
                    ),
                    params,
                )
            )
            .mappings()
            .first()
        )
        if row is not None:
            notification = Notification(**row)
            await self._audit_read(notification.school_id, notification.id, [notification])
            return notification
        row = (
            (
                await self.session.execute(
                    text(f"SELECT {_COLUMNS} FROM {self.table} WHERE id = :id AND recipient_id = :me"), params
                )
            )
            .mappings()
            .first()
        )
        if row is None:
            raise NotFoundError("notification not found")
        return Notification(**row)

    async def mark_all_read(self) -> MarkedRead:
        """Mark every unread notification of the caller read."""
        rows = (
            await self.session.execute(
                text(
                    f"UPDATE {self.table} SET read_at = now() WHERE recipient_id = :me AND read_at IS NULL"
                    f" RETURNING {_COLUMNS}"
                ),
                {"me": self._tenant.user_id},
            )
        ).mappings()
        by_chain: dict[uuid.UUID | None, list[Notification]] = {}
        for row in rows:
            notification = Notification(**row)
            by_chain.setdefault(notification.school_id, []).append(notification)
        for school_id, notifications in sorted(by_chain.items(), key=lambda item: str(item[0])):
            await self._audit_read(school_id, self._tenant.user_id, notifications)
        return MarkedRead(marked=sum(len(n) for n in by_chain.values()))

    async def _audit_read(
        self, school_id: uuid.UUID | None, object_id: object, notifications: list[Notification]
    ) -> None:
        # Core statements are not seen by the ORM hook: record the write explicitly.
        single = len(notifications) == 1 and object_id == notifications[0].id
        await AuditLog(self.session, self.service).record(
            "notification.read" if single else "notification.read_all",
            object_type="notification" if single else "notification_inbox",
            object_id=object_id,
            school_id=school_id,
            before=[msgspec.structs.replace(n, read_at=None) for n in notifications],
            after=notifications,
            fields=["read_at"],
        )

    # --- e-mail delivery (background work) --------------------------------------------------------------
    async def deliver_email(self, notification_id: uuid.UUID) -> None:
        """Send the notification's e-mail unless it was sent already; a failure is recorded on the row and
        retried with backoff, up to :data:`MAX_EMAIL_ATTEMPTS`."""
        row = (
            await self.session.execute(
                text(
                    f"SELECT id, county_id, school_id, title, body, link, email_to, email_sent_at, email_attempts"
                    f" FROM {self.table} WHERE id = :id FOR UPDATE"
                ),
                {"id": notification_id},
            )
        ).first()
        if row is None or not row.email_to or row.email_sent_at is not None:
            return
        attempts = int(row.email_attempts) + 1
        body = row.body + (f"\n\n链接 / Link: {row.link}" if row.link else "")
        try:
            await send_mail(row.email_to, row.title, body)
        except Exception as exc:  # recorded and retried; the operator sees the reason on the row
            error = f"{type(exc).__name__}: {str(exc)[:300]}"
            await self._set_email_state(notification_id, attempts, error, sent=False)
            log.warning("email_failed", notification_id=str(notification_id), attempt=attempts, error=error)
            if attempts < MAX_EMAIL_ATTEMPTS:
                await asyncio.to_thread(
                    _enqueue_email, self.service, row.county_id, row.school_id, row.id, _backoff_ms(attempts)
                )
            return
        await self._set_email_state(notification_id, attempts, "", sent=True)

    async def _set_email_state(
        self, notification_id: uuid.UUID, attempts: int, error: str, *, sent: bool
    ) -> None:
        await self.session.execute(
            text(
                f"UPDATE {self.table} SET email_attempts = :attempts, email_error = :error"
                f"{', email_sent_at = now()' if sent else ''} WHERE id = :id"
            ),
            {"id": notification_id, "attempts": attempts, "error": error},
        )

    async def pending_emails(self, older_than: dt.timedelta = SWEEP_GRACE) -> list[uuid.UUID]:
        """Unsent e-mails of exactly the caller's tenant (school, or the county level) that are old enough to
        have been lost (their job never enqueued) and not given up on."""
        tenant = self._tenant
        rows = await self.session.execute(
            text(
                f"SELECT id FROM {self.table} WHERE county_id = :county_id AND school_id IS NOT DISTINCT FROM"
                " :school_id AND email_to IS NOT NULL AND email_sent_at IS NULL"
                " AND email_attempts < :max_attempts AND created_at < now() - CAST(:grace AS interval) ORDER BY created_at"
            ),
            {
                "county_id": tenant.county_id,
                "school_id": tenant.school_id,
                "max_attempts": MAX_EMAIL_ATTEMPTS,
                "grace": older_than,
            },
        )
        return [row.id for row in rows]


def declare_email_jobs(service: str) -> tuple[Any, Any]:
    """Declare ``<service>.notification.send_email`` and the sweep ``<service>.notification.sweep`` (every
    two minutes, per tenant that holds an unsent e-mail; see ``kit.scheduler``).

    Called once by each service's notification jobs module, after the broker is configured.
    """

    @tenant_actor(
        service, actor_name=_email_job(service), queue_name=service, max_retries=0, time_limit=60_000
    )
    async def send_email(session: AsyncSession, tenant: TenantContext, notification_id: str) -> None:
        await Notifications(session, service).deliver_email(uuid.UUID(notification_id))

    async def tenants_with_unsent_email(period: str) -> list[Tenant]:
        # The app role cannot list tenants; this function returns their ids (and nothing else) to it.
        async with worker_database(service).transaction(None) as session:
            rows = await session.execute(
                text(
                    f"SELECT county_id, school_id FROM {service}.tenants_with_unsent_email(:before, :attempts)"
                ),
                {"before": dt.datetime.now(dt.UTC) - SWEEP_GRACE, "attempts": MAX_EMAIL_ATTEMPTS},
            )
            return [(row.county_id, row.school_id) for row in rows]

    @per_tenant(
        service,
        f"{service}.notification.sweep",
        every(minutes=2),
        tenants=tenants_with_unsent_email,
        max_retries=0,
    )
    async def sweep(session: AsyncSession, tenant: TenantContext, period: str) -> None:
        pending = await Notifications(session, service).pending_emails()
        await asyncio.to_thread(
            _enqueue_all, [(service, tenant.county_id, tenant.school_id, id_) for id_ in pending]
        )

    return send_email, sweep


__all__ = [
    "MAX_EMAIL_ATTEMPTS",
    "MarkedRead",
    "Notification",
    "NotificationPage",
    "Notifications",
    "bilingual",
    "declare_email_jobs",
]


# --- HTTP -----------------------------------------------------------------------------------------------
def notifications_router(service: str) -> Router:
    """``/notifications``: the caller's own notifications in ``service`` (every role), newest first with the
    unread count; marking one or all read. Somebody else's notification is not found (row-level security)."""

    @get("/", operation_id="listMyNotifications")
    async def list_mine(
        db_session: DbSession,
        unread_only: FromQuery[bool] = False,
        limit: Annotated[int, QueryParameter(ge=1, le=200)] = 50,
        offset: Annotated[int, QueryParameter(ge=0, le=1_000_000)] = 0,
    ) -> NotificationPage:
        """The caller's notifications, newest first, with the unread count."""
        return await Notifications(db_session, service).inbox(
            unread_only=unread_only, limit=limit, offset=offset
        )

    @post("/{notification_id:uuid}/read", operation_id="markNotificationRead", status_code=200)
    async def mark_read(db_session: DbSession, notification_id: FromPath[uuid.UUID]) -> Notification:
        """Mark one of the caller's notifications read."""
        return await Notifications(db_session, service).mark_read(notification_id)

    @post("/read-all", operation_id="markAllNotificationsRead", status_code=200)
    async def mark_all_read(db_session: DbSession) -> MarkedRead:
        """Mark every unread notification of the caller read."""
        return await Notifications(db_session, service).mark_all_read()

    return Router(
        path="/notifications",
        route_handlers=[list_mine, mark_read, mark_all_read],
        guards=[requires_role("bureau", "principal", "teacher", "guard")],
        tags=["notifications"],
    )
