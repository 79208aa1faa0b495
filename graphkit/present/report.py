"""The review report (评审报告): one center's checks, coverage, reach, claims, recruitment and provenance.

The report is built from the :class:`graphkit.engine.Engine` interface only, so it reads the same from the
embedded engine and from a Neo4j server. Python turns every result into display strings (:func:`report_context`);
the Jinja2 templates ``templates/report.html.j2`` and ``report.md.j2`` only lay them out. Every value is escaped on
output: HTML by autoescape, Markdown by :func:`md_escape` applied to every expression (``finalize``).

>>> print(md_escape("<b>[x](javascript:alert(1))</b> | a_b _c_ R&D &lt;"))
&lt;b&gt;\\[x\\](javascript:alert(1))&lt;/b&gt; \\| a_b \\_c\\_ R&D &amp;lt;
"""

from __future__ import annotations

import datetime as _dt
import numbers
import re
from dataclasses import fields as _fields
from functools import lru_cache
from pathlib import Path

from graphkit.errors import EngineError, ReportFormatError
from graphkit.io.files import write_bytes
from graphkit.model.i18n import term
from graphkit.model.notice import CHECKS, NOTICE_ID
from graphkit.present.evidence import EvidenceNamer
from graphkit.rules.thresholds import RULES_HELP, Rules

__all__ = ["render_report", "write_report", "report_context", "format_for_path", "fmt_value", "md_escape", "FORMATS"]

FORMATS = {".html": "html", ".htm": "html", ".md": "md", ".markdown": "md"}
LIST_LIMIT = 50  # longest list of platforms or organisations printed in full
EVIDENCE_LIMIT = 12
STATUS_ORDER = ("met", "not_met", "insufficient_data", "needs_review")

_L = {
    "zh": dict(
        title="国家制造业创新中心升级条件评审报告", center="创新中心", level="级别", field="领域", location="所在地",
        opco="依托公司", founded="成立时间", as_of="评价日期", version="graphkit 版本", generated="生成时间",
        origin="数据来源", notice="依据", synthetic_title="合成数据", synthetic_text="本报告所用数据中有合成数据（source = synthetic），不是真实申报材料，不得作为评审依据：",
        summary="结论摘要", eligible="符合升级条件", not_eligible="不符合升级条件", checks_total="条件总数",
        checks="逐项条件核查", id="编号", check="条件", status="状态", value="测得值", threshold="要求",
        message="说明", evidence="证据", clause="通知原文", computed="计算结果", assessed="评审结论",
        assessor="评审人", date="日期", note="意见", kind_attested="须专家评审", none="—",
        coverage="国家级创新平台覆盖", by_kind="按平台类型", platform_kind="平台类型", covered_total="已覆盖/总数",
        ratio="覆盖率", covered_list="已覆盖的平台", via="经由成员", uncovered_list="未覆盖的平台",
        platform="平台", name="名称", undefined="本领域无国家级创新平台，覆盖率无法计算（不是 0，也不是 100%）。",
        reach="合作触达", hops="跳数", reached="触达机构", foreign="其中国外机构", by_org_kind="按机构类型",
        kind="类型", count="数量", country="国家/地区", province="省份",
        claims="申报声明核查", claim="声明", claimed="申报值", computed_value="计算值", verdict="结论",
        entry="申报条目", suggestions="近似匹配", no_claims="数据中没有该中心的申报声明。",
        recruit="招募建议", before_after="覆盖率（招募前 → 招募后）", needed="尚需覆盖平台数", minimal="最少性",
        org="机构", newly="新覆盖的平台", smallest="更小的组合", no_recruit_needed="覆盖率已达到要求，无需招募。",
        unreachable="即使招募全部候选机构，覆盖率仍达不到要求。",
        provenance="数据出处", table="数据表", source="source 值", rows="行数", unspecified="（未注明）",
        rules="所用规则", setting="设置", setting_value="取值", help="说明", unavailable="此引擎无法提供该部分",
        more="…… 另有 {n} 项（共 {total} 项）", sep="；", list_sep="、", yes="是", no="否",
    ),
    "en": dict(
        title="Review report: upgrade conditions of a national manufacturing innovation center", center="Center",
        level="Level", field="Field", location="Location", opco="Operating company", founded="Founded",
        as_of="Evaluation date", version="graphkit version", generated="Generated at", origin="Data origin",
        notice="Basis", synthetic_title="Synthetic data",
        synthetic_text="Some of the data behind this report is synthetic (source = synthetic), not a real application; do not base a decision on it:",
        summary="Summary", eligible="eligible for upgrade", not_eligible="not eligible for upgrade", checks_total="checks",
        checks="The checks", id="Id", check="Check", status="Status", value="Value", threshold="Threshold",
        message="Explanation", evidence="Evidence", clause="The notice", computed="computed", assessed="assessed",
        assessor="assessor", date="date", note="note", kind_attested="reviewer decides", none="—",
        coverage="Coverage of national-level platforms", by_kind="By platform kind", platform_kind="Platform kind",
        covered_total="covered/total", ratio="Coverage", covered_list="Covered platforms", via="Through member",
        uncovered_list="Uncovered platforms", platform="Platform", name="Name",
        undefined="The field has no national-level platform: coverage is undefined (neither 0 nor 100%).",
        reach="Collaboration reach", hops="Hops", reached="Organisations reached", foreign="of which foreign",
        by_org_kind="By organisation kind", kind="Kind", count="Count", country="Country", province="Province",
        claims="Claims check", claim="Claim", claimed="Claimed", computed_value="Computed", verdict="Verdict",
        entry="Entry", suggestions="Close matches", no_claims="The data holds no claims for this center.",
        recruit="Recruitment plan", before_after="Coverage (before → after)", needed="Platforms still needed",
        minimal="Minimality", org="Organisation", newly="Newly covered platforms", smallest="A smaller set",
        no_recruit_needed="Coverage already meets the threshold: nobody needs to be recruited.",
        unreachable="Even recruiting every candidate would not reach the threshold.",
        provenance="Provenance", table="Table", source="source value", rows="Rows", unspecified="(not given)",
        rules="Rules used", setting="Setting", setting_value="Value", help="Meaning", unavailable="not available on this engine",
        more="… and {n} more ({total} in all)", sep="; ", list_sep=", ", yes="yes", no="no",
    ),
}

