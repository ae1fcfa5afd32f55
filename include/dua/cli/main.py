"""``dua``: the command line of the DUA follow-up platform (see README)."""

from __future__ import annotations

import argparse
import contextlib
import csv
import datetime as dt
import logging
import os
import secrets
import sys
import traceback
import uuid
from pathlib import Path

from dua.settings import DBT_PROJECT_DIR, ConfigError, home_dir, settings

log = logging.getLogger("dua.cli.main")


def _new_run_id() -> str:
    return dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ") + "-" + uuid.uuid4().hex[:6]


def _print(msg: str = "") -> None:
    print(msg, flush=True)


# --------------------------------------------------------------------------
def municipality_codes(text: str) -> list[str]:
    """``--municipalities``: kommunkoder separated by commas.  A code of three
    digits lost its leading zero (a spreadsheet does that to 0581): it is
    padded.  Anything else must be one of SCB's 4-digit codes."""
    known: set[str] = set()
    seed = DBT_PROJECT_DIR / "seeds" / "scb_municipalities.csv"
    if seed.exists():
        with seed.open(encoding="utf-8") as fh:
            known = {row["kommunkod"] for row in csv.DictReader(fh)}
    codes = []
    for item in (m.strip() for m in text.split(",")):
        if not item:
            continue
        code = item.zfill(4) if item.isdigit() and len(item) == 3 else item
        if not (len(code) == 4 and code.isdigit()):
            raise ConfigError(f"--municipalities: {item!r} is not a kommunkod (4 digits, e.g. 0581)")
        if known and code not in known:
            raise ConfigError(f"--municipalities: {item!r} is not the code of a Swedish municipality "
                              f"(see {seed.relative_to(DBT_PROJECT_DIR.parent)})")
        if code in codes:
            raise ConfigError(f"--municipalities: {code} is named twice")
        codes.append(code)
    if not codes:
        raise ConfigError("--municipalities: no kommunkod given")
    return codes


def cmd_generate(args: argparse.Namespace) -> int:
    from dua_synthetic.generate import generate

    municipalities = municipality_codes(args.municipalities)
    for item in args.municipalities.split(","):
        if item.strip().isdigit() and len(item.strip()) == 3:
            _print(f"municipality {item.strip()} read as {item.strip().zfill(4)}")
    if args.persons < 1 or args.months < 1:
        raise ConfigError("--persons and --months must be at least 1")
    summary = generate(
        Path(args.out), municipalities=municipalities, persons=args.persons, months=args.months,
        seed=args.seed, progress=not args.quiet,
    )
    _print(f"wrote {len(summary.files)} files to {args.out}")
    for source, n in sorted(summary.rows.items()):
        _print(f"  {source}: {n} rows")
    return 0


def _demo_key(home: Path) -> str:
    """The demo's own pseudonym key, kept under DUA_HOME so reruns link;
    created with mode 0600 (never readable by others, not even briefly)."""
    from dua.private import write_private

    path = home / "demo_pseudonym_key"
    if not path.exists():
        home.mkdir(parents=True, exist_ok=True)
        try:
            write_private(path, secrets.token_hex(32), exclusive=True)
        except FileExistsError:
            pass  # another demo made it just now: use that one
    return path.read_text().strip()


def _require_key() -> bytes:
    key = settings().pseudonym_key
    if not key:
        raise ConfigError("DUA_PSEUDONYM_KEY is not set: it is required to pseudonymise personnummer")
    return key


@contextlib.contextmanager
def _locked(url: str, run_id: str, command: str):
    """The warehouse's run lock for the block (one changing command at a time)."""
    from dua.warehouse import ledger

    with ledger.run_lock(url, run_id, command) as interrupted:
        if interrupted:
            _print(f"run {run_id}: {interrupted} earlier run(s) left 'running' by an interrupted command "
                   "marked failed")
        yield


