"""The signed-in user's notifications, as the schools API serves them (``/notifications``)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from portal.api import Api


@dataclass(frozen=True, slots=True)
class Notification:
    id: str
    title: str
    body: str
    created_at: str
    read: bool
    link: str

    @classmethod
    def from_api(cls, item: dict[str, Any]) -> Notification:
        link = str(item.get("link") or "")
        return cls(
            id=str(item["id"]),
            title=str(item.get("title") or ""),
            body=str(item.get("body") or ""),
            created_at=str(item.get("created_at") or ""),
            read=item.get("read_at") is not None,
            # Only links inside the portal are followed.
            link=link if link.startswith("/") and not link.startswith("//") else "",
        )


@dataclass(frozen=True, slots=True)
class NotificationPage:
    items: list[Notification]
    total: int
    unread: int


async def list_notifications(api: Api, *, limit: int = 50, offset: int = 0) -> NotificationPage:
    """A page of the user's notifications, newest first, with the unread count."""
    result = await api.get("schools", "/notifications", {"limit": limit, "offset": offset})
    return NotificationPage(
        items=[Notification.from_api(item) for item in result["items"]],
        total=int(result["total"]),
        unread=int(result["unread"]),
    )


async def mark_read(api: Api, notification_id: str) -> None:
    await api.post("schools", f"/notifications/{notification_id}/read")


async def mark_all_read(api: Api) -> None:
    await api.post("schools", "/notifications/read-all")
