"""Which sites count, by their status: coverage, summaries, calendar, leverage, map, geo, brief, CLI.

The fixture is fictional ("Acme Steel"), worked out by hand: acme operates one site per status
of the schema's vocabulary (``s_<status>``) and one site with no status (``s_none``).

    status                    workforce   country   counted by default
    operating                 100         XA        yes (closure year 2020: past by 2024, a note)
    operating-pre-retirement  200         XA        yes (closure year 2024: not past within 2024)
    idle                      30          XA        yes (closure year 2019, but not listed operating)
    mothballed                40          XA        yes
    construction              50          XA        yes
    unknown                   60          XA        yes
    (none recorded)           -           XB        yes, shown as "unknown"
    closed, planned, retired, cancelled, proposed, shelved, announced: 1000 each, XA, no

Default: 7 sites; XA 6 sites with 100+200+30+40+50+60 = 480 workers; XB 1 site, workers unknown.
All: 14 sites; XA 13 sites with 480 + 7 x 1000 = 7480 workers.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pandas as pd
import pytest

from graphmodel.errors import CampaignGraphError
from graphmodel.graph import CampaignGraph
from graphmodel.records import Source
from graphmodel.schema import DEFAULT_SITE_STATUSES, EXISTING_STATUSES, SITE_STATUS, site_statuses
from queries.coverage import coverage, coverage_summary
from tests.shared_data import GEM_PLANTS, SHARED_DATA

AS_OF = "2024-06-30"
WORKFORCE = {"operating": 100, "operating-pre-retirement": 200, "idle": 30, "mothballed": 40, "construction": 50,
             "unknown": 60}
EXCLUDED = ("closed", "planned", "retired", "cancelled", "proposed", "shelved", "announced")
DEFAULT_IDS = {f"s_{s}" for s in WORKFORCE} | {"s_none"}
ALL_IDS = {f"s_{s}" for s in SITE_STATUS} | {"s_none"}


def fixture() -> CampaignGraph:
    g = CampaignGraph()
    g.add_source(Source("s1", title="Fictional site survey"))
    g.add_source(Source("s2", title="Fictional closure register"))
    g.add_node("acme", "Company", "Acme Steel SA", sources=["s1"])
    closure = {"operating": 2020, "operating-pre-retirement": 2024, "idle": 2019}
    for st in SITE_STATUS:
        props: dict = {"country": "XA", "commodity": "steel", "status": st, "workforce": WORKFORCE.get(st, 1000)}
        if st in closure:
            props["closure_year"] = closure[st]
        sources = ["s1"]
        if st == "operating":  # the closure year comes from the second source only
            sources = ["s1", "s2"]
            props["value_sources"] = ["closure_year=s2"]
        g.add_node(f"s_{st}", "Site", f"Site {st}", sources=sources, **props)
        g.add_edge("acme", f"s_{st}", "OPERATES", sources=["s1"])
    g.add_node("s_none", "Site", "Site with no status", sources=["s1"], country="XB", commodity="steel")
    g.add_edge("acme", "s_none", "OPERATES", sources=["s1"])
    return g


# ------------------------------------------------------------------------------ the vocabulary
def test_vocabulary_and_default_set():
    assert set(EXISTING_STATUSES) == {"operating", "operating-pre-retirement", "idle", "mothballed", "construction"}
    assert set(DEFAULT_SITE_STATUSES) == set(EXISTING_STATUSES) | {"unknown"}
    assert set(SITE_STATUS) - set(DEFAULT_SITE_STATUSES) == set(EXCLUDED)
    assert site_statuses("all") == frozenset(SITE_STATUS)
    assert site_statuses(" Operating ,announced") == {"operating", "announced"}
    assert site_statuses(["idle"]) == {"idle"}
    for bad in ("operating,demolished", "", " , "):
        with pytest.raises(CampaignGraphError, match="unknown site status"):
            site_statuses(bad)


# ------------------------------------------------------------------------------ coverage
@pytest.mark.parametrize("company", ["acme", None], ids=["group", "all-sites"])
def test_coverage_default_counts_existing_and_unknown(company):
    df = coverage(fixture(), company, as_of=AS_OF)
    assert set(df["site_id"]) == DEFAULT_IDS
    st = dict(zip(df["site_id"], df["status"]))
    assert st["s_none"] == "unknown" and st["s_unknown"] == "unknown" and st["s_idle"] == "idle"
    assert df.attrs["status_excluded"] == {s: 1 for s in sorted(EXCLUDED)}
    assert df.attrs["status"] == sorted(DEFAULT_SITE_STATUSES)
    assert list(df.columns).index("status_note") == list(df.columns).index("status") + 1


@pytest.mark.parametrize("company", ["acme", None], ids=["group", "all-sites"])
def test_coverage_status_all_and_list(company):
    g = fixture()
    assert set(coverage(g, company, as_of=AS_OF, status="all")["site_id"]) == ALL_IDS
    df = coverage(g, company, as_of=AS_OF, status="operating,announced")
    assert set(df["site_id"]) == {"s_operating", "s_announced"}
    assert len(df.attrs["status_excluded"]) == 11  # the 13 statuses but the 2 asked for (unknown: s_unknown, s_none)
    assert df.attrs["status_excluded"]["unknown"] == 2
    assert set(coverage(g, company, as_of=AS_OF, status=["unknown"])["site_id"]) == {"s_unknown", "s_none"}
    with pytest.raises(CampaignGraphError, match="demolished"):
        coverage(g, company, as_of=AS_OF, status="demolished")


@pytest.mark.parametrize("company", ["acme", None], ids=["group", "all-sites"])
def test_status_note_for_an_operating_site_past_its_closure_year(company):
    df = coverage(fixture(), company, as_of=AS_OF)
    notes = {s: n for s, n in zip(df["site_id"], df["status_note"]) if pd.notna(n)}
    # only the operating site: pre-retirement closes in 2024 (not past on 2024-06-30), idle is not listed operating;
    # the closure year was set by the second source only, which the note cites
    assert notes == {"s_operating": "listed operating but its closure year 2020 has passed "
                                    "(source Fictional closure register)"}
    # as of 2019 the closure year 2020 has not passed
    assert coverage(fixture(), company, as_of="2019-12-31")["status_note"].isna().all()
    # as of 2025 the pre-retirement site's 2024 has passed too
    late = coverage(fixture(), company, as_of="2025-01-01")
    assert set(late.loc[late["status_note"].notna(), "site_id"]) == {"s_operating", "s_operating-pre-retirement"}


def test_summary_counts_counted_sites_only_and_unknown_workers_stay_unknown():
    g = fixture()
    s = coverage_summary(coverage(g, "acme", as_of=AS_OF), by="country").set_index("country")
    assert s.loc["XA", "sites"] == 6 and s.loc["XA", "workers"] == 480
    assert s.loc["XA", "sites_no_workforce"] == 0
    assert s.loc["XB", "sites"] == 1 and s.loc["XB", "sites_no_workforce"] == 1
    assert pd.isna(s.loc["XB", "workers"]) and pd.isna(s.loc["XB", "workers_unknown"])  # unknown, not 0
    assert s.loc["XB", "workers_covered"] == 0  # no site of XB is covered: 0 workers there is a fact
    s = coverage_summary(coverage(g, "acme", as_of=AS_OF, status="all"), by="country").set_index("country")
    assert s.loc["XA", "sites"] == 13 and s.loc["XA", "workers"] == 7480


# ------------------------------------------------------------------------------ calendar and leverage
def _with_agreements(g: CampaignGraph) -> CampaignGraph:
    """A CBA expiring 2024-09-30 covers only the cancelled site; a recognised union and a CBA in force
    make the cancelled site 'strong' for leverage."""
    g.add_node("u1", "Union", "Fictional Local 1", sources=["s1"])
    g.add_edge("u1", "s_cancelled", "REPRESENTS", recognised=True, sources=["s1"])
    g.add_node("cba", "Agreement", "Cancelled site CBA", agreement_type="cba", signed="2022-01-01",
               expires="2024-09-30", sources=["s1"])
    g.add_edge("cba", "s_cancelled", "COVERS", sources=["s1"])
    return g


def test_calendar_counts_sites_by_status():
    from queries.calendar import bargaining_calendar

    g = _with_agreements(fixture())
    assert len(bargaining_calendar(g, "acme", as_of=AS_OF)) == 0
    cal = bargaining_calendar(g, "acme", as_of=AS_OF, status="all")
    assert list(cal["agreement_id"]) == ["cba"]
    assert len(bargaining_calendar(g, "acme", as_of=AS_OF, status="cancelled")) == 1


def test_leverage_counts_sites_by_status():
    from queries.leverage import leverage

    g = _with_agreements(fixture())
    default = leverage(g, "acme", as_of=AS_OF)
    assert "s_cancelled" not in set(default["node_id"])
    every = leverage(g, "acme", as_of=AS_OF, status="all")
    strong = every[(every["category"] == "internal_solidarity") & (every["node_id"] == "s_cancelled")]
    assert len(strong) == 1
    with pytest.raises(CampaignGraphError, match="unknown site status"):
        leverage(g, "acme", as_of=AS_OF, status="gone")


# ------------------------------------------------------------------------------ map, geo, brief
def test_map_view_leaves_out_sites_by_status():
    from exports.netmap import select_view

    g = fixture()
    view = select_view(g, company="acme", as_of=AS_OF)
    assert {n for n in view.nodes if g.kind_of(n) == "Site"} == DEFAULT_IDS
    assert any("left out by status" in n and "cancelled 1" in n for n in view.notes)
    view = select_view(g, company="acme", as_of=AS_OF, status="all")
    assert {n for n in view.nodes if g.kind_of(n) == "Site"} == ALL_IDS
    cov = select_view(g, company="acme", query="coverage", as_of=AS_OF)
    assert {n for n in cov.nodes if g.kind_of(n) == "Site"} == DEFAULT_IDS
    # the focus of a neighbourhood view is shown whatever its status
    around = select_view(g, around="s_cancelled", hops=1, as_of=AS_OF)
    assert "s_cancelled" in around.nodes


def test_geo_points_carry_site_status_and_note():
    from exports.geo import group_points, render_html

    g = fixture()
    _root, pts = group_points(g, "acme", as_of=AS_OF)
    by_id = {p.id: p for p in pts}
    assert set(by_id) == DEFAULT_IDS
    assert by_id["s_none"].site_status == "unknown" and by_id["s_idle"].site_status == "idle"
    assert by_id["s_operating"].status_note.startswith("listed operating but its closure year 2020 has passed")
    _root, pts = group_points(g, "acme", as_of=AS_OF, status="all")
    assert {p.id for p in pts} == ALL_IDS
    html = render_html(pts, "t", as_of=AS_OF, status_text="Site statuses counted: all.")
    assert "<th>status</th>" in html and "Site statuses counted: all." in html


def test_brief_shows_status_and_counts_existing_sites():
    from exports.brief import build_briefing, render_markdown

    b = build_briefing(fixture(), "acme", as_of=AS_OF, charts=False)
    assert set(b.sites["site_id"]) == DEFAULT_IDS
    assert "cancelled 1" in b.status_text and "operating" in b.status_text
    text = render_markdown(b)
    assert "| membership | status |" in text
    assert "listed operating but its closure year 2020 has passed" in text
    b = build_briefing(fixture(), "acme", as_of=AS_OF, charts=False, status="all")
    assert set(b.sites["site_id"]) == ALL_IDS


# ------------------------------------------------------------------------------ CLI
@pytest.fixture
def snap(tmp_path: Path) -> Path:
    from graphmodel.stores.snapshot import save_snapshot

    folder = tmp_path / "snap"
    save_snapshot(_with_agreements(fixture()), folder)
    return folder


def _run(*args: str):
    from click.testing import CliRunner

    from exports.cli.main import cli

    return CliRunner().invoke(cli, list(args))


def test_cli_coverage_status_option(snap):
    res = _run("coverage", str(snap), "--company", "acme", "--as-of", AS_OF, "--format", "json")
    assert res.exit_code == 0, res.output
    assert {r["site_id"] for r in json.loads(res.stdout)} == DEFAULT_IDS
    res = _run("coverage", str(snap), "--company", "acme", "--as-of", AS_OF, "--format", "json", "--status", "all")
    assert {r["site_id"] for r in json.loads(res.stdout)} == ALL_IDS
    res = _run("coverage", str(snap), "--as-of", AS_OF, "--format", "json", "--status", "retired,shelved")
    assert {r["site_id"] for r in json.loads(res.stdout)} == {"s_retired", "s_shelved"}
    res = _run("coverage", str(snap), "--company", "acme", "--as-of", AS_OF)
    assert res.exit_code == 0
    assert "7 site(s)" in res.output and "left out by status: announced 1, cancelled 1" in res.output
    res = _run("coverage", str(snap), "--company", "acme", "--as-of", AS_OF, "--summary", "country", "--format", "json")
    by = {r["country"]: r for r in json.loads(res.stdout)}
    assert by["XA"]["workers"] == 480 and by["XB"]["workers"] is None


@pytest.mark.parametrize("command", ["coverage", "calendar", "leverage", "map", "geo", "brief"])
def test_cli_invalid_status_is_a_one_line_usage_error(snap, tmp_path, command):
    args = {
        "coverage": ["coverage", str(snap), "--company", "acme"],
        "calendar": ["calendar", str(snap), "acme"],
        "leverage": ["leverage", str(snap), "--company", "acme"],
        "map": ["map", str(snap), "--company", "acme", "-o", str(tmp_path / "m.html")],
        "geo": ["geo", str(snap), "--company", "acme", "-o", str(tmp_path / "g.html")],
        "brief": ["brief", str(snap), "--company", "acme", "-o", str(tmp_path / "b.md")],
    }[command]
    res = _run(*args, "--status", "operating,demolished")
    assert res.exit_code == 2
    assert res.output.strip().splitlines() == [res.output.strip()]
    assert "--status" in res.output and "demolished" in res.output and "Traceback" not in res.output
    assert "--status" in _run(*args[:1], "--help").output


def test_cli_calendar_leverage_map_geo_brief_status(snap, tmp_path):
    res = _run("calendar", str(snap), "acme", "--as-of", AS_OF, "--format", "json")
    assert res.exit_code == 0, res.output
    assert json.loads(res.stdout) == []
    res = _run("calendar", str(snap), "acme", "--as-of", AS_OF, "--format", "json", "--status", "all")
    assert [r["agreement_id"] for r in json.loads(res.stdout)] == ["cba"]

    res = _run("leverage", str(snap), "--company", "acme", "--as-of", AS_OF, "--format", "json")
    assert res.exit_code == 0, res.output
    assert "s_cancelled" not in {r["node_id"] for r in json.loads(res.stdout)}
    res = _run("leverage", str(snap), "--company", "acme", "--as-of", AS_OF, "--format", "json", "--status", "all")
    assert "s_cancelled" in {r["node_id"] for r in json.loads(res.stdout)}

    for status, n_sites in ((None, 7), ("all", 14)):
        extra = ["--status", status] if status else []
        out = tmp_path / f"g{n_sites}.html"
        res = _run("geo", str(snap), "--company", "acme", "--as-of", AS_OF, "-o", str(out), *extra)
        assert res.exit_code == 0, res.output
        assert f"of {n_sites} sites drawn" in res.output
        out = tmp_path / f"b{n_sites}.md"
        res = _run("brief", str(snap), "--company", "acme", "--as-of", AS_OF, "-o", str(out), *extra)
        assert res.exit_code == 0, res.output
        assert f"wrote {out}: {n_sites} sites" in res.output
        out = tmp_path / f"m{n_sites}.html"
        res = _run("map", str(snap), "--company", "acme", "--as-of", AS_OF, "-o", str(out), *extra)
        assert res.exit_code == 0, res.output
        page = out.read_text(encoding="utf-8")
        assert ("s_cancelled" in page) == (status == "all")
        assert "s_none" in page


# ------------------------------------------------------------------------------ real data
@pytest.fixture(scope="module")
def steel_snapshot(tmp_path_factory) -> Path:
    if not GEM_PLANTS.is_file():
        pytest.fail(f"real data missing: {GEM_PLANTS}")
    out = tmp_path_factory.mktemp("steel") / "snap"
    res = _run("load", str(GEM_PLANTS), "-o", str(out))
    assert res.exit_code == 0, res.output
    return out


AM_GEM_ID = "E100000000687"  # ArcelorMittal SA in GEM's owner/parent id columns


def test_real_bellary_cancelled_project_left_out_by_default(steel_snapshot):
    # data/gem-iron-steel-plants-2025-03-25.csv row 521 (line 521, header = line 1): P100000120532
    # "ArcelorMittal Bellary steel plant", owner and parent ArcelorMittal SA, plant-status cancelled
    res = _run("coverage", str(steel_snapshot), "--company", "ArcelorMittal SA", "--as-of", "2025-06-30",
               "--format", "json")
    assert res.exit_code == 0, res.output
    assert "P100000120532" not in {r["site_id"] for r in json.loads(res.stdout)}
    res = _run("coverage", str(steel_snapshot), "--company", "ArcelorMittal SA", "--as-of", "2025-06-30",
               "--format", "json", "--status", "all")
    rows = {r["site_id"]: r for r in json.loads(res.stdout)}
    assert rows["P100000120532"]["status"] == "cancelled"
    assert rows["P100000120532"]["site"] == "ArcelorMittal Bellary steel plant"


def test_real_arcelormittal_sites_by_status_match_the_raw_file(steel_snapshot):
    # oracle: the plant rows naming ArcelorMittal SA's GEM id as owner or parent, by plant-status
    raw = pd.read_csv(GEM_PLANTS, dtype=str, keep_default_na=False)
    mine = raw[raw["owner-gem-id"].str.contains(AM_GEM_ID) | raw["parent-gem-id"].str.contains(AM_GEM_ID)]
    expected = Counter(s.strip().replace(" ", "-") for s in mine["plant-status"])
    assert sum(expected.values()) == mine["plant-id"].nunique()  # one row per plant
    res = _run("coverage", str(steel_snapshot), "--company", "ArcelorMittal SA", "--as-of", "2025-06-30",
               "--format", "json", "--status", "all")
    got = Counter(r["status"] for r in json.loads(res.stdout))
    assert got == expected
    assert expected["cancelled"] >= 1 and expected["retired"] >= 1 and expected["announced"] >= 1
    # the default counts the existing ones only
    res = _run("coverage", str(steel_snapshot), "--company", "ArcelorMittal SA", "--as-of", "2025-06-30",
               "--format", "json")
    default = Counter(r["status"] for r in json.loads(res.stdout))
    assert default == Counter({k: v for k, v in expected.items() if k in DEFAULT_SITE_STATUSES})


def test_real_coal_mine_listed_operating_past_its_closing_year():
    # data/gem-coal-mines-2024-05-22.csv (UTF-16), line 107: M0083 Newlands Coal Mine, status operating,
    # parent Glencore PLC [100.0%], closing_year 2023; line 5274: the same mine id again, status retired
    # (loaded as its own site M0083~retired, see data/README.md)
    coal = SHARED_DATA / "gem-coal-mines-2024-05-22.csv"
    if not coal.is_file():
        pytest.fail(f"real data missing: {coal}")
    from loaders.registry import load_paths

    loaded = load_paths([coal])
    g = loaded[0] if isinstance(loaded, tuple) else loaded
    glencore = "gem-glencore-plc"  # "Glencore PLC" in the parent column (a separate "Glencore" also appears)
    rows = coverage(g, glencore, as_of="2025-06-30").set_index("site_id")
    assert rows.loc["M0083", "status"] == "operating"
    note = rows.loc["M0083", "status_note"]
    assert note.startswith("listed operating but its closure year 2023 has passed (source Global Energy Monitor")
    assert "M0083~retired" not in rows.index
    every = coverage(g, glencore, as_of="2025-06-30", status="all").set_index("site_id")
    assert every.loc["M0083~retired", "status"] == "retired"
    # as of 2023-06-30 the closing year 2023 has not passed yet
    assert pd.isna(coverage(g, glencore, as_of="2023-06-30").set_index("site_id").loc["M0083", "status_note"])
