"""graphkit.present.views: the ego, field, explorer and neighbourhood networks (exact node and edge counts, aggregation
beyond the cap, layouts), search, names, node details and the member and platform tables."""

import pytest
from conftest import make_dataset

from graphkit.present import views
from graphkit.present.viz import network_html

ENTERPRISES = [f"E{i:02d}" for i in range(30)]  # 江苏
UNIVERSITIES = [f"U{i:02d}" for i in range(20)]  # 北京; U00..U09 host P01..P10
INSTITUTES = [f"R{i}" for i in range(5)]  # 上海


def star_tables():
    """C1 (F03): 56 members (30 enterprises, 20 universities, 5 institutes, 1 foreign university F1), operating
    company E00, shareholders E01 and E02; C2 (F05): members E00..E09 and U00..U04. F03 has 15 counted platforms:
    P01..P10 hosted by U00..U09 (members of C1), P11..P15 hosted by N1 (no member); F05 has P16 (host E03).
    Collaborations: C1 → F1 (joint R&D), E00 → N1 (technology transfer)."""
    orgs = [{"org_id": e, "name": f"江苏企业{e}", "kind": "enterprise", "province": "江苏"} for e in ENTERPRISES]
    orgs += [{"org_id": u, "name": f"甲大学{u}", "kind": "university", "province": "北京"} for u in UNIVERSITIES]
    orgs += [{"org_id": r, "name": f"研究所{r}", "kind": "research_institute", "province": "上海"} for r in INSTITUTES]
    orgs += [{"org_id": "F1", "name": "<img src=x onerror=alert(1)> University", "kind": "university", "country": "DE"},
             {"org_id": "N1", "name": "广东企业", "kind": "enterprise", "province": "广东", "aliases": "粤企|南方企业"}]
    plats = [{"platform_id": f"P{i:02d}", "name": f"平台{i}", "kind": "state_key_lab", "field_ids": "F03",
              "host_ids": f"U{i - 1:02d}"} for i in range(1, 11)]
    plats += [{"platform_id": f"P{i}", "name": f"平台{i}", "kind": "state_key_lab", "field_ids": "F03", "host_ids": "N1"}
              for i in range(11, 16)]
    plats += [{"platform_id": "P16", "name": "平台16", "kind": "state_key_lab", "field_ids": "F05", "host_ids": "E03"}]
    members = [{"center_id": "C1", "member_id": m} for m in ENTERPRISES + UNIVERSITIES + INSTITUTES + ["F1"]]
    members += [{"center_id": "C2", "member_id": m} for m in ENTERPRISES[:10] + UNIVERSITIES[:5]]
    return {
        "centers": [{"center_id": "C1", "name": "甲中心", "level": "national", "field_id": "F03", "province": "辽宁",
                     "operating_company_id": "E00"},
                    {"center_id": "C2", "name": "乙中心", "level": "provincial", "field_id": "F05", "province": "江苏",
                     "operating_company_id": "E05"}],
        "organizations": orgs, "platforms": plats, "alliance_members": members,
        "shareholders": [{"center_id": "C1", "org_id": "E01"}, {"center_id": "C1", "org_id": "E02"}],
        "collaborations": [{"from_id": "C1", "to_id": "F1", "kind": "joint_rd", "project": "路线图"},
                           {"from_id": "E00", "to_id": "N1", "kind": "tech_transfer"}],
    }


@pytest.fixture(scope="module")
def star(tmp_path_factory):
    return make_dataset(tmp_path_factory.mktemp("star"), **star_tables())


def kinds(view):
    out = {}
    for e in view.edges:
        out[e["kind"]] = out.get(e["kind"], 0) + e.get("count", 1)
    return out


def test_ego_network_whole(star):
    v = views.ego_network(star, "C1")
    # C1, 56 members + N1 (partner of the operating company), 15 counted platforms of F03
    assert (len(v.nodes), len(v.edges), v.matched_nodes, v.aggregated) == (73, 71, 73, 0)
    assert kinds(v) == {"member": 56, "shareholder": 2, "host": 10, "collaboration": 2, "operates": 1}
    assert v.nodes[0]["id"] == "C1" and (v.nodes[0]["x"], v.nodes[0]["y"]) == (0.0, 0.0)
    pale = {n["id"] for n in v.nodes if n.get("color")}
    assert pale == {f"P{i}" for i in range(11, 16)}  # the uncovered platforms
    assert all("x" in n and "y" in n for n in v.nodes)  # laid out: physics off, the same picture every time
    assert views.ego_network(star, "C1").nodes == v.nodes
    operates = [e for e in v.edges if e["kind"] == "operates"]
    assert operates == [{"source": "E00", "target": "C1", "kind": "operates", "label": "依托公司"}]


