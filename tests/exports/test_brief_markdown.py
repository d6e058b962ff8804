"""The Markdown briefing as a reader gets it (issue 21): rendered by a Markdown library
(markdown-it-py, CommonMark with GitHub's tables and strikethrough), its charts as PNG files
beside it read back with PIL, names with Markdown characters shown literally, countries named,
confidential sources marked (unredacted) or absent (redacted), charts laid out without overlaps.

Hand-made fixture: the fictional Acme group of ``tests/exports/test_netmap.py`` (sites in Germany,
Brazil, South Africa). Real data: the README's load of ``data/gem-*`` and the agreements table
(Global Energy Monitor trackers, CC BY 4.0; see data/README.md).
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st
from markdown_it import MarkdownIt
from PIL import Image

from exports.brief import (
    CHART_MARK,
    _chart_figure,
    _transition_figure,
    build_briefing,
    country_label,
    md,
    render_html,
    render_markdown,
    write_brief,
)
from graphmodel.records import Source
from tests.exports.test_netmap import AS_OF, acme_graph
from tests.shared_data import SHARED_DATA

MARKDOWN = MarkdownIt("commonmark").enable(["table", "strikethrough"])  # CommonMark + GitHub's tables


class _Text(HTMLParser):
    """The text a reader sees in rendered HTML (entities decoded, as a browser does)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []

    def handle_data(self, data: str) -> None:
        self.parts.append(data)


def rendered_text(markdown: str) -> str:
    p = _Text()
    p.feed(MARKDOWN.render(markdown))
    return "".join(p.parts)


def inline_runs(markdown: str) -> list[tuple[set[str], str]]:
    """Each inline run of the parsed Markdown: the token types inside it and its plain text."""
    out = []
    for t in MARKDOWN.parse(markdown):
        if t.type == "inline":
            out.append(({c.type for c in t.children or []}, "".join(c.content for c in t.children or [])))
    return out


def images_of(markdown: str) -> list[str]:
    return [c.attrs["src"] for t in MARKDOWN.parse(markdown) if t.type == "inline"
            for c in t.children or [] if c.type == "image"]


# --------------------------------------------------------------------------- md(): text stays text
TRICKY = ["*Acme* Steel", "Acme_Steel_", "_Werk_ [1](http://x.example)", "H&S agreement", "AT&T", "&amp; Co",
          "Fonds &eacute;", "a | b", "<b>bold</b>", "<!-- x -->", "`code`", "~~gone~~", "# 1", "- dash", "+ plus",
          "> quote", "2024. year", "1) one", "---", "***", "___", "back\\slash\\", "!\\[x]", "(HKM) [a]", "3 < 4 > 2"]


@pytest.mark.parametrize("name", TRICKY)
def test_a_name_with_markdown_characters_is_shown_literally_everywhere(name: str) -> None:
    """In a table cell, a paragraph and a list item the parsed text is the name, with no markup token."""
    for src in (f"| h |\n|---|\n| {md(name, cell=True)} |\n", md(name, line_start=True) + "\n",
                f"- {md(name, line_start=True)} (100%, root)\n"):
        types, text = inline_runs(src)[-1]
        assert types == {"text"}, (name, src)
        assert text.removesuffix(" (100%, root)") == name, src


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("ab1é _*`[]()!|~\\<>&#;+-=.:/x\t")), min_size=1, max_size=24))
def test_any_text_is_shown_literally(text: str) -> None:
    want = " ".join(text.split())
    if not want:
        return
    for src in (f"| h |\n|---|\n| {md(text, cell=True)} |\n", md(text, line_start=True) + "\n"):
        types, got = inline_runs(src)[-1]
        assert (types, got) == ({"text"}, want), src


