"""Property tests of the loader (hypothesis): arbitrary bytes, encodings,
quotes, line ends, field sizes and file names.

Whatever a file holds:

- reading it raises nothing but a whole-file rejection with a known reason;
- every non-blank physical line after the header is one record, and each
  record is either a row or a rejection: rows + rejections = records read;
- every row is one PostgreSQL takes (ASCII dates and numbers, no NUL, no
  unpaired surrogate, JSON that parses) and holds no personnummer in clear
  outside the pseudonym, and no rejection shows one;
- loaded into the warehouse, each file gets its ledger row and
  loaded + quarantined + identical repeats = rows read.

The reading layer runs without the database (many examples, fast); a smaller
number of examples goes through ``load_file`` into a real warehouse.  The
line limit is set low (DUA_MAX_LINE_CHARS=1024) so that long lines are cheap.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import tempfile
from pathlib import Path

import psycopg
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import KEY
from dua.identity.personnummer import PNR_PATTERN
from dua.ingest.loader import FileRejected, FileRows, identify, load_file
from dua.ingest.reader import inspect
from dua.ingest.sources import FILE_REASONS, REASONS, SPECS
from test_hostile_input import cat_row
from test_ingest import AF_HEADER, CAT_HEADER, DEXTER_HEADER, af_row, dexter_row

MAX_CHARS = 1024

SOURCES = {
    "af": ("af_status_0581_202405.csv", AF_HEADER, af_row),
    "dexter": ("dexter_isp_0581_20240630.csv", DEXTER_HEADER, dexter_row),
    "catalogue": ("jobbspar_katalog.csv", CAT_HEADER, cat_row),
}

# values a field may take instead of a valid one
ODD_VALUES = [
    "", " ", '"', '""', '";', ';"', '"x"y', "x\"y", "\x00", "a\x00b", "\r", "\n", "\r\n", "\u2028", "\x85",
    "\ufeff", "٣", "２０２４-０１-０８", "2024-0١-08", "１2,5", "²", "20080\uff15265709",
    "811218-9876", "8112189876", "19811218+9876", "850061-1234", "261204+9029", "811218-0008",
    "99999999999", "9" * 50, "-1", "1e5", "12,5", "NaN", "inf", "2024-02-30", "0000-01-01", "Pågående",
    "pågående", "SFI", "K", "M", "ÅÄÖ", "\u0301", "x" * 1500, "é" * 600,
]
FIELD = st.one_of(
    st.sampled_from(ODD_VALUES),
    st.text(st.characters(exclude_categories=("Cs",)), max_size=12),
    st.builds(lambda n, c: c * n, st.integers(0, 1100), st.sampled_from(["x", ";", '"', "9", "ö"])),
)
ENCODINGS = ["utf-8", "utf-8", "utf-8-sig", "cp1252", "cp1252", "utf-16", "utf-16-be", "utf-32"]
EOLS = ["\n", "\r\n", "\r"]
NAME = st.one_of(
    st.sampled_from([v[0] for v in SOURCES.values()]),
    st.sampled_from(["af_status_0581_202413.csv", "dexter_isp_0581_20240230.csv", "AF_STATUS_0581_202405.CSV",
                     "af_status_\uff10\uff15\uff18\uff11_202405.csv", "811218-9876.csv", "notes.txt"]),
    st.builds(lambda b: os.fsdecode(b"af_status_0581_202405_" + b + b".csv"),
              st.binary(min_size=1, max_size=4).filter(lambda b: b"/" not in b and b"\x00" not in b)),
    st.text(st.characters(exclude_categories=("Cs",), exclude_characters="/\x00"), min_size=1, max_size=40)
    .filter(lambda s: s not in (".", "..") and not s.startswith(".") and not s.endswith(".done")
            and len(os.fsencode(s)) < 200),
)


def _quote(value: str, how: str) -> str:
    if how == "all" or (how == "minimal" and any(c in value for c in ';"\r\n')):
        return '"' + value.replace('"', '""') + '"'
    return value


@st.composite
def deliveries(draw) -> tuple[str, str, bytes]:
    """(source, file name, bytes) of a file that starts out as a real delivery
    and is then bent: fields replaced, added or dropped, rows repeated, blank
    lines, quoting, line ends, encodings."""
    source = draw(st.sampled_from(sorted(SOURCES)))
    name, header, make = SOURCES[source]
    header = list(header)
    extra = draw(st.sampled_from([[], ["anteckning"], ["anteckning", "811218-9876"]]))
    header += extra
    if draw(st.integers(0, 9)) == 0:
        header.pop(draw(st.integers(0, len(header) - 1)))  # a column missing
    rows = []
    for i in range(draw(st.integers(0, 10))):
        if rows and draw(st.integers(0, 6)) == 0:
            rows.append(list(rows[-1]))  # a repeated row
            continue
        row = make(i + 1)[: len(header)] + [draw(FIELD) for _ in extra]
        for _ in range(draw(st.integers(0, 3))):
            row[draw(st.integers(0, len(row) - 1))] = draw(FIELD)
        if draw(st.integers(0, 9)) == 0:
            row = row[:-1] if draw(st.booleans()) else row + ["x"]
        rows.append(row)
    how = draw(st.sampled_from(["minimal", "minimal", "all", "none"]))
    eol = draw(st.sampled_from(EOLS))
    lines = [";".join(_quote(v, how) for v in r) for r in [header, *rows]]
    for _ in range(draw(st.integers(0, 2))):
        lines.insert(draw(st.integers(1, len(lines))), draw(st.sampled_from(["", "  ", '""', ";;"])))
    text = eol.join(lines) + draw(st.sampled_from([eol, ""]))
    encoding = draw(st.sampled_from(ENCODINGS))
    data = text.encode(encoding, errors="replace")
    if draw(st.integers(0, 9)) == 0:  # a few bytes flipped anywhere
        b = bytearray(data)
        for _ in range(draw(st.integers(1, 3))):
            if b:
                b[draw(st.integers(0, len(b) - 1))] = draw(st.integers(0, 255))
        data = bytes(b)
    if draw(st.integers(0, 4)) == 0:
        name = draw(NAME)
    return source, name, data


def _records_read(data: bytes, encoding: str) -> int:
    """Non-blank physical lines after the header, counted from the text."""
    text = data.decode(encoding, errors="surrogateescape")
    lines = [ln for ln in re.split(r"\r\n|\r|\n", text)
             if ln.strip() != "" and not re.fullmatch(r'"\s*"', ln)]
    return max(0, len(lines) - 1)


_DATE_COLUMNS = re.compile(r"(datum|_date|_fran|_till|isp_uppdaterad|status_month)$")
_NUMERIC = re.compile(r"[+-]?([0-9]+([.][0-9]*)?|[.][0-9]+)", re.ASCII)


def _assert_copyable(spec, row: tuple) -> None:
    assert len(row) == len(spec.raw_columns)
    for column, value in zip(spec.raw_columns, row, strict=True):
        if value is None or isinstance(value, bool):
            continue
        if isinstance(value, int):
            assert -(2**31) <= value < 2**31, column
            continue
        assert isinstance(value, str), (column, value)
        assert "\x00" not in value, column
        value.encode("utf-8")  # no unpaired surrogate
        if _DATE_COLUMNS.search(column):
            assert re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", value, re.ASCII), (column, value)
            dt.date.fromisoformat(value)
        elif column == "franvaro_procent":
            assert _NUMERIC.fullmatch(value), value
        elif column == "person_id":
            assert re.fullmatch(r"[0-9a-f]{64}", value)
        elif column == "extra":
            assert isinstance(json.loads(value), dict)
            assert "\\u0000" not in value and not PNR_PATTERN.search(value), value


def _write(tmpdir: str, name: str, data: bytes) -> Path:
    folder = Path(tempfile.mkdtemp(dir=tmpdir))
    path = folder / name
    path.write_bytes(data)
    return path


@pytest.fixture(scope="module")
def scratch(tmp_path_factory) -> str:
    return str(tmp_path_factory.mktemp("hostile"))


@pytest.fixture(autouse=True)
def _short_lines(monkeypatch):
    monkeypatch.setenv("DUA_MAX_LINE_CHARS", str(MAX_CHARS))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(deliveries())
def test_reading_any_file_gives_one_outcome_per_record(scratch, delivery):
    source, _name, data = delivery
    name = SOURCES[source][0]
    path = _write(scratch, name, data)
    sf = identify(path)
    facts = inspect(path)
    if facts.unsupported:
        return  # refused whole by the loader (test_utf16_and_utf32_are_refused_naming_the_encoding)
    try:
        rows = FileRows(path, sf.spec, sf.context, KEY, facts, name, max_chars=MAX_CHARS, aliases={})
    except FileRejected as exc:
        assert exc.code in FILE_REASONS and str(exc).startswith(name)
        return
    loaded = rejected = 0
    for line_no, row, rejection in rows:
        assert line_no >= 2
        if rejection is None:
            _assert_copyable(sf.spec, row)
            loaded += 1
        else:
            code, _column, message, raw_line = rejection
            assert code in REASONS, code
            assert not PNR_PATTERN.search(message) and not PNR_PATTERN.search(raw_line), (message, raw_line)
            assert "\x00" not in message + raw_line
            (message + raw_line).encode("utf-8")
            rejected += 1
    assert loaded + rejected == _records_read(data, facts.encoding)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.binary(max_size=600), st.sampled_from(sorted(SOURCES)))
def test_reading_random_bytes_raises_nothing(scratch, data, source):
    name = SOURCES[source][0]
    path = _write(scratch, name, data)
    sf = identify(path)
    facts = inspect(path)
    if facts.unsupported:
        return
    try:
        rows = FileRows(path, sf.spec, sf.context, KEY, facts, name, max_chars=MAX_CHARS, aliases={})
    except FileRejected as exc:
        assert exc.code in FILE_REASONS
        return
    outcomes = list(rows)
    assert len(outcomes) == _records_read(data, facts.encoding)


@settings(max_examples=30, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(deliveries())
def test_loading_any_file_leaves_a_ledger_row_and_counts_that_add_up(db_url, scratch, delivery):
    _source, name, data = delivery
    path = _write(scratch, name, data)
    with psycopg.connect(db_url, autocommit=True) as conn:
        res = load_file(conn, identify(path), KEY, 0.05, run_id="prop")
    assert res.status in ("loaded", "rejected", "skipped"), res
    with psycopg.connect(db_url) as conn:
        ledger = conn.execute(
            "select file_name, status, rows_total, rows_loaded, rows_rejected, rows_repeated, reason_code, message"
            " from meta.file_ledger where file_id = %s", (res.file_id,)).fetchone() if res.file_id else None
        if res.status == "skipped":
            return  # identical bytes were delivered by an earlier example
        assert ledger is not None
        file_name, status, total, loaded, rejected, repeated, reason, message = ledger
        assert (status, reason) == (res.status, res.reason_code)
        assert not PNR_PATTERN.search(file_name) and not PNR_PATTERN.search(message or "")
        quarantined = conn.execute("select count(*) from meta.quarantine where file_id = %s",
                                   (res.file_id,)).fetchone()[0]
        in_raw = sum(conn.execute(f"select count(*) from {s.table} where file_id = %s", (res.file_id,)).fetchone()[0]
                     for s in SPECS.values())
    assert quarantined == rejected
    assert in_raw == loaded
    if status == "loaded":
        assert loaded + rejected + repeated == total
        assert total == _records_read(data, inspect(path).encoding)
    else:
        assert reason in FILE_REASONS and message.startswith(file_name)
        assert loaded == 0
