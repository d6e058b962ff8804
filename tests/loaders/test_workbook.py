"""The planner's workbook: template round trip and the deliberately broken workbook.

All companies, sites and unions here are fictional ("Acme Steel", "Site A").
"""

from __future__ import annotations

import io
from pathlib import Path

import openpyxl
import pytest

from graphmodel.errors import CampaignGraphError
from loaders.registry import guess_format, load_paths
from loaders.workbook import SHEETS, header_key, sniff, template_bytes, write_template


def _fill(path: Path, rows: dict[str, list[list[object]]], *, keep_help_row: bool = True) -> Path:
    """Fill a fresh template: ``rows[sheet]`` are lists of cells in the sheet's column order."""
    wb = openpyxl.load_workbook(io.BytesIO(template_bytes()))
    for sheet, data in rows.items():
        ws = wb[sheet]
        if not keep_help_row:
            ws.delete_rows(2)
        start = 3 if keep_help_row else 2
        for i, cells in enumerate(data):
            for j, v in enumerate(cells, start=1):
                ws.cell(row=start + i, column=j, value=v)
    wb.save(path)
    return path


def _row(sheet: str, **by_header: object) -> list[object]:
    spec = next(s for s in SHEETS if s.name == sheet)
    keys = {header_key(c.header): i for i, c in enumerate(spec.columns)}
    out: list[object] = [None] * len(spec.columns)
    for h, v in by_header.items():
        out[keys[header_key(h.replace("_", " "))]] = v
    return out


def broken_workbook(path: Path) -> Path:
    """Good rows mixed with one of each error class, at known rows (help row = row 2)."""
    return _fill(
        path,
        {
            "sources": [_row("sources", source_id="s1", title="Fictional field notes", retrieved="2024-05-01")],
            "companies": [
                _row("companies", company_id="acme", name="Acme Steel AG", **{"Country (ISO code)": "DE", "Sources (ids, ; separated)": "s1"}),  # 3
                _row("companies", company_id="acme-sub", name="Acme Rolling GmbH", **{"Country (ISO code)": "DE"}),  # 4
                _row("companies", company_id="acme-jv", name="Acme JV Ltd", **{"Country (ISO code)": "ZA"}),  # 5
                _row("companies", company_id="acme", name="Acme Steel AG", **{"Country (ISO code)": "FR"}),  # 6 duplicate id, conflicting value
            ],
            "sites": [
                _row("sites", site_id="site-a", name="Site A", operator_id="acme-sub", workforce=1200, **{"Operator share %": 100, "Country (ISO code)": "DE"}),  # 3
            ],
            "unions": [_row("unions", union_id="u1", name="Union of Site A workers", level="local")],  # 3
            "agreements": [
                _row("agreements", agreement_id="gfa-1", name="Acme global agreement", type="gfa", signed="2015-06-01", scope="controlled"),  # 3
                _row("agreements", agreement_id="x-1", name="Mystery paper", type="treaty"),  # 4 unknown type: other, a warning
                _row("agreements", agreement_id="cba-1", name="Site A CBA", type="cba", signed="next spring"),  # 5 unparseable date
            ],
            "ownership": [
                _row("ownership", owner_id="acme", company_id="acme-sub", **{"Share %": 75, "Valid from": "2010"}),  # 3
                _row("ownership", owner_id="acme", company_id="ghost-co", **{"Share %": 10}),  # 4 edge to a missing node
                _row("ownership", owner_id="acme", company_id="acme-jv", **{"Share %": 150}),  # 5 share outside 0-100
            ],
            "representation": [
                _row("representation", union_id="u1", **{"Site or company id": "site-a", "Recognised (yes/no)": "yes"}),  # 3
            ],
        },
    )


EXPECTED_ERRORS = {
    ("companies", 6, "Country (ISO code)", "duplicate id 'acme' with a different value for country"),
    ("agreements", 5, "Signed", "not a date"),
    ("ownership", 4, "Company id", "'ghost-co' is not a node"),
    ("ownership", 5, "Share %", "percentage outside 0-100"),
}


