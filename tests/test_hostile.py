"""Hostile content end to end (issue #7): one dataset, tests/fixtures/hostile, in which every text column of every
table — names, cities, chairs, aliases, projects, assessors, evidence, sources, notes, field names, claimed
platform names, an extra column and its header, and some ids — carries a payload: ``<script>``, HTML with event
handlers, ``javascript:`` links, Markdown links and images, spreadsheet formulas (leading = + - @), Cypher
fragments, template syntax, right-to-left marks, a line break and a 3,600-character string.

What must hold: validation stores every value verbatim; the HTML report, the network pages and the app show it
as text (no raw ``<script``, no ``javascript:`` link, no ``<img``/event handler); CSV and XLSX exports neutralise
formulas (no text cell starts with = + - @ TAB CR) and load back to the same dataset; the Cypher engine receives
values only as parameters (FalkorDB: escaped), stores them verbatim and runs none of them.
"""

from __future__ import annotations

import csv
import io
import re
import sys
from pathlib import Path

import openpyxl
import pytest
from conftest import DATA, ROOT, run_cli

from graphkit import load_dataset
from graphkit.model.schema import TABLES

HOSTILE = DATA / "hostile"
DANGER = ("=", "+", "-", "@", "\t", "\r")
# what a payload looks like as live HTML or a live link (escaped text never matches; event handlers are checked
# on the parsed tags, since "onload=alert(1)" is harmless as text)
LIVE_HTML = re.compile(r"<\s*(script|img|svg|iframe)\b|href\s*=\s*[\"']?\s*javascript:", re.I)
TEXT_TYPES = ("text", "list")


def raw_rows(table: str) -> list[dict]:
    """The rows of a hostile CSV file exactly as written (the csv module, no graphkit)."""
    path = HOSTILE / f"{table}.csv"
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


@pytest.fixture(scope="module")
def ds():
    return load_dataset(HOSTILE)


def centers() -> list[str]:
    return [r["center_id"] for r in raw_rows("centers")]


# ---- the dataset and its verbatim storage -------------------------------------------------------------------------

def test_every_text_column_of_every_table_is_hostile():
    hostile = re.compile(r"[<>=+\-@'`${}\[\]\u202e\n&|]|javascript:|MATCH")
    for name, table in TABLES.items():
        rows = raw_rows(name)
        assert rows, name
        for col in table.columns:
            if col.type in TEXT_TYPES and col.name not in ("layout", "field_ids", "host_ids"):
                values = [r.get(col.name) for r in rows if r.get(col.name)]
                assert values and all(hostile.search(v) for v in values), (name, col.name)


def test_validate_stores_every_value_verbatim(ds):
    r = run_cli("validate", HOSTILE, "--format", "json", "--lang", "en")
    assert r.exit_code == 0 and r.json()["errors"] == [] and r.json()["warnings"] == []
    for name, table in TABLES.items():
        frame = ds.frames[name] if name != "fields" else None
        if frame is None:
            continue
        for raw, (_, typed) in zip(raw_rows(name), frame.iterrows()):
            for col in table.columns:
                if col.type == "text" and raw.get(col.name):
                    assert typed[col.name] == raw[col.name].strip(), (name, col.name)
                if col.type == "list" and raw.get(col.name):
                    assert typed[col.name] == tuple(raw[col.name].split("|")), (name, col.name)
                if col.type in ("id", "ref") and raw.get(col.name):
                    assert typed[col.name] == raw[col.name], (name, col.name)
    assert ds.frames["centers"]["<script>col</script>"].iloc[0] == "<i>extra</i>"
    assert ds.field("F23").name_zh == '<script>alert("领域")</script>动力电池'
    assert ds.center(centers()[0]).name == '"><svg onload=alert(1)>'
    assert len(ds.organization("=OPCO+1").name) == 3600


# ---- reports -----------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("center", centers())
@pytest.mark.parametrize("suffix,lang", [(".html", "zh"), (".md", "en")])
def test_report_shows_the_payloads_as_text(center, suffix, lang, tmp_path):
    from test_report import assert_offline_html, assert_safe_html, assert_safe_md, parse

    from graphkit.present.report import md_escape

    out = tmp_path / f"report{suffix}"
    r = run_cli("report", HOSTILE, "--center", center, "-o", out, "--lang", lang, "--as-of", "2024-06-30")
    assert r.exit_code == 0, r.stderr
    page = out.read_text(encoding="utf-8")
    assert not LIVE_HTML.search(page)
    name = load_dataset(HOSTILE).center(center).name
    if suffix == ".html":
        assert_safe_html(page)
        assert_offline_html(page)
        text = "".join(parse(page).text)
        assert name in text and center in text  # shown as written
    else:
        assert_safe_md(page)
        assert md_escape(name) in page and "&lt;" in md_escape(name)


# ---- exports -----------------------------------------------------------------------------------------------------

