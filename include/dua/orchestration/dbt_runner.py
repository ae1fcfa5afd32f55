"""dbt invocation helpers: the environment of ``profiles.yml`` from a
warehouse URL, and the prebuilt manifest Cosmos renders from."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from urllib.parse import unquote, urlparse

from dua.settings import DBT_PROJECT_DIR

MANIFEST = DBT_PROJECT_DIR / "target" / "manifest.json"


def dbt_env(url: str) -> dict[str, str]:
    """``DUA_DBT_*`` variables read by ``dbt_project/profiles.yml``."""
    u = urlparse(url)
    return {
        "DUA_DBT_HOST": u.hostname or "127.0.0.1",
        "DUA_DBT_PORT": str(u.port or 5432),
        "DUA_DBT_USER": unquote(u.username or "postgres"),
        "DUA_DBT_PASSWORD": unquote(u.password or ""),
        "DUA_DBT_DBNAME": (u.path or "/dua").lstrip("/") or "dua",
        "DO_NOT_TRACK": "1",
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "False",
    }


def dbt(args: list[str], url: str | None = None, check: bool = True) -> subprocess.CompletedProcess[str]:
    env = os.environ.copy()
    env.update(dbt_env(url or "postgresql://postgres@127.0.0.1:5432/dua"))
    dbt_bin = Path(sys.executable).parent / "dbt"
    proc = subprocess.run(
        [str(dbt_bin), *args, "--project-dir", str(DBT_PROJECT_DIR), "--profiles-dir", str(DBT_PROJECT_DIR)],
        cwd=DBT_PROJECT_DIR, env=env, capture_output=True, text=True,
    )
    if check and proc.returncode != 0:
        raise RuntimeError(f"dbt {' '.join(args)} failed:\n{proc.stdout[-6000:]}\n{proc.stderr[-2000:]}")
    return proc


def ensure_manifest() -> Path:
    """Parse the project when the manifest is missing or older than a source file."""
    newest = max(
        (p.stat().st_mtime for p in DBT_PROJECT_DIR.rglob("*")
         if p.suffix in {".sql", ".yml", ".csv"} and "target" not in p.parts and "logs" not in p.parts),
        default=0.0,
    )
    if not MANIFEST.exists() or MANIFEST.stat().st_mtime < newest:
        dbt(["parse", "--quiet"])
    return MANIFEST


if __name__ == "__main__":
    if sys.argv[1:] == ["parse"]:
        dbt(["parse", "--quiet"])
        print(f"wrote {MANIFEST}")
    else:
        raise SystemExit("usage: python -m dua.orchestration.dbt_runner parse")
