"""Claims check: an application by names goes through intake (every name's resolution, ambiguous names settled by
the reviewer, then the merged center's checks, coverage and claim verdicts, and the merged data to download);
an application in the dataset template's format, or the loaded data's own claims, are checked as they are."""

import csv
import io

import pandas as pd
import streamlit as st

from app_pages import cache, common, loading, widgets
from app_pages.common import pct
from app_pages.state import K
from graphkit import application_claims, check, claims, coverage, intake
from graphkit.errors import redact
from graphkit.io.application import read_application
from graphkit.io.application_book import SHEETS, read_application_book
from graphkit.io.export import table_to_csv_bytes, table_to_xlsx_bytes
from graphkit.io.intake import merged_zip_bytes, resolution_frame
from graphkit.present.views import names as names_in

ctx = common.page()
t, ds = ctx.t, ctx.ds
st.title(t("claims.title"))
st.caption(t("claims.caption"))


def _shown(v) -> tuple[str, str]:
    if v.claim == "coverage_ratio":
        return pct(v.claimed), pct(v.computed)
    if v.claim == "covered_platforms":
        return t("claims.n_entries", n=len(v.claimed)), t("claims.n_covered", n=len(v.computed))
    return str(v.claimed), str(v.computed)


def _reasons(e) -> str:
    found = getattr(e, "reasons", None)
    if found is None:  # before the rules name every fault, the entry's verdict is its one reason
        found = [] if e.verdict == "ok" else [e.verdict]
    return "；".join(ctx.term(r) for r in found)


def show_verdicts(verdicts, data) -> None:
    """The verdicts with 结论 beside the row (visible at 1440 px), every entry with its verdict and reasons, and a
    CSV/XLSX export of every claim and every entry."""
    counts = pd.Series([v.verdict for v in verdicts]).value_counts()
    cols = st.columns(4)
    for col, code in zip(cols, ("consistent", "overstated", "understated", "unverifiable")):
        col.metric(widgets.verdict(ctx, code), int(counts.get(code, 0)))
    rows, every = [], []
    for v in verdicts:
        claimed, computed = _shown(v)
        center = names_in(data, (v.center_id,))[0]
        rows.append({t("col.row"): v.row, t("col.verdict"): widgets.verdict(ctx, v.verdict), t("col.claim"): ctx.term(v.claim),
                     t("col.claimed"): claimed, t("col.computed"): computed, t("col.field_id"): v.field_id,
                     t("col.center"): f"{center} ({v.center_id})"})
        base = {t("col.row"): v.row, t("col.center"): v.center_id, t("col.claim"): ctx.term(v.claim), t("col.field_id"): v.field_id,
                t("col.claimed"): claimed, t("col.computed"): computed, t("col.verdict"): ctx.term(v.verdict)}
        if not v.entries:
            every.append({**base, t("col.entry"): "", t("col.id"): "", t("col.platform"): "", t("col.entry_verdict"): "",
                          t("col.reasons"): ""})
        platform_names = names_in(data, tuple(e.platform_id or "" for e in v.entries))
        for e, name in zip(v.entries, platform_names):
            every.append({**base, t("col.entry"): e.entry, t("col.id"): e.platform_id or "", t("col.platform"): name if e.platform_id else "",
                          t("col.entry_verdict"): ctx.term(e.verdict), t("col.reasons"): _reasons(e)})
    table = pd.DataFrame(rows)
    st.dataframe(table, hide_index=True, width="stretch",
                 column_config={t("col.row"): st.column_config.NumberColumn(width="small"),
                                t("col.verdict"): st.column_config.TextColumn(width="small")})
    for v in verdicts:
        if not v.entries:
            continue
        ok = sum(e.verdict == "ok" for e in v.entries)
        with st.expander(t("claims.entries", center=names_in(data, (v.center_id,))[0], row=v.row, ok=ok, n=len(v.entries))):
            st.dataframe(pd.DataFrame({
                t("col.entry"): [e.entry for e in v.entries],
                t("col.verdict"): [widgets.verdict(ctx, e.verdict) for e in v.entries],
                t("col.reasons"): [_reasons(e) for e in v.entries],
                t("col.platform"): [f"{n} ({e.platform_id})" if e.platform_id else "" for e, n in
                                    zip(v.entries, names_in(data, tuple(e.platform_id or "" for e in v.entries)))],
                t("col.suggestions"): ["；".join(e.suggestions) for e in v.entries]}), hide_index=True, width="stretch")
            missing = sorted(set(v.computed) - {e.platform_id for e in v.entries})
            if missing:
                shown = [f"{n} ({p})" for p, n in zip(missing[:20], names_in(data, tuple(missing[:20])))]
                st.markdown(t("claims.unclaimed", n=len(missing), ids="、".join(shown)))
    st.caption(t("claims.all_entries"))
    widgets.downloads(ctx, {"claims": pd.DataFrame(every)}, "claims-check", where="claims")


