"""The sample's organisations and platforms from the public registries: lab hosts, real names for the pool, real labs.

Deterministic (no random draws): the same registry files give the same rows. Used by :mod:`graphkit.data.sample`.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from graphkit.data.registries import (
    FIELD_RULE,
    listed_cite,
    moe_cite,
    province_short,
    read_registry,
    ror_cite,
    state_key_labs,
)
from graphkit.data.synthetic import E, R, U

__all__ = ["RealWorld", "REAL_NOTE", "MIN_REAL_UNIVERSITIES"]

REAL_NOTE = "real organisation: name and province from the cited registry; its ties in this dataset are synthetic"
MIN_REAL_UNIVERSITIES = 320  # MoE universities in their provinces the sample holds at least (lab hosts included)
_HAN = re.compile(r"[\u4e00-\u9fff]")


def _ror_kind(types: str, name: str) -> str:
    if "education" in types:
        return "university"
    if "company" in types:
        return "enterprise"
    if "government" in types:
        return "government"
    if "facility" in types or "研究" in name:
        return "research_institute"
    return "other"


class RealWorld:
    """The registry rows the sample draws on, and the names already taken."""

    def __init__(self, directory=None):
        self.labs, self.left_out = state_key_labs(directory)
        self.ror = {r["ror_id"]: r for r in read_registry("ror_cn_organisations.csv", directory)}
        self.moe = read_registry("moe_universities_2025.csv", directory)
        self.moe_by_name = {r["name"]: r for r in self.moe}
        self.listed = [r for r in read_registry("a_share_listed_companies_tushare_2026-03-04.csv", directory)
                       if r["status"] == "L" and "ST" not in r["name"] and r["province_iso"]]
        self.dir = directory

    def prov(self, iso: str) -> str:
        return province_short(iso, self.dir)

    def host_rows(self, taken: set[str]) -> list[dict]:
        """One organisation per distinct lab host (first ROR id of a label wins), in order of first appearance."""
        rows, seen = [], set()
        for lab in self.labs:
            for label, rid in lab["hosts"]:
                if label in seen:
                    continue
                seen.add(label)
                rec = self.ror.get(rid, {})
                kind = _ror_kind(rec.get("types", ""), label)
                moe = self.moe_by_name.get(label)
                province = self.prov(moe["province_iso"]) if moe else self.prov(rec.get("province_iso", ""))
                rows.append(dict(name=label, kind=kind, province=province, ror_id=rid,
                                 source=ror_cite(rid) + (f" | {moe_cite(moe['moe_code'])}" if moe else ""),
                                 in_use=label in taken))
        return rows

    def relabel_pool(self, pool: pd.DataFrame, taken: set[str]) -> None:
        """Give pool universities, research institutes and non-SME enterprises in China the name of a real one
        in the same province (MoE list, ROR, A-share list, in file order); a pool row with no unused real one left
        in its province keeps its synthetic name."""
        free: dict[tuple[str, str], list[tuple[str, str]]] = {}

        def add(key, name, cite):
            if name not in taken:
                free.setdefault(key, []).append((name, cite))

        for r in self.moe:
            if r["level"] == "本科":
                add(("u", self.prov(r["province_iso"])), r["name"], moe_cite(r["moe_code"]))
        for rid, r in self.ror.items():
            name = r["name_zh"].split(";")[0].strip()
            if r["status"] != "active" or not name or not _HAN.search(name) or "facility" not in r["types"]:
                continue
            if not (name.endswith("研究所") or name.endswith("研究院")):
                continue
            add(("cas" if name.startswith("中国科学院") else "r", self.prov(r["province_iso"])), name, ror_cite(rid))
        for r in self.listed:
            add(("e", self.prov(r["province_iso"])), r["name"], listed_cite(r["ts_code"]))
        kinds, names = pool["_kind"].to_numpy(), pool["name"].to_numpy(object)
        clash = {str(n) for n in names if n in taken}  # a synthetic name that is a real one already in the sample
        taken |= {str(n) for n in names}
        prov, country, sme = pool["province"].to_numpy(object), pool["country"].to_numpy(object), pool["is_sme"]
        new_names, sources, notes = names.copy(), pool["source"].to_numpy(object).copy(), np.full(len(pool), "", object)
        for i in range(len(pool)):
            if country[i] != "CN" or not prov[i]:
                if names[i] in clash:
                    new_names[i] = f"{names[i]}（合成）"
                continue
            k = kinds[i]
            if k == U:
                key = ("u", prov[i])
            elif k == R:
                key = ("cas" if str(names[i]).startswith("中国科学院") else "r", prov[i])
            elif k == E and sme.iloc[i] != "true":
                key = ("e", prov[i])
            else:
                if names[i] in clash:
                    new_names[i] = f"{names[i]}（合成）"
                continue
            options = free.get(key, [])
            while options and options[0][0] in taken:
                options.pop(0)
            if not options:
                if names[i] in clash:  # keep the synthetic row apart from the real organisation of that name
                    new_names[i] = f"{names[i]}（合成）"
                    taken.add(new_names[i])
                continue
            name, cite = options.pop(0)
            taken.add(name)
            new_names[i], sources[i], notes[i] = name, cite, REAL_NOTE
        pool["name"], pool["source"], pool["note"] = new_names, sources, notes

    def extra_universities(self, taken: set[str], have: int) -> list[dict]:
        """MoE universities (本科, in list order) not yet in the sample, so that it holds MIN_REAL_UNIVERSITIES."""
        out = []
        for r in self.moe:
            if have + len(out) >= MIN_REAL_UNIVERSITIES:
                break
            if r["level"] == "本科" and r["name"] not in taken:
                taken.add(r["name"])
                out.append(dict(name=r["name"], kind="university", province=self.prov(r["province_iso"]),
                                source=moe_cite(r["moe_code"])))
        return out

    def lab_platforms(self, code_of: dict[str, int]) -> list[dict]:
        """The labs as platform records: name, kind, fields, host codes, approved, status, source, field_source."""
        return [dict(name=lab["name"], kind="state_key_lab", fields=(lab["field"],),
                     hosts=tuple(dict.fromkeys(code_of[h] for h, _ in lab["hosts"])),
                     approved=int(lab["established"]) if lab["established"] else "", status="active",
                     source=ror_cite(lab["ror_id"]), field_source=FIELD_RULE)
                for lab in self.labs]


