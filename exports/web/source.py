"""Where the workbench's routes get the graph they answer from: the served snapshot, or a
Neo4j (ArcadeDB Bolt) server asked per request.

A route asks its app's source (:func:`source_of`) for the graph one question needs and then
runs the same query code on it, whatever the source:

- :class:`MemorySource`: the graph in ``app.state.graph`` (read per request: research edits
  may put a new graph there), whole, for every question;
- :class:`Neo4jSource`: ``serve bolt://…``. Each question fetches from the server the part
  of its graph the answer depends on, with the selections of :mod:`queries.cypher` that the
  ``--backend neo4j`` commands use (tested to give the in-memory answers), so a team can
  work on one shared graph and every request sees the server as it is then:

  - search: :func:`queries.cypher.names_graph` (names, aliases, former names and
    identifiers of every node, no edges), searched by :meth:`CampaignGraph.find`;
  - an entity: the node (:func:`queries.cypher.Subgraph.fetch_nodes`); a site's coverage:
    :func:`queries.cypher.site_subgraph` (its operators' ultimate parents' coverage selection);
  - neighbours: :func:`queries.cypher.neighbourhood_subgraph` (the hops walked in Cypher);
  - a group's coverage (the group's table, downloads and map too): the name resolved on the
    server as ``coverage bolt://…`` resolves it, then :func:`queries.cypher.coverage_subgraph`;
  - a group's briefing: the whole graph (it reads leverage), as ``coverage bolt://…`` without
    ``--company`` reads it.

  One connected :class:`~graphmodel.stores.neo4j.Neo4jStore` (its driver keeps a pool of
  connections) serves every request; ``redact`` applies :func:`exports.redact.redact` to
  each fetched part.

The sources compute nothing: coverage, search ranking and the walk stay in the routes' query
code (one implementation).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Protocol

from graphmodel.graph import CampaignGraph

if TYPE_CHECKING:
    from graphmodel.stores.neo4j import Neo4jStore


class GraphSource(Protocol):
    """The graph each route needs (see the module docstring)."""

    #: a short text for messages: "the snapshot" or the server's URI without credentials
    label: str

    def search_graph(self, kind: str | None) -> CampaignGraph:
        """A graph whose :meth:`~CampaignGraph.find` answers a search (of ``kind`` nodes)."""
        ...

    def has_node(self, node_id: str) -> bool:
        """Whether the graph has a node ``node_id``."""
        ...

    def node_graph(self, node_id: str) -> CampaignGraph:
        """A graph with ``node_id`` (if it exists) and every source."""
        ...

    def site_graph(self, site: str, as_of: str) -> CampaignGraph:
        """A graph with what :func:`queries.coverage.site_coverage` reads for ``site`` as of ``as_of``."""
        ...

    def neighbours_graph(self, node_id: str, hops: int, kinds: frozenset[str] | None,
                         as_of: str | None) -> CampaignGraph:
        """A graph holding every edge a walk of ``hops`` from ``node_id`` reads."""
        ...

    def coverage_graph(self, company: str) -> tuple[CampaignGraph, str]:
        """A graph for :func:`queries.coverage.coverage` of the group ``company`` names, and the
        text to resolve on it (the name itself, or the id it was resolved to on the server)."""
        ...

    def whole_graph(self) -> CampaignGraph:
        """The whole graph (a group's briefing reads leverage, beyond any narrower selection)."""
        ...


class MemorySource:
    """The served snapshot: ``app.state.graph``, read at each request."""

    label = "the snapshot"

    def __init__(self, state: Any) -> None:
        self._state = state

    @property
    def graph(self) -> CampaignGraph:
        return self._state.graph

    def search_graph(self, kind: str | None) -> CampaignGraph:
        return self.graph

    def has_node(self, node_id: str) -> bool:
        return self.graph.has_node(node_id)

    def node_graph(self, node_id: str) -> CampaignGraph:
        return self.graph

    def site_graph(self, site: str, as_of: str) -> CampaignGraph:
        return self.graph

    def neighbours_graph(self, node_id: str, hops: int, kinds: frozenset[str] | None,
                         as_of: str | None) -> CampaignGraph:
        return self.graph

    def coverage_graph(self, company: str) -> tuple[CampaignGraph, str]:
        return self.graph, company

    def whole_graph(self) -> CampaignGraph:
        return self.graph


class Neo4jSource:
    """A Neo4j (or ArcadeDB Bolt) server, asked per request for the part each answer reads.

    ``store`` is connected (or connects at the first request) and stays open: its driver
    pools connections across requests. :meth:`close` closes it.
    """

    def __init__(self, store: Neo4jStore, *, redact: bool = False) -> None:
        from graphmodel.stores.neo4j import safe_uri

        self.store = store
        self.redact = redact
        self.label = safe_uri(store.uri)

    def _out(self, graph: CampaignGraph) -> CampaignGraph:
        if not self.redact:
            return graph
        from exports.redact import redact

        return redact(graph)

    def close(self) -> None:
        self.store.close()

    def search_graph(self, kind: str | None) -> CampaignGraph:
        from queries import cypher

        return self._out(cypher.names_graph(self.store, [kind] if kind else None))

    def has_node(self, node_id: str) -> bool:
        from queries import cypher

        sub = cypher.Subgraph(self.store)
        sub.fetch_nodes([node_id])
        return node_id in sub.nodes

    def node_graph(self, node_id: str) -> CampaignGraph:
        from queries import cypher

        sub = cypher.Subgraph(self.store)
        sub.fetch_nodes([node_id])
        return self._out(sub.graph())  # without the node when the server has none: the route answers 404

    def site_graph(self, site: str, as_of: str) -> CampaignGraph:
        from queries import cypher

        return self._out(cypher.site_subgraph(self.store, site, as_of=as_of))

    def neighbours_graph(self, node_id: str, hops: int, kinds: frozenset[str] | None,
                         as_of: str | None) -> CampaignGraph:
        from queries import cypher

        return self._out(cypher.neighbourhood_subgraph(self.store, node_id, hops, kinds=kinds, as_of=as_of))

    def coverage_graph(self, company: str) -> tuple[CampaignGraph, str]:
        from exports.cli.neo4j_cmds import resolve_owner_on_server
        from queries import cypher

        root = resolve_owner_on_server(self.store, company)  # as `coverage bolt://… --company` resolves it
        return self._out(cypher.coverage_subgraph(self.store, root)), root

    def whole_graph(self) -> CampaignGraph:
        return self._out(self.store.read())  # as `coverage bolt://…` without --company reads it


def source_of(app: Any) -> GraphSource:
    """The source the app's routes read: ``app.state.source`` (a server), else the snapshot."""
    source = getattr(app.state, "source", None)
    return source if source is not None else MemorySource(app.state)
