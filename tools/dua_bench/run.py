"""``python -m dua_bench.run`` (``make bench``): the pipeline's benchmark.

One run, on a fresh ``DUA_HOME`` (wiped at start) with the embedded warehouse:

1. generation of the synthetic files (``months + 1`` months: the last month's
   Af files and the last Dexter export are held back for step 4);
2. ingest with :func:`dua.ingest.loader.ingest` (the loaders), then a plain
   PostgreSQL ``COPY`` of the same files into a bare all-text table per source
   (the baseline); rows per second per source and the loader/COPY ratio;
3. a full ``dbt build --exclude test_type:unit``;
4. incremental: the held-back month is ingested and ``dbt build`` runs again;
5. peak memory: ``getrusage`` of the bench process and its children (dbt),
   and the PostgreSQL server processes sampled with psutil every 0.5 s;
6. total wall time.

Results go to ``<out>/results.json`` and ``<out>/results.md``.  The Airflow
layer of ``dua run`` is not part of the measurement: the bench calls the same
steps (loader, dbt) directly.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import io
import json
import os
import platform
import resource
import secrets
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

import psycopg

from dua.settings import DBT_PROJECT_DIR, PROJECT_ROOT

MB = 1024 * 1024
HOME_MARKER = ".dua-bench-home"
SOURCES = ("dexter", "af", "catalogue")
_PG_ENCODING = {"utf-8": "UTF8", "utf-8-sig": "UTF8", "cp1252": "WIN1252"}

# targets: (key, description, limit, comparison)
TARGET_LOADER_VS_COPY = 0.5
TARGET_WALL_SECONDS = 600.0
TARGET_INCREMENTAL_SHARE = 0.10
TARGET_PEAK_MB = 1024.0


def _say(msg: str) -> None:
    stamp = dt.datetime.now().strftime("%H:%M:%S")
    print(f"[bench {stamp}] {msg}", flush=True)


def scb_codes(n: int) -> list[str]:
    """The first ``n`` municipality codes of the SCB seed."""
    with (DBT_PROJECT_DIR / "seeds" / "scb_municipalities.csv").open(encoding="utf-8", newline="") as fh:
        codes = [row["kommunkod"].strip() for row in csv.DictReader(fh)]
    if not 1 <= n <= len(codes):
        raise SystemExit(f"--municipalities must be between 1 and {len(codes)}, got {n}")
    return codes[:n]


# --------------------------------------------------------------- bench home
def prepare_home(home: Path) -> None:
    """Wipe the bench home (stopping a warehouse still running there).

    Only a folder the bench created (marker file) or an empty/missing one is
    wiped, so a mistyped ``--home`` cannot delete anything else."""
    from dua.warehouse.server import EmbeddedPostgres

    home = home.resolve()
    if home == PROJECT_ROOT or home in PROJECT_ROOT.parents:
        raise SystemExit(f"refusing to use {home} as bench home: it contains the project")
    if home.exists():
        if any(home.iterdir()) and not (home / HOME_MARKER).exists():
            raise SystemExit(f"refusing to wipe {home}: not a bench home (no {HOME_MARKER}); choose another --home")
        server = EmbeddedPostgres(home / "pg")
        if server.running_port() is not None:
            _say(f"stopping the warehouse still running under {home / 'pg'}")
            server.stop()
        shutil.rmtree(home)
    home.mkdir(parents=True)
    (home / HOME_MARKER).write_text("created by python -m dua_bench.run; wiped at every bench run\n")


# --------------------------------------------------------------- memory
class MemorySampler(threading.Thread):
    """Every ``interval`` s: RSS sum and PSS sum of the PostgreSQL server
    processes (postmaster of ``data_dir`` and its children), and PSS of this
    process with its own children (dbt); keeps the peaks."""

    def __init__(self, data_dir: Path, interval: float = 0.5):
        super().__init__(name="bench-memory", daemon=True)
        self.data_dir = data_dir
        self.interval = interval
        self.stop_event = threading.Event()
        self.samples = 0
        self.pg_rss_peak = 0
        self.pg_pss_peak = 0
        self.pg_processes_peak = 0
        self.combined_peak = 0  # pg PSS + bench tree PSS, at the same instant
        self.pss_available = True

    def _postmaster(self):
        import psutil

        pid_file = self.data_dir / "postmaster.pid"
        try:
            pid = int(pid_file.read_text().splitlines()[0])
            return psutil.Process(pid)
        except (OSError, ValueError, IndexError, psutil.Error):
            return None

    def _pss(self, proc) -> int:
        import psutil

        if self.pss_available:
            try:
                return int(proc.memory_full_info().pss)
            except (psutil.AccessDenied, AttributeError):
                self.pss_available = False
        return int(proc.memory_info().rss)

    def sample(self) -> None:
        import psutil

        pg_rss = pg_pss = 0
        pg_pids: set[int] = set()
        master = self._postmaster()
        if master is not None:
            try:
                procs = [master, *master.children(recursive=True)]
            except psutil.Error:
                procs = []
            for p in procs:
                try:
                    pg_rss += p.memory_info().rss
                    pg_pss += self._pss(p)
                    pg_pids.add(p.pid)
                except psutil.Error:
                    continue
        own = 0
        me = psutil.Process()
        try:
            tree = [me, *me.children(recursive=True)]
        except psutil.Error:
            tree = [me]
        for p in tree:
            if p.pid in pg_pids:
                continue
            try:
                own += self._pss(p)
            except psutil.Error:
                continue
        self.samples += 1
        self.pg_rss_peak = max(self.pg_rss_peak, pg_rss)
        self.pg_pss_peak = max(self.pg_pss_peak, pg_pss)
        self.pg_processes_peak = max(self.pg_processes_peak, len(pg_pids))
        self.combined_peak = max(self.combined_peak, pg_pss + own)

    def run(self) -> None:
        while not self.stop_event.is_set():
            try:
                self.sample()
            except Exception:  # noqa: BLE001 - a failed sample must not end the bench
                pass
            self.stop_event.wait(self.interval)

    def stop(self) -> None:
        self.stop_event.set()
        self.join(timeout=10)
        try:
            self.sample()
        except Exception:  # noqa: BLE001
            pass


def _maxrss_mb(who: int) -> float:
    # Linux: kilobytes; macOS: bytes
    raw = resource.getrusage(who).ru_maxrss
    return raw / MB if sys.platform == "darwin" else raw / 1024


# --------------------------------------------------------------- ingest
def load_per_source(url: str, inbox: Path, key: bytes, on_file=None) -> dict[str, dict]:
    """The loaders on every file below ``inbox``, one source after the other
    (catalogue, Dexter, Af), each timed by the wall clock: with several worker
    processes the files' own times overlap, so only the wall time is a rate."""
    from dua.ingest.loader import discover, load_files

    files = discover(inbox)
    out: dict[str, dict] = {}
    statuses: dict[str, int] = {}
    for source in SOURCES:
        chosen = [f for f in files if f.spec is not None and not f.problem and f.spec.name == source]
        t0 = time.perf_counter()
        results = load_files(url, chosen, key, 0.05, on_file=on_file)
        seconds = time.perf_counter() - t0
        d = {"files": len(results), "rows": 0, "rows_loaded": 0, "rows_rejected": 0, "seconds": seconds}
        for r in results:
            statuses[r.status] = statuses.get(r.status, 0) + 1
            d["rows"] += r.rows_total
            d["rows_loaded"] += r.rows_loaded
            d["rows_rejected"] += r.rows_rejected
        d["rows_per_second"] = d["rows"] / seconds if seconds > 0 else 0.0
        out[source] = d
    out["_statuses"] = statuses  # type: ignore[assignment]
    return out


