"""The 21 checks of the notice (SPEC §4), evaluated from per-center facts.

An engine gathers :class:`CenterFacts` (the embedded engine from the dataset's indexes, see
:func:`gather_facts`; the Cypher engine from the server); :func:`evaluate` then applies the same rules to
either. Statuses: ``met``, ``not_met``, ``insufficient_data`` (an input it needs is unknown) and
``needs_review`` (attested, no assessment yet). A check with several parts is ``not_met`` as soon as one part
fails, and ``insufficient_data`` when none fails but one is unknown. An assessment overrides a result; the
computed status stays visible in ``computed_status``.
"""

from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass, field
from fractions import Fraction

from graphkit.checks.facts import CenterFacts, CollabFact, gather_facts, is_missing
from graphkit.model.i18n import term
from graphkit.model.notice import CHECK_IDS, CHECKS
from graphkit.rules.thresholds import Rules

__all__ = [
    "last_complete_year", "MET", "NOT_MET", "INSUFFICIENT", "NEEDS_REVIEW", "STATUSES",
    "CheckResult", "CenterChecks", "CenterFacts", "CollabFact",
    "evaluate", "gather_facts", "check", "operating_years",
]

MET, NOT_MET, INSUFFICIENT, NEEDS_REVIEW = "met", "not_met", "insufficient_data", "needs_review"
STATUSES = (MET, NOT_MET, INSUFFICIENT, NEEDS_REVIEW)


@dataclass
class CheckResult:
    """The result of one check for one center."""

    id: str
    kind: str
    status: str
    value: object = None
    threshold: object = None
    evidence: list[str] = field(default_factory=list)
    message_zh: str = ""
    message_en: str = ""
    computed_status: str | None = None
    assessment: dict | None = None

    def message(self, lang: str = "zh") -> str:
        return self.message_en if lang == "en" else self.message_zh

    def to_dict(self, lang: str = "zh") -> dict:
        d = CHECKS[self.id]
        return {
            "id": self.id,
            "status": self.status,
            "value": self.value,
            "threshold": self.threshold,
            "evidence": self.evidence,
            "message": self.message(lang),
            "kind": self.kind,
            "computed_status": self.computed_status,
            "assessment": self.assessment,
            "title": d.title_en if lang == "en" else d.title_zh,
            "clause": d.clause_zh,
        }


@dataclass
class CenterChecks:
    """Every check of one center; ``eligible`` only when every check is met."""

    center_id: str
    as_of: str
    checks: list[CheckResult]

    @property
    def eligible(self) -> bool:
        return all(c.status == MET for c in self.checks)

    def by_id(self) -> dict[str, CheckResult]:
        return {c.id: c for c in self.checks}

    def to_dict(self, lang: str = "zh") -> dict:
        return {
            "center_id": self.center_id,
            "eligible": self.eligible,
            "as_of": self.as_of,
            "checks": [c.to_dict(lang) for c in self.checks],
        }


# ---- helpers -------------------------------------------------------------------------------------------------

def _combine(parts: list[bool | None]) -> str:
    if any(p is False for p in parts):
        return NOT_MET
    if any(p is None for p in parts):
        return INSUFFICIENT
    return MET


def _bool(v) -> bool | None:
    return None if is_missing(v) else bool(v)


def _num(v):
    return None if is_missing(v) else v


def _frac(v) -> Fraction:
    return Fraction(str(v)) if not isinstance(v, int) else Fraction(v)


def _pct(x) -> str:
    return f"{float(x) * 100:.1f}%"


_YN = {True: ("是", "yes"), False: ("否", "no"), None: ("未知", "unknown")}


def operating_years(founded: str | None, as_of: _dt.date) -> int | None:
    """Full years from ``founded`` (YYYY, YYYY-MM or YYYY-MM-DD) to ``as_of``, at the precision given.

    >>> operating_years("2016-06-30", _dt.date(2018, 6, 30)), operating_years("2016-06-30", _dt.date(2018, 6, 29))
    (2, 1)
    >>> operating_years("2016", _dt.date(2018, 1, 1)), operating_years("2016-07", _dt.date(2018, 6, 30))
    (2, 1)
    """
    if not founded:
        return None
    parts = [int(x) for x in str(founded).split("-")]
    if len(parts) == 1:
        return as_of.year - parts[0]
    if len(parts) == 2:
        months = (as_of.year - parts[0]) * 12 + (as_of.month - parts[1])
        return months // 12
    y, m, d = parts
    years = as_of.year - y
    if (as_of.month, as_of.day) < (m, d):
        years -= 1
    return years


