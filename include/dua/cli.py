"""``dua``: the command line of the DUA follow-up platform (see README)."""

from __future__ import annotations

import argparse
import datetime as dt
import os
import secrets
import sys
import uuid
from pathlib import Path

from dua.config import ConfigError, settings


def _new_run_id() -> str:
    return dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ") + "-" + uuid.uuid4().hex[:6]


def _print(msg: str = "") -> None:
    print(msg, flush=True)


# --------------------------------------------------------------------------
def cmd_generate(args: argparse.Namespace) -> int:
    from dua.generate import generate

    municipalities = [m.strip() for m in args.municipalities.split(",") if m.strip()]
    summary = generate(
        Path(args.out), municipalities=municipalities, persons=args.persons, months=args.months,
        seed=args.seed, progress=not args.quiet,
    )
    _print(f"wrote {len(summary.files)} files to {args.out}")
    for source, n in sorted(summary.rows.items()):
        _print(f"  {source}: {n} rows")
    return 0


def _demo_key(home: Path) -> str:
    """The demo's own pseudonym key, kept under DUA_HOME so reruns link."""
    path = home / "demo_pseudonym_key"
    if not path.exists():
        home.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_hex(32))
        path.chmod(0o600)
    return path.read_text().strip()


def run_pipeline(inbox: Path, run_id: str | None = None) -> int:
    """Files → ingest DAG → transform DAG, in-process; reports at the end."""
    from dua.reports import write_reports
    from dua.warehouse import warehouse

    cfg = settings()
    if not inbox.is_dir():
        raise ConfigError(f"inbox {inbox} is not a folder")
    if not cfg.pseudonym_key:
        raise ConfigError("DUA_PSEUDONYM_KEY is not set: it is required to pseudonymise personnummer")
    with warehouse() as url:
        code, reports_written = _run_pipeline(url, inbox, run_id)
        if not reports_written:  # the transform DAG writes them when it runs
            write_reports(url, cfg.reports_dir)
    dq, ind = cfg.reports_dir / "datakvalitet.html", cfg.reports_dir / "indikatorer.html"
    _print(f"data-quality report: {dq}")
    _print(f"indicator report:    {ind}")
    return code


def _run_pipeline(url: str, inbox: Path, run_id: str | None = None) -> tuple[int, bool]:
    """Exit code, and whether the transform DAG wrote the reports."""
    from dua import airflow_runner, ledger

    cfg = settings()
    run_id = run_id or _new_run_id()
    ledger.start_run(url, run_id, "run", {"inbox": str(inbox)})
    airflow_runner.prepare_env(cfg.home, url)
    _print(f"run {run_id}: preparing Airflow under {cfg.home / 'airflow'}")
    airflow_runner.migrate_db(cfg.home)
    conf = {"inbox": str(inbox.resolve()), "dua_run_id": run_id}
    _print(f"run {run_id}: ingesting {inbox}")
    state, tasks = airflow_runner.run_dag("dua_ingest", conf)
    ledger.print_files(url, run_id, _print)
    _print_incomplete(inbox)
    failed = [t for t, s in tasks.items() if s == "failed"]
    if failed or state != "success":
        ledger.finish_run(url, run_id, "failed", {"dag": "dua_ingest", "failed_tasks": failed})
        _print(f"run {run_id}: ingest failed ({', '.join(failed) or state}); see {cfg.home / 'airflow' / 'logs'}")
        return 2, False
    if not ledger.needs_publication(url):
        _print(f"run {run_id}: nothing new since the last publication; published indicators unchanged")
        ledger.finish_run(url, run_id, "success", {"published": False})
        return 0, False
    from dua.dbt_runner import ensure_manifest
    from dua.validation import failed_checks

    ensure_manifest()
    _print(f"run {run_id}: building marts and indicators (dbt) and publishing")
    state, tasks = airflow_runner.run_dag("dua_transform", conf)
    failed = sorted(t for t, s in tasks.items() if s in ("failed", "upstream_failed"))
    if failed or state != "success":
        checks = failed_checks(url, run_id)
        blocking = [c for c in checks if c[2] == "blocking"]
        ledger.finish_run(url, run_id, "failed", {"dag": "dua_transform", "failed_tasks": failed,
                                                  "failed_checks": [c[1] for c in blocking]})
        _print(f"run {run_id}: NOT published; the published indicators are unchanged")
        if blocking:
            _print("  blocking checks failed:")
            for suite, check, _severity, observed in blocking:
                _print(f"    {suite}.{check}: {observed}")
        else:
            _print(f"  failed tasks: {', '.join(failed) or state}")
        _print(f"  task logs: {cfg.home / 'airflow' / 'logs'}")
        return 3, tasks.get("write_reports") == "success"
    ledger.finish_run(url, run_id, "success", {"published": True})
    ledger.print_publication(url, _print)
    return 0, tasks.get("write_reports") == "success"


def _print_incomplete(inbox: Path) -> None:
    """The files the loaders left for the next run because they are not complete."""
    from dua.config import inbox_settle_seconds
    from dua.ingest import scan

    settle = inbox_settle_seconds()
    waiting = scan(inbox, settle)[1]
    if waiting:
        _print(f"  {len(waiting)} file(s) not complete yet (changed less than {settle:g} s ago, no .done marker):"
               " left for the next run")
        for sf in waiting[:20]:
            _print(f"    {sf.name}")


def cmd_run(args: argparse.Namespace) -> int:
    return run_pipeline(Path(args.inbox))