def _database_url(url: str, name: str) -> str:
    base, _, rest = url.rpartition("/")
    query = rest.partition("?")[2]
    return f"{base}/{name}" + (f"?{query}" if query else "")


def dua_run(inbox: Path, log_path: Path) -> dict:
    """``dua run --inbox`` as its own process, the way an operator runs it:
    Airflow's DAGs with the loaders, the source checks, one task per dbt node,
    the indicator checks, publication and the reports."""
    t0 = time.perf_counter()
    with log_path.open("w", encoding="utf-8") as log:
        proc = subprocess.run([sys.executable, "-m", "dua.cli.main", "run", "--inbox", str(inbox)],
                              stdout=log, stderr=subprocess.STDOUT, check=False)
    seconds = time.perf_counter() - t0
    res: dict = {"seconds": seconds, "returncode": proc.returncode, "ok": proc.returncode == 0, "log": str(log_path)}
    if proc.returncode != 0:
        res["output_tail"] = log_path.read_text(encoding="utf-8", errors="replace")[-3000:]
    return res


def published_rows(url: str) -> int:
    with psycopg.connect(url) as conn:
        return int(conn.execute("select count(*) from published.indicator_value").fetchone()[0])


def _header_width(path: Path, encoding: str) -> int:
    with path.open("rb") as fh:
        first = fh.readline()
    text = first.decode(encoding if encoding != "utf-8" else "utf-8-sig", errors="replace")
    fields = next(csv.reader(io.StringIO(text), delimiter=";", quotechar='"'), [])
    return len(fields)


