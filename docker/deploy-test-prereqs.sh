#!/usr/bin/env bash
# What `make deploy-test` needs on the machine before the stack can start:
# Debian's docker.io, docker-compose and debootstrap (installed when missing,
# as root), and a running Docker daemon (started here when none answers, with
# its log under .deploy-test/).  Idempotent.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
log=${DUA_DEPLOY_WORK:-$root/.deploy-test}
mkdir -p "$log"

missing=()
command -v dockerd >/dev/null 2>&1 || missing+=(docker.io)
command -v docker-compose >/dev/null 2>&1 || missing+=(docker-compose)
command -v debootstrap >/dev/null 2>&1 || missing+=(debootstrap)
if [[ ${#missing[@]} -gt 0 ]]; then
    if [[ $(id -u) != 0 ]]; then
        echo "deploy-test: ${missing[*]} missing; install them (apt-get install ${missing[*]}) or run as root" >&2
        exit 1
    fi
    echo "deploy-test: installing ${missing[*]}"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
fi

if ! docker info >/dev/null 2>&1; then
    if [[ $(id -u) != 0 ]]; then
        echo "deploy-test: no Docker daemon answers and only root can start one here" >&2
        exit 1
    fi
    echo "deploy-test: starting dockerd (log: $log/dockerd.log)"
    nohup dockerd >"$log/dockerd.log" 2>&1 &
    for _ in $(seq 1 60); do
        docker info >/dev/null 2>&1 && break
        sleep 1
    done
    docker info >/dev/null 2>&1 || { tail -20 "$log/dockerd.log" >&2; exit 1; }
fi
docker version --format 'deploy-test: Docker Engine {{.Server.Version}}'
docker-compose version --short | sed 's/^/deploy-test: docker-compose /'
