"""PostgreSQL (CloudNativePG), RabbitMQ (cluster operator) and Keycloak (operator) as the chart declares
them, each switchable to an existing one; the roles come from tenants.roles, the realm from infra/keycloak."""

from __future__ import annotations

import asyncio
import json
import os
import secrets
from typing import Any

import asyncpg
import pytest

from tenants.roles import BROKER_ROLE, IDP_ROLE, MIGRATOR, OWNER, SERVICES, app_role
from tests.deploy import bootstrap_sql
from tests.deploy.manifests import REPO, render, set_path, values_file

EXTERNAL = values_file("external-dependencies-values.yaml")
REALM = json.loads((REPO / "infra" / "keycloak" / "realm-safecampus.json").read_text())


def test_the_chart_knows_every_service_role_of_the_code() -> None:
    values = render().of_kind("Cluster")[0]["spec"]["managed"]["roles"]
    assert {role["name"] for role in values} == {MIGRATOR, "keycloak", *(app_role(s) for s in SERVICES)}


def test_the_bootstrap_sql_is_the_one_tenants_roles_generates() -> None:
    assert bootstrap_sql.CHART_FILE.read_text() == bootstrap_sql.render(), (
        "regenerate: .venv/bin/python -m tests.deploy.bootstrap_sql > helm/safecampus/files/postgres/bootstrap.sql"
    )


def test_the_cluster_has_replicas_backups_to_object_storage_and_creates_the_roles_at_bootstrap() -> None:
    rendered = render()
    (cluster,) = rendered.of_kind("Cluster")
    spec = cluster["spec"]
    assert spec["instances"] == 3
    assert spec["enableSuperuserAccess"] is False
    initdb = spec["bootstrap"]["initdb"]
    assert initdb["database"] == "safecampus" and initdb["owner"] == OWNER
    (ref,) = initdb["postInitApplicationSQLRefs"]["configMapRefs"]
    sql = rendered.get("ConfigMap", ref["name"])["data"][ref["key"]]
    assert sql == bootstrap_sql.render().replace(bootstrap_sql.DB_PLACEHOLDER, "safecampus").rstrip("\n")
    roles = {role["name"]: role for role in spec["managed"]["roles"]}
    migrator = roles[MIGRATOR]
    assert migrator["bypassrls"] is True and migrator["inRoles"] == [OWNER] and migrator["login"] is True
    for service in SERVICES:
        role = roles[app_role(service)]
        assert (role["login"], role["superuser"], role["bypassrls"], role["inherit"]) == (
            True,
            False,
            False,
            False,
        )
        assert role["passwordSecret"] == {"name": f"safecampus-db-{service}"}
    # Backups: WAL archiving through the barman-cloud plugin, a daily base backup, retention.
    (plugin,) = spec["plugins"]
    assert plugin["isWALArchiver"] is True
    store = rendered.get("ObjectStore", plugin["parameters"]["barmanObjectName"])
    assert store["spec"]["configuration"]["destinationPath"] == "s3://safecampus-backups/"
    assert store["spec"]["configuration"]["s3Credentials"]["accessKeyId"] == {
        "name": "safecampus-backup-s3",
        "key": "ACCESS_KEY_ID",
    }
    assert store["spec"]["retentionPolicy"] == "30d"
    (scheduled,) = rendered.of_kind("ScheduledBackup")
    assert scheduled["spec"]["cluster"]["name"] == cluster["metadata"]["name"]
    assert scheduled["spec"]["method"] == "plugin"


def test_a_restore_bootstraps_from_the_old_clusters_backups_up_to_a_point_in_time() -> None:
    values = set_path(
        {},
        "postgres.cluster.recovery",
        {"enabled": True, "sourceServerName": "sc-safecampus-db", "targetTime": "2026-11-01T08:00:00Z"},
    )
    set_path(values, "postgres.cluster.name", "sc-safecampus-db2")
    (cluster,) = render(values).of_kind("Cluster")
    bootstrap = cluster["spec"]["bootstrap"]
    assert "initdb" not in bootstrap
    assert bootstrap["recovery"] == {
        "source": "origin",
        "recoveryTarget": {"targetTime": "2026-11-01T08:00:00Z"},
    }
    (origin,) = cluster["spec"]["externalClusters"]
    assert origin["plugin"]["parameters"] == {
        "barmanObjectName": "sc-safecampus-db2-backup",
        "serverName": "sc-safecampus-db",
    }


