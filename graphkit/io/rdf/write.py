"""The RDF door (SPEC §7): a dataset as Turtle or JSON-LD, and back (see :mod:`graphkit.io.rdf.read`).

Every row becomes a node: centers, organisations and platforms keep IRIs made from their ids
(``id:C1``), relation rows (shareholding, membership, collaboration, income, ranking, assessment, claim) are
reified as nodes ``row:TABLE-ROW``; fields are SKOS concepts of their layout's scheme. ``source`` becomes
``prov:wasDerivedFrom src:…`` (a ``prov:Entity`` labelled with the source text), ``note`` ``skos:note``, an
extra column ``prop:NAME``. Lists keep their order: the items are plain triples (what a SPARQL user wants),
and when the cell's order is not already sorted and distinct an ``rdf:List`` (``gk:hostSequence`` …) records it.

Turtle and JSON-LD are written as text directly (no per-triple rdflib objects), which is what makes export
fast; :func:`to_graph` parses that text, so there is one writer and both formats give the same graph.

>>> from graphkit import load_dataset
>>> ds = load_dataset("tests/fixtures/tiny")
>>> "id:C1 a gk:InnovationCenter" in to_turtle(ds)
True
>>> len(to_graph(ds)) > 100
True
"""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path

import orjson
import pandas as pd

from graphkit.io.files import write_bytes
from graphkit.model.notice import BUILTIN_LAYOUT, NOTICE_ID, Field, builtin_fields
from graphkit.model.schema import TABLES
from graphkit.model.vocab import (
    CHECK,
    CODE_LISTS,
    FIELD_BASE,
    ID_BASE,
    LAYOUT_BASE,
    PREFIXES,
    PROP_BASE,
    ROW_BASE,
    SOURCE_BASE,
    TABLE_TERMS,
    _encode,
    iri_for_source,
)

#: Format names accepted by :func:`write_rdf` → (canonical name, file suffix).
__all__ = ["to_graph", "to_turtle", "to_jsonld", "write_rdf", "layout_turtle", "RDF_FORMATS", "column_kind"]

RDF_FORMATS = {"turtle": ("turtle", ".ttl"), "ttl": ("turtle", ".ttl"), "jsonld": ("jsonld", ".jsonld"),
               "json-ld": ("jsonld", ".jsonld")}


# The 2017 layout's scheme: labels from the annex title.
LAYOUT_LABELS = {BUILTIN_LAYOUT: ("国家制造业创新中心建设领域总体布局",
                                  "National layout of the fields of manufacturing innovation centers (2017)")}


ANNEX_SOURCE = NOTICE_ID + " 附件"


_NA = pd.NA


_XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"


_LOCAL = re.compile(r"^[A-Za-z0-9_%]([A-Za-z0-9_%.\-]*[A-Za-z0-9_%\-])?$")


_BY_BASE = {base: prefix for prefix, base in PREFIXES.items()}


_ESCAPES = {i: f"\\u{i:04X}" for i in range(0x20)} | {0x7F: "\\u007F"}


_ESCAPES.update({ord("\\"): "\\\\", ord('"'): '\\"', ord("\n"): "\\n", ord("\r"): "\\r", ord("\t"): "\\t"})


def _q(text: str) -> str:
    """A Turtle string literal: every character that needs it escaped, everything else verbatim UTF-8."""
    return '"' + text.translate(_ESCAPES) + '"'


def _pname(base: str, local: str) -> str:
    """``prefix:local`` when the local part is a safe prefixed name, else ``<IRI>``."""
    if _LOCAL.match(local):
        return f"{_BY_BASE[base]}:{local}"
    return f"<{base}{local}>"


def _iri_text(iri: str) -> str:
    """Turtle (or compact JSON-LD) text of any IRI in one of our namespaces."""
    for base, prefix in _BY_BASE.items():
        if iri.startswith(base) and _LOCAL.match(iri[len(base):]):
            return f"{prefix}:{iri[len(base):]}"
    return f"<{iri}>"


def _decimal(value: float) -> str:
    """xsd:decimal lexical form of a float without exponent (``300.0``, ``0.00001``)."""
    text = repr(float(value))
    if "e" in text or "E" in text:
        text = format(Decimal(text), "f")
    return text if "." in text else text + ".0"


def _date_type(text: str) -> str:
    return {4: "gYear", 7: "gYearMonth"}.get(len(text), "date")


