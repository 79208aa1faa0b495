"""graphkit.present.viz: the emitted page, its JSON, escaping, offline assets, node capping, the component."""

import functools
import html.parser
import http.server
import json
import re
import shutil
import threading
import time
from pathlib import Path

import pytest

from graphkit.present import viz
from graphkit.present.viz import GROUP_LABELS, GROUP_STYLE, cap_nodes, network_html

ROOT = Path(__file__).resolve().parents[2]
COMPONENT = ROOT / "app_components" / "network"
HOSTILE = ["<img src=x onerror=alert(1)>", "</script><script>alert(1)</script>", "a&b\u2028c\u2029d", "<!--"]


def page_data(page: str) -> dict:
    """The graph JSON block, parsed back out of the page."""
    match = re.search(r'<script type="application/json" id="gk-data">(.*?)</script>', page, re.S)
    assert match, "no data block"
    return json.loads(match.group(1))


class Tags(html.parser.HTMLParser):
    """Every start tag with its attributes (the parser treats script bodies as raw text)."""

    def __init__(self):
        super().__init__()
        self.tags = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))


def tags_of(page: str) -> list:
    parser = Tags()
    parser.feed(page)
    return parser.tags


@pytest.fixture
def small():
    nodes = [
        {"id": "C1", "label": "增材制造中心", "group": "center", "title": "中心\n江苏"},
        {"id": "O1", "label": "某公司", "group": "enterprise", "size": 20},
        {"id": "P1", "group": "platform", "color": "#123456", "shape": "box"},
    ]
    edges = [
        {"source": "O1", "target": "C1", "kind": "member", "title": "2019"},
        {"source": "O1", "target": "P1", "kind": "host", "label": "依托", "dashes": True},
        {"source": "O1", "target": "C1", "kind": "shareholder", "count": 4},
    ]
    return nodes, edges


def test_emitted_json_structure(small):
    data = page_data(network_html(*small, seed=7))
    assert data["ids"] == ["C1", "O1", "P1"]  # vis-network sees generated ids 0…n-1, never a data id
    assert data["nodes"] == [
        {"id": 0, "label": "增材制造中心", "group": "center", "title": "中心\n江苏"},
        {"id": 1, "label": "某公司", "group": "enterprise", "size": 20.0},
        {"id": 2, "label": "P1", "group": "platform", "color": "#123456", "shape": "box"},
    ]
    assert data["edges"] == [
        {"id": 0, "from": 1, "to": 0, "kind": "member", "title": "2019"},
        {"id": 1, "from": 1, "to": 2, "kind": "host", "label": "依托", "dashes": True},
        {"id": 2, "from": 1, "to": 0, "kind": "shareholder", "title": "×4", "width": 3.0},
    ]
    assert set(data["edgeStyles"]) == {"member", "host", "shareholder"}
    assert data["freeze"] is True and data["selectable"] is False and data["selected"] is None
    options = data["options"]
    assert options["groups"] == GROUP_STYLE
    assert options["layout"] == {"randomSeed": 7, "improvedLayout": True}
    assert options["physics"]["enabled"] is True
    assert options["physics"]["stabilization"] == {"enabled": True, "iterations": 200, "fit": True}


def test_given_positions_turn_physics_off():
    nodes = [{"id": "a", "x": 0, "y": 0}, {"id": "b", "x": 10.5, "y": -3}]
    data = page_data(network_html(nodes, [{"source": "a", "target": "b"}]))
    assert data["options"]["physics"]["enabled"] is False
    assert [(n["x"], n["y"]) for n in data["nodes"]] == [(0.0, 0.0), (10.5, -3.0)]
    assert data["nodes"][0]["group"] == "other"
    # physics=True keeps the simulation running after stabilisation
    data = page_data(network_html(nodes, [], physics=True, iterations=5))
    assert data["options"]["physics"]["enabled"] is True and data["freeze"] is False
    assert data["options"]["physics"]["stabilization"]["iterations"] == 5


def test_iterations_shrink_with_size():
    nodes = [{"id": str(i)} for i in range(5000)]
    assert page_data(network_html(nodes, []))["options"]["physics"]["stabilization"]["iterations"] == 20


