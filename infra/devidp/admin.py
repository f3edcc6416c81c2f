"""The subset of Keycloak's Admin REST API that python-keycloak's ``KeycloakAdmin`` uses for SafeCampus.

Every call needs a bearer token of this realm whose live ``realm-management`` roles allow it:
``view-users`` (or ``manage-users``) to read users, ``manage-users`` to change users, role mappings
and groups, ``query-groups`` to read groups, ``view-realm`` to read roles. Missing or bad token: 401;
token without the role: 403 — as Keycloak answers.
"""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Mapping
from typing import Any

from litestar import Controller, MediaType, Request, Response, delete, get, post, put
from litestar.params import FromPath

from devidp.errors import AdminError
from devidp.keys import InvalidTokenError
from devidp.realm import Role
from devidp.representations import (
    apply_user_update,
    attributes,
    group_rep,
    normalised_email,
    password_credential,
    role_rep,
    user_rep,
)
from devidp.service import IdentityService
from devidp.store import ConflictError, Group, User, UserQuery

READ_USERS = frozenset({"view-users", "manage-users"})
MANAGE_USERS = frozenset({"manage-users"})
READ_ROLES = frozenset({"view-realm", "manage-realm", "view-users", "manage-users"})
READ_GROUPS = frozenset({"query-groups", "view-users", "manage-users"})
#: Dev-only key rotation: ``manage-realm`` (what Keycloak wants for realm keys) or ``manage-users``
#: (the provisioner has it; the dev server has no realm administrator to hand out manage-realm).
ROTATE_KEYS = frozenset({"manage-realm", "manage-users"})

_USER_QUERY_KEYS = ("search", "username", "email", "firstName", "lastName", "q", "enabled", "emailVerified")


def _service(request: Request[Any, Any, Any], realm: str) -> IdentityService:
    service: IdentityService = request.app.state.idp
    if realm != service.realm.name:
        raise AdminError(404, {"error": "Realm not found."})
    return service


async def _authorize(request: Request[Any, Any, Any], realm: str, needed: frozenset[str]) -> IdentityService:
    service = _service(request, realm)
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise AdminError(401, {"error": "HTTP 401 Unauthorized"})
    try:
        roles = await service.admin_roles(token.strip())
    except InvalidTokenError as exc:
        raise AdminError(401, {"error": "HTTP 401 Unauthorized"}) from exc
    if "realm-admin" not in roles and not roles & needed:
        raise AdminError(403, {"error": "HTTP 403 Forbidden"})
    return service


async def _body(request: Request[Any, Any, Any]) -> Any:
    raw = await request.body()
    if not raw.strip():
        return None
    try:
        return json.loads(raw)
    except ValueError as exc:
        raise AdminError(400, {"error": "unknown_error", "error_description": "invalid JSON"}) from exc


def _flag(value: str | None, default: bool | None = None) -> bool | None:
    if value is None or value == "":
        return default
    return value.strip().lower() == "true"


def _int(value: str | None, default: int | None) -> int | None:
    if value is None or value == "":
        return default
    try:
        return int(value)
    except ValueError as exc:
        raise AdminError.bad_request(f"invalid number {value!r}") from exc


def _user_query(request: Request[Any, Any, Any], *, paged: bool) -> UserQuery:
    params = request.query_params
    attrs: dict[str, str] = {}
    for pair in (params.get("q") or "").split():
        key, sep, value = pair.partition(":")
        if sep and key:
            attrs[key] = value
    return UserQuery(
        search=params.get("search"),
        username=params.get("username"),
        email=params.get("email"),
        first_name=params.get("firstName"),
        last_name=params.get("lastName"),
        exact=bool(_flag(params.get("exact"), False)),
        enabled=_flag(params.get("enabled")),
        email_verified=_flag(params.get("emailVerified")),
        attributes=attrs,
        first=(_int(params.get("first"), 0) or 0) if paged else 0,
        max=_int(params.get("max"), 100) if paged else None,
    )


def _no_content() -> Response[Any]:
    return Response(content=b"", status_code=204)