def _decisions_csv(chosen: dict) -> bytes | None:
    if not chosen:
        return None
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(["sheet", "row", "name", "id"])
    for key, value in chosen.items():
        sheet, row, name = key.split("|", 2)
        w.writerow([sheet, row, name, value])
    return buf.getvalue().encode("utf-8")


def _intake(data: bytes, name: str):
    token = loading.upload_token(data)
    everything = st.session_state.get(K.CLAIMS_DECISIONS) or {}
    chosen = everything.get(token, {})
    key = (ctx.token, token, tuple(sorted(chosen.items())))
    kept = st.session_state.get(K.CLAIMS_INTAKE)
    if kept and kept["key"] == key:
        return kept["result"], token, chosen
    with st.spinner(t("claims.reading")):
        result = intake(ds, data, name=name, decisions=_decisions_csv(chosen))
    st.session_state[K.CLAIMS_INTAKE] = {"key": key, "result": result}
    return result, token, chosen


def _settle(token: str, key: str, widget_key: str) -> None:
    value = st.session_state.get(widget_key)
    everything = dict(st.session_state.get(K.CLAIMS_DECISIONS) or {})
    mine = dict(everything.get(token, {}))
    if value:
        mine[key] = value
    else:
        mine.pop(key, None)
    everything[token] = mine
    st.session_state[K.CLAIMS_DECISIONS] = everything


def show_intake(data: bytes, name: str) -> None:
    result, token, chosen = _intake(data, name)
    st.subheader(t("intake.title"))
    st.caption(t("intake.caption"))
    merged = result.dataset
    res = result.resolutions
    n_new = sum(r.resolved_id in result.new_ids for r in res)
    n_amb = sum(r.method == "ambiguous" for r in res)
    st.markdown(t("intake.summary", n=len(res), resolved=sum(bool(r.resolved_id) for r in res) - n_new, new=n_new, ambiguous=n_amb))
    sheet_zh = {k: (s.zh if ctx.lang == "zh" else k) for k, s in SHEETS.items()}
    st.dataframe(pd.DataFrame({
        t("col.sheet"): [sheet_zh.get(r.sheet, r.sheet) for r in res], t("col.row"): [r.row for r in res],
        t("col.name"): [r.name for r in res], t("col.method"): [ctx.term(f"method.{r.method}") for r in res],
        t("col.matched"): [f"{r.resolved_name} ({r.resolved_id})" if r.resolved_id and r.resolved_name else (r.resolved_id or "—") for r in res],
        t("col.score"): ["" if r.score is None else f"{r.score:.2f}" for r in res],
        t("col.candidates"): ["；".join(f"{c.name} ({c.id}, {c.score:.2f})" for c in r.candidates) for r in res]}),
        hide_index=True, width="stretch")
    pending = [r for r in res if r.method == "ambiguous"] + [r for r in res if r.method == "decision" and f"{r.sheet}|{r.row}|{r.name}" in chosen]
    if pending:
        st.markdown(f"**{t('intake.settle')}**")
    for i, r in enumerate(pending):
        key = f"{r.sheet}|{r.row}|{r.name}"
        options = ["", *[c.id for c in r.candidates], "new"]
        if chosen.get(key) and chosen[key] not in options:
            options.insert(1, chosen[key])
        labels = {"": t("intake.choose"), "new": t("intake.new"), **{c.id: f"{c.name} ({c.id}, {c.score:.2f})" for c in r.candidates}}
        wkey = f"{K.CLAIMS_SETTLE}:{i}"
        if wkey not in st.session_state:
            st.session_state[wkey] = chosen.get(key, "")
        st.selectbox(t("intake.settle_one", sheet=sheet_zh.get(r.sheet, r.sheet), row=r.row, name=r.name), options, key=wkey,
                     format_func=lambda o, labels=labels: labels.get(o, o), on_change=_settle, args=(token, key, wkey))
    problems = result.problems
    if n_amb:
        st.info(t("intake.pending", n=n_amb))
    others = [p for p in problems.items if p.code != "ambiguous_name"]
    if others:
        errors = sum(p.severity == "error" for p in others)
        (st.error if errors else st.warning)(t("intake.problems", errors=errors, warnings=len(others) - errors))
        st.code("\n".join(p.format(ctx.lang) for p in others), language=None)
    if not result.ok:
        return
    frame = resolution_frame(result)
    cid = result.center_id
    center_name = names_in(merged, (cid,))[0]
    st.subheader(t("intake.center", name=f"{center_name} ({cid})"))
    outcome = check(merged, cid)[0]
    cov = coverage(merged, cid)[0]
    statuses = pd.Series([c.status for c in outcome.checks])
    cols = st.columns(6)
    cols[0].metric(t("center.eligible"), t("yes") if outcome.eligible else t("no"))
    for col, code in zip(cols[1:5], ("met", "not_met", "insufficient_data", "needs_review")):
        col.metric(widgets.status(ctx, code), f"{int((statuses == code).sum())}/{len(statuses)}")
    cols[5].metric(t("col.coverage"), pct(cov.ratio), help=t("center.coverage_help", covered=cov.covered, total=cov.total))
    with st.expander(t("intake.checks"), expanded=True):
        st.dataframe(pd.DataFrame({t("col.id"): [c.id for c in outcome.checks],
                                   t("col.status"): [widgets.status(ctx, c.status) for c in outcome.checks],
                                   t("col.message"): [c.message(ctx.lang) for c in outcome.checks]}),
                     hide_index=True, width="stretch")
    verdicts = application_claims(result)
    if verdicts:
        st.markdown(f"**{t('intake.verdicts')}**")
        show_verdicts(verdicts, merged)
    st.markdown(f"**{t('intake.downloads')}**")
    c1, c2, c3 = st.columns(3)
    c1.download_button(t("intake.merged_btn"), lambda: merged_zip_bytes(result), file_name=f"{cid}-merged-csv.zip",
                       mime="application/zip", key=f"{K.DOWNLOAD}:intake:zip", on_click="ignore")
    c2.download_button(t("intake.report_btn"), lambda: table_to_csv_bytes(frame), file_name="resolution.csv",
                       mime="text/csv", key=f"{K.DOWNLOAD}:intake:csv", on_click="ignore")
    c3.download_button(t("intake.report_xlsx"), lambda: table_to_xlsx_bytes({"resolution": frame}), file_name="resolution.xlsx",
                       mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                       key=f"{K.DOWNLOAD}:intake:xlsx", on_click="ignore")
    if st.button(t("intake.use"), key=K.CLAIMS_USE):
        st.session_state[K.UPLOADED] = {"token": f"{token}:{len(chosen)}", "name": f"{name} + {loading.current().name}",
                                        "dataset": merged}
        st.success(t("intake.used"))


