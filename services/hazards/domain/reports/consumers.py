"""The hazards service's own consumer of ``hazards.public_report.received``: the school's principals are
notified (in the app and by e-mail) that an anonymous report waits for review. Runs once per event."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from hazards import SERVICE, recipients
from kit.broker import configure_broker
from kit.events import PUBLIC_REPORT_RECEIVED, Event, PublicReportReceived, consumer
from kit.notifications import Notifications, bilingual

configure_broker()


@consumer(SERVICE, PUBLIC_REPORT_RECEIVED)
async def notify_principals(session: AsyncSession, event: Event[PublicReportReceived]) -> None:
    report = event.payload
    notifications = Notifications(session, SERVICE)
    for person in await recipients.principals_of(report.school_id):
        await notifications.notify(
            person.user_id,
            kind="hazards.public_report",
            title=bilingual(
                f"新的公众隐患举报 {report.reference}", f"New public hazard report {report.reference}"
            ),
            body=bilingual(
                "有人通过学校的公开举报二维码报告了一处隐患，请审核。",
                "Somebody reported a hazard through the school's public QR link; please review it.",
            ),
            link=f"/public-reports/{report.report_id}",
            email=person.email,
        )
