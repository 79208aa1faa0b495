"""SPEC §10: evidence a person can read — ``evidence_detail`` in ``graphkit check --format json``, names in messages,
an assessed check that says what the assessment decided."""

from __future__ import annotations

from conftest import AS_OF, eligible_tables, run_cli, write_dataset


def _checks(folder, lang):
    r = run_cli("check", folder, "--as-of", AS_OF, "--format", "json", "--lang", lang)
    assert r.exit_code == 0, r.stderr
    return {c["id"]: c for c in r.json()[0]["checks"]}


def test_evidence_detail_names_the_partner_organisations(eligible_dir):
    zh = _checks(eligible_dir, "zh")
    fx = {"id": "C1->FX:joint_rd", "type": "collaboration", "name": "甲创新中心 → 德国研究所（联合研发，2023，路线图项目一）", "source": None}
    sme = {"id": "OPCO->SME1:tech_transfer", "type": "collaboration", "name": "甲公司 → 小企业（技术转让/成果转化，2023）", "source": None}
    assert zh["4.2"]["evidence_detail"] == [{"id": "E1", "type": "organization", "name": "骨干企业一", "source": None},
                                            {"id": "E2", "type": "organization", "name": "骨干企业二", "source": None}]
    assert zh["8.2"]["evidence_detail"] == [
        {"id": "C1->E1:joint_rd", "type": "collaboration", "name": "甲创新中心 → 骨干企业一（联合研发，2023，路线图项目一）", "source": None},
        fx, {"id": "C1->U1:joint_rd", "type": "collaboration", "name": "甲创新中心 → 大学一（联合研发，2023，路线图项目一）", "source": None}]
    assert zh["9.2"]["evidence_detail"] == [sme]
    assert zh["10.2"]["evidence_detail"] == [fx, sme]
    assert zh["11"]["evidence_detail"] == [fx]
    assert zh["6.2"]["evidence_detail"][0] == {"id": "income:C1:2023:tech_transfer", "type": "income",
                                               "name": "甲创新中心 2023 年收入：技术转让/成果转化 100 万元", "source": None}
    assert zh["1"]["evidence_detail"] == [{"id": "C1", "type": "center", "name": "甲创新中心", "source": None},
                                          {"id": "F03", "type": "field", "name": "机器人", "source": "工信厅科〔2017〕64号 附件"}]
    for c in zh.values():  # same order as the ids, which stay unchanged
        assert [d["id"] for d in c["evidence_detail"]] == c["evidence"]
    en = _checks(eligible_dir, "en")
    assert en["11"]["evidence_detail"] == [{"id": "C1->FX:joint_rd", "type": "collaboration",
                                            "name": "甲创新中心 → 德国研究所 (joint R&D, 2023, 路线图项目一)", "source": None}]
    assert en["9.2"]["evidence_detail"][0]["name"] == "甲公司 → 小企业 (technology transfer, 2023)"


def test_evidence_detail_carries_the_rows_source(tmp_path):
    t = eligible_tables()
    t["collaborations"][2]["source"] = "synthetic"
    t["organizations"][1]["source"] = "企业年报 2023"
    c = _checks(write_dataset(tmp_path / "d", **t), "zh")
    assert c["11"]["evidence_detail"][0]["source"] == "synthetic"
    assert c["4.2"]["evidence_detail"][0] == {"id": "E1", "type": "organization", "name": "骨干企业一", "source": "企业年报 2023"}


def test_messages_name_organisations_with_the_id_in_brackets(eligible_dir):
    zh, en = _checks(eligible_dir, "zh"), _checks(eligible_dir, "en")
    assert zh["4.1"]["message"] == "依托公司甲公司（OPCO）为企业；联盟有依托公司以外的成员 6 个（至少 1 个）。"
    assert en["4.1"]["message"] == "Operating company 甲公司 (OPCO) is an enterprise; the alliance has 6 member(s) besides the operating company (at least 1)."
    assert zh["4.2"]["message"] == ("股东 3 家（至少 2 家），其中本领域排名前 10 的企业 2 家：骨干企业一（E1）、骨干企业二（E2）"
                                    "（至少 2 家）（按本领域 2023 年排名）。")
    assert zh["6.1"]["message"] == "股东中有 1 家社会资本（投资机构）：产业基金（INV），至少需要 1 家。"


