"""The data layer: datasets graphkit makes — the bundled ``sample`` (real national centers and registries plus marked
synthetic rows) and the seeded ``synthetic`` scales S, M and L — and the built-in layout file ``layout-2017-64.csv``.
"""
