"""Publication: the BI schema copied from the dbt contracts with its comments,
the history of publications and its retention, and the CSV exports."""

from __future__ import annotations

from pathlib import Path

import psycopg
import pytest

from conftest import create_contract_tables
from dua.publish.publication import export_csv, publish
from dua.settings import ConfigError


def _build(url: str, value: str) -> None:
    """What a transform leaves in ``indicators``: one value, the catalogue,
    an area, a period, a label, a target, with dbt's comments."""
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("drop schema if exists indicators cascade")
        create_contract_tables(conn, "indicators")
        conn.execute(f"""insert into indicators.indicator_value values
            ('etab_full_time_share', '0581', '2024-05', 'total', 'total', 'T', 3, 8, {value}, false, null),
            ('etab_full_time_share', '0581', '2024-05', 'total', 'total', 'K', 1, 5, 20.0, false, null)""")
        conn.execute("""insert into indicators.indicator (indicator_id, title_sv, title_en, unit, unit_sv,
            period_types, source, description_sv) values ('etab_full_time_share', 'Heltid', 'Full time',
            'percent', 'procent', 'month', 'af', 'x')""")
        conn.execute("insert into indicators.area values ('0581', 'Norrköping', 'municipality', 'Kommun', '{0581}', 1)")
        conn.execute("""insert into indicators.period values ('2024-05', 'month', 'Månad', '2024-05-01',
            '2024-05-31', 2024, 5, true)""")
        conn.execute("insert into indicators.label values ('total', 'total', 'Totalt', 'Total', 1)")
        conn.execute("""insert into indicators.target values ('etab_full_time_share', '*', 50, null, 'at_least',
            'minst', '2019-02-01', null, 'Överenskommelse')""")
        conn.execute("comment on table indicators.area is 'Områden. / Areas.'")
        conn.execute("comment on column indicators.area.area_name is 'Namn på svenska. / Name.'")
        conn.execute("comment on column indicators.indicator_value.value is 'Värdet. / The value.'")


def test_history_keeps_the_latest_publications(db_url: str, monkeypatch) -> None:
    monkeypatch.setenv("DUA_PUBLICATION_RETENTION", "2")
    for run, value in (("run-1", "37.5"), ("run-2", "40.0"), ("run-3", "42.5")):
        _build(db_url, value)
        assert publish(db_url, run) == 2
    with psycopg.connect(db_url) as conn:
        assert conn.execute(
            "select run_id, value from published.indicator_value where gender = 'T'").fetchall() == [
            ("run-3", 42.5)]
        # run-1 fell out of the history; last month's figure can be compared with this month's
        assert conn.execute(
            """select run_id, value from published.indicator_value_history where gender = 'T'
               order by run_id""").fetchall() == [("run-2", 40.0), ("run-3", 42.5)]
        assert conn.execute("select count(*) from published.indicator_value_history").fetchone()[0] == 4
        # every publication is still listed
        assert [r[0] for r in conn.execute("select run_id from published.publication order by run_id")] == [
            "run-1", "run-2", "run-3"]
        # republishing a run replaces its history rows, it does not add to them
    _build(db_url, "45.0")
    publish(db_url, "run-3")
    with psycopg.connect(db_url) as conn:
        assert conn.execute("""select value from published.indicator_value_history
                               where run_id = 'run-3' and gender = 'T'""").fetchall() == [(45.0,)]


def test_published_tables_carry_the_contract_and_its_comments(db_url: str) -> None:
    _build(db_url, "37.5")
    publish(db_url, "run-1")
    with psycopg.connect(db_url) as conn:
        assert conn.execute("select area_name, member_kommunkoder from published.area").fetchall() == [
            ("Norrköping", ["0581"])]
        assert conn.execute("select comparison_sv, valid_from::text from published.target").fetchall() == [
            ("minst", "2019-02-01")]
        assert conn.execute("select obj_description('published.area'::regclass, 'pg_class')").fetchone()[0] == \
            "Områden. / Areas."
        comments = dict(conn.execute(
            """select a.attname, col_description(a.attrelid, a.attnum) from pg_attribute a
               where a.attrelid = 'published.indicator_value'::regclass and a.attnum > 0""").fetchall())
        assert comments["value"] == "Värdet. / The value."
        assert comments["run_id"].startswith("Körningen som publicerade raden")
        # the primary key of the contract
        assert conn.execute(
            """select pg_get_constraintdef(oid) from pg_constraint
               where conrelid = 'published.indicator_value'::regclass and contype = 'p'""").fetchone()[0] == \
            "PRIMARY KEY (indicator_id, area_code, period, breakdown, breakdown_value, gender)"


