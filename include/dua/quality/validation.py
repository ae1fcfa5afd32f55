"""The validation gate: Great Expectations (GX Core 1.x) called directly.

Suites are written in Python in ``expectations/`` (one module per suite).  Each
check names its table, its GX expectation and its severity — ``blocking``
stops the publication, ``warning`` is reported.  Every result is kept as
history in ``dq.validation_result``; GX Data Docs are built under
``DUA_HOME/reports/gx``, made to read offline by :mod:`dua.quality.gx_docs`.
"""

from __future__ import annotations

import importlib.util
import json
import logging
import os
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any

import psycopg

from dua.settings import settings
from dua.warehouse.server import apply_schema

log = logging.getLogger(__name__)

BLOCKING, WARNING = "blocking", "warning"

@dataclass(frozen=True)
class Check:
    """One expectation of a suite: which table, what, and how serious."""

    name: str
    table: str  # schema.table
    expectation: Any  # a great_expectations.expectations object
    severity: str = BLOCKING
    description: str = ""


@dataclass
class CheckResult:
    suite: str
    name: str
    severity: str
    success: bool
    observed: str
    details: dict = field(default_factory=dict)


class ValidationFailed(RuntimeError):
    def __init__(self, suite: str, failed: list[CheckResult]):
        names = ", ".join(f"{r.name} ({r.observed})" for r in failed)
        super().__init__(f"suite {suite}: blocking checks failed: {names}")
        self.suite = suite
        self.failed = failed


def load_suite(name: str) -> ModuleType:
    path = settings().expectations_dir / f"{name}.py"
    spec = importlib.util.spec_from_file_location(f"dua_expectations_{name}", path)
    if spec is None or spec.loader is None:
        raise FileNotFoundError(f"no expectation suite {path}")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _observed(result: Any) -> tuple[str, dict]:
    r = result.result or {}
    details: dict = {}
    if "observed_value" in r and r["observed_value"] is not None:
        obs = r["observed_value"]
        text = str(obs)
    elif "unexpected_count" in r:
        text = f"{r['unexpected_count']} unexpected"
        details["unexpected_percent"] = r.get("unexpected_percent")
    else:
        text = "ok" if result.success else "failed"
    rows = r.get("details", {}).get("unexpected_rows") if isinstance(r.get("details"), dict) else None
    if rows is not None:
        shown = [[str(v) for v in (row.values() if isinstance(row, dict) else row)] for row in list(rows)[:20]]
        details["unexpected_rows"] = shown
        if shown:
            text = f"{len(list(rows))} row(s): " + "; ".join(" ".join(row) for row in shown[:5])
    partial = r.get("partial_unexpected_list")
    if partial:
        details["examples"] = [str(x) for x in partial[:10]]
    if result.exception_info and result.exception_info.get("raised_exception"):
        details["exception"] = str(result.exception_info.get("exception_message"))[:2000]
        text = "error"
    return text[:500], details


