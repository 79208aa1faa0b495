"""Which facts behind a check result are synthetic (issue 11 item 5)."""

from __future__ import annotations

import pytest
from conftest import ROOT

from graphkit import load_dataset
from graphkit.checks.conditions import check
from graphkit.checks.provenance import is_synthetic, real_sources, source_label, synthetic_facts

AS_OF = "2026-11-26"


@pytest.fixture(scope="module")
def sample():
    return load_dataset(ROOT / "data" / "sample")


def _facts(ds, center, check_id):
    return synthetic_facts(ds, center, check(ds, center, as_of=AS_OF)[0].by_id()[check_id])


def test_a_real_center_failing_on_synthetic_rows(sample):
    # C0003 国家印刷及柔性显示创新中心: 2 shareholders per source + 4 synthetic; the field's 30 rankings synthetic
    assert _facts(sample, "C0003", "4.2") == [
        {"table": "shareholders", "columns": [], "rows": 6, "synthetic_rows": 4},
        {"table": "field_rankings", "columns": [], "rows": 30, "synthetic_rows": 30}]


def test_a_real_center_column_outside_its_real_columns(sample):
    # the real center's note names name, city, province, operating_company_id, founded as real: field_id is not
    assert _facts(sample, "C0001", "1") == [{"table": "centers", "columns": ["field_id"], "rows": 1, "synthetic_rows": 1}]
    # income of C0012 (国家农机装备创新中心) is all synthetic
    assert _facts(sample, "C0012", "6.2") == [{"table": "income", "columns": [], "rows": 17, "synthetic_rows": 17}]


def test_a_real_column_is_not_reported(sample):
    # C0047's founded date is empty in the source (12 lacks data), but the column is a real one: nothing synthetic
    assert _facts(sample, "C0047", "12") == []
    # a synthetic center: every column it reads is synthetic
    assert _facts(sample, "C0046", "12") == [{"table": "centers", "columns": ["founded"], "rows": 1, "synthetic_rows": 1}]


def test_attested_checks_read_no_table(sample):
    assert _facts(sample, "C0001", "2") == []


def test_is_synthetic_and_labels():
    assert is_synthetic(" Synthetic ") and not is_synthetic("") and not is_synthetic(None)
    assert not is_synthetic(float("nan"))
    assert source_label("ROR https://ror.org/05ryc2b20 (x)") == "ROR 机构登记（CC0）"
    assert source_label("A-share list 000001.SZ (y)", "en") == "A-share listed companies (tushare, CC-BY 4.0)"
    assert source_label("my notes") == "my notes"


def test_real_sources_by_table():
    prov = {"platforms": {"synthetic": 5, "ROR https://ror.org/a (x)": 2, "ROR https://ror.org/b (x)": 1},
            "income": {"synthetic": 3}, "centers": {"http://a | http://b": 1, "": 2}}
    assert real_sources(prov, "en") == {"platforms": {"ROR registry (CC0)": 3},
                                        "centers": {"public web pages (see each row's source)": 1}}
