"""Recruitment (SPEC §5): greedy by newly reached platforms (ties by id), with a minimality proof, through the CLI."""

from __future__ import annotations

import pytest
from conftest import cli_json, run_cli, write_dataset


def set_cover_tables(hosts: dict[str, str], n: int) -> dict:
    """Center T (field F03, members: its company TO only) and ``n`` platforms; ``hosts`` maps platform → hosts."""
    orgs = sorted({h for hs in hosts.values() for h in hs.split("|")} | {"TO"})
    return {
        "centers": [{"center_id": "T", "name": "中心T", "level": "provincial", "field_id": "F03", "province": "辽宁", "operating_company_id": "TO"}],
        "organizations": [{"org_id": o, "name": f"机构{o}", "kind": "university", "province": "北京"} for o in orgs],
        "platforms": [{"platform_id": f"P{i:02d}", "name": f"平台{i}", "kind": "state_key_lab", "field_ids": "F03",
                       "host_ids": hosts[f"P{i:02d}"]} for i in range(1, n + 1)],
        "alliance_members": [{"center_id": "T", "member_id": "TO"}],
    }


def test_greedy_not_minimal(tmp_path):
    """12 platforms, need 6. OA reaches 4, OB and OC 3 each (overlapping OA), OF07…OF12 one each.
    Greedy takes OA, then OB (+P05, ties by id), then OC (+P06): 3 organisations. OB + OC reach P01–P06: 2."""
    hosts = {"P01": "OA|OB", "P02": "OA|OB", "P03": "OA|OC", "P04": "OA|OC", "P05": "OB", "P06": "OC",
             **{f"P{i:02d}": f"OF{i:02d}" for i in range(7, 13)}}
    out = cli_json("recruit", write_dataset(tmp_path / "d", **set_cover_tables(hosts, 12)), "--center", "T")
    assert {k: out[k] for k in ("center_id", "ratio_before", "ratio_after", "orgs", "minimal")} == {
        "center_id": "T", "ratio_before": 0.0, "ratio_after": 0.5, "orgs": ["OA", "OB", "OC"], "minimal": False}
    assert out["smallest_orgs"] == ["OB", "OC"]
    assert out["newly_reached"] == {"OA": ["P01", "P02", "P03", "P04"], "OB": ["P05"], "OC": ["P06"]}
    assert (out["covered_before"], out["covered_after"], out["total"], out["needed"]) == (0, 6, 12, 6)


def test_greedy_proven_minimal_by_exact_search(tmp_path):
    """10 platforms, need 5. OA and OB reach the same three, OC and OD one each: greedy OA, OC, OD.
    The counting bound (3 + 3 ≥ 5) does not prove it; the exact search finds no pair reaching 5."""
    hosts = {"P01": "OA|OB", "P02": "OA|OB", "P03": "OA|OB", "P04": "OC", "P05": "OD",
             **{f"P{i:02d}": f"OF{i:02d}" for i in range(6, 11)}}
    out = cli_json("recruit", write_dataset(tmp_path / "d", **set_cover_tables(hosts, 10)), "--center", "T")
    assert (out["orgs"], out["minimal"], out["ratio_after"]) == (["OA", "OC", "OD"], True, 0.5)
    assert "smallest_orgs" not in out


def test_too_many_candidates_for_exact_search_leaves_minimal_unknown(tmp_path, monkeypatch):
    hosts = {"P01": "OA|OB", "P02": "OA|OB", "P03": "OA|OB", "P04": "OC", "P05": "OD",
             **{f"P{i:02d}": f"OF{i:02d}" for i in range(6, 11)}}
    monkeypatch.setenv("GRAPHKIT_RECRUIT_EXACT_MAX_CANDIDATES", "3")
    out = cli_json("recruit", write_dataset(tmp_path / "d", **set_cover_tables(hosts, 10)), "--center", "T")
    assert (out["orgs"], out["minimal"]) == (["OA", "OC", "OD"], None)


# On the named dataset "fields" (conftest.coverage_tables)
@pytest.mark.parametrize("args,expected", [
    # below: CB 1/5, needs 3 of 5; H1 H3 H4 S1 N1 each add one: ties by id → H1, H3; the bound proves 2 minimal
    (["--center", "CB"], {"center_id": "CB", "ratio_before": 0.2, "ratio_after": 0.6, "orgs": ["H1", "H3"], "minimal": True}),
    # above: CA 3/5
    (["--center", "CA"], {"center_id": "CA", "ratio_before": 0.6, "ratio_after": 0.6, "orgs": [], "minimal": True}),
    # exactly at the threshold: CA in F06 reaches 1/2
    (["--center", "CA", "--field", "F06"], {"center_id": "CA", "ratio_before": 0.5, "ratio_after": 0.5, "orgs": [], "minimal": True}),
    # just below: CB in F06 0/2 needs one; H3 (P03) and H4 (P03) and H5 (P08) tie: H3
    (["--center", "CB", "--field", "F06"], {"center_id": "CB", "ratio_before": 0.0, "ratio_after": 0.5, "orgs": ["H3"], "minimal": True}),
    # undefined coverage: F05 has no platform
    (["--center", "CD"], {"center_id": "CD", "ratio_before": None, "ratio_after": None, "orgs": [], "minimal": None}),
])
def test_recruit_on_fields_dataset(coverage_dir, args, expected):
    out = cli_json("recruit", coverage_dir, *args)
    assert {k: out[k] for k in expected} == expected


