"""The checks layer: the 21 checks of 工信厅科〔2017〕64号 (``conditions``) over per-center facts (``facts``) gathered
from the queries' indexes. A second engine supplies the same facts (see :mod:`graphkit.neo4j.facts`).
"""

from graphkit.checks.conditions import *  # noqa: F403  (the public names of the checks)
from graphkit.checks.conditions import __all__ as _conditions_all
from graphkit.checks.facts import CenterFacts, CollabFact, gather_facts
from graphkit.checks.columnar import check_all as _check_all
from graphkit.checks.conditions import ALL_CENTERS_ENGINE as _engine

_engine[:] = [_check_all]  # graphkit.check(ds) for every center: the columnar engine

__all__ = sorted(set(_conditions_all) | {"CenterFacts", "CollabFact", "gather_facts"})
