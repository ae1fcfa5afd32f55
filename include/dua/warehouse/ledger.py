"""Run log and the views of the file ledger that commands print."""

from __future__ import annotations

import contextlib
import json
from collections.abc import Callable, Iterator

import psycopg

# One `dua run` (or accept, retry, rotate-key) at a time per warehouse: a
# session-level advisory lock held for the whole command.  Other keys in use:
# 7410001 schema, 7410002 (two-key) snapshot loads, 7410003 publication,
# 7410004 roles.
RUN_LOCK = 7410010


class RunLocked(RuntimeError):
    """Another command that changes the warehouse is running."""


@contextlib.contextmanager
def run_lock(url: str, run_id: str, command: str = "run") -> Iterator[int]:
    """Hold the warehouse's run lock for the block, or raise :class:`RunLocked`
    naming the run that holds it.  Runs left ``running`` in the run log by a
    command that died (it held the lock, so none is running now) are marked
    failed; yields how many."""
    conn = psycopg.connect(url, autocommit=True, application_name=f"dua {command} {run_id}"[:63])
    try:
        got = conn.execute("select pg_try_advisory_lock(%s)", (RUN_LOCK,)).fetchone()[0]
        if not got:
            holder = conn.execute(
                """select a.application_name, a.backend_start from pg_locks l
                   join pg_stat_activity a using (pid)
                   where l.locktype = 'advisory' and l.classid = 0 and l.objid = %s and l.objsubid = 1
                     and l.granted limit 1""",
                (RUN_LOCK,),
            ).fetchone()
            who = "another run"
            if holder and holder[0].startswith("dua "):
                who = f"another run ({holder[0].removeprefix('dua ')}, since {holder[1]:%Y-%m-%d %H:%M:%S %Z})"
            raise RunLocked(f"{who} holds the warehouse's run lock; wait until it has finished "
                            "(one run at a time per warehouse)")
        interrupted = conn.execute(
            """update meta.run_log set status = 'failed', finished_at = coalesce(finished_at, now()),
                   detail = coalesce(detail, '{}'::jsonb) || '{"interrupted": true}'::jsonb
               where status = 'running'"""
        ).rowcount
        yield interrupted
    finally:
        conn.close()  # ends the session, and with it the lock


def start_run(url: str, run_id: str, command: str, detail: dict | None = None) -> None:
    with psycopg.connect(url) as conn:
        conn.execute(
            "insert into meta.run_log (run_id, command, detail) values (%s, %s, %s) on conflict (run_id) do nothing",
            (run_id, command, json.dumps(detail or {})),
        )


def finish_run(url: str, run_id: str, status: str, detail: dict | None = None) -> None:
    with psycopg.connect(url) as conn:
        conn.execute(
            """update meta.run_log set finished_at = now(), status = %s,
                   detail = coalesce(detail, '{}'::jsonb) || %s::jsonb where run_id = %s""",
            (status, json.dumps(detail or {}), run_id),
        )


_LIST_ALL_FILES = 60


def print_files(url: str, run_id: str, out: Callable[[str], None]) -> None:
    """The files this run delivered, and the quarantine reasons of each."""
    with psycopg.connect(url) as conn:
        files = conn.execute(
            """select file_id, file_name, status, rows_loaded, rows_rejected, reason_code, message
               from meta.file_ledger where run_id = %s order by file_id""",
            (run_id,),
        ).fetchall()
        if not files:
            out("  no new files")
            return
        reasons = conn.execute(
            """select q.file_id, q.reason_code, count(*) from meta.quarantine q
               join meta.file_ledger f using (file_id) where f.run_id = %s
               group by 1, 2 order by 1, 3 desc""",
            (run_id,),
        ).fetchall()
    by_file: dict[int, list[str]] = {}
    for file_id, code, n in reasons:
        by_file.setdefault(file_id, []).append(f"{code} {n}")
    if len(files) > _LIST_ALL_FILES:
        # a regional or national delivery: totals, then only the files with a problem
        totals: dict[str, list[int]] = {}
        for _id, _name, status, loaded, rejected, _code, _msg in files:
            t = totals.setdefault(status, [0, 0, 0])
            t[0] += 1
            t[1] += loaded or 0
            t[2] += rejected or 0
        for status, (n_files, loaded, rejected) in sorted(totals.items()):
            out(f"  {status:<10} {n_files} files: {loaded} rows loaded, {rejected} quarantined")
        files = [f for f in files if f[2] in ("rejected", "held") or f[4] or f[5]]
        if len(files) > _LIST_ALL_FILES:
            out(f"  {len(files)} files with quarantined rows or rejected; the first {_LIST_ALL_FILES}:")
            files = files[:_LIST_ALL_FILES]
    for file_id, name, status, loaded, rejected, code, message in files:
        line = f"  {status:<10} {name}: {loaded} rows loaded, {rejected} quarantined"
        if by_file.get(file_id):
            line += f" ({', '.join(by_file[file_id])})"
        if status == "held":
            line += f" — held for review: {code}"
        elif code:
            line += f" — file rejected: {code}: {message}"
        out(line)


def held_files(conn: psycopg.Connection) -> list[tuple[str, str, str]]:
    """(file name, kommunkod, message) of the files held for review."""
    return conn.execute(
        """select file_name, coalesce(kommunkod, ''), coalesce(message, '') from meta.file_ledger
           where status = 'held' order by file_id"""
    ).fetchall()


