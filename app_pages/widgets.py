"""Panels used by several pages: a clickable network with the selected node's details, check statuses,
downloads of tables, the synthetic-data banner."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from app_pages import cache
from app_pages.common import Ctx, label_of, md, open_center, open_field, open_node, pct
from app_pages.state import K
from graphkit.checks.provenance import real_sources

# Text symbols, not emoji: an intranet desktop may have no colour-emoji font, and these are in common fonts.
STATUS_ICON = {"met": "✔", "not_met": "✘", "insufficient_data": "⚠", "needs_review": "✎"}
VERDICT_ICON = {"consistent": "✔", "overstated": "▲", "understated": "▼", "unverifiable": "?", "ok": "✔",
                "not_in_registry": "✘", "wrong_field": "✘", "host_not_member": "✘", "inactive": "⚠"}


def status(ctx: Ctx, code: str) -> str:
    return f"{STATUS_ICON.get(code, '')} {ctx.term(code)}"


def verdict(ctx: Ctx, code: str) -> str:
    return f"{VERDICT_ICON.get(code, '')} {ctx.term(code)}"


def synthetic_banner(ctx: Ctx) -> None:
    """A visible warning saying which tables hold synthetic rows, and how many."""
    prov = ctx.ds.provenance()
    parts = []
    for table, by_source in prov.items():
        n = sum(v for k, v in by_source.items() if k.strip().lower() == "synthetic")
        if n:
            parts.append(ctx.t("prov.part", table=ctx.term(table), n=n, total=sum(by_source.values())))
    if parts:
        st.warning(ctx.t("prov.banner", parts=ctx.t("sep").join(parts)), icon="⚠️")
        real = real_sources(prov, ctx.lang)
        if real:  # per table, what is real and where it comes from
            st.caption(ctx.t("prov.real", parts=ctx.t("sep").join(
                f"{ctx.term(table)}: " + "、".join(f"{label} {n}" for label, n in by.items()) for table, by in real.items())))


def _view_options(ctx: Ctx, view, key: str):
    """The controls above a network: size or colour the nodes by a metric, labels on or off. Returns the nodes to
    draw, the legend's note on what sizes or colours mean, and whether to draw labels."""
    from graphkit.present.metrics import METRICS
    from graphkit.present.viz import scale_nodes

    c1, c2, c3 = st.columns([2, 2, 1])
    metric = c1.selectbox(ctx.t("net.metric"), ["none", *METRICS], key=f"{K.NET_METRIC}:{key}",
                          format_func=lambda m: ctx.t(f"metric.{m}"))
    mode = c2.radio(ctx.t("net.mode"), ["size", "color"], key=f"{K.NET_MODE}:{key}", horizontal=True,
                    format_func=lambda m: ctx.t(f"net.mode_{m}"), disabled=metric == "none")
    labels = c3.toggle(ctx.t("net.labels"), value=True, key=f"{K.NET_LABELS}:{key}")
    if metric == "none":
        return view.nodes, None, labels
    values = cache.node_metric(ctx.token, ctx.ds, tuple(view.node_ids()), metric)
    nodes, span = scale_nodes(view.nodes, values, mode, lo=0.0, hi=1.0 if metric == "coverage" else None)
    if span is None:
        return nodes, ctx.t("net.metric_none", metric=ctx.t(f"metric.{metric}")), labels
    shown = (lambda v: pct(v, 0)) if metric == "coverage" else (lambda v: f"{v:,.0f}")
    note = ctx.t(f"net.note_{mode}", metric=ctx.t(f"metric.{metric}"), lo=shown(span[0]), hi=shown(span[1]))
    return nodes, note, labels


def network(ctx: Ctx, view, *, key: str, selected_key: str, height: int = 560, on_click=None,
            export_name: str | None = None) -> str | None:
    """Draw a view with the click-to-select component; returns the selected node id (kept under ``selected_key``).
    A click keeps the node under ``selected_key``, calls ``on_click(node_id)`` and reruns the page."""
    from app_components.network import network as component

    if view.aggregated or view.dropped_edges:
        st.caption(ctx.t("net.capped", shown=len(view.nodes), matched=view.matched_nodes,
                         aggregated=view.aggregated, dropped=view.dropped_edges))
    if not view.nodes:
        st.info(ctx.t("net.empty"))
        return None
    nodes, note, labels = _view_options(ctx, view, key)
    selected = st.session_state.get(selected_key)
    clicked = component(nodes, view.edges, key=key, height=height, lang=ctx.lang,
                        selected=selected if selected in set(view.node_ids()) else None, labels=labels,
                        legend_note=note, export_name=export_name or key)
    clicks = st.session_state.setdefault(K.CLICKS, {})
    if clicked and clicked.get("ts") != clicks.get(key):
        clicks[key] = clicked.get("ts")
        st.session_state[selected_key] = clicked["id"]
        if on_click is not None:
            on_click(clicked["id"])
        st.rerun()
    st.caption(ctx.t("net.hint"))
    return selected


