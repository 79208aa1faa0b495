"""Coverage (SPEC §5) on the named dataset "fields" (see conftest.coverage_tables), hand-computed, through the CLI."""

from __future__ import annotations

import pytest
from conftest import cli_json, coverage_tables, make_dataset, run_cli, write_dataset

SKL, NEL, NETRC, NERC = ("state_key_lab", "national_engineering_lab",
                         "national_engineering_technology_research_center", "national_engineering_research_center")

# center, field, covered, total, ratio, covered ids, uncovered ids
OWN_FIELD = [
    ("CA", "F03", 3, 5, 0.6, ["P01", "P03", "P07"], ["P02", "P04"]),
    ("CB", "F03", 1, 5, 0.2, ["P02"], ["P01", "P03", "P04", "P07"]),
    ("CC", "F06", 2, 2, 1.0, ["P03", "P08"], []),
    ("CD", "F05", 0, 0, None, [], []),
    ("CE", "F06", 2, 2, 1.0, ["P03", "P08"], []),
]
IN_F06 = [
    ("CA", "F06", 1, 2, 0.5, ["P03"], ["P08"]),
    ("CB", "F06", 0, 2, 0.0, [], ["P03", "P08"]),
    ("CC", "F06", 2, 2, 1.0, ["P03", "P08"], []),
    ("CD", "F06", 0, 2, 0.0, [], ["P03", "P08"]),
    ("CE", "F06", 2, 2, 1.0, ["P03", "P08"], []),
]
KEYS = ("center_id", "field_id", "covered", "total", "ratio", "covered_platform_ids", "uncovered_platform_ids")


def rows(out):
    return [tuple(r[k] for k in KEYS) for r in out]


def test_each_center_in_its_own_field(coverage_dir):
    assert rows(cli_json("coverage", coverage_dir)) == OWN_FIELD


def test_by_kind_and_via(coverage_dir):
    ca = cli_json("coverage", coverage_dir, "--center", "CA")
    assert len(ca) == 1
    assert ca[0]["by_kind"] == {SKL: {"covered": 1, "total": 2}, NEL: {"covered": 0, "total": 1},
                                NETRC: {"covered": 1, "total": 1}, NERC: {"covered": 1, "total": 1}}
    # P03 has two member hosts but counts once; P07 is reached because the platform itself is a member
    assert ca[0]["via"] == {"P01": ["H1"], "P03": ["H3", "H4"], "P07": ["P07"]}


def test_given_field(coverage_dir):
    assert rows(cli_json("coverage", coverage_dir, "--field", "F06")) == IN_F06


def test_center_and_field(coverage_dir):
    assert rows(cli_json("coverage", coverage_dir, "--center", "CD", "--field", "F06")) == [IN_F06[3]]


def test_all_fields(coverage_dir):
    out = cli_json("coverage", coverage_dir, "--all-fields")
    assert len(out) == 5 * 22
    by = {(r["center_id"], r["field_id"]): r for r in out}
    assert rows([by["CA", "F03"]]) == [OWN_FIELD[0]]
    assert rows([by["CA", "F06"]]) == [IN_F06[0]]
    assert (by["CA", "F07"]["covered"], by["CA", "F07"]["total"], by["CA", "F07"]["ratio"]) == (1, 2, 0.5)
    assert (by["CA", "F01"]["total"], by["CA", "F01"]["ratio"]) == (0, None)  # undefined, never 0
    assert [r["field_id"] for r in out if r["center_id"] == "CA"] == [f"F{i:02d}" for i in range(1, 23)]


def test_field_without_platform_is_undefined(coverage_dir):
    out = cli_json("coverage", coverage_dir, "--center", "CD")
    assert out[0]["ratio"] is None and out[0]["total"] == 0


def test_shareholders_count_only_with_the_rules_option(coverage_dir, tmp_path):
    rules = tmp_path / "rules.toml"
    rules.write_text("count_shareholders_in_coverage = true\n", encoding="utf-8")
    ca = cli_json("coverage", coverage_dir, "--center", "CA", "--rules", rules)[0]
    assert (ca["covered"], ca["total"], ca["ratio"]) == (4, 5, 0.8)
    assert ca["covered_platform_ids"] == ["P01", "P03", "P04", "P07"]
    assert ca["via"]["P04"] == ["S1"]


def test_counted_kinds_rule_includes_other_national(coverage_dir, tmp_path):
    rules = tmp_path / "rules.toml"
    rules.write_text('counted_platform_kinds = ["state_key_lab", "other_national"]\n', encoding="utf-8")
    ca = cli_json("coverage", coverage_dir, "--center", "CA", "--rules", rules)[0]
    # F03 state key labs P01 P04 and the other_national P06 (P05 is revoked)
    assert (ca["covered_platform_ids"], ca["uncovered_platform_ids"]) == (["P01", "P06"], ["P04"])


