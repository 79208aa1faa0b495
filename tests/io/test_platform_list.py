"""Registry import of an official platform list: Chinese or English columns, hosts resolved by name, new hosts."""

from conftest import INTAKE, cli_json, run_cli

from graphkit.io.platform_list import import_platforms

REGISTRY = INTAKE / "registry"


def test_chinese_list_hosts_resolved_and_new_host_added():
    result = import_platforms(REGISTRY, INTAKE / "platform_list.csv")
    assert result.ok, result.problems.format_errors("en")
    assert [(r.row, r.name, r.method, r.resolved_id) for r in result.resolutions] == [
        (2, "哈工大", "alias_table", "O1"), (2, "中科院沈阳自动化所", "alias_table", "O2"),
        (3, "某某传感科技有限公司", "new", "IMP-O-1"), (3, "东北大学", "exact", "O4")]
    p = result.dataset.frames["platforms"].set_index("platform_id")
    assert p.loc["IMP-P-1", ["kind", "field_ids", "host_ids", "status"]].tolist() == ["state_key_lab", ("F03",), ("O1", "O2"), "active"]
    assert p.loc["IMP-P-2", ["kind", "field_ids", "host_ids"]].tolist() == [
        "national_engineering_research_center", ("F08", "F03"), ("IMP-O-1", "O4")]
    o = result.dataset.frames["organizations"].set_index("org_id")
    assert o.loc["IMP-O-1", ["kind", "source"]].tolist() == ["enterprise", "import:platform_list.csv"]
    assert result.problems.format_warnings("en") == [
        "platform_list.csv:3:依托单位: host 某某传感科技有限公司 is not in the registry and was added; its kind enterprise was read from its name"]


def test_english_list_errors_located_in_the_list(tmp_path):
    result = import_platforms(REGISTRY, INTAKE / "platform_list_bad.csv")
    assert [e.split(": ")[0] for e in result.problems.format_errors("en")] == [
        "platform_list_bad.csv:3:field", "platform_list_bad.csv:3:approved"]
    r = run_cli("import-platforms", REGISTRY, INTAKE / "platform_list_bad.csv", "-o", tmp_path / "out")
    assert r.exit_code == 2 and not (tmp_path / "out").exists()


def test_cli_writes_the_merged_registry(tmp_path):
    out = cli_json("import-platforms", REGISTRY, INTAKE / "platform_list.csv", "-o", tmp_path / "out")
    assert out["platform_ids"] == ["IMP-P-1", "IMP-P-2"] and out["new_ids"] == ["IMP-O-1"]
    cov = cli_json("coverage", tmp_path / "out", "--center", "C1")
    assert (cov[0]["covered"], cov[0]["total"]) == (2, 6)  # P1 and the new IMP-P-1 through member O2, of 4 + 2 active F03
