"""Steering-group report: hand-made published rows → one self-contained Swedish HTML file."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import psycopg
import pytest

from conftest import create_contract_tables
from dua.reporting.steering import UnknownAreaError, fmt_number, write_steering_report

RUN = "20240415T080000Z-abc123"

CATALOGUE = [
    ("etab_full_time_share", "Heltidsaktivitet inom etableringen, andel", "percent", "month"),
    ("etab_komvux_share", "Studerar kommunal vuxenutbildning inom etableringen, andel", "percent", "month"),
    ("jobbspar_tracks", "Jobbspår, antal", "count", "year"),
    ("jobbspar_women_share", "Andel kvinnor bland deltagare i jobbspår", "percent", "year"),
]

# (indicator, period, gender, numerator, denominator, value, suppressed, target)
VALUES = [
    ("etab_full_time_share", "2024-01", "K", 12, 38, 31.6, False, None),
    ("etab_full_time_share", "2024-01", "M", 27, 45, 60.0, False, None),
    ("etab_full_time_share", "2024-01", "T", 39, 83, 47.0, False, None),
    # a suppressed pair (K has 4 persons; M is then suppressed too so K cannot be derived from T)
    ("etab_full_time_share", "2024-02", "K", None, None, None, True, None),
    ("etab_full_time_share", "2024-02", "M", None, None, None, True, None),
    ("etab_full_time_share", "2024-02", "T", 30, 49, 61.2, False, None),
    ("etab_full_time_share", "2024-03", "K", 14, 40, 35.0, False, None),
    ("etab_full_time_share", "2024-03", "M", 30, 47, 63.8, False, None),
    ("etab_full_time_share", "2024-03", "T", 44, 87, 50.6, False, None),
    ("etab_komvux_share", "2024-01", "K", 9, 40, 22.5, False, 40),
    ("etab_komvux_share", "2024-01", "M", 7, 50, 14.0, False, 40),
    ("etab_komvux_share", "2024-01", "T", 16, 90, 17.8, False, 40),
    ("etab_komvux_share", "2024-02", "K", 11, 41, 26.8, False, 40),
    ("etab_komvux_share", "2024-02", "M", 8, 51, 15.7, False, 40),
    ("etab_komvux_share", "2024-02", "T", 19, 92, 20.7, False, 40),
    ("etab_komvux_share", "2024-03", "K", 13, 42, 31.0, False, 40),
    ("etab_komvux_share", "2024-03", "M", 9, 50, 18.0, False, 40),
    ("etab_komvux_share", "2024-03", "T", 22, 92, 23.9, False, 40),
    # outside the --period 2024 filter
    ("etab_komvux_share", "2023-12", "T", 15, 88, 17.0, False, 40),
    ("jobbspar_tracks", "2024", "T", 2, None, 2, False, 3),
    ("jobbspar_women_share", "2024", "T", 21, 50, 42.0, False, 50),
]


def _seed(url: str, *, dq: bool, complete_2024: bool = True) -> None:
    with psycopg.connect(url) as conn:
        create_contract_tables(conn, "published")
        for ind, title, unit, ptypes in CATALOGUE:
            conn.execute(
                """insert into published.indicator (indicator_id, title_sv, title_en, unit, period_types, source)
                   values (%s, %s, %s, %s, %s, 'test')""", (ind, title, title, unit, ptypes))
        for ind, per, g, num, den, val, sup, tgt in VALUES:
            conn.execute(
                """insert into published.indicator_value values
                   (%s, '0581', %s, 'total', 'total', %s, %s, %s, %s, %s, %s, %s, '2024-04-15 10:00+02')""",
                (ind, per, g, num, den, val, sup, tgt, RUN))
        # another area and another breakdown: not in the report of 0581
        conn.execute(
            """insert into published.indicator_value values ('etab_full_time_share', '0180', '2024-01', 'total',
               'total', 'T', 1, 3, 99.9, false, null, %s, now())""", (RUN,))
        conn.execute(
            """insert into published.publication (run_id, published_at, rows, detail)
               values (%s, '2024-04-15 10:00+02', 24, '{}')""", (RUN,))
        # 2024 is over in the data (its December is loaded): its values are judged
        conn.execute("""insert into published.period values ('2024', 'year', 'År', '2024-01-01', '2024-12-31',
                        2024, null, %s)""", (complete_2024,))
        conn.execute("create schema seeds")
        conn.execute("create table seeds.scb_municipalities (kommunkod text, kommun_namn text, lan_kod text)")
        conn.execute("insert into seeds.scb_municipalities values ('0581', 'Norrköping', '05')")
        fid = conn.execute(
            """insert into meta.file_ledger (file_name, source, kommunkod, sha256, status, rows_total, rows_loaded,
                   rows_rejected) values ('af_0581_202403.csv', 'af', '0581', 'x1', 'loaded', 10, 7, 3)
               returning file_id""").fetchone()[0]
        other = conn.execute(
            """insert into meta.file_ledger (file_name, source, kommunkod, sha256, status)
               values ('af_0180_202403.csv', 'af', '0180', 'x2', 'loaded') returning file_id""").fetchone()[0]
        for f, reason in ((fid, "INVALID_DATE"), (fid, "INVALID_DATE"), (fid, "BAD_PNR"), (other, "ZZ_OTHER_AREA")):
            conn.execute("""insert into meta.quarantine (file_id, file_name, line_no, reason_code, message)
                            values (%s, 'f', 1, %s, 'm')""", (f, reason))
        if dq:
            rows = [
                ("old-run", "2024-04-01 09:00+02", "raw", "old_failure", "blocking", False, "1", None),
                (RUN, "2024-04-15 09:50+02", "raw", "af_rows_per_month", "blocking", True, "ok", None),
                (RUN, "2024-04-15 09:51+02", "marts", "komvux_link_share", "warning", False, "61.0",
                 '{"threshold": 70}'),
                (RUN, "2024-04-15 09:52+02", "indicators", "shares_in_range", "blocking", True, "ok", None),
            ]
            for r in rows:
                conn.execute("insert into dq.validation_result values (%s, %s, %s, %s, %s, %s, %s, %s)", r)


def _text(html: str) -> str:
    return re.sub(r"<[^>]+>", " ", html)


def test_fmt_number_swedish() -> None:
    assert fmt_number(31.6, "percent") == "31,6 %"
    assert fmt_number(1234, "count") == "1 234"
    assert fmt_number(63.2, "mean") == "63,2"
    assert fmt_number(None, "percent") == "–"


def test_report_content(db_url: str, tmp_path: Path) -> None:
    _seed(db_url, dq=True)
    out = write_steering_report(db_url, "0581", tmp_path / "styrgrupp.html")
    html = out.read_text(encoding="utf-8")

    # self-contained: nothing fetched from anywhere
    assert not re.search(r"https?://", html)
    assert "<script" not in html and "<link" not in html and "@import" not in html
    assert html.count("<svg") == 4  # one chart per indicator with total rows

    text = _text(html)
    assert "Styrgruppsrapport — Norrköping" in html
    assert RUN in html and "2024-04-15 10:00" in html
    # values with a decimal comma, in the tables under the charts
    for shown in ("31,6 %", "60,0 %", "47,0 %", "61,2 %", "63,8 %", "22,5 %", "23,9 %"):
        assert shown in text, shown
    assert "31.6" not in text
    # the suppressed pair is "..", the chart has a gap: K and M lines break at February
    start = html.index('id="ind-etab_full_time_share"')
    table = html[start:html.index("</section>", start)]
    feb = table[table.index("feb 2024</td>"):]
    feb = feb[:feb.index("</tr>")]
    assert feb.count(">..</span>") == 2 and "61,2 %" in feb
    assert table.count("<polyline") == 1  # only T is drawn as a connected line through the three months
    # the target: line label and table column
    start = html.index('id="ind-etab_komvux_share"')
    komvux = html[start:html.index("</section>", start)]
    assert "Mål 40 %" in komvux and "stroke-dasharray" in komvux
    # the other area's value is not shown
    assert "99,9" not in text
    # 2023-12 is in the unfiltered report
    assert "dec 2023" in text

    # job tracks: 2 of 3 tracks (not met), women 42 % vs 50 %
    jobb = html[html.index('id="jobbspar"'):html.index('id="datakvalitet"')]
    assert "minst 3" in jobb and "minst 180" in jobb and "50 %" in jobb and "minst 60 %" in jobb
    assert "2 <span class=\"bad\">ej uppnått</span>" in jobb
    assert "42,0 %" in jobb

    # data quality: the latest run's failed check, a count of passed ones, quarantine of 0581's files only
    dq = _text(html[html.index('id="datakvalitet"'):])
    assert "komvux_link_share" in dq and "varning" in dq
    assert "old_failure" not in dq
    assert re.search(r"2\s+kontroller godkända,\s+1\s+ej godkända", dq)
    assert "INVALID_DATE" in dq and "BAD_PNR" in dq and "ZZ_OTHER_AREA" not in dq
    assert "Summa rader i karantän: 3" in dq
    assert '"threshold"' not in dq and "{" not in dq  # no raw JSON

    # the first page: latest value per indicator, the women–men gap, the change, target and verdict
    summary = _text(html[html.index('id="sammanfattning"'):html.index("<nav>")])
    summary = re.sub(r"\s+", " ", summary)
    # March 2024: 31.0 − 18.0 = 13.0 points; 23.9 − 20.7 = 3.2 since February; target 40 not met
    assert ("Studerar kommunal vuxenutbildning inom etableringen, andel mar 2024 31,0 % 18,0 % 23,9 % "
            "+13,0 procentenheter ↑ 3,2 sedan feb 2024 40 % ej uppnått") in summary
    assert "Heltidsaktivitet inom etableringen, andel mar 2024 35,0 % 63,8 % 50,6 % −28,8 procentenheter" in summary
    assert "inget mål" in summary
    assert "Jobbspår, antal 2024 – – 2 – – 3 ej uppnått" in summary


def test_a_year_not_over_is_preliminary_and_not_judged(db_url: str, tmp_path: Path) -> None:
    _seed(db_url, dq=False, complete_2024=False)
    html = write_steering_report(db_url, "0581", tmp_path / "r.html").read_text(encoding="utf-8")
    jobb = html[html.index('id="jobbspar"'):html.index('id="datakvalitet"')]
    assert "2024 (preliminärt)" in jobb and "preliminärt</span>" in jobb
    assert "ej uppnått" not in jobb and "uppnått</span>" not in jobb
    summary = _text(html[html.index('id="sammanfattning"'):html.index("<nav>")])
    summary = re.sub(r"\s+", " ", summary)
    assert "Jobbspår, antal 2024 (preliminärt) – – 2 – – 3 preliminärt (året pågår)" in summary
    # a month is over when published: March is still judged
    assert "23,9 % +13,0 procentenheter ↑ 3,2 sedan feb 2024 40 % ej uppnått" in summary


def test_report_period_and_no_dq_table(db_url: str, tmp_path: Path) -> None:
    _seed(db_url, dq=False)
    out = write_steering_report(db_url, "0581", tmp_path / "r.html", period="2024")
    text = _text(out.read_text(encoding="utf-8"))
    assert "År 2024" in text
    assert "dec 2023" not in text and "17,0 %" not in text
    assert "Inga valideringsresultat är registrerade" in text
    with pytest.raises(ValueError):
        write_steering_report(db_url, "0581", tmp_path / "x.html", period="2024-01")


def test_unknown_area_or_period_is_refused_with_the_list(db_url: str, tmp_path: Path) -> None:
    _seed(db_url, dq=False)
    with pytest.raises(UnknownAreaError, match=r"no published values for area '9999'; areas with published "
                                               r"values: 0180, 0581 Norrköping"):
        write_steering_report(db_url, "9999", tmp_path / "r.html")
    with pytest.raises(UnknownAreaError, match=r"in 2019; years with published values: 2023, 2024"):
        write_steering_report(db_url, "0581", tmp_path / "r.html", period="2019")
    assert not (tmp_path / "r.html").exists()
    # a name (any case) or a code without its leading zero names the area
    for given in ("norrköping", "581"):
        html = write_steering_report(db_url, given, tmp_path / "n.html").read_text(encoding="utf-8")
        assert "Styrgruppsrapport — Norrköping" in html and "(0581)" in html


CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync"]


@pytest.mark.skipif(shutil.which("chromium") is None,
                    reason="chromium is not installed (Debian: apt-get install chromium); the test installs nothing")
def test_report_in_headless_chromium(db_url: str, tmp_path: Path) -> None:
    _seed(db_url, dq=True)
    out = write_steering_report(db_url, "0581", tmp_path / "styrgrupp.html")
    chromium = shutil.which("chromium")
    profile = tmp_path / "profile"
    dom = subprocess.run(
        [chromium, *CHROMIUM_FLAGS, f"--user-data-dir={profile}", "--dump-dom", out.resolve().as_uri()],
        capture_output=True, text=True, timeout=180, check=True,
    ).stdout
    text = _text(dom)
    assert "Styrgruppsrapport — Norrköping" in dom
    for shown in ("31,6 %", "61,2 %", "Mål 40 %", "ej uppnått", "komvux_link_share"):
        assert shown in dom, shown
    assert ">..</span>" in dom and "<svg" in dom and "<polyline" in dom
    assert "31.6" not in text

    shot = tmp_path / "shot.png"
    subprocess.run(
        [chromium, *CHROMIUM_FLAGS, f"--user-data-dir={profile}", f"--screenshot={shot}",
         "--window-size=1200,3000", out.resolve().as_uri()],
        capture_output=True, text=True, timeout=180, check=True,
    )
    assert shot.exists()
    data = shot.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    assert len(data) > 50_000  # a page with charts and tables, not a blank one
    if os.environ.get("DUA_KEEP_SCREENSHOT"):  # a path: keep the screenshot for a person to look at
        shutil.copy(shot, os.environ["DUA_KEEP_SCREENSHOT"])


def test_report_times_are_stockholm_time_and_say_so():
    import datetime as dt

    from dua.reporting.reports import created_stamp

    # 23:30 UTC on 31 December is already the new year in Stockholm (UTC+1 in winter)
    assert created_stamp(dt.datetime(2026, 12, 31, 23, 30, tzinfo=dt.UTC)) == "2027-01-01 00:30 (svensk tid)"
    # summer time: UTC+2
    assert created_stamp(dt.datetime(2026, 7, 1, 10, 0, tzinfo=dt.UTC)) == "2026-07-01 12:00 (svensk tid)"
