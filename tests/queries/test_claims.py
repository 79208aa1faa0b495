"""Claims check (SPEC §5): ratios within ± 0.5 pp (written 0.62, 62 % or 62), exact counts, covered-platform lists
entry by entry (by id or by normalised name), through ``graphkit claims DATA --format json``.

Center K (field F03) covers P1–P5 of the eight active F03 platforms: 5/8 = 62.5 %; in F06 it covers PX of PX, PX2:
1/2. K has 6 members. K2 is in F05, a field with no platform.
"""

from __future__ import annotations

import pytest
from conftest import cli_json, run_cli, write_dataset

NAMES = {
    "P1": "机器人技术与系统国家重点实验室", "P2": "机器人学国家重点实验室（中国科学院沈阳自动化研究所）",
    "P3": "数字制造装备与技术国家重点实验室", "P6": "精密测试技术及仪器国家重点实验室", "PR": "摩擦学国家重点实验室",
    "PX": "数控机床国家工程研究中心",
}
PLATFORMS = [  # id, fields, host, status
    ("P1", "F03", "H1", "active"), ("P2", "F03", "H2", "active"), ("P3", "F03", "H3", "active"), ("P4", "F03", "H4", "active"),
    ("P5", "F03", "H5", "active"), ("P6", "F03", "H6", "active"), ("P7", "F03", "H7", "active"), ("P8", "F03", "H8", "active"),
    ("PR", "F03", "H1", "revoked"), ("PR2", "F03", "H7", "revoked"), ("PX", "F06", "H1", "active"), ("PX2", "F06", "H8", "active"),
]
LONG_LIST = ["P1", "机器人学国家重点实验室(中科院沈阳自动化研究所)", "数字制造装备与技术 国家重点实验室", "P99",
             "数字制造装备技术国家重点实验", "PX", "P6", "PR", "PR2"]
CLAIMS = [  # claim, value, field_id, center → expected verdict, computed
    ("K", "coverage_ratio", "0.62", "", "consistent", 0.625),    # −0.5 pp exactly
    ("K", "coverage_ratio", "62%", "", "consistent", 0.625),
    ("K", "coverage_ratio", "62", "", "consistent", 0.625),      # read as 62 % (with a warning)
    ("K", "coverage_ratio", "0.63", "", "consistent", 0.625),    # +0.5 pp exactly
    ("K", "coverage_ratio", "0.631", "", "overstated", 0.625),
    ("K", "coverage_ratio", "61.9%", "", "understated", 0.625),
    ("K", "coverage_ratio", "0.5", "F06", "consistent", 0.5),
    ("K2", "coverage_ratio", "0.5", "", "unverifiable", None),
    ("K", "member_count", "6", "", "consistent", 6),
    ("K", "member_count", "7", "", "overstated", 6),
    ("K", "member_count", "5", "", "understated", 6),
    ("K", "covered_platforms", "P1|P2|P3|P4|P5", "", "consistent", ["P1", "P2", "P3", "P4", "P5"]),
    ("K", "covered_platforms", "P1|P2", "", "understated", ["P1", "P2", "P3", "P4", "P5"]),
    ("K", "covered_platforms", "|".join(LONG_LIST), "", "overstated", ["P1", "P2", "P3", "P4", "P5"]),
    ("K", "covered_platforms", "PX2", "", "overstated", ["P1", "P2", "P3", "P4", "P5"]),
]
LONG_ENTRIES = [  # entry, platform_id, verdict, suggestions
    ("P1", "P1", "ok", []),
    ("机器人学国家重点实验室(中科院沈阳自动化研究所)", "P2", "ok", []),   # 中科院 → 中国科学院, （） ↔ ()
    ("数字制造装备与技术 国家重点实验室", "P3", "ok", []),                 # spaces
    ("P99", None, "not_in_registry", []),
    ("数字制造装备技术国家重点实验", None, "not_in_registry", ["P3 数字制造装备与技术国家重点实验室"]),
    ("PX", "PX", "wrong_field", []),
    ("P6", "P6", "host_not_member", []),
    ("PR", "PR", "inactive", []),
    ("PR2", "PR2", "inactive", []),   # revoked and host not a member: SPEC §5's order puts inactive first
]


@pytest.fixture(scope="module")
def claims_dir(tmp_path_factory):
    hosts = [f"H{i}" for i in range(1, 9)]
    tables = {
        "centers": [{"center_id": "K", "name": "中心K", "level": "provincial", "field_id": "F03", "province": "辽宁", "operating_company_id": "KO"},
                    {"center_id": "K2", "name": "中心K2", "level": "provincial", "field_id": "F05", "province": "四川", "operating_company_id": "KO2"}],
        "organizations": [{"org_id": o, "name": f"机构{o}", "kind": "enterprise" if o.startswith("KO") else "university", "province": "北京"}
                          for o in ["KO", "KO2", *hosts]],
        "platforms": [{"platform_id": p, "name": NAMES.get(p, f"平台{p}"), "kind": "state_key_lab", "field_ids": f, "host_ids": h, "status": s}
                      for p, f, h, s in PLATFORMS],
        "alliance_members": [{"center_id": "K", "member_id": m} for m in ["KO", "H1", "H2", "H3", "H4", "H5"]]
        + [{"center_id": "K2", "member_id": "KO2"}],
        "claims": [{"center_id": c, "claim": k, "value": v, "field_id": f} for c, k, v, f, _, _ in CLAIMS],
    }
    return write_dataset(tmp_path_factory.mktemp("claims"), **tables)