def test_ego_network_capped_aggregates(star):
    v = views.ego_network(star, "C1", cap=10, lang="en")
    real = [n["id"] for n in v.nodes if n["group"] != "aggregate"]
    aggregates = {n["id"]: n for n in v.nodes if n["group"] == "aggregate"}
    # the center, E00 (degree 3), then degree 2 in ring order: E01 E02 F1 U00..U04; N1 would be an aggregate of one
    assert real == ["C1", "E00", "E01", "E02", "N1", "F1", "U00", "U01", "U02", "U03", "U04"]
    assert {k: a["count"] for k, a in aggregates.items()} == {
        "agg:enterprise|江苏": 27, "agg:university|北京": 15, "agg:research_institute|上海": 5,
        "agg:platform|state_key_lab": 15}
    assert aggregates["agg:platform|state_key_lab"]["label"] == "national platform · state key lab (15)"
    assert (len(v.nodes), len(v.edges), v.aggregated) == (15, 23, 62)
    assert sum(e.get("count", 1) for e in v.edges) == 71  # every edge is drawn or counted in a merged one
    merged = {(e["source"], e["target"]): e["count"] for e in v.edges if "count" in e}
    assert merged == {("C1", "agg:enterprise|江苏"): 27, ("C1", "agg:university|北京"): 15,
                      ("C1", "agg:research_institute|上海"): 5, ("agg:university|北京", "agg:platform|state_key_lab"): 5}


def test_field_network(star):
    v = views.field_network(star, "F03")
    assert (len(v.nodes), len(v.edges)) == (27, 25)  # C1, 11 hosts, 15 platforms
    assert kinds(v) == {"host": 15, "member": 10}
    assert {n["id"] for n in v.nodes if n.get("color")} == {f"P{i}" for i in range(11, 16)}
    assert (v.nodes[0]["id"], v.nodes[0]["x"], v.nodes[0]["y"]) == ("C1", 0.0, 0.0)
    empty = views.field_network(star, "F10")
    assert (empty.nodes, empty.edges) == ([], [])


@pytest.mark.parametrize("filters, nodes, edges", [
    ({}, 2 + 57 + 16, 71 + 2 + 16 + 2),
    ({"fields": ["F05"]}, 17, 16),
    ({"fields": ["F05"], "groups": ["university"]}, 5, 0),
    ({"foreign": "foreign"}, 19, 2),
    ({"foreign": "domestic", "fields": ["F05"]}, 17, 16),
    # the 20 universities of 北京, the platforms, and the centers they are members of (C1 辽宁, C2 江苏) with
    # their membership edges (C1: 20, C2: 5) beside the 10 host edges
    ({"provinces": ["北京"]}, 38, 35),
    ({"provinces": ["辽宁"]}, 17, 0),  # C1 is in 辽宁, no organisation is: the center and the 16 platforms
    ({"provinces": ["北京"], "groups": ["university", "platform"]}, 36, 10),
    ({"platform_kinds": ["national_engineering_lab"]}, 59, 91 - 16),
    ({"edge_kinds": ["host"]}, 75, 16),
])
def test_explore_network_filters(star, filters, nodes, edges):
    v = views.explore_network(star, **filters)
    assert (v.matched_nodes, v.matched_edges) == (nodes, edges)
    assert (len(v.nodes), sum(e.get("count", 1) for e in v.edges)) == (nodes, edges)


def test_explore_network_cap_keeps_and_counts(star):
    v = views.explore_network(star, cap=5, keep=["R3"])
    # R3 (kept on request), then by degree: C1 59, C2 15, N1 6, E00 3 (first of the degree-3 ties); F1 alone in its
    # aggregate (university, no province) stays itself
    assert [n["id"] for n in v.nodes if n["group"] != "aggregate"] == ["C1", "C2", "E00", "R3", "F1", "N1"]
    assert {n["id"]: n["count"] for n in v.nodes if n["group"] == "aggregate"} == {
        "agg:enterprise|江苏": 29, "agg:university|北京": 20, "agg:research_institute|上海": 4,
        "agg:platform|state_key_lab": 16}
    assert (v.matched_nodes, v.aggregated, v.dropped_edges) == (75, 69, 0)
    assert sum(e.get("count", 1) for e in v.edges) == 91


def test_edge_cap_coarsens_then_drops(star):
    import numpy as np

    from graphkit.present.views import _finish, _graph

    g = _graph(star)
    nodes = np.arange(len(g.ids))
    v = _finish(star, g, nodes, g.src, g.dst, g.kind, cap=3, edge_cap=4)
    assert len(v.edges) == 4 and v.dropped_edges > 0
    assert all(n["id"].endswith("|*") for n in v.nodes if n["group"] == "aggregate")  # coarsened to one per group
    assert sum(e.get("count", 1) for e in v.edges) + v.dropped_edges == len(g.src)


def test_neighbourhood(star):
    v = views.neighbourhood_network(star, "U00")
    assert sorted(n["id"] for n in v.nodes) == ["C1", "C2", "P01", "U00"]
    assert kinds(v) == {"member": 2, "host": 1}
    two = views.neighbourhood_network(star, "U00", hops=2)
    assert two.matched_nodes == 4 + 55  # U00, C1, C2, P01, and the other members of C1 (C2's are among them)
    with pytest.raises(Exception, match="unknown id"):
        views.neighbourhood_network(star, "nope")


