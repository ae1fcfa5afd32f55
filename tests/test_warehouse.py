"""The embedded warehouse and the any-URL path."""

from __future__ import annotations

import psycopg

from dua.warehouse import EmbeddedPostgres, warehouse


def test_embedded_server_starts_stops_and_keeps_its_data(tmp_path, monkeypatch):
    monkeypatch.setenv("DUA_HOME", str(tmp_path / "home"))
    monkeypatch.delenv("DUA_WAREHOUSE_URL", raising=False)
    with warehouse() as url:
        assert url.startswith("postgresql://postgres@127.0.0.1:")
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
    from dua.warehouse import apply_schema

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
