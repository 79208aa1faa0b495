"""Derived tables and views, cached by the dataset's token (``st.cache_data``): a widget change reruns the page
without recomputing anything it has seen before. The dataset itself is passed as ``_ds`` (not hashed).

Everything here calls graphkit's public API; nothing here computes a number of its own.
"""

from __future__ import annotations

import datetime as _dt
import io
import tempfile
import zipfile
from pathlib import Path

import pandas as pd
import streamlit as st

from graphkit.checks.conditions import check
from graphkit.present import views
from graphkit.queries.claims import claims
from graphkit.queries.coverage import coverage as _coverage
from graphkit.queries.gaps import gaps as _gaps
from graphkit.queries.reach import reach as _reach
from graphkit.queries.recruit import recruit as _recruit

_cache = st.cache_data(show_spinner=False, max_entries=256)


def today() -> str:
    """The evaluation date of the checks (part of their cache key, so results roll over at midnight)."""
    return _dt.date.today().isoformat()


@st.cache_resource(show_spinner=False, max_entries=32)
def whatif(token: str, _ds, center: str, add: tuple, remove: tuple):
    """A what-if copy of the dataset (the loaded one is never changed) and its own token."""
    return _ds.with_members(center, add=add, remove=remove), f"{token}#whatif:{center}:+{'|'.join(add)}:-{'|'.join(remove)}"


@_cache
def gaps(token: str, _ds) -> list:
    return _gaps(_ds)


@_cache
def coverage_long(token: str, _ds) -> pd.DataFrame:
    """Centers × fields coverage as a long table: center_id, field_id, covered, total, ratio, own (its own field)."""
    from graphkit.present.heatmap import coverage_cells

    return coverage_cells(_ds)


@_cache
def heatmap(token: str, _ds, fields: tuple, group: str, order: str, top: int, query: str, lang: str):
    from graphkit.present.heatmap import heatmap_rows

    return heatmap_rows(_ds, coverage_long(token, _ds), fields=fields, group=group, order=order, top=top, query=query,
                        lang=lang)


@_cache
def own_coverage(token: str, _ds) -> pd.DataFrame:
    """Each center in its own field: center_id, field_id, covered, total, ratio."""
    frame = coverage_long(token, _ds)
    return frame[frame["own"]].drop(columns="own").reset_index(drop=True)


@_cache
def checks(token: str, _ds, center: str, as_of: str):
    return check(_ds, center, as_of=as_of)[0]


@_cache
def all_checks(token: str, _ds, as_of: str) -> pd.DataFrame:
    """One row per center and check: center_id, eligible, id, status (for the overview's counts)."""
    rows = []
    for result in check(_ds, as_of=as_of):
        rows += [(result.center_id, result.eligible, c.id, c.status) for c in result.checks]
    return pd.DataFrame(rows, columns=["center_id", "eligible", "id", "status"])


@_cache
def coverage(token: str, _ds, center: str):
    return _coverage(_ds, center)[0]


@_cache
def reach(token: str, _ds, center: str, hops: int):
    return _reach(_ds, center, hops)


@_cache
def recruit(token: str, _ds, center: str):
    return _recruit(_ds, center)


@_cache
def founding(token: str, _ds, field: str):
    return views.founding_recruitment(_ds, field)


@_cache
def members(token: str, _ds, center: str) -> pd.DataFrame:
    return views.member_table(_ds, center)


@_cache
def platforms(token: str, _ds, field: str) -> pd.DataFrame:
    return views.platform_table(_ds, field)


@_cache
def ego(token: str, _ds, center: str, cap: int, lang: str):
    return views.ego_network(_ds, center, cap=cap, lang=lang)


@_cache
def field_view(token: str, _ds, field: str, cap: int, lang: str):
    return views.field_network(_ds, field, cap=cap, lang=lang)


@_cache
def explore(token: str, _ds, lang: str, cap: int, keep: tuple, **filters):
    return views.explore_network(_ds, lang=lang, cap=cap, keep=keep, **filters)


@_cache
def neighbourhood(token: str, _ds, node: str, hops: int, cap: int, lang: str, edge_kinds: tuple):
    return views.neighbourhood_network(_ds, node, hops=hops, cap=cap, lang=lang, edge_kinds=edge_kinds or None)


@_cache
def node_metric(token: str, _ds, ids: tuple, metric: str) -> dict:
    from graphkit.present.metrics import node_metric as _metric

    return _metric(_ds, ids, metric)


@_cache
def provinces(token: str, _ds) -> list[str]:
    """Every province of a center or an organisation, sorted (the explorer's filter options)."""
    orgs = _ds.frames["organizations"]["province"].dropna().unique().tolist()
    return sorted(set(orgs) | set(_ds.frames["centers"]["province"].dropna()) - {""})


@_cache
def search(token: str, _ds, text: str) -> list:
    return views.search(_ds, text, limit=30)


@_cache
def node_info(token: str, _ds, node: str):
    return views.node_info(_ds, node)


@_cache
def dataset_claims(token: str, _ds) -> list:
    return claims(_ds)


def report(ds, center: str, fmt: str, lang: str, as_of: str) -> bytes:
    """The review report (rendered when the user clicks download)."""
    from graphkit.engine import EmbeddedEngine
    from graphkit.present.report import render_report

    return render_report(EmbeddedEngine(ds), center, fmt=fmt, lang=lang, as_of=as_of).encode("utf-8")


def tables_csv_zip(frames: dict[str, pd.DataFrame]) -> bytes:
    from graphkit.io.export import table_to_csv_bytes

    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, frame in frames.items():
            zf.writestr(f"{name}.csv", table_to_csv_bytes(frame))
    return buf.getvalue()


def tables_xlsx(frames: dict[str, pd.DataFrame]) -> bytes:
    from graphkit.io.export import table_to_xlsx_bytes

    return table_to_xlsx_bytes(frames)


def export(ds, fmt: str) -> bytes:
    """The dataset exported as ``fmt`` (a CSV folder comes zipped); written to a temporary folder, then read."""
    from graphkit.io.export import export_dataset

    with tempfile.TemporaryDirectory(prefix="graphkit-export-") as tmp:
        target = Path(tmp) / ("data" if fmt == "csv" else f"data.{fmt}")
        written = export_dataset(ds, fmt, target)
        if written.is_dir():
            buf = io.BytesIO()
            with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
                for path in sorted(written.iterdir()):
                    zf.write(path, path.name)
            return buf.getvalue()
        return written.read_bytes()
