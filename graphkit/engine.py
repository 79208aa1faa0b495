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

    def coverage(self, center=None, field=None, *, all_fields=False, rules: Rules | None = None): ...
    def check(self, center=None, *, as_of=None, rules: Rules | None = None): ...
    def reach(self, center, hops=None, *, rules: Rules | None = None): ...
    def gaps(self, field=None, *, rules: Rules | None = None): ...
    def recruit(self, center, *, field=None, rules: Rules | None = None): ...
    def claims(self, center=None, *, rules: Rules | None = None): ...
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

    def coverage(self, center=None, field=None, *, all_fields=False, rules=None, with_via=True):
        from graphkit.queries.coverage import coverage

        return coverage(self.dataset, center, field, all_fields=all_fields, rules=rules, with_via=with_via)

    def iter_coverage(self, center=None, field=None, *, all_fields=False, rules=None, with_ids=True):
        from graphkit.queries.coverage import iter_coverage

        return iter_coverage(self.dataset, center, field, all_fields=all_fields, rules=rules, with_ids=with_ids)

    def check(self, center=None, *, as_of=None, rules=None):
        from graphkit.checks.conditions import check

        return check(self.dataset, center, as_of=as_of, rules=rules)

    def reach(self, center, hops=None, *, rules=None):
        from graphkit.queries.reach import reach

        return reach(self.dataset, center, hops, rules)

    def gaps(self, field=None, *, rules=None):
        from graphkit.queries.gaps import gaps

        return gaps(self.dataset, field, rules)

    def recruit(self, center, *, field=None, rules=None):
        from graphkit.queries.recruit import recruit

        return recruit(self.dataset, center, field=field, rules=rules)

    def claims(self, center=None, *, rules=None):
        from graphkit.queries.claims import claims

        return claims(self.dataset, center, rules=rules)

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

    def describe(self):
        return f"embedded: {self.dataset.origin}"


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


def application_claims(result, *, rules: Rules | None = None) -> list:
    """The claim verdicts of an application after intake (:func:`graphkit.io.intake.intake`), on the merged
    dataset: each entry named as the applicant wrote it, each row the application's own."""
    from graphkit.queries.claims import claims

    if not result.ok:
        return []
    verdicts = claims(result.dataset, result.center_id, rules=rules)
    for v in verdicts:
        names = result.claim_names.get(v.row, {})
        for e in v.entries:
            e.entry = names.get(e.entry, e.entry)
        if isinstance(v.claimed, list):
            v.claimed = [names.get(x, x) for x in v.claimed]
        v.row = result.claim_rows.get(v.row, v.row)
    return verdicts
