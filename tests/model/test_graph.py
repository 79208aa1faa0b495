"""graphkit.model.graph: the dataset as a MultiDiGraph — exact nodes, edges, keys and attributes on the tiny fixtures."""

from collections import Counter
from pathlib import Path

import networkx as nx
import pytest

from graphkit.io.load import load_dataset
from graphkit.model.graph import RELATIONS, to_networkx

DATA = Path(__file__).resolve().parents[1] / "fixtures"


@pytest.fixture(scope="module")
def tiny():
    return load_dataset(DATA / "tiny")


@pytest.fixture(scope="module")
def tiny_full():
    """tiny plus collaborations (two parallel ones), rankings over two years, income, an assessment, a claim and a
    field beyond the built-in 22."""
    return load_dataset(DATA / "tiny_full")


def _relations(g):
    return Counter(d["relation"] for *_, d in g.edges(keys=True, data=True))


def test_tiny_counts(tiny):
    g = to_networkx(tiny)
    assert isinstance(g, nx.MultiDiGraph)
    assert Counter(t for _, t in g.nodes(data="type")) == {"center": 1, "organization": 7, "platform": 4, "field": 22}
    assert g.number_of_nodes() == 34
    assert _relations(g) == {"member_of": 6, "shareholder_of": 2, "operated_by": 1, "in_field": 6, "hosted_by": 5}
    assert g.number_of_edges() == 20


def test_tiny_full_counts(tiny_full):
    g = to_networkx(tiny_full)
    assert g.number_of_nodes() == 35
    assert _relations(g) == {
        "member_of": 6, "shareholder_of": 2, "operated_by": 1, "in_field": 6, "hosted_by": 5,
        "collaborates_with": 3, "ranked_in": 3,
    }
    assert g.number_of_edges() == 26


def test_center_node(tiny_full):
    c = to_networkx(tiny_full).nodes["C1"]
    assert c["type"] == "center"
    assert c["name"] == "测试中心" and c["level"] == "provincial" and c["field_id"] == "F03"
    assert c["employees"] == 100 and type(c["employees"]) is int
    assert c["total_cost"] == 1000.0 and type(c["total_cost"]) is float
    assert c["has_board"] is True and c["chair_is_leading_expert"] is True
    assert c["founded"] == "2016-06-30" and c["source"] == "synthetic"
    assert "note" not in c  # missing values are left out
    assert c["income"] == [
        {"year": 2022, "stream": "testing", "amount": 120.5},
        {"year": 2023, "stream": "contract_rd", "amount": 300.0},
    ]
    assert c["assessments"] == [
        {"check_id": "5.2", "status": "met", "assessor": "李四", "date": "2024-03-15", "evidence": "制度文件"}
    ]
    # parsed_value is derived at load, not part of the contract
    assert c["claims"] == [{"claim": "coverage_ratio", "value": "62%", "field_id": "F03"}]


def test_other_nodes(tiny_full):
    g = to_networkx(tiny_full)
    assert g.nodes["O2"] == {"org_id": "O2", "name": "大学甲", "kind": "university", "country": "CN",
                             "province": "北京", "aliases": ["北大"], "type": "organization"}
    assert g.nodes["O1"]["is_sme"] is False
    assert "province" not in g.nodes["O6"] and g.nodes["O6"]["country"] == "DE"
    assert g.nodes["P2"] == {"platform_id": "P2", "name": "平台二", "kind": "national_engineering_lab",
                             "field_ids": ["F03", "F06"], "host_ids": ["O6"], "approved": "2010",
                             "status": "active", "type": "platform"}
    assert g.nodes["F03"]["type"] == "field" and g.nodes["F03"]["name_zh"] == "机器人"
    assert g.nodes["F03"]["layout"] == "2017-64"
    assert g.nodes["F23"] == {"field_id": "F23", "name_zh": "动力电池", "name_en": "power batteries",
                              "layout": "custom", "type": "field"}


def test_edges(tiny_full):
    g = to_networkx(tiny_full)
    assert g.edges["O1", "C1", "member_of"] == {"relation": "member_of", "role": "chair"}
    assert g.edges["P2", "C1", "member_of"]["role"] == "member"  # a platform can be a member itself
    assert g.edges["O5", "C1", "shareholder_of"] == {"relation": "shareholder_of", "share_pct": 40.0, "capital": 400.0}
    assert g.edges["C1", "O1", "operated_by"] == {"relation": "operated_by"}
    assert set(g.successors("P2")) == {"C1", "F03", "F06", "O6"}
    assert g.has_edge("C1", "F03", "in_field") and g.has_edge("P3", "O5", "hosted_by")
    assert {k for k in g["P3"]["O2"]} == {"hosted_by"}


def test_parallel_edges_stay_parallel(tiny_full):
    g = to_networkx(tiny_full)
    collab = g.get_edge_data("C1", "O6")
    assert set(collab) == {"collaborates_with", "collaborates_with/2"}
    assert collab["collaborates_with"] == {"relation": "collaborates_with", "kind": "joint_rd", "year": 2021,
                                           "project": "路线图项目一", "source": "synthetic"}
    assert collab["collaborates_with/2"] == {"relation": "collaborates_with", "kind": "exchange", "year": 2022,
                                             "source": "synthetic"}
    ranks = g.get_edge_data("O5", "F03")
    assert {k: (d["rank"], d["year"]) for k, d in ranks.items()} == {"ranked_in": (3, 2021), "ranked_in/2": (2, 2022)}


def test_every_edge_names_its_relation_and_no_missing_values(tiny_full):
    g = to_networkx(tiny_full)
    for _, _, key, data in g.edges(keys=True, data=True):
        assert data["relation"] in RELATIONS
        assert key.split("/")[0] == data["relation"]
    for _, data in list(g.nodes(data=True)) + [(None, d) for *_, d in g.edges(keys=True, data=True)]:
        for value in data.values():
            assert value is not None and not isinstance(value, tuple)


def test_dataset_caches_the_graph_and_what_if_rebuilds_it(tiny):
    g = tiny.to_networkx()
    assert tiny.to_networkx() is g
    what_if = tiny.with_members("C1", add=["O6"])
    h = what_if.to_networkx()
    assert h is not g
    assert h.has_edge("O6", "C1", "member_of") and not g.has_edge("O6", "C1", "member_of")