def test_only_what_markdown_needs_is_escaped() -> None:
    """Parentheses, "&" in words, "_" inside words, "!" and "]" alone are left as they are."""
    assert md("Hüttenwerke Krupp Mannesmann (HKM) steel plant") == "Hüttenwerke Krupp Mannesmann (HKM) steel plant"
    assert md("H&S agr. snake_case Rio Tinto!") == "H&S agr. snake_case Rio Tinto!"
    assert md("a | b") == "a | b" and md("a | b", cell=True) == "a \\| b"  # "|" only matters in a table
    assert md("# 1") == "# 1" and md("# 1", line_start=True) == "\\# 1"  # "#" only at a line's start


# --------------------------------------------------------------------------- the written briefing
def _tricky_graph():
    g = acme_graph()
    g.add_node("acme", "Company", "Acme *Steel* | Holding_ [AG]", merge="replace")
    g.add_node("site_b", "Site", "Werk <b>Süd</b> & H&S _alt_ `1`", merge="replace")
    return g


def test_markdown_briefing_links_its_charts_as_png_files_beside_it(tmp_path: Path) -> None:
    out = tmp_path / "out" / "acme brief.md"
    out.parent.mkdir()
    b = write_brief(_tricky_graph(), "acme", out, as_of=AS_OF)
    text = out.read_text(encoding="utf-8")
    assert "data:" not in text and "base64" not in text
    links = images_of(text)
    # the map and the two coverage charts (the Acme group has no transition exposure), in reading order
    assert links == ["acme%20brief-charts/map.png", "acme%20brief-charts/coverage-by-country.png",
                     "acme%20brief-charts/coverage-by-commodity.png"]
    assert "transition" not in b.charts
    for link in links:
        path = out.parent / unquote(link)
        assert path.is_file()
        with Image.open(path) as im:
            assert im.format == "PNG" and im.width > 300 and im.height > 150
            im.verify()
    # nothing else written: the text and its folder of three charts
    assert sorted(p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*")) == [
        "out", "out/acme brief-charts", "out/acme brief-charts/coverage-by-commodity.png",
        "out/acme brief-charts/coverage-by-country.png", "out/acme brief-charts/map.png", "out/acme brief.md"]


def test_markdown_briefing_has_no_entities_or_stray_escapes_and_shows_names_as_they_are(tmp_path: Path) -> None:
    write_brief(_tricky_graph(), "acme", tmp_path / "b.md", as_of=AS_OF)
    text = (tmp_path / "b.md").read_text(encoding="utf-8")
    shown = rendered_text(text)
    for entity in ("&amp;", "&lt;", "&gt;", "&quot;", "&#"):
        assert entity not in shown
    assert "\\" not in shown  # no backslash reaches the reader
    assert "\\(" not in text and "\\)" not in text and "&amp;" not in text  # nor the Markdown source
    assert "H&S agr." in text  # the H&S agreement column, as it is
    runs = {t: types for types, t in inline_runs(text)}
    assert runs["Briefing: Acme *Steel* | Holding_ [AG] group"] == {"text"}
    assert runs["Werk <b>Süd</b> & H&S _alt_ `1`"] == {"text"}  # the site's table cell
    assert runs["Acme *Steel* | Holding_ [AG] (100%, root)"] == {"text"}  # the ownership tree
    assert "<b>" not in MARKDOWN.render(text)  # never HTML: the name's tag is text


def test_country_names_with_codes() -> None:
    assert [country_label(c) for c in ("DE", "BR", "ZA", "CI", "XK", "", None)] == [
        "Germany (DE)", "Brazil (BR)", "South Africa (ZA)", "Côte d'Ivoire (CI)", "XK", "", ""]
    b = build_briefing(acme_graph(), "acme", as_of=AS_OF, charts=False)
    cells = {t for _types, t in inline_runs(render_markdown(b))}
    assert {"Germany (DE)", "Brazil (BR)", "South Africa (ZA)"} <= cells  # sites table and summary by country
    html = render_html(b)
    assert html.count("<td>Brazil (BR)</td>") == 2 and "<td>BR</td>" not in html
    # the bargaining calendar's countries: Site A's collective agreement, in Germany
    assert "<td>Germany (DE)</td>" in html[html.index("<h2>Bargaining calendar</h2>"):]