# ---- evaluation ----------------------------------------------------------------------------------------------

def _r(id_, status, value=None, threshold=None, evidence=(), zh="", en="") -> CheckResult:
    evidence = evidence if evidence.__class__ is list else list(evidence)  # the rules build fresh lists
    return CheckResult(id_, CHECKS[id_].kind, status, value, threshold, evidence, zh, en)


def _check_1(f: CenterFacts, rules: Rules, as_of) -> CheckResult:
    c = f.center
    ok = f.field_layout == rules.active_layout
    return _r("1", MET if ok else NOT_MET, f.field_layout, rules.active_layout, [c["center_id"], c["field_id"]],
              f"领域 {c['field_id']} 属于布局 {f.field_layout}，" + ("在" if ok else "不在") + f"总体布局 {rules.active_layout} 之内。",
              f"Field {c['field_id']} belongs to layout {f.field_layout}, " + ("within" if ok else "outside") + f" the national layout {rules.active_layout}.")


def _attested(id_: str) -> CheckResult:
    d = CHECKS[id_]
    return _r(id_, NEEDS_REVIEW, None, None, [],
              f"此条须由评审专家判断（“{d.title_zh}”），尚无评审意见。",
              f"A reviewer must decide this check ({d.title_en}); no assessment yet.")


def _named(f: CenterFacts, oid: str) -> str:
    """An organisation as a person reads it: its name, the id in brackets."""
    name = f.names.get(oid)
    return f"{name}（{oid}）" if name and name != oid else oid


def _named_en(f: CenterFacts, oid: str) -> str:
    name = f.names.get(oid)
    return f"{name} ({oid})" if name and name != oid else oid


def _check_4_1(f: CenterFacts, rules: Rules, as_of) -> CheckResult:
    opco = f.center.get("operating_company_id")
    kind = f.operating_company_kind
    company = None if not opco else kind == "enterprise"
    others = f.members_besides_opco
    alliance = others >= 1
    status = _combine([company, alliance])
    value = {"operating_company_kind": kind, "members": others}
    threshold = {"operating_company_kind": "enterprise", "members": 1}
    zh_c = "未填写依托公司" if not opco else (f"依托公司{_named(f, opco)}为企业" if company else f"依托公司{_named(f, opco)}的类型为{term(kind)}，不是企业")
    en_c = "no operating company given" if not opco else (f"operating company {_named_en(f, opco)} is an enterprise" if company else f"operating company {_named_en(f, opco)} is a {term(kind, 'en')}, not an enterprise")
    return _r("4.1", status, value, threshold, [opco] if opco else [],
              f"{zh_c}；联盟有依托公司以外的成员 {others} 个（至少 1 个）。",
              f"{en_c[0].upper() + en_c[1:]}; the alliance has {others} member(s) besides the operating company (at least 1).")


def _check_4_2(f: CenterFacts, rules: Rules, as_of) -> CheckResult:
    n = len(f.shareholders)
    top = sorted(s["org_id"] for s in f.shareholders
                 if s.get("kind") == "enterprise" and s.get("rank") is not None and 1 <= s["rank"] <= rules.top_rank)
    enough = n >= rules.min_shareholders
    if len(top) >= rules.min_top10_shareholders:
        ranked = True
    elif not f.field_has_rankings:
        ranked = None
    else:
        ranked = False
    status = _combine([enough, ranked])
    if ranked is None:
        extra_zh, extra_en = f"（截至 {as_of.year} 年本领域没有排名数据）", f" (the field has no ranking up to {as_of.year})"
    elif f.ranking_year is not None:
        extra_zh, extra_en = f"（按本领域 {f.ranking_year} 年排名）", f" (the field's {f.ranking_year} ranking)"
    else:
        extra_zh = extra_en = ""
    names_zh = "：" + "、".join(_named(f, o) for o in top) if top else ""
    names_en = ": " + ", ".join(_named_en(f, o) for o in top) if top else ""
    return _r("4.2", status, len(top), rules.min_top10_shareholders, top,
              f"股东 {n} 家（至少 {rules.min_shareholders} 家），其中本领域排名前 {rules.top_rank} 的企业 {len(top)} 家{names_zh}（至少 {rules.min_top10_shareholders} 家）{extra_zh}。",
              f"{n} shareholder(s) (at least {rules.min_shareholders}), of which {len(top)} enterprise(s) rank in the field's top {rules.top_rank}{names_en} (at least {rules.min_top10_shareholders}){extra_en}.")