_MINIMAL = {True: ("已证明最少", "proven minimal"), False: ("不是最少（见更小的组合）", "not minimal (see the smaller set)"),
            None: ("未证明最少", "not proven minimal")}


def _pct(x) -> str:
    return "—" if x is None else f"{float(x) * 100:.1f}%"


def _more(L: dict, shown: int, total: int) -> str:
    return L["more"].format(n=total - shown, total=total) if total > shown else ""


def fmt_value(v, lang: str = "zh") -> str:
    """A check's value or threshold for a reader: ratios (floats, by the checks' convention) as percentages.

    >>> fmt_value({"coverage": 0.625, "covered": 5, "total": 8}, "en")
    'coverage 62.5%; covered 5; total 8'
    """
    L = _L[lang]
    if v is None:
        return L["none"]
    if isinstance(v, bool):
        return L["yes"] if v else L["no"]
    if isinstance(v, numbers.Integral):
        return str(int(v))
    if isinstance(v, numbers.Real):
        return _pct(v)
    if isinstance(v, dict):
        return L["sep"].join(f"{term(k, lang)} {fmt_value(x, lang)}" for k, x in v.items())
    if isinstance(v, (list, tuple, set, frozenset)):
        items = [term(x, lang) if isinstance(x, str) else fmt_value(x, lang) for x in v]
        text = L["list_sep"].join(items[:8])
        return text + (" " + _more(L, 8, len(items)) if len(items) > 8 else "")
    return term(v, lang) if isinstance(v, str) else str(v)


def _namer(engine):
    """id → name for organisations and platforms, when the engine can say (``organization()`` / ``platform()``);
    embedded engines answer through their dataset. Falls back to no name, never fails the report."""
    sources = [engine, getattr(engine, "dataset", None)]
    lookups = [getattr(s, m) for m in ("organization", "platform") for s in sources if s is not None and callable(getattr(s, m, None))]
    cache: dict[str, str] = {}

    def name(id_) -> str:
        if id_ not in cache:
            cache[id_] = ""
            for fn in lookups:
                try:
                    cache[id_] = getattr(fn(id_), "name", "") or ""
                    break
                except (KeyError, LookupError, EngineError):
                    continue
        return cache[id_]

    return name


def _labelled(ids, name) -> tuple[list[dict], int]:
    ids = list(ids)
    return [{"id": i, "name": name(i)} for i in ids[:LIST_LIMIT]], len(ids)


