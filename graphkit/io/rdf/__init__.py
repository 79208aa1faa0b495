"""The RDF door: a dataset as Turtle or JSON-LD (``write``), and back (``read``, with the fast ``parse`` for our own
layout), losslessly. rdflib is imported only by the modules that need it.
"""

from __future__ import annotations

import importlib

_EXPORTS = {
    "to_graph": "write", "to_turtle": "write", "to_jsonld": "write", "write_rdf": "write",
    "layout_turtle": "write", "RDF_FORMATS": "write", "read_rdf": "read", "RDF_SUFFIXES": "read",
}
__all__ = sorted(_EXPORTS)


def __getattr__(name: str):
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'graphkit.io.rdf' has no attribute {name!r}")
    return getattr(importlib.import_module(f"graphkit.io.rdf.{module}"), name)
