"""Push a dataset to a Bolt server and pull it back (the model is in :mod:`graphkit.neo4j.model`).

Push is idempotent by comparing digests, not by trusting transactions (FalkorDB's are not atomic):

1. the server's ids and ``_hash`` digests are listed per label and relationship type;
2. only the items that are missing or whose digest differs are written (UNWIND + MERGE on ``id`` /
   ``key``, every property replaced), nodes first, then relationships;
3. the items the dataset no longer holds are deleted, relationships first, then nodes (DETACH).

A second push therefore sends nothing and changes nothing; a push killed midway leaves written items with
their digest and the rest without, so a re-run writes only what is missing; a changed dataset rewrites the
changed items and deletes the removed ones. Batches are cut by the size the server sees
(:meth:`graphkit.neo4j.client.BoltClient.batches`); a row too large for one statement is written in pieces,
its digest set last, so an interrupted row is rewritten whole next time.

Reads return small items in packs of a dozen per record and larger ones one per record, and read
properties stored in pieces piece by piece: FalkorDB never answers a record over 64 KB (its Bolt reply
hangs), and the Python driver spends most of its time per record.
"""

from __future__ import annotations

import json
import logging
import math
import re
import time
from collections import defaultdict
from collections.abc import Callable

from graphkit.errors import EngineError, ServerError
from graphkit.model.notice import Field, builtin_fields
from graphkit.model.raw import RawDataset, RawTable, frame_from_rows
from graphkit.model.schema import TABLES
from graphkit.neo4j.client import FALKORDB, NEO4J, BoltClient
from graphkit.neo4j.model import (
    INTERNAL,
    LABELS,
    NODE_TABLES,
    REL_TABLES,
    REL_TYPES,
    Item,
    graph_items,
    node_statement,
    rel_statement,
)

__all__ = ["push_dataset", "pull_dataset", "read_items", "read_one", "wipe_graph", "ensure_schema"]

log = logging.getLogger(__name__)

#: items whose properties take at most this many bytes are read in packs
_SMALL = 1024
#: mean items per pack (a pack of 45 such items still stays far below FalkorDB's 64 KB record limit)
_PER_PACK = 12
_HUGE = 1 << 62
#: batches per transaction on FalkorDB (whose transactions do not isolate anything: this only saves round trips)
_FALKORDB_TX_BATCHES = 25
#: characters / list items per piece when reading a property stored in pieces
_READ_CHARS, _READ_ITEMS = 8000, 8
_PROP = re.compile(r"[a-z_][a-z0-9_]*")


def _prop(name: str) -> str:
    """A property name for statement text: only the model's own names (contract columns, extra …) pass."""
    if not _PROP.fullmatch(name):
        raise EngineError(f"not a property name graphkit writes: {name!r}")
    return name


# ---- schema -------------------------------------------------------------------------------------------------

def ensure_schema(client: BoltClient) -> int:
    """Unique ids (Neo4j: constraints; FalkorDB: indexes) and relationship key indexes; returns how many were added."""
    added = 0
    if client.kind == FALKORDB:
        rows = client.read("CALL db.indexes() YIELD label, properties, entitytype RETURN label, properties, entitytype",
                           "index listing")
        have = {(r["label"], tuple(r["properties"] or ()), str(r.get("entitytype", "NODE")).upper()) for r in rows}
        wanted = [(lb, ("id",), "NODE", f"CREATE INDEX FOR (n:{lb}) ON (n.id)") for lb in LABELS]
        wanted += [(t, ("key",), "RELATIONSHIP", f"CREATE INDEX FOR ()-[e:{t}]-() ON (e.key)") for t in REL_TYPES]
        for label, props, entity, statement in wanted:
            if (label, props, entity) in have:
                continue
            try:
                added += client.write(statement, "index creation").get("indexes_added", 0)
            except ServerError:  # "already indexed" when another push raced us: fine if it is there now
                again = client.read("CALL db.indexes() YIELD label, properties RETURN label, properties", "index listing")
                if not any(r["label"] == label and tuple(r["properties"] or ()) == props for r in again):
                    raise
        return added
    for label in LABELS:
        c = client.write(f"CREATE CONSTRAINT graphkit_{label.lower()}_id IF NOT EXISTS "
                         f"FOR (n:{label}) REQUIRE n.id IS UNIQUE", "constraint creation")
        added += c.get("constraints_added", 0)
    for rel in REL_TYPES:
        c = client.write(f"CREATE INDEX graphkit_{rel.lower()}_key IF NOT EXISTS FOR ()-[e:{rel}]-() ON (e.key)",
                         "index creation")
        added += c.get("indexes_added", 0)
    return added