@pytest.fixture(scope="module")
def verdicts(claims_dir):
    return cli_json("claims", claims_dir)


def test_validation_warns_about_the_percent_reading(claims_dir):
    out = run_cli("validate", claims_dir, "--format", "json", "--lang", "en").json()
    assert out["errors"] == []
    assert sorted(out["warnings"]) == ["claims.csv:4:value: ratio 62 is above 1; read as 62%",
                               "platforms.csv:10:status: platform status is revoked; it does not count towards coverage",
                               "platforms.csv:11:status: platform status is revoked; it does not count towards coverage"]


def test_one_verdict_per_claim_in_file_order(verdicts):
    assert len(verdicts) == len(CLAIMS)
    assert [v["row"] for v in verdicts] == list(range(2, 2 + len(CLAIMS)))


@pytest.mark.parametrize("i", range(len(CLAIMS)), ids=[f"row{i + 2}-{c[1]}-{c[2][:12]}" for i, c in enumerate(CLAIMS)])
def test_claim_verdict(verdicts, i):
    center, claim, value, field_id, verdict, computed = CLAIMS[i]
    v = verdicts[i]
    assert (v["center_id"], v["claim"], v["field_id"]) == (center, claim, field_id or {"K": "F03", "K2": "F05"}[center])
    assert (v["verdict"], v["computed"]) == (verdict, computed)


def test_claimed_values_are_parsed(verdicts):
    assert [v["claimed"] for v in verdicts[:4]] == [0.62, 0.62, 0.62, 0.63]
    assert [v["claimed"] for v in verdicts[8:11]] == [6, 7, 5]
    assert verdicts[13]["claimed"] == LONG_LIST


def test_list_entries(verdicts):
    entries = verdicts[13]["entries"]
    assert [(e["entry"], e["platform_id"], e["verdict"], e["suggestions"]) for e in entries] == LONG_ENTRIES
    assert [e["verdict"] for e in verdicts[11]["entries"]] == ["ok"] * 5
    # wrong field comes before host_not_member
    assert [(e["platform_id"], e["verdict"]) for e in verdicts[14]["entries"]] == [("PX2", "wrong_field")]


def test_center_filter(claims_dir):
    out = cli_json("claims", claims_dir, "--center", "K2")
    assert [(v["center_id"], v["verdict"]) for v in out] == [("K2", "unverifiable")]


def test_tolerance_from_rules(claims_dir, tmp_path):
    rules = tmp_path / "rules.toml"
    rules.write_text("claim_tolerance_pp = 0.1\n", encoding="utf-8")
    out = cli_json("claims", claims_dir, "--rules", rules)
    assert [v["verdict"] for v in out[:6]] == ["understated", "understated", "understated", "overstated", "overstated", "understated"]


def test_normalize_name():
    from graphkit.queries.claims import normalize_name

    assert normalize_name("中科院 沈阳自动化研究所（机器人学国家重点实验室）") == normalize_name("中国科学院沈阳自动化研究所(机器人学国家重点实验室)")
    assert normalize_name("ＡＢＣ　国家重点实验室") == "abc国家重点实验室"  # NFKC full-width letters and space


def test_unknown_center(claims_dir):
    r = run_cli("claims", claims_dir, "--center", "NOPE", "--format", "json", "--lang", "en")
    assert (r.exit_code, r.stdout) == (2, "")
    assert "unknown center id NOPE" in r.stderr


def test_every_fault_in_reasons(verdicts):
    reasons = {e["entry"]: e["reasons"] for e in verdicts[13]["entries"]}
    assert reasons["P1"] == []
    assert reasons["P99"] == ["not_in_registry"]
    assert reasons["PX"] == ["wrong_field"]
    assert reasons["PR"] == ["inactive"]
    assert reasons["PR2"] == ["inactive", "host_not_member"]
    assert [e["reasons"] for e in verdicts[14]["entries"]] == [["wrong_field", "host_not_member"]]


