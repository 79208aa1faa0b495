"""Name resolution (SPEC §11): an organisation's or platform's name, as an applicant writes it, matched to a registry id.

The steps, first unique hit wins: exact name; exact alias; normalised name (NFKC, full-width ↔ half-width brackets
and punctuation, whitespace removed); the alias table shipped as ``graphkit/data/aliases.csv`` (中科院 → 中国科学院,
哈工大 → 哈尔滨工业大学 …) extended by the registry's own aliases; otherwise no match, with up to 3 close matches
(rapidfuzz ``ratio`` on the normalised names, 0–1). Two registry entries at one step, or a close match at or above
``accept``, is ``ambiguous`` — never a guess.

>>> index = NameIndex([("O1", "哈尔滨工业大学", ()), ("O2", "中国科学院沈阳自动化研究所", ("沈自所",))])
>>> [(r.method, r.resolved_id) for r in (index.resolve("哈尔滨工业大学"), index.resolve("沈自所"), index.resolve("哈工大"))]
[('exact', 'O1'), ('alias', 'O2'), ('alias_table', 'O1')]
>>> index.resolve("中科院沈阳自动化所").resolved_id
'O2'
>>> r = index.resolve("哈尔滨工业大学 "), index.resolve("哈尔滨工业大学（深圳）")
>>> [(x.method, x.resolved_id) for x in r]
[('exact', 'O1'), ('new', None)]
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from dataclasses import dataclass, field
from importlib import resources

__all__ = ["METHODS", "Candidate", "NameIndex", "Resolution", "alias_table", "normalize", "resolve_in"]

METHODS = ("exact", "alias", "normalized", "alias_table", "decision", "new", "ambiguous")

_WS = " \t\n\r\f\v\u0085\u00a0\u1680\u2000-\u200f\u2028-\u202f\u205f-\u2069\u3000\ufeff"
_SPACES = re.compile(f"[{_WS}]+")
# what NFKC leaves full-width or typographic: brackets and quotes to their ASCII forms
_PUNCT = str.maketrans({"【": "[", "】": "]", "〔": "(", "〕": ")", "［": "[", "］": "]", "「": '"', "」": '"',
                        "『": '"', "』": '"', "“": '"', "”": '"', "‘": "'", "’": "'", "〈": "<", "〉": ">",
                        "《": "<", "》": ">", "﹙": "(", "﹚": ")", "·": "·", "・": "·"})
_BOUNDARY = "[(\\[/、,;|·]"


def normalize(name) -> str:
    """NFKC, full-width brackets and punctuation as ASCII, no whitespace or direction marks, lower case.

    >>> normalize(" 机器人学国家重点实验室（沈阳） "), normalize("Fraunhofer  IPT")
    ('机器人学国家重点实验室(沈阳)', 'fraunhofeript')
    """
    s = unicodedata.normalize("NFKC", str(name)).translate(_PUNCT)
    return _SPACES.sub("", s).lower()


def normalize_many(values) -> list[str]:
    """:func:`normalize` over a whole column at once (pyarrow): a registry of half a million names in a second."""
    import pyarrow as pa
    import pyarrow.compute as pc

    arr = pc.utf8_normalize(pa.array([str(v) for v in values], pa.string()), "NFKC")
    for a, b in _PUNCT.items():
        arr = pc.replace_substring(arr, chr(a), b)
    arr = pc.replace_substring_regex(arr, f"[{_WS}]+", "")
    return pc.utf8_lower(arr).to_pylist()


_TABLE: dict[str, str] | None = None


def alias_table() -> dict[str, str]:
    """The shipped alias table (``graphkit/data/aliases.csv``: alias,name,source) as normalised alias → full name."""
    global _TABLE
    if _TABLE is None:
        text = resources.files("graphkit.data").joinpath("aliases.csv").read_text(encoding="utf-8-sig")
        _TABLE = {normalize(r["alias"]): r["name"].strip() for r in csv.DictReader(io.StringIO(text))
                  if r.get("alias") and r.get("name")}
    return _TABLE


@dataclass(frozen=True)
class Candidate:
    """A registry entry a name might mean, with how close it is (0–1)."""

    id: str
    name: str
    score: float

    def to_dict(self) -> dict:
        return {"id": self.id, "name": self.name, "score": self.score}


@dataclass
class Resolution:
    """How one name was resolved: ``method`` (one of :data:`METHODS`), the id (None when new or ambiguous), the score
    of the match (1.0 for the exact steps; the best close match's for new and fuzzy-ambiguous names) and the
    candidates (the tied entries, or up to 3 close matches)."""

    name: str
    method: str
    resolved_id: str | None = None
    score: float | None = None
    candidates: list[Candidate] = field(default_factory=list)


def _variants(norm: str, table: dict[str, set[str]]) -> set[str]:
    """The name with its short forms expanded where a name starts (at the beginning, or after a bracket or a
    separator: 北大 in 东北大学 stays), and 所 read as 研究所 (中科院沈阳自动化所)."""
    out = set()
    if norm in table:
        out |= table[norm]
    current = {norm}
    for _ in range(3):  # 中科院…所（哈工大）: a few expansions, not a loop
        grown = set()
        for s in current:
            for short in sorted(table, key=len, reverse=True):
                if short in s:
                    for full in table[short]:
                        if full in s:
                            continue
                        grown.add(re.sub(f"(^|{_BOUNDARY})" + re.escape(short), lambda m, f=full: m.group(1) + f, s, count=1))
        grown -= current
        if not grown:
            break
        out |= grown
        current = grown
    for s in list(out | {norm}):
        if s.endswith("所") and not s.endswith("研究所"):
            out.add(s[:-1] + "研究所")
    out.discard(norm)
    return out


def _group(keys, ids) -> dict[str, list[str]]:
    """ids by key, in order (no list made for a key seen before: half a million names stay fast)."""
    out: dict[str, list[str]] = {}
    get = out.get
    for key, eid in zip(keys, ids):
        found = get(key)
        if found is None:
            out[key] = [eid]
        else:
            found.append(eid)
    return out


class NameIndex:
    """A registry's names, aliases and normalised names: ``entries`` are ``(id, name, aliases)``."""

    def __init__(self, entries=(), *, extra_aliases: dict[str, str] | None = None, columns=None):
        ids, names, aliases = columns if columns is not None else (
            [e[0] for e in entries], [e[1] for e in entries], [e[2] for e in entries])
        ids = [str(i) for i in ids]
        names = [str(n).strip() for n in names]
        norms = normalize_many(names)
        self.names: dict[str, str] = dict(zip(ids, names))
        self.by_name: dict[str, list[str]] = _group(names, ids)
        self.by_norm: dict[str, list[str]] = _group(norms, ids)
        self.by_alias: dict[str, list[str]] = {}
        registry_aliases: dict[str, set[str]] = {}
        for eid, name, norm, als in zip(ids, names, norms, aliases):
            for a in als or ():
                a = str(a).strip()
                if a and a != name:
                    self.by_alias.setdefault(a, []).append(eid)
                    registry_aliases.setdefault(normalize(a), set()).add(norm)
        table = {k: {normalize(v)} for k, v in alias_table().items()}
        for k, v in (extra_aliases or {}).items():
            table.setdefault(normalize(k), set()).add(normalize(v))
        for k, v in registry_aliases.items():
            table.setdefault(k, set()).update(v)
        self.table = table
        # the registry's own names with their short forms expanded (a registry that writes 中科院沈阳自动化研究所 is
        # found by 中国科学院沈阳自动化研究所): only names holding a shipped short form, found with one regex
        shipped = {k: v for k, v in table.items() if k in alias_table()}
        self.by_expanded: dict[str, list[str]] = {}
        if shipped:
            short = re.compile("|".join(re.escape(k) for k in sorted(shipped, key=len, reverse=True)))
            for norm, eids in self.by_norm.items():
                if short.search(norm):
                    for v in _variants(norm, shipped):
                        self.by_expanded.setdefault(v, []).extend(eids)
        self._choices: list[str] | None = None
        self._choice_ids: list[list[str]] | None = None
        self._close: dict[str, list[tuple[str, float]]] = {}

    def steps(self, name: str) -> list[tuple[str, list[str]]]:
        """The registry ids each deterministic step finds for ``name``, in the SPEC's order."""
        raw = str(name).strip()
        norm = normalize(raw)
        by_table: list[str] = list(self.by_expanded.get(norm, []))
        for v in sorted(_variants(norm, self.table)):
            by_table += self.by_norm.get(v, []) + self.by_expanded.get(v, [])
        exact = self.by_name.get(raw) or ([raw] if raw in self.names else [])  # an id written as the name is exact too
        return [("exact", exact), ("alias", self.by_alias.get(raw, [])),
                ("normalized", self.by_norm.get(norm, [])), ("alias_table", by_table)]

    def _queries(self, name: str) -> set[str]:
        norm = normalize(name)
        return {norm, *_variants(norm, self.table)}

    def prefetch(self, names, limit: int = 3, cutoff: float = 0.6) -> None:
        """Compute the close matches of every name that no deterministic step resolves, in one batch (rapidfuzz
        ``cdist`` on both cores, in blocks): far faster than one search per name over a large registry."""
        import numpy as np
        from rapidfuzz import fuzz, process

        queries = sorted({q for n in names if not any(hits for _, hits in self.steps(n)) for q in self._queries(n)} - set(self._close))
        if not queries:
            return
        self._ensure_choices()
        for start in range(0, len(queries), 16):
            block = queries[start:start + 16]
            scores = process.cdist(block, self._choices, scorer=fuzz.ratio, score_cutoff=cutoff * 100, dtype=np.float32, workers=-1)
            for q, row in zip(block, scores):
                k = min(limit * 4, len(row))
                top = np.argpartition(-row, k - 1)[:k] if k else []
                self._close[q] = [(self._choices[i], round(fuzz.ratio(q, self._choices[i]) / 100, 4)) for i in top if row[i] > 0]

    def _ensure_choices(self) -> None:
        if self._choices is None:
            self._choices = list(self.by_norm)

    def close(self, name: str, limit: int = 3, cutoff: float = 0.6) -> list[Candidate]:
        """Up to ``limit`` close matches (rapidfuzz ratio of the normalised names, its expansions included)."""
        from rapidfuzz import (  # imported here: only resolution pays for it
            fuzz,
            process,
        )

        self._ensure_choices()
        best: dict[str, float] = {}
        for query in self._queries(name):
            found = self._close.get(query)
            if found is None:
                found = self._close[query] = [(c, round(score / 100, 4)) for c, score, _ in process.extract(
                    query, self._choices, scorer=fuzz.ratio, limit=limit * 4, score_cutoff=cutoff * 100)]
            for choice, s in found:
                for eid in self.by_norm[choice]:
                    if s > best.get(eid, -1):
                        best[eid] = s
        ranked = sorted(best.items(), key=lambda kv: (-kv[1], kv[0]))[:limit]
        return [Candidate(eid, self.names[eid], s) for eid, s in ranked]

    def resolve(self, name: str, accept: float = 0.92) -> Resolution:
        return resolve_in([self], name, accept)


def resolve_in(indexes: list[NameIndex], name: str, accept: float = 0.92) -> Resolution:
    """Resolve ``name`` against several indexes at once (an alliance member may be an organisation or a
    platform): an entry found in two of them at one step is as ambiguous as two entries in one."""
    per_index = [ix.steps(name) for ix in indexes]
    for step in range(4):
        hits: list[tuple[str, str]] = []
        for ix, steps in zip(indexes, per_index):
            hits += [(h, ix.names[h]) for h in dict.fromkeys(steps[step][1])]
        hits = list(dict.fromkeys(hits))
        method = per_index[0][step][0]
        if len(hits) == 1:
            return Resolution(name, method, hits[0][0], 1.0)
        if len(hits) > 1:
            return Resolution(name, "ambiguous", None, 1.0, [Candidate(h, n, 1.0) for h, n in sorted(hits)])
    close = sorted((c for ix in indexes for c in ix.close(name)), key=lambda c: (-c.score, c.id))[:3]
    score = close[0].score if close else None
    if close and close[0].score >= accept:
        return Resolution(name, "ambiguous", None, score, close)
    return Resolution(name, "new", None, score, close)
