"""Ingest: load new source files from the inbox into the raw layer.

Thin: the work is in ``dua.tasks`` (tested without Airflow).  Each task loads
one source's files in order and emits its Asset when it loaded something;
the transform DAG is scheduled on those Assets.
"""

from __future__ import annotations

from datetime import timedelta

import pendulum
from airflow.sdk import Param, dag, get_current_context, task
from airflow.sdk.exceptions import AirflowSkipException

from dua.assets import RAW_AF, RAW_CATALOGUE, RAW_DEXTER
from dua.notify import on_failure_callback

DEFAULT_ARGS = {
    "owner": "dua",
    "retries": 2,
    "retry_delay": timedelta(seconds=30),
    "retry_exponential_backoff": 2.0,
    "max_retry_delay": timedelta(minutes=10),
    "on_failure_callback": on_failure_callback,  # notify when a task failed for good
}


def _load(sources: list[str]) -> dict:
    from dua.tasks import load_source

    ctx = get_current_context()
    run_id = ctx["params"].get("dua_run_id") or ctx["run_id"]
    summary = load_source(sources, ctx["params"]["inbox"], run_id)
    if summary["loaded"] == 0:
        # nothing new: no Asset event, downstream is not triggered by this task
        raise AirflowSkipException(f"no new {'/'.join(sources)} files loaded: {summary}")
    return summary


@dag(
    dag_id="dua_ingest",
    description="Load Dexter, Arbetsförmedlingen and job-track files from the inbox into raw tables",
    schedule=None,
    start_date=pendulum.datetime(2024, 1, 1, tz="Europe/Stockholm"),
    catchup=False,
    max_active_runs=1,
    default_args=DEFAULT_ARGS,
    tags=["dua", "ingest"],
    params={
        "inbox": Param("/opt/dua/inbox", type="string", description="folder with delivered files"),
        "dua_run_id": Param("", type="string", description="run id of the dua command, if any"),
    },
)
def dua_ingest():
    @task(outlets=[RAW_CATALOGUE])
    def load_catalogue() -> dict:
        return _load(["catalogue", "unknown"])

    @task(outlets=[RAW_DEXTER])
    def load_dexter() -> dict:
        return _load(["dexter"])

    @task(outlets=[RAW_AF])
    def load_af() -> dict:
        return _load(["af"])

    load_catalogue()
    load_dexter()
    load_af()


dua_ingest()
