"""Network views: prepared nodes and edges to one self-contained, offline vis-network HTML page.

The page inlines vis-network's JavaScript and CSS (taken from the pyvis package, the ``graphkit[app]``
extra), carries the graph as a JSON data block and never loads anything from another host. Every
label and tooltip is treated as plain text: labels are drawn on a canvas, tooltips are turned into
DOM elements through ``textContent``.
"""

__all__ = [
    "GROUP_STYLE",
    "GROUP_LABELS",
    "EDGE_STYLE",
    "EDGE_LABELS",
    "network_html",
    "cap_nodes",
    "scale_nodes",
]

import functools
import html
import importlib.util
import json
import logging
import math
import re
from collections.abc import Callable, Hashable, Iterable, Mapping
from pathlib import Path
from typing import Any

logger = logging.getLogger(__name__)

#: One palette: vis-network group options per entity kind (colour, shape, size).
GROUP_STYLE: dict[str, dict[str, Any]] = {
    "center": {"color": "#c0392b", "shape": "star", "size": 26},
    "enterprise": {"color": "#1f77b4", "shape": "dot", "size": 12},
    "university": {"color": "#2ca02c", "shape": "triangle", "size": 12},
    "research_institute": {"color": "#17becf", "shape": "diamond", "size": 12},
    "user": {"color": "#9467bd", "shape": "dot", "size": 10},
    "investor": {"color": "#e6a700", "shape": "square", "size": 10},
    "government": {"color": "#8c564b", "shape": "triangleDown", "size": 12},
    "other": {"color": "#7f7f7f", "shape": "dot", "size": 9},
    "platform": {"color": "#ff7f0e", "shape": "hexagon", "size": 14},
    "aggregate": {
        "color": "#b0b0b0",
        "shape": "dot",
        "size": 16,
        "borderWidth": 3,
        "shapeProperties": {"borderDashes": [4, 3]},
    },
}

GROUP_LABELS: dict[str, dict[str, str]] = {
    "zh": {
        "center": "创新中心",
        "enterprise": "企业",
        "university": "高校",
        "research_institute": "科研院所",
        "user": "用户单位",
        "investor": "社会资本",
        "government": "政府",
        "other": "其他",
        "platform": "国家级平台",
        "aggregate": "聚合",
    },
    "en": {
        "center": "Innovation center",
        "enterprise": "enterprise",
        "university": "university",
        "research_institute": "research institute",
        "user": "user",
        "investor": "investor",
        "government": "government",
        "other": "other",
        "platform": "national platform",
        "aggregate": "aggregate",
    },
}

#: vis-network edge options per edge kind; merged into each edge in the browser (keeps the JSON small).
EDGE_STYLE: dict[str, dict[str, Any]] = {
    "member": {"color": {"color": "#9aa9bd", "highlight": "#5d7391"}},
    "shareholder": {"color": {"color": "#d08c2c", "highlight": "#a86a12"}, "arrows": "to", "width": 2},
    "host": {"color": {"color": "#6b8e23", "highlight": "#4b6619"}, "arrows": "to", "dashes": [6, 4]},
    "collaboration": {"color": {"color": "#9c6ade", "highlight": "#7443b8"}, "dashes": [2, 4]},
}

EDGE_LABELS: dict[str, dict[str, str]] = {
    "zh": {"member": "联盟成员", "shareholder": "股东", "host": "依托单位", "collaboration": "合作"},
    "en": {"member": "alliance member", "shareholder": "shareholder", "host": "host",
           "collaboration": "collaboration"},
}

_SHAPES = frozenset(
    "ellipse circle database box text diamond dot star triangle triangleDown hexagon square".split()
)
_CSS_SIZE = re.compile(r"\d{1,5}(\.\d{1,3})?(px|%|vh|em|rem)")
_ASSET_DIR = "lib/vis-9.1.2"

