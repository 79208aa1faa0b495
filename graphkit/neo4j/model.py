"""The property-graph model of a dataset on a Bolt server, both ways: dataset → nodes and relationships, and back.

Nodes (each with a unique ``id``):

* ``Center``, ``Organization``, ``Platform``, ``Field`` -- the entities; every contract column of the row is a
  property (``center_id`` / ``org_id`` / ``platform_id`` / ``field_id`` become ``id``; lists stay lists).
* ``Income``, ``Assessment``, ``Claim`` -- one node per row of those tables (they hang off one center and
  have no second endpoint); their ``id`` is the row's key (below).

Relationships (each with a unique ``key``), one per row or reference:

* from a table: ``MEMBER_OF`` (organisation or platform → center), ``SHAREHOLDER_OF`` (organisation →
  center), ``RANKED_IN`` (organisation → field), ``COLLABORATES_WITH`` (center or organisation →
  organisation), with the row's other columns as properties;
* from a reference: ``OPERATED_BY`` (center → organisation), ``IN_FIELD`` (center or platform → field),
  ``HOSTED_BY`` (platform → organisation), ``HAS_INCOME`` / ``HAS_ASSESSMENT`` / ``HAS_CLAIM`` (center →
  row node). The referencing columns stay properties too, so a node alone gives its row back.

A row's key is the JSON list of what identifies it (``["C1","O5"]`` for a membership), plus an occurrence
number when two rows share it (two identical collaborations stay two relationships). Columns beyond the
contract travel as one JSON string property ``extra``; ``source`` is an ordinary property. Bookkeeping:
``_hash`` (a digest of everything pushed for the item: unchanged items are skipped and changed ones
rewritten), ``_size`` (bytes of its properties, to read small items in packs), ``_big`` (the properties
stored in pieces, when a row exceeds the server's statement limit), ``row`` (the spreadsheet row of
claims, assessments, collaborations and platforms, whose order or row number shows in answers) and ``pos``
(a field's place in the layout order).

Non-integer numbers are sent as ``[m, e1, e2]`` with value ``m × 2^e1 × 2^e2`` and rebuilt by the server
in floating point, which is exact on both servers (FalkorDB prints float parameters with 6 decimals).

>>> _float_parts(0.1), _float_parts(1500.0)
([7205759403792794, -28, -28], [6597069766656000, -21, -21])
>>> key_of(["C1", "O5"], 0), key_of(["C1", "O5"], 2)
('["C1","O5"]', '["C1","O5",2]')
"""

from __future__ import annotations

import hashlib
import json
import math
from dataclasses import dataclass, field

import pandas as pd

from graphkit.model.graph import python_values
from graphkit.model.schema import TABLES

__all__ = [
    "MODEL_VERSION", "LABELS", "REL_TYPES", "NODE_TABLES", "REL_TABLES", "Item", "graph_items", "key_of",
    "node_statement", "rel_statement", "FLOAT_COLUMNS", "INTERNAL", "table_label",
]

MODEL_VERSION = 1

#: table → (label, id column); ``None`` = the row's key is its id
NODE_TABLES = {
    "organizations": ("Organization", "org_id"),
    "centers": ("Center", "center_id"),
    "platforms": ("Platform", "platform_id"),
    "income": ("Income", None),
    "assessments": ("Assessment", None),
    "claims": ("Claim", None),
}
#: table → (relationship type, start column, end column)
REL_TABLES = {
    "shareholders": ("SHAREHOLDER_OF", "org_id", "center_id"),
    "alliance_members": ("MEMBER_OF", "member_id", "center_id"),
    "field_rankings": ("RANKED_IN", "org_id", "field_id"),
    "collaborations": ("COLLABORATES_WITH", "from_id", "to_id"),
}
#: the columns that identify a row of a table without an id (an occurrence number is added for repeats)
KEY_COLUMNS = {
    "income": ("center_id", "year", "stream"),
    "assessments": ("center_id", "check_id", "assessor", "date"),
    "claims": ("center_id", "claim", "field_id"),
    "shareholders": ("org_id", "center_id"),
    "alliance_members": ("member_id", "center_id"),
    "field_rankings": ("org_id", "field_id", "year"),
    "collaborations": ("from_id", "to_id", "kind", "year", "project"),
}
#: tables whose spreadsheet row is kept (``row``): their order, or the row number itself, shows in answers
#: (claims report their row; the first collaboration and the latest assessment by row decide checks; the
#: platforms' order breaks ties between suggested names)
ROW_TABLES = ("claims", "assessments", "collaborations", "platforms")
HAS_REL = {"income": "HAS_INCOME", "assessments": "HAS_ASSESSMENT", "claims": "HAS_CLAIM"}
LABELS = ("Center", "Organization", "Platform", "Field", "Income", "Assessment", "Claim")
REL_TYPES = ("MEMBER_OF", "SHAREHOLDER_OF", "RANKED_IN", "COLLABORATES_WITH", "OPERATED_BY", "IN_FIELD",
             "HOSTED_BY", "HAS_INCOME", "HAS_ASSESSMENT", "HAS_CLAIM")
