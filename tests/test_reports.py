"""The run reports a reader sees: the data-quality page's banner (published or
blocked, and why), warnings apart from blocking failures, Swedish texts for
every check and reason code, Swedish numbers."""

from __future__ import annotations

import re
from html import unescape
from pathlib import Path

import psycopg
import pytest

from dua.quality.validation import load_suite
from dua.reporting.reports import data_quality_report, fmt_number, indicator_report
from dua.reporting.texts_sv import CHECKS_SV, REASONS_SV, check_sv


def _text(html: str) -> str:
    return re.sub(r"[ \t\r\n]+", " ", unescape(re.sub(r"<[^>]+>", " ", html)))


def _seed(url: str, *, published: bool, blocking_fails: bool) -> None:
    with psycopg.connect(url) as conn:
        rows = [
            ("r1", "sources", "af_person_count_change", "blocking", not blocking_fails,
             "1 row(s): 0581 2026-09 21 212" if blocking_fails else "0 row(s)"),
            ("r1", "sources", "af_kon_present", "blocking", True, "0 unexpected"),
            ("r1", "indicators", "indicator_present_every_reporting_month", "warning", False, "3 row(s): x"),
        ]
        for run, suite, name, sev, ok, obs in rows:
            conn.execute("""insert into dq.validation_result (run_id, checked_at, suite, check_name, severity,
                            success, observed) values (%s, now(), %s, %s, %s, %s, %s)""",
                         (run, suite, name, sev, ok, obs))
        if published:
            conn.execute("insert into published.publication values ('r1', '2026-10-05 08:00+00', 12345, '{}')")
        fid = conn.execute(
            """insert into meta.file_ledger (file_name, source, kommunkod, sha256, status, rows_total, rows_loaded,
                   rows_rejected, reason_code, message)
               values ('af_status_0581_202609.csv', 'af', '0581', 'x1', 'rejected', 1200, 0, 1200,
                       'too_many_rejected', 'm') returning file_id""").fetchone()[0]
        conn.execute("""insert into meta.quarantine (file_id, file_name, line_no, reason_code, message)
                        values (%s, 'af_status_0581_202609.csv', 7, 'pnr_checksum', 'm')""", (fid,))


def test_published_run_with_a_warning(db_url: str, tmp_path: Path) -> None:
    _seed(db_url, published=True, blocking_fails=False)
    html = data_quality_report(db_url, tmp_path / "dq.html").read_text(encoding="utf-8")
    text = _text(html)
    # the banner: published, when (Stockholm time), how many values, and the warning to review
    assert "Körningen r1 publicerades 5 oktober 2026 kl. 10:00 (svensk tid): 12\u00a0345 indikatorvärden." in text
    assert 'class="banner warn"' in html
    assert "1 varning att granska: Varje månadsindikator har rader för varje rapportmånad" in text
    assert "2 av 2 blockerande kontroller godkända; 0 av 1 varningskontroller godkända." in text
    # a warning is amber, not red, and not called a failure
    row = re.search(r'<tr class="warn">.*?</tr>', html, re.S).group(0)
    assert "indicator_present_every_reporting_month" in row and "EJ GODKÄND" not in row
    # Swedish texts, no English status words
    assert "Fältet kon är ifyllt i Af-filerna." in text and "0 avvikande" in text
    assert "too_many_rejected: andelen avvisade rader är större än tillåtet" in text
    assert "pnr_checksum fel kontrollsiffra i personnumret" in text
    assert "af_status_0581_202609.csv Arbetsförmedlingen 0581 avvisad 1\u00a0200 0 1\u00a0200" in text
    for english in (" loaded ", " rejected ", "unexpected", "row(s)"):
        assert english not in text, english


def test_blocked_run_says_why(db_url: str, tmp_path: Path) -> None:
    _seed(db_url, published=False, blocking_fails=True)
    html = data_quality_report(db_url, tmp_path / "dq.html").read_text(encoding="utf-8")
    text = _text(html)
    assert 'class="banner bad"' in html
    assert "Körningen r1 publicerades inte: 1 blockerande kontroll underkända." in text
    assert "De tidigare publicerade värdena gäller oförändrade." in text
    assert "Antalet personer i en månads Af-fil skiljer sig högst 50 %" in text
    assert "(1 rad: 0581 2026-09 21 212)" in text
    assert re.search(r'<tr class="bad">.*?af_person_count_change.*?EJ GODKÄND', html, re.S)


def test_no_validation_yet(db_url: str, tmp_path: Path) -> None:
    text = _text(data_quality_report(db_url, tmp_path / "dq.html").read_text(encoding="utf-8"))
    assert "Inga valideringsresultat ännu: ingenting har publicerats." in text


def test_every_check_and_reason_code_has_a_swedish_text() -> None:
    from dua.ingest.sources import FILE_REASONS, REASONS

    names = [c.name for suite in ("sources", "indicators") for c in load_suite(suite).checks()]
    assert len(names) > 40
    missing = [n for n in names if check_sv(n) == n]
    assert missing == []
    assert set(CHECKS_SV) <= set(names)  # no text for a check that no longer exists
    assert set(REASONS) | set(FILE_REASONS) <= set(REASONS_SV)


@pytest.mark.parametrize(("value", "decimals", "shown"), [
    (1234567, None, "1\u00a0234\u00a0567"), (62.5, 1, "62,5"), (62, 1, "62,0"), (3, 0, "3"), (None, None, ""),
])
def test_swedish_numbers(value, decimals, shown) -> None:
    assert fmt_number(value, decimals) == shown


def test_indicator_page_in_swedish_numbers(db_url: str, tmp_path: Path) -> None:
    from conftest import create_contract_tables

    with psycopg.connect(db_url) as conn:
        create_contract_tables(conn, "published")
        conn.execute("""insert into published.indicator (indicator_id, title_sv, title_en, unit, period_types, source)
                        values ('etab_full_time_share', 'Heltid, andel', 'x', 'percent', 'month', 'af')""")
        conn.execute("""insert into published.indicator_value values
            ('etab_full_time_share', '0581', '2024-05', 'total', 'total', 'K', 1, 8, 12.0, false, 50, 'r', now()),
            ('etab_full_time_share', '0581', '2024-05', 'total', 'total', 'M', null, null, null, true, 50, 'r', now()),
            ('etab_full_time_share', '0581', '2024-05', 'total', 'total', 'T', 5, 16, 31.3, false, 50, 'r', now())""")
    text = _text(indicator_report(db_url, tmp_path / "ind.html").read_text(encoding="utf-8"))
    assert "0581 Heltid, andel maj 2024 andel % 12,0 .. 31,3 50" in text
