"""Turtle / JSON-LD back into the contract's raw string tables, so RDF input meets the very same validation as CSV.

The reader inverts :mod:`graphkit.io.rdf`: each node's class picks its table, each predicate its column
(``prop:NAME`` an extra column), IRIs become ids again, ``rdf:List`` sequences restore list order. It is
forgiving where that costs nothing (a code or a reference may be written as a plain literal, a relation row
may be a blank node) and strict where a value would be lost (two values for a one-value column is an error).
Nothing is fetched: a JSON-LD document with a remote ``@context`` is refused before rdflib sees it.

>>> from graphkit.model.problems import Problems
>>> p = Problems()
>>> raw = read_rdf(b"not turtle", "x.ttl", ".ttl", p)
>>> p.errors[0].code
'rdf_parse'
"""

from __future__ import annotations

__all__ = ["read_rdf", "raw_from_graph", "raw_from_nodes", "RDF_SUFFIXES"]

import json
import logging
from collections import defaultdict
from functools import lru_cache

from rdflib.namespace import DCTERMS, PROV, RDFS, SKOS

from graphkit.io.rdf.parse import (
    RDF_FIRST,
    RDF_NIL,
    RDF_REST,
    RDF_TYPE,
    Lit,
    nodes_from_graph,
    parse_jsonld,
    parse_turtle,
)
from graphkit.io.rdf.write import column_kind
from graphkit.io.tables import check_cells
from graphkit.model.notice import builtin_fields
from graphkit.model.problems import Problems
from graphkit.model.raw import RawDataset, RawTable, frame_from_rows
from graphkit.model.schema import TABLES
from graphkit.model.vocab import (
    CHECK,
    CODE_LISTS,
    FIELD_BASE,
    GK,
    ID_BASE,
    LAYOUT_BASE,
    PROP_BASE,
    SOURCE_BASE,
    TABLE_TERMS,
    id_from_iri,
    row_from_iri,
)
from graphkit.settings import get_settings

log = logging.getLogger(__name__)

#: file suffix → (rdflib format, RawDataset.kind)
RDF_SUFFIXES = {".ttl": ("turtle", "turtle"), ".n3": ("n3", "turtle"), ".nt": ("nt", "ntriples"),
                ".jsonld": ("json-ld", "jsonld"), ".json": ("json-ld", "jsonld")}

# A node typed with several of our classes belongs to the first table listed here (a center is also an
# org:Organization under RDFS inference, a platform an org:OrganizationalUnit).
_CLASS_TABLE = {str(t.cls): name for name, t in TABLE_TERMS.items()}
_PRIORITY = ["fields", "centers", "platforms", "shareholders", "alliance_members", "field_rankings",
             "collaborations", "income", "assessments", "claims", "organizations"]
_FIELD_CLASSES = {str(GK.Field)}
# predicates and classes as plain strings (the neutral nodes hold str, not rdflib terms)
_IDENTIFIER, _NOTATION, _PREF_LABEL, _DEFINITION, _IN_SCHEME, _NOTE = (
    str(t) for t in (DCTERMS.identifier, SKOS.notation, SKOS.prefLabel, SKOS.definition, SKOS.inScheme, SKOS.note))
_DERIVED, _LABEL, _ENTITY, _SCHEME_CLASSES = (
    str(PROV.wasDerivedFrom), str(RDFS.label), str(PROV.Entity), {str(SKOS.ConceptScheme), str(GK.Layout)})
_SEQ_COLUMN = {(name, str(p)): c for name, t in TABLE_TERMS.items() for c, p in t.sequences.items()}


def read_rdf(data: bytes, label: str, suffix: str, problems: Problems) -> RawDataset:
    """Parse ``data`` (Turtle, N-Triples or JSON-LD by ``suffix``) and return its raw tables; problems, not tracebacks.

    Our own exports are read by the fast parsers of :mod:`graphkit.io.rdf.parse`; anything else by rdflib.
    """
    fmt, kind = RDF_SUFFIXES.get(suffix.lower(), ("turtle", "turtle"))
    failed = set(TABLES)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        problems.error(label, 1, "*", "rdf_parse", detail=f"not UTF-8 ({exc.reason} at byte {exc.start})")
        return RawDataset({}, label, kind, failed)
    nodes = None
    if fmt == "json-ld":
        try:
            doc = json.loads(text)
        except ValueError as exc:
            problems.error(label, 1, "*", "rdf_parse", detail=f"JSON: {exc}"[:200])
            return RawDataset({}, label, kind, failed)
        remote = _remote_context(doc)
        if remote:
            problems.error(label, 1, "*", "rdf_remote_context", url=str(remote)[:120])
            return RawDataset({}, label, kind, failed)
        nodes = parse_jsonld(doc)
    elif fmt == "turtle":
        nodes = parse_turtle(text)
    if nodes is None:
        from rdflib import Graph  # the full parser, for documents beyond our own subset

        graph = Graph()
        try:
            graph.parse(data=text, format=fmt)
        except Exception as exc:  # rdflib raises many types (BadSyntax, ParserError, ValueError …)
            detail = " ".join(f"{type(exc).__name__}: {exc}".split())
            problems.error(label, 1, "*", "rdf_parse", detail=detail[:300])
            return RawDataset({}, label, kind, failed)
        nodes = nodes_from_graph(graph)
    return raw_from_nodes(nodes, label, kind, problems)


