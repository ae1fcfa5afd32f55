"""Transform: validate the sources, build the dbt project, validate the
indicators, then publish them (write → audit → publish).

Scheduled on ``dua_raw_loaded``, which the ingest DAG emits once per run that
loaded anything.  Cosmos renders the dbt
project from the prebuilt ``manifest.json`` (no dbt at DAG parse), one task
per model that builds it and runs its tests in-process (dbt's runner, no
process per model), or with ``DUA_DBT_TASKS=build`` one task for the whole
``dbt build``; failing tests stop the models downstream and the publish
step, which replaces ``published.*`` in one
transaction.  ``profiles.yml`` reads the connection from ``DUA_DBT_*``
variables (set by ``dua run`` from the warehouse URL, or by the deployment).
"""

from __future__ import annotations

import pendulum
from airflow.sdk import Param, dag, get_current_context, task
from cosmos import DbtTaskGroup, ExecutionConfig, ProfileConfig, ProjectConfig, RenderConfig
from cosmos.constants import ExecutionMode, InvocationMode, LoadMode, TestBehavior
from cosmos.operators.local import DbtBuildLocalOperator

from dua.orchestration.assets import PUBLISHED, RAW_LOADED
from dua.orchestration.dag_common import DEFAULT_ARGS, dua_run_id, run_outcome
from dua.settings import settings

_CFG = settings()
DBT_DIR = _CFG.dbt_project_dir
# "node": one task per dbt model/seed (each built with its tests; a failed
# node can be cleared and retried alone).  "build": one task running the whole
# `dbt build` (what `dua run` uses: the per-task start-up of dbt is paid once).
DBT_TASKS = _CFG.dbt_tasks


@dag(
    dag_id="dua_transform",
    description="dbt build of marts and indicators, then publication of the validated indicators",
    schedule=[RAW_LOADED],
    start_date=pendulum.datetime(2024, 1, 1, tz="Europe/Stockholm"),
    catchup=False,
    max_active_runs=1,
    default_args=DEFAULT_ARGS,
    tags=["dua", "transform", "dbt"],
    params={"dua_run_id": Param("", type="string", description="run id of the dua command, if any")},
)
def dua_transform():
    @task
    def prepare_access() -> bool:
        from dua.orchestration.tasks import prepare_access

        return prepare_access()

    # A data problem does not go away on retry: validation fails at once.
    @task(retries=0)
    def validate_sources() -> dict:
        from dua.orchestration.tasks import validate

        ctx = get_current_context()
        return validate("sources", dua_run_id(ctx))

    @task(retries=0)
    def validate_indicators() -> dict:
        from dua.orchestration.tasks import validate

        ctx = get_current_context()
        return validate("indicators", dua_run_id(ctx))

    profile_config = ProfileConfig(
        profile_name="dua", target_name="dev", profiles_yml_filepath=DBT_DIR / "profiles.yml"
    )
    if DBT_TASKS == "build":
        # one task, one `dbt build`: dbt orders the nodes and skips what is
        # downstream of a failure itself; no per-node start-up cost
        dbt_build = DbtBuildLocalOperator(
            task_id="dbt_build",
            project_dir=str(DBT_DIR),
            profile_config=profile_config,
            invocation_mode=InvocationMode.DBT_RUNNER,
            install_deps=False,
            emit_datasets=False,
        )
    else:
        dbt_build = DbtTaskGroup(
            group_id="dbt",
            project_config=ProjectConfig(
                dbt_project_path=DBT_DIR,
                manifest_path=DBT_DIR / "target" / "manifest.json",
                project_name="dua",
            ),
            profile_config=profile_config,
            render_config=RenderConfig(load_method=LoadMode.DBT_MANIFEST, test_behavior=TestBehavior.BUILD),
            execution_config=ExecutionConfig(
                execution_mode=ExecutionMode.LOCAL, invocation_mode=InvocationMode.DBT_RUNNER
            ),
            operator_args={"install_deps": False, "emit_datasets": False},
        )

    @task(outlets=[PUBLISHED])
    def publish() -> dict:
        from dua.orchestration.tasks import publish_indicators

        ctx = get_current_context()
        return publish_indicators(dua_run_id(ctx))

    # The analysts' reports, whatever the outcome: a blocked run shows why.
    @task(trigger_rule="all_done")
    def write_reports() -> list[str]:
        from dua.orchestration.tasks import write_reports

        return write_reports()

    published = prepare_access() >> validate_sources() >> dbt_build >> validate_indicators() >> publish()
    # the run is failed when nothing was published, after the reports said why
    published >> write_reports() >> run_outcome("not published", must_succeed=("publish",))


dua_transform()