def test_template_has_every_sheet_header_help_row_and_dropdowns(tmp_path: Path) -> None:
    out = write_template(tmp_path / "planner.xlsx")
    wb = openpyxl.load_workbook(out)
    assert wb.sheetnames == [s.name for s in SHEETS]
    ws = wb["ownership"]
    assert [c.value for c in ws[1]] == [c.header for c in SHEETS[7].columns]
    assert ws["A1"].value == "Owner id" and ws["C1"].value == "Share %"
    assert ws["C2"].value.startswith("equity held")
    assert ws.freeze_panes == "B3"
    assert ws["A1"].comment is not None
    lists = {dv.formula1 for dv in ws.data_validations.dataValidation}
    assert '"yes,no,joint,unknown"' in lists
    assert guess_format(out) == "workbook" and sniff(out)
    # the empty template loads as an empty graph with no problems
    g, ctx = load_paths([out])
    assert g.number_of_nodes() == 0 and ctx.errors == [] and ctx.summary()["rows_read"] == 0


def test_good_workbook_loads_with_friendly_columns(tmp_path: Path) -> None:
    p = _fill(
        tmp_path / "good.xlsx",
        {
            "sources": [_row("sources", source_id="s1", title="Fictional notes")],
            "companies": [
                _row("companies", company_id="acme", name="Acme Steel AG", **{"Listed (yes/no)": "yes", "Former names (; separated)": "Acme Iron AG (until 2001-01-01)", "Sources (ids, ; separated)": "s1"}),
                _row("companies", company_id="acme-sub", name="Acme Rolling GmbH"),
            ],
            "sites": [_row("sites", site_id="site-a", name="Site A", operator_id="acme-sub", status="operating", latitude=50.5, longitude=7.25, **{"Operator share %": "60", "Sources (ids, ; separated)": "s1"})],
            "unions": [
                _row("unions", union_id="fed", name="Metalworkers Federation", level="federation"),
                _row("unions", union_id="u1", name="Site A local", level="local", **{"Affiliated to (union id)": "fed"}),
            ],
            "networks": [_row("networks", network_id="net", name="Acme world network", company_id="acme")],
            "agreements": [_row("agreements", agreement_id="gfa", name="Acme GFA", type="gfa", signed="13.09.2005", scope="controlled")],
            "ownership": [_row("ownership", owner_id="acme", company_id="acme-sub", control="yes", **{"Share %": "51,5 %", "Valid from": "2008-06", "Valid to": "2020"})],
            "representation": [_row("representation", union_id="u1", members=300, **{"Site or company id": "site-a", "Recognised (yes/no)": "no"})],
            "signatories": [_row("signatories", signatory_id="acme", agreement_id="gfa", role="employer")],
            "coverage": [_row("coverage", agreement_id="gfa", **{"Site or company id": "site-a", "Excluded (yes/no)": "no"})],
            "network members": [_row("network members", union_id="u1", network_id="net")],
        },
    )
    g, ctx = load_paths([p])
    assert ctx.errors == []
    assert g.counts_by_kind() == {
        "nodes": {"Agreement": 1, "Company": 2, "Site": 1, "Union": 2, "UnionNetwork": 1},
        "edges": {"AFFILIATED_TO": 1, "COVERS": 1, "MEMBER_OF": 1, "OPERATES": 1, "OWNS": 1, "PARTY_TO": 1, "REPRESENTS": 1},
    }
    owns = g.edge("OWNS:acme->acme-sub@2008-06-01")[2]
    assert (owns["share"], owns["control"], owns["valid_to"]) == (51.5, "yes", "2020-12-31")
    op = g.edge("OPERATES:acme-sub->site-a")[2]
    assert op["share"] == 60.0 and op["sources"] == ["s1"]
    site = g.node("site-a")
    assert (site["lat"], site["lon"], site["status"]) == (50.5, 7.25, "operating")
    assert site["origins"] == [f"{p}:sites:3"]
    assert g.node("gfa")["signed"] == "2005-09-13"
    assert g.node("acme")["listed"] is True
    assert g.edge("REPRESENTS:u1->site-a")[2]["recognised"] is False
    assert g.edge("AFFILIATED_TO:u1->fed")
    assert [m.id for m in g.find("Acme Iron AG")] == ["acme"]
    assert g.validate() == []


