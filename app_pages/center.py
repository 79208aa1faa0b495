"""Center: every check as a checklist with the notice's words and the evidence; coverage by platform kind and
the missing platforms; reach; the ego network; whom to recruit; the review report and the tables to download."""

import pandas as pd
import streamlit as st

from app_pages import cache, common, widgets
from app_pages.common import label_of, md, pct
from app_pages.state import K, persistent_select
from graphkit.engine import EmbeddedEngine
from graphkit.checks.provenance import is_synthetic, synthetic_facts
from graphkit.model.notice import CHECKS
from graphkit.present.evidence import evidence_detail

ctx = common.page()
t, ds = ctx.t, ctx.ds
st.title(t("center.title"))
names = dict(zip(ds.frames["centers"]["center_id"], ds.frames["centers"]["name"]))
center = persistent_select(t("center.pick"), sorted(names), K.CENTER, format_func=lambda c: f"{names[c]} ({c})")
rec = ds.center(center)
field = ds.fields[rec.field_id]
st.subheader(md(rec.name))
st.caption(" · ".join(x for x in (
    ctx.term(rec.level), md(f"{rec.field_id} {field.name(ctx.lang)}"), md(" ".join(dict.fromkeys(x for x in (rec.province, rec.city) if x))),
    t("center.founded", date=rec.founded) if rec.founded else "",
    t("center.opco", name=label_of(ctx, rec.operating_company_id)) if rec.operating_company_id else "") if x))
if (rec.source or "").strip().lower() == "synthetic":
    st.warning(t("center.synthetic"), icon="⚠️")

today = cache.today()
result = cache.checks(ctx.token, ds, center, today)
cov = cache.coverage(ctx.token, ds, center)
statuses = pd.Series([c.status for c in result.checks])
cols = st.columns(6)
cols[0].metric(t("center.eligible"), t("yes") if result.eligible else t("no"), help=t("center.eligible_help"))
for col, code in zip(cols[1:5], ("met", "not_met", "insufficient_data", "needs_review")):
    col.metric(widgets.status(ctx, code), f"{int((statuses == code).sum())}/{len(statuses)}")
cols[5].metric(t("col.coverage"), pct(cov.ratio), help=t("center.coverage_help", covered=cov.covered, total=cov.total))

tabs = st.tabs([t("center.tab_checks"), t("center.tab_review"), t("center.tab_coverage"), t("center.tab_reach"), t("center.tab_network"),
                t("center.tab_recruit"), t("center.tab_downloads")])

# ---- checks ------------------------------------------------------------------------------------------------------
check_rows = pd.DataFrame([{
    t("col.id"): c.id, t("col.check"): CHECKS[c.id].title_zh if ctx.lang == "zh" else CHECKS[c.id].title_en,
    t("col.status"): widgets.status(ctx, c.status), t("col.value"): widgets.fmt_value(ctx, c.value),
    t("col.threshold"): widgets.fmt_value(ctx, c.threshold), t("col.kind"): ctx.term(c.kind)} for c in result.checks])
evidence_ids: list[tuple[str, str]] = []
with tabs[0]:
    st.caption(t("center.checks_help", date=result.as_of))
    st.dataframe(check_rows, hide_index=True, height=35 * (len(check_rows) + 1) + 3)
    for c in result.checks:
        d = CHECKS[c.id]
        title = d.title_zh if ctx.lang == "zh" else d.title_en
        with st.expander(f"{widgets.STATUS_ICON.get(c.status, '')} {c.id} · {title} — {ctx.term(c.status)}"):
            st.markdown(f"**{t('center.notice')}**")
            st.caption(d.clause_zh)
            st.markdown(f"**{t('center.explanation')}**：{md(c.message(ctx.lang))}")
            if c.status in ("not_met", "insufficient_data") and not is_synthetic(rec.source):
                facts = synthetic_facts(ds, center, c)  # a real center failing on synthetic facts says so
                if facts:
                    st.warning(t("center.synthetic_facts", facts=t("sep").join(
                        md(f"{ctx.term(f['table'])}" + (f" ({', '.join(f['columns'])})" if f["columns"] else
                                                        " " + t("center.synthetic_fact", table="", n=f["synthetic_rows"],
                                                                total=f["rows"]).strip()))
                        for f in facts)), icon="⚠️")
            st.markdown(f"**{t('col.value')}**：{md(widgets.fmt_value(ctx, c.value))} · "
                        f"**{t('col.threshold')}**：{md(widgets.fmt_value(ctx, c.threshold))}")
            if c.assessment:
                st.markdown(t("center.assessed", computed=ctx.term(c.computed_status), status=ctx.term(c.status),
                               who=c.assessment.get("assessor") or "—", date=c.assessment.get("date") or "—"))
            if c.evidence:
                kinds = [ds.kind_of(e) for e in c.evidence]
                detail = evidence_detail(EmbeddedEngine(ds), c, ctx.lang)  # SPEC §10: edges by both ends' names
                st.dataframe(pd.DataFrame({t("col.evidence"): c.evidence, t("col.kind"): [ctx.term(d["type"]) for d in detail],
                                           t("col.name"): [d["name"] for d in detail]}),
                             hide_index=True)
                evidence_ids += [(c.id, e) for e, k in zip(c.evidence, kinds) if k in ("org", "platform", "center")]
    if evidence_ids:
        st.markdown(f"**{t('center.drill')}**")
        unique = list(dict.fromkeys(e for _, e in evidence_ids))
        pick = st.selectbox(t("center.drill_pick"), unique, key=K.EVIDENCE, format_func=lambda e: label_of(ctx, e))
        widgets.details(ctx, pick, where="evidence")