def _json(content: Any, status: int = 200) -> Response[Any]:
    return Response(content=content, status_code=status, media_type=MediaType.JSON)


async def _user(service: IdentityService, user_id: str) -> User:
    user = await service.store.get_user(user_id)
    if user is None:
        raise AdminError.not_found("User not found")
    return user


async def _group(service: IdentityService, group_id: str) -> Group:
    group = await service.store.get_group(group_id)
    if group is None:
        raise AdminError.not_found("Could not find group by id")
    return group


def _conflict(what: str) -> AdminError:
    return AdminError.conflict(f"User exists with same {what}")


def _roles_from_body(service: IdentityService, body: Any) -> list[Role]:
    if not isinstance(body, list):
        raise AdminError.bad_request("expected a list of roles")
    roles = []
    for item in body:
        if not isinstance(item, Mapping) or not item.get("name"):
            raise AdminError.bad_request("each role needs a name")
        role = service.realm.find_role(str(item["name"]))
        # Keycloak also insists that a given id matches; a missing id is accepted here.
        if role is None or (item.get("id") and item["id"] != role.id):
            raise AdminError.not_found("Role not found")
        roles.append(role)
    return roles


def _location(service: IdentityService, collection: str, new_id: str) -> str:
    """The created resource's URL under the advertised base URL (not the address the request used)."""
    return f"{service.config.base_url}/admin/realms/{service.realm.name}/{collection}/{new_id}"