@pytest.mark.parametrize("text", HOSTILE)
def test_hostile_text_never_reaches_html_raw(text):
    nodes = [{"id": text, "label": text, "group": "center", "title": text},
             {"id": "x", "label": "x", "group": text}]
    page = network_html(nodes, [{"source": text, "target": "x", "label": text, "title": text}], legend=True)
    assert text not in page
    for raw in ("alert(1)</script>", "<img", "\u2028", "\u2029"):
        if raw in text:
            assert raw not in page
    data = page_data(page)
    assert data["nodes"][0] == {"id": 0, "label": text, "group": "center", "title": text}
    assert data["ids"] == [text, "x"]
    assert data["edges"][0]["label"] == text and data["edges"][0]["title"] == text
    # exactly our three scripts: none closed early, none opened, no "<!--" to derail the tokenizer
    assert [attrs for tag, attrs in tags_of(page) if tag == "script"] == [
        {}, {"type": "application/json", "id": "gk-data"}, {}]
    assert "<!--" not in page
    assert "textContent = text" in viz._PAGE_JS and "innerHTML" not in viz._PAGE_JS


def test_no_external_resources(small):
    page = network_html(*small, selectable=True, legend=True)
    tags = tags_of(page)
    for tag, attrs in tags:
        for name in ("src", "href", "srcset", "data", "action"):
            assert name not in attrs or tag not in {"script", "link", "img", "iframe", "a", "form"}, (tag, attrs)
        for value in attrs.values():
            assert not re.match(r"\s*(https?:)?//", value or ""), (tag, attrs)
    assert [t for t, _ in tags if t == "link"] == [] and [t for t, _ in tags if t == "img"] == []
    csp = [a["content"] for t, a in tags if t == "meta" and a.get("http-equiv") == "Content-Security-Policy"]
    assert csp and csp[0].startswith("default-src 'none';")
    assert "sourceMappingURL" not in page
    assert "vis.Network" in page and "div.vis-tooltip" in page  # vis-network JS and CSS are inline


def test_legend(small):
    page = network_html(*small, lang="en")
    assert '<div class="gk-legend"' in page and GROUP_LABELS["en"]["center"] in page
    assert "alliance member" in page  # edge kinds too
    assert '<div class="gk-legend"' not in network_html(*small, legend=False)
    one_group = [{"id": "a", "group": "center"}]
    assert '<div class="gk-legend"' not in network_html(one_group, [])
    assert '<div class="gk-legend"' in network_html(one_group, [], legend=True)
    assert GROUP_LABELS["zh"]["center"] in network_html(one_group, [], legend=True)


def test_selectable_posts_streamlit_messages(small):
    page = network_html(*small, selectable=True, selected="O1")
    data = page_data(page)
    assert data["selectable"] is True and data["selected"] == "O1"
    for needle in ('"streamlit:setComponentValue"', '"streamlit:componentReady", apiVersion: 1',
                   '"streamlit:setFrameHeight"', 'dataType: "json"', "isStreamlitMessage = true"):
        assert needle in page


@pytest.mark.parametrize("kwargs, nodes, message", [
    ({}, [{"id": "a"}, {"id": "a"}], "duplicate node id"),
    ({}, [{"label": "no id"}], "non-empty string 'id'"),
    ({}, [{"id": "a", "shape": "image"}], "unknown shape"),
    ({}, [{"id": "a", "x": float("nan"), "y": 0}], "finite number"),
    ({"height": "1px;}body{display:none"}, [{"id": "a"}], "height"),
    ({"lang": "fr"}, [{"id": "a"}], "lang"),
])
def test_bad_input_is_refused(kwargs, nodes, message):
    with pytest.raises(ValueError, match=message):
        network_html(nodes, [], **kwargs)


def test_dangling_edges_are_dropped_and_logged(caplog):
    page = network_html([{"id": "a"}], [{"source": "a", "target": "zz"}, {"source": "a", "target": "a"}])
    assert [e["to"] for e in page_data(page)["edges"]] == [0]  # the generated id of "a"
    assert "dropped 1 edge" in caplog.text


def test_missing_pyvis_names_the_extra(monkeypatch):
    viz._asset.cache_clear()
    monkeypatch.setattr(viz.importlib.util, "find_spec", lambda name: None)
    try:
        with pytest.raises(ImportError, match=r"graphkit\[app\]"):
            network_html([{"id": "a"}], [])
    finally:
        monkeypatch.undo()
        viz._asset.cache_clear()


# --- cap_nodes -------------------------------------------------------------------------------

