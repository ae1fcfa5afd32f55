"""``python -m dua_bench.run`` at a tiny size: one run writes every figure."""

from __future__ import annotations

import json
import os

from dua_bench import run as bench


def test_bench_tiny_run_writes_every_figure(tmp_path, monkeypatch):
    monkeypatch.delenv("DUA_WAREHOUSE_URL", raising=False)
    home_before = os.environ.get("DUA_HOME")
    out = tmp_path / "bench"
    # 7 (+1 held back) months: two Dexter exports, so the first ingest has Dexter rows too
    code = bench.main([
        "--persons-total", "60", "--municipalities", "2", "--months", "7",
        "--out", str(out), "--home", str(tmp_path / "home"), "--seed", "3",
    ])
    assert code == 0
    assert os.environ.get("DUA_HOME") == home_before  # environment restored

    r = json.loads((out / "results.json").read_text(encoding="utf-8"))
    assert r["parameters"]["persons_per_municipality"] == 30
    assert r["generation"]["seconds"] > 0 and r["generation"]["rows"] > 0 and r["generation"]["files"] > 0
    run = r["dua_run"]
    assert run["ok"], run.get("output_tail")
    assert run["seconds"] > 0 and run["published_rows"] > 0
    for source in ("dexter", "af", "catalogue"):
        loader, copy = r["ingest"]["loader"][source], r["ingest"]["copy"][source]
        assert loader["rows"] > 0 and loader["seconds"] > 0 and loader["rows_per_second"] > 0, source
        assert copy["rows"] > 0 and copy["seconds"] > 0 and copy["rows_per_second"] > 0, source
        assert copy["files"] == loader["files"], source
        assert r["ingest"]["ratio_loader_vs_copy"][source] > 0, source
    assert r["ingest"]["file_statuses"].get("loaded", 0) > 0
    full = r["dbt_full_build"]
    assert full["ok"] and full["seconds"] > 0 and full["nodes"] > 0
    inc = r["incremental"]
    # the held-back month: one Af file and one Dexter export per municipality
    assert inc["files"] == 4 and inc["rows"] > 0 and inc["ingest_seconds"] > 0
    assert inc["file_statuses"] == {"loaded": 4}
    assert inc["dbt_build"]["ok"] and inc["dbt_build_seconds"] > 0 and inc["ratio_to_full"] > 0
    mem = r["memory"]
    for k in ("self_maxrss_mb", "children_maxrss_mb", "postgres_peak_rss_sum_mb", "postgres_peak_pss_sum_mb",
              "peak_total_mb"):
        assert mem[k] > 0, k
    assert mem["samples"] > 0
    assert r["wall_seconds"] > 0
    assert {t["name"] for t in r["targets"]} >= {
        "loaders ≥ 0.5 × COPY (all sources)", "whole `dua run` ≤ 10 min",
        "incremental dbt build ≤ 10 % of full build", "peak memory ≤ 1 GB",
    }
    assert all(isinstance(t["pass"], bool) for t in r["targets"])

    md = (out / "results.md").read_text(encoding="utf-8")
    assert "| step | figure | value |" in md and "|---|---|---|" in md
    assert "| target | value | limit | result |" in md
    assert "Airflow" in md  # says the bench measures the steps directly
    for word in ("generation", "whole `dua run`", "ingest dexter", "ingest af", "ingest catalogue", "full dbt build",
                 "incremental dbt build", "PostgreSQL", "total wall time"):
        assert word in md, word