# ---- the review: a reviewer's decision per check, kept in this session --------------------------------------------
with tabs[1]:
    import datetime as _dt

    from app_pages import loading
    from graphkit.present.review import reviewable_checks

    st.caption(t("review.help"))
    first = reviewable_checks(result)
    order = first + [c.id for c in result.checks if c.id not in first]
    by_id = {c.id: c for c in result.checks}

    def _check_label(cid: str) -> str:
        d = CHECKS[cid]
        return f"{cid} · {d.title_zh if ctx.lang == 'zh' else d.title_en} — {ctx.term(by_id[cid].status)}"

    with st.form(K.R_FORM, clear_on_submit=False):
        pick = st.selectbox(t("review.check"), order, key=K.R_CHECK, format_func=_check_label)
        c1, c2 = st.columns(2)
        decision = c1.radio(t("review.decision"), ["met", "not_met"], key=K.R_STATUS, horizontal=True,
                            format_func=lambda s: widgets.status(ctx, s))
        when = c2.date_input(t("review.date"), value=_dt.date.today(), key=K.R_DATE, format="YYYY-MM-DD")
        who = c1.text_input(t("review.name"), key=K.R_NAME)
        evidence = c2.text_input(t("review.evidence"), key=K.R_EVIDENCE, help=t("review.evidence_help"))
        note = st.text_area(t("review.note"), key=K.R_NOTE, height=80)
        submitted = st.form_submit_button(t("review.record"), type="primary")
    if submitted:
        if not (who or "").strip():
            st.error(t("review.need_name"))
        else:
            loading.record(ctx.data.review_token, [{
                "center_id": center, "check_id": pick, "status": decision, "assessor": who.strip(),
                "date": (when or _dt.date.today()).isoformat(), "note": (note or "").strip() or None,
                "evidence": (evidence or "").strip() or None}])
            st.rerun()
    st.markdown(f"**{t('review.session')}**")
    widgets.assessments_panel(ctx, where="center", uploader_key=K.R_UPLOAD)

# ---- coverage ----------------------------------------------------------------------------------------------------
with tabs[2]:
    if cov.total == 0:
        st.info(t("center.undefined"))
    c1, c2, c3 = st.columns(3)
    c1.metric(t("col.covered"), cov.covered)
    c2.metric(t("col.total"), cov.total)
    c3.metric(t("col.coverage"), pct(cov.ratio), help=t("center.coverage_help", covered=cov.covered, total=cov.total))
    kinds = pd.DataFrame([{t("col.platform_kind"): ctx.term(k), t("col.covered"): v["covered"], t("col.total"): v["total"],
                           t("col.coverage"): v["covered"] / v["total"]} for k, v in cov.by_kind.items()])
    if len(kinds):
        st.markdown(f"**{t('center.by_kind')}**")
        st.dataframe(kinds, hide_index=True, column_config={
            t("col.coverage"): st.column_config.ProgressColumn(format="percent", min_value=0, max_value=1)})
    plat = cache.platforms(ctx.token, ds, rec.field_id).set_index("platform_id")
    left, right = st.columns(2)
    with left:
        st.markdown(f"**{t('center.covered_list', n=cov.covered)}**")
        covered = plat.loc[cov.covered_platform_ids]  # one indexer lookup for the whole list
        st.dataframe(pd.DataFrame({t("col.id"): cov.covered_platform_ids,
                                   t("col.name"): covered["name"].tolist(),
                                   t("col.platform_kind"): [ctx.term(k) for k in covered["kind"].tolist()],
                                   t("col.via"): ["、".join(common.names(ctx, tuple(cov.via.get(p, ()))))
                                                  for p in cov.covered_platform_ids]}), hide_index=True)
    with right:
        uncovered_ids = list(cov.uncovered_platform_ids)
        uncovered = plat.loc[uncovered_ids]
        st.markdown(f"**{t('center.uncovered_list', n=len(uncovered_ids))}**")
        st.dataframe(pd.DataFrame({t("col.id"): uncovered_ids,
                                   t("col.name"): uncovered["name"].tolist(),
                                   t("col.platform_kind"): [ctx.term(k) for k in uncovered["kind"].tolist()],
                                   t("col.hosts"): ["、".join(h) for h in uncovered["hosts"].tolist()]}),
                     hide_index=True)
    members = cache.members(ctx.token, ds, center)
    st.markdown(f"**{t('center.members', n=len(members))}**")
    st.dataframe(members.assign(group=members["group"].map(ctx.term), role=members["role"].map(lambda r: ctx.term(r or "member")),
                                country=members["country"].map(lambda c: ctx.country(c) if c else ""),
                                province=members["province"].fillna(""))
                 .rename(columns=lambda c: t(f"col.{c}")), hide_index=True)
    pick = st.selectbox(t("center.drill_pick"), [*cov.covered_platform_ids, *cov.uncovered_platform_ids, *members["member_id"]],
                        key=K.COVERAGE_PICK, format_func=lambda e: label_of(ctx, e))
    widgets.details(ctx, pick, where="coverage")

