# The DUA platform image: Airflow 3, dbt, Cosmos and the `dua` package, installed
# from requirements.lock exactly as `make venv` does (uv pip sync), plus the dbt
# manifest Cosmos renders the transform DAG from.  One image for every Airflow
# service of docker-compose.yml (api-server, scheduler, dag-processor, worker,
# triggerer, airflow-init).  Rebuild after any change of the lock, a DAG, the
# package or a dbt model: docker compose build.
FROM python:3.11-slim-bookworm

ENV PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_NO_CACHE_DIR=1 \
    UV_NO_CACHE=1 \
    UV_COMPILE_BYTECODE=1 \
    AIRFLOW_HOME=/opt/airflow \
    AIRFLOW_USER_HOME_DIR=/home/airflow \
    DUA_HOME=/opt/dua/home \
    DUA_DBT_PROJECT_DIR=/opt/dua/app/dbt_project \
    AIRFLOW__CORE__DAGS_FOLDER=/opt/dua/app/dags \
    AIRFLOW__CORE__LOAD_EXAMPLES=False \
    SCARF_ANALYTICS=false \
    DO_NOT_TRACK=1 \
    AIRFLOW__USAGE_DATA_COLLECTION__ENABLED=False \
    DBT_SEND_ANONYMOUS_USAGE_STATS=False \
    GX_ANALYTICS_ENABLED=False \
    AIRFLOW__COSMOS__ENABLE_TELEMETRY=False \
    DUMB_INIT_SETSID=1

# An organisation's CA certificates, for builds behind a TLS-intercepting proxy:
# PEM files named *.crt in docker/ca/ are added to the system's trust store, which
# pip, uv (UV_NATIVE_TLS) and Python's ssl module then use (docs/operations.md).
COPY docker/ca/ /usr/local/share/ca-certificates/dua/
ENV SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt \
    PIP_CERT=/etc/ssl/certs/ca-certificates.crt \
    REQUESTS_CA_BUNDLE=/etc/ssl/certs/ca-certificates.crt \
    UV_NATIVE_TLS=1

# curl for the healthchecks of the official compose layout (api-server, scheduler);
# dumb-init as PID 1, as in the official image (signal propagation to celery workers)
RUN apt-get update \
    && apt-get install -y --no-install-recommends ca-certificates curl dumb-init \
    && update-ca-certificates \
    && rm -rf /var/lib/apt/lists/*

# the official image's user: uid 50000, group 0
RUN useradd --uid 50000 --gid 0 --no-log-init --create-home --home-dir /home/airflow \
        --shell /bin/bash airflow

WORKDIR /opt/dua/app

# dependencies first (the slow layer), from the lock only
COPY requirements.lock pyproject.toml ./
RUN pip install "$(grep '^uv==' requirements.lock)" \
    && uv pip sync --system requirements.lock

# the application: editable install, so dua.settings.PROJECT_ROOT is /opt/dua/app
# (dags/ and dbt_project/ are found beside include/, as in a checkout)
COPY include/ include/
COPY tools/ tools/
COPY dags/ dags/
COPY expectations/ expectations/
COPY dbt_project/ dbt_project/
RUN uv pip install --system --no-deps -e .

# the manifest Cosmos renders from (no dbt at DAG parse); parse needs no database
RUN python -m dua.orchestration.dbt_runner parse \
    && test -s dbt_project/target/manifest.json \
    && rm -rf dbt_project/logs

COPY docker/entrypoint.sh /entrypoint
RUN chmod 0755 /entrypoint \
    && mkdir -p /opt/airflow/logs /opt/airflow/auth /opt/dua/home/reports /opt/dua/home/dbt_logs \
        /opt/dua/home/cosmos_cache /opt/dua/inbox \
    && chown -R airflow:0 /opt/airflow /opt/dua/home \
    && chmod -R g+rwX /opt/airflow /opt/dua/home

USER airflow
WORKDIR /opt/airflow
EXPOSE 8080

# `docker run IMAGE scheduler` runs `airflow scheduler`; `bash` and `python`
# commands run as they are (docker/entrypoint.sh)
ENTRYPOINT ["/usr/bin/dumb-init", "--", "/entrypoint"]
CMD []