def test_member_joining_a_platform_host_changes_coverage(tmp_path):
    """Adding the shareholder S1 as a member of CA reaches P04 (library API)."""
    from graphkit.queries.coverage import coverage

    t = coverage_tables()
    t["alliance_members"].append({"center_id": "CA", "member_id": "S1", "role": "member"})
    ds = make_dataset(tmp_path, **t)
    ca = coverage(ds, "CA")[0]
    assert (ca.covered, ca.total, ca.ratio) == (4, 5, 0.8)


@pytest.mark.parametrize("args,needle", [
    (["--center", "NOPE"], "unknown center id NOPE"),
    (["--field", "F99"], "unknown field id F99"),
])
def test_unknown_ids_exit_2(coverage_dir, args, needle):
    r = run_cli("coverage", coverage_dir, *args, "--format", "json", "--lang", "en")
    assert (r.exit_code, r.stdout) == (2, "")
    assert needle in r.stderr and "Traceback" not in r.stderr


def test_field_and_all_fields_together_is_a_usage_error(coverage_dir):
    r = run_cli("coverage", coverage_dir, "--field", "F03", "--all-fields")
    assert r.exit_code == 2


def test_summary_leaves_out_the_id_lists(coverage_dir):
    full = cli_json("coverage", coverage_dir, "--all-fields")
    short = cli_json("coverage", coverage_dir, "--all-fields", "--summary")
    keys = ("center_id", "field_id", "covered", "total", "ratio")
    assert short == [{k: e[k] for k in keys} for e in full]
    assert len(short) == len(full) == 5 * 22


# ---- the uncovered ids are a lazy list (IdList) -------------------------------------------------------------

def test_uncovered_ids_read_like_a_list(coverage_dir):
    import copy
    import pickle

    import graphkit as gk
    from graphkit.queries.coverage import IdList

    ds = gk.load_dataset(coverage_dir)
    cb = gk.coverage(ds, "CB")[0]
    unc = cb.uncovered_platform_ids
    assert isinstance(unc, IdList)
    assert unc == ["P01", "P03", "P04", "P07"] and unc == ("P01", "P03", "P04", "P07")
    assert unc != ["P01", "P03", "P04"] and (unc == "P01") is False
    assert len(unc) == 4 and list(unc) == ["P01", "P03", "P04", "P07"]
    assert (unc[0], unc[-1], unc[1:3], unc[::-2]) == ("P01", "P07", ["P03", "P04"], ["P07", "P03"])
    assert "P04" in unc and "P02" not in unc and unc.index("P04") == 2
    assert cb.covered_platform_ids + unc == ["P02", "P01", "P03", "P04", "P07"]
    assert unc + ["X"] == ["P01", "P03", "P04", "P07", "X"]
    assert repr(unc) == "['P01', 'P03', 'P04', 'P07']"
    with pytest.raises(IndexError):
        unc[4]
    with pytest.raises(TypeError):
        hash(unc)
    # a pickled or copied answer is a plain list, and to_dict gives JSON-ready lists
    assert pickle.loads(pickle.dumps(unc)) == ["P01", "P03", "P04", "P07"]
    assert type(pickle.loads(pickle.dumps(cb)).uncovered_platform_ids) is list
    assert type(copy.deepcopy(cb).uncovered_platform_ids) is list
    assert type(cb.to_dict()["uncovered_platform_ids"]) is list
    # nothing covered, everything covered
    cd = gk.coverage(ds, "CD", "F06")[0].uncovered_platform_ids
    cc = gk.coverage(ds, "CC", "F06")[0].uncovered_platform_ids
    assert (cd, len(cd), cc, len(cc), list(cc)) == (["P03", "P08"], 2, [], 0, [])
    assert gk.to_frame(gk.coverage(ds, "CB"))["uncovered_platform_ids"].tolist() == [["P01", "P03", "P04", "P07"]]



def test_hits_by_binary_search_equal_the_mask(sample_dataset):
    """The one-field path (binary search of the reached codes) and the many-field path (a mask) agree."""
    import numpy as np
    from hypothesis import given, settings
    from hypothesis import strategies as st

    from graphkit.queries.coverage import coverage_model

    ds = sample_dataset
    m = coverage_model(ds)
    ix = ds.index
    F = ix.shape[3]

    @settings(max_examples=60, deadline=None)
    @given(st.integers(0, ix.shape[0] - 1), st.integers(0, F - 1))
    def agrees(c, f):
        assert m._hits(f, m.reached_codes(c)).tolist() == m.reached_mask(c)[m.field_platforms[f]].tolist()
        one = m.entries(c, [f])[0]
        many = m.entries(c, list(range(F)))[f]
        assert one == many

    agrees()
    assert m._hits(0, np.empty(0, dtype=np.int64)).tolist() == [False] * len(m.field_platforms[0])


