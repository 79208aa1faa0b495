"""Fast parsers for the Turtle and JSON-LD that :mod:`graphkit.io.rdf` writes, and a bridge from any rdflib graph.

rdflib parses a few thousand triples a second; a dataset at scale M has millions. Our own files use a small,
regular subset of each syntax, so they are read here with one regular expression (Turtle) or ``json.loads``
(JSON-LD) at a hundred times that speed. The subset is checked strictly: anything outside it (blank-node
brackets, long strings, relative IRIs, ``@base``, JSON-LD term definitions, nested node objects …) makes the
parser return None and the caller falls back to rdflib, so every valid document is still read correctly.

All readers produce the same neutral form: ``{subject: [(predicate, object), …]}`` in document order, where an
IRI is a ``str``, a blank node a ``str`` starting with ``_:``, and a literal a :class:`Lit`.

>>> nodes = parse_turtle('@prefix ex: <http://ex.org/> .\\nex:a ex:p "x\\\\"y"@zh, 5 ; ex:q ( ex:b ) .')
>>> nodes["http://ex.org/a"][0]
('http://ex.org/p', Lit(lex='x"y', datatype=None, lang='zh'))
>>> parse_turtle('ex:a ex:p [ ex:q 1 ] .') is None
True
"""

from __future__ import annotations

__all__ = ["Lit", "parse_turtle", "parse_jsonld", "nodes_from_graph", "RDF_TYPE", "RDF_FIRST", "RDF_REST", "RDF_NIL"]

import re
from typing import NamedTuple

_RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
_XSD = "http://www.w3.org/2001/XMLSchema#"
RDF_TYPE, RDF_FIRST, RDF_REST, RDF_NIL = _RDF + "type", _RDF + "first", _RDF + "rest", _RDF + "nil"
_XSD_STRING, _XSD_INTEGER, _XSD_DECIMAL, _XSD_BOOLEAN = (_XSD + t for t in ("string", "integer", "decimal", "boolean"))


class Lit(NamedTuple):
    """A literal: lexical form, datatype IRI (None for a plain or language-tagged string), language tag."""

    lex: str
    datatype: str | None = None
    lang: str | None = None


class _NotOurs(Exception):
    """The document uses Turtle / JSON-LD beyond the subset read here: let rdflib read it."""


# ---- Turtle -----------------------------------------------------------------------------------------------------

_PLX = r"%[0-9A-Fa-f]{2}"
_PN = r"(?:[A-Za-z][A-Za-z0-9_-]*)?:(?:(?:[A-Za-z0-9_:]|{0})(?:(?:[A-Za-z0-9_.:-]|{0})*(?:[A-Za-z0-9_:-]|{0}))?)?".format(_PLX)
_IRI = r"<[^<>\"{}|^`\\\x00-\x20]*>"
_STR = r'"(?:[^"\\\n\r]|\\.)*"(?!")'
_NUM = r"[+-]?[0-9]*\.[0-9]+(?![0-9eE.])|[+-]?[0-9]+(?![0-9eE]|\.[0-9])"
_TOKEN = re.compile(
    r"""(?P<ws>[ \t\r\n]+|\#[^\n]*)
      | (?P<str>%s)
      | (?P<iri>%s)
      | (?P<pn>%s)
      | (?P<num>%s)
      | (?P<word>@?[A-Za-z]+(?:-[A-Za-z0-9]+)*)
      | (?P<dt>\^\^)
      | (?P<punct>[,;.()])
      | (?P<bad>.)""" % (_STR, _IRI, _PN, _NUM),
    re.X | re.S,
)
# The layout graphkit.io.rdf writes: one statement per block, one predicate per line, one object in most lines.
_LINE_PREFIX = re.compile(r"@prefix (%s) (%s) \.\Z" % (_PN, _IRI))
_LINE_SUBJECT = re.compile(r"(%s|%s) a ((?:%s)(?:, (?:%s))*) ([;.])\Z" % (_PN, _IRI, _PN, _PN))
_LINE_PREDICATE = re.compile(r"    (%s|%s) (.+) ([;.])\Z" % (_PN, _IRI))
_SIMPLE_OBJECT = re.compile(
    r"(%s)|\"((?:[^\"\\\n\r]|\\.)*)\"(?:\^\^(%s)|@([A-Za-z]+(?:-[A-Za-z0-9]+)*))?|(%s)|(true|false)" % (_PN, _PN, _NUM))