class UsersController(Controller):
    path = "/admin/realms/{realm:str}/users"

    @get("/", status_code=200)
    async def list_users(self, request: Request[Any, Any, Any], realm: FromPath[str]) -> Response[Any]:
        service = await _authorize(request, realm, READ_USERS)
        brief = bool(_flag(request.query_params.get("briefRepresentation"), False))
        users = await service.store.search_users(_user_query(request, paged=True))
        return _json([user_rep(u, brief=brief) for u in users])

    @get("/count", status_code=200)
    async def count_users(self, request: Request[Any, Any, Any], realm: FromPath[str]) -> Response[Any]:
        service = await _authorize(request, realm, READ_USERS)
        return _json(await service.store.count_users(_user_query(request, paged=False)))

    @post("/", status_code=201)
    async def create_user(self, request: Request[Any, Any, Any], realm: FromPath[str]) -> Response[Any]:
        service = await _authorize(request, realm, MANAGE_USERS)
        rep = await _body(request)
        if not isinstance(rep, Mapping):
            raise AdminError.bad_request("expected a UserRepresentation")
        username = str(rep.get("username") or "").strip().lower()
        if not username:
            raise AdminError(
                400,
                {
                    "field": "username",
                    "errorMessage": "error-user-attribute-required",
                    "params": ["username"],
                },
            )
        user = User(
            id=str(uuid.uuid4()),
            username=username,
            email=normalised_email(rep.get("email")),
            first_name=rep.get("firstName"),
            last_name=rep.get("lastName"),
            # Keycloak creates a disabled user unless the representation says enabled: true.
            enabled=bool(rep.get("enabled", False)),
            email_verified=bool(rep.get("emailVerified", False)),
            attributes=attributes(rep.get("attributes")),
            required_actions=[str(a) for a in rep.get("requiredActions") or []],
            created_at=int(time.time() * 1000),
        )
        password, temporary = password_credential(rep)
        if password is not None and service.password_violation(password, user):
            raise AdminError(400, {"errorMessage": "Password policy not met"})
        group_ids = []
        for path in rep.get("groups") or []:
            group = await service.store.get_group_by_path("/" + str(path).strip("/"))
            if group is None:
                raise AdminError.bad_request(f"Group {path} not found")
            group_ids.append(group.id)
        try:
            # Like Keycloak, realmRoles/clientRoles in a create request are ignored (import only).
            await service.create_user(user, password, temporary, [], {}, group_ids)
        except ConflictError as exc:
            raise _conflict(exc.what) from exc
        return Response(
            content=b"", status_code=201, headers={"Location": _location(service, "users", user.id)}
        )

    @get("/{user_id:str}", status_code=200)
    async def get_user(
        self, request: Request[Any, Any, Any], realm: FromPath[str], user_id: FromPath[str]
    ) -> Response[Any]:
        service = await _authorize(request, realm, READ_USERS)
        return _json(user_rep(await _user(service, user_id)))

    @put("/{user_id:str}", status_code=200)
    async def update_user(
        self, request: Request[Any, Any, Any], realm: FromPath[str], user_id: FromPath[str]
    ) -> Response[Any]:
        service = await _authorize(request, realm, MANAGE_USERS)
        user = await _user(service, user_id)
        rep = await _body(request)
        if not isinstance(rep, Mapping):
            raise AdminError.bad_request("expected a UserRepresentation")
        password, temporary = password_credential(rep)
        apply_user_update(user, rep)
        if password is not None and service.password_violation(password, user):
            raise AdminError(400, {"errorMessage": "Password policy not met"})
        try:
            await service.store.update_user(user)
        except ConflictError as exc:
            raise _conflict(exc.what) from exc
        if password is not None:
            await service.set_password(user, password, temporary)
        return _no_content()

    @delete("/{user_id:str}", status_code=200)
    async def delete_user(
        self, request: Request[Any, Any, Any], realm: FromPath[str], user_id: FromPath[str]
    ) -> Response[Any]:
        service = await _authorize(request, realm, MANAGE_USERS)
        if not await service.store.delete_user(user_id):
            raise AdminError.not_found("User not found")
        return _no_content()

    @put("/{user_id:str}/reset-password", status_code=200)
    async def reset_password(
        self, request: Request[Any, Any, Any], realm: FromPath[str], user_id: FromPath[str]
    ) -> Response[Any]:
        service = await _authorize(request, realm, MANAGE_USERS)
        user = await _user(service, user_id)
        rep = await _body(request)
        if not isinstance(rep, Mapping) or not rep.get("value"):
            raise AdminError.bad_request("Missing password")
        violation = service.password_violation(str(rep["value"]), user)
        if violation:
            raise AdminError(400, {"error": violation, "error_description": f"Invalid password: {violation}"})
        await service.set_password(user, str(rep["value"]), bool(rep.get("temporary", True)))
        return _no_content()

    @post("/{user_id:str}/logout", status_code=200)
    async def logout_user(
        self, request: Request[Any, Any, Any], realm: FromPath[str], user_id: FromPath[str]
    ) -> Response[Any]:
        service = await _authorize(request, realm, MANAGE_USERS)
        await _user(service, user_id)
        await service.store.delete_user_sessions(user_id)
        return _no_content()

    # --- role mappings ----------------------------------------------------------------------

    @get("/{user_id:str}/role-mappings", status_code=200)
    async def all_role_mappings(
        self, request: Request[Any, Any, Any], realm: FromPath[str], user_id: FromPath[str]
    ) -> Response[Any]:
        service = await _authorize(request, realm, READ_USERS)
        await _user(service, user_id)
        realm_roles, client_roles = await service.store.role_mappings(user_id)
        body: dict[str, Any] = {}
        reps = [role_rep(service.realm, r) for n in realm_roles if (r := service.realm.find_role(n))]
        if reps:
            body["realmMappings"] = reps
        clients = {
            client: {
                "id": client,
                "client": client,
                "mappings": [
                    role_rep(service.realm, r) for n in names if (r := service.realm.find_role(n, client))
                ],
            }
            for client, names in client_roles.items()
        }
        if clients:
            body["clientMappings"] = clients
        return _json(body)

    @get("/{user_id:str}/role-mappings/realm", status_code=200)
    async def realm_role_mappings(
        self, request: Request[Any, Any, Any], realm: FromPath[str], user_id: FromPath[str]
    ) -> Response[Any]:
        service = await _authorize(request, realm, READ_USERS)
        await _user(service, user_id)
        realm_roles, _ = await service.store.role_mappings(user_id)
        return _json([role_rep(service.realm, r) for n in realm_roles if (r := service.realm.find_role(n))])

    @get("/{user_id:str}/role-mappings/realm/composite", status_code=200)
    async def effective_realm_roles(
        self, request: Request[Any, Any, Any], realm: FromPath[str], user_id: FromPath[str]
    ) -> Response[Any]:
        service = await _authorize(request, realm, READ_USERS)
        await _user(service, user_id)
        realm_roles, client_roles = await service.store.role_mappings(user_id)
        effective, _ = service.realm.expand_roles(realm_roles, client_roles)
        return _json(
            [role_rep(service.realm, r) for n in sorted(effective) if (r := service.realm.find_role(n))]
        )

    @get("/{user_id:str}/role-mappings/realm/available", status_code=200)
    async def available_realm_roles(
        self, request: Request[Any, Any, Any], realm: FromPath[str], user_id: FromPath[str]
    ) -> Response[Any]:
        service = await _authorize(request, realm, READ_USERS)
        await _user(service, user_id)
        realm_roles, client_roles = await service.store.role_mappings(user_id)
        effective, _ = service.realm.expand_roles(realm_roles, client_roles)
        roles = [r for name, r in sorted(service.realm.roles.items()) if name not in effective]
        return _json([role_rep(service.realm, r) for r in roles])

    @post("/{user_id:str}/role-mappings/realm", status_code=200)
    async def add_realm_roles(
        self, request: Request[Any, Any, Any], realm: FromPath[str], user_id: FromPath[str]
    ) -> Response[Any]:
        service = await _authorize(request, realm, MANAGE_USERS)
        await _user(service, user_id)
        roles = _roles_from_body(service, await _body(request))
        await service.store.add_role_mappings(user_id, "", [r.name for r in roles])
        return _no_content()

    @delete("/{user_id:str}/role-mappings/realm", status_code=200)
    async def remove_realm_roles(
        self, request: Request[Any, Any, Any], realm: FromPath[str], user_id: FromPath[str]
    ) -> Response[Any]:
        service = await _authorize(request, realm, MANAGE_USERS)
        await _user(service, user_id)
        roles = _roles_from_body(service, await _body(request))
        await service.store.remove_role_mappings(user_id, "", [r.name for r in roles])
        return _no_content()

    # --- group membership -------------------------------------------------------------------

    @get("/{user_id:str}/groups", status_code=200)
    async def user_groups(
        self, request: Request[Any, Any, Any], realm: FromPath[str], user_id: FromPath[str]
    ) -> Response[Any]:
        service = await _authorize(request, realm, READ_USERS)
        await _user(service, user_id)
        params = request.query_params
        brief = bool(_flag(params.get("briefRepresentation"), True))
        groups = await service.store.user_groups(user_id)
        search = (params.get("search") or "").lower()
        groups = [g for g in groups if search in g.name.lower()]
        first, max_ = _int(params.get("first"), 0) or 0, _int(params.get("max"), None)
        page = groups[first : first + max_ if max_ is not None and max_ >= 0 else None]
        return _json([group_rep(g, brief=brief) for g in page])

    @get("/{user_id:str}/groups/count", status_code=200)
    async def user_groups_count(
        self, request: Request[Any, Any, Any], realm: FromPath[str], user_id: FromPath[str]
    ) -> Response[Any]:
        service = await _authorize(request, realm, READ_USERS)
        await _user(service, user_id)
        return _json({"count": len(await service.store.user_groups(user_id))})

    @put("/{user_id:str}/groups/{group_id:str}", status_code=200)
    async def join_group(
        self,
        request: Request[Any, Any, Any],
        realm: FromPath[str],
        user_id: FromPath[str],
        group_id: FromPath[str],
    ) -> Response[Any]:
        service = await _authorize(request, realm, MANAGE_USERS)
        await _user(service, user_id)
        await _group(service, group_id)
        await service.store.add_member(group_id, user_id)
        return _no_content()

    @delete("/{user_id:str}/groups/{group_id:str}", status_code=200)
    async def leave_group(
        self,
        request: Request[Any, Any, Any],
        realm: FromPath[str],
        user_id: FromPath[str],
        group_id: FromPath[str],
    ) -> Response[Any]:
        service = await _authorize(request, realm, MANAGE_USERS)
        await _user(service, user_id)
        await _group(service, group_id)
        await service.store.remove_member(group_id, user_id)
        return _no_content()


