"""Publication: copy the built indicators into ``published`` in one transaction.

``published`` is the only schema the BI role reads.  Its tables are defined
once, by the dbt contracts of the ``indicators`` models they are copied from
(columns, types, primary keys and the descriptions, which dbt writes as
``COMMENT ON``): a published table is created ``LIKE`` its source and
recreated in the same transaction when the contract changed.

- ``indicator``, ``area``, ``period``, ``label``, ``target``: replaced whole;
- ``indicator_value``: the latest publication, with the run and time;
- ``indicator_value_history``: every publication's rows, keyed by run id, the
  latest ``DUA_PUBLICATION_RETENTION`` publications kept (0 keeps all);
- ``publication``: one row per publication (the only table defined here).

A run replaces every published row at once; a run that fails before this
step leaves the published rows exactly as they were.
"""

from __future__ import annotations

import json
from pathlib import Path

import psycopg
from psycopg import sql

from dua.settings import settings
from dua.warehouse.server import apply_schema, relation_exists

# published table -> the indicators model it is copied from
COPIED = ("indicator", "area", "period", "label", "target")
VALUE_KEY = ("indicator_id", "area_code", "period", "breakdown", "breakdown_value", "gender")
PUBLICATION_COLUMNS = (("run_id", "text"), ("published_at", "timestamp with time zone"))
PUBLICATION_LOCK = 7410003  # advisory lock held by the publishing transaction

RUN_COMMENTS = {
    "run_id": "Körningen som publicerade raden (published.publication). / The run that published the row.",
    "published_at": "När raden publicerades. / When the row was published.",
}


def retention() -> int:
    """``DUA_PUBLICATION_RETENTION``: publications kept in the history (0 = all)."""
    return settings().publication_retention


def _columns(conn: psycopg.Connection, schema: str, table: str) -> list[tuple[str, str]]:
    return conn.execute(
        """select a.attname, format_type(a.atttypid, a.atttypmod) from pg_attribute a
           where a.attrelid = to_regclass(%s) and a.attnum > 0 and not a.attisdropped order by a.attnum""",
        (f"{schema}.{table}",),
    ).fetchall()


def _copy_comments(conn: psycopg.Connection, source: str, target: str, extra: dict[str, str]) -> None:
    """``COMMENT ON`` the published table and its columns, from the source's."""
    table = sql.Identifier(*target.split("."))
    table_comment = conn.execute("select obj_description(to_regclass(%s), 'pg_class')", (source,)).fetchone()[0]
    conn.execute(sql.SQL("comment on table {} is {}").format(table, sql.Literal(table_comment)))
    comments = dict(conn.execute(
        """select a.attname, col_description(a.attrelid, a.attnum) from pg_attribute a
           where a.attrelid = to_regclass(%s) and a.attnum > 0 and not a.attisdropped""", (source,)
    ).fetchall()) | extra
    for name, comment in comments.items():
        conn.execute(sql.SQL("comment on column {}.{} is {}").format(
            table, sql.Identifier(name), sql.Literal(comment)))


def _ensure_like(conn: psycopg.Connection, source_schema: str, name: str, target: str,
                 extra: tuple[tuple[str, str], ...] = (), key: tuple[str, ...] | None = None) -> None:
    """Make ``published.<target>`` the source's columns (+ ``extra``), created
    ``LIKE`` the source; dropped and recreated when its columns differ."""
    want = _columns(conn, source_schema, name)
    if not want:
        raise RuntimeError(f"{source_schema}.{name} does not exist: the transform has not built it")
    want = want + list(extra)
    have = _columns(conn, "published", target)
    if have == want:
        return
    ident = sql.Identifier("published", target)
    if have:
        conn.execute(sql.SQL("drop table {}").format(ident))
    parts = [sql.SQL("like {} including defaults including constraints{}").format(
        sql.Identifier(source_schema, name),
        sql.SQL(" including indexes") if key is None else sql.SQL(""))]
    parts += [sql.SQL("{} {} not null").format(sql.Identifier(c), sql.SQL(t)) for c, t in extra]
    if key is not None:
        parts.append(sql.SQL("primary key ({})").format(sql.SQL(", ").join(map(sql.Identifier, key))))
    conn.execute(sql.SQL("create table {} ({})").format(ident, sql.SQL(", ").join(parts)))


def _grant_bi(conn: psycopg.Connection) -> None:
    if conn.execute("select 1 from pg_roles where rolname = 'dua_bi_reader'").fetchone():
        conn.execute("grant usage on schema published to dua_bi_reader")
        conn.execute("grant select on all tables in schema published to dua_bi_reader")


