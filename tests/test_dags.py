"""DAG integrity: the DAG files import, carry tags and retries, and wire the
Assets the way the platform relies on."""

from __future__ import annotations

import pytest

from dua.settings import DAGS_DIR


@pytest.fixture(scope="module")
def dagbag():
    from dua.orchestration.dbt_runner import ensure_manifest

    ensure_manifest()  # the transform DAG renders from the prebuilt manifest
    from airflow.dag_processing.dagbag import DagBag

    return DagBag(dag_folder=str(DAGS_DIR))


def test_no_import_errors(dagbag):
    assert dagbag.import_errors == {}
    assert set(dagbag.dag_ids) == {"dua_ingest", "dua_transform", "dua_watch", "dua_alerts"}


@pytest.mark.parametrize("dag_id", ["dua_ingest", "dua_transform", "dua_watch", "dua_alerts"])
def test_tags_retries_and_no_catchup(dagbag, dag_id):
    dag = dagbag.dags[dag_id]
    assert "dua" in dag.tags
    assert dag.catchup is False
    for t in dag.tasks:
        if t.task_id.startswith("validate_") or t.task_id in ("raw_loaded", "run_outcome"):
            # a data problem does not go away on retry; the gates only read task states
            assert t.retries == 0, t.task_id
            continue
        assert t.retries >= 2, t.task_id
        assert t.retry_exponential_backoff, t.task_id


def test_ingest_tasks_emit_the_raw_assets(dagbag):
    dag = dagbag.dags["dua_ingest"]
    outlets = {t.task_id: [a.name for a in t.outlets] for t in dag.tasks}
    assert outlets == {"load_catalogue": ["dua_raw_catalogue"], "load_dexter": ["dua_raw_dexter"],
                       "load_af": ["dua_raw_af"], "raw_loaded": ["dua_raw_loaded"], "run_outcome": []}
    # one event for the transform, after all three loaders, whatever they did
    raw_loaded = dag.get_task("raw_loaded")
    assert raw_loaded.trigger_rule == "all_done"
    assert sorted(t.task_id for t in raw_loaded.upstream_list) == ["load_af", "load_catalogue", "load_dexter"]
    assert [t.task_id for t in raw_loaded.downstream_list] == ["run_outcome"]
    assert dag.get_task("run_outcome").trigger_rule == "all_done"


def test_a_run_fails_only_for_what_its_outcome_task_names():
    from dua.orchestration.dag_common import outcome_problems

    loaders = ("load_catalogue", "load_dexter", "load_af")
    assert outcome_problems({"load_catalogue": "skipped", "load_dexter": "success", "load_af": "success"},
                            (), loaders) == []
    assert outcome_problems({"load_catalogue": "skipped", "load_dexter": "failed", "load_af": "success"},
                            (), loaders) == ["load_dexter: failed"]
    assert outcome_problems({"publish": "upstream_failed"}, ("publish",), ()) == ["publish: upstream_failed"]
    assert outcome_problems({}, ("publish",), ()) == ["publish: not run"]
    assert outcome_problems({"publish": "success"}, ("publish",), ()) == []


def test_transform_is_scheduled_on_the_raw_layer_and_publishes_last(dagbag):
    dag = dagbag.dags["dua_transform"]
    assert [a.name for a in dag.timetable.asset_condition.objects] == ["dua_raw_loaded"]
    publish = dag.get_task("publish")
    assert [t.task_id for t in publish.downstream_list] == ["write_reports"]
    assert dag.get_task("write_reports").trigger_rule == "all_done"
    # the run fails when nothing was published, after the reports were written
    assert [t.task_id for t in dag.get_task("write_reports").downstream_list] == ["run_outcome"]
    # write → audit → publish: sources validated before the build, indicators after it
    assert [t.task_id for t in publish.upstream_list] == ["validate_indicators"]
    assert "validate_sources" in publish.get_flat_relative_ids(upstream=True)
    # one build task per model and seed of the manifest (rendered without running dbt), all before publish
    dbt_tasks = {t for t in dag.task_ids if t.startswith("dbt.")}
    assert "dbt.indicator_value_model_build" in dbt_tasks
    assert "dbt.stg_af__status_model_build" in dbt_tasks
    assert dbt_tasks == set(publish.get_flat_relative_ids(upstream=True)) - {"prepare_access", "validate_sources",
                                                                             "validate_indicators"}


def test_dag_files_do_no_work_at_parse_time():
    # no database access, Variable.get or dbt invocation at the top level of DAG files
    for path in DAGS_DIR.glob("*.py"):
        text = path.read_text()
        assert "Variable.get" not in text
        assert "psycopg.connect" not in text
        assert "subprocess" not in text


def test_transform_can_build_dbt_in_one_task(monkeypatch):
    from airflow.dag_processing.dagbag import DagBag

    monkeypatch.setenv("DUA_DBT_TASKS", "build")
    dag = DagBag(dag_folder=str(DAGS_DIR / "dua_transform.py")).dags["dua_transform"]
    assert not [t for t in dag.task_ids if t.startswith("dbt.")]
    build = dag.get_task("dbt_build")
    assert [t.task_id for t in build.upstream_list] == ["validate_sources"]
    assert [t.task_id for t in build.downstream_list] == ["validate_indicators"]
    assert build.retries >= 2

    monkeypatch.setenv("DUA_DBT_TASKS", "models")
    bag = DagBag(dag_folder=str(DAGS_DIR / "dua_transform.py"))
    assert "DUA_DBT_TASKS must be 'node' or 'build'" in next(iter(bag.import_errors.values()))