def test_an_assessed_check_says_what_was_decided_never_no_assessment(eligible_dir):
    for lang, pending, decided in (("zh", "尚无评审意见", "此条由评审专家判断（“面向重大需求、突出协同创新”）。评审意见（专家甲，2024-05-01）：符合。"),
                                   ("en", "no assessment yet", "A reviewer decides this check (major needs and collaborative innovation, per the Guide). Assessed met by 专家甲 on 2024-05-01.")):
        checks = _checks(eligible_dir, lang)
        assert checks["2"]["message"] == decided
        for cid in ("2", "3", "5.2", "10.1"):
            assert pending not in checks[cid]["message"], (lang, cid)


def test_plain_check_output_names_evidence(eligible_dir):
    r = run_cli("check", eligible_dir, "--as-of", AS_OF, "--lang", "zh")
    assert r.exit_code == 0
    lines = r.stdout.splitlines()
    assert lines[0] == "甲创新中心（C1）：符合升级条件（评价日期 2024-06-30）"
    i = next(n for n, line in enumerate(lines) if line.startswith("    11  "))
    assert lines[i + 1] == "        证据：甲创新中心 → 德国研究所（联合研发，2023，路线图项目一）"
    assert lines[i] == "    11  符合       与 1 家国外高校、科研机构或企业有交流或合作（至少 1 家）。"


# ---- plain CLI output: names beside ids, columns by display width --------------------------------------------

def _columns(line: str) -> list[int]:
    """Display columns where each cell of a table line starts (cells are two or more spaces apart)."""
    from wcwidth import wcswidth

    starts, col, prev_space = [], 0, 2
    for ch in line:
        if ch != " " and prev_space >= 2:
            starts.append(col)
        prev_space = prev_space + 1 if ch == " " else 0
        col += max(wcswidth(ch), 1)
    return starts


def test_plain_coverage_table_is_aligned_with_cjk_names(tiny_dir):
    r = run_cli("coverage", tiny_dir, "--lang", "zh")
    assert r.exit_code == 0
    lines = r.stdout.splitlines()
    assert lines == [
        "中心  名称      领域  领域名称  覆盖  总数  覆盖率  未覆盖（前 3 个）",
        "----  --------  ----  --------  ----  ----  ------  -----------------",
        "C1    测试中心  F03   机器人       3     3  100.0%",
    ]


def test_plain_gaps_names_best_center_and_right_aligns_numbers(eligible_dir):
    r = run_cli("gaps", eligible_dir, "--field", "F03", "--as-of", AS_OF, "--lang", "zh")
    assert r.exit_code == 0
    head, rule, row = r.stdout.splitlines()
    assert head == "领域  名称    平台  中心  最佳中心          最佳覆盖率  合计覆盖率  无人覆盖"
    assert row == "F03   机器人     4     1  甲创新中心（C1）       50.0%       50.0%         2"
    assert _columns(head) == _columns(rule)


def test_text_table_thousands_and_missing():
    from graphkit.present.text import text_table

    out = text_table([["甲", 1234567, None], ["乙乙乙", 5, 0.5]], ["名称", "数量", "比值"]).splitlines()
    assert out == ["名称         数量  比值",
                   "------  ---------  ----",
                   "甲      1,234,567     -",
                   "乙乙乙          5   0.5"]