source = st.radio(t("claims.source"), ["upload", "dataset"], key=K.CLAIMS_SOURCE, horizontal=True,
                  format_func=lambda s: t(f"claims.source_{s}"))
if source == "upload":
    limit_mb, limit_text = common.upload_limit()
    upload = st.file_uploader(t("claims.upload", limit=limit_text), type=["xlsx", "csv"], key=K.CLAIMS_UPLOAD,
                              help=t("claims.upload_help"), max_upload_size=limit_mb)
    if upload is None:
        st.info(t("claims.upload_hint"))
    else:
        try:  # bad input is a list of problems; anything else still ends as a message here, never a crash
            data = upload.getvalue()
            by_names = upload.name.lower().endswith((".xlsx", ".xlsm")) and "center" in read_application_book(data, upload.name).sheets
            if by_names:
                show_intake(data, upload.name)
            else:
                with st.spinner(t("claims.reading")):
                    app = read_application(data, ds, name=upload.name)
                if app.problems.items:
                    (st.error if app.problems.has_errors() else st.warning)(
                        t("claims.problems", errors=len(app.problems.errors), warnings=len(app.problems.warnings)))
                    st.dataframe(widgets.problems_table(ctx, app.problems), hide_index=True)
                    st.code("\n".join(app.problems.format_errors(ctx.lang) + app.problems.format_warnings(ctx.lang)), language=None)
                verdicts = claims(ds, frame=app.claims)
                if app.problems.has_errors() and verdicts:
                    st.caption(t("claims.partial", n=len(verdicts)))
                if verdicts:
                    show_verdicts(verdicts, ds)
        except Exception as exc:  # noqa: BLE001 — Streamlit's own rerun/stop signals are BaseExceptions and pass
            st.error(t("upload.failed", name=upload.name, error=redact(f"{type(exc).__name__}: {exc}")[:300]))
else:
    verdicts = cache.dataset_claims(ctx.token, ds)
    if not verdicts:
        st.info(t("claims.none"))
    else:
        show_verdicts(verdicts, ds)
