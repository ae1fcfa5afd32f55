"""Self-contained HTML reports under ``DUA_HOME/reports`` (Swedish).

- ``datakvalitet.html``: files loaded and rejected with reasons, quarantined
  rows per reason and file, unknown columns in which the loader masked
  personnummer, rows per month, the share of Dexter persons that link to
  Arbetsförmedlingen data.
- ``indikatorer.html``: the published indicators of the latest period of each
  area, women / men / all, suppressed cells shown as "..".

No personal data: only counts and pseudonym-free aggregates.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import psycopg

from dua.publish.latest import latest_values
from dua.reporting import charts
from dua.reporting.formatting import READER_TZ, created_stamp, fmt_datetime, fmt_number, period_label, period_short
from dua.reporting.templating import environment, render
from dua.reporting.texts_sv import SEVERITY_SV, SOURCE_SV, STATUS_SV, check_sv, observed_sv, reason_sv
from dua.warehouse.server import relation_exists

__all__ = ["READER_TZ", "created_stamp", "data_quality_report", "environment", "fmt_number", "indicator_report",
           "render", "write_reports"]


def _banner(conn: psycopg.Connection, checks: list[tuple]) -> dict:
    """Whether the latest validated run was published, and why not."""
    if not checks:
        return {"level": "warn", "headline": "Inga valideringsresultat ännu: ingenting har publicerats.",
                "lines": []}
    run_id = checks[0][0]
    published = None
    if conn.execute("select to_regclass('published.publication') is not null").fetchone()[0]:
        published = conn.execute("select published_at, rows from published.publication where run_id = %s",
                                 (run_id,)).fetchone()
    blocking = [c for c in checks if c[4] == "blocking" and not c[5]]
    warnings = [c for c in checks if c[4] == "warning" and not c[5]]
    warn_line = ([f"{len(warnings)} {'varning' if len(warnings) == 1 else 'varningar'} att granska: "
                  + ", ".join(check_sv(c[3]).rstrip(".") for c in warnings[:4])
                  + (" …" if len(warnings) > 4 else "") + "."] if warnings else [])
    if published:
        at, rows = published
        return {"level": "warn" if warnings else "ok",
                "headline": f"Körningen {run_id} publicerades {fmt_datetime(at)} "
                            f"(svensk tid): {fmt_number(rows)} indikatorvärden.",
                "lines": warn_line}
    if blocking:
        return {"level": "bad",
                "headline": f"Körningen {run_id} publicerades inte: {len(blocking)} blockerande "
                            f"{'kontroll' if len(blocking) == 1 else 'kontroller'} underkända. "
                            "De tidigare publicerade värdena gäller oförändrade.",
                "lines": [f"{check_sv(c[3])} ({observed_sv(c[6])})" for c in blocking] + warn_line}
    return {"level": "bad",
            "headline": f"Körningen {run_id} har inte publicerats: inga blockerande kontroller är underkända, "
                        "men publiceringen gjordes inte (se körningens logg). De tidigare publicerade värdena "
                        "gäller oförändrade.",
            "lines": warn_line}


def data_quality_report(url: str, out: Path) -> Path:
    with psycopg.connect(url) as conn:
        files = conn.execute(
            """select file_name, source, coalesce(kommunkod, ''), status, rows_total, rows_loaded, rows_rejected,
                      reason_code, message from meta.file_ledger order by file_id"""
        ).fetchall()
        held = conn.execute(
            """select file_name, coalesce(kommunkod, ''), to_char(file_date, 'YYYY-MM'), rows_total,
                      coalesce(message, '')
               from meta.file_ledger where status = 'held' order by file_id"""
        ).fetchall()
        reasons = conn.execute(
            "select reason_code, count(*) from meta.quarantine group by 1 order by 2 desc, 1"
        ).fetchall()
        per_file = conn.execute(
            """select file_name, reason_code, column_name, count(*), min(line_no)
               from meta.quarantine group by 1, 2, 3 order by 1, 4 desc"""
        ).fetchall()
        masked = []
        if conn.execute("select to_regclass('meta.file_finding') is not null").fetchone()[0]:
            masked = conn.execute(
                """select l.file_name, f.column_name, f.rows, l.status from meta.file_finding f
                   join meta.file_ledger l using (file_id)
                   where f.finding = 'personnummer_in_unknown_column' order by l.file_id, f.column_name"""
            ).fetchall()
        months = conn.execute(
            """select kommunkod, to_char(status_month, 'YYYY-MM'), count(*) from raw.af_status
               group by 1, 2 order by 1, 2"""
        ).fetchall()
        checks = []
        if conn.execute("select to_regclass('dq.validation_result') is not null").fetchone()[0]:
            checks = conn.execute(
                """with latest as (select run_id from dq.validation_result order by checked_at desc limit 1)
                   select run_id, suite, checked_at, check_name, severity, success, observed
                   from dq.validation_result join latest using (run_id)
                   order by success, severity, suite, check_name"""
            ).fetchall()
        banner = _banner(conn, checks)
        names = dict(conn.execute("select area_code, area_name from published.area")) if relation_exists(
            conn, "published.area") else {}
        link = conn.execute(
            """with d as (select distinct kommunkod, person_id from raw.dexter_enrolment
                          where not pnr_is_temporary),
                    a as (select distinct kommunkod, person_id from raw.af_status)
               select d.kommunkod, count(*), count(a.person_id),
                      round(100.0 * count(a.person_id) / nullif(count(*), 0), 1)
               from d left join a using (kommunkod, person_id) group by 1 order by 1"""
        ).fetchall()
    rows = []
    for _run, suite, _at, name, severity, ok, observed in checks:
        level = "" if ok else ("bad" if severity == "blocking" else "warn")
        rows.append({"suite": suite, "name": name, "text": check_sv(name),
                     "severity": SEVERITY_SV.get(severity, severity),
                     "result": "godkänd" if ok else ("EJ GODKÄND" if severity == "blocking" else "varning"),
                     "observed": observed_sv(observed), "level": level})
    n_block = sum(1 for c in checks if c[4] == "blocking")
    n_block_ok = sum(1 for c in checks if c[4] == "blocking" and c[5])
    n_warn = sum(1 for c in checks if c[4] == "warning")
    n_warn_ok = sum(1 for c in checks if c[4] == "warning" and c[5])
    summary = (f"{n_block_ok} av {n_block} blockerande kontroller godkända; "
               f"{n_warn_ok} av {n_warn} varningskontroller godkända.")
    file_rows = [(f, SOURCE_SV.get(src, src), k, STATUS_SV.get(st, st), tot, ld, rj,
                  f"{code}: {reason_sv(code)}" if code else "")
                 for f, src, k, st, tot, ld, rj, code, _msg in files]
    file_classes = ["bad" if st == "rejected" else "" for _f, _s, _k, st, *_ in files]
    series: dict[str, list] = {}
    for k, m, n in months:
        series.setdefault(k, []).append((m, n))
    month_series = []
    for k, pts in series.items():
        label = f"{names[k]} ({k})" if names.get(k) else k
        periods = [m for m, _n in pts]
        month_series.append((label, charts.bar_chart(
            periods, [charts.Series("Personer", "#2f6f9f", [n for _m, n in pts])], unit="count",
            title=f"Personer per månad i {label}", value_labels=len(periods) <= 12)))
    months = [(k, period_label(m), n) for k, m, n in months]
    html = render("datakvalitet.html", "Datakvalitet — DUA uppföljning", banner=banner, checks=rows,
                  summary=summary, files=file_rows, file_classes=file_classes,
                  reasons=[(c, reason_sv(c), n) for c, n in reasons],
                  per_file=per_file, months=months, month_series=month_series, link=link, held=held,
                  masked=[(f, c, n, STATUS_SV.get(st, st)) for f, c, n, st in masked])
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(html, encoding="utf-8")
    return out


def indicator_report(url: str, out: Path) -> Path:
    with psycopg.connect(url) as conn:
        rows = [(r.area_code, r.title_sv, r.breakdown_value, r.period, r.unit, r.women, r.men, r.total,
                 r.target_value) for r in latest_values(conn)]
        labels = dict(conn.execute("select breakdown_value, label_sv from published.label where breakdown = 'signal'")
                      ) if relation_exists(conn, "published.label") else {}
    units = {"percent": "andel %", "mean": "medelvärde", "count": "antal"}

    def shown(v: str | None, unit: str) -> str:
        if v is None:
            return "–"
        if v == "..":
            return v
        return fmt_number(Decimal(v), 0 if unit == "count" else 1)

    rows = [(a, t if b == "total" else f"{t} — {labels.get(b, b)}", period_short(p), units.get(u, u),
             shown(k, u), shown(m, u), shown(tt, u), "" if tg is None else fmt_number(tg))
            for a, t, b, p, u, k, m, tt, tg in rows]
    html = render("indikatorer.html", "Indikatorer — DUA uppföljning", rows=rows)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(html, encoding="utf-8")
    return out


def write_reports(url: str, reports_dir: Path) -> tuple[Path, Path]:
    return (data_quality_report(url, reports_dir / "datakvalitet.html"),
            indicator_report(url, reports_dir / "indikatorer.html"))
