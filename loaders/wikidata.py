"""Wikidata SPARQL JSON results: corporate groups with parent, subsidiary, owner and operator links.

The input is the standard SPARQL 1.1 JSON results format (``head.vars``,
``results.bindings``) of the query shipped in ``loaders/queries/wikidata_groups.sparql``
(one row per statement; see the query's comment). :func:`fetch` runs that query against the
public endpoint, and only when the caller passes ``online=True`` (the CLI's ``--online``):
no network access otherwise. Saved result files load offline like any other file.

Mapping (``?prop`` of each row; ``?item`` holds the statement, ``?value`` is the other end):

- ``P749`` parent organization: ``value`` OWNS ``item``;
- ``P355`` subsidiary: ``item`` OWNS ``value``;
- ``P127`` owned by: ``value`` OWNS ``item`` (OPERATES when ``item`` is a site, below);
- ``P137`` operator: ``value`` OPERATES ``item``; an item with an operator is a Site.

Qualifiers: ``P1107`` proportion (0-1) -> ``share`` in percent; ``P580``/``P582`` start and end
time -> ``valid_from``/``valid_to``. No ``control`` is set: Wikidata's parent organization is
often but not always control, so the share (when given) and the group rules decide, and an
unknown share leaves the subsidiary a *possible* member, as docs/semantics.md#ownership-semantics asks.
Nodes: id ``wd-<QID>``, ``wikidata`` = the QID, ``name`` = the English label, ``country``
from P17/P297, ``lei`` from P1278; a value that is a human (P31 Q5) is a Person (sensitive).
The same link stated both ways (P749 on the child, P355 on the parent) is one edge.

Licence: Wikidata content is CC0.
"""

from __future__ import annotations

import re
import urllib.parse
import urllib.request
from importlib import resources
from pathlib import Path
from typing import Any

from graphmodel.errors import CampaignGraphError
from graphmodel.records import EdgeRecord, NodeRecord, Source
from graphmodel.values import parse_date
from loaders.bods import read_json
from loaders.context import LoadContext, Location

ENDPOINT = "https://query.wikidata.org/sparql"
LICENCE = "CC0 1.0 (Wikidata)"
USER_AGENT = "campaign-graph/0.1 (trade-union research tool; https://github.com/)"
MAX_RESPONSE_BYTES = 256 * 1024 * 1024
_QID = re.compile(r"^Q[1-9][0-9]*$")
_ENTITY = re.compile(r"^https?://www\.wikidata\.org/entity/(Q[1-9][0-9]*)$")
PROPS = ("P749", "P355", "P127", "P137")
NEEDED_VARS = ("item", "prop", "value")


def query_text(root_qid: str) -> str:
    """The shipped SPARQL query for the group around ``root_qid``.

    >>> "wd:Q42 " in query_text("Q42")
    True
    """
    qid = root_qid.strip().upper()
    if not _QID.match(qid):
        raise CampaignGraphError(f"not a Wikidata item id (QID like Q12345): {root_qid[:30]!r}")
    text = resources.files("loaders").joinpath("queries/wikidata_groups.sparql").read_text(encoding="utf-8")
    return text.replace("wd:ROOT_QID", f"wd:{qid}")


def fetch(root_qid: str, *, online: bool = False, endpoint: str = ENDPOINT, timeout: float = 120.0) -> bytes:
    """Run the group query for ``root_qid`` on the public endpoint and return the JSON bytes.

    Refuses (no network call at all) unless ``online`` is true: the user asks for network
    access explicitly.

    >>> fetch("Q42")
    Traceback (most recent call last):
    ...
    graphmodel.errors.CampaignGraphError: not fetched: network access needs --online (the query would go to https://query.wikidata.org/sparql)
    """
    query = query_text(root_qid)
    if not online:
        raise CampaignGraphError(f"not fetched: network access needs --online (the query would go to {endpoint})")
    data = urllib.parse.urlencode({"query": query, "format": "json"}).encode("ascii")
    req = urllib.request.Request(
        endpoint,
        data=data,
        headers={"User-Agent": USER_AGENT, "Accept": "application/sparql-results+json"},
        method="POST",
    )
    try:
        with urllib.request.urlopen(req, timeout=timeout) as resp:  # a fixed https endpoint, never a user URL
            body = resp.read(MAX_RESPONSE_BYTES + 1)
    except OSError as e:  # URLError, HTTPError, timeouts
        raise CampaignGraphError(f"Wikidata query failed: {getattr(e, 'reason', e)}") from None
    if len(body) > MAX_RESPONSE_BYTES:
        raise CampaignGraphError("Wikidata answer larger than 256 MB: narrow the query")
    return body


