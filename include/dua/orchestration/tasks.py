"""What the DAG tasks do, callable (and tested) without Airflow."""

from __future__ import annotations

import datetime as dt
import logging
import time
from pathlib import Path

from dua.ingest.loader import load_files, scan
from dua.settings import ConfigError, settings

log = logging.getLogger(__name__)


def warehouse_url() -> str:
    url = settings().warehouse_url
    if not url:
        raise ConfigError("DUA_WAREHOUSE_URL is not set: the tasks need the warehouse's PostgreSQL URL")
    return url


def pseudonym_key() -> bytes:
    key = settings().pseudonym_key
    if not key:
        raise ConfigError("DUA_PSEUDONYM_KEY is not set: personnummer cannot be pseudonymised without it")
    return key


def load_source(sources: list[str], inbox: str, run_id: str | None) -> dict:
    """Load the new files of the given sources below ``inbox``, in order
    (``unknown`` names files that match no contract: they are recorded as
    rejected).  Several municipalities load at once (``DUA_LOAD_WORKERS``).

    Only complete files load (``DUA_INBOX_SETTLE_SECONDS`` or a ``.done``
    marker, :func:`dua.ingest.loader.scan`); the others wait for the next run and are
    counted as ``waiting``.

    Returns a summary without any personal data (it goes to XCom and logs):
    counts, and the files that did not load (a national delivery is thousands
    of files; every file's outcome is in ``meta.file_ledger``).  File names are
    masked (:func:`dua.ingest.reader.display_name`).
    """
    from dua.identity.keycheck import check_key

    cfg = settings()
    key = pseudonym_key()
    url = warehouse_url()
    check_key(url, key)  # never pseudonymise with another key than the warehouse's

    def wanted(f) -> bool:
        return (f.spec.name if f.spec else "unknown") in sources

    ready, incomplete = scan(Path(inbox), settings().inbox_settle_seconds)
    files = [f for f in ready if wanted(f)]
    summary = {"sources": sources, "files": [], "loaded": 0, "rejected": 0, "skipped": 0, "held": 0, "waiting": 0,
               "rows_loaded": 0, "rows_rejected": 0}
    for f in incomplete:
        if wanted(f):
            summary["waiting"] += 1
            summary["files"].append({"file": f.name, "status": "waiting", "rows_loaded": 0, "rows_rejected": 0,
                                     "reason": None, "message": "not complete yet: changed less than "
                                     f"{settings().inbox_settle_seconds:g} s ago and no .done marker"})
            log.info("%s: not complete yet, left for the next run", f.name)
    started = time.perf_counter()
    rows = 0

    def on_file(res) -> None:
        nonlocal rows
        rows += res.rows_total
        name = res.name
        summary[res.status] += 1
        summary["rows_loaded"] += res.rows_loaded
        summary["rows_rejected"] += res.rows_rejected
        if res.status != "loaded" or res.rows_rejected:
            summary["files"].append(
                {"file": name, "status": res.status, "rows_loaded": res.rows_loaded,
                 "rows_rejected": res.rows_rejected, "reason": res.reason_code, "message": res.message}
            )
        done = summary["loaded"] + summary["rejected"] + summary["skipped"] + summary["held"]
        log.info(
            "[%d/%d] %s: %s (%d rows loaded, %d rejected%s)", done, len(files), name, res.status,
            res.rows_loaded, res.rows_rejected, f", {res.reason_code}" if res.reason_code else "",
        )

    load_files(url, files, key, cfg.max_reject_share, run_id, on_file=on_file, max_shrink_share=cfg.max_shrink_share)
    seconds = time.perf_counter() - started
    summary["seconds"] = round(seconds, 1)
    held = [f for f in summary["files"] if f["status"] == "held"]
    if held:
        _notify_held(held)
    log.info("%s: %d files, %d rows in %.1f s (%.0f rows/s)", "/".join(sources), len(files), rows, seconds,
             rows / seconds if seconds > 0 else 0.0)
    return summary


def _notify_held(held: list[dict]) -> None:
    """Corrected files held for review wait for a person: say so (file names
    and counts only), never failing the load for a broken alert channel."""
    from dua.orchestration.notify import notify

    text = "\n".join(f"{f['file']}: {f['message']}" for f in held)
    text += "\n\n`dua accept FILE` applies a held file; `dua status` lists them."
    try:
        notify(f"[dua] {len(held)} corrected file(s) held for review", text)
    except Exception:  # noqa: BLE001
        log.exception("notification of held files could not be sent")


def prepare_access() -> bool:
    """Roles and schema grants, before dbt builds (its grants name the roles)."""
    from dua.warehouse.roles import ensure_roles_if_permitted

    return ensure_roles_if_permitted(warehouse_url())


def validate(suite: str, run_id: str) -> dict:
    """Run a GX suite; raise when a blocking check failed (the task fails and
    nothing downstream, publication included, runs)."""
    from dua.quality.validation import gate, run_suite

    results = run_suite(warehouse_url(), suite, run_id, docs_dir=settings().reports_dir / "gx" / suite)
    summary = {
        "suite": suite,
        "passed": sum(r.success for r in results),
        "failed": [{"check": r.name, "severity": r.severity, "observed": r.observed}
                   for r in results if not r.success],
    }
    gate(results, suite)
    return summary


def publish_indicators(run_id: str) -> dict:
    from dua.publish.publication import provenance, publish

    url = warehouse_url()
    rows = publish(url, run_id, detail=provenance(url, run_id))
    log.info("published %d indicator rows for run %s", rows, run_id)
    return {"run_id": run_id, "rows": rows}


def write_reports() -> list[str]:
    from dua.reporting.dbt_docs import write_dbt_docs
    from dua.reporting.reports import write_reports as write

    url, reports = warehouse_url(), settings().reports_dir
    written = [str(p) for p in write(url, reports)]
    try:
        write_dbt_docs(url, reports)
    except RuntimeError as exc:  # the reports are written; the documentation site stays as it was
        log.warning("the dbt documentation site was not updated: %s", str(exc)[-2000:])
    return written


def alert_late_af(today: dt.date) -> list[list[str]]:
    """Notify of the municipalities whose Af file of last month is missing after
    ``DUA_AF_DUE_DAY``; return them as [kommunkod, month] pairs."""
    from dua.orchestration.notify import notify
    from dua.orchestration.schedule import late_af_months

    due = settings().af_due_day
    late = late_af_months(warehouse_url(), today, due)
    if late:
        text = "\n".join(f"kommun {k}: Af file for {m} not loaded (due day {due})" for k, m in late)
        notify(f"[dua] {len(late)} late Arbetsförmedlingen file(s)", text)
        print(text)
    else:
        print("no late Arbetsförmedlingen files")
    return [list(x) for x in late]
