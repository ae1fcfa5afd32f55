"""Export of the published indicators in the shape of Kolada's API v2.

Kolada (api.kolada.se/v2) answers data queries with
``{"count": n, "values": [{"kpi", "municipality", "period", "values": [
{"count", "gender", "status", "value"}, ...]}]}`` — one object per KPI,
municipality and year, one entry per gender (K, M, T) — and KPI metadata
queries (``/v2/kpi``) with ``{"count": n, "values": [{"id", "title", ...}]}``.
The export writes three files in those shapes:

- ``<out>``: the yearly values. ``period`` is an integer year, as in Kolada;
- ``<out stem>_months<suffix>``: the monthly values, same shape with
  ``period`` "YYYY-MM" (Kolada has no months: a consumer that expects
  Kolada's years reads only the first file);
- ``<out stem>_kpi<suffix>``: the catalogue shaped like ``/v2/kpi``.

Choices, so that nothing looks like Kolada's that is not:

- ``kpi``: Kolada's id where our definition is Kolada's
  (``published.indicator.kolada_relation = 'same'``: etab_work_studies_90d is
  N00973), our ``indicator_id`` otherwise (a comparable Kolada KPI is named
  in the metadata's ``description`` only);
- ``municipality``: the kommunkod; an agreement area (not a Kolada group: it
  pools the persons of its members, Kolada's groups average municipalities)
  is marked as ours with the prefix ``DUA-`` (``DUA-GGVV``);
- ``count``: as in Kolada, the number of municipalities behind the value (1
  for a municipality, the members of an agreement area), never a population;
- ``status``: "" for a value; for a suppressed cell ``value`` null and
  ``status`` "Missing" (Kolada's word for a value that is not published);
- only breakdown ``total`` (``cooperation_signals``, published per signal
  only, is not exported); genders K, M, T as published;
- objects sorted by (kpi, municipality, period), byte order; the files are
  byte for byte the same for the same publication.
"""

from __future__ import annotations

import json
from pathlib import Path

import psycopg

from dua.warehouse.server import relation_exists

MISSING_STATUS = "Missing"
AREA_PREFIX = "DUA-"
_GENDER_ORDER = {"K": 0, "M": 1, "T": 2}



def _catalogue(conn: psycopg.Connection) -> list[tuple]:
    if not relation_exists(conn, "published.indicator"):
        return []
    cols = {r[0] for r in conn.execute(
        "select column_name from information_schema.columns where table_schema = 'published' "
        "and table_name = 'indicator'")}
    relation = "kolada_relation" if "kolada_relation" in cols else "null::text"
    return conn.execute(
        f"""select indicator_id, title_sv, unit, period_types, coalesce(description_sv, ''), kolada_kpi,
                   {relation}
            from published.indicator order by indicator_id collate "C" """).fetchall()


def kolada_ids(catalogue: list[tuple]) -> dict[str, str]:
    """Our indicator id -> the id the export uses."""
    return {ind: (kpi if kpi and relation == "same" else ind) for ind, *_rest, kpi, relation in catalogue}


def kolada_values(url: str, monthly: bool = False) -> dict:
    """The yearly (or monthly) values as a Kolada data response."""
    with psycopg.connect(url) as conn:
        if not relation_exists(conn, "published.indicator_value"):
            return {"count": 0, "values": []}
        ids = kolada_ids(_catalogue(conn))
        members = {}
        if relation_exists(conn, "published.area"):
            members = {a: (t, n) for a, t, n in conn.execute(
                "select area_code, area_type, member_count from published.area")}
        rows = conn.execute(
            """select v.indicator_id, v.area_code, v.period, v.gender, v.value, v.is_suppressed
               from published.indicator_value v
               where v.breakdown = 'total' and v.breakdown_value = 'total'
                 and length(v.period) = %s
               order by v.indicator_id collate "C", v.area_code collate "C", v.period collate "C",
                        v.gender collate "C\"""", (7 if monthly else 4,)
        ).fetchall()
    objects: list[dict] = []
    for ind, area, period, gender, value, suppressed in rows:
        kind, n_members = members.get(area, ("municipality", 1))
        municipality = AREA_PREFIX + area if kind == "agreement_area" else area
        key = (ids.get(ind, ind), municipality, period if monthly else int(period))
        if not objects or (objects[-1]["kpi"], objects[-1]["municipality"], objects[-1]["period"]) != key:
            objects.append({"kpi": key[0], "municipality": key[1], "period": key[2], "values": []})
        if suppressed or value is None:
            entry = {"count": n_members or 1, "gender": gender, "status": MISSING_STATUS, "value": None}
        else:
            entry = {"count": n_members or 1, "gender": gender, "status": "", "value": float(value)}
        objects[-1]["values"].append(entry)
    objects.sort(key=lambda o: (o["kpi"], o["municipality"], str(o["period"])))
    for o in objects:
        o["values"].sort(key=lambda e: _GENDER_ORDER.get(e["gender"], 9))
    return {"count": len(objects), "values": objects}


def kolada_kpis(url: str) -> dict:
    """The catalogue shaped like Kolada's ``/v2/kpi`` response."""
    with psycopg.connect(url) as conn:
        catalogue = _catalogue(conn)
        published = None
        if relation_exists(conn, "published.publication"):
            published = conn.execute("select max(published_at) from published.publication").fetchone()[0]
    ids = kolada_ids(catalogue)
    values = []
    for ind, title, unit, period_types, description, kpi, relation in catalogue:
        note = f" Jämför Kolada {kpi}." if kpi and relation == "comparable" else ""
        values.append({
            "auspices": "DUA",
            "description": description + note + f" (DUA-indikator {ind}; enhet {unit}; perioder {period_types}.)",
            "has_ou_data": False,
            "id": ids[ind],
            "is_divided_by_gender": 1,
            "municipality_type": "K",
            "operating_area": "Arbetsmarknad, Etablering",
            "ou_publication_date": None,
            "perspective": "Resultat",
            "prel_publication_date": None,
            "publ_period": None,
            "publication_date": published.date().isoformat() if published else None,
            "title": title,
        })
    values.sort(key=lambda v: v["id"])
    return {"count": len(values), "values": values}


def _dump(data: dict, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")


def sibling(out: Path, tag: str) -> Path:
    return out.with_name(f"{out.stem}_{tag}{out.suffix or '.json'}")


def export_kolada_json(url: str, out: Path) -> int:
    """Write the yearly values to ``out``, the monthly ones and the KPI
    metadata next to it; return the number of yearly objects."""
    years = kolada_values(url)
    _dump(years, out)
    _dump(kolada_values(url, monthly=True), sibling(out, "months"))
    _dump(kolada_kpis(url), sibling(out, "kpi"))
    return years["count"]
