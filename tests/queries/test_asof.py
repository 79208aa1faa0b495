"""The evaluation date (SPEC §4): which dated facts a dataset keeps on a day."""

from __future__ import annotations

import datetime as dt

import pytest
from conftest import eligible_tables, make_dataset

from graphkit.queries.asof import dataset_as_of, is_after, period_start

D = dt.date(2024, 6, 30)


@pytest.mark.parametrize("value, start", [("2024", "2024-01-01"), ("2024-07", "2024-07-01"), ("2024-07-02", "2024-07-02"),
                                          (" 2023 ", "2023-01-01"), ("", None), (None, None), (float("nan"), None)])
def test_period_start(value, start):
    assert period_start(value) == start


@pytest.mark.parametrize("value, after", [("2024", False), ("2025", True), ("2024-06", False), ("2024-07", True),
                                          ("2024-06-30", False), ("2024-07-01", True), ("", False), (None, False)])
def test_is_after(value, after):
    assert is_after(value, D) is after


def test_a_date_with_nothing_after_it_is_the_dataset_itself(tmp_path):
    ds = make_dataset(tmp_path, **eligible_tables())
    assert dataset_as_of(ds, D) is ds
    assert dataset_as_of(ds, None) is ds


def test_the_dataset_as_it_stood(tmp_path):
    t = eligible_tables()
    t["alliance_members"][1]["joined"] = "2024-07"         # E1 joins later
    t["alliance_members"][2]["joined"] = "2024-06"         # E2 joined by then
    t["platforms"][0]["approved"] = "2025-03-01"           # P1 approved next year
    t["platforms"][1]["approved"] = "2024-12-31"           # P2: approved in D's year counts
    t["alliance_members"].append({"center_id": "C1", "member_id": "P1", "role": "member"})
    t["collaborations"][0]["year"] = "2025"
    t["field_rankings"][0]["year"] = "2025"
    t["income"][0]["year"] = "2025"
    t["assessments"][0]["date"] = "2024-07-01"
    ds = make_dataset(tmp_path, **t)
    v = dataset_as_of(ds, D)
    assert v is not ds and dataset_as_of(ds, D) is v      # cached per date
    f = v.frames
    assert sorted(f["alliance_members"]["member_id"]) == ["E2", "INV", "OPCO", "R1", "U1", "US1"]  # E1 later, P1 not yet
    assert sorted(f["platforms"]["platform_id"]) == ["P2", "P3", "P4"]
    assert (len(f["collaborations"]), len(f["field_rankings"]), len(f["income"]), len(f["assessments"])) == (3, 2, 3, 3)
    assert len(ds.frames["alliance_members"]) == 8        # the dataset itself is unchanged
    later = dataset_as_of(ds, dt.date(2025, 12, 31))
    assert later is ds


def test_a_what_if_copy_gets_its_own_view(tmp_path):
    t = eligible_tables()
    t["alliance_members"][1]["joined"] = "2024-07"
    ds = make_dataset(tmp_path, **t)
    v = dataset_as_of(ds, D)
    copy = ds.with_members("C1", add=["X1"])
    w = dataset_as_of(copy, D)
    assert w is not v and "X1" in set(w.frames["alliance_members"]["member_id"])