def copy_baseline(url: str, inbox: Path) -> dict[str, dict]:
    """Plain ``COPY`` of every file below ``inbox`` into a bare all-text table
    per source (schema ``bench_copy``, dropped afterwards).

    ``seconds`` is the COPY itself (bytes streamed from the file);
    ``detect_seconds`` the encoding detection (:func:`dua.ingest.loader.hash_and_detect`)
    that has to precede it, reported apart."""
    from dua.ingest.loader import discover, hash_and_detect

    files: dict[str, list[tuple[Path, str, int, float]]] = {s: [] for s in SOURCES}
    for sf in discover(inbox):
        if sf.spec is None or sf.problem:
            continue
        t0 = time.perf_counter()
        _, encoding = hash_and_detect(sf.path)
        detect = time.perf_counter() - t0
        files[sf.spec.name].append((sf.path, encoding, _header_width(sf.path, encoding), detect))

    out: dict[str, dict] = {}
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("drop schema if exists bench_copy cascade")
        conn.execute("create schema bench_copy")
        try:
            for source in SOURCES:
                entries = files[source]
                stats = {"files": len(entries), "rows": 0, "seconds": 0.0, "detect_seconds": 0.0, "bytes": 0}
                width = max((w for _, _, w, _ in entries), default=1)
                cols = [f"c{i}" for i in range(1, width + 1)]
                conn.execute(f"create table bench_copy.{source} ({', '.join(c + ' text' for c in cols)})")
                for path, encoding, w, detect in entries:
                    sql = (
                        f"COPY bench_copy.{source} ({', '.join(cols[:w])}) FROM STDIN WITH "
                        f"(FORMAT csv, DELIMITER ';', HEADER true, ENCODING '{_PG_ENCODING[encoding]}')"
                    )
                    t0 = time.perf_counter()
                    with conn.cursor() as cur:
                        with cur.copy(sql) as cp, path.open("rb") as fh:
                            while chunk := fh.read(1 << 20):
                                cp.write(chunk)
                        rows = cur.rowcount
                    stats["seconds"] += time.perf_counter() - t0
                    stats["detect_seconds"] += detect
                    stats["rows"] += max(rows, 0)
                    stats["bytes"] += path.stat().st_size
                s = stats["seconds"]
                stats["rows_per_second"] = stats["rows"] / s if s > 0 else 0.0
                sd = s + stats["detect_seconds"]
                stats["rows_per_second_with_detect"] = stats["rows"] / sd if sd > 0 else 0.0
                out[source] = stats
        finally:
            conn.execute("drop schema if exists bench_copy cascade")
    return out


