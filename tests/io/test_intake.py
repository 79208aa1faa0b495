"""Application intake (SPEC §11): every resolution, the new ids, the merged rows, decisions, and broken workbooks."""

import csv

from conftest import INTAKE, application_bytes

from graphkit.engine import application_claims
from graphkit.io.intake import intake, write_intake

REGISTRY = INTAKE / "registry"
DECISIONS = INTAKE / "decisions.csv"


def _res(result):
    return [(r.sheet, r.row, r.name, r.method, r.resolved_id) for r in result.resolutions]


def test_ambiguous_names_stop_the_intake(application_file, tmp_path):
    result = intake(REGISTRY, application_file)
    assert not result.ok and result.dataset is None
    assert [(r.row, r.name, [c.id for c in r.candidates]) for r in result.ambiguous] == [
        (6, "国家电网 (北京)", ["O6", "O7"]), (7, "沈阳新松机器人自动化股份公司", ["O5"])]
    assert [e.split(": ")[0] for e in result.to_dict("en")["errors"]] == ["app.xlsx:联盟成员:6:名称", "app.xlsx:联盟成员:7:名称"]


def test_resolutions_with_decisions(application_file):
    result = intake(REGISTRY, application_file, decisions=DECISIONS)
    assert result.ok, result.problems.format_errors("en")
    assert _res(result) == [
        ("center", 3, "辽宁智造机器人有限公司", "new", "A2026-1"),
        ("shareholders", 2, "辽宁智造机器人有限公司", "new", "A2026-1"),
        ("shareholders", 3, "辽宁省产业投资基金", "exact", "O11"),
        ("members", 2, "哈工大", "alias_table", "O1"),
        ("members", 3, "中科院沈阳自动化所", "alias_table", "O2"),
        ("members", 4, "机器人学国家重点实验室（沈阳）", "normalized", "P1"),
        ("members", 5, "沈自所", "alias", "O2"),
        ("members", 6, "国家电网 (北京)", "decision", "O7"),
        ("members", 7, "沈阳新松机器人自动化股份公司", "decision", "O5"),
        ("members", 8, "辽宁智造机器人有限公司", "new", "A2026-1"),
        ("members", 9, "清华大学", "exact", "O3"),
        ("collaborations", 2, "Fraunhofer-Institut für Produktionstechnologie IPT", "new", "A2026-2"),
        ("collaborations", 3, "东北大学", "exact", "O4"),
        ("claims", 3, "机器人学国家重点实验室(沈阳)", "exact", "P1"),
        ("claims", 3, "先进焊接与连接国家重点实验室", "exact", "P2"),
        ("claims", 3, "精密测试技术及仪器国家重点实验室", "exact", "P4"),
        ("claims", 3, "不存在国家重点实验室", "new", None),
    ]
    assert result.new_ids == ["A2026-1", "A2026-2"]
    assert result.problems.format_warnings("en") == [  # located in the workbook, the first row too
        "app.xlsx:联盟成员:5:名称: O2 is already a member of A2026 (row app.xlsx:联盟成员:3); the duplicate was ignored",
        "app.xlsx:股东:3:名称: shareholder O11 is not an alliance member of A2026"]
    d = result.to_dict("en")
    assert list(d) == ["center_id", "resolutions", "new_ids", "errors", "warnings"]
    assert d["resolutions"][3] == {"sheet": "members", "row": 2, "column": "name", "name": "哈工大", "method": "alias_table",
                                   "resolved_id": "O1", "score": 1.0, "candidates": []}
    assert d["resolutions"][7]["score"] is None  # a decision is the reviewer's, not a score
    ds = result.dataset
    orgs = ds.frames["organizations"].set_index("org_id")
    assert orgs.loc["A2026-2", ["name", "kind", "country", "source"]].tolist() == [
        "Fraunhofer-Institut für Produktionstechnologie IPT", "research_institute", "DE", "application:app.xlsx"]
    assert orgs.loc["A2026-1", "kind"] == "enterprise"
    members = ds.frames["alliance_members"]
    assert sorted(members[members.center_id == "A2026"].member_id) == ["A2026-1", "O1", "O2", "O3", "O5", "O7", "P1"]
    center = ds.frames["centers"].set_index("center_id").loc["A2026"]
    assert (center.field_id, center.level, center.operating_company_id) == ("F03", "provincial", "A2026-1")
    income = ds.frames["income"]
    assert sorted(income[income.center_id == "A2026"].stream) == ["contract_rd", "tech_transfer", "testing"]


def test_claims_of_the_application(application_file):
    result = intake(REGISTRY, application_file, decisions=DECISIONS)
    verdicts = application_claims(result)
    assert [(v.row, v.claim, v.verdict) for v in verdicts] == [
        (2, "coverage_ratio", "understated"), (3, "covered_platforms", "overstated"), (4, "member_count", "overstated")]
    assert verdicts[0].computed == 0.75 and verdicts[2].computed == 7  # 沈自所 and 中科院沈阳自动化所 are one member
    assert [(e.entry, e.platform_id, e.verdict) for e in verdicts[1].entries] == [
        ("机器人学国家重点实验室(沈阳)", "P1", "ok"), ("先进焊接与连接国家重点实验室", "P2", "ok"),
        ("精密测试技术及仪器国家重点实验室", "P4", "inactive"), ("不存在国家重点实验室", None, "not_in_registry")]