def run_suite(url: str, suite_name: str, run_id: str, docs_dir: Path | None = None,
              **params: Any) -> list[CheckResult]:
    """Validate the checks of ``expectations/<suite_name>.py`` against the
    warehouse, record the results, build the Data Docs; return the results."""
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "False")
    import great_expectations as gx

    checks: list[Check] = load_suite(suite_name).checks(**params)
    from great_expectations.data_context.types.base import ProgressBarsConfig

    ctx = gx.get_context(mode="ephemeral")
    ctx.variables.progress_bars = ProgressBarsConfig(globally=False)
    if docs_dir is not None:
        docs_dir.mkdir(parents=True, exist_ok=True)
        ctx.add_data_docs_site(
            site_name="dua",
            site_config={
                "class_name": "SiteBuilder",
                "store_backend": {"class_name": "TupleFilesystemStoreBackend", "base_directory": str(docs_dir)},
                "site_index_builder": {"class_name": "DefaultSiteIndexBuilder"},
                # no "how to" footer nor walkthrough pointing at GX's documentation
                "show_how_to_buttons": False,
            },
        )
    ds = ctx.data_sources.add_postgres("warehouse", connection_string=url.replace("postgresql://",
                                                                                  "postgresql+psycopg://", 1))
    by_table: dict[str, list[Check]] = {}
    for c in checks:
        by_table.setdefault(c.table, []).append(c)
    definitions = []
    for table, table_checks in by_table.items():
        schema, name = table.split(".", 1)
        asset = ds.add_table_asset(table, table_name=name, schema_name=schema)
        batch = asset.add_batch_definition_whole_table("whole")
        suite = ctx.suites.add(gx.ExpectationSuite(f"{suite_name}.{table}"))
        for c in table_checks:
            exp = c.expectation
            exp.meta = {**(exp.meta or {}), "check": c.name, "severity": c.severity}
            if c.description and not getattr(exp, "description", None):
                exp.description = c.description
            suite.add_expectation(exp)
        definitions.append(ctx.validation_definitions.add(
            gx.ValidationDefinition(name=f"{suite_name}.{table}", data=batch, suite=suite)))
    actions = [gx.checkpoint.UpdateDataDocsAction(name="docs", site_names=["dua"])] if docs_dir else []
    # COMPLETE: the query checks report the offending rows (aggregates, never personal data)
    checkpoint = ctx.checkpoints.add(gx.Checkpoint(name=suite_name, validation_definitions=definitions,
                                                   actions=actions, result_format={"result_format": "COMPLETE"}))
    outcome = checkpoint.run(run_id=gx.RunIdentifier(run_name=run_id))

    results: list[CheckResult] = []
    for vr in outcome.run_results.values():
        for r in vr.results:
            meta = r.expectation_config.meta or {}
            observed, details = _observed(r)
            results.append(CheckResult(suite_name, meta.get("check", r.expectation_config.type),
                                       meta.get("severity", BLOCKING), bool(r.success), observed, details))
    record(url, run_id, results)
    if docs_dir is not None:
        from dua.quality.gx_docs import make_offline

        try:  # the pages load their scripts from _assets beside the site, not from CDNs
            make_offline(docs_dir)
        except OSError:
            log.exception("GX Data Docs under %s could not be made to read offline", docs_dir)
    return results


def record(url: str, run_id: str, results: list[CheckResult]) -> None:
    apply_schema(url)  # dq.validation_result (warehouse/schema.sql)
    with psycopg.connect(url) as conn:
        with conn.cursor() as cur:
            cur.executemany(
                """insert into dq.validation_result (run_id, suite, check_name, severity, success, observed, details)
                   values (%s, %s, %s, %s, %s, %s, %s)
                   on conflict (run_id, suite, check_name) do update set checked_at = now(),
                       severity = excluded.severity, success = excluded.success, observed = excluded.observed,
                       details = excluded.details""",
                [(run_id, r.suite, r.name, r.severity, r.success, r.observed, json.dumps(r.details, default=str))
                 for r in results],
            )


def gate(results: list[CheckResult], suite: str) -> None:
    """Raise :class:`ValidationFailed` when a blocking check failed."""
    failed = [r for r in results if not r.success and r.severity == BLOCKING]
    for r in results:
        if not r.success:
            log.warning("%s check %s failed: %s", r.severity, r.name, r.observed)
    if failed:
        raise ValidationFailed(suite, failed)


def failed_checks(url: str, run_id: str) -> list[tuple[str, str, str, str]]:
    """(suite, check, severity, observed) of the run's failed checks."""
    with psycopg.connect(url) as conn:
        if not conn.execute("select to_regclass('dq.validation_result') is not null").fetchone()[0]:
            return []
        return conn.execute(
            """select suite, check_name, severity, observed from dq.validation_result
               where run_id = %s and not success order by severity, suite, check_name""",
            (run_id,),
        ).fetchall()
