"""The columnar check engine gives exactly the per-center engine's results, on the sample and a generated M dataset."""

from __future__ import annotations

import json
import pickle
from pathlib import Path

import pytest

import graphkit
from graphkit.checks.columnar import ColumnarCenterChecks, check_all, check_table
from graphkit.checks.conditions import CenterChecks, check
from graphkit.rules.thresholds import Rules

SAMPLE = Path(__file__).resolve().parents[2] / "data" / "sample"
DATES = ["2026-11-26", "2024-06-30", "2021-12-31", "2019-01-01", "2018-03-01"]


@pytest.fixture(scope="module")
def sample():
    return graphkit.load_dataset(SAMPLE)


@pytest.fixture(scope="module")
def generated_m(tmp_path_factory):
    out = tmp_path_factory.mktemp("M")
    graphkit.generate("M", 7, out)
    return graphkit.load_dataset(out)


def _per_center(ds, as_of, rules=None):
    return [check(ds, cid, as_of=as_of, rules=rules)[0] for cid in sorted(ds.index.centers)]


def _same(ds, as_of, rules=None) -> int:
    """Assert the engines agree on every field of every result; return how many results were compared."""
    old, new = _per_center(ds, as_of, rules), check_all(ds, as_of=as_of, rules=rules)
    assert [r.center_id for r in new] == [r.center_id for r in old]
    n = 0
    for o, c in zip(old, new):
        assert c.eligible == o.eligible, (o.center_id, as_of)
        for a in o.checks:  # the table's status and value, before anything is formatted
            assert c.status(a.id) == a.status, (o.center_id, a.id, as_of)
            assert json.dumps(c._table.value(c._c, a.id)) == json.dumps(a.value), (o.center_id, a.id, as_of)
        for lang in ("zh", "en"):
            assert json.dumps(c.to_dict(lang), ensure_ascii=False) == json.dumps(o.to_dict(lang), ensure_ascii=False)
        assert c.checks == o.checks  # every field of every CheckResult, messages in both languages included
        n += len(o.checks)
    return n


@pytest.mark.parametrize("as_of", DATES)
def test_sample_identical(sample, as_of):
    assert _same(sample, as_of) == 47 * 21


@pytest.mark.parametrize("as_of", ["2025-12-31", "2024-06-30", "2018-03-01"])
def test_generated_m_identical(generated_m, as_of):
    assert _same(generated_m, as_of) == 400 * 21


@pytest.mark.parametrize("changes", [
    {"count_shareholders_in_coverage": True, "min_coverage": 0.3},
    {"min_shareholders": 8, "top_rank": 3, "min_member_provinces": 20, "income_years": 3, "min_income_streams": 1},
    {"min_rd_staff_ratio": 0.25, "min_rd_expense_ratio": 0.05, "min_operating_years": 6, "active_layout": "other"},
])
def test_other_rules_identical(sample, changes):
    assert _same(sample, "2024-06-30", Rules().with_(**changes)) == 47 * 21


def test_sample_statuses_literal(sample):
    table = check_table(sample, as_of="2026-11-26")
    assert [str(c) for c, ok in zip(table.center_ids, table.eligible()) if ok] == ["C0005", "C0029"]
    first = list(table.center_ids).index("C0001")
    assert table.statuses(first)[:6] == ["not_met", "needs_review", "needs_review", "met", "met", "met"]
    assert table.value(first, "4.3") == {"coverage": 1.0, "covered": 2, "total": 2, "provinces": 14,
                                         "member_kinds": ["enterprise", "university", "research_institute", "user"]}
    assert table.value(first, "6.2") == 2 and table.value(first, "12") == 10
    early = check_table(sample, as_of="2019-01-01")
    assert not early.eligible().any()
    assert early.value(first, "6.2") is None and early.status_of(first, "6.2") == "insufficient_data"
    assert early.value(first, "4.3")["member_kinds"] == ["enterprise", "university", "research_institute", "user"]


def test_check_uses_columnar_for_all_and_per_center_for_one(sample):
    every = check(sample, as_of="2026-11-26")
    assert all(isinstance(r, ColumnarCenterChecks) for r in every) and len(every) == 47
    assert r_none(every) and type(check(sample, "C0005", as_of="2026-11-26")[0]) is CenterChecks


def r_none(results) -> bool:
    return all(r._checks is None for r in results)  # nothing formatted until a result is opened


def test_pickled_result_is_plain_and_equal(sample):
    r = check(sample, as_of="2026-11-26")[4]
    back = pickle.loads(pickle.dumps(r))
    assert type(back) is CenterChecks and back.center_id == "C0005" and back.eligible is True
    assert back.checks == check(sample, "C0005", as_of="2026-11-26")[0].checks
