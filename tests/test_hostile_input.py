"""Files nobody should send, and what the loader makes of them: every one ends
as its own ledger row or as quarantined rows, the rest of the file and the
other files load, and no personnummer reaches a table, a message or a name.

The numbers are worked out from the small files each test writes: the header
is line 1, row n is line n + 1."""

from __future__ import annotations

import json
import os
from pathlib import Path

import psycopg
import pytest

from conftest import KEY, write_csv
from dua.identity.personnummer import PNR_PATTERN
from dua.ingest import loader as ingest
from dua.ingest.loader import load_files, scan
from dua.ingest.reader import inspect
from dua.settings import ConfigError, settings
from test_ingest import AF_HEADER, CAT_HEADER, DEXTER_HEADER, af_row, dexter_row, load, pnr, q


def cat_row(n: int, **changes: str) -> list[str]:
    row = {"jobbspar_id": f"J{n}", "kommunkod": "0581", "namn": "Hotell", "bransch": "", "kurspaket": "JS_HOTELL",
           "kurstid_veckor": "12", "platser_per_ar": "60", "forkunskaper": "", "giltig_fran": "2020-01-01",
           "giltig_till": ""}
    row.update(changes)
    return [row[c] for c in CAT_HEADER]


def write_lines(path: Path, lines: list[str], eol: str = "\n", encoding: str = "utf-8") -> Path:
    """Lines written as they are (no quoting added): for lines a writer would not make."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes((eol.join(lines) + eol).encode(encoding))
    return path


def quarantine(db_url: str) -> list[tuple]:
    return q(db_url, "select line_no, reason_code, column_name, message, raw_line from meta.quarantine order by 1")


def no_clear_personnummer(*texts: str) -> bool:
    return not any(PNR_PATTERN.search(t or "") for t in texts)


# --------------------------------------------------------------------------
# digits that are not ASCII digits
def test_a_personnummer_with_a_fullwidth_digit_is_a_format_error_and_stays_masked(db_url, tmp_path):
    rows = [af_row(i) for i in range(1, 40)] + [af_row(99, personnummer="20080\uff15265709")]
    res = load(db_url, write_csv(tmp_path / "af_status_0581_202405.csv", AF_HEADER, rows))
    assert (res.status, res.rows_loaded, res.rows_rejected) == ("loaded", 39, 1)
    ((line_no, code, column, message, raw_line),) = quarantine(db_url)
    assert (line_no, code, column) == (41, "pnr_format", "personnummer")
    assert raw_line.split(";")[0] == "X" * 12  # the fullwidth digit is masked too
    assert "\uff15" not in message + raw_line and "2008" not in message + raw_line


def test_unicode_digits_in_a_date_and_a_decimal_are_rejected_before_the_copy(db_url, tmp_path):
    rows = [dexter_row(i) for i in range(1, 39)]
    rows += [dexter_row(98, startdatum="2024-0\u0661-08"),    # Arabic-Indic 1
             dexter_row(99, franvaro_procent="\uff112,5")]     # fullwidth 1
    res = load(db_url, write_csv(tmp_path / "dexter_isp_0581_20240630.csv", DEXTER_HEADER, rows))
    # 2 of 40 = 5.0 %: not above the limit
    assert (res.status, res.rows_loaded, res.rows_rejected) == ("loaded", 38, 2)
    assert [r[:3] for r in quarantine(db_url)] == [(40, "invalid_date", "startdatum"),
                                                   (41, "invalid_number", "franvaro_procent")]


def test_huge_whole_numbers_are_out_of_range_not_a_copy_failure(db_url, tmp_path):
    rows = [cat_row(i) for i in range(1, 39)]
    rows += [cat_row(98, platser_per_ar="99999999999"), cat_row(99, kurstid_veckor="9" * 5000)]
    res = load(db_url, write_csv(tmp_path / "jobbspar_katalog.csv", CAT_HEADER, rows), share=0.1)
    assert (res.status, res.rows_loaded, res.rows_rejected) == ("loaded", 38, 2)
    assert [r[:3] for r in quarantine(db_url)] == [(40, "out_of_range", "platser_per_ar"),
                                                   (41, "out_of_range", "kurstid_veckor")]


# --------------------------------------------------------------------------
# characters PostgreSQL cannot store
def test_nul_in_an_unknown_column_or_a_code_field_quarantines_that_line(db_url, tmp_path):
    header = AF_HEADER + ["egen_kolumn"]
    rows = [af_row(i) + ["x"] for i in range(1, 40)]
    rows += [af_row(98) + ["a\x00b"], af_row(99, kon="K\x00") + ["y"]]
    res = load(db_url, write_csv(tmp_path / "af_status_0581_202405.csv", header, rows))
    # 2 of 41 = 4.9 %
    assert (res.status, res.rows_loaded, res.rows_rejected) == ("loaded", 39, 2)
    got = quarantine(db_url)
    assert [r[:2] for r in got] == [(41, "invalid_character"), (42, "invalid_character")]
    assert got[0][3] == "the line contains a NUL character"
    assert got[0][4].endswith(";a\u2400b") and no_clear_personnummer(got[0][4], got[1][4])
    assert q(db_url, "select count(*) from raw.af_status where extra->>'egen_kolumn' = 'x'") == [(39,)]


def test_a_byte_of_no_windows_1252_character_quarantines_its_line(db_url, tmp_path):
    path = write_csv(tmp_path / "dexter_isp_0581_20240630.csv", DEXTER_HEADER,
                     [dexter_row(i) for i in range(1, 40)] + [dexter_row(99, kurspaket="PAKET_@")], encoding="cp1252")
    path.write_bytes(path.read_bytes().replace(b"PAKET_@", b"PAKET_\x81"))
    assert inspect(path).encoding == "cp1252"
    res = load(db_url, path)
    assert (res.status, res.rows_loaded, res.rows_rejected) == ("loaded", 39, 1)
    ((line_no, code, _column, message, raw_line),) = quarantine(db_url)
    assert (line_no, code, message) == (41, "invalid_character", "byte 0x81 is no character of cp1252")
    assert "PAKET_\ufffd" in raw_line
    assert q(db_url, "select count(*) from raw.dexter_enrolment where status = 'Pågående'") == [(39,)]


# --------------------------------------------------------------------------
# one record per physical line
def test_an_unbalanced_quote_six_lines_before_the_end_quarantines_that_line_only(db_url, tmp_path):
    lines = [";".join(AF_HEADER)] + [";".join(af_row(i)) for i in range(1, 221)]
    broken = af_row(215)
    broken[12] = '"GY'  # utbildningsniva opens a quote that the line never closes
    lines[215] = ";".join(broken)  # line 216 of 221
    res = load(db_url, write_lines(tmp_path / "af_status_0581_202405.csv", lines))
    assert (res.status, res.rows_total, res.rows_loaded, res.rows_rejected) == ("loaded", 220, 219, 1)
    ((line_no, code, _c, message, _raw),) = quarantine(db_url)
    assert (line_no, code) == (216, "unbalanced_quote")
    assert message == "a quoted field is not closed before the end of the line"
    # the five lines after it are rows of their own
    assert q(db_url, "select min(line_no), max(line_no), count(*) from raw.af_status where line_no > 216") == [
        (217, 221, 5)]


def test_a_quoted_field_over_two_lines_is_two_rejected_lines_not_one_row(db_url, tmp_path):
    rows = [cat_row(i) for i in range(1, 40)] + [cat_row(99, namn="Hotell\noch restaurang")]
    res = load(db_url, write_csv(tmp_path / "jobbspar_katalog.csv", CAT_HEADER, rows), share=0.1)
    # line 41 opens the quote, line 42 closes it: neither is a record of its own
    assert (res.status, res.rows_total, res.rows_loaded, res.rows_rejected) == ("loaded", 41, 39, 2)
    # (the second line's quote is a character of its last field, which is one of too few)
    assert [r[:2] for r in quarantine(db_url)] == [(41, "unbalanced_quote"), (42, "field_count")]


def test_text_after_a_closing_quote_is_a_malformed_quote(db_url, tmp_path):
    lines = [";".join(CAT_HEADER)] + [";".join(cat_row(i)) for i in range(1, 40)]
    lines.append('J99;0581;"Hotell"x;;JS_HOTELL;12;60;;2020-01-01;')
    res = load(db_url, write_lines(tmp_path / "jobbspar_katalog.csv", lines), share=0.1)
    assert (res.rows_loaded, res.rows_rejected) == (39, 1)
    assert [r[:2] for r in quarantine(db_url)] == [(41, "malformed_quote")]


def test_an_unbalanced_quote_followed_by_more_than_128_kib(db_url, tmp_path):
    lines = [";".join(CAT_HEADER), 'J0;0581;"Hotell;;JS_HOTELL;12;60;;2020-01-01;']
    lines += [";".join(cat_row(i)) for i in range(1, 3001)]  # about 150 KiB after the quote
    path = write_lines(tmp_path / "jobbspar_katalog.csv", lines)
    assert path.stat().st_size > 128 * 1024
    res = load(db_url, path)
    assert (res.status, res.rows_total, res.rows_loaded, res.rows_rejected) == ("loaded", 3001, 3000, 1)
    assert [r[:2] for r in quarantine(db_url)] == [(2, "unbalanced_quote")]


def test_one_field_of_50_mb_is_a_line_too_long_read_in_pieces(db_url, tmp_path):
    lines = [";".join(CAT_HEADER)] + [";".join(cat_row(i)) for i in range(1, 40)]
    lines.append(";".join(cat_row(99, namn="x" * (50 * 1024 * 1024))))
    res = load(db_url, write_lines(tmp_path / "jobbspar_katalog.csv", lines), share=0.1)
    assert (res.status, res.rows_loaded, res.rows_rejected) == ("loaded", 39, 1)
    ((line_no, code, _c, message, raw_line),) = quarantine(db_url)
    n = len(lines[-1])
    assert (line_no, code) == (41, "line_too_long")
    assert message == f"the line has {n} characters, more than DUA_MAX_LINE_CHARS = 131072"
    assert len(raw_line) == 1000  # the first characters only


def test_the_line_limit_is_the_setting(db_url, tmp_path, monkeypatch):
    monkeypatch.setenv("DUA_MAX_LINE_CHARS", "2048")
    assert settings().max_line_chars == 2048
    long_row = cat_row(99, namn="x" * 3000)
    rows = [cat_row(i) for i in range(1, 40)] + [long_row]
    res = load(db_url, write_csv(tmp_path / "jobbspar_katalog.csv", CAT_HEADER, rows, newline="\r\n"), share=0.1)
    assert (res.rows_loaded, res.rows_rejected) == (39, 1)
    n = len(";".join(long_row))
    assert quarantine(db_url)[0][1:4] == (
        "line_too_long", None, f"the line has {n} characters, more than DUA_MAX_LINE_CHARS = 2048")
    for bad in ("many", "100"):
        monkeypatch.setenv("DUA_MAX_LINE_CHARS", bad)
        with pytest.raises(ConfigError, match="DUA_MAX_LINE_CHARS"):
            settings()


# --------------------------------------------------------------------------
# whole files
@pytest.mark.parametrize(("encoding", "named", "how"), [
    ("utf-16", "UTF-16 (little-endian)", "byte order mark"),
    ("utf-16-be", "UTF-16 (big-endian)", "NUL pattern"),
    ("utf-16-le", "UTF-16 (little-endian)", "NUL pattern"),
    ("utf-32", "UTF-32 (little-endian)", "byte order mark"),
    ("utf-32-be", "UTF-32 (big-endian)", "NUL pattern"),
])
def test_utf16_and_utf32_are_refused_naming_the_encoding(db_url, tmp_path, encoding, named, how):
    path = write_csv(tmp_path / "af_status_0581_202405.csv", AF_HEADER, [af_row(1), af_row(2)], encoding=encoding)
    res = load(db_url, path)
    assert (res.status, res.reason_code) == ("rejected", "unsupported_encoding")
    assert res.message == (f"af_status_0581_202405.csv: the file is {named} text ({how}); the contract accepts "
                           "UTF-8 or Windows-1252: export it again as UTF-8")
    assert q(db_url, "select status, reason_code, encoding from meta.file_ledger") == [
        ("rejected", "unsupported_encoding", inspect(path).encoding)]


def test_a_file_name_with_a_latin1_byte_or_a_personnummer_is_stored_readable_and_masked(db_url, tmp_path):
    latin1 = tmp_path / os.fsdecode(b"af_status_0581_202405_\xe9.csv")
    write_csv(latin1, AF_HEADER, [af_row(1)])
    with_pnr = write_csv(tmp_path / f"af_status_{pnr(5)}.csv", AF_HEADER, [af_row(2)])
    results = [load(db_url, latin1), load(db_url, with_pnr)]
    assert [(r.status, r.reason_code, r.name) for r in results] == [
        ("rejected", "unknown_file_name", "af_status_0581_202405_\\xe9.csv"),
        ("rejected", "unknown_file_name", "af_status_XXXXXXXX-XXXX.csv")]
    ledger = q(db_url, "select file_name, message from meta.file_ledger order by file_id")
    assert ledger == [
        ("af_status_0581_202405_\\xe9.csv",
         "af_status_0581_202405_\\xe9.csv: the file name matches none of the source contracts"),
        ("af_status_XXXXXXXX-XXXX.csv",
         "af_status_XXXXXXXX-XXXX.csv: the file name matches none of the source contracts"),
    ]


def test_the_task_summary_and_its_log_hold_no_personnummer_from_a_file_name(db_url, tmp_path, monkeypatch):
    from dua.orchestration.tasks import load_source

    monkeypatch.setenv("DUA_WAREHOUSE_URL", db_url)
    monkeypatch.setenv("DUA_PSEUDONYM_KEY", KEY.decode())
    monkeypatch.setenv("DUA_INBOX_SETTLE_SECONDS", "0")
    inbox = tmp_path / "inbox"
    write_csv(inbox / f"{pnr(7)}.csv", ["a"], [["1"]])
    write_csv(inbox / "af_status_0581_202405.csv", AF_HEADER, [af_row(1)])
    messages: list[str] = []
    monkeypatch.setattr("dua.orchestration.tasks.log.info", lambda msg, *args: messages.append(msg % args))
    summary = load_source(["af", "unknown"], str(inbox), "r1")
    assert (summary["loaded"], summary["rejected"]) == (1, 1)
    assert summary["files"][0]["file"] == "XXXXXXXX-XXXX.csv"
    assert no_clear_personnummer(json.dumps(summary, ensure_ascii=False), *messages)


def test_a_link_out_of_the_inbox_is_not_followed(db_url, tmp_path, monkeypatch):
    outside = write_csv(tmp_path / "elsewhere" / "real.csv", AF_HEADER, [af_row(1)])
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "af_status_0581_202405.csv").symlink_to(outside)
    target = write_csv(inbox / "files" / "export.csv", DEXTER_HEADER, [dexter_row(1)])
    (inbox / "dexter_isp_0581_20240630.csv").symlink_to(target)  # a link inside the inbox is followed
    read: list[str] = []
    real_inspect = ingest.inspect
    monkeypatch.setattr(ingest, "inspect", lambda p: (read.append(str(p)), real_inspect(p))[1])
    files = scan(inbox)[0]
    assert {f.path.name: f.problem for f in files} == {
        "dexter_isp_0581_20240630.csv": None, "export.csv": "unknown_file_name",
        "af_status_0581_202405.csv": "symlink_outside_inbox"}
    results = {Path(r.file).name: r for r in load_files(db_url, files, KEY, 0.05)}
    assert {n: (r.status, r.reason_code) for n, r in results.items()} == {
        "dexter_isp_0581_20240630.csv": ("loaded", None),
        "export.csv": ("skipped", None),  # the same bytes, delivered under the link's name already
        "af_status_0581_202405.csv": ("rejected", "symlink_outside_inbox")}
    assert results["af_status_0581_202405.csv"].message == (
        f"af_status_0581_202405.csv: a symbolic link to {outside}, outside the inbox: not followed")
    assert str(outside) not in read and str(inbox / "af_status_0581_202405.csv") not in read
    assert q(db_url, "select count(*) from raw.af_status") == [(0,)]
    # known by its link: the next look skips it
    assert [r.status for r in load_files(db_url, scan(inbox)[0], KEY, 0.05)] == ["skipped"] * 3


def test_a_file_is_loaded_once_it_is_complete(tmp_path):
    inbox = tmp_path / "inbox"
    fresh = write_csv(inbox / "af_status_0581_202405.csv", AF_HEADER, [af_row(1)])
    old = write_csv(inbox / "af_status_0581_202404.csv", AF_HEADER, [af_row(1, statusmanad="2024-04")])
    os.utime(old, (1_000_000, 1_000_000))  # an old mtime, but the change of it is new (ctime)
    ready, waiting = scan(inbox, settle_seconds=60)
    assert ready == [] and sorted(f.path.name for f in waiting) == [old.name, fresh.name]
    (inbox / (fresh.name + ".done")).write_bytes(b"")
    ready, waiting = scan(inbox, settle_seconds=60)
    assert [f.path.name for f in ready] == [fresh.name] and [f.path.name for f in waiting] == [old.name]
    # a minute later both are complete, and the marker is never a delivery itself
    ready, waiting = scan(inbox, settle_seconds=60, now=fresh.stat().st_ctime + 61)
    assert sorted(f.path.name for f in ready) == [old.name, fresh.name] and waiting == []


def test_a_file_that_changes_while_it_is_read_is_left_for_the_next_run(db_url, tmp_path):
    path = write_csv(tmp_path / "af_status_0581_202405.csv", AF_HEADER, [af_row(i) for i in range(1, 10)])
    real = ingest.AF.validate
    calls = {"n": 0}

    def still_writing(*args):
        calls["n"] += 1
        if calls["n"] == 3:
            with path.open("a", encoding="utf-8") as fh:
                fh.write(";".join(af_row(50)) + "\n")
        return real(*args)

    object.__setattr__(ingest.AF, "validate", still_writing)
    try:
        res = load(db_url, path)
    finally:
        object.__setattr__(ingest.AF, "validate", real)
    assert (res.status, res.file_id, res.message) == (
        "waiting", None, "the file changed while it was read (or moved away): left for the next run")
    assert q(db_url, "select count(*) from meta.file_ledger") == [(0,)]
    assert load(db_url, path).rows_loaded == 10  # complete now


# --------------------------------------------------------------------------
# the server's reception of a row
def test_rows_the_server_refuses_are_set_aside_and_the_file_loads(db_url, tmp_path):
    with psycopg.connect(db_url, autocommit=True) as conn:
        conn.execute("alter table raw.af_status add constraint no_fifty check (aktivitetsgrad is distinct from 50)")
    rows = [af_row(i, aktivitetsgrad="50" if i in (7, 9) else "100") for i in range(1, 41)]
    res = load(db_url, write_csv(tmp_path / "af_status_0581_202405.csv", AF_HEADER, rows))
    # rows 7 and 9 are lines 8 and 10; 2 of 40 = 5.0 %
    assert (res.status, res.rows_loaded, res.rows_rejected) == ("loaded", 38, 2)
    got = quarantine(db_url)
    assert [r[:2] for r in got] == [(8, "server_rejected"), (10, "server_rejected")]
    assert "no_fifty" in got[0][3] and got[0][3].startswith("PostgreSQL refused the row: ")
    assert q(db_url, "select count(*) from raw.af_status") == [(38,)]


def test_more_refused_rows_than_the_loader_sets_aside_reject_the_file(db_url, tmp_path):
    with psycopg.connect(db_url, autocommit=True) as conn:
        conn.execute("alter table raw.af_status add constraint no_fifty check (aktivitetsgrad is distinct from 50)")
    rows = [af_row(i, aktivitetsgrad="50" if i % 3 == 0 else "100") for i in range(1, 41)]  # 13 rows
    res = load(db_url, write_csv(tmp_path / "af_status_0581_202405.csv", AF_HEADER, rows), share=0.5)
    assert (res.status, res.reason_code) == ("rejected", "copy_failed")
    # the 11th refused row is row 33, line 34
    assert res.message.startswith("af_status_0581_202405.csv, line 34: PostgreSQL refused the row (")
    assert res.message.endswith("after 10 refused rows set aside already")
    assert q(db_url, "select status, reason_code from meta.file_ledger") == [("rejected", "copy_failed")]
    assert q(db_url, "select count(*) from raw.af_status") == [(0,)]


def test_the_other_files_load_when_one_fails_unexpectedly(db_url, tmp_path, monkeypatch):
    inbox = tmp_path / "inbox"
    write_csv(inbox / "af_status_0581_202404.csv", AF_HEADER, [af_row(1, statusmanad="2024-04")])
    write_csv(inbox / "af_status_0581_202405.csv", AF_HEADER, [af_row(1)])
    real = ingest._apply_replacement

    def broken(conn, sf, spec, file_id):
        if sf.path.name.endswith("202404.csv"):
            raise UnicodeEncodeError("ascii", "x", 0, 1, "a bug")
        return real(conn, sf, spec, file_id)

    monkeypatch.setattr(ingest, "_apply_replacement", broken)
    results = load_files(db_url, scan(inbox)[0], KEY, 0.05)
    assert [(r.status, r.reason_code) for r in results] == [("rejected", "load_error"), ("loaded", None)]
    assert results[0].message.startswith("af_status_0581_202404.csv: UnicodeEncodeError while loading: ")
    assert q(db_url, "select file_name, status, reason_code from meta.file_ledger order by file_id") == [
        ("af_status_0581_202404.csv", "rejected", "load_error"), ("af_status_0581_202405.csv", "loaded", None)]


# --------------------------------------------------------------------------
# unknown columns
def test_personnummer_in_unknown_columns_are_masked_and_reported(db_url, tmp_path):
    from dua.reporting.reports import data_quality_report

    header = AF_HEADER + ["anteckning", "kod", pnr(80).replace("-", "")]
    rows = [af_row(i) + [f"ring {pnr(i)[2:]}" if i <= 3 else "ok", "A1", ""] for i in range(1, 11)]
    res = load(db_url, write_csv(tmp_path / "af_status_0581_202405.csv", header, rows))
    assert (res.status, res.rows_loaded, res.masked_columns) == ("loaded", 10, {"anteckning": 3})
    extra = q(db_url, "select extra from raw.af_status order by line_no")
    assert extra[0][0] == {"anteckning": "ring XXXXXX-XXXX", "kod": "A1", "XXXXXXXXXXXX": ""}
    assert extra[5][0]["anteckning"] == "ok"
    assert q(db_url, "select finding, column_name, rows from meta.file_finding") == [
        ("personnummer_in_unknown_column", "anteckning", 3)]
    html = data_quality_report(db_url, tmp_path / "dq.html").read_text(encoding="utf-8")
    section = html.split("Okända kolumner med personnummer")[1].split("<h2>")[0]
    assert ('<td>af_status_0581_202405.csv</td><td>anteckning</td><td class="n">3</td>'
            '<td>inläst</td>') in section
    assert no_clear_personnummer(html, json.dumps([e[0] for e in extra]))


# --------------------------------------------------------------------------
# identity
def test_a_samordningsnummer_without_a_full_birth_date_loads_with_none(db_url, tmp_path):
    from dua.identity.personnummer import luhn_digit

    number = f"850061-123{luhn_digit('850061123')}"
    rows = [af_row(i) for i in range(1, 20)] + [af_row(99, personnummer=number)]
    res = load(db_url, write_csv(tmp_path / "af_status_0581_202405.csv", AF_HEADER, rows))
    assert (res.status, res.rows_loaded) == ("loaded", 20)
    assert q(db_url, "select pnr_is_samordning, birth_date, pnr_gender from raw.af_status where line_no = 21") == [
        (True, None, "M")]
