"""Numbers, periods and times as a Swedish reader writes them (Babel, locale sv_SE).

One place for every report: ``1 234`` and ``12,5 %`` with non-breaking
spaces, ``mars 2024`` for a month, ``3 december 2026`` for a day, and every
time in Stockholm time.
"""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal
from zoneinfo import ZoneInfo

from babel.dates import format_date, format_datetime, get_month_names
from babel.numbers import format_decimal

LOCALE = "sv_SE"
NBSP = "\u00a0"
MINUS = "\u2212"
# readers' time zone: every time a report shows is Stockholm time, whatever the server's
READER_TZ = ZoneInfo("Europe/Stockholm")
UNIT_SV = {"percent": "andel, %", "mean": "medelvärde", "count": "antal"}

Number = Decimal | float | int


def fmt_number(v: object, decimals: int | None = None) -> str:
    """A number as a Swedish reader writes it: 1 234,5 (non-breaking space); "" for None.

    ``decimals`` None: none for a whole number, one otherwise."""
    if v is None:
        return ""
    if isinstance(v, bool) or not isinstance(v, int | float | Decimal):
        return str(v)
    if decimals is None:
        decimals = 0 if isinstance(v, int) or (isinstance(v, Decimal) and v == v.to_integral_value()) else 1
    pattern = "#,##0" + ("." + "0" * decimals if decimals else "")
    return format_decimal(v, format=pattern, locale=LOCALE).replace("-", MINUS)


def fmt_value(v: Number | None, unit: str) -> str:
    """An indicator's value in its unit: "31,6 %", "1 234", "63,2"; "–" when there is none."""
    if v is None:
        return "–"
    if unit == "count":
        return fmt_number(v, 0 if float(v) == int(float(v)) else 1)
    text = fmt_number(v, 1)
    return f"{text}{NBSP}%" if unit == "percent" else text


def fmt_target(v: Number | None, unit: str) -> str:
    """A target as an agreement states it: "50 %", "180" (a decimal only when it has one)."""
    if v is None:
        return "–"
    whole = float(v) == int(float(v))
    text = fmt_number(int(float(v)) if whole else v, 0 if whole else 1)
    return f"{text}{NBSP}%" if unit == "percent" else text


def fmt_difference(diff: Number, unit: str) -> str:
    """A signed difference: "+13,0 procentenheter", "−2,5", "±0"."""
    sign = "+" if diff > 0 else MINUS if diff < 0 else "±"
    size = fmt_number(abs(diff), 0 if unit == "count" else 1)
    return sign + size + (f"{NBSP}procentenheter" if unit == "percent" else "")


def share(numerator: Number, denominator: Number, unit: str) -> Decimal | None:
    """numerator / denominator (× 100 for a percentage), to one decimal as published."""
    if not denominator:
        return None
    q = Decimal(str(numerator)) / Decimal(str(denominator)) * (100 if unit == "percent" else 1)
    return q.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


_WIDE = dict(get_month_names("wide", locale=LOCALE))
_ABBR = dict(get_month_names("abbreviated", context="stand-alone", locale=LOCALE))
_SHORT = {k: v.rstrip(".") for k, v in get_month_names("abbreviated", context="stand-alone", locale=LOCALE).items()}


def period_label(period: str) -> str:
    """"2024" → "2024", "2024-03" → "mars 2024"."""
    if len(period) == 7:
        return f"{_WIDE[int(period[5:7])]} {period[:4]}"
    return period


def period_short(period: str) -> str:
    """"2024" → "2024", "2024-09" → "sep. 2024", "2024-03" → "mars 2024" (a narrow column)."""
    if len(period) == 7:
        return f"{_ABBR[int(period[5:7])]} {period[:4]}"
    return period


def month_short(period: str) -> str:
    """"2024-03" → "mars", "2024-01" → "jan" (a chart's axis)."""
    return _SHORT[int(period[5:7])]


def fmt_date(d: dt.date) -> str:
    """"3 december 2026"."""
    return format_date(d, "d MMMM y", locale=LOCALE)


def fmt_datetime(ts: dt.datetime) -> str:
    """"15 april 2024 kl. 10:00" in Stockholm time."""
    if ts.tzinfo is not None:
        ts = ts.astimezone(READER_TZ)
    return format_datetime(ts, "d MMMM y 'kl.' HH:mm", locale=LOCALE)


def created_stamp(now: dt.datetime | None = None) -> str:
    """When a report was made, in Stockholm time and saying so."""
    return f"{fmt_datetime(now or dt.datetime.now(dt.UTC))} (svensk tid)"
