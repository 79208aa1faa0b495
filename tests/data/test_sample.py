"""The bundled sample against the registry copies in data/realdata/public-registries (issue 11 item 4)."""

from __future__ import annotations

import csv
import re
from pathlib import Path

import pytest

from graphkit.data.registries import LEFT_OUT_LABS, derive_field

REPO = Path(__file__).resolve().parents[2]
REG = REPO / "data" / "realdata" / "public-registries"
SAMPLE = REPO / "data" / "sample"


def _rows(path: Path) -> list[dict]:
    with open(path, encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def _labels(text: str) -> set[str]:
    return {p.strip() for p in text.split(";") if p.strip()}


@pytest.fixture(scope="module")
def reg():
    short = {r["iso_3166_2"]: r["short_zh"] for r in _rows(REG / "cn_provinces_iso3166_2.csv")}
    return dict(
        labs={r["ror_id"]: r for r in _rows(REG / "ror_cn_state_key_labs.csv")},
        ror={r["ror_id"]: r for r in _rows(REG / "ror_cn_organisations.csv")},
        moe={r["moe_code"]: r for r in _rows(REG / "moe_universities_2025.csv")},
        listed={r["ts_code"]: r for r in _rows(REG / "a_share_listed_companies_tushare_2026-03-04.csv")},
        short=short,
    )


@pytest.fixture(scope="module")
def sample():
    return {name: _rows(SAMPLE / f"{name}.csv") for name in ("platforms", "organizations", "centers")}


def test_every_lab_is_the_registry_row_with_exactly_its_hosts(reg, sample):
    orgs = {o["org_id"]: o for o in sample["organizations"]}
    labs = [p for p in sample["platforms"] if "ror.org/" in p["source"]]
    assert len(labs) == 299 and len(labs) >= 280
    for p in labs:
        rid = re.search(r"ror\.org/(\w+)", p["source"]).group(1)
        row = reg["labs"][rid]
        assert p["name"] in _labels(row["name_zh"]), rid
        assert p["kind"] == "state_key_lab" and p["status"] == "active"
        assert p["field_source"] == "derived:keywords-v1"
        host_labels = [_labels(z) | {e.strip()} for z, e in zip(row["host_zh"].split(" | "), row["host_en"].split(" | "))]
        hosts = [orgs[h]["name"] for h in p["host_ids"].split("|")]
        assert len(hosts) == len(host_labels), rid
        assert all(any(h in labels for h in hosts) for labels in host_labels), rid
        assert p["approved"] == row["established"]


def test_every_organisation_citing_a_registry_matches_it(reg, sample):
    seen = {"ror": 0, "moe": 0, "listed": 0}
    lab_host_labels = {}
    for row in reg["labs"].values():
        for z, i in zip(row["host_zh"].split(" | "), row["host_ror_ids"].split(" | ")):
            lab_host_labels.setdefault(i.strip(), set()).update(_labels(z))
    for o in sample["organizations"]:
        src = o["source"]
        m = re.search(r"学校标识码 (\d+)", src)
        if m:
            u = reg["moe"][m.group(1)]
            assert (o["name"], o["province"]) == (u["name"], reg["short"][u["province_iso"]]), o["org_id"]
            seen["moe"] += 1
        m = re.search(r"A-share list (\S+) ", src)
        if m:
            c = reg["listed"][m.group(1)]
            assert (o["name"], o["province"], o["kind"]) == (c["name"], reg["short"][c["province_iso"]], "enterprise")
            seen["listed"] += 1
        m = re.search(r"ror\.org/(\w+)", src)
        if m:
            r = reg["ror"][m.group(1)]
            assert o["name"] in _labels(r["name_zh"]) | lab_host_labels.get(m.group(1), set()), o["org_id"]
            if "学校标识码" not in src:
                assert o["province"] == reg["short"].get(r["province_iso"], ""), o["org_id"]
            seen["ror"] += 1
    assert seen == {"ror": 249, "moe": 320, "listed": 488}


def test_universities_in_their_real_provinces(reg, sample):
    real = [o for o in sample["organizations"] if o["kind"] == "university" and "学校标识码" in o["source"]
            and o["province"]]
    assert len(real) == 320 and len({o["name"] for o in real}) == 320
    assert len({o["name"] for o in sample["organizations"]}) == len(sample["organizations"])


def test_doubtful_and_unplaced_rows_are_left_out(reg, sample):
    names = {p["name"] for p in sample["platforms"]}
    cited = " ".join(p["source"] for p in sample["platforms"])
    for rid in ("03dz8mb53", "013sgyn36", "04zcc4v34", "0543q7s13", "05gh6hz98"):
        assert rid in LEFT_OUT_LABS and f"ror.org/{rid} " not in cited
    assert "表面物理与化学国家重点实验室" not in names and "塑性成形模具技术国家重点实验室" not in names
    assert "光志" not in {o["name"] for o in sample["organizations"]}


def test_the_27th_national_center(sample):
    c = [r for r in sample["centers"] if r["level"] == "national"]
    assert len(c) == 27
    last = c[-1]
    orgs = {o["org_id"]: o for o in sample["organizations"]}
    assert (last["center_id"], last["name"], last["city"], last["province"], last["field_id"], last["founded"]) == (
        "C0047", "国家先进印染技术创新中心", "泰安", "山东", "X14", "")
    assert orgs[last["operating_company_id"]]["name"] == "山东中康国创先进印染技术研究院有限公司"
    assert "nicadf.com" in last["source"]


def test_synthetic_rows_say_so(sample):
    p = sample["platforms"]
    syn = [r for r in p if r["source"] == "synthetic"]
    assert len(syn) == 477 and all(r["field_source"] == "synthetic" for r in syn)
    assert {r["kind"] for r in syn if r["kind"] == "state_key_lab" and "F20" not in r["field_ids"]} == set()


@pytest.mark.parametrize("name, field", [
    ("机器人学国家重点实验室", "F03"),          # 机器, 器人 in the field name 机器人
    ("集成光电子学国家重点联合实验室", "F01"),  # 光电, 电子 in 新一代信息光电子
    ("纤维材料改性国家重点实验室", "F22"),      # 纤维 in 先进功能纤维
    ("资源循环利用国家重点实验室", "F20"),
    ("XYZ国家重点实验室", ""),                  # no Han keyword left: nothing scores
    ("", ""),
])
def test_field_rule(name, field):
    assert derive_field(name) == field


def test_field_rule_excluded_field_does_not_compete():
    got = derive_field("资源循环利用国家重点实验室", frozenset({"F20"}))
    assert got not in ("", "F20") and got.startswith("F")
