"""What-if: add or remove alliance members (organisations or platforms) of a center and see its coverage and every
check recomputed, the differences from the loaded data highlighted. Edits live in this session only; nothing is
written anywhere unless the user downloads the edited data."""

import pandas as pd
import streamlit as st

from app_pages import cache, common, widgets
from app_pages.common import label_of, md, pct
from app_pages.state import K, persistent_select
from graphkit.model.notice import CHECKS

ctx = common.page()
t, ds = ctx.t, ctx.ds
state = st.session_state
st.title(t("whatif.title"))
st.caption(t("whatif.caption"))
names = dict(zip(ds.frames["centers"]["center_id"], ds.frames["centers"]["name"]))
center = persistent_select(t("center.pick"), sorted(names), K.CENTER, format_func=lambda c: f"{names[c]} ({c})")
edits = state.setdefault(K.WHATIF, {})
edit = edits.setdefault(center, {"add": [], "remove": []})
members = ds.members(center)
edit["remove"] = [m for m in edit["remove"] if m in members]
edit["add"] = [m for m in edit["add"] if ds.kind_of(m) in ("org", "platform") and m not in members]


def _set(which: str, key: str) -> None:
    edits[center][which] = list(state[key])


def _add(ids) -> None:
    edits[center]["add"] = list(dict.fromkeys([*edits[center]["add"], *ids]))


def _reset() -> None:
    edits[center] = {"add": [], "remove": []}


# ---- the edits ---------------------------------------------------------------------------------------------------
left, right = st.columns(2)
with left:
    st.markdown(f"**{t('whatif.remove')}**")
    state[K.W_REMOVE] = edit["remove"]
    st.multiselect(t("whatif.remove_pick", n=len(members)), members, key=K.W_REMOVE, on_change=_set,
                   args=("remove", K.W_REMOVE), format_func=lambda m: label_of(ctx, m), placeholder=t("whatif.none"))
with right:
    st.markdown(f"**{t('whatif.add')}**")
    query = st.text_input(t("whatif.search"), key=K.W_QUERY, placeholder=t("explorer.search_hint"))
    hits = [h for h in cache.search(ctx.token, ds, query) if h["kind"] != "center" and h["id"] not in members] \
        if query.strip() else []
    if query.strip() and not hits:
        st.info(t("whatif.no_hit_msg", query=query.strip()))
    c1, c2 = st.columns([3, 1])
    pick = c1.selectbox(t("explorer.results", n=len(hits)), [h["id"] for h in hits], key=K.W_PICK, index=None,
                        format_func=lambda m: label_of(ctx, m), placeholder=t("explorer.pick") if hits else t("explorer.type"))
    c2.button(t("whatif.add_btn"), key=f"{K.OPEN}:whatif:add", disabled=pick is None, on_click=_add, args=([pick],))
    state[K.W_ADDED] = edit["add"]
    st.multiselect(t("whatif.added"), edit["add"], key=K.W_ADDED, on_change=_set, args=("add", K.W_ADDED),
                   format_func=lambda m: label_of(ctx, m), placeholder=t("whatif.none"))
recruit = cache.recruit(ctx.token, ds, center)
c1, c2, _ = st.columns([2, 1, 3])
c1.button(t("whatif.add_recruits", n=len(recruit.orgs)), key=f"{K.OPEN}:whatif:recruits", disabled=not recruit.orgs,
          on_click=_add, args=(recruit.orgs,))
c2.button(t("whatif.reset"), key=f"{K.OPEN}:whatif:reset", on_click=_reset)

# ---- the recomputation -------------------------------------------------------------------------------------------
add, remove = tuple(edit["add"]), tuple(edit["remove"])
today = cache.today()
if not add and not remove:
    st.info(t("whatif.no_edits"))
    wds, wtoken = ds, ctx.token
else:
    with st.spinner(t("whatif.computing")):
        wds, wtoken = cache.whatif(ctx.token, ds, center, add, remove)
