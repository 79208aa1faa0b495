"""The queries of SPEC §5 on the embedded engine: coverage, reach, gaps, recruitment and the claims check.

Each module holds one query and its typed result; :mod:`graphkit` exports the functions (``graphkit.coverage``,
``graphkit.reach`` …), and :mod:`graphkit.neo4j` answers the same questions on a Neo4j server.
"""

__all__: list[str] = []
