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


def network(ctx: Ctx, view, *, key: str, selected_key: str, height: int = 560, on_click=None) -> str | None:
    """Draw a view with the click-to-select component; returns the selected node id (kept under ``selected_key``).
    A click keeps the node under ``selected_key``, calls ``on_click(node_id)`` and reruns the page."""
    from app_components.network import network as component

    if view.aggregated or view.dropped_edges:
        st.caption(ctx.t("net.capped", shown=len(view.nodes), matched=view.matched_nodes,
                         aggregated=view.aggregated, dropped=view.dropped_edges))
    if not view.nodes:
        st.info(ctx.t("net.empty"))
        return None
    selected = st.session_state.get(selected_key)
    clicked = component(view.nodes, view.edges, key=key, height=height, lang=ctx.lang,
                        selected=selected if selected in set(view.node_ids()) else None)
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
        rows += [(ctx.t("col.kind"), ctx.term(info["kind"])), (ctx.t("col.country"), info.get("country") or ""),
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