def cmd_demo(args: argparse.Namespace) -> int:
    from dua.generate import generate

    cfg = settings()
    if not cfg.pseudonym_key:
        os.environ["DUA_PSEUDONYM_KEY"] = _demo_key(cfg.home)
        _print(f"demo: using a generated pseudonym key kept in {cfg.home / 'demo_pseudonym_key'}")
    inbox = cfg.home / "demo_inbox"
    # the demo writes its files itself, whole, before it loads them
    os.environ["DUA_INBOX_SETTLE_SECONDS"] = "0"
    if not inbox.exists():
        _print(f"demo: generating synthetic files for municipality 0581 in {inbox}")
        generate(inbox, municipalities=["0581"], persons=args.persons, months=args.months, seed=args.seed)
    return run_pipeline(inbox)


def cmd_export(args: argparse.Namespace) -> int:
    from dua.warehouse import warehouse

    with warehouse() as url:
        if args.format == "kolada-json":
            from dua.kolada import export_kolada_json

            n = export_kolada_json(url, Path(args.out))
            _print(f"wrote {n} Kolada objects to {args.out}")
        else:
            from dua.publish import export_csv

            n = export_csv(url, Path(args.out))
            _print(f"wrote {n} rows to {args.out}")
    return 0


def cmd_report(args: argparse.Namespace) -> int:
    from dua.steering_report import write_steering_report
    from dua.warehouse import warehouse

    if args.period and not (len(args.period) == 4 and args.period.isascii() and args.period.isdigit()):
        raise ConfigError(f"--period takes a year YYYY, got {args.period!r}")
    name = f"styrgrupp_{args.area}" + (f"_{args.period}" if args.period else "") + ".html"
    out = Path(args.out) if args.out else settings().reports_dir / name
    with warehouse() as url:
        path = write_steering_report(url, args.area, out, period=args.period)
    _print(f"steering-group report: {path}")
    return 0


def cmd_worklist(args: argparse.Namespace) -> int:
    """Signals of the persons a case worker already knows by personnummer."""
    import psycopg

    from dua.personnummer import PersonnummerError, mask, parse
    from dua.warehouse import warehouse

    cfg = settings()
    if not cfg.pseudonym_key:
        raise ConfigError("DUA_PSEUDONYM_KEY is not set: only a holder of the key can look up persons")
    today = dt.date.today()
    wanted: list[tuple[str, str]] = []
    for line_no, line in enumerate(Path(args.pnr_file).read_text(encoding="utf-8-sig").splitlines(), 1):
        value = line.strip()
        if not value or value.startswith("#"):
            continue
        try:
            wanted.append((value, parse(value, today).pseudonym(cfg.pseudonym_key)))
        except PersonnummerError as exc:
            _print(f"{args.pnr_file}:{line_no}: {mask(value)}: {exc} ({exc.code})")
    signals = ("planned_end_within_6m", "sfi_low_progression", "sfi_high_absence", "sfi_interrupted_30d")
    with warehouse() as url, psycopg.connect(url) as conn:
        conn.execute("set role dua_case_worker")  # read with the case worker's rights only
        rows = conn.execute(
            f"""select person_id, area_code, period, {", ".join(signals)} from restricted.worklist
                where person_id = any(%s) order by area_code""",
            ([p for _, p in wanted],),
        ).fetchall()
    by_person: dict[str, list[tuple]] = {}
    for row in rows:
        by_person.setdefault(row[0], []).append(row[1:])
    for value, pseudonym in wanted:
        found = by_person.get(pseudonym)
        if not found:
            _print(f"{value}: no signals")
            continue
        for area, period, *flags in found:
            names = ", ".join(s for s, on in zip(signals, flags, strict=True) if on)
            _print(f"{value}: {area} {period}: {names}")
    return 0


def cmd_status(args: argparse.Namespace) -> int:
    from dua import ledger
    from dua.warehouse import warehouse

    with warehouse() as url:
        ledger.print_status(url, _print)
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="dua", description="DUA follow-up data platform")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("run", help="ingest new files, build, validate and publish")
    p.add_argument("--inbox", required=True, help="folder with delivered files (searched recursively)")
    p.set_defaults(func=cmd_run)

    p = sub.add_parser("demo", help="generate a synthetic municipality and run the whole pipeline")
    p.add_argument("--persons", type=int, default=1500)
    p.add_argument("--months", type=int, default=24)
    p.add_argument("--seed", type=int, default=1)
    p.set_defaults(func=cmd_demo)

    p = sub.add_parser("generate", help="write synthetic source files")
    p.add_argument("--out", required=True)
    p.add_argument("--municipalities", default="0581")
    p.add_argument("--persons", type=int, default=2000, help="persons per municipality")
    p.add_argument("--months", type=int, default=24)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    p.set_defaults(func=cmd_generate)

    p = sub.add_parser("export", help="write published.indicator_value as CSV (default) or Kolada JSON")
    p.add_argument("--format", choices=["csv", "kolada-json"], default="csv")
    p.add_argument("--out", required=True)
    p.set_defaults(func=cmd_export)

    p = sub.add_parser("report", help="steering-group report (HTML, Swedish) for one area")
    p.add_argument("--area", required=True, help="kommunkod or agreement-area code, e.g. 0581")
    p.add_argument("--period", help="limit to one year (YYYY)")
    p.add_argument("--out", help="output file (default DUA_HOME/reports/styrgrupp_<area>[_<period>].html)")
    p.set_defaults(func=cmd_report)

    p = sub.add_parser("worklist", help="signals of persons you know by personnummer (needs the key)")
    p.add_argument("--pnr-file", required=True, help="one personnummer a line")
    p.set_defaults(func=cmd_worklist)

    p = sub.add_parser("status", help="what is loaded, the last runs, the last publication")
    p.set_defaults(func=cmd_status)

    args = parser.parse_args(argv)
    try:
        return args.func(args)
    except ConfigError as exc:
        print(f"dua: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
