"""Rich display in Jupyter: escaped HTML tables for query results, maps in sandboxed frames,
and the graph's own summary (counts only, confidential sources never named)."""

from __future__ import annotations

import html
import re

import numpy as np
import pandas as pd
import pytest

from exports.display import Frame, Table, inline_geo, inline_map, show
from graphmodel.errors import CampaignGraphError
from graphmodel.graph import CampaignGraph
from graphmodel.records import Source

EVIL = "<img src=x onerror=alert(1)>"


def acme() -> CampaignGraph:
    g = CampaignGraph()
    g.add_source(Source("pub", title="Acme annual report <2024>", publisher="Acme", licence="CC BY 4.0"))
    g.add_source(Source("secret", title="Informant at Site A", confidential=True))
    g.add_node("acme", "Company", "Acme Steel " + EVIL, sources=["pub"], country="XA")
    g.add_node("site-a", "Site", "Site A", sources=["pub"], country="XA", lat=10.0, lon=20.0, workforce=120)
    g.add_edge("acme", "site-a", "OPERATES", sources=["pub", "secret"])
    return g


def cells(markup: str) -> list[str]:
    return [html.unescape(c) for c in re.findall(r"<td[^>]*>(.*?)</td>", markup)]


def test_table_escapes_colours_and_formats() -> None:
    df = pd.DataFrame({
        "site": [EVIL, "Site B"], "cba": ["not_covered", "unknown"], "gfa": ["covered", "covered"],
        "workforce": [pd.NA, 1200], "uncovered": [np.bool_(True), False], "evidence": [["e1", "e2"], []],
        "stake": [51.5, np.nan],
    })
    markup = Table(df)._repr_html_()
    assert EVIL not in markup and html.escape(EVIL, quote=True) in markup
    assert cells(markup) == [EVIL, "not covered", "covered", "", "yes", "e1, e2", "51.5",
                             "Site B", "unknown", "covered", "1,200", "no", "", ""]
    assert markup.count('class="cov-not_covered"') == 1 and markup.count('class="cov-unknown"') == 1
    assert "2 row(s)" in markup


def test_show_presets_cut_rows_and_say_so() -> None:
    df = pd.DataFrame({"category": ["finance"] * 5, "node": list("ABCDE"), "score": [5, 4, 3, 2, 1],
                       "explanation": ["x"] * 5, "evidence": [["a"]] * 5})
    t = show(df, "leverage", max_rows=2, title="Leverage")
    markup = t._repr_html_()
    assert re.findall(r"<th>(.*?)</th>", markup) == ["category", "node", "score", "explanation"]
    assert markup.count("<tr>") == 3  # header + 2 rows
    assert "5 row(s), the first 2 shown; 1 more column(s) in the DataFrame" in markup
    assert "Leverage" in repr(t) and "3 more row(s) not shown" in repr(t)
    with pytest.raises(CampaignGraphError, match="unknown table preset"):
        show(df, "nope")


def test_frame_is_sandboxed_and_escaped() -> None:
    markup = Frame('<p title="x">' + EVIL + "</p>", height=300)._repr_html_()
    m = re.fullmatch(r'<iframe title="map" srcdoc="([^"]*)" sandbox="allow-scripts" style="[^"]*300px[^"]*"></iframe>',
                     markup)
    assert m and html.unescape(m.group(1)) == '<p title="x">' + EVIL + "</p>"


def test_inline_map_and_geo_are_whole_offline_pages() -> None:
    g = acme()
    for frame in (inline_map(g, company="acme"), inline_geo(g, "acme")):
        page = frame.html
        assert page.startswith("<!DOCTYPE html>") or page.lower().startswith("<!doctype html>")
        assert "default-src 'none'" in page  # the page's own CSP: nothing from the network
        assert EVIL not in page
    red = inline_map(g, company="acme", redact_output=True).html
    assert "Informant" not in red


def test_graph_repr_html_counts_only_and_hides_confidential_sources() -> None:
    g = acme()
    markup = g._repr_html_()
    assert "<strong>CampaignGraph</strong>: 2 nodes, 1 edges, 2 sources" in markup
    assert cells(markup) == ["Company", "1", "Site", "1", "OPERATES", "1"]
    assert "Acme annual report &lt;2024&gt; — Acme — CC BY 4.0" in markup
    assert "Informant" not in markup and "1 confidential source(s) not listed" in markup
    assert "Acme Steel" not in markup and "onerror" not in markup  # no node names at all
    assert "none" in CampaignGraph()._repr_html_()


@pytest.mark.browser
def test_inline_map_draws_inside_its_sandboxed_frame_in_chromium(tmp_path, offline_page) -> None:
    """The notebook's frame, in a host page as Jupyter would show it: the map draws, offline, payloads stay text."""
    import time

    host = tmp_path / "notebook-output.html"
    host.write_text("<!DOCTYPE html><html><body>" + inline_map(acme(), company="acme", height=500)._repr_html_()
                    + "</body></html>", encoding="utf-8")
    page = offline_page.open(host)
    deadline = time.monotonic() + 60
    frame = None
    while time.monotonic() < deadline:
        frames = [f for f in page.frames if f != page.main_frame]
        if frames and frames[0].evaluate("!!(window.campaignMap && window.campaignMap.stabilized)"):
            frame = frames[0]
            break
        page.wait_for_timeout(100)
    assert frame is not None, "the map in the frame did not settle"
    assert frame.evaluate("window.campaignMap.network.body.data.nodes.length") == 2
    labels = frame.evaluate("window.campaignMap.nodes.get().map(n => n.label).sort()")
    assert labels == sorted(["Acme Steel " + EVIL, "Site A"])
    assert frame.evaluate("document.querySelectorAll('img').length") == 0
    # sandboxed: the frame has an opaque origin and cannot reach the notebook page
    assert frame.evaluate("(() => { try { return !!window.parent.document; } catch (e) { return false; } })()") is False
    assert offline_page.problems() == {"console_errors": [], "page_errors": [], "dialogs": [], "external_requests": []}
