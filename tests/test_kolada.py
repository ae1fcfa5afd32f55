"""Kolada-format export: hand-made published rows → Kolada API v2 data JSON."""

from __future__ import annotations

import json
from pathlib import Path

import psycopg

from conftest import create_contract_tables
from dua.kolada import export_kolada_json

CATALOGUE = [
    ("etab_work_studies_90d", "percent", "N00973"),
    ("etab_activity_level_mean", "mean", None),
    ("sfi_interruptions", "count", None),
    ("jobbspar_tracks", "count", None),
    ("cooperation_signals", "count", None),
]

# (indicator, area, period, breakdown, breakdown_value, gender, numerator, denominator, value, suppressed, target)
VALUES = [
    ("etab_work_studies_90d", "0581", "2024", "total", "total", "T", 40, 64, 62.5, False, None),
    ("etab_work_studies_90d", "0581", "2024", "total", "total", "K", 15, 30, 50.0, False, None),
    ("etab_work_studies_90d", "0581", "2024", "total", "total", "M", 25, 34, 73.5, False, None),
    ("etab_work_studies_90d", "0581", "2024-03", "total", "total", "T", 5, 7, 71.4, False, None),
    ("etab_work_studies_90d", "0581", "2024-03", "total", "total", "K", None, None, None, True, None),
    ("etab_work_studies_90d", "0581", "2024-03", "total", "total", "M", None, None, None, True, None),
    # breakdowns other than total are not exported
    ("etab_work_studies_90d", "0581", "2024", "age_group", "25-64", "T", 30, 50, 60.0, False, None),
    ("etab_activity_level_mean", "0180", "2024-01", "total", "total", "T", 5530, 70, 79.0, False, None),
    ("etab_activity_level_mean", "0180", "2024-01", "total", "total", "M", 3000, 40, 75.0, False, None),
    ("etab_activity_level_mean", "0180", "2024-01", "total", "total", "K", 2530, 30, 84.3, False, None),
    ("sfi_interruptions", "0581", "2024-02", "total", "total", "T", 12, None, 12, False, None),
    ("sfi_interruptions", "0581", "2024-02", "total", "total", "K", 7, None, 7, False, None),
    ("sfi_interruptions", "0581", "2024-02", "total", "total", "M", 5, None, 5, False, None),
    ("jobbspar_tracks", "GGVV", "2024", "total", "total", "T", 3, None, 3, False, 3),
    ("cooperation_signals", "0581", "2024-02", "signal", "sfi_high_absence", "T", 6, None, 6, False, None),
]

EXPECTED = {
    "count": 6,
    "values": [
        {"kpi": "etab_activity_level_mean", "municipality": "0180", "period": "2024-01", "values": [
            {"count": 30, "gender": "K", "status": "", "value": 84.3},
            {"count": 40, "gender": "M", "status": "", "value": 75.0},
            {"count": 70, "gender": "T", "status": "", "value": 79.0},
        ]},
        {"kpi": "etab_work_studies_90d", "municipality": "0581", "period": 2024, "values": [
            {"count": 30, "gender": "K", "status": "", "value": 50.0},
            {"count": 34, "gender": "M", "status": "", "value": 73.5},
            {"count": 64, "gender": "T", "status": "", "value": 62.5},
        ]},
        {"kpi": "etab_work_studies_90d", "municipality": "0581", "period": "2024-03", "values": [
            {"count": None, "gender": "K", "status": "Suppressed", "value": None},
            {"count": None, "gender": "M", "status": "Suppressed", "value": None},
            {"count": 7, "gender": "T", "status": "", "value": 71.4},
        ]},
        {"kpi": "jobbspar_tracks", "municipality": "GGVV", "period": 2024, "values": [
            {"count": 3, "gender": "T", "status": "", "value": 3.0},
        ]},
        {"kpi": "sfi_interruptions", "municipality": "0581", "period": "2024-02", "values": [
            {"count": 7, "gender": "K", "status": "", "value": 7.0},
            {"count": 5, "gender": "M", "status": "", "value": 5.0},
            {"count": 12, "gender": "T", "status": "", "value": 12.0},
        ]},
        # a second area of the same indicator sorts after by municipality
        {"kpi": "sfi_interruptions", "municipality": "0582", "period": "2024-02", "values": [
            {"count": 5, "gender": "T", "status": "", "value": 5.0},
        ]},
    ],
}


def _seed(url: str) -> None:
    with psycopg.connect(url) as conn:
        create_contract_tables(conn, "published")
        for ind, unit, kpi in CATALOGUE:
            conn.execute(
                """insert into published.indicator (indicator_id, title_sv, title_en, unit, period_types, source,
                       kolada_kpi) values (%s, %s, %s, %s, 'month', 'test', %s)""", (ind, ind, ind, unit, kpi))
        for row in [*VALUES, ("sfi_interruptions", "0582", "2024-02", "total", "total", "T", 5, None, 5, False,
                              None)]:
            conn.execute(
                """insert into published.indicator_value
                   values (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, 'r1', now())""", row)


def test_export_kolada_json(db_url: str, tmp_path: Path) -> None:
    _seed(db_url)
    out = tmp_path / "kolada" / "export.json"
    n = export_kolada_json(db_url, out)
    assert n == 6
    data = json.loads(out.read_text(encoding="utf-8"))
    assert data == EXPECTED
    # the exact keys and their order of a Kolada v2 data response
    assert list(data) == ["count", "values"]
    assert all(list(o) == ["kpi", "municipality", "period", "values"] for o in data["values"])
    assert all(list(e) == ["count", "gender", "status", "value"] for o in data["values"] for e in o["values"])
    # deterministic: a second export is byte for byte the same
    out2 = tmp_path / "again.json"
    export_kolada_json(db_url, out2)
    assert out.read_bytes() == out2.read_bytes()


def test_export_kolada_json_without_published_tables(db_url: str, tmp_path: Path) -> None:
    out = tmp_path / "empty.json"
    assert export_kolada_json(db_url, out) == 0
    assert json.loads(out.read_text(encoding="utf-8")) == {"count": 0, "values": []}
