"""The checks of SPEC §4 through ``graphkit check DATA --as-of … --format json``: exact status, value, threshold,
evidence, for a met, a not-met and (where the rule allows) an insufficient-data case of every computed check,
at the boundaries.

Everything starts from the named dataset "eligible" (see conftest): center C1 meets every check exactly at
its threshold. Variants that only touch one center's own rows (its center row, members, shareholders,
income, collaborations, assessments) are clones of C1; variants that touch shared rows (organisations,
platforms, rankings) are whole prefixed copies ("universes"). All of them sit in ONE dataset, evaluated by one
CLI run, so every variant is checked through the real command line at the cost of one load.
"""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass

import pytest
from conftest import AS_OF, cli_json, eligible_tables, run_cli, write_dataset

MET, NOT, INS, REV = "met", "not_met", "insufficient_data", "needs_review"
PER_CENTER = ("alliance_members", "shareholders", "income", "assessments")
ALL_KINDS = ["enterprise", "university", "research_institute", "user"]


def by_id(result: dict) -> dict:
    return {c["id"]: c for c in result["checks"]}


# ---- the eligible center, every check exactly ----------------------------------------------------------------

EXPECTED_ELIGIBLE = {
    # id: (status, value, threshold, evidence, computed_status)
    "1": (MET, "2017-64", "2017-64", ["C1", "F03"], MET),
    "2": (MET, None, None, [], REV),
    "3": (MET, None, None, [], REV),
    "4.1": (MET, {"operating_company_kind": "enterprise", "members": 6}, {"operating_company_kind": "enterprise", "members": 1}, ["OPCO"], MET),
    "4.2": (MET, 2, 2, ["E1", "E2"], MET),
    "4.3": (MET, {"coverage": 0.5, "covered": 2, "total": 4, "provinces": 5, "member_kinds": ALL_KINDS},
            {"coverage": 0.5, "provinces": 5, "member_kinds": ALL_KINDS}, ["P1", "P2", "E1", "U1", "R1", "US1"], MET),
    "5.1": (MET, {"has_board": True, "has_management_team": True}, {"has_board": True, "has_management_team": True}, ["C1"], MET),
    "5.2": (MET, None, None, [], REV),
    "6.1": (MET, 1, 1, ["INV"], MET),
    "6.2": (MET, 2, 2, ["income:C1:2023:tech_transfer", "income:C1:2023:testing"], MET),
    "7.1": (MET, {"has_expert_committee": True, "chair_is_leading_expert": True}, {"has_expert_committee": True, "chair_is_leading_expert": True}, ["C1"], MET),
    "7.2": (MET, 0.5, 0.5, ["C1"], MET),
    "7.3": (MET, 0.3, 0.3, ["C1"], MET),
    "8.1": (MET, True, True, ["C1"], MET),
    "8.2": (MET, {"enterprise": 1, "university_or_institute": 2, "foreign": 1}, {"enterprise": 1, "university_or_institute": 1, "foreign": 1},
            ["C1->E1:joint_rd", "C1->FX:joint_rd", "C1->U1:joint_rd"], MET),
    "9.1": (MET, True, True, ["C1"], MET),
    "9.2": (MET, 1, 1, ["OPCO->SME1:tech_transfer"], MET),
    "10.1": (MET, None, None, [], REV),
    "10.2": (MET, 2, 1, ["C1->FX:joint_rd", "OPCO->SME1:tech_transfer"], MET),
    "11": (MET, 1, 1, ["C1->FX:joint_rd"], MET),
    "12": (MET, 2, 2, ["C1"], MET),
}


def test_eligible_center_every_check_exactly(eligible_dir):
    out = cli_json("check", eligible_dir, "--as-of", AS_OF)
    assert [r["center_id"] for r in out] == ["C1"]
    r = out[0]
    assert r["eligible"] is True
    assert [c["id"] for c in r["checks"]] == list(EXPECTED_ELIGIBLE)
    for c in r["checks"]:
        status, value, threshold, evidence, computed = EXPECTED_ELIGIBLE[c["id"]]
        assert (c["status"], c["value"], c["threshold"], c["evidence"], c["computed_status"]) == \
            (status, value, threshold, evidence, computed), c["id"]
        assert isinstance(c["message"], str) and c["message"].strip()
    attested = [c for c in r["checks"] if c["kind"] == "attested"]
    assert [c["id"] for c in attested] == ["2", "3", "5.2", "10.1"]
    assert all(c["assessment"]["status"] == MET and c["assessment"]["assessor"] == "专家甲" for c in attested)


def test_messages_in_both_languages(eligible_dir):
    en = by_id(cli_json("check", eligible_dir, "--as-of", AS_OF)[0])
    r = run_cli("check", eligible_dir, "--as-of", AS_OF, "--format", "json", "--lang", "zh")
    zh = by_id(r.json()[0])
    assert en["7.2"]["message"] == "R&D staff share of employees 50/100 = 50.0%; at least 50.0% required."
    assert zh["7.2"]["message"] == "研发人员占职工总数 50/100 = 50.0%，要求不低于 50.0%。"
    assert en["12"]["message"] == "Operating 2 full year(s) from 2022-06-30 to 2024-06-30 (at least 2)."
    for cid in EXPECTED_ELIGIBLE:
        assert en[cid]["message"] != zh[cid]["message"], cid


# ---- variants of one center, cloned into one dataset -----------------------------------------------------------

def center(**changes):
    def apply(t):
        t["centers"][0].update(changes)
    return apply


def drop(table, **match):
    def apply(t):
        t[table] = [r for r in t[table] if not all(r.get(k) == v for k, v in match.items())]
    return apply


def add(table, **row):
    def apply(t):
        t[table].append(dict(row, **({"center_id": t["centers"][0]["center_id"]} if table in PER_CENTER else {})))
    return apply


def edit(table, match: dict, **changes):
    def apply(t):
        hits = [r for r in t[table] if all(r.get(k) == v for k, v in match.items())]
        assert hits, (table, match)
        for r in hits:
            r.update(changes)
    return apply