class RolesController(Controller):
    path = "/admin/realms/{realm:str}/roles"

    @get("/", status_code=200)
    async def list_roles(self, request: Request[Any, Any, Any], realm: FromPath[str]) -> Response[Any]:
        service = await _authorize(request, realm, READ_ROLES)
        params = request.query_params
        brief = bool(_flag(params.get("briefRepresentation"), True))
        search = (params.get("search") or "").lower()
        roles = [r for name, r in sorted(service.realm.roles.items()) if search in name.lower()]
        first, max_ = _int(params.get("first"), 0) or 0, _int(params.get("max"), None)
        page = roles[first : first + max_ if max_ is not None and max_ >= 0 else None]
        return _json([role_rep(service.realm, r, brief=brief) for r in page])

    @get("/{role_name:str}", status_code=200)
    async def get_role(
        self, request: Request[Any, Any, Any], realm: FromPath[str], role_name: FromPath[str]
    ) -> Response[Any]:
        service = await _authorize(request, realm, READ_ROLES)
        role = service.realm.find_role(role_name)
        if role is None:
            raise AdminError.not_found("Could not find role")
        return _json(role_rep(service.realm, role, brief=False))

    @get("/{role_name:str}/users", status_code=200)
    async def role_members(
        self, request: Request[Any, Any, Any], realm: FromPath[str], role_name: FromPath[str]
    ) -> Response[Any]:
        service = await _authorize(request, realm, READ_USERS)
        if service.realm.find_role(role_name) is None:
            raise AdminError.not_found("Could not find role")
        params = request.query_params
        brief = bool(_flag(params.get("briefRepresentation"), True))
        first, max_ = _int(params.get("first"), 0) or 0, _int(params.get("max"), 100) or 100
        users = await service.store.users_with_role("", role_name, first, max_)
        return _json([user_rep(u, brief=brief) for u in users])


