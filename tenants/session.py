"""Applying the tenant context to every transaction of a SQLAlchemy session."""

from __future__ import annotations

from typing import Any

from sqlalchemy import event, text
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session, SessionTransaction

from tenants.context import EMPTY_SETTINGS, TenantContext

#: Key in ``Session.info`` that holds the caller's :class:`TenantContext`.
TENANT_KEY = "tenant"

_APPLY = text(
    "select set_config('app.user_id', :user_id, true), set_config('app.county_id', :county_id, true),"
    " set_config('app.school_id', :school_id, true), set_config('app.scope', :scope, true),"
    " set_config('app.roles', :roles, true), set_config('app.inspect_school_ids', :inspect, true)"
)


def _after_begin(session: Session, transaction: SessionTransaction, connection: Connection) -> None:
    ctx: TenantContext | None = session.info.get(TENANT_KEY)
    values = ctx.settings() if ctx is not None else EMPTY_SETTINGS
    # Transaction-local (is_local=true): safe with connection pools and PgBouncer in transaction mode.
    connection.execute(
        _APPLY,
        {
            "user_id": values["app.user_id"],
            "county_id": values["app.county_id"],
            "school_id": values["app.school_id"],
            "scope": values["app.scope"],
            "roles": values["app.roles"],
            "inspect": values["app.inspect_school_ids"],
        },
    )


def install_tenant_hook(session_class: type[Session] = Session) -> None:
    """Make every transaction begun by ``session_class`` carry its session's tenant context.

    Idempotent. A session without a context gets empty settings, so that every policy matches
    nothing rather than whatever a previous transaction on the same connection had set.
    """
    if not event.contains(session_class, "after_begin", _after_begin):
        event.listen(session_class, "after_begin", _after_begin)


def bind_tenant(session: Any, ctx: TenantContext | None) -> None:
    """Attach ``ctx`` to an (async or sync) session before its first transaction begins."""
    target = getattr(session, "sync_session", session)
    if ctx is None:
        target.info.pop(TENANT_KEY, None)
    else:
        target.info[TENANT_KEY] = ctx