@dataclass
class Case:
    id: str
    check: str
    status: str
    value: object
    changes: tuple
    evidence: list | None = None
    computed: str | None = None  # computed_status when an assessment overrides
    eligible: bool = False


CASES = [
    # 1 — field within the national layout (fields.csv adds F23 of another layout; F24 in 2017-64 is an error, below)
    Case("field_of_other_layout", "1", NOT, "2016-guide", (center(field_id="F23"),), ["field_of_other_layout", "F23"]),
    Case("builtin_field_of_the_annex", "1", MET, "2017-64", (center(field_id="F22"),), ["builtin_field_of_the_annex", "F22"]),
    # 4.1 — operating company an enterprise, alliance ≥ 1 member besides the operating company
    Case("no_operating_company", "4.1", INS, {"operating_company_kind": None, "members": 7}, (center(operating_company_id=""),), []),
    Case("operating_company_only_member", "4.1", NOT, {"operating_company_kind": "enterprise", "members": 0},
         tuple(drop("alliance_members", member_id=m) for m in ("E1", "E2", "INV", "U1", "R1", "US1")), ["OPCO"]),
    Case("one_member_besides_operating_company", "4.1", MET, {"operating_company_kind": "enterprise", "members": 1},
         tuple(drop("alliance_members", member_id=m) for m in ("E1", "E2", "INV", "R1", "US1")), ["OPCO"]),
    Case("one_member_operating_company_outside", "4.1", MET, {"operating_company_kind": "enterprise", "members": 1},
         tuple(drop("alliance_members", member_id=m) for m in ("OPCO", "E1", "E2", "INV", "R1", "US1")), ["OPCO"]),
    Case("operating_company_university", "4.1", NOT, {"operating_company_kind": "university", "members": 6}, (center(operating_company_id="U1"),), ["U1"]),
    Case("no_members", "4.1", NOT, {"operating_company_kind": "enterprise", "members": 0}, (drop("alliance_members"),), ["OPCO"]),
    # 4.2 — exactly 2 top-10 shareholders is met (the base); 1 is not
    Case("one_top10_shareholder", "4.2", NOT, 1, (edit("shareholders", {"org_id": "E2"}, org_id="E3"),), ["E1"]),
    Case("single_shareholder", "4.2", NOT, 1, (drop("shareholders", org_id="E2"), drop("shareholders", org_id="INV")), ["E1"]),
    # 4.3 — member kinds (a member with role "user" counts as a user)
    Case("no_user_member", "4.3", NOT, {"coverage": 0.5, "covered": 2, "total": 4, "provinces": 5, "member_kinds": ALL_KINDS[:3]},
         (drop("alliance_members", member_id="US1"),), ["P1", "P2", "E1", "U1", "R1"]),
    Case("user_by_role", "4.3", MET, {"coverage": 0.5, "covered": 2, "total": 4, "provinces": 5, "member_kinds": ALL_KINDS},
         (drop("alliance_members", member_id="US1"), edit("alliance_members", {"member_id": "U1"}, role="user")),
         ["P1", "P2", "E1", "U1", "R1", "U1"], eligible=True),
    # 5.1 — board and management team
    Case("no_board", "5.1", NOT, {"has_board": False, "has_management_team": True}, (center(has_board="false"),), ["no_board"]),
    Case("management_unknown", "5.1", INS, {"has_board": True, "has_management_team": None}, (center(has_management_team=""),), ["management_unknown"]),
    Case("no_board_management_unknown", "5.1", NOT, {"has_board": False, "has_management_team": None},
         (center(has_board="no", has_management_team=""),), ["no_board_management_unknown"]),
    # 6.1 — an investor among the shareholders
    Case("no_investor_shareholder", "6.1", NOT, 0, (drop("shareholders", org_id="INV"),), []),
    # 6.2 — ≥ 2 market streams in the latest year, market income in each of the last 2 years
    Case("one_stream", "6.2", NOT, 1, (drop("income", stream="testing"),), ["income:one_stream:2023:tech_transfer"]),
    Case("zero_amount_stream", "6.2", NOT, 1, (edit("income", {"stream": "testing"}, amount="0"),), ["income:zero_amount_stream:2023:tech_transfer"]),
    Case("previous_year_not_market", "6.2", NOT, 2, (edit("income", {"year": "2022"}, stream="government"),),
         ["income:previous_year_not_market:2023:tech_transfer", "income:previous_year_not_market:2023:testing"]),
    Case("previous_year_missing", "6.2", NOT, 2, (drop("income", year="2022"),),
         ["income:previous_year_missing:2023:tech_transfer", "income:previous_year_missing:2023:testing"]),
    Case("no_income", "6.2", INS, None, (drop("income"),), []),
    Case("latest_year_only_government", "6.2", NOT, 0, (drop("income", stream="tech_transfer"), drop("income", stream="testing")), []),
    Case("income_after_as_of_ignored", "6.2", MET, 2, (add("income", year="2025", stream="public_service", amount="10"),),
         ["income:income_after_as_of_ignored:2023:tech_transfer", "income:income_after_as_of_ignored:2023:testing"], eligible=True),
    # the evaluation year 2024 is not complete on 2024-06-30: its income does not count, 2023 is the last complete year
    Case("income_in_unfinished_year_ignored", "6.2", MET, 2, (add("income", year="2024", stream="public_service", amount="10"),),
         ["income:income_in_unfinished_year_ignored:2023:tech_transfer", "income:income_in_unfinished_year_ignored:2023:testing"], eligible=True),
    Case("only_unfinished_year_income", "6.2", NOT, 0,
         (drop("income"), add("income", year="2024", stream="testing", amount="10"), add("income", year="2024", stream="tech_transfer", amount="10")), []),
    # dated facts after --as-of are left out: a member who joins later, an assessment dated later
    Case("member_joined_after_as_of", "4.1", NOT, {"operating_company_kind": "enterprise", "members": 0},
         tuple(drop("alliance_members", member_id=m) for m in ("E1", "E2", "INV", "R1", "US1"))
         + (edit("alliance_members", {"member_id": "U1"}, joined="2024-07-01"),), ["OPCO"]),
    Case("member_joined_on_as_of", "4.1", MET, {"operating_company_kind": "enterprise", "members": 1},
         tuple(drop("alliance_members", member_id=m) for m in ("E1", "E2", "INV", "R1", "US1"))
         + (edit("alliance_members", {"member_id": "U1"}, joined="2024-06-30"),), ["OPCO"]),
    Case("member_joined_in_as_of_month", "4.1", MET, {"operating_company_kind": "enterprise", "members": 1},
         tuple(drop("alliance_members", member_id=m) for m in ("E1", "E2", "INV", "R1", "US1"))
         + (edit("alliance_members", {"member_id": "U1"}, joined="2024-06"),), ["OPCO"]),
    Case("member_joined_next_month", "4.1", NOT, {"operating_company_kind": "enterprise", "members": 0},
         tuple(drop("alliance_members", member_id=m) for m in ("E1", "E2", "INV", "R1", "US1"))
         + (edit("alliance_members", {"member_id": "U1"}, joined="2024-07"),), ["OPCO"]),
    Case("assessment_dated_after_as_of_ignored", "7.2", MET, 0.5,
         (add("assessments", check_id="7.2", status="not_met", assessor="专家乙", date="2024-07-01"),), ["assessment_dated_after_as_of_ignored"],
         computed=MET, eligible=True),
    # 7.1 — expert committee chaired by a leading expert
    Case("chair_not_leading", "7.1", NOT, {"has_expert_committee": True, "chair_is_leading_expert": False},
         (center(chair_is_leading_expert="no"),), ["chair_not_leading"]),
    Case("committee_unknown", "7.1", INS, {"has_expert_committee": None, "chair_is_leading_expert": True},
         (center(has_expert_committee=""),), ["committee_unknown"]),
    # 7.2 — R&D staff ≥ 50 % (exactly 50 % is the base)
    Case("rd_staff_49pct", "7.2", NOT, 0.49, (center(rd_staff="49"),), ["rd_staff_49pct"]),
    Case("rd_staff_3_of_6", "7.2", MET, 0.5, (center(employees="6", rd_staff="3"),), ["rd_staff_3_of_6"], eligible=True),
    Case("employees_unknown", "7.2", INS, None, (center(employees=""),), ["employees_unknown"]),
    Case("rd_staff_unknown", "7.2", INS, None, (center(rd_staff=""),), ["rd_staff_unknown"]),
    Case("no_employees", "7.2", NOT, None, (center(employees="0", rd_staff="0"),), ["no_employees"]),
    # 7.3 — R&D expense ≥ 30 % (exactly 30 % is the base); 0.408/1.36 is exactly 30 % but below it in floating point
    Case("rd_expense_29_99pct", "7.3", NOT, 0.2999, (center(rd_expense="299.9"),), ["rd_expense_29_99pct"]),
    Case("rd_expense_exact_decimal", "7.3", MET, 0.3, (center(rd_expense="0.408", total_cost="1.36"),), ["rd_expense_exact_decimal"], eligible=True),
    Case("total_cost_unknown", "7.3", INS, None, (center(total_cost=""),), ["total_cost_unknown"]),
    # 8.1 — roadmap
    Case("no_roadmap", "8.1", NOT, False, (center(has_roadmap="否"),), ["no_roadmap"]),
    Case("roadmap_unknown", "8.1", INS, None, (center(has_roadmap=""),), ["roadmap_unknown"]),
    # 8.2 — roadmap projects with an enterprise, a university or institute, and a foreign organisation
    Case("foreign_partner_without_project", "8.2", NOT, {"enterprise": 1, "university_or_institute": 1, "foreign": 0},
         (edit("collaborations", {"to_id": "FX"}, project=""),),
         ["foreign_partner_without_project->E1:joint_rd", "foreign_partner_without_project->U1:joint_rd"]),
    Case("foreign_partner_exchange_only", "8.2", NOT, {"enterprise": 1, "university_or_institute": 1, "foreign": 0},
         (edit("collaborations", {"to_id": "FX"}, kind="exchange"),),
         ["foreign_partner_exchange_only->E1:joint_rd", "foreign_partner_exchange_only->U1:joint_rd"]),
    # 9.1 — IP policy
    Case("no_ip_policy", "9.1", NOT, False, (center(has_ip_policy="0"),), ["no_ip_policy"]),
    Case("ip_policy_unknown", "9.1", INS, None, (center(has_ip_policy=""),), ["ip_policy_unknown"]),
    # 10.2 — cooperation outside the members and shareholders
    Case("all_partners_are_members", "10.2", NOT, 0,
         (add("alliance_members", member_id="FX", role="member"), add("alliance_members", member_id="SME1", role="member")), []),
    Case("partner_is_shareholder", "10.2", NOT, 0,
         (add("shareholders", org_id="FX", share_pct="1"), add("alliance_members", member_id="SME1", role="member")), []),
    # 11 — a foreign university, institute or enterprise
    Case("no_foreign_collaboration", "11", NOT, 0, (drop("collaborations", to_id="FX"),), []),
    # 12 — founded exactly 2 years before --as-of is met (the base); one day less is not
    Case("founded_one_day_late", "12", NOT, 1, (center(founded="2022-07-01"),), ["founded_one_day_late"]),
    Case("founded_unknown", "12", INS, None, (center(founded=""),), ["founded_unknown"]),
    Case("founded_year_only", "12", MET, 2, (center(founded="2022"),), ["founded_year_only"], eligible=True),
    Case("founded_year_only_too_late", "12", NOT, 1, (center(founded="2023"),), ["founded_year_only_too_late"]),
    Case("founded_month_same", "12", MET, 2, (center(founded="2022-06"),), ["founded_month_same"], eligible=True),
    Case("founded_month_next", "12", NOT, 1, (center(founded="2022-07"),), ["founded_month_next"]),
    # a platform can be an alliance member itself: it counts as a member, never as an organisation kind
    Case("platform_member_counts", "4.1", MET, {"operating_company_kind": "enterprise", "members": 7},
         (add("alliance_members", member_id="P3", role="member"),), ["OPCO"], eligible=True),
    Case("platform_with_user_role_is_no_user", "4.3", NOT,
         {"coverage": 0.75, "covered": 3, "total": 4, "provinces": 5, "member_kinds": ALL_KINDS[:3]},
         (drop("alliance_members", member_id="US1"), add("alliance_members", member_id="P3", role="user")),
         ["P1", "P2", "P3", "E1", "U1", "R1"]),
    Case("second_platform_member", "4.1", MET, {"operating_company_kind": "enterprise", "members": 7},
         (add("alliance_members", member_id="P4", role="member"),), ["OPCO"], eligible=True),
    # 8.2 evidence when met: one collaboration per part, not every one
    Case("second_enterprise_partner", "8.2", MET, {"enterprise": 2, "university_or_institute": 2, "foreign": 1},
         (add("collaborations", from_id="second_enterprise_partner", to_id="E2", kind="joint_rd", year="2023", project="路线图项目二"),),
         ["second_enterprise_partner->E1:joint_rd", "second_enterprise_partner->FX:joint_rd", "second_enterprise_partner->U1:joint_rd"],
         eligible=True),
    # assessments: an attested check without one is needs_review; an assessment overrides a computed check
    Case("attested_without_assessment", "2", REV, None, (drop("assessments", check_id="2"),), [], computed=REV),
    Case("attested_assessed_not_met", "5.2", NOT, None, (edit("assessments", {"check_id": "5.2"}, status="not_met"),), [], computed=REV),
    Case("assessed_not_met_over_computed_met", "7.2", NOT, 0.5,
         (add("assessments", check_id="7.2", status="not_met", assessor="专家乙", date="2024-06-01"),), None, computed=MET),
    Case("assessed_met_over_computed_not_met", "7.2", MET, 0.4,
         (center(rd_staff="40"), add("assessments", check_id="7.2", status="met", assessor="专家乙", date="2024-06-01")),
         None, computed=NOT, eligible=True),
    Case("latest_assessment_holds", "3", MET, None,
         (add("assessments", check_id="3", status="not_met", assessor="专家丙", date="2024-01-01"),), [], computed=REV, eligible=True),
]


