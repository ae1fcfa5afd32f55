"""GX Data Docs that read offline.

Great Expectations' Data Docs pages load Bootstrap, jQuery, Popper,
bootstrap-table, bootstrap-datepicker, Font Awesome and Vega from CDNs, show
GX's logo from its web server and link GX's site, documentation and newsletter.
The reports server has no internet access: without their scripts the pages
show nothing.  After each build :func:`make_offline` copies the vendored assets
(``gx_assets/``, see its README) next to the sites, to
``<sites>/_assets/`` (``DUA_HOME/reports/gx/_assets/``), and rewrites every page
of the site to load them by a relative path; the logo becomes text, links out
become their text, and the newsletter and "how to" footers go (and the
favicon is named where it is).  No page is left with an ``http://`` or
``https://`` address.
"""

from __future__ import annotations

import logging
import os
import re
from pathlib import Path

log = logging.getLogger(__name__)

ASSETS = Path(__file__).with_name("gx_assets")
ASSETS_DIRNAME = "_assets"

# Every CDN address in GX's page templates (great_expectations/render/view/
# templates, GX 1.24) and the vendored file that stands for it.  A page tag
# whose address is not here is removed with a warning (tests/test_gx_docs.py
# fails on a GX release that names another: run `make gx-assets` after
# updating docker/gx-assets.sh and this table).
CDN_ASSETS: dict[str, str] = {
    "https://maxcdn.bootstrapcdn.com/bootstrap/4.3.1/css/bootstrap.min.css": "bootstrap/bootstrap.min.css",
    "https://stackpath.bootstrapcdn.com/bootstrap/4.3.1/js/bootstrap.min.js": "bootstrap/bootstrap.min.js",
    "https://cdn.jsdelivr.net/npm/@forevolve/bootstrap-dark@1.1.0/dist/css/bootstrap-prefers-dark.css":
        "bootstrap-dark/bootstrap-prefers-dark.min.css",
    "https://unpkg.com/bootstrap-table@1.19.1/dist/bootstrap-table.min.css": "bootstrap-table/bootstrap-table.min.css",
    "https://unpkg.com/bootstrap-table@1.19.1/dist/bootstrap-table.min.js": "bootstrap-table/bootstrap-table.min.js",
    "https://unpkg.com/bootstrap-table@1.19.0/dist/extensions/filter-control/bootstrap-table-filter-control.css":
        "bootstrap-table/bootstrap-table-filter-control.min.css",
    "https://unpkg.com/bootstrap-table@1.19.0/dist/extensions/filter-control/bootstrap-table-filter-control.min.css":
        "bootstrap-table/bootstrap-table-filter-control.min.css",
    "https://unpkg.com/bootstrap-table@1.19.1/dist/extensions/filter-control/bootstrap-table-filter-control.min.js":
        "bootstrap-table/bootstrap-table-filter-control.min.js",
    "https://cdnjs.cloudflare.com/ajax/libs/bootstrap-datepicker/1.9.0/css/bootstrap-datepicker.min.css":
        "bootstrap-datepicker/bootstrap-datepicker.min.css",
    "https://cdnjs.cloudflare.com/ajax/libs/bootstrap-datepicker/1.9.0/js/bootstrap-datepicker.min.js":
        "bootstrap-datepicker/bootstrap-datepicker.min.js",
    "https://code.jquery.com/jquery-3.7.1.min.js": "jquery/jquery.min.js",
    "https://cdnjs.cloudflare.com/ajax/libs/popper.js/1.12.9/umd/popper.min.js": "popper.js/popper.min.js",
    "https://cdnjs.cloudflare.com/ajax/libs/font-awesome/6.6.0/css/all.min.css": "fontawesome/css/all.min.css",
    "https://cdn.jsdelivr.net/npm/vega@5": "vega/vega.min.js",
    "https://cdn.jsdelivr.net/npm/vega-lite@5": "vega/vega-lite.min.js",
    "https://cdn.jsdelivr.net/npm/vega-embed@6": "vega/vega-embed.min.js",
}