_ESCAPE = re.compile(r"\\(?:u([0-9A-Fa-f]{4})|U([0-9A-Fa-f]{8})|(.))", re.S)
_ECHAR = {"t": "\t", "b": "\b", "n": "\n", "r": "\r", "f": "\f", '"': '"', "'": "'", "\\": "\\"}
_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")


def _unescape_match(m) -> str:
    if m.group(3) is not None:
        try:
            return _ECHAR[m.group(3)]
        except KeyError:
            raise _NotOurs from None
    code = int(m.group(1) or m.group(2), 16)
    if 0xD800 <= code <= 0xDFFF or code > 0x10FFFF:
        raise _NotOurs
    return chr(code)


def _unescape(body: str) -> str:
    return _ESCAPE.sub(_unescape_match, body) if "\\" in body else body


def _tokens(text: str):
    for m in _TOKEN.finditer(text):
        kind = m.lastgroup
        if kind == "ws":
            continue
        if kind == "bad":
            raise _NotOurs
        yield kind, m.group(kind)
    yield "eof", ""


def parse_turtle(text: str) -> dict | None:
    """Our Turtle subset as neutral nodes, or None when the text needs a full Turtle parser."""
    try:
        return _turtle_lines(text)
    except (_NotOurs, StopIteration):
        pass
    try:
        return _Turtle(text).run()  # same subset, any layout (one token at a time)
    except (_NotOurs, StopIteration):
        return None


def _turtle_lines(text: str) -> dict:
    """The fast path: our own line layout, one regular-expression match per line (see :func:`graphkit.io.rdf.to_turtle`)."""
    parser = _Turtle("")
    prefixes, nodes = parser.prefixes, parser.nodes
    pairs = None
    simple = _SIMPLE_OBJECT.fullmatch
    predicates: dict[str, str] = {}
    objects: dict[str, object] = {}  # object text → term (terms are immutable, so repeats share one)
    for line in text.split("\n"):
        m = _LINE_PREDICATE.match(line)
        if m is not None:
            if pairs is None:
                raise _NotOurs
            pred_text, obj, end = m.groups()
            pred = predicates.get(pred_text)
            if pred is None:
                pred = predicates[pred_text] = parser.iri("pn" if pred_text[0] != "<" else "iri", pred_text)
            value = objects.get(obj)
            if value is not None:
                pairs.append((pred, value))
            elif (o := simple(obj)) is None:
                for value in parser.objects(obj):
                    pairs.append((pred, value))
            else:
                pn, body, dt, lang, num, boolean = o.groups()
                if pn is not None:
                    prefix, _, local = pn.partition(":")
                    if prefix not in prefixes:
                        raise _NotOurs
                    value = prefixes[prefix] + local
                elif body is not None:
                    lex = _unescape(body)
                    if dt is not None:
                        value = Lit(lex, parser.iri("pn", dt))
                    elif lang is not None:
                        value = Lit(lex, None, lang.lower())
                    else:
                        value = Lit(lex, _XSD_STRING)
                elif num is not None:
                    value = Lit(num, _XSD_DECIMAL if "." in num else _XSD_INTEGER)
                else:
                    value = Lit(boolean, _XSD_BOOLEAN)
                objects[obj] = value
                pairs.append((pred, value))
            if end == ".":
                pairs = None
            continue
        if not line or line[0] == "#":
            continue
        m = _LINE_SUBJECT.match(line)
        if m is not None and pairs is None:
            subject, types, end = m.groups()
            pairs = nodes.setdefault(parser.iri("pn" if subject[0] != "<" else "iri", subject), [])
            for t in types.split(", "):
                pairs.append((RDF_TYPE, parser.iri("pn", t)))
            if end == ".":
                pairs = None
            continue
        m = _LINE_PREFIX.match(line)
        if m is not None and pairs is None and m.group(1).endswith(":"):
            iri = m.group(2)[1:-1]
            if not _SCHEME.match(iri):
                raise _NotOurs
            prefixes[m.group(1)[:-1]] = iri
            predicates.clear()  # a redefined prefix changes what cached names mean
            objects.clear()
            continue
        raise _NotOurs
    if pairs is not None:
        raise _NotOurs
    return nodes


