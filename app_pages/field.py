"""Field: its national-level platforms and who reaches them, its centers, the gap, the network, and the
recruitment options (for a center of the field, or for a new center where the field has none)."""

import pandas as pd
import streamlit as st

from app_pages import cache, common, widgets
from app_pages.common import md, pct
from app_pages.state import K, persistent_select

RECRUIT_AT_ONCE = 40  # more centers than this in one field: compute their recruitment only when asked

ctx = common.page()
t, ds = ctx.t, ctx.ds
st.title(t("field.title"))
field_id = persistent_select(t("field.pick"), list(ds.fields), K.FIELD,
                             format_func=lambda f: f"{f} {ds.fields[f].name(ctx.lang)}")
field = ds.fields[field_id]
gap = next(g for g in cache.gaps(ctx.token, ds) if g.field_id == field_id)
st.subheader(md(f"{field_id} {field.name(ctx.lang)}"))
st.caption(t("field.layout", layout=ctx.term(field.layout)))
if field.difficulties:
    with st.expander(t("field.difficulties")):
        st.text(field.difficulties)

cols = st.columns(5)
cols[0].metric(t("col.platforms"), gap.platforms)
cols[1].metric(t("col.centers"), gap.centers)
cols[2].metric(t("col.best_ratio"), pct(gap.best_ratio),
               help=t("field.best_help", name=common.label_of(ctx, gap.best_center_id)) if gap.best_center_id else None)
cols[3].metric(t("col.union_ratio"), pct(gap.union_ratio), help=t("field.union_help"))
cols[4].metric(t("col.unreached"), len(gap.unreached_platform_ids), help=t("field.unreached_help"))
if gap.centers == 0:
    st.warning(t("field.no_center"))
if gap.platforms == 0:
    st.info(t("field.no_platforms"))

tabs = st.tabs([t("field.tab_platforms"), t("field.tab_centers"), t("field.tab_network"), t("field.tab_recruit")])
table = cache.platforms(ctx.token, ds, field_id)
with tabs[0]:
    only = st.checkbox(t("field.only_unreached"), key=K.FIELD_UNREACHED)
    shown = table[table["reached"] == 0] if only else table
    st.dataframe(pd.DataFrame({
        t("col.id"): shown["platform_id"], t("col.name"): shown["name"], t("col.platform_kind"): shown["kind"].map(ctx.term),
        t("col.hosts"): shown["hosts"].map("、".join), t("col.reached"): shown["reached"],
        t("col.reached_by"): shown["reached_by"].map(lambda ids: "、".join(common.names(ctx, tuple(ids))))}),
        hide_index=True)
    widgets.downloads(ctx, {"platforms": shown.drop(columns=["host_ids"])}, f"field-{field_id}-platforms", where="field")

own = cache.own_coverage(ctx.token, ds)
own = own[own["field_id"] == field_id]
with tabs[1]:
    if len(own):
        names = common.names(ctx, tuple(own["center_id"]))
        st.dataframe(pd.DataFrame({t("col.id"): own["center_id"], t("col.name"): names, t("col.covered"): own["covered"],
                                   t("col.total"): own["total"], t("col.coverage"): own["ratio"]}), hide_index=True,
                     column_config={t("col.coverage"): st.column_config.ProgressColumn(format="percent", min_value=0, max_value=1)})
        c1, c2 = st.columns([3, 1])
        pick = c1.selectbox(t("field.open_center"), list(own["center_id"]), key=K.FIELD_OPEN_CENTER,
                            format_func=lambda c: common.label_of(ctx, c))
        if c2.button(t("btn.open_center"), key=f"{K.OPEN}:field:center"):
            common.open_center(pick)
    else:
        st.info(t("field.no_center"))

with tabs[2]:
    cap = st.slider(t("net.cap"), 50, 1000, 400, step=50, key=K.FIELD_CAP, help=t("net.cap_help"))
    view = cache.field_view(ctx.token, ds, field_id, cap, ctx.lang)
    st.caption(t("field.network_help"))
    widgets.network_with_details(ctx, view, key=K.FIELD_CLICK, selected_key=K.FIELD_SELECTED, where="field")

with tabs[3]:
    if gap.platforms == 0:
        st.info(t("field.no_platforms"))
    elif len(own):
        st.markdown(t("field.recruit_centers"))
        rows = []
        # a large field (100× scale) computes its centers' plans only when asked: tabs are not lazy
        if len(own) > RECRUIT_AT_ONCE and not st.checkbox(t("field.recruit_all", n=len(own)), key=K.FIELD_RECRUIT_ALL):
            own = own.iloc[0:0]
        for cid in own["center_id"]:
            r = cache.recruit(ctx.token, ds, cid)
            rows.append({t("col.id"): cid, t("col.name"): common.names(ctx, (cid,))[0],
                         t("center.before_after"): f"{pct(r.ratio_before)} → {pct(r.ratio_after)}",
                         t("center.needed"): r.needed, t("col.recruit"): "、".join(r.orgs) if r.orgs else "—",
                         t("center.minimal"): t(f"minimal.{r.minimal}") if r.needed else "—"})
        if rows:
            st.dataframe(pd.DataFrame(rows), hide_index=True)
    if gap.platforms:
        r = cache.founding(ctx.token, ds, field_id)
        st.markdown(f"**{t('field.founding', n=len(r.orgs), ratio=pct(r.ratio_after))}**")
        st.caption(t(f"minimal.{r.minimal}"))
        st.dataframe(pd.DataFrame({
            t("col.id"): r.orgs, t("col.name"): common.names(ctx, tuple(r.orgs)),
            t("col.newly"): [len(r.newly_reached.get(o, ())) for o in r.orgs],
            t("col.platforms"): ["、".join(r.newly_reached.get(o, ())) for o in r.orgs]}), hide_index=True)