def test_rabbitmq_is_a_three_node_cluster_with_prometheus_metrics() -> None:
    rendered = render()
    (mq,) = rendered.of_kind("RabbitmqCluster")
    assert mq["spec"]["replicas"] == 3
    assert "rabbitmq_prometheus" in mq["spec"]["rabbitmq"]["additionalPlugins"]
    monitor = rendered.get("ServiceMonitor", mq["metadata"]["name"])
    families = [e.get("params", {}).get("family", []) for e in monitor["spec"]["endpoints"]]
    assert ["queue_coarse_metrics", "queue_consumer_count"] in families


def test_keycloak_runs_on_the_clusters_database_and_imports_the_realm_file_hardened() -> None:
    rendered = render(values_file("production-values.yaml"))
    (keycloak,) = rendered.of_kind("Keycloak")
    assert keycloak["spec"]["db"]["host"] == "sc-safecampus-db-rw.county.svc"
    assert keycloak["spec"]["db"]["passwordSecret"] == {"name": "safecampus-db-keycloak", "key": "password"}
    assert keycloak["spec"]["hostname"]["hostname"] == "id.changling.example.org"
    (database,) = rendered.of_kind("Database")
    assert (database["spec"]["name"], database["spec"]["owner"]) == ("keycloak", "keycloak")

    (realm_import,) = rendered.of_kind("KeycloakRealmImport")
    assert realm_import["spec"]["keycloakCRName"] == keycloak["metadata"]["name"]
    realm = realm_import["spec"]["realm"]
    # Everything of the realm file arrives: roles, client scopes, the user profile, the service account.
    for key in ("realm", "roles", "clientScopes", "components", "users", "defaultDefaultClientScopes"):
        assert realm[key] == REALM[key], key
    clients = {client["clientId"]: client for client in realm["clients"]}
    assert set(clients) == {client["clientId"] for client in REALM["clients"]}
    portal = clients["safecampus-portal"]
    assert portal["redirectUris"] == ["https://safecampus.changling.example.org/auth/callback"]
    assert portal["webOrigins"] == ["https://safecampus.changling.example.org"]
    assert clients["safecampus-cli"]["enabled"] is False  # the DEV/TEST password-grant client
    assert clients["safecampus-api"] == next(c for c in REALM["clients"] if c["clientId"] == "safecampus-api")


def test_the_dev_password_grant_client_can_be_kept_for_a_test_installation() -> None:
    values = set_path({}, "keycloak.realmImport.keepDevClients", True)
    (realm_import,) = render(values).of_kind("KeycloakRealmImport")
    cli = next(c for c in realm_import["spec"]["realm"]["clients"] if c["clientId"] == "safecampus-cli")
    assert cli["enabled"] is True


