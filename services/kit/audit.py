"""The audit trail: an append-only, hash-chained record of every write and every sensitive read.

Each service has ``<schema>.audit_log`` (created by ``tenants.audit``), one chain per tenant: a school's
chain holds everything done to that school's data, by its staff, by the bureau or by background work;
the county chain (``school_id`` null) holds county-level work. An entry records who (user id, name,
roles), what (action, object type and id, the changed columns, sha256 digests of the object before and
after — never the data itself), when, and the request id; its ``hash`` is
``sha256(prev_hash || canonical JSON of the entry)``, so an entry altered, removed or moved afterwards
breaks the chain at that point (:meth:`AuditLog.verify` names it).

How entries are written, always in the caller's transaction (an entry exists iff the change committed):

- **Writes through the ORM are recorded automatically.** :func:`install_audit_hook` hooks the mapper
  flush events: every insert, update and delete of a mapped tenant table (one with a ``county_id``
  column) appends ``<type>.create``, ``<type>.update`` or ``<type>.delete`` with digests of the row as
  stored before and after. :func:`name_action` gives one change a more telling name
  (``school.suspend``). A write without a tenant context is refused.
- **Everything else calls** :meth:`AuditLog.record`: reads of sensitive records
  (``student.read_sensitive``) and writes that bypass the unit of work (Core statements).

The actor and roles come from the session's tenant context (the verified token, or the actor name of
background work); the request id from the request's log context, or the Dramatiq message id in a job.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import re
import uuid
from collections.abc import Mapping, Sequence
from typing import Any, Final, NamedTuple, cast

import msgspec
import structlog
from dramatiq.middleware import CurrentMessage
from sqlalchemy import Table, event, inspect, text
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapper, Session, object_session

from tenants import TenantContext
from tenants.audit import ACTION_PATTERN
from tenants.session import TENANT_KEY

#: ``prev_hash`` of the first entry of every chain.
GENESIS: Final = "0" * 64

_ACTION = re.compile(ACTION_PATTERN)
_CAMEL = re.compile(r"(?<!^)(?=[A-Z])")
_PENDING = "audit.pending"
_ACTION_NAME = "audit.action"
_COLUMNS = (
    "county_id, school_id, seq, at, actor_id, actor_name, roles, action, object_type, object_id, fields,"
    " before_digest, after_digest, request_id, prev_hash, hash"
)


class AuditError(RuntimeError):
    """An audited change cannot be recorded (and therefore must not happen)."""


class SameTenant:
    """Type of :data:`SAME`."""


#: Default ``school_id`` of recording calls: the caller's own school (county level for a bureau user).
SAME: Final = SameTenant()


# --- digests and entries --------------------------------------------------------------------------------
def canonical_json(value: Any) -> bytes:
    """The one JSON encoding that digests and hashes are computed over: sorted keys, no whitespace, UTF-8.

    Accepts what msgspec encodes (dicts, lists, structs, dataclasses, uuids, datetimes, enums)."""
    return msgspec.json.encode(value, order="sorted")


def digest(state: Any) -> str | None:
    """sha256 (hex) of the canonical JSON of an object's state; ``None`` for no state."""
    if state is None:
        return None
    return hashlib.sha256(canonical_json(state)).hexdigest()


@dataclasses.dataclass(frozen=True, slots=True)
class AuditEntry:
    """One link of a tenant's chain."""

    county_id: uuid.UUID
    school_id: uuid.UUID | None
    seq: int
    at: dt.datetime
    actor_id: str
    actor_name: str
    roles: tuple[str, ...]
    action: str
    object_type: str
    object_id: str
    fields: tuple[str, ...]
    before_digest: str | None
    after_digest: str | None
    request_id: str | None
    prev_hash: str
    hash: str

    @classmethod
    def from_row(cls, row: Mapping[Any, Any]) -> AuditEntry:
        values = dict(row)
        values["roles"] = tuple(values["roles"] or ())
        values["fields"] = tuple(values["fields"] or ())
        return cls(**values)

    def content(self) -> dict[str, Any]:
        """What the hash covers: every column except the hashes themselves."""
        return {
            "county_id": str(self.county_id),
            "school_id": str(self.school_id) if self.school_id else None,
            "seq": self.seq,
            "at": self.at.astimezone(dt.UTC).isoformat(timespec="microseconds"),
            "actor_id": self.actor_id,
            "actor_name": self.actor_name,
            "roles": list(self.roles),
            "action": self.action,
            "object_type": self.object_type,
            "object_id": self.object_id,
            "fields": list(self.fields),
            "before_digest": self.before_digest,
            "after_digest": self.after_digest,
            "request_id": self.request_id,
        }

    def computed_hash(self) -> str:
        """``sha256(prev_hash || canonical entry)``, recomputed from the entry's own columns."""
        return hashlib.sha256(self.prev_hash.encode("ascii") + canonical_json(self.content())).hexdigest()