#: properties graphkit adds for itself (never data)
INTERNAL = ("_hash", "_size", "_big", "row", "pos")
#: table → the columns held as floating point numbers
FLOAT_COLUMNS = {name: tuple(c.name for c in t.columns if c.type in ("amount", "pct")) for name, t in TABLES.items()}
_ENTITY_LABEL = {"center": "Center", "org": "Organization", "platform": "Platform", "field": "Field"}


def table_label(table: str) -> str:
    """The node label or relationship type a table's rows become."""
    return NODE_TABLES[table][0] if table in NODE_TABLES else REL_TABLES[table][0]


@dataclass
class Item:
    """One node or relationship as it is pushed."""

    name: str  # label, or relationship type
    ident: str  # node id, or relationship key
    props: dict  # stored properties (floats as floats), without the bookkeeping ones
    floats: tuple = ()  # names of the float properties (sent as [m, e1, e2])
    start: tuple | None = None  # (label, id) of a relationship's start node
    end: tuple | None = None
    origin: str = ""  # "organizations row 17 (O5)", for messages
    hash: str = field(default="", compare=False)

    @property
    def is_rel(self) -> bool:
        return self.start is not None

    @property
    def group(self) -> tuple:
        """Items of one group share one write statement."""
        return (self.name, self.start[0], self.end[0], self.floats) if self.is_rel else (self.name, self.floats)

    def finish(self) -> "Item":
        text = json.dumps([MODEL_VERSION, self.name, self.ident, self.start, self.end, self.props],
                          sort_keys=True, ensure_ascii=False, separators=(",", ":"))
        self.hash = hashlib.blake2b(text.encode("utf-8"), digest_size=8).hexdigest()
        return self

    def size(self) -> int:
        """Bytes of the id (or key) and properties: a bound on the record that returns them."""
        text = json.dumps([self.ident, self.props], ensure_ascii=False, separators=(",", ":"))
        return len(text.encode("utf-8"))

    def param(self, *, big: tuple = ()) -> dict:
        """The ``$rows`` entry of the write statement; ``big`` names properties left out (sent in pieces)."""
        p = {k: v for k, v in self.props.items() if k not in self.floats and k not in big}
        p["id" if not self.is_rel else "key"] = self.ident
        p["_size"] = self.size()
        if big:
            p["_big"] = [("l:" if isinstance(self.props[k], list) else "s:") + k for k in big]
        else:
            p["_hash"] = self.hash
        row = {"p": p}
        row["id" if not self.is_rel else "key"] = self.ident
        if self.is_rel:
            row["a"], row["b"] = self.start[1], self.end[1]
        for k in self.floats:
            if self.props.get(k) is not None:
                row[k] = _float_parts(self.props[k])
        return row


def key_of(parts: list, occurrence: int) -> str:
    """The key of a row: its identifying values as a JSON list, plus the occurrence number of a repeat."""
    values = [None if v is None else v for v in parts] + ([occurrence] if occurrence else [])
    return json.dumps(values, ensure_ascii=False, separators=(",", ":"))


