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

import datetime as dt
from html import escape
from pathlib import Path
from zoneinfo import ZoneInfo

import psycopg

_CSS = """
body{font-family:system-ui,sans-serif;margin:2rem;color:#1d2a33;max-width:1100px}
h1{font-size:1.6rem}h2{font-size:1.2rem;margin-top:2rem;border-bottom:2px solid #d0dbe3}
table{border-collapse:collapse;margin:.5rem 0;font-size:.92rem}
th,td{padding:.3rem .7rem;border-bottom:1px solid #e3e9ee;text-align:left;vertical-align:top}
td:nth-child(3){white-space:nowrap}
td.n,th.n{text-align:right;font-variant-numeric:tabular-nums}
.ok{color:#1a7f37}.bad{color:#b42318}.muted{color:#667}
"""


def _table(headers: list[str], rows: list[tuple], numeric: set[int] | None = None) -> str:
    numeric = numeric or set()
    head = "".join(f'<th class="{"n" if i in numeric else ""}">{escape(h)}</th>' for i, h in enumerate(headers))
    body = "".join(
        "<tr>" + "".join(
            f'<td class="{"n" if i in numeric else ""}">{escape("" if v is None else str(v))}</td>'
            for i, v in enumerate(r)
        ) + "</tr>"
        for r in rows
    )
    if not rows:
        body = f'<tr><td colspan="{len(headers)}" class="muted">inga rader</td></tr>'
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


# readers' time zone: every time a report shows is Stockholm time, whatever the server's
READER_TZ = ZoneInfo("Europe/Stockholm")


def created_stamp(now: dt.datetime | None = None) -> str:
    """When a report was made, in Stockholm time and saying so."""
    now = now or dt.datetime.now(dt.UTC)
    return f"{now.astimezone(READER_TZ):%Y-%m-%d %H:%M} (svensk tid)"


def _page(title: str, body: str) -> str:
    stamp = created_stamp()
    return (f'<!doctype html><html lang="sv"><head><meta charset="utf-8"><title>{escape(title)}</title>'
            f"<style>{_CSS}</style></head><body><h1>{escape(title)}</h1>"
            f'<p class="muted">Skapad {stamp}</p>{body}</body></html>')


def data_quality_report(url: str, out: Path) -> Path:
    with psycopg.connect(url) as conn:
        files = conn.execute(
            """select file_name, source, coalesce(kommunkod, ''), status, rows_total, rows_loaded, rows_rejected,
                      coalesce(reason_code || ': ' || message, '') from meta.file_ledger order by file_id"""
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
                   select suite, check_name, case severity when 'blocking' then 'blockerande' else 'varning' end,
                          case when success then 'godkänd' else 'EJ GODKÄND' end, observed
                   from dq.validation_result join latest using (run_id)
                   order by success, severity, suite, check_name"""
            ).fetchall()
        link = conn.execute(
            """with d as (select distinct kommunkod, person_id from raw.dexter_enrolment
                          where not pnr_is_temporary),
                    a as (select distinct kommunkod, person_id from raw.af_status)
               select d.kommunkod, count(*), count(a.person_id),
                      round(100.0 * count(a.person_id) / nullif(count(*), 0), 1)
               from d left join a using (kommunkod, person_id) group by 1 order by 1"""
        ).fetchall()
    failed = sum(1 for c in checks if c[3] != "godkänd")
    verdict = (f'<p class="{"bad" if failed else "ok"}">{len(checks) - failed} av {len(checks)} kontroller '
               f'godkända.</p>' if checks else '<p class="muted">Inga valideringsresultat ännu.</p>')
    body = (
        "<h2>Kontroller</h2>" + verdict
        + _table(["svit", "kontroll", "allvarlighet", "resultat", "observerat"], checks)
        + '<p>Great Expectations Data Docs: <a href="gx/sources/index.html">källdata</a> · '
          '<a href="gx/indicators/index.html">indikatorer</a></p>'
        + "<h2>Filer</h2>"
        + _table(["fil", "källa", "kommun", "status", "rader", "inlästa", "i karantän", "orsak (hela filen)"],
                 files, {4, 5, 6})
        + "<h2>Rader i karantän per orsak</h2>" + _table(["orsak", "rader"], reasons, {1})
        + "<h2>Rader i karantän per fil</h2>"
        + _table(["fil", "orsak", "kolumn", "rader", "första rad"], per_file, {3, 4})
        + "<h2>Okända kolumner med personnummer</h2>"
        + "<p>Värden i kolumner utanför källkontraktet som liknar ett personnummer lagras maskerade "
          "(XXXXXX-XXXX). Exporten bör inte skicka dem.</p>"
        + _table(["fil", "kolumn", "maskerade värden", "filens status"], masked, {2})
        + "<h2>Personer per månad (Arbetsförmedlingen)</h2>" + _table(["kommun", "månad", "personer"], months, {2})
        + "<h2>Koppling Dexter → Arbetsförmedlingen</h2>"
        + _table(["kommun", "personer i Dexter", "med Af-data", "andel %"], link, {1, 2, 3})
    )
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(_page("Datakvalitet — DUA uppföljning", body), encoding="utf-8")
    return out


def indicator_report(url: str, out: Path) -> Path:
    with psycopg.connect(url) as conn:
        has = conn.execute("select to_regclass('published.indicator_value') is not null").fetchone()[0]
        rows = []
        if has:
            rows = conn.execute(
                """with latest as (
                       select indicator_id, area_code, max(period) as period from published.indicator_value
                       where breakdown in ('total', 'signal') group by 1, 2)
                   select v.area_code, i.title_sv, v.breakdown_value, v.period, i.unit,
                       max(case when gender = 'K' then coalesce(v.value::text, '..') end),
                       max(case when gender = 'M' then coalesce(v.value::text, '..') end),
                       max(case when gender = 'T' then coalesce(v.value::text, '..') end),
                       max(v.target_value)
                   from published.indicator_value v join latest using (indicator_id, area_code, period)
                   join published.indicator i using (indicator_id)
                   where v.breakdown in ('total', 'signal')
                   group by v.area_code, i.title_sv, v.indicator_id, v.breakdown_value, v.period, i.unit
                   order by 1, v.indicator_id, 3"""
            ).fetchall()
    units = {"percent": "andel %", "mean": "medelvärde", "count": "antal"}
    rows = [(a, t if b == "total" else f"{t} — {b}", p, units.get(u, u), k or "–", m or "–", tt or "–", tg)
            for a, t, b, p, u, k, m, tt, tg in rows]
    body = (
        '<p>Senaste period per indikator. ".." = skyddat (för få personer), "–" = inget värde.</p>'
        + _table(["område", "indikator", "period", "enhet", "kvinnor", "män", "totalt", "mål"], rows, {4, 5, 6, 7})
    )
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(_page("Indikatorer — DUA uppföljning", body), encoding="utf-8")
    return out


def write_reports(url: str, reports_dir: Path) -> tuple[Path, Path]:
    return (data_quality_report(url, reports_dir / "datakvalitet.html"),
            indicator_report(url, reports_dir / "indikatorer.html"))
