"""The indicator catalogue seed (``dbt_project/seeds/indicator_catalogue.csv``):
the indicators in the contract's order and their properties, read by the
Python code that needs them (the order of the reports, the checks on the
catalogue) so that the list is written down once."""

from __future__ import annotations

import csv
from functools import cache

from dua.settings import DBT_PROJECT_DIR

CATALOGUE_CSV = DBT_PROJECT_DIR / "seeds" / "indicator_catalogue.csv"


@cache
def catalogue() -> tuple[dict[str, str], ...]:
    """The seed's rows, in the file's order (the contract's)."""
    with CATALOGUE_CSV.open(encoding="utf-8", newline="") as fh:
        rows = tuple(csv.DictReader(fh))
    ids = [r["indicator_id"] for r in rows]
    if len(set(ids)) != len(ids) or not all(ids):
        raise ValueError(f"{CATALOGUE_CSV}: indicator_id must be set and unique on every row")
    return rows


def indicator_ids() -> tuple[str, ...]:
    """Every indicator id, in the contract's order."""
    return tuple(r["indicator_id"] for r in catalogue())
