"""Query engines: one small interface, two implementations (embedded networkx/sparse, Cypher over Bolt).

Every query command runs through an engine, so the CLI, the app and the report work the same way on a
loaded dataset or on a Neo4j server. Engines are found by name in :data:`ENGINES` and imported lazily.
"""

from __future__ import annotations

import importlib
from typing import Protocol

from graphkit.rules.thresholds import Rules

__all__ = ["ENGINES", "EmbeddedEngine", "Engine", "application_claims", "open_engine"]


class Engine(Protocol):
    """What every engine answers; results are the typed objects of the query modules."""

    name: str

    def coverage(self, center=None, field=None, *, all_fields=False, rules: Rules | None = None, as_of=None): ...
    def check(self, center=None, *, as_of=None, rules: Rules | None = None): ...
    def reach(self, center, hops=None, *, rules: Rules | None = None, as_of=None): ...
    def gaps(self, field=None, *, rules: Rules | None = None, as_of=None): ...
    def recruit(self, center, *, field=None, rules: Rules | None = None, as_of=None): ...
    def claims(self, center=None, *, rules: Rules | None = None, as_of=None): ...
    def center_ids(self) -> list[str]: ...
    def center(self, center_id): ...
    def organization(self, org_id): ...
    def platform(self, platform_id): ...
    def field(self, field_id): ...
    def provenance(self) -> dict: ...
    def describe(self) -> str: ...


class EmbeddedEngine:
    """Answers from an in-memory :class:`graphkit.model.dataset.Dataset` (the default; no server needed)."""

    name = "embedded"

    def __init__(self, dataset):
        self.dataset = dataset

    def coverage(self, center=None, field=None, *, all_fields=False, rules=None, with_via=True, as_of=None):
        from graphkit.queries.coverage import coverage

        return coverage(self.dataset, center, field, all_fields=all_fields, rules=rules, with_via=with_via, as_of=as_of)

    def iter_coverage(self, center=None, field=None, *, all_fields=False, rules=None, with_ids=True, as_of=None):
        from graphkit.queries.coverage import iter_coverage

        return iter_coverage(self.dataset, center, field, all_fields=all_fields, rules=rules, with_ids=with_ids, as_of=as_of)

    def check(self, center=None, *, as_of=None, rules=None):
        from graphkit.checks.conditions import check

        return check(self.dataset, center, as_of=as_of, rules=rules)

    def reach(self, center, hops=None, *, rules=None, as_of=None):
        from graphkit.queries.reach import reach

        return reach(self.dataset, center, hops, rules, as_of=as_of)

    def gaps(self, field=None, *, rules=None, as_of=None):
        from graphkit.queries.gaps import gaps

        return gaps(self.dataset, field, rules, as_of=as_of)

    def recruit(self, center, *, field=None, rules=None, as_of=None):
        from graphkit.queries.recruit import recruit

        return recruit(self.dataset, center, field=field, rules=rules, as_of=as_of)

    def claims(self, center=None, *, rules=None, as_of=None):
        from graphkit.queries.claims import claims

        return claims(self.dataset, center, rules=rules, as_of=as_of)

    def center_ids(self):
        return sorted(self.dataset.index.centers)

    def center(self, center_id):
        return self.dataset.center(center_id)

    def organization(self, org_id):
        return self.dataset.organization(org_id)

    def platform(self, platform_id):
        return self.dataset.platform(platform_id)

    def field(self, field_id):
        return self.dataset.field(field_id)

    def provenance(self):
        """Per table, rows by ``source`` value (``synthetic``, a citation, or empty)."""
        return self.dataset.provenance()

    def kind_of(self, id_):
        return self.dataset.kind_of(id_)

    def center_provenance(self, center_id):
        """Per table, rows by ``source`` among the rows about one center: its own row, its shareholdings, members,
        collaborations (of the center or its operating company), income, assessments and claims, the
        organisations these name, the platforms of its field, and its field's rankings of its shareholders."""
        import pandas as pd

        ds = self.dataset
        f = ds.frames
        row = f["centers"][f["centers"]["center_id"] == center_id]
        if not len(row):
            from graphkit.errors import UnknownIdError

            raise UnknownIdError(f"unknown center id {center_id}")
        opco, fid = row["operating_company_id"].iloc[0], row["field_id"].iloc[0]
        mine = lambda t, col="center_id": f[t][f[t][col] == center_id]  # noqa: E731
        share, members = mine("shareholders"), mine("alliance_members")
        froms = {center_id} | ({opco} if isinstance(opco, str) and opco else set())
        collabs = f["collaborations"][f["collaborations"]["from_id"].isin(froms)]
        orgs = set(share["org_id"]) | set(members["member_id"]) | set(collabs["to_id"]) | (froms - {center_id})
        plats = f["platforms"]
        in_field = plats["field_ids"].map(lambda ids: fid in (ids or ()))
        parts = {
            "centers": row, "shareholders": share, "alliance_members": members, "collaborations": collabs,
            "income": mine("income"), "assessments": mine("assessments"), "claims": mine("claims"),
            "organizations": f["organizations"][f["organizations"]["org_id"].isin(orgs)],
            "platforms": plats[in_field | plats["platform_id"].isin(set(members["member_id"]))],
            "field_rankings": f["field_rankings"][(f["field_rankings"]["field_id"] == fid) & f["field_rankings"]["org_id"].isin(set(share["org_id"]))],
        }
        out = {}
        for table, frame in parts.items():
            if len(frame) and "source" in frame:
                by: dict[str, int] = {}
                for k, v in frame["source"].value_counts(dropna=False).items():
                    key = "" if pd.isna(k) else str(k)
                    by[key] = by.get(key, 0) + int(v)
                out[table] = by
        return out

    def _rows_by(self, table: str, keys: tuple) -> dict:
        cache = self.dataset.__dict__.setdefault("_rows_by", {})
        if (table, keys) not in cache:
            frame = self.dataset.frames[table]
            index: dict = {}
            cols = [c for c in ("year", "project", "amount", "source") if c in frame]
            for key, rec in zip(zip(*(frame[k].tolist() for k in keys)), frame[cols].to_dict("records")):
                index.setdefault(key, []).append({k: (None if _blank(v) else v) for k, v in rec.items()})
            cache[(table, keys)] = index
        return cache[(table, keys)]

    def collaboration_rows(self, from_id, to_id, kind):
        """The collaborations from ``from_id`` to ``to_id`` of ``kind`` (year, project, source), in row order."""
        return [dict(r, year=None if r.get("year") is None else int(r["year"]))
                for r in self._rows_by("collaborations", ("from_id", "to_id", "kind")).get((from_id, to_id, kind), [])]

    def income_rows(self, center, year, stream):
        """The income rows of a center, year and stream (amount, source), in row order."""
        return self._rows_by("income", ("center_id", "year", "stream")).get((center, year, stream), [])

    def describe(self):
        return f"embedded: {self.dataset.origin}"