@contextlib.contextmanager
def _recorded(url: str, run_id: str, command: str, detail: dict):
    """A run-log row for the block; an error ends it failed (when the
    warehouse can still be written; if not, the next run marks it)."""
    from dua.warehouse import ledger

    ledger.start_run(url, run_id, command, detail)
    try:
        yield
    except BaseException as exc:
        try:
            ledger.finish_run(url, run_id, "failed", {"error": one_line(exc)})
        except Exception:  # the warehouse is gone: the next run's lock marks the run interrupted
            log.debug("could not record the failure of run %s", run_id, exc_info=True)
        raise


def _report_paths() -> None:
    cfg = settings()
    _print(f"data-quality report: {cfg.reports_dir / 'datakvalitet.html'}")
    _print(f"indicator report:    {cfg.reports_dir / 'indikatorer.html'}")


def run_pipeline(inbox: Path, run_id: str | None = None) -> int:
    """Files → ingest DAG → transform DAG, in-process; reports at the end."""
    from dua.identity.keycheck import check_key
    from dua.warehouse.server import warehouse

    if not inbox.is_dir():
        raise ConfigError(f"inbox {inbox} is not a folder")
    key = _require_key()
    run_id = run_id or _new_run_id()
    with warehouse() as url, _locked(url, run_id, "run"):
        if check_key(url, key) == "recorded":
            _print(f"run {run_id}: recorded the fingerprint of DUA_PSEUDONYM_KEY: later runs must use the same key")
        code = _pipeline(url, inbox, run_id, "run")
    _report_paths()
    return code


def _pipeline(url: str, inbox: Path, run_id: str, command: str) -> int:
    """Ingest and transform under a held run lock, recorded in the run log."""
    from dua.reporting.reports import write_reports

    with _recorded(url, run_id, command, {"inbox": str(inbox)}):
        code, reports_written = _run_pipeline(url, inbox, run_id)
        if not reports_written:  # the transform DAG writes them when it runs
            write_reports(url, settings().reports_dir)
    return code


def _prepare_airflow(url: str, run_id: str) -> None:
    from dua.orchestration import airflow_runner

    cfg = settings()
    airflow_runner.prepare_env(cfg.home, url)
    _print(f"run {run_id}: preparing Airflow under {cfg.home / 'airflow'}")
    airflow_runner.migrate_db(cfg.home)


def _run_pipeline(url: str, inbox: Path, run_id: str) -> tuple[int, bool]:
    """Exit code, and whether the transform DAG wrote the reports."""
    from dua.orchestration import airflow_runner
    from dua.warehouse import ledger

    cfg = settings()
    _prepare_airflow(url, run_id)
    conf = {"inbox": str(inbox.resolve()), "dua_run_id": run_id}
    _print(f"run {run_id}: ingesting {inbox}")
    state, tasks = airflow_runner.run_dag("dua_ingest", conf, console_log=log_path())
    ledger.print_files(url, run_id, _print)
    _print_incomplete(inbox)
    failed = [t for t, s in tasks.items() if s == "failed"]
    if failed or state != "success":
        ledger.finish_run(url, run_id, "failed", {"dag": "dua_ingest", "failed_tasks": failed})
        _print(f"run {run_id}: ingest failed ({', '.join(failed) or state}); task logs: "
               f"{cfg.home / 'airflow' / 'logs'}; Airflow's console output: {log_path()}")
        return 2, False
    ledger.print_held(url, _print, run_id)
    if not ledger.needs_publication(url):
        _print(f"run {run_id}: nothing new since the last publication; published indicators unchanged")
        ledger.finish_run(url, run_id, "success", {"published": False})
        return 0, False
    return _transform(url, run_id)


