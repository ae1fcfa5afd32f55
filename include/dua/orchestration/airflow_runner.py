"""Run the project's Airflow DAGs in-process (``dag.test``), no scheduler.

Airflow reads its configuration when first imported, so :func:`prepare_env`
must run before anything imports ``airflow``.  Every state path lives under
``DUA_HOME``: the Airflow home with its SQLite metadata database, logs and
the Cosmos cache.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from dua.settings import DAGS_DIR, DBT_PROJECT_DIR

log = logging.getLogger(__name__)

QUIET_ENV = {
    # no telemetry from any component
    "SCARF_ANALYTICS": "false",
    "DO_NOT_TRACK": "1",
    "AIRFLOW__USAGE_DATA_COLLECTION__ENABLED": "False",
    "DBT_SEND_ANONYMOUS_USAGE_STATS": "False",
    "GX_ANALYTICS_ENABLED": "False",
    "AIRFLOW__COSMOS__ENABLE_TELEMETRY": "False",
    "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
}


def airflow_env(home: Path) -> dict[str, str]:
    airflow_home = home / "airflow"
    return {
        **QUIET_ENV,
        "AIRFLOW_HOME": str(airflow_home),
        "AIRFLOW__CORE__DAGS_FOLDER": str(DAGS_DIR),
        "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": f"sqlite:///{airflow_home / 'airflow.db'}",
        "AIRFLOW__CORE__EXECUTOR": "LocalExecutor",
        "AIRFLOW__LOGGING__BASE_LOG_FOLDER": str(airflow_home / "logs"),
        "AIRFLOW__COSMOS__CACHE_DIR": str(home / "cosmos_cache"),
        "AIRFLOW__CORE__DAGBAG_IMPORT_TIMEOUT": "120",
        "DUA_DBT_PROJECT_DIR": str(DBT_PROJECT_DIR),
        "XDG_RUNTIME_DIR": str(home / "run"),
        # task logs stay in the log folder; the console shows what dua prints
        "AIRFLOW__LOGGING__LOGGING_LEVEL": "ERROR",
        "AIRFLOW__COSMOS__USE_DATASET_AIRFLOW3_URI_STANDARD": "1",
        "DBT_LOG_LEVEL": "error",
        "DBT_LOG_PATH": str(home / "dbt_logs"),
    }


def prepare_env(home: Path, warehouse_url: str) -> None:
    """Point Airflow, Cosmos and the tasks at ``home`` and the warehouse.
    Values the user set explicitly in the environment win."""
    env = airflow_env(home)
    for k, v in env.items():
        if k in QUIET_ENV or k not in os.environ:
            os.environ[k] = v
    os.environ["DUA_WAREHOUSE_URL"] = warehouse_url
    # in-process runs build dbt as one task (Airflow's per-task start-up, paid
    # once per node, was most of a small run's time); a deployment's DAGs keep
    # one task per node unless configured otherwise
    if not os.environ.setdefault("DUA_DBT_TASKS", "build").strip():
        os.environ["DUA_DBT_TASKS"] = "build"
    from dua.orchestration.dbt_runner import dbt_env

    os.environ.update(dbt_env(warehouse_url))
    os.environ["DUA_HOME"] = str(home)
    (home / "airflow").mkdir(parents=True, exist_ok=True)
    (home / "run").mkdir(parents=True, exist_ok=True)
    if "airflow" in sys.modules:
        raise RuntimeError("airflow was imported before its environment was prepared")


def migrate_db(home: Path) -> None:
    """``airflow db migrate`` once per Airflow version (a stamp file remembers)."""
    from importlib.metadata import version

    stamp = home / "airflow" / ".migrated"
    want = version("apache-airflow-core")
    if stamp.exists() and stamp.read_text() == want:
        return
    airflow_bin = Path(sys.executable).parent / "airflow"
    proc = subprocess.run([str(airflow_bin), "db", "migrate"], capture_output=True, text=True, env=os.environ.copy())
    if proc.returncode != 0:
        raise RuntimeError(f"airflow db migrate failed:\n{proc.stdout[-2000:]}\n{proc.stderr[-4000:]}")
    stamp.write_text(want)


@contextlib.contextmanager
def console_to(path: Path, title: str) -> Iterator[None]:
    """Send this process's stdout and stderr (file descriptors 1 and 2, so
    child processes and loggers holding the old streams too) to ``path`` for
    the block: what Airflow prints while a DAG runs in-process — a failed
    task's traceback among it — goes to the log, the console keeps the
    command's own summary."""
    from dua.private import open_private_append, private_dir

    private_dir(path.parent)
    sys.stdout.flush()
    sys.stderr.flush()
    saved = os.dup(1), os.dup(2)
    try:
        with open_private_append(path) as fh:
            fh.write(f"--- {dt.datetime.now(dt.UTC):%Y-%m-%dT%H:%M:%SZ} {title} (pid {os.getpid()})\n")
            fh.flush()
            os.dup2(fh.fileno(), 1)
            os.dup2(fh.fileno(), 2)
            try:
                yield
            finally:
                sys.stdout.flush()
                sys.stderr.flush()
                os.dup2(saved[0], 1)
                os.dup2(saved[1], 2)
    finally:
        os.close(saved[0])
        os.close(saved[1])


def run_dag(dag_id: str, conf: dict[str, Any], console_log: Path | None = None) -> tuple[str, dict[str, str]]:
    """Run one DAG to completion in this process; return the run state and
    the final state of every task.  ``console_log``: where what Airflow
    prints meanwhile goes (:func:`console_to`)."""
    if console_log is not None:
        with console_to(console_log, f"dag {dag_id} {conf.get('dua_run_id', '')}".strip()):
            return run_dag(dag_id, conf)
    from airflow.dag_processing.dagbag import DagBag

    bag = DagBag(dag_folder=str(DAGS_DIR))
    if bag.import_errors:
        raise RuntimeError(f"DAG import errors: {bag.import_errors}")
    dag = bag.get_dag(dag_id)
    if dag is None:
        raise RuntimeError(f"no DAG {dag_id!r} in {DAGS_DIR}")
    dr = dag.test(run_conf=conf)
    states = {ti.task_id: str(ti.state) for ti in dr.get_task_instances()}
    return str(dr.state), states
