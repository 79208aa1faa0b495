"""graphkit.io.export: CSV / XLSX round trips, GraphML / GEXF / RDF files, formula neutralisation, atomic writes."""

from __future__ import annotations

import csv
import importlib
import io
import string
import tempfile
from pathlib import Path

import networkx as nx
import openpyxl
import pandas as pd
import pytest
from conftest import eligible_tables, make_dataset, run_cli, write_dataset
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from graphkit.errors import GraphkitError
from graphkit.io import export
from graphkit.io.export import export_dataset, table_to_csv_bytes, table_to_xlsx_bytes
from graphkit.io.load import load_dataset
from graphkit.model.schema import TABLES

DATA = Path(__file__).resolve().parents[1] / "fixtures"
DANGER = ("=", "+", "-", "@", "\t", "\r")
HOSTILE = ["=cmd|' /C calc'!A0", "+1", "-2", "@SUM(1)", "<script>alert(1)</script>", "\u202eevil\u200f名",
           "#N/A", 'a "quoted", comma', "line\nbreak", "=HYPERLINK(\"http://x\")"]


@pytest.fixture(scope="module")
def tiny_full():
    return load_dataset(DATA / "tiny_full")


@pytest.fixture
def hostile(tmp_path):
    """The eligible dataset with hostile text in names, aliases, notes, projects and an extra column."""
    t = eligible_tables()
    for org, name in zip(t["organizations"], HOSTILE):
        org["name"] = name
        org["=extra"] = "-x"  # an extra column whose header itself looks like a formula
    t["organizations"][0]["aliases"] = "-a|+b|@c"
    t["organizations"][1]["aliases"] = "|'=x|y"  # loads as ("'=x", "y"): an item that looks neutralised already
    t["centers"][0]["name"] = "=1+1"
    t["centers"][0]["note"] = "@note"
    t["collaborations"][0]["project"] = "+project"
    return make_dataset(tmp_path / "in", **t)


def _cells_of_csv_folder(folder: Path):
    for path in folder.iterdir():
        text = path.read_bytes().decode("utf-8-sig")
        for row in csv.reader(io.StringIO(text, newline="")):
            yield from row


def _xlsx_cells(path_or_bytes):
    data = path_or_bytes if isinstance(path_or_bytes, bytes) else Path(path_or_bytes).read_bytes()
    book = openpyxl.load_workbook(io.BytesIO(data))
    for ws in book.worksheets:
        for row in ws.iter_rows():
            yield from row


# ---- round trips --------------------------------------------------------------------------------------------

@pytest.mark.parametrize("name", ["tiny", "tiny_full"])
def test_csv_round_trip(tmp_path, name):
    ds = load_dataset(DATA / name)
    out = export_dataset(ds, "csv", tmp_path / "out")
    assert out == tmp_path / "out"
    assert sorted(p.name for p in out.iterdir()) == sorted(t.filename for t in TABLES.values())
    for table in TABLES.values():
        header = next(csv.reader(io.StringIO((out / table.filename).read_bytes().decode("utf-8-sig"))))
        assert header == list(table.column_names)
    assert load_dataset(out).same_as(ds)


def test_csv_cells_are_written_plainly(tmp_path, tiny_full):
    out = export_dataset(tiny_full, "csv", tmp_path / "out")
    centers = (out / "centers.csv").read_bytes()
    assert centers.startswith(b"\xef\xbb\xbf")  # UTF-8 with BOM, for Excel
    rows = list(csv.DictReader(io.StringIO(centers.decode("utf-8-sig"))))
    assert rows[0]["founded"] == "2016-06-30" and rows[0]["employees"] == "100"
    assert rows[0]["total_cost"] == "1000" and rows[0]["has_board"] == "true" and rows[0]["note"] == ""
    income = list(csv.DictReader(io.StringIO((out / "income.csv").read_bytes().decode("utf-8-sig"))))
    assert [r["amount"] for r in income] == ["120.5", "300"]
    platforms = list(csv.DictReader(io.StringIO((out / "platforms.csv").read_bytes().decode("utf-8-sig"))))
    assert platforms[1]["field_ids"] == "F03|F06"
    fields = list(csv.DictReader(io.StringIO((out / "fields.csv").read_bytes().decode("utf-8-sig"))))
    assert [f["field_id"] for f in fields] == ["F23"]  # the built-in 22 are not repeated
    claims = next(csv.reader(io.StringIO((out / "claims.csv").read_bytes().decode("utf-8-sig"))))
    assert "parsed_value" not in claims


