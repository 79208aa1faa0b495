"""Every session-state key of the app, in one place, and the helpers that keep a choice across pages.

Streamlit drops a widget's state when a page that does not draw it runs; choices that outlive a page (the
center, the field, the language) are therefore kept under a plain key and mirrored into the widget's own key.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import streamlit as st

__all__ = ["K", "CODED", "relabel", "widget", "get", "put", "persistent_select"]


class K:
    """Session-state keys. A key here is either a widget key or a value the app keeps; nothing else is used."""

    LANG = "lang"  # widget: zh | en
    # data
    UPLOADED = "uploaded"  # {"token", "name", "dataset"}: this session's own uploaded dataset (None = default data)
    UPLOAD = "upload"  # widget: the dataset file uploader
    UPLOAD_DONE = "upload_done"  # digest of the last upload processed (so a rerun does not validate it again)
    UPLOAD_RESULT = "upload_result"  # {"ok", "name", "problems", "counts"} of the last upload, for display
    EXPORT_FORMAT = "export_format"  # widget
    NEO4J_URI, NEO4J_USER, NEO4J_PASSWORD, NEO4J_DATABASE = "neo4j_uri", "neo4j_user", "neo4j_password", "neo4j_db"
    NEO4J_RESULT = "neo4j_result"  # the last server answer (tables) or error text
    NEO4J_FORM = "neo4j_form"  # form
    CLICKS = "clicks"  # {component key: ts of the last click handled}
    NET_METRIC, NET_MODE, NET_LABELS = "net_metric", "net_mode", "net_labels"  # widgets, + ":" + the network's key
    # buttons and downloads (a panel's key is one of these plus the panel's name)
    OPEN, DOWNLOAD = "open", "download"
    # selections shared by pages
    CENTER = "center"
    FIELD = "field"
    # overview
    HEAT_FIELDS, HEAT_ORDER, HEAT_ROWS = "heat_fields", "heat_order", "heat_rows"  # widgets
    HEAT_GROUP, HEAT_QUERY = "heat_group", "heat_query"  # widgets
    OV_FIELD = "ov_field"  # widget: the field to open
    # center page
    HOPS = "hops"  # widget
    EGO_CAP = "ego_cap"  # widget
    EGO_CLICK = "ego_click"  # component
    EGO_SELECTED = "ego_selected"
    EVIDENCE = "evidence"  # widget: evidence id to show
    COVERAGE_PICK = "coverage_pick"  # widget: platform or member to show
    # field page
    FIELD_CLICK = "field_click"  # component
    FIELD_CAP = "field_cap"  # widget
    FIELD_SELECTED = "field_selected"
    FIELD_UNREACHED = "field_unreached"  # widget
    FIELD_OPEN_CENTER = "field_open_center"  # widget: the center to open
    FIELD_RECRUIT_ALL = "field_recruit_all"  # widget: compute recruitment for every center of a large field
    # network explorer
    X_FIELDS, X_GROUPS, X_PROVINCES, X_FOREIGN = "x_fields", "x_groups", "x_provinces", "x_foreign"  # widgets
    X_PLATFORM_KINDS, X_EDGES, X_CAP, X_HOPS = "x_platform_kinds", "x_edges", "x_cap", "x_hops"  # widgets
    X_QUERY = "x_query"  # widget: search box
    X_QUERY_SYNC = "x_query_sync"  # text to put into the search box on the next run (after a click)
    X_HIT = "x_hit"  # widget: the search result chosen
    X_CLICK = "x_click"  # component
    X_SELECTED = "x_selected"  # the selected node id
    X_FOCUS = "x_focus"  # node whose neighbourhood is shown (None = the filtered graph)
    # what-if
    WHATIF = "whatif"  # {center_id: {"add": [...], "remove": [...]}} — this session's edits only
    W_REMOVE, W_ADDED, W_QUERY, W_PICK = "w_remove", "w_added", "w_query", "w_pick"  # widgets
    # the review recorded in this session (center page; reloaded on the center or data page)
    REVIEW = "review"  # {data token: [assessment rows]}: this session's decisions, per dataset
    R_FORM, R_CHECK, R_STATUS, R_NOTE, R_EVIDENCE = "r_form", "r_check", "r_status", "r_note", "r_evidence"  # widgets
    R_NAME, R_DATE = "r_name", "r_date"  # widgets
    R_UPLOAD, R_UPLOAD_DATA = "r_upload", "r_upload_data"  # widgets: assessments to reload (center, data page)
    R_UPLOAD_DONE = "r_upload_done"  # {uploader key: digest of the last file read}
    R_UPLOAD_RESULT = "r_upload_result"  # {"name", "n", "problems"} of the last assessments upload
    # claims
    CLAIMS_UPLOAD = "claims_upload"  # widget
    CLAIMS_SOURCE = "claims_source"  # widget: dataset | upload
    CLAIMS_DECISIONS = "claims_decisions"  # {upload token: {"sheet|row|name": id or "new"}}: the reviewer's settlements
    CLAIMS_INTAKE = "claims_intake"  # {"key", "result"}: the last intake of an uploaded application
    CLAIMS_SETTLE = "claims_settle"  # widget prefix: one select box per ambiguous name
    CLAIMS_USE = "claims_use"  # widget: use the merged data


# Widgets whose options are shown in the UI language. Streamlit keeps a select's choice as the text it showed, so after
# a language switch that text matches no option: :func:`relabel` sets each choice again (as its code), and the widget
# then shows it in the new language.
CODED = (K.HEAT_FIELDS, K.HEAT_GROUP, K.HEAT_ORDER, K.OV_FIELD, K.X_FIELDS, K.X_GROUPS, K.X_FOREIGN, K.X_PLATFORM_KINDS,
         K.X_EDGES, K.X_HIT, K.EXPORT_FORMAT, K.R_CHECK, K.R_STATUS, K.CLAIMS_SOURCE, K.EVIDENCE, K.COVERAGE_PICK,
         f"_w_{K.CENTER}", f"_w_{K.FIELD}", *(f"{k}:{n}" for k in (K.NET_METRIC, K.NET_MODE)
                                              for n in (K.EGO_CLICK, K.FIELD_CLICK, K.X_CLICK)))


def relabel() -> None:
    """After a language switch: every coded widget's choice set again, by its code (see :data:`CODED`)."""
    for key in CODED:
        if key in st.session_state:
            st.session_state[key] = st.session_state[key]


def widget(key: str) -> str:
    """The widget key that mirrors a kept value."""
    return f"_w_{key}"


def get(key: str, default=None):
    return st.session_state.get(key, default)


def put(key: str, value) -> None:
    st.session_state[key] = value


def _copy(src: str, dst: str) -> None:
    st.session_state[dst] = st.session_state[src]


def persistent_select(label: str, options: Sequence, key: str, *, format_func: Callable = str, **kw):
    """A selectbox whose choice is kept under ``key`` across pages; returns the choice (None without options)."""
    options = list(options)
    if not options:
        st.selectbox(label, [], key=widget(key), disabled=True, **kw)
        return None
    if st.session_state.get(key) not in options:
        st.session_state[key] = options[0]
    wkey = widget(key)
    if st.session_state.get(wkey) != st.session_state[key]:
        st.session_state[wkey] = st.session_state[key]
    st.selectbox(label, options, key=wkey, format_func=format_func, on_change=_copy, args=(wkey, key), **kw)
    return st.session_state[key]