def _check_4_3(f: CenterFacts, rules: Rules, as_of) -> CheckResult:
    required = list(rules.required_member_kinds)
    present = [k for k in required if f.member_kinds.get(k)]
    missing = [k for k in required if k not in present]
    kinds_ok = not missing
    n_prov = len(f.member_provinces)
    if n_prov >= rules.min_member_provinces:
        prov_ok = True
    elif n_prov + f.members_without_province >= rules.min_member_provinces:
        prov_ok = None
    else:
        prov_ok = False
    cov = f.coverage
    cov_ok = cov.meets(rules.min_coverage)
    status = _combine([kinds_ok, prov_ok, cov_ok])
    value = {"coverage": cov.ratio, "covered": cov.covered, "total": cov.total, "provinces": n_prov, "member_kinds": present}
    threshold = {"coverage": rules.min_coverage, "provinces": rules.min_member_provinces, "member_kinds": required}
    evidence = sorted(cov.covered_platform_ids) + [f.member_kinds[k][0] for k in present]
    cov_zh = "本领域无国家级创新平台，覆盖率无法计算" if cov.ratio is None else f"覆盖本领域国家级创新平台 {cov.covered}/{cov.total}（{_pct(cov.ratio)}，要求不低于 {_pct(rules.min_coverage)}）"
    cov_en = "the field has no national-level platform, so coverage is undefined" if cov.ratio is None else f"covers {cov.covered}/{cov.total} of the field's national-level platforms ({_pct(cov.ratio)}; at least {_pct(rules.min_coverage)} required)"
    kinds_zh = "成员类型齐全" if kinds_ok else "缺少成员类型：" + "、".join(term(k) for k in missing)
    kinds_en = "all member kinds present" if kinds_ok else "missing member kinds: " + ", ".join(term(k, "en") for k in missing)
    prov_zh = f"成员来自 {n_prov} 个省份（至少 {rules.min_member_provinces} 个）" + (f"，另有 {f.members_without_province} 个成员省份未知" if prov_ok is None else "")
    prov_en = f"members from {n_prov} provinces (at least {rules.min_member_provinces})" + (f", {f.members_without_province} member(s) of unknown province" if prov_ok is None else "")
    return _r("4.3", status, value, threshold, evidence, f"联盟{cov_zh}；{kinds_zh}；{prov_zh}。", f"The alliance {cov_en}; {kinds_en}; {prov_en}.")


def _all_bools(id_, f, names_zh_en, rules):
    vals = [_bool(f.center.get(n)) for n, _, _ in names_zh_en]
    status = _combine(vals)
    value = {n: v for (n, _, _), v in zip(names_zh_en, vals)} if len(vals) > 1 else vals[0]
    zh = "；".join(f"{z}：{_YN[v][0]}" for (_, z, _), v in zip(names_zh_en, vals))
    en = "; ".join(f"{e}: {_YN[v][1]}" for (_, _, e), v in zip(names_zh_en, vals))
    threshold = {n: True for n, _, _ in names_zh_en} if len(vals) > 1 else True
    return _r(id_, status, value, threshold, [f.center["center_id"]], zh + "。", en[0].upper() + en[1:] + ".")


def _check_5_1(f, rules, as_of):
    return _all_bools("5.1", f, [("has_board", "设董事会", "has a board"), ("has_management_team", "有经营管理团队", "has a management team")], rules)