# --------------------------------------------------------------- dbt
def dbt_build(url: str, full_refresh: bool = False) -> dict:
    """``dbt build --exclude test_type:unit`` (with ``--full-refresh``: every
    incremental model rebuilt from nothing): wall seconds of the dbt process
    (start-up and parse included), dbt's own elapsed time and node statuses."""
    from dua.orchestration.dbt_runner import dbt
    from dua.warehouse.roles import ensure_roles_if_permitted

    ensure_roles_if_permitted(url)  # the restricted models grant to dua_case_worker
    run_results = DBT_PROJECT_DIR / "target" / "run_results.json"
    t0 = time.perf_counter()
    args = ["build", "--exclude", "test_type:unit"] + (["--full-refresh"] if full_refresh else [])
    proc = dbt(args, url, check=False)
    seconds = time.perf_counter() - t0
    res: dict = {"seconds": seconds, "returncode": proc.returncode, "ok": proc.returncode == 0}
    try:
        data = json.loads(run_results.read_text(encoding="utf-8"))
        statuses: dict[str, int] = {}
        for node in data.get("results", []):
            statuses[node["status"]] = statuses.get(node["status"], 0) + 1
        res["dbt_elapsed_seconds"] = float(data.get("elapsed_time", 0.0))
        res["nodes"] = sum(statuses.values())
        res["statuses"] = statuses
    except (OSError, ValueError, KeyError):
        pass
    if proc.returncode != 0:
        res["output_tail"] = proc.stdout[-3000:]
    return res


# --------------------------------------------------------------- report
def _targets(r: dict) -> list[dict]:
    # the headline: all rows of all sources over the loaders' time against the same
    # for COPY (a source of a few hundred rows, the catalogue, says nothing alone)
    total = r["ingest"]["ratio_total"]
    inc_ratio = r["incremental"]["ratio_to_full"]
    builds_ok = bool(r["dbt_full_build"]["ok"] and r["incremental"]["dbt_build"]["ok"])
    return [
        {"name": "loaders ≥ 0.5 × COPY (all sources)", "value": round(total, 3),
         "target": f"≥ {TARGET_LOADER_VS_COPY}", "pass": total >= TARGET_LOADER_VS_COPY},
        {"name": "whole `dua run` ≤ 10 min", "value": round(r["dua_run"]["seconds"], 1),
         "target": f"≤ {TARGET_WALL_SECONDS:.0f} s",
         "pass": bool(r["dua_run"]["ok"]) and r["dua_run"]["seconds"] <= TARGET_WALL_SECONDS},
        {"name": "incremental dbt build ≤ 10 % of full build", "value": round(inc_ratio, 3),
         "target": f"≤ {TARGET_INCREMENTAL_SHARE}", "pass": inc_ratio <= TARGET_INCREMENTAL_SHARE},
        {"name": "peak memory ≤ 1 GB", "value": round(r["memory"]["peak_total_mb"], 1),
         "target": f"≤ {TARGET_PEAK_MB:.0f} MB", "pass": r["memory"]["peak_total_mb"] <= TARGET_PEAK_MB},
        {"name": "dbt builds succeeded", "value": builds_ok, "target": "exit 0", "pass": builds_ok},
    ]


def _fmt(x: float, nd: int = 1) -> str:
    return f"{x:,.{nd}f}".replace(",", " ")