def _remote_context(doc):
    """The first ``@context`` / ``@import`` that names a document elsewhere (JSON-LD would fetch it), else None."""
    stack = [doc]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            for key, value in node.items():
                if key in ("@context", "@import"):
                    for ctx in value if isinstance(value, list) else [value]:
                        if isinstance(ctx, str):
                            return ctx
                stack.append(value)
        elif isinstance(node, list):
            stack.extend(node)
    return None


def _text(term) -> str:
    return term.lex if isinstance(term, Lit) else str(term)


class _Reader:
    def __init__(self, nodes: dict, label: str, problems: Problems):
        self.nodes = nodes  # subject → [(predicate, object)], document order
        self.label = label
        self.problems = problems
        self.table_of: dict = {}
        self.names: dict = {}  # IRI → id / field id / layout / source text
        self.warned: set = set()

    # ---- what each node is -------------------------------------------------------------------------------
    def classify(self):
        for subject, pairs in self.nodes.items():
            types = {o for p, o in pairs if p == RDF_TYPE}
            tables = {_CLASS_TABLE[t] for t in types if t in _CLASS_TABLE}
            if types & _FIELD_CLASSES:
                tables.add("fields")
            if tables:
                self.table_of[subject] = min(tables, key=_PRIORITY.index)
        for subject, table in self.table_of.items():
            if table in ("centers", "organizations", "platforms"):
                self.names[subject] = self._first(subject, _IDENTIFIER) or self._local(subject, ID_BASE)
            elif table == "fields":
                self.names[subject] = self._first(subject, _NOTATION) or self._local(subject, FIELD_BASE)
        for subject, pairs in self.nodes.items():
            if subject in self.table_of:
                continue
            types = {o for p, o in pairs if p == RDF_TYPE}
            if _ENTITY in types or subject.startswith(SOURCE_BASE):
                self.names[subject] = self._first(subject, _LABEL, strip=False) or self._local(subject, SOURCE_BASE)
            elif types & _SCHEME_CLASSES:
                self.names[subject] = self._first(subject, _NOTATION) or self._local(subject, LAYOUT_BASE)
            elif subject.startswith("_:") and any(p == RDF_FIRST for p, _ in pairs):
                continue  # a list cell
            elif types:
                self._warn_once(("node", tuple(sorted(types))), "rdf_ignored_node", node=_short(subject))

    def _first(self, subject, predicate: str, strip: bool = True) -> str:
        values = [o.lex for p, o in self.nodes[subject] if p == predicate and isinstance(o, Lit)]
        return (values[0].strip() if strip else values[0]) if values else ""

    @staticmethod
    def _local(iri, base) -> str:
        return id_from_iri(iri, base) if iri.startswith(base) else iri

    def _warn_once(self, key, code, **kw):
        if key not in self.warned:
            self.warned.add(key)
            self.problems.warning(self.label, 1, "*", code, **kw)

    # ---- values -----------------------------------------------------------------------------------------
    def value(self, kind: str, obj, codes_base: str | None) -> str:
        """The raw cell text of one RDF term in a column of ``kind``."""
        if isinstance(obj, Lit):
            return obj.lex.strip()
        if kind in ("entity", "entities", "field", "fields", "source") and obj in self.names:
            return self.names[obj]
        base = codes_base if kind == "code" else _KIND_BASE.get(kind)
        if base and obj.startswith(base):
            return id_from_iri(obj, base)
        return obj

    def items(self, head) -> list:
        """The members of an rdf:List (cycles and malformed lists end the walk)."""
        out, seen = [], set()
        while head != RDF_NIL and head not in seen:
            seen.add(head)
            pairs = self.nodes.get(head, [])
            firsts = [o for p, o in pairs if p == RDF_FIRST]
            rests = [o for p, o in pairs if p == RDF_REST]
            if not firsts:
                break
            out.append(firsts[0])
            head = rests[0] if rests else RDF_NIL
        return out

    # ---- rows -------------------------------------------------------------------------------------------
    def rows(self, table: str) -> tuple[list[str], list[int], list[dict]]:
        terms = TABLE_TERMS[table]
        by_pred = {str(p): c for c, p in terms.predicates.items()}
        subjects = [s for s, t in self.table_of.items() if t == table]
        numbered, used = [], set()
        for s in subjects:
            hit = row_from_iri(s) if not terms.entity else None
            n = hit[1] if hit and hit[0] == table and hit[1] >= 2 and hit[1] not in used else None
            if n is not None:
                used.add(n)
            numbered.append(n)
        nxt = max(used, default=1) + 1
        rownums = []
        for n in numbered:
            if n is None:
                n, nxt = nxt, nxt + 1
            rownums.append(n)
        extras: list[str] = []
        records = []
        for s, row in zip(subjects, rownums):
            cells: dict[str, list] = defaultdict(list)
            sequences: dict[str, list] = {}
            for p, o in self.nodes[s]:
                if p == RDF_TYPE:
                    continue
                column = by_pred.get(p)
                if column is None:
                    seq_column = _SEQ_COLUMN.get((table, p))
                    if seq_column is not None:
                        sequences[seq_column] = self.items(o)
                        continue
                    if p.startswith(PROP_BASE):
                        column = id_from_iri(p, PROP_BASE)
                        if column not in extras and not TABLES[table].has_column(column):
                            extras.append(column)
                    else:
                        self._warn_once((table, p), "rdf_ignored_property", property=_short(p), table=table)
                        continue
                cells[column].append(o)
            records.append(self._cells(table, row, cells, sequences))
        order = sorted(range(len(rownums)), key=rownums.__getitem__)
        return extras, [rownums[i] for i in order], [records[i] for i in order]

    def _cells(self, table: str, row: int, cells: dict, sequences: dict) -> dict:
        out = {}
        for column, objs in cells.items():
            kind, codes_base = _column_kind(table, column)
            if len(objs) == 1 and kind not in _LIST_KINDS:
                out[column] = self.value(kind, objs[0], codes_base)
                continue
            values = list(dict.fromkeys(self.value(kind, o, codes_base) for o in objs))
            values = [v for v in values if v != ""]
            if kind in _LIST_KINDS:
                seq = [self.value(kind, o, None) for o in sequences.pop(column, [])]
                values = seq + sorted(v for v in values if v not in seq)
                out[column] = "|".join(values)
            elif len(values) > 1:
                self.problems.error(f"{self.label}[{table}]", row, column, "rdf_multiple_values",
                                    n=len(values), values=" / ".join(v[:40] for v in values[:4]))
                out[column] = values[0]
            elif values:
                out[column] = values[0]
        for column, seq in sequences.items():  # a sequence without the plain triples
            out[column] = "|".join(self.value(column_kind(table, column), o, None) for o in seq)
        return out

    def field_rows(self) -> list[dict]:
        """fields.csv rows for the fields that differ from the built-in ones (those come back by themselves)."""
        builtin = {f.field_id: f for f in builtin_fields()}
        out = []
        for subject, table in self.table_of.items():
            if table != "fields":
                continue
            rec = {"field_id": self.names[subject]}
            zh, en, other = [], [], []
            for p, o in self.nodes[subject]:
                if p == _PREF_LABEL and isinstance(o, Lit):
                    lang = o.lang or ""
                    (zh if lang.startswith("zh") else en if lang.startswith("en") else other).append(o.lex.strip())
                elif p == _DEFINITION:
                    rec["difficulties"] = _text(o).strip()
                elif p == _IN_SCHEME:
                    rec["layout"] = self.names.get(o) or self._local(o, LAYOUT_BASE)
                elif p == _DERIVED:
                    rec["source"] = self.value("source", o, None)
                elif p == _NOTE:
                    rec["note"] = _text(o).strip()
            rec["name_zh"] = (zh or other or [""])[0]
            rec["name_en"] = (en or [""])[0]
            known = builtin.get(rec["field_id"])
            if known is not None and all(
                (rec.get(k) or "") == (getattr(known, k) or "")
                for k in ("name_zh", "name_en", "layout", "difficulties", "source", "note")
            ):
                continue
            out.append(rec)
        return out