# ---- reading ------------------------------------------------------------------------------------------------

def _match(name: str, is_rel: bool) -> tuple[str, str]:
    """(MATCH pattern, variable) for every node of a label / relationship of a type."""
    return (f"MATCH (a)-[x:{name}]->(b)", "x") if is_rel else (f"MATCH (x:{name})", "x")


def _packs(client: BoltClient, pattern: str, value: str, carry: str = "x") -> list:
    """Every ``value`` of the items matched by ``pattern`` (variable ``x``; ``carry`` lists the variables
    ``value`` uses): the small ones packed a dozen to a record, the others one per record."""
    small = f"x._hash IS NOT NULL AND x._big IS NULL AND coalesce(x._size, $huge) <= {_SMALL}"
    total = client.read(f"{pattern} WHERE {small} RETURN count(*) AS n", "listing", huge=_HUGE)[0]["n"]
    out = []
    if total:
        buckets = max(1, math.ceil(total / _PER_PACK))
        for r in client.read(f"{pattern} WHERE {small} WITH {carry}, toInteger(rand() * $buckets) AS k "
                             f"RETURN k, collect({value}) AS items", "listing", huge=_HUGE, buckets=buckets):
            out += r["items"]
    rest = client.read(f"{pattern} WHERE NOT ({small}) RETURN {value} AS item", "listing", huge=_HUGE)
    return out + [r["item"] for r in rest]


def read_items(client: BoltClient, name: str, is_rel: bool) -> list[tuple]:
    """Every node of label ``name`` as ``(id, properties)``, or relationship of type ``name`` as
    ``(key, start id, end id, properties)``, properties read whole however they were stored."""
    pattern, _ = _match(name, is_rel)
    if is_rel:
        value = "[x.key, a.id, b.id, CASE WHEN x._big IS NULL THEN properties(x) END]"
    else:
        value = "[x.id, CASE WHEN x._big IS NULL THEN properties(x) END]"
    out = []
    for item in _packs(client, pattern, value, "x, a, b" if is_rel else "x"):
        props = item[-1]
        if props is None:
            props = _read_pieces(client, name, is_rel, item[0])
        out.append(tuple(item[:-1]) + (props,))
    return out


def read_one(client: BoltClient, name: str, ident: str, is_rel: bool = False) -> dict | None:
    """The properties of one node (by ``id``) or relationship (by ``key``); None when there is none."""
    match = f"MATCH ()-[x:{name} {{key: $ident}}]->()" if is_rel else f"MATCH (x:{name} {{id: $ident}})"
    rows = client.read(f"{match} RETURN CASE WHEN x._big IS NULL THEN properties(x) END AS p, "
                       f"x._big IS NOT NULL AS big LIMIT 1", "lookup", ident=ident)
    if not rows:
        return None
    return rows[0]["p"] if not rows[0]["big"] else _read_pieces(client, name, is_rel, ident)


