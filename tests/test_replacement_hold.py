"""Corrected Af files that would empty or drastically shrink their month are
held for review; ``accept`` applies one, ``retry`` restores an earlier
snapshot from a re-delivery of its identical bytes."""

from __future__ import annotations

from pathlib import Path

import psycopg
import pytest

from conftest import KEY, write_csv
from dua.ingest import loader as ingest
from dua.ingest.loader import ReloadRefused, identify, load_file, reload_file
from dua.reporting.reports import data_quality_report
from dua.warehouse import ledger
from test_ingest import AF_HEADER, af_row, q


@pytest.fixture(autouse=True)
def _files_are_complete(monkeypatch):
    """The tests write their files whole before they load them: no settle time."""
    monkeypatch.setenv("DUA_INBOX_SETTLE_SECONDS", "0")


NAME = "af_status_0581_202405.csv"


def load(db_url: str, path: Path, shrink: float = 0.5) -> ingest.LoadResult:
    with psycopg.connect(db_url, autocommit=True) as conn:
        return load_file(conn, identify(path), KEY, 0.5, run_id="test", max_shrink_share=shrink)


def af_file(tmp_path: Path, folder: str, persons: list[int], bad: int = 0) -> Path:
    rows = [af_row(n) for n in persons] + [af_row(900 + i, inskrivningsdatum="2023-13-01") for i in range(bad)]
    return write_csv(tmp_path / folder / NAME, AF_HEADER, rows)


def snapshot(db_url: str) -> list[tuple]:
    """(file_id, rows) of the raw Af table."""
    return q(db_url, "select file_id, count(*) from raw.af_status group by 1 order by 1")


def statuses(db_url: str) -> list[tuple]:
    return q(db_url, "select file_id, status, reason_code from meta.file_ledger order by file_id")


def test_a_header_only_correction_is_held_and_the_month_kept(db_url, tmp_path):
    first = af_file(tmp_path, "a", [1, 2, 3, 4])
    assert load(db_url, first).status == "loaded"
    header_only = write_csv(tmp_path / "b" / NAME, AF_HEADER, [])
    res = load(db_url, header_only)
    assert (res.status, res.reason_code, res.rows_loaded) == ("held", "snapshot_shrinks", 0)
    assert res.message.startswith("0 persons where the loaded snapshot of 0581 2024-05 has 4 (fewer than 50 %, "
                                  "DUA_MAX_SHRINK_SHARE): held for review, not applied; `dua accept ")
    assert snapshot(db_url) == [(1, 4)]  # the month's 4 persons are still there
    assert statuses(db_url) == [(1, "loaded", None), (2, "held", "snapshot_shrinks")]
    # nothing new to publish: a held file is not a load
    assert q(db_url, "select count(*) from meta.file_ledger where status in ('loaded', 'superseded')") == [(1,)]


def test_the_limit_is_a_share_of_the_persons_and_zero_turns_it_off(db_url, tmp_path):
    load(db_url, af_file(tmp_path, "a", [1, 2, 3, 4]))
    # 2 of 4 is not fewer than half: applied
    assert load(db_url, af_file(tmp_path, "b", [1, 2])).status == "loaded"
    assert snapshot(db_url) == [(2, 2)]
    # 0 of 2 with the limit at 0: applied (the month emptied, as asked)
    assert load(db_url, write_csv(tmp_path / "c" / NAME, AF_HEADER, []), shrink=0).status == "loaded"
    assert snapshot(db_url) == []
    # a new month has nothing to shrink: never held
    other = write_csv(tmp_path / "d" / "af_status_0581_202406.csv", AF_HEADER, [af_row(1, statusmanad="2024-06")])
    assert load(db_url, other, shrink=1).status == "loaded"


def test_one_of_four_persons_is_held_and_rejected_rows_do_not_count(db_url, tmp_path):
    load(db_url, af_file(tmp_path, "a", [1, 2, 3, 4]))
    # 1 valid person and 3 rejected rows: 1 < 0.5 * 4
    res = load(db_url, af_file(tmp_path, "b", [1], bad=1), shrink=0.5)
    assert (res.status, res.rows_total, res.rows_rejected) == ("held", 2, 1)
    assert "1 persons where the loaded snapshot of 0581 2024-05 has 4" in res.message
    # a held file keeps its quarantine like a rejected one, its rows are rolled back
    assert q(db_url, "select file_id, line_no from meta.quarantine") == [(2, 3)]
    assert snapshot(db_url) == [(1, 4)]


