#!/usr/bin/env bash
# Entrypoint of the postgres stand-in: the official image's behaviour that the
# compose file uses.  First start (empty PGDATA): initdb with POSTGRES_USER as
# superuser and POSTGRES_PASSWORD as its password, UTF-8, scram-sha-256 for
# every TCP connection, then POSTGRES_DB created.  Every start: the server as
# user postgres, listening on all interfaces of the container.
set -euo pipefail

if [[ "${1:-}" != "postgres" ]]; then
    exec "$@"
fi

: "${POSTGRES_USER:=postgres}"
: "${POSTGRES_DB:=${POSTGRES_USER}}"
as_postgres() { setpriv --reuid=postgres --regid=postgres --init-groups "$@"; }

if [[ "$(id -u)" == "0" ]]; then
    install -d -o postgres -g postgres -m 0700 "${PGDATA}"
    install -d -o postgres -g postgres -m 0775 /var/run/postgresql
fi

if [[ ! -s "${PGDATA}/PG_VERSION" ]]; then
    if [[ -z "${POSTGRES_PASSWORD:-}" ]]; then
        echo "postgres: POSTGRES_PASSWORD is not set; refusing to create a cluster without a password" >&2
        exit 1
    fi
    pwfile=$(mktemp)
    printf '%s\n' "${POSTGRES_PASSWORD}" > "${pwfile}"
    chown postgres "${pwfile}"
    as_postgres initdb --username="${POSTGRES_USER}" --pwfile="${pwfile}" \
        --encoding=UTF8 --locale=C.UTF-8 --auth-local=trust --auth-host=scram-sha-256 -D "${PGDATA}"
    rm -f "${pwfile}"
    printf '\n# the container network (as in the official image)\nhost all all all scram-sha-256\n' >> "${PGDATA}/pg_hba.conf"
    as_postgres pg_ctl -D "${PGDATA}" -o "-c listen_addresses='' -c unix_socket_directories=/var/run/postgresql" -w start
    if [[ "${POSTGRES_DB}" != "postgres" ]]; then
        as_postgres psql -v ON_ERROR_STOP=1 -h /var/run/postgresql -U "${POSTGRES_USER}" -d postgres \
            -c "create database \"${POSTGRES_DB}\""
    fi
    as_postgres pg_ctl -D "${PGDATA}" -m fast -w stop
    echo "postgres: cluster initialised in ${PGDATA} (database ${POSTGRES_DB}, owner ${POSTGRES_USER})"
fi

exec setpriv --reuid=postgres --regid=postgres --init-groups \
    postgres -D "${PGDATA}" -c listen_addresses='*' -c unix_socket_directories=/var/run/postgresql "${@:2}"
