#!/usr/bin/env bash
# Entrypoint of the DUA image: the behaviour of the official Airflow image's
# entrypoint (scripts/docker/entrypoint_prod.sh in apache/airflow), reduced to
# what this deployment uses:
#
#   IMAGE scheduler            -> airflow scheduler
#   IMAGE airflow scheduler    -> airflow scheduler ("airflow" is dropped)
#   IMAGE celery worker        -> airflow celery worker (waits for the broker)
#   IMAGE bash -c "..."        -> /bin/bash -c "..."   (airflow-init)
#   IMAGE python ...           -> python ...
#
# Before any command it waits for the metadata database (`airflow db check`),
# CONNECTION_CHECK_MAX_COUNT times (default 20, 0 = no check), every
# CONNECTION_CHECK_SLEEP_TIME seconds (default 3).
AIRFLOW_COMMAND="${1:-}"

set -euo pipefail

CONNECTION_CHECK_MAX_COUNT=${CONNECTION_CHECK_MAX_COUNT:=20}
readonly CONNECTION_CHECK_MAX_COUNT
CONNECTION_CHECK_SLEEP_TIME=${CONNECTION_CHECK_SLEEP_TIME:=3}
readonly CONNECTION_CHECK_SLEEP_TIME

function run_check_with_retries {
    local cmd="${1}"
    local countdown="${CONNECTION_CHECK_MAX_COUNT}"
    local last_check_result
    while true; do
        set +e
        last_check_result=$(eval "${cmd} 2>&1")
        local res=$?
        set -e
        if [[ ${res} == 0 ]]; then
            echo
            break
        fi
        echo -n "."
        countdown=$((countdown - 1))
        if [[ ${countdown} -le 0 ]]; then
            echo
            echo "ERROR! Maximum number of retries (${CONNECTION_CHECK_MAX_COUNT}) reached."
            echo
            echo "Last check result:"
            echo "$ ${cmd}"
            echo "${last_check_result}"
            echo
            exit 1
        fi
        sleep "${CONNECTION_CHECK_SLEEP_TIME}"
    done
}

# The slim image has no netcat: a TCP connection from Python instead.
function tcp_check {
    python -c 'import socket, sys; socket.create_connection((sys.argv[1], int(sys.argv[2])), timeout=3).close()' \
        "${1}" "${2}"
}

function wait_for_connection {
    # host and port of a URL (default port by scheme), then retries until it accepts a connection
    local connection_url="${1}"
    local host_port
    host_port=$(python -c '
import sys
from urllib.parse import urlsplit
u = urlsplit(sys.argv[1])
defaults = {"postgres": 5432, "postgresql": 5432, "mysql": 3306, "redis": 6379, "rediss": 6379, "amqp": 5672}
scheme = u.scheme.split("+")[0]
print(u.hostname or "localhost", u.port or defaults.get(scheme, ""))
' "${connection_url}")
    local host="${host_port% *}"
    local port="${host_port#* }"
    if [[ -n "${host}" && -n "${port}" ]]; then
        echo "Waiting for ${host}:${port}"
        run_check_with_retries "tcp_check ${host@Q} ${port@Q}"
    else
        >&2 echo "The host and port of the broker could not be determined. Connectivity check skipped."
    fi
}

function wait_for_airflow_db {
    run_check_with_retries "airflow db check"
}

function wait_for_celery_broker {
    local executor="${AIRFLOW__CORE__EXECUTOR:-}"
    if [[ -z "${executor}" ]]; then
        executor="$(airflow config get-value core executor)"
    fi
    if [[ "${executor}" == *CeleryExecutor* ]]; then
        local broker_url="${AIRFLOW__CELERY__BROKER_URL:-}"
        if [[ -z "${broker_url}" ]]; then
            broker_url="$(airflow config get-value celery broker_url)"
        fi
        wait_for_connection "${broker_url}"
    fi
}

function check_uid_gid {
    # files of the image and of the shared volumes belong to group 0 (as in the official image)
    if [[ $(id -g) != "0" ]]; then
        >&2 echo "WARNING! Run the image with GID 0 (user: \"50000:0\"); you started it with $(id -u):$(id -g)."
    fi
}

check_uid_gid
# group-writeable files, so that any uid of group 0 can use the shared volumes
umask 0002

if [[ "${CONNECTION_CHECK_MAX_COUNT}" -gt "0" ]]; then
    wait_for_airflow_db
fi

# `bash` and `python` run as given, after the database check
if [[ ${AIRFLOW_COMMAND} == "bash" ]]; then
    shift
    exec "/bin/bash" "${@}"
elif [[ ${AIRFLOW_COMMAND} == "python" ]]; then
    shift
    exec "python" "${@}"
fi

# "airflow scheduler" and "scheduler" are the same command
if [[ ${AIRFLOW_COMMAND} == "airflow" ]]; then
    AIRFLOW_COMMAND="${2:-}"
    shift
fi

if [[ ${AIRFLOW_COMMAND} =~ ^(scheduler|celery)$ ]] && [[ "${CONNECTION_CHECK_MAX_COUNT}" -gt "0" ]]; then
    wait_for_celery_broker
fi

exec "airflow" "${@}"
