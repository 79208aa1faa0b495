"""Gaps across the fields (SPEC §5): per field, its platforms, its centers, the best and the union coverage, and
the platforms that no center reaches at all.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from graphkit.errors import UnknownIdError
from graphkit.queries.coverage import coverage_model
from graphkit.rules.thresholds import Rules

__all__ = ["Gap", "gaps"]


@dataclass
class Gap:
    """The state of one field: ``best_ratio`` and ``union_ratio`` are None when the field has no platform or no
    center (there is no coverage to speak of)."""

    field_id: str
    platforms: int
    centers: int
    center_ids: list[str]
    best_center_id: str | None
    best_ratio: float | None
    union_ratio: float | None
    unreached_platform_ids: list[str]
    name_zh: str = ""
    name_en: str = ""
    layout: str = ""
    covered_by_center: dict[str, int] = field(default_factory=dict)

    def to_dict(self) -> dict:
        return {
            "field_id": self.field_id,
            "platforms": self.platforms,
            "centers": self.centers,
            "best_center_id": self.best_center_id,
            "best_ratio": self.best_ratio,
            "union_ratio": self.union_ratio,
            "unreached_platform_ids": self.unreached_platform_ids,
            "center_ids": self.center_ids,
            "name_zh": self.name_zh,
            "name_en": self.name_en,
            "layout": self.layout,
        }


def gaps(ds, field: str | None = None, rules: Rules | None = None, *, as_of=None) -> list[Gap]:
    """One :class:`Gap` per field (in layout order), or for ``field`` only, on the dataset as of ``as_of``."""
    from graphkit.queries.asof import view_as_of

    ds = view_as_of(ds, rules, as_of)
    model = coverage_model(ds, rules)
    ix = ds.index
    if field is not None and field not in ix.field_pos:
        raise UnknownIdError(f"unknown field id {field}")
    reached = model.reached.tocsc()
    reached_any = np.asarray(reached.getnnz(axis=0) > 0).ravel()
    fields = [ix.field_pos[field]] if field is not None else range(ix.shape[3])
    out = []
    for f in fields:
        fid = ix.fields[f]
        meta = ds.fields[fid]
        codes = model.field_platforms[f]
        cs = np.flatnonzero(ix.center_field == f)
        cs = cs[np.argsort(ix.centers[cs].to_numpy(dtype=str), kind="stable")] if len(cs) else cs
        center_ids = ix.centers[cs].tolist()
        total = len(codes)
        covered = {}
        best_id, best_ratio, union_ratio = None, None, None
        if len(cs) and total:
            sub = model.reached[cs][:, codes]
            counts = np.asarray(sub.sum(axis=1)).ravel()
            covered = dict(zip(center_ids, counts.tolist()))
            top = int(np.argmax(counts))  # first maximum = smallest id (cs is sorted by id)
            best_id, best_ratio = center_ids[top], counts[top] / total
            union_ratio = int((np.asarray(sub.sum(axis=0)).ravel() > 0).sum()) / total
        unreached = ix.platforms[codes[~reached_any[codes]]].tolist() if total else []
        out.append(Gap(fid, total, len(cs), center_ids, best_id, best_ratio, union_ratio, unreached,
                       meta.name_zh, meta.name_en, meta.layout, covered))
    return out
