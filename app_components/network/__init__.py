"""A bidirectional Streamlit component: a vis-network view that returns the node the user clicked.

No npm build: ``frontend/index.html`` is a static shell that speaks Streamlit's raw component
protocol and shows the page made by :func:`graphkit.present.viz.network_html` in a sandboxed iframe.
"""

__all__ = ["network"]

from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from graphkit.present.viz import network_html

_FRONTEND = Path(__file__).with_name("frontend")


def _component():
    # Declared per call, not at import: registration needs a running script (ScriptRunContext),
    # and a module imported earlier (by a test, say) would otherwise leave it unregistered.
    from streamlit.components.v1 import declare_component

    return declare_component("graphkit_network", path=str(_FRONTEND))


def network(
    nodes: Iterable[Mapping[str, Any]],
    edges: Iterable[Mapping[str, Any]],
    *,
    key: str,
    height: int = 640,
    lang: str = "zh",
    selected: str | None = None,
    **kw: Any,
) -> dict | None:
    """Draw the network and return ``{"id": node_id, "ts": ms}`` for the last node clicked, else None.

    ``selected`` highlights and focuses a node without reloading the view; other keyword arguments
    (``physics``, ``seed``, ``legend``, ``iterations``) go to :func:`graphkit.present.viz.network_html`.
    ``ts`` changes on every click, so clicking the same node again still reruns the script.
    """
    height = int(height)
    page = network_html(nodes, edges, height=height, lang=lang, selectable=True, selected=None, **kw)
    value = _component()(html=page, height=height, selected=selected, key=key, default=None)
    if isinstance(value, dict) and isinstance(value.get("id"), str):
        return value
    return None
