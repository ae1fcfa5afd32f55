"""A real, multi-process Airflow: api-server, scheduler, dag-processor and
triggerer (LocalExecutor) on 127.0.0.1, metadata in PostgreSQL, run
unattended: a manual ``dua_watch`` run defers in the triggerer until files
land in the inbox, triggers ``dua_ingest``, whose Asset events schedule
``dua_transform``, which publishes the indicators.  Observed only through the
REST API (simple auth manager, all admins) and the warehouse.

Slow: about 7 minutes on 2 cores, nearly all of it the ~50 Cosmos dbt tasks
(each a task process starting dbt).  ``DUA_LIVE_AIRFLOW_QUICK=1`` stops once
the Asset events started ``dua_transform`` (about 1 minute);
``DUA_SKIP_LIVE_AIRFLOW=1`` skips the test.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import psycopg
import pytest

from dua.orchestration.airflow_runner import airflow_env
from dua.orchestration.dbt_runner import dbt_env, ensure_manifest

pytestmark = pytest.mark.skipif(os.environ.get("DUA_SKIP_LIVE_AIRFLOW") == "1", reason="DUA_SKIP_LIVE_AIRFLOW=1")

AIRFLOW = str(Path(sys.executable).parent / "airflow")
DAGS = ("dua_watch", "dua_ingest", "dua_transform")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Api:
    def __init__(self, port: int):
        self.base = f"http://127.0.0.1:{port}"

    def call(self, method: str, path: str, body: dict | None = None, timeout: float = 20):
        data = json.dumps(body).encode() if body is not None else None
        req = urllib.request.Request(self.base + path, data=data, method=method,
                                     headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(req, timeout=timeout) as resp:
            return json.loads(resp.read() or b"null")

    def runs(self, dag_id: str) -> list[dict]:
        return self.call("GET", f"/api/v2/dags/{dag_id}/dagRuns?order_by=-run_after")["dag_runs"]

    def task_states(self, dag_id: str, run_id: str) -> dict[str, str]:
        tis = self.call("GET", f"/api/v2/dags/{dag_id}/dagRuns/{run_id}/taskInstances?limit=200")
        return {t["task_id"]: t["state"] for t in tis["task_instances"]}


def _wait(what: str, check, timeout: float, procs: dict, interval: float = 2.0):
    deadline = time.monotonic() + timeout
    last_exc = None
    while time.monotonic() < deadline:
        for name, p in procs.items():
            if p.poll() is not None:
                raise AssertionError(f"airflow {name} exited with {p.returncode} while waiting for {what}")
        try:
            result = check()
            if result:
                return result
        except (urllib.error.URLError, ConnectionError, TimeoutError, KeyError) as exc:
            last_exc = exc
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout:.0f}s waiting for {what} (last error: {last_exc!r})")


@pytest.fixture
def airflow_db(pg_server):
    with psycopg.connect(pg_server, autocommit=True) as conn:
        conn.execute("drop database if exists airflow_live with (force)")
        conn.execute("create database airflow_live")
    yield pg_server.rsplit("/", 1)[0].replace("postgresql://", "postgresql+psycopg://", 1) + "/airflow_live"
    with psycopg.connect(pg_server, autocommit=True) as conn:
        conn.execute("drop database if exists airflow_live with (force)")


def test_unattended_pipeline_on_a_real_airflow(tmp_path, db_url, airflow_db):
    from dua_synthetic.generate import generate

    timings: dict[str, float] = {}
    t0 = time.monotonic()
    ensure_manifest()
    home = tmp_path / "home"
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (home / "run").mkdir(parents=True)
    port = _free_port()
    env = os.environ.copy()
    env.update(airflow_env(home))
    env.update(dbt_env(db_url))
    env.update({
        "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": airflow_db,
        # psycopg 3 serves the async engine too (Airflow would otherwise derive an asyncpg URL)
        "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN_ASYNC": airflow_db.replace("+psycopg://", "+psycopg_async://", 1),
        "AIRFLOW__CORE__EXECUTOR": "LocalExecutor",
        "AIRFLOW__CORE__PARALLELISM": "4",
        "AIRFLOW__CORE__EXECUTION_API_SERVER_URL": f"http://127.0.0.1:{port}/execution/",
        "AIRFLOW__API__BASE_URL": f"http://127.0.0.1:{port}",
        "AIRFLOW__API__HOST": "127.0.0.1",
        "AIRFLOW__API__PORT": str(port),
        "AIRFLOW__API__WORKERS": "1",
        "AIRFLOW__API_AUTH__JWT_SECRET": secrets.token_hex(32),
        "AIRFLOW__API__SECRET_KEY": secrets.token_hex(32),
        "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_ALL_ADMINS": "True",
        "AIRFLOW__CORE__DAGS_ARE_PAUSED_AT_CREATION": "True",
        "AIRFLOW__SCHEDULER__ENABLE_HEALTH_CHECK": "False",
        "AIRFLOW__LOGGING__LOGGING_LEVEL": "INFO",
        "DUA_HOME": str(home),
        "DUA_WAREHOUSE_URL": db_url,
        "DUA_PSEUDONYM_KEY": "live-test-key",
        "DUA_INBOX": str(inbox),
        "DUA_INBOX_POLL_SECONDS": "3",
        "DUA_INBOX_SETTLE_SECONDS": "1",
    })
    for k in ("DUA_ALERT_WEBHOOK", "DUA_ALERT_EMAIL"):
        env.pop(k, None)

    migrate = subprocess.run([AIRFLOW, "db", "migrate"], env=env, capture_output=True, text=True, timeout=300)
    assert migrate.returncode == 0, migrate.stderr[-3000:]
    timings["migrate"] = time.monotonic() - t0

    logs = home / "proc_logs"
    logs.mkdir()
    commands = {
        "api-server": [AIRFLOW, "api-server", "--host", "127.0.0.1", "--port", str(port)],
        "scheduler": [AIRFLOW, "scheduler"],
        "dag-processor": [AIRFLOW, "dag-processor"],
        "triggerer": [AIRFLOW, "triggerer"],
    }
    procs: dict[str, subprocess.Popen] = {}
    api = Api(port)
    try:
        for name, cmd in commands.items():
            out = (logs / f"{name}.log").open("w")
            procs[name] = subprocess.Popen(cmd, env=env, stdout=out, stderr=subprocess.STDOUT,
                                           start_new_session=True, cwd=tmp_path)

        _wait("the API", lambda: api.call("GET", "/api/v2/monitor/health"), 180, procs)
        def parsed():
            ids = {d["dag_id"] for d in api.call("GET", "/api/v2/dags?limit=100")["dags"]}
            return ids if ids >= {*DAGS, "dua_alerts"} else None

        _wait("the DAGs to be parsed", parsed, 240, procs)
        import_errors = api.call("GET", "/api/v2/importErrors")
        assert import_errors["total_entries"] == 0, import_errors
        for dag_id in DAGS:
            assert api.call("PATCH", f"/api/v2/dags/{dag_id}", {"is_paused": False})["is_paused"] is False
        timings["airflow up"] = time.monotonic() - t0

        # The watch defers in the triggerer while the inbox has nothing new.  Unpausing creates the run of
        # the latest five-minute mark at once; without it (or if it ended already) a manual run does the same.
        def deferred_watch():
            for r in api.runs("dua_watch"):
                if api.task_states("dua_watch", r["dag_run_id"]).get("wait_for_new_files") == "deferred":
                    return r
            if time.monotonic() - t_unpaused > 30 and not any(r["state"] in ("queued", "running")
                                                                for r in api.runs("dua_watch")):
                api.call("POST", "/api/v2/dags/dua_watch/dagRuns", {"logical_date": None})
            return None

        t_unpaused = time.monotonic()
        watch = _wait("the inbox sensor to defer", deferred_watch, 180, procs)
        timings["watch deferred"] = time.monotonic() - t0

        # a delivery: files written elsewhere, then moved into the inbox
        staging = tmp_path / "staging"
        generate(staging, municipalities=["0581"], persons=60, months=4, seed=5, progress=False)
        for f in sorted(p for p in staging.rglob("*") if p.is_file()):
            shutil.move(str(f), inbox / f.name)

        def ingest_done():
            runs = api.runs("dua_ingest")
            if any(r["state"] == "failed" for r in runs):
                raise AssertionError(f"dua_ingest failed: {runs}")
            return [r for r in runs if r["state"] == "success"]

        ingest_runs = _wait("dua_ingest to succeed", ingest_done, 300, procs)
        assert ingest_runs[0]["conf"]["inbox"] == str(inbox)
        assert ingest_runs[0]["run_type"] == "operator_triggered"  # by dua_watch's TriggerDagRunOperator
        timings["ingest done"] = time.monotonic() - t0
        with psycopg.connect(db_url) as conn:
            assert conn.execute("select count(*) from meta.file_ledger where status = 'loaded'").fetchone()[0] > 0

        if os.environ.get("DUA_LIVE_AIRFLOW_QUICK") == "1":
            # quick mode: the Asset events of the ingest run started the transform; do not wait for dbt
            started = _wait("dua_transform to start",
                            lambda: [r for r in api.runs("dua_transform") if r["state"] in ("queued", "running")],
                            120, procs)
            assert started[0]["run_type"] == "asset_triggered"
            print(f"\nlive Airflow (quick) timings: { {k: round(v) for k, v in timings.items()} }")
            return

        def transform_done():
            runs = api.runs("dua_transform")
            if any(r["state"] == "failed" for r in runs):
                raise AssertionError(f"dua_transform failed: {runs}")
            return [r for r in runs if r["state"] == "success"]

        transform_runs = _wait("dua_transform to succeed", transform_done, 600, procs, interval=5)
        assert transform_runs[0]["run_type"] == "asset_triggered"
        timings["transform done"] = time.monotonic() - t0

        watch_state = _wait("dua_watch to finish",
                            lambda: next((r["state"] for r in api.runs("dua_watch")
                                          if r["dag_run_id"] == watch["dag_run_id"]
                                          and r["state"] in ("success", "failed")), None), 120, procs)
        assert watch_state == "success"
        with psycopg.connect(db_url) as conn:
            rows = conn.execute("select count(*) from published.indicator_value").fetchone()[0]
        assert rows > 0
        print(f"\nlive Airflow timings (s since start): { {k: round(v) for k, v in timings.items()} }; "
              f"{rows} published indicator rows")
    finally:
        for p in procs.values():
            if p.poll() is None:
                try:
                    os.killpg(p.pid, signal.SIGTERM)
                except ProcessLookupError:
                    pass
        deadline = time.monotonic() + 30
        for p in procs.values():
            try:
                p.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                pass
        for p in procs.values():
            try:
                os.killpg(p.pid, signal.SIGKILL)  # whatever of the group is left
            except ProcessLookupError:
                pass
            p.wait()
        for name in commands:
            log = logs / f"{name}.log"
            if log.exists() and os.environ.get("DUA_LIVE_AIRFLOW_SHOW_LOGS"):
                print(f"----- {name} -----\n{log.read_text()[-4000:]}")
