"""The dbt project on a fresh warehouse: every unit test (the indicator
definitions worked out by hand), then a full build with its data tests on
empty raw tables."""

from __future__ import annotations

import json

from dua.orchestration.dbt_runner import dbt
from dua.settings import DBT_PROJECT_DIR
from dua.warehouse.catalogue import indicator_ids
from dua.warehouse.roles import ensure_roles_if_permitted

INDICATORS = ["ind_" + i for i in indicator_ids()]  # the catalogue seed: one ind_ model per indicator


def _results() -> list[dict]:
    return json.loads((DBT_PROJECT_DIR / "target" / "run_results.json").read_text())["results"]


def test_unit_tests_pin_every_indicator_and_pass(db_url):
    ensure_roles_if_permitted(db_url)  # the restricted models grant to dua_case_worker
    # unit tests need their inputs' relations to exist: build everything empty first
    dbt(["build", "--empty", "--exclude", "test_type:unit", "--quiet"], db_url)
    proc = dbt(["test", "--select", "test_type:unit"], db_url, check=False)
    results = _results()
    failed = [r["unique_id"] for r in results if r["status"] != "pass"]
    assert proc.returncode == 0 and not failed, proc.stdout[-5000:]
    tested_models = {r["unique_id"].split(".")[2] for r in results}
    assert set(INDICATORS) <= tested_models, set(INDICATORS) - tested_models
    assert "indicator_value" in tested_models  # rounding and disclosure control


def test_full_build_on_empty_raw_tables(db_url, tmp_path):
    ensure_roles_if_permitted(db_url)
    proc = dbt(["build", "--exclude", "test_type:unit"], db_url, check=False)
    assert proc.returncode == 0, proc.stdout[-5000:]
    statuses = {r["status"] for r in _results()}
    assert statuses <= {"success", "pass", "no-op"}  # no-op: the exposures

    # the documentation site: one self-contained page with the published models' descriptions
    from dua.reporting.dbt_docs import write_dbt_docs

    assert write_dbt_docs(db_url, tmp_path) is True
    page = (tmp_path / "dokumentation" / "index.html").read_text(encoding="utf-8")
    # (the manifest is embedded as JSON: non-ASCII letters are escaped)
    assert "model.dua.indicator_value" in page and "Kommunkod eller \\u00f6verenskommelseomr" in page
    assert write_dbt_docs(db_url, tmp_path) is False  # the project did not change: not generated again