def _missing(value) -> bool:
    if value is None or value is _NA:
        return True
    if isinstance(value, float):
        return value != value
    return (isinstance(value, (str, tuple)) and not value)


def column_kind(table: str, column: str) -> str:
    """The RDF value kind of a contract column (extra columns and notes are plain strings)."""
    if column == "source":
        return "source"
    spec = TABLES[table]
    if not spec.has_column(column):
        return "string"
    col = spec.column(column)
    if col.type in ("ref", "list") and col.refs:
        return ("fields" if col.is_list else "field") if "field" in col.refs else ("entities" if col.is_list else "entity")
    return {"int": "int", "year": "year", "amount": "decimal", "pct": "decimal", "bool": "bool", "date": "date",
            "enum": "code", "check_id": "check", "list": "strings"}.get(col.type, "string")


class _Terms:
    """Per-kind converters from a typed cell to Turtle text or a JSON-LD value; collects the sources it sees."""

    def __init__(self, json: bool):
        self.json = json
        self.sources: set[str] = set()

    def iri(self, base: str, local: str):
        text = _pname(base, local)
        if self.json:
            return {"@id": text[1:-1] if text.startswith("<") else text}
        return text

    def typed(self, lexical: str, datatype: str):
        if self.json:
            return {"@value": lexical, "@type": f"xsd:{datatype}"}
        return f'"{lexical}"^^xsd:{datatype}'

    def one(self, kind: str, value, codes_base: str | None = None):
        if kind == "string":
            return str(value) if self.json else _q(str(value))
        if kind == "int":
            return int(value) if self.json else str(int(value))
        if kind == "bool":
            return bool(value) if self.json else ("true" if value else "false")
        if kind == "decimal":
            return self.typed(_decimal(value), "decimal") if self.json else _decimal(value)
        if kind == "year":
            return self.typed(str(int(value)), "gYear")
        if kind == "date":
            return self.typed(str(value), _date_type(str(value)))
        if kind in ("entity", "entities"):
            return self.iri(ID_BASE, _encode(str(value)))
        if kind in ("field", "fields"):
            return self.iri(FIELD_BASE, _encode(str(value)))
        if kind == "code":
            return self.iri(codes_base, _encode(str(value)))
        if kind == "check":
            return self.iri(str(CHECK), _encode(str(value)))
        if kind == "source":
            self.sources.add(str(value))
            return self.iri(SOURCE_BASE, str(iri_for_source(str(value)))[len(SOURCE_BASE):])
        raise AssertionError(kind)  # pragma: no cover

    def lang(self, text: str, lang: str):
        return {"@value": text, "@language": lang} if self.json else f"{_q(text)}@{lang}"

    def converter(self, pred: str, kind: str, codes_base: str | None, seq_pred: str | None):
        """value → Turtle fragment (" ;\\n    pred obj") or JSON pairs [(key, value)]; cached per distinct value."""
        cache: dict = {}
        one = self.one
        item_kind = {"strings": "string", "entities": "entity", "fields": "field"}.get(kind)

        def convert(value):
            if _missing(value):
                return "" if not self.json else ()
            try:
                return cache[value]
            except (KeyError, TypeError):
                pass
            if item_kind is None:
                obj = one(kind, value, codes_base)
                out = ((pred, obj),) if self.json else f" ;\n    {pred} {obj}"
            else:
                items = [str(v) for v in value]
                objs = [one(item_kind, v) for v in dict.fromkeys(items)]
                ordered = len(items) > 1 and items != sorted(set(items))
                seq = [one(item_kind, v) for v in items] if ordered and seq_pred else None
                if self.json:
                    out = ((pred, objs if len(objs) > 1 else objs[0]),) + (((seq_pred, {"@list": seq}),) if seq else ())
                else:
                    out = f" ;\n    {pred} " + ", ".join(objs)
                    if seq:
                        out += f" ;\n    {seq_pred} ( " + " ".join(seq) + " )"
            try:
                cache[value] = out
            except TypeError:
                pass
            return out

        return convert