class _Turtle:
    def __init__(self, text: str):
        self.tokens = _tokens(text)
        self.prefixes: dict[str, str] = {}
        self.nodes: dict[str, list] = {}
        self.blank = 0
        self.ahead = None

    def next(self):
        if self.ahead is not None:
            tok, self.ahead = self.ahead, None
            return tok
        return next(self.tokens)

    def peek(self):
        if self.ahead is None:
            self.ahead = next(self.tokens)
        return self.ahead

    def iri(self, kind: str, text: str) -> str:
        if kind == "iri":
            iri = text[1:-1]
            if not _SCHEME.match(iri):
                raise _NotOurs  # a relative IRI needs @base resolution
            return iri
        if kind == "pn":
            prefix, _, local = text.partition(":")
            if prefix not in self.prefixes:
                raise _NotOurs
            return self.prefixes[prefix] + local
        raise _NotOurs

    def run(self) -> dict:
        while True:
            kind, text = self.next()
            if kind == "eof":
                return self.nodes
            if kind == "word" and text == "@prefix":
                pkind, ptext = self.next()
                ikind, itext = self.next()
                if pkind != "pn" or not ptext.endswith(":") or ikind != "iri" or self.next() != ("punct", "."):
                    raise _NotOurs
                iri = itext[1:-1]
                if not _SCHEME.match(iri):
                    raise _NotOurs
                self.prefixes[ptext[:-1]] = iri
                continue
            subject = self.iri(kind, text)
            pairs = self.nodes.setdefault(subject, [])
            self.predicate_objects(pairs)

    def predicate_objects(self, pairs: list) -> None:
        while True:
            kind, text = self.next()
            predicate = RDF_TYPE if (kind, text) == ("word", "a") else self.iri(kind, text)
            while True:
                pairs.append((predicate, self.object()))
                sep = self.next()
                if sep == ("punct", ","):
                    continue
                if sep == ("punct", "."):
                    return
                if sep != ("punct", ";"):
                    raise _NotOurs
                while self.peek() == ("punct", ";"):
                    self.next()
                if self.peek() == ("punct", "."):
                    self.next()
                    return
                break

    def object(self):
        kind, text = self.next()
        if kind == "str":
            lex = _unescape(text[1:-1])
            nkind, ntext = self.peek()
            if nkind == "dt":
                self.next()
                return Lit(lex, self.iri(*self.next()))
            if nkind == "word" and ntext.startswith("@"):
                self.next()
                return Lit(lex, None, ntext[1:].lower())
            return Lit(lex, _XSD_STRING)
        if kind == "num":
            return Lit(text, _XSD_DECIMAL if "." in text else _XSD_INTEGER)
        if kind == "word" and text in ("true", "false"):
            return Lit(text, _XSD_BOOLEAN)
        if (kind, text) == ("punct", "("):
            items = []
            while self.peek() != ("punct", ")"):
                if self.peek() == ("punct", "("):
                    raise _NotOurs
                items.append(self.object())
            self.next()
            return self.collection(items)
        return self.iri(kind, text)

    def objects(self, text: str) -> list:
        """The comma-separated objects of one line's fragment (lists included), with this parser's prefixes."""
        saved, self.tokens, self.ahead = (self.tokens, self.ahead), _tokens(text), None
        try:
            out = [self.object()]
            while self.peek() == ("punct", ","):
                self.next()
                out.append(self.object())
            if self.next()[0] != "eof":
                raise _NotOurs
            return out
        finally:
            self.tokens, self.ahead = saved

    def collection(self, items: list) -> str:
        head = RDF_NIL
        for item in reversed(items):
            self.blank += 1
            cell = f"_:l{self.blank}"
            self.nodes[cell] = [(RDF_FIRST, item), (RDF_REST, head)]
            head = cell
        return head


# ---- JSON-LD ----------------------------------------------------------------------------------------------------

_GEN_DELIMS = ("/", "#", ":", "?", "[", "]", "@")


def parse_jsonld(doc) -> dict | None:
    """Our JSON-LD subset (prefix-only inline context, flat node objects) as neutral nodes, or None."""
    try:
        return _JsonLd(doc).run()
    except _NotOurs:
        return None


