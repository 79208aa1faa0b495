"""The dataset as it stood on an evaluation date (SPEC §4 "The evaluation date applies to every dated fact").

With an evaluation date D, alliance members whose ``joined`` is after D, platforms ``approved`` after D's year,
collaborations and rankings of a year after D's year, income of a year after D's year and assessments dated
after D are left out. Undated facts count; a partial date ``YYYY`` or ``YYYY-MM`` is after D only when its whole
period is after D. Every query and check of the embedded engine runs on :func:`dataset_as_of`; a date after
which nothing happened returns the dataset itself (no copy, no cost).

>>> is_after("2024", _dt.date(2023, 12, 31)), is_after("2024", _dt.date(2024, 1, 1)), is_after("2024-02", _dt.date(2024, 1, 31))
(True, False, True)
>>> is_after(None, _dt.date(2000, 1, 1)), is_after("2023-12-31", _dt.date(2023, 12, 31))
(False, False)
"""

from __future__ import annotations

import datetime as _dt

import numpy as np
import pandas as pd

__all__ = ["dataset_as_of", "is_after", "period_start", "view_as_of"]


def period_start(value) -> str | None:
    """The first day of a date's period as ``YYYY-MM-DD`` (``2024`` → ``2024-01-01``), or None when empty."""
    if value is None or (isinstance(value, float) and value != value) or type(value).__name__ == "NAType":
        return None
    text = str(value).strip()
    if not text:
        return None
    return (text + "-01-01")[:10] if len(text) == 4 else (text + "-01" if len(text) == 7 else text[:10])


def is_after(value, as_of: _dt.date) -> bool:
    """True when the whole period of the date ``value`` (YYYY, YYYY-MM or YYYY-MM-DD) lies after ``as_of``."""
    start = period_start(value)
    return start is not None and start > as_of.isoformat()


def _date_after(series: pd.Series, as_of: _dt.date) -> np.ndarray:
    if not len(series):
        return np.zeros(0, dtype=bool)
    text = series.astype("string").str.strip()
    n = text.str.len()
    start = text.where(n != 4, text + "-01-01").where(n != 7, text + "-01")
    return (start > as_of.isoformat()).fillna(False).to_numpy(dtype=bool)


def _year_after(series: pd.Series, as_of: _dt.date) -> np.ndarray:
    years = pd.to_numeric(series, errors="coerce").astype("float").to_numpy()
    return np.nan_to_num(years, nan=-1.0) > as_of.year


def _approved_after(series: pd.Series, as_of: _dt.date) -> np.ndarray:
    """``approved`` is a year or a date; SPEC §4 leaves out platforms approved after D's year."""
    if not len(series):
        return np.zeros(0, dtype=bool)
    years = pd.to_numeric(series.astype("string").str.slice(0, 4), errors="coerce").astype("float").to_numpy()
    return np.nan_to_num(years, nan=-1.0) > as_of.year


def view_as_of(ds, rules=None, as_of=None):
    """``ds`` as it stood on ``as_of`` (a date or ``YYYY-MM-DD``; default: the rules' ``as_of``, else today)."""
    from graphkit.rules.thresholds import Rules

    return dataset_as_of(ds, (rules or Rules()).evaluation_date(as_of))


def dataset_as_of(ds, as_of: _dt.date | None):
    """``ds`` without the facts dated after ``as_of`` (``ds`` itself when there are none, or ``as_of`` is None)."""
    if as_of is None:
        return ds
    cache = ds.__dict__.get("_as_of_views")
    if cache is None or cache.get("owner") is not ds:  # a what-if copy carries its original's dict: start afresh
        cache = ds.__dict__["_as_of_views"] = {"owner": ds}
    key = as_of.isoformat()
    if key in cache:
        return cache[key]
    f = ds.frames
    drop = {
        "alliance_members": _date_after(f["alliance_members"]["joined"], as_of),
        "platforms": _approved_after(f["platforms"]["approved"], as_of),
        "collaborations": _year_after(f["collaborations"]["year"], as_of),
        "field_rankings": _year_after(f["field_rankings"]["year"], as_of),
        "income": _year_after(f["income"]["year"], as_of),
        "assessments": _date_after(f["assessments"]["date"], as_of),
    }
    if not any(mask.any() for mask in drop.values()):
        cache[key] = ds
        return ds
    from graphkit.model.dataset import Dataset
    from graphkit.model.validate import Tables

    frames = dict(f)
    for name, mask in drop.items():
        if mask.any():
            frames[name] = f[name][~mask]
    if drop["platforms"].any():  # a platform not yet approved is not a member either
        gone = set(f["platforms"]["platform_id"][drop["platforms"]].tolist())
        m = frames["alliance_members"]
        frames["alliance_members"] = m[~m["member_id"].isin(gone)]
    view = Dataset(Tables(frames, list(ds.fields.values()), dict(ds.labels)), ds.problems, ds.origin)
    view.__dict__["_as_of_views"] = {"owner": view, key: view}
    cache[key] = view
    return view
