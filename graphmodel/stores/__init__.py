"""Stores: where a CampaignGraph is kept (snapshot folders on disk, a Neo4j server)."""
