"""The documentation site of the warehouse's models: ``dbt docs generate
--static`` (one self-contained HTML file with the manifest and the catalog),
written to ``<reports>/dokumentation/index.html`` for the reports server.

Generated again only when the dbt project changed (the manifest's hash is
kept next to the page): the catalog holds tables and columns, not data.
"""

from __future__ import annotations

import hashlib
import logging
import shutil
import tempfile
from pathlib import Path

from dua.orchestration.dbt_runner import dbt, ensure_manifest

log = logging.getLogger(__name__)


def write_dbt_docs(url: str, reports_dir: Path, *, force: bool = False) -> bool:
    """Write the site; ``False`` when the existing one is already current."""
    out_dir = reports_dir / "dokumentation"
    stamp = out_dir / ".manifest-sha256"
    digest = hashlib.sha256(ensure_manifest().read_bytes()).hexdigest()
    if not force and (out_dir / "index.html").exists() and stamp.exists() and stamp.read_text() == digest:
        return False
    with tempfile.TemporaryDirectory(prefix="dua-dbt-docs-") as tmp:
        dbt(["docs", "generate", "--static", "--target-path", tmp, "--quiet"], url)
        out_dir.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(Path(tmp) / "static_index.html", out_dir / "index.html")
    stamp.write_text(digest)
    log.info("dbt documentation written to %s", out_dir / "index.html")
    return True