def _csv_cells(folder: Path):
    for path in folder.glob("*.csv"):
        for row in csv.reader(io.StringIO(path.read_bytes().decode("utf-8-sig"), newline="")):
            yield from row


def test_csv_and_xlsx_exports_neutralise_formulas_and_load_back(ds, tmp_path):
    folder, book = tmp_path / "csv", tmp_path / "book.xlsx"
    for to, out in (("csv", folder), ("xlsx", book)):
        r = run_cli("export", HOSTILE, "--to", to, "-o", out)
        assert r.exit_code == 0, r.stderr
        assert load_dataset(out).same_as(ds)
    cells = list(_csv_cells(folder))
    assert "'=OPCO+1" in cells and "'=alias|<b>alias</b>|javascript:alias" in cells and "'-2+3 <script> :material/home: :red[红色] :smile: $x^2$ \u2028行\u2029段 \\ \"q\" 's' </script>" in cells
    assert not [c for c in cells if c.startswith(DANGER)]
    wb = openpyxl.load_workbook(book)
    values = [c for ws in wb.worksheets for row in ws.iter_rows() for c in row]
    assert not [c.value for c in values if isinstance(c.value, str) and c.value.startswith(DANGER)]
    assert all(c.data_type != "f" for c in values)  # no cell is a formula
    back = load_dataset(book)
    assert back.organization("=OPCO+1").name == ds.organization("=OPCO+1").name
    assert back.frames["organizations"]["aliases"].iloc[2] == ("@北大", "+清华")


def test_rdf_exports_load_back(ds, tmp_path):
    for to, suffix in (("turtle", "ttl"), ("jsonld", "jsonld")):
        out = tmp_path / f"data.{suffix}"
        assert run_cli("export", HOSTILE, "--to", to, "-o", out).exit_code == 0
        assert load_dataset(out).same_as(ds)


# ---- network pages and views -------------------------------------------------------------------------------------

def _assert_inert_page(page: str, labels: list[str]) -> None:
    from test_viz import page_data, tags_of

    outside = re.sub(r"<script\b[^>]*>.*?</script>", "", page, flags=re.S | re.I)  # our three scripts
    assert not LIVE_HTML.search(outside), "a payload reached the page as HTML"
    assert "<" not in re.search(r'id="gk-data">(.*?)</script>', page, re.S).group(1)  # the data block: \u003c
    assert [a for t, a in tags_of(page) if t == "script"] == [{}, {"type": "application/json", "id": "gk-data"}, {}]
    assert "<!--" not in page
    data = page_data(page)  # … and the labels come back verbatim from the data block
    shown = {n.get("label") for n in data["nodes"]} | {n.get("title") for n in data["nodes"]}
    for label in labels:
        assert label in shown


def test_network_views_and_pages_escape_labels_and_tooltips(ds):
    from graphkit.present import views
    from graphkit.present.viz import network_html

    names = [ds.center(c).name for c in centers()]
    for c in centers():
        v = views.ego_network(ds, c)
        assert c in {n["id"] for n in v.nodes}
        labels = [n["label"] for n in v.nodes if "<" in n["label"] or n["label"].startswith(DANGER)]
        assert labels
        _assert_inert_page(network_html(v.nodes, v.edges, legend=True, selectable=True), labels)
        info = views.node_info(ds, c)
        assert info["name"] == ds.center(c).name
    for v in (views.field_network(ds, "F23"), views.field_network(ds, "F03"), views.explore_network(ds),
              views.neighbourhood_network(ds, "javascript:U1", hops=2)):
        labels = [n["label"] for n in v.nodes if "<" in n["label"]]
        _assert_inert_page(network_html(v.nodes, v.edges, legend=True), labels)
    hits = views.search(ds, "<script>")
    assert hits and all("<script>" in h["name"] or "<script>" in h["id"] for h in hits)
    assert views.names(ds, centers()) == names


# ---- the app -----------------------------------------------------------------------------------------------------

