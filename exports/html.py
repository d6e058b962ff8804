"""Helpers shared by the HTML exports (network map, geographic view, briefing).

Everything that turns data into HTML goes through here, so the escaping rules live in one
place (docs/threats.md rows 1 and 12):

- text in elements and attributes: :func:`esc` (``html.escape`` with quotes);
- data handed to JavaScript: :func:`json_for_script`, JSON with ``<``, ``>``, ``&`` and the
  JavaScript line separators written as ``\\uXXXX`` escapes, so no value can close a
  ``<script>`` element or open a comment in it; the page reads it with ``JSON.parse``;
- scripts and styles shipped by a package (vis-network): :func:`inline_script` refuses
  or neutralises ``</script`` and ``<!--`` inside them;
- page skeletons are Jinja2 templates in ``exports/templates`` (autoescape on); scripts and
  styles are files in ``exports/static``, inlined at render time;
- every page carries a Content-Security-Policy that forbids loading anything from the
  network (``default-src 'none'``): the files are self-contained and stay offline.
"""

from __future__ import annotations

import base64
import html
import importlib.util
import json
import math
from collections.abc import Iterable
from functools import cache, lru_cache
from pathlib import Path
from typing import Any

from graphmodel.errors import CampaignGraphError

_HERE = Path(__file__).resolve().parent

#: scripts and styles are inline; images only as data: URIs; nothing from the network
CSP = (
    "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; "
    "img-src data:; font-src data:; connect-src 'none'; form-action 'none'; base-uri 'none'"
)

#: colours shared by the map, the geographic view and the briefing
COVERAGE_COLOURS = {"covered": "#2e7d32", "not_covered": "#c62828", "unknown": "#9e9e9e"}
COVERAGE_LABELS = {"covered": "covered", "not_covered": "not covered", "unknown": "unknown"}
#: a site's most pressing exposure (queries.transition.most_pressing) -> colour and label, legend order
EXPOSURE_COLOURS = {"conversion_announced": "#7b3294", "closing_overdue": "#b2182b", "closing": "#ef8a62",
                    "pre_retirement": "#d9a400", "none": "#9e9e9e"}
EXPOSURE_LABELS = {"conversion_announced": "conversion announced", "closing_overdue": "past its closing year",
                   "closing": "closing within the horizon", "pre_retirement": "pre-retirement units",
                   "none": "no change on record"}


def esc(value: Any) -> str:
    """Escape any value for HTML text or a quoted attribute.

    >>> esc('<img src=x onerror="alert(1)">')
    '&lt;img src=x onerror=&quot;alert(1)&quot;&gt;'
    """
    if value is None:
        return ""
    if isinstance(value, float) and math.isnan(value):
        return ""
    return html.escape(str(value), quote=True)


_JS_UNSAFE = {ord("<"): "\\u003c", ord(">"): "\\u003e", ord("&"): "\\u0026", 0x2028: "\\u2028", 0x2029: "\\u2029"}


def _dumps(obj: Any) -> str:
    """Compact JSON text (UTF-8 kept, other values as ``str``): orjson when installed (the ``fast``
    extra; several times faster on a multi-megabyte map), else the standard library. Dates and
    dataclasses go to ``str`` on both. They differ in how a float is spelt
    (``1e16`` / ``1e+16``, same value) and in NaN, which orjson writes as null where the
    standard library refuses it (``allow_nan=False``): JavaScript's ``JSON.parse`` rejects NaN."""
    try:
        import orjson
    except ImportError:
        orjson = None
    if orjson is not None:
        try:
            opts = orjson.OPT_PASSTHROUGH_DATACLASS | orjson.OPT_PASSTHROUGH_DATETIME
            return orjson.dumps(obj, default=str, option=opts).decode("utf-8")
        except (TypeError, orjson.JSONEncodeError):
            pass  # what orjson refuses (huge integers, non-text keys): the standard library decides
    return json.dumps(obj, ensure_ascii=False, allow_nan=False, default=str, separators=(",", ":"))


def json_for_script(obj: Any) -> str:
    """JSON text that is safe inside a ``<script>`` element.

    >>> json_for_script({"name": "</script><script>alert(1)</script>"})
    '{"name":"\\\\u003c/script\\\\u003e\\\\u003cscript\\\\u003ealert(1)\\\\u003c/script\\\\u003e"}'
    """
    text = _dumps(obj)
    # str.replace per character is far faster than str.translate on multi-megabyte maps
    for ch, escaped in _JS_UNSAFE.items():
        text = text.replace(chr(ch), escaped)
    return text


def json_data_element(element_id: str, obj: Any) -> str:
    """A ``<script type="application/json">`` block holding ``obj``; read it with ``JSON.parse``."""
    return f'<script type="application/json" id="{esc(element_id)}">{json_for_script(obj)}</script>'