def _section(ctx: dict, key: str, build):
    """Build one section; an engine that cannot answer a query leaves a note instead of failing the report."""
    try:
        ctx[key] = build()
    except (NotImplementedError, EngineError) as exc:
        ctx[key] = None
        ctx["unavailable"][key] = f"{ctx['L']['unavailable']}: {exc}"


def _evidence_label(detail: dict, lang: str) -> str:
    """An organisation, platform or field by name with its id in brackets; an edge or income row by its name."""
    from graphkit.present.evidence import named

    if detail["type"] in ("collaboration", "income", "shareholding", "membership", "assessment"):
        return detail["name"]
    return named(detail["name"], detail["id"], lang)


def _check_rows(checks, lang: str, namer=None) -> list[dict]:
    L = _L[lang]
    rows = []
    for c in checks:
        d = CHECKS.get(c.id)
        ev = list(c.evidence or [])
        a = c.assessment
        assessed = None
        if a is not None:
            assessed = {"computed": term(c.computed_status, lang), "computed_status": _status_class(c.computed_status),
                        "status": term(a.get("status"), lang), "status_class": _status_class(a.get("status")),
                        "assessor": a.get("assessor") or L["none"], "date": a.get("date") or L["none"],
                        "note": a.get("note") or "", "evidence": a.get("evidence") or ""}
        rows.append({
            "id": c.id, "title": (d.title_en if lang == "en" else d.title_zh) if d else c.id,
            "clause": d.clause_zh if d else "", "attested": c.kind == "attested",
            "status": term(c.status, lang), "status_class": _status_class(c.status),
            "value": fmt_value(c.value, lang), "threshold": fmt_value(c.threshold, lang),
            "message": c.message(lang),
            "evidence": L["list_sep"].join(_evidence_label(namer.detail(e), lang) if namer else str(e) for e in ev[:EVIDENCE_LIMIT]),
            "evidence_more": _more(L, EVIDENCE_LIMIT, len(ev)), "assessed": assessed,
        })
    return rows


def _status_class(status) -> str:
    return status if status in STATUS_ORDER else "unknown"  # a CSS class: never data


