"""A network view's subgraph as GEXF (Gephi): exactly the nodes and edges the filters matched, with names.

>>> from graphkit.present.views import Subgraph
>>> data = subgraph_gexf(Subgraph([("C1", "甲中心", "center", "辽宁"), ("E1", "企业", "enterprise", None)],
...                               [("C1", "E1", "member")]))
>>> b'label="\\xe7\\x94\\xb2\\xe4\\xb8\\xad\\xe5\\xbf\\x83"' in data, data.count(b"<edge ")
(True, 1)
"""

from __future__ import annotations

import io
import re

__all__ = ["subgraph_gexf"]

_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _clean(text) -> str:
    return _XML_ILLEGAL.sub("\ufffd", str(text))


def subgraph_gexf(sub) -> bytes:
    """GEXF 1.2 bytes of ``sub`` (:class:`graphkit.present.views.Subgraph`): node label = name, attributes group
    and province; one edge per relation (parallel relations of different kinds kept), attribute kind."""
    import networkx as nx

    graph = nx.MultiDiGraph()
    for node_id, name, group, province in sub.nodes:
        attrs = {"label": _clean(name), "group": group}
        if province:
            attrs["province"] = _clean(province)
        graph.add_node(_clean(node_id), **attrs)
    for source, target, kind in sub.edges:
        graph.add_edge(_clean(source), _clean(target), kind=kind)
    buf = io.BytesIO()
    nx.write_gexf(graph, buf, encoding="utf-8", version="1.2draft")
    return buf.getvalue()
