"""Overview: headline figures, the coverage heat map (centers × fields), the fields' gaps, and provenance."""

import altair as alt
import pandas as pd
import streamlit as st

from app_pages import cache, common, widgets
from app_pages.common import md, pct
from app_pages.state import K
from graphkit import Rules
from graphkit.present.heatmap import GROUPINGS, ORDERS

ctx = common.page()
t, ds = ctx.t, ctx.ds
st.title(t("overview.title"))
st.caption(t("overview.caption"))
widgets.synthetic_banner(ctx)

gaps = cache.gaps(ctx.token, ds)
own = cache.own_coverage(ctx.token, ds)
centers = ds.frames["centers"]
orgs = ds.frames["organizations"]
platforms = ds.frames["platforms"]
layout_fields = [g for g in gaps if g.layout == "2017-64"]
no_center = [g for g in gaps if g.centers == 0]
no_reach = [g for g in gaps if g.platforms and len(g.unreached_platform_ids) == g.platforms]
threshold = Rules().min_coverage
meeting = int((own["ratio"] >= threshold).sum())

# ---- headline figures ----------------------------------------------------------------------------------------
num = common.num
cols = st.columns(6)
national = int((centers["level"] == "national").sum())
provincial = len(centers) - national
cols[0].metric(t("kpi.centers"), num(len(centers)), help=t("kpi.centers_help", national=national, provincial=provincial))
cols[1].metric(t("kpi.orgs"), num(len(orgs)), help=t("kpi.orgs_help", foreign=int((orgs["country"] != "CN").sum())))
active = int((platforms["status"].fillna("active") == "active").sum())
cols[2].metric(t("kpi.platforms"), num(len(platforms)), help=t("kpi.platforms_help", active=active))
cols[3].metric(t("kpi.fields_with_center"), f"{len(layout_fields) - sum(1 for g in layout_fields if g.centers == 0)}"
               f"/{len(layout_fields)}", help=t("kpi.fields_with_center_help"))
cols[4].metric(t("kpi.coverage_met"), f"{num(meeting)}/{num(len(centers))}",
               help=t("kpi.coverage_met_help", threshold=pct(threshold, 0)))
with cols[5]:
    # 64号 is about upgrading provincial centers: the count is of those; national ones are national already
    if len(centers) <= 200 or st.button(t("kpi.eligible_compute", n=provincial), key=f"{K.OPEN}:overview:eligible"):
        with st.spinner(t("kpi.eligible_running", n=provincial)):
            summary = cache.all_checks(ctx.token, ds, cache.today())
        level = dict(zip(centers["center_id"], centers["level"]))
        per_center = summary.drop_duplicates("center_id")
        per_center = per_center[per_center["center_id"].map(level) != "national"]
        eligible = int(per_center["eligible"].sum())
        st.metric(t("kpi.eligible"), f"{num(eligible)}/{num(provincial)}", help=t("kpi.eligible_help", national=national))
        st.caption(t("kpi.already_national", n=national))

# ---- fields with no center / no reach ------------------------------------------------------------------------
st.subheader(t("overview.gaps"))


def _gap_list(column, title: str, gaps, count) -> None:
    """A titled list of fields, each with ``count(gap)`` after its name."""
    with column:
        st.markdown(f"**{title}**")
        if not gaps:
            st.caption(t("none"))
        for g in gaps:
            st.markdown(f"- {md(g.field_id)} {md(g.name_zh if ctx.lang == 'zh' else g.name_en or g.name_zh)} · {count(g)}")


left, right = st.columns(2)
_gap_list(left, t("overview.no_center", n=len(no_center)), no_center, lambda g: t("overview.n_platforms", n=g.platforms))
_gap_list(right, t("overview.no_reach", n=len(no_reach)), no_reach,
          lambda g: t("overview.n_unreached", n=len(g.unreached_platform_ids)))

names = dict(zip(centers["center_id"], centers["name"]))
gap_rows = pd.DataFrame([{
    t("col.field_id"): g.field_id, t("col.field"): g.name_zh if ctx.lang == "zh" else (g.name_en or g.name_zh),
    t("col.platforms"): g.platforms, t("col.centers"): g.centers,
    t("col.best_center"): names.get(g.best_center_id, "") if g.best_center_id else "",
    t("col.best_ratio"): g.best_ratio, t("col.union_ratio"): g.union_ratio,
    t("col.unreached"): len(g.unreached_platform_ids)} for g in gaps])
