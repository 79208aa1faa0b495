"""Exports: the dataset as a CSV folder, an XLSX workbook, GraphML, GEXF, Turtle or JSON-LD.

CSV and XLSX use the contract's layout (contract columns in contract order, then extra columns) and are
written so that ``load_dataset`` reads back a dataset ``same_as`` the original. Every text cell passes
through :func:`graphkit.io.tables.neutralize` (a leading = + - @ gets an apostrophe, which the reader strips
again), and XLSX text cells are forced to string cells, so no spreadsheet ever evaluates a cell as a
formula. Every write is atomic: a temporary file (or folder) beside the output, renamed into place only
when complete, so a failure leaves no partial output and an existing output untouched.

>>> from graphkit import load_dataset
>>> ds = load_dataset(Path(__file__).parents[2] / "tests" / "fixtures" / "tiny")
>>> table_to_csv_bytes(ds.frames["shareholders"]).decode("utf-8-sig").splitlines()[:2]
['center_id,org_id,share_pct,capital,source,note', 'C1,O5,40,400,,']
>>> format_cell(1234.5), format_cell(2.0), format_cell(("F03", "F06")), format_cell("=1+1")
('1234.5', '2', 'F03|F06', "'=1+1")
>>> format_cell(("-a", "b")), format_cell(("'=a", "b"))
("'-a|b", "|'=a|b")
"""

from __future__ import annotations

import csv
import io
import json
import logging
import re
from collections.abc import Mapping
from pathlib import Path

import numpy as np
import pandas as pd

from graphkit.errors import GraphkitError, OutputError
from graphkit.io.files import atomic_file, atomic_folder
from graphkit.io.tables import FORMULA_CHARS, neutralize
from graphkit.model.graph import python_values
from graphkit.model.notice import builtin_fields
from graphkit.model.schema import TABLES

__all__ = [
    "FORMATS",
    "export_dataset",
    "dataset_tables",
    "format_cell",
    "table_to_csv_bytes",
    "table_to_xlsx_bytes",
    "xml_ready_graph",
]

log = logging.getLogger(__name__)

