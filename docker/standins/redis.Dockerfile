# Stand-in for redis:7.2-bookworm, built from Debian's redis-server package
# where the public image cannot be pulled (docker/standins/build.sh).  What the
# compose file relies on: a broker on port 6379 reachable from the other
# containers and redis-cli for the healthcheck.
FROM dua-standin/debian:bookworm
LABEL org.opencontainers.image.description="stand-in for redis:7.2-bookworm, from Debian packages"
RUN apt-get update \
    && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends redis-server \
    && rm -rf /var/lib/apt/lists/*
USER redis
WORKDIR /var/lib/redis
EXPOSE 6379
CMD ["redis-server", "--bind", "0.0.0.0", "--protected-mode", "no", "--dir", "/var/lib/redis"]