def _transform(url: str, run_id: str) -> tuple[int, bool]:
    from dua.orchestration import airflow_runner
    from dua.orchestration.dbt_runner import ensure_manifest
    from dua.quality.validation import failed_checks
    from dua.warehouse import ledger

    cfg = settings()
    ensure_manifest()
    _print(f"run {run_id}: building marts and indicators (dbt) and publishing")
    state, tasks = airflow_runner.run_dag("dua_transform", {"dua_run_id": run_id}, console_log=log_path())
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
        _print(f"  task logs: {cfg.home / 'airflow' / 'logs'}; Airflow's console output: {log_path()}")
        return 3, tasks.get("write_reports") == "success"
    ledger.finish_run(url, run_id, "success", {"published": True})
    ledger.print_publication(url, _print)
    return 0, tasks.get("write_reports") == "success"


def _print_incomplete(inbox: Path) -> None:
    """The files the loaders left for the next run because they are not complete."""
    from dua.ingest.loader import scan

    settle = settings().inbox_settle_seconds
    waiting = scan(inbox, settle)[1]
    if waiting:
        _print(f"  {len(waiting)} file(s) not complete yet (changed less than {settle:g} s ago, no .done marker):"
               " left for the next run")
        for sf in waiting[:20]:
            _print(f"    {sf.name}")


def cmd_run(args: argparse.Namespace) -> int:
    return run_pipeline(Path(args.inbox))


def cmd_demo(args: argparse.Namespace) -> int:
    from dua.private import private_dir, tighten
    from dua_synthetic.generate import generate

    cfg = settings()
    if not cfg.pseudonym_key:
        os.environ["DUA_PSEUDONYM_KEY"] = _demo_key(cfg.home)
        _print(f"demo: using a generated pseudonym key kept in {cfg.home / 'demo_pseudonym_key'}")
    inbox = cfg.home / "demo_inbox"  # clear (synthetic) personnummer: the owner's only
    # the demo writes its files itself, whole, before it loads them
    os.environ["DUA_INBOX_SETTLE_SECONDS"] = "0"
    # dbt var dua_demo_catalogue: the demo job-track catalogue stands in when none was delivered
    os.environ["DUA_DEMO_CATALOGUE"] = "true"
    if not inbox.exists():
        _print(f"demo: generating synthetic files for municipality 0581 in {inbox}")
        private_dir(inbox)
        umask = os.umask(0o077)  # every file and folder made with its final mode: 0600, 0700
        try:
            generate(inbox, municipalities=["0581"], persons=args.persons, months=args.months, seed=args.seed)
        finally:
            os.umask(umask)
    elif tighten(inbox):
        _print(f"demo: {inbox} was readable by others; now its owner's only (0700 folders, 0600 files)")
    return run_pipeline(inbox)


_LOAD_ONLY_NEXT = ("build and publish with `dua run`, or in a deployment by triggering dua_transform "
                   "(docs/operations.md)")


def _reload(path_text: str, mode: str, load_only: bool = False) -> int:
    """``dua accept`` / ``dua retry``: load one known file again, then build,
    validate and publish (``load_only``: stop after the load)."""
    from dua.identity.keycheck import check_key
    from dua.ingest.loader import check_reload, reload_file
    from dua.reporting.reports import write_reports
    from dua.warehouse import ledger
    from dua.warehouse.server import warehouse

    cfg = settings()
    path = Path(path_text)
    if not path.is_file():
        raise ConfigError(f"{path} is not a file")
    key = _require_key()
    run_id = _new_run_id()
    with warehouse() as url, _locked(url, run_id, mode):
        check_key(url, key)
        check_reload(url, path, mode)  # a refused file makes no run
        with _recorded(url, run_id, mode, {"file": str(path.resolve())}):
            res = reload_file(url, path, key, cfg.max_reject_share, cfg.max_shrink_share, run_id, mode)
            ledger.print_files(url, run_id, _print)
            if res.status != "loaded":
                ledger.finish_run(url, run_id, "failed", {"file": path.name, "status": res.status})
                _print(f"run {run_id}: {path.name} was not applied ({res.status}); published indicators unchanged")
                return 2
            if load_only:
                ledger.finish_run(url, run_id, "success", {"published": False, "load_only": True})
                _print(f"run {run_id}: {path.name} applied; {_LOAD_ONLY_NEXT}")
                return 0
            _prepare_airflow(url, run_id)
            code, reports_written = _transform(url, run_id)
            if not reports_written:
                write_reports(url, cfg.reports_dir)
    _report_paths()
    return code


