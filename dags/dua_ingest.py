"""Ingest: load new source files from the inbox into the raw layer.

Thin: the work is in ``dua.orchestration.tasks`` (tested without Airflow).  Each task loads
one source's files in order and emits its source's Asset when it loaded
something.  ``raw_loaded`` waits for all three and emits ``dua_raw_loaded``
once when any of them loaded: the transform DAG is scheduled on that one
Asset, so a delivery of several sources is built and published once.
``run_outcome`` fails the run when a loader failed (after the others loaded).
"""

from __future__ import annotations

import pendulum
from airflow.sdk import Param, dag, get_current_context, task
from airflow.sdk.exceptions import AirflowSkipException

from dua.orchestration.assets import RAW_AF, RAW_CATALOGUE, RAW_DEXTER, RAW_LOADED
from dua.orchestration.dag_common import DEFAULT_ARGS, dua_run_id, run_outcome, task_states

LOADERS = ("load_catalogue", "load_dexter", "load_af")


def _load(sources: list[str]) -> dict:
    from dua.orchestration.tasks import load_source

    ctx = get_current_context()
    summary = load_source(sources, ctx["params"]["inbox"], dua_run_id(ctx))
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

    # one event for the transform, after every loader had its turn
    @task(trigger_rule="all_done", outlets=[RAW_LOADED], retries=0)
    def raw_loaded() -> dict:
        ctx = get_current_context()
        states = task_states(ctx, list(LOADERS))
        loaded = sorted(t for t in LOADERS if states.get(t) == "success")
        if not loaded:
            raise AirflowSkipException(f"nothing loaded: {states}")
        return {"loaded_by": loaded}

    loads = [load_catalogue(), load_dexter(), load_af()]
    event = raw_loaded()
    loads >> event
    event >> run_outcome("a loader failed", must_not_fail=LOADERS)


dua_ingest()
