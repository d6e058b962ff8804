"""Bargaining calendar on a fictional group ("Acme Steel"), answers worked out by hand."""

from __future__ import annotations

import pandas as pd
import pytest

from graphmodel.errors import CampaignGraphError
from graphmodel.graph import CampaignGraph
from queries.calendar import CALENDAR_COLUMNS, bargaining_calendar

AS_OF = "2025-01-01"  # horizon 730 days -> 2027-01-01


def graph() -> CampaignGraph:
    g = CampaignGraph()
    g.add_node("acme", "Company", "Acme Steel")
    g.add_node("sub", "Company", "Acme Sub")
    g.add_node("other", "Company", "Other Metals")
    g.add_edge("acme", "sub", "OWNS", share=75)
    for sid, op, country, wf in [("s1", "acme", "XA", 100), ("s2", "sub", "XB", 200), ("s2b", "sub", "XB", 50),
                                 ("s3", "acme", "XA", None), ("s9", "other", "XC", 999)]:
        g.add_node(sid, "Site", f"Site {sid}", country=country, **({"workforce": wf} if wf else {}))
        g.add_edge(op, sid, "OPERATES")
    cbas = [("c1", "2025-03-31", "s1"), ("c2", "2025-05-15", "sub"), ("c3", "2026-06-01", "s3"),
            ("c4", "2024-01-01", "s1"), ("c5", "2028-01-01", "s1"), ("c6", "2025-04-01", "s9")]
    for cid, end, target in cbas:
        g.add_node(cid, "Agreement", f"CBA {cid}", agreement_type="cba", signed="2021-01-01", expires=end)
        g.add_edge(cid, target, "COVERS")
    return g


def test_expiries_in_horizon_and_clusters():
    cal = bargaining_calendar(graph(), "acme", as_of=AS_OF)
    assert list(cal.columns) == list(CALENDAR_COLUMNS)
    # c4 already expired, c5 beyond the horizon, c6 outside the group
    assert cal["agreement_id"].tolist() == ["c1", "c2", "c3"]
    rows = {r["agreement_id"]: r for r in cal.to_dict("records")}
    assert rows["c1"]["days_to_expiry"] == 89
    assert rows["c2"]["site_ids"] == ["s2", "s2b"] and rows["c2"]["workers"] == 250  # company-level CBA
    assert rows["c1"]["cluster"] == rows["c2"]["cluster"] == 1
    assert rows["c1"]["cluster_workers"] == 350 and rows["c1"]["cluster_size"] == 2
    assert rows["c1"]["window_start"] == "2025-03-31" and rows["c1"]["window_end"] == "2025-05-15"
    assert "2 agreements expire between 2025-03-31 and 2025-05-15 (XA, XB; 350 workers recorded)" in rows["c1"]["explanation"]
    assert pd.isna(rows["c3"]["cluster"]) and pd.isna(rows["c3"]["workers"])
    assert cal.attrs["clusters"] == [{"cluster": 1, "window_start": "2025-03-31", "window_end": "2025-05-15",
                                      "agreements": ["c1", "c2"], "workers": 350}]


def test_narrow_window_and_short_horizon():
    # 45 days between c1 and c2: a 30-day window finds no cluster
    assert bargaining_calendar(graph(), "acme", as_of=AS_OF, window_days=30).attrs["clusters"] == []
    assert bargaining_calendar(graph(), "acme", as_of=AS_OF, horizon_days=100)["agreement_id"].tolist() == ["c1"]
    # a later date: c1 and c2 have expired, only c3 remains
    assert bargaining_calendar(graph(), "acme", as_of="2025-06-01")["agreement_id"].tolist() == ["c3"]


def test_bad_arguments():
    with pytest.raises(CampaignGraphError):
        bargaining_calendar(graph(), "acme", window_days=0)
    with pytest.raises(CampaignGraphError, match="no company"):
        bargaining_calendar(graph(), "nobody")


def test_cli_calendar(tmp_path):
    from click.testing import CliRunner

    from exports.cli.main import cli
    from graphmodel.stores.snapshot import save_snapshot

    save_snapshot(graph(), tmp_path / "snap")
    res = CliRunner().invoke(cli, ["calendar", str(tmp_path / "snap"), "Acme Steel", "--as-of", AS_OF])
    assert res.exit_code == 0, res.output
    assert "CBA c1" in res.output and "3 agreement(s) expire within 730 days; 1 window(s) of 90 days" in res.output
    out = tmp_path / "cal.xlsx"
    res = CliRunner().invoke(cli, ["calendar", str(tmp_path / "snap"), "Acme Steel", "--as-of", AS_OF,
                                   "--format", "xlsx", "-o", str(out)])
    assert res.exit_code == 0 and out.exists()


def test_tacitly_renewed_agreement_past_its_end_is_listed_to_check():
    g = graph()
    g.add_node("c7", "Agreement", "CBA c7", agreement_type="cba", signed="2020-01-01", expires="2024-10-31",
               renewal="tacit")
    g.add_edge("c7", "s3", "COVERS")
    cal = bargaining_calendar(g, "acme", as_of=AS_OF)
    assert cal["agreement_id"].tolist() == ["c7", "c1", "c2", "c3"]
    first = cal.iloc[0]
    assert first["status"] == "possibly_in_force" and first["days_to_expiry"] == -62 and pd.isna(first["cluster"])
    assert "possibly in force" in first["explanation"]
    assert cal.attrs["clusters"][0]["agreements"] == ["c1", "c2"]
