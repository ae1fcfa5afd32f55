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
The reading of bytes, lines and fields is :mod:`dua.ingest.reader` (no database).

Nothing that goes wrong with one file escapes it: its bytes, a row, or the
server's refusal of a row end as rejected rows in quarantine or as the file's
ledger row (rejected, with a reason code and a message naming the file and
line), and the next file loads.  Only a failure of the warehouse itself (the
connection lost, the server out of resources, a missing table or right)
stops the load: then nothing of the file is kept and it loads on the next try.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import logging
import os
import re
import stat
import tempfile
import time
from array import array
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path

import psycopg

from dua import settings as config
from dua.identity import personnummer as pnr
from dua.ingest.reader import FileFacts, Line, display_name, inspect, printable, read_lines
from dua.ingest.sources import (
    AF,
    CATALOGUE,
    DEXTER,
    FILE_REASONS,
    SPECS,
    ExtraColumns,
    FileContext,
    Record,
    RowRejected,
    SourceSpec,
    month_end,
)
from dua.settings import ConfigError, Settings

log = logging.getLogger(__name__)
# the share under which a corrected Af file is held, when the caller gives none
DEFAULT_MAX_SHRINK_SHARE: float = Settings.model_fields["max_shrink_share"].default

_NAMES = [
    (re.compile(r"^dexter_isp_([0-9]{4})_([0-9]{8})\.csv$", re.IGNORECASE | re.ASCII), DEXTER),
    (re.compile(r"^af_status_([0-9]{4})_([0-9]{6})\.csv$", re.IGNORECASE | re.ASCII), AF),
    (re.compile(r"^jobbspar_katalog\.csv$", re.IGNORECASE | re.ASCII), CATALOGUE),
]
_SOURCE_ORDER = {"catalogue": 0, "dexter": 1, "af": 2}

# A delivery may be declared complete by an empty file of this name beside it.
DONE_SUFFIX = ".done"