def test_amounts_without_float_noise():
    frame = pd.DataFrame({"amount": [1234.5, 0.1, 2.0, 1e-7, 12345678901234.5, None]})
    rows = list(csv.reader(io.StringIO(table_to_csv_bytes(frame).decode("utf-8-sig"))))
    assert [r[0] for r in rows[1:]] == ["1234.5", "0.1", "2", "0.0000001", "12345678901234.5", ""]


@pytest.mark.parametrize("name", ["tiny", "tiny_full"])
def test_xlsx_round_trip(tmp_path, name):
    ds = load_dataset(DATA / name)
    out = export_dataset(ds, "xlsx", tmp_path / "out.xlsx")
    book = openpyxl.load_workbook(out, read_only=True)
    assert book.sheetnames == list(TABLES)
    assert [c.value for c in next(book["platforms"].iter_rows(max_row=1))] == list(TABLES["platforms"].column_names)
    reread = load_dataset(out)
    assert reread.same_as(ds)
    assert len(reread.problems.warnings) == len(ds.problems.warnings)  # the same warnings, no new ones


def test_xlsx_keeps_numbers_and_booleans_typed(tmp_path, tiny_full):
    out = export_dataset(tiny_full, "xlsx", tmp_path / "out.xlsx")
    ws = openpyxl.load_workbook(out)["centers"]
    header = [c.value for c in ws[1]]
    row = dict(zip(header, (c.value for c in ws[2])))
    assert row["employees"] == 100 and row["total_cost"] == 1000 and row["has_board"] is True
    assert row["founded"] == "2016-06-30"  # partial dates stay text
    assert ws.freeze_panes == "A2" and ws["A1"].font.bold


@pytest.mark.parametrize("fmt,reader", [("graphml", nx.read_graphml), ("gexf", nx.read_gexf)])
def test_graph_formats_read_back(tmp_path, tiny_full, fmt, reader):
    g = tiny_full.to_networkx()
    out = export_dataset(tiny_full, fmt, tmp_path / f"out.{fmt}")
    h = reader(out)
    assert isinstance(h, nx.MultiDiGraph)
    assert h.number_of_nodes() == g.number_of_nodes() == 35
    assert h.number_of_edges() == g.number_of_edges() == 26
    c1 = h.nodes["C1"]
    assert c1["has_board"] is True and c1["employees"] == 100 and c1["type"] == "center"
    assert '"stream": "testing"' in c1["income"]  # lists of dicts as JSON text
    assert h.nodes["O2"]["aliases"] == '["北大"]'
    assert "province" not in h.nodes["O6"]  # None dropped
    relations = sorted(d["relation"] for *_, d in h.edges(data=True))
    assert relations == sorted(d["relation"] for *_, d in g.edges(data=True))


def test_graphml_keeps_edge_keys(tmp_path, tiny_full):
    h = nx.read_graphml(export_dataset(tiny_full, "graphml", tmp_path / "g.graphml"))
    assert set(h.get_edge_data("C1", "O6")) == {"collaborates_with", "collaborates_with/2"}


