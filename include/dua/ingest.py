"""Loading source files into the raw layer.

One file loads in one transaction: a ledger row, the valid rows by ``COPY``
into the raw table, the rejected rows (personnummer masked) into
``meta.quarantine``, then the replacement rules of the source.  A crash
mid-file leaves nothing behind; a file whose rejected share is above the
limit is rolled back to the ledger row and its quarantine rows.

A corrected Af file that would shrink its month's snapshot drastically (fewer
persons than ``max_shrink_share`` of the snapshot it replaces: a header-only
file would delete the month) is *held*: rolled back like a rejected file and
recorded as ``held`` until ``dua accept`` applies it (:func:`reload_file`).
``dua retry`` loads a superseded or rejected file again, e.g. an earlier
snapshot re-delivered after a bad correction (identical bytes are otherwise
skipped).

Files stream: one pass hashes the bytes and detects the encoding, a second
parses and copies rows as they come, so memory does not grow with file size.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import hashlib
import logging
import os
import re
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import psycopg

from dua import personnummer as pnr
from dua.config import DEFAULT_MAX_SHRINK_SHARE, ConfigError
from dua.sources import (
    AF,
    CATALOGUE,
    DEXTER,
    FILE_REASONS,
    SPECS,
    FileContext,
    Record,
    RowRejected,
    SourceSpec,
    month_end,
)

log = logging.getLogger(__name__)

_NAMES = [
    (re.compile(r"^dexter_isp_(\d{4})_(\d{8})\.csv$", re.IGNORECASE), DEXTER),
    (re.compile(r"^af_status_(\d{4})_(\d{6})\.csv$", re.IGNORECASE), AF),
    (re.compile(r"^jobbspar_katalog\.csv$", re.IGNORECASE), CATALOGUE),
]
_SOURCE_ORDER = {"catalogue": 0, "dexter": 1, "af": 2}


@dataclass(frozen=True)
class SourceFile:
    path: Path
    spec: SourceSpec | None
    context: FileContext
    problem: str | None = None  # reason code when the name itself is unusable

    @property
    def sort_key(self) -> tuple:
        st = self.path.stat()
        return (
            _SOURCE_ORDER[self.spec.name] if self.spec and not self.problem else 9,
            self.context.file_date or dt.date.min,
            st.st_mtime_ns,
            str(self.path),
        )


def identify(path: Path) -> SourceFile:
    """Tell the source, municipality and date of a file from its name."""
    for pattern, spec in _NAMES:
        m = pattern.match(path.name)
        if not m:
            continue
        if spec is CATALOGUE:
            return SourceFile(path, spec, FileContext(None, None, dt.date.today()))
        kommunkod, stamp = m.groups()
        try:
            if spec is DEXTER:
                d = dt.datetime.strptime(stamp, "%Y%m%d").date()
                return SourceFile(path, spec, FileContext(kommunkod, d, d))
            d = dt.datetime.strptime(stamp + "01", "%Y%m%d").date()
            return SourceFile(path, spec, FileContext(kommunkod, d, month_end(d)))
        except ValueError:
            return SourceFile(path, spec, FileContext(kommunkod, None, None), problem="invalid_file_name")
    return SourceFile(path, None, FileContext(None, None, None), problem="unknown_file_name")


def discover(inbox: Path) -> list[SourceFile]:
    """Every regular file below ``inbox`` (hidden files skipped), in load order:
    catalogue, Dexter exports by date, Af months by month; a corrected delivery
    of the same name loads after the original (modification time)."""
    found = [
        identify(p)
        for p in inbox.rglob("*")
        if p.is_file() and not any(part.startswith(".") for part in p.relative_to(inbox).parts)
    ]
    return sorted(found, key=lambda f: f.sort_key)


def hash_and_detect(path: Path) -> tuple[str, str]:
    """sha256 of the bytes and the encoding: UTF-8 (with or without BOM) when
    the bytes decode as UTF-8, otherwise Windows-1252."""
    digest = hashlib.sha256()
    decoder = codecs.getincrementaldecoder("utf-8")()
    utf8 = True
    head = b""
    with path.open("rb") as fh:
        while chunk := fh.read(1 << 20):
            if not head:
                head = chunk[:3]
            digest.update(chunk)
            if utf8:
                try:
                    decoder.decode(chunk)
                except UnicodeDecodeError:
                    utf8 = False
        if utf8:
            try:
                decoder.decode(b"", final=True)
            except UnicodeDecodeError:
                utf8 = False
    if utf8:
        encoding = "utf-8-sig" if head == codecs.BOM_UTF8 else "utf-8"
    else:
        encoding = "cp1252"
    return digest.hexdigest(), encoding


@dataclass
class LoadResult:
    file: str
    source: str | None
    status: str  # loaded | rejected | skipped | held
    file_id: int | None = None
    rows_total: int = 0
    rows_loaded: int = 0
    rows_rejected: int = 0
    reason_code: str | None = None
    message: str | None = None
    seconds: float = 0.0
    rejected_by_reason: dict[str, int] = field(default_factory=dict)

    @property
    def rows_per_second(self) -> float:
        return self.rows_total / self.seconds if self.seconds > 0 else 0.0


class FileRejected(Exception):
    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code


def _records(path: Path, encoding: str) -> Iterator[tuple[int, list[str]]]:
    """(line number, fields) of each non-blank record; the header is line 1."""
    with path.open("r", encoding=encoding, newline="") as fh:
        reader = csv.reader(fh, delimiter=";", quotechar='"', strict=False)
        previous_end = 0
        for fields in reader:
            start = previous_end + 1
            previous_end = reader.line_num
            if not fields or (len(fields) == 1 and fields[0].strip() == ""):
                continue
            yield start, fields


def read_header(fields: list[str], spec: SourceSpec, aliases: dict[str, str]) -> tuple[list[str], tuple[str, ...]]:
    """Canonical column names of the header and the unknown extra columns.
    Raises FileRejected for a missing or repeated column."""
    names = []
    for raw in fields:
        name = raw.strip().lower()
        names.append(aliases.get(name, name))
    seen: set[str] = set()
    for n in names:
        if n in seen:
            raise FileRejected("duplicate_column", f"the header names column {n!r} twice")
        seen.add(n)
    missing = [c for c in spec.required if c not in seen]
    if missing:
        raise FileRejected("missing_column", f"required column(s) missing from the header: {', '.join(missing)}")
    extra = tuple(n for n in names if n not in spec.known)
    return names, extra


def column_aliases() -> dict[str, str]:
    """``DUA_COLUMN_ALIASES="pnr=personnummer,kommun=kommunkod"``: header names
    of a municipality's export mapped onto the contract's names."""
    text = os.environ.get("DUA_COLUMN_ALIASES", "")
    out = {}
    for item in filter(None, (s.strip() for s in text.split(","))):
        alias, _, canonical = item.partition("=")
        if alias and canonical:
            out[alias.strip().lower()] = canonical.strip().lower()
    return out


def _masked_line(fields: list[str], pnr_index: int | None) -> str:
    out = []
    for i, value in enumerate(fields):
        out.append(pnr.mask(value) if i == pnr_index else pnr.mask_text(value))
    return ";".join(out)


def load_file(
    conn: psycopg.Connection,
    sf: SourceFile,
    key: bytes,
    max_reject_share: float,
    run_id: str | None = None,
    sha256: str | None = None,
    encoding: str | None = None,
    max_shrink_share: float = float(DEFAULT_MAX_SHRINK_SHARE),
    reload: str | None = None,
) -> LoadResult:
    """Load one file in one transaction. ``conn`` must be in autocommit mode
    (the transaction is opened and closed here).

    ``reload``: ``"accept"`` loads a file recorded as held, without the
    shrink limit; ``"retry"`` loads a superseded, rejected or held file
    again.  Otherwise a file whose bytes are in the ledger is skipped.

    The statements before and after the row ``COPY`` are sent as pipelines, so
    a file that loads costs four round trips to the server whatever its size."""
    started = time.perf_counter()
    if sha256 is None or encoding is None:
        sha256, encoding = hash_and_detect(sf.path)
    spec = sf.spec
    source = spec.name if spec else "unknown"
    result = LoadResult(file=str(sf.path), source=spec.name if spec else None, status="loaded")

    committed = False
    try:
        # 1: begin, serialise with any other loader of the same snapshot, and
        # register the file unless identical bytes were delivered before.
        with conn.pipeline():
            conn.execute("begin")
            conn.execute("select pg_advisory_xact_lock(7410002, hashtext(%s))",
                         (f"{source}/{sf.context.kommunkod or ''}",))
            cur = conn.execute(
                """insert into meta.file_ledger (file_name, source, kommunkod, file_date, sha256, encoding, status,
                                                 run_id)
                   values (%s, %s, %s, %s, %s, %s, 'loading', %s)
                   on conflict (sha256) do update set status = 'loading', run_id = excluded.run_id,
                       file_name = excluded.file_name, loaded_at = now(), reason_code = null, message = null
                   where meta.file_ledger.status = any(%s::text[])
                   returning file_id""",
                (sf.path.name, source, sf.context.kommunkod, sf.context.file_date, sha256, encoding, run_id,
                 list(RELOADABLE.get(reload or "", ()))),
            )
            snapshot = None
            if spec is AF and sf.context.kommunkod and sf.context.file_date:
                # persons of the month's snapshot this file would replace
                snapshot = conn.execute(
                    "select count(distinct person_id) from raw.af_status where kommunkod = %s and status_month = %s",
                    (sf.context.kommunkod, sf.context.file_date),
                )
            conn.execute("savepoint rows")
        row = cur.fetchone()
        persons_before = snapshot.fetchone()[0] if snapshot is not None else 0
        if row is None:
            conn.execute("rollback")
            committed = True
            result.status = "skipped"
            result.message = "identical file already delivered"
            result.seconds = time.perf_counter() - started
            return result
        file_id = row[0]
        result.file_id = file_id
        spool = None
        try:
            if sf.problem or spec is None:
                raise FileRejected(sf.problem or "unknown_file_name", FILE_REASONS[sf.problem or "unknown_file_name"])
            # 2: the rows (and, rarely, the rows of conflicting keys removed again)
            spool = _Quarantine()
            _copy_rows(conn, sf, spec, key, file_id, encoding, spool, result)
            share = result.rows_rejected / result.rows_total if result.rows_total else 0.0
            if share > max_reject_share:
                result.status = "rejected"
                result.reason_code = "too_many_rejected"
                result.message = (
                    f"{result.rows_rejected} of {result.rows_total} rows rejected "
                    f"({100 * share:.1f} %), above the limit of {100 * max_reject_share:.1f} %"
                )
                result.rows_loaded = 0
        except FileRejected as exc:
            result.status = "rejected"
            result.reason_code = exc.code
            result.message = str(exc)
        if result.status == "loaded" and spec is AF and reload != "accept":
            _hold_if_shrinking(sf, persons_before, max_shrink_share, result)
        # 3: a rejected or held file keeps its ledger row and quarantine, not its rows
        if result.status in ("rejected", "held"):
            conn.execute("rollback to savepoint rows")
        if reload:  # the quarantine of the earlier load gives way to this one's
            conn.execute("delete from meta.quarantine where file_id = %s", (file_id,))
        if spool is not None and spool.count:
            spool.copy_to(conn)
        # 4: replacement rules, ledger, commit
        with conn.pipeline():
            if result.status == "loaded":
                _apply_replacement(conn, sf, spec, file_id)
            conn.execute(
                """update meta.file_ledger set status = %s, rows_total = %s, rows_loaded = %s, rows_rejected = %s,
                       reason_code = %s, message = %s where file_id = %s""",
                (result.status, result.rows_total, result.rows_loaded, result.rows_rejected, result.reason_code,
                 result.message, file_id),
            )
            conn.execute("commit")
        committed = True
    finally:
        if not committed and not conn.closed:
            conn.execute("rollback")
    result.seconds = time.perf_counter() - started
    return result


class _Quarantine:
    """Rejected rows of one file, spooled to a temporary file (never held in
    memory) and copied to ``meta.quarantine`` in one ``COPY``."""

    def __init__(self) -> None:
        self.count = 0
        self._fh = None
        self._writer = None

    def writerow(self, row: list) -> None:
        if self._fh is None:
            self._fh = tempfile.TemporaryFile("w+", encoding="utf-8", newline="")
            self._writer = csv.writer(self._fh)
        self._writer.writerow(row)
        self.count += 1

    def copy_to(self, conn: psycopg.Connection) -> None:
        assert self._fh is not None
        self._fh.seek(0)
        with conn.cursor().copy(
            "copy meta.quarantine (file_id, file_name, line_no, reason_code, column_name, message, raw_line)"
            " from stdin (format csv)"
        ) as copy:
            while chunk := self._fh.read(1 << 20):
                copy.write(chunk)
        self._fh.close()
        self._fh = None


# Files up to this size find their duplicate keys in the loader's memory (a few
# hundred bytes per row); larger ones leave it to the server after the COPY, so
# that the loader's memory does not grow with the file.
DEDUPE_IN_MEMORY_BYTES = 64 * 1024 * 1024


def _copy_rows(conn, sf: SourceFile, spec: SourceSpec, key: bytes, file_id: int, encoding: str,
               quarantine, result: LoadResult) -> None:
    in_memory = sf.path.stat().st_size <= DEDUPE_IN_MEMORY_BYTES
    try:
        records = _records(sf.path, encoding)
        try:
            _, header = next(records)
        except StopIteration:
            raise FileRejected("empty_file", "the file has no header row") from None
        names, extra = read_header(header, spec, column_aliases())
        pnr_index = names.index("personnummer") if "personnummer" in names else None
        width = len(names)
        seen: dict[tuple, tuple[int, int]] = {}  # key -> (digest of the row, line number)
        repeats: dict[tuple, list[int]] = {}  # key seen more than once -> all its line numbers
        conflicting: set[tuple] = set()  # keys with differing rows
        columns = ", ".join(("file_id", "line_no") + spec.raw_columns)

        def reject(line_no: int, code: str, column: str | None, message: str, fields: list[str] | None) -> None:
            result.rows_rejected += 1
            result.rejected_by_reason[code] = result.rejected_by_reason.get(code, 0) + 1
            raw_line = _masked_line(fields, pnr_index) if fields is not None else None
            quarantine.writerow([file_id, sf.path.name, line_no, code, column, message, raw_line])

        key_of, validate, context = spec.key_of, spec.validate, sf.context
        with conn.cursor().copy(f"copy {spec.table} ({columns}) from stdin") as copy:
            write_row = copy.write_row
            for line_no, fields in records:
                result.rows_total += 1
                if len(fields) != width:
                    reject(line_no, "field_count", None,
                           f"line has {len(fields)} fields, the header has {width}", fields)
                    continue
                rec = Record(dict(zip(names, map(str.strip, fields), strict=True)))
                try:
                    row = validate(rec, context, key, extra)
                except RowRejected as exc:
                    reject(line_no, exc.code, exc.column, exc.message, fields)
                    continue
                if not in_memory:
                    write_row((file_id, line_no, *row))
                    result.rows_loaded += 1
                    continue
                k = key_of(row)
                digest = hash(row)
                entry = seen.get(k)
                if entry is None:
                    seen[k] = (digest, line_no)
                    write_row((file_id, line_no, *row))
                    result.rows_loaded += 1
                else:  # an identical row loads once; differing rows are all rejected below
                    lines = repeats.get(k)
                    if lines is None:
                        repeats[k] = lines = [entry[1]]
                    lines.append(line_no)
                    if entry[0] != digest:
                        conflicting.add(k)
        conflicts = {k: repeats[k] for k in conflicting}
    except UnicodeDecodeError as exc:
        raise FileRejected("unreadable_encoding", f"the file is neither UTF-8 nor Windows-1252: {exc}") from None
    if in_memory:
        result.rows_loaded -= len(conflicts)  # one row of each was loaded
    else:
        conflicts = _duplicates_in_table(conn, spec, file_id, result)
    if conflicts:
        _reject_conflicts(conn, sf, spec, file_id, encoding, conflicts, pnr_index, reject)


def _duplicates_in_table(conn, spec: SourceSpec, file_id: int, result: LoadResult) -> dict[tuple, list[int]]:
    """Duplicate keys of a file already copied whole: identical rows are cut to
    the first; keys with differing rows are returned (with all their lines)
    and every one of their rows is taken out of the loaded count."""
    keys = ", ".join(spec.key_columns)
    rows = ", ".join(spec.raw_columns)
    conflicts: dict[tuple, list[int]] = {}
    surplus: list[int] = []
    with conn.cursor() as cur:
        cur.execute(
            f"""select {keys}, array_agg(line_no order by line_no), count(distinct ({rows}))
                from {spec.table} where file_id = %s group by {keys} having count(*) > 1""",
            (file_id,),
        )
        for *k, lines, variants in cur:
            if variants > 1:
                conflicts[tuple(k)] = lines
                result.rows_loaded -= len(lines)
            else:
                surplus.extend(lines[1:])
        if surplus:
            cur.execute(f"delete from {spec.table} where file_id = %s and line_no = any(%s)", (file_id, surplus))
            result.rows_loaded -= len(surplus)
    return conflicts


def _reject_conflicts(conn, sf, spec, file_id, encoding, conflicts, pnr_index, reject: Callable) -> None:
    """Differing rows with the same key: remove the one loaded, quarantine all."""
    where = " and ".join(f"{c} = %s" for c in spec.key_columns)
    with conn.cursor() as cur:
        for k in conflicts:
            cur.execute(f"delete from {spec.table} where file_id = %s and {where}", (file_id, *k))
    line_to_key = {ln: k for k, lines in conflicts.items() for ln in lines}
    for line_no, fields in _records(sf.path, encoding):
        k = line_to_key.get(line_no)
        if k is None:
            continue
        reject(line_no, "duplicate_key", ",".join(spec.key_columns),
               f"{len(conflicts[k])} differing rows share the key ({', '.join(spec.key_columns)})", fields)


# Ledger states that ``reload`` may load again.
RELOADABLE = {"accept": ("held",), "retry": ("superseded", "rejected", "held")}


def _hold_if_shrinking(sf: SourceFile, persons_before: int, max_shrink_share: float, result: LoadResult) -> None:
    """Hold a replacement whose snapshot has fewer than ``max_shrink_share``
    of the persons of the one it replaces (the Af key is the person, so the
    rows loaded are the persons)."""
    persons_after = result.rows_loaded
    if persons_before == 0 or persons_after >= max_shrink_share * persons_before:
        return
    month = sf.context.file_date.strftime("%Y-%m")
    result.status = "held"
    result.reason_code = "snapshot_shrinks"
    result.message = (
        f"{persons_after} persons where the loaded snapshot of {sf.context.kommunkod} {month} has {persons_before} "
        f"(fewer than {100 * max_shrink_share:.0f} %, DUA_MAX_SHRINK_SHARE): held for review, not applied; "
        f"`dua accept {sf.path.name}` applies it")
    result.rows_loaded = 0


def _apply_replacement(conn, sf: SourceFile, spec: SourceSpec, file_id: int) -> None:
    if spec is AF:
        conn.execute(
            "delete from raw.af_status where kommunkod = %s and status_month = %s and file_id <> %s",
            (sf.context.kommunkod, sf.context.file_date, file_id),
        )
        # the month's earlier snapshot, and any file held for it, give way
        conn.execute(
            """update meta.file_ledger set status = 'superseded'
               where source = 'af' and kommunkod = %s and file_date = %s and file_id <> %s
                 and status in ('loaded', 'held')""",
            (sf.context.kommunkod, sf.context.file_date, file_id),
        )
    elif spec is CATALOGUE:
        conn.execute("delete from raw.jobbspar_katalog where file_id <> %s", (file_id,))
        conn.execute(
            "update meta.file_ledger set status = 'superseded' where source = 'catalogue' and file_id <> %s"
            " and status = 'loaded'",
            (file_id,),
        )


def load_workers() -> int:
    """Processes that load files at once: ``DUA_LOAD_WORKERS``, by default
    the number of cores up to 2 (the server needs the rest)."""
    text = os.environ.get("DUA_LOAD_WORKERS", "").strip()
    if text:
        try:
            n = int(text)
        except ValueError:
            raise ValueError(f"DUA_LOAD_WORKERS must be a whole number, got {text!r}") from None
        if n < 1:
            raise ValueError(f"DUA_LOAD_WORKERS must be at least 1, got {n}")
        return n
    return max(1, min(2, os.cpu_count() or 1))


# Below this many files, starting worker processes costs more than it saves.
_MIN_FILES_FOR_WORKERS = 16


def _open_loader(url: str) -> psycopg.Connection:
    conn = psycopg.connect(url, autocommit=True)
    # A file's commit need not wait for the disk: after a crash the last files
    # are simply not in the ledger and load again from the inbox.
    conn.execute("set synchronous_commit to off")
    return conn


def _load_group(url: str, paths: list[str], key: bytes, max_reject_share: float,
                run_id: str | None, max_shrink_share: float = float(DEFAULT_MAX_SHRINK_SHARE)) -> list[LoadResult]:
    """Load the files of one municipality in order (a worker process's job)."""
    with _open_loader(url) as conn:
        return [load_file(conn, identify(Path(p)), key, max_reject_share, run_id, max_shrink_share=max_shrink_share)
                for p in paths]


def load_files(url: str, files: list[SourceFile], key: bytes, max_reject_share: float,
               run_id: str | None = None, workers: int | None = None,
               on_file: Callable[[LoadResult], None] | None = None,
               max_shrink_share: float = float(DEFAULT_MAX_SHRINK_SHARE)) -> list[LoadResult]:
    """Load ``files`` (in :func:`discover` order); results in the same order.

    Files of different municipalities touch different snapshots, so each
    municipality's files form a group loaded in order by one process, and
    ``workers`` processes load groups at once (files without a municipality,
    such as the catalogue, form a group of their own).  ``workers=None``
    takes :func:`load_workers` and loads in this process when there are few
    files."""
    if workers is None:
        workers = load_workers() if len(files) >= _MIN_FILES_FOR_WORKERS else 1
    groups: dict[str | None, list[SourceFile]] = {}
    for sf in files:
        groups.setdefault(sf.context.kommunkod, []).append(sf)
    by_path: dict[str, LoadResult] = {}

    def done(res: LoadResult) -> None:
        by_path[res.file] = res
        if on_file:
            on_file(res)

    if workers > 1 and len(groups) > 1:
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor, as_completed
        from concurrent.futures.process import BrokenProcessPool

        # largest groups first, so that the last one to start is a small one
        ordered = sorted(groups.values(), key=lambda g: -sum(f.path.stat().st_size for f in g))
        ctx = multiprocessing.get_context("spawn")
        try:
            with ProcessPoolExecutor(max_workers=min(workers, len(groups)), mp_context=ctx) as pool:
                futures = [pool.submit(_load_group, url, [str(f.path) for f in g], key, max_reject_share, run_id,
                                       max_shrink_share) for g in ordered]
                for fut in as_completed(futures):
                    for res in fut.result():
                        done(res)
        except (AssertionError, OSError, BrokenProcessPool) as exc:
            # e.g. a daemonic task process may not start children: the files
            # not yet reported load here (one a worker committed unreported
            # is recognised by its hash and skipped)
            log.warning("worker processes failed (%s: %s); loading the remaining files in this process",
                        type(exc).__name__, exc)
    rest = [sf for sf in files if str(sf.path) not in by_path]
    if rest:
        with _open_loader(url) as conn:
            for sf in rest:
                done(load_file(conn, sf, key, max_reject_share, run_id, max_shrink_share=max_shrink_share))
    return [by_path[str(sf.path)] for sf in files]


def ingest(url: str, inbox: Path, key: bytes, max_reject_share: float, run_id: str | None = None,
           on_file: Callable[[LoadResult], None] | None = None, workers: int | None = None,
           max_shrink_share: float = float(DEFAULT_MAX_SHRINK_SHARE)) -> list[LoadResult]:
    """Load every file below ``inbox`` that has not been delivered before."""
    return load_files(url, discover(inbox), key, max_reject_share, run_id, workers, on_file, max_shrink_share)


class ReloadRefused(ConfigError):
    """``dua accept`` / ``dua retry`` of a file the ledger does not allow it for."""


def reload_file(url: str, path: Path, key: bytes, max_reject_share: float, max_shrink_share: float,
                run_id: str | None, mode: str) -> LoadResult:
    """``mode`` ``"accept"``: apply the held file ``path``; ``"retry"``: load
    the superseded or rejected (or held) file ``path`` again.  The file is
    known by its bytes (sha256) in the ledger."""
    sha256, encoding = check_reload(url, path, mode)
    with _open_loader(url) as conn:
        return load_file(conn, identify(path), key, max_reject_share, run_id, sha256, encoding,
                         max_shrink_share=max_shrink_share, reload=mode)


def check_reload(url: str, path: Path, mode: str) -> tuple[str, str]:
    """sha256 and encoding of ``path`` when the ledger lets ``mode`` load it
    again; :class:`ReloadRefused` saying why not otherwise."""
    sha256, encoding = hash_and_detect(path)
    with psycopg.connect(url) as conn:
        row = conn.execute("select file_name, status, reason_code from meta.file_ledger where sha256 = %s",
                           (sha256,)).fetchone()
    if row is None:
        raise ReloadRefused(f"{path} was never delivered (its bytes are not in the ledger): "
                            "put it into the inbox and `dua run`")
    name, status, reason = row
    if status not in RELOADABLE[mode]:
        hint = {"loaded": "it is loaded already",
                "held": "it is held for review: `dua accept` applies it",
                "superseded": "a later file replaced it: `dua retry` loads it again"}.get(status, "")
        raise ReloadRefused(f"{path}: {mode} applies to {' or '.join(RELOADABLE[mode])} files; "
                            f"this one ({name}) is {status}" + (f" — {hint}" if hint else ""))
    return sha256, encoding


__all__ = ["SPECS", "LoadResult", "SourceFile", "discover", "identify", "ingest", "load_file", "load_files",
           "reload_file"]
