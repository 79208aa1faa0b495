"""Report the size and build time of graphkit.present.viz pages at 500 / 5,000 / 50,000 nodes (no assertions).

The reference, measured in the same run, is pyvis' own per-item build (Network.add_node/add_edge
then generate_html), whose add_edge scans every existing edge; it is skipped above 5,000 nodes.

    python bench/viz_sizes.py [--sizes 500,5000,50000] [--pyvis-max 5000]
"""

import argparse
import time

from graphkit.present.viz import cap_nodes, network_html

KINDS = ["enterprise", "university", "research_institute", "user", "investor", "government", "other"]
PROVINCES = ["江苏", "广东", "北京", "上海", "浙江", "山东", "湖北", "四川", "陕西", "辽宁"]


def graph(n: int) -> tuple[list[dict], list[dict]]:
    """n nodes: n // 100 centers, the rest organisations, each a member of one center."""
    centers = max(1, n // 100)
    nodes = [{"id": f"C{j}", "label": f"创新中心{j}", "group": "center", "title": f"创新中心{j}\n江苏"}
             for j in range(centers)]
    nodes += [{"id": f"O{i}", "label": f"组织{i}有限公司", "group": KINDS[i % 7],
               "province": PROVINCES[i % 10], "title": f"组织{i}有限公司\n{PROVINCES[i % 10]}"}
              for i in range(n - centers)]
    edges = [{"source": f"O{i}", "target": f"C{i % centers}", "kind": "member"} for i in range(n - centers)]
    return nodes, edges


def timed(fn, *args, **kw):
    start = time.perf_counter()
    result = fn(*args, **kw)
    return result, time.perf_counter() - start


def pyvis_page(nodes, edges) -> str:
    from pyvis.network import Network

    net = Network(height="640px", cdn_resources="in_line")
    for node in nodes:
        net.add_node(node["id"], label=node["label"], title=node["title"], group=node["group"])
    for edge in edges:
        net.add_edge(edge["source"], edge["target"])
    return net.generate_html()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="500,5000,50000")
    parser.add_argument("--pyvis-max", type=int, default=5000, help="largest size to build with pyvis")
    args = parser.parse_args()
    network_html([{"id": "warm-up"}], [])  # read and cache the vis-network assets once
    print(f"{'nodes':>7} {'edges':>7} {'html MB':>8} {'build s':>8} {'cap s':>7} {'capped MB':>9} "
          f"{'pyvis s':>8} {'pyvis/ours':>10}")
    for n in (int(s) for s in args.sizes.split(",")):
        nodes, edges = graph(n)
        page, build = timed(network_html, nodes, edges)
        (kept, rewired), cap = timed(cap_nodes, nodes, edges, cap=1000)
        capped = network_html(kept, rewired)
        ref = ratio = "-"
        if n <= args.pyvis_max:
            _, seconds = timed(pyvis_page, nodes, edges)
            ref, ratio = f"{seconds:.3f}", f"{seconds / build:.1f}x"
        print(f"{n:>7} {len(edges):>7} {len(page.encode()) / 1e6:>8.2f} {build:>8.3f} {cap:>7.3f} "
              f"{len(capped.encode()) / 1e6:>9.2f} {ref:>8} {ratio:>10}")


if __name__ == "__main__":
    main()
