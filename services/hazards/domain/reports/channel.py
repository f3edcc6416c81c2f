"""The public reporting channel: anyone with a school's QR link reports a hazard anonymously into the
school's review queue.

This is the one way into the hazards service without a token, so it is built to give nothing away and to
hold up under abuse:

- the token is the only key: an unknown, malformed or rotated token answers the same 404, and a valid
  one answers with a receipt that carries no ids, names or anything else of the school;
- rate limits per client address (hashed with a key that never leaves the database) and per link, in
  Postgres so that every API process counts the same, and counted before the token is even looked up, so
  that guessing tokens is throttled too;
- a trap field that only bots fill in, a cap on links in the text and duplicate suppression: such reports
  are acknowledged exactly like real ones and dropped, so a spammer learns nothing;
- photos are checked by content and size.

The channel opens its own transactions (it is a request boundary with no tenant until the token names one).
"""

from __future__ import annotations

import datetime as dt
import re
import secrets
import uuid
from collections.abc import Mapping
from dataclasses import dataclass

import msgspec

from hazards import SERVICE
from hazards.clock import Clock, system_clock
from hazards.domain.hazards.models import Photo, PhotoStage
from hazards.domain.reports import schemas
from hazards.domain.reports.limits import ChannelLimits
from hazards.domain.reports.models import PublicReport, PublicReportStatus, ReportLink
from hazards.domain.reports.repository import ReportRepository
from hazards.domain.reports.service import reference_of
from hazards.domain.reports.throttle import Throttle
from hazards.outbox import outbox
from kit.db import Database
from kit.errors import DomainError, InvalidInputError, NotFoundError
from kit.events import PUBLIC_REPORT_RECEIVED, PublicReportReceived
from kit.logging import get_logger
from kit.storage import IMAGE_TYPES, FileStore, check_upload, object_key
from tenants import TenantContext

log = get_logger(__name__)
TOKEN = re.compile(r"^[A-Za-z0-9_-]{16,64}$")
URL = re.compile(r"https?://|www\.", re.IGNORECASE)
#: The one answer for every token that does not open a link.
INVALID_LINK = "this reporting link is not valid"
ACTOR = "public-report"


class RateLimitedError(DomainError):
    status = 429
    title = "Too many requests"
    type_suffix = "rate-limited"

    def __init__(self, retry_after: int) -> None:
        super().__init__("too many reports from here; try again later")
        self.retry_after = retry_after


def _receipt(reference: str) -> schemas.Receipt:
    return schemas.Receipt(status="received", reference=reference)


def _decoy() -> schemas.Receipt:
    """What a dropped report gets: indistinguishable from a real receipt."""
    return _receipt(secrets.token_hex(4).upper())


def parse_form(fields: Mapping[str, str]) -> schemas.PublicReportForm:
    try:
        return msgspec.convert(
            {k: v for k, v in fields.items() if v != "" or k == "website"},
            schemas.PublicReportForm,
            strict=False,
        )
    except msgspec.ValidationError as exc:
        raise InvalidInputError(str(exc), errors=[{"message": str(exc), "source": "body"}]) from exc


@dataclass(frozen=True, slots=True)
class Admission:
    """A submission let in by :meth:`PublicChannel.admit`: its link, and the client's hashed address."""

    link: ReportLink
    client: str


class PublicChannel:
    def __init__(
        self,
        database: Database,
        store: FileStore,
        *,
        clock: Clock = system_clock,
        limits: ChannelLimits | None = None,
    ) -> None:
        self.database = database
        self.store = store
        self.clock = clock
        self.limits = limits or ChannelLimits()

    def _retry_after(self, now: dt.datetime) -> int:
        seconds = int(self.limits.window.total_seconds())
        return seconds - int(now.timestamp()) % seconds

    async def admit(self, token: str, client_address: str) -> Admission:
        """Count the attempt and look the token up, before the body is even read. Raises 429 or 404.

        Runs without a tenant: only the link the token names becomes visible (its own policy)."""
        now = self.clock()
        async with self.database.transaction(None) as session:
            throttle = Throttle(session)
            client = await throttle.client_hash(client_address)
            allowed = await throttle.hit(
                f"client:{client}", now=now, window=self.limits.window, limit=self.limits.per_client
            )
            link = (
                await ReportRepository(session).link_by_token(token)
                if allowed and TOKEN.match(token)
                else None
            )
        if not allowed:
            raise RateLimitedError(self._retry_after(now))
        if link is None:
            raise NotFoundError(INVALID_LINK)
        return Admission(link=link, client=client)

    async def submit(
        self, admission: Admission, fields: Mapping[str, str], photo: bytes | None
    ) -> schemas.Receipt:
        """Put an admitted report into its school's review queue (or drop it as spam, answering the same)."""
        now = self.clock()
        limits = self.limits
        link, client = admission.link, admission.client
        form = parse_form(fields)
        checked = (
            check_upload(photo, allowed=IMAGE_TYPES, max_bytes=limits.max_photo_bytes, field="photo")
            if photo
            else None
        )
        if form.website or len(URL.findall(form.description)) > limits.max_links_in_text:
            log.info("public_report_dropped", reason="trap", link_id=str(link.id))
            return _decoy()
        # Everything else happens as the school's tenant.
        tenant = TenantContext.for_school(link.county_id, link.school_id, actor=ACTOR)
        async with self.database.transaction(tenant) as session:
            if not await Throttle(session).hit(
                f"link:{link.id}", now=now, window=limits.window, limit=limits.per_link
            ):
                raise RateLimitedError(self._retry_after(now))
            repository = ReportRepository(session)
            description = form.description.strip()
            if await repository.duplicate_exists(
                client_hash=client, description=description, since=now - limits.duplicate_window
            ):
                log.info("public_report_dropped", reason="duplicate", link_id=str(link.id))
                return _decoy()
            report = PublicReport(
                id=uuid.uuid4(),
                county_id=link.county_id,
                school_id=link.school_id,
                link_id=link.id,
                received_at=now,
                category=form.category,
                area=form.area,
                location_text=form.place.strip(),
                description=description,
                contact=form.contact.strip(),
                client_hash=client,
                status=PublicReportStatus.PENDING,
                spam=False,
                reviewed_by_name="",
                review_note="",
            )
            repository.add(report)
            await session.flush()
            if checked is not None:
                photo_id = uuid.uuid4()
                key = object_key(SERVICE, link.county_id, link.school_id, photo_id, checked.extension)
                await self.store.put(key, checked.data)
                session.add(
                    Photo(
                        id=photo_id,
                        county_id=link.county_id,
                        school_id=link.school_id,
                        public_report_id=report.id,
                        stage=PhotoStage.BEFORE,
                        content_type=checked.content_type,
                        size=checked.size,
                        sha256=checked.sha256,
                        storage_key=key,
                        uploaded_by=ACTOR,
                        uploaded_by_name="匿名 / anonymous",
                        created_at=now,
                    )
                )
            # The principal is notified by this event's consumer (hazards.domain.reports.consumers).
            await outbox.add(
                session,
                PUBLIC_REPORT_RECEIVED,
                PublicReportReceived(
                    report_id=report.id,
                    school_id=link.school_id,
                    reference=reference_of(report.id),
                    category=form.category.value,
                ),
                county_id=link.county_id,
                school_id=link.school_id,
            )
        return _receipt(reference_of(report.id))