def print_held(url: str, out: Callable[[str], None], run_id: str | None = None) -> None:
    """The files held for review, with how to apply them; nothing when none."""
    with psycopg.connect(url) as conn:
        held = held_files(conn)
    if not held:
        return
    prefix = f"run {run_id}: " if run_id else ""
    out(f"{prefix}{len(held)} file(s) held for review, not applied (`dua accept FILE` applies one):")
    for name, _kommunkod, message in held:
        out(f"  held       {name}: {message}")


def _run_lock_held(conn: psycopg.Connection) -> bool:
    return conn.execute(
        """select exists (select 1 from pg_locks where locktype = 'advisory' and classid = 0 and objid = %s
                          and objsubid = 1 and granted)""",
        (RUN_LOCK,),
    ).fetchone()[0]


def print_status(url: str, out: Callable[[str], None]) -> None:
    with psycopg.connect(url) as conn:
        out("Files")
        for source, status, n, rows, rej in conn.execute(
            """select source, status, count(*), sum(rows_loaded), sum(rows_rejected)
               from meta.file_ledger group by 1, 2 order by 1, 2"""
        ):
            out(f"  {source:<10} {status:<10} {n:>5} files {rows or 0:>10} rows loaded {rej or 0:>8} quarantined")
        rejected = conn.execute(
            """select file_name, reason_code, message from meta.file_ledger
               where status = 'rejected' order by file_id desc limit 20"""
        ).fetchall()
        if rejected:
            out("Rejected files")
            for name, code, message in rejected:
                out(f"  {name}: {code}: {message}")
        held = held_files(conn)
        out("Held for review (not applied; `dua accept FILE` applies one)")
        if not held:
            out("  none")
        for name, _kommunkod, message in held:
            out(f"  {name}: {message}")
        out("Rows in the raw layer")
        for table in ("raw.dexter_enrolment", "raw.af_status", "raw.jobbspar_katalog"):
            n = conn.execute(f"select count(*) from {table}").fetchone()[0]
            out(f"  {table:<24} {n:>10}")
        out("Quarantined rows by reason")
        rows = conn.execute(
            "select reason_code, count(*) from meta.quarantine group by 1 order by 2 desc, 1"
        ).fetchall()
        if not rows:
            out("  none")
        for code, n in rows:
            out(f"  {code:<22} {n:>8}")
        out("Last runs")
        runs = conn.execute(
            """select run_id, command, status, started_at, finished_at from meta.run_log
               order by started_at desc limit 5"""
        ).fetchall()
        if not runs:
            out("  none")
        live = _run_lock_held(conn)
        for run_id, command, status, started, finished in runs:
            took = f"{(finished - started).total_seconds():.0f} s" if finished else "-"
            if status == "running" and not live:
                status = "interrupted"  # no command holds the run lock: the one that started it died
            out(f"  {run_id}  {command:<6} {status:<8} {started:%Y-%m-%d %H:%M} ({took})")
        from dua.settings import settings

        reports = settings().reports_dir
        out("Reports")
        out(f"  data quality: {reports / 'datakvalitet.html'}  (GX Data Docs: {reports / 'gx'}/<suite>/index.html)")
        out(f"  indicators:   {reports / 'indikatorer.html'}")
        has_pub = conn.execute(
            "select 1 from information_schema.tables where table_schema = 'published' and table_name = 'publication'"
        ).fetchone()
        if has_pub:
            last = conn.execute(
                "select run_id, published_at, rows from published.publication order by published_at desc limit 1"
            ).fetchone()
            out("Last publication")
            out(f"  {last[0]} at {last[1]:%Y-%m-%d %H:%M} ({last[2]} rows)" if last else "  none")


def needs_publication(url: str) -> bool:
    """True when a file was loaded after the last publication (or none exists)."""
    with psycopg.connect(url) as conn:
        has_pub = conn.execute("select to_regclass('published.publication') is not null").fetchone()[0]
        last_load = conn.execute(
            "select max(loaded_at) from meta.file_ledger where status in ('loaded', 'superseded')"
        ).fetchone()[0]
        if not has_pub:
            return True
        last_pub = conn.execute("select max(published_at) from published.publication").fetchone()[0]
    return last_pub is None or (last_load is not None and last_load > last_pub)


def print_publication(url: str, out: Callable[[str], None]) -> None:
    """A short summary of the published indicators: latest period, total, K/M/T."""
    with psycopg.connect(url) as conn:
        run = conn.execute(
            "select run_id, published_at, rows from published.publication order by published_at desc limit 1"
        ).fetchone()
        if not run:
            out("nothing published")
            return
        out(f"published {run[2]} indicator rows (run {run[0]})")
        from dua.publish.latest import latest_values

        rows = latest_values(conn)
    out(f"  {'indicator':<34} {'area':<5} {'period':<8} {'value':<22} {'K':>7} {'M':>7} {'T':>7}")
    for ind, area, period, bval, unit, _title, k, m, t, _target in rows:
        label = ind if bval == "total" else f"{ind}:{bval}"
        out(f"  {label[:50]:<34} {area:<5} {period:<8} {unit:<22} {k or '-':>7} {m or '-':>7} {t or '-':>7}")
