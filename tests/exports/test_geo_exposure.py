"""``geo --colour exposure`` (issue 20): sites coloured by their most pressing transition exposure.

Hand-made group, as of 2024-06-30: "Works" (BF pre-retirement, EAF announced: conversion), "Pit" (coal,
operating, closing year 2020: past it), "Mill" (operating, nothing on record). All with coordinates.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from exports.cli.main import cli
from exports.geo import EXPOSURE_PALETTE, write_geo
from graphmodel.graph import CampaignGraph
from graphmodel.records import Source
from graphmodel.stores.snapshot import save_snapshot


@pytest.fixture()
def acme() -> CampaignGraph:
    g = CampaignGraph()
    g.add_source(Source("src", "fixture"))
    g.add_node("acme", "Company", "Acme", sources=["src"])
    for sid, lat, extra in (("works", 51.0, {}), ("pit", -32.0, {"closure_year": 2020, "workforce": 200}),
                            ("mill", 45.0, {})):
        g.add_node(sid, "Site", sid.title(), sources=["src"], status="operating", lat=lat, lon=5.0, **extra)
        g.add_edge("acme", sid, "OPERATES", sources=["src"])
    g.add_node("bf", "Unit", "BF", sources=["src"], unit_type="BF", product="iron", status="operating-pre-retirement",
               capacity=1000.0)
    g.add_node("eaf", "Unit", "EAF", sources=["src"], unit_type="EAF", product="crude_steel", status="announced")
    g.add_edge("bf", "works", "PART_OF", sources=["src"])
    g.add_edge("eaf", "works", "PART_OF", sources=["src"])
    return g


def test_html_colours_by_exposure(acme: CampaignGraph, tmp_path: Path) -> None:
    out = tmp_path / "geo.html"
    points = write_geo(acme, "acme", out, as_of="2024-06-30", colour="exposure")
    assert {p.id: p.status for p in points} == {"works": "conversion_announced", "pit": "closing_overdue",
                                                "mill": "none"}
    html = out.read_text(encoding="utf-8")
    fills = dict(re.findall(r'data-site="(\w+)"[^>]*fill="(#[0-9a-f]{6})"', html))
    assert fills == {"works": "#7b3294", "pit": "#b2182b", "mill": "#9e9e9e"}
    assert "conversion announced: 1" in html and "past its closing year: 1" in html
    assert "no change on record: 1" in html
    # the legend names only the colours drawn; the page's data still counts every exposure
    assert "pre-retirement units" not in html and "closing within the horizon" not in html
    assert '"closing":0,"pre_retirement":0' in html
    assert set(EXPOSURE_PALETTE) >= {"conversion_announced", "closing", "closing_overdue", "pre_retirement"}


def test_cli_option_and_default(acme: CampaignGraph, tmp_path: Path) -> None:
    snap = tmp_path / "s.snapshot"
    save_snapshot(acme, snap)
    runner = CliRunner()
    res = runner.invoke(cli, ["geo", str(snap), "--company", "Acme", "--as-of", "2024-06-30", "--colour", "exposure",
                              "-o", str(tmp_path / "g.png")])
    assert res.exit_code == 0, res.output
    assert (tmp_path / "g.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    res = runner.invoke(cli, ["geo", str(snap), "--company", "Acme", "--as-of", "2024-06-30", "-o",
                              str(tmp_path / "c.html")])
    assert res.exit_code == 0, res.output
    assert "no change on record" not in (tmp_path / "c.html").read_text(encoding="utf-8")  # coverage by default
    res = runner.invoke(cli, ["geo", str(snap), "--company", "Acme", "--colour", "rainbow", "-o",
                              str(tmp_path / "x.html")])
    assert res.exit_code == 2


# ------------------------------------------------------------------ the network map, coloured the same way
def test_map_colours_sites_by_exposure(acme: CampaignGraph, tmp_path: Path) -> None:
    from exports.netmap import map_data, select_view

    view = select_view(acme, company="acme", as_of="2024-06-30", colour="exposure")
    assert view.colour == "exposure"
    assert view.site_status == {"works": "conversion_announced", "pit": "closing_overdue", "mill": "none"}
    assert view.site_reasons == {"works": "pre retirement, conversion announced", "pit": "closing overdue"}
    data = map_data(acme, view)
    assert data["statusWhat"] == "exposure"
    colour_of = {r[0]: data["statusColours"][data["statuses"][r[3]]] for r in data["nodes"]["rows"] if r[3] >= 0}
    assert colour_of == {"works": "#7b3294", "pit": "#b2182b", "mill": "#9e9e9e"}  # the geo view's colours


def test_map_cli_colour_option(acme: CampaignGraph, tmp_path: Path) -> None:
    snap = tmp_path / "s.snapshot"
    save_snapshot(acme, snap)
    runner = CliRunner()
    out = tmp_path / "m.html"
    res = runner.invoke(cli, ["map", str(snap), "--company", "Acme", "--as-of", "2024-06-30", "--colour", "exposure",
                              "-o", str(out)])
    assert res.exit_code == 0, res.output
    html = out.read_text(encoding="utf-8")
    assert "Site: conversion announced (1)" in html and "Site: past its closing year (1)" in html
    res = runner.invoke(cli, ["map", str(snap), "--around", "acme", "--colour", "exposure", "-o", str(out)])
    assert res.exit_code == 1 and "needs --company" in res.output