def test_help_row_removed_and_bare_field_headers_accepted(tmp_path: Path) -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Companies"
    ws.append(["company id", "NAME", "country", "Share%"])  # last one is no company column
    ws.append(["acme", "Acme Steel AG", "DE", "5"])
    wb.save(tmp_path / "w.xlsx")
    g, ctx = load_paths([tmp_path / "w.xlsx"], fmt="workbook")
    assert g.node("acme")["country"] == "DE"
    assert [(e.sheet, e.row, e.column) for e in ctx.errors] == [("Companies", 1, "Share%")]


def test_broken_workbook_reports_every_error_and_keeps_every_good_row(tmp_path: Path) -> None:
    p = broken_workbook(tmp_path / "broken.xlsx")
    g, ctx = load_paths([p])
    got = {(e.sheet, e.row, e.column, e.message) for e in ctx.errors}
    assert all(e.file == str(p) for e in ctx.errors)
    assert len(got) == len(EXPECTED_ERRORS)
    for sheet, row, column, text in EXPECTED_ERRORS:
        assert any(s == sheet and r == row and c == column and text in m for s, r, c, m in got), (sheet, row, column)
    # every good row is in the graph
    assert set(g.node_ids("Company")) == {"acme", "acme-sub", "acme-jv"}
    assert g.node("acme")["country"] == "DE"  # the first row wins; the conflicting duplicate is refused
    assert set(g.node_ids("Site")) == {"site-a"} and set(g.node_ids("Union")) == {"u1"}
    assert set(g.node_ids("Agreement")) == {"gfa-1", "x-1"}
    x = g.node("x-1")
    assert (x["agreement_type"], x["agreement_type_raw"]) == ("other", "treaty")
    assert ctx.warnings == [(f"{p}:agreements:4: column 'Type': not one of cba, gfa, hs, efa, other (nor a synonym): "
                            "kept as other, the text in agreement_type_raw")]
    assert {k for k, *_ in g.edges()} == {
        "OWNS:acme->acme-sub@2010-01-01", "OPERATES:acme-sub->site-a", "REPRESENTS:u1->site-a",
    }
    # loaded + rejected = rows in input (1 source + 4 companies + 1 site + 1 union + 3 agreements + 3 ownership + 1 representation)
    summary = ctx.summary()
    assert summary["rows_read"] == 14
    assert summary["rows_rejected"] == 4
    loaded = len(g.sources) + g.number_of_nodes() + (g.number_of_edges() - 1)  # the OPERATES edge rides on the site row
    assert loaded + summary["rows_rejected"] == summary["rows_read"]


def test_broken_workbook_is_fatal_with_strict(tmp_path: Path) -> None:
    p = broken_workbook(tmp_path / "broken.xlsx")
    with pytest.raises(CampaignGraphError) as e:
        load_paths([p], strict=True)
    assert e.value.file == str(p) and e.value.row is not None and e.value.column is not None


def test_missing_required_column_and_empty_id(tmp_path: Path) -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "ownership"
    ws.append(["Owner id", "Share %"])
    ws.append(["acme", 10])
    ws2 = wb.create_sheet("companies")
    ws2.append(["Company id", "Name"])
    ws2.append([None, "Nameless Co"])
    ws2.append(["ok", "Ok Co"])
    ws3 = wb.create_sheet("Notes from the meeting")
    ws3.append(["anything"])
    wb.save(tmp_path / "w.xlsx")
    g, ctx = load_paths([tmp_path / "w.xlsx"])
    got = sorted((e.sheet, e.row, e.column, e.message) for e in ctx.errors)
    assert got[0][:3] == ("Notes from the meeting", None, None) and "unknown sheet" in got[0][3]
    assert got[1] == ("companies", 2, "Company id", "Company id is empty")
    assert got[2] == ("ownership", 1, "Company id", "missing required column 'Company id'")
    assert g.node_ids() == ["ok"]


