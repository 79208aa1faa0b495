"""Collaboration reach (SPEC §5) on the named dataset "network" (see conftest.reach_tables), through the CLI."""

from __future__ import annotations

import pytest
from conftest import ROOT, cli_json, make_dataset, reach_tables, run_cli

DATA_SAMPLE = ROOT / "data" / "sample"

HOPS = {
    0: dict(reached=0, foreign=0, by_kind={}, countries={}, provinces={}, ids=[]),
    1: dict(reached=2, foreign=1, by_kind={"enterprise": 1, "university": 1}, countries={"CN": 1, "DE": 1},
            provinces={"江苏": 1}, ids=["A2", "F1"]),
    2: dict(reached=3, foreign=1, by_kind={"enterprise": 1, "university": 1, "research_institute": 1},
            countries={"CN": 2, "DE": 1}, provinces={"北京": 1, "江苏": 1}, ids=["A1", "A2", "F1"]),
    3: dict(reached=5, foreign=1, by_kind={"enterprise": 2, "university": 1, "research_institute": 1, "user": 1},
            countries={"CN": 4, "DE": 1}, provinces={"北京": 2, "上海": 1, "江苏": 1}, ids=["A1", "A2", "B1", "F1", "QM"]),
    4: dict(reached=6, foreign=2, by_kind={"enterprise": 3, "university": 1, "research_institute": 1, "user": 1},
            countries={"CN": 4, "DE": 1, "US": 1}, provinces={"北京": 2, "上海": 1, "江苏": 1},
            ids=["A1", "A2", "B1", "F1", "QM", "Z1"]),
}


@pytest.mark.parametrize("k", sorted(HOPS))
def test_reach_within_k_hops(reach_dir, k):
    out = cli_json("reach", reach_dir, "--center", "R", "--hops", k)
    e = HOPS[k]
    assert {key: out[key] for key in ("center_id", "hops", "reached", "foreign", "by_kind", "countries", "provinces")} == {
        "center_id": "R", "hops": k, "reached": e["reached"], "foreign": e["foreign"],
        "by_kind": e["by_kind"], "countries": e["countries"], "provinces": e["provinces"]}
    assert out["reached_ids"] == e["ids"]


def test_default_is_two_hops(reach_dir):
    out = cli_json("reach", reach_dir, "--center", "R")
    assert (out["hops"], out["reached"]) == (2, 3)


def test_exclusions_and_edges_not_walked(reach_dir):
    out = cli_json("reach", reach_dir, "--center", "R", "--hops", 10)
    ids = set(out["reached_ids"])
    assert not ids & {"M1", "M2", "SH", "RO"}  # own members, shareholder, operating company
    assert "HX" not in ids  # hosting a member platform is not a reach edge
    assert "QO" not in ids  # nor is a center's own operating company (no edge ties Q to QO)
    assert "LONE" not in ids


def test_reach_of_the_other_center(reach_dir):
    """From Q: its member QM and platform PL are its own; R is one hop past PL."""
    out = cli_json("reach", reach_dir, "--center", "Q", "--hops", 2)
    # hop 1: PL, QM (own) and Z1 (QM → Z1); hop 2: R (via PL)
    assert out["reached_ids"] == ["Z1"]
    out = cli_json("reach", reach_dir, "--center", "Q", "--hops", 3)
    # hop 3: R's members M1 M2 and its shareholder? no: SH is tied to RO, which is not R's neighbour; F1 (R → F1)
    assert out["reached_ids"] == ["F1", "M1", "M2", "SH", "Z1"]


def test_center_without_operating_company_ties_shareholders_to_the_center(tmp_path):
    from graphkit.queries.reach import reach

    t = reach_tables()
    t["centers"][1]["operating_company_id"] = ""
    t["shareholders"].append({"center_id": "Q", "org_id": "LONE", "share_pct": "5"})
    ds = make_dataset(tmp_path, **t)
    # from R: Q at hop 2 (via PL), LONE (Q's shareholder, tied to Q itself) at hop 3
    assert "LONE" in reach(ds, "R", 3).reached_ids
    assert "LONE" not in reach(ds, "R", 2).reached_ids


def test_unknown_center_and_negative_hops(reach_dir):
    r = run_cli("reach", reach_dir, "--center", "NOPE", "--format", "json", "--lang", "en")
    assert (r.exit_code, r.stdout) == (2, "")
    assert "unknown center id NOPE" in r.stderr
    r = run_cli("reach", reach_dir, "--center", "R", "--hops", "-1")
    assert r.exit_code == 2
    r = run_cli("reach", reach_dir, "--format", "json")
    assert r.exit_code == 2  # --center is required


@pytest.mark.parametrize("hops", [0, 1, 2, 3])
def test_reach_matrix_equals_the_walk_of_each_center(reach_dir, hops):
    """The batched sparse walk (every center at once, in chunks) answers exactly what reach() answers."""
    from graphkit import load_dataset
    from graphkit.queries.reach import reach, reach_matrix

    for folder in (reach_dir, DATA_SAMPLE):
        ds = load_dataset(folder)
        m = reach_matrix(ds.index, hops, chunk=7)
        orgs = ds.index.orgs
        for c, cid in enumerate(ds.index.centers):
            assert sorted(orgs[m.indices[m.indptr[c]: m.indptr[c + 1]]].tolist()) == reach(ds, cid, hops).reached_ids


def test_a_single_neighbour_is_followed(tmp_path):
    """A center without an operating company whose only edge is one collaboration: that one partner is reached,
    and the partner's own partner one hop further."""
    tables = {
        "centers": [{"center_id": "S", "name": "中心S", "level": "provincial", "field_id": "F03", "province": "辽宁"}],
        "organizations": [{"org_id": "X", "name": "机构X", "kind": "enterprise", "province": "北京"},
                          {"org_id": "Y", "name": "机构Y", "kind": "university", "province": "上海"}],
        "collaborations": [{"from_id": "S", "to_id": "X", "kind": "exchange"}, {"from_id": "X", "to_id": "Y", "kind": "joint_rd"}],
    }
    folder = make_dataset(tmp_path, **tables).origin
    assert cli_json("reach", folder, "--center", "S", "--hops", 1)["reached"] == 1
    assert cli_json("reach", folder, "--center", "S", "--hops", 2)["reached"] == 2