def _blank(v) -> bool:
    """None, NaN, pandas.NA or an empty string."""
    if v is None or (isinstance(v, str) and v == ""):
        return True
    if type(v).__name__ == "NAType":
        return True
    return isinstance(v, float) and v != v


ENGINES = {"embedded": "graphkit.engine:EmbeddedEngine", "bolt": "graphkit.neo4j.engine:CypherEngine"}


def _load(name: str):
    module, _, attr = ENGINES[name].partition(":")
    return getattr(importlib.import_module(module), attr)


def open_engine(data=None, *, neo4j: str | None = None, user: str | None = None, password: str | None = None,
                database: str | None = None, dataset=None):
    """An embedded engine over ``data`` (or ``dataset``), or a Cypher engine on the ``neo4j`` URI."""
    if neo4j:
        return _load("bolt")(neo4j, user=user, password=password, database=database)
    if dataset is None:
        from graphkit.io.load import load_dataset

        dataset = load_dataset(data)
    return EmbeddedEngine(dataset)


def application_claims(result, *, rules: Rules | None = None, as_of=None) -> list:
    """The claim verdicts of an application after intake (:func:`graphkit.io.intake.intake`), on the merged
    dataset: each entry named as the applicant wrote it, each row the application's own."""
    from graphkit.queries.claims import claims

    if not result.ok:
        return []
    verdicts = claims(result.dataset, result.center_id, rules=rules, as_of=as_of)
    for v in verdicts:
        names = result.claim_names.get(v.row, {})
        for e in v.entries:
            e.entry = names.get(e.entry, e.entry)
        if isinstance(v.claimed, list):
            v.claimed = [names.get(x, x) for x in v.claimed]
        v.row = result.claim_rows.get(v.row, v.row)
    return verdicts