# Inside <script>, "</script>" or "<!--" would end or derail the element; U+2028/9 break old JS parsers.
_SCRIPT_ESCAPES = (
    ("&", "\\u0026"), ("<", "\\u003c"), (">", "\\u003e"), ("\u2028", "\\u2028"), ("\u2029", "\\u2029"),
)


def _script_json(obj: Any) -> str:
    text = json.dumps(obj, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    for raw, escaped in _SCRIPT_ESCAPES:  # five C-level passes beat one Python-level translate
        text = text.replace(raw, escaped)
    return text


@functools.lru_cache(maxsize=None)
def _asset(name: str) -> str:
    spec = importlib.util.find_spec("pyvis")  # locate without importing pyvis (it pulls IPython)
    if spec is None or not spec.submodule_search_locations:
        raise ImportError(
            "graphkit.present.viz needs pyvis for its bundled vis-network files: pip install 'graphkit[app]'"
        )
    path = Path(next(iter(spec.submodule_search_locations))) / _ASSET_DIR / name
    text = path.read_text(encoding="utf-8")
    # Drop the source-map hint: devtools would try to fetch a file that is not there.
    text = re.sub(r"\n?//# sourceMappingURL=\S+\s*$", "\n", text)
    if re.search(r"</(script|style)", text, re.IGNORECASE):
        raise ValueError(f"{path} cannot be inlined: it contains a closing </script> or </style> tag")
    return text


def _number(value: Any, what: str, node_id: str) -> float:
    number = float(value)
    if not math.isfinite(number):
        raise ValueError(f"node {node_id!r}: {what} must be a finite number, got {value!r}")
    return number


def _vis_nodes(nodes: Iterable[Mapping[str, Any]]) -> tuple[list[dict[str, Any]], bool]:
    """Validated vis-network node objects, and whether every node has x and y."""
    out: list[dict[str, Any]] = []
    seen: set[str] = set()
    all_placed = True
    for node in nodes:
        node_id = node.get("id")
        if not isinstance(node_id, str) or not node_id:
            raise ValueError(f"every node needs a non-empty string 'id', got {node_id!r}")
        if node_id in seen:
            raise ValueError(f"duplicate node id {node_id!r}")
        seen.add(node_id)
        group = node.get("group") or "other"
        vis = {"id": node_id, "label": str(node.get("label") or node_id),
               "group": group if group in GROUP_STYLE else "other"}
        if node.get("title") is not None:
            vis["title"] = str(node["title"])
        if node.get("x") is not None and node.get("y") is not None:
            vis["x"] = _number(node["x"], "x", node_id)
            vis["y"] = _number(node["y"], "y", node_id)
        else:
            all_placed = False
        if node.get("size") is not None:
            vis["size"] = _number(node["size"], "size", node_id)
        if node.get("color") is not None:
            vis["color"] = str(node["color"])
        if node.get("shape") is not None:
            if node["shape"] not in _SHAPES:
                raise ValueError(
                    f"node {node_id!r}: unknown shape {node['shape']!r}; use one of {sorted(_SHAPES)}")
            vis["shape"] = node["shape"]
        out.append(vis)
    return out, all_placed and bool(out)


def _vis_edges(edges: Iterable[Mapping[str, Any]], position: Mapping[str, int]) -> list[dict[str, Any]]:
    """Edges between the generated node ids of ``position`` (data id → generated id)."""
    out: list[dict[str, Any]] = []
    dropped = 0
    for edge in edges:
        source, target = edge.get("source"), edge.get("target")
        if not isinstance(source, str) or not isinstance(target, str) or source not in position \
                or target not in position:
            dropped += 1
            continue
        vis: dict[str, Any] = {"id": len(out), "from": position[source], "to": position[target]}
        if edge.get("kind") is not None:
            vis["kind"] = str(edge["kind"])
        if edge.get("label") is not None:
            vis["label"] = str(edge["label"])
        count = edge.get("count")
        if edge.get("title") is not None:
            vis["title"] = str(edge["title"])
        elif count is not None and count > 1:
            vis["title"] = f"×{count}"
        if count is not None and count > 1:
            vis["width"] = round(1 + math.log2(count), 2)
        if edge.get("dashes") is not None:
            dashes = edge["dashes"]
            vis["dashes"] = bool(dashes) if isinstance(dashes, bool) else [float(d) for d in dashes]
        out.append(vis)
    if dropped:
        logger.warning("network_html: dropped %d edge(s) whose source or target is not a node", dropped)
    return out


def _options(n_nodes: int, n_edges: int, *, placed: bool, physics: bool, seed: int,
             iterations: int | None) -> dict[str, Any]:
    run_physics = physics or not placed
    if iterations is None:
        # A short, size-aware stabilisation (~100k node-iterations: about 2 s for 1,000 nodes in headless
        # Chromium on a slow CPU); beyond a few thousand nodes, pass x/y or cap_nodes() first.
        iterations = max(10, min(200, 100_000 // max(n_nodes, 1)))
    large = n_nodes > 1000 or n_edges > 2000
    return {
        "autoResize": True,
        "groups": GROUP_STYLE,
        "layout": {"randomSeed": seed, "improvedLayout": n_nodes <= 300},
        "nodes": {"font": {"size": 12, "multi": False}, "borderWidth": 1},
        "edges": {"smooth": False if large else {"type": "continuous"}, "font": {"size": 10, "align": "middle"},
                  "color": {"inherit": False, "color": "#a0a0a0"}},
        "physics": {
            "enabled": run_physics,
            "solver": "barnesHut",
            "barnesHut": {"gravitationalConstant": -4000, "springLength": 120, "avoidOverlap": 0.1},
            "stabilization": {"enabled": run_physics, "iterations": int(iterations), "fit": True},
        },
        "interaction": {"hover": True, "tooltipDelay": 150, "hideEdgesOnDrag": large, "hideEdgesOnZoom": large},
    }


def _legend_html(groups: list[str], kinds: list[str], lang: str, note: str | None = None) -> str:
    rows = []
    for group in groups:
        color = html.escape(str(GROUP_STYLE[group]["color"]), quote=True)
        name = html.escape(GROUP_LABELS[lang].get(group, group))
        rows.append(f'<div><span class="gk-dot" style="background:{color}"></span>{name}</div>')
    for kind in kinds:
        style = EDGE_STYLE[kind]
        color = html.escape(str(style["color"]["color"]), quote=True)
        line = "dashed" if style.get("dashes") else "solid"
        name = html.escape(EDGE_LABELS[lang].get(kind, kind))
        rows.append(f'<div><span class="gk-line" style="border-top:2px {line} {color}"></span>{name}</div>')
    if note:
        rows.append(f'<div class="gk-note">{html.escape(str(note))}</div>')
    return f'<div class="gk-legend" role="list">{"".join(rows)}</div>' if rows else ""


_SCALE = ("#deebf7", "#9ecae1", "#4292c6", "#08519c", "#08306b")  # light → dark (ColorBrewer Blues)
_NO_VALUE = "#d9d9d9"


def _mix(a: str, b: str, t: float) -> str:
    pa, pb = (tuple(int(c[i:i + 2], 16) for i in (1, 3, 5)) for c in (a, b))
    return "#" + "".join(f"{round(x + (y - x) * t):02x}" for x, y in zip(pa, pb))


def _ramp(t: float) -> str:
    t = min(1.0, max(0.0, t)) * (len(_SCALE) - 1)
    i = min(int(t), len(_SCALE) - 2)
    return _mix(_SCALE[i], _SCALE[i + 1], t - i)


def scale_nodes(nodes: Iterable[Mapping[str, Any]], values: Mapping[str, float], mode: str = "size", *,
                lo: float | None = None, hi: float | None = None) -> tuple[list[dict[str, Any]], tuple[float, float] | None]:
    """Nodes sized (8–40 px, by area) or coloured (light → dark blue) by ``values[id]``, over ``lo``–``hi``
    (default: the values' range); a node without a value keeps its size, and is grey when colouring.
    Returns the new nodes and the range used (None without values). The input is not changed.

    >>> scale_nodes([{"id": "a"}, {"id": "b"}, {"id": "c"}], {"a": 0.0, "b": 1.0})[0]
    [{'id': 'a', 'size': 8.0}, {'id': 'b', 'size': 40.0}, {'id': 'c'}]
    """
    if mode not in ("size", "color"):
        raise ValueError(f"mode must be 'size' or 'color', got {mode!r}")
    finite = [float(v) for v in values.values() if v is not None and math.isfinite(float(v))]
    out = [dict(n) for n in nodes]
    if not finite:
        return out, None
    lo = min(finite) if lo is None else float(lo)
    hi = max(finite) if hi is None else float(hi)
    span = hi - lo
    for node in out:
        v = values.get(node.get("id"))
        known = v is not None and math.isfinite(float(v))
        t = ((float(v) - lo) / span if span else 1.0) if known else None
        if mode == "size":
            if known:
                node["size"] = round(8.0 + 32.0 * math.sqrt(min(1.0, max(0.0, t))), 2)
        else:
            node["color"] = _ramp(t) if known else _NO_VALUE
    return out, (lo, hi)


def network_html(
    nodes: Iterable[Mapping[str, Any]],
    edges: Iterable[Mapping[str, Any]],
    *,
    height: str | int = "640px",
    physics: bool = False,
    seed: int = 1,
    legend: bool | None = None,
    lang: str = "zh",
    selectable: bool = False,
    selected: str | None = None,
    iterations: int | None = None,
    labels: bool = True,
    legend_note: str | None = None,
    export_name: str = "network",
) -> str:
    """Return a complete HTML page drawing ``nodes`` and ``edges`` with vis-network, inline and offline.

    Nodes with ``x`` and ``y`` keep them (physics off). Otherwise the layout is stabilised for
    ``iterations`` steps (size-aware by default) from ``seed`` and then frozen, unless ``physics``
    keeps it running. ``legend=None`` draws the legend when two or more groups are shown; it sits below the
    drawing (never over a node), with ``legend_note`` (plain text: what sizes or colours mean) after it.
    ``labels=False`` draws the nodes without labels (the tooltips keep the names). A PNG button saves the view
    as drawn, as ``export_name``.png (through the parent: the Streamlit component shell).
    ``selectable`` makes a click post ``{id, ts}`` to the parent window with Streamlit's component
    protocol; ``selected`` selects and focuses that node once the layout is ready.
    """
    if lang not in GROUP_LABELS:
        raise ValueError(f"lang must be one of {sorted(GROUP_LABELS)}, got {lang!r}")
    css_height = f"{int(height)}px" if isinstance(height, int) else str(height)
    if not _CSS_SIZE.fullmatch(css_height):
        raise ValueError(f"height must be pixels (640) or a CSS length like '640px' or '80vh', got {height!r}")
    vis_nodes, placed = _vis_nodes(nodes)
    # vis-network keeps nodes in plain objects keyed by id: a data id such as "constructor", "toString" or
    # "__proto__" collides with Object.prototype (RangeError above 150 nodes). The page gets generated ids 0…n-1
    # and the data ids as a list beside them; the page's JS maps between the two with a Map.
    ids = [n["id"] for n in vis_nodes]
    position = {node_id: i for i, node_id in enumerate(ids)}
    for i, vis in enumerate(vis_nodes):
        vis["id"] = i
    vis_edges = _vis_edges(edges, position)
    if not labels:
        for node in vis_nodes:
            node["label"] = " "  # vis-network draws the id for an empty label
    groups_present = {n["group"] for n in vis_nodes}
    kinds_present = {e["kind"] for e in vis_edges if "kind" in e}
    data = {
        "ids": ids,
        "nodes": vis_nodes,
        "edges": vis_edges,
        "edgeStyles": {k: v for k, v in EDGE_STYLE.items() if k in kinds_present},
        "options": _options(len(vis_nodes), len(vis_edges), placed=placed, physics=physics, seed=seed,
                            iterations=iterations),
        "freeze": not physics,
        "selectable": bool(selectable),
        "selected": selected,
        "exportName": re.sub(r"[^\w.-]+", "_", str(export_name))[:80] or "network",
    }
    if legend is None:
        legend = len(groups_present) > 1
    legend_html = ""
    if legend or legend_note:
        legend_html = _legend_html([g for g in GROUP_STYLE if g in groups_present] if legend else [],
                                   [k for k in EDGE_STYLE if k in kinds_present] if legend else [], lang,
                                   legend_note)
    return "".join((
        '<!DOCTYPE html><html lang="', "zh-CN" if lang == "zh" else "en", '"><head><meta charset="utf-8">',
        # Belt and braces for the offline rule: the page may not fetch anything, anywhere.
        '<meta http-equiv="Content-Security-Policy" content="default-src \'none\'; '
        "script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:; font-src data:\">",
        "<style>", _asset("vis-network.css"), "</style><style>", _PAGE_CSS.replace("@HEIGHT@", css_height),
        "</style><script>", _asset("vis-network.min.js"), "</script></head><body>",
        '<div id="gk-network"></div>', legend_html,
        '<button type="button" id="gk-png" title="PNG">PNG</button>',
        '<script type="application/json" id="gk-data">', _script_json(data), "</script>",
        "<script>", _PAGE_JS, "</script></body></html>",
    ))


_PAGE_CSS = """
html,body{margin:0;padding:0;background:#fff;font-family:system-ui,"PingFang SC","Microsoft YaHei",sans-serif}
body{display:flex;flex-direction:column;height:@HEIGHT@;position:relative}
#gk-network{width:100%;flex:1 1 auto;min-height:0}
.gk-legend{flex:0 0 auto;display:flex;flex-wrap:wrap;gap:2px 14px;border-top:1px solid #ddd;padding:4px 8px;
font-size:12px;line-height:18px}
.gk-note{color:#555}
#gk-png{position:absolute;top:6px;right:6px;font-size:11px;padding:2px 6px;border:1px solid #ccc;border-radius:3px;
background:rgba(255,255,255,.9);cursor:pointer}
.gk-dot{display:inline-block;width:10px;height:10px;border-radius:50%;margin-right:6px;vertical-align:middle}
.gk-line{display:inline-block;width:18px;margin-right:6px;vertical-align:middle}
div.vis-tooltip{white-space:pre-line;max-width:420px}
"""

# Static code: no user data is ever formatted into it; it reads the JSON block above.
_PAGE_JS = r"""
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("gk-data").textContent);
  // A string title is markup in some vis-network versions: hand it an element built with
  // textContent, so a title is plain text whatever version runs.
  function tip(text) {
    var div = document.createElement("div");
    div.style.whiteSpace = "pre-line";
    div.textContent = text;
    return div;
  }
  var i, key, item;
  for (i = 0; i < data.nodes.length; i++) {
    item = data.nodes[i];
    if (typeof item.title === "string") item.title = tip(item.title);
  }
  for (i = 0; i < data.edges.length; i++) {
    item = data.edges[i];
    var style = item.kind && Object.prototype.hasOwnProperty.call(data.edgeStyles, item.kind)
      ? data.edgeStyles[item.kind] : null;
    if (style) for (key in style) if (!(key in item)) item[key] = style[key];
    if (typeof item.title === "string") item.title = tip(item.title);
  }
  // data ids never become object keys (a "constructor" or "__proto__" id would break vis-network):
  // vis-network sees the generated ids 0…n-1, and a Map translates
  var byDataId = new Map();
  for (i = 0; i < data.ids.length; i++) byDataId.set(data.ids[i], i);
  window.gkNodeId = function (dataId) { return byDataId.has(dataId) ? byDataId.get(dataId) : null; };
  window.gkDataId = function (nodeId) { return data.ids[nodeId]; };
  var container = document.getElementById("gk-network");
  var network = new vis.Network(container, {nodes: data.nodes, edges: data.edges}, data.options);
  window.gkNetwork = network;
  var ready = false, pending = data.selected;
  function select(dataId) {
    if (dataId === null || dataId === undefined) { network.unselectAll(); return; }
    var id = window.gkNodeId(dataId);
    if (id === null) return;
    network.selectNodes([id]);
    network.focus(id, {scale: Math.max(network.getScale(), 1.0), animation: {duration: 300}});
  }
  function whenReady() {
    if (ready) return;
    ready = true;
    if (pending !== null && pending !== undefined) select(pending);
    document.body.setAttribute("data-gk-ready", "1");
  }
  if (data.options.physics.enabled) {
    network.once("stabilizationIterationsDone", function () {
      if (data.freeze) network.setOptions({physics: false});
      whenReady();
    });
  } else {
    network.fit({animation: false});  // laid out by the caller: show every node, not the area around (0, 0)
    whenReady();
  }
  // Drawn while hidden (an inactive tab: zero size), the view fitted nothing: fit again once it has a size.
  network.on("resize", function (size) {
    if (!size.oldWidth || !size.oldHeight) network.fit({animation: false});
  });
  function post(message) {
    message.isStreamlitMessage = true;
    if (window.parent && window.parent !== window) window.parent.postMessage(message, "*");
  }
  // PNG of the view as drawn, on white; saved by the parent (this frame may not download)
  document.getElementById("gk-png").addEventListener("click", function () {
    var canvas = container.getElementsByTagName("canvas")[0];
    if (!canvas) return;
    var out = document.createElement("canvas");
    out.width = canvas.width; out.height = canvas.height;
    var ctx = out.getContext("2d");
    ctx.fillStyle = "#fff"; ctx.fillRect(0, 0, out.width, out.height); ctx.drawImage(canvas, 0, 0);
    var url = out.toDataURL("image/png");
    if (window.parent && window.parent !== window) {
      window.parent.postMessage({type: "graphkit:png", name: data.exportName, url: url}, "*");
    } else {
      var a = document.createElement("a"); a.href = url; a.download = data.exportName + ".png"; a.click();
    }
  });
  if (!data.selectable) return;
  network.on("click", function (params) {
    if (params.nodes && params.nodes.length) {
      post({type: "streamlit:setComponentValue", value: {id: String(data.ids[params.nodes[0]]), ts: Date.now()},
            dataType: "json"});
    }
  });
  window.addEventListener("message", function (event) {
    var msg = event.data;
    if (event.source !== window.parent || !msg || msg.type !== "graphkit:select") return;
    if (ready) select(msg.id); else pending = msg.id;
  });
  post({type: "streamlit:componentReady", apiVersion: 1});
  post({type: "streamlit:setFrameHeight", height: document.body.scrollHeight});
})();
"""


def _default_group_key(lang: str) -> Callable[[Mapping[str, Any]], tuple[str, ...]]:
    labels = GROUP_LABELS[lang]

    def key(node: Mapping[str, Any]) -> tuple[str, ...]:
        group = node.get("group") or "other"
        province = node.get("province")
        name = labels.get(group, str(group))
        return (name, str(province)) if province else (name,)

    return key


def cap_nodes(
    nodes: Iterable[Mapping[str, Any]],
    edges: Iterable[Mapping[str, Any]],
    *,
    cap: int = 1000,
    keep: Iterable[str] = (),
    group_key: Callable[[Mapping[str, Any]], Hashable] | None = None,
    lang: str = "zh",
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Keep at most ``cap`` nodes (the ``keep`` ids first, then by degree) and fold the rest into aggregates.

    One aggregate node per ``group_key(node)`` (default: group and province), labelled
    ``"企业 · 江苏 (123)"``; edges are rewired to the aggregates, parallel rewired edges merged with a
    ``count``, edges inside one aggregate dropped. Ties keep input order. O(n + m).

    >>> nodes = [{"id": "c", "group": "center"}] + [
    ...     {"id": f"e{i}", "group": "enterprise", "province": "江苏"} for i in range(3)]
    >>> edges = [{"source": f"e{i}", "target": "c", "kind": "member"} for i in range(3)]
    >>> kept, rewired = cap_nodes(nodes, edges, cap=2)
    >>> [n.get("label", n["id"]) for n in kept]
    ['c', 'e0', '企业 · 江苏 (2)']
    >>> rewired[-1]
    {'source': 'agg:企业|江苏', 'target': 'c', 'kind': 'member', 'count': 2}
    """
    nodes = [dict(n) for n in nodes]
    edges = list(edges)
    if len(nodes) <= cap:
        return nodes, [dict(e) for e in edges]
    key_of = group_key or _default_group_key(lang)
    index = {n["id"]: i for i, n in enumerate(nodes)}
    degree = [0] * len(nodes)
    for e in edges:
        s, t = index.get(e.get("source")), index.get(e.get("target"))
        if s is not None and t is not None:
            degree[s] += 1
            degree[t] += 1
    kept = [False] * len(nodes)
    n_kept = 0
    for node_id in keep:
        i = index.get(node_id)
        if i is not None and not kept[i]:
            kept[i], n_kept = True, n_kept + 1
    # Bucket by degree (a counting sort): linear, and stable in input order.
    buckets: list[list[int]] = [[] for _ in range(max(degree, default=0) + 1)]
    for i, d in enumerate(degree):
        if not kept[i]:
            buckets[d].append(i)
    for bucket in reversed(buckets):
        if n_kept >= cap:
            break
        for i in bucket[: cap - n_kept]:
            kept[i] = True
        n_kept += min(len(bucket), cap - n_kept)
    # Fold the rest into aggregates, in first-seen order.
    agg_of: dict[int, str] = {}
    aggregates: dict[Hashable, dict[str, Any]] = {}
    used_ids = set(index)
    for i, node in enumerate(nodes):
        if kept[i]:
            continue
        k = key_of(node)
        agg = aggregates.get(k)
        if agg is None:
            parts = k if isinstance(k, tuple) else (k,)
            agg_id = "agg:" + "|".join(map(str, parts))
            while agg_id in used_ids:
                agg_id += "+"
            used_ids.add(agg_id)
            group = node.get("group") or "other"
            agg = {"id": agg_id, "label": " · ".join(map(str, parts)), "group": "aggregate", "count": 0}
            if group in GROUP_STYLE:
                agg["color"] = GROUP_STYLE[group]["color"]
            aggregates[k] = agg
        agg["count"] += 1
        agg_of[i] = agg["id"]
    for agg in aggregates.values():
        agg["label"] = f"{agg['label']} ({agg['count']})"
        agg["title"] = agg["label"]
        agg["size"] = round(12 + 4 * math.log2(agg["count"]), 2)
    out_nodes = [n for i, n in enumerate(nodes) if kept[i]] + list(aggregates.values())
    out_edges: list[dict[str, Any]] = []
    merged: dict[tuple[str, str, Any], dict[str, Any]] = {}
    for e in edges:
        s, t = index.get(e.get("source")), index.get(e.get("target"))
        if s is None or t is None:
            continue
        if kept[s] and kept[t]:
            out_edges.append(dict(e))
            continue
        source = nodes[s]["id"] if kept[s] else agg_of[s]
        target = nodes[t]["id"] if kept[t] else agg_of[t]
        if source == target:
            continue  # inside one aggregate
        k = (source, target, e.get("kind"))
        m = merged.get(k)
        if m is None:
            m = merged[k] = {"source": source, "target": target, "kind": e.get("kind"), "count": 0}
            out_edges.append(m)
        m["count"] += e.get("count", 1)
    return out_nodes, out_edges
