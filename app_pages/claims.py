"""Claims check: what an application asserts (coverage ratio, covered platforms, member count) against what the
data says — the claims of the loaded data, or of an uploaded application workbook in the template's format."""

import pandas as pd
import streamlit as st

from app_pages import cache, common, widgets
from app_pages.common import pct
from app_pages.state import K
from graphkit import claims
from graphkit.io.application import read_application

ctx = common.page()
t, ds = ctx.t, ctx.ds
st.title(t("claims.title"))
st.caption(t("claims.caption"))

source = st.radio(t("claims.source"), ["upload", "dataset"], key=K.CLAIMS_SOURCE, horizontal=True,
                  format_func=lambda s: t(f"claims.source_{s}"))
verdicts = []
if source == "upload":
    upload = st.file_uploader(t("claims.upload"), type=["xlsx", "csv"], key=K.CLAIMS_UPLOAD, help=t("claims.upload_help"))
    if upload is None:
        st.info(t("claims.upload_hint"))
    else:
        with st.spinner(t("claims.reading")):
            try:  # bad input is a list of problems; anything else still ends as a message here, never a crash
                app = read_application(upload.getvalue(), ds, name=upload.name)
            except Exception as exc:
                app = None
                st.error(t("upload.failed", name=upload.name, error=f"{type(exc).__name__}: {exc}"[:300]))
        if app is not None and app.problems.items:
            (st.error if app.problems.has_errors() else st.warning)(
                t("claims.problems", errors=len(app.problems.errors), warnings=len(app.problems.warnings)))
            st.dataframe(widgets.problems_table(ctx, app.problems), hide_index=True)
            st.code("\n".join(app.problems.format_errors(ctx.lang) + app.problems.format_warnings(ctx.lang)), language=None)
        verdicts = claims(ds, frame=app.claims) if app is not None else []
        if app is not None and app.problems.has_errors() and verdicts:
            st.caption(t("claims.partial", n=len(verdicts)))
else:
    verdicts = cache.dataset_claims(ctx.token, ds)
    if not verdicts:
        st.info(t("claims.none"))


def _shown(v) -> tuple[str, str]:
    if v.claim == "coverage_ratio":
        return pct(v.claimed), pct(v.computed)
    if v.claim == "covered_platforms":
        return t("claims.n_entries", n=len(v.claimed)), t("claims.n_covered", n=len(v.computed))
    return str(v.claimed), str(v.computed)


if verdicts:
    counts = pd.Series([v.verdict for v in verdicts]).value_counts()
    cols = st.columns(4)
    for col, code in zip(cols, ("consistent", "overstated", "understated", "unverifiable")):
        col.metric(widgets.verdict(ctx, code), int(counts.get(code, 0)))
    rows = []
    for v in verdicts:
        claimed, computed = _shown(v)
        rows.append({t("col.row"): v.row, t("col.center"): common.label_of(ctx, v.center_id), t("col.field_id"): v.field_id,
                     t("col.claim"): ctx.term(v.claim), t("col.claimed"): claimed, t("col.computed"): computed,
                     t("col.verdict"): widgets.verdict(ctx, v.verdict)})
    table = pd.DataFrame(rows)
    st.dataframe(table, hide_index=True)
    for v in verdicts:
        if not v.entries:
            continue
        ok = sum(e.verdict == "ok" for e in v.entries)
        with st.expander(t("claims.entries", center=common.label_of(ctx, v.center_id), row=v.row, ok=ok, n=len(v.entries))):
            st.dataframe(pd.DataFrame({
                t("col.entry"): [e.entry for e in v.entries], t("col.id"): [e.platform_id or "" for e in v.entries],
                t("col.name"): common.names(ctx, tuple(e.platform_id or "" for e in v.entries)),
                t("col.verdict"): [widgets.verdict(ctx, e.verdict) for e in v.entries],
                t("col.suggestions"): ["；".join(e.suggestions) for e in v.entries]}), hide_index=True)
            missing = sorted(set(v.computed) - {e.platform_id for e in v.entries})
            if missing:
                st.markdown(t("claims.unclaimed", n=len(missing), ids="、".join(missing[:20])))
    widgets.downloads(ctx, {"claims": table}, "claims-check", where="claims")