def cmd_accept(args: argparse.Namespace) -> int:
    return _reload(args.file, "accept", args.load_only)


def cmd_retry(args: argparse.Namespace) -> int:
    return _reload(args.file, "retry", args.load_only)


def cmd_rotate_key(args: argparse.Namespace) -> int:
    """Change the pseudonym key on purpose: the raw layer rebuilt from the
    delivered files with the new key (see dua.identity.keycheck)."""
    from dua.identity import keycheck
    from dua.warehouse.server import warehouse

    new_key = _require_key()
    inbox = Path(args.inbox)
    if not inbox.is_dir():
        raise ConfigError(f"inbox {inbox} is not a folder")
    old_key = None
    if args.old_key_file:
        try:
            old_key = Path(args.old_key_file).read_bytes().strip()
        except OSError as exc:
            raise ConfigError(f"--old-key-file {args.old_key_file}: {exc.strerror}") from None
        if not old_key:
            raise ConfigError(f"--old-key-file {args.old_key_file} is empty")
    run_id = _new_run_id()
    with warehouse() as url, _locked(url, run_id, "rotate-key"):
        plan = keycheck.plan_rotation(url, new_key, old_key, inbox)
        if plan.nothing_to_do:
            _print(f"rotate-key: {plan.nothing_to_do}")
            return 0
        if plan.missing and not args.allow_missing:
            names = ", ".join(plan.missing[:5]) + (", ..." if len(plan.missing) > 5 else "")
            raise ConfigError(
                f"{len(plan.missing)} loaded file(s) are not in {inbox} ({names}): a rebuild without them would "
                "lose their rows; put them into the inbox, or pass --allow-missing to rebuild without them")
        _print(f"rotate-key: {plan.loaded} loaded file(s) in the ledger, {plan.loaded - len(plan.missing)} of them "
               f"in {inbox}; emptying the raw layer and everything built from it, then loading with the new key")
        wiped = keycheck.rotate(url, new_key)
        _print(f"rotate-key: removed {wiped['files']} ledger rows, {wiped['rows']} raw rows and "
               f"{wiped['quarantine']} quarantined rows made with the old key; the published indicators stay until "
               "the rebuild publishes")
        if args.load_only:
            from dua.ingest.loader import ingest
            from dua.warehouse import ledger

            cfg = settings()
            with _recorded(url, run_id, "rotate-key", {"inbox": str(inbox), "load_only": True}):
                ingest(url, inbox, new_key, cfg.max_reject_share, run_id, max_shrink_share=cfg.max_shrink_share)
                ledger.print_files(url, run_id, _print)
                ledger.finish_run(url, run_id, "success", {"published": False, "load_only": True})
            _print(f"rotate-key: loaded with the new key; {_LOAD_ONLY_NEXT}")
            return 0
        code = _pipeline(url, inbox, run_id, "rotate-key")
    _report_paths()
    return code


def cmd_export(args: argparse.Namespace) -> int:
    from dua.warehouse.server import warehouse

    with warehouse(create=False) as url:
        if args.format == "kolada-json":
            from dua.publish.kolada import export_kolada_json

            n = export_kolada_json(url, Path(args.out))
            _print(f"wrote {n} Kolada objects to {args.out}")
        elif args.format == "xlsx":
            from dua.publish.xlsx import export_xlsx

            n = export_xlsx(url, Path(args.out))
            _print(f"wrote {n} rows to {args.out} (one sheet per indicator)")
        else:
            from dua.publish.publication import export_csv

            bom = args.bom or args.excel
            decimal_comma = args.decimal_comma or args.excel
            n = export_csv(url, Path(args.out), bom=bom, decimal_comma=decimal_comma)
            _print(f"wrote {n} rows to {args.out}" + (" (for Excel: byte-order mark, decimal comma)"
                                                      if bom and decimal_comma else ""))
    return 0