def _confidential_graph():
    g = acme_graph()
    g.add_source(Source("informant", title="Works council minutes", confidential=True))
    g.add_node("site_c", "Site", "Site C", merge="replace", status="mothballed", sources=["informant"])
    return g


def test_confidential_sources_are_marked_unredacted_and_absent_redacted(tmp_path: Path) -> None:
    g = _confidential_graph()
    write_brief(g, "acme", tmp_path / "p.md", as_of=AS_OF)
    text = (tmp_path / "p.md").read_text(encoding="utf-8")
    shown = rendered_text(text)
    assert "Confidential material: this briefing holds facts from 1 confidential source" in shown
    sources = text[text.index("## Sources"):]
    assert "| Works council minutes (confidential) |" in sources
    assert sources.count("(confidential)") == 1  # the public sources are not marked
    write_brief(g, "acme", tmp_path / "p.html", as_of=AS_OF)
    page = (tmp_path / "p.html").read_text(encoding="utf-8")
    assert '<td class="confidential">Works council minutes (confidential)</td>' in page
    assert "<b>Confidential material</b>: this briefing holds facts from 1 confidential source" in page
    for name in ("r.md", "r.html"):
        write_brief(g, "acme", tmp_path / name, as_of=AS_OF, redact_output=True)
        red = (tmp_path / name).read_text(encoding="utf-8")
        assert "Works council" not in red and "onfidential material" not in red and "(confidential)" not in red
        assert "Redacted briefing" in red
    plain = (tmp_path / "a.md")
    write_brief(acme_graph(), "acme", plain, as_of=AS_OF)
    assert "onfidential" not in plain.read_text(encoding="utf-8").split("## Sources")[0].replace(
        "confidential notes", "")  # nothing confidential cited: no warning


def test_a_rerun_replaces_only_the_charts_it_made(tmp_path: Path) -> None:
    from graphmodel.graph import CampaignGraph

    g = CampaignGraph()  # Old Works: a blast furnace marked pre-retirement, an EAF announced beside it
    g.add_source(Source("gem", "Fixture tracker"))
    g.add_node("acme", "Company", "Acme", sources=["gem"])
    g.add_node("old", "Site", "Old Works", sources=["gem"], status="operating", country="DE")
    g.add_edge("acme", "old", "OPERATES", sources=["gem"])
    g.add_node("bf", "Unit", "BF 1", sources=["gem"], unit_type="BF", product="iron",
               status="operating-pre-retirement", capacity=2000.0)
    g.add_node("eaf", "Unit", "EAF 1", sources=["gem"], unit_type="EAF", product="crude_steel", status="announced",
               capacity=1500.0)
    g.add_edge("bf", "old", "PART_OF", sources=["gem"])
    g.add_edge("eaf", "old", "PART_OF", sources=["gem"])
    out = tmp_path / "t.md"
    write_brief(g, "acme", out, as_of="2024-06-30")
    folder = tmp_path / "t-charts"
    assert sorted(p.name for p in folder.iterdir()) == ["coverage-by-commodity.png", "coverage-by-country.png",
                                                        "map.png", "transition-by-country.png"]
    with Image.open(folder / "transition-by-country.png") as im:
        assert im.info.get("Software") == CHART_MARK["Software"]
    (folder / "notes.txt").write_text("mine", encoding="utf-8")
    (tmp_path / "t-charts-old").mkdir()
    # the conversion is gone: the transition chart the first run made goes, the reader's note stays
    g.add_node("eaf", "Unit", "EAF 1", merge="replace", unit_type="EAF", product="crude_steel", status="cancelled")
    g.add_node("bf", "Unit", "BF 1", merge="replace", unit_type="BF", product="iron", status="operating")
    b = write_brief(g, "acme", out, as_of="2024-06-30")
    assert not len(b.transition)
    assert sorted(p.name for p in folder.iterdir()) == ["coverage-by-commodity.png", "coverage-by-country.png",
                                                        "map.png", "notes.txt"]
    assert "transition-by-country" not in out.read_text(encoding="utf-8")
    # a file of that name the briefing did not make is never removed
    Image.new("RGB", (4, 4)).save(folder / "transition-by-country.png")
    write_brief(g, "acme", out, as_of="2024-06-30")
    assert (folder / "transition-by-country.png").is_file() and (folder / "notes.txt").read_text() == "mine"
    assert (tmp_path / "t-charts-old").is_dir()


