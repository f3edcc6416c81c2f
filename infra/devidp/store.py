"""Postgres storage in schema ``idp``: users, credentials, role mappings, groups, sessions, codes, keys.

The server logs in as ``safecampus_idp``, which owns schema ``idp``; it creates its tables at start.
"""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import asyncpg
from jwcrypto import jwk

from devidp.keys import StoredKey

SCHEMA_SQL = """
CREATE TABLE IF NOT EXISTS idp.users (
    id uuid PRIMARY KEY,
    realm text NOT NULL,
    username text NOT NULL,
    email text,
    first_name text,
    last_name text,
    enabled boolean NOT NULL DEFAULT false,
    email_verified boolean NOT NULL DEFAULT false,
    attributes jsonb NOT NULL DEFAULT '{}'::jsonb,
    required_actions text[] NOT NULL DEFAULT '{}',
    password_hash text,
    password_created_at bigint,
    created_at bigint NOT NULL,
    UNIQUE (realm, username)
);
CREATE UNIQUE INDEX IF NOT EXISTS users_realm_email ON idp.users (realm, email) WHERE email IS NOT NULL;
CREATE TABLE IF NOT EXISTS idp.user_roles (
    user_id uuid NOT NULL REFERENCES idp.users (id) ON DELETE CASCADE,
    client text NOT NULL DEFAULT '',
    role text NOT NULL,
    PRIMARY KEY (user_id, client, role)
);
CREATE TABLE IF NOT EXISTS idp.groups (
    id uuid PRIMARY KEY,
    realm text NOT NULL,
    parent_id uuid REFERENCES idp.groups (id) ON DELETE CASCADE,
    name text NOT NULL,
    attributes jsonb NOT NULL DEFAULT '{}'::jsonb,
    UNIQUE NULLS NOT DISTINCT (realm, parent_id, name)
);
CREATE TABLE IF NOT EXISTS idp.group_members (
    group_id uuid NOT NULL REFERENCES idp.groups (id) ON DELETE CASCADE,
    user_id uuid NOT NULL REFERENCES idp.users (id) ON DELETE CASCADE,
    PRIMARY KEY (group_id, user_id)
);
CREATE TABLE IF NOT EXISTS idp.sessions (
    id uuid PRIMARY KEY,
    realm text NOT NULL,
    user_id uuid NOT NULL REFERENCES idp.users (id) ON DELETE CASCADE,
    started_at bigint NOT NULL,
    last_seen_at bigint NOT NULL
);
CREATE INDEX IF NOT EXISTS sessions_user ON idp.sessions (user_id);
CREATE TABLE IF NOT EXISTS idp.auth_codes (
    code_hash text PRIMARY KEY,
    realm text NOT NULL,
    data jsonb NOT NULL,
    expires_at bigint NOT NULL
);
CREATE TABLE IF NOT EXISTS idp.keys (
    kid text PRIMARY KEY,
    realm text NOT NULL,
    algorithm text NOT NULL,
    jwk jsonb NOT NULL,
    created_at double precision NOT NULL
);
"""


class ConflictError(Exception):
    """A user or group with the same unique name exists."""

    def __init__(self, what: str) -> None:
        super().__init__(what)
        self.what = what


@dataclass(slots=True)
class User:
    id: str
    username: str
    email: str | None = None
    first_name: str | None = None
    last_name: str | None = None
    enabled: bool = False
    email_verified: bool = False
    attributes: dict[str, list[str]] = field(default_factory=dict)
    required_actions: list[str] = field(default_factory=list)
    password_hash: str | None = None
    password_created_at: int | None = None
    created_at: int = 0


@dataclass(slots=True)
class Group:
    id: str
    name: str
    path: str
    parent_id: str | None
    attributes: dict[str, list[str]]
    sub_group_count: int = 0


@dataclass(frozen=True, slots=True)
class Session:
    id: str
    user_id: str
    started_at: int
    last_seen_at: int