def _clone(base: dict, case: Case) -> dict:
    """Rows of C1 copied under the case's id, then the case's changes applied to the copies."""
    cid = case.id
    t = {"centers": [dict(base["centers"][0], center_id=cid)]}
    for name in PER_CENTER:
        t[name] = [dict(r, center_id=cid) for r in base[name] if r["center_id"] == "C1"]
    t["collaborations"] = [dict(r, from_id=cid) for r in base["collaborations"] if r["from_id"] == "C1"]
    for change in case.changes:
        change(t)
    return t


# ---- variants that change shared rows (organisations, platforms, rankings) ---------------------------------
# Each becomes a separate "universe" inside the same dataset: every id is prefixed and the fields F03 and F06 are
# replaced by the universe's own fields (declared in fields.csv with layout 2017-64), so nothing is shared.

def _rows(t, table, **match):
    return [r for r in t[table] if all(r.get(k) == v for k, v in match.items())]


def _set(t, table, match, **changes):
    hits = _rows(t, table, **match)
    assert hits
    for r in hits:
        r.update(changes)


def _coverage_platforms(t, covered, total):
    t["platforms"] = [
        {"platform_id": f"P{i:03d}", "name": f"平台{i}", "kind": "state_key_lab", "field_ids": "F03",
         "host_ids": "U1" if i <= covered else "X1"} for i in range(1, total + 1)]