def test_cli_says_where_the_charts_are_and_stops_in_one_line_when_it_cannot_write_them(tmp_path: Path) -> None:
    from exports.cli.main import cli
    from graphmodel.stores.snapshot import save_snapshot

    save_snapshot(acme_graph(), tmp_path / "snap")
    r = CliRunner().invoke(cli, ["brief", str(tmp_path / "snap"), "--company", "acme", "--as-of", AS_OF,
                                 "-o", str(tmp_path / "b.md")])
    assert r.exit_code == 0, r.output
    assert r.output.startswith(f"wrote {tmp_path / 'b.md'}: 3 sites, 4 companies, ")
    assert r.output.endswith(f" leverage points; charts in {tmp_path / 'b-charts'}/\n")
    (tmp_path / "c-charts").write_text("a file", encoding="utf-8")
    r = CliRunner().invoke(cli, ["brief", str(tmp_path / "snap"), "--company", "acme", "-o", str(tmp_path / "c.md")])
    assert r.exit_code == 1 and "Traceback" not in r.output and len(r.output.strip().splitlines()) == 1
    assert f"{tmp_path / 'c-charts'}: exists and is not a folder" in r.output
    assert not (tmp_path / "c.md").exists()


# --------------------------------------------------------------------------- chart layout
def _overlapping(fig) -> list[tuple[str, str]]:
    """Pairs of the figure's text blocks (titles, tick labels, axis labels, legends) whose drawn
    boxes overlap, and any block drawn outside the figure."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.transforms import Bbox

    FigureCanvasAgg(fig).draw()  # as savefig draws it: the layout done, the text placed
    r = fig.canvas.get_renderer()
    boxes = {"legend": fig.legends[0].get_window_extent(r)} if fig.legends else {}
    if fig._suptitle is not None:
        boxes["suptitle"] = fig._suptitle.get_window_extent(r)
    for i, ax in enumerate(fig.axes):
        if not ax.axison:
            continue
        boxes[f"title{i}"] = ax.title.get_window_extent(r)
        boxes[f"xlabel{i}"] = ax.xaxis.label.get_window_extent(r)
        for axis, (lo, hi) in (("x", sorted(ax.get_xlim())), ("y", sorted(ax.get_ylim()))):
            # the labels drawn: a tick beyond the axis' limits is not drawn, nor is its label
            labels = [t.label1.get_window_extent(r) for t in getattr(ax, f"{axis}axis").get_major_ticks()
                      if lo - 1e-9 <= t.get_loc() <= hi + 1e-9 and t.label1.get_text()]
            if labels:
                boxes[f"{axis}ticks{i}"] = Bbox.union(labels)
    boxes = {k: v for k, v in boxes.items() if v.width > 0 and v.height > 0}
    page = fig.bbox
    out = [(k, "outside") for k, v in boxes.items()
           if v.x0 < page.x0 - 1 or v.y0 < page.y0 - 1 or v.x1 > page.x1 + 1 or v.y1 > page.y1 + 1]
    names = sorted(boxes)
    for i, a in enumerate(names):
        for b in names[i + 1:]:
            if boxes[a].overlaps(boxes[b]):
                out.append((a, b))
    return out


@pytest.mark.parametrize("n", [1, 2, 3, 5, 12, 30])
def test_charts_have_no_overlapping_text(n: int) -> None:
    import pandas as pd

    codes = ["DE", "BR", "ZA", "CD", "GB", "BO", "VE", "KR", "US", "IN", "CN", "AU"] * 3
    rows = [{"country": codes[i] if i < 12 else f"X{i}", "commodity": f"commodity {i}", "sites": 3 + i,
             "sites_covered": 1, "sites_not_covered": 1, "sites_unknown": 1 + i, "workers": 1000.0 * (i + 1),
             "workers_covered": 300.0, "workers_not_covered": 200.0, "workers_unknown": 500.0 + 1000 * i,
             "sites_no_workforce": 0} for i in range(n)]
    summary = pd.DataFrame(rows)
    for key in ("country", "commodity"):
        fig = _chart_figure(summary, key, f"Workers by coverage, by {key}")
        assert _overlapping(fig) == []
    labels = [t.get_text() for t in _chart_figure(summary, "country", "t").axes[0].get_yticklabels()]
    if n <= 12:
        assert "Germany (DE)" in labels and ("Congo, The Democratic\nRepublic of the (CD)" in labels or n < 4)
    else:  # the 11 largest by workers (X29 … X19) and the rest in one bar
        assert labels == ["19 others"] + [f"X{i}" for i in range(19, 30)]
    trans = pd.DataFrame([{"country": codes[i], "capacity_iron_at_risk": 100.0 * i, "capacity_crude_steel_at_risk": 50.0,
                           "workers": None if i % 2 else 1200.0} for i in range(min(n, 12))])
    assert _overlapping(_transition_figure(trans)) == []


def test_country_chart_is_a_png_sized_for_its_bars(tmp_path: Path) -> None:
    """The country chart of the Acme group, three bars (one per country): 6.2 in wide, 0.45 in a bar
    plus 1.5 in, at 100 dpi."""
    b = build_briefing(acme_graph(), "acme", as_of=AS_OF)
    path = tmp_path / "c.png"
    path.write_bytes(b.charts["country"])
    with Image.open(path) as im:
        assert im.format == "PNG" and im.size == (620, 285)


# --------------------------------------------------------------------------- real data
@pytest.mark.slow
def test_real_groups_markdown_briefings_stay_small(tmp_path: Path) -> None:
    """thyssenkrupp's group and Coal India's (the largest group of the real files: 301 sites at
    the default statuses; the table shows 300) as a researcher writes them from the README's load."""
    from exports.cli.main import cli

    snap = tmp_path / "real.snapshot"
    files = ["gem-iron-steel-plants-2025-03-25.csv", "gem-iron-steel-units-2025-03-18.csv",
             "gem-iron-ore-mines-2024-11.xlsx", "gem-coal-mines-2024-05-22.csv", "agreements/agreements.csv"]
    r = CliRunner().invoke(cli, ["load", *(str(SHARED_DATA / f) for f in files), "-o", str(snap)])
    assert r.exit_code == 0, r.output
    for company, out in (("thyssenkrupp", "tk.md"), ("Coal India", "ci.md")):
        r = CliRunner().invoke(cli, ["brief", str(snap), "--company", company, "-o", str(tmp_path / out)])
        assert r.exit_code == 0, r.output
        text = (tmp_path / out).read_text(encoding="utf-8")
        assert len(text.encode("utf-8")) < 100_000
        assert all((tmp_path / unquote(link)).is_file() for link in images_of(text)) and len(images_of(text)) >= 3
        shown = rendered_text(text)
        assert "&amp;" not in shown and "\\" not in shown
    tk = (tmp_path / "tk.md").read_text(encoding="utf-8")
    assert "| Hüttenwerke Krupp Mannesmann (HKM) steel plant | Germany (DE) |" in tk
    assert "| Finarvedi Acciai Speciali Terni steel plant | Italy (IT) |" in tk
    ci = (tmp_path / "ci.md").read_text(encoding="utf-8")
    sites = int(re.search(r"^- sites: \*\*([0-9,]+)\*\*$", ci, re.MULTILINE).group(1).replace(",", ""))
    assert sites > 300 and f"{sites - 300} more sites not shown." in ci  # the largest group: the table is cut
    assert "India (IN)" in ci