def _read_pieces(client: BoltClient, name: str, is_rel: bool, ident) -> dict:
    match = f"MATCH ()-[x:{name} {{key: $ident}}]->()" if is_rel else f"MATCH (x:{name} {{id: $ident}})"
    big = client.read(f"{match} RETURN x._big AS big LIMIT 1", "lookup", ident=ident)
    big = (big[0]["big"] if big else None) or []
    names = [b[2:] for b in big]
    rows = client.read(f"{match} RETURN [k IN keys(x) WHERE NOT k IN $skip | [k, properties(x)[k]]] AS props LIMIT 1",
                       "lookup", ident=ident, skip=names)
    props = dict(rows[0]["props"]) if rows else {}
    for entry in big:
        kind, key = entry[:2], entry[2:]
        n = client.read(f"{match} RETURN size(properties(x)[$k]) AS n LIMIT 1", "lookup", ident=ident, k=key)
        n = n[0]["n"] if n else None
        if n is None:
            continue
        if kind == "l:":
            value = []
            for i in range(0, n, _READ_ITEMS):
                value += client.read(f"{match} RETURN properties(x)[$k][$i..$j] AS v LIMIT 1", "lookup",
                                     ident=ident, k=key, i=i, j=i + _READ_ITEMS)[0]["v"]
        else:
            value = "".join(client.read(f"{match} RETURN substring(properties(x)[$k], $i, $n) AS v LIMIT 1", "lookup",
                                        ident=ident, k=key, i=i, n=_READ_CHARS)[0]["v"] for i in range(0, n, _READ_CHARS))
        props[key] = value
    return props


def _hashes(client: BoltClient, name: str, is_rel: bool) -> dict[str, list]:
    """id (or key) → the digests found on the server (a list: duplicates must be seen)."""
    pattern, _ = _match(name, is_rel)
    ident = "x.key" if is_rel else "x.id"
    found: dict[str, list] = defaultdict(list)
    for ident_value, digest in _packs(client, pattern, f"[{ident}, x._hash]"):
        found[ident_value].append(digest)
    return found


# ---- push ---------------------------------------------------------------------------------------------------