class GroupsController(Controller):
    path = "/admin/realms/{realm:str}"

    async def _create(
        self, request: Request[Any, Any, Any], realm: str, parent: Group | None
    ) -> Response[Any]:
        service = await _authorize(request, realm, MANAGE_USERS)
        rep = await _body(request)
        if not isinstance(rep, Mapping) or not str(rep.get("name") or "").strip():
            raise AdminError(400, {"errorMessage": "Group name is missing"})
        name = str(rep["name"]).strip()
        try:
            group_id = await service.store.create_group(
                name, parent.id if parent else None, attributes(rep.get("attributes"))
            )
        except ConflictError as exc:
            kind = "Sibling" if parent else "Top level"
            raise AdminError.conflict(f"{kind} group named '{name}' already exists.") from exc
        location = _location(service, "groups", group_id)
        return Response(content=b"", status_code=201, headers={"Location": location})

    def _page(self, request: Request[Any, Any, Any]) -> tuple[int, int | None, bool]:
        params = request.query_params
        return (
            _int(params.get("first"), 0) or 0,
            _int(params.get("max"), None),
            bool(_flag(params.get("briefRepresentation"), True)),
        )

    @get("/groups", status_code=200)
    async def list_groups(self, request: Request[Any, Any, Any], realm: FromPath[str]) -> Response[Any]:
        service = await _authorize(request, realm, READ_GROUPS)
        first, max_, brief = self._page(request)
        params = request.query_params
        exact = bool(_flag(params.get("exact"), False))
        groups = await service.store.list_groups(None, params.get("search"), exact, first, max_)
        return _json([group_rep(g, brief=brief) for g in groups])

    @get("/groups/count", status_code=200)
    async def count_groups(self, request: Request[Any, Any, Any], realm: FromPath[str]) -> Response[Any]:
        service = await _authorize(request, realm, READ_GROUPS)
        params = request.query_params
        top = bool(_flag(params.get("top"), False))
        return _json({"count": await service.store.count_groups(params.get("search"), top)})

    @post("/groups", status_code=201)
    async def create_group(self, request: Request[Any, Any, Any], realm: FromPath[str]) -> Response[Any]:
        return await self._create(request, realm, None)

    @get("/groups/{group_id:str}", status_code=200)
    async def get_group(
        self, request: Request[Any, Any, Any], realm: FromPath[str], group_id: FromPath[str]
    ) -> Response[Any]:
        service = await _authorize(request, realm, READ_GROUPS)
        return _json(group_rep(await _group(service, group_id), brief=False))

    @put("/groups/{group_id:str}", status_code=200)
    async def update_group(
        self, request: Request[Any, Any, Any], realm: FromPath[str], group_id: FromPath[str]
    ) -> Response[Any]:
        service = await _authorize(request, realm, MANAGE_USERS)
        group = await _group(service, group_id)
        rep = await _body(request)
        if not isinstance(rep, Mapping):
            raise AdminError.bad_request("expected a GroupRepresentation")
        name = str(rep.get("name") or group.name).strip()
        attrs = attributes(rep["attributes"]) if rep.get("attributes") is not None else group.attributes
        try:
            await service.store.update_group(group.id, name, attrs)
        except ConflictError as exc:
            raise AdminError.conflict(f"Sibling group named '{name}' already exists.") from exc
        return _no_content()

    @delete("/groups/{group_id:str}", status_code=200)
    async def delete_group(
        self, request: Request[Any, Any, Any], realm: FromPath[str], group_id: FromPath[str]
    ) -> Response[Any]:
        service = await _authorize(request, realm, MANAGE_USERS)
        await service.store.delete_group((await _group(service, group_id)).id)
        return _no_content()

    @get("/groups/{group_id:str}/children", status_code=200)
    async def list_children(
        self, request: Request[Any, Any, Any], realm: FromPath[str], group_id: FromPath[str]
    ) -> Response[Any]:
        service = await _authorize(request, realm, READ_GROUPS)
        group = await _group(service, group_id)
        first, max_, brief = self._page(request)
        params = request.query_params
        exact = bool(_flag(params.get("exact"), False))
        children = await service.store.list_groups(group.id, params.get("search"), exact, first, max_)
        return _json([group_rep(g, brief=brief) for g in children])

    @post("/groups/{group_id:str}/children", status_code=201)
    async def create_child(
        self, request: Request[Any, Any, Any], realm: FromPath[str], group_id: FromPath[str]
    ) -> Response[Any]:
        service = await _authorize(request, realm, MANAGE_USERS)
        return await self._create(request, realm, await _group(service, group_id))

    @get("/groups/{group_id:str}/members", status_code=200)
    async def members(
        self, request: Request[Any, Any, Any], realm: FromPath[str], group_id: FromPath[str]
    ) -> Response[Any]:
        service = await _authorize(request, realm, READ_USERS)
        group = await _group(service, group_id)
        first, max_, brief = self._page(request)
        users = await service.store.group_members(group.id, first, max_ if max_ is not None else 100)
        return _json([user_rep(u, brief=brief) for u in users])

    @get("/group-by-path/{path:path}", status_code=200)
    async def group_by_path(
        self, request: Request[Any, Any, Any], realm: FromPath[str], path: FromPath[str]
    ) -> Response[Any]:
        service = await _authorize(request, realm, READ_GROUPS)
        group = await service.store.get_group_by_path("/" + path.strip("/"))
        if group is None:
            raise AdminError.not_found(f"Group path does not exist: {path}")
        return _json(group_rep(group, brief=False))


class DevController(Controller):
    """Not part of Keycloak: test and local-run helpers under ``/admin/realms/{realm}/dev``."""

    path = "/admin/realms/{realm:str}/dev"

    @post("/rotate-keys", status_code=200)
    async def rotate_keys(self, request: Request[Any, Any, Any], realm: FromPath[str]) -> Response[Any]:
        service = await _authorize(request, realm, ROTATE_KEYS)
        kid = await service.rotate_keys()
        return _json({"active": kid, "published": [k.kid for k in service.keys.published]})


ADMIN_CONTROLLERS = [UsersController, RolesController, GroupsController, DevController]
