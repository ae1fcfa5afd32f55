"""Inline SVG charts for the reports: pure functions from numbers to markup.

Nothing here reads a database or a file: a chart is given its periods
("YYYY-MM" or "YYYY"), one :class:`Series` per line or bar (``None`` = no
value, a gap; ``suppressed`` marks a protected value, drawn as "..") and the
target per period, and returns ``Markup`` a template embeds as it is.  Every
text is escaped; numbers are Swedish (``31,6 %``); every point carries a
``<title>`` (shown on hover) with its period and value.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from markupsafe import Markup, escape

from dua.reporting.formatting import fmt_target, fmt_value, month_short, period_label

COLOURS = {"K": "#a4286a", "M": "#1f6fb2", "T": "#3d4a52", "target": "#c2410c"}
TEXT = "#44525c"
GRID = "#e3e9ee"
AXIS = "#9aa7b0"


@dataclass(frozen=True)
class Series:
    """One line (or one bar per period): its legend label, colour and values."""

    label: str
    colour: str
    values: Sequence[float | None]
    suppressed: Sequence[bool] = ()
    thin: bool = False

    def is_suppressed(self, i: int) -> bool:
        return i < len(self.suppressed) and bool(self.suppressed[i])

    def shown(self, i: int, unit: str) -> str:
        return ".." if self.is_suppressed(i) else fmt_value(self.values[i], unit)


def _attrs(attrs: dict[str, object]) -> str:
    return "".join(f' {k.rstrip("_").replace("_", "-")}="{escape(v)}"' for k, v in attrs.items() if v is not None)


def _el(tag: str, children: str = "", **attrs: object) -> str:
    if not children:
        return f"<{tag}{_attrs(attrs)}/>"
    return f"<{tag}{_attrs(attrs)}>{children}</{tag}>"


def _text(x: float, y: float, text: str, *, anchor: str = "middle", size: int = 11, fill: str = TEXT,
          bold: bool = False, halo: bool = False) -> str:
    """A label; ``halo``: outlined in white, readable over a line."""
    return _el("text", str(escape(text)), x=f"{x:.1f}", y=f"{y:.1f}", text_anchor=anchor, font_size=size,
               fill=fill, font_weight="600" if bold else None, stroke="#fff" if halo else None,
               stroke_width=3 if halo else None, paint_order="stroke" if halo else None)


def _tip(text: str) -> str:
    return _el("title", str(escape(text)))


def nice_max(v: float, unit: str) -> float:
    """The top of the y axis: 1, 2, 2.5 or 5 × a power of ten at or above ``v`` (at most 100 for a share)."""
    if v <= 0:
        return 100.0 if unit == "percent" else 1.0
    exp = 10 ** math.floor(math.log10(v))
    top = next(m * exp for m in (1, 2, 2.5, 5, 10) if v <= m * exp)
    if unit == "percent" and v <= 100:
        top = min(top, 100.0)
    return float(top)


@dataclass(frozen=True)
class _Frame:
    periods: Sequence[str]
    ymax: float
    width: int = 900
    height: int = 290
    left: int = 58
    right: int = 16
    top: int = 34
    bottom: int = 44

    @property
    def band(self) -> float:
        return (self.width - self.left - self.right) / max(len(self.periods), 1)

    @property
    def base(self) -> float:
        return self.height - self.bottom

    def x(self, i: int) -> float:
        return self.left + (i + 0.5) * self.band

    def y(self, v: float) -> float:
        return self.top + (self.base - self.top) * (1 - v / self.ymax)


def _frame(periods: Sequence[str], series: Sequence[Series], targets: Sequence[float | None],
           unit: str) -> _Frame:
    values = [v for s in series for v in s.values if v is not None] + [t for t in targets if t is not None]
    return _Frame(periods, nice_max(max(values + [0.0]), unit))


def _grid(fr: _Frame, unit: str) -> list[str]:
    parts = []
    for k in range(6):
        v = fr.ymax * k / 5
        parts.append(_el("line", x1=fr.left, x2=fr.width - fr.right, y1=f"{fr.y(v):.1f}", y2=f"{fr.y(v):.1f}",
                         stroke=AXIS if k == 0 else GRID, stroke_width=1))
        parts.append(_text(fr.left - 6, fr.y(v) + 4, fmt_target(v, unit), anchor="end", size=10))
    n = len(fr.periods)
    step = max(1, math.ceil(n / 12))  # at most 12 labels on the x axis
    labelled_year = ""
    for i, p in enumerate(fr.periods):
        if i % step and i != n - 1:
            continue
        if len(p) == 7:
            parts.append(_text(fr.x(i), fr.base + 16, month_short(p)))
            if p[:4] != labelled_year:  # the year under its first labelled month
                labelled_year = p[:4]
                parts.append(_text(fr.x(i), fr.base + 30, p[:4], size=10))
        else:
            parts.append(_text(fr.x(i), fr.base + 18, p, size=12))
    return parts


def _target_line(fr: _Frame, targets: Sequence[float | None], target_text: str | None) -> list[str]:
    """A dashed line through the periods that have a target, labelled at its right end."""
    parts: list[str] = []
    runs: list[list[int]] = [[]]
    for i, t in enumerate(targets):
        if t is None:
            runs.append([])
        else:
            runs[-1].append(i)
    for run in (r for r in runs if r):
        if len({targets[i] for i in run}) == 1:  # constant: across the bands
            x0, x1 = fr.x(run[0]) - fr.band / 2 + 2, fr.x(run[-1]) + fr.band / 2 - 2
            pts = f"{x0:.1f},{fr.y(targets[run[0]]):.1f} {x1:.1f},{fr.y(targets[run[-1]]):.1f}"
        else:
            pts = " ".join(f"{fr.x(i):.1f},{fr.y(targets[i]):.1f}" for i in run)
        parts.append(_el("polyline", points=pts, fill="none", stroke=COLOURS["target"], stroke_width=2,
                         stroke_dasharray="7 5"))
    last = next((t for t in reversed(targets) if t is not None), None)
    if last is not None and target_text:
        parts.append(_text(fr.width - fr.right - 2, fr.y(last) - 6, target_text, anchor="end",
                           fill=COLOURS["target"], bold=True))
    return parts


def _legend(fr: _Frame, series: Sequence[Series], has_target: bool, note: str | None) -> list[str]:
    parts: list[str] = []
    lx = float(fr.left)
    for s in series:
        parts.append(_el("line", x1=f"{lx:.0f}", x2=f"{lx + 22:.0f}", y1=14, y2=14, stroke=s.colour,
                         stroke_width=1.6 if s.thin else 3))
        parts.append(_text(lx + 27, 18, s.label, anchor="start", size=12, fill="#1d2a33"))
        lx += 40 + 7 * len(s.label)
    if has_target:
        parts.append(_el("line", x1=f"{lx:.0f}", x2=f"{lx + 22:.0f}", y1=14, y2=14, stroke=COLOURS["target"],
                         stroke_width=2, stroke_dasharray="7 5"))
        parts.append(_text(lx + 27, 18, "Mål", anchor="start", size=12, fill="#1d2a33"))
    if note:
        parts.append(_text(fr.width - fr.right, 18, note, anchor="end"))
    return parts


def _svg(fr: _Frame, title: str, parts: list[str]) -> Markup:
    body = _el("title", str(escape(title))) + _el("rect", x=0, y=0, width=fr.width, height=fr.height,
                                                  fill="#fff") + "".join(parts)
    return Markup(_el("svg", body, viewBox=f"0 0 {fr.width} {fr.height}", width=fr.width, height=fr.height,
                      role="img", aria_label=title, class_="chart"))


def line_chart(periods: Sequence[str], series: Sequence[Series], *, unit: str, title: str,
               targets: Sequence[float | None] = (), target_text: str | None = None) -> Markup:
    """Lines over months (or years); a missing or protected value breaks its line,
    a protected one is marked ".." at the foot of the chart."""
    targets = list(targets) or [None] * len(periods)
    fr = _frame(periods, series, targets, unit)
    parts = _grid(fr, unit)
    for s in series:
        runs: list[list[int]] = [[]]
        for i, v in enumerate(s.values):
            if v is None:
                runs.append([])
                if s.is_suppressed(i):
                    parts.append(_el("text", ".." + _tip(f"{s.label} {period_label(periods[i])}: .."),
                                     x=f"{fr.x(i):.1f}", y=f"{fr.base - 5:.1f}", text_anchor="middle",
                                     font_size=12, font_weight="700", fill=s.colour))
            else:
                runs[-1].append(i)
        for run in (r for r in runs if len(r) > 1):
            parts.append(_el("polyline", points=" ".join(f"{fr.x(i):.1f},{fr.y(s.values[i]):.1f}" for i in run),
                             fill="none", stroke=s.colour, stroke_width=1.6 if s.thin else 2.6,
                             stroke_linejoin="round"))
        for i, v in enumerate(s.values):
            if v is not None:
                parts.append(_el("circle", _tip(f"{s.label} {period_label(periods[i])}: {s.shown(i, unit)}"),
                                 cx=f"{fr.x(i):.1f}", cy=f"{fr.y(v):.1f}", r=2.2 if s.thin else 3.4,
                                 fill=s.colour))
    parts += _target_line(fr, targets, target_text)
    parts += _legend(fr, series, any(t is not None for t in targets),
                     '".." = skyddat värde' if any(any(s.suppressed) for s in series) else None)
    return _svg(fr, title, parts)


def bar_chart(periods: Sequence[str], series: Sequence[Series], *, unit: str, title: str,
              targets: Sequence[float | None] = (), target_text: str | None = None,
              overlay: Series | None = None, value_labels: bool = True) -> Markup:
    """Bars side by side per period, each labelled with its value (unless not
    ``value_labels``: many bars; the value is then on hover only); ``overlay``
    (all, beside women and men) is a short line across the period's bars."""
    targets = list(targets) or [None] * len(periods)
    fr = _frame(periods, [*series, *([overlay] if overlay else [])], targets, unit)
    parts = _grid(fr, unit)
    n = max(len(series), 1)
    bw = min(fr.band * 0.64 / n, 60)
    labels: list[str] = []  # drawn last, over the lines
    for i, p in enumerate(periods):
        for k, s in enumerate(series):
            cx = fr.x(i) + (k - (n - 1) / 2) * (bw + 2)
            v = s.values[i]
            if v is not None:
                parts.append(_el("rect", _tip(f"{s.label} {period_label(p)}: {s.shown(i, unit)}"),
                                 x=f"{cx - bw / 2:.1f}", y=f"{fr.y(v):.1f}", width=f"{bw:.1f}",
                                 height=f"{fr.base - fr.y(v):.1f}", fill=s.colour, opacity=".85"))
                if value_labels:
                    labels.append(_text(cx, fr.y(v) - 4, fmt_value(v, unit), size=10, fill=s.colour, halo=True))
            elif s.is_suppressed(i):
                parts.append(_el("text", ".." + _tip(f"{s.label} {period_label(p)}: .."), x=f"{cx:.1f}",
                                 y=f"{fr.base - 5:.1f}", text_anchor="middle", font_size=12, font_weight="700",
                                 fill=s.colour))
        if overlay is not None and overlay.values[i] is not None:
            half = n * (bw + 2) / 2 + 6
            y = f"{fr.y(overlay.values[i]):.1f}"
            parts.append(_el("line", _tip(f"{overlay.label} {period_label(p)}: {overlay.shown(i, unit)}"),
                             x1=f"{fr.x(i) - half:.1f}", x2=f"{fr.x(i) + half:.1f}", y1=y, y2=y,
                             stroke=overlay.colour, stroke_width=2))
    parts += _target_line(fr, targets, target_text)
    parts += labels
    legend = [*series, *([overlay] if overlay else [])]
    parts += _legend(fr, legend, any(t is not None for t in targets),
                     '".." = skyddat värde' if any(any(s.suppressed) for s in legend) else None)
    return _svg(fr, title, parts)