st.dataframe(gap_rows, hide_index=True, column_config={
    t("col.best_ratio"): st.column_config.ProgressColumn(format="percent", min_value=0, max_value=1),
    t("col.union_ratio"): st.column_config.ProgressColumn(format="percent", min_value=0, max_value=1)})
c1, c2 = st.columns([3, 1])
pick = c1.selectbox(t("overview.open_field"), [g.field_id for g in gaps], key=K.OV_FIELD,
                    format_func=lambda f: f"{f} {ds.fields[f].name(ctx.lang)}")
if c2.button(t("btn.open_field"), key=f"{K.OPEN}:overview:field"):
    common.open_field(pick)

# ---- coverage heat map ---------------------------------------------------------------------------------------
st.subheader(t("overview.heatmap"))
st.caption(t("overview.heatmap_help"))
c1, c2, c3 = st.columns([3, 2, 2])
field_ids = list(ds.fields)
chosen = c1.multiselect(t("overview.heat_fields"), field_ids, key=K.HEAT_FIELDS,
                        format_func=lambda f: f"{f} {ds.fields[f].name(ctx.lang)}", placeholder=t("all"))
group = c2.selectbox(t("overview.heat_group"), list(GROUPINGS), key=K.HEAT_GROUP, format_func=lambda g: t(f"group.{g}"))
query = c3.text_input(t("overview.heat_search"), key=K.HEAT_QUERY, placeholder=t("overview.heat_search_hint"),
                      disabled=group != "center")
c1, c2, _ = st.columns([3, 2, 2])
order = c2.selectbox(t("overview.heat_order"), list(ORDERS), key=K.HEAT_ORDER, format_func=lambda o: t(f"order.{o}"),
                     disabled=group != "center")
rows = c1.slider(t("overview.heat_rows"), 10, 200, 40, step=10, key=K.HEAT_ROWS)
cells, matched = cache.heatmap(ctx.token, ds, tuple(chosen), group, order, rows, query if group == "center" else "",
                               ctx.lang)
if matched > rows:
    st.caption(t("overview.heat_more", shown=common.num(rows), total=common.num(matched)))
if not len(cells):
    st.info(t("overview.heat_none"))
else:
    cells = cells.assign(share=[f"{c}/{n} ({pct(r)})" if n else t("overview.no_platform")
                                for c, n, r in zip(cells["covered"], cells["total"], cells["ratio"])],
                         defined=cells["ratio"].notna())
    y_order = list(dict.fromkeys(cells["label"]))
    # Sort by positions, never by a list of labels: Vega-Lite turns a sort list into expression code, and a name with
    # U+2028 (a line break to Vega's parser) or a quote there stops the whole chart rendering. Data ids and names
    # travel only as data values.
    columns = {ds.fields[f].name(ctx.lang): i for i, f in enumerate(field_ids)}
    cells = cells.assign(_row=cells["label"].map({label: i for i, label in enumerate(y_order)}),
                         _col=cells["field"].map(columns))
    base = alt.Chart(cells).encode(
        x=alt.X("field:N", title=None, sort=alt.EncodingSortField("_col", op="min"),
                axis=alt.Axis(orient="top", labelAngle=-45, labelLimit=200, labelOverlap=False)),
        y=alt.Y("label:N", title=None, sort=alt.EncodingSortField("_row", op="min"),
                axis=alt.Axis(labelLimit=320, labelOverlap=False)),
        tooltip=[alt.Tooltip("title:N", title=t("col.center") if group == "center" else t(f"group.{group}")),
                 alt.Tooltip("field:N", title=t("col.field")), alt.Tooltip("share:N", title=t("col.coverage"))])
    heat = base.transform_filter("datum.defined").mark_rect().encode(
        color=alt.Color("ratio:Q", title=t("col.coverage"), scale=alt.Scale(domain=[0, 1], scheme="blues"),
                        legend=alt.Legend(format="%", orient="bottom")))
    empty = base.transform_filter("!datum.defined").mark_rect(color="#bdbdbd")
    frame = base.transform_filter("datum.own").mark_rect(filled=False, stroke="#c0392b", strokeWidth=2)
    st.altair_chart((heat + empty + frame).properties(height=22 * len(y_order) + 40), width="stretch")

# ---- provenance ----------------------------------------------------------------------------------------------
st.subheader(t("overview.provenance"))
prov = [(ctx.term(table), source or t("prov.unspecified"), n) for table, by in ds.provenance().items() for source, n in by.items()]
st.dataframe(pd.DataFrame(prov, columns=[t("col.table"), t("col.source"), t("col.rows")]), hide_index=True,
             column_config={t("col.rows"): st.column_config.NumberColumn(format="localized")})
