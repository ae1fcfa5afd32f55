"""Steering-group report for one area: a self-contained HTML file in Swedish.

``write_steering_report(url, area, out, period=None)`` reads ``published.*``
(and, when present, ``dq.validation_result`` and ``meta.*``) and renders the
template ``styrgrupp.html`` (the reports' one base page and stylesheet) with
charts from :mod:`dua.reporting.charts`: no scripts, fonts or images from the
network, so the file can be mailed or archived as it is.

Contents:

- the first page: per indicator the latest value for women, men and all, the
  gap between women and men, the change since the period before, the target
  with its operator (minst / högst / högre än basåret) and whether it is met;
  a year not yet over in the data is preliminary and is not judged;
- one section per indicator: a chart (months, or years) of women, men and
  all, and a table of every period where protected cells show "..".  A
  monthly series with a small population (fewer than ``SMALL_POPULATION``
  persons in the denominator in some month, or a protected month) is drawn as
  rolling 12 months: the sum of the 12 months' numerators over the sum of
  their denominators; the table keeps the months;
- the job-track commitments per year and per track;
- "Datakvalitet": failed checks of the latest validation run and
  quarantined rows of the area's files, in Swedish.

Only published aggregates are shown.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import NoReturn

import psycopg
from markupsafe import Markup

from dua.reporting import charts
from dua.reporting.formatting import (
    UNIT_SV,
    fmt_datetime,
    fmt_difference,
    fmt_number,
    fmt_target,
    fmt_value,
    period_label,
    period_short,
    share,
)
from dua.reporting.templating import render
from dua.reporting.texts_sv import SEVERITY_SV, SOURCE_SV, check_sv, observed_sv, reason_sv
from dua.warehouse.catalogue import indicator_ids
from dua.warehouse.server import relation_exists

# The job-track commitments of the agreements (Malmö lokalt mål 2, Norrköping
# "Uppföljning av lokala mål"): (indicator, label, default target, unit); the
# published targets (published.target) take precedence.
JOBBSPAR_COMMITMENTS = (
    ("jobbspar_tracks", "Antal jobbspår", Decimal(3), "count"),
    ("jobbspar_places", "Platser i jobbspår", Decimal(180), "count"),
    ("jobbspar_target_group_share", "Andel deltagare från målgruppen (nyanlända)", Decimal(50), "percent"),
    ("jobbspar_women_share", "Andel kvinnor bland deltagarna", Decimal(50), "percent"),
    ("jobbspar_work_studies_90d", "I arbete, studier eller eget företag inom 90 dagar", Decimal(60), "percent"),
)

# A monthly series with fewer persons than this in some month's denominator is
# drawn as rolling 12 months.
SMALL_POPULATION = 30
ROLLING_MONTHS = 12

GENDERS = ("K", "M", "T")
GENDER_LABEL = {"K": "Kvinnor", "M": "Män", "T": "Totalt"}


# ---------------------------------------------------------------- data
@dataclass
class Cell:
    numerator: Decimal | None
    denominator: Decimal | None
    value: Decimal | None
    suppressed: bool
    target: Decimal | None

    def shown(self, unit: str) -> str:
        return ".." if self.suppressed else fmt_value(self.value, unit)

    @property
    def number(self) -> float | None:
        return None if self.suppressed or self.value is None else float(self.value)


@dataclass
class Indicator:
    indicator_id: str
    title: str
    unit: str
    period_types: str
    description: str = ""
    # (breakdown, breakdown_value) -> period -> gender -> Cell
    cells: dict[tuple[str, str], dict[str, dict[str, Cell]]] = field(default_factory=dict)

    def series(self, breakdown: str = "total", value: str = "total") -> dict[str, dict[str, Cell]]:
        return self.cells.get((breakdown, value), {})


@dataclass(frozen=True)
class Target:
    """How a value is judged: ``comparison`` at_least / at_most against ``value``, or
    higher_than_baseline / lower_than_baseline against the value of ``baseline_year``."""

    comparison: str
    value: Decimal | None = None
    baseline_year: int | None = None

    def text(self, unit: str, baseline: Decimal | None = None) -> str:
        if self.comparison in ("higher_than_baseline", "lower_than_baseline"):
            word = "högre" if self.comparison == "higher_than_baseline" else "lägre"
            known = f" ({fmt_value(baseline, unit)})" if baseline is not None else ""
            return f"{word} än {self.baseline_year}{known}"
        return ("högst " if self.comparison == "at_most" else "minst ") + fmt_target(self.value, unit)

    def met(self, v: Decimal, baseline: Decimal | None = None) -> bool | None:
        """Whether ``v`` meets the target; None when it cannot be judged (no baseline)."""
        if self.comparison == "at_most":
            return v <= self.value if self.value is not None else None
        if self.comparison == "higher_than_baseline":
            return None if baseline is None else v > baseline
        if self.comparison == "lower_than_baseline":
            return None if baseline is None else v < baseline
        return v >= self.value if self.value is not None else None


@dataclass(frozen=True)
class Rolling:
    """A rolling 12 months' value and the number of its months with published values."""

    value: Decimal | None
    months: int