def _check_6_1(f, rules, as_of):
    inv = sorted(s["org_id"] for s in f.shareholders if s.get("kind") == "investor")
    status = MET if inv else NOT_MET
    names_zh = "：" + "、".join(_named(f, o) for o in inv) if inv else ""
    names_en = ": " + ", ".join(_named_en(f, o) for o in inv) if inv else ""
    return _r("6.1", status, len(inv), 1, inv,
              f"股东中有 {len(inv)} 家社会资本（投资机构）{names_zh}，至少需要 1 家。",
              f"{len(inv)} shareholder(s) are investors (social capital){names_en}; at least 1 is required.")


def last_complete_year(as_of: _dt.date) -> int:
    """The last complete year on ``as_of``: its own year on 31 December, else the year before (check 6.2).

    >>> last_complete_year(_dt.date(2025, 12, 31)), last_complete_year(_dt.date(2025, 12, 30))
    (2025, 2024)
    """
    return as_of.year if (as_of.month, as_of.day) == (12, 31) else as_of.year - 1


def _check_6_2(f, rules, as_of):
    streams = set(rules.income_streams)
    if not f.income:
        return _r("6.2", INSUFFICIENT, None, rules.min_income_streams, [],
                  "没有收入数据。", "No income data.")
    latest = last_complete_year(as_of)

    def market(y):
        return sorted(s for s, a in f.income.get(y, {}).items() if s in streams and a and a > 0)

    latest_streams = market(latest)
    parts = [len(latest_streams) >= rules.min_income_streams]
    # each earlier year of the run needs income from at least one of the streams
    empty_years = []
    for y in range(latest - rules.income_years + 1, latest + 1):
        if not market(y):
            parts.append(False)
            empty_years.append(y)
    status = _combine(parts)
    cid = f.center["center_id"]
    evidence = [f"income:{cid}:{latest}:{s}" for s in latest_streams]
    names_zh = "、".join(term(s) for s in latest_streams) or "无"
    names_en = ", ".join(term(s, "en") for s in latest_streams) or "none"
    zh = f"最近完整年度 {latest} 年有 {len(latest_streams)} 种市场化收入（{names_zh}，至少 {rules.min_income_streams} 种）"
    en = f"In {latest}, the last complete year, income from {len(latest_streams)} market stream(s) ({names_en}; at least {rules.min_income_streams})"
    if empty_years:
        zh += f"；{'、'.join(map(str, empty_years))} 年没有此类收入"
        en += f"; none in {', '.join(map(str, empty_years))}"
    zh += f"（须连续 {rules.income_years} 年）。"
    en += f" (required in each of the last {rules.income_years} complete years)."
    return _r("6.2", status, len(latest_streams), rules.min_income_streams, evidence, zh, en)


def _check_7_1(f, rules, as_of):
    r = _all_bools("7.1", f, [("has_expert_committee", "设专家委员会", "has an expert committee"),
                              ("chair_is_leading_expert", "主任为行业领军专家", "chaired by a leading expert")], rules)
    chair = f.center.get("committee_chair")
    if chair:
        r.message_zh = r.message_zh[:-1] + f"（主任：{chair}）。"
        r.message_en = r.message_en[:-1] + f" (chair: {chair})."
    return r


def _ratio_check(id_, f, num_name, den_name, threshold, zh_label, en_label):
    num, den = _num(f.center.get(num_name)), _num(f.center.get(den_name))
    cid = f.center["center_id"]
    if num is None or den is None:
        missing = [n for n, v in ((num_name, num), (den_name, den)) if v is None]
        return _r(id_, INSUFFICIENT, None, threshold, [cid], f"缺少 {'、'.join(missing)}。", f"Missing {', '.join(missing)}.")
    if den == 0:
        return _r(id_, NOT_MET, None, threshold, [cid], f"{den_name} 为 0，{zh_label}无法成立。", f"{den_name} is 0, so there is no {en_label}.")
    ratio = _frac(num) / _frac(den)
    ok = ratio >= Fraction(str(threshold))
    value = float(ratio)
    return _r(id_, MET if ok else NOT_MET, value, threshold, [cid],
              f"{zh_label} {_fmt(num)}/{_fmt(den)} = {_pct(value)}，要求不低于 {_pct(threshold)}。",
              f"{en_label[0].upper() + en_label[1:]} {_fmt(num)}/{_fmt(den)} = {_pct(value)}; at least {_pct(threshold)} required.")


