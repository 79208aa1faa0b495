"""Data: the dataset in use, uploading another (validated first; a failed upload keeps the previous data), the
template, exports, and a Neo4j server (push the graph, or run the queries on the server)."""

import pandas as pd
import streamlit as st

from app_pages import cache, common, loading, widgets
from app_pages.state import K
from graphkit.errors import redact

ctx = common.page(require_data=False)  # with no data at all, this page still lets the user upload
t, ds = ctx.t, ctx.ds
state = st.session_state
st.title(t("data.title"))

# ---- the data in use ---------------------------------------------------------------------------------------------
if ds is not None:
    st.subheader(t("data.current"))
    st.markdown(t("data.in_use", name=ctx.data.name) + ("  \n" + t("data.uploaded_note") if ctx.data.uploaded else ""))
    counts = ds.counts()
    st.dataframe(pd.DataFrame({t("col.table"): [ctx.term(k) for k in counts], t("col.rows"): list(counts.values())}),
                 hide_index=True, column_config={t("col.rows"): st.column_config.NumberColumn(format="localized")})
    if ds.problems.items:
        with st.expander(t("data.load_warnings", n=len(ds.problems.warnings))):
            st.dataframe(widgets.problems_table(ctx, ds.problems), hide_index=True)
    if ctx.data.uploaded and st.button(t("data.back_to_default"), key=f"{K.OPEN}:data:default"):
        loading.forget_upload()
        st.rerun()
else:
    report = loading.default_report()
    if report is not None and report.problems.items:  # the default data exists but is invalid: say where
        st.dataframe(widgets.problems_table(ctx, report.problems), hide_index=True)

# ---- upload ------------------------------------------------------------------------------------------------------
st.subheader(t("data.upload"))
st.caption(t("data.upload_help"))
limit_mb, limit_text = common.upload_limit()
upload = st.file_uploader(t("data.upload_label", limit=limit_text), type=["zip", "xlsx", "ttl", "jsonld"], key=K.UPLOAD,
                          max_upload_size=limit_mb)
if upload is not None:
    payload = upload.getvalue()
    digest = loading.upload_token(payload)
    if state.get(K.UPLOAD_DONE) != digest:
        from graphkit import validate_dataset

        with st.status(t("data.validating", name=upload.name)) as status:
            try:  # bad data is a list of problems; anything else still ends as a message here, never a crash
                report = validate_dataset(payload, name=upload.name)
            except Exception as exc:
                report = None
                state[K.UPLOAD_RESULT] = {"failed": redact(f"{type(exc).__name__}: {exc}")[:300], "name": upload.name}
                status.update(label=t("data.invalid", name=upload.name), state="error")
            else:
                state[K.UPLOAD_RESULT] = {"ok": report.ok, "name": upload.name, "problems": report.problems,
                                          "counts": report.counts}
                status.update(label=t("data.valid" if report.ok else "data.invalid", name=upload.name),
                              state="complete" if report.ok else "error")
            state[K.UPLOAD_DONE] = digest
        if report is not None and report.ok:
            loading.accept_upload(upload.name, payload, report)
            st.rerun()
result = state.get(K.UPLOAD_RESULT)
if result and "failed" in result:
    st.error(t("upload.failed", name=result["name"], error=result["failed"]))
elif result:
    problems = result["problems"]
    if result["ok"]:
        st.success(t("data.accepted", name=result["name"], warnings=len(problems.warnings)))
    else:
        st.error(t("data.rejected", name=result["name"], errors=len(problems.errors), warnings=len(problems.warnings)))
    if problems.items:
        st.dataframe(widgets.problems_table(ctx, problems), hide_index=True)
        st.code("\n".join(problems.format_errors(ctx.lang) + problems.format_warnings(ctx.lang)), language=None)

# ---- assessments: a review recorded elsewhere (or earlier), reloaded into this session ---------------------------
if ds is not None:
    st.subheader(t("review.title"))
    st.caption(t("review.data_help"))
    widgets.assessments_panel(ctx, where="data", uploader_key=K.R_UPLOAD_DATA)

# ---- template and exports -------------------------------------------------------------------------------------------