def test_app_every_page_shows_the_names_as_text(monkeypatch):
    AppTest = pytest.importorskip("streamlit.testing.v1").AppTest
    sys.path.insert(0, str(ROOT))
    from app_pages.common import md
    from app_pages.state import K, widget

    ds = load_dataset(HOSTILE)
    monkeypatch.setenv("GRAPHKIT_DATA", str(HOSTILE))
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120).run()
    assert not at.exception, [e.value for e in at.exception]

    def visit(page: str, select=None):
        at.switch_page(f"app_pages/{page}.py").run()
        if select:
            select()
        assert not at.exception, (page, [e.value for e in at.exception])
        texts = [str(e.value) for kind in ("markdown", "caption", "title", "subheader", "header", "info", "warning",
                                           "error", "success") for e in getattr(at, kind)]
        texts += [e.label for e in at.expander] + [m.label for m in at.metric]
        for text in texts:
            # a payload is only ever there escaped: "\<script\>", never "<script>" nor a live link
            assert not re.search(r"(?<!\\)<\s*(script|img|svg|b|i)\b", text), (page, text)
            assert not re.search(r"(?<!\\)\]\((?!#)", text), (page, text)
            # Streamlit's own markup stays text: no icon, emoji or colour pattern, no unescaped LaTeX dollar
            assert not re.search(r":material/|:[a-z_]+:|:[a-z]+\[|(?<!\\)\$", text), (page, text)
        return "\n".join(texts)

    for page in ("overview", "claims", "data"):
        visit(page)
    for c in centers():
        shown = visit("center", lambda: at.selectbox(key=widget(K.CENTER)).select(c).run())
        assert md(ds.center(c).name) in shown  # the name, as text
        visit("whatif", lambda: at.selectbox(key=widget(K.CENTER)).select(c).run())
    visit("field", lambda: at.selectbox(key=widget(K.FIELD)).select("F23").run())
    shown = visit("explorer", lambda: (at.text_input(key=K.X_QUERY).input("javascript").run(),
                                       at.selectbox(key=K.X_HIT).select("javascript:U1").run()))
    assert md(ds.organization("javascript:U1").name) in shown


def test_every_chart_carries_labels_only_as_data(monkeypatch):
    """Vega-Lite compiles parts of a spec (sort lists, filters, titles) into expression code, where U+2028/U+2029,
    quotes, backslashes or ``</script>`` in a label stop the chart rendering: every chart of the app must carry
    the data's labels only in its datasets, never in the spec itself."""
    import json

    AppTest = pytest.importorskip("streamlit.testing.v1").AppTest
    sys.path.insert(0, str(ROOT))
    ds = load_dataset(HOSTILE)
    labels = {c.name for c in map(ds.center, centers())} | set(centers()) | {ds.fields["F23"].name("zh")}
    assert any("\u2028" in x for x in labels) and any("</script>" in x for x in labels)
    monkeypatch.setenv("GRAPHKIT_DATA", str(HOSTILE))
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120).run()
    charts = 0
    for page in ("overview", "center", "field", "explorer", "whatif", "claims", "data"):
        at.switch_page(f"app_pages/{page}.py").run()
        assert not at.exception, (page, [e.value for e in at.exception])
        for element in at.main:
            if getattr(element, "type", "") not in ("vega_lite_chart", "arrow_vega_lite_chart"):
                continue
            charts += 1
            spec = json.loads(element.proto.spec)
            text = json.dumps(spec, ensure_ascii=False)
            assert "\u2028" not in text and "\u2029" not in text and "</script" not in text, page
            for label in labels:
                assert json.dumps(label, ensure_ascii=False)[1:-1] not in text, (page, label)
            for encoding in (layer.get("encoding", {}) for layer in spec.get("layer", [spec])):
                for channel in encoding.values():
                    sort = channel.get("sort") if isinstance(channel, dict) else None
                    assert not isinstance(sort, list), (page, sort)  # a list of labels becomes code
    assert charts >= 1  # the overview's heat map at least


# ---- the Cypher engine -------------------------------------------------------------------------------------------

@pytest.mark.bolt
def test_cypher_stores_the_payloads_verbatim_and_runs_none(ds, bolt_uri, bolt_auth, bolt_driver):
    from test_cypher import _every_query

    from graphkit.engine import EmbeddedEngine
    from graphkit.errors import UnknownIdError
    from graphkit.neo4j.client import BoltClient
    from graphkit.neo4j.engine import CypherEngine, pull, push, wipe

    def everything() -> int:
        with BoltClient(bolt_uri, **bolt_auth) as client:
            return client.read("MATCH (n) RETURN count(n) AS n")[0]["n"]

    wipe(bolt_uri, **bolt_auth)
    try:
        push(ds, bolt_uri, **bolt_auth)
        nodes = everything()
        assert pull(bolt_uri, bolt_auth["user"], bolt_auth["password"]).same_as(ds)
        with CypherEngine(bolt_uri, **bolt_auth) as cyp:
            _every_query(EmbeddedEngine(ds), cyp)
            for c in centers():
                assert cyp.center(c).name == ds.center(c).name
            assert cyp.organization("=OPCO+1").name == ds.organization("=OPCO+1").name
            assert cyp.field("F23").name_zh == ds.field("F23").name_zh
            for probe in ("x' RETURN 666 AS v //", "}) MATCH (n) DETACH DELETE n //", "C1' OR 1=1 //"):
                with pytest.raises(UnknownIdError):
                    cyp.coverage(probe)
        assert push(ds, bolt_uri, **bolt_auth)["rows_written"] == 0
        assert everything() == nodes  # nothing deleted, nothing created by a payload
    finally:
        wipe(bolt_uri, **bolt_auth)