def publish(url: str, run_id: str, source_schema: str = "indicators", detail: dict | None = None) -> int:
    """Replace the published tables with the built ones, add the rows to the
    history and prune it; return the number of indicator values published."""
    keep = retention()
    apply_schema(url)  # published.publication (warehouse/schema.sql)
    with psycopg.connect(url) as conn:
        with conn.transaction():
            conn.execute("select pg_advisory_xact_lock(%s)", (PUBLICATION_LOCK,))
            for name in COPIED:
                _ensure_like(conn, source_schema, name, name)
                conn.execute(sql.SQL("delete from {}").format(sql.Identifier("published", name)))
                conn.execute(sql.SQL("insert into {} select * from {}").format(
                    sql.Identifier("published", name), sql.Identifier(source_schema, name)))
                _copy_comments(conn, f"{source_schema}.{name}", f"published.{name}", {})
            _ensure_like(conn, source_schema, "indicator_value", "indicator_value", PUBLICATION_COLUMNS,
                         key=VALUE_KEY)
            _ensure_like(conn, source_schema, "indicator_value", "indicator_value_history", PUBLICATION_COLUMNS,
                         key=("run_id", *VALUE_KEY))
            cols = sql.SQL(", ").join(sql.Identifier(c) for c, _ in _columns(conn, source_schema, "indicator_value"))
            conn.execute("delete from published.indicator_value")
            rows = conn.execute(
                sql.SQL("insert into published.indicator_value select {}, %s, now() from {}").format(
                    cols, sql.Identifier(source_schema, "indicator_value")), (run_id,)).rowcount
            conn.execute("delete from published.indicator_value_history where run_id = %s", (run_id,))
            conn.execute("insert into published.indicator_value_history select * from published.indicator_value")
            _copy_comments(conn, f"{source_schema}.indicator_value", "published.indicator_value", RUN_COMMENTS)
            _copy_comments(conn, f"{source_schema}.indicator_value", "published.indicator_value_history", RUN_COMMENTS)
            conn.execute(sql.SQL("comment on table published.indicator_value_history is {}").format(sql.Literal(
                "Alla sparade publiceringar av indicator_value, per körning (run_id); de senaste "
                "DUA_PUBLICATION_RETENTION publiceringarna sparas. / Every kept publication of indicator_value, "
                "by run.")))
            conn.execute(
                """insert into published.publication (run_id, published_at, rows, detail)
                   values (%s, now(), %s, %s)
                   on conflict (run_id) do update set published_at = excluded.published_at,
                       rows = excluded.rows, detail = excluded.detail""",
                (run_id, rows, json.dumps(detail or {})),
            )
            if keep:
                conn.execute(
                    """delete from published.indicator_value_history h
                       where h.run_id not in (select run_id from published.publication
                                              order by published_at desc, run_id desc limit %s)""",
                    (keep,),
                )
            _grant_bi(conn)
    return rows


def export_csv(url: str, out: Path, *, decimal_comma: bool = False, bom: bool = False) -> int:
    """``published.indicator_value`` as CSV: header with the contract's column
    names, ``;`` delimiter, UTF-8, rows sorted by the primary key.  For
    Swedish Excel: ``bom`` starts the file with a byte-order mark (without it
    Excel reads UTF-8 as Windows-1252) and ``decimal_comma`` writes 3,5."""
    out.parent.mkdir(parents=True, exist_ok=True)
    with psycopg.connect(url) as conn:
        if not relation_exists(conn, "published.indicator_value"):
            raise RuntimeError("nothing is published yet: run `dua run` first")
        names = [c for c, _ in _columns(conn, "published", "indicator_value")]
        types = dict(_columns(conn, "published", "indicator_value"))

        def expr(c: str) -> sql.Composable:
            ident = sql.Identifier(c)
            if types[c] == "boolean":
                return sql.SQL("{}::text").format(ident)
            if types[c] == "numeric" and decimal_comma:
                return sql.SQL("replace({}::text, '.', ',')").format(ident)
            return ident

        key = sql.SQL(", ").join(sql.SQL('{} collate "C"').format(sql.Identifier(c)) for c in VALUE_KEY)
        query = sql.SQL("copy (select {} from published.indicator_value order by {}) to stdout with "
                        "(format csv, delimiter ';', header true, encoding 'UTF8')").format(
            sql.SQL(", ").join(sql.SQL("{} as {}").format(expr(c), sql.Identifier(c)) for c in names), key)
        with out.open("wb") as fh, conn.cursor().copy(query) as copy:
            if bom:
                fh.write(b"\xef\xbb\xbf")
            for chunk in copy:
                fh.write(chunk)
        rows = conn.execute("select count(*) from published.indicator_value").fetchone()[0]
    return rows


def provenance(url: str, run_id: str) -> dict:
    """What the publication was built from: per municipality the latest Af
    month and Dexter export, and the run's validation results."""
    with psycopg.connect(url) as conn:
        areas = conn.execute(
            """select kommunkod,
                      max(file_date) filter (where source = 'af'),
                      max(file_date) filter (where source = 'dexter')
               from meta.file_ledger where status = 'loaded' and kommunkod is not null group by 1 order by 1"""
        ).fetchall()
        checks = []
        if conn.execute("select to_regclass('dq.validation_result') is not null").fetchone()[0]:
            checks = conn.execute(
                """select suite, check_name, severity, success, observed from dq.validation_result
                   where run_id = %s order by suite, check_name""",
                (run_id,),
            ).fetchall()
    return {
        "areas": {k: {"latest_af_month": af.strftime("%Y-%m") if af else None,
                      "latest_dexter_export": dx.isoformat() if dx else None} for k, af, dx in areas},
        "validation": [{"suite": s, "check": c, "severity": sev, "success": ok, "observed": obs}
                       for s, c, sev, ok, obs in checks],
    }