def test_a_changed_contract_recreates_the_published_table(db_url: str) -> None:
    with psycopg.connect(db_url, autocommit=True) as conn:
        conn.execute("create schema if not exists published")
        # an older published.indicator without unit_sv
        conn.execute("create table published.indicator (indicator_id text primary key, title_sv text)")
    _build(db_url, "37.5")
    publish(db_url, "run-1")
    with psycopg.connect(db_url) as conn:
        assert conn.execute("select indicator_id, unit_sv from published.indicator").fetchall() == [
            ("etab_full_time_share", "procent")]


def test_csv_for_swedish_excel(db_url: str, tmp_path: Path) -> None:
    _build(db_url, "37.5")
    publish(db_url, "run-1")
    plain, excel = tmp_path / "plain.csv", tmp_path / "excel.csv"
    assert export_csv(db_url, plain) == 2
    assert export_csv(db_url, excel, bom=True, decimal_comma=True) == 2
    p = plain.read_bytes().decode("utf-8").splitlines()
    assert p[0].startswith("indicator_id;area_code;period;")
    # sorted by the key: K before T; '.' decimals, no byte-order mark
    assert p[1].startswith("etab_full_time_share;0581;2024-05;total;total;K;1;5;20.0;false;;run-1;")
    assert p[2].startswith("etab_full_time_share;0581;2024-05;total;total;T;3;8;37.5;false;;run-1;")
    raw = excel.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbfindicator_id;")
    e = raw[3:].decode("utf-8").splitlines()
    assert e[2].startswith("etab_full_time_share;0581;2024-05;total;total;T;3;8;37,5;false;;run-1;")


def test_nothing_published_yet(db_url: str, tmp_path: Path) -> None:
    with pytest.raises(RuntimeError, match="nothing is published yet"):
        export_csv(db_url, tmp_path / "x.csv")


def test_retention_setting_is_checked(db_url: str, monkeypatch) -> None:
    monkeypatch.setenv("DUA_PUBLICATION_RETENTION", "many")
    with pytest.raises(ConfigError, match="DUA_PUBLICATION_RETENTION"):
        publish(db_url, "run-1")


def _read_xlsx(path: Path) -> dict[str, list[list[str]]]:
    """Sheets of an xlsx file as rows of cell texts (a reader for the test only)."""
    import re
    import zipfile
    from html import unescape

    with zipfile.ZipFile(path) as z:
        names = re.findall(r'<sheet name="([^"]+)"', z.read("xl/workbook.xml").decode())
        shared = []
        if "xl/sharedStrings.xml" in z.namelist():
            shared = [unescape(t) for t in re.findall(r"<t[^>]*>([^<]*)</t>", z.read("xl/sharedStrings.xml").decode())]
        sheets = {}
        for i, name in enumerate(names, start=1):
            xml = z.read(f"xl/worksheets/sheet{i}.xml").decode()
            rows = []
            for row in re.findall(r"<row[^>]*>(.*?)</row>", xml):
                cells = []
                for attrs, body in re.findall(r"<c ([^>]*?)(?:/>|>(.*?)</c>)", row):
                    if 't="s"' in attrs:
                        cells.append(shared[int(re.search(r"<v>(\d+)</v>", body).group(1))])
                    elif 't="inlineStr"' in attrs:
                        cells.append(unescape(re.search(r"<t[^>]*>([^<]*)</t>", body).group(1)))
                    else:
                        v = re.search(r"<v>([^<]*)</v>", body or "")
                        cells.append(v.group(1) if v else "")
                rows.append(cells)
            sheets[name] = rows
    return sheets


def test_xlsx_one_sheet_per_indicator(db_url: str, tmp_path: Path) -> None:
    from dua.publish.xlsx import export_xlsx

    _build(db_url, "37.5")
    publish(db_url, "run-1")
    out = tmp_path / "indikatorer.xlsx"
    assert export_xlsx(db_url, out) == 2
    sheets = _read_xlsx(out)
    assert list(sheets) == ["Om", "Indikatorer", "etab_full_time_share"]
    assert sheets["Om"][1] == ["Körning", "run-1"]
    assert sheets["Indikatorer"][1][:3] == ["etab_full_time_share", "Heltid", "procent"]
    rows = sheets["etab_full_time_share"]
    assert rows[0][:7] == ["Områdeskod", "Område", "Period", "Nedbrytning", "Värde (kod)", "Värde", "Kön"]
    # K before T; numbers as numbers; the area's name and the breakdown's label from the published tables
    assert rows[1] == ["0581", "Norrköping", "2024-05", "Totalt", "total", "Totalt", "Kvinnor", "1", "5", "20",
                       "nej"]
    assert rows[2] == ["0581", "Norrköping", "2024-05", "Totalt", "total", "Totalt", "Totalt", "3", "8", "37.5",
                       "nej"]