def inline_script(code: str) -> str:
    """Wrap trusted JavaScript (a shipped library) in a ``<script>`` element.

    ``</script`` and ``<!--`` would end or confuse the element; inside JavaScript source
    they can only occur in strings, regular expressions or comments, where ``<\\/`` and
    ``<\\!`` mean the same characters.
    """
    safe = code.replace("</script", "<\\/script").replace("</SCRIPT", "<\\/SCRIPT").replace("<!--", "<\\!--")
    return f"<script>{safe}</script>"


def inline_style(css: str) -> str:
    if "</style" in css.lower():
        raise CampaignGraphError("refusing to inline a stylesheet that contains </style")
    return f"<style>{css}</style>"


def data_uri(data: bytes, mime: str = "image/png") -> str:
    """A ``data:`` URI for embedding an image in a self-contained page."""
    return f"data:{mime};base64,{base64.b64encode(data).decode('ascii')}"


def _package_dir(name: str) -> Path:
    # find_spec does not import the package (pyvis imports jinja2 and IPython helpers)
    spec = importlib.util.find_spec(name)
    if spec is None or not spec.submodule_search_locations:
        raise CampaignGraphError(f"the package {name!r} is not installed (pip install {name})")
    return Path(next(iter(spec.submodule_search_locations)))


@lru_cache(maxsize=1)
def vis_network_assets() -> tuple[str, str]:
    """``(javascript, css)`` of the vis-network copy shipped inside pyvis (newest version there).

    pyvis 0.3.2 ships vis-network 9.0.4 and 9.1.2 under ``templates/lib``; we inline the
    newest so the map needs no CDN.
    """
    lib = _package_dir("pyvis") / "templates" / "lib"
    versions = sorted(
        (p for p in lib.glob("vis-*") if (p / "vis-network.min.js").is_file()),
        key=lambda p: tuple(int(x) for x in p.name[4:].split(".") if x.isdigit()),
    )
    if not versions:
        raise CampaignGraphError(f"vis-network is missing from the pyvis package ({lib})")
    newest = versions[-1]
    return (
        (newest / "vis-network.min.js").read_text(encoding="utf-8"),
        (newest / "vis-network.css").read_text(encoding="utf-8"),
    )


@cache
def static_text(name: str) -> str:
    """The text of a script or stylesheet shipped in ``exports/static`` (inlined into pages)."""
    return (_HERE / "static" / name).read_text(encoding="utf-8")


@lru_cache(maxsize=1)
def environment() -> Any:
    """The Jinja2 environment of the page templates in ``exports/templates``: autoescape on for
    every template, and an undefined name is an error, not an empty string."""
    import jinja2

    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(_HERE / "templates")),
        autoescape=True, undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True,
        keep_trailing_newline=True,
    )


def trusted(html_text: str) -> Any:
    """Mark HTML made by the helpers here (escaped already) so a template inserts it as is."""
    from markupsafe import Markup

    return Markup(html_text)


def render(template: str, *, title: str, style: str = "", head: str = "", **context: Any) -> str:
    """Render one page template (it extends ``page.html.j2``). ``title`` and every plain value in
    ``context`` are escaped by the template; ``style`` names shipped stylesheets' text added to
    ``base.css``; ``head`` is trusted HTML (an inlined library)."""
    return environment().get_template(template).render(
        csp=trusted(CSP), title=title, page_style=trusted(inline_style(static_text("base.css") + style)),
        head=trusted(head), **context,
    )


def page(title: str, body: str, *, head: str = "", style: str = "") -> str:
    """A complete, self-contained HTML page. ``title`` is escaped here; ``body`` must already be safe."""
    return render("page.html.j2", title=title, style=style, head=head, body=trusted(body))


def table(rows: Iterable[Iterable[Any]], header: Iterable[str], *, numeric: Iterable[int] = (),
          classes: dict[int, Any] | None = None) -> str:
    """An HTML table with every cell escaped. ``numeric`` are column positions aligned right;
    ``classes`` maps a column position to a function of the cell value giving a CSS class."""
    num = set(numeric)
    classes = classes or {}
    out = ["<table>", "<tr>" + "".join(f"<th>{esc(h)}</th>" for h in header) + "</tr>"]
    for row in rows:
        cells = []
        for i, v in enumerate(row):
            cls = []
            if i in num:
                cls.append("num")
            if i in classes:
                c = classes[i](v)
                if c:
                    cls.append(c)
            attr = f' class="{esc(" ".join(cls))}"' if cls else ""
            cells.append(f"<td{attr}>{esc(fmt(v))}</td>")
        out.append("<tr>" + "".join(cells) + "</tr>")
    out.append("</table>")
    return "\n".join(out)


def fmt(value: Any) -> str:
    """Display text for a table cell: empty for missing, thousands separators for counts."""
    if value is None:
        return ""
    if isinstance(value, float):
        if math.isnan(value):
            return ""
        if value.is_integer():
            return f"{int(value):,}"
        return f"{value:,.1f}" if abs(value) >= 1 else f"{value:.2f}".rstrip("0").rstrip(".")
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, (list, tuple)):
        return ", ".join(str(v) for v in value)
    return str(value)