def network_with_details(ctx: Ctx, view, *, key: str, selected_key: str, where: str) -> None:
    """The network on the left, the clicked node's details on the right (the center and field pages)."""
    left, right = st.columns([3, 1])
    with left:
        selected = network(ctx, view, key=key, selected_key=selected_key)
    with right:
        st.markdown(f"**{ctx.t('explorer.selected')}**")
        if not selected:
            st.caption(ctx.t("explorer.nothing_here"))
        details(ctx, selected, where=where)


def details(ctx: Ctx, node_id: str | None, *, where: str) -> None:
    """The selected node's record and links, with buttons that open it (``where`` keeps the keys unique)."""
    if not node_id:
        return
    if node_id.startswith("agg:"):
        st.info(ctx.t("net.aggregate"))
        return
    info = cache.node_info(ctx.token, ctx.ds, node_id)
    if info is None:
        return
    entity = info["entity"]
    st.markdown(f"**{md(info['name'])}** · {md(node_id)} · {ctx.term(entity)}")
    rows: list[tuple[str, str]] = []
    if entity == "center":
        field = ctx.ds.fields.get(info["field_id"])
        rows += [(ctx.t("col.level"), ctx.term(info["level"])),
                 (ctx.t("col.field"), f"{info['field_id']} {field.name(ctx.lang) if field else ''}"),
                 (ctx.t("col.province"), " ".join(x for x in (info.get("province"), info.get("city")) if x)),
                 (ctx.t("col.members"), str(info["members"])),
                 (ctx.t("col.coverage"), f"{info['covered']}/{info['total']} ({pct(info['ratio'])})")]
    elif entity == "org":
        rows += [(ctx.t("col.kind"), ctx.term(info["kind"])), (ctx.t("col.country"), ctx.country(info.get("country"))),
                 (ctx.t("col.province"), info.get("province") or ""),
                 (ctx.t("col.sme"), ctx.term({True: "yes", False: "no"}.get(info.get("is_sme"), "unknown"))),
                 (ctx.t("col.aliases"), "、".join(info.get("aliases") or ())),
                 (ctx.t("col.member_of"), _labels(ctx, info["member_of"])),
                 (ctx.t("col.shareholder_of"), _labels(ctx, info["shareholder_of"])),
                 (ctx.t("col.hosts_platforms"), _labels(ctx, info["hosts"])),
                 (ctx.t("col.collaborations"), str(info["collaborations"]))]
    else:
        rows += [(ctx.t("col.kind"), ctx.term(info["kind"])), (ctx.t("col.fields"), "、".join(info["field_ids"])),
                 (ctx.t("col.hosts"), _labels(ctx, info["host_ids"])), (ctx.t("col.status"), ctx.term(info.get("status") or "active")),
                 (ctx.t("col.approved"), str(info.get("approved") or "")),
                 (ctx.t("col.reached_by"), _labels(ctx, info["reached_by"]))]
    for label, value in rows:
        if value:
            st.markdown(f"**{md(label)}**：{md(value)}")
    # stacked, not in columns: the panel is often a narrow column beside a network view
    if entity == "center" and st.button(ctx.t("btn.open_center"), key=f"{K.OPEN}:{where}:center", width="stretch"):
        open_center(node_id)
    if entity == "org" and info["member_of"]:
        target = st.selectbox(ctx.t("col.member_of"), info["member_of"], key=f"{K.OPEN}:{where}:pick",
                              format_func=lambda c: label_of(ctx, c))
        if st.button(ctx.t("btn.open_center"), key=f"{K.OPEN}:{where}:member_center", width="stretch"):
            open_center(target)
    if entity == "platform" and st.button(ctx.t("btn.open_field"), key=f"{K.OPEN}:{where}:field", width="stretch"):
        open_field(info["field_ids"][0])
    if st.button(ctx.t("btn.neighbourhood"), key=f"{K.OPEN}:{where}:nbr", width="stretch"):
        open_node(node_id)


def _labels(ctx: Ctx, ids, limit: int = 12) -> str:
    ids = list(ids)
    shown = [label_of(ctx, i) for i in ids[:limit]]
    more = ctx.t("more", n=len(ids) - limit) if len(ids) > limit else ""
    return "、".join(shown) + more


def downloads(ctx: Ctx, frames: dict[str, pd.DataFrame], basename: str, *, where: str) -> None:
    """CSV (zipped when several tables) and XLSX downloads of display tables."""
    c1, c2 = st.columns(2)
    single = len(frames) == 1
    if single:
        from graphkit.io.export import table_to_csv_bytes

        frame = next(iter(frames.values()))
        c1.download_button(ctx.t("btn.csv"), lambda: table_to_csv_bytes(frame), file_name=f"{basename}.csv",
                           mime="text/csv", key=f"{K.DOWNLOAD}:{where}:csv", on_click="ignore")
    else:
        c1.download_button(ctx.t("btn.csv_zip"), lambda: cache.tables_csv_zip(frames), file_name=f"{basename}-csv.zip",
                           mime="application/zip", key=f"{K.DOWNLOAD}:{where}:csv", on_click="ignore")
    c2.download_button(ctx.t("btn.xlsx"), lambda: cache.tables_xlsx(frames), file_name=f"{basename}.xlsx",
                       mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                       key=f"{K.DOWNLOAD}:{where}:xlsx", on_click="ignore")