def current_request_id() -> str | None:
    """The id of the HTTP request being served, or of the Dramatiq message being processed."""
    request_id = structlog.contextvars.get_contextvars().get("request_id")
    if request_id:
        return str(request_id)
    message = CurrentMessage.get_current_message()
    return f"message:{message.message_id}" if message is not None else None


def _tenant_of(session: Session | None) -> TenantContext:
    tenant = session.info.get(TENANT_KEY) if session is not None else None
    if not isinstance(tenant, TenantContext):
        raise AuditError("an audited change needs a tenant context (who is doing it)")
    return tenant


def _chain_condition(school_id: uuid.UUID | None) -> str:
    # Two spellings rather than IS NOT DISTINCT FROM, so that the chain's unique index is used.
    return "school_id = :school_id" if school_id is not None else "school_id IS NULL"


def _append(
    conn: Connection,
    schema: str,
    tenant: TenantContext,
    *,
    county_id: uuid.UUID,
    school_id: uuid.UUID | None,
    action: str,
    object_type: str,
    object_id: str,
    fields: Sequence[str] = (),
    before_digest: str | None = None,
    after_digest: str | None = None,
) -> AuditEntry:
    """Append one entry to the chain ``(county_id, school_id)`` on ``conn``, in its transaction."""
    if not _ACTION.match(action):
        raise AuditError(f"not an audit action name: {action!r} (expected e.g. school.update)")
    table = f"{schema}.audit_log"
    params = {"county_id": county_id, "school_id": school_id}
    # Serialises appends to one chain until the transaction ends, so that seq stays gapless; the read
    # below runs after the lock is granted and therefore sees the previous holder's committed entry.
    conn.execute(
        text("SELECT pg_advisory_xact_lock(hashtextextended(:key, 0))"),
        {"key": f"{table}:{county_id}:{school_id or ''}"},
    )
    # The head comes from a function: a cross-school inspector extends a chain they may not read.
    head = conn.execute(
        text(f"SELECT seq, hash FROM {schema}.audit_chain_head(:county_id, :school_id)"), params
    ).one()
    last = head if head.seq is not None else None
    entry = AuditEntry(
        county_id=county_id,
        school_id=school_id,
        seq=int(last.seq) + 1 if last else 1,
        at=dt.datetime.now(dt.UTC),
        actor_id=tenant.user_id,
        actor_name=tenant.username,
        roles=tuple(sorted(tenant.roles)),
        action=action,
        object_type=object_type,
        object_id=object_id,
        fields=tuple(sorted(fields)),
        before_digest=before_digest,
        after_digest=after_digest,
        request_id=current_request_id(),
        prev_hash=str(last.hash) if last else GENESIS,
        hash="",
    )
    entry = dataclasses.replace(entry, hash=entry.computed_hash())
    values = dataclasses.asdict(entry)
    values["roles"], values["fields"] = list(entry.roles), list(entry.fields)
    placeholders = ", ".join(f":{name.strip()}" for name in _COLUMNS.split(","))
    conn.execute(text(f"INSERT INTO {table} ({_COLUMNS}) VALUES ({placeholders})"), values)
    return entry


# --- automatic recording of ORM writes ------------------------------------------------------------------
def name_action(obj: object, action: str) -> None:
    """Record the next flushed change of ``obj`` as ``action`` (e.g. ``school.suspend``) instead of the
    default ``<type>.update``."""
    if not _ACTION.match(action):
        raise AuditError(f"not an audit action name: {action!r}")
    inspect(obj).info[_ACTION_NAME] = action


def _table(mapper: Mapper[Any]) -> Table:
    return cast(Table, mapper.local_table)


