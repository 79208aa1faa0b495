"""Claims check (SPEC §5): what an application asserts, compared with what graphkit computes.

A ratio is consistent within ± ``claim_tolerance_pp`` percentage points (0.62 and 62% are the same claim); a
count must match exactly; each entry of a list of covered platforms is ``ok`` or the first fault of
``not_in_registry``, ``wrong_field``, ``not_counted``, ``inactive``, ``host_not_member`` (every fault in ``reasons``). Entries given by name are matched to the registry after
normalisation (NFKC, full-width brackets, spaces, aliases such as 中科院 → 中国科学院), with close matches
suggested.

>>> normalize_name("中科院 沈阳自动化研究所（机器人学国家重点实验室）")
'中国科学院沈阳自动化研究所(机器人学国家重点实验室)'
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from fractions import Fraction

import pandas as pd

from graphkit.errors import UnknownIdError
from graphkit.queries.coverage import coverage_model
from graphkit.rules.thresholds import Rules

__all__ = ["ClaimVerdict", "EntryVerdict", "claims", "normalize_name", "NameMatcher", "ALIASES", "verdict_for_ratio", "verdict_for_count",
           "verdict_for_entry", "entry_faults", "verdict_for_list"]

# Common abbreviations in Chinese institution names → the full form.
ALIASES = {
    "中科院": "中国科学院",
    "中国科学院大学": "中国科学院大学",
    "国科大": "中国科学院大学",
    "工信部": "工业和信息化部",
    "国重": "国家重点实验室",
    "国家重点实验室": "国家重点实验室",
    "国家工程技术中心": "国家工程技术研究中心",
    "清华": "清华大学",
    "北大": "北京大学",
    "华科": "华中科技大学",
    "华中科大": "华中科技大学",
    "哈工大": "哈尔滨工业大学",
    "西交大": "西安交通大学",
    "上交大": "上海交通大学",
    "浙大": "浙江大学",
    "北航": "北京航空航天大学",
    "中国科学院院": "中国科学院",
}
_SPACES = re.compile(r"[\s\u200b\u200e\u200f\u202a-\u202e\u2066-\u2069]+")


def normalize_name(name: str, aliases: dict[str, str] | None = None) -> str:
    """NFKC, ASCII brackets, no spaces or direction marks, lower case, abbreviations expanded."""
    s = unicodedata.normalize("NFKC", str(name))
    s = s.replace("【", "[").replace("】", "]").replace("〔", "(").replace("〕", ")").replace("“", '"').replace("”", '"')
    s = _SPACES.sub("", s).lower()
    table = dict(ALIASES)
    if aliases:
        table.update({unicodedata.normalize("NFKC", k).lower(): v for k, v in aliases.items()})
    # An abbreviation is expanded only where a name starts: at the beginning, or after a bracket or separator,
    # so that 北大 inside 东北大学 stays untouched.
    for short in sorted(table, key=len, reverse=True):
        full = table[short]
        if short != full and short in s and full.lower() not in s:
            s = re.sub(r"(^|[(\[/、，,])" + re.escape(short), lambda m: m.group(1) + full.lower(), s)
    return s


@dataclass
class EntryVerdict:
    """One entry of a covered-platforms claim."""

    entry: str
    platform_id: str | None
    verdict: str
    suggestions: list[str] = field(default_factory=list)
    reasons: list[str] = field(default_factory=list)

    def to_dict(self) -> dict:
        return {"entry": self.entry, "platform_id": self.platform_id, "verdict": self.verdict, "reasons": self.reasons,
                "suggestions": self.suggestions}


@dataclass
class ClaimVerdict:
    """A claim compared with the computed value: consistent, overstated, understated or unverifiable."""

    center_id: str
    claim: str
    field_id: str
    claimed: object
    computed: object
    verdict: str
    entries: list[EntryVerdict] = field(default_factory=list)
    row: int | None = None
    source: str | None = None

    def to_dict(self) -> dict:
        return {
            "center_id": self.center_id,
            "claim": self.claim,
            "field_id": self.field_id,
            "claimed": self.claimed,
            "computed": self.computed,
            "verdict": self.verdict,
            "entries": [e.to_dict() for e in self.entries],
            "row": self.row,
        }


def verdict_for_ratio(claimed: float, covered: int, total: int, tolerance_pp: float) -> str:
    """consistent / overstated / understated / unverifiable, with exact arithmetic at the tolerance boundary.

    >>> verdict_for_ratio(0.625, 3, 5, 0.5), verdict_for_ratio(0.605, 3, 5, 0.5), verdict_for_ratio(0.5, 0, 0, 0.5)
    ('overstated', 'consistent', 'unverifiable')
    """
    if total == 0:
        return "unverifiable"
    diff = Fraction(str(claimed)) - Fraction(covered, total)
    tol = Fraction(str(tolerance_pp)) / 100
    if abs(diff) <= tol:
        return "consistent"
    return "overstated" if diff > 0 else "understated"


def entry_faults(platform_id: str | None, in_field: bool, counted: bool, active: bool, reached: bool) -> list[str]:
    """Every fault of one entry of a covered-platforms claim, in SPEC §5's order: not_in_registry, wrong_field,
    not_counted, inactive, host_not_member (an entry not in the registry has no other fault to name).

    >>> entry_faults(None, True, True, True, True), entry_faults("P1", False, False, True, False)
    (['not_in_registry'], ['wrong_field', 'not_counted', 'host_not_member'])
    """
    if platform_id is None:
        return ["not_in_registry"]
    checks = (("wrong_field", in_field), ("not_counted", counted), ("inactive", active), ("host_not_member", reached))
    return [name for name, ok in checks if not ok]


def verdict_for_entry(platform_id: str | None, in_field: bool, reached: bool, active: bool, counted: bool = True) -> str:
    """One entry's verdict: the first of :func:`entry_faults`, or ``ok``."""
    faults = entry_faults(platform_id, in_field, counted, active, reached)
    return faults[0] if faults else "ok"