def test_a_platform_of_a_kind_not_counted_is_not_counted(tmp_path):
    """An other_national platform hosted by a member: the claim is not consistent, the entry not_counted."""
    from conftest import write_dataset

    tables = {
        "centers": [{"center_id": "K", "name": "中心K", "level": "provincial", "field_id": "F03", "province": "辽宁", "operating_company_id": "KO"}],
        "organizations": [{"org_id": o, "name": f"机构{o}", "kind": "university", "province": "北京"} for o in ("KO", "H1", "H2")],
        "platforms": [{"platform_id": "P1", "name": "平台一", "kind": "state_key_lab", "field_ids": "F03", "host_ids": "H1"},
                      {"platform_id": "PO", "name": "其他平台", "kind": "other_national", "field_ids": "F03", "host_ids": "H1"},
                      {"platform_id": "PQ", "name": "其他平台二", "kind": "other_national", "field_ids": "F06", "host_ids": "H2", "status": "revoked"}],
        "alliance_members": [{"center_id": "K", "member_id": m} for m in ("KO", "H1")],
        "claims": [{"center_id": "K", "claim": "covered_platforms", "value": "P1|PO|PQ"}],
    }
    out = cli_json("claims", write_dataset(tmp_path / "d", **tables))
    assert out[0]["verdict"] == "overstated"
    assert [(e["platform_id"], e["verdict"], e["reasons"]) for e in out[0]["entries"]] == [
        ("P1", "ok", []), ("PO", "not_counted", ["not_counted"]),
        ("PQ", "wrong_field", ["wrong_field", "not_counted", "inactive", "host_not_member"])]


def test_a_full_name_is_never_expanded_twice():
    from graphkit.queries.claims import normalize_name

    assert normalize_name("清华大学精密测试技术及仪器国家重点实验室") == "清华大学精密测试技术及仪器国家重点实验室"
    assert normalize_name("清华精密测试技术及仪器国家重点实验室") == "清华大学精密测试技术及仪器国家重点实验室"
    assert normalize_name("东北大学轧制技术国家重点实验室") == "东北大学轧制技术国家重点实验室"  # 北大 inside 东北大学 stays
    assert normalize_name("华科大实验室", {"华科大": "华中科技大学"}) == "华中科技大学实验室"


def test_organisation_aliases_match_the_platforms_they_host(tmp_path):
    from conftest import write_dataset

    tables = {
        "centers": [{"center_id": "K", "name": "中心K", "level": "provincial", "field_id": "F03", "province": "湖北", "operating_company_id": "KO"}],
        "organizations": [{"org_id": "KO", "name": "运营公司", "kind": "enterprise", "province": "湖北"},
                          {"org_id": "HUST", "name": "华中科技大学", "kind": "university", "province": "湖北", "aliases": "华科大|HUST"},
                          {"org_id": "THU", "name": "清华大学", "kind": "university", "province": "北京", "aliases": "清华"}],
        "platforms": [{"platform_id": "P1", "name": "华中科技大学数字制造装备与技术国家重点实验室", "kind": "state_key_lab", "field_ids": "F03", "host_ids": "HUST"},
                      {"platform_id": "P2", "name": "清华大学精密测试技术及仪器国家重点实验室", "kind": "state_key_lab", "field_ids": "F03", "host_ids": "THU"}],
        "alliance_members": [{"center_id": "K", "member_id": m} for m in ("KO", "HUST", "THU")],
        "claims": [{"center_id": "K", "claim": "covered_platforms",
                    "value": "华科大数字制造装备与技术国家重点实验室|清华大学精密测试技术及仪器国家重点实验室"}],
    }
    out = cli_json("claims", write_dataset(tmp_path / "d", **tables))
    assert [(e["platform_id"], e["verdict"]) for e in out[0]["entries"]] == [("P1", "ok"), ("P2", "ok")]
    assert out[0]["verdict"] == "consistent"


def test_verdict_for_entry_order():
    from graphkit.queries.claims import verdict_for_entry

    assert verdict_for_entry("P1", True, True, True) == "ok"
    assert verdict_for_entry("P1", True, False, False) == "inactive"
    assert verdict_for_entry("P1", True, True, True, counted=False) == "not_counted"
    assert verdict_for_entry(None, False, False, False) == "not_in_registry"


def test_hosts_of_the_second_centers_alliance(tmp_path):
    """The claim of the second center (its members sit after the first center's in the index) is checked
    against its own members."""
    from conftest import write_dataset

    tables = {
        "centers": [{"center_id": c, "name": f"中心{c}", "level": "provincial", "field_id": "F03", "province": "辽宁",
                     "operating_company_id": f"{c}O"} for c in ("K1", "K2", "K3")],
        "organizations": [{"org_id": o, "name": f"机构{o}", "kind": "university", "province": "北京"}
                          for o in ("K1O", "K2O", "K3O", "H1", "H2", "H3")],
        "platforms": [{"platform_id": f"P{i}", "name": f"平台{i}", "kind": "other_national", "field_ids": "F03", "host_ids": f"H{i}"}
                      for i in (1, 2, 3)],
        "alliance_members": [{"center_id": "K1", "member_id": "H1"}, {"center_id": "K2", "member_id": "H2"},
                             {"center_id": "K3", "member_id": "H3"}],
        "claims": [{"center_id": "K2", "claim": "covered_platforms", "value": "P1|P2|P3"}],
    }
    out = cli_json("claims", write_dataset(tmp_path / "d", **tables))
    assert [(e["platform_id"], e["reasons"]) for e in out[0]["entries"]] == [
        ("P1", ["not_counted", "host_not_member"]), ("P2", ["not_counted"]), ("P3", ["not_counted", "host_not_member"])]