def report_context(engine, center_id: str, *, lang: str = "zh", rules: Rules | None = None, as_of=None,
                   now: _dt.datetime | None = None) -> dict:
    """Everything the templates show, as display strings (escaping is the templates' job)."""
    from graphkit import __version__

    if lang not in _L:
        raise ValueError(f"lang must be 'zh' or 'en', not {lang!r}")
    L = _L[lang]
    rules = rules or Rules()
    center = engine.center(center_id)  # raises UnknownIdError first, before any other query
    name = _namer(engine)
    g = lambda attr: getattr(center, attr, None)  # noqa: E731 - any engine's center record
    try:
        fld = engine.field(g("field_id"))
        field_name = fld.name(lang)
    except (KeyError, LookupError, EngineError):
        field_name = ""
    result = engine.check(center_id, as_of=as_of, rules=rules)[0]
    counts = {s: 0 for s in STATUS_ORDER}
    for c in result.checks:
        counts[c.status] = counts.get(c.status, 0) + 1
    opco = g("operating_company_id")
    ctx = {
        "lang": lang, "html_lang": "zh-CN" if lang == "zh" else "en", "L": L, "unavailable": {},
        "center": {"id": center_id, "name": g("name") or center_id, "level": term(g("level"), lang) if g("level") else L["none"],
                   "field_id": g("field_id") or L["none"], "field_name": field_name,
                   "location": " ".join(x for x in (g("province"), g("city")) if x) or L["none"],
                   "opco_id": opco or L["none"], "opco_name": name(opco) if opco else "", "founded": g("founded") or L["none"]},
        "meta": {"as_of": result.as_of, "version": __version__, "origin": engine.describe(), "notice": NOTICE_ID,
                 "generated": (now or _dt.datetime.now().astimezone()).isoformat(timespec="seconds")},
        "summary": {"eligible": result.eligible, "verdict": L["eligible"] if result.eligible else L["not_eligible"],
                    "total": len(result.checks),
                    "counts": [{"status": term(s, lang), "status_class": _status_class(s), "n": n} for s, n in counts.items()]},
        "checks": _check_rows(result.checks, lang, EvidenceNamer(engine, lang)),
    }

    def coverage():
        cov = engine.coverage(center_id, rules=rules, as_of=result.as_of)[0]
        via = getattr(cov, "via", {}) or {}
        covered, n_cov = _labelled(cov.covered_platform_ids, name)
        for row in covered:
            row["via"] = L["list_sep"].join(f"{m} {name(m)}".strip() for m in via.get(row["id"], []))
        uncovered, n_unc = _labelled(cov.uncovered_platform_ids, name)
        return {"field_id": cov.field_id, "covered": cov.covered, "total": cov.total, "ratio": _pct(cov.ratio),
                "defined": cov.total > 0, "meets_class": {True: "met", False: "not_met", None: "insufficient_data"}[cov.meets(rules.min_coverage)],
                "threshold": _pct(rules.min_coverage),
                "by_kind": [{"kind": term(k, lang), "covered": v["covered"], "total": v["total"],
                             "ratio": _pct(v["covered"] / v["total"] if v["total"] else None)} for k, v in (cov.by_kind or {}).items()],
                "covered_rows": covered, "covered_more": _more(L, len(covered), n_cov),
                "uncovered_rows": uncovered, "uncovered_more": _more(L, len(uncovered), n_unc)}

    def reach():
        r = engine.reach(center_id, rules=rules, as_of=result.as_of)
        table = lambda d, t=False: [{"key": term(k, lang) if t else k, "n": v} for k, v in d.items()]  # noqa: E731
        return {"hops": r.hops, "reached": r.reached, "foreign": r.foreign, "by_kind": table(r.by_kind, True),
                "countries": table(r.countries), "provinces": table(r.provinces)}

    def claims():
        out = []
        for v in engine.claims(center_id, rules=rules, as_of=result.as_of):
            fmt = _pct if v.claim == "coverage_ratio" else (lambda x: fmt_value(x, lang))
            entries = [{"entry": e.entry, "platform_id": e.platform_id or L["none"], "verdict": term(e.verdict, lang),
                        "ok": e.verdict == "ok", "suggestions": L["list_sep"].join(e.suggestions)} for e in v.entries]
            out.append({"claim": term(v.claim, lang), "field_id": v.field_id, "claimed": fmt(v.claimed),
                        "computed": fmt(v.computed), "verdict": term(v.verdict, lang), "ok": v.verdict == "consistent",
                        "entries": entries[:LIST_LIMIT], "entries_more": _more(L, min(len(entries), LIST_LIMIT), len(entries))})
        return out

    def recruit():
        r = engine.recruit(center_id, rules=rules, as_of=result.as_of)
        orgs = [{"id": o, "name": name(o), "newly": fmt_value(list(r.newly_reached.get(o, [])), lang)} for o in r.orgs[:LIST_LIMIT]]
        smallest = getattr(r, "smallest_orgs", None)
        return {"field_id": r.field_id, "before": _pct(r.ratio_before), "after": _pct(r.ratio_after),
                "covered_before": r.covered_before, "covered_after": r.covered_after, "total": r.total, "needed": r.needed,
                "undefined": r.total == 0, "done": r.total > 0 and r.needed == 0,
                "unreachable": r.needed > 0 and r.covered_after - r.covered_before < r.needed,
                "minimal": _MINIMAL.get(r.minimal, _MINIMAL[None])[0 if lang == "zh" else 1],
                "orgs": orgs, "orgs_more": _more(L, len(orgs), len(r.orgs)),
                "smallest": fmt_value(list(smallest), lang) if smallest else ""}

    def provenance():
        rows, synthetic = [], []
        # this center's rows only (SPEC §10, issue 12 item 10), not the whole dataset's
        scoped = getattr(engine, "center_provenance", None)
        for table, by_source in sorted(((scoped(center_id) if scoped else engine.provenance()) or {}).items()):
            sources = sorted(by_source.items(), key=lambda kv: (-kv[1], kv[0]))
            rows.append({"table": f"{term(table, lang)} ({table})", "sources": [
                {"source": s or L["unspecified"], "n": n, "synthetic": s.strip().lower() == "synthetic"} for s, n in sources]})
            n_syn = sum(n for s, n in sources if s.strip().lower() == "synthetic")
            if n_syn:
                synthetic.append({"table": term(table, lang), "n": n_syn, "total": sum(by_source.values())})
        return {"rows": rows, "synthetic": synthetic}

    for key, build in (("coverage", coverage), ("reach", reach), ("claims", claims), ("recruit", recruit),
                       ("provenance", provenance)):
        _section(ctx, key, build)
    ctx["synthetic"] = (ctx["provenance"] or {}).get("synthetic", [])
    if (g("source") or "").strip().lower() == "synthetic" and not ctx["synthetic"]:
        ctx["synthetic"] = [{"table": term("centers", lang), "n": 1, "total": 1}]
    ctx["rules"] = [_rule_row(f.name, getattr(rules, f.name), lang, result.as_of) for f in _fields(rules)]
    return ctx