class _Push:
    def __init__(self, client: BoltClient, progress, on_batch):
        self.client = client
        self.progress = progress
        self.on_batch = on_batch
        self.stats = defaultdict(int)
        self.done = 0
        self.total = 0
        self.started = time.perf_counter()
        self.last_report = 0.0

    def count(self, counters: dict) -> None:
        for k in ("nodes_created", "nodes_deleted", "relationships_created", "relationships_deleted", "properties_set"):
            self.stats[k] += counters.get(k, 0)

    def batch_done(self, rows: int, label: str) -> None:
        self.done += rows
        self.stats["batches"] += 1
        now = time.perf_counter()
        if self.progress and (now - self.last_report >= 1.0 or self.done == self.total):
            self.last_report = now
            rate = self.done / max(now - self.started, 1e-9)
            self.progress(f"{label}: {self.done:,}/{self.total:,} rows written ({rate:,.0f} rows/s)", self.done, self.total)
        if self.on_batch:
            self.on_batch(self.stats["batches"])

    def write(self, items: list[Item], missing: set | None = None) -> None:
        """Write ``items``; on Neo4j those whose (label or type, id or key) is in ``missing`` (just listed as absent from the
        server) are created rather than merged: the same result without a locking merge per row."""
        groups: dict[tuple, list[Item]] = defaultdict(list)
        for item in items:
            new = self.client.kind == NEO4J and missing is not None and (item.name, item.ident) in missing
            groups[(item.group, new)].append(item)
        for (group, new), members in groups.items():
            item0 = members[0]
            if item0.is_rel:
                merge = rel_statement(item0.name, item0.start[0], item0.end[0], item0.floats)
                statement = rel_statement(item0.name, item0.start[0], item0.end[0], item0.floats, create=new)
            else:
                merge = node_statement(item0.name, item0.floats)
                statement = node_statement(item0.name, item0.floats, create=new)
            params = [(m, m.param()) for m in members]
            whole = [p for m, p in params if self.client.fits(statement, p)]
            batches = list(self.client.batches(statement, whole))
            # FalkorDB commits every statement alone anyway: a few dozen batches share one transaction (fewer
            # round trips). Neo4j gets one batch per transaction, each already thousands of rows.
            per_tx = _FALKORDB_TX_BATCHES if self.client.kind == FALKORDB else 1
            for start in range(0, len(batches), per_tx):
                group = batches[start:start + per_tx]

                def after(i, records, counters, group=group):
                    self.count(counters)
                    if records and records[0]["n"] < len(group[i]):
                        raise ServerError(f"{len(group[i]) - records[0]['n']} {item0.name} item(s) found no start or "
                                          "end node on the server (was the graph changed during the push?); push again")
                    self.batch_done(len(group[i]), item0.name)

                self.client.run_many([(statement, {"rows": b}) for b in group], "push", after_each=after)
            for item, p in params:
                if not self.client.fits(statement, p):
                    self.write_in_pieces(item, merge)

    def write_in_pieces(self, item: Item, statement: str) -> None:
        """A row too large for one statement: the row without its largest properties, then those in pieces."""
        client = self.client
        sizes = sorted(((client.value_bytes(v), k) for k, v in item.props.items()
                        if isinstance(v, (str, list)) and k not in item.floats), reverse=True)
        big: list[str] = []
        for _, key in sizes:
            big.append(key)
            if client.fits(statement, item.param(big=tuple(big))):
                break
        else:
            raise EngineError(f"{item.origin}: even without its properties the row's id does not fit one "
                              f"{client.batch_bytes}-byte statement to this {client.kind} server; shorten the id")
        records, counters = client._run(statement, {"rows": [item.param(big=tuple(big))]}, "push", write=True)
        self.count(counters)
        if item.is_rel:
            match = (f"MATCH (a:{item.start[0]} {{id: $a}})-[x:{item.name} {{key: $ident}}]->(b:{item.end[0]} {{id: $b}})")
            fixed = {"a": item.start[1], "b": item.end[1], "ident": item.ident}
        else:
            match, fixed = f"MATCH (x:{item.name} {{id: $ident}})", {"ident": item.ident}
        for key in big:
            self.write_value(item, match, fixed, _prop(key), item.props[key])
        self.count(client.write(f"{match} SET x._hash = $h", "push", h=item.hash, **fixed))
        self.batch_done(1, item.name)

    def write_value(self, item: Item, match: str, fixed: dict, key: str, value) -> None:
        client = self.client
        first, append = f"{match} SET x.{key} = $v", f"{match} SET x.{key} = x.{key} + $v"
        room = client.batch_bytes - client.statement_bytes(append, dict(fixed, v="" if isinstance(value, str) else []))
        pieces: list = []
        if isinstance(value, str):
            piece, size = [], 0
            for ch in value:
                n = client.value_bytes(ch) - 2  # without the quotes
                if size + n > room and piece:
                    pieces.append("".join(piece))
                    piece, size = [], 0
                piece.append(ch)
                size += n
            pieces.append("".join(piece))
        else:
            piece, size = [], 0
            for v in value:
                n = client.value_bytes(v) + 2
                if n > room:
                    raise EngineError(f"{item.origin}: one item of {key} takes {n} bytes, more than one statement to this "
                                      f"{client.kind} server can carry ({client.batch_bytes} bytes); shorten it")
                if size + n > room and piece:
                    pieces.append(piece)
                    piece, size = [], 0
                piece.append(v)
                size += n
            pieces.append(piece)
        for i, piece in enumerate(pieces):
            self.count(client.write(first if i == 0 else append, "push", v=piece, **fixed))