def add_months(period: str, n: int) -> str:
    y, m = divmod(int(period[:4]) * 12 + int(period[5:7]) - 1 + n, 12)
    return f"{y:04d}-{m + 1:02d}"


def rolling_12(points: Mapping[str, tuple[Decimal | None, Decimal | None]], unit: str) -> dict[str, Rolling]:
    """Per month (``YYYY-MM`` → (numerator, denominator)): the sum of the numerators of
    the 12 months ending with it over the sum of their denominators (× 100 for a
    share), rounded to one decimal.  A month's window starts in a published month
    (the first 11 months of a series have none); a protected month (no numerator)
    is left out of its windows and ``months`` says so."""
    if not points:
        return {}
    first = min(points)
    out = {}
    for month in sorted(points):
        start = add_months(month, 1 - ROLLING_MONTHS)
        if start < first:
            continue
        window = [points.get(add_months(start, k)) for k in range(ROLLING_MONTHS)]
        used = [(n, d) for n, d in (w or (None, None) for w in window) if n is not None and d]
        value = share(sum(n for n, _ in used), sum(d for _, d in used), unit) if used else None
        out[month] = Rolling(value, len(used))
    return out


def is_small(series: Mapping[str, Mapping[str, Cell]], threshold: int = SMALL_POPULATION) -> bool:
    """Whether a monthly series has fewer than ``threshold`` persons in some month's
    denominator (women, men or all) or a protected month."""
    for period, cells in series.items():
        if len(period) != 7:
            continue
        for c in cells.values():
            if c.suppressed or (c.denominator is not None and c.denominator < threshold):
                return True
    return False


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


def resolve_period(conn: psycopg.Connection, area: str, period: str) -> str:
    """A year (YYYY) with published values for the area; anything else is refused
    with the list of the area's published years."""
    years = sorted({r[0] for r in conn.execute(
        "select distinct left(period, 4) from published.indicator_value where area_code = %s", (area,))})
    wanted = period.strip()
    if wanted in years:
        return wanted
    name = _area_name(conn, area)
    listed = ", ".join(years) or "none"
    if not re.fullmatch(r"[0-9]{4}", wanted):
        raise UnknownAreaError(f"period must be a year YYYY, not {period!r}; "
                               f"years with published values for {name} ({area}): {listed}")
    raise UnknownAreaError(f"no published values for {name} ({area}) in {wanted}; "
                           f"years with published values: {listed}")


def _load_indicators(conn: psycopg.Connection, area: str, period: str | None) -> list[Indicator]:
    if not relation_exists(conn, "published.indicator"):
        return []
    inds = {r[0]: Indicator(*r) for r in conn.execute(
        "select indicator_id, title_sv, unit, period_types, coalesce(description_sv, '') from published.indicator")}
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


def _targets(conn: psycopg.Connection, area: str) -> dict[str, Target]:
    """The published targets of the area (an area's own before the one for every area, '*')."""
    if not relation_exists(conn, "published.target"):
        return {}
    rows = conn.execute(
        """select distinct on (indicator_id) indicator_id, comparison, target_value, baseline_year
           from published.target where area_code in (%s, '*')
           order by indicator_id, area_code = '*', valid_from desc nulls last""", (area,)).fetchall()
    return {i: Target(c, v, b) for i, c, v, b in rows if c}


def _baseline(ind: Indicator, target: Target | None) -> Decimal | None:
    if target is None or target.baseline_year is None:
        return None
    c = ind.series().get(str(target.baseline_year), {}).get("T")
    return None if c is None or c.suppressed else c.value


