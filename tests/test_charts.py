"""The reports' SVG charts: pure functions, read back as XML (no database, no browser)."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from markupsafe import Markup

from dua.reporting.charts import COLOURS, Series, bar_chart, line_chart, nice_max, sparkline

SVG = "{http://www.w3.org/2000/svg}"


def _parse(markup: str) -> ET.Element:
    # the inline SVG carries no namespace (HTML puts it there); give it one to parse it as XML
    return ET.fromstring(str(markup).replace("<svg ", '<svg xmlns="http://www.w3.org/2000/svg" ', 1))


def _texts(root: ET.Element) -> list[str]:
    return ["".join(t.itertext()) for t in root.iter(f"{SVG}text")]


def _tips(root: ET.Element, tag: str) -> list[str]:
    return [e.find(f"{SVG}title").text for e in root.iter(f"{SVG}{tag}") if e.find(f"{SVG}title") is not None]


def test_line_chart_breaks_at_a_protected_month_and_says_so() -> None:
    periods = ["2024-01", "2024-02", "2024-03"]
    svg = line_chart(periods, [
        Series("Kvinnor", COLOURS["K"], [31.6, None, 35.0], [False, True, False]),
        Series("Totalt", COLOURS["T"], [47.0, 61.2, 50.6], thin=True),
    ], unit="percent", title="Heltid, per månad", targets=[40, 40, 40], target_text="Mål: minst 40 %")
    assert isinstance(svg, Markup)
    root = _parse(svg)
    assert root.get("aria-label") == "Heltid, per månad" and root.get("role") == "img"
    lines = list(root.iter(f"{SVG}polyline"))
    # women: two single points (no line through the protected February); all: one line; the target: one
    assert [p.get("stroke") for p in lines] == [COLOURS["T"], COLOURS["target"]]
    assert lines[0].get("points").count(",") == 3
    assert lines[1].get("stroke-dasharray") == "7 5"
    assert _tips(root, "circle") == ["Kvinnor januari 2024: 31,6\u00a0%", "Kvinnor mars 2024: 35,0\u00a0%",
                                     "Totalt januari 2024: 47,0\u00a0%", "Totalt februari 2024: 61,2\u00a0%",
                                     "Totalt mars 2024: 50,6\u00a0%"]
    texts = _texts(root)
    assert "..Kvinnor februari 2024: .." in texts  # the mark with its hover text
    assert "Mål: minst 40 %" in texts and '".." = skyddat värde' in texts
    # the axis: percentages from 0 to 100 % (61.2 is the highest value), Swedish months, the year under the first
    assert texts[:6] == [f"{v}\u00a0%" for v in (0, 20, 40, 60, 80, 100)]
    assert texts[6:10] == ["jan", "2024", "feb", "mars"]


def test_bar_chart_labels_each_bar_and_draws_all_across() -> None:
    root = _parse(bar_chart(["2024", "2025"], [
        Series("Kvinnor", COLOURS["K"], [53.3, None], [False, True]),
        Series("Män", COLOURS["M"], [70.0, 50.9]),
    ], unit="percent", title="Per år", overlay=Series("Totalt", COLOURS["T"], [62.9, 53.7], thin=True)))
    assert _tips(root, "rect") == ["Kvinnor 2024: 53,3\u00a0%", "Män 2024: 70,0\u00a0%", "Män 2025: 50,9\u00a0%"]
    assert _tips(root, "line") == ["Totalt 2024: 62,9\u00a0%", "Totalt 2025: 53,7\u00a0%"]
    texts = _texts(root)
    assert {"53,3\u00a0%", "70,0\u00a0%", "50,9\u00a0%"} <= set(texts)
    assert "..Kvinnor 2025: .." in texts
    # without value labels (many bars): the values on hover only
    quiet = _parse(bar_chart(["2024-01", "2024-02"], [Series("Personer", "#2f6f9f", [1234, 987])], unit="count",
                             title="Personer", value_labels=False))
    assert "1\u00a0234" not in _texts(quiet) and _tips(quiet, "rect") == ["Personer januari 2024: 1\u00a0234",
                                                                         "Personer februari 2024: 987"]


def test_texts_are_escaped() -> None:
    root = _parse(line_chart(["2024"], [Series("<K & M>", "#000", [1.0])], unit="count", title='a "b" <c>'))
    assert root.get("aria-label") == 'a "b" <c>'
    assert "<K & M>" in _texts(root)


def test_sparkline() -> None:
    assert sparkline([None, 5.0], unit="percent", title="x") == ""  # one value is no line
    root = _parse(sparkline([10.0, None, 20.0, 30.0], unit="percent", title="Utvecklingen", target=25.0))
    assert root.find(f"{SVG}title").text == "Utvecklingen"
    assert len(list(root.iter(f"{SVG}polyline"))) == 1  # 20 → 30; the gap leaves 10 alone
    assert root.find(f"{SVG}line").get("stroke-dasharray") == "3 3"  # the target


def test_nice_max() -> None:
    assert [nice_max(v, "count") for v in (0, 3, 7, 180, 2046)] == [1.0, 5.0, 10.0, 200.0, 2500.0]
    assert nice_max(63.8, "percent") == 100.0 and nice_max(23.9, "percent") == 25.0
    assert nice_max(0, "percent") == 100.0
