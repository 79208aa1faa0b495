"""Name resolution: each step of SPEC §11 in order, ties and close matches as ambiguous, the shipped alias table."""

import csv
from pathlib import Path

import pytest

from graphkit.model.names import NameIndex, alias_table, normalize, resolve_in

ENTRIES = [("O1", "哈尔滨工业大学", ()), ("O2", "中国科学院沈阳自动化研究所", ("沈自所",)), ("O3", "国家电网（北京）", ()),
           ("O4", "国家电网(北京)", ()), ("O5", "沈阳新松机器人自动化股份有限公司", ("新松",)), ("O6", "东北大学", ()),
           ("O7", "北京大学", ("PKU",)), ("O8", "中国科学院", ())]


@pytest.fixture
def index():
    return NameIndex(ENTRIES)


@pytest.mark.parametrize("name, method, rid", [
    ("哈尔滨工业大学", "exact", "O1"),
    ("沈自所", "alias", "O2"),
    ("  哈尔滨工业大学 ", "exact", "O1"),
    ("哈尔滨 工业大学", "normalized", "O1"),
    ("国家电网(北京)", "exact", "O4"),
    ("哈工大", "alias_table", "O1"),
    ("中科院", "alias_table", "O8"),
    ("中科院沈阳自动化所", "alias_table", "O2"),
    ("沈阳自动化所", "alias_table", "O2"),
    ("pku", "alias_table", "O7"),        # a registry alias extends the table (normalised: lower case)
    ("北大", "alias_table", "O7"),
    ("东北大学", "exact", "O6"),          # 北大 inside 东北大学 is not expanded
])
def test_steps(index, name, method, rid):
    r = index.resolve(name)
    assert (r.method, r.resolved_id) == (method, rid)


def test_registry_short_forms_are_expanded_too():
    index = NameIndex([("O1", "中科院沈阳自动化研究所", ()), ("O2", "哈工大", ())])
    assert [(r.method, r.resolved_id) for r in (index.resolve("中国科学院沈阳自动化研究所"), index.resolve("哈尔滨工业大学"),
                                                index.resolve("O2"))] == [("alias_table", "O1"), ("alias_table", "O2"), ("exact", "O2")]


def test_same_step_tie_is_ambiguous(index):
    r = index.resolve("国家电网 （北京）")
    assert r.method == "ambiguous" and r.resolved_id is None
    assert [(c.id, c.score) for c in r.candidates] == [("O3", 1.0), ("O4", 1.0)]


def test_close_match_at_or_above_accept_is_ambiguous(index):
    r = index.resolve("沈阳新松机器人自动化股份公司")
    assert (r.method, r.score, [c.id for c in r.candidates]) == ("ambiguous", 0.9333, ["O5"])
    assert index.resolve("沈阳新松机器人自动化股份公司", accept=0.94).method == "new"
    assert index.resolve("沈阳新松机器人自动化股份公司", accept=0.9333).method == "ambiguous"  # at the boundary


def test_new_name_lists_close_candidates(index):
    r = index.resolve("哈尔滨工业大学（深圳）")
    assert (r.method, r.resolved_id) == ("new", None)
    assert [(c.id, c.score) for c in r.candidates] == [("O1", 0.7778)]
    assert index.resolve("Fraunhofer IPT").candidates == []


def test_two_indexes_tie_across_them():
    orgs = NameIndex([("O1", "机器人学国家重点实验室", ())])
    plats = NameIndex([("P1", "机器人学国家重点实验室", ())])
    r = resolve_in([orgs, plats], "机器人学国家重点实验室")
    assert r.method == "ambiguous" and [c.id for c in r.candidates] == ["O1", "P1"]


def test_normalize_many_equals_normalize():
    from graphkit.model.names import normalize_many

    names = ["机器人学国家重点实验室（沈阳）", "Ａ\u3000Ｂ\u200b【Ｃ】", " Fraunhofer\u00a0IPT ", "“中科院”　所", "ＡＢＣ·ｄ・e"]
    assert normalize_many(names) == [normalize(n) for n in names]


def test_prefetch_gives_the_same_candidates(index):
    fresh = NameIndex(ENTRIES)
    fresh.prefetch(["哈尔滨工业大学（深圳）", "沈阳新松机器人自动化股份公司", "哈工大"])
    for name in ("哈尔滨工业大学（深圳）", "沈阳新松机器人自动化股份公司"):
        assert fresh.resolve(name) == index.resolve(name)


def test_normalize():
    assert normalize("机器人学国家重点实验室【沈阳】") == "机器人学国家重点实验室[沈阳]"
    assert normalize("Ａ\u3000Ｂ\u200b（Ｃ）") == "ab(c)"


def test_alias_table_rows_have_a_source():
    path = Path(__file__).parents[2] / "graphkit" / "data" / "aliases.csv"
    rows = list(csv.DictReader(path.open(encoding="utf-8")))
    assert list(rows[0]) == ["alias", "name", "source"]
    assert all(r["source"].strip() for r in rows)
    table = alias_table()
    assert table["哈工大"] == "哈尔滨工业大学" and table["中科院"] == "中国科学院" and table["北航"] == "北京航空航天大学"
    assert table["华中科大"] == "华中科技大学" and table["上海交大"] == "上海交通大学"
