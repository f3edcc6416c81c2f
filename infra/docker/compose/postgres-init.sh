#!/bin/sh
# Runs once, when the trial's PostgreSQL data directory is created (docker-entrypoint-initdb.d).
# `safecampus db bootstrap` then creates the SafeCampus roles and database.
set -eu

# The SafeCampus login roles have no password in a trial: they may log in without one, from the compose
# network only (the port is not published). The superuser and Keycloak keep theirs.
{
    echo "host all postgres all scram-sha-256"
    echo "host all keycloak all scram-sha-256"
    echo "host all all samenet trust"
    cat "$PGDATA/pg_hba.conf"
} >"$PGDATA/pg_hba.conf.safecampus"
mv "$PGDATA/pg_hba.conf.safecampus" "$PGDATA/pg_hba.conf"

psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname postgres \
    --set=password="$KEYCLOAK_DB_PASSWORD" <<'SQL'
CREATE ROLE keycloak LOGIN PASSWORD :'password';
CREATE DATABASE keycloak OWNER keycloak;
SQL