KINDS = ["enterprise", "university", "research_institute", "user", "investor", "government", "other"]
PROVINCES = ["江苏", "广东", "北京", "上海", "浙江", "山东", "湖北", "四川", "陕西", "辽宁"]


@pytest.fixture(scope="module")
def big():
    """50,000 nodes: 50 centers; org i is kind i%7, province i%10, member of center i%50;
    orgs 0..899 also collaborate with org i+25000 (so 1,800 orgs have degree 2, the rest 1)."""
    nodes = [{"id": f"c{j}", "group": "center", "province": "江苏"} for j in range(50)]
    nodes += [{"id": f"o{i}", "group": KINDS[i % 7], "province": PROVINCES[i % 10]} for i in range(49_950)]
    edges = [{"source": f"o{i}", "target": f"c{i % 50}", "kind": "member"} for i in range(49_950)]
    edges += [{"source": f"o{i}", "target": f"o{i + 25_000}", "kind": "collaboration"} for i in range(900)]
    return nodes, edges


def test_cap_nodes_exact_counts(big):
    nodes, edges = big
    kept, rewired = cap_nodes(nodes, edges, cap=1000, keep=["o49949"])
    # kept: o49949 (keep), 50 centers (degree ~1000), then the degree-2 orgs in input order:
    # o0..o899 and o25000..o25048.  The 49,000 others fold into 7 kinds x 10 provinces = 70 aggregates
    # (kind and province are i mod 70 by CRT).
    real = [n for n in kept if n["group"] != "aggregate"]
    aggregates = [n for n in kept if n["group"] == "aggregate"]
    assert len(real) == 1000 and len(aggregates) == 70 and len(kept) == 1070
    ids = {n["id"] for n in real}
    assert {"o49949", "c0", "c49", "o0", "o899", "o25000", "o25048"} <= ids
    assert "o25049" not in ids and "o900" not in ids
    assert sum(a["count"] for a in aggregates) == 49_000
    # edges: 950 member + 49 collaboration edges between kept nodes; 851 kept org -> aggregate;
    # member edges of folded orgs merge per (aggregate, center): (i mod 70, i mod 50) = i mod 350.
    assert len(rewired) == 950 + 49 + 851 + 350 == 2200
    assert sum(e.get("count", 1) for e in rewired) == len(edges)
    merged = [e for e in rewired if e["source"].startswith("agg:")]
    assert len(merged) == 350 and {e["kind"] for e in merged} == {"member"}
    assert all(e["target"].startswith("agg:") for e in rewired if e["kind"] == "collaboration"
               and e["target"] not in ids)
    # enterprise in 江苏 is i % 70 == 0: 714 orgs, 13 of them kept (o0, o70, ..., o840)
    assert "企业 · 江苏 (701)" in {a["label"] for a in aggregates}
    page = network_html(kept, rewired)  # the capped graph draws
    assert len(page_data(page)["nodes"]) == 1070


def test_cap_nodes_key_function_language_and_small_graphs():
    nodes = [{"id": "c", "group": "center"}] + [
        {"id": f"e{i}", "group": "enterprise", "province": "Jiangsu"} for i in range(5)]
    edges = [{"source": f"e{i}", "target": "c", "kind": "member"} for i in range(5)]
    kept, rewired = cap_nodes(nodes, edges, cap=2, lang="en")
    assert [n.get("label", n["id"]) for n in kept] == ["c", "e0", "enterprise · Jiangsu (4)"]
    assert rewired == [{"source": "e0", "target": "c", "kind": "member"},
                       {"source": "agg:enterprise|Jiangsu", "target": "c", "kind": "member", "count": 4}]
    kept, _ = cap_nodes(nodes, edges, cap=1, group_key=lambda n: "rest")
    assert [n.get("label", n["id"]) for n in kept] == ["c", "rest (5)"]
    kept, rewired = cap_nodes(nodes, edges, cap=10)
    assert kept == nodes and rewired == edges


# --- the Streamlit component -----------------------------------------------------------------

def test_component_folder_is_static():
    assert sorted(p.name for p in (COMPONENT / "frontend").iterdir()) == ["index.html"]
    shell = (COMPONENT / "frontend" / "index.html").read_text(encoding="utf-8")
    for needle in ('"streamlit:componentReady", {apiVersion: 1}', '"streamlit:render"',
                   '"streamlit:setComponentValue"', '"streamlit:setFrameHeight"', 'sandbox="allow-scripts"'):
        assert needle in shell
    assert not re.search(r"""(src|href)=["']?(https?:)?//""", shell)


