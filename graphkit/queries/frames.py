"""Query results as pandas DataFrames, for notebook users.

>>> import graphkit  # doctest: +SKIP
>>> to_frame(graphkit.coverage(ds))  # doctest: +SKIP
"""

from __future__ import annotations

import pandas as pd

__all__ = ["to_frame", "to_records"]


def to_records(results) -> list[dict]:
    """Plain dicts (the JSON of the CLI) from a result or a list of results."""
    if not isinstance(results, (list, tuple)):
        results = [results]
    out = []
    for r in results:
        if hasattr(r, "checks"):  # CenterChecks: one row per check
            for c in r.checks:
                out.append({"center_id": r.center_id, "eligible": r.eligible, **c.to_dict()})
        else:
            out.append(r.to_dict())
    return out


def to_frame(results) -> pd.DataFrame:
    """A DataFrame with one row per result (per check for check results)."""
    return pd.DataFrame(to_records(results))