before, after = cache.checks(ctx.token, ds, center, today), cache.checks(wtoken, wds, center, today)
cov0, cov1 = cache.coverage(ctx.token, ds, center), cache.coverage(wtoken, wds, center)
cols = st.columns(4)
delta = None if cov0.ratio is None or cov1.ratio is None or cov0.covered == cov1.covered else \
    f"{(cov1.ratio - cov0.ratio) * 100:+.1f} pp"
cols[0].metric(t("col.coverage"), pct(cov1.ratio), delta=delta, help=t("whatif.coverage_help", before=pct(cov0.ratio),
                                                                        covered=cov1.covered, total=cov1.total))
cols[1].metric(t("col.members"), len(members) - len(remove) + len(add), delta=len(add) - len(remove) or None)
met0 = sum(c.status == "met" for c in before.checks)
met1 = sum(c.status == "met" for c in after.checks)
cols[2].metric(widgets.status(ctx, "met"), f"{met1}/{len(after.checks)}", delta=met1 - met0 or None)
cols[3].metric(t("center.eligible"), t("yes") if after.eligible else t("no"),
               delta=None if after.eligible == before.eligible else t("whatif.changed"))

rows = []
for b, a in zip(before.checks, after.checks):
    d = CHECKS[a.id]
    rows.append({t("col.id"): a.id, t("col.check"): d.title_zh if ctx.lang == "zh" else d.title_en,
                 t("whatif.before"): widgets.status(ctx, b.status), t("whatif.after"): widgets.status(ctx, a.status),
                 t("whatif.value_before"): widgets.fmt_value(ctx, b.value), t("whatif.value_after"): widgets.fmt_value(ctx, a.value),
                 t("whatif.changed"): "●" if (b.status, b.value) != (a.status, a.value) else ""})
table = pd.DataFrame(rows)
changed = table[t("whatif.changed")] == "●"
st.markdown(f"**{t('whatif.checks', n=int(changed.sum()))}**")
st.dataframe(table.style.apply(lambda r: ["background-color: #fff3bf" if changed[r.name] else "" for _ in r], axis=1),
             hide_index=True, height=35 * (len(table) + 1) + 3)
for b, a in zip(before.checks, after.checks):
    if (b.status, b.value) != (a.status, a.value):
        st.markdown(f"- **{a.id}** {md(a.message(ctx.lang))}")

gained = sorted(set(cov1.covered_platform_ids) - set(cov0.covered_platform_ids))
lost = sorted(set(cov0.covered_platform_ids) - set(cov1.covered_platform_ids))
c1, c2 = st.columns(2)
c1.markdown(f"**{t('whatif.gained', n=len(gained))}**")
c1.dataframe(pd.DataFrame({t("col.id"): gained, t("col.name"): common.names(ctx, tuple(gained))}), hide_index=True)
c2.markdown(f"**{t('whatif.lost', n=len(lost))}**")
c2.dataframe(pd.DataFrame({t("col.id"): lost, t("col.name"): common.names(ctx, tuple(lost))}), hide_index=True)

# ---- export (the only way an edit leaves the session) --------------------------------------------------------------
if add or remove:
    st.markdown(f"**{t('whatif.export')}**")
    c1, c2 = st.columns(2)
    from graphkit.io.export import table_to_csv_bytes

    c1.download_button(t("whatif.export_members"), lambda: table_to_csv_bytes(wds.frames["alliance_members"]),
                       file_name="alliance_members.csv", mime="text/csv", key=f"{K.DOWNLOAD}:whatif:csv", on_click="ignore")
    c2.download_button(t("whatif.export_xlsx"), lambda: cache.export(wds, "xlsx"), file_name="whatif-dataset.xlsx",
                       key=f"{K.DOWNLOAD}:whatif:xlsx", on_click="ignore",
                       mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
