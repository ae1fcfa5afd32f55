"""Kolada-format export: hand-made published rows → Kolada API v2 data JSON."""

from __future__ import annotations

import json
from pathlib import Path

import psycopg

from conftest import create_contract_tables
from dua.publish.kolada import export_kolada_json

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

EXPECTED_YEARS = {
    "count": 2,
    "values": [
        # our definition is Kolada's: Kolada's id; a year is an integer
        {"kpi": "N00973", "municipality": "0581", "period": 2024, "values": [
            {"count": 1, "gender": "K", "status": "", "value": 50.0},
            {"count": 1, "gender": "M", "status": "", "value": 73.5},
            {"count": 1, "gender": "T", "status": "", "value": 62.5},
        ]},
        # an agreement area is marked as ours; count = its member municipalities (4), not a population
        {"kpi": "jobbspar_tracks", "municipality": "DUA-GGVV", "period": 2024, "values": [
            {"count": 4, "gender": "T", "status": "", "value": 3.0},
        ]},
    ],
}

EXPECTED_MONTHS = {
    "count": 4,
    "values": [
        {"kpi": "N00973", "municipality": "0581", "period": "2024-03", "values": [
            {"count": 1, "gender": "K", "status": "Missing", "value": None},
            {"count": 1, "gender": "M", "status": "Missing", "value": None},
            {"count": 1, "gender": "T", "status": "", "value": 71.4},
        ]},
        {"kpi": "etab_activity_level_mean", "municipality": "0180", "period": "2024-01", "values": [
            {"count": 1, "gender": "K", "status": "", "value": 84.3},
            {"count": 1, "gender": "M", "status": "", "value": 75.0},
            {"count": 1, "gender": "T", "status": "", "value": 79.0},
        ]},
        {"kpi": "sfi_interruptions", "municipality": "0581", "period": "2024-02", "values": [
            {"count": 1, "gender": "K", "status": "", "value": 7.0},
            {"count": 1, "gender": "M", "status": "", "value": 5.0},
            {"count": 1, "gender": "T", "status": "", "value": 12.0},
        ]},
        {"kpi": "sfi_interruptions", "municipality": "0582", "period": "2024-02", "values": [
            {"count": 1, "gender": "T", "status": "", "value": 5.0},
        ]},
    ],
}

SHAPES = json.loads((Path(__file__).parent / "data" / "kolada_v2_shapes.json").read_text(encoding="utf-8"))
_TYPES = {"int": int, "str": str, "list": list, "float": float, "bool": bool, "null": type(None)}


def _conforms(obj: dict, shape: dict) -> list[str]:
    """Where ``obj`` differs from the documented structure: keys and JSON types."""
    problems = [f"keys {sorted(obj)} != {sorted(shape)}"] if set(obj) != set(shape) else []
    for k, types in shape.items():
        if k in obj and not any(type(obj[k]) is _TYPES[t] for t in types):
            problems.append(f"{k}: {type(obj[k]).__name__} not in {types}")
    return problems


def _seed(url: str) -> None:
    with psycopg.connect(url) as conn:
        create_contract_tables(conn, "published")
        for ind, unit, kpi in CATALOGUE:
            conn.execute(
                """insert into published.indicator (indicator_id, title_sv, title_en, unit, period_types, source,
                       kolada_kpi, kolada_relation, description_sv) values (%s, %s, %s, %s, 'month', 'test', %s, %s,
                       'Definition.')""", (ind, ind, ind, unit, kpi, "same" if kpi else None))
        conn.execute("""insert into published.indicator (indicator_id, title_sv, title_en, unit, period_types,
                        source, kolada_kpi, kolada_relation, description_sv) values ('etab_programme_90d', 'p', 'p',
                        'percent', 'year', 'af', 'N00991', 'comparable', 'Andel.')""")
        conn.execute("insert into published.area values ('GGVV', 'GGVV', 'agreement_area', 'x', "
                     "'{0617,0662,0665,0683}', 4), ('0581', 'Norrköping', 'municipality', 'Kommun', '{0581}', 1)")
        conn.execute("insert into published.publication values ('r1', '2024-04-15 10:00+02', 1, '{}')")
        for row in [*VALUES, ("sfi_interruptions", "0582", "2024-02", "total", "total", "T", 5, None, 5, False,
                              None)]:
            conn.execute(
                """insert into published.indicator_value
                   values (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, 'r1', now())""", row)


def test_export_kolada_json(db_url: str, tmp_path: Path) -> None:
    _seed(db_url)
    out = tmp_path / "kolada" / "export.json"
    assert export_kolada_json(db_url, out) == 2
    years = json.loads(out.read_text(encoding="utf-8"))
    months = json.loads((tmp_path / "kolada" / "export_months.json").read_text(encoding="utf-8"))
    kpis = json.loads((tmp_path / "kolada" / "export_kpi.json").read_text(encoding="utf-8"))
    assert years == EXPECTED_YEARS
    assert months == EXPECTED_MONTHS
    # the yearly file has exactly the documented structure of a Kolada data response
    assert _conforms(years, SHAPES["response"]) == []
    for o in years["values"]:
        assert _conforms(o, SHAPES["data_object"]) == [], o
        for e in o["values"]:
            assert _conforms(e, SHAPES["data_entry"]) == [] and e["gender"] in SHAPES["genders"], e
    # the catalogue shaped like /v2/kpi: Kolada's id where ours is Kolada's, a comparable one only named
    assert _conforms(kpis, SHAPES["response"]) == []
    for o in kpis["values"]:
        assert _conforms(o, SHAPES["kpi_object"]) == [], o
    by_id = {o["id"]: o for o in kpis["values"]}
    assert "N00973" in by_id and "etab_work_studies_90d" not in by_id
    assert "N00991" not in by_id and "Jämför Kolada N00991." in by_id["etab_programme_90d"]["description"]
    assert by_id["N00973"]["publication_date"] == "2024-04-15"
    # deterministic: a second export is byte for byte the same
    out2 = tmp_path / "again.json"
    export_kolada_json(db_url, out2)
    assert out.read_bytes() == out2.read_bytes()


def test_export_kolada_json_without_published_tables(db_url: str, tmp_path: Path) -> None:
    out = tmp_path / "empty.json"
    assert export_kolada_json(db_url, out) == 0
    assert json.loads(out.read_text(encoding="utf-8")) == {"count": 0, "values": []}
