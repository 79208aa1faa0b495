"""The public registries copied into ``data/realdata/public-registries`` (ROR, MoE, tushare) and the field rule.

Read at sample build time only (nothing is fetched). :func:`state_key_labs` gives the ROR state key laboratories
the sample uses, with their hosts exactly as ROR labels them and every left-out row with its reason;
:func:`derive_field` is the documented keyword rule ``derived:keywords-v1`` that assigns a laboratory one of the
22 fields of the 2017 annex (not an official classification).
"""

from __future__ import annotations

import csv
import re
from functools import lru_cache
from pathlib import Path

from graphkit.data.synthetic import REPO
from graphkit.model.notice import builtin_fields

__all__ = [
    "REGISTRY_DIR",
    "FIELD_RULE",
    "SAMPLE_EXCLUDED_FIELDS",
    "ROR_COMMIT",
    "read_registry",
    "province_short",
    "derive_field",
    "state_key_labs",
    "host_label",
    "ror_cite",
    "moe_cite",
    "listed_cite",
    "LEFT_OUT_LABS",
]

REGISTRY_DIR = REPO / "data" / "realdata" / "public-registries"
FIELD_RULE = "derived:keywords-v1"
ROR_COMMIT = "d93fc667872f8ef9386896bd6c68bd3c6103603e"
# F20's platforms in the sample are laid out by hand (the recruitment case that exact search proves minimal)
SAMPLE_EXCLUDED_FIELDS = frozenset({"F20"})

# Rows of ror_cn_state_key_labs.csv left out of the sample, with the cited reason (DOUBTFUL.md beside the files).
LEFT_OUT_LABS = {
    "03dz8mb53": "DOUBTFUL.md: ROR adds Fiberhome as a host, confusing it with 光纤通信技术和网络国家重点实验室",
    "013sgyn36": "DOUBTFUL.md: the host's Chinese label reads 光志 (should be 光启)",
    "04zcc4v34": "DOUBTFUL.md: the CRRC host link is uncertain (依托单位 most likely 铁科院 alone)",
    "0543q7s13": "DOUBTFUL.md: a defence laboratory of 中国工程物理研究院, not a MOST state key laboratory",
    "05gh6hz98": "DOUBTFUL.md: old name of 华中科技大学's 材料成形与模具技术 (possible duplicate)",
}

_HAN = re.compile(r"[\u4e00-\u9fff]")
_LAB_WORDS = ["国家重点联合实验室", "全国重点实验室", "国家重点实验室", "重点实验室", "实验室"]
# bigrams that say nothing about a field (kind words of laboratory names and of the annex's texts)
_STOP_BIGRAMS = set("技术 工程 科学 研究 系统 国家 重点 实验 验室 全国 联合 先进 关键 新型 基础 应用 中心 理论 方法 高效 综合".split())
_STOP_CHARS = set("学科技术国家重点实验室与和及的工程研究系统理论应用新型先进关键基础中心高")