def test_graph_formats_replace_characters_xml_cannot_hold(tmp_path):
    t = eligible_tables()
    t["organizations"][0]["name"] = "bell\x07name"
    ds = make_dataset(tmp_path / "in", **t)
    for fmt, reader in (("graphml", nx.read_graphml), ("gexf", nx.read_gexf)):
        h = reader(export_dataset(ds, fmt, tmp_path / f"x.{fmt}"))
        assert h.nodes["OPCO"]["name"] == "bell\ufffdname"


@pytest.mark.parametrize("fmt,suffix", [("turtle", ".ttl"), ("jsonld", ".jsonld")])
def test_rdf_formats(tmp_path, tiny_full, fmt, suffix):
    try:
        rdf = importlib.import_module("graphkit.io.rdf")
    except ImportError:
        pytest.skip("graphkit.io.rdf is not available yet")
    if not hasattr(rdf, "write_rdf"):
        pytest.skip("graphkit.io.rdf has no write_rdf yet")
    out = export_dataset(tiny_full, fmt, tmp_path / f"out{suffix}")
    assert out.stat().st_size > 0
    assert load_dataset(out).counts() == tiny_full.counts()


def test_unknown_format(tmp_path, tiny_full):
    with pytest.raises(GraphkitError, match="unknown export format"):
        export_dataset(tiny_full, "pdf", tmp_path / "x.pdf")


def test_cli_export(tmp_path):
    folder = write_dataset(tmp_path / "in", **eligible_tables())
    result = run_cli("export", folder, "--to", "csv", "-o", tmp_path / "out")
    assert result.exit_code == 0, (result.stdout, result.stderr)
    assert load_dataset(tmp_path / "out").same_as(load_dataset(folder))


# ---- hostile text -------------------------------------------------------------------------------------------

def test_hostile_text_round_trips_verbatim_and_is_neutralised_on_disk(tmp_path, hostile):
    names = dict(zip(hostile.frames["organizations"]["org_id"], hostile.frames["organizations"]["name"]))
    assert set(HOSTILE) <= set(names.values())
    folder = export_dataset(hostile, "csv", tmp_path / "csv")
    book = export_dataset(hostile, "xlsx", tmp_path / "book.xlsx")
    for out in (folder, book):
        back = load_dataset(out)
        assert back.same_as(hostile)
        assert dict(zip(back.frames["organizations"]["org_id"], back.frames["organizations"]["name"])) == names
        assert back.frames["organizations"]["=extra"].tolist() == hostile.frames["organizations"]["=extra"].tolist()
        assert back.frames["organizations"]["=extra"].iloc[0] == "-x"
        assert back.frames["organizations"]["aliases"].iloc[0] == ("-a", "+b", "@c")
        assert back.frames["organizations"]["aliases"].iloc[1] == ("'=x", "y")
        assert back.frames["centers"]["name"].iloc[0] == "=1+1"
    cells = list(_cells_of_csv_folder(folder))
    assert "'=cmd|' /C calc'!A0" in cells and "'=extra" in cells and "'-a|+b|@c" in cells
    assert not [c for c in cells if c.startswith(DANGER)]
    xcells = list(_xlsx_cells(book))
    assert not [c.value for c in xcells if isinstance(c.value, str) and c.value.startswith(DANGER)]
    assert all(c.data_type != "f" for c in xcells)
    assert [c.data_type for c in xcells if c.value == "#N/A"] == ["s"]  # text, not an Excel error value


