"""The typed campaign graph: schema, graph, records, snapshot and Neo4j stores.

Import names from the module that defines them, e.g.
``from graphmodel.graph import CampaignGraph``.
"""