def test_component_runs_in_apptest():
    from streamlit.testing.v1 import AppTest

    def script(root):
        import sys

        sys.path.insert(0, root)
        from app_components.network import network

        value = network([{"id": "a", "group": "center"}, {"id": "b"}], [{"source": "a", "target": "b"}],
                        key="net", height=300)
        import streamlit as st

        st.write(f"value={value!r}")

    at = AppTest.from_function(script, args=(str(ROOT),)).run(timeout=30)
    assert not at.exception
    assert at.markdown[0].value == "value=None"


# --- in a real browser -----------------------------------------------------------------------

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.fixture
def served(tmp_path):
    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args):
            pass

    handler = functools.partial(Quiet, directory=str(tmp_path))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield tmp_path, f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


@pytest.mark.browser
@pytest.mark.usefixtures("chromium")  # skips without Chromium; fails when GRAPHKIT_REQUIRE_BROWSER=1
def test_component_in_chromium(served):
    """A parent page that speaks like Streamlit drives the component shell and the graph page."""
    playwright = pytest.importorskip("playwright.sync_api")
    folder, base = served
    shutil.copy(COMPONENT / "frontend" / "index.html", folder / "index.html")
    evil = HOSTILE[0] + HOSTILE[1]
    nodes = [{"id": "c", "label": evil, "group": "center", "title": evil + "\nline 2"}]
    nodes += [{"id": f"o{i}", "group": "enterprise"} for i in range(10)]
    page = network_html(nodes, [{"source": f"o{i}", "target": "c"} for i in range(10)],
                        selectable=True, height=420)
    (folder / "page.json").write_text(json.dumps(page), encoding="utf-8")
    (folder / "parent.html").write_text(
        "<!DOCTYPE html><body><iframe id=c src='index.html' style='width:800px;height:600px'></iframe><script>"
        "window.got=[];window.addEventListener('message',function(e){window.got.push(e.data);"
        "if(e.data.type==='streamlit:componentReady')fetch('page.json').then(r=>r.json()).then(h=>"
        "document.getElementById('c').contentWindow.postMessage({type:'streamlit:render',"
        "args:{html:h,height:420,selected:'o3'}},'*'))});</script></body>", encoding="utf-8")
    with playwright.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=[
            "--no-sandbox", "--disable-gpu", "--disable-background-networking"])
        try:
            tab = browser.new_page()
            requests, dialogs = [], []
            tab.on("request", lambda r: requests.append(r.url))
            tab.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
            tab.goto(base + "/parent.html")
            graph = None
            for _ in range(200):
                frames = [f for f in tab.frames if f.parent_frame and f.parent_frame.parent_frame]
                try:
                    if frames and frames[0].evaluate("document.body.getAttribute('data-gk-ready')") == "1":
                        graph = frames[0]
                        break
                except Exception:  # the frame is still navigating
                    pass
                time.sleep(0.1)
            assert graph is not None, "the graph page never became ready"
            assert graph.evaluate("gkNetwork.getSelectedNodes().map(gkDataId)") == ["o3"]
            assert graph.evaluate("gkNetwork.body.nodes[gkNodeId('c')].options.title instanceof HTMLDivElement")
            assert graph.evaluate("gkNetwork.body.nodes[gkNodeId('c')].options.title.textContent") == evil + "\nline 2"
            assert graph.evaluate("document.querySelectorAll('img').length") == 0
            time.sleep(1)  # let the focus animation on the selected node end, then show every node
            graph.evaluate("gkNetwork.fit({animation: false})")
            box = tab.frame_locator("#c").locator("#graph").bounding_box()
            at = graph.evaluate("gkNetwork.canvasToDOM(gkNetwork.getPositions([gkNodeId('o5')])[gkNodeId('o5')])")
            tab.mouse.click(box["x"] + at["x"], box["y"] + at["y"])
            deadline = time.time() + 10
            while time.time() < deadline:
                got = tab.evaluate("window.got")
                if any(m.get("type") == "streamlit:setComponentValue" for m in got):
                    break
                time.sleep(0.1)
            types = [m["type"] for m in got]
            assert types[0] == "streamlit:componentReady" and got[0]["apiVersion"] == 1
            assert {"type": "streamlit:setFrameHeight", "isStreamlitMessage": True, "height": 420} in got
            value = [m for m in got if m["type"] == "streamlit:setComponentValue"]
            assert len(value) == 1 and value[0]["value"]["id"] == "o5" and value[0]["dataType"] == "json"
            assert types.count("streamlit:componentReady") == 1  # the graph page's own is not relayed
            assert dialogs == []
            assert all(u.startswith(base) for u in requests), requests
        finally:
            browser.close()