@dataclass(frozen=True, slots=True)
class UserQuery:
    """Keycloak's user search parameters."""

    search: str | None = None
    username: str | None = None
    email: str | None = None
    first_name: str | None = None
    last_name: str | None = None
    exact: bool = False
    enabled: bool | None = None
    email_verified: bool | None = None
    attributes: Mapping[str, str] = field(default_factory=dict)
    first: int = 0
    max: int | None = 100


def _now_ms() -> int:
    return int(time.time() * 1000)


def _like_escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _user(row: asyncpg.Record) -> User:
    return User(
        id=str(row["id"]),
        username=row["username"],
        email=row["email"],
        first_name=row["first_name"],
        last_name=row["last_name"],
        enabled=row["enabled"],
        email_verified=row["email_verified"],
        attributes=json.loads(row["attributes"]),
        required_actions=list(row["required_actions"]),
        password_hash=row["password_hash"],
        password_created_at=row["password_created_at"],
        created_at=row["created_at"],
    )


def _uuid(value: str) -> uuid.UUID | None:
    try:
        return uuid.UUID(value)
    except (ValueError, AttributeError, TypeError):
        return None


class Store:
    """All SQL of the dev identity server, scoped to one realm."""

    def __init__(self, pool: asyncpg.Pool, realm: str) -> None:
        self._pool = pool
        self._realm = realm

    @classmethod
    async def open(cls, dsn: str, realm: str) -> Store:
        pool = await asyncpg.create_pool(dsn, min_size=1, max_size=8)
        store = cls(pool, realm)
        await store._create_schema()
        return store

    async def close(self) -> None:
        await self._pool.close()

    async def _create_schema(self) -> None:
        async with self._pool.acquire() as conn, conn.transaction():
            # Two servers starting on one database must not race on CREATE TABLE IF NOT EXISTS.
            await conn.execute("SELECT pg_advisory_xact_lock(hashtext('devidp-schema'))")
            await conn.execute(SCHEMA_SQL)

    # --- keys -------------------------------------------------------------------------------

    async def load_keys(self) -> list[StoredKey]:
        rows = await self._pool.fetch(
            "SELECT kid, algorithm, jwk FROM idp.keys WHERE realm = $1 ORDER BY created_at DESC", self._realm
        )
        return [StoredKey(r["kid"], r["algorithm"], jwk.JWK(**json.loads(r["jwk"]))) for r in rows]

    async def ensure_keys(self, make_rsa: Any, make_hmac: Any) -> list[StoredKey]:
        """The stored keys, after creating the first RS256 and HS512 keys if there are none."""
        async with self._pool.acquire() as conn, conn.transaction():
            await conn.execute("SELECT pg_advisory_xact_lock(hashtext('devidp-keys'))")
            algorithms = {
                r["algorithm"]
                for r in await conn.fetch(
                    "SELECT DISTINCT algorithm FROM idp.keys WHERE realm = $1", self._realm
                )
            }
            for algorithm, make in (("RS256", make_rsa), ("HS512", make_hmac)):
                if algorithm not in algorithms:
                    await self._insert_key(conn, make())
        return await self.load_keys()

    async def add_key(self, key: StoredKey) -> None:
        async with self._pool.acquire() as conn:
            await self._insert_key(conn, key)

    async def _insert_key(self, conn: asyncpg.Connection, key: StoredKey) -> None:
        await conn.execute(
            "INSERT INTO idp.keys (kid, realm, algorithm, jwk, created_at) VALUES ($1, $2, $3, $4, $5)",
            key.kid,
            self._realm,
            key.algorithm,
            key.key.export(private_key=True),
            time.time(),
        )

    # --- users ------------------------------------------------------------------------------

    async def create_user(
        self, user: User, roles: Iterable[tuple[str, str]], group_ids: Iterable[str]
    ) -> None:
        """Insert ``user`` with its role mappings ``(client or '', role)`` and group memberships."""
        async with self._pool.acquire() as conn, conn.transaction():
            try:
                await conn.execute(
                    """
                    INSERT INTO idp.users (id, realm, username, email, first_name, last_name, enabled,
                        email_verified, attributes, required_actions, password_hash, password_created_at,
                        created_at)
                    VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)
                    """,
                    uuid.UUID(user.id),
                    self._realm,
                    user.username,
                    user.email,
                    user.first_name,
                    user.last_name,
                    user.enabled,
                    user.email_verified,
                    json.dumps(user.attributes),
                    user.required_actions,
                    user.password_hash,
                    user.password_created_at,
                    user.created_at or _now_ms(),
                )
            except asyncpg.UniqueViolationError as exc:
                raise ConflictError(
                    "email" if "email" in (exc.constraint_name or "") else "username"
                ) from exc
            await conn.executemany(
                "INSERT INTO idp.user_roles (user_id, client, role) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
                [(uuid.UUID(user.id), client, role) for client, role in roles],
            )
            await conn.executemany(
                "INSERT INTO idp.group_members (group_id, user_id) VALUES ($1, $2) ON CONFLICT DO NOTHING",
                [(uuid.UUID(gid), uuid.UUID(user.id)) for gid in group_ids],
            )

    async def update_user(self, user: User) -> None:
        try:
            await self._pool.execute(
                """
                UPDATE idp.users SET username = $3, email = $4, first_name = $5, last_name = $6,
                    enabled = $7, email_verified = $8, attributes = $9, required_actions = $10,
                    password_hash = $11, password_created_at = $12
                WHERE realm = $1 AND id = $2
                """,
                self._realm,
                uuid.UUID(user.id),
                user.username,
                user.email,
                user.first_name,
                user.last_name,
                user.enabled,
                user.email_verified,
                json.dumps(user.attributes),
                user.required_actions,
                user.password_hash,
                user.password_created_at,
            )
        except asyncpg.UniqueViolationError as exc:
            raise ConflictError("email" if "email" in (exc.constraint_name or "") else "username") from exc

    async def get_user(self, user_id: str) -> User | None:
        uid = _uuid(user_id)
        if uid is None:
            return None
        row = await self._pool.fetchrow(
            "SELECT * FROM idp.users WHERE realm = $1 AND id = $2", self._realm, uid
        )
        return _user(row) if row else None

    async def get_user_by_login(self, login: str, *, allow_email: bool) -> User | None:
        """The user whose username (or, when allowed, email) is ``login``, case-insensitively."""
        row = await self._pool.fetchrow(
            "SELECT * FROM idp.users WHERE realm = $1 AND (username = lower($2) OR ($3 AND email = lower($2)))",
            self._realm,
            login,
            allow_email,
        )
        return _user(row) if row else None

    def _user_filter(self, query: UserQuery) -> tuple[str, list[Any]]:
        clauses = ["realm = $1"]
        params: list[Any] = [self._realm]

        def param(value: Any) -> str:
            params.append(value)
            return f"${len(params)}"

        for column, value in (
            ("username", query.username),
            ("email", query.email),
            ("first_name", query.first_name),
            ("last_name", query.last_name),
        ):
            if value is None:
                continue
            if query.exact:
                clauses.append(f"lower({column}) = lower({param(value)})")
            else:
                clauses.append(f"lower({column}) LIKE {param('%' + _like_escape(value.lower()) + '%')}")
        if query.search is not None and query.search.strip() not in ("", "*"):
            text = query.search.strip()
            if len(text) >= 2 and text.startswith('"') and text.endswith('"'):
                predicate, value = "= {p}", text[1:-1].lower()
            else:
                # Keycloak: prefix search by default, '*' is a wildcard anywhere.
                pattern = "%".join(_like_escape(part.lower()) for part in text.split("*"))
                predicate, value = "LIKE {p}", pattern if text.endswith("*") else pattern + "%"
            p = param(value)
            clauses.append(
                "("
                + " OR ".join(
                    f"lower(coalesce({c}, '')) {predicate.format(p=p)}"
                    for c in ("username", "email", "first_name", "last_name")
                )
                + ")"
            )
        if query.enabled is not None:
            clauses.append(f"enabled = {param(query.enabled)}")
        if query.email_verified is not None:
            clauses.append(f"email_verified = {param(query.email_verified)}")
        for key, value in query.attributes.items():
            clauses.append(f"(attributes -> {param(key)}) ? {param(value)}")
        return " AND ".join(clauses), params

    async def search_users(self, query: UserQuery) -> list[User]:
        where, params = self._user_filter(query)
        sql = f"SELECT * FROM idp.users WHERE {where} ORDER BY username OFFSET {max(query.first, 0)}"
        if query.max is not None and query.max >= 0:
            sql += f" LIMIT {int(query.max)}"
        return [_user(r) for r in await self._pool.fetch(sql, *params)]

    async def count_users(self, query: UserQuery) -> int:
        where, params = self._user_filter(query)
        return int(await self._pool.fetchval(f"SELECT count(*) FROM idp.users WHERE {where}", *params))

    async def delete_user(self, user_id: str) -> bool:
        uid = _uuid(user_id)
        if uid is None:
            return False
        result = await self._pool.execute(
            "DELETE FROM idp.users WHERE realm = $1 AND id = $2", self._realm, uid
        )
        return bool(result.endswith(" 1"))

    # --- role mappings ----------------------------------------------------------------------

    async def role_mappings(self, user_id: str) -> tuple[list[str], dict[str, list[str]]]:
        """Direct mappings: realm role names and ``{clientId: [role, ...]}``."""
        rows = await self._pool.fetch(
            "SELECT client, role FROM idp.user_roles WHERE user_id = $1 ORDER BY client, role",
            uuid.UUID(user_id),
        )
        realm_roles = [r["role"] for r in rows if r["client"] == ""]
        client_roles: dict[str, list[str]] = {}
        for r in rows:
            if r["client"]:
                client_roles.setdefault(r["client"], []).append(r["role"])
        return realm_roles, client_roles

    async def add_role_mappings(self, user_id: str, client: str, roles: Sequence[str]) -> None:
        await self._pool.executemany(
            "INSERT INTO idp.user_roles (user_id, client, role) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
            [(uuid.UUID(user_id), client, role) for role in roles],
        )

    async def remove_role_mappings(self, user_id: str, client: str, roles: Sequence[str]) -> None:
        await self._pool.execute(
            "DELETE FROM idp.user_roles WHERE user_id = $1 AND client = $2 AND role = ANY($3::text[])",
            uuid.UUID(user_id),
            client,
            list(roles),
        )

    async def users_with_role(self, client: str, role: str, first: int, max_: int) -> list[User]:
        rows = await self._pool.fetch(
            """
            SELECT u.* FROM idp.users u JOIN idp.user_roles r ON r.user_id = u.id
            WHERE u.realm = $1 AND r.client = $2 AND r.role = $3
            ORDER BY u.username OFFSET $4 LIMIT $5
            """,
            self._realm,
            client,
            role,
            first,
            max_,
        )
        return [_user(r) for r in rows]

    # --- groups -----------------------------------------------------------------------------

    _GROUP_SELECT = """
        WITH RECURSIVE tree AS (
            SELECT id, parent_id, name, attributes, '/' || name AS path FROM idp.groups
            WHERE realm = $1 AND parent_id IS NULL
            UNION ALL
            SELECT g.id, g.parent_id, g.name, g.attributes, tree.path || '/' || g.name
            FROM idp.groups g JOIN tree ON g.parent_id = tree.id
        )
        SELECT tree.*, (SELECT count(*) FROM idp.groups c WHERE c.parent_id = tree.id) AS sub_group_count
        FROM tree
    """

    @staticmethod
    def _group(row: asyncpg.Record) -> Group:
        return Group(
            id=str(row["id"]),
            name=row["name"],
            path=row["path"],
            parent_id=str(row["parent_id"]) if row["parent_id"] else None,
            attributes=json.loads(row["attributes"]),
            sub_group_count=int(row["sub_group_count"]),
        )

    async def create_group(
        self, name: str, parent_id: str | None, attributes: Mapping[str, list[str]]
    ) -> str:
        group_id = uuid.uuid4()
        try:
            await self._pool.execute(
                "INSERT INTO idp.groups (id, realm, parent_id, name, attributes) VALUES ($1, $2, $3, $4, $5)",
                group_id,
                self._realm,
                uuid.UUID(parent_id) if parent_id else None,
                name,
                json.dumps(dict(attributes)),
            )
        except asyncpg.UniqueViolationError as exc:
            raise ConflictError("group") from exc
        return str(group_id)

    async def get_group(self, group_id: str) -> Group | None:
        gid = _uuid(group_id)
        if gid is None:
            return None
        row = await self._pool.fetchrow(self._GROUP_SELECT + " WHERE tree.id = $2", self._realm, gid)
        return self._group(row) if row else None

    async def get_group_by_path(self, path: str) -> Group | None:
        row = await self._pool.fetchrow(self._GROUP_SELECT + " WHERE tree.path = $2", self._realm, path)
        return self._group(row) if row else None

    async def list_groups(
        self, parent_id: str | None, search: str | None, exact: bool, first: int, max_: int | None
    ) -> list[Group]:
        params: list[Any] = [self._realm]
        if parent_id is None:
            where = "tree.parent_id IS NULL"
        else:
            params.append(uuid.UUID(parent_id))
            where = "tree.parent_id = $2"
        if search:
            params.append(search.lower() if exact else "%" + _like_escape(search.lower()) + "%")
            where += f" AND lower(tree.name) {'=' if exact else 'LIKE'} ${len(params)}"
        sql = f"{self._GROUP_SELECT} WHERE {where} ORDER BY tree.name OFFSET {max(first, 0)}"
        if max_ is not None and max_ >= 0:
            sql += f" LIMIT {int(max_)}"
        return [self._group(r) for r in await self._pool.fetch(sql, *params)]

    async def count_groups(self, search: str | None, top_level: bool) -> int:
        sql = "SELECT count(*) FROM idp.groups WHERE realm = $1"
        params: list[Any] = [self._realm]
        if top_level:
            sql += " AND parent_id IS NULL"
        if search:
            params.append("%" + _like_escape(search.lower()) + "%")
            sql += " AND lower(name) LIKE $2"
        return int(await self._pool.fetchval(sql, *params))

    async def update_group(self, group_id: str, name: str, attributes: Mapping[str, list[str]]) -> None:
        try:
            await self._pool.execute(
                "UPDATE idp.groups SET name = $3, attributes = $4 WHERE realm = $1 AND id = $2",
                self._realm,
                uuid.UUID(group_id),
                name,
                json.dumps(dict(attributes)),
            )
        except asyncpg.UniqueViolationError as exc:
            raise ConflictError("group") from exc

    async def delete_group(self, group_id: str) -> None:
        await self._pool.execute(
            "DELETE FROM idp.groups WHERE realm = $1 AND id = $2", self._realm, uuid.UUID(group_id)
        )

    async def group_members(self, group_id: str, first: int, max_: int | None) -> list[User]:
        sql = """
            SELECT u.* FROM idp.users u JOIN idp.group_members m ON m.user_id = u.id
            WHERE u.realm = $1 AND m.group_id = $2 ORDER BY u.username OFFSET $3
        """
        params: list[Any] = [self._realm, uuid.UUID(group_id), max(first, 0)]
        if max_ is not None and max_ >= 0:
            sql += " LIMIT $4"
            params.append(max_)
        return [_user(r) for r in await self._pool.fetch(sql, *params)]

    async def user_groups(self, user_id: str) -> list[Group]:
        rows = await self._pool.fetch(
            self._GROUP_SELECT
            + " WHERE tree.id IN (SELECT group_id FROM idp.group_members WHERE user_id = $2) ORDER BY tree.path",
            self._realm,
            uuid.UUID(user_id),
        )
        return [self._group(r) for r in rows]

    async def add_member(self, group_id: str, user_id: str) -> None:
        await self._pool.execute(
            "INSERT INTO idp.group_members (group_id, user_id) VALUES ($1, $2) ON CONFLICT DO NOTHING",
            uuid.UUID(group_id),
            uuid.UUID(user_id),
        )

    async def remove_member(self, group_id: str, user_id: str) -> None:
        await self._pool.execute(
            "DELETE FROM idp.group_members WHERE group_id = $1 AND user_id = $2",
            uuid.UUID(group_id),
            uuid.UUID(user_id),
        )

    # --- sessions ---------------------------------------------------------------------------

    async def create_session(self, user_id: str, now: int) -> Session:
        session = Session(id=str(uuid.uuid4()), user_id=user_id, started_at=now, last_seen_at=now)
        await self._pool.execute(
            "INSERT INTO idp.sessions (id, realm, user_id, started_at, last_seen_at) VALUES ($1, $2, $3, $4, $4)",
            uuid.UUID(session.id),
            self._realm,
            uuid.UUID(user_id),
            now,
        )
        return session

    async def get_session(self, session_id: str) -> Session | None:
        sid = _uuid(session_id)
        if sid is None:
            return None
        row = await self._pool.fetchrow(
            "SELECT * FROM idp.sessions WHERE realm = $1 AND id = $2", self._realm, sid
        )
        if row is None:
            return None
        return Session(str(row["id"]), str(row["user_id"]), row["started_at"], row["last_seen_at"])

    async def touch_session(self, session_id: str, now: int) -> None:
        await self._pool.execute(
            "UPDATE idp.sessions SET last_seen_at = $2 WHERE id = $1", uuid.UUID(session_id), now
        )

    async def delete_session(self, session_id: str) -> bool:
        sid = _uuid(session_id)
        if sid is None:
            return False
        result = await self._pool.execute("DELETE FROM idp.sessions WHERE id = $1", sid)
        return bool(result.endswith(" 1"))

    async def purge_sessions(self, now: int, idle: int, max_lifespan: int) -> None:
        await self._pool.execute(
            "DELETE FROM idp.sessions WHERE realm = $1 AND (last_seen_at < $2 OR started_at < $3)",
            self._realm,
            now - idle,
            now - max_lifespan,
        )

    async def delete_user_sessions(self, user_id: str) -> None:
        await self._pool.execute("DELETE FROM idp.sessions WHERE user_id = $1", uuid.UUID(user_id))

    # --- authorization codes ----------------------------------------------------------------

    async def save_code(self, code_hash: str, data: Mapping[str, Any], expires_at: int) -> None:
        await self._pool.execute(
            "INSERT INTO idp.auth_codes (code_hash, realm, data, expires_at) VALUES ($1, $2, $3, $4)",
            code_hash,
            self._realm,
            json.dumps(dict(data)),
            expires_at,
        )

    async def take_code(self, code_hash: str, now: int) -> tuple[dict[str, Any], int] | None:
        """Remove and return a code's data and expiry: a code is good for one exchange only."""
        async with self._pool.acquire() as conn:
            await conn.execute("DELETE FROM idp.auth_codes WHERE expires_at < $1", now - 3600)
            row = await conn.fetchrow(
                "DELETE FROM idp.auth_codes WHERE realm = $1 AND code_hash = $2 RETURNING data, expires_at",
                self._realm,
                code_hash,
            )
        if row is None:
            return None
        return json.loads(row["data"]), int(row["expires_at"])
