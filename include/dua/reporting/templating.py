"""The reports' pages: Jinja2 templates under ``templates/`` (one base page,
one stylesheet, autoescaping on) with Swedish number and period filters."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from markupsafe import Markup

from dua.reporting import formatting as f

_TEMPLATES = Path(__file__).with_name("templates")


@lru_cache(maxsize=1)
def environment() -> Environment:
    env = Environment(loader=FileSystemLoader(_TEMPLATES), autoescape=select_autoescape(["html"]),
                      trim_blocks=True, lstrip_blocks=True, undefined=StrictUndefined)
    env.filters["cell"] = lambda v: f.fmt_number(v) if not isinstance(v, str) else v
    env.filters["num"] = f.fmt_number
    env.filters["value"] = f.fmt_value
    env.filters["period"] = f.period_label
    env.filters["datetime"] = f.fmt_datetime
    env.filters["date"] = f.fmt_date
    return env


def stylesheet() -> str:
    return (_TEMPLATES / "style.css").read_text(encoding="utf-8")


def render(template: str, title: str, **context: object) -> str:
    """A whole page: ``template`` extends ``base.html``, which inlines the stylesheet."""
    return environment().get_template(template).render(title=title, css=Markup(stylesheet()),
                                                       created=f.created_stamp(), **context)
