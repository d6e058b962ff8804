"""Bolt server fixture (ArcadeDB with its Bolt plugin, or a real Neo4j when NEO4J_URI is set)."""