@pytest.mark.parametrize(
    ("switch", "gone"),
    [
        ("postgres", {"Cluster", "ObjectStore", "ScheduledBackup", "Database", "PodMonitor"}),
        ("rabbitmq", {"RabbitmqCluster"}),
        ("keycloak", {"Keycloak", "KeycloakRealmImport", "Database"}),
    ],
)
def test_each_dependency_can_be_switched_off_for_an_existing_one(switch: str, gone: set[str]) -> None:
    off = {
        "postgres": {"postgres": {"cluster": {"enabled": False}}, "database": {"host": "pg.example.org"}},
        "rabbitmq": {
            "rabbitmq": {"cluster": {"enabled": False}},
            "broker": {"existingSecret": {"name": "mq", "key": "url"}},
        },
        "keycloak": {"keycloak": {"enabled": False}, "config": {"keycloakUrl": "https://id.example.org/"}},
    }[switch]
    kinds = {m["kind"] for m in render(off).manifests}
    assert kinds.isdisjoint(gone)
    worker = render(off).component("Deployment", "worker")["spec"]["template"]["spec"]["containers"][0]
    env = {item["name"]: item for item in worker["env"]}
    if switch == "postgres":
        assert env["DATABASE_URL"]["value"] == "postgresql://pg.example.org:5432/safecampus"
    if switch == "rabbitmq":
        assert env["BROKER_URL"]["valueFrom"]["secretKeyRef"] == {"name": "mq", "key": "url"}
        assert "RABBITMQ_PASSWORD" not in env
    if switch == "keycloak":
        assert env["KEYCLOAK_URL"]["value"] == "https://id.example.org/"


def test_with_every_dependency_external_only_safecampus_itself_is_rendered() -> None:
    kinds = {m["kind"] for m in render(EXTERNAL).manifests}
    assert kinds.isdisjoint({"Cluster", "RabbitmqCluster", "Keycloak", "KeycloakRealmImport", "ObjectStore"})


# --- the bootstrap SQL on a real PostgreSQL ---------------------------------------------------------------
def test_the_bootstrap_sql_runs_as_one_script_and_creates_the_roles_as_tenants_roles_defines_them() -> None:
    """What CloudNativePG does at initdb: the whole file, once, in the new database, as the superuser."""
    admin = os.environ.get("TEST_ADMIN_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
    dbname = f"safecampus_bootstrap_{secrets.token_hex(4)}"

    async def run() -> dict[str, Any]:
        conn = await asyncpg.connect(admin)
        try:
            await conn.execute(f'CREATE DATABASE "{dbname}"')
        finally:
            await conn.close()
        try:
            conn = await asyncpg.connect(admin.rpartition("/")[0] + f"/{dbname}")
            try:
                sql = bootstrap_sql.render().replace(bootstrap_sql.DB_PLACEHOLDER, dbname)
                # Roles are cluster-wide: wait for any other bootstrap on this server (parallel test runs).
                await conn.execute("SELECT pg_advisory_lock(hashtext('safecampus-bootstrap'))")
                try:
                    async with conn.transaction():
                        await conn.execute(sql)
                        await conn.execute(sql)  # idempotent, like every bootstrap
                finally:
                    await conn.execute("SELECT pg_advisory_unlock(hashtext('safecampus-bootstrap'))")
                rows = await conn.fetch(
                    "SELECT rolname, rolcanlogin, rolbypassrls, rolsuper, rolinherit FROM pg_roles "
                    "WHERE rolname LIKE 'safecampus%'"
                )
                schemas = await conn.fetch(
                    "SELECT nspname, pg_get_userbyid(nspowner) AS owner FROM pg_namespace"
                )
                member = await conn.fetchval("SELECT pg_has_role($1, $2, 'MEMBER')", MIGRATOR, OWNER)
                return {
                    "roles": {r["rolname"]: tuple(r)[1:] for r in rows},
                    "schemas": {r["nspname"]: r["owner"] for r in schemas},
                    "member": member,
                }
            finally:
                await conn.close()
        finally:
            conn = await asyncpg.connect(admin)
            try:
                await conn.execute(f'DROP DATABASE IF EXISTS "{dbname}" WITH (FORCE)')
            finally:
                await conn.close()

    found = asyncio.run(run())
    assert found["roles"][OWNER][0] is False  # NOLOGIN
    assert found["roles"][MIGRATOR][:3] == (True, True, False)  # login, bypassrls, not superuser
    assert found["member"] is True
    for service in SERVICES:
        assert found["roles"][app_role(service)] == (True, False, False, False)
    assert found["schemas"]["dramatiq"] == BROKER_ROLE and found["schemas"]["idp"] == IDP_ROLE
    assert found["schemas"]["tenancy"] == OWNER