def _target_of(ind: Indicator, rules: Mapping[str, Target], cell: Cell | None) -> Target | None:
    """The rule of the indicator, with the published row's target value where it has one."""
    rule = rules.get(ind.indicator_id)
    value = cell.target if cell is not None else None
    if rule is None:
        return Target("at_least", value) if value is not None else None
    if value is not None and rule.comparison in ("at_least", "at_most"):
        return Target(rule.comparison, value)
    return rule


def _verdict(met: bool | None, preliminary: bool, no_value: bool, target: Target | None,
             baseline: Decimal | None) -> dict:
    if target is None:
        return {"text": "inget mål", "cls": "muted", "key": "none"}
    if preliminary:
        return {"text": "preliminärt", "cls": "muted", "key": "preliminary"}
    if no_value:
        return {"text": "ej bedömbart (skyddat)", "cls": "muted", "key": "unknown"}
    if met is None:
        why = f" ({target.baseline_year} saknas)" if target.baseline_year and baseline is None else ""
        return {"text": f"ej bedömbart{why}", "cls": "muted", "key": "unknown"}
    return ({"text": "uppnått", "cls": "ok", "key": "met"} if met
            else {"text": "ej uppnått", "cls": "bad", "key": "not_met"})


def _rolling_by_gender(series: Mapping[str, Mapping[str, Cell]], unit: str) -> dict[str, dict[str, Rolling]]:
    months = {p: cells for p, cells in series.items() if len(p) == 7}
    return {g: rolling_12({p: (c[g].numerator, c[g].denominator) if g in c else (None, None)
                           for p, c in months.items()}, unit) for g in GENDERS}


# ---------------------------------------------------------------- the first page
def _last_complete_year(ind: Indicator, series: Mapping[str, Mapping[str, Cell]], complete: set[str],
                        rules: Mapping[str, Target], target: Target) -> dict | None:
    """The verdict of the latest year that is over, beside a preliminary one."""
    year = next((p for p in sorted(series, reverse=True) if len(p) == 4 and p in complete), None)
    if year is None:
        return None
    c = series[year].get("T")
    rule = _target_of(ind, rules, c) or target
    baseline = _baseline(ind, rule)
    no_value = c is None or c.suppressed or c.value is None
    met = None if no_value else rule.met(c.value, baseline)
    v = _verdict(met, False, no_value, rule, baseline)
    return {"year": year, "value": "–" if c is None else c.shown(ind.unit), **v}


