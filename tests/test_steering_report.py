"""Steering-group report: hand-made published rows → one self-contained Swedish HTML file,
read as its reader reads it (the text between the tags)."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from html import unescape
from pathlib import Path

import psycopg
import pytest

from conftest import create_contract_tables
from dua.cli import main as cli
from dua.reporting.formatting import fmt_value
from dua.reporting.steering import (
    ROLLING_MONTHS,
    UnknownAreaError,
    is_small,
    rolling_12,
    write_steering_report,
)

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
        for f, reason in ((fid, "invalid_date"), (fid, "invalid_date"), (fid, "pnr_checksum"),
                          (other, "duplicate_row")):
            conn.execute("""insert into meta.quarantine (file_id, file_name, line_no, reason_code, message)
                            values (%s, 'f', 1, %s, 'm')""", (f, reason))
        if dq:
            rows = [
                ("old-run", "2024-04-01 09:00+02", "raw", "old_failure", "blocking", False, "1", None),
                (RUN, "2024-04-15 09:50+02", "raw", "af_rows_per_month", "blocking", True, "ok", None),
                (RUN, "2024-04-15 09:51+02", "sources", "dexter_persons_link_to_af", "warning", False,
                 "1 row(s): etab_komvux_share 0581", '{"threshold": 70}'),
                (RUN, "2024-04-15 09:52+02", "indicators", "shares_in_range", "blocking", True, "ok", None),
            ]
            for r in rows:
                conn.execute("insert into dq.validation_result values (%s, %s, %s, %s, %s, %s, %s, %s)", r)


def _text(html: str) -> str:
    """What a reader sees: the text between the tags, entities read, spaces (non-breaking too) as one."""
    text = re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", html)).replace("\u00a0", " "))
    return re.sub(r" ([,;:)])", r"\1", text)  # "<code>run</code>, 15 april": no space before the comma


def test_values_in_swedish() -> None:
    assert fmt_value(31.6, "percent") == "31,6\u00a0%"
    assert fmt_value(1234, "count") == "1\u00a0234"
    assert fmt_value(63.2, "mean") == "63,2"
    assert fmt_value(None, "percent") == "–"


def _reader(html: str) -> str:
    """The reader's text without the hover texts (``<title>``) of charts and the page, and the stylesheet."""
    return _text(re.sub(r"<(title|style)>.*?</\1>", " ", html, flags=re.S))


def _between(html: str, start: str, end: str) -> str:
    return _reader(html[html.index(start):html.index(end, html.index(start))])


ENGLISH = ("loaded", "passed", "failed", "rejected", "row(s)", "rows", "warning", "blocking", "unexpected",
           "preliminary", "target", "None")