def problems_table(ctx: Ctx, problems) -> pd.DataFrame:
    """Validation problems as a table: severity, file, row, column, message."""
    rows = [(ctx.term(p.severity), p.file, p.row, p.column, p.message(ctx.lang))
            for p in problems.errors + problems.warnings]
    return pd.DataFrame(rows, columns=[ctx.t("col.severity"), ctx.t("col.file"), ctx.t("col.row"),
                                       ctx.t("col.column"), ctx.t("col.message")])


def fmt_value(ctx: Ctx, value) -> str:
    """A check's value or threshold as text: ratios in percent, codes in words, dicts as "name value; …"."""
    if value is None:
        return "—"
    if isinstance(value, bool):
        return ctx.term("yes" if value else "no")
    if isinstance(value, float):
        return pct(value) if 0 <= value <= 1 else f"{value:g}"
    if isinstance(value, dict):
        return ctx.t("sep").join(f"{ctx.term(k)} {fmt_value(ctx, v)}" for k, v in value.items())
    if isinstance(value, (list, tuple)):
        return "、".join(ctx.term(v) for v in value) if value else "—"
    return ctx.term(value) if isinstance(value, str) else str(value)


def assessments_panel(ctx: Ctx, *, where: str, uploader_key: str) -> None:
    """This session's decisions (every center): the table, ``assessments.csv``/``.xlsx`` downloads, and an upload
    that reloads assessments (read against the loaded data; every problem shown, nothing taken on an error)."""
    from app_pages import loading
    from graphkit.present import review

    rows = loading.decisions(ctx.data.review_token)
    if rows:
        st.dataframe(decisions_table(ctx, rows), hide_index=True)
        c1, c2 = st.columns(2)
        c1.download_button(ctx.t("review.csv"), lambda: review.assessments_csv_bytes(rows), file_name="assessments.csv",
                           mime="text/csv", key=f"{K.DOWNLOAD}:{where}:assessments.csv", on_click="ignore")
        c2.download_button(ctx.t("review.xlsx"), lambda: review.assessments_xlsx_bytes(rows), file_name="assessments.xlsx",
                           mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                           key=f"{K.DOWNLOAD}:{where}:assessments.xlsx", on_click="ignore")
    else:
        st.caption(ctx.t("review.none_yet"))
    from app_pages.common import upload_limit

    limit_mb, limit_text = upload_limit(10)  # an assessments table is small
    upload = st.file_uploader(ctx.t("review.upload", limit=limit_text), type=["csv", "xlsx"], key=uploader_key,
                              help=ctx.t("review.upload_help"), max_upload_size=limit_mb)
    done = st.session_state.setdefault(K.R_UPLOAD_DONE, {})
    if upload is not None:
        from app_pages.loading import upload_token

        payload = upload.getvalue()
        digest = upload_token(payload)
        if done.get(uploader_key) != digest:
            done[uploader_key] = digest
            base = loading.current()  # read against the data as loaded
            found, problems = review.read_assessments(payload, upload.name, base.dataset)
            if found:
                loading.record(ctx.data.review_token, found)
            st.session_state[K.R_UPLOAD_RESULT] = {"name": upload.name, "n": len(found), "problems": problems}
            st.rerun()
    result = st.session_state.get(K.R_UPLOAD_RESULT)
    if result:
        problems = result["problems"]
        if problems.has_errors():
            st.error(ctx.t("review.rejected", name=result["name"], errors=len(problems.errors)))
            st.code("\n".join(problems.format_errors(ctx.lang)), language=None)
        else:
            st.success(ctx.t("review.loaded", name=result["name"], n=result["n"]))


def decisions_table(ctx: Ctx, rows) -> pd.DataFrame:
    """Decisions as a person reads them: center and check by name, the decision in words."""
    from graphkit.model.notice import CHECKS

    def title(check_id: str) -> str:
        d = CHECKS.get(check_id)
        return f"{check_id} {d.title_zh if ctx.lang == 'zh' else d.title_en}" if d else check_id

    return pd.DataFrame({
        ctx.t("col.center"): [label_of(ctx, r["center_id"]) for r in rows],
        ctx.t("col.check"): [title(r["check_id"]) for r in rows],
        ctx.t("review.decision"): [status(ctx, r["status"]) for r in rows],
        ctx.t("review.name"): [r.get("assessor") or "" for r in rows],
        ctx.t("review.date"): [r.get("date") or "" for r in rows],
        ctx.t("review.note"): [r.get("note") or "" for r in rows],
        ctx.t("review.evidence"): [r.get("evidence") or "" for r in rows]})
