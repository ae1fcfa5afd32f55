"""Access by role: the BI role reads `published` and nothing else."""

from __future__ import annotations

import psycopg
import pytest

from conftest import create_contract_tables
from dua.publish.publication import publish
from dua.warehouse.roles import ensure_roles_if_permitted


@pytest.fixture
def published_db(db_url):
    with psycopg.connect(db_url, autocommit=True) as conn:
        create_contract_tables(conn, "indicators")
        conn.execute("""insert into indicators.indicator (indicator_id, title_sv, title_en, unit, unit_sv,
            period_types, source, description_sv) values ('sfi_interruptions', 'Avbrott i Sfi', 'Sfi interruptions',
            'count', 'antal', 'month', 'dexter', 'x')""")
        conn.execute("""insert into indicators.indicator_value values ('sfi_interruptions', '0581', '2024-05',
            'total', 'total', 'T', 7, null, 7, false, null)""")
        conn.execute("""insert into indicators.area values ('0581', 'Norrköping', 'municipality', 'Kommun',
            '{0581}', 1)""")
    assert ensure_roles_if_permitted(db_url)  # the transform DAG's first task
    assert publish(db_url, "run-1") == 1
    with psycopg.connect(db_url, autocommit=True) as conn:
        # roles are cluster-wide: the test server may have it from another test
        conn.execute("do $$ begin if not exists (select from pg_roles where rolname = 'bi_user') then "
                     "create role bi_user login; end if; end $$")
        conn.execute("grant dua_bi_reader to bi_user")
    return db_url


def _as(url: str, role: str, query: str):
    with psycopg.connect(url) as conn:
        conn.execute(f"set role {role}")
        return conn.execute(query).fetchall()


def test_bi_role_reads_published(published_db):
    assert _as(published_db, "dua_bi_reader", "select value from published.indicator_value") == [(7,)]
    assert _as(published_db, "bi_user", "select value from published.indicator_value") == [(7,)]
    assert _as(published_db, "dua_bi_reader", "select count(*) from published.indicator") == [(1,)]


@pytest.mark.parametrize("table", ["raw.af_status", "meta.quarantine", "indicators.indicator_value",
                                   "meta.file_ledger"])
def test_bi_role_reads_nothing_else(published_db, table):
    with pytest.raises(psycopg.errors.InsufficientPrivilege):
        _as(published_db, "dua_bi_reader", f"select * from {table}")


def test_bi_role_cannot_write_published(published_db):
    with pytest.raises(psycopg.errors.InsufficientPrivilege):
        _as(published_db, "dua_bi_reader", "delete from published.indicator_value returning 1")


def test_loader_writes_raw_but_cannot_read_published(published_db):
    assert _as(published_db, "dua_loader", "select count(*) from raw.af_status") == [(0,)]
    with pytest.raises(psycopg.errors.InsufficientPrivilege):
        _as(published_db, "dua_loader", "select * from published.indicator_value")


def test_roles_are_idempotent_and_publication_is_recorded(published_db):
    assert publish(published_db, "run-2") == 1
    with psycopg.connect(published_db) as conn:
        assert conn.execute("select run_id from published.indicator_value").fetchall() == [("run-2",)]
        assert conn.execute("select run_id, rows from published.publication order by run_id").fetchall() == [
            ("run-1", 1), ("run-2", 1)]


def test_worklist_is_readable_by_the_case_worker_only(published_db):
    with psycopg.connect(published_db, autocommit=True) as conn:
        conn.execute("create schema if not exists restricted")
        conn.execute("create table restricted.worklist as select 'abc'::text as person_id, '0581'::text as area_code")
    assert ensure_roles_if_permitted(published_db)
    assert _as(published_db, "dua_case_worker", "select person_id from restricted.worklist") == [("abc",)]
    for role in ("dua_bi_reader", "dua_loader", "dua_transformer"):
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            _as(published_db, role, "select * from restricted.worklist")
    with pytest.raises(psycopg.errors.InsufficientPrivilege):
        _as(published_db, "dua_case_worker", "select * from published.indicator_value")