def test_report_content(db_url: str, tmp_path: Path) -> None:
    _seed(db_url, dq=True)
    out = write_steering_report(db_url, "0581", tmp_path / "styrgrupp.html")
    html = out.read_text(encoding="utf-8")

    # self-contained: nothing fetched from anywhere; one page from the shared base and stylesheet
    assert not re.search(r"https?://", html)
    assert "<script" not in html and "<link" not in html and "@import" not in html
    assert html.count("<style>") == 1 and ".banner.ok" in html  # the stylesheet the data-quality report uses too
    assert html.count('class="chart"') == 4  # one chart per indicator with total rows

    text = _reader(html)
    assert "Styrgruppsrapport — Norrköping" in text
    assert f"körning {RUN}, 15 april 2024 kl. 10:00, 24 publicerade värden" in text
    assert "Period januari 2024 – mars 2024 (alla publicerade perioder)" not in text  # 2023-12 is published
    assert "Period december 2023 – mars 2024 (alla publicerade perioder)" in text
    # values with a decimal comma, in the tables under the charts
    for shown in ("31,6 %", "60,0 %", "47,0 %", "61,2 %", "63,8 %", "22,5 %", "23,9 %"):
        assert shown in text, shown
    assert "31.6" not in text
    # the suppressed pair is "..", the chart has a gap: K and M lines break at February
    start = html.index('id="ind-etab_full_time_share"')
    section = html[start:html.index("</section>", start)]
    assert "februari 2024 .. .. 61,2 % 49" in _reader(section)
    assert section.count("<polyline") == 1  # only T is drawn as a connected line through the three months
    # 4 women in February: the series is small, but three months make no rolling 12 months yet
    assert "Få personer per månad (under 30 i någon månad). Rullande 12 månader visas när serien har tolv " \
           "månader." in _reader(section)
    # the target: line label and table column, with its operator
    komvux = _between(html, 'id="ind-etab_komvux_share"', "</section>")
    assert "mars 2024 31,0 % 18,0 % 23,9 % 92 minst 40 %" in komvux
    assert "Mål: minst 40 %" in komvux and "stroke-dasharray" in html
    # the other area's value is not shown; 2023-12 is in the unfiltered report
    assert "99,9" not in text
    assert "december 2023" in text

    # job tracks: 2 of 3 tracks (not met), women 42 % vs at least 50 %
    jobb = _between(html, 'id="jobbspar"', 'id="indikatorer"')
    assert "Antal jobbspår minst 3 2 ej uppnått" in jobb
    assert "Andel kvinnor bland deltagarna minst 50 % 42,0 % ej uppnått" in jobb
    assert "Platser i jobbspår minst 180 –" in jobb

    # data quality: the latest run's failed check in Swedish, a count of passed ones, quarantine of 0581's files
    dq = _reader(html[html.index('<section id="datakvalitet"'):])
    assert ("Tillräckligt stor andel av kommunens Dexter-personer finns i Af-data (DUA_MIN_LINK_SHARE). varning "
            "1 rad: «Studerar kommunal vuxenutbildning inom etableringen, andel» 0581") in dq
    assert "old_failure" not in dq and "dexter_persons_link_to_af" not in dq
    assert "2 kontroller godkända, 1 ej godkända (varav 0 blockerande)" in dq
    assert "Områdets filer: 2 inlästa, 0 avvisade i sin helhet. Summa rader i karantän: 3." not in dq
    assert "Områdets filer: 1 inlästa, 0 avvisade i sin helhet. Summa rader i karantän: 3." in dq
    assert "Inte ett datum på formen ÅÅÅÅ-MM-DD Arbetsförmedlingen 2 1" in dq
    assert "Fel kontrollsiffra i personnumret Arbetsförmedlingen 1 1" in dq
    assert "samma rad två gånger" not in dq.lower()  # the other area's file
    assert "{" not in dq and "threshold" not in dq  # no raw JSON

    # no English word or code anywhere a reader looks
    for english in ENGLISH:
        assert not re.search(rf"\b{re.escape(english)}\b", text, re.I), english
    assert re.findall(r"\b[a-z]+_[a-z_]+\b", text) == []

    # the first page: latest value per indicator, the women–men gap, the change, target and verdict
    summary = _between(html, 'id="sammanfattning"', "<nav>")
    # March 2024: 31.0 − 18.0 = 13.0 points; 23.9 − 20.7 = 3.2 since February; target at least 40: not met
    assert ("Studerar kommunal vuxenutbildning inom etableringen, andel mars 2024 31,0 % 18,0 % 23,9 % "
            "+13,0 ↑ +3,2 sedan feb. 2024 minst 40 % ej uppnått") in summary
    # 35.0 − 63.8 = −28.8; 50.6 − 61.2 = −10.6
    assert ("Heltidsaktivitet inom etableringen, andel mars 2024 35,0 % 63,8 % 50,6 % −28,8 ↓ −10,6 sedan "
            "feb. 2024 – inget mål") in summary
    assert "Jobbspår, antal 2024 – – 2 – – minst 3 ej uppnått" in summary
    assert "0 mål uppnådda 3 ej uppnådda 0 preliminära (året pågår) 1 indikator utan mål" in summary


def test_a_year_not_over_is_preliminary_and_not_judged(db_url: str, tmp_path: Path) -> None:
    _seed(db_url, dq=False, complete_2024=False)
    with psycopg.connect(db_url) as conn:  # 2023 is over: 3 tracks, the target met
        conn.execute("""insert into published.period values ('2023', 'year', 'År', '2023-01-01', '2023-12-31',
                        2023, null, true)""")
        conn.execute("""insert into published.indicator_value values ('jobbspar_tracks', '0581', '2023', 'total',
                        'total', 'T', 3, null, 3, false, 3, %s, now())""", (RUN,))
    html = write_steering_report(db_url, "0581", tmp_path / "r.html").read_text(encoding="utf-8")
    jobb = _between(html, 'id="jobbspar"', 'id="indikatorer"')
    assert "Åtagande Mål 2023 2024 (preliminärt)" in jobb
    assert "Antal jobbspår minst 3 3 uppnått 2 preliminärt" in jobb
    assert "Andel kvinnor bland deltagarna minst 50 % – 42,0 % preliminärt" in jobb
    assert "ej uppnått" not in jobb
    summary = _between(html, 'id="sammanfattning"', "<nav>")
    # the preliminary year beside the verdict of the latest year that is over
    assert "Jobbspår, antal 2024 (preliminärt) – – 2 – ↓ −1 sedan 2023 minst 3 preliminärt 2023: 3 uppnått" \
        in summary
    assert "Senaste hela året, 2023: 1 mål uppnått 0 ej uppnådda" in summary
    assert "Andel kvinnor bland deltagare i jobbspår 2024 (preliminärt) – – 42,0 % – – minst 50 % preliminärt" \
           in summary
    assert "0 mål uppnådda 1 ej uppnått 2 preliminära (året pågår) 1 indikator utan mål" in summary
    # a month is over when published: March is still judged
    assert "23,9 % +13,0 ↑ +3,2 sedan feb. 2024 minst 40 % ej uppnått" in summary
    # the yearly table of the job tracks' count says so too
    tracks = _between(html, 'id="ind-jobbspar_tracks"', "</section>")
    assert "2024 (preliminärt) – – 2 minst 3" in tracks


