"""Runs that cannot silently go wrong: the pseudonym key's fingerprint, key
rotation, one run at a time, one-line errors with the traceback in the log,
reading commands that make no warehouse, secrets created private."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import os
import stat
import subprocess
import sys
from pathlib import Path

import psycopg
import pytest

from conftest import write_csv
from dua.cli import main as cli
from dua.identity.keycheck import KeyMismatch, check_key, fingerprint, plan_rotation, rotate
from dua.identity.personnummer import parse
from dua.orchestration.tasks import load_source
from dua.warehouse import ledger
from dua.warehouse.ledger import RunLocked
from test_ingest import AF_HEADER, af_row, pnr, q

DUA = Path(sys.executable).parent / "dua"


@pytest.fixture(autouse=True)
def _files_are_complete(monkeypatch):
    """The tests write their files whole before they load them: no settle time."""
    monkeypatch.setenv("DUA_INBOX_SETTLE_SECONDS", "0")


def _env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("DUA_")}
    env.update(extra)
    return env


def _dua(*args: str, cwd: Path | None = None, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(DUA), *args], env=_env(**env), cwd=cwd, capture_output=True, text=True, timeout=600)


def _af(inbox: Path, month: str, persons: list[int], bad: int = 0) -> Path:
    rows = [af_row(n, statusmanad=f"{month[:4]}-{month[4:]}") for n in persons]
    rows += [af_row(900 + i, statusmanad=f"{month[:4]}-{month[4:]}", kon="X") for i in range(bad)]
    return write_csv(inbox / f"af_status_0581_{month}.csv", AF_HEADER, rows)


def _use(monkeypatch, db_url: str, key: str) -> None:
    monkeypatch.setenv("DUA_WAREHOUSE_URL", db_url)
    monkeypatch.setenv("DUA_PSEUDONYM_KEY", key)
    monkeypatch.setenv("DUA_MAX_REJECT_SHARE", "0.5")  # a small file with a bad row still loads


# ------------------------------------------------------------ the key's fingerprint
def test_the_first_load_records_the_fingerprint_and_another_key_is_refused(db_url, tmp_path, monkeypatch):
    inbox = tmp_path / "inbox"
    _af(inbox, "202405", [1, 2])
    _use(monkeypatch, db_url, "key-one")
    assert load_source(["af"], str(inbox), "r1")["loaded"] == 1
    # an HMAC of a fixed label under the key, never the key
    expected = hmac.new(b"key-one", b"dua pseudonym key fingerprint v1", hashlib.sha256).hexdigest()
    assert q(db_url, "select fingerprint, previous_fingerprint from meta.pseudonym_key") == [(expected, None)]
    assert expected == fingerprint(b"key-one")

    _af(inbox, "202406", [1, 2])
    monkeypatch.setenv("DUA_PSEUDONYM_KEY", "key-two")
    with pytest.raises(KeyMismatch) as exc:
        load_source(["af"], str(inbox), "r2")
    message = str(exc.value)
    assert "\n" not in message
    assert message.startswith(f"DUA_PSEUDONYM_KEY is not the key this warehouse's pseudonyms were made with "
                              f"(fingerprint {fingerprint(b'key-two')[:12]}, the warehouse's {expected[:12]} since ")
    assert "`dua rotate-key --inbox DIR --old-key-file FILE`" in message
    assert q(db_url, "select count(*) from meta.file_ledger") == [(1,)]  # nothing loaded with the other key

    monkeypatch.setenv("DUA_PSEUDONYM_KEY", "key-one")
    assert load_source(["af"], str(inbox), "r3")["loaded"] == 1
    # two months of the same two persons: two persons, not four
    assert q(db_url, "select count(distinct person_id), count(*) from raw.af_status") == [(2, 4)]


def test_a_reader_with_a_key_checks_it_but_records_nothing(db_url):
    assert check_key(db_url, b"any", record=False) == "none"
    assert q(db_url, "select count(*) from meta.pseudonym_key") == [(0,)]
    assert check_key(db_url, b"any") == "recorded"
    assert check_key(db_url, b"any") == "match"
    assert check_key(db_url, b"any", record=False) == "match"
    with pytest.raises(KeyMismatch):
        check_key(db_url, b"other", record=False)


def test_run_and_worklist_with_another_key_end_in_one_line_before_any_work(db_url, tmp_path):
    check_key(db_url, b"key-one")
    inbox = tmp_path / "inbox"
    _af(inbox, "202405", [1])
    pnr_file = tmp_path / "pnr.txt"
    pnr_file.write_text(pnr(1) + "\n")
    for args in (["run", "--inbox", str(inbox)], ["worklist", "--pnr-file", str(pnr_file)]):
        res = _dua(*args, DUA_HOME=str(tmp_path / "home"), DUA_WAREHOUSE_URL=db_url, DUA_PSEUDONYM_KEY="key-two")
        assert res.returncode == 2, res.stderr
        lines = res.stderr.splitlines()
        assert len(lines) == 1 and lines[0].startswith("dua: DUA_PSEUDONYM_KEY is not the key"), res.stderr
        assert "Traceback" not in res.stdout + res.stderr
    assert q(db_url, "select count(*) from meta.run_log") == [(0,)]
    assert q(db_url, "select count(*) from meta.file_ledger") == [(0,)]


# ------------------------------------------------------------------- rotation
def test_rotation_checks_the_old_key_and_the_inbox_then_rebuilds_with_the_new_key(db_url, tmp_path, monkeypatch):
    inbox = tmp_path / "inbox"
    _af(inbox, "202405", [1, 2], bad=1)
    _af(inbox, "202406", [2, 3])
    _use(monkeypatch, db_url, "key-one")
    load_source(["af"], str(inbox), "r1")
    assert q(db_url, "select count(*) from meta.quarantine") == [(1,)]

    assert plan_rotation(db_url, b"key-one", None, inbox).nothing_to_do.startswith(
        "DUA_PSEUDONYM_KEY is the warehouse's key already")
    with pytest.raises(KeyMismatch, match="the old key given is not the warehouse's key either"):
        plan_rotation(db_url, b"key-two", b"key-three", inbox)
    plan = plan_rotation(db_url, b"key-two", b"key-one", inbox)
    assert (plan.nothing_to_do, plan.loaded, plan.missing) == (None, 2, [])
    partial = tmp_path / "partial"
    partial.mkdir()
    (partial / "af_status_0581_202405.csv").write_bytes((inbox / "af_status_0581_202405.csv").read_bytes())
    assert plan_rotation(db_url, b"key-two", b"key-one", partial).missing == ["af_status_0581_202406.csv"]

    with psycopg.connect(db_url, autocommit=True) as conn:  # what dbt built from the old pseudonyms
        conn.execute("create schema marts")
        conn.execute("create table marts.persons as select distinct person_id from raw.af_status")
    assert rotate(db_url, b"key-two") == {"files": 2, "rows": 4, "quarantine": 1}
    assert q(db_url, "select (select count(*) from raw.af_status) + (select count(*) from meta.file_ledger)"
                     " + (select count(*) from meta.quarantine)") == [(0,)]
    assert q(db_url, "select to_regclass('marts.persons')") == [(None,)]
    assert q(db_url, "select fingerprint, previous_fingerprint from meta.pseudonym_key") == [
        (fingerprint(b"key-two"), fingerprint(b"key-one"))]

    monkeypatch.setenv("DUA_PSEUDONYM_KEY", "key-two")
    assert load_source(["af"], str(inbox), "r2")["loaded"] == 2
    may = dt.date(2024, 5, 31)
    expected = {parse(pnr(n), may).pseudonym(b"key-two") for n in (1, 2, 3)}
    assert {p for (p,) in q(db_url, "select person_id from raw.af_status")} == expected
    assert q(db_url, "select count(*) from meta.quarantine") == [(1,)]


# ------------------------------------------------------------ one run at a time
def test_a_second_run_is_refused_naming_the_run_that_holds_the_lock(db_url):
    with ledger.run_lock(db_url, "20260101T000000Z-aaaaaa", "run"):
        with pytest.raises(RunLocked) as exc:
            with ledger.run_lock(db_url, "20260101T000001Z-bbbbbb", "run"):
                pass
        assert str(exc.value).startswith("another run (run 20260101T000000Z-aaaaaa, since ")
        assert str(exc.value).endswith(" holds the warehouse's run lock; wait until it has finished "
                                       "(one run at a time per warehouse)")
        with psycopg.connect(db_url) as conn:  # the key of the lock: 7410010, no other lock uses it
            assert conn.execute("select count(*) from pg_locks where locktype = 'advisory' and objid = 7410010"
                                " and objsubid = 1 and granted").fetchone() == (1,)
    with ledger.run_lock(db_url, "20260101T000002Z-cccccc", "run") as interrupted:  # released with the block
        assert interrupted == 0


def test_the_cli_refuses_a_second_run_in_one_line(db_url, tmp_path):
    inbox = tmp_path / "inbox"
    _af(inbox, "202405", [1])
    with ledger.run_lock(db_url, "20260101T000000Z-aaaaaa", "run"):
        res = _dua("run", "--inbox", str(inbox), DUA_HOME=str(tmp_path / "home"), DUA_WAREHOUSE_URL=db_url,
                   DUA_PSEUDONYM_KEY="k")
    assert res.returncode == 4
    assert res.stderr.splitlines() == [res.stderr.strip()]
    assert res.stderr.startswith("dua: another run (run 20260101T000000Z-aaaaaa, since ")
    assert q(db_url, "select count(*) from meta.run_log") == [(0,)]


def test_runs_left_running_by_a_dead_command_show_as_interrupted_and_the_next_run_marks_them(db_url):
    with psycopg.connect(db_url) as conn:
        conn.execute("insert into meta.run_log (run_id, command) values ('20260101T000000Z-dead00', 'run')")
    lines: list[str] = []
    ledger.print_status(db_url, lines.append)
    assert any(line.startswith("  20260101T000000Z-dead00  run    interrupted") for line in lines), lines
    with ledger.run_lock(db_url, "20260101T000001Z-next00") as interrupted:
        assert interrupted == 1
    assert q(db_url, "select status, detail->>'interrupted', finished_at is not null from meta.run_log") == [
        ("failed", "true", True)]


# ------------------------------------------------------------ errors: one line
def test_an_unreachable_warehouse_ends_in_one_line_and_the_traceback_in_the_log(tmp_path):
    inbox = tmp_path / "inbox"
    _af(inbox, "202405", [1])
    home = tmp_path / "home"
    res = _dua("run", "--inbox", str(inbox), DUA_HOME=str(home), DUA_PSEUDONYM_KEY="k",
               DUA_WAREHOUSE_URL="postgresql://dua:s3cret@127.0.0.1:1/dua")
    assert res.returncode == 1
    assert res.stdout == ""
    (line,) = res.stderr.splitlines()
    assert line.startswith("dua: the warehouse at postgresql://dua@127.0.0.1:1/dua cannot be reached or failed: ")
    assert line.endswith(f"(traceback in {home / 'logs' / 'dua.log'})")
    assert "s3cret" not in line
    log = (home / "logs" / "dua.log").read_text()
    assert "Traceback (most recent call last)" in log and "psycopg.OperationalError" in log
    assert stat.S_IMODE((home / "logs" / "dua.log").stat().st_mode) == 0o600
    assert stat.S_IMODE((home / "logs").stat().st_mode) == 0o700


def test_a_warehouse_that_dies_mid_run_ends_in_one_line_and_the_run_is_not_left_running(tmp_path, monkeypatch,
                                                                                         capsys):
    from dua.warehouse.server import EmbeddedPostgres, _bin

    home = tmp_path / "home"
    monkeypatch.setenv("DUA_HOME", str(home))
    monkeypatch.delenv("DUA_WAREHOUSE_URL", raising=False)
    monkeypatch.setenv("DUA_PSEUDONYM_KEY", "k")
    inbox = tmp_path / "inbox"
    _af(inbox, "202405", [1])

    def dies(url: str, inbox: Path, run_id: str):
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute("checkpoint")  # what was committed so far survives the crash
        server = EmbeddedPostgres(home / "pg")
        server._run([_bin("pg_ctl"), "-D", str(server.data_dir), "-m", "immediate", "-w", "stop"])
        ledger.print_files(url, run_id, print)  # the run's next step on the dead server
        raise AssertionError("not reached")

    monkeypatch.setattr(cli, "_run_pipeline", dies)
    assert cli.main(["run", "--inbox", str(inbox)]) == 1
    out, err = capsys.readouterr()
    (line,) = err.splitlines()
    assert line.startswith("dua: the warehouse cannot be reached or failed: ")
    assert cli.main(["status"]) == 0
    out, _ = capsys.readouterr()
    (row,) = [r for r in out.splitlines() if r.startswith("  20") and " run " in r]
    assert " interrupted " in row, out  # not "running": no command holds the run lock
    run_id = row.split()[0]
    from dua.warehouse.server import warehouse

    with warehouse() as url, ledger.run_lock(url, "next") as interrupted:
        assert interrupted == 1
        with psycopg.connect(url) as conn:
            assert conn.execute("select status from meta.run_log where run_id = %s", (run_id,)).fetchone() == (
                "failed",)


_CONSOLE = """
import logging, os, subprocess, sys
from pathlib import Path
from dua.orchestration.airflow_runner import console_to
logging.basicConfig()  # a handler holding sys.stderr, as Airflow's do
print("before", flush=True)
with console_to(Path(sys.argv[1]), "dag dua_transform r1"):
    print("Traceback (most recent call last): from python")
    logging.getLogger("airflow").error("from a logger")
    os.write(2, b"on stderr\\n")
    subprocess.run(["echo", "from a child process"], check=True)