def cmd_report(args: argparse.Namespace) -> int:
    """The steering-group report of one area; an unknown area or period is refused with the known ones."""
    import psycopg

    from dua.reporting.steering import UnknownAreaError, resolve_area, resolve_period, write_steering_report
    from dua.warehouse.server import warehouse

    with warehouse(create=False) as url:
        try:
            with psycopg.connect(url) as conn:
                area = resolve_area(conn, args.area)
                period = resolve_period(conn, area, args.period) if args.period else None
            name = f"styrgrupp_{area}" + (f"_{period}" if period else "") + ".html"
            out = Path(args.out) if args.out else settings().reports_dir / name
            path = write_steering_report(url, area, out, period=period)
        except UnknownAreaError as exc:
            raise ConfigError(str(exc)) from None
    _print(f"steering-group report: {path}")
    return 0


def cmd_worklist(args: argparse.Namespace) -> int:
    """Signals of the persons a case worker already knows by personnummer."""
    import psycopg

    from dua.identity.keycheck import check_key
    from dua.identity.personnummer import PersonnummerError, mask, parse
    from dua.warehouse.server import warehouse

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
    with warehouse(create=False) as url:
        check_key(url, cfg.pseudonym_key, record=False)  # another key would find no one, silently
        with psycopg.connect(url) as conn:
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
    from dua.warehouse import ledger
    from dua.warehouse.server import warehouse

    with warehouse(create=False) as url:
        ledger.print_status(url, _print)
    return 0


# -------------------------------------------------------------------- errors
EXIT_ERROR = 1  # anything unexpected (the traceback is in the log)
EXIT_CONFIG = 2  # a setting, an argument or the state of the warehouse is not what the command needs
EXIT_LOCKED = 4  # another run holds the warehouse's run lock


def one_line(exc: BaseException, limit: int = 400) -> str:
    """An exception's message on one line (a multi-line one has its lines joined)."""
    text = "; ".join(line.strip() for line in str(exc).splitlines() if line.strip()) or type(exc).__name__
    return text if len(text) <= limit else text[: limit - 1] + "…"


def log_path() -> Path:
    """``DUA_HOME/logs/dua.log``: the tracebacks of failed commands."""
    return home_dir() / "logs" / "dua.log"


def _log_failure(argv: list[str], exc: BaseException) -> Path | None:
    from dua.private import open_private_append, private_dir

    path = log_path()
    try:
        private_dir(path.parent)
        with open_private_append(path) as fh:
            stamp = dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
            fh.write(f"--- {stamp} dua {' '.join(argv)} (pid {os.getpid()})\n")
            fh.write("".join(traceback.format_exception(exc)))
    except OSError:
        return None
    return path


def _message(exc: BaseException) -> tuple[str, int, bool]:
    """(one-line message, exit code, whether to point at the log)."""
    import psycopg

    from dua.warehouse.ledger import RunLocked
    from dua.warehouse.server import WarehouseError, safe_url

    if isinstance(exc, RunLocked):
        return one_line(exc), EXIT_LOCKED, False
    if isinstance(exc, ConfigError | WarehouseError):
        return one_line(exc), EXIT_CONFIG, False
    if isinstance(exc, psycopg.OperationalError):
        url = settings_url()
        where = f" at {safe_url(url)}" if url else ""
        return f"the warehouse{where} cannot be reached or failed: {one_line(exc)}", EXIT_ERROR, True
    return f"{type(exc).__name__}: {one_line(exc)}", EXIT_ERROR, True