class _JsonLd:
    def __init__(self, doc):
        self.doc = doc
        self.prefixes: dict[str, str] = {}
        self.nodes: dict[str, list] = {}
        self.blank = 0
        self.iris: dict[str, str] = {}  # compact → expanded
        self.strings: dict[str, Lit] = {}  # repeated plain strings share one term

    def run(self) -> dict:
        doc = self.doc
        if not isinstance(doc, dict) or set(doc) != {"@context", "@graph"}:
            raise _NotOurs
        context, graph = doc["@context"], doc["@graph"]
        if not isinstance(context, dict) or not isinstance(graph, list):
            raise _NotOurs
        for term, iri in context.items():
            if term.startswith("@") or ":" in term or not isinstance(iri, str) or not _SCHEME.match(iri):
                raise _NotOurs
            if not iri.endswith(_GEN_DELIMS):
                raise _NotOurs
            self.prefixes[term] = iri
        for node in graph:
            self.node(node)
        return self.nodes

    def expand(self, value) -> str:
        try:
            return self.iris[value]
        except (KeyError, TypeError):
            pass
        self.iris[value] = iri = self._expand(value)
        return iri

    def _expand(self, value) -> str:
        if not isinstance(value, str) or ":" not in value:
            raise _NotOurs
        prefix, _, rest = value.partition(":")
        if prefix == "_":
            raise _NotOurs
        if prefix in self.prefixes and not rest.startswith("//"):
            return self.prefixes[prefix] + rest
        if not _SCHEME.match(value):
            raise _NotOurs
        return value

    def node(self, node) -> None:
        if not isinstance(node, dict) or "@id" not in node:
            raise _NotOurs
        pairs = self.nodes.setdefault(self.expand(node["@id"]), [])
        for key, value in node.items():
            if key == "@id":
                continue
            if key == "@type":
                for t in value if isinstance(value, list) else [value]:
                    pairs.append((RDF_TYPE, self.expand(t)))
                continue
            if key.startswith("@"):
                raise _NotOurs
            predicate = self.expand(key)
            for v in value if isinstance(value, list) else [value]:
                pairs.append((predicate, self.value(v)))

    def value(self, v):
        kind = type(v)
        if kind is dict and len(v) == 1 and "@id" in v:
            return self.expand(v["@id"])
        if kind is str:
            lit = self.strings.get(v)
            if lit is None:
                lit = self.strings[v] = Lit(v, _XSD_STRING)
            return lit
        if kind is bool:
            return Lit("true" if v else "false", _XSD_BOOLEAN)
        if kind is int:
            return Lit(str(v), _XSD_INTEGER)
        if kind is not dict:
            raise _NotOurs  # floats (xsd:double), nulls, nested arrays
        keys = set(v)
        if keys == {"@id"}:
            return self.expand(v["@id"])
        if keys == {"@value", "@type"} and isinstance(v["@value"], str):
            return Lit(v["@value"], self.expand(v["@type"]))
        if keys == {"@value", "@language"} and isinstance(v["@value"], str) and isinstance(v["@language"], str):
            return Lit(v["@value"], None, v["@language"].lower())
        if keys == {"@value"} and isinstance(v["@value"], str):
            return Lit(v["@value"], _XSD_STRING)
        if keys == {"@list"} and isinstance(v["@list"], list):
            head = RDF_NIL
            for item in reversed(v["@list"]):
                if isinstance(item, (list, dict)) and "@list" in item:
                    raise _NotOurs
                self.blank += 1
                cell = f"_:l{self.blank}"
                self.nodes[cell] = [(RDF_FIRST, self.value(item)), (RDF_REST, head)]
                head = cell
            return head
        raise _NotOurs


# ---- any rdflib graph ---------------------------------------------------------------------------------------------

def nodes_from_graph(graph) -> dict:
    """The neutral nodes of an rdflib graph (what the fast parsers give for our own files), sorted by subject."""
    from rdflib import BNode, Literal

    nodes: dict[str, list] = {}
    for s, p, o in graph:
        subject = f"_:{s}" if isinstance(s, BNode) else str(s)
        if isinstance(o, Literal):
            obj = Lit(str(o), str(o.datatype) if o.datatype else (None if o.language else _XSD_STRING),
                      o.language.lower() if o.language else None)
        elif isinstance(o, BNode):
            obj = f"_:{o}"
        else:
            obj = str(o)
        nodes.setdefault(subject, []).append((str(p), obj))
    # rdflib's store has no document order (it follows hashes, which vary between runs): sort, to be deterministic
    return {s: sorted(nodes[s]) for s in sorted(nodes)}