def push_dataset(ds, client: BoltClient, *, progress: Callable | None = None,
                 on_batch: Callable[[int], None] | None = None) -> dict:
    """Push ``ds`` through ``client`` (see the module docstring); returns counts and timings."""
    started = time.perf_counter()
    items = graph_items(ds)
    job = _Push(client, progress, on_batch)
    job.stats["schema_added"] = ensure_schema(client)
    by_name: dict[tuple, list[Item]] = defaultdict(list)
    for item in items:
        by_name[(item.name, item.is_rel)].append(item)
    stale: dict[tuple, list] = {}
    to_write: dict[bool, list[Item]] = {False: [], True: []}
    missing: dict[bool, set] = {False: set(), True: set()}
    for is_rel, names in ((False, LABELS), (True, REL_TYPES)):  # node duplicates go before relationships are listed
        for name in names:
            found = _hashes(client, name, is_rel)
            mine = by_name.get((name, is_rel), [])
            idents = {i.ident for i in mine}
            duplicated = [k for k, v in found.items() if len(v) > 1]
            if duplicated:  # two nodes (or relationships) with one id: remove them all, write one back
                log.warning("%d duplicated %s on the server; rewriting them", len(duplicated), name)
                _delete(client, name, is_rel, duplicated, job)
                for k in duplicated:
                    found.pop(k)
            stale[(name, is_rel)] = [k for k in found if k not in idents]
            changed = [i for i in mine if found.get(i.ident, [None])[0] != i.hash]
            missing[is_rel] |= {(name, i.ident) for i in changed if i.ident not in found}
            job.stats["rows_unchanged"] += len(mine) - len(changed)
            job.stats["relationships_updated" if is_rel else "nodes_updated"] += sum(i.ident in found for i in changed)
            to_write[is_rel] += changed
    job.total = len(to_write[False]) + len(to_write[True])
    write_start = job.started = time.perf_counter()
    job.write(to_write[False], missing[False])  # nodes first: relationships need both ends
    job.write(to_write[True], missing[True])
    write_seconds = time.perf_counter() - write_start
    for (name, is_rel), idents in sorted(stale.items(), key=lambda kv: not kv[0][1]):  # relationships first
        _delete(client, name, is_rel, idents, job)
    for name in LABELS:  # nodes of graphkit's labels without an id cannot be graphkit's: they go too
        try:
            job.count(client.write(f"MATCH (x:{name}) WHERE x.id IS NULL DETACH DELETE x", "cleanup"))
        except ServerError as exc:  # never leave the user stuck: say how to start clean (docs/cypher-notes.md)
            raise ServerError(f"{exc}. The graph on the server may be inconsistent (FalkorDB 4.16 can fail so after a "
                              f"changed dataset grows the graph, see docs/cypher-notes.md): run `graphkit neo4j wipe "
                              f"--uri {client.uri} --yes`, then push again") from None
    written = job.done
    stats = dict(job.stats)
    stats.update({
        "server": client.kind,
        "items": len(items),
        "rows_written": written,
        "seconds": round(time.perf_counter() - started, 3),
        "rows_per_second": round(written / write_seconds, 1) if written and write_seconds > 0 else 0.0,
    })
    for k in ("nodes_created", "nodes_updated", "nodes_deleted", "relationships_created", "relationships_updated",
              "relationships_deleted", "properties_set", "rows_unchanged", "batches", "schema_added"):
        stats.setdefault(k, 0)
    return stats


def _delete(client: BoltClient, name: str, is_rel: bool, idents: list, job: _Push) -> None:
    if not idents:
        return
    if is_rel:
        statement = f"UNWIND $rows AS k MATCH ()-[x:{name} {{key: k}}]->() DELETE x"
    else:
        statement = f"UNWIND $rows AS k MATCH (x:{name} {{id: k}}) DETACH DELETE x"
    for batch in client.batches(statement, idents):
        job.count(client.write(statement, "delete", rows=batch))