_EXTERNAL = r"""["'](?:https?:)?//[^"']*["']"""  # a quoted absolute or protocol-relative address
_FLAGS = re.IGNORECASE | re.DOTALL
# <script src=…></script> and <link href=…> naming another server
_ASSET_TAG = re.compile(rf"<(script|link)\b[^>]*?\b(?:src|href)\s*=\s*{_EXTERNAL}[^>]*>(?:\s*</script\s*>)?", _FLAGS)
_ADDRESS = re.compile(r"""\b(?:src|href)\s*=\s*["']([^"']*)["']""", _FLAGS)
# subresource integrity and CORS mode: a page opened from a file has no origin
# that a crossorigin request would succeed from
_SRI = re.compile(r"""\s+(?:integrity|crossorigin)(?:\s*=\s*(?:"[^"]*"|'[^']*'|[^\s>]+))?""", _FLAGS)
_FOOTER = re.compile(r"<footer\b[^>]*>.*?</footer\s*>", _FLAGS)  # GX's newsletter and "how to" footers
_FORM = re.compile(rf"<form\b[^>]*\baction\s*=\s*{_EXTERNAL}[^>]*>.*?</form\s*>", _FLAGS)
_LINK = re.compile(rf"<a\b[^>]*\bhref\s*=\s*{_EXTERNAL}[^>]*>(.*?)</a\s*>", _FLAGS)
_IMG = re.compile(rf"<img\b[^>]*\bsrc\s*=\s*{_EXTERNAL}[^>]*>", _FLAGS)
_ALT = re.compile(r"""\balt\s*=\s*["']([^"']*)["']""", _FLAGS)
_CSS_URL = re.compile(r"""url\(\s*["']?(?:https?:)?//[^)]*\)""", _FLAGS)
_OTHER_ATTR = re.compile(rf"\b(src|href|action|srcset|poster|data)\s*=\s*{_EXTERNAL}", _FLAGS)
_SCHEME = re.compile(r"https?://", re.IGNORECASE)
# GX's validation pages name the site's favicon one folder too high
_FAVICON = re.compile(r"""(<link\b[^>]*\brel\s*=\s*["']shortcut icon["'][^>]*\bhref\s*=\s*["'])[^"']*""", _FLAGS)

# the logo, in text: the brand's link to the site's home page stays
_BRAND = ('<span class="dua-gx-brand" style="display:inline-block;font-size:1.5rem;font-weight:600;'
          'line-height:50px">{}</span>')


def copy_assets(dest: Path) -> None:
    """Copy the vendored assets to ``dest``: only what is missing or differs,
    each file written whole under another name and then renamed, so a page
    being read (or a build of another suite) never sees half a file."""
    for src in sorted(ASSETS.rglob("*")):
        if not src.is_file():
            continue
        target = dest / src.relative_to(ASSETS)
        data = src.read_bytes()
        if target.is_file() and target.stat().st_size == len(data) and target.read_bytes() == data:
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
        tmp.write_bytes(data)
        os.replace(tmp, target)


def offline_html(html: str, assets_prefix: str, page: str = "", favicon: str | None = None) -> str:
    """One page with its CDN assets loaded from ``assets_prefix`` (a relative
    address ending in ``/``) and nothing left that points at another server;
    ``favicon``, when given, is the relative address of the site's icon."""

    def asset(m: re.Match) -> str:
        tag = m.group(0)
        url = _ADDRESS.search(tag).group(1)
        local = CDN_ASSETS.get(url)
        if local is None:
            log.warning("GX Data Docs %s: %s has no offline copy; its tag is removed", page, url)
            return ""
        return _SRI.sub("", tag.replace(url, assets_prefix + local))

    def image(m: re.Match) -> str:
        alt = _ALT.search(m.group(0))
        return _BRAND.format(alt.group(1)) if alt and alt.group(1).strip() else ""

    html = _ASSET_TAG.sub(asset, html)
    if favicon is not None:
        html = _FAVICON.sub(lambda m: m.group(1) + favicon, html)
    html = _FOOTER.sub(lambda m: "" if _SCHEME.search(m.group(0)) else m.group(0), html)
    html = _FORM.sub("", html)
    html = _LINK.sub(lambda m: m.group(1), html)
    html = _IMG.sub(image, html)
    html = _CSS_URL.sub("none", html)
    html = _OTHER_ATTR.sub(lambda m: f'{m.group(1)}=""', html)
    # what still names a server is text (a description, an observed value):
    # it stays, without its scheme, and reads the same
    return _SCHEME.sub("", html)


def make_offline(site_dir: Path, assets_dir: Path | None = None) -> int:
    """Copy the assets to ``assets_dir`` (by default ``_assets`` beside the
    site) and rewrite every HTML page under ``site_dir``; return the number of
    pages rewritten.  Pages already rewritten are left as they are."""
    assets_dir = assets_dir or site_dir.parent / ASSETS_DIRNAME
    copy_assets(assets_dir)
    changed = 0
    icon = site_dir / "static" / "images" / "favicon.ico"
    for page in sorted(site_dir.rglob("*.html")):
        html = page.read_text(encoding="utf-8")
        if not _SCHEME.search(html) and not re.search(r"""["']//""", html):
            continue
        prefix = Path(os.path.relpath(assets_dir, page.parent)).as_posix() + "/"
        favicon = Path(os.path.relpath(icon, page.parent)).as_posix() if icon.is_file() else None
        new = offline_html(html, prefix, str(page.relative_to(site_dir)), favicon)
        if new != html:
            tmp = page.with_name(f".{page.name}.{os.getpid()}.tmp")
            tmp.write_text(new, encoding="utf-8")
            os.replace(tmp, page)
            changed += 1
    return changed