def test_plain_recruit_and_reach_name_things(eligible_dir):
    r = run_cli("recruit", eligible_dir, "--center", "C1", "--as-of", AS_OF, "--lang", "zh")
    assert r.stdout.splitlines()[0] == "甲创新中心（C1） 机器人（F03）：50.0% → 50.0% (已证明最少)"
    r = run_cli("reach", eligible_dir, "--center", "C1", "--as-of", AS_OF, "--lang", "zh")
    lines = r.stdout.splitlines()
    assert lines == ["甲创新中心（C1）：2 跳内触达 2 家机构，其中国外 1 家", "  企业 1，科研院所 1", "  CN 1，DE 1"]


def test_validate_groups_warnings_by_kind(tmp_path):
    t = eligible_tables()
    t["platforms"] += [{"platform_id": f"PV{i}", "name": f"撤销平台{i}", "kind": "state_key_lab", "field_ids": "F03",
                        "host_ids": "X1", "status": "revoked"} for i in range(5)]
    folder = write_dataset(tmp_path / "d", **t)
    r = run_cli("validate", folder, "--lang", "en")
    assert r.exit_code == 0
    assert r.stderr.splitlines() == [
        "warning ×5: platform status is revoked; it does not count towards coverage",
        "  platforms.csv:6:status: platform status is revoked; it does not count towards coverage",
        "  platforms.csv:7:status: platform status is revoked; it does not count towards coverage",
        "  platforms.csv:8:status: platform status is revoked; it does not count towards coverage",
        "  … 2 more (--all shows every one)",
    ]
    every = run_cli("validate", folder, "--lang", "en", "--all").stderr.splitlines()
    assert len(every) == 6 and every[-1] == "  platforms.csv:10:status: platform status is revoked; it does not count towards coverage"
    assert len(run_cli("validate", folder, "--format", "json").json()["warnings"]) == 5


# ---- the report: evidence by name, hostile names escaped, this center's sources, contents first ---------------

def test_report_names_partners_and_escapes_hostile_names(tmp_path):
    from conftest import make_dataset

    from graphkit.engine import EmbeddedEngine
    from graphkit.present.report import render_report

    t = eligible_tables()
    for o in t["organizations"]:
        if o["org_id"] == "FX":
            o["name"] = '<script>alert("x")</script>研究所'
    t["organizations"][1]["source"] = "企业年报 2023"
    eng = EmbeddedEngine(make_dataset(tmp_path, **t))
    page = render_report(eng, "C1", fmt="html", lang="zh", as_of=AS_OF)
    assert "<script>alert" not in page
    assert "甲创新中心 → &lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;研究所（联合研发，2023，路线图项目一）" in page
    assert "骨干企业一（E1）" in page
    md = render_report(eng, "C1", fmt="md", lang="zh", as_of=AS_OF)
    assert "<script>" not in md
    assert "甲公司 → 小企业（技术转让/成果转化，2023）" in md
    # the table of contents comes before the first section, in both formats
    assert md.index("1. 结论摘要\n") < md.index("## 1. 结论摘要")
    assert page.index('class="toc"') < page.index('id="summary"')


def test_report_provenance_lists_only_this_centers_sources(tmp_path):
    from conftest import make_dataset

    from graphkit.engine import EmbeddedEngine
    from graphkit.present.report import report_context

    t = eligible_tables()
    t["centers"].append({"center_id": "C2", "name": "乙中心", "level": "provincial", "field_id": "F05", "province": "四川",
                         "operating_company_id": "X2", "source": "别的中心的出处"})
    t["organizations"][1]["source"] = "企业年报 2023"
    ctx = report_context(EmbeddedEngine(make_dataset(tmp_path, **t)), "C1", lang="zh", as_of=AS_OF)
    sources = {row["table"]: [(s["source"], s["n"]) for s in row["sources"]] for row in ctx["provenance"]["rows"]}
    assert sources["创新中心 (centers)"] == [("（未注明）", 1)]
    assert sources["机构 (organizations)"] == [("（未注明）", 8), ("企业年报 2023", 1)]  # its 9 of the 12
    assert all("别的中心的出处" not in str(v) for v in sources.values())