def wipe_graph(client: BoltClient, chunk: int = 10_000) -> dict:
    """Delete every node of graphkit's labels (and so their relationships), ``chunk`` nodes per transaction
    (one huge transaction would exhaust a small Neo4j server's memory); other data stays."""
    total: dict[str, int] = defaultdict(int)
    for label in LABELS:
        while True:
            counters = client.write(f"MATCH (n:{label}) WITH n LIMIT $chunk DETACH DELETE n", "wipe", chunk=chunk)
            for k, v in counters.items():
                total[k] += v
            if counters.get("nodes_deleted", 0) < chunk:
                break
    return dict(total)


# ---- pull ---------------------------------------------------------------------------------------------------

def _cell(value) -> str:
    """A stored value as the contract's cell text (the reader's own format, so validation reads it back)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if value.is_integer() and abs(value) < 1e16:
            return str(int(value))
        text = repr(value)
        if "e" in text or "E" in text:
            import numpy as np

            return np.format_float_positional(value, trim="-")
        return text
    if isinstance(value, (list, tuple)):
        return "|".join(_cell(v) for v in value)
    return str(value)


def _row(table: str, props: dict) -> dict:
    row = {k: v for k, v in props.items() if k not in INTERNAL and k != "extra"}
    if props.get("extra"):
        try:
            extra = json.loads(props["extra"])
        except ValueError:
            extra = {"extra": props["extra"]}
        for k, v in extra.items():
            if k not in TABLES[table].column_names:
                row[k] = v
    return row


def pull_dataset(client: BoltClient, origin: str):
    """Load the graph from the server into an embedded dataset, through the normal validation."""
    from graphkit.io.load import load_dataset

    tables: dict[str, RawTable] = {}
    rows_of: dict[str, list[tuple]] = {}
    for table, (label, id_col) in NODE_TABLES.items():
        rows_of[table] = []
        for ident, props in read_items(client, label, False):
            row = _row(table, props)
            if id_col:
                row[id_col] = ident
                row.pop("id", None)
            else:
                row.pop("id", None)
            rows_of[table].append((props.get("row"), ident, row))
    for table, (rel, a_col, b_col) in REL_TABLES.items():
        rows_of[table] = []
        for key, a, b, props in read_items(client, rel, True):
            row = _row(table, props)
            row.pop("key", None)
            row[a_col], row[b_col] = a, b
            rows_of[table].append((props.get("row"), key, row))
    for table, rows in rows_of.items():
        if not rows and not TABLES[table].required_file:
            continue
        rows.sort(key=lambda r: (r[0] is None, r[0] if r[0] is not None else 0, str(r[1])))
        header = list(TABLES[table].column_names)
        for _, _, row in rows:
            header += [k for k in row if k not in header]
        frame = frame_from_rows(header, [[_cell(row.get(c)) for c in header] for _, _, row in rows])
        numbers = [r[0] for r in rows]
        if all(isinstance(n, int) for n in numbers) and len(set(numbers)) == len(numbers):
            frame.index = numbers
        tables[table] = RawTable(table, f"{origin}[{table}]", frame)
    fields = _field_rows(client)
    if fields:
        header = list(TABLES["fields"].column_names)
        tables["fields"] = RawTable("fields", f"{origin}[fields]",
                                    frame_from_rows(header, [[_cell(r.get(c)) for c in header] for r in fields]))
    return load_dataset(RawDataset(tables, origin, "neo4j"))


def _field_rows(client: BoltClient) -> list[dict]:
    """fields.csv rows for the fields that are not a built-in one unchanged, in layout order."""
    builtin = {f.field_id: f for f in builtin_fields()}
    out = []
    for ident, props in read_items(client, "Field", False):
        f = Field(ident, props.get("name_zh") or "", props.get("name_en") or "", props.get("layout") or "",
                  props.get("difficulties") or "", props.get("source") or "", props.get("note") or "")
        if builtin.get(ident) != f:
            out.append((props.get("pos", _HUGE), ident, {"field_id": ident, **{k: getattr(f, k) for k in
                        ("name_zh", "name_en", "layout", "difficulties", "source", "note")}}))
    return [r for _, _, r in sorted(out, key=lambda t: (t[0], t[1]))]
