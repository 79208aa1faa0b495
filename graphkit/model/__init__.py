"""The model layer: the data contract and everything that holds a dataset in memory.

``schema`` (the contract's tables and columns), ``notice`` (the 22 fields and the check ids of 工信厅科〔2017〕64号),
``vocab`` (the RDF terms), ``records`` (typed records), ``raw`` (string tables before validation), ``validate``
(raw → typed, every problem at once), ``problems`` and ``i18n`` (located, bilingual messages), ``columns`` (vectorised
column helpers), ``geo`` (countries and provinces), ``dataset`` (the validated tables and their indexes) and
``graph`` (the networkx view). It imports nothing of graphkit but :mod:`graphkit.errors` and :mod:`graphkit.settings`.
"""

from __future__ import annotations

import importlib
import warnings

__all__: list[str] = []


def __getattr__(name: str):
    # graphkit 0.1's ``graphkit.model`` held the typed records: their names still resolve here for one release
    records = importlib.import_module("graphkit.model.records")
    if name in records.__all__:
        warnings.warn(f"graphkit.model.{name} moved to graphkit.model.records.{name}", DeprecationWarning, stacklevel=2)
        return getattr(records, name)
    raise AttributeError(f"module 'graphkit.model' has no attribute {name!r}")
