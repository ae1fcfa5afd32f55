"""The source suite's uniqueness checks, on rows a loader would never write
(they can only come from another writer or a bug): both are found, and what
is reported names the snapshot, not the person."""

from __future__ import annotations

import psycopg

from conftest import KEY, write_csv
from dua.ingest.loader import identify, load_file
from dua.quality.validation import run_suite
from test_ingest import AF_HEADER, DEXTER_HEADER, af_row, dexter_row


def test_duplicated_rows_fail_the_uniqueness_checks(db_url, tmp_path):
    # two rows with a personnummer in a column outside the contract: stored masked, reported
    af = write_csv(tmp_path / "af_status_0581_202405.csv", AF_HEADER + ["anteckning"],
                   [af_row(i) + ([f"se {af_row(i + 20)[0]}"] if i <= 2 else [""]) for i in range(1, 9)])
    dx = write_csv(tmp_path / "dexter_isp_0581_20240531.csv", DEXTER_HEADER, [dexter_row(i) for i in range(1, 9)])
    with psycopg.connect(db_url, autocommit=True) as conn:
        for path in (af, dx):
            assert load_file(conn, identify(path), KEY, 0.05).status == "loaded"

    def checks() -> dict[str, tuple[bool, str]]:
        results = run_suite(db_url, "sources", "t1")
        return {r.name: (r.success, r.observed) for r in results
                if r.name in ("af_one_row_per_person_and_month", "dexter_one_row_per_enrolment_and_export",
                              "unknown_columns_without_personnummer")}

    first = checks()
    assert {name: ok for name, (ok, _) in first.items()} == {
        "af_one_row_per_person_and_month": True, "dexter_one_row_per_enrolment_and_export": True,
        "unknown_columns_without_personnummer": False}
    assert first["unknown_columns_without_personnummer"][1] == "1 row(s): af_status_0581_202405.csv anteckning 2"
    with psycopg.connect(db_url, autocommit=True) as conn:
        conn.execute("insert into raw.af_status select * from raw.af_status where line_no in (2, 3)")
        conn.execute("insert into raw.dexter_enrolment select * from raw.dexter_enrolment where line_no = 4")
    got = checks()
    assert got["af_one_row_per_person_and_month"][0] is False
    assert got["dexter_one_row_per_enrolment_and_export"][0] is False
    # the snapshot and how many persons (enrolments) have more than one row
    assert got["af_one_row_per_person_and_month"][1] == "1 row(s): 0581 2024-05-01 2"
    assert got["dexter_one_row_per_enrolment_and_export"][1] == "1 row(s): 0581 2024-05-31 1"
    with psycopg.connect(db_url) as conn:
        ids = [r[0] for r in conn.execute("select person_id from raw.af_status").fetchall()]
    for observed in (got["af_one_row_per_person_and_month"][1], got["dexter_one_row_per_enrolment_and_export"][1]):
        assert not any(i in observed for i in ids)  # pseudonyms are not reported


def test_indicator_checks_across_rows(db_url):
    with psycopg.connect(db_url, autocommit=True) as conn:
        conn.execute("""
            create schema indicators;
            create table indicators.indicator (indicator_id text primary key, unit text);
            insert into indicators.indicator values ('x', 'percent');
            create table indicators.indicator_value (
                indicator_id text, area_code text, period text, breakdown text, breakdown_value text,
                gender text, numerator integer, denominator integer, value numeric, is_suppressed boolean)""")
        cells = {  # breakdown_value: (K, M, T) as (numerator, denominator, suppressed)
            "ok": ((3, 10, False), (4, 10, False), (7, 20, False)),
            "numerator": ((5, 10, False), (5, 10, False), (9, 20, False)),
            "denominator": ((2, 10, False), (2, 12, False), (4, 20, False)),
            "suppressed": ((None, None, True), (5, 10, False), (4, 10, False)),
            "no_numerator": ((None, 10, False), (5, 10, False), (1, 20, False)),
            "no_women": (None, (5, 10, False), (4, 10, False)),
        }
        for bv, triple in cells.items():
            for gender, cell in zip("KMT", triple, strict=True):
                if cell is not None:
                    n, d, s = cell
                    conn.execute("insert into indicators.indicator_value values ('x', '0581', '2024', 'total', %s,"
                                 " %s, %s, %s, %s, %s)", (bv, gender, n, d, None if s else 50, s))
        conn.execute("insert into indicators.indicator_value select * from indicators.indicator_value"
                     " where breakdown_value = 'ok' and gender = 'T'")
    got = {r.name: r for r in run_suite(db_url, "indicators", "t2")}
    kmt = got["indicator_women_plus_men_within_total"]
    assert not kmt.success
    assert sorted(row[4] for row in kmt.details["unexpected_rows"]) == ["denominator", "numerator"]
    keys = got["indicator_keys_unique"]
    assert not keys.success
    assert keys.details["unexpected_rows"] == [["x", "0581", "2024", "total", "ok", "T", "2"]]