def test_same_workbook_twice_gives_the_same_graph(tmp_path: Path) -> None:
    p = broken_workbook(tmp_path / "broken.xlsx")
    a, _ = load_paths([p])
    b, _ = load_paths([p])
    assert a == b and a.content_hash() == b.content_hash()


def test_not_a_workbook_is_refused_clearly(tmp_path: Path) -> None:
    bad = tmp_path / "fake.xlsx"
    bad.write_bytes(b"this is not a zip")
    with pytest.raises(CampaignGraphError, match="not a zip"):
        load_paths([bad], fmt="workbook")
    with pytest.raises(CampaignGraphError, match="not a zip"):
        load_paths([bad])  # format guessing says so too


def test_docs_workbook_table_is_the_generated_one() -> None:
    from loaders.workbook import WORKBOOK_DOC_END, WORKBOOK_DOC_START, workbook_markdown

    text = (Path(__file__).resolve().parents[2] / "docs" / "formats.md").read_text(encoding="utf-8")
    section = text.split(WORKBOOK_DOC_START, 1)[1].split(WORKBOOK_DOC_END, 1)[0]
    assert section.strip("\n") + "\n" == workbook_markdown(), "docs/formats.md's workbook table is out of date"


def test_zip_bomb_is_refused_before_openpyxl_opens_it(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """docs/threats.md #7: a small .xlsx that unpacks to far more is refused without parsing it."""
    import zipfile

    bomb = tmp_path / "bomb.xlsx"
    with zipfile.ZipFile(bomb, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        with z.open("xl/worksheets/sheet1.xml", "w") as f:
            chunk = b"\x00" * (1 << 20)
            for _ in range(24):  # 24 MB of zeros, about 24 kB packed
                f.write(chunk)
    assert bomb.stat().st_size < 100_000

    def must_not_open(*a: object, **k: object) -> None:
        raise AssertionError("openpyxl opened the bomb")

    monkeypatch.setattr(openpyxl, "load_workbook", must_not_open)
    with pytest.raises(CampaignGraphError, match="like a zip bomb"):
        load_paths([bomb], fmt="workbook")
    with pytest.raises(CampaignGraphError, match="like a zip bomb"):
        load_paths([bomb])  # sniffing the format does not open it either


def test_a_rejected_site_row_loads_no_operator_link(tmp_path: Path) -> None:
    p = _fill(
        tmp_path / "w.xlsx",
        {
            "companies": [_row("companies", company_id="acme", name="Acme"), _row("companies", company_id="other", name="Other")],
            "sites": [
                _row("sites", site_id="site-a", name="Site A", operator_id="acme", workforce=10),  # 3
                _row("sites", site_id="site-a", name="Site A", operator_id="other", workforce=99),  # 4 conflicting duplicate
                _row("sites", site_id="site-b", name="Site B", operator_id="acme", workforce="lots"),  # 5 bad workforce
            ],
        },
    )
    g, ctx = load_paths([p])
    assert [(e.row, e.column) for e in ctx.errors] == [(4, "Workforce"), (5, "Workforce")]
    assert [k for k, *_ in g.edges()] == ["OPERATES:acme->site-a"]  # nothing from rows 4 and 5
    assert ctx.summary()["rows_rejected"] == 2


def test_operator_share_without_operator_is_reported(tmp_path: Path) -> None:
    p = _fill(tmp_path / "w.xlsx", {"sites": [_row("sites", site_id="s", name="Site A", **{"Operator share %": 50})]})
    g, ctx = load_paths([p])
    assert [(e.sheet, e.row, e.column) for e in ctx.errors] == [("sites", 3, "Operator share %")]
    assert g.node_ids() == ["s"] and g.number_of_edges() == 0


def test_every_friendly_column_maps_to_the_schema() -> None:
    from graphmodel import schema
    from graphmodel.records import SOURCE_FIELDS

    for s in SHEETS:
        fields = [c.field for c in s.columns]
        assert len(set(fields)) == len(fields), s.name
        assert len({header_key(c.header) for c in s.columns}) == len(fields), s.name
        for f in fields:
            if s.element == "source":
                assert f in SOURCE_FIELDS
            elif ":" in f:
                kind, _, part = f.partition(":")
                assert part in ("source", "target") or part in schema.edge_props(kind), f
            elif s.element == "node":
                assert f in ("id", "name", "sources") or f in schema.node_props(s.kind), f
            else:
                assert f in ("source", "target", "sources") or f in schema.edge_props(s.kind), f
        assert any(c.required for c in s.columns)


def test_events_and_campaigns_repeat_rows_for_several_parties(tmp_path: Path) -> None:
    p = _fill(
        tmp_path / "w.xlsx",
        {
            "companies": [_row("companies", company_id="acme", name="Acme")],
            "sites": [_row("sites", site_id="site-a", name="Site A", operator_id="acme")],
            "events": [
                _row("events", event_id="e1", name="Strike at Site A", date="2023-03-01", event_type="strike", involves_id="site-a"),
                _row("events", event_id="e1", name="Strike at Site A", date="2023-03-01", event_type="strike", involves_id="acme"),
            ],
            "campaigns": [_row("campaigns", campaign_id="c1", name="Organise Site A", target_id="site-a", **{"Goal (confidential)": "recognition"})],
        },
    )
    g, ctx = load_paths([p])
    assert ctx.errors == []
    assert sorted(k for k, *_ in g.edges(["INVOLVES", "TARGETS"])) == [
        "INVOLVES:e1->acme", "INVOLVES:e1->site-a", "TARGETS:c1->site-a",
    ]
    assert g.node("e1")["origins"] == [f"{p}:events:3", f"{p}:events:4"]
    assert g.node("c1")["goal"] == "recognition"


def test_planner_sheet_with_a_stray_cell_at_xfd1048576_loads_its_rows(tmp_path: Path) -> None:
    """Issue 17 case 12 for the planner's workbook: the declared dimension is not trusted."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "companies"
    ws.append(["Company id", "Name", "Country (ISO code)"])
    ws.append(["acme", "Acme Steel", "DE"])
    ws["XFD1048576"] = "stray"
    p = tmp_path / "plan.xlsx"
    wb.save(p)
    g, ctx = load_paths([p])
    assert [(n, a["name"], a["country"]) for n, a in g.nodes("Company")] == [("acme", "Acme Steel", "DE")]
    assert ctx.errors == []


def test_prefilled_rows_are_text_and_read_back_as_written(tmp_path: Path) -> None:
    """A pre-filled cell is text whatever it starts with: a name "=1+1" stays that name (no formula), an id
    "007" keeps its zeros; the operator's name rides as a comment; empty values write nothing."""
    p = write_template(tmp_path / "plan.xlsx", {"sites": [
        {"id": "007", "name": "=1+1", "country": "DE", "OPERATES:source": "op-1", "note:OPERATES:source": "operator: Op"},
        {"id": "s-2", "name": "Works 2", "country": None},
    ], "companies": [{"id": "op-1", "name": "Op"}]})
    ws = openpyxl.load_workbook(p)["sites"]
    head = [c.value for c in ws[1]]
    row3 = dict(zip(head, [c.value for c in ws[3]]))
    assert (row3["Site id"], row3["Name"], row3["Operator id"], row3["Country (ISO code)"]) == ("007", "=1+1", "op-1", "DE")
    assert all(c.data_type == "s" for c in ws[3] if c.value is not None)
    assert ws.cell(3, head.index("Operator id") + 1).comment.text == "operator: Op"
    assert ws.cell(4, head.index("Country (ISO code)") + 1).value is None
    g, ctx = load_paths([p])
    assert ctx.errors == []
    assert (g.node("007")["name"], g.node("007")["country"]) == ("=1+1", "DE")
    assert [e[0] for e in g.in_edges("007", "OPERATES")] == ["OPERATES:op-1->007"]
    assert "country" not in g.node("s-2")