def test_download_helpers_neutralise(tmp_path):
    frame = pd.DataFrame({
        "id": ["=a", "b"], "list": [("x", "y"), ()], "ok": pd.array([True, None], dtype="boolean"),
        "n": pd.array([3, None], dtype="Int64"), "ratio": [0.5, float("nan")], "err": ["#N/A", "@x"],
    })
    rows = list(csv.reader(io.StringIO(table_to_csv_bytes(frame).decode("utf-8-sig"))))
    assert rows == [["id", "list", "ok", "n", "ratio", "err"], ["'=a", "x|y", "true", "3", "0.5", "#N/A"],
                    ["b", "", "", "", "", "'@x"]]
    data = table_to_xlsx_bytes({"coverage / 覆盖率": frame, "second": frame.head(1)})
    book = openpyxl.load_workbook(io.BytesIO(data))
    assert book.sheetnames == ["coverage _ 覆盖率", "second"]
    ws = book.worksheets[0]
    assert [[c.value for c in r] for r in ws.iter_rows()] == [
        ["id", "list", "ok", "n", "ratio", "err"], ["'=a", "x|y", True, 3, 0.5, "#N/A"], ["b", None, None, None, None, "'@x"]]
    assert all(c.data_type != "f" for c in _xlsx_cells(data))
    assert openpyxl.load_workbook(io.BytesIO(table_to_xlsx_bytes(frame))).sheetnames == ["data"]
    twice = pd.DataFrame([[1, "-x"]], columns=["same", "same"])  # query tables may repeat a column name
    assert table_to_csv_bytes(twice).decode("utf-8-sig") == "same,same\r\n1,'-x\r\n"


# ---- atomic writes ------------------------------------------------------------------------------------------

def _fail_on_call(monkeypatch, name: str, n: int):
    """Make ``export.<name>`` raise on its n-th call (after really running the earlier ones)."""
    real = getattr(export, name)
    calls = {"n": 0}

    def flaky(*args, **kwargs):
        calls["n"] += 1
        if calls["n"] >= n:
            raise OSError("disk full (simulated)")
        return real(*args, **kwargs)

    monkeypatch.setattr(export, name, flaky)


def _snapshot(path: Path) -> dict:
    if path.is_dir():
        return {p.name: p.read_bytes() for p in path.iterdir()}
    return {path.name: path.read_bytes()}


def test_csv_failure_midway_leaves_nothing(tmp_path, tiny_full, monkeypatch):
    parent = tmp_path / "exports"
    parent.mkdir()
    _fail_on_call(monkeypatch, "_csv_bytes", 4)
    with pytest.raises(OSError, match="simulated"):
        export_dataset(tiny_full, "csv", parent / "out")
    assert list(parent.iterdir()) == []


def test_csv_failure_midway_keeps_existing_output(tmp_path, monkeypatch):
    parent = tmp_path / "exports"
    old = load_dataset(DATA / "tiny")
    out = export_dataset(old, "csv", parent / "out")
    before = _snapshot(out)
    _fail_on_call(monkeypatch, "_csv_bytes", 4)
    with pytest.raises(OSError, match="simulated"):
        export_dataset(load_dataset(DATA / "tiny_full"), "csv", out)
    assert _snapshot(out) == before
    assert [p.name for p in parent.iterdir()] == ["out"]


def test_csv_export_replaces_an_earlier_export(tmp_path):
    out = export_dataset(load_dataset(DATA / "tiny"), "csv", tmp_path / "out")
    full = load_dataset(DATA / "tiny_full")
    export_dataset(full, "csv", out)
    assert load_dataset(out).same_as(full)
    assert [p.name for p in tmp_path.iterdir()] == ["out"]


def test_csv_export_never_replaces_a_folder_with_other_files(tmp_path, tiny_full):
    precious = tmp_path / "docs"
    precious.mkdir()
    (precious / "thesis.docx").write_bytes(b"years of work")
    with pytest.raises(GraphkitError, match="refusing to replace"):
        export_dataset(tiny_full, "csv", precious)
    assert (precious / "thesis.docx").read_bytes() == b"years of work"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["docs"]


@pytest.mark.parametrize("fmt,target,patch", [
    ("xlsx", "out.xlsx", "_workbook_bytes"),
    ("graphml", "out.graphml", "xml_ready_graph"),
])
def test_file_failure_keeps_existing_output(tmp_path, tiny_full, monkeypatch, fmt, target, patch):
    out = tmp_path / target
    out.write_bytes(b"previous export")
    _fail_on_call(monkeypatch, patch, 1)
    with pytest.raises(OSError, match="simulated"):
        export_dataset(tiny_full, fmt, out)
    assert out.read_bytes() == b"previous export"
    assert [p.name for p in tmp_path.iterdir()] == [target]


