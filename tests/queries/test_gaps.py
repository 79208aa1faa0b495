"""Gaps (SPEC §5) on the named dataset "fields" (see conftest.coverage_tables), hand-computed, through the CLI."""

from __future__ import annotations

from conftest import cli_json, coverage_tables, make_dataset, run_cli

KEYS = ("field_id", "platforms", "centers", "best_center_id", "best_ratio", "union_ratio", "unreached_platform_ids")
EXPECTED = {
    # F03: CA 3/5, CB 1/5; union P01 P02 P03 P07 = 4/5; P04 (host S1, a shareholder only) is reached by nobody
    "F03": ("F03", 5, 2, "CA", 0.6, 0.8, ["P04"]),
    # F05: a center, no platform: undefined
    "F05": ("F05", 0, 1, None, None, None, []),
    # F06: CE (first in the file) and CC tie at 2/2: the smaller id wins
    "F06": ("F06", 2, 2, "CC", 1.0, 1.0, []),
    # F07: platforms, no center: no union coverage (null); P10 is reached by CA (a center of another field), P11 by nobody
    "F07": ("F07", 2, 0, None, None, None, ["P11"]),
    # F01: nothing at all
    "F01": ("F01", 0, 0, None, None, None, []),
}


def test_every_field_in_layout_order(coverage_dir):
    out = cli_json("gaps", coverage_dir)
    assert [g["field_id"] for g in out] == [f"F{i:02d}" for i in range(1, 23)]
    by = {g["field_id"]: g for g in out}
    for fid, expected in EXPECTED.items():
        assert tuple(by[fid][k] for k in KEYS) == expected, fid
    assert [g["field_id"] for g in out if g["centers"] == 0 and g["platforms"] > 0] == ["F07"]
    assert by["F06"]["center_ids"] == ["CC", "CE"]


def test_one_field(coverage_dir):
    out = cli_json("gaps", coverage_dir, "--field", "F03")
    assert [tuple(g[k] for k in KEYS) for g in out] == [EXPECTED["F03"]]


def test_fields_with_no_center(coverage_dir):
    out = cli_json("gaps", coverage_dir)
    no_center = [g["field_id"] for g in out if g["centers"] == 0]
    assert no_center == [f"F{i:02d}" for i in range(1, 23) if i not in (3, 5, 6)]


def test_unreached_platform_becomes_reached(tmp_path):
    from graphkit.queries.gaps import gaps

    t = coverage_tables()
    t["alliance_members"].append({"center_id": "CD", "member_id": "N1", "role": "member"})  # N1 hosts P07 and P11
    g = {x.field_id: x for x in gaps(make_dataset(tmp_path, **t))}
    assert g["F07"].unreached_platform_ids == [] and g["F07"].union_ratio is None
    assert g["F03"].unreached_platform_ids == ["P04"]


def test_unknown_field_exit_2(coverage_dir):
    r = run_cli("gaps", coverage_dir, "--field", "F99", "--format", "json", "--lang", "en")
    assert (r.exit_code, r.stdout) == (2, "")
    assert "unknown field id F99" in r.stderr
