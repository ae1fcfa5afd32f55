"""The latest published value of each indicator, the one query that
``dua status`` and the indicator report read (not copied between them)."""

from __future__ import annotations

from typing import NamedTuple

import psycopg

from dua.warehouse.server import relation_exists


class LatestValue(NamedTuple):
    indicator_id: str
    area_code: str
    period: str
    breakdown_value: str
    unit: str
    title_sv: str
    women: str | None  # the value as text, '..' when suppressed, None when not published
    men: str | None
    total: str | None
    target_value: object


# Per indicator and area its latest period (of the headline rows: the total,
# or one row per signal), with the women's, men's and everyone's value.
LATEST_VALUES = """
with latest as (
    select indicator_id, area_code, max(period) as period from published.indicator_value
    where breakdown in ('total', 'signal') group by 1, 2)
select v.indicator_id, v.area_code, v.period, v.breakdown_value, i.unit, i.title_sv,
    max(case when gender = 'K' then coalesce(v.value::text, '..') end),
    max(case when gender = 'M' then coalesce(v.value::text, '..') end),
    max(case when gender = 'T' then coalesce(v.value::text, '..') end),
    max(v.target_value)
from published.indicator_value v join latest using (indicator_id, area_code, period)
join published.indicator i using (indicator_id)
where v.breakdown in ('total', 'signal')
group by 1, 2, 3, 4, 5, 6
order by 2, 1, 4
"""


def latest_values(conn: psycopg.Connection) -> list[LatestValue]:
    """The latest value of every published indicator (empty before the first
    publication), ordered by area, indicator and signal."""
    if not relation_exists(conn, "published.indicator_value"):
        return []
    return [LatestValue(*row) for row in conn.execute(LATEST_VALUES).fetchall()]