def _fmt(x) -> str:
    x = float(x)
    return str(int(x)) if x.is_integer() else f"{x:g}"


def _check_7_2(f, rules, as_of):
    return _ratio_check("7.2", f, "rd_staff", "employees", rules.min_rd_staff_ratio, "研发人员占职工总数", "R&D staff share of employees")


def _check_7_3(f, rules, as_of):
    return _ratio_check("7.3", f, "rd_expense", "total_cost", rules.min_rd_expense_ratio, "研发费用占成本费用支出", "R&D expense share of total cost")


def _check_8_1(f, rules, as_of):
    r = _all_bools("8.1", f, [("has_roadmap", "制定技术路线图", "has a technology roadmap")], rules)
    if f.center.get("roadmap_year"):
        r.message_zh = r.message_zh[:-1] + f"（{f.center['roadmap_year']} 年）。"
        r.message_en = r.message_en[:-1] + f" ({f.center['roadmap_year']})."
    return r


def _check_8_2(f, rules, as_of):
    joint = [c for c in f.collaborations if c.kind == "joint_rd" and c.project]
    ent = [c for c in joint if c.to_kind == "enterprise"]
    uni = [c for c in joint if c.to_kind in ("university", "research_institute")]
    foreign = [c for c in joint if c.to_foreign and c.to_kind in _FIRMS_AND_SCHOLARS]
    parts = [bool(ent), bool(uni), bool(foreign)]
    status = _combine(parts)
    evidence = sorted({c.edge_id for c in ent[:1] + uni[:1] + foreign[:1]}) if status == MET else sorted({c.edge_id for c in joint})
    value = {"enterprise": len({c.to_id for c in ent}), "university_or_institute": len({c.to_id for c in uni}), "foreign": len({c.to_id for c in foreign})}
    threshold = {"enterprise": 1, "university_or_institute": 1, "foreign": 1}
    return _r("8.2", status, value, threshold, evidence,
              f"路线图项目（有项目名称的联合研发）涉及企业 {value['enterprise']} 家、高校或科研院所 {value['university_or_institute']} 家、国外企业、高校或科研院所 {value['foreign']} 家（各至少 1 家）。",
              f"Roadmap projects (joint R&D naming a project) involve {value['enterprise']} enterprise(s), {value['university_or_institute']} university/institute(s) and {value['foreign']} foreign enterprise(s), universities or institutes (at least 1 each).")


def _check_9_1(f, rules, as_of):
    return _all_bools("9.1", f, [("has_ip_policy", "建立知识产权制度", "has an IP policy")], rules)


_FIRMS_AND_SCHOLARS = ("enterprise", "university", "research_institute")
_ENTERPRISES = ("enterprise", "user")  # check 9.2: a 用户单位 is an enterprise that uses the technology


def _check_9_2(f, rules, as_of):
    transfers = [c for c in f.collaborations if c.kind == "tech_transfer" and c.to_kind in _ENTERPRISES]
    inc = [c for c in f.collaborations if c.kind == "incubation" and c.to_kind in _ENTERPRISES]
    sme = [c for c in transfers if c.to_sme is True]
    n = len(transfers) + len(inc)
    status = MET if n else NOT_MET
    evidence = sorted({c.edge_id for c in transfers + inc})
    return _r("9.2", status, n, 1, evidence,
              f"向企业技术转移 {len(transfers)} 项（其中向中小企业 {len(sme)} 项）、孵化企业 {len(inc)} 项（合计至少 1 项）。",
              f"{len(transfers)} technology transfer(s) to enterprises ({len(sme)} to SMEs) and {len(inc)} incubation(s) of enterprises (at least 1 in all).")


def _check_10_2(f, rules, as_of):
    outside = [c for c in f.collaborations if not (c.to_is_member or c.to_is_shareholder or c.to_is_operating_company)]
    ids = sorted({c.to_id for c in outside})
    return _r("10.2", MET if outside else NOT_MET, len(ids), 1, sorted({c.edge_id for c in outside}),
              f"与成员、股东和依托公司以外的 {len(ids)} 家单位开展了技术合作（至少 1 家）。",
              f"Technical cooperation with {len(ids)} organisation(s) that are neither members, shareholders nor the operating company (at least 1).")