def test_write_merged_folder_and_resolution_report(application_file, tmp_path):
    result = intake(REGISTRY, application_file, decisions=DECISIONS)
    out = write_intake(result, tmp_path / "out")
    names = sorted(p.name for p in out.iterdir())
    assert "resolution.csv" in names and "resolution.xlsx" in names and "centers.csv" in names
    rows = list(csv.DictReader((out / "resolution.csv").open(encoding="utf-8-sig")))
    assert rows[7]["method"] == "decision" and rows[7]["resolved_id"] == "O7" and rows[7]["resolved_name"] == "国家电网(北京)"
    from graphkit import check, load_dataset

    merged = load_dataset(out)
    statuses = {c.id: c.status for c in check(merged, "A2026")[0].checks}
    assert (statuses["4.1"], statuses["4.3"], statuses["11"], statuses["7.2"]) == ("met", "not_met", "met", "met")


def test_decision_new_and_unknown_id(application_sheets, tmp_path):
    app = tmp_path / "a.xlsx"
    app.write_bytes(application_bytes(application_sheets))
    dec = tmp_path / "d.csv"
    dec.write_text("sheet,row,name,id\n联盟成员,6,国家电网 (北京),new\n联盟成员,7,沈阳新松机器人自动化股份公司,O99\n", encoding="utf-8")
    result = intake(REGISTRY, app, decisions=dec)
    assert [e.split(": ")[0] for e in result.problems.format_errors("en")] == ["d.csv:3:id", "a.xlsx:联盟成员:7:名称"]
    assert result.problems.format_errors("en")[0] == "d.csv:3:id: the decision's id O99 is not in the registry (use new for a new organisation)"
    assert result.new_ids == ["A2026-1", "A2026-2", "A2026-3"]  # a bad decision settles nothing: the name stays ambiguous
    dec.write_text("sheet,row,name,id\n联盟成员,6.0,国家电网 (北京),new\n,,沈阳新松机器人自动化股份公司,O5\n,,没有这个名字,O1\n", encoding="utf-8")
    result = intake(REGISTRY, app, decisions=dec)
    assert result.ok
    assert [(r.row, r.method, r.resolved_id) for r in result.resolutions if r.sheet == "members"][4:6] == [
        (6, "decision", "A2026-2"), (7, "decision", "O5")]
    assert result.new_ids == ["A2026-1", "A2026-2", "A2026-3"]  # sheet order: the partner comes after the members
    assert result.problems.format_warnings("en")[0] == "d.csv:4:name: this decision matches no name of the application (没有这个名字)"


def test_broken_workbooks(application_sheets, tmp_path):
    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(b"not a workbook")
    assert intake(REGISTRY, bad).problems.format_errors("en") == [
        "bad.xlsx:1:*: cannot read the workbook: BadZipFile: File is not a zip file"]
    sheets = dict(application_sheets)
    sheets["联盟成员"] = [sheets["联盟成员"][0], ["哈工大", "大学们", "", "", "", "成员", "2022-13-40"], ["", "高校"]]
    sheets["收入"] = [["年份", "收入类别", "金额"], [2024, "卖萌", "很多"]]
    path = tmp_path / "b.xlsx"
    path.write_bytes(application_bytes(sheets))
    result = intake(REGISTRY, path, decisions=DECISIONS)
    errors = result.problems.format_errors("en")
    assert [e.split(": ")[0] for e in errors] == ["b.xlsx:联盟成员:2:类型", "b.xlsx:收入:2:收入类别"]
    assert result.dataset is None and result.resolutions == []
    sheets["联盟成员"] = [sheets["联盟成员"][0], ["哈工大", "高校", "", "", "", "成员", "2022-13-40"]]
    sheets["收入"] = [["年份", "收入类别", "金额"], [2024, "检测检验", "很多"]]
    path.write_bytes(application_bytes(sheets))
    errors = intake(REGISTRY, path, decisions=DECISIONS).problems.format_errors("en")
    assert [e.split(": ")[0] for e in errors] == ["b.xlsx:联盟成员:2:加入时间", "b.xlsx:收入:2:金额"]


def test_english_sheets_and_second_header_row(tmp_path):
    sheets = {"center": [["center_id", "name", "level", "field", "province", "operating_company"],
                         ["案卷编号", "中心名称", "级别", "领域", "省份", "依托公司"],
                         ["X1", "测试中心", "provincial", "F03", "辽宁", "沈阳新松机器人自动化股份有限公司"]],
              "members": [["name", "kind", "role"], ["Fraunhofer IPT", "research institute", "member"], ["北航", "高校", "member"]]}
    path = tmp_path / "en.xlsx"
    path.write_bytes(application_bytes(sheets))
    result = intake(REGISTRY, path)
    assert result.ok, result.problems.format_errors("en")
    assert _res(result) == [("center", 3, "沈阳新松机器人自动化股份有限公司", "exact", "O5"),
                            ("members", 2, "Fraunhofer IPT", "new", "X1-1"), ("members", 3, "北航", "new", "X1-2")]
