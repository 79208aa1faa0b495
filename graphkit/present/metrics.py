"""Node metrics for the network views: a value per shown node that sizes or colours it.

``coverage`` — a center's coverage of its own field's national platforms (0–1; undefined without platforms);
``members`` — a center's alliance size, an organisation's or platform's number of alliances;
``platforms`` — the national platforms an organisation hosts, or a center's alliance reaches in its field.
A node the metric says nothing about (an aggregate, a platform for ``platforms``) has no value.

>>> from graphkit import load_dataset
>>> node_metric(load_dataset("tests/fixtures/tiny"), ["C1", "nope"], "members")
{'C1': 6.0}
"""

from __future__ import annotations

import numpy as np

from graphkit.queries.coverage import coverage_model

__all__ = ["METRICS", "node_metric"]

METRICS = ("coverage", "members", "platforms")


def node_metric(ds, ids, metric: str, rules=None) -> dict[str, float]:
    """``{id: value}`` for the ``ids`` the metric applies to (see the module docstring)."""
    if metric not in METRICS:
        raise ValueError(f"metric must be one of {METRICS}, got {metric!r}")
    ix = ds.index
    ids = [str(i) for i in ids]
    centers = [(i, ix.center_pos[i]) for i in ids if i in ix.center_pos]
    orgs = [(i, ix.org_pos[i]) for i in ids if i in ix.org_pos]
    plats = [(i, ix.platform_pos[i]) for i in ids if i in ix.platform_pos]
    out: dict[str, float] = {}
    if metric == "members":
        sizes = np.diff(ix.member_org.indptr) + np.diff(ix.member_platform.indptr)
        of_org = np.diff(ix.member_org.tocsc().indptr)
        of_plat = np.diff(ix.member_platform.tocsc().indptr)
        out.update({i: float(sizes[c]) for i, c in centers})
        out.update({i: float(of_org[o]) for i, o in orgs})
        out.update({i: float(of_plat[p]) for i, p in plats})
        return out
    model = coverage_model(ds, rules)
    if metric == "coverage":
        for i, c in centers:
            entry = model.entry(c, int(ix.center_field[c]), with_via=False, with_uncovered=False)
            if entry.total:
                out[i] = entry.covered / entry.total
        return out
    # platforms: hosted by an organisation (counted platforms only), reached by a center in its field
    counted = np.zeros(ix.shape[2], bool)
    for codes in model.field_platforms:
        counted[codes] = True
    hosts = ix.org_hosts
    for i, o in orgs:
        out[i] = float(counted[hosts.indices[hosts.indptr[o]: hosts.indptr[o + 1]]].sum())
    for i, c in centers:
        out[i] = float(model.entry(c, int(ix.center_field[c]), with_via=False, with_uncovered=False).covered)
    return out