# Thirteen months of a small population (10 persons a month, 25 in June 2023):
# (numerator, denominator) of all (T) and of women (K, protected in March 2023).
SMALL_T = {f"2023-{m:02d}": (2, 10) for m in range(1, 13)} | {"2023-06": (20, 25), "2024-01": (5, 10)}
SMALL_K = {f"2023-{m:02d}": (1, 5) for m in range(1, 13)} | {"2023-03": None, "2024-01": (4, 5)}


def test_rolling_12_months_sum_numerators_and_denominators() -> None:
    from decimal import Decimal

    points = {p: (Decimal(n), Decimal(d)) for p, (n, d) in SMALL_T.items()}
    roll = rolling_12(points, "percent")
    assert ROLLING_MONTHS == 12
    assert sorted(roll) == ["2023-12", "2024-01"]  # the first 11 months have no 12 months before them
    # Jan–Dec 2023: (11 × 2 + 20) / (11 × 10 + 25) = 42 / 135 = 31.1 % (the mean of the shares would be 25.0)
    assert (roll["2023-12"].value, roll["2023-12"].months) == (Decimal("31.1"), 12)
    # Feb 2023–Jan 2024: (10 × 2 + 20 + 5) / (10 × 10 + 25 + 10) = 45 / 135 = 33.3 % (mean of shares: 27.5)
    assert (roll["2024-01"].value, roll["2024-01"].months) == (Decimal("33.3"), 12)
    women = rolling_12({p: (None, None) if v is None else (Decimal(v[0]), Decimal(v[1]))
                        for p, v in SMALL_K.items()}, "percent")
    # the protected March is left out: 11 / 55 = 20.0 %; then (10 × 1 + 4) / (11 × 5) = 14 / 55 = 25.5 %
    assert (women["2023-12"].value, women["2023-12"].months) == (Decimal("20.0"), 11)
    assert (women["2024-01"].value, women["2024-01"].months) == (Decimal("25.5"), 11)
    # a month missing from the series counts as a month without values
    gap = rolling_12({p: v for p, v in points.items() if p != "2023-09"}, "percent")
    # (45 − 2) / (135 − 10) = 43 / 125 = 34.4 %
    assert (gap["2024-01"].value, gap["2024-01"].months) == (Decimal("34.4"), 11)


def _seed_small(url: str) -> None:
    with psycopg.connect(url) as conn:
        conn.execute(
            """insert into published.indicator (indicator_id, title_sv, title_en, unit, period_types, source)
               values ('etab_work_studies_90d', 'Lämnat etableringen och börjat arbeta eller studera', 'x',
                       'percent', 'month', 'af')""")
        for gender, rows in (("T", SMALL_T), ("K", SMALL_K)):
            for per, v in rows.items():
                num, den = v if v else (None, None)
                conn.execute(
                    """insert into published.indicator_value values ('etab_work_studies_90d', '0581', %s, 'total',
                       'total', %s, %s, %s, %s, %s, null, %s, now())""",
                    (per, gender, num, den, None if v is None else round(100 * num / den, 1), v is None, RUN))