def template() -> bytes | None:
    """The data template workbook: the checked-in one, else written by graphkit.io.template."""
    path = loading.ROOT / "data" / "template.xlsx"
    if path.exists():
        return path.read_bytes()
    try:
        from graphkit.io.template import template_bytes
    except ImportError:
        return None
    return template_bytes()


st.subheader(t("data.template"))
st.caption(t("data.template_help"))
data = template()
if data is None:
    st.info(t("data.no_template"))
else:
    st.download_button(t("data.template_btn"), data, file_name="graphkit-template.xlsx", key=f"{K.DOWNLOAD}:template",
                       mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", on_click="ignore")

if ds is None:
    st.stop()  # nothing to export or push yet
st.subheader(t("data.export"))
SUFFIX = {"turtle": "ttl", "jsonld": "jsonld", "graphml": "graphml", "gexf": "gexf", "csv": "zip", "xlsx": "xlsx"}
c1, c2 = st.columns([2, 1])
fmt = c1.selectbox(t("data.export_format"), list(SUFFIX), key=K.EXPORT_FORMAT, format_func=lambda f: t(f"format.{f}"))
c2.download_button(t("data.export_btn"), lambda: cache.export(ds, fmt), file_name=f"graphkit-data.{SUFFIX[fmt]}",
                   key=f"{K.DOWNLOAD}:export", on_click="ignore")

# ---- Neo4j -----------------------------------------------------------------------------------------------------------
st.subheader(t("neo4j.title"))
st.caption(t("neo4j.help"))


def secrets() -> dict:
    try:
        return dict(st.secrets.get("neo4j", {}))
    except Exception:  # no secrets file: the form is the only source
        return {}


defaults = secrets()
with st.form(K.NEO4J_FORM):
    c1, c2 = st.columns(2)
    uri = c1.text_input(t("neo4j.uri"), value=defaults.get("uri", "bolt://localhost:7687"), key=K.NEO4J_URI)
    database = c2.text_input(t("neo4j.database"), value=defaults.get("database", ""), key=K.NEO4J_DATABASE)
    user = c1.text_input(t("neo4j.user"), value=defaults.get("user", "neo4j"), key=K.NEO4J_USER)
    password = c2.text_input(t("neo4j.password"), value=defaults.get("password", ""), type="password", key=K.NEO4J_PASSWORD)
    b1, b2 = st.columns(2)
    push = b1.form_submit_button(t("neo4j.push"))
    query = b2.form_submit_button(t("neo4j.query"))

if push or query:
    try:
        from graphkit.neo4j import engine as cypher
    except ImportError:
        cypher = None
        state[K.NEO4J_RESULT] = {"error": t("neo4j.missing")}
    if cypher is not None:
        args = dict(user=user or None, password=password or None, database=database or None)
        try:
            if push:
                bar = st.progress(0.0, text=t("neo4j.pushing"))

                def progress(message: str, done: int, total: int) -> None:
                    bar.progress(min(1.0, done / total) if total else 0.0, text=str(message))

                cypher.push(ds, uri, progress=progress, **args)
                bar.progress(1.0, text=t("neo4j.pushed"))
                state[K.NEO4J_RESULT] = {"message": t("neo4j.pushed")}
            else:
                with st.spinner(t("neo4j.querying")), cypher.CypherEngine(uri, **args) as engine:
                    gaps = [g.to_dict() for g in engine.gaps()]
                    coverage = [c.to_dict() for c in engine.coverage(with_via=False)]
                state[K.NEO4J_RESULT] = {"gaps": gaps, "coverage": coverage, "message": t("neo4j.answered", uri=redact(uri, password))}
        except Exception as exc:  # a server error is the user's to read, never a crash; scrubbed of the password
            state[K.NEO4J_RESULT] = {"error": t("neo4j.failed", error=redact(f"{type(exc).__name__}: {exc}", password)[:500])}

answer = state.get(K.NEO4J_RESULT)
if answer:
    if answer.get("error"):
        st.error(answer["error"])
    if answer.get("message"):
        st.success(answer["message"])
    for name, title in (("gaps", t("neo4j.gaps")), ("coverage", t("neo4j.coverage"))):
        if answer.get(name):
            st.markdown(f"**{title}**")
            frame = pd.DataFrame(answer[name])
            st.dataframe(frame[[c for c in frame.columns if not c.endswith("platform_ids") and c != "via"]], hide_index=True)