SHARED = [
    # id, edit(tables), check, status, value, evidence (None = not asserted)
    ("no_rankings_at_all", lambda t: t.update(field_rankings=[]), "4.2", INS, 0, []),
    ("rankings_only_in_other_field", lambda t: [r.update(field_id="F06") for r in t["field_rankings"]], "4.2", INS, 0, []),
    ("rank_11_is_not_top10", lambda t: _set(t, "field_rankings", {"org_id": "E2"}, rank="11"), "4.2", NOT, 1, ["E1"]),
    ("latest_ranking_year_holds", lambda t: (_set(t, "field_rankings", {"org_id": "E2"}, rank="12"),
                                             t["field_rankings"].append({"org_id": "E2", "field_id": "F03", "rank": "3", "year": "2022"})),
     "4.2", NOT, 1, ["E1"]),
    ("four_provinces", lambda t: _set(t, "organizations", {"org_id": "R1"}, province="北京"), "4.3", NOT,
     {"coverage": 0.5, "covered": 2, "total": 4, "provinces": 4, "member_kinds": ALL_KINDS}, None),
    ("province_unknown_could_reach_5", lambda t: _set(t, "organizations", {"org_id": "R1"}, province=""), "4.3", INS,
     {"coverage": 0.5, "covered": 2, "total": 4, "provinces": 4, "member_kinds": ALL_KINDS}, None),
    ("province_unknown_cannot_reach_5", lambda t: (_set(t, "organizations", {"org_id": "R1"}, province=""),
                                                   _set(t, "organizations", {"org_id": "U1"}, province="北京")), "4.3", NOT,
     {"coverage": 0.5, "covered": 2, "total": 4, "provinces": 3, "member_kinds": ALL_KINDS}, None),
    ("coverage_50_of_100", lambda t: _coverage_platforms(t, 50, 100), "4.3", MET,
     {"coverage": 0.5, "covered": 50, "total": 100, "provinces": 5, "member_kinds": ALL_KINDS}, None),
    ("coverage_49_of_100", lambda t: _coverage_platforms(t, 49, 100), "4.3", NOT,
     {"coverage": 0.49, "covered": 49, "total": 100, "provinces": 5, "member_kinds": ALL_KINDS}, None),
    ("coverage_undefined", lambda t: t.update(platforms=[]), "4.3", INS,
     {"coverage": None, "covered": 0, "total": 0, "provinces": 5, "member_kinds": ALL_KINDS}, ["E1", "U1", "R1", "US1"]),
    ("inactive_and_other_national_not_counted",
     lambda t: (_set(t, "platforms", {"platform_id": "P3"}, status="revoked"), _set(t, "platforms", {"platform_id": "P4"}, kind="other_national")),
     "4.3", MET, {"coverage": 1.0, "covered": 2, "total": 2, "provinces": 5, "member_kinds": ALL_KINDS}, ["P1", "P2", "E1", "U1", "R1", "US1"]),
    ("investor_is_an_enterprise", lambda t: _set(t, "organizations", {"org_id": "INV"}, kind="enterprise"), "6.1", NOT, 0, []),
    # 9.2 — to enterprises, especially SMEs: an SME is not required; the receiver must be an enterprise (or user)
    ("transfer_to_non_sme", lambda t: _set(t, "organizations", {"org_id": "SME1"}, is_sme="no"), "9.2", MET, 1, ["OPCO->SME1:tech_transfer"]),
    ("transfer_to_unknown_sme", lambda t: _set(t, "organizations", {"org_id": "SME1"}, is_sme=""), "9.2", MET, 1, ["OPCO->SME1:tech_transfer"]),
    ("transfer_to_user", lambda t: _set(t, "organizations", {"org_id": "SME1"}, kind="user"), "9.2", MET, 1, ["OPCO->SME1:tech_transfer"]),
    ("transfer_to_university", lambda t: _set(t, "organizations", {"org_id": "SME1"}, kind="university"), "9.2", NOT, 0, []),
    ("incubation_of_enterprise", lambda t: (_set(t, "collaborations", {"to_id": "SME1"}, kind="exchange"),
                                            t["collaborations"].append({"from_id": "C1", "to_id": "E3", "kind": "incubation"})),
     "9.2", MET, 1, ["C1->E3:incubation"]),
    ("incubation_of_government", lambda t: (_set(t, "collaborations", {"to_id": "SME1"}, kind="exchange"),
                                            _set(t, "organizations", {"org_id": "X1"}, kind="government"),
                                            t["collaborations"].append({"from_id": "C1", "to_id": "X1", "kind": "incubation"})),
     "9.2", NOT, 0, []),
    ("foreign_partner_is_a_user", lambda t: _set(t, "organizations", {"org_id": "FX"}, kind="user"), "11", NOT, 0, []),
    # 8.2 — the foreign partner must be an enterprise, university or institute (a foreign user is none of them)
    ("foreign_user_does_not_count_for_8_2", lambda t: _set(t, "organizations", {"org_id": "FX"}, kind="user"), "8.2", NOT,
     {"enterprise": 1, "university_or_institute": 1, "foreign": 0}, ["C1->E1:joint_rd", "C1->FX:joint_rd", "C1->U1:joint_rd"]),
    ("foreign_government_does_not_count_for_8_2", lambda t: _set(t, "organizations", {"org_id": "FX"}, kind="government"), "8.2", NOT,
     {"enterprise": 1, "university_or_institute": 1, "foreign": 0}, ["C1->E1:joint_rd", "C1->FX:joint_rd", "C1->U1:joint_rd"]),
    ("foreign_enterprise_counts_for_8_2", lambda t: _set(t, "organizations", {"org_id": "FX"}, kind="enterprise"), "8.2", MET,
     {"enterprise": 2, "university_or_institute": 1, "foreign": 1}, ["C1->E1:joint_rd", "C1->FX:joint_rd", "C1->U1:joint_rd"]),
    # 4.2 — the field's latest ranking up to the evaluation year; enterprises only
    ("dropped_out_of_latest_ranking", lambda t: _set(t, "field_rankings", {"org_id": "E2"}, year="2022"), "4.2", NOT, 1, ["E1"]),
    ("ranking_after_as_of_ignored", lambda t: t["field_rankings"].append({"org_id": "E3", "field_id": "F03", "rank": "1", "year": "2025"}),
     "4.2", MET, 2, ["E1", "E2"]),
    ("ranking_in_as_of_year_is_latest", lambda t: t["field_rankings"].append({"org_id": "E3", "field_id": "F03", "rank": "1", "year": "2024"}),
     "4.2", NOT, 0, []),
    ("only_rankings_after_as_of", lambda t: [r.update(year="2025") for r in t["field_rankings"]], "4.2", INS, 0, []),
    ("university_ranked_top10", lambda t: _set(t, "organizations", {"org_id": "E2"}, kind="university"), "4.2", NOT, 1, ["E1"]),
    # 4.3 — members who joined after --as-of do not count toward coverage
    ("platform_host_joined_after_as_of", lambda t: _set(t, "alliance_members", {"member_id": "R1"}, joined="2025"), "4.3", NOT,
     {"coverage": 0.25, "covered": 1, "total": 4, "provinces": 4, "member_kinds": ALL_KINDS[:2] + ["user"]}, None),
    ("platform_approved_after_as_of", lambda t: _set(t, "platforms", {"platform_id": "P4"}, approved="2025-01"), "4.3", MET,
     {"coverage": 2 / 3, "covered": 2, "total": 3, "provinces": 5, "member_kinds": ALL_KINDS}, ["P1", "P2", "E1", "U1", "R1", "US1"]),
]



