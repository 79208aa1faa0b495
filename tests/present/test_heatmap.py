"""graphkit.present.heatmap: every row labelled (abbreviated, unique, full name kept), field names, no-platform
fields undefined (not 0), and the views that still answer at scale: search, top N by a metric, groups."""

import math

import pytest
from conftest import make_dataset

from graphkit.present.heatmap import abbreviate, coverage_cells, heatmap_rows

HOSTILE = '甲"乙\\丙\u2028丁</script>戊己庚辛壬癸子丑寅卯'


@pytest.fixture(scope="module")
def three(tmp_path_factory):
    """C1 (F03, 辽宁, 2 members: U1 hosts P1 and P2 of F03's 2 platforms → 100 %), C2 (F03, 辽宁, 1 member U2 →
    P3 of F05 only: 0 % own), C3 (F05, 上海, hostile name, no member). F05 has P3; F10 has no platform."""
    return make_dataset(
        tmp_path_factory.mktemp("heat"),
        centers=[{"center_id": "C1", "name": "辽宁省机器人制造业创新中心", "level": "provincial", "field_id": "F03", "province": "辽宁"},
                 {"center_id": "C2", "name": "辽宁省机器人产业创新中心", "level": "provincial", "field_id": "F03", "province": "辽宁"},
                 {"center_id": "C3", "name": HOSTILE, "level": "provincial", "field_id": "F05", "province": "上海"}],
        organizations=[{"org_id": "U1", "name": "甲大学", "kind": "university"}, {"org_id": "U2", "name": "乙大学", "kind": "university"},
                       {"org_id": "E1", "name": "企业", "kind": "enterprise"}],
        platforms=[{"platform_id": "P1", "name": "平台1", "kind": "state_key_lab", "field_ids": "F03", "host_ids": "U1"},
                   {"platform_id": "P2", "name": "平台2", "kind": "state_key_lab", "field_ids": "F03", "host_ids": "U1"},
                   {"platform_id": "P3", "name": "平台3", "kind": "state_key_lab", "field_ids": "F05", "host_ids": "U2"}],
        alliance_members=[{"center_id": "C1", "member_id": "U1"}, {"center_id": "C1", "member_id": "E1"},
                          {"center_id": "C2", "member_id": "U2"}])


def test_abbreviate_keeps_start_and_end_and_flattens_line_breaks():
    assert abbreviate("浙江省新一代信息技术制造业创新中心", 12) == "浙江省新一代…业创新中心"
    assert abbreviate("短名", 12) == "短名"
    assert abbreviate("a\u2028b\u2029c\td") == "a b c d"


def test_every_center_row_labelled_with_its_full_title(three):
    cells, matched = heatmap_rows(three, coverage_cells(three), fields=["F03", "F05"], order="best")
    assert matched == 3
    rows = cells.drop_duplicates("row")
    assert list(rows["row"]) == ["C1", "C2", "C3"]  # C1 100 %, C2 0 %, C3 0 % (C2 before C3 by id)
    assert list(rows["label"]) == ["辽宁省机器人制造业创新中心 (C1)", "辽宁省机器人产业创新中心 (C2)",
                                   '甲"乙\\丙 丁<…辛壬癸子丑寅卯 (C3)']
    assert rows["title"].iloc[2] == HOSTILE + " (C3)"  # the full name, for the hover
    f10 = cells[(cells["row"] == "C1") & (cells["field_id"] == "F10")].iloc[0]
    assert (f10["field"], f10["total"], math.isnan(f10["ratio"])) == ("工业信息安全", 0, True)  # grey, not 0 %
    own = cells[cells["own"]]
    assert list(zip(own["row"], own["field_id"], own["ratio"])) == [("C1", "F03", 1.0), ("C2", "F03", 0.0), ("C3", "F05", 0.0)]


def test_search_top_n_and_members_order(three):
    cells = coverage_cells(three)
    found, matched = heatmap_rows(three, cells, query="产业")
    assert (matched, list(found["row"].unique())) == (1, ["C2"])
    assert heatmap_rows(three, cells, query="zzzz")[1] == 0
    top, matched = heatmap_rows(three, cells, order="most_members", top=2)
    assert (matched, list(top["row"].unique())) == (3, ["C1", "C2"])
    assert list(heatmap_rows(three, cells, order="worst")[0]["row"].unique()) == ["C2", "C3", "C1"]


def test_groups_by_province_and_field(three):
    cells = coverage_cells(three)
    prov, matched = heatmap_rows(three, cells, group="province")
    assert matched == 2
    assert list(prov.drop_duplicates("row")["title"]) == ["辽宁 (2个中心)", "上海 (1个中心)"]
    f03 = prov[(prov["row"] == "辽宁") & (prov["field_id"] == "F03")].iloc[0]
    assert (f03["ratio"], f03["centers"]) == (0.5, 2)  # the mean of 100 % and 0 %
    by_field, _ = heatmap_rows(three, cells, group="field", lang="en")
    assert list(by_field.drop_duplicates("row")["title"]) == ["F03 Robotics (2 centers)", "F05 Gas turbines (1 centers)"]
    assert list(by_field[by_field["own"]]["field_id"]) == ["F03", "F05"]