def verdict_for_list(entries: list["EntryVerdict"], covered: set[str]) -> str:
    """A covered-platforms claim: overstated when any entry is not ok; consistent when the ok entries include
    every covered platform; understated otherwise."""
    if any(e.verdict != "ok" for e in entries):
        return "overstated"
    return "consistent" if {e.platform_id for e in entries if e.verdict == "ok"} >= covered else "understated"


def verdict_for_count(claimed: int, computed: int) -> str:
    return "consistent" if claimed == computed else ("overstated" if claimed > computed else "understated")


class NameMatcher:
    """Matches claimed platform entries (ids or names) to the registry."""

    def __init__(self, ds):
        p = ds.frames["platforms"]
        self.ids = set(p["platform_id"].tolist())
        self.by_name: dict[str, list[str]] = {}
        self.by_norm: dict[str, list[str]] = {}
        self.names = dict(zip(p["platform_id"].tolist(), p["name"].tolist()))
        for pid, name in self.names.items():
            self.by_name.setdefault(name, []).append(pid)
            self.by_norm.setdefault(normalize_name(name), []).append(pid)
        # organisation aliases as name variants of the platforms they host (华科 → 华中科技大学 …)
        o = ds.frames["organizations"]
        with_alias = o[o["aliases"].map(len) > 0]
        self.org_aliases = {}
        if len(with_alias):
            names = dict(zip(with_alias["org_id"], with_alias["name"]))
            for oid, als in zip(with_alias["org_id"], with_alias["aliases"]):
                for a in als:
                    if a and a != names[oid]:
                        self.org_aliases[a] = names[oid]
        self._choices = None

    def match(self, entry: str, prefer: set[str]) -> tuple[str | None, list[str]]:
        """(platform id or None, suggestions)."""
        e = entry.strip()
        if e in self.ids:
            return e, []
        for table, key in ((self.by_name, e), (self.by_norm, normalize_name(e)), (self.by_norm, normalize_name(e, self.org_aliases))):
            hits = table.get(key)
            if hits:
                preferred = [h for h in hits if h in prefer]
                return sorted(preferred or hits)[0], []
        return None, self.suggest(e)

    def suggest(self, entry: str, limit: int = 3) -> list[str]:
        from rapidfuzz import fuzz, process

        if self._choices is None:
            self._choices = {pid: normalize_name(n) for pid, n in self.names.items()}
        found = process.extract(normalize_name(entry, self.org_aliases), self._choices, scorer=fuzz.ratio, limit=limit, score_cutoff=60)
        return [f"{pid} {self.names[pid]}" for _, _, pid in found]


def _matcher(ds) -> NameMatcher:
    m = ds.__dict__.get("_name_matcher")
    if m is None:
        m = ds.__dict__["_name_matcher"] = NameMatcher(ds)
    return m