def _audited(mapper: Mapper[Any]) -> bool:
    table = _table(mapper)
    return "county_id" in table.c and getattr(mapper.class_, "__audit__", True)


def _object_type(mapper: Mapper[Any]) -> str:
    return getattr(mapper.class_, "__audit_type__", None) or _CAMEL.sub("_", mapper.class_.__name__).lower()


class _RowState(NamedTuple):
    county_id: uuid.UUID
    school_id: uuid.UUID | None
    digest: str


def _object_id(mapper: Mapper[Any], target: object) -> str:
    return ":".join(str(value) for value in mapper.primary_key_from_instance(target))


def _row_state(conn: Connection, mapper: Mapper[Any], target: object, *, before: bool) -> _RowState:
    """The row's tenant and the digest of the row exactly as stored (every column, as Postgres's jsonb).

    A row the writer may write but not read back (an insert-only policy) is digested from the ORM's view
    of it instead: the values it is about to replace (``before``) or has just written.
    """
    table = _table(mapper)
    keys = mapper.primary_key_from_instance(target)
    match = " AND ".join(f"t.{column.name} = :pk{i}" for i, column in enumerate(mapper.primary_key))
    school = "t.school_id" if "school_id" in table.c else "NULL::uuid"
    row = conn.execute(
        text(
            f"SELECT t.county_id, {school} AS school_id,"
            f" encode(sha256(convert_to(to_jsonb(t)::text, 'UTF8')), 'hex') AS digest"
            f" FROM {table.schema}.{table.name} t WHERE {match}"
        ),
        {f"pk{i}": value for i, value in enumerate(keys)},
    ).first()
    if row is not None:
        return _RowState(row.county_id, row.school_id, str(row.digest))
    state = inspect(target)
    values: dict[str, Any] = {}
    for attr in mapper.column_attrs:
        history = state.attrs[attr.key].history
        seen = (history.deleted or history.unchanged) if before else (history.added or history.unchanged)
        values[attr.key] = seen[0] if seen else None
    encoded = msgspec.json.encode(values, order="sorted", enc_hook=str)
    return _RowState(values["county_id"], values.get("school_id"), hashlib.sha256(encoded).hexdigest())


def _record_row_change(
    conn: Connection,
    mapper: Mapper[Any],
    target: object,
    verb: str,
    *,
    row: _RowState,
    before: str | None,
    after: str | None,
    fields: Sequence[str] = (),
) -> None:
    object_type = _object_type(mapper)
    _append(
        conn,
        str(_table(mapper).schema),
        _tenant_of(object_session(target)),
        county_id=row.county_id,
        school_id=row.school_id,
        action=inspect(target).info.pop(_ACTION_NAME, f"{object_type}.{verb}"),
        object_type=object_type,
        object_id=_object_id(mapper, target),
        fields=fields,
        before_digest=before,
        after_digest=after,
    )


def _after_insert(mapper: Mapper[Any], conn: Connection, target: object) -> None:
    if _audited(mapper):
        row = _row_state(conn, mapper, target, before=False)
        _record_row_change(conn, mapper, target, "create", row=row, before=None, after=row.digest)


def _before_update(mapper: Mapper[Any], conn: Connection, target: object) -> None:
    if not _audited(mapper):
        return
    state = inspect(target)
    changed = [attr.key for attr in mapper.column_attrs if state.attrs[attr.key].history.has_changes()]
    if changed:  # the mapper calls this for every dirty object, also those without a net change
        state.info[_PENDING] = (_row_state(conn, mapper, target, before=True).digest, changed)


def _after_update(mapper: Mapper[Any], conn: Connection, target: object) -> None:
    pending = inspect(target).info.pop(_PENDING, None)
    if pending is not None:
        before, changed = pending
        row = _row_state(conn, mapper, target, before=False)
        _record_row_change(
            conn, mapper, target, "update", row=row, before=before, after=row.digest, fields=changed
        )


def _before_delete(mapper: Mapper[Any], conn: Connection, target: object) -> None:
    # Recorded before the row goes; if the DELETE then fails, the transaction (and the entry) rolls back.
    if _audited(mapper):
        row = _row_state(conn, mapper, target, before=True)
        _record_row_change(conn, mapper, target, "delete", row=row, before=row.digest, after=None)