UNIVERSE_FIELDS = ("F03", "F06")


def universe(tables: dict, p: str) -> dict:
    """A copy of ``tables`` where every center, organisation, platform and field id starts with ``p``."""
    def ren(x):
        return f"{p}{x}" if x else x

    def ren_list(x):
        return "|".join(ren(v) for v in x.split("|")) if x else x

    renames = {
        "centers": {"center_id": ren, "operating_company_id": ren, "field_id": ren},
        "organizations": {"org_id": ren},
        "platforms": {"platform_id": ren, "field_ids": ren_list, "host_ids": ren_list},
        "shareholders": {"center_id": ren, "org_id": ren},
        "alliance_members": {"center_id": ren, "member_id": ren},
        "field_rankings": {"org_id": ren, "field_id": ren},
        "collaborations": {"from_id": ren, "to_id": ren},
        "income": {"center_id": ren},
        "assessments": {"center_id": ren},
    }
    out = {name: [{k: renames[name].get(k, lambda v: v)(v) for k, v in row.items()} for row in tables[name]]
           for name in renames}
    out["fields"] = [{"field_id": ren(f), "name_zh": f"领域{p}{f}", "layout": "universe"} for f in UNIVERSE_FIELDS]
    return out


def unprefix(evidence: list[str]) -> list[str]:
    return [re.sub(r"u\d+_", "", e) for e in evidence]


