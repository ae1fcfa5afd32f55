"""Export everything published, sorted, so that two builds can be compared
with ``diff -r``.

    python -m dua_compare.published export --out DIR      # DUA_HOME / DUA_WAREHOUSE_URL as for `dua`
    python -m dua_compare.published compare DIR_A DIR_B   # exit 1 and the differing files when they differ

``export`` writes, for the warehouse of the environment:

- ``published.<table>.csv`` for every table of schema ``published``: every
  column, rows sorted on every column (``collate "C"``, nulls last), numbers as
  PostgreSQL prints them;
- ``published.schema.txt``: every published table's columns, types and
  comments (``COMMENT ON``, written by dbt's ``persist_docs``);
- ``export.csv``, ``export_excel.csv``, ``kolada.json`` (+ ``_months``,
  ``_kpi``): what ``dua export`` writes (CSV, ``--excel``, ``--format
  kolada-json``).

Left out, because they differ from run to run by nature:

- ``run_id`` and ``published_at`` (``indicator_value``,
  ``indicator_value_history``, ``publication`` and the CSV exports): the run's
  id and clock time;
- ``publication.detail -> 'validation'``: the run's check results (their
  observed values hold no published number, and the list of checks is the
  validation suite's, not the publication's); the rest of ``detail`` (latest
  Af month and Dexter export per municipality) is kept;
- ``publication_date`` of the Kolada KPI file: the publication's date.
"""

from __future__ import annotations

import argparse
import csv
import filecmp
import io
import json
import sys
from pathlib import Path

import psycopg
from psycopg import sql

RUN_COLUMNS = ("run_id", "published_at")


def _tables(conn: psycopg.Connection) -> list[str]:
    return [r[0] for r in conn.execute(
        "select table_name from information_schema.tables where table_schema = 'published' "
        "and table_type = 'BASE TABLE' order by table_name collate \"C\"").fetchall()]


def _columns(conn: psycopg.Connection, table: str) -> list[tuple[str, str, str | None]]:
    return conn.execute(
        """select a.attname, format_type(a.atttypid, a.atttypmod), col_description(a.attrelid, a.attnum)
           from pg_attribute a where a.attrelid = to_regclass(%s) and a.attnum > 0 and not a.attisdropped
           order by a.attnum""", (f"published.{table}",)).fetchall()


def export_table(conn: psycopg.Connection, table: str, out: Path) -> int:
    cols = [c for c, _, _ in _columns(conn, table) if c not in RUN_COLUMNS]
    exprs = []
    for c in cols:
        if table == "publication" and c == "detail":
            exprs.append(sql.SQL("({} - 'validation')::text as {}").format(sql.Identifier(c), sql.Identifier(c)))
        else:
            exprs.append(sql.SQL("{}::text as {}").format(sql.Identifier(c), sql.Identifier(c)))
    order = sql.SQL(", ").join(sql.SQL('{}::text collate "C" nulls last').format(sql.Identifier(c)) for c in cols)
    query = sql.SQL("copy (select {} from {} order by {}) to stdout with (format csv, header true)").format(
        sql.SQL(", ").join(exprs), sql.Identifier("published", table), order)
    with out.open("wb") as fh, conn.cursor().copy(query) as copy:
        for chunk in copy:
            fh.write(chunk)
    return conn.execute(sql.SQL("select count(*) from {}").format(sql.Identifier("published", table))).fetchone()[0]


def _drop_run_columns(path: Path) -> None:
    """The ``dua export`` CSV without the run columns (kept byte for byte otherwise)."""
    raw = path.read_bytes()
    bom = raw.startswith(b"\xef\xbb\xbf")
    text = raw[3:].decode("utf-8") if bom else raw.decode("utf-8")
    rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=";"))
    keep = [i for i, name in enumerate(rows[0]) if name not in RUN_COLUMNS]
    buf = io.StringIO(newline="")
    writer = csv.writer(buf, delimiter=";", lineterminator="\n")
    for row in rows:
        writer.writerow([row[i] for i in keep])
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + buf.getvalue().encode("utf-8"))


def export(url: str, out: Path) -> dict[str, int]:
    from dua.publish.kolada import export_kolada_json
    from dua.publish.publication import export_csv

    out.mkdir(parents=True, exist_ok=True)
    counts = {}
    with psycopg.connect(url) as conn:
        lines = []
        for table in _tables(conn):
            counts[table] = export_table(conn, table, out / f"published.{table}.csv")
            comment = conn.execute("select obj_description(to_regclass(%s), 'pg_class')",
                                   (f"published.{table}",)).fetchone()[0]
            lines.append(f"{table}: {comment}")
            lines += [f"  {c} {t}: {d}" for c, t, d in _columns(conn, table)]
        (out / "published.schema.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")
    export_csv(url, out / "export.csv")
    export_csv(url, out / "export_excel.csv", bom=True, decimal_comma=True)
    for name in ("export.csv", "export_excel.csv"):
        _drop_run_columns(out / name)
    export_kolada_json(url, out / "kolada.json")
    kpi = out / "kolada_kpi.json"
    if kpi.exists():
        doc = json.loads(kpi.read_text(encoding="utf-8"))
        for v in doc.get("values", []):
            v.pop("publication_date", None)
        kpi.write_text(json.dumps(doc, ensure_ascii=False, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    return counts


def compare(a: Path, b: Path) -> list[str]:
    """Files that differ or exist on one side only (empty: identical)."""
    names = sorted({p.name for p in a.iterdir()} | {p.name for p in b.iterdir()})
    differ = []
    for name in names:
        pa, pb = a / name, b / name
        if not (pa.exists() and pb.exists()) or not filecmp.cmp(pa, pb, shallow=False):
            differ.append(name)
    return differ


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="dua_compare.published", description=__doc__.split("\n\n")[0])
    sub = ap.add_subparsers(dest="command", required=True)
    p = sub.add_parser("export", help="export the published tables of DUA_HOME's warehouse, sorted")
    p.add_argument("--out", required=True)
    p = sub.add_parser("compare", help="compare two exports byte for byte")
    p.add_argument("a")
    p.add_argument("b")
    args = ap.parse_args(argv)
    if args.command == "export":
        from dua.warehouse.server import warehouse

        with warehouse(create=False) as url:
            counts = export(url, Path(args.out))
        for table, n in counts.items():
            print(f"published.{table}: {n} rows")
        return 0
    differ = compare(Path(args.a), Path(args.b))
    for name in differ:
        print(f"differs: {name}")
    print("identical" if not differ else f"{len(differ)} files differ")
    return 1 if differ else 0


if __name__ == "__main__":
    sys.exit(main())