def settings_url() -> str | None:
    try:
        return settings().warehouse_url
    except ConfigError:
        return None


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
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
    p.add_argument("--municipalities", default="0581",
                   help="kommunkoder separated by commas; 581 is read as 0581")
    p.add_argument("--persons", type=int, default=2000, help="persons per municipality")
    p.add_argument("--months", type=int, default=24)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    p.set_defaults(func=cmd_generate)

    p = sub.add_parser("export", help="write published.indicator_value as CSV (default), xlsx or Kolada JSON")
    p.add_argument("--format", choices=["csv", "xlsx", "kolada-json"], default="csv")
    p.add_argument("--out", required=True)
    p.add_argument("--bom", action="store_true", help="CSV: start with a UTF-8 byte-order mark")
    p.add_argument("--decimal-comma", action="store_true", help="CSV: numbers with a decimal comma (3,5)")
    p.add_argument("--excel", action="store_true",
                   help="CSV for Swedish Excel: the same as --bom --decimal-comma")
    p.set_defaults(func=cmd_export)

    p = sub.add_parser("report", help="steering-group report (HTML, Swedish) for one area")
    p.add_argument("--area", required=True,
                   help="kommunkod, agreement-area code or name, e.g. 0581 or Norrköping")
    p.add_argument("--period", help="limit to one year with published values (YYYY)")
    p.add_argument("--out", help="output file (default DUA_HOME/reports/styrgrupp_<area>[_<period>].html)")
    p.set_defaults(func=cmd_report)

    p = sub.add_parser("worklist", help="signals of persons you know by personnummer (needs the key)")
    p.add_argument("--pnr-file", required=True, help="one personnummer a line")
    p.set_defaults(func=cmd_worklist)

    p = sub.add_parser("status", help="what is loaded, held for review, the last runs, the last publication")
    p.set_defaults(func=cmd_status)

    p = sub.add_parser("accept", help="apply an Af file held for review (it shrinks its month), then publish")
    p.add_argument("file", help="the held file (as delivered)")
    p.add_argument("--load-only", action="store_true", help="apply the file and stop (a deployment's DAGs publish)")
    p.set_defaults(func=cmd_accept)

    p = sub.add_parser("retry", help="load a superseded or rejected file again (e.g. restore an earlier "
                                     "snapshot), then publish")
    p.add_argument("file", help="the file (identical bytes to the one delivered before)")
    p.add_argument("--load-only", action="store_true", help="load the file and stop (a deployment's DAGs publish)")
    p.set_defaults(func=cmd_retry)

    p = sub.add_parser("rotate-key", help="change DUA_PSEUDONYM_KEY on purpose: rebuild the raw layer from the "
                                          "delivered files with the new key")
    p.add_argument("--inbox", required=True, help="folder holding every file loaded so far")
    old = p.add_mutually_exclusive_group(required=True)
    old.add_argument("--old-key-file", help="file holding the current (old) key: proves the rotation is meant")
    old.add_argument("--old-key-lost", action="store_true", help="rotate without the old key (it is lost)")
    p.add_argument("--allow-missing", action="store_true",
                   help="rebuild although loaded files are missing from the inbox (their rows are lost)")
    p.add_argument("--load-only", action="store_true",
                   help="load the inbox with the new key and stop, without Airflow (a deployment's DAGs publish)")
    p.set_defaults(func=cmd_rotate_key)

    args = parser.parse_args(argv)
    try:
        settings()  # every setting validated before any work
        return args.func(args)
    except BrokenPipeError:  # the reader went away (`dua status | head`): nothing more to say
        with contextlib.suppress(OSError):
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_ERROR
    except KeyboardInterrupt as exc:
        _log_failure(argv, exc)
        print("dua: interrupted", file=sys.stderr, flush=True)
        return 130
    except Exception as exc:  # every error ends in one line; the traceback goes to the log
        message, code, point = _message(exc)
        # an expected error says all in its line; only the others leave a traceback
        logged = _log_failure(argv, exc) if point else None
        if logged:
            message += f" (traceback in {logged})"
        print(f"dua: {message}", file=sys.stderr, flush=True)
        return code


if __name__ == "__main__":
    sys.exit(main())