def _rule_row(name: str, value, lang: str, as_of: str) -> dict:
    L = _L[lang]
    if isinstance(value, bool):
        shown = "true" if value else "false"
    elif isinstance(value, (tuple, list)):
        shown = ", ".join(map(str, value))
    elif value in ("", None):
        shown = f"{L['none']} ({L['as_of']} {as_of})" if name == "as_of" else L["none"]
    else:
        shown = str(value)
    zh, en = RULES_HELP.get(name, ("", ""))
    return {"name": name, "value": shown, "help": en if lang == "en" else zh, "help_other": zh if lang == "en" else en}


# ---- rendering -----------------------------------------------------------------------------------------------

_MD_SPECIAL = re.compile(r"[\\`*\[\]|#~<>]|&(?=#?\w+;)|_")
_MD_BLOCK_START = re.compile(r"[-+=](\s|$)|[-=]+\s*$|(\d+)[.)](\s|$)")
_MD_ENTITIES = {"<": "&lt;", ">": "&gt;", "&": "&amp;"}


def _md_char(m: re.Match) -> str:
    ch, s, i = m.group(0), m.string, m.start()
    if ch in _MD_ENTITIES:
        return _MD_ENTITIES[ch]
    if ch == "_" and 0 < i < len(s) - 1 and s[i - 1].isalnum() and s[i + 1].isalnum():
        return ch  # inside a word an underscore never starts emphasis (CommonMark flanking rules)
    return "\\" + ch


def md_escape(value) -> str:
    """Text that Markdown shows as written: no markup, no links, no raw HTML; one line (safe in a table cell)."""
    if value is None:
        return ""
    s = re.sub(r"\s*[\r\n\t\v\f\u2028\u2029]+\s*", " ", str(value)).strip()
    s = _MD_SPECIAL.sub(_md_char, s)
    m = _MD_BLOCK_START.match(s)
    if m:  # would start a list item, a heading underline or a rule if it began a line
        k = m.end(2) if m.group(2) else 0
        s = s[:k] + "\\" + s[k:]
    return s


def _html_finalize(value):
    return "" if value is None else value


@lru_cache(maxsize=2)
def _environment(fmt: str):
    import jinja2

    loader = jinja2.PackageLoader("graphkit.present", "templates")
    if fmt == "html":
        return jinja2.Environment(loader=loader, autoescape=True, finalize=_html_finalize, trim_blocks=True,
                                  lstrip_blocks=True, undefined=jinja2.StrictUndefined)
    # Markdown: every {{ expression }} passes through md_escape; markup lives only in the template's own text.
    return jinja2.Environment(loader=loader, autoescape=False, finalize=md_escape, trim_blocks=True,
                              lstrip_blocks=True, undefined=jinja2.StrictUndefined, keep_trailing_newline=True)


def render_report(engine, center_id: str, *, fmt: str = "html", lang: str = "zh", rules: Rules | None = None,
                  as_of=None) -> str:
    """The review report of ``center_id`` as an HTML page (self-contained, printable on A4) or Markdown."""
    if fmt not in ("html", "md"):
        raise ReportFormatError(f"fmt must be 'html' or 'md', not {fmt!r}")
    ctx = report_context(engine, center_id, lang=lang, rules=rules, as_of=as_of)
    return _environment(fmt).get_template(f"report.{fmt}.j2").render(**ctx)


def format_for_path(path) -> str:
    """``html`` or ``md`` from the file's suffix; ValueError for any other suffix."""
    suffix = Path(path).suffix.lower()
    if suffix not in FORMATS:
        raise ReportFormatError(f"the report file must end in .html, .htm, .md or .markdown, not {suffix or '(no suffix)'!r}: {path}")
    return FORMATS[suffix]


def write_report(engine, center_id: str, path, *, lang: str = "zh", rules: Rules | None = None, as_of=None) -> Path:
    """Render the report (format by suffix) and write it atomically: a temporary file, then ``os.replace``."""
    path = Path(path)
    fmt = format_for_path(path)
    data = render_report(engine, center_id, fmt=fmt, lang=lang, rules=rules, as_of=as_of).encode("utf-8")
    write_bytes(path, data)
    return path