@dataclass(frozen=True)
class SourceFile:
    path: Path
    spec: SourceSpec | None
    context: FileContext
    problem: str | None = None  # reason code when the file cannot be read as a source file
    link_target: str | None = None  # a symbolic link's target, when it points out of the inbox
    mtime_ns: int = 0  # as discovered (load order)

    @property
    def name(self) -> str:
        """The file name as stored, logged and shown (:func:`dua.ingest.reader.display_name`)."""
        return display_name(self.path.name)

    @property
    def sort_key(self) -> tuple:
        mtime = self.mtime_ns
        if not mtime:
            try:
                mtime = self.path.lstat().st_mtime_ns
            except OSError:
                mtime = 0
        return (
            _SOURCE_ORDER[self.spec.name] if self.spec and not self.problem else 9,
            self.context.file_date or dt.date.min,
            mtime,
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


def _inside(target: str, root: str) -> bool:
    return target == root or target.startswith(root.rstrip(os.sep) + os.sep)


def scan(inbox: Path, settle_seconds: float = 0.0, now: float | None = None
         ) -> tuple[list[SourceFile], list[SourceFile]]:
    """The files below ``inbox`` that are complete, in load order, and those
    not yet complete.

    Considered: regular files and symbolic links, hidden files and folders and
    ``*.done`` markers skipped.  A file is complete when a marker
    ``<file>.done`` is beside it, or when it has not changed — no write, no
    change of its size or metadata (the later of mtime and ctime) — for
    ``settle_seconds``.  A symbolic link whose target is outside the inbox is
    not followed: it is listed (complete) with the problem
    ``symlink_outside_inbox``.  Folders are not entered through links."""
    now = time.time() if now is None else now
    root = os.path.realpath(inbox)
    ready: list[SourceFile] = []
    waiting: list[SourceFile] = []
    for p in inbox.rglob("*"):
        rel = p.relative_to(inbox)
        if any(part.startswith(".") for part in rel.parts) or p.name.endswith(DONE_SUFFIX):
            continue
        try:
            st = p.lstat()
            if stat.S_ISLNK(st.st_mode):
                if not _inside(os.path.realpath(p), root):
                    ready.append(replace(identify(p), problem="symlink_outside_inbox",
                                         link_target=os.readlink(p), mtime_ns=st.st_mtime_ns))
                    continue
                st = p.stat()
            if not stat.S_ISREG(st.st_mode):
                continue
        except OSError:  # vanished, or a dangling link inside the inbox
            continue
        sf = replace(identify(p), mtime_ns=st.st_mtime_ns)
        changed = max(st.st_mtime, st.st_ctime)
        if now - changed >= settle_seconds or p.with_name(p.name + DONE_SUFFIX).exists():
            ready.append(sf)
        else:
            waiting.append(sf)
    return sorted(ready, key=lambda f: f.sort_key), sorted(waiting, key=lambda f: f.sort_key)


def discover(inbox: Path, settle_seconds: float = 0.0) -> list[SourceFile]:
    """The complete files below ``inbox`` (:func:`scan`), in load order:
    catalogue, Dexter exports by date, Af months by month; a corrected delivery
    of the same name loads after the original (modification time)."""
    return scan(inbox, settle_seconds)[0]


def hash_and_detect(path: Path) -> tuple[str, str]:
    """sha256 of the bytes and the encoding: UTF-8 (with or without BOM) when
    the bytes decode as UTF-8, otherwise Windows-1252 (UTF-16 and UTF-32 are
    named: :data:`dua.ingest.reader.UNSUPPORTED`)."""
    facts = inspect(path)
    return facts.sha256, facts.encoding


def _pseudo_digest(*parts: object) -> str:
    """A stable stand-in for the sha256 of a file whose bytes are not read
    (a link out of the inbox, an unreadable file): a second look at the same
    state is a re-delivery, a changed state a new file."""
    h = hashlib.sha256(b"dua-unread\0")
    for part in parts:
        h.update(os.fsencode(part) if isinstance(part, str) else str(part).encode("ascii"))
        h.update(b"\0")
    return h.hexdigest()


def content_digest(sf: SourceFile) -> str:
    """What the ledger knows a file by: the sha256 of its bytes, or for a file
    whose bytes are not read, :func:`_pseudo_digest` of what is known of it."""
    if sf.problem == "symlink_outside_inbox":
        return _pseudo_digest("symlink", str(sf.path), sf.link_target or "")
    try:
        return inspect(sf.path).sha256
    except OSError:
        st = _stat_or_none(sf.path)
        return _pseudo_digest("unreadable", str(sf.path), *(st or ()))


def _stat_or_none(path: Path) -> tuple[int, int, int] | None:
    try:
        st = path.stat()
    except OSError:
        return None
    return st.st_size, st.st_mtime_ns, st.st_ctime_ns


@dataclass
class LoadResult:
    file: str  # the path (the key of the caller's bookkeeping; never stored or shown)
    source: str | None
    status: str  # loaded | rejected | skipped | held | waiting (changed while read: left for the next run)
    file_id: int | None = None
    rows_total: int = 0
    rows_loaded: int = 0
    rows_rejected: int = 0
    rows_repeated: int = 0  # repeats of an identical row: loaded once (total = loaded + rejected + repeated)
    reason_code: str | None = None
    message: str | None = None
    seconds: float = 0.0
    rejected_by_reason: dict[str, int] = field(default_factory=dict)
    name: str = ""  # the file name as stored and shown (display_name)
    masked_columns: dict[str, int] = field(default_factory=dict)  # unknown column -> values masked

    @property
    def rows_per_second(self) -> float:
        return self.rows_total / self.seconds if self.seconds > 0 else 0.0


class FileRejected(Exception):
    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code


class _FileChanged(Exception):
    """The file changed (or vanished) while it was read: it is not complete."""


def read_header(fields: list[str], spec: SourceSpec, aliases: dict[str, str], file_name: str = "the file",
                line_no: int = 1) -> tuple[list[str], ExtraColumns]:
    """Canonical column names of the header and the unknown extra columns.
    Raises FileRejected for a missing or repeated column.  A header name that
    looks like a personnummer is masked (it becomes a key of the raw row's
    ``extra``); masked names that would coincide are numbered."""
    names = []
    for raw in fields:
        name = raw.strip().lower()
        name = aliases.get(name, name)
        if pnr.PNR_PATTERN.search(name):
            name = pnr.mask_text(name)
        names.append(printable(name))
    where = f"{file_name}, line {line_no}"
    seen: set[str] = set()
    for i, n in enumerate(names):
        if n in seen:
            if n != fields[i].strip().lower() and "X" in n:  # a masked name met another one
                k = 2
                while f"{n} ({k})" in seen:
                    k += 1
                names[i] = n = f"{n} ({k})"
            else:
                raise FileRejected("duplicate_column", f"{where}: the header names column {n!r} twice")
        seen.add(n)
    missing = [c for c in spec.required if c not in seen]
    if missing:
        raise FileRejected("missing_column",
                           f"{where}: required column(s) missing from the header: {', '.join(missing)}")
    extra = ExtraColumns(n for n in names if n not in spec.known)
    return names, extra


def column_aliases() -> dict[str, str]:
    """``DUA_COLUMN_ALIASES="pnr=personnummer,kommun=kommunkod"``: header names
    of a municipality's export mapped onto the contract's names."""
    return config.settings().aliases


def _masked_line(fields: list[str], pnr_index: int | None) -> str:
    out = []
    for i, value in enumerate(fields):
        out.append(pnr.mask(value) if i == pnr_index else pnr.mask_text(value))
    return ";".join(out)


# SQLSTATE classes of a failure of the warehouse, not of the file: the load
# stops (the task fails and retries) and the file is not recorded.
#   08 connection, 25 transaction state, 40 rollback (deadlock, serialization),
#   42 syntax or access rule (a missing table, column or right), 53 resources,
#   54 program limits, 55 object state (a lock), 57 operator intervention,
#   58 system error, XX internal error
_WAREHOUSE_CLASSES = frozenset({"08", "25", "40", "42", "53", "54", "55", "57", "58", "XX"})


def _warehouse_failure(exc: BaseException, conn: psycopg.Connection) -> bool:
    """True when ``exc`` is about the warehouse or the set-up, not the file."""
    if isinstance(exc, (psycopg.OperationalError, psycopg.InterfaceError, MemoryError, config.ConfigError)):
        return True
    if isinstance(exc, psycopg.Error):
        state = exc.sqlstate or ""
        return conn.closed or conn.broken or state[:2] in _WAREHOUSE_CLASSES
    return False


# The server refuses rows that passed every rule only through a bug of the
# rules; the loader sets this many aside (quarantined as server_rejected)
# before it rejects the file as copy_failed.
MAX_SERVER_REJECTED = 10
_COPY_LINE = re.compile(r"\bline ([0-9]+)\b")


def load_file(
    conn: psycopg.Connection,
    sf: SourceFile,
    key: bytes,
    max_reject_share: float,
    run_id: str | None = None,
    sha256: str | None = None,
    encoding: str | None = None,
    max_shrink_share: float = DEFAULT_MAX_SHRINK_SHARE,
    reload: str | None = None,
) -> LoadResult:
    """Load one file in one transaction. ``conn`` must be in autocommit mode
    (the transaction is opened and closed here).

    ``reload``: ``"accept"`` loads a file recorded as held, without the
    shrink limit; ``"retry"`` loads a superseded, rejected or held file
    again.  Otherwise a file whose bytes are in the ledger is skipped.

    The statements before and after the row ``COPY`` are sent as pipelines, so
    a file that loads costs four round trips to the server whatever its size.

    Returns the file's result whatever happened to its bytes or rows; raises
    only when the warehouse itself fails (then nothing of the file is kept)."""
    started = time.perf_counter()
    name = sf.name
    spec = sf.spec
    source = spec.name if spec else "unknown"
    result = LoadResult(file=str(sf.path), source=spec.name if spec else None, status="loaded", name=name)
    facts: FileFacts | None = None
    before = None
    digest: str | None = None
    try:
        if sf.problem == "symlink_outside_inbox":
            digest = content_digest(sf)
        else:
            before = _stat_or_none(sf.path)
            if before is None:  # moved away since it was found
                raise _FileChanged()
            try:
                facts = inspect(sf.path)
                digest = facts.sha256
            except OSError:
                digest = _pseudo_digest("unreadable", str(sf.path), *(before or ()))
            if sha256 is not None and facts is not None and sha256 != facts.sha256:
                raise _FileChanged()
        _load(conn, sf, spec, source, key, max_reject_share, run_id, digest, facts, before, result,
              max_shrink_share, reload)
    except _FileChanged:
        _rollback(conn)
        result = LoadResult(file=str(sf.path), source=result.source, status="waiting", name=name,
                            message="the file changed while it was read (or moved away): left for the next run")
    except BaseException as exc:
        _rollback(conn)
        if not isinstance(exc, Exception) or _warehouse_failure(exc, conn):
            raise
        # the loader's own fault: the file is recorded as rejected, the next one loads
        log.error("%s: %s while loading; recorded as rejected (load_error)", name, type(exc).__name__)
        result = _record_failure(conn, sf, source, digest, facts, run_id, name,
                                 f"{name}: {type(exc).__name__} while loading: {exc}")
    result.seconds = time.perf_counter() - started
    return result


def _rollback(conn: psycopg.Connection) -> None:
    if conn.closed or conn.broken:
        return
    try:
        if conn.info.transaction_status != psycopg.pq.TransactionStatus.IDLE:
            conn.execute("rollback")
    except psycopg.Error:
        pass


def _record_failure(conn, sf: SourceFile, source: str, digest: str | None, facts: FileFacts | None,
                    run_id: str | None, name: str, message: str) -> LoadResult:
    """A ledger row of its own for a file whose load failed unexpectedly."""
    digest = digest or _pseudo_digest("failed", str(sf.path), *(_stat_or_none(sf.path) or ()))
    message = printable(pnr.mask_text(message))[:2000]
    result = LoadResult(file=str(sf.path), source=sf.spec.name if sf.spec else None, status="rejected",
                        name=name, reason_code="load_error", message=message)
    try:
        row = conn.execute(
            """insert into meta.file_ledger (file_name, source, kommunkod, file_date, sha256, encoding, status,
                                             reason_code, message, run_id)
               values (%s, %s, %s, %s, %s, %s, 'rejected', 'load_error', %s, %s)
               on conflict (sha256) do nothing returning file_id""",
            (name, source, sf.context.kommunkod, sf.context.file_date, digest,
             facts.encoding if facts else None, message, run_id),
        ).fetchone()
        result.file_id = row[0] if row else None
    except psycopg.Error as exc:
        if _warehouse_failure(exc, conn):
            raise
        log.error("%s: the ledger row of the failed load could not be written either (%s)", name,
                  type(exc).__name__)
    return result


def _load(conn, sf: SourceFile, spec: SourceSpec | None, source: str, key: bytes, max_reject_share: float,
          run_id: str | None, digest: str, facts: FileFacts | None, before, result: LoadResult,
          max_shrink_share: float = DEFAULT_MAX_SHRINK_SHARE, reload: str | None = None) -> None:
    name = result.name
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
                (name, source, sf.context.kommunkod, sf.context.file_date, digest,
                 facts.encoding if facts else None, run_id, list(RELOADABLE.get(reload or "", ()))),
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
            return
        file_id = row[0]
        result.file_id = file_id
        spool = None
        try:
            if sf.problem == "symlink_outside_inbox":
                target = display_name(sf.link_target or "")
                raise FileRejected("symlink_outside_inbox",
                                   f"{name}: a symbolic link to {target}, outside the inbox: not followed")
            if sf.problem or spec is None:
                code = sf.problem or "unknown_file_name"
                raise FileRejected(code, f"{name}: {FILE_REASONS[code]}")
            if facts is None:
                raise FileRejected("unreadable_file", f"{name}: {FILE_REASONS['unreadable_file']}")
            if facts.unsupported:
                raise FileRejected(
                    "unsupported_encoding",
                    f"{name}: the file is {facts.unsupported} text ({facts.how}); the contract accepts UTF-8 or "
                    "Windows-1252: export it again as UTF-8")
            # 2: the rows (and, rarely, the rows of conflicting keys removed again)
            spool = _copy_with_retries(conn, sf, spec, key, file_id, facts, result)
            if _stat_or_none(sf.path) != before:
                raise _FileChanged()
            share = result.rows_rejected / result.rows_total if result.rows_total else 0.0
            if share > max_reject_share:
                result.status = "rejected"
                result.reason_code = "too_many_rejected"
                result.message = (
                    f"{name}: {result.rows_rejected} of {result.rows_total} rows rejected "
                    f"({100 * share:.1f} %), above the limit of {100 * max_reject_share:.1f} %"
                )
                result.rows_loaded = result.rows_repeated = 0
        except FileRejected as exc:
            result.status = "rejected"
            result.reason_code = exc.code
            result.message = printable(pnr.mask_text(str(exc)))
        if result.status == "loaded" and spec is AF and reload != "accept":
            _hold_if_shrinking(sf, persons_before, max_shrink_share, result)
        # 3: a rejected or held file keeps its ledger row and quarantine, not its rows
        if result.status in ("rejected", "held"):
            conn.execute("rollback to savepoint rows")
        if reload:  # the quarantine of the earlier load gives way to this one's
            conn.execute("delete from meta.quarantine where file_id = %s", (file_id,))
        if spool is not None and spool.count:
            spool.copy_to(conn)
        # 4: replacement rules, ledger, findings, commit
        with conn.pipeline():
            if result.status == "loaded":
                _apply_replacement(conn, sf, spec, file_id)
            conn.execute(
                """update meta.file_ledger set status = %s, rows_total = %s, rows_loaded = %s, rows_rejected = %s,
                       rows_repeated = %s, reason_code = %s, message = %s where file_id = %s""",
                (result.status, result.rows_total, result.rows_loaded, result.rows_rejected, result.rows_repeated,
                 result.reason_code, result.message, file_id),
            )
            for column, n in sorted(result.masked_columns.items()):
                conn.execute(
                    "insert into meta.file_finding (file_id, finding, column_name, rows) values (%s, %s, %s, %s)",
                    (file_id, "personnummer_in_unknown_column", column, n))
            conn.execute("commit")
        committed = True
    finally:
        if not committed:
            _rollback(conn)


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
        self.close()

    def close(self) -> None:
        if self._fh is not None:
            self._fh.close()
            self._fh = None


# Files up to this size find their duplicate keys in the loader's memory (a few
# hundred bytes per row); larger ones leave it to the server after the COPY, so
# that the loader's memory does not grow with the file.
DEDUPE_IN_MEMORY_BYTES = 64 * 1024 * 1024


def _copy_with_retries(conn, sf: SourceFile, spec: SourceSpec, key: bytes, file_id: int, facts: FileFacts,
                       result: LoadResult) -> _Quarantine:
    """:func:`_copy_rows`, again without a row the server refused in the
    ``COPY`` (that row is quarantined as ``server_rejected``), up to
    :data:`MAX_SERVER_REJECTED` rows."""
    refused: dict[int, str] = {}
    while True:
        spool = _Quarantine()
        written = array("L")
        try:
            _copy_rows(conn, sf, spec, key, file_id, facts, spool, result, refused, written)
            return spool
        except psycopg.Error as exc:
            spool.close()
            if _warehouse_failure(exc, conn):
                raise
            conn.execute("rollback to savepoint rows")
            m = _COPY_LINE.search(getattr(exc.diag, "context", None) or "")
            copy_line = int(m.group(1)) if m else 0
            server = printable(pnr.mask_text(str(exc).strip().splitlines()[0] if str(exc).strip() else ""))
            if not 1 <= copy_line <= len(written):
                raise FileRejected("copy_failed", f"{result.name}: PostgreSQL refused the rows: {server}") from None
            line_no = written[copy_line - 1]
            if len(refused) >= MAX_SERVER_REJECTED:
                raise FileRejected(
                    "copy_failed",
                    f"{result.name}, line {line_no}: PostgreSQL refused the row ({server}), after "
                    f"{MAX_SERVER_REJECTED} refused rows set aside already") from None
            refused[line_no] = f"PostgreSQL refused the row: {server}"
            for attr in ("rows_total", "rows_loaded", "rows_rejected", "rows_repeated"):
                setattr(result, attr, 0)
            result.rejected_by_reason = {}
            result.masked_columns = {}


class FileRows:
    """The records of one source file through the rules of its source, without
    the database: the header is read when the object is made (raising
    :class:`FileRejected` for an empty file, an unreadable header, a missing or
    repeated column); iterating gives, per non-blank line after the header,
    ``(line_no, row, None)`` for a typed row ready for ``COPY`` or
    ``(line_no, None, (code, column, message, raw_line))`` for a rejected one,
    message and raw line already masked and printable.

    ``refused``: lines the server refused in an earlier ``COPY`` of the same
    file, with the server's message: rejected as ``server_rejected``."""

    def __init__(self, path: Path, spec: SourceSpec, context: FileContext, key: bytes, facts: FileFacts,
                 name: str | None = None, max_chars: int | None = None, aliases: dict[str, str] | None = None,
                 refused: dict[int, str] | None = None):
        self.path, self.spec, self.context, self.key, self.facts = path, spec, context, key, facts
        self.name = name if name is not None else display_name(path.name)
        self.max_chars = max_chars or config.settings().max_line_chars
        self.refused = refused or {}
        self._records = self.lines()
        header = next(self._records, None)
        if header is None:
            raise FileRejected("empty_file", f"{self.name}: the file has no header row")
        number, _text, fields, problem, detail = header
        if problem:
            raise FileRejected("malformed_header", f"{self.name}, line {number}: {detail}")
        self.names, self.extra = read_header(fields, spec, column_aliases() if aliases is None else aliases,
                                             self.name, number)
        self.pnr_index = self.names.index("personnummer") if "personnummer" in self.names else None

    def lines(self) -> Iterator[Line]:
        facts = self.facts
        return read_lines(self.path, facts.encoding, self.max_chars, check_nul=facts.nul_bytes > 0,
                          check_undefined=facts.encoding == "cp1252" and facts.undefined_bytes > 0)

    def raw_line(self, line: Line) -> str:
        """The line as quarantine keeps it: personnummer masked, printable."""
        _number, text, fields, _problem, _detail = line
        if fields is not None:
            return printable(_masked_line(fields, self.pnr_index))
        return printable(pnr.mask_text(text))

    def _rejected(self, line: Line, code: str, column: str | None, message: str) -> tuple:
        return code, column, printable(pnr.mask_text(message)), self.raw_line(line)

    def __iter__(self) -> Iterator[tuple[int, tuple | None, tuple | None]]:
        names, width, refused = self.names, len(self.names), self.refused
        validate, context, key, extra = self.spec.validate, self.context, self.key, self.extra
        rejected = self._rejected
        for line in self._records:
            line_no, _text, fields, problem, detail = line
            if fields is None:
                yield line_no, None, rejected(line, problem, None, detail)
                continue
            if refused and line_no in refused:
                yield line_no, None, rejected(line, "server_rejected", None, refused[line_no])
                continue
            if len(fields) != width:
                yield line_no, None, rejected(line, "field_count", None,
                                              f"line has {len(fields)} fields, the header has {width}")
                continue
            rec = Record(dict(zip(names, map(str.strip, fields), strict=True)))
            try:
                row = validate(rec, context, key, extra)
            except RowRejected as exc:
                yield line_no, None, rejected(line, exc.code, exc.column, exc.message)
                continue
            except Exception as exc:  # noqa: BLE001 - a fault of the rules: the row waits in quarantine
                yield line_no, None, rejected(line, "row_error", None,
                                              f"{type(exc).__name__} while checking the row: {exc}")
                continue
            yield line_no, row, None

    def raw_lines(self, wanted: set[int]) -> Iterator[tuple[int, str]]:
        """(line number, raw line) of the ``wanted`` lines, read again."""
        for line in self.lines():
            if line[0] in wanted:
                yield line[0], self.raw_line(line)


def _copy_rows(conn, sf: SourceFile, spec: SourceSpec, key: bytes, file_id: int, facts: FileFacts,
               quarantine, result: LoadResult, refused: dict[int, str], written) -> None:
    in_memory = facts.size <= DEDUPE_IN_MEMORY_BYTES
    name = result.name

    def reject(line_no: int, code: str, column: str | None, message: str, raw_line: str) -> None:
        result.rows_rejected += 1
        result.rejected_by_reason[code] = result.rejected_by_reason.get(code, 0) + 1
        quarantine.writerow([file_id, name, line_no, code, column, message, raw_line])

    try:
        rows = FileRows(sf.path, spec, sf.context, key, facts, name, refused=refused)
        seen: dict[tuple, tuple[int, int]] = {}  # key -> (digest of the row, line number)
        repeats: dict[tuple, list[int]] = {}  # key seen more than once -> all its line numbers
        conflicting: set[tuple] = set()  # keys with differing rows
        columns = ", ".join(("file_id", "line_no") + spec.raw_columns)
        key_of = spec.key_of
        with conn.cursor().copy(f"copy {spec.table} ({columns}) from stdin") as copy:
            write_row = copy.write_row
            remember = written.append
            for line_no, row, rejection in rows:
                result.rows_total += 1
                if rejection is not None:
                    reject(line_no, *rejection)
                    continue
                if not in_memory:
                    write_row((file_id, line_no, *row))
                    remember(line_no)
                    result.rows_loaded += 1
                    continue
                k = key_of(row)
                digest = hash(row)
                entry = seen.get(k)
                if entry is None:
                    seen[k] = (digest, line_no)
                    write_row((file_id, line_no, *row))
                    remember(line_no)
                    result.rows_loaded += 1
                else:  # an identical row loads once; differing rows are all rejected below
                    lines_of_key = repeats.get(k)
                    if lines_of_key is None:
                        repeats[k] = lines_of_key = [entry[1]]
                    lines_of_key.append(line_no)
                    if entry[0] != digest:
                        conflicting.add(k)
        conflicts = {k: repeats[k] for k in conflicting}
        result.masked_columns = dict(rows.extra.masked)
        if in_memory:
            result.rows_loaded -= len(conflicts)  # one row of each was loaded
            result.rows_repeated = sum(len(v) - 1 for k, v in repeats.items() if k not in conflicting)
        else:
            conflicts = _duplicates_in_table(conn, spec, file_id, result)
        if conflicts:
            _reject_conflicts(conn, spec, file_id, conflicts, rows, reject)
    except (UnicodeDecodeError, OSError):
        raise _FileChanged() from None  # the first pass read it whole: it changed or vanished since


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
            result.rows_repeated = len(surplus)
    return conflicts


def _reject_conflicts(conn, spec, file_id, conflicts, rows: FileRows, reject: Callable) -> None:
    """Differing rows with the same key: remove the one loaded, quarantine all."""
    where = " and ".join(f"{c} = %s" for c in spec.key_columns)
    with conn.cursor() as cur:
        for k in conflicts:
            cur.execute(f"delete from {spec.table} where file_id = %s and {where}", (file_id, *k))
    line_to_key = {ln: k for k, lines_of_key in conflicts.items() for ln in lines_of_key}
    for line_no, raw_line in rows.raw_lines(set(line_to_key)):
        k = line_to_key[line_no]
        reject(line_no, "duplicate_key", ",".join(spec.key_columns),
               f"{len(conflicts[k])} differing rows share the key ({', '.join(spec.key_columns)})", raw_line)


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
        # The file replaces the tracks of the municipalities it lists, and a
        # track it lists wherever an earlier file had it; other municipalities'
        # tracks stay.  An earlier file with no track left is superseded.
        conn.execute(
            """delete from raw.jobbspar_katalog k
               where k.file_id <> %s
                 and (k.kommunkod in (select n.kommunkod from raw.jobbspar_katalog n where n.file_id = %s)
                      or k.jobbspar_id in (select n.jobbspar_id from raw.jobbspar_katalog n where n.file_id = %s))""",
            (file_id, file_id, file_id),
        )
        conn.execute(
            """update meta.file_ledger l set status = 'superseded'
               where l.source = 'catalogue' and l.file_id <> %s and l.status = 'loaded'
                 and not exists (select 1 from raw.jobbspar_katalog k where k.file_id = l.file_id)""",
            (file_id,),
        )


def load_workers() -> int:
    """Processes that load files at once: ``DUA_LOAD_WORKERS``, by default
    the number of cores up to 2 (the server needs the rest)."""
    return config.settings().workers


# Below this many files, starting worker processes costs more than it saves.
_MIN_FILES_FOR_WORKERS = 16


def _open_loader(url: str) -> psycopg.Connection:
    conn = psycopg.connect(url, autocommit=True)
    # A file's commit need not wait for the disk: after a crash the last files
    # are simply not in the ledger and load again from the inbox.
    conn.execute("set synchronous_commit to off")
    return conn


def _load_group(url: str, files: list[tuple[str, str | None, str | None]], key: bytes, max_reject_share: float,
                run_id: str | None, max_shrink_share: float = DEFAULT_MAX_SHRINK_SHARE) -> list[LoadResult]:
    """Load the files of one municipality in order (a worker process's job);
    ``files``: (path, problem, link target) of each, as :func:`scan` found them."""
    with _open_loader(url) as conn:
        return [load_file(conn, replace(identify(Path(p)), problem=problem, link_target=target) if problem
                          else identify(Path(p)), key, max_reject_share, run_id, max_shrink_share=max_shrink_share)
                for p, problem, target in files]


def load_files(url: str, files: list[SourceFile], key: bytes, max_reject_share: float,
               run_id: str | None = None, workers: int | None = None,
               on_file: Callable[[LoadResult], None] | None = None,
               max_shrink_share: float = DEFAULT_MAX_SHRINK_SHARE) -> list[LoadResult]:
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
        ordered = sorted(groups.values(), key=lambda g: -sum((_stat_or_none(f.path) or (0,))[0] for f in g))
        ctx = multiprocessing.get_context("spawn")
        try:
            with ProcessPoolExecutor(max_workers=min(workers, len(groups)), mp_context=ctx) as pool:
                futures = [pool.submit(_load_group, url, [(str(f.path), f.problem, f.link_target) for f in g],
                                       key, max_reject_share, run_id, max_shrink_share)
                           for g in ordered]
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
           max_shrink_share: float = DEFAULT_MAX_SHRINK_SHARE, settle_seconds: float = 0.0) -> list[LoadResult]:
    """Load every complete file below ``inbox`` that has not been delivered before."""
    return load_files(url, discover(inbox, settle_seconds), key, max_reject_share, run_id, workers, on_file,
                      max_shrink_share)


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


__all__ = ["SPECS", "LoadResult", "SourceFile", "content_digest", "discover", "identify", "ingest", "load_file",
           "load_files", "reload_file", "scan"]