@pytest.fixture(scope="module")
def clone_results(tmp_path_factory):
    base = eligible_tables()
    tables = copy.deepcopy(base)
    for case in CASES:
        t = _clone(base, case)
        for name, rows in t.items():
            tables[name].extend(rows)
    tables["fields"] = [{"field_id": "F23", "name_zh": "动力电池", "layout": "2016-guide"}]
    for n, (_, change, *_rest) in enumerate(SHARED):
        t = eligible_tables()
        change(t)
        for name, rows in universe(t, f"u{n}_").items():
            tables.setdefault(name, []).extend(rows)
    folder = write_dataset(tmp_path_factory.mktemp("clones"), **tables)
    out = cli_json("check", folder, "--as-of", AS_OF)
    return {r["center_id"]: r for r in out}


def test_clones_are_independent(clone_results):
    """C1 is still eligible with every clone beside it, and every clone was evaluated."""
    assert clone_results["C1"]["eligible"] is True
    assert set(clone_results) == {"C1"} | {c.id for c in CASES} | {f"u{n}_C1" for n in range(len(SHARED))}


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_check_variant(clone_results, case):
    r = clone_results[case.id]
    c = by_id(r)[case.check]
    assert (c["status"], c["value"]) == (case.status, case.value)
    if case.evidence is not None:
        assert c["evidence"] == case.evidence
    assert c["computed_status"] == (case.computed or case.status)
    if c["assessment"] is not None:  # an assessment decides; the computed status stays visible beside it
        assert c["assessment"]["status"] == c["status"]
    else:
        assert c["status"] == c["computed_status"]
    assert r["eligible"] is case.eligible
    # eligible exactly when every check is met
    assert r["eligible"] is all(x["status"] == MET for x in r["checks"])


def test_assessment_override_keeps_both_statuses(clone_results):
    c = by_id(clone_results["assessed_met_over_computed_not_met"])["7.2"]
    assert c["assessment"] == {"status": "met", "assessor": "专家乙", "date": "2024-06-01", "note": None, "evidence": None, "source": None}
    assert c["message"].startswith("R&D staff share of employees 40/100 = 40.0%; at least 50.0% required.")
    assert c["message"].endswith("Assessed met by 专家乙 on 2024-06-01.")


@pytest.mark.parametrize("n", range(len(SHARED)), ids=[s[0] for s in SHARED])
def test_shared_variant(clone_results, n):
    _, _, check_id, status, value, evidence = SHARED[n]
    r = clone_results[f"u{n}_C1"]
    c = by_id(r)[check_id]
    assert (c["status"], c["value"]) == (status, value)
    if evidence is not None:
        assert unprefix(c["evidence"]) == evidence
    if status != MET:
        assert r["eligible"] is False
    else:  # a universe's fields have a layout of their own, so check 1 is not met there (see universe())
        assert [x["id"] for x in r["checks"] if x["status"] != MET] == ["1"]


# ---- --as-of and --rules ------------------------------------------------------------------------------------

def test_as_of_one_day_earlier_fails_check_12_only(eligible_dir):
    r = cli_json("check", eligible_dir, "--as-of", "2024-06-29")[0]
    assert r["as_of"] == "2024-06-29"
    assert [(c["id"], c["status"], c["value"]) for c in r["checks"] if c["status"] != MET] == [("12", NOT, 1)]
    assert r["eligible"] is False


def test_rules_file_changes_thresholds(eligible_dir, tmp_path):
    rules = tmp_path / "rules.toml"
    rules.write_text('min_coverage = 0.6\nmin_rd_staff_ratio = 0.4\nactive_layout = "2016-guide"\n', encoding="utf-8")
    r = by_id(cli_json("check", eligible_dir, "--as-of", AS_OF, "--rules", rules)[0])
    assert (r["4.3"]["status"], r["4.3"]["threshold"]["coverage"]) == (NOT, 0.6)
    assert (r["7.2"]["status"], r["7.2"]["threshold"]) == (MET, 0.4)
    assert (r["1"]["status"], r["1"]["threshold"]) == (NOT, "2016-guide")


def test_bad_rules_file_and_bad_as_of_are_invalid_input(eligible_dir, tmp_path):
    rules = tmp_path / "rules.toml"
    rules.write_text("min_coverage = 1.5\n", encoding="utf-8")
    r = run_cli("check", eligible_dir, "--rules", rules, "--format", "json")
    assert (r.exit_code, r.stdout) == (2, "")
    assert "min_coverage" in r.stderr and "Traceback" not in r.stderr
    r = run_cli("check", eligible_dir, "--as-of", "2024-02-30", "--format", "json")
    assert (r.exit_code, r.stdout) == (2, "")
    assert "2024-02-30" in r.stderr


def test_library_and_cli_agree(eligible, eligible_dir):
    from graphkit.checks.conditions import check
    from graphkit.engine import EmbeddedEngine
    from graphkit.present.evidence import checks_to_json

    lib = checks_to_json(EmbeddedEngine(eligible), check(eligible, as_of=AS_OF), "en")
    assert cli_json("check", eligible_dir, "--as-of", AS_OF) == lib
    assert all("evidence_detail" not in c for r in check(eligible, as_of=AS_OF) for c in r.to_dict("en")["checks"])