FORMATS = ("turtle", "jsonld", "graphml", "gexf", "csv", "xlsx")
_NOT_CONTRACT = {"parsed_value"}  # derived at load, never exported
_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")
_XLSX_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f]")
_ERROR_CODES = {"#NULL!", "#DIV/0!", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#N/A"}  # openpyxl's error cells
_SHEET_BAD = re.compile(r"[\[\]:*?/\\]")
# GEXF gives these node / edge attribute names a meaning of their own; ours are renamed with a trailing _
_GEXF_RESERVED = {"node": {"id", "label", "pid", "start", "end", "viz", "parents", "spells", "slices"},
                  "edge": {"id", "label", "weight", "type", "start", "end", "key", "spells", "slices"}}


# ---- cells --------------------------------------------------------------------------------------------------

def _number(x: float) -> str:
    """The shortest decimal that reads back as the same float, never in exponent form, no trailing .0."""
    if x.is_integer() and abs(x) < 1e16:
        return str(int(x))
    text = repr(x)
    return np.format_float_positional(x, trim="-") if "e" in text else text


def format_cell(value) -> str:
    """One cell as CSV text: "" for missing, true/false, ints without .0, lists joined with |, neutralised."""
    if value is None:
        return ""
    if isinstance(value, str):
        return neutralize(value)
    if isinstance(value, (bool, np.bool_)):
        return "true" if value else "false"
    if isinstance(value, (int, np.integer)):
        return str(int(value))
    if isinstance(value, (float, np.floating)):
        return "" if value != value else _number(float(value))
    if isinstance(value, (list, tuple)):
        text = "|".join(str(v) for v in value)
        if text[:1] == "'" and text[1:2] and text[1] in FORMULA_CHARS:
            # the reader would take this apostrophe for our neutralisation and drop it; a leading | keeps the
            # first item intact (empty items are ignored) and is itself harmless in a spreadsheet
            return "|" + text
        return neutralize(text)
    if isinstance(value, dict):
        return neutralize(json.dumps(value, ensure_ascii=False, default=str))
    if value is pd.NA or value is pd.NaT:
        return ""
    return neutralize(str(value))


def _columns(frame: pd.DataFrame, name: str | None) -> list[str]:
    """Contract columns in contract order, then the extra columns in the frame's order."""
    if name is None or name not in TABLES:
        return list(frame.columns)
    extra = [c for c in frame.columns if c not in _NOT_CONTRACT]
    contract = list(TABLES[name].column_names)
    return contract + [c for c in extra if c not in contract]


def _column_values(frame: pd.DataFrame, columns: list[str], name: str | None) -> list[list]:
    if name is None:  # a query table: by position, its column names need not be unique
        return [python_values(frame.iloc[:, i]) for i in range(frame.shape[1])]
    return [python_values(frame[c]) if c in frame.columns else [None] * len(frame) for c in columns]


def _fields_frame(ds) -> pd.DataFrame:
    """The fields that are not the built-in ones unchanged (added fields, other layouts, overrides)."""
    builtin = {f.field_id: f for f in builtin_fields()}
    rows = [f for f in ds.fields.values() if builtin.get(f.field_id) != f]
    cols = TABLES["fields"].column_names
    return pd.DataFrame([[getattr(f, c) or None for c in cols] for f in rows], columns=list(cols), dtype=object)


def dataset_tables(ds) -> dict[str, pd.DataFrame]:
    """Every contract table of ``ds`` as it is exported (contract order; fields beyond the built-in 22)."""
    out = {}
    for name in TABLES:
        frame = _fields_frame(ds) if name == "fields" else ds.frames.get(name)
        if frame is None:
            frame = pd.DataFrame(columns=list(TABLES[name].column_names), dtype=object)
        out[name] = frame[[c for c in frame.columns if c not in _NOT_CONTRACT]]
    return out


# ---- CSV ----------------------------------------------------------------------------------------------------

def _csv_bytes(frame: pd.DataFrame, name: str | None) -> bytes:
    columns = _columns(frame, name)
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerow([neutralize(str(c)) for c in columns])
    writer.writerows([format_cell(v) for v in row] for row in zip(*_column_values(frame, columns, name)))
    # UTF-8 with a BOM: Excel on a Chinese system then opens it as UTF-8, and the reader accepts the BOM
    return buf.getvalue().encode("utf-8-sig")


def table_to_csv_bytes(frame: pd.DataFrame) -> bytes:
    """A query table (any DataFrame, index not written) as neutralised UTF-8 CSV bytes for a download."""
    return _csv_bytes(frame, None)


# ---- XLSX ---------------------------------------------------------------------------------------------------

def _xlsx_value(value, ws, cell_type):
    """A cell value for openpyxl: numbers and booleans as such, every text as a forced string cell."""
    if value is None:
        return None
    if isinstance(value, (bool, int, float)) and not isinstance(value, np.generic):
        return None if isinstance(value, float) and value != value else value
    text = _XLSX_ILLEGAL.sub("\ufffd", format_cell(value))  # control characters cannot live in XLSX
    if not text:
        return None
    if text[0] != "=" and text not in _ERROR_CODES:
        return text  # openpyxl stores any other str as a string cell; a Cell object each would cost a third more
    cell = cell_type(ws, value=text)
    cell.data_type = "s"  # never a formula, never an error code such as #N/A
    return cell


def _sheet_name(name: str, taken: set) -> str:
    base = _SHEET_BAD.sub("_", str(name)).strip("'") or "sheet"
    base = base[:31]
    title, n = base, 2
    while title.lower() in taken:
        suffix = f"_{n}"
        title, n = base[: 31 - len(suffix)] + suffix, n + 1
    taken.add(title.lower())
    return title


def _workbook_bytes(tables: Mapping[str, pd.DataFrame], contract: bool) -> bytes:
    from openpyxl import Workbook  # only workbook users pay for openpyxl
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    book = Workbook(write_only=True)
    bold = Font(bold=True)
    taken: set = set()
    for name, frame in tables.items():
        ws = book.create_sheet(_sheet_name(name, taken))
        columns = _columns(frame, name if contract else None)
        for i, c in enumerate(columns):
            ws.column_dimensions[_letter(i)].width = min(max(len(str(c)) + 4, 12), 40)
        ws.freeze_panes = "A2"
        header = []
        for c in columns:
            cell = WriteOnlyCell(ws, value=_XLSX_ILLEGAL.sub("\ufffd", neutralize(str(c))))
            cell.data_type = "s"
            cell.font = bold
            header.append(cell)
        ws.append(header)
        for row in zip(*_column_values(frame, columns, name if contract else None)):
            ws.append([_xlsx_value(v, ws, WriteOnlyCell) for v in row])
    buf = io.BytesIO()
    book.save(buf)
    return buf.getvalue()


def _letter(pos: int) -> str:
    from openpyxl.utils import get_column_letter

    return get_column_letter(pos + 1)


def table_to_xlsx_bytes(frames) -> bytes:
    """Query tables as a neutralised workbook for a download: a DataFrame (one sheet) or {sheet name: DataFrame}."""
    if isinstance(frames, pd.DataFrame):
        frames = {"data": frames}
    return _workbook_bytes(dict(frames), contract=False)


# ---- GraphML / GEXF -----------------------------------------------------------------------------------------

def _xml_value(value):
    if isinstance(value, bool):
        return value
    if isinstance(value, (int, float)):
        return None if isinstance(value, float) and value != value else value
    if isinstance(value, str):
        return _XML_ILLEGAL.sub("\ufffd", value)
    return _XML_ILLEGAL.sub("\ufffd", json.dumps(value, ensure_ascii=False, default=str))


def _unify(items: list[dict]) -> None:
    """One XML type per attribute name: ints and floats meeting become floats, anything else mixed becomes text."""
    types: dict[str, set] = {}
    for d in items:
        for k, v in d.items():
            types.setdefault(k, set()).add(type(v))
    for k, ts in types.items():
        if len(ts) < 2:
            continue
        to = float if ts <= {int, float} else str
        for d in items:
            if k in d:
                v = d[k]
                d[k] = float(v) if to is float else (v if isinstance(v, str) else json.dumps(v))


def xml_ready_graph(g, gexf: bool = False):
    """A copy of the graph that GraphML / GEXF writers accept: JSON text for lists and dicts, None dropped,
    characters XML cannot hold replaced, one type per attribute; for GEXF, a label on every node and edge."""
    import networkx as nx

    def clean(n):
        return _XML_ILLEGAL.sub("\ufffd", n) if isinstance(n, str) else n

    def attrs(d, scope):
        out = {}
        for k, v in d.items():
            v = _xml_value(v) if v is not None else None
            if v is None:
                continue
            k = clean(str(k))
            out[f"{k}_" if gexf and k in _GEXF_RESERVED[scope] else k] = v
        return out

    nodes = [(clean(n), attrs(d, "node")) for n, d in g.nodes(data=True)]
    edges = [(clean(u), clean(v), clean(k), attrs(d, "edge")) for u, v, k, d in g.edges(keys=True, data=True)]
    _unify([d for _, d in nodes])
    _unify([d for *_, d in edges])
    if gexf:
        for n, d in nodes:
            d["label"] = str(d.get("name") or d.get("name_zh") or n)
        for _, _, k, d in edges:
            d["label"] = str(d.get("relation", k))
    h = nx.MultiDiGraph(**{k: v for k, v in attrs(g.graph, "node").items() if k != "label"})
    h.add_nodes_from(nodes)
    h.add_edges_from(edges)
    return h


# ---- atomic writes ------------------------------------------------------------------------------------------

def _write_csv_folder(ds, output: Path) -> Path:
    with atomic_folder(output, [t.filename for t in TABLES.values()]) as tmp:
        for name, frame in dataset_tables(ds).items():
            (tmp / TABLES[name].filename).write_bytes(_csv_bytes(frame, name))
    return output


def _write_rdf(ds, path: Path, fmt: str) -> None:
    try:
        from graphkit.io.rdf.write import write_rdf  # rdflib is only needed for RDF exports
    except ImportError as exc:
        raise GraphkitError(f"the {fmt} export needs graphkit.io.rdf.write_rdf, which is not available: {exc}") from exc
    write_rdf(ds, path, fmt)


def export_dataset(ds, to: str, output) -> Path:
    """Write ``ds`` as ``to`` (one of :data:`FORMATS`) to ``output`` atomically; return the path written.

    ``csv`` writes a folder with one file per contract table; the others write one file.
    """
    import networkx as nx

    to = str(to).lower().replace("-", "")
    if to not in FORMATS:
        raise GraphkitError(f"unknown export format {to!r}; choose one of {', '.join(FORMATS)}")
    output = Path(output)
    output.parent.mkdir(parents=True, exist_ok=True)
    if to == "csv":
        return _write_csv_folder(ds, output)
    if output.is_dir():
        raise OutputError(f"{output} is a folder; the {to} export writes a file")
    if to in ("turtle", "jsonld"):
        _write_rdf(ds, output, to)  # write_rdf is atomic itself (temporary file, then os.replace)
        return output
    with atomic_file(output) as tmp:
        if to == "xlsx":
            tmp.write_bytes(_workbook_bytes(dataset_tables(ds), contract=True))
        elif to == "graphml":
            nx.write_graphml(xml_ready_graph(ds.to_networkx()), tmp)
        else:
            nx.write_gexf(xml_ready_graph(ds.to_networkx(), gexf=True), tmp)
    log.info("exported %s to %s", to, output)
    return output