print("after", flush=True)
"""


def test_what_airflow_prints_during_a_dag_run_goes_to_the_log(tmp_path):
    log = tmp_path / "logs" / "dua.log"
    res = subprocess.run([sys.executable, "-c", _CONSOLE, str(log)], capture_output=True, text=True, timeout=60)
    assert (res.returncode, res.stdout, res.stderr) == (0, "before\nafter\n", "")
    lines = log.read_text().splitlines()
    assert lines[0].startswith("--- ") and " dag dua_transform r1 (pid " in lines[0]
    assert sorted(lines[1:]) == sorted(["Traceback (most recent call last): from python", "ERROR:airflow:from a logger",
                                        "on stderr", "from a child process"])
    assert stat.S_IMODE(log.stat().st_mode) == 0o600


# --------------------------------------------------------------- generate
def test_generate_reads_a_three_digit_kommunkod_as_its_four_digit_code(tmp_path, capsys):
    out = tmp_path / "gen"
    assert cli.main(["generate", "--out", str(out), "--municipalities", "581", "--persons", "5", "--months", "1",
                     "--quiet"]) == 0
    assert capsys.readouterr().out.splitlines()[0] == "municipality 581 read as 0581"
    assert sorted(p.name for p in out.glob("af_status_*.csv")) == ["af_status_0581_202609.csv"]


@pytest.mark.parametrize(("value", "message"), [
    ("58x", "dua: --municipalities: '58x' is not a kommunkod (4 digits, e.g. 0581)"),
    ("9999", "dua: --municipalities: '9999' is not the code of a Swedish municipality "
             "(see dbt_project/seeds/scb_municipalities.csv)"),
    ("0581,581", "dua: --municipalities: 0581 is named twice"),
])
def test_generate_refuses_what_is_no_kommunkod_in_one_line(tmp_path, capsys, value, message):
    assert cli.main(["generate", "--out", str(tmp_path / "gen"), "--municipalities", value, "--quiet"]) == 2
    assert capsys.readouterr().err.splitlines() == [message]
    assert not (tmp_path / "gen").exists()


# ------------------------------------------------- reading commands make nothing
@pytest.mark.parametrize("args", [["status"], ["export", "--out", "x.csv"], ["report", "--area", "0581"],
                                  ["worklist", "--pnr-file", "pnr.txt"]])
def test_reading_commands_in_another_folder_say_there_is_no_warehouse(tmp_path, args):
    (tmp_path / "pnr.txt").write_text("")
    res = _dua(*args, cwd=tmp_path, DUA_PSEUDONYM_KEY="k")
    assert res.returncode == 2
    assert res.stderr.splitlines() == [
        f"dua: no warehouse at {tmp_path / '.dua' / 'pg'}: `dua run --inbox DIR` or `dua demo` makes one; "
        "set DUA_HOME (or DUA_WAREHOUSE_URL) to use an existing one"]
    assert not (tmp_path / ".dua").exists()
    assert not (tmp_path / "x.csv").exists()


# ------------------------------------------------------------- private files
def _modes(root: Path) -> dict[str, int]:
    return {str(p.relative_to(root)): stat.S_IMODE(p.stat().st_mode) for p in [root, *root.rglob("*")]}


def test_the_demo_key_and_clear_inbox_are_created_private_without_chmod(tmp_path, monkeypatch):
    monkeypatch.setenv("DUA_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("DUA_PSEUDONYM_KEY", "")  # unset for the demo, restored afterwards
    monkeypatch.setattr(cli, "run_pipeline", lambda inbox: 0)

    def no_chmod(*args, **kwargs):
        raise AssertionError("a file was made with another mode and changed afterwards")

    monkeypatch.setattr(os, "chmod", no_chmod)
    monkeypatch.setattr(Path, "chmod", no_chmod)
    umask = os.umask(0o022)  # the usual umask: files 0644 unless made otherwise
    try:
        assert cli.main(["demo", "--persons", "5", "--months", "2"]) == 0
    finally:
        os.umask(umask)
    key = tmp_path / "home" / "demo_pseudonym_key"
    assert stat.S_IMODE(key.stat().st_mode) == 0o600
    assert len(key.read_text()) == 64 and os.environ["DUA_PSEUDONYM_KEY"] == key.read_text()
    modes = _modes(tmp_path / "home" / "demo_inbox")
    assert len(modes) >= 6  # the folder, its sub-folder and the files
    for name, mode in modes.items():
        want = 0o700 if (tmp_path / "home" / "demo_inbox" / name).is_dir() else 0o600
        assert mode == want, (name, oct(mode))


def test_a_demo_inbox_made_before_is_made_private(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("DUA_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("DUA_PSEUDONYM_KEY", "k")
    monkeypatch.setattr(cli, "run_pipeline", lambda inbox: 0)
    inbox = tmp_path / "home" / "demo_inbox"
    inbox.mkdir(parents=True)
    inbox.chmod(0o755)
    (inbox / "af_status_0581_202405.csv").write_text("x")
    (inbox / "af_status_0581_202405.csv").chmod(0o644)
    assert cli.main(["demo"]) == 0
    assert "was readable by others; now its owner's only" in capsys.readouterr().out
    assert _modes(inbox) == {".": 0o700, "af_status_0581_202405.csv": 0o600}


# ------------------------------------------- the commands, without Airflow
def test_accept_and_retry_load_only_on_the_command_line(db_url, tmp_path, monkeypatch):
    inbox = tmp_path / "inbox"
    first = _af(inbox / "a", "202405", [1, 2, 3, 4])
    _use(monkeypatch, db_url, "key-one")
    load_source(["af"], str(inbox), "r1")
    header_only = write_csv(inbox / "b" / "af_status_0581_202405.csv", AF_HEADER, [])
    assert load_source(["af"], str(inbox), "r2")["held"] == 1
    env = {"DUA_HOME": str(tmp_path / "home"), "DUA_WAREHOUSE_URL": db_url, "DUA_PSEUDONYM_KEY": "key-one"}

    res = _dua("accept", "--load-only", str(first), **env)
    assert res.returncode == 2
    assert res.stderr.splitlines() == [f"dua: {first}: accept applies to held files; this one "
                                       "(af_status_0581_202405.csv) is loaded — it is loaded already"]
    res = _dua("accept", "--load-only", str(header_only), **env)
    assert res.returncode == 0, res.stderr
    assert "  loaded     af_status_0581_202405.csv: 0 rows loaded, 0 quarantined" in res.stdout
    assert "af_status_0581_202405.csv applied; build and publish with `dua run`" in res.stdout
    assert q(db_url, "select count(*) from raw.af_status") == [(0,)]
    res = _dua("retry", "--load-only", str(first), **env)
    assert res.returncode == 0, res.stderr
    assert q(db_url, "select count(*) from raw.af_status") == [(4,)]
    assert q(db_url, "select command, status from meta.run_log order by started_at") == [
        ("accept", "success"), ("retry", "success")]


def test_rotate_key_on_the_command_line_refuses_then_rebuilds(db_url, tmp_path, monkeypatch):
    inbox = tmp_path / "inbox"
    _af(inbox, "202405", [1, 2])
    _af(inbox, "202406", [2, 3])
    _use(monkeypatch, db_url, "key-one")
    load_source(["af"], str(inbox), "r1")
    old_key = tmp_path / "old_key"
    old_key.write_text("key-one\n")
    wrong_key = tmp_path / "wrong_key"
    wrong_key.write_text("key-zero\n")
    partial = tmp_path / "partial"
    partial.mkdir()
    (partial / "af_status_0581_202405.csv").write_bytes((inbox / "af_status_0581_202405.csv").read_bytes())
    env = {"DUA_HOME": str(tmp_path / "home"), "DUA_WAREHOUSE_URL": db_url, "DUA_PSEUDONYM_KEY": "key-two"}

    res = _dua("rotate-key", "--inbox", str(inbox), "--old-key-file", str(wrong_key), "--load-only", **env)
    assert (res.returncode, len(res.stderr.splitlines())) == (2, 1)
    assert res.stderr.startswith("dua: the old key given is not the warehouse's key either")
    res = _dua("rotate-key", "--inbox", str(partial), "--old-key-file", str(old_key), "--load-only", **env)
    assert res.returncode == 2
    assert res.stderr.splitlines() == [
        f"dua: 1 loaded file(s) are not in {partial} (af_status_0581_202406.csv): a rebuild without them would lose "
        "their rows; put them into the inbox, or pass --allow-missing to rebuild without them"]
    assert q(db_url, "select fingerprint from meta.pseudonym_key") == [(fingerprint(b"key-one"),)]
    assert q(db_url, "select count(*) from raw.af_status") == [(4,)]

    res = _dua("rotate-key", "--inbox", str(inbox), "--old-key-file", str(old_key), "--load-only", **env)
    assert res.returncode == 0, res.stderr
    assert f"rotate-key: 2 loaded file(s) in the ledger, 2 of them in {inbox}" in res.stdout
    assert "rotate-key: removed 2 ledger rows, 4 raw rows and 0 quarantined rows made with the old key" in res.stdout
    may = dt.date(2024, 5, 31)
    assert {p for (p,) in q(db_url, "select person_id from raw.af_status")} == {
        parse(pnr(n), may).pseudonym(b"key-two") for n in (1, 2, 3)}
    assert q(db_url, "select count(*), count(distinct person_id) from raw.af_status") == [(4, 3)]
    # done: the same rotation again has nothing to do
    res = _dua("rotate-key", "--inbox", str(inbox), "--old-key-lost", "--load-only", **env)
    assert (res.returncode, res.stdout.strip()) == (
        0, "rotate-key: DUA_PSEUDONYM_KEY is the warehouse's key already; nothing changed")