def _table_nodes(name: str, frame, terms: _Terms) -> list:
    """Turtle blocks (or JSON-LD node objects) for every row of one table."""
    spec = TABLE_TERMS[name]
    if not len(frame):
        return []
    if spec.entity:
        key = TABLES[name].key
        subjects = [terms.iri(ID_BASE, _encode(str(v))) for v in frame[key].tolist()]
    else:
        rows = frame.index
        if not (pd.api.types.is_integer_dtype(rows) and rows.is_unique and (len(rows) == 0 or rows.min() >= 2)):
            rows = range(2, 2 + len(frame))  # frames built in code may lack spreadsheet row numbers
        subjects = [terms.iri(ROW_BASE, f"{name}-{int(r)}") for r in rows]
    cls = _iri_text(str(spec.cls))
    columns = []
    for column in frame.columns:
        if column == "parsed_value" and name == "claims":
            continue
        kind = column_kind(name, column)
        pred = spec.predicates.get(column)
        pred_text = _iri_text(str(pred)) if pred is not None else _pname(PROP_BASE, _encode(column))
        if terms.json and pred_text.startswith("<"):
            pred_text = pred_text[1:-1]  # a JSON-LD key is an absolute IRI or a compact one, never <…>
        codes = CODE_LISTS.get((name, column))
        seq = spec.sequences.get(column)
        convert = terms.converter(pred_text, kind, codes.base if codes else None, _iri_text(str(seq)) if seq else None)
        columns.append([convert(v) for v in frame[column].tolist()])
    if terms.json:
        out = []
        for subject, *cells in zip(subjects, *columns):
            node = {"@id": subject["@id"], "@type": cls}
            for pairs in cells:
                for k, v in pairs:
                    node[k] = v
            out.append(node)
        return out
    head = [f"{s} a {cls}" for s in subjects]
    return ["".join(parts) + " .\n" for parts in zip(head, *columns)]


def _field_nodes(fields, terms: _Terms) -> list:
    """The fields (skos:Concept, gk:Field) and their layouts (skos:ConceptScheme, gk:Layout)."""
    out = []
    layouts = dict.fromkeys(f.layout or "custom" for f in fields)
    for layout in layouts:
        pairs = [("skos:notation", terms.one("string", layout))]
        labels = LAYOUT_LABELS.get(layout)
        if labels:
            pairs.append(("skos:prefLabel", [terms.lang(labels[0], "zh"), terms.lang(labels[1], "en")]))
            pairs.append(("prov:wasDerivedFrom", terms.one("source", NOTICE_ID)))
        out.append(_node(terms, terms.iri(LAYOUT_BASE, _encode(layout)), "skos:ConceptScheme, gk:Layout", pairs))
    for f in fields:
        scheme = terms.iri(LAYOUT_BASE, _encode(f.layout or "custom"))
        labels = [terms.lang(f.name_zh, "zh")] + ([terms.lang(f.name_en, "en")] if f.name_en else [])
        pairs = [("skos:notation", terms.one("string", f.field_id)), ("skos:prefLabel", labels)]
        if f.difficulties:
            pairs.append(("skos:definition", [terms.lang(f.difficulties, "zh")]))
        pairs += [("skos:inScheme", scheme), ("skos:topConceptOf", scheme)]
        if f.source:
            pairs.append(("prov:wasDerivedFrom", terms.one("source", f.source)))
        if f.note:
            pairs.append(("skos:note", terms.one("string", f.note)))
        out.append(_node(terms, terms.iri(FIELD_BASE, _encode(f.field_id)), "skos:Concept, gk:Field", pairs))
    return out


def _node(terms: _Terms, subject, types: str, pairs):
    if terms.json:
        node = {"@id": subject["@id"], "@type": [t.strip() for t in types.split(",")]}
        for k, v in pairs:
            node[k] = (v if len(v) > 1 else v[0]) if isinstance(v, list) else v
        return node
    body = "".join(f" ;\n    {k} " + (", ".join(v) if isinstance(v, list) else v) for k, v in pairs)
    return f"{subject} a {types}{body} .\n"


def _source_nodes(terms: _Terms) -> list:
    out = []
    for source in sorted(terms.sources):
        subject = terms.iri(SOURCE_BASE, str(iri_for_source(source))[len(SOURCE_BASE):])
        out.append(_node(terms, subject, "prov:Entity", [("rdfs:label", terms.one("string", source))]))
    return out


def _nodes(ds, terms: _Terms) -> list:
    nodes = _field_nodes(list(ds.fields.values()), terms)
    for name in TABLE_TERMS:
        frame = ds.frames.get(name)
        if frame is not None:
            nodes += _table_nodes(name, frame, terms)
    return nodes + _source_nodes(terms)


def _prefix_lines(only=None) -> str:
    return "".join(f"@prefix {p}: <{base}> .\n" for p, base in PREFIXES.items() if only is None or p in only)