def render_markdown(r: dict) -> str:
    p = r["parameters"]
    g = r["generation"]
    ing = r["ingest"]
    full = r["dbt_full_build"]
    inc = r["incremental"]
    mem = r["memory"]
    lines = [
        "# DUA pipeline benchmark",
        "",
        f"Run {r['started_at']} on {r['machine']['cpus']} CPU(s), Python {r['machine']['python']}. "
        f"{p['municipalities']} municipalities × {p['persons_per_municipality']} persons "
        f"(= {p['persons_effective']} persons), {p['months']} months (+1 held back for the incremental step), "
        f"seed {p['seed']}.",
        "",
        "Step 2 is `dua run` itself (Airflow's DAGs in-process: loaders, source checks, one Cosmos task per "
        "dbt node, indicator checks, publication, reports). Steps 3–5 measure the parts directly on the "
        "embedded warehouse: the loaders (`dua.ingest.loader.load_files`) against a plain `COPY`, and "
        "`dbt build --exclude test_type:unit`.",
        "",
        "## Figures",
        "",
        "| step | figure | value |",
        "|---|---|---|",
        f"| 1. generation | {g['files']} files, {_fmt(g['rows'], 0)} rows ({p['months'] + 1} months) | "
        f"{_fmt(g['seconds'])} s ({_fmt(g['rows_per_second'], 0)} rows/s) |",
        f"| 2. whole `dua run` | exit {r['dua_run']['returncode']}, {_fmt(r['dua_run'].get('published_rows', 0), 0)} "
        f"indicator rows published | **{_fmt(r['dua_run']['seconds'])} s** |",
    ]
    for s in SOURCES:
        lo, co = ing["loader"][s], ing["copy"][s]
        lines.append(
            f"| 3. ingest {s} | loader: {lo['files']} files, {_fmt(lo['rows'], 0)} rows in {_fmt(lo['seconds'], 2)} s; "
            f"COPY: {_fmt(co['rows'], 0)} rows in {_fmt(co['seconds'], 2)} s | loader {_fmt(lo['rows_per_second'], 0)} "
            f"rows/s vs COPY {_fmt(co['rows_per_second'], 0)} rows/s "
            f"→ **{ing['ratio_loader_vs_copy'][s]:.3f} × COPY** |"
        )
    lines += [
        f"| 3. ingest total | {_fmt(ing['loader_total']['rows'], 0)} rows, wall {_fmt(ing['wall_seconds'], 1)} s | "
        f"{_fmt(ing['loader_total']['rows_per_second'], 0)} rows/s "
        f"(COPY {_fmt(ing['copy_total']['rows_per_second'], 0)} rows/s → {ing['ratio_total']:.3f} ×) |",
        f"| 4. full dbt build (`--full-refresh`) | {full.get('nodes', '?')} nodes {full.get('statuses', {})}, "
        f"exit {full['returncode']}; "
        f"dbt's own elapsed time {_fmt(full.get('dbt_elapsed_seconds', 0.0))} s | {_fmt(full['seconds'])} s |",
        f"| 5. incremental ingest | {inc['files']} files, {_fmt(inc['rows'], 0)} rows | "
        f"{_fmt(inc['ingest_seconds'], 2)} s |",
        f"| 5. incremental dbt build | exit {inc['dbt_build']['returncode']}; dbt's own elapsed time "
        f"{_fmt(inc['dbt_build'].get('dbt_elapsed_seconds', 0.0))} s | {_fmt(inc['dbt_build']['seconds'])} s "
        f"= {inc['ratio_to_full']:.3f} × full build |",
        f"| 6. memory: bench process (ru_maxrss self) | | {_fmt(mem['self_maxrss_mb'])} MB |",
        f"| 6. memory: largest child (ru_maxrss children: `dua run`, loader workers, dbt, pg_ctl) | | "
        f"{_fmt(mem['children_maxrss_mb'])} MB |",
        f"| 6. memory: PostgreSQL, sum of RSS (peak, {mem['postgres_processes_peak']} processes) | "
        f"shared buffers counted once per process | {_fmt(mem['postgres_peak_rss_sum_mb'])} MB |",
        f"| 6. memory: PostgreSQL, sum of {mem['postgres_measure']} (peak) | shared memory divided among processes | "
        f"{_fmt(mem['postgres_peak_pss_sum_mb'])} MB |",
        f"| 6. memory: everything at once (peak) | {mem['peak_total_basis']} | **{_fmt(mem['peak_total_mb'])} MB** |",
        f"| 7. total wall time of the bench | | {_fmt(r['wall_seconds'])} s |",
        "",
        "## Targets",
        "",
        "| target | value | limit | result |",
        "|---|---|---|---|",
    ]
    for t in r["targets"]:
        lines.append(f"| {t['name']} | {t['value']} | {t['target']} | {'PASS' if t['pass'] else 'FAIL'} |")
    lines += [
        "",
        "## Notes",
        "",
        "- Loader throughput: rows of the source's files / wall time of loading them "
        "(hashing, encoding detection, parsing, row rules, pseudonymisation, COPY, quarantine, replacement, "
        "commit; `DUA_LOAD_WORKERS` processes, one municipality each at a time).",
        "- COPY baseline: the same files streamed as bytes into a bare all-text table per source "
        "(`FORMAT csv, DELIMITER ';', HEADER true`, encoding from `hash_and_detect`). The ratio uses the "
        "COPY time alone; the detection that must precede it took "
        + ", ".join(f"{s} {_fmt(ing['copy'][s]['detect_seconds'], 2)} s" for s in SOURCES) + ".",
        "- Incremental: the files were generated for months + 1 from the start; the last month's Af files "
        "and the last Dexter export were held back from `dua run`, then loaded into the run's warehouse, then "
        "`dbt build` ran again (incremental models add what changed).",
        "- Memory: everything at once = peak of (PSS of the PostgreSQL processes + PSS of the bench process and "
        "all its descendants: `dua run`, loader workers, dbt) sampled together every 0.5 s, or the sum of the "
        "separate peaks when that is larger (ru_maxrss self + ru_maxrss of the largest child + PostgreSQL PSS peak).",
        "",
    ]
    return "\n".join(lines)