def test_xlsx_workbook_gives_the_same_checks(eligible_dir, tmp_path):
    """The same dataset as one workbook (numbers, booleans and dates as Excel values) gives identical results."""
    import datetime

    import openpyxl

    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for name, rows in eligible_tables().items():
        ws = wb.create_sheet(name)
        cols = list(dict.fromkeys(k for r in rows for k in r))
        ws.append(cols)
        for r in rows:
            ws.append([r.get(c) for c in cols])
    ws = wb["centers"]
    header = [c.value for c in ws[1]]
    for col, value in (("employees", 100.0), ("rd_staff", 50), ("rd_expense", 300.0), ("has_board", True),
                       ("founded", datetime.datetime(2022, 6, 30))):
        ws.cell(2, header.index(col) + 1).value = value
    wb.save(tmp_path / "book.xlsx")
    assert cli_json("check", tmp_path / "book.xlsx", "--as-of", AS_OF) == cli_json("check", eligible_dir, "--as-of", AS_OF)


def test_smallest_dataset_every_status(tmp_path):
    """One center with an operating company and nothing else: what is unknown is insufficient_data, what is
    absent (members, shareholders, collaborations) is not_met."""
    from conftest import minimal_tables

    r = cli_json("check", write_dataset(tmp_path / "m", **minimal_tables()), "--as-of", AS_OF)[0]
    assert {c["id"]: c["status"] for c in r["checks"]} == {
        "1": MET, "2": REV, "3": REV, "4.1": NOT, "4.2": NOT, "4.3": NOT, "5.1": INS, "5.2": REV, "6.1": NOT,
        "6.2": INS, "7.1": INS, "7.2": INS, "7.3": INS, "8.1": INS, "8.2": NOT, "9.1": INS, "9.2": NOT,
        "10.1": REV, "10.2": NOT, "11": NOT, "12": INS}
    assert r["eligible"] is False


# ---- revised rules that need their own evaluation date or dataset ----------------------------------------------

@pytest.mark.parametrize("as_of, status, value", [
    ("2024-12-30", MET, 2),      # 2024 not complete yet: 2023 and 2022 decide
    ("2024-12-31", NOT, 0),      # 2024 is complete: it has no income at all
    ("2026-06-30", NOT, 0),      # income last seen in 2022–23 no longer passes in 2026
])
def test_6_2_uses_the_last_complete_year(eligible_dir, as_of, status, value):
    c = by_id(cli_json("check", eligible_dir, "--as-of", as_of)[0])["6.2"]
    assert (c["status"], c["value"]) == (status, value)


def test_6_2_message_names_streams_in_words(eligible_dir):
    zh = by_id(run_cli("check", eligible_dir, "--as-of", AS_OF, "--format", "json", "--lang", "zh").json()[0])["6.2"]
    assert zh["message"] == "最近完整年度 2023 年有 2 种市场化收入（技术转让/成果转化、检测检验，至少 2 种）（须连续 2 年）。"
    en = by_id(cli_json("check", eligible_dir, "--as-of", AS_OF)[0])["6.2"]
    assert en["message"] == ("In 2023, the last complete year, income from 2 market stream(s) (technology transfer, testing; at least 2) "
                             "(required in each of the last 2 complete years).")


def test_fields_csv_cannot_add_to_the_annex_layout(tmp_path):
    t = eligible_tables()
    t["fields"] = [{"field_id": "F23", "name_zh": "动力电池", "layout": "2016-guide"},
                   {"field_id": "F24", "name_zh": "增材制造", "layout": "2017-64"}]
    r = run_cli("validate", write_dataset(tmp_path / "d", **t), "--format", "json", "--lang", "en")
    assert r.exit_code == 2
    assert r.json()["errors"] == ["fields.csv:3:layout: field F24 cannot join layout 2017-64: that layout is exactly the "
                                  "notice's annex F01–F22; give added fields a layout of their own"]


# ---- every check's message, in both languages, for the eligible center -----------------------------------------

