"""Evidence a person can read (SPEC §10): each evidence id of a check as ``{"id", "type", "name", "source"}``.

Ids are resolved through the engine interface (``center``, ``organization``, ``platform``, ``field``) and, for
collaborations and income, through ``collaboration_rows`` / ``income_rows``, so the embedded and the Cypher
engine give the same detail. Names are looked up only when asked for (``graphkit check --format json``, the
report, the plain CLI), once per id.

>>> edge_name("国家机器人创新中心", "德国弗劳恩霍夫生产技术研究所", "joint_rd", 2023, "精密减速器路线图项目")
'国家机器人创新中心 → 德国弗劳恩霍夫生产技术研究所（联合研发，2023，精密减速器路线图项目）'
>>> edge_name("A", "B", "exchange", None, None, "en")
'A → B (exchange)'
"""

from __future__ import annotations

from graphkit.errors import UnknownIdError
from graphkit.model.i18n import term

__all__ = ["EvidenceNamer", "edge_name", "evidence_detail", "named", "checks_to_json"]

_ENTITY_TYPES = {"center": "center", "org": "organization", "platform": "platform", "field": "field"}


def edge_name(a: str, b: str, kind: str, year=None, project=None, lang: str = "zh") -> str:
    """An edge as a reviewer reads it: both ends by name, then its kind (in words), year and project."""
    parts = [term(kind, lang)] + [str(x) for x in (year, project) if x not in (None, "")]
    return f"{a} → {b}（{'，'.join(parts)}）" if lang != "en" else f"{a} → {b} ({', '.join(parts)})"


def named(name: str | None, ident: str, lang: str = "zh") -> str:
    """``name（id）`` (``name (id)`` in English), or the id alone when there is no name."""
    if not name or name == ident:
        return ident
    return f"{name}（{ident}）" if lang != "en" else f"{name} ({ident})"


def _amount(x) -> str:
    x = float(x)
    return f"{int(x):,}" if x.is_integer() else f"{x:,.2f}".rstrip("0").rstrip(".")


class EvidenceNamer:
    """Names and sources of ids on one engine, each looked up once."""

    def __init__(self, engine, lang: str = "zh"):
        self.engine, self.lang = engine, lang
        self._cache: dict[str, dict] = {}

    def kind_of(self, ident: str) -> str | None:
        ds = getattr(self.engine, "dataset", None)
        if ds is not None:
            return ds.kind_of(ident)
        kind_of = getattr(self.engine, "kind_of", None)  # an engine that cannot say leaves the id as the name
        return kind_of(ident) if kind_of else None

    def entity(self, ident: str) -> dict:
        """``{"id", "type", "name", "source"}`` of a center, organisation, platform or field id."""
        hit = self._cache.get(ident)
        if hit is not None:
            return hit
        kind = self.kind_of(ident)
        name = source = None
        try:
            if kind == "field":
                f = self.engine.field(ident)
                name, source = f.name(self.lang), f.source or None
            elif kind in ("center", "org", "platform"):
                rec = {"center": self.engine.center, "org": self.engine.organization, "platform": self.engine.platform}[kind](ident)
                name, source = rec.name or None, rec.source
        except UnknownIdError:
            kind = None
        hit = self._cache[ident] = {"id": ident, "type": _ENTITY_TYPES.get(kind, "organization" if kind else None),
                                    "name": name or ident, "source": source or None}
        return hit

    def name(self, ident: str) -> str:
        return self.entity(ident)["name"]

    def detail(self, ident: str) -> dict:
        if "->" in ident and ":" in ident:
            return self._collaboration(ident)
        if ident.startswith("income:"):
            return self._income(ident)
        return self.entity(ident)

    def _collaboration(self, ident: str) -> dict:
        ends, _, kind = ident.rpartition(":")
        a, _, b = ends.partition("->")
        fetch = getattr(self.engine, "collaboration_rows", None)
        rows = fetch(a, b, kind) if fetch else []
        first = rows[0] if rows else {}
        return {"id": ident, "type": "collaboration",
                "name": edge_name(self.name(a), self.name(b), kind, first.get("year"), first.get("project"), self.lang),
                "source": _sources(rows)}

    def _income(self, ident: str) -> dict:
        _, center, year, stream = ident.split(":", 3)
        fetch = getattr(self.engine, "income_rows", None)
        rows = fetch(center, int(year), stream) if fetch else []
        total = _amount(sum(float(r.get("amount") or 0) for r in rows))
        who = self.name(center)
        name = (f"{who} {year} 年收入：{term(stream)} {total} 万元" if self.lang != "en"
                else f"{who}, income {year}: {term(stream, 'en')} {total} (10k CNY)")
        return {"id": ident, "type": "income", "name": name, "source": _sources(rows)}


def _sources(rows: list[dict]) -> str | None:
    found = list(dict.fromkeys(str(r["source"]) for r in rows if r.get("source")))
    return "; ".join(found) or None


def checks_to_json(engine, results, lang: str = "zh") -> list[dict]:
    """What ``graphkit check --format json`` prints: each :class:`graphkit.checks.CenterChecks` as a dict whose
    checks carry ``evidence_detail`` beside ``evidence`` (SPEC §10)."""
    namer = EvidenceNamer(engine, lang)
    out = []
    for r in results:
        d = r.to_dict(lang)
        for c, cd in zip(r.checks, d["checks"]):
            cd["evidence_detail"] = [namer.detail(e) for e in c.evidence]
        out.append(d)
    return out


def evidence_detail(engine, result, lang: str = "zh", namer: EvidenceNamer | None = None) -> list[dict]:
    """The readable detail of a :class:`graphkit.checks.CheckResult`'s evidence, in the same order."""
    namer = namer or EvidenceNamer(engine, lang)
    return [namer.detail(e) for e in result.evidence]