def _check_11(f, rules, as_of):
    hits = [c for c in f.collaborations if c.to_foreign and c.to_kind in _FIRMS_AND_SCHOLARS]
    ids = sorted({c.to_id for c in hits})
    return _r("11", MET if hits else NOT_MET, len(ids), 1, sorted({c.edge_id for c in hits}),
              f"与 {len(ids)} 家国外高校、科研机构或企业有交流或合作（至少 1 家）。",
              f"Exchange or cooperation with {len(ids)} foreign university/institute/enterprise(s) (at least 1).")


def _check_12(f, rules, as_of):
    founded = f.center.get("founded")
    years = operating_years(founded, as_of)
    if years is None:
        return _r("12", INSUFFICIENT, None, rules.min_operating_years, [f.center["center_id"]], "缺少成立日期。", "The founding date is missing.")
    ok = years >= rules.min_operating_years
    return _r("12", MET if ok else NOT_MET, years, rules.min_operating_years, [f.center["center_id"]],
              f"自 {founded} 成立至 {as_of.isoformat()} 已运行 {years} 整年（至少 {rules.min_operating_years} 年）。",
              f"Operating {years} full year(s) from {founded} to {as_of.isoformat()} (at least {rules.min_operating_years}).")


_EVALUATORS = {
    "1": _check_1, "4.1": _check_4_1, "4.2": _check_4_2, "4.3": _check_4_3, "5.1": _check_5_1,
    "6.1": _check_6_1, "6.2": _check_6_2, "7.1": _check_7_1, "7.2": _check_7_2, "7.3": _check_7_3,
    "8.1": _check_8_1, "8.2": _check_8_2, "9.1": _check_9_1, "9.2": _check_9_2, "10.2": _check_10_2,
    "11": _check_11, "12": _check_12,
}


def evaluate(facts: CenterFacts, rules: Rules | None = None, as_of: _dt.date | None = None) -> CenterChecks:
    """Apply every check to one center's facts, then the reviewers' assessments."""
    rules = rules or Rules()
    as_of = as_of or rules.evaluation_date()
    results = []
    for cid in CHECK_IDS:
        fn = _EVALUATORS.get(cid)
        result = fn(facts, rules, as_of) if fn else _attested(cid)
        result.computed_status = result.status
        a = facts.assessments.get(cid)
        if a is not None:
            result.assessment = {k: a.get(k) for k in ("status", "assessor", "date", "note", "evidence", "source")}
            result.status = a["status"]
            who = a.get("assessor") or "评审专家"
            who_en = a.get("assessor") or "a reviewer"
            zh_s = "符合" if a["status"] == MET else "不符合"
            en_s = "met" if a["status"] == MET else "not met"
            said_zh = f"评审意见（{who}{'，' + a['date'] if a.get('date') else ''}）：{zh_s}。"
            said_en = f"Assessed {en_s} by {who_en}{' on ' + a['date'] if a.get('date') else ''}."
            if result.kind == "attested":  # the assessment decided it: nothing is pending any more
                d = CHECKS[cid]
                result.message_zh = f"此条由评审专家判断（“{d.title_zh}”）。{said_zh}"
                result.message_en = f"A reviewer decides this check ({d.title_en}). {said_en}"
            else:
                result.message_zh += f" {said_zh}"
                result.message_en += f" {said_en}"
        results.append(result)
    return CenterChecks(facts.center["center_id"], as_of.isoformat(), results)


ALL_CENTERS_ENGINE: list = []  # the engine for every center at once, set when graphkit.checks is imported


def check(ds, center: str | None = None, *, as_of=None, rules: Rules | None = None) -> list[CenterChecks]:
    """Evaluate every check for one center or for all centers (sorted by id)."""
    from graphkit.queries.asof import dataset_as_of

    rules = rules or Rules()
    date = rules.evaluation_date(as_of)
    if center is None and ALL_CENTERS_ENGINE:  # every center: graphkit.checks.columnar registers its engine here
        return ALL_CENTERS_ENGINE[0](ds, as_of=date, rules=rules)
    ids = [center] if center is not None else sorted(ds.index.centers)
    view = dataset_as_of(ds, date)
    return [evaluate(gather_facts(view, cid, rules), rules, date) for cid in ids]