def test_search_names_and_details(star):
    assert [h["id"] for h in views.search(star, "广东企业")] == ["N1"]
    assert views.search(star, "南方")[0]["id"] == "N1"  # an alias
    assert views.search(star, "n1")[0] == {"id": "N1", "name": "广东企业", "group": "enterprise", "kind": "org"}
    assert len(views.search(star, "甲大学", limit=50)) == 20 and views.search(star, "  ") == []
    assert views.names(star, ["U00", "C2", "P16", "ZZZ"]) == ["甲大学U00", "乙中心", "平台16", "ZZZ"]
    u = views.node_info(star, "U00")
    assert (u["entity"], u["member_of"], u["hosts"], u["shareholder_of"]) == ("org", ["C1", "C2"], ["P01"], [])
    assert views.node_info(star, "E00")["collaborations"] == 1
    p = views.node_info(star, "P03")
    assert (p["entity"], p["reached_by"], p["member_of"]) == ("platform", ["C1", "C2"], [])
    c = views.node_info(star, "C1")
    assert (c["entity"], c["covered"], c["total"], c["members"]) == ("center", 10, 15, 56)
    assert views.node_info(star, "agg:enterprise|江苏") is None


def test_member_and_platform_tables(star):
    m = views.member_table(star, "C1")
    assert len(m) == 56 and list(m["member_id"][:10]) == UNIVERSITIES[:10]
    assert m.set_index("member_id").loc[["U00", "E00", "E01"], "platforms"].tolist() == [1, 0, 0]
    assert set(m.loc[m["shareholder"], "member_id"]) == {"E01", "E02"}
    p = views.platform_table(star, "F03").set_index("platform_id")
    assert len(p) == 15 and p.loc["P03", "reached_by"] == ["C1", "C2"] and p.loc["P08", "reached"] == 1
    assert p.loc["P12", "reached"] == 0 and p.loc["P12", "hosts"] == ["广东企业"]


def test_founding_recruitment(star):
    r = views.founding_recruitment(star, "F03")
    assert (r.orgs, r.covered_after, r.total, r.minimal) == (["N1", "U00", "U01", "U02"], 8, 15, True)


def test_whatif_copy_gets_its_own_graph(star):
    edited = star.with_members("C1", add=["N1"], remove=["U00"])
    assert views.node_info(edited, "C1")["covered"] == 14  # + P11..P15, - P01
    assert views.node_info(star, "C1")["covered"] == 10  # the loaded data is unchanged
    assert len(views.ego_network(edited, "C1").edges) == 71 - 1 - 1 + 1 + 5  # U00's member and host edges gone


def test_labels_reach_html_escaped(star):
    v = views.ego_network(star, "C1")
    f1 = next(n for n in v.nodes if n["id"] == "F1")
    assert f1["label"].startswith("<img") and "<img" in f1["title"]  # plain text here …
    page = network_html(v.nodes, v.edges)
    assert "<img src=x" not in page  # … escaped on the way into HTML


def test_search_without_a_hit_is_empty_and_short_forms_find_the_full_name(star):
    assert views.search(star, "zzzz") == []  # was KeyError: 0
    assert views.search(star, "不存在的机构") == []
    # a short form: the first character and the others in order (广企 → 广东企业), used only when nothing contains it
    assert [h["id"] for h in views.search(star, "广企")] == ["N1"]
    assert [h["id"] for h in views.search(star, "甲心")] == ["C1"]
    assert views.search(star, "企广") == []  # the first character must start the name
    assert views.search(star, "江苏企业E0")[0]["id"] == "E00"  # a substring hit wins: no fallback


def test_subgraph_is_exactly_what_the_filters_matched_and_its_gexf(star):
    import io

    import networkx as nx

    from graphkit.present.view_export import subgraph_gexf

    sub = views.explore_subgraph(star, fields=["F05"])
    capped = views.explore_network(star, fields=["F05"], cap=5)
    assert capped.aggregated > 0  # the drawing folds nodes away …
    assert (len(sub.nodes), len(sub.edges)) == (17, 16)  # … the export does not: C2, its 15 members, P16
    assert sorted(e for e in sub.edges if e[2] == "host") == [("E03", "P16", "host")]
    graph = nx.read_gexf(io.BytesIO(subgraph_gexf(sub)))
    assert (graph.number_of_nodes(), graph.number_of_edges()) == (17, 16)
    assert graph.nodes["C2"]["label"] == "乙中心" and graph.nodes["E03"]["province"] == "江苏"
    hostile = views.explore_subgraph(star, foreign="foreign", groups=["university"])
    assert [n[:2] for n in hostile.nodes] == [("F1", "<img src=x onerror=alert(1)> University")]
    assert nx.read_gexf(io.BytesIO(subgraph_gexf(hostile))).nodes["F1"]["label"] == hostile.nodes[0][1]
    near = views.neighbourhood_subgraph(star, "U00")
    assert sorted(n[0] for n in near.nodes) == ["C1", "C2", "P01", "U00"] and len(near.edges) == 3