def sniff(path: Path) -> bool:
    """A SPARQL JSON results file with the ``item``, ``prop`` and ``value`` variables."""
    if path.is_dir() or path.suffix.lower() not in (".json", ".srj"):
        return False
    try:
        with open(path, "rb") as fh:
            head = fh.read(4096).decode("utf-8", errors="replace")
    except OSError:
        return False
    m = re.search(r'"head"\s*:\s*\{\s*"vars"\s*:\s*\[([^\]]*)\]', head)
    if not m:
        return False
    names = set(re.findall(r'"(\w+)"', m.group(1)))
    return all(v in names for v in NEEDED_VARS)


def _cell(binding: dict[str, Any], var: str) -> str | None:
    cell = binding.get(var)
    if not isinstance(cell, dict):
        return None
    v = cell.get("value")
    return str(v).strip() if v is not None and str(v).strip() else None


def _qid(uri: str | None) -> str | None:
    if uri is None:
        return None
    m = _ENTITY.match(uri)
    return m.group(1) if m else None


def node_id(qid: str) -> str:
    """The node id of a Wikidata item.

    >>> node_id("Q42")
    'wd-Q42'
    """
    return f"wd-{qid}"


def load(path: Path, ctx: LoadContext) -> None:
    """Load saved Wikidata SPARQL JSON results (of the shipped query) into ``ctx``.

    Examples
    --------
    >>> ctx = LoadContext()
    >>> load(Path("tests/loaders/fixtures/wikidata/acme-group.json"), ctx)  # doctest: +SKIP
    """
    path = Path(path)
    display = str(path)
    doc = read_json(path, display)
    if not isinstance(doc, dict) or not isinstance(doc.get("head"), dict) or not isinstance(doc.get("results"), dict):
        raise CampaignGraphError("not SPARQL JSON results (expected head.vars and results.bindings)", file=display)
    variables = doc["head"].get("vars") or []
    missing = [v for v in NEEDED_VARS if v not in variables]
    if missing:
        raise CampaignGraphError(
            f"SPARQL results lack the variable(s) {', '.join(missing)}: run the shipped wikidata_groups.sparql",
            file=display,
            column="/head/vars",
        )
    bindings = doc["results"].get("bindings")
    if not isinstance(bindings, list):
        raise CampaignGraphError("results.bindings must be a list", file=display, column="/results/bindings")
    ctx.rows_read[display] += len(bindings)
    source = ctx.add_source(
        Source(
            id=LoadContext.make_id("wikidata", path.stem),
            title=f"Wikidata query results: {path.name}",
            publisher="Wikidata (Wikimedia Foundation)",
            url=ENDPOINT,
            file=display,
            licence=LICENCE,
        )
    )
    sid = source.id
    used = {"item", "itemLabel", "itemCountry", "itemLei", "prop", "value", "valueLabel", "valueCountry", "valueLei",
            "valueIsHuman", "share", "start", "end"}
    ctx.report_unused(display, [v for v in variables if v not in used])

    nodes: dict[str, dict[str, Any]] = {}  # qid -> {"kind", "name", "props", "row"}
    edges: dict[tuple[str, str, str, str | None], tuple[dict[str, Any], int]] = {}

    def node(qid: str, label: str | None, country: str | None, lei: str | None, kind: str, row: int) -> None:
        n = nodes.setdefault(qid, {"kind": kind, "name": None, "props": {}, "row": row})
        if kind == "Site" or (kind == "Person" and n["kind"] == "Company"):
            n["kind"] = kind
        if label and not n["name"] and label != qid:
            n["name"] = label
        if country and re.fullmatch(r"[A-Za-z]{2}", country):
            n["props"].setdefault("country", country.upper())
        if lei:
            n["props"].setdefault("lei", lei.upper())

    for i, b in enumerate(bindings):
        p = f"/results/bindings/{i}"
        if not isinstance(b, dict):
            ctx.error("a binding must be an object", file=display, row=i, column=p)
            continue
        item, value, prop = _qid(_cell(b, "item")), _qid(_cell(b, "value")), _cell(b, "prop")
        bad = next((v for v, x in (("item", item), ("value", value)) if x is None), None)
        if bad:
            ctx.error(f"{bad} is not a Wikidata item URI", file=display, row=i, column=f"{p}/{bad}")
            continue
        prop = (prop or "").rsplit("/", 1)[-1]
        if prop not in PROPS:
            ctx.error(f"prop must be one of {', '.join(PROPS)}", file=display, row=i, column=f"{p}/prop")
            continue
        assert item is not None and value is not None
        eprops: dict[str, Any] = {}
        share = _cell(b, "share")
        if share is not None:
            try:
                fraction = float(share)
            except ValueError:
                fraction = -1.0
            if not 0 <= fraction <= 1:
                ctx.error("proportion (P1107) must be between 0 and 1", file=display, row=i, column=f"{p}/share")
                continue
            eprops["share"] = round(fraction * 100, 6)
        try:
            for var, key, end in (("start", "valid_from", False), ("end", "valid_to", True)):
                v = _cell(b, var)
                if v:
                    eprops[key] = parse_date(v, end=end)
        except (ValueError, CampaignGraphError):
            ctx.error("not a date", file=display, row=i, column=f"{p}/{var}")
            continue
        human = (_cell(b, "valueIsHuman") or "").lower() in ("true", "1")
        item_kind = "Site" if prop == "P137" else "Company"
        value_kind = "Person" if human and prop == "P127" else "Company"
        node(item, _cell(b, "itemLabel"), _cell(b, "itemCountry"), _cell(b, "itemLei"), item_kind, i)
        node(value, _cell(b, "valueLabel"), _cell(b, "valueCountry"), _cell(b, "valueLei"), value_kind, i)
        src, dst = (item, value) if prop == "P355" else (value, item)
        kind = "OPERATES" if prop == "P137" else "OWNS"
        key = (kind, src, dst, eprops.get("valid_from"))
        old = edges.get(key)
        if old is None:
            edges[key] = (eprops, i)
        else:
            for k, v in eprops.items():
                old[0].setdefault(k, v)
        ctx.stats[f"wikidata_{prop}"] += 1

    for qid, n in nodes.items():
        if n["kind"] != "Person":  # a person's QID is a join key to more personal data: not kept
            n["props"]["wikidata"] = qid
        ctx.emit_node(NodeRecord(node_id(qid), n["kind"], n["name"] or qid, n["props"], (sid,)), Location(display, n["row"]))
        ctx.stats[f"wikidata_{n['kind'].lower()}_nodes"] += 1
    for (kind, src, dst, _), (eprops, row) in edges.items():
        # an owner of a site is its operator-owner in this model (OWNS runs between companies)
        if kind == "OWNS" and nodes[dst]["kind"] == "Site":
            kind = "OPERATES"
            eprops = {k: v for k, v in eprops.items() if k in ("share", "valid_from", "valid_to")}
        if kind == "OPERATES" and nodes[src]["kind"] != "Company":
            ctx.error(f"{src} operates {dst} but is not a company", file=display, row=row, column=f"/results/bindings/{row}/value")
            continue
        ctx.emit_edge(EdgeRecord(node_id(src), node_id(dst), kind, eprops, (sid,)), Location(display, row))