def test_full_threshold(coverage_dir, tmp_path):
    """At 100 % CA needs P02 (host H2) and P04 (host S1: its shareholder, not a member, so a candidate)."""
    rules = tmp_path / "rules.toml"
    rules.write_text("min_coverage = 1.0\n", encoding="utf-8")
    out = cli_json("recruit", coverage_dir, "--center", "CA", "--rules", rules)
    assert (out["orgs"], out["ratio_after"], out["minimal"]) == (["H2", "S1"], 1.0, True)
    assert out["newly_reached"] == {"H2": ["P02"], "S1": ["P04"]}


def test_unknown_center(coverage_dir):
    r = run_cli("recruit", coverage_dir, "--center", "NOPE", "--format", "json", "--lang", "en")
    assert (r.exit_code, r.stdout) == (2, "")
    assert "unknown center id NOPE" in r.stderr



def test_same_plan_with_or_without_the_coverage_model_built():
    """Recruiting before any coverage query reads only the center's rows; after one, the cached model: same plans."""
    from conftest import ROOT

    from graphkit import load_dataset
    from graphkit.queries.coverage import cached_coverage_model, coverage_model
    from graphkit.queries.recruit import recruit
    from graphkit.rules.thresholds import Rules

    ds = load_dataset(ROOT / "data" / "sample", cache=False)
    before = [recruit(ds, c).to_dict() for c in ds.center_ids()]
    assert cached_coverage_model(ds, Rules()) is None  # nothing was built for them
    coverage_model(ds)
    after = [recruit(ds, c).to_dict() for c in ds.center_ids()]
    assert before == after and len(before) == 47
    assert sum(1 for p in before if p["orgs"]) > 0


# ---- the engine-neutral planner, on literal candidate sets ---------------------------------------------------

def _plan(cands: dict, covered: int = 0, total: int = 10, threshold: float = 0.5, exact_max: int = 20):
    from graphkit.queries.recruit import plan_recruitment

    return plan_recruitment("T", "F03", covered, total, {k: frozenset(v) for k, v in cands.items()}, threshold, exact_max)


def test_greedy_recounts_a_stale_gain():
    """OA reaches 3; OB also 3, but two of them are OA's: after OA, OC (2 new) beats OB (1 new)."""
    r = _plan({"OA": {"P1", "P2", "P3"}, "OB": {"P1", "P2", "P4"}, "OC": {"P4", "P5"}})
    assert (r.orgs, r.minimal, r.covered_after, r.needed) == (["OA", "OC"], True, 5, 5)
    assert r.newly_reached == {"OA": ["P1", "P2", "P3"], "OC": ["P4", "P5"]}


def test_greedy_ties_by_smallest_id():
    r = _plan({"OZ": {"P1", "P2"}, "OB": {"P3", "P4"}, "OA": {"P5", "P6"}}, total=12)
    assert r.orgs == ["OA", "OB", "OZ"]


def test_minimal_false_when_a_smaller_set_exists():
    r = _plan({"OA": {"P1", "P2", "P3", "P4"}, "OB": {"P1", "P2", "P5"}, "OC": {"P3", "P4", "P6"}}, total=12)
    assert (r.orgs, r.minimal, r.smallest_orgs) == (["OA", "OB", "OC"], False, ["OB", "OC"])


def test_minimal_unknown_beyond_the_exact_search_limit():
    r = _plan({"OA": {"P1", "P2", "P3", "P4"}, "OB": {"P1", "P2", "P5"}, "OC": {"P3", "P4", "P6"}}, total=12, exact_max=2)
    assert (r.orgs, r.minimal, r.smallest_orgs) == (["OA", "OB", "OC"], None, None)


def test_threshold_boundary_and_nothing_needed():
    r = _plan({"OA": {"P1"}}, covered=4, total=10)       # 0.4: one more reaches exactly 0.5
    assert (r.orgs, r.needed, r.ratio_after, r.minimal) == (["OA"], 1, 0.5, True)
    r = _plan({"OA": {"P1"}}, covered=5, total=10)       # already at 0.5 (以上 includes it)
    assert (r.orgs, r.needed, r.ratio_after, r.minimal) == ([], 0, 0.5, True)
    r = _plan({"OA": {"P1"}}, covered=0, total=0)        # no platform: undefined
    assert (r.orgs, r.ratio_before, r.ratio_after, r.minimal, r.needed) == ([], None, None, None, 0)
    r = _plan({"OA": {"P1"}}, covered=0, total=10)       # one candidate cannot reach 5: not minimal-proven
    assert (r.orgs, r.covered_after, r.minimal) == (["OA"], 1, None)


def test_exact_search_starts_from_nothing_covered():
    """Greedy OA, OC, OD (3); the bound allows 2, and no pair reaches 5: proven minimal. (Were P1 — the first
    platform, reached only by OD — counted as covered before the search, OA + OC would wrongly suffice.)"""
    r = _plan({"OA": {"P2", "P3", "P4"}, "OB": {"P2", "P3", "P4"}, "OC": {"P5"}, "OD": {"P1"}})
    assert (r.orgs, r.minimal, r.smallest_orgs) == (["OA", "OC", "OD"], True, None)
