"""The embedded warehouse and the any-URL path."""

from __future__ import annotations

import os
import signal
import stat
import subprocess
import sys
import textwrap
import time

import psycopg
import pytest

from dua.warehouse.server import EmbeddedPostgres, WarehouseMissing, _is_postgres, safe_url, warehouse


def test_embedded_server_starts_stops_and_keeps_its_data(tmp_path, monkeypatch):
    monkeypatch.setenv("DUA_HOME", str(tmp_path / "home"))
    monkeypatch.delenv("DUA_WAREHOUSE_URL", raising=False)
    with warehouse() as url:
        password = (tmp_path / "home" / "pg" / "password").read_text().strip()
        assert url.startswith(f"postgresql://postgres:{password}@127.0.0.1:")
        with psycopg.connect(url) as conn:
            conn.execute("create table public.marker (n int)")
            conn.execute("insert into public.marker values (42)")
    server = EmbeddedPostgres(tmp_path / "home" / "pg")
    assert server.running_port() is None  # stopped when the command is done
    with warehouse() as url2:
        with psycopg.connect(url2) as conn:
            assert conn.execute("select n from public.marker").fetchall() == [(42,)]
            # the raw and meta schemas are there on every start
            assert conn.execute("select count(*) from meta.file_ledger").fetchone() == (0,)


def test_a_running_server_is_reused_and_left_running(tmp_path, monkeypatch):
    monkeypatch.setenv("DUA_HOME", str(tmp_path / "home"))
    monkeypatch.delenv("DUA_WAREHOUSE_URL", raising=False)
    outer = EmbeddedPostgres(tmp_path / "home" / "pg")
    url = outer.start()
    try:
        with warehouse() as inner_url:
            assert inner_url == url
        assert outer.running_port() is not None
    finally:
        outer.stop()