def _hosts_reached(ds, rules: Rules, c: int, platform_id: str) -> bool:
    """A platform (counted or not, active or not) is reached when the platform itself or one of its hosts is a
    member of center ``c`` (or a shareholder, when the rules count shareholders)."""
    ix = ds.index
    p = ix.platform_pos[platform_id]
    mp = ix.member_platform
    if p in set(mp.indices[mp.indptr[c]: mp.indptr[c + 1]].tolist()):
        return True
    hosts = set(ix.host.indices[ix.host.indptr[p]: ix.host.indptr[p + 1]].tolist())
    mo = ix.member_org
    if hosts & set(mo.indices[mo.indptr[c]: mo.indptr[c + 1]].tolist()):
        return True
    if rules.count_shareholders_in_coverage:
        sh = ix.share
        return bool(hosts & set(sh.indices[sh.indptr[c]: sh.indptr[c + 1]].tolist()))
    return False


def claims(ds, center: str | None = None, *, rules: Rules | None = None, frame: pd.DataFrame | None = None,
           as_of=None) -> list[ClaimVerdict]:
    """Verdicts for the dataset's claims (or for ``frame``, e.g. the claims of an uploaded application), on the
    dataset as of ``as_of`` (see :mod:`graphkit.queries.asof`)."""
    from graphkit.queries.asof import view_as_of

    rules = rules or Rules()
    ds = view_as_of(ds, rules, as_of)
    ix = ds.index
    if center is not None and center not in ix.center_pos:
        raise UnknownIdError(f"unknown center id {center}")
    frame = ds.frames["claims"] if frame is None else frame
    if center is not None:
        frame = frame[frame["center_id"] == center]
    model = coverage_model(ds, rules)
    platforms = ds.frames["platforms"]
    p_fields = dict(zip(platforms["platform_id"], platforms["field_ids"]))
    p_status = dict(zip(platforms["platform_id"], platforms["status"]))
    p_kind = dict(zip(platforms["platform_id"], platforms["kind"]))
    counted_kinds = set(rules.counted_platform_kinds)
    out = []
    entries_cache: dict[tuple[int, int], object] = {}
    field_sets: dict[int, set] = {}
    for row, rec in frame.iterrows():
        cid = rec["center_id"]
        c = ix.center_pos[cid]
        fid = rec.get("field_id") or ix.fields[int(ix.center_field[c])]
        f = ix.field_pos[fid]
        kind = rec["claim"]
        parsed = rec.get("parsed_value")
        entry = entries_cache.get((c, f))
        if entry is None:
            entry = entries_cache[(c, f)] = model.entry(c, f, with_via=False, with_uncovered=False)
        if kind == "coverage_ratio":
            v = verdict_for_ratio(parsed, entry.covered, entry.total, rules.claim_tolerance_pp)
            out.append(ClaimVerdict(cid, kind, fid, parsed, entry.ratio, v, row=int(row), source=rec.get("source")))
        elif kind == "member_count":
            mo, mp = ix.member_org, ix.member_platform
            n = int((mo.indptr[c + 1] - mo.indptr[c]) + (mp.indptr[c + 1] - mp.indptr[c]))
            out.append(ClaimVerdict(cid, kind, fid, parsed, n, verdict_for_count(parsed, n), row=int(row), source=rec.get("source")))
        else:
            covered = set(entry.covered_platform_ids)
            field_set = field_sets.get(f)
            if field_set is None:
                fp = ix.field_platform
                field_set = field_sets[f] = set(model.platform_ids[fp.indices[fp.indptr[f]: fp.indptr[f + 1]]].tolist())
            matcher = _matcher(ds)
            entries = []
            for item in parsed or ():
                pid, suggestions = matcher.match(item, field_set)
                faults = [] if pid is None else entry_faults(
                    pid, fid in p_fields[pid], p_kind[pid] in counted_kinds, (p_status[pid] or "active") == "active",
                    _hosts_reached(ds, rules, c, pid))
                faults = faults if pid is not None else ["not_in_registry"]
                entries.append(EntryVerdict(item, pid, faults[0] if faults else "ok", suggestions, faults))
            v = verdict_for_list(entries, covered)
            out.append(ClaimVerdict(cid, kind, fid, list(parsed or ()), sorted(covered), v, entries, int(row), rec.get("source")))
    return out