_KIND_BASE = {"entity": ID_BASE, "entities": ID_BASE, "field": FIELD_BASE, "fields": FIELD_BASE, "check": str(CHECK),
              "source": SOURCE_BASE}
_LIST_KINDS = ("strings", "entities", "fields")


@lru_cache(maxsize=None)
def _column_kind(table: str, column: str) -> tuple[str, str | None]:
    codes = CODE_LISTS.get((table, column))
    return column_kind(table, column), (codes.base if codes else None)


def _short(term) -> str:
    text = str(term)
    return text if len(text) <= 100 else text[:99] + "…"


def raw_from_graph(graph, label: str, kind: str, problems: Problems) -> RawDataset:
    """The raw string tables held by an rdflib graph (our own vocabulary; see the module docstring)."""
    return raw_from_nodes(nodes_from_graph(graph), label, kind, problems)


def raw_from_nodes(nodes: dict, label: str, kind: str, problems: Problems) -> RawDataset:
    """The raw string tables held by neutral nodes (see :mod:`graphkit.io.rdf.parse`)."""
    reader = _Reader(nodes, label, problems)
    reader.classify()
    settings = get_settings()
    tables: dict[str, RawTable] = {}
    for name in TABLES:
        table_label = f"{label}[{name}]"
        if name == "fields":
            rows = reader.field_rows()
            header = list(TABLES[name].column_names)
            numbers = list(range(2, 2 + len(rows)))
        else:
            extras, numbers, rows = reader.rows(name)
            header = list(TABLES[name].column_names) + extras
        if not rows and not TABLES[name].required_file:
            continue
        frame = frame_from_rows(header, [[r.get(c, "") for c in header] for r in rows])
        if rows:
            frame.index = numbers
        check_cells(frame, table_label, problems, settings)
        tables[name] = RawTable(name, table_label, frame)
    return RawDataset(tables, label, kind)