# --------------------------------------------------------------- main
def parse_args(argv: list[str] | None) -> argparse.Namespace:
    ap = argparse.ArgumentParser(prog="python -m dua_bench.run", description="benchmark of the DUA pipeline")
    ap.add_argument("--persons-total", type=int, default=300_000,
                    help="persons in all municipalities together (300,000: about 4.6 M Af and 3.5 M Dexter rows)")
    ap.add_argument("--municipalities", type=int, default=290, help="the first N codes of the SCB seed")
    ap.add_argument("--months", type=int, default=36)
    ap.add_argument("--out", default="bench", help="results folder (results.json, results.md)")
    ap.add_argument("--home", default="bench/home", help="DUA_HOME of the bench; wiped at start")
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args(argv)
    if args.months < 1 or args.persons_total < 1:
        ap.error("--months and --persons-total must be at least 1")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    saved = {k: os.environ.get(k) for k in ("DUA_HOME", "DUA_WAREHOUSE_URL", "DUA_PSEUDONYM_KEY",
                                            "DUA_INBOX_SETTLE_SECONDS")}
    try:
        return _bench(args)
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


def _bench(args: argparse.Namespace) -> int:
    from dua.warehouse.server import warehouse
    from dua_synthetic.generate import generate

    wall0 = time.perf_counter()
    started_at = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    out_dir = Path(args.out).resolve()
    home = Path(args.home).resolve()
    codes = scb_codes(args.municipalities)
    per_muni = max(1, args.persons_total // len(codes))

    _say(f"bench home {home} (wiped), results to {out_dir}")
    prepare_home(home)
    out_dir.mkdir(parents=True, exist_ok=True)
    os.environ["DUA_HOME"] = str(home)
    os.environ.pop("DUA_WAREHOUSE_URL", None)
    key = os.environ.get("DUA_PSEUDONYM_KEY") or secrets.token_hex(32)
    os.environ["DUA_PSEUDONYM_KEY"] = key
    # the bench wrote its files itself, whole, before it loads them
    os.environ["DUA_INBOX_SETTLE_SECONDS"] = "0"

    # 1. generation ------------------------------------------------------
    files_dir = home / "files"
    _say(f"1. generating {len(codes)} municipalities × {per_muni} persons, {args.months} + 1 months")
    t0 = time.perf_counter()
    summary = generate(files_dir, municipalities=codes, persons=per_muni, months=args.months + 1, seed=args.seed,
                       progress=sys.stdout.isatty())
    gen_seconds = time.perf_counter() - t0
    gen_bytes = sum(p.stat().st_size for p in summary.files if p.exists())
    _say(f"   {len(summary.files)} files, {summary.total_rows} rows, {gen_bytes / MB:.1f} MB in {gen_seconds:.1f} s")

    # hold back the last month's Af files and the last Dexter export
    last_month, last_export = summary.months[-1], summary.export_dates[-1]
    held_names = {f"af_status_{k}_{last_month:%Y%m}.csv" for k in codes} | {
        f"dexter_isp_{k}_{last_export:%Y%m%d}.csv" for k in codes
    }
    inbox, incoming = files_dir, home / "incoming"
    incoming.mkdir()
    for p in sorted(files_dir.glob("*.csv")):
        if p.name in held_names:
            shutil.move(str(p), incoming / p.name)
    _say(f"   held back {len(list(incoming.iterdir()))} files for the incremental step "
         f"(Af {last_month:%Y-%m}, Dexter export {last_export})")

    sampler = MemorySampler(home / "pg" / "data")
    sampler.start()
    key_bytes = key.encode("utf-8")
    counter = {"n": 0}

    def on_file(res, counter=counter) -> None:
        counter["n"] += 1
        if counter["n"] % 500 == 0 or res.status != "loaded":
            _say(f"   {counter['n']} files; {res.name}: {res.status} {res.rows_total} rows "
                 f"{res.reason_code or ''}")

    try:
        with warehouse() as url:
            # 2. the whole run -----------------------------------------------
            _say("2. dua run --inbox (Airflow DAGs: ingest, checks, dbt, publication, reports)")
            run = dua_run(inbox, out_dir / "dua_run.log")
            run["published_rows"] = published_rows(url) if run["ok"] else 0
            _say(f"   {run['seconds']:.1f} s, exit {run['returncode']}, {run['published_rows']} rows published")

            # 3. loaders and COPY, on a database of their own -----------------
            load_db = "dua_bench_load"
            load_url = _database_url(url, load_db)
            with psycopg.connect(url, autocommit=True) as conn:
                conn.execute(f"drop database if exists {load_db} with (force)")
                conn.execute(f"create database {load_db}")
            try:
                from dua.warehouse.server import apply_schema

                apply_schema(load_url)
                _say("3. the loaders, source by source, into an empty database")
                counter["n"] = 0
                t0 = time.perf_counter()
                loader = load_per_source(load_url, inbox, key_bytes, on_file=on_file)
                ingest_wall = time.perf_counter() - t0
                statuses = loader.pop("_statuses")
                for s in SOURCES:
                    _say(f"   loader {s}: {loader[s]['rows']} rows in {loader[s]['seconds']:.2f} s = "
                         f"{loader[s]['rows_per_second']:,.0f} rows/s")
                _say("3. COPY baseline of the same files into bare all-text tables")
                copy = copy_baseline(load_url, inbox)
            finally:
                with psycopg.connect(url, autocommit=True) as conn:
                    conn.execute(f"drop database if exists {load_db} with (force)")
            ratios = {}
            for s in SOURCES:
                c = copy[s]["rows_per_second"]
                ratios[s] = loader[s]["rows_per_second"] / c if c > 0 else 0.0
                _say(f"   COPY {s}: {copy[s]['rows']} rows in {copy[s]['seconds']:.2f} s = {c:,.0f} rows/s; "
                     f"loader/COPY = {ratios[s]:.3f}")
            lt_rows = sum(loader[s]["rows"] for s in SOURCES)
            lt_sec = sum(loader[s]["seconds"] for s in SOURCES)
            ct_rows = sum(copy[s]["rows"] for s in SOURCES)
            ct_sec = sum(copy[s]["seconds"] for s in SOURCES)
            loader_total = {"rows": lt_rows, "seconds": lt_sec, "rows_per_second": lt_rows / lt_sec if lt_sec else 0.0}
            copy_total = {"rows": ct_rows, "seconds": ct_sec, "rows_per_second": ct_rows / ct_sec if ct_sec else 0.0}
            ratio_total = (loader_total["rows_per_second"] / copy_total["rows_per_second"]
                           if copy_total["rows_per_second"] else 0.0)

            # 4. full dbt build ---------------------------------------------
            _say("4. full dbt build (dbt build --full-refresh --exclude test_type:unit) on the run's warehouse")
            full = dbt_build(url, full_refresh=True)
            _say(f"   {full['seconds']:.1f} s, exit {full['returncode']} "
                 f"{full.get('nodes', '?')} nodes {full.get('statuses', {})}")

            # 5. incremental -------------------------------------------------
            _say(f"5. one more month: loading the held-back files ({len(held_names)}), then dbt build")
            t0 = time.perf_counter()
            from dua.ingest.loader import ingest

            inc_results = ingest(url, incoming, key_bytes, 0.05, on_file=on_file)
            inc_ingest = time.perf_counter() - t0
            inc_statuses: dict[str, int] = {}
            inc_stats: dict[str, dict] = {}
            for r in inc_results:
                inc_statuses[r.status] = inc_statuses.get(r.status, 0) + 1
                d = inc_stats.setdefault(r.source or "unknown", {"files": 0, "rows": 0})
                d["files"] += 1
                d["rows"] += r.rows_total
            _say(f"   {sum(r.rows_total for r in inc_results)} rows in {inc_ingest:.2f} s; dbt build")
            inc_build = dbt_build(url)
            inc_ratio = inc_build["seconds"] / full["seconds"] if full["seconds"] > 0 else 0.0
            _say(f"   {inc_build['seconds']:.1f} s, exit {inc_build['returncode']} = {inc_ratio:.3f} × full build")
    finally:
        sampler.stop()

    # 5. memory ------------------------------------------------------------
    self_mb = _maxrss_mb(resource.RUSAGE_SELF)
    children_mb = _maxrss_mb(resource.RUSAGE_CHILDREN)
    pg_pss_mb = sampler.pg_pss_peak / MB
    combined_mb = sampler.combined_peak / MB
    separate_mb = self_mb + children_mb + pg_pss_mb
    peak_total = max(combined_mb, separate_mb)
    memory = {
        "self_maxrss_mb": self_mb,
        "children_maxrss_mb": children_mb,
        "postgres_peak_rss_sum_mb": sampler.pg_rss_peak / MB,
        "postgres_peak_pss_sum_mb": pg_pss_mb,
        "postgres_measure": "PSS" if sampler.pss_available else "RSS",
        "postgres_processes_peak": sampler.pg_processes_peak,
        "combined_sampled_peak_mb": combined_mb,
        "sum_of_separate_peaks_mb": separate_mb,
        "peak_total_mb": peak_total,
        "peak_total_basis": "sampled together" if combined_mb >= separate_mb else "sum of separate peaks",
        "samples": sampler.samples,
    }
    _say(f"5. memory: self {self_mb:.0f} MB, children {children_mb:.0f} MB, PostgreSQL RSS sum "
         f"{memory['postgres_peak_rss_sum_mb']:.0f} MB / {memory['postgres_measure']} {pg_pss_mb:.0f} MB; "
         f"whole run {peak_total:.0f} MB")

    wall = time.perf_counter() - wall0
    result = {
        "started_at": started_at,
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version(), "platform": platform.platform()},
        "parameters": {
            "persons_total": args.persons_total,
            "municipalities": len(codes),
            "persons_per_municipality": per_muni,
            "persons_effective": per_muni * len(codes),
            "months": args.months,
            "generated_months": args.months + 1,
            "seed": args.seed,
            "home": str(home),
        },
        "generation": {
            "seconds": gen_seconds,
            "files": len(summary.files),
            "rows": summary.total_rows,
            "rows_by_source": dict(summary.rows),
            "bytes": gen_bytes,
            "rows_per_second": summary.total_rows / gen_seconds if gen_seconds > 0 else 0.0,
        },
        "dua_run": run,
        "ingest": {
            "wall_seconds": ingest_wall,
            "file_statuses": statuses,
            "loader": loader,
            "copy": copy,
            "ratio_loader_vs_copy": ratios,
            "loader_total": loader_total,
            "copy_total": copy_total,
            "ratio_total": ratio_total,
        },
        "dbt_full_build": full,
        "incremental": {
            "files": len(inc_results),
            "file_statuses": inc_statuses,
            "rows": sum(r.rows_total for r in inc_results),
            "ingest_seconds": inc_ingest,
            "by_source": inc_stats,
            "dbt_build": inc_build,
            "dbt_build_seconds": inc_build["seconds"],
            "ratio_to_full": inc_ratio,
        },
        "memory": memory,
        "wall_seconds": wall,
    }
    result["targets"] = _targets(result)
    (out_dir / "results.json").write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    (out_dir / "results.md").write_text(render_markdown(result), encoding="utf-8")
    _say(f"6. total wall time {wall:.1f} s")
    for t in result["targets"]:
        _say(f"   target {t['name']}: {t['value']} ({t['target']}) {'PASS' if t['pass'] else 'FAIL'}")
    _say(f"wrote {out_dir / 'results.json'} and {out_dir / 'results.md'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