def _summary(inds: list[Indicator], complete: set[str], rules: Mapping[str, Target],
             threshold: int) -> tuple[list[dict], dict[str, int]]:
    """Per indicator its latest value, gap, change, target and verdict.  An indicator
    with a target and yearly values is summarised by its latest year (the
    agreements' targets are yearly); else by its latest month, as rolling 12 months
    when its population is small."""
    rows = []
    for ind in inds:
        series = ind.series()
        if not series:
            continue
        months = sorted(p for p in series if len(p) == 7)
        years = sorted(p for p in series if len(p) == 4)
        has_target = ind.indicator_id in rules or any(
            c.target is not None for cells in series.values() for c in cells.values())
        use_years = bool(years) and (has_target or not months)
        rolling = not use_years and ind.unit != "count" and is_small(series, threshold)
        values: dict[str, Decimal | None]
        if rolling:
            roll = _rolling_by_gender(series, ind.unit)
            shown_months = [p for p in months if roll["T"].get(p) and roll["T"][p].value is not None]
            if not shown_months:
                rolling = False
            else:
                latest = shown_months[-1]
                before = add_months(latest, -ROLLING_MONTHS)
                values = {g: (roll[g][latest].value if latest in roll[g] else None) for g in GENDERS}
                prev = roll["T"][before].value if before in roll["T"] else None
                texts = {g: fmt_value(values[g], ind.unit) for g in GENDERS}
                period_text = f"12 mån. t.o.m. {period_short(latest)}"
                trend_since = f"12 mån. t.o.m. {period_short(before)}"
                spark = [float(roll["T"][p].value) if p in roll["T"] and roll["T"][p].value is not None else None
                         for p in months[-24:]]
                cell_t = series[latest].get("T")
        if not rolling:
            periods = years if use_years else months
            latest = periods[-1]
            before = periods[-2] if len(periods) > 1 else None
            cells = series[latest]
            values = {g: (None if g not in cells or cells[g].suppressed else cells[g].value) for g in GENDERS}
            texts = {g: cells[g].shown(ind.unit) if g in cells else "–" for g in GENDERS}
            prev_cell = series.get(before, {}).get("T") if before else None
            prev = None if prev_cell is None or prev_cell.suppressed else prev_cell.value
            preliminary_latest = use_years and latest not in complete
            period_text = period_short(latest) + (" (preliminärt)" if preliminary_latest else "")
            trend_since = period_short(before) if before else ""
            spark = [c.number if (c := series[p].get("T")) else None for p in periods[-24:]]
            cell_t = cells.get("T")
        preliminary = len(latest) == 4 and latest not in complete
        gap = "–"
        if values["K"] is not None and values["M"] is not None and ind.unit != "count":
            gap = fmt_difference(values["K"] - values["M"], "")
        trend = {"arrow": "", "change": "–", "text": ""}
        if values["T"] is not None and prev is not None:
            diff = values["T"] - prev
            trend = {"arrow": "↑" if diff > 0 else "↓" if diff < 0 else "→",
                     "change": fmt_difference(diff, "count" if ind.unit == "count" else ""),
                     "text": f"sedan {trend_since}"}
        target = _target_of(ind, rules, cell_t)
        baseline = _baseline(ind, target)
        met = target.met(values["T"], baseline) if target and values["T"] is not None else None
        verdict = _verdict(met, preliminary, values["T"] is None, target, baseline)
        if preliminary and target is not None:
            verdict["previous"] = _last_complete_year(ind, series, complete, rules, target)
        rows.append({
            "id": ind.indicator_id, "title": ind.title, "period": period_text, "rolling": rolling,
            "K": texts["K"], "M": texts["M"], "T": texts["T"], "gap": gap, "trend": trend,
            "target": target.text(ind.unit, baseline) if target else "–", "verdict": verdict,
            "spark": charts.sparkline(spark, unit=ind.unit, title=f"{ind.title}: utvecklingen (totalt)",
                                      target=float(target.value) if target and target.value is not None else None),
        })
    rows.sort(key=lambda r: r["verdict"]["key"] == "none")  # the indicators with a target first
    counts: dict = {k: sum(1 for r in rows if r["verdict"]["key"] == k)
                    for k in ("met", "not_met", "preliminary", "unknown", "none")}
    # beside preliminary years: how the latest year that is over went
    previous = [r["verdict"]["previous"] for r in rows if r["verdict"].get("previous")]
    years = sorted({p["year"] for p in previous})
    counts["previous"] = ({"year": years[-1], **{k: sum(1 for p in previous if p["key"] == k and p["year"] == years[-1])
                                                 for k in ("met", "not_met", "unknown")}} if years else None)
    return rows, counts


# ---------------------------------------------------------------- indicator sections
def _series(data: Mapping[str, Mapping[str, Cell]], periods: list[str], genders: tuple[str, ...],
            ) -> list[charts.Series]:
    out = []
    for g in genders:
        cells = [data.get(p, {}).get(g) for p in periods]
        out.append(charts.Series(GENDER_LABEL[g], charts.COLOURS[g], [c.number if c else None for c in cells],
                                 [bool(c and c.suppressed) for c in cells], thin=g == "T"))
    return out


def _cell(c: Cell | None, unit: str) -> dict | str:
    if c is None:
        return "–"
    if c.suppressed:
        return {"text": "..", "cls": "sup", "title": "skyddat värde"}
    return fmt_value(c.value, unit)


