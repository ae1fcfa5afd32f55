"""Export of the published indicators in the shape of Kolada's API v2 data responses.

Kolada (api.kolada.se/v2/data/...) answers::

    {"count": 2,
     "values": [{"kpi": "N00945", "municipality": "1860", "period": 2020,
                 "values": [{"count": 1, "gender": "K", "status": "", "value": 12.3}, ...]}]}

— one object per (kpi, municipality, period) with one entry per gender
("K" women, "M" men, "T" total); ``status`` is "" for a normal value and a
word such as "Missing" when the value is absent (``value`` null); ``count``
is the top-level number of objects in ``values``. This export writes the same
shape from ``published.indicator_value`` with these choices:

- only breakdown ``total`` (Kolada has no breakdowns); ``cooperation_signals``
  (published per signal only) is therefore not in the export;
- ``kpi`` is our ``indicator_id``. Kolada's objects have no field for another
  id, so Kolada's own KPI id (``published.indicator.kolada_kpi``) is not added
  to the objects: the mapping is in ``published.indicator`` (today
  etab_work_studies_90d ↔ N00973 and, comparable only, etab_programme_90d ↔
  N00991); our values are built from monthly snapshots and do not replace
  Kolada's;
- ``municipality`` is ``area_code`` (a kommunkod, or an agreement-area code);
- ``period``: a yearly period is an integer (2024) as in Kolada; Kolada has no
  monthly periods, so a month is written as the string "2024-03";
- per gender entry: ``count`` is the denominator (percent and mean) or the
  numerator (count indicators) as an integer; ``value`` the published value
  (one decimal); ``status`` "" — or, for a suppressed cell, ``value`` and
  ``count`` null and ``status`` "Suppressed" (Arbetsförmedlingen's disclosure
  rule, see the contract). Genders in the order K, M, T; only the genders that
  are published (``jobbspar_places``/``jobbspar_tracks`` have T only);
- objects sorted by (kpi, municipality, period), byte order.

Note: in Kolada itself ``count`` is the number of observations behind a value
(1 for a municipality, the number of members for a group average), not a
denominator; consumers that rely on that meaning should read ``count`` here as
"underlag" (population size) instead.
"""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import psycopg

SUPPRESSED_STATUS = "Suppressed"
_GENDER_ORDER = {"K": 0, "M": 1, "T": 2}


def _int(v: Decimal | None) -> int | float | None:
    if v is None:
        return None
    return int(v) if v == v.to_integral_value() else float(v)


def _period(p: str) -> int | str:
    return int(p) if len(p) == 4 and p.isascii() and p.isdigit() else p


def kolada_values(url: str) -> dict:
    """The export as a Python object (see the module docstring)."""
    with psycopg.connect(url) as conn:
        if not conn.execute("select to_regclass('published.indicator_value') is not null").fetchone()[0]:
            return {"count": 0, "values": []}
        rows = conn.execute(
            """select v.indicator_id, v.area_code, v.period, v.gender, v.numerator, v.denominator, v.value,
                      v.is_suppressed, coalesce(i.unit, case when v.denominator is null then 'count' end)
               from published.indicator_value v
               left join published.indicator i using (indicator_id)
               where v.breakdown = 'total' and v.breakdown_value = 'total'
               order by v.indicator_id collate "C", v.area_code collate "C", v.period collate "C",
                        v.gender collate "C\""""
        ).fetchall()
    objects: list[dict] = []
    for kpi, area, period, gender, num, den, value, suppressed, unit in rows:
        if not objects or (objects[-1]["kpi"], objects[-1]["municipality"], objects[-1]["_p"]) != (kpi, area, period):
            objects.append({"kpi": kpi, "municipality": area, "period": _period(period), "_p": period, "values": []})
        if suppressed:
            entry = {"count": None, "gender": gender, "status": SUPPRESSED_STATUS, "value": None}
        else:
            count = num if unit == "count" else den
            entry = {"count": _int(count), "gender": gender, "status": "" if value is not None else "Missing",
                     "value": None if value is None else float(value)}
        objects[-1]["values"].append(entry)
    for o in objects:
        del o["_p"]
        o["values"].sort(key=lambda e: _GENDER_ORDER.get(e["gender"], 9))
    return {"count": len(objects), "values": objects}


def export_kolada_json(url: str, out: Path) -> int:
    """Write the Kolada-format JSON to ``out`` (UTF-8); return the number of objects."""
    data = kolada_values(url)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(data, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    return data["count"]
