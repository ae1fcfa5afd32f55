"""Steering-group report for one area: a self-contained HTML file in Swedish.

``write_steering_report(url, area, out, period=None)`` reads ``published.*``
(and, when present, ``seeds.*``, ``dq.validation_result`` and ``meta.*``) and
writes one HTML file with inline CSS and inline SVG charts drawn here — no
scripts, fonts or images from the network, so the file can be mailed or
archived as it is.

Contents:

- header: area name, period, publication run id and time;
- one chart per published indicator (breakdown ``total``; months, or years for
  yearly indicators) with women (K) and men (M) and a thin line for all (T),
  the agreement's target where ``target_value`` is set, and under each chart a
  table of K/M/T per period where suppressed cells show "..";
- the job-track commitments per year (tracks ≥ 3, places ≥ 180, target group
  ≥ 50 %, women 50 %, in work/studies within 90 days ≥ 60 %) and per track;
- "Datakvalitet": failed checks of the latest validation run (when
  ``dq.validation_result`` exists) and quarantined rows of the area's files.

Numbers use a decimal comma (31,6 %). Only published aggregates are shown.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from decimal import Decimal
from html import escape
from pathlib import Path
from typing import NoReturn

import psycopg

from dua.reporting.reports import created_stamp
from dua.reporting.texts_sv import check_sv, observed_sv, reason_sv
from dua.warehouse.catalogue import indicator_ids
from dua.warehouse.server import relation_exists

# The job-track commitments of the agreements (Malmö lokalt mål 2, Norrköping
# "Uppföljning av lokala mål"): (indicator, label, default target, unit).
JOBBSPAR_COMMITMENTS = (
    ("jobbspar_tracks", "Antal jobbspår", Decimal(3), "count"),
    ("jobbspar_places", "Platser i jobbspår", Decimal(180), "count"),
    ("jobbspar_target_group_share", "Andel deltagare från målgruppen (nyanlända)", Decimal(50), "percent"),
    ("jobbspar_women_share", "Andel kvinnor bland deltagarna", Decimal(50), "percent"),
    ("jobbspar_work_studies_90d", "I arbete, studier eller eget företag inom 90 dagar", Decimal(60), "percent"),
)

GENDERS = ("K", "M", "T")
GENDER_LABEL = {"K": "Kvinnor", "M": "Män", "T": "Totalt"}
COLOURS = {"K": "#a4286a", "M": "#1f6fb2", "T": "#4a4a4a", "target": "#d97706"}
MONTHS_SV = ("jan", "feb", "mar", "apr", "maj", "jun", "jul", "aug", "sep", "okt", "nov", "dec")

_CSS = """
body{font-family:system-ui,sans-serif;margin:2rem auto;color:#1d2a33;max-width:1100px;padding:0 1rem}
h1{font-size:1.6rem;margin-bottom:.3rem}h2{font-size:1.25rem;margin-top:2.2rem;border-bottom:2px solid #d0dbe3}
h3{font-size:1.02rem;margin:1.6rem 0 .2rem}
table{border-collapse:collapse;margin:.4rem 0 1rem;font-size:.9rem}
th,td{padding:.25rem .7rem;border-bottom:1px solid #e3e9ee;text-align:left}
td.n,th.n{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
.ok{color:#1a7f37;font-weight:600}.bad{color:#b42318;font-weight:600}.muted{color:#667}
.meta{display:grid;grid-template-columns:max-content auto;gap:.15rem 1rem;margin:.6rem 0 1rem}
.meta dt{color:#667}.meta dd{margin:0}
figure{margin:.3rem 0}svg{max-width:100%;height:auto;font-family:system-ui,sans-serif}
.sup{color:#b42318}.note{background:#f5f8fa;border-left:4px solid #d0dbe3;padding:.5rem .8rem;margin:.8rem 0}
nav ul{columns:2;font-size:.9rem}
"""


# ---------------------------------------------------------------- formatting
def fmt_number(v: Decimal | float | int | None, unit: str = "") -> str:
    """Swedish number: decimal comma, space as thousands separator; "31,6 %" for percent."""
    if v is None:
        return "–"
    f = float(v)
    if unit == "count" and f == int(f):
        s = f"{int(f):,}".replace(",", " ")
    else:
        s = f"{f:,.1f}".replace(",", " ").replace(".", ",")
    return f"{s} %" if unit == "percent" else s


def fmt_target(v: Decimal | float | int | None, unit: str = "") -> str:
    """A target as the agreement states it: "50 %", "180" (one decimal only when needed)."""
    if v is not None and float(v) == int(float(v)):
        return fmt_number(int(float(v)), "count") + (" %" if unit == "percent" else "")
    return fmt_number(v, unit)


def _period_label(period: str) -> str:
    if len(period) == 7:
        return f"{MONTHS_SV[int(period[5:7]) - 1]} {period[:4]}"
    return period


def _table(headers: list[str], rows: list[list[str]], numeric: set[int] | None = None,
           raw: bool = False) -> str:
    """HTML table; cells are escaped unless ``raw`` (then the caller escaped them)."""
    numeric = numeric or set()
    head = "".join(f'<th class="{"n" if i in numeric else ""}">{escape(h)}</th>' for i, h in enumerate(headers))
    body = "".join(
        "<tr>" + "".join(
            f'<td class="{"n" if i in numeric else ""}">{v if raw else escape(v)}</td>' for i, v in enumerate(r)
        ) + "</tr>"
        for r in rows
    )
    if not rows:
        body = f'<tr><td colspan="{len(headers)}" class="muted">inga rader</td></tr>'
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


# ---------------------------------------------------------------- data
@dataclass
class Cell:
    numerator: Decimal | None
    denominator: Decimal | None
    value: Decimal | None
    suppressed: bool
    target: Decimal | None

    def shown(self, unit: str) -> str:
        return ".." if self.suppressed else fmt_number(self.value, unit)

    @property
    def number(self) -> float | None:
        return None if self.suppressed or self.value is None else float(self.value)


@dataclass
class Indicator:
    indicator_id: str
    title: str
    unit: str
    period_types: str
    # (breakdown, breakdown_value) -> period -> gender -> Cell
    cells: dict[tuple[str, str], dict[str, dict[str, Cell]]] = field(default_factory=dict)

    def series(self, breakdown: str = "total", value: str = "total") -> dict[str, dict[str, Cell]]:
        return self.cells.get((breakdown, value), {})



def _area_name(conn: psycopg.Connection, area: str) -> str:
    if relation_exists(conn, "seeds.scb_municipalities"):
        row = conn.execute("select kommun_namn from seeds.scb_municipalities where kommunkod = %s limit 1",
                           (area,)).fetchone()
        if row:
            return row[0]
    if relation_exists(conn, "seeds.agreement_areas"):
        row = conn.execute("select area_name from seeds.agreement_areas where area_code = %s limit 1",
                           (area,)).fetchone()
        if row:
            return row[0]
    return area


def _area_municipalities(conn: psycopg.Connection, area: str) -> list[str]:
    """The area itself, or the members of an agreement area."""
    codes = {area}
    if relation_exists(conn, "seeds.agreement_areas"):
        codes |= {r[0] for r in conn.execute(
            "select kommunkod from seeds.agreement_areas where area_code = %s", (area,))}
    return sorted(codes)


class UnknownAreaError(ValueError):
    """An area or period the publication does not hold; the message lists the ones it does."""


def _areas(conn: psycopg.Connection) -> list[tuple[str, str]]:
    """(code, name) of every area with published values."""
    if not relation_exists(conn, "published.indicator_value"):
        return []
    codes = [r[0] for r in conn.execute("select distinct area_code from published.indicator_value order by 1")]
    # the published names in one query; the seeds only for an area published.area lacks
    names = dict(conn.execute("select area_code, area_name from published.area")) if relation_exists(
        conn, "published.area") else {}
    return [(c, names.get(c) or _area_name(conn, c)) for c in codes]


def resolve_area(conn: psycopg.Connection, area: str) -> str:
    """The area code for a code or a name (any case); an unknown one is refused
    with the list of areas that have published values."""
    areas = _areas(conn)
    wanted = area.strip().casefold()
    # a kommunkod may be written without its leading zero (581 for 0581)
    codes = {wanted} | ({"0" + wanted} if wanted.isdigit() and len(wanted) == 3 else set())
    for code, name in areas:
        if code.casefold() in codes or name.casefold() == wanted:
            return code
    _refuse(area, areas)


def _refuse(area: str, areas: list[tuple[str, str]]) -> NoReturn:
    if not areas:
        raise UnknownAreaError(f"no area has published values yet (asked for {area!r}): run `dua run` first")
    listed = ", ".join(f"{c} {n}" if n != c else c for c, n in areas[:40]) + (" …" if len(areas) > 40 else "")
    raise UnknownAreaError(f"no published values for area {area!r}; areas with published values: {listed}")


def complete_years(conn: psycopg.Connection, area: str) -> set[str]:
    """The years whose values are final: ``published.period.is_complete`` where
    published, else a year whose December is a published month of the area."""
    if relation_exists(conn, "published.period"):
        return {r[0] for r in conn.execute(
            "select period from published.period where period_type = 'year' and is_complete")}
    if not relation_exists(conn, "published.indicator_value"):
        return set()
    return {r[0][:4] for r in conn.execute(
        "select distinct period from published.indicator_value where area_code = %s and period like '____-12'",
        (area,))}


def _labels(conn: psycopg.Connection) -> dict[tuple[str, str], str]:
    if not relation_exists(conn, "published.label"):
        return {}
    return {(b, v): label for b, v, label in conn.execute(
        "select breakdown, breakdown_value, label_sv from published.label")}


def _load_indicators(conn: psycopg.Connection, area: str, period: str | None) -> list[Indicator]:
    if not relation_exists(conn, "published.indicator"):
        return []
    inds = {r[0]: Indicator(*r) for r in conn.execute(
        "select indicator_id, title_sv, unit, period_types from published.indicator")}
    if relation_exists(conn, "published.indicator_value"):
        rows = conn.execute(
            """select indicator_id, period, breakdown, breakdown_value, gender, numerator, denominator, value,
                      is_suppressed, target_value
               from published.indicator_value
               where area_code = %s and breakdown in ('total', 'signal', 'jobbspar')
                 and (%s::text is null or left(period, 4) = %s)
               order by indicator_id, period""",
            (area, period, period),
        ).fetchall()
        for ind_id, per, bd, bv, gender, num, den, val, sup, tgt in rows:
            ind = inds.get(ind_id)
            if ind is None:  # a value without a catalogue row: still show it
                ind = inds[ind_id] = Indicator(ind_id, ind_id, "percent", "")
            ind.cells.setdefault((bd, bv), {}).setdefault(per, {})[gender] = Cell(num, den, val, sup, tgt)
    # the catalogue seed's order (the contract's); unknown ids follow alphabetically
    rank = {k: i for i, k in enumerate(indicator_ids())}
    return sorted(inds.values(), key=lambda i: (rank.get(i.indicator_id, len(rank)), i.indicator_id))


# ---------------------------------------------------------------- charts
def _nice_max(v: float, unit: str) -> float:
    if v <= 0:
        return 100.0 if unit == "percent" else 1.0
    exp = 10 ** math.floor(math.log10(v))
    for m in (1, 2, 2.5, 5, 10):
        if v <= m * exp:
            top = m * exp
            break
    if unit == "percent" and v <= 100:
        top = min(top, 100.0)
    return float(top)


def _svg_text(x: float, y: float, text: str, anchor: str = "middle", size: int = 11, fill: str = "#44525c",
              extra: str = "") -> str:
    return (f'<text x="{x:.1f}" y="{y:.1f}" text-anchor="{anchor}" font-size="{size}" fill="{fill}"{extra}>'
            f"{escape(text)}</text>")


def chart_svg(ind: Indicator, periods: list[str], data: dict[str, dict[str, Cell]], kind: str) -> str:
    """Inline SVG: ``kind`` "line" (months) or "bar" (years). Suppressed or missing values leave gaps."""
    width, height = 760, 290
    left, right, top, bottom = 62, 20, 34, 46
    pw, ph = width - left - right, height - top - bottom
    n = len(periods)
    band = pw / max(n, 1)
    unit = ind.unit

    def val(p: str, g: str) -> float | None:
        c = data.get(p, {}).get(g)
        return c.number if c else None

    def tgt(p: str) -> float | None:
        cells = [c for c in data.get(p, {}).values() if c.target is not None]
        return float(cells[0].target) if cells else None

    targets = [tgt(p) for p in periods]
    values = [v for p in periods for g in GENDERS if (v := val(p, g)) is not None]
    ymax = _nice_max(max(values + [t for t in targets if t is not None] + [0.0]), unit)

    def x(i: int) -> float:
        return left + (i + 0.5) * band

    def y(v: float) -> float:
        return top + ph * (1 - v / ymax)

    parts: list[str] = [
        f'<svg viewBox="0 0 {width} {height}" width="{width}" height="{height}" role="img" '
        f'aria-label="{escape(ind.title)}">',
        f'<rect x="0" y="0" width="{width}" height="{height}" fill="#fff"/>',
    ]
    for k in range(6):  # grid and y labels
        v = ymax * k / 5
        parts.append(f'<line x1="{left}" x2="{left + pw}" y1="{y(v):.1f}" y2="{y(v):.1f}" '
                     f'stroke="{"#9aa7b0" if k == 0 else "#e3e9ee"}" stroke-width="1"/>')
        label = fmt_target(v, "percent" if unit == "percent" else "")
        parts.append(_svg_text(left - 6, y(v) + 4, label, anchor="end", size=10))
    step = max(1, math.ceil(n / 12))  # x labels: at most 12
    for i, p in enumerate(periods):
        if i % step and i != n - 1:
            continue
        if len(p) == 7:
            parts.append(_svg_text(x(i), top + ph + 16, MONTHS_SV[int(p[5:7]) - 1]))
            if i == 0 or p.endswith("-01"):
                parts.append(_svg_text(x(i), top + ph + 30, p[:4], size=10))
        else:
            parts.append(_svg_text(x(i), top + ph + 18, p, size=12))

    def title(g: str, p: str) -> str:
        c = data.get(p, {}).get(g)
        shown = c.shown(unit) if c else "–"
        return f"<title>{escape(GENDER_LABEL[g])} {escape(_period_label(p))}: {escape(shown)}</title>"

    def suppressed_mark(i: int, g: str, dx: float = 0.0) -> str:
        return (f'<text x="{x(i) + dx:.1f}" y="{top + ph - 5:.1f}" text-anchor="middle" font-size="12" '
                f'font-weight="700" fill="{COLOURS[g]}">..{title(g, periods[i])}</text>')

    present = {g for p in periods for g in data.get(p, {})}
    t_only = not present & {"K", "M"}  # jobbspar_places, jobbspar_tracks: T only
    if kind == "bar":
        bw = min(band * 0.32, 60)
        bars = (("T", 0.0),) if t_only else (("K", -bw / 2 - 1), ("M", bw / 2 + 1))
        for i, p in enumerate(periods):
            for g, dx in bars:
                c = data.get(p, {}).get(g)
                v = val(p, g)
                if v is not None:
                    parts.append(f'<rect x="{x(i) + dx - bw / 2:.1f}" y="{y(v):.1f}" width="{bw:.1f}" '
                                 f'height="{y(0) - y(v):.1f}" fill="{COLOURS[g]}" opacity=".85">'
                                 f"{title(g, p)}</rect>")
                    parts.append(_svg_text(x(i) + dx, y(v) - 4, fmt_number(v, unit), size=10,
                                           fill=COLOURS[g]))
                elif c is not None and c.suppressed:
                    parts.append(suppressed_mark(i, g, dx))
            t = val(p, "T")
            if t is not None and not t_only:
                parts.append(f'<line x1="{x(i) - bw - 6:.1f}" x2="{x(i) + bw + 6:.1f}" y1="{y(t):.1f}" '
                             f'y2="{y(t):.1f}" stroke="{COLOURS["T"]}" stroke-width="2">{title("T", p)}</line>')
    else:
        for g, w, r in (("T", 1.4, 2.2), ("K", 2.6, 3.6), ("M", 2.6, 3.6)):
            segment: list[str] = []
            segments: list[list[str]] = []
            for i, p in enumerate(periods):
                v = val(p, g)
                if v is None:
                    if segment:
                        segments.append(segment)
                    segment = []
                    c = data.get(p, {}).get(g)
                    if c is not None and c.suppressed and g != "T":
                        parts.append(suppressed_mark(i, g, -7 if g == "K" else 7))
                    continue
                segment.append(f"{x(i):.1f},{y(v):.1f}")
            if segment:
                segments.append(segment)
            for s in segments:
                if len(s) > 1:
                    parts.append(f'<polyline points="{" ".join(s)}" fill="none" stroke="{COLOURS[g]}" '
                                 f'stroke-width="{w}" stroke-linejoin="round"/>')
            for i, p in enumerate(periods):
                v = val(p, g)
                if v is not None:
                    parts.append(f'<circle cx="{x(i):.1f}" cy="{y(v):.1f}" r="{r}" fill="{COLOURS[g]}">'
                                 f"{title(g, p)}</circle>")
    # target: a dashed line through the periods that have one
    tsegs: list[list[tuple[float, float]]] = [[]]
    for i, t in enumerate(targets):
        if t is None:
            tsegs.append([])
        else:
            tsegs[-1].append((x(i), y(t)))
    for s in (s for s in tsegs if s):
        if len(s) == 1 or all(pt[1] == s[0][1] for pt in s):  # constant: across the bands
            x0, x1 = s[0][0] - band / 2 + 2, s[-1][0] + band / 2 - 2
            pts = f"{x0:.1f},{s[0][1]:.1f} {x1:.1f},{s[-1][1]:.1f}"
        else:
            pts = " ".join(f"{a:.1f},{b:.1f}" for a, b in s)
        parts.append(f'<polyline points="{pts}" fill="none" stroke="{COLOURS["target"]}" stroke-width="2" '
                     f'stroke-dasharray="7 5"/>')
    last_t = next((t for t in reversed(targets) if t is not None), None)
    if last_t is not None:
        parts.append(_svg_text(left + pw - 2, y(last_t) - 6, f"Mål {fmt_target(last_t, unit)}", anchor="end",
                               size=11, fill=COLOURS["target"], extra=' font-weight="600"'))
    # legend
    lx = left
    legend = [(g, GENDER_LABEL[g]) for g in GENDERS if g in present] + (
        [("target", "Mål")] if last_t is not None else [])
    for key, label in legend:
        if key == "target":
            parts.append(f'<line x1="{lx}" x2="{lx + 22}" y1="14" y2="14" stroke="{COLOURS[key]}" stroke-width="2" '
                         f'stroke-dasharray="7 5"/>')
        else:
            sw = 1.4 if key == "T" else 3
            parts.append(f'<line x1="{lx}" x2="{lx + 22}" y1="14" y2="14" stroke="{COLOURS[key]}" '
                         f'stroke-width="{sw}"/>')
        parts.append(_svg_text(lx + 27, 18, label, anchor="start", size=12, fill="#1d2a33"))
        lx += 40 + 7 * len(label)
    parts.append(_svg_text(left + pw, 18, '".." = skyddat värde', anchor="end", size=11))
    parts.append("</svg>")
    return "".join(parts)


def _values_table(ind: Indicator, periods: list[str], data: dict[str, dict[str, Cell]]) -> str:
    has_target = any(c.target is not None for p in periods for c in data.get(p, {}).values())
    with_base = ind.unit in ("percent", "mean")
    headers = ["Period", "Kvinnor", "Män", "Totalt"] + (["Underlag (totalt)"] if with_base else []) + (
        ["Mål"] if has_target else [])
    rows = []
    for p in periods:
        cells = data.get(p, {})
        row = [escape(_period_label(p) if len(p) == 7 else p)]
        for g in GENDERS:
            c = cells.get(g)
            shown = c.shown(ind.unit) if c else "–"
            row.append('<span class="sup" title="skyddat värde">..</span>' if shown == ".." else escape(shown))
        if with_base:
            t = cells.get("T")
            row.append(escape(".." if t and t.suppressed else fmt_number(t.denominator if t else None, "count")))
        if has_target:
            tg = next((c.target for c in cells.values() if c.target is not None), None)
            row.append(escape(fmt_target(tg, ind.unit)) if tg is not None else "–")
        rows.append(row)
    return _table(headers, rows, set(range(1, len(headers))), raw=True)


def _indicator_section(ind: Indicator, labels: dict[tuple[str, str], str]) -> str:
    unit_sv = {"percent": "andel, %", "mean": "medelvärde", "count": "antal"}.get(ind.unit, ind.unit)
    out = [f'<section id="ind-{escape(ind.indicator_id)}"><h3>{escape(ind.title)}</h3>'
           f'<p class="muted">{escape(unit_sv)} · <code>{escape(ind.indicator_id)}</code></p>']
    total = ind.series()
    if not total and ind.cells:
        # cooperation_signals: no total, one row per signal
        rows = []
        for (bd, bv), per in sorted(ind.cells.items()):
            if bd != "signal":
                continue
            for p, cells in sorted(per.items()):
                rows.append([_period_label(p) if len(p) == 7 else p, labels.get((bd, bv), bv)]
                            + [cells[g].shown(ind.unit) if g in cells else "–" for g in GENDERS])
        out.append('<p class="muted">Redovisas per signal (ingen totalsiffra).</p>')
        out.append(_table(["Period", "Signal", "Kvinnor", "Män", "Totalt"], rows, {2, 3, 4}))
    elif not total:
        out.append('<p class="muted">Inga publicerade värden för området och perioden.</p>')
    else:
        months = sorted(p for p in total if len(p) == 7)
        years = sorted(p for p in total if len(p) == 4)
        for periods, kind, label in ((months, "line", "per månad"), (years, "bar", "per år")):
            if not periods:
                continue
            if months and years:
                out.append(f"<h4>{label.capitalize()}</h4>")
            out.append(f"<figure>{chart_svg(ind, periods, total, kind)}</figure>")
            out.append(_values_table(ind, periods, total))
    out.append("</section>")
    return "".join(out)


# ---------------------------------------------------------------- summary
def _latest_two(series: dict[str, dict[str, Cell]]) -> tuple[str | None, str | None]:
    """The latest period and the one before it, of the finest period type."""
    months = sorted(p for p in series if len(p) == 7)
    periods = months or sorted(p for p in series if len(p) == 4)
    if not periods:
        return None, None
    return periods[-1], (periods[-2] if len(periods) > 1 else None)


def _summary_section(inds: list[Indicator], complete: set[str]) -> str:
    """The first page: per indicator its latest value for women, men and all,
    the gap between women and men, the change since the period before, the
    target and whether it is met (a year not yet over is preliminary)."""
    rows = []
    for ind in inds:
        series = ind.series()
        latest, before = _latest_two(series)
        if latest is None:
            continue
        cells = series[latest]
        t = cells.get("T")
        k, m = cells.get("K"), cells.get("M")
        gap = "–"
        if k and m and k.number is not None and m.number is not None and ind.unit != "count":
            diff = k.number - m.number
            gap = ("+" if diff > 0 else "−" if diff < 0 else "±") + fmt_number(abs(diff), "mean") + (
                " procentenheter" if ind.unit == "percent" else "")
        trend = "–"
        prev = series.get(before, {}).get("T") if before else None
        if t and prev and t.number is not None and prev.number is not None:
            diff = t.number - prev.number
            arrow = "↑" if diff > 0 else "↓" if diff < 0 else "→"
            trend = f"{arrow} {fmt_number(abs(diff), 'mean' if ind.unit != 'count' else 'count')} sedan " + (
                _period_label(before) if len(before) == 7 else before)
        target = t.target if t else None
        if target is None:
            verdict = '<span class="muted">inget mål</span>'
        elif len(latest) == 4 and latest not in complete:
            verdict = '<span class="muted">preliminärt (året pågår)</span>'
        elif t is None or t.number is None:
            verdict = '<span class="muted">ej bedömbart</span>'
        elif Decimal(str(t.number)) >= target:
            verdict = '<span class="ok">uppnått</span>'
        else:
            verdict = '<span class="bad">ej uppnått</span>'
        period_text = _period_label(latest) if len(latest) == 7 else (
            latest if latest in complete else f"{latest} (preliminärt)")
        rows.append([escape(ind.title), escape(period_text)]
                    + [escape(cells[g].shown(ind.unit)) if g in cells else "–" for g in GENDERS]
                    + [escape(gap), escape(trend), escape(fmt_target(target, ind.unit)) if target is not None else "–",
                       verdict])
    parts = ['<h2 id="sammanfattning">Sammanfattning</h2>',
             "<p>Senaste värde per indikator för kvinnor, män och totalt, skillnaden mellan kvinnor och män, "
             "förändringen sedan perioden före och överenskommelsens mål. Ett år som ännu inte är slut i data "
             "är preliminärt och bedöms inte mot målet.</p>"]
    if not rows:
        parts.append('<p class="muted">Inga publicerade värden för området och perioden.</p>')
    else:
        parts.append(_table(["Indikator", "Period", "Kvinnor", "Män", "Totalt", "Kvinnor − män", "Utveckling (totalt)",
                             "Mål", "Bedömning"], rows, {2, 3, 4, 5}, raw=True))
    return "".join(parts)


# ---------------------------------------------------------------- job tracks
def _jobbspar_section(inds: dict[str, Indicator], complete: set[str], labels: dict[tuple[str, str], str]) -> str:
    years = sorted({p for i, *_ in JOBBSPAR_COMMITMENTS if i in inds for p in inds[i].series() if len(p) == 4})
    parts = ["<h2 id=\"jobbspar\">Jobbspår — åtaganden</h2>",
             "<p>Utfall per år mot överenskommelsernas åtaganden: minst 3 jobbspår med sammanlagt minst 180 "
             "platser, minst 50 % av deltagarna från målgruppen, 50 % kvinnor och 60 % i arbete, studier eller "
             "eget företag inom 90 dagar efter jobbspåret. Andelarna avser alla deltagare (totalt).</p>"]
    if not years:
        parts.append('<p class="muted">Inga publicerade jobbspårsvärden för området och perioden.</p>')
        return "".join(parts)
    headers = ["Åtagande", "Mål"] + [p if p in complete else f"{p} (preliminärt)" for p in years]
    rows = []
    for ind_id, label, default, unit in JOBBSPAR_COMMITMENTS:
        series = inds[ind_id].series() if ind_id in inds else {}
        goal = next((c.target for p in years for c in series.get(p, {}).values() if c.target is not None), default)
        row = [escape(label), escape(("minst " if ind_id != "jobbspar_women_share" else "") + fmt_target(goal, unit))]
        for p in years:
            c = series.get(p, {}).get("T")
            if c is None:
                row.append('<span class="muted">–</span>')
            elif c.suppressed or c.value is None:
                row.append('<span class="sup" title="skyddat värde">..</span> <span class="muted">ej bedömbart</span>')
            elif p not in complete:
                # the year is not over in the data: shown, not judged
                row.append(f'{escape(fmt_number(c.value, unit))} <span class="muted">preliminärt</span>')
            else:
                target = c.target if c.target is not None else goal
                ok = c.value >= target
                verdict = "uppnått" if ok else "ej uppnått"
                row.append(f'{escape(fmt_number(c.value, unit))} <span class="{"ok" if ok else "bad"}">'
                           f"{verdict}</span>")
        rows.append(row)
    parts.append(_table(headers, rows, set(range(1, len(headers))), raw=True))
    # per track: Norrköping measures the goals for the model as a whole and per track
    per_track_ids = [i for i in ("jobbspar_participants", "jobbspar_places", "jobbspar_target_group_share",
                                 "jobbspar_women_share", "jobbspar_work_studies_90d") if i in inds]
    tracks = sorted({(p, bv) for i in per_track_ids for (bd, bv), per in inds[i].cells.items() if bd == "jobbspar"
                     for p in per})
    if tracks:
        heads = ["År", "Jobbspår"] + [{"jobbspar_participants": "Deltagare", "jobbspar_places": "Platser",
                                       "jobbspar_target_group_share": "Från målgruppen",
                                       "jobbspar_women_share": "Kvinnor",
                                       "jobbspar_work_studies_90d": "Arbete/studier 90 dagar"}[i]
                                      for i in per_track_ids]
        trows = []
        for p, bv in tracks:
            r = [p if p in complete else f"{p} (prel.)", labels.get(("jobbspar", bv), bv)]
            for i in per_track_ids:
                c = inds[i].cells.get(("jobbspar", bv), {}).get(p, {}).get("T")
                r.append(c.shown(inds[i].unit) if c else "–")
            trows.append(r)
        parts.append("<h3>Per jobbspår</h3>")
        parts.append(_table(heads, trows, set(range(2, len(heads)))))
    return "".join(parts)


# ---------------------------------------------------------------- data quality
def _dq_section(conn: psycopg.Connection, area: str, publication_run: str | None) -> str:
    parts = ['<h2 id="datakvalitet">Datakvalitet</h2>']
    if relation_exists(conn, "dq.validation_result"):
        latest = conn.execute(
            "select run_id, max(checked_at) from dq.validation_result group by run_id "
            "order by max(checked_at) desc, run_id desc limit 1").fetchone()
        if latest is None:
            parts.append("<p>Inga valideringsresultat är registrerade.</p>")
        else:
            run_id, checked = latest
            failed = conn.execute(
                """select suite, check_name, severity, coalesce(observed, ''), details from dq.validation_result
                   where run_id = %s and not success
                   order by severity = 'blocking' desc, suite, check_name""", (run_id,)).fetchall()
            passed = conn.execute("select count(*) from dq.validation_result where run_id = %s and success",
                                  (run_id,)).fetchone()[0]
            blocking = sum(1 for f in failed if f[2] == "blocking")
            parts.append(f"<p>Senaste valideringskörning <code>{escape(run_id)}</code> "
                         f"({escape(checked.strftime('%Y-%m-%d %H:%M') if checked else 'okänd tid')}): "
                         f"<b>{passed}</b> kontroller godkända, <b>{len(failed)}</b> ej godkända "
                         f"(varav {blocking} blockerande).</p>")
            if publication_run and run_id != publication_run:
                parts.append(f'<p class="note">Den senaste valideringskörningen är inte den publicerade körningen '
                             f"(<code>{escape(publication_run)}</code>); de publicerade värdena är oförändrade "
                             f"sedan dess.</p>")
            rows = [[check_sv(c), "blockerande" if sev == "blocking" else "varning" if sev == "warning" else sev,
                     observed_sv(o), f"{s}.{c}"]
                    for s, c, sev, o, _d in failed]
            if rows:
                parts.append(_table(["Kontroll", "Allvarlighet", "Observerat", "Teknisk beteckning"], rows))
    else:
        parts.append("<p>Inga valideringsresultat är registrerade (tabellen dq.validation_result saknas).</p>")

    codes = _area_municipalities(conn, area)
    if relation_exists(conn, "meta.quarantine") and relation_exists(conn, "meta.file_ledger"):
        rows = conn.execute(
            """select q.reason_code, f.source, count(*), count(distinct f.file_id)
               from meta.quarantine q join meta.file_ledger f using (file_id)
               where f.kommunkod = any(%s) group by 1, 2 order by 3 desc, 1, 2""", (codes,)).fetchall()
        files = conn.execute(
            """select count(*) filter (where status = 'loaded'), count(*) filter (where status = 'rejected')
               from meta.file_ledger where kommunkod = any(%s)""", (codes,)).fetchone()
        parts.append(f"<h3>Rader i karantän per orsak</h3><p>Områdets filer: {files[0]} inlästa, "
                     f"{files[1]} avvisade i sin helhet. Summa rader i karantän: "
                     f"{fmt_number(sum(r[2] for r in rows), 'count')}.</p>")
        parts.append(_table(["Orsak", "Förklaring", "Källa", "Rader", "Filer"],
                            [[r[0], reason_sv(r[0]) if reason_sv(r[0]) != r[0] else "", r[1],
                              fmt_number(r[2], "count"), fmt_number(r[3], "count")] for r in rows],
                            {3, 4}))
    else:
        parts.append('<p class="muted">Ingen fil- och karantänlogg finns.</p>')
    return "".join(parts)


# ---------------------------------------------------------------- page
def write_steering_report(url: str, area: str, out: Path, period: str | None = None) -> Path:
    """Write the steering-group report of ``area`` (kommunkod or agreement-area code) to ``out``.

    ``period`` "YYYY" limits the report to that year's months and that year."""
    if period is not None and not re.fullmatch(r"[0-9]{4}", period):
        raise ValueError(f"period must be a year YYYY, not {period!r}")
    with psycopg.connect(url) as conn:
        conn.execute("set time zone 'Europe/Stockholm'")
        area = resolve_area(conn, area)
        name = _area_name(conn, area)
        if period is not None:
            years = sorted({r[0] for r in conn.execute(
                "select distinct left(period, 4) from published.indicator_value where area_code = %s", (area,))})
            if period not in years:
                raise UnknownAreaError(f"no published values for {name} ({area}) in {period}; "
                                       f"years with published values: {', '.join(years)}")
        inds = _load_indicators(conn, area, period)
        complete = complete_years(conn, area)
        labels = _labels(conn)
        publication = None
        if relation_exists(conn, "published.publication"):
            publication = conn.execute(
                "select run_id, published_at, rows from published.publication "
                "order by published_at desc, run_id desc limit 1").fetchone()
        dq = _dq_section(conn, area, publication[0] if publication else None)

    all_periods = sorted({p for i in inds for per in i.cells.values() for p in per})
    if period:
        period_text = f"År {period}"
    elif all_periods:
        period_text = f"{all_periods[0]} – {all_periods[-1]} (alla publicerade perioder)"
    else:
        period_text = "alla publicerade perioder"
    if publication:
        pub_text = (f"körning <code>{escape(publication[0])}</code>, "
                    f"{escape(publication[1].strftime('%Y-%m-%d %H:%M'))}, "
                    f"{fmt_number(publication[2], 'count')} publicerade rader")
    else:
        pub_text = '<span class="muted">ingen publicering registrerad</span>'
    title = f"Styrgruppsrapport — {name}"
    header = (
        f"<h1>{escape(title)}</h1>"
        f'<dl class="meta"><dt>Område</dt><dd>{escape(name)} ({escape(area)})</dd>'
        f"<dt>Period</dt><dd>{escape(period_text)}</dd><dt>Publicering</dt><dd>{pub_text}</dd>"
        f"<dt>Skapad</dt><dd>{created_stamp()}</dd></dl>"
        '<p class="note">Alla indikatorer redovisas för kvinnor och män. ".." = skyddat värde (för få personer '
        'för att visas, eller kan räknas fram ur andra värden); "–" = inget värde (ingen population). '
        "Streckad linje = överenskommelsens mål.</p>"
    )
    nav_items = "".join(f'<li><a href="#ind-{escape(i.indicator_id)}">{escape(i.title)}</a></li>' for i in inds)
    nav = (f'<nav><ul><li><a href="#sammanfattning">Sammanfattning</a></li>'
           f'<li><a href="#jobbspar">Jobbspår — åtaganden</a></li>'
           f'<li><a href="#datakvalitet">Datakvalitet</a></li>{nav_items}</ul></nav>')
    by_id = {i.indicator_id: i for i in inds}
    body = (header + _summary_section(inds, complete) + nav + '<h2 id="indikatorer">Indikatorer</h2>'
            + ("".join(_indicator_section(i, labels) for i in inds)
               or '<p class="muted">Inga publicerade indikatorer.</p>')
            + _jobbspar_section(by_id, complete, labels) + dq)
    html = (f'<!doctype html><html lang="sv"><head><meta charset="utf-8">'
            f'<meta name="viewport" content="width=device-width, initial-scale=1">'
            f"<title>{escape(title)}</title><style>{_CSS}</style></head><body>{body}</body></html>")
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(html, encoding="utf-8")
    return out


__all__ = ["write_steering_report", "fmt_number", "chart_svg", "JOBBSPAR_COMMITMENTS"]
