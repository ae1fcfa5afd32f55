"""Publication: copy the built indicators into ``published`` in one transaction.

``published`` is the only schema the BI role reads.  A run replaces every
published row at once and records itself in ``published.publication``; a run
that fails before this step leaves the published rows exactly as they were.
"""

from __future__ import annotations

import json
from pathlib import Path

import psycopg

DDL = """
create schema if not exists published;

create table if not exists published.indicator (
    indicator_id    text primary key,
    title_sv        text not null,
    title_en        text not null,
    unit            text not null,
    period_types    text not null,
    source          text not null,
    kolada_kpi      text,
    description_sv  text
);

create table if not exists published.indicator_value (
    indicator_id     text        not null,
    area_code        text        not null,
    period           text        not null,
    breakdown        text        not null,
    breakdown_value  text        not null,
    gender           text        not null,
    numerator        numeric,
    denominator      numeric,
    value            numeric,
    is_suppressed    boolean     not null,
    target_value     numeric,
    run_id           text        not null,
    published_at     timestamptz not null,
    primary key (indicator_id, area_code, period, breakdown, breakdown_value, gender)
);

create table if not exists published.publication (
    run_id        text primary key,
    published_at  timestamptz not null,
    rows          integer     not null,
    detail        jsonb
);
"""


VALUE_COLUMNS = ("indicator_id", "area_code", "period", "breakdown", "breakdown_value", "gender", "numerator",
                 "denominator", "value", "is_suppressed", "target_value")
CATALOGUE_COLUMNS = ("indicator_id", "title_sv", "title_en", "unit", "period_types", "source", "kolada_kpi",
                     "description_sv")


def publish(url: str, run_id: str, source_schema: str = "indicators", detail: dict | None = None) -> int:
    """Replace the published indicators with the built ones; return the row count."""
    cols = ", ".join(VALUE_COLUMNS)
    cat = ", ".join(CATALOGUE_COLUMNS)
    with psycopg.connect(url) as conn:
        with conn.transaction():
            conn.execute("select pg_advisory_xact_lock(7410003)")
            conn.execute(DDL)
            conn.execute("delete from published.indicator_value")
            conn.execute("delete from published.indicator")
            conn.execute(f"insert into published.indicator ({cat}) select {cat} from {source_schema}.indicator")
            cur = conn.execute(
                f"""insert into published.indicator_value ({cols}, run_id, published_at)
                    select {cols}, %s, now() from {source_schema}.indicator_value""",
                (run_id,),
            )
            rows = cur.rowcount
            conn.execute(
                """insert into published.publication (run_id, published_at, rows, detail)
                   values (%s, now(), %s, %s)
                   on conflict (run_id) do update set published_at = excluded.published_at,
                       rows = excluded.rows, detail = excluded.detail""",
                (run_id, rows, json.dumps(detail or {})),
            )
    return rows


def export_csv(url: str, out: Path) -> int:
    """``published.indicator_value`` as CSV: header with the contract's column
    names, ``;`` delimiter, UTF-8, rows sorted by the primary key."""
    cols = ", ".join(
        "is_suppressed::text" if c == "is_suppressed" else c for c in (*VALUE_COLUMNS, "run_id", "published_at")
    )
    key = ", ".join(f'{c} collate "C"' for c in VALUE_COLUMNS[:6])
    out.parent.mkdir(parents=True, exist_ok=True)
    rows = 0
    with psycopg.connect(url) as conn:
        conn.execute(DDL)
        with out.open("wb") as fh, conn.cursor().copy(
            f"""copy (select {cols} from published.indicator_value order by {key})
                to stdout with (format csv, delimiter ';', header true, encoding 'UTF8')"""
        ) as copy:
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