def test_scale_nodes_by_size_and_colour():
    from graphkit.present.viz import scale_nodes

    nodes = [{"id": "a", "size": 12}, {"id": "b"}, {"id": "c"}, {"id": "d"}]
    sized, span = scale_nodes(nodes, {"a": 0.0, "b": 0.25, "c": 1.0}, "size", lo=0.0, hi=1.0)
    assert span == (0.0, 1.0) and [n.get("size") for n in sized] == [8.0, 24.0, 40.0, None]
    assert nodes[0]["size"] == 12  # the input is not changed
    coloured, _ = scale_nodes(nodes, {"a": 0.0, "c": 1.0}, "color")
    assert [n["color"] for n in coloured] == ["#deebf7", "#d9d9d9", "#08306b", "#d9d9d9"]
    assert scale_nodes(nodes, {}, "size") == ([dict(n) for n in nodes], None)
    with pytest.raises(ValueError, match="mode"):
        scale_nodes(nodes, {}, "shape")


def test_labels_off_legend_below_with_an_escaped_note_and_png_button():
    page = network_html([{"id": "a", "label": "甲", "group": "center"}, {"id": "b", "label": "乙", "group": "university"}],
                        [{"source": "a", "target": "b", "kind": "member"}], labels=False,
                        legend_note="大小：<b>覆盖率</b>", export_name="ego C1/../x")
    data = json.loads(page.split('id="gk-data">', 1)[1].split("</script>", 1)[0])
    assert [n["label"] for n in data["nodes"]] == [" ", " "] and data["exportName"] == "ego_C1_.._x"
    assert '<div class="gk-note">大小：&lt;b&gt;覆盖率&lt;/b&gt;</div>' in page
    assert "position:absolute;top:8px;left:8px" not in page  # the legend no longer sits over the drawing
    assert page.index('id="gk-network"') < page.index('class="gk-legend"') and 'id="gk-png"' in page


JS_KEYWORD_IDS = ["constructor", "toString", "valueOf", "hasOwnProperty", "__proto__", "isPrototypeOf",
                  "__defineGetter__", "prototype"]


@pytest.mark.browser
@pytest.mark.usefixtures("chromium")
def test_javascript_keyword_ids_draw_in_chromium(served):
    """More than 150 nodes (vis-network's improved layout), among them ids named like Object.prototype's members:
    the page draws every node, selects and reports them by their data ids."""
    playwright = pytest.importorskip("playwright.sync_api")
    folder, base = served
    nodes = [{"id": i, "label": i, "group": "enterprise"} for i in JS_KEYWORD_IDS]
    nodes += [{"id": f"o{i}", "group": "university"} for i in range(160)]
    edges = [{"source": JS_KEYWORD_IDS[i % len(JS_KEYWORD_IDS)], "target": f"o{i}"} for i in range(160)]
    (folder / "g.html").write_text(network_html(nodes, edges, selected="__proto__", iterations=20), encoding="utf-8")
    with playwright.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"])
        try:
            tab = browser.new_page()
            errors = []
            tab.on("pageerror", lambda e: errors.append(str(e)))
            tab.goto(base + "/g.html")
            tab.wait_for_function("document.body.getAttribute('data-gk-ready') === '1'", timeout=60_000)
            assert errors == []
            assert tab.evaluate("Object.keys(gkNetwork.body.nodes).length") == 168
            assert tab.evaluate("gkNetwork.getSelectedNodes().map(gkDataId)") == ["__proto__"]
            ids = tab.evaluate(f"{json.dumps(JS_KEYWORD_IDS)}.map(function (d) {{ return gkDataId(gkNodeId(d)); }})")
            assert ids == JS_KEYWORD_IDS
            assert tab.evaluate("gkNetwork.body.nodes[gkNodeId('constructor')].options.label") == "constructor"
        finally:
            browser.close()
