"""The briefing's "Transition exposure" section (issue 20), on a hand-made group.

Acme operates: "Old Works" (BF pre-retirement 2000 kt/y iron, EAF announced 1500 kt/y crude steel: a
conversion, no union or agreement known), "Pit" (coal, operating, closing year 2020, 120 workers: overdue)
and "Quiet" (operating, nothing announced: not in the section). As of 2024-06-30.
"""

from __future__ import annotations

import pytest

from exports.brief import build_briefing, render_html, render_markdown
from graphmodel.graph import CampaignGraph
from graphmodel.records import Source


@pytest.fixture()
def acme() -> CampaignGraph:
    g = CampaignGraph()
    g.add_source(Source("gem", "Fixture tracker"))
    g.add_source(Source("coal", "Fixture coal tracker"))
    g.add_node("acme", "Company", "Acme", sources=["gem"])
    g.add_node("old", "Site", "Old Works", sources=["gem"], status="operating", country="XA")
    g.add_node("pit", "Site", "Pit", sources=["coal"], status="operating", country="XB", closure_year=2020,
               workforce=120)
    g.add_node("quiet", "Site", "Quiet", sources=["gem"], status="operating", country="XA")
    for s in ("old", "pit", "quiet"):
        g.add_edge("acme", s, "OPERATES", sources=["gem"])
    g.add_node("bf", "Unit", "BF 1", sources=["gem"], unit_type="BF", product="iron",
               status="operating-pre-retirement", capacity=2000.0)
    g.add_node("eaf", "Unit", "EAF 1", sources=["gem"], unit_type="EAF", product="crude_steel", status="announced",
               capacity=1500.0)
    g.add_edge("bf", "old", "PART_OF", sources=["gem"])
    g.add_edge("eaf", "old", "PART_OF", sources=["gem"])
    return g


def test_transition_section(acme: CampaignGraph) -> None:
    b = build_briefing(acme, "acme", as_of="2024-06-30", charts=True)
    assert list(b.transition["site_id"]) == ["old", "pit"]
    assert "transition" in b.charts and b.charts["transition"].startswith(b"\x89PNG")
    text = render_markdown(b)
    section = text.split("## Transition exposure", 1)[1].split("## Leverage points", 1)[0]
    assert "| Old Works | XA | pre retirement, conversion announced | 2,000 |  |  | 1,500 |  | unknown |" in section
    assert "| Pit | XB | closing overdue |  |  |  |  | 2020 | 120 |" in section
    assert "Quiet" not in section
    assert "| XB | 1 | 120 | 0 |" in section  # workers by country
    html = render_html(b)
    assert "<h2>Transition exposure</h2>" in html and "Old Works" in html
    assert {s.id for s in b.sources} == {"gem", "coal"}  # the closing year's source is cited


def test_no_exposure_says_so(acme: CampaignGraph) -> None:
    acme.remove_node("eaf")
    acme.remove_node("bf")
    acme.remove_node("pit")
    text = render_markdown(build_briefing(acme, "acme", as_of="2024-06-30", charts=False))
    assert "No site of the group faces closure or conversion in the data loaded." in text
