"""Network explorer: the graph filtered by field, kind, province, foreign and platform kind; search by name or
alias; a click selects a node (and fills the search box), its details open it; a node cap with aggregation."""

import streamlit as st

from app_pages import cache, common, widgets
from app_pages.state import K
from graphkit.model.schema import PLATFORM_KINDS
from graphkit.present.views import EDGE_KINDS, GROUPS

ctx = common.page()
t, ds = ctx.t, ctx.ds
st.title(t("explorer.title"))
st.caption(t("explorer.caption"))
state = st.session_state


def _hit_label(hit: dict) -> str:
    return f"{hit['name']} · {ctx.term(hit['group'])} · {hit['id']}"


# A click on the last run asked for the search box to show the clicked node: do it before the box is drawn.
pending = state.pop(K.X_QUERY_SYNC, None)
if pending:
    state[K.X_QUERY] = pending["query"]
    if pending["id"] in [h["id"] for h in cache.search(ctx.token, ds, pending["query"])]:
        state[K.X_HIT] = pending["id"]

# Defaults: the field of the center last looked at (a whole-country graph is a click away).
if K.X_FIELDS not in state:
    center = state.get(K.CENTER)
    state[K.X_FIELDS] = [ds.center(center).field_id] if center in ds.index.center_pos else (
        [ds.frames["centers"]["field_id"].iloc[0]] if len(ds.frames["centers"]) else [])

with st.expander(t("explorer.filters"), expanded=True):
    c1, c2, c3 = st.columns(3)
    fields = c1.multiselect(t("col.fields"), list(ds.fields), key=K.X_FIELDS, placeholder=t("all"),
                            format_func=lambda f: f"{f} {ds.fields[f].name(ctx.lang)}")
    groups = c2.multiselect(t("explorer.groups"), list(GROUPS), key=K.X_GROUPS, placeholder=t("all"),
                            format_func=ctx.term)
    prov = c3.multiselect(t("col.province"), cache.provinces(ctx.token, ds), key=K.X_PROVINCES, placeholder=t("all"))
    c1, c2, c3, c4 = st.columns([2, 3, 3, 2])
    foreign = c1.radio(t("explorer.foreign"), ["any", "domestic", "foreign"], key=K.X_FOREIGN,
                       format_func=lambda v: t(f"explorer.foreign_{v}"))
    pkinds = c2.multiselect(t("col.platform_kind"), list(PLATFORM_KINDS), key=K.X_PLATFORM_KINDS, placeholder=t("all"),
                            format_func=ctx.term)
    edges = c3.multiselect(t("explorer.edges"), list(EDGE_KINDS[:4]), key=K.X_EDGES, placeholder=t("all"),
                           format_func=ctx.term)
    cap = c4.slider(t("net.cap"), 50, 2000, 400, step=50, key=K.X_CAP, help=t("net.cap_help"))

c1, c2 = st.columns(2)
query = c1.text_input(t("explorer.search"), key=K.X_QUERY, placeholder=t("explorer.search_hint"))
hits = cache.search(ctx.token, ds, query) if query.strip() else []


def _choose() -> None:
    if state.get(K.X_HIT):
        state[K.X_SELECTED] = state[K.X_HIT]


c2.selectbox(t("explorer.results", n=len(hits)), [h["id"] for h in hits], key=K.X_HIT, index=None,
             format_func=lambda i: _hit_label(next(h for h in hits if h["id"] == i)), on_change=_choose,
             placeholder=t("explorer.pick") if hits else t("explorer.no_hits") if query.strip() else t("explorer.type"))
if query.strip() and not hits:
    st.info(t("explorer.no_hit_msg", query=query.strip()))
selected = state.get(K.X_SELECTED)
focus = state.get(K.X_FOCUS)

focused = bool(focus and ds.kind_of(focus) in ("center", "org", "platform"))
if focused:
    c1, c2 = st.columns([3, 1])
    c1.info(t("explorer.focus", name=common.label_of(ctx, focus)))
    hops = c2.slider(t("center.hops"), 1, 3, 1, key=K.X_HOPS)
    if c2.button(t("explorer.unfocus"), key=f"{K.OPEN}:explorer:unfocus"):
        state[K.X_FOCUS] = None
        st.rerun()
    view = cache.neighbourhood(ctx.token, ds, focus, hops, cap, ctx.lang, tuple(edges))
else:
    hops = 1
    filters = dict(fields=tuple(fields) or None, groups=tuple(groups) or None, provinces=tuple(prov) or None,
                   foreign=foreign, platform_kinds=tuple(pkinds) or None, edge_kinds=tuple(edges) or None)
    with st.spinner(t("explorer.building")):
        view = cache.explore(ctx.token, ds, ctx.lang, cap, (selected,) if selected else (), **filters)
c1, c2 = st.columns([3, 1])
c1.caption(t("explorer.counts", nodes=len(view.nodes), edges=len(view.edges), matched=view.matched_nodes,
             matched_edges=view.matched_edges))


def _gexf() -> bytes:
    """Exactly the subgraph the filters (or the neighbourhood) matched, before the cap: built on click."""
    from graphkit.present.view_export import subgraph_gexf
    from graphkit.present.views import explore_subgraph, neighbourhood_subgraph

    if focused:
        return subgraph_gexf(neighbourhood_subgraph(ds, focus, hops=hops, edge_kinds=tuple(edges) or None))
    return subgraph_gexf(explore_subgraph(ds, **filters))


c2.download_button(t("net.gexf"), _gexf, file_name="graphkit-subgraph.gexf", mime="application/xml",
                   key=f"{K.DOWNLOAD}:explorer:gexf", on_click="ignore", width="stretch")


def _sync_search(node_id: str) -> None:
    if node_id.startswith("agg:"):
        return
    name = common.names(ctx, (node_id,))[0]
    found = node_id in [h["id"] for h in cache.search(ctx.token, ds, name)]
    state[K.X_QUERY_SYNC] = {"query": name if found else node_id, "id": node_id}


left, right = st.columns([3, 1])
with left:
    widgets.network(ctx, view, key=K.X_CLICK, selected_key=K.X_SELECTED, height=640, on_click=_sync_search)
with right:
    st.markdown(f"**{t('explorer.selected')}**")
    if not selected:
        st.caption(t("explorer.nothing"))
    else:
        if selected not in set(view.node_ids()):
            st.caption(t("explorer.not_shown"))
        widgets.details(ctx, selected, where="explorer")