def test_summary_of_each_center_in_its_own_field(coverage_dir):
    """--summary without --all-fields: one row per center, in its own field (see coverage_tables)."""
    assert cli_json("coverage", coverage_dir, "--summary") == [
        {"center_id": "CA", "field_id": "F03", "covered": 3, "total": 5, "ratio": 0.6},
        {"center_id": "CB", "field_id": "F03", "covered": 1, "total": 5, "ratio": 0.2},
        {"center_id": "CC", "field_id": "F06", "covered": 2, "total": 2, "ratio": 1.0},
        {"center_id": "CD", "field_id": "F05", "covered": 0, "total": 0, "ratio": None},
        {"center_id": "CE", "field_id": "F06", "covered": 2, "total": 2, "ratio": 1.0},
    ]
    assert cli_json("coverage", coverage_dir, "--summary", "--field", "F06", "--center", "CA") == [
        {"center_id": "CA", "field_id": "F06", "covered": 1, "total": 2, "ratio": 0.5}]


# ---- the evaluation date (SPEC §4: every dated fact) ---------------------------------------------------------

def _dated(coverage_tables):
    t = coverage_tables()
    for m in t["alliance_members"]:
        if m["center_id"] == "CA" and m["member_id"] == "H1":
            m["joined"] = "2024-07"          # reaches P01 only from July 2024
    for p in t["platforms"]:
        if p["platform_id"] == "P07":
            p["approved"] = "2025-01-15"     # a member itself, approved in 2025
    return t


@pytest.mark.parametrize("as_of, covered, total", [("2024-06-30", 1, 4), ("2024-07-01", 2, 4), ("2025-01-01", 3, 5)])
def test_coverage_as_of(tmp_path, as_of, covered, total):
    from conftest import coverage_tables

    folder = write_dataset(tmp_path / "d", **_dated(coverage_tables))
    out = cli_json("coverage", folder, "--center", "CA", "--as-of", as_of)
    assert (out[0]["covered"], out[0]["total"]) == (covered, total)
    gaps = {g["field_id"]: g for g in cli_json("gaps", folder, "--as-of", as_of)}
    assert gaps["F03"]["platforms"] == total


def test_as_of_default_is_today_and_bad_dates_are_invalid_input(tmp_path):
    from conftest import coverage_tables

    folder = write_dataset(tmp_path / "d", **_dated(coverage_tables))
    assert cli_json("coverage", folder, "--center", "CA")[0]["covered"] == 3  # today is after every date above
    for command in (["coverage"], ["gaps"], ["reach", "--center", "CA"], ["recruit", "--center", "CA"], ["claims"]):
        r = run_cli(*command, folder, "--as-of", "2024-13-01", "--format", "json")
        assert (r.exit_code, r.stdout) == (2, ""), command


def test_iter_coverage_defaults_to_each_center_in_its_own_field(tmp_path):
    from graphkit.queries.coverage import iter_coverage

    ds = make_dataset(tmp_path, **coverage_tables())
    assert [[(e.center_id, e.field_id) for e in batch] for batch in iter_coverage(ds)] == [
        [("CA", "F03")], [("CB", "F03")], [("CC", "F06")], [("CD", "F05")], [("CE", "F06")]]


def test_via_names_only_this_centers_members(tmp_path):
    """P01 is hosted by H1 (a member of CA) and H2 (a member of CB, the next center): CA reaches it via H1 only."""
    t = coverage_tables()
    for p in t["platforms"]:
        if p["platform_id"] == "P01":
            p["host_ids"] = "H1|H2"
    out = cli_json("coverage", make_dataset(tmp_path, **t).origin, "--center", "CA")[0]
    assert out["via"]["P01"] == ["H1"]
    assert out["via"]["P03"] == ["H3", "H4"] and out["via"]["P07"] == ["P07"]


def test_via_with_shareholders_counted_names_only_this_centers(tmp_path):
    """With shareholders counted, CA reaches P04 via its shareholder S1; CB's shareholder H2 also hosts P01, which
    CA reaches via H1 alone."""
    t = coverage_tables()
    for p in t["platforms"]:
        if p["platform_id"] == "P01":
            p["host_ids"] = "H1|H2"
    t["shareholders"].append({"center_id": "CB", "org_id": "H2", "share_pct": "10"})
    rules = tmp_path / "rules.toml"
    rules.write_text("count_shareholders_in_coverage = true\n", encoding="utf-8")
    out = cli_json("coverage", make_dataset(tmp_path, **t).origin, "--center", "CA", "--rules", rules)[0]
    assert (out["covered"], out["via"]["P01"], out["via"]["P04"]) == (4, ["H1"], ["S1"])