def _indicator_section(ind: Indicator, labels: Mapping[tuple[str, str], str], rules: Mapping[str, Target],
                       complete: set[str], threshold: int, names: Mapping[str, str]) -> dict:
    section = {"id": ind.indicator_id, "title": ind.title, "unit": UNIT_SV.get(ind.unit, ind.unit),
               "description": _named(ind.description, names), "parts": [], "note": ""}
    total = ind.series()
    if not total and ind.cells:
        # cooperation_signals: no total, one row per signal
        rows = []
        for (bd, bv), per in sorted(ind.cells.items(), key=lambda kv: labels.get(kv[0], kv[0][1])):
            if bd != "signal":
                continue
            for p, cells in sorted(per.items()):
                rows.append([period_label(p), labels.get((bd, bv), bv)] + [_cell(cells.get(g), ind.unit)
                                                                           for g in GENDERS])
        section["note"] = "Redovisas per signal (ingen totalsiffra)."
        section["parts"].append({"heading": "", "chart": Markup(""), "chart_note": "",
                                 "table": {"headers": ["Period", "Signal", "Kvinnor", "Män", "Totalt"],
                                           "rows": rows, "numeric": (2, 3, 4), "groups": []}})
        return section
    months = sorted(p for p in total if len(p) == 7)
    years = sorted(p for p in total if len(p) == 4)
    present = {g for cells in total.values() for g in cells}
    genders = tuple(g for g in GENDERS if g in present)
    for periods, kind in ((months, "month"), (years, "year")):
        if not periods:
            continue
        targets = [_target_of(ind, rules, next((c for c in total[p].values() if c.target is not None), None))
                   for p in periods]
        target_values = [float(t.value) if t and t.value is not None else None for t in targets]
        last = next((t for t in reversed(targets) if t is not None), None)
        target_text = f"Mål: {last.text(ind.unit, _baseline(ind, last))}" if last else None
        small = kind == "month" and ind.unit != "count" and is_small(total, threshold)
        roll = _rolling_by_gender(total, ind.unit) if small else {}
        rperiods = [p for p in periods if p in roll.get("T", {})]
        rolling = bool(rperiods)
        title = f"{ind.title}, {'per månad' if kind == 'month' else 'per år'}"
        chart_note = ""
        if small:
            chart_note = (f"Få personer per månad (under {threshold} i någon månad). "
                          + ("Diagrammet visar rullande 12 månader: summan av tolv månaders täljare delad med "
                             "summan av deras nämnare. Tabellen visar både månaderna och de rullande värdena; "
                             "en skyddad månad räknas inte med (antalet månader står då inom parentes)."
                             if rolling else "Rullande 12 månader visas när serien har tolv månader."))
        if rolling:
            series = [charts.Series(GENDER_LABEL[g], charts.COLOURS[g],
                                    [float(r.value) if (r := roll[g].get(p)) and r.value is not None else None
                                     for p in rperiods], thin=g == "T") for g in genders]
            chart = charts.line_chart(rperiods, series, unit=ind.unit, title=f"{title}, rullande 12 månader",
                                      targets=[target_values[periods.index(p)] for p in rperiods],
                                      target_text=target_text)
        elif kind == "month":
            chart = charts.line_chart(periods, _series(total, periods, genders), unit=ind.unit, title=title,
                                      targets=target_values, target_text=target_text)
        else:
            bars = tuple(g for g in genders if g != "T") or ("T",)
            overlay = _series(total, periods, ("T",))[0] if bars != ("T",) and "T" in genders else None
            chart = charts.bar_chart(periods, _series(total, periods, bars), unit=ind.unit, title=title,
                                     targets=target_values, target_text=target_text, overlay=overlay)
        with_base = ind.unit in ("percent", "mean")
        # a baseline target (högre än 2018) is a year's: not repeated on every month
        has_target = any(t is not None and (kind == "year" or t.value is not None) for t in targets)
        headers = ["Period", "Kvinnor", "Män", "Totalt"] + (["Underlag (totalt)"] if with_base else [])
        groups = []
        if rolling:
            headers += ["Kvinnor", "Män", "Totalt"]
            groups = [("Månaden", len(headers) - 3), ("Rullande 12 månader", 3)]
        headers += ["Mål"] if has_target else []
        if groups and has_target:
            groups.append(("", 1))
        rows = []
        for p, t in zip(periods, targets, strict=True):
            cells = total.get(p, {})
            shown = period_label(p) + (" (preliminärt)" if len(p) == 4 and p not in complete else "")
            row: list = [shown] + [_cell(cells.get(g), ind.unit) for g in GENDERS]
            if with_base:
                tc = cells.get("T")
                row.append(".." if tc and tc.suppressed else fmt_number(tc.denominator, 0) if tc and
                           tc.denominator is not None else "–")
            if rolling:
                for g in GENDERS:
                    r = roll[g].get(p)
                    if r is None or r.value is None:
                        row.append("–")
                    elif r.months < ROLLING_MONTHS:
                        row.append({"text": fmt_value(r.value, ind.unit), "note": f"({r.months} av 12 mån)"})
                    else:
                        row.append(fmt_value(r.value, ind.unit))
            if has_target:
                row.append(t.text(ind.unit, _baseline(ind, t)) if t else "–")
            rows.append(row)
        section["parts"].append({
            "heading": ("Per månad" if kind == "month" else "Per år") if months and years else "",
            "chart": chart, "chart_note": chart_note,
            "table": {"headers": headers, "rows": rows, "numeric": tuple(range(1, len(headers))),
                      "groups": groups}})
    if not section["parts"]:
        section["note"] = "Inga publicerade värden för området och perioden."
    return section