def to_turtle(ds) -> str:
    """The dataset as Turtle (UTF-8 text, one block per node, prefixes from :data:`graphkit.model.vocab.PREFIXES`)."""
    header = ("# graphkit dataset (https://w3id.org/graphkit/ns#, see ontology/graphkit.ttl).\n"
              "# Load it back with `graphkit validate FILE.ttl`; row:TABLE-N nodes are relation rows.\n")
    body = "\n".join(_nodes(ds, _Terms(json=False)))
    return header + _prefix_lines() + "\n" + body


def to_jsonld(ds) -> str:
    """The dataset as JSON-LD with an inline ``@context`` (no remote context: nothing is fetched to read it)."""
    nodes = _nodes(ds, _Terms(json=True))
    context = orjson.dumps({"@context": dict(PREFIXES)}).decode()[1:-1]
    lines = ",\n".join(orjson.dumps(n).decode() for n in nodes)
    return "{" + context + ',\n"@graph": [\n' + lines + "\n]}\n"


def to_graph(ds):
    """The dataset as an ``rdflib.Graph``: the triples of :func:`to_turtle`, so every door gives the same graph.

    The Turtle is read back with graphkit's own fast parser (rdflib's would take minutes at scale M); each
    distinct term becomes one rdflib object, shared by all the triples that use it.
    """
    from rdflib import BNode, Graph, Literal, URIRef

    from graphkit.io.rdf.parse import Lit, parse_turtle

    graph = Graph()
    for prefix, base in PREFIXES.items():
        graph.bind(prefix, base, override=True, replace=True)
    nodes = parse_turtle(to_turtle(ds))
    terms: dict = {}

    def term(value):
        made = terms.get(value)
        if made is None:
            if isinstance(value, Lit):
                plain = value.lang or value.datatype in (None, _XSD_STRING)  # rdflib keeps "x" without a datatype
                made = Literal(value.lex, lang=value.lang) if plain else Literal(value.lex, datatype=URIRef(value.datatype))
            elif value.startswith("_:"):
                made = BNode(value[2:])
            else:
                made = URIRef(value)
            terms[value] = made
        return made

    graph.addN((term(s), term(p), term(o), graph) for s, pairs in nodes.items() for p, o in pairs)
    return graph


def layout_turtle(fields: tuple[Field, ...] | None = None) -> str:
    """The SKOS scheme of a layout's fields as Turtle (``ontology/fields-2017-64.ttl`` is this for the annex).

    Regenerate the committed file with ``python -m graphkit.io.rdf.write ontology/fields-2017-64.ttl``.
    """
    fields = tuple(fields if fields is not None else builtin_fields())
    terms = _Terms(json=False)
    body = "\n".join(_field_nodes(fields, terms) + _source_nodes(terms))
    header = ("# The 22 fields of the annex of 工信厅科〔2017〕64号 (国家制造业创新中心建设领域总体布局) as a SKOS\n"
              "# concept scheme: skos:notation F01…F22 in annex order, skos:prefLabel exactly as the notice writes it\n"
              "# (@zh) and in English (@en), skos:definition = the annex's 技术难点 text.\n"
              "# Generated from graphkit/data/layout-2017-64.csv by `python -m graphkit.io.rdf.write ontology/fields-2017-64.ttl`;\n"
              "# do not edit by hand (tests/test_vocab.py checks it against the generator).\n")
    return header + _prefix_lines(("gk", "field", "layout", "src", "prov", "skos", "rdfs")) + "\n" + body


def write_rdf(ds, path, fmt: str = "turtle") -> Path:
    """Write the dataset as Turtle or JSON-LD to ``path`` atomically (a temporary file, then ``os.replace``)."""
    try:
        kind, _ = RDF_FORMATS[fmt.lower()]
    except KeyError:
        raise ValueError(f"unknown RDF format {fmt!r}; use one of {sorted(RDF_FORMATS)}") from None
    text = to_turtle(ds) if kind == "turtle" else to_jsonld(ds)
    path = Path(path)
    write_bytes(path, text.encode("utf-8"))
    return path


if __name__ == "__main__":  # python -m graphkit.io.rdf.write ontology/fields-2017-64.ttl
    import sys

    target = Path(sys.argv[1]) if len(sys.argv) > 1 else None
    text = layout_turtle()
    if target is None:
        sys.stdout.write(text)
    else:
        target.write_text(text, encoding="utf-8")