# ---- reach -------------------------------------------------------------------------------------------------------
with tabs[3]:
    hops = st.slider(t("center.hops"), 1, 4, 2, key=K.HOPS, help=t("center.hops_help"))
    r = cache.reach(ctx.token, ds, center, hops)
    c1, c2 = st.columns(2)
    c1.metric(t("center.reached"), r.reached)
    c2.metric(t("center.foreign"), r.foreign)
    c1, c2, c3 = st.columns(3)
    c1.dataframe(pd.DataFrame({t("col.kind"): [ctx.term(k) for k in r.by_kind], t("col.count"): list(r.by_kind.values())}),
                 hide_index=True)
    c2.dataframe(pd.DataFrame({t("col.country"): [ctx.country(k) for k in r.countries], t("col.count"): list(r.countries.values())})
                 .sort_values(t("col.count"), ascending=False), hide_index=True)
    c3.dataframe(pd.DataFrame({t("col.province"): list(r.provinces), t("col.count"): list(r.provinces.values())})
                 .sort_values(t("col.count"), ascending=False), hide_index=True)

# ---- ego network -------------------------------------------------------------------------------------------------
with tabs[4]:
    cap = st.slider(t("net.cap"), 50, 1000, 300, step=50, key=K.EGO_CAP, help=t("net.cap_help"))
    view = cache.ego(ctx.token, ds, center, cap, ctx.lang)
    st.caption(t("center.network_help"))
    widgets.network_with_details(ctx, view, key=K.EGO_CLICK, selected_key=K.EGO_SELECTED, where="ego")

# ---- recruitment -------------------------------------------------------------------------------------------------
recruit = cache.recruit(ctx.token, ds, center)
recruit_rows = pd.DataFrame({
    t("col.id"): recruit.orgs, t("col.name"): common.names(ctx, tuple(recruit.orgs)),
    t("col.newly"): [len(recruit.newly_reached.get(o, ())) for o in recruit.orgs],
    t("col.platforms"): ["、".join(common.names(ctx, tuple(recruit.newly_reached.get(o, ())))) for o in recruit.orgs]})
with tabs[5]:
    if recruit.total == 0:
        st.info(t("center.undefined"))
    elif recruit.needed == 0:
        st.success(t("center.no_recruit", ratio=pct(recruit.ratio_before)))
    else:
        c1, c2, c3 = st.columns(3)
        c1.metric(t("center.before_after"), f"{pct(recruit.ratio_before)} → {pct(recruit.ratio_after)}")
        c2.metric(t("center.needed"), recruit.needed)
        c3.metric(t("center.minimal"), t(f"minimal.{recruit.minimal}"))
        if recruit.covered_after < recruit.covered_before + recruit.needed:
            st.warning(t("center.unreachable"))
        st.markdown(t("center.recruit_help", n=len(recruit.orgs), candidates=recruit.candidates))
        st.dataframe(recruit_rows, hide_index=True)
        if recruit.smallest_orgs:
            st.info(t("center.smallest", ids="、".join(recruit.smallest_orgs)))
        if recruit.orgs and st.button(t("center.try_whatif"), key=f"{K.OPEN}:center:whatif"):
            edits = st.session_state.setdefault(K.WHATIF, {})
            edits[center] = {"add": list(recruit.orgs), "remove": []}
            st.switch_page(common.PAGE_FILE["whatif"])

# ---- downloads ---------------------------------------------------------------------------------------------------
with tabs[6]:
    st.markdown(f"**{t('center.report')}**")
    c1, c2 = st.columns(2)
    for col, fmt, mime in ((c1, "html", "text/html"), (c2, "md", "text/markdown")):
        col.download_button(t(f"center.report_{fmt}"), lambda fmt=fmt: cache.report(ds, center, fmt, ctx.lang, today),
                            file_name=f"report-{center}.{fmt}", mime=mime, key=f"{K.DOWNLOAD}:report:{fmt}", on_click="ignore")
    st.markdown(f"**{t('center.tables')}**")
    coverage_rows = pd.DataFrame({"platform_id": [*cov.covered_platform_ids, *cov.uncovered_platform_ids],
                                  "covered": [True] * cov.covered + [False] * len(cov.uncovered_platform_ids)})
    widgets.downloads(ctx, {"checks": check_rows, "coverage": coverage_rows, "members": members, "recruitment": recruit_rows},
                      f"center-{center}", where="center")