# ---------------------------------------------------------------- job tracks
def _jobbspar(inds: Mapping[str, Indicator], complete: set[str], labels: Mapping[tuple[str, str], str],
              rules: Mapping[str, Target]) -> dict:
    years = sorted({p for i, *_ in JOBBSPAR_COMMITMENTS if i in inds for p in inds[i].series() if len(p) == 4})
    out: dict = {"years": years, "headers": [], "rows": [], "tracks": None}
    if not years:
        return out
    out["headers"] = ["Åtagande", "Mål"] + [p if p in complete else f"{p} (preliminärt)" for p in years]
    for ind_id, label, default, unit in JOBBSPAR_COMMITMENTS:
        series = inds[ind_id].series() if ind_id in inds else {}
        first = next((c for p in years for c in series.get(p, {}).values() if c.target is not None), None)
        goal = (_target_of(inds[ind_id], rules, first) if ind_id in inds else None) or Target("at_least", default)
        row: list = [label, goal.text(unit)]
        for p in years:
            c = series.get(p, {}).get("T")
            rule = (_target_of(inds[ind_id], rules, c) if c is not None else None) or goal
            if c is None:
                row.append("–")
            elif c.suppressed or c.value is None:
                row.append({"text": "..", "cls": "sup", "title": "skyddat värde", "note": "ej bedömbart"})
            elif p not in complete:  # the year is not over in the data: shown, not judged
                row.append({"text": fmt_value(c.value, unit), "note": "preliminärt"})
            else:
                ok = rule.met(c.value)
                row.append({"text": fmt_value(c.value, unit),
                            "verdict": "uppnått" if ok else "ej uppnått", "vcls": "ok" if ok else "bad"})
        out["rows"].append(row)
    # per track: Norrköping measures the goals for the model as a whole and per track
    heads = {"jobbspar_participants": "Deltagare", "jobbspar_places": "Platser",
             "jobbspar_target_group_share": "Från målgruppen", "jobbspar_women_share": "Kvinnor",
             "jobbspar_work_studies_90d": "Arbete/studier 90 dagar"}
    ids = [i for i in heads if i in inds]
    tracks = sorted({(p, bv) for i in ids for (bd, bv), per in inds[i].cells.items() if bd == "jobbspar"
                     for p in per})
    if tracks:
        rows = []
        for p, bv in tracks:
            r: list = [p if p in complete else f"{p} (preliminärt)", labels.get(("jobbspar", bv), bv)]
            for i in ids:
                r.append(_cell(inds[i].cells.get(("jobbspar", bv), {}).get(p, {}).get("T"), inds[i].unit))
            rows.append(r)
        out["tracks"] = {"headers": ["År", "Jobbspår"] + [heads[i] for i in ids], "rows": rows,
                         "numeric": tuple(range(2, 2 + len(ids)))}
    return out


# ---------------------------------------------------------------- data quality
def _sentence(text: str) -> str:
    return text[:1].upper() + text[1:]


def _named(text: str, titles: Mapping[str, str]) -> str:
    """An observed value with each indicator id replaced by its Swedish title."""
    if not titles:
        return text
    pattern = re.compile(r"\b(" + "|".join(re.escape(i) for i in sorted(titles, key=len, reverse=True)) + r")\b")
    return pattern.sub(lambda m: f"«{titles[m.group(1)]}»", text)