def sparkline(values: Sequence[float | None], *, unit: str, title: str, target: float | None = None,
              width: int = 90, height: int = 26) -> Markup:
    """A small line of the latest values (a summary table's cell), the last point marked;
    the target, when given, as a dashed line. Empty markup with fewer than two values."""
    known = [v for v in values if v is not None]
    if len(known) < 2:
        return Markup("")
    lo = min(known + ([target] if target is not None else []))
    hi = max(known + ([target] if target is not None else []))
    if unit == "percent":
        lo, hi = max(0.0, lo - 5), min(100.0, hi + 5)
    span = (hi - lo) or 1.0
    step = (width - 8) / max(len(values) - 1, 1)

    def y(v: float) -> float:
        return height - 4 - (height - 8) * (v - lo) / span

    parts = []
    if target is not None:
        parts.append(_el("line", x1=2, x2=width - 2, y1=f"{y(target):.1f}", y2=f"{y(target):.1f}",
                         stroke=COLOURS["target"], stroke_width=1, stroke_dasharray="3 3"))
    runs: list[list[int]] = [[]]
    for i, v in enumerate(values):
        if v is None:
            runs.append([])
        else:
            runs[-1].append(i)
    for run in (r for r in runs if len(r) > 1):
        parts.append(_el("polyline", points=" ".join(f"{4 + i * step:.1f},{y(values[i]):.1f}" for i in run),
                         fill="none", stroke=COLOURS["T"], stroke_width=1.5, stroke_linejoin="round"))
    last = max(i for i, v in enumerate(values) if v is not None)
    parts.append(_el("circle", cx=f"{4 + last * step:.1f}", cy=f"{y(values[last]):.1f}", r=2.6, fill=COLOURS["T"]))
    body = _el("title", str(escape(title))) + "".join(parts)
    return Markup(_el("svg", body, viewBox=f"0 0 {width} {height}", width=width, height=height, role="img",
                      aria_label=title, class_="spark"))