def test_any_postgresql_url_is_used_as_is(db_url, tmp_path, monkeypatch):
    # db_url lives on a second, plain PostgreSQL server started by the test suite
    monkeypatch.setenv("DUA_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("DUA_WAREHOUSE_URL", db_url)
    with warehouse() as url:
        assert url == db_url
        with psycopg.connect(url) as conn:
            assert conn.execute("select to_regclass('raw.af_status') is not null").fetchone() == (True,)
    assert not (tmp_path / "home" / "pg").exists()  # no embedded server was made


def test_raw_tables_have_no_per_row_foreign_key_and_old_ones_are_dropped(db_url):
    from dua.warehouse.server import apply_schema

    def raw_foreign_keys() -> list[tuple]:
        with psycopg.connect(db_url) as conn:
            return conn.execute(
                "select conrelid::regclass::text from pg_constraint where contype = 'f'"
                " and connamespace = 'raw'::regnamespace order by 1").fetchall()

    assert raw_foreign_keys() == []
    with psycopg.connect(db_url, autocommit=True) as conn:  # a warehouse made by an earlier version
        for table in ("raw.dexter_enrolment", "raw.af_status", "raw.jobbspar_katalog"):
            conn.execute(f"alter table {table} add foreign key (file_id) references meta.file_ledger (file_id)")
    assert len(raw_foreign_keys()) == 3
    apply_schema(db_url)
    assert raw_foreign_keys() == []
    apply_schema(db_url)  # idempotent
    with psycopg.connect(db_url) as conn:  # the quarantine keeps its key: one check per rejected row
        assert conn.execute("select count(*) from pg_constraint where contype = 'f'"
                            " and conrelid = 'meta.quarantine'::regclass").fetchone() == (1,)


def _refused(url: str) -> str:
    with pytest.raises(psycopg.OperationalError) as exc:
        psycopg.connect(url, connect_timeout=10).close()
    return str(exc.value)


def test_only_the_warehouse_user_with_its_password_gets_in(tmp_path, monkeypatch):
    monkeypatch.setenv("DUA_HOME", str(tmp_path / "home"))
    monkeypatch.delenv("DUA_WAREHOUSE_URL", raising=False)
    password_file = tmp_path / "home" / "pg" / "password"
    with warehouse() as url:
        password = password_file.read_text().strip()
        assert len(password) == 48 and int(password, 16) >= 0  # 24 random bytes, hex
        assert stat.S_IMODE(password_file.stat().st_mode) == 0o600
        port = url.split("@127.0.0.1:")[1].split("/")[0]
        with psycopg.connect(url) as conn:
            assert conn.execute("select rolpassword like 'SCRAM-SHA-256$%' from pg_authid"
                                " where rolname = 'postgres'").fetchone() == (True,)
            conn.execute("create role someone login password 'someone'")
        assert "no password supplied" in _refused(f"postgresql://postgres@127.0.0.1:{port}/dua")
        assert "password authentication failed" in _refused(f"postgresql://postgres:guess@127.0.0.1:{port}/dua")
        # another role, even with its right password, is rejected by pg_hba.conf
        assert "rejects connection" in _refused(f"postgresql://someone:someone@127.0.0.1:{port}/dua")
        assert safe_url(url) == f"postgresql://postgres@127.0.0.1:{port}/dua"


def test_a_warehouse_of_an_earlier_version_that_trusted_everyone_is_converted(tmp_path, monkeypatch):
    monkeypatch.setenv("DUA_HOME", str(tmp_path / "home"))
    monkeypatch.delenv("DUA_WAREHOUSE_URL", raising=False)
    root = tmp_path / "home" / "pg"
    with warehouse() as url:
        with psycopg.connect(url) as conn:
            conn.execute("create table public.marker as select 7 as n")
    # what an earlier version left: trust on 127.0.0.1, no password
    (root / "data" / "pg_hba.conf").write_text("host all all 127.0.0.1/32 trust\n")
    (root / "password").unlink()
    with warehouse() as url:
        port = url.split("@127.0.0.1:")[1].split("/")[0]
        assert "no password supplied" in _refused(f"postgresql://postgres@127.0.0.1:{port}/dua")
        with psycopg.connect(url) as conn:
            assert conn.execute("select n from public.marker").fetchone() == (7,)
    assert stat.S_IMODE((root / "password").stat().st_mode) == 0o600


_HOLDER = textwrap.dedent("""
    import sys, time
    from dua.warehouse.server import warehouse
    with warehouse() as url:
        print(url.rsplit(":", 1)[1], flush=True)
        time.sleep(float(sys.argv[1]))
""")


def _holder(seconds: float) -> tuple[subprocess.Popen, int]:
    """A command using the warehouse for ``seconds``; its port."""
    proc = subprocess.Popen([sys.executable, "-c", _HOLDER, str(seconds)], stdout=subprocess.PIPE, text=True)
    line = proc.stdout.readline()
    assert line, "the holder did not start the warehouse"
    return proc, int(line.split("/")[0])


def test_a_server_left_by_a_killed_command_is_stopped_by_the_next_start(tmp_path, monkeypatch, capfd):
    monkeypatch.setenv("DUA_HOME", str(tmp_path / "home"))
    monkeypatch.delenv("DUA_WAREHOUSE_URL", raising=False)
    server = EmbeddedPostgres(tmp_path / "home" / "pg")
    proc, port = _holder(600)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    orphan_pid = int((server.data_dir / "postmaster.pid").read_text().split()[0])
    assert server.running_port() == port  # kill -9: the server outlived its command
    with warehouse() as url:
        with psycopg.connect(url) as conn:
            assert conn.execute("select 1").fetchone() == (1,)
    assert f"stopping the server left running by an interrupted command (pid {orphan_pid})" in capfd.readouterr().err
    assert server.running_port() is None  # and the next command's own server stopped with it
    assert not _is_postgres(orphan_pid)


def test_a_server_another_command_still_uses_is_neither_stopped_nor_restarted(tmp_path, monkeypatch, capfd):
    monkeypatch.setenv("DUA_HOME", str(tmp_path / "home"))
    monkeypatch.delenv("DUA_WAREHOUSE_URL", raising=False)
    server = EmbeddedPostgres(tmp_path / "home" / "pg")
    proc, port = _holder(8)
    try:
        pid = int((server.data_dir / "postmaster.pid").read_text().split()[0])
        with warehouse() as url:
            assert url.endswith(f":{port}/dua")
        assert "interrupted" not in capfd.readouterr().err
        assert server.running_port() == port  # the holder still uses it
        assert int((server.data_dir / "postmaster.pid").read_text().split()[0]) == pid
    finally:
        assert proc.wait(timeout=120) == 0
    deadline = time.monotonic() + 30
    while server.running_port() is not None and time.monotonic() < deadline:
        time.sleep(0.2)
    assert server.running_port() is None  # the last command using it stopped it


def test_reading_commands_make_no_warehouse(tmp_path, monkeypatch):
    monkeypatch.setenv("DUA_HOME", str(tmp_path / "elsewhere"))
    monkeypatch.delenv("DUA_WAREHOUSE_URL", raising=False)
    with pytest.raises(WarehouseMissing) as exc:
        with warehouse(create=False):
            pass
    assert str(exc.value).startswith(f"no warehouse at {tmp_path / 'elsewhere' / 'pg'}: ")
    assert not (tmp_path / "elsewhere").exists()


def test_reading_commands_refuse_an_empty_database_url(pg_server, tmp_path, monkeypatch):
    import uuid

    name = f"t_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(pg_server, autocommit=True) as conn:
        conn.execute(f'create database "{name}"')
    url = pg_server.rsplit("/", 1)[0] + "/" + name
    monkeypatch.setenv("DUA_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("DUA_WAREHOUSE_URL", url)
    with pytest.raises(WarehouseMissing) as exc:
        with warehouse(create=False):
            pass
    assert str(exc.value).startswith(f"no warehouse at {safe_url(url)} (no meta.file_ledger)")
    assert ":" not in safe_url(url).split("@")[0].removeprefix("postgresql://")  # no password in the message
    with psycopg.connect(url) as conn:
        assert conn.execute("select to_regclass('meta.file_ledger')").fetchone() == (None,)