def test_partial_file_never_appears(tmp_path, tiny_full, monkeypatch):
    """A writer that dies after writing half a file leaves neither the half file nor a temporary one."""

    def half_then_die(graph, path, **kwargs):
        Path(path).write_text("<?xml version='1.0'?><graphml>")
        raise OSError("killed midway (simulated)")

    monkeypatch.setattr(nx, "write_graphml", half_then_die)
    with pytest.raises(OSError, match="simulated"):
        export_dataset(tiny_full, "graphml", tmp_path / "g.graphml")
    assert list(tmp_path.iterdir()) == []


# ---- property: load → export CSV → load is the identity -----------------------------------------------------

_TEXT = st.text(
    alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00\r"), max_size=10
) | st.sampled_from(["=1+1", "+1", "-2", "@x", "'=x", "''=x", "'\t=x", "北京", "a|b", "", "#N/A", "\u202e"])
_ID = st.text(alphabet=string.ascii_uppercase + string.digits, min_size=1, max_size=4)
_AMOUNT = st.one_of(st.none(), st.decimals(min_value=0, max_value=10**9, places=4, allow_nan=False).map(str))
_BOOL = st.sampled_from(["", "true", "false", "是", "否", "yes", "0"])
_DATE = st.sampled_from(["", "2016", "2016-06", "2016-06-30", "2020-2-3"])


@st.composite
def _datasets(draw):
    ids = draw(st.lists(_ID, min_size=2, max_size=6, unique=True))
    centers, orgs = ids[:1], ids[1:]
    organizations = [{
        "org_id": "O" + o, "name": draw(_TEXT).strip() or "x", "kind": draw(st.sampled_from(["enterprise", "高校", "user"])),
        "country": draw(st.sampled_from(["", "CN", "de"])), "province": draw(st.sampled_from(["", "北京市", "辽宁", "江苏省"])),
        "is_sme": draw(_BOOL), "aliases": "|".join(draw(st.lists(_TEXT, max_size=2))), "note": draw(_TEXT),
        "extra col": draw(_TEXT),
    } for o in orgs]
    center_rows = [{
        "center_id": "C" + c, "name": draw(_TEXT).strip() or "c", "level": "provincial", "field_id": "F03", "province": "辽宁",
        "founded": draw(_DATE), "employees": draw(st.sampled_from(["", "0", "100", "1,200"])),
        "total_cost": draw(_AMOUNT) or "", "has_board": draw(_BOOL), "source": draw(_TEXT),
    } for c in centers]
    members = [{"center_id": "C" + centers[0], "member_id": "O" + o, "role": draw(st.sampled_from(["", "member", "理事"])),
                "joined": draw(_DATE)} for o in orgs if draw(st.booleans())]
    income = [{"center_id": "C" + centers[0], "year": "2023", "stream": "testing", "amount": a}
              for a in draw(st.lists(_AMOUNT.filter(bool), max_size=3))]
    return {"centers": center_rows, "organizations": organizations, "alliance_members": members, "income": income}


# Each example loads a dataset twice (~0.5 s a load), so the default run stays short; 300 examples passed when
# this was written.
@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(tables=_datasets())
def test_csv_round_trip_property(tables):
    with tempfile.TemporaryDirectory() as tmp:
        ds = load_dataset(write_dataset(Path(tmp) / "in", **tables))
        out = export_dataset(ds, "csv", Path(tmp) / "out")
        assert load_dataset(out).same_as(ds)
        cells = list(_cells_of_csv_folder(out))
        assert not [c for c in cells if c.startswith(DANGER)]