MESSAGES_ZH = {
    '1': '领域 F03 属于布局 2017-64，在总体布局 2017-64 之内。',
    '2': '此条由评审专家判断（“面向重大需求、突出协同创新”）。评审意见（专家甲，2024-05-01）：符合。',
    '3': '此条由评审专家判断（“以关键共性技术研发供给、转移扩散和首次商业化为目标”）。评审意见（专家甲，2024-05-01）：符合。',
    '4.1': '依托公司甲公司（OPCO）为企业；联盟有依托公司以外的成员 6 个（至少 1 个）。',
    '4.2': '股东 3 家（至少 2 家），其中本领域排名前 10 的企业 2 家：骨干企业一（E1）、骨干企业二（E2）（至少 2 家）（按本领域 2023 年排名）。',
    '4.3': '联盟覆盖本领域国家级创新平台 2/4（50.0%，要求不低于 50.0%）；成员类型齐全；成员来自 5 个省份（至少 5 个）。',
    '5.1': '设董事会：是；有经营管理团队：是。',
    '5.2': '此条由评审专家判断（“内部管理制度明确各方责权利”）。评审意见（专家甲，2024-05-01）：符合。',
    '6.1': '股东中有 1 家社会资本（投资机构）：产业基金（INV），至少需要 1 家。',
    '6.2': '最近完整年度 2023 年有 2 种市场化收入（技术转让/成果转化、检测检验，至少 2 种）（须连续 2 年）。',
    '7.1': '设专家委员会：是；主任为行业领军专家：是（主任：张三）。',
    '7.2': '研发人员占职工总数 50/100 = 50.0%，要求不低于 50.0%。',
    '7.3': '研发费用占成本费用支出 300/1000 = 30.0%，要求不低于 30.0%。',
    '8.1': '制定技术路线图：是（2021 年）。',
    '8.2': '路线图项目（有项目名称的联合研发）涉及企业 1 家、高校或科研院所 2 家、国外企业、高校或科研院所 1 家（各至少 1 家）。',
    '9.1': '建立知识产权制度：是。',
    '9.2': '向企业技术转移 1 项（其中向中小企业 1 项）、孵化企业 0 项（合计至少 1 项）。',
    '10.1': '此条由评审专家判断（“与成员单位资源开放共享”）。评审意见（专家甲，2024-05-01）：符合。',
    '10.2': '与成员、股东和依托公司以外的 2 家单位开展了技术合作（至少 1 家）。',
    '11': '与 1 家国外高校、科研机构或企业有交流或合作（至少 1 家）。',
    '12': '自 2022-06-30 成立至 2024-06-30 已运行 2 整年（至少 2 年）。',
}
MESSAGES_EN = {
    '1': 'Field F03 belongs to layout 2017-64, within the national layout 2017-64.',
    '2': 'A reviewer decides this check (major needs and collaborative innovation, per the Guide). Assessed met by 专家甲 on 2024-05-01.',
    '3': 'A reviewer decides this check (aims at R&D supply, diffusion and first commercialisation of key common technologies). Assessed met by 专家甲 on 2024-05-01.',
    '4.1': 'Operating company 甲公司 (OPCO) is an enterprise; the alliance has 6 member(s) besides the operating company (at least 1).',
    '4.2': "3 shareholder(s) (at least 2), of which 2 enterprise(s) rank in the field's top 10: 骨干企业一 (E1), 骨干企业二 (E2) (at least 2) (the field's 2023 ranking).",
    '4.3': "The alliance covers 2/4 of the field's national-level platforms (50.0%; at least 50.0% required); all member kinds present; members from 5 provinces (at least 5).",
    '5.1': 'Has a board: yes; has a management team: yes.',
    '5.2': "A reviewer decides this check (internal rules make each party's rights clear). Assessed met by 专家甲 on 2024-05-01.",
    '6.1': '1 shareholder(s) are investors (social capital): 产业基金 (INV); at least 1 is required.',
    '6.2': 'In 2023, the last complete year, income from 2 market stream(s) (technology transfer, testing; at least 2) (required in each of the last 2 complete years).',
    '7.1': 'Has an expert committee: yes; chaired by a leading expert: yes (chair: 张三).',
    '7.2': 'R&D staff share of employees 50/100 = 50.0%; at least 50.0% required.',
    '7.3': 'R&D expense share of total cost 300/1000 = 30.0%; at least 30.0% required.',
    '8.1': 'Has a technology roadmap: yes (2021).',
    '8.2': 'Roadmap projects (joint R&D naming a project) involve 1 enterprise(s), 2 university/institute(s) and 1 foreign enterprise(s), universities or institutes (at least 1 each).',
    '9.1': 'Has an IP policy: yes.',
    '9.2': '1 technology transfer(s) to enterprises (1 to SMEs) and 0 incubation(s) of enterprises (at least 1 in all).',
    '10.1': 'A reviewer decides this check (resources shared with members). Assessed met by 专家甲 on 2024-05-01.',
    '10.2': 'Technical cooperation with 2 organisation(s) that are neither members, shareholders nor the operating company (at least 1).',
    '11': 'Exchange or cooperation with 1 foreign university/institute/enterprise(s) (at least 1).',
    '12': 'Operating 2 full year(s) from 2022-06-30 to 2024-06-30 (at least 2).',
}


def test_every_message_in_both_languages(eligible_dir):
    zh = by_id(run_cli("check", eligible_dir, "--as-of", AS_OF, "--format", "json", "--lang", "zh").json()[0])
    en = by_id(cli_json("check", eligible_dir, "--as-of", AS_OF)[0])
    assert {k: v["message"] for k, v in zh.items()} == MESSAGES_ZH
    assert {k: v["message"] for k, v in en.items()} == MESSAGES_EN


def test_not_met_messages_in_both_languages(clone_results):
    """One not-met case per revised rule, both languages (the clones are evaluated in English; zh via the library)."""
    c = by_id(clone_results["operating_company_only_member"])["4.1"]
    assert c["message"] == ("Operating company 甲公司 (OPCO) is an enterprise; the alliance has 0 member(s) besides the "
                            "operating company (at least 1).")
    c = by_id(clone_results["operating_company_university"])["4.1"]
    assert c["message"] == ("Operating company 大学一 (U1) is a university, not an enterprise; the alliance has 6 member(s) "
                            "besides the operating company (at least 1).")
    c = by_id(clone_results["previous_year_missing"])["6.2"]
    assert c["message"] == ("In 2023, the last complete year, income from 2 market stream(s) (technology transfer, testing; "
                            "at least 2); none in 2022 (required in each of the last 2 complete years).")


def test_4_3_uses_the_rules_counted_platform_kinds(eligible_dir, tmp_path):
    """Only state key laboratories counted: P1 (hosted by member U1) is the one platform, so coverage is 1/1."""
    rules = tmp_path / "rules.toml"
    rules.write_text('counted_platform_kinds = ["state_key_lab"]\n', encoding="utf-8")
    c = by_id(cli_json("check", eligible_dir, "--as-of", AS_OF, "--rules", rules)[0])["4.3"]
    assert (c["status"], c["value"]["covered"], c["value"]["total"], c["evidence"][:1]) == (MET, 1, 1, ["P1"])
    rules.write_text('counted_platform_kinds = ["national_engineering_research_center"]\n', encoding="utf-8")
    c = by_id(cli_json("check", eligible_dir, "--as-of", AS_OF, "--rules", rules)[0])["4.3"]
    assert (c["status"], c["value"]["covered"], c["value"]["total"]) == (NOT, 0, 1)


@pytest.mark.parametrize("founded, years", [("2022-12-31", 1), ("2022-6-3", 2), ("2022-12", 1), ("2021-12-31", 2)])
def test_dates_of_any_month_and_unpadded(tmp_path, founded, years):
    t = eligible_tables()
    t["centers"][0]["founded"] = founded
    c = by_id(cli_json("check", write_dataset(tmp_path / "d", **t), "--as-of", AS_OF)[0])["12"]
    assert c["value"] == years