_HOOKS = {
    "after_insert": _after_insert,
    "before_update": _before_update,
    "after_update": _after_update,
    "before_delete": _before_delete,
}


def install_audit_hook() -> None:
    """Record every ORM insert, update and delete of a tenant table in its service's audit log. Idempotent.

    Applies to every mapper, in every process that calls it (the services, their workers and the
    operator commands). A mapped class opts out with ``__audit__ = False`` and names its object type
    with ``__audit_type__`` (default: the class name in snake case).
    """
    for name, hook in _HOOKS.items():
        if not event.contains(Mapper, name, hook):
            event.listen(Mapper, name, hook)


# --- reading and verifying a chain ----------------------------------------------------------------------
@dataclasses.dataclass(frozen=True, slots=True)
class BrokenLink:
    """The first entry of a chain that does not verify, and why."""

    seq: int
    reason: str


@dataclasses.dataclass(frozen=True, slots=True)
class Verification:
    county_id: uuid.UUID
    school_id: uuid.UUID | None
    #: Entries that verified, in order (all of them when the chain is intact).
    verified: int
    #: The last verified entry; record it to detect later truncation (``anchor`` of :meth:`AuditLog.verify`).
    head_seq: int | None
    head_hash: str | None
    broken: BrokenLink | None

    @property
    def ok(self) -> bool:
        return self.broken is None


_ANCHOR = re.compile(r"^([1-9][0-9]{0,17}):([0-9a-f]{64})$")


def parse_anchor(value: str | None) -> tuple[int, str] | None:
    """An anchor written ``<seq>:<hash>`` (a head printed by an earlier verification); ``ValueError`` for
    anything else."""
    if value is None:
        return None
    match = _ANCHOR.match(value.strip())
    if match is None:
        raise ValueError("an anchor is <seq>:<64 hex digits>")
    return int(match.group(1)), match.group(2)


class ChainVerifier:
    """Checks a chain entry by entry, in ``seq`` order, and stops at the first broken link.

    Each entry must carry the next ``seq`` (a gap means removed entries), link to the hash of the entry
    before it (a different ``prev_hash`` means an entry was moved, or one before it replaced), and hash to
    its own ``hash`` (otherwise its content was altered).
    """

    def __init__(self, anchor: tuple[int, str] | None = None) -> None:
        self.anchor = anchor
        self.verified = 0
        self.head: AuditEntry | None = None
        self.broken: BrokenLink | None = None

    def feed(self, entry: AuditEntry) -> bool:
        """Check the next entry; False once the chain is broken."""
        if self.broken is not None:
            return False
        expected = self.head.seq + 1 if self.head else 1
        prev_hash = self.head.hash if self.head else GENESIS
        if entry.seq > expected:
            missing = (
                f"entry {expected} is"
                if entry.seq == expected + 1
                else f"entries {expected}-{entry.seq - 1} are"
            )
            self.broken = BrokenLink(expected, f"{missing} missing (the next entry is {entry.seq})")
        elif entry.seq < expected:
            self.broken = BrokenLink(entry.seq, f"entry {entry.seq} appears more than once")
        elif entry.prev_hash != prev_hash:
            before = f"entry {entry.seq - 1}" if entry.seq > 1 else "the start of the chain"
            self.broken = BrokenLink(
                entry.seq, f"entry {entry.seq} does not link to {before} (moved, or {before} was replaced)"
            )
        elif entry.computed_hash() != entry.hash:
            self.broken = BrokenLink(
                entry.seq, f"entry {entry.seq} was altered (its content does not match its hash)"
            )
        elif self.anchor and entry.seq == self.anchor[0] and entry.hash != self.anchor[1]:
            self.broken = BrokenLink(entry.seq, f"entry {entry.seq} differs from the anchored hash")
        else:
            self.head = entry
            self.verified += 1
            return True
        return False

    def finish(self, county_id: uuid.UUID, school_id: uuid.UUID | None) -> Verification:
        if self.broken is None and self.anchor and (self.head is None or self.head.seq < self.anchor[0]):
            end = self.head.seq if self.head else 0
            self.broken = BrokenLink(
                end + 1,
                f"the chain ends at entry {end}, before the anchored entry {self.anchor[0]} (truncated)",
            )
        return Verification(
            county_id=county_id,
            school_id=school_id,
            verified=self.verified,
            head_seq=self.head.seq if self.head else None,
            head_hash=self.head.hash if self.head else None,
            broken=self.broken,
        )