def _short(text, limit: int = 40) -> str:
    text = str(text)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _float_parts(x: float) -> list[int]:
    """``[m, e1, e2]`` with ``m × 2^e1 × 2^e2 == x`` exactly, every factor a normal double."""
    mantissa, exponent = math.frexp(x)
    m, e = int(mantissa * (1 << 53)), exponent - 53
    return [m, e // 2, e - e // 2]


def _float_expr(var: str, col: str) -> str:
    return (f"{var}.{col} = CASE WHEN r.{col} IS NULL THEN null "
            f"ELSE toFloat(r.{col}[0]) * 2.0 ^ r.{col}[1] * 2.0 ^ r.{col}[2] END")


def node_statement(label: str, floats: tuple = (), *, create: bool = False) -> str:
    """UNWIND + MERGE on ``id``, every property replaced (labels and columns are constants of the model);
    ``create``: CREATE instead, for ids the push has just seen missing on the server (no locking merge)."""
    sets = "".join(", " + _float_expr("n", c) for c in floats)
    head = f"CREATE (n:{label})" if create else f"MERGE (n:{label} {{id: r.id}})"
    return f"UNWIND $rows AS r {head} SET n = r.p{sets} RETURN count(*) AS n"


def rel_statement(rel_type: str, start: str, end: str, floats: tuple = (), *, create: bool = False) -> str:
    """UNWIND + MERGE on ``key`` between two nodes matched by ``id`` (``create``: CREATE, for missing keys)."""
    sets = "".join(", " + _float_expr("e", c) for c in floats)
    verb = f"CREATE (a)-[e:{rel_type}]->(b)" if create else f"MERGE (a)-[e:{rel_type} {{key: r.key}}]->(b)"
    return (f"UNWIND $rows AS r MATCH (a:{start} {{id: r.a}}) MATCH (b:{end} {{id: r.b}}) "
            f"{verb} SET e = r.p{sets} RETURN count(*) AS n")


# ---- dataset → items -----------------------------------------------------------------------------------------

def _plain_columns(frame: pd.DataFrame) -> dict[str, list]:
    return {c: python_values(frame[c]) for c in frame.columns if c != "parsed_value"}


def _occurrences(keys: list[str]) -> list[int]:
    seen: dict[str, int] = {}
    out = []
    for k in keys:
        n = seen.get(k, 0)
        out.append(n)
        seen[k] = n + 1
    return out


def _props(table: str, values: dict[str, list], i: int, skip: tuple) -> dict:
    contract = set(TABLES[table].column_names)
    props, extra = {}, {}
    for col, column in values.items():
        v = column[i]
        if col in skip or v is None:
            continue
        if col in contract:
            if isinstance(v, float) and col not in FLOAT_COLUMNS[table]:
                if not v.is_integer():
                    raise ValueError(f"{table}.{col} holds the non-integer {v!r}")
                v = int(v)
            props[col] = v
        elif v != "":
            extra[str(col)] = v if isinstance(v, str) else str(v)
    if extra:
        props["extra"] = json.dumps(extra, ensure_ascii=False)  # in column order, as a loaded table holds them
    return props


def graph_items(ds) -> list[Item]:
    """Every node and relationship of ``ds`` as it is stored on a server (see the module docstring)."""
    items: list[Item] = []
    kind_of = ds.kind_of
    for pos, f in enumerate(ds.fields.values()):
        props = {k: getattr(f, k) for k in ("name_zh", "name_en", "layout", "difficulties", "source", "note")}
        props = {k: v for k, v in props.items() if v not in (None, "")}
        props["pos"] = pos
        items.append(Item("Field", f.field_id, props, origin=f"field {f.field_id}").finish())
    for table, frame in ds.frames.items():
        if table not in NODE_TABLES and table not in REL_TABLES:
            continue
        values = _plain_columns(frame)
        rows = frame.index.tolist()
        n = len(frame)
        floats = tuple(c for c in FLOAT_COLUMNS[table] if c in values)
        if table in KEY_COLUMNS:
            keys = [json.dumps([values[c][i] for c in KEY_COLUMNS[table]], ensure_ascii=False) for i in range(n)]
            occ = _occurrences(keys)
        if table in NODE_TABLES:
            label, id_col = NODE_TABLES[table]
            for i in range(n):
                props = _props(table, values, i, (id_col,) if id_col else ())
                ident = values[id_col][i] if id_col else key_of([values[c][i] for c in KEY_COLUMNS[table]], occ[i])
                if table in ROW_TABLES:
                    props["row"] = int(rows[i])
                origin = f"{table} row {rows[i]} ({_short(ident)})"
                items.append(Item(label, ident, props, floats, origin=origin).finish())
                if table in HAS_REL:
                    cid = values["center_id"][i]
                    items.append(Item(HAS_REL[table], key_of([cid, ident], 0), {}, start=("Center", cid),
                                      end=(label, ident), origin=origin).finish())
            if table == "centers":
                items += _center_refs(values, rows)
            elif table == "platforms":
                items += _platform_refs(values, rows)
        else:
            rel, a_col, b_col = REL_TABLES[table]
            for i in range(n):
                a, b = values[a_col][i], values[b_col][i]
                props = _props(table, values, i, (a_col, b_col))
                if table in ROW_TABLES:
                    props["row"] = int(rows[i])
                key = key_of([values[c][i] for c in KEY_COLUMNS[table]], occ[i])
                start = (_ENTITY_LABEL[kind_of(a)] if table in ("alliance_members", "collaborations") else "Organization", a)
                end = ("Field", b) if table == "field_rankings" else (("Organization", b) if table == "collaborations" else ("Center", b))
                items.append(Item(rel, key, props, floats, start, end, origin=f"{table} row {rows[i]} ({_short(a)} → {_short(b)})").finish())
    return items


def _center_refs(values: dict, rows: list) -> list[Item]:
    out = []
    for i, cid in enumerate(values["center_id"]):
        origin = f"centers row {rows[i]} ({_short(cid)})"
        opco, fid = values["operating_company_id"][i], values["field_id"][i]
        if opco is not None:
            out.append(Item("OPERATED_BY", key_of([cid, opco], 0), {}, start=("Center", cid), end=("Organization", opco), origin=origin).finish())
        if fid is not None:
            out.append(Item("IN_FIELD", key_of([cid, fid], 0), {}, start=("Center", cid), end=("Field", fid), origin=origin).finish())
    return out


def _platform_refs(values: dict, rows: list) -> list[Item]:
    out = []
    for i, pid in enumerate(values["platform_id"]):
        origin = f"platforms row {rows[i]} ({_short(pid)})"
        for fid in dict.fromkeys(values["field_ids"][i] or ()):
            out.append(Item("IN_FIELD", key_of([pid, fid], 0), {}, start=("Platform", pid), end=("Field", fid), origin=origin).finish())
        for host in dict.fromkeys(values["host_ids"][i] or ()):
            out.append(Item("HOSTED_BY", key_of([pid, host], 0), {}, start=("Platform", pid), end=("Organization", host), origin=origin).finish())
    return out