def _data_quality(conn: psycopg.Connection, area: str, publication_run: str | None,
                  titles: Mapping[str, str]) -> dict:
    out: dict = {"has_results": False, "run": None, "checked": None, "passed": 0, "failed": [], "blocking": 0,
                 "stale": False, "has_ledger": False, "files_loaded": 0, "files_rejected": 0,
                 "quarantined": 0, "reasons": []}
    if relation_exists(conn, "dq.validation_result"):
        latest = conn.execute(
            "select run_id, max(checked_at) from dq.validation_result group by run_id "
            "order by max(checked_at) desc, run_id desc limit 1").fetchone()
        if latest is not None:
            run_id, checked = latest
            failed = conn.execute(
                """select check_name, severity, coalesce(observed, '') from dq.validation_result
                   where run_id = %s and not success
                   order by severity = 'blocking' desc, suite, check_name""", (run_id,)).fetchall()
            out.update(has_results=True, run=run_id, checked=checked,
                       passed=conn.execute("select count(*) from dq.validation_result where run_id = %s and success",
                                           (run_id,)).fetchone()[0],
                       blocking=sum(1 for f in failed if f[1] == "blocking"),
                       stale=bool(publication_run and run_id != publication_run),
                       failed=[[check_sv(c), SEVERITY_SV.get(sev, sev), _named(observed_sv(o), titles)]
                               for c, sev, o in failed])
    codes = _area_municipalities(conn, area)
    if relation_exists(conn, "meta.quarantine") and relation_exists(conn, "meta.file_ledger"):
        rows = conn.execute(
            """select q.reason_code, f.source, count(*), count(distinct f.file_id)
               from meta.quarantine q join meta.file_ledger f using (file_id)
               where f.kommunkod = any(%s) group by 1, 2 order by 3 desc, 1, 2""", (codes,)).fetchall()
        files = conn.execute(
            """select count(*) filter (where status = 'loaded'), count(*) filter (where status = 'rejected')
               from meta.file_ledger where kommunkod = any(%s)""", (codes,)).fetchone()
        out.update(has_ledger=True, files_loaded=files[0], files_rejected=files[1],
                   quarantined=sum(r[2] for r in rows),
                   reasons=[[_sentence(reason_sv(r[0])), SOURCE_SV.get(r[1], r[1]), r[2], r[3]] for r in rows])
    return out


# ---------------------------------------------------------------- page
def write_steering_report(url: str, area: str, out: Path, period: str | None = None,
                          small_population: int = SMALL_POPULATION) -> Path:
    """Write the steering-group report of ``area`` (code or name) to ``out``.

    ``period`` "YYYY" limits the report to that year's months and that year; an
    unknown area or period is refused (:class:`UnknownAreaError`) with the list."""
    with psycopg.connect(url) as conn:
        conn.execute("set time zone 'Europe/Stockholm'")
        area = resolve_area(conn, area)
        name = _area_name(conn, area)
        if period is not None:
            period = resolve_period(conn, area, period)
        inds = _load_indicators(conn, area, period)
        complete = complete_years(conn, area)
        labels = _labels(conn)
        rules = _targets(conn, area)
        publication = None
        if relation_exists(conn, "published.publication"):
            publication = conn.execute(
                "select run_id, published_at, rows from published.publication "
                "order by published_at desc, run_id desc limit 1").fetchone()
        # the codes a definition or an observed value may name, in the reader's words
        names = {**{v: label for (bd, v), label in labels.items() if bd == "signal" and label != v},
                 **{i.indicator_id: i.title for i in inds if i.title != i.indicator_id}}
        dq = _data_quality(conn, area, publication[0] if publication else None, names)

    all_periods = sorted({p for i in inds for per in i.cells.values() for p in per})
    if period:
        period_text = f"År {period}"
    elif all_periods:
        months = [p for p in all_periods if len(p) == 7] or all_periods
        period_text = f"{period_label(months[0])} – {period_label(months[-1])} (alla publicerade perioder)"
    else:
        period_text = "alla publicerade perioder"
    summary, counts = _summary(inds, complete, rules, small_population)
    html = render(
        "styrgrupp.html", f"Styrgruppsrapport — {name}", area=area, name=name, period_text=period_text,
        publication=({"run": publication[0], "at": fmt_datetime(publication[1]), "rows": publication[2]}
                     if publication else None),
        summary=summary, counts=counts, small_population=small_population,
        sections=[_indicator_section(i, labels, rules, complete, small_population, names) for i in inds],
        jobbspar=_jobbspar({i.indicator_id: i for i in inds}, complete, labels, rules),
        dq={**dq, "checked": fmt_datetime(dq["checked"]) if dq["checked"] else "okänd tid"},
    )
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(html, encoding="utf-8")
    return out


__all__ = ["JOBBSPAR_COMMITMENTS", "SMALL_POPULATION", "Target", "UnknownAreaError", "is_small", "resolve_area",
           "resolve_period", "rolling_12", "write_steering_report"]