class AuditLog:
    """One service's audit log, read and written through the caller's session (and so its RLS context)."""

    def __init__(self, session: AsyncSession, service: str) -> None:
        self.session = session
        self.table = f"{service}.audit_log"
        self.schema = service

    async def record(
        self,
        action: str,
        *,
        object_type: str,
        object_id: object,
        school_id: uuid.UUID | SameTenant | None = SAME,
        before: Any = None,
        after: Any = None,
        fields: Sequence[str] = (),
    ) -> AuditEntry:
        """Append an entry for something the ORM hook does not see: a sensitive read, a Core write.

        ``before``/``after`` are the object's state (only their digests are kept). ``school_id`` picks the
        chain: by default the caller's own school, or the county chain for a bureau user.
        """
        tenant = _tenant_of(self.session.sync_session)
        chain_school = tenant.school_id if isinstance(school_id, SameTenant) else school_id

        def append(session: Session) -> AuditEntry:
            return _append(
                session.connection(),
                self.schema,
                tenant,
                county_id=tenant.county_id,
                school_id=chain_school,
                action=action,
                object_type=object_type,
                object_id=str(object_id),
                fields=fields,
                before_digest=digest(before),
                after_digest=digest(after),
            )

        return await self.session.run_sync(append)

    async def page(
        self,
        county_id: uuid.UUID,
        school_id: uuid.UUID | None,
        *,
        object_type: str | None = None,
        object_id: str | None = None,
        limit: int = 50,
        offset: int = 0,
    ) -> tuple[list[AuditEntry], int]:
        """Entries of one chain, newest first, optionally of one object; and how many there are."""
        conditions = [f"county_id = :county_id AND {_chain_condition(school_id)}"]
        params: dict[str, Any] = {
            "county_id": county_id,
            "school_id": school_id,
            "limit": limit,
            "offset": offset,
        }
        if object_type is not None:
            conditions.append("object_type = :object_type")
            params["object_type"] = object_type
        if object_id is not None:
            conditions.append("object_id = :object_id")
            params["object_id"] = object_id
        rows = (
            (
                await self.session.execute(
                    text(
                        f"SELECT {_COLUMNS}, count(*) OVER () AS total FROM {self.table}"
                        f" WHERE {' AND '.join(conditions)} ORDER BY seq DESC LIMIT :limit OFFSET :offset"
                    ),
                    params,
                )
            )
            .mappings()
            .all()
        )
        if rows:
            entries = [AuditEntry.from_row({k: v for k, v in row.items() if k != "total"}) for row in rows]
            return entries, int(rows[0]["total"])
        if offset == 0:
            return [], 0
        where = " AND ".join(conditions)
        total = await self.session.execute(text(f"SELECT count(*) FROM {self.table} WHERE {where}"), params)
        return [], int(total.scalar_one())

    async def verify(
        self, county_id: uuid.UUID, school_id: uuid.UUID | None, *, anchor: tuple[int, str] | None = None
    ) -> Verification:
        """Recompute the chain ``(county_id, school_id)`` in ``seq`` order and name its first broken link.

        ``anchor`` (``seq``, ``hash``) is a head recorded earlier: the chain must still contain it, which
        also catches entries removed from the end.
        """
        verifier = ChainVerifier(anchor)
        result = await self.session.stream(
            text(
                f"SELECT {_COLUMNS} FROM {self.table}"
                f" WHERE county_id = :county_id AND {_chain_condition(school_id)} ORDER BY seq"
            ),
            {"county_id": county_id, "school_id": school_id},
            execution_options={"yield_per": 500},
        )
        async for row in result.mappings():
            if not verifier.feed(AuditEntry.from_row(row)):
                break
        await result.close()
        return verifier.finish(county_id, school_id)


__all__ = [
    "GENESIS",
    "SAME",
    "AuditEntry",
    "AuditError",
    "AuditLog",
    "BrokenLink",
    "ChainVerifier",
    "SameTenant",
    "Verification",
    "canonical_json",
    "current_request_id",
    "digest",
    "install_audit_hook",
    "name_action",
    "parse_anchor",
]