def test_small_monthly_population_is_shown_as_rolling_12_months(db_url: str, tmp_path: Path) -> None:
    _seed(db_url, dq=False)
    _seed_small(db_url)
    html = write_steering_report(db_url, "0581", tmp_path / "r.html").read_text(encoding="utf-8")
    section = _between(html, 'id="ind-etab_work_studies_90d"', "</section>")
    assert "Diagrammet visar rullande 12 månader: summan av tolv månaders täljare delad med summan av deras " \
           "nämnare." in section
    assert "Månaden Rullande 12 månader Period Kvinnor Män Totalt Underlag (totalt) Kvinnor Män Totalt" in section
    # the monthly table is kept, with the rolling values beside the months
    assert "mars 2023 .. – 20,0 % 10 – – –" in section
    assert "november 2023 20,0 % – 20,0 % 10 – – –" in section
    assert "december 2023 20,0 % – 20,0 % 10 20,0 % (11 av 12 mån) – 31,1 %" in section
    assert "januari 2024 80,0 % – 50,0 % 10 25,5 % (11 av 12 mån) – 33,3 %" in section
    assert "27,5" not in section  # not a mean of the monthly shares
    start = html.index('id="ind-etab_work_studies_90d"')
    raw = html[start:html.index("</section>", start)]
    assert 'aria-label="Lämnat etableringen och börjat arbeta eller studera, per månad, rullande 12 månader"' in raw
    assert raw.count("<circle") == 4  # women and all, December and January
    summary = _between(html, 'id="sammanfattning"', "<nav>")
    assert ("Lämnat etableringen och börjat arbeta eller studera 12 mån. t.o.m. jan. 2024 25,5 % – 33,3 % – – "
            "– inget mål") in summary


def test_small_population_threshold() -> None:
    from dua.reporting.steering import Cell

    def cells(den: int | None, suppressed: bool = False) -> dict:
        return {"2024-01": {"T": Cell(None, den, None, suppressed, None)}}

    assert is_small(cells(29)) and not is_small(cells(30))
    assert is_small(cells(None, suppressed=True))
    assert not is_small({"2024": {"T": Cell(1, 3, None, False, None)}})  # a year is not a month
    assert not is_small(cells(29), threshold=20)


def test_report_period_and_no_dq_table(db_url: str, tmp_path: Path) -> None:
    _seed(db_url, dq=False)
    out = write_steering_report(db_url, "0581", tmp_path / "r.html", period="2024")
    text = _reader(out.read_text(encoding="utf-8"))
    assert "Period År 2024" in text
    assert "december 2023" not in text and "17,0 %" not in text
    assert "Inga valideringsresultat är registrerade." in text
    with pytest.raises(ValueError, match=r"period must be a year YYYY, not '2024-01'; years with published "
                                         r"values for Norrköping \(0581\): 2023, 2024"):
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
    for given in ("norrköping", "NORRKÖPING", "581"):
        text = _reader(write_steering_report(db_url, given, tmp_path / "n.html").read_text(encoding="utf-8"))
        assert "Styrgruppsrapport — Norrköping" in text and "Område Norrköping (0581)" in text


def test_dua_report_refuses_an_unknown_area_or_period(db_url: str, tmp_path: Path, monkeypatch, capsys) -> None:
    _seed(db_url, dq=False)
    monkeypatch.setenv("DUA_WAREHOUSE_URL", db_url)
    monkeypatch.setenv("DUA_HOME", str(tmp_path / "home"))
    out = tmp_path / "r.html"
    assert cli.main(["report", "--area", "Linköping", "--out", str(out)]) == 2
    assert capsys.readouterr().err.splitlines() == [
        "dua: no published values for area 'Linköping'; areas with published values: 0180, 0581 Norrköping"]
    assert cli.main(["report", "--area", "Norrköping", "--period", "2019", "--out", str(out)]) == 2
    assert capsys.readouterr().err.splitlines() == [
        "dua: no published values for Norrköping (0581) in 2019; years with published values: 2023, 2024"]
    assert cli.main(["report", "--area", "norrköping", "--period", "mars", "--out", str(out)]) == 2
    assert "years with published values for Norrköping (0581): 2023, 2024" in capsys.readouterr().err
    assert not out.exists()
    assert cli.main(["report", "--area", "NORRKÖPING", "--period", "2024", "--out", str(out)]) == 0
    assert capsys.readouterr().out.strip() == f"steering-group report: {out}"
    assert "Period År 2024" in _reader(out.read_text(encoding="utf-8"))


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
    assert "Styrgruppsrapport — Norrköping" in text
    for shown in ("31,6 %", "61,2 %", "Mål: minst 40 %", "ej uppnått", "Dexter-personer"):
        assert shown in text, shown
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
    assert created_stamp(dt.datetime(2026, 12, 31, 23, 30, tzinfo=dt.UTC)) == "1 januari 2027 kl. 00:30 (svensk tid)"
    # summer time: UTC+2
    assert created_stamp(dt.datetime(2026, 7, 1, 10, 0, tzinfo=dt.UTC)) == "1 juli 2026 kl. 12:00 (svensk tid)"