def read_registry(name: str, directory: str | Path | None = None) -> list[dict]:
    """The rows of one registry CSV in ``data/realdata/public-registries`` as dicts, in file order."""
    with open(Path(directory or REGISTRY_DIR) / name, encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


@lru_cache(maxsize=4)
def _iso_short(directory: str) -> dict[str, str]:
    return {r["iso_3166_2"]: r["short_zh"] for r in read_registry("cn_provinces_iso3166_2.csv", directory)}


def province_short(iso: str, directory: str | Path | None = None) -> str:
    """CN-JS → 江苏 (the short province name the dataset uses); "" when unknown."""
    return _iso_short(str(directory or REGISTRY_DIR)).get(iso, "")


def host_label(labels: str) -> str:
    """The label graphkit uses from a ROR ``; ``-separated label list: the first with a Han character, else the first."""
    parts = [p.strip() for p in labels.split(";") if p.strip()]
    return next((p for p in parts if _HAN.search(p)), parts[0] if parts else "")


def _core(name: str) -> str:
    name = re.sub(r"[（(].*?[)）]", "", name)
    for word in _LAB_WORDS:
        name = name.replace(word, "")
    return name


def _bigrams(text: str) -> set[str]:
    t = "".join(_HAN.findall(text))
    return {t[i:i + 2] for i in range(len(t) - 1)} - _STOP_BIGRAMS


def _chars(text: str) -> set[str]:
    return set(_HAN.findall(text)) - _STOP_CHARS


@lru_cache(maxsize=1)
def _field_keys():
    return [(f.field_id, _bigrams(f.name_zh), _bigrams(f.difficulties), _chars(f.name_zh), _chars(f.difficulties))
            for f in builtin_fields() if f.layout == "2017-64"]


def derive_field(lab_name: str, exclude: frozenset[str] = frozenset()) -> str:
    """``derived:keywords-v1``: the 2017-64 field whose name and 技术难点 text share most keywords with the lab's name.

    The name loses bracketed parts and the words 国家重点实验室/全国重点实验室/…; its Han bigrams (minus kind words
    such as 技术, 工程, 研究) score 2 per bigram found in the field's name and 1 per bigram found in its 技术难点 text;
    when no bigram scores anywhere, single characters (minus kind characters) score the same way. The highest score
    wins, ties go to the lower field number; "" when nothing scores (the lab is left out). Fields in ``exclude``
    do not compete (the sample holds F20 for its hand-laid recruitment case, :data:`SAMPLE_EXCLUDED_FIELDS`).
    """
    core = _core(lab_name)
    grams, chars = _bigrams(core), _chars(core)
    for tier in (0, 1):
        best, best_score = "", 0
        for fid, bn, bd, cn, cd in _field_keys():
            if fid in exclude:
                continue
            score = 2 * len(grams & bn) + len(grams & bd) if tier == 0 else 2 * len(chars & cn) + len(chars & cd)
            if score > best_score:
                best, best_score = fid, score
        if best:
            return best
    return ""


def ror_cite(ror_id: str) -> str:
    """The ``source`` of a row taken from ROR."""
    return f"ROR https://ror.org/{ror_id} (ror-community/ror-records@{ROR_COMMIT[:7]}, CC0 1.0)"


def moe_cite(code: str) -> str:
    """The ``source`` of a university from the MoE list."""
    return f"MoE 全国普通高等学校名单 2025-06-20, 学校标识码 {code}"


def listed_cite(ts_code: str) -> str:
    """The ``source`` of a listed company (tushare stock_basic via AFAN-LIFE/macropage, CC-BY 4.0)."""
    return f"A-share list {ts_code} (tushare stock_basic via AFAN-LIFE/macropage 2026-03-04, CC-BY 4.0)"


def state_key_labs(directory: str | Path | None = None,
                   exclude: frozenset[str] = SAMPLE_EXCLUDED_FIELDS) -> tuple[list[dict], dict[str, str]]:
    """The state key laboratories the sample uses and the ROR ids left out with their reasons.

    Each lab: ror_id, name (the first Han label of ``name_zh``), hosts (list of (host label, host ROR id)),
    established, field (:func:`derive_field`). Left out: rows in :data:`LEFT_OUT_LABS`, records not ``active``,
    rows without a Chinese name or host, a name already taken by an earlier row, and names no keyword places.
    """
    labs, left, seen = [], {}, set()
    for r in read_registry("ror_cn_state_key_labs.csv", directory):
        rid = r["ror_id"]
        name = host_label(r["name_zh"])
        labels = r["host_zh"].split(" | ") if r["host_zh"] else []
        en = r["host_en"].split(" | ") if r["host_en"] else []
        ids = r["host_ror_ids"].split(" | ") if r["host_ror_ids"] else []
        hosts = [(host_label(z) if z.strip() else e.strip(), i.strip()) for z, e, i in zip(labels, en, ids)]
        if rid in LEFT_OUT_LABS:
            left[rid] = LEFT_OUT_LABS[rid]
        elif r["status"] != "active":
            left[rid] = f"ROR record status {r['status']}"
        elif not name or not _HAN.search(name):
            left[rid] = "no Chinese name in ROR"
        elif not hosts:
            left[rid] = "no host (parent) in ROR"
        elif name in seen:
            left[rid] = "same Chinese name as an earlier record"
        elif not derive_field(name, exclude):
            left[rid] = f"{FIELD_RULE}: no keyword of the name in any field text"
        else:
            seen.add(name)
            labs.append(dict(ror_id=rid, name=name, hosts=hosts, established=r["established"],
                             field=derive_field(name, exclude)))
    return labs, left