def test_accept_applies_the_held_file_and_retry_restores_the_earlier_snapshot(db_url, tmp_path):
    first = af_file(tmp_path, "a", [1, 2, 3, 4], bad=1)
    load(db_url, first)
    assert q(db_url, "select file_id, line_no from meta.quarantine") == [(1, 6)]
    held = af_file(tmp_path, "b", [5])
    assert load(db_url, held).status == "held"
    # a re-delivery of the held file's bytes is skipped: it waits for a person
    assert load(db_url, held).status == "skipped"

    res = reload_file(db_url, held, KEY, 0.5, 0.5, "run-accept", "accept")
    assert (res.status, res.rows_loaded) == ("loaded", 1)
    assert snapshot(db_url) == [(2, 1)]
    assert statuses(db_url) == [(1, "superseded", None), (2, "loaded", None)]
    assert q(db_url, "select run_id from meta.file_ledger where file_id = 2") == [("run-accept",)]

    # identical bytes of the first file: skipped as before ...
    redelivered = tmp_path / "c" / NAME
    redelivered.parent.mkdir()
    redelivered.write_bytes(first.read_bytes())
    assert load(db_url, redelivered).status == "skipped"
    # ... unless asked: retry loads them again as the month's snapshot
    res = reload_file(db_url, redelivered, KEY, 0.5, 0.5, "run-retry", "retry")
    assert (res.status, res.rows_loaded, res.rows_rejected) == ("loaded", 4, 1)
    assert snapshot(db_url) == [(1, 4)]
    assert statuses(db_url) == [(1, "loaded", None), (2, "superseded", None)]
    # its quarantine is that of this load, not doubled
    assert q(db_url, "select file_id, line_no from meta.quarantine") == [(1, 6)]
    person_ids = {p for (p,) in q(db_url, "select person_id from raw.af_status")}
    assert len(person_ids) == 4


def test_accept_and_retry_refuse_files_in_the_wrong_state(db_url, tmp_path):
    first = af_file(tmp_path, "a", [1, 2])
    load(db_url, first)
    with pytest.raises(ReloadRefused, match=r"accept applies to held files; this one \(af_status_0581_202405.csv\) "
                                            r"is loaded — it is loaded already"):
        reload_file(db_url, first, KEY, 0.5, 0.5, None, "accept")
    with pytest.raises(ReloadRefused, match="retry applies to superseded or rejected or held files"):
        reload_file(db_url, first, KEY, 0.5, 0.5, None, "retry")
    never = af_file(tmp_path, "b", [7])
    with pytest.raises(ReloadRefused, match=r"was never delivered \(its bytes are not in the ledger\)"):
        reload_file(db_url, never, KEY, 0.5, 0.5, None, "accept")
    assert statuses(db_url) == [(1, "loaded", None)]


def test_a_held_file_gives_way_to_a_later_correction(db_url, tmp_path):
    load(db_url, af_file(tmp_path, "a", [1, 2, 3, 4]))
    load(db_url, write_csv(tmp_path / "b" / NAME, AF_HEADER, []))
    assert load(db_url, af_file(tmp_path, "c", [1, 2, 3])).status == "loaded"
    assert statuses(db_url) == [(1, "superseded", None), (2, "superseded", "snapshot_shrinks"), (3, "loaded", None)]


def test_the_loader_task_counts_held_files(db_url, tmp_path, monkeypatch):
    from dua.orchestration.tasks import load_source

    monkeypatch.setenv("DUA_WAREHOUSE_URL", db_url)
    monkeypatch.setenv("DUA_PSEUDONYM_KEY", KEY.decode())
    monkeypatch.setenv("DUA_MAX_SHRINK_SHARE", "0.8")
    load(db_url, af_file(tmp_path, "a", [1, 2, 3, 4, 5]))
    inbox = tmp_path / "inbox"
    af_file(inbox, "x", [1, 2, 3])  # 3 < 0.8 * 5
    summary = load_source(["af"], str(inbox), "run-x")
    assert (summary["loaded"], summary["held"]) == (0, 1)
    assert summary["files"][0]["status"] == "held"
    assert "3 persons where the loaded snapshot of 0581 2024-05 has 5 (fewer than 80 %" in summary["files"][0][
        "message"]


def test_status_and_the_data_quality_report_show_held_files(db_url, tmp_path):
    load(db_url, af_file(tmp_path, "a", [1, 2, 3, 4]))
    load(db_url, write_csv(tmp_path / "b" / NAME, AF_HEADER, []))
    lines: list[str] = []
    ledger.print_status(db_url, lines.append)
    i = lines.index("Held for review (not applied; `dua accept FILE` applies one)")
    assert lines[i + 1].startswith(f"  {NAME}: 0 persons where the loaded snapshot of 0581 2024-05 has 4")
    printed: list[str] = []
    ledger.print_held(db_url, printed.append, "r1")
    assert printed[0] == "run r1: 1 file(s) held for review, not applied (`dua accept FILE` applies one):"
    html = data_quality_report(db_url, tmp_path / "dq.html").read_text(encoding="utf-8")
    assert "1 fil hålls för granskning" in html
    cells = f'<tr class="warn"><td>{NAME}</td><td>0581</td><td>2024-05</td><td class="n">0</td>'
    assert cells in html
