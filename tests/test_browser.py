"""The real app in a real browser: `streamlit run app.py` on a free port, driven by Playwright in headless Debian
Chromium. Visits the main pages, clicks a node of a network view, checks that no request left localhost, and
takes screenshots of the main pages — into a temporary folder, or into the folder named by GRAPHKIT_SCREENSHOTS
(`GRAPHKIT_SCREENSHOTS=docs/screenshots pytest tests/test_browser.py` refreshes the ones the README shows), so
that a test run never rewrites tracked files."""

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlparse

import pytest
from conftest import CHROMIUM_ARGS, ROOT

pytestmark = pytest.mark.browser  # not "slow": CI deselects slow tests, and this one must run there
PAGES = [("overview", ""), ("center", "center"), ("field", "field"), ("explorer", "explorer"), ("whatif", "whatif"),
         ("claims", "claims"), ("data", "data")]
LOCAL = {"localhost", "127.0.0.1", "::1"}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def served():
    """The app, started as users start it, on the bundled sample; stopped (by its own pid) afterwards."""
    port = free_port()
    env = {**os.environ, "GRAPHKIT_DATA": str(ROOT / "data" / "sample")}
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", str(ROOT / "app.py"), "--server.port", str(port),
         "--server.address", "127.0.0.1", "--server.headless", "true", "--browser.gatherUsageStats", "false"],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.time() + 90
        while True:
            try:
                if urllib.request.urlopen(base + "/_stcore/health", timeout=2).status == 200:
                    break
            except OSError:
                pass
            if proc.poll() is not None or time.time() > deadline:
                raise RuntimeError("streamlit did not start: " + proc.stdout.read().decode(errors="replace")[-2000:])
            time.sleep(0.3)
        yield base
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()


def settle(tab, extra: float = 1.0) -> None:
    """Wait until the script run is over (Streamlit's running indicator is gone), then a little more."""
    time.sleep(0.8)
    deadline = time.time() + 120
    while tab.locator("[data-testid=stStatusWidget]").count() and time.time() < deadline:
        time.sleep(0.2)
    time.sleep(extra)


def graph_frame(tab, timeout: float = 60):
    """The vis-network page inside the component (shell iframe → sandboxed graph iframe), once laid out."""
    deadline = time.time() + timeout
    while time.time() < deadline:
        for frame in tab.frames:
            try:
                if frame.evaluate("document.body && document.body.getAttribute('data-gk-ready')") == "1":
                    return frame
            except Exception:  # a frame still navigating
                pass
        time.sleep(0.2)
    raise AssertionError("no network view became ready")


def test_app_in_chromium(served, chromium, tmp_path):
    playwright = pytest.importorskip("playwright.sync_api")
    SHOTS = Path(os.environ["GRAPHKIT_SCREENSHOTS"]) if os.environ.get("GRAPHKIT_SCREENSHOTS") else tmp_path / "shots"
    from graphkit import load_dataset
    from graphkit.present.views import ego_network

    SHOTS.mkdir(parents=True, exist_ok=True)
    outside, errors = [], []
    with playwright.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        try:
            context = browser.new_context(viewport={"width": 1440, "height": 1300}, locale="zh-CN",
                                          accept_downloads=True)

            def guard(route):  # anything not for this machine is recorded and refused
                host = urlparse(route.request.url).hostname
                if route.request.url.startswith(("data:", "blob:", "about:")) or host in LOCAL:
                    route.continue_()
                else:
                    outside.append(route.request.url)
                    route.abort()

            context.route("**/*", guard)
            tab = context.new_page()
            tab.on("request", lambda r: outside.append(r.url) if urlparse(r.url).hostname not in LOCAL
                   and not r.url.startswith(("data:", "blob:", "about:")) else None)
            tab.on("pageerror", lambda e: errors.append(str(e)))
            for name, path in PAGES:
                tab.goto(f"{served}/{path}")
                tab.wait_for_selector("[data-testid=stAppViewContainer]")
                settle(tab, 2.5 if name in ("overview", "explorer") else 1.0)
                if name == "explorer":
                    graph_frame(tab)
                    time.sleep(1)
                assert tab.locator("[data-testid=stException]").count() == 0, name
                tab.screenshot(path=str(SHOTS / f"{name}.png"))

            # the center page: open the network tab, click a node, see its details, open its neighbourhood
            ds = load_dataset(ROOT / "data" / "sample")
            center = sorted(ds.center_ids())[0]
            target = ds.center(center).operating_company_id
            assert target in {n["id"] for n in ego_network(ds, center).nodes}
            tab.goto(f"{served}/center")
            settle(tab)
            tab.get_by_role("tab", name="下载").click()  # the review report, rendered on click
            with tab.expect_download(timeout=60_000) as download:
                tab.get_by_role("button", name="下载评审报告（HTML）").click()
            assert download.value.suggested_filename == f"report-{center}.html"
            assert Path(download.value.path()).read_bytes().startswith(b"<!DOCTYPE html>")
            tab.get_by_role("tab", name="关系网络").click()
            graph = graph_frame(tab)
            time.sleep(1.0)
            graph.evaluate("gkNetwork.fit({animation: false})")  # every node on screen, whatever was zoomed
            at = graph.evaluate(f"gkNetwork.canvasToDOM(gkNetwork.getPositions([gkNodeId({target!r})])"
                                f"[gkNodeId({target!r})])")
            box = graph.frame_element().bounding_box()
            tab.mouse.click(box["x"] + at["x"], box["y"] + at["y"])
            settle(tab)
            name = ds.organization(target).name
            tab.get_by_text(name, exact=False).first.wait_for(timeout=20_000)
            tab.screenshot(path=str(SHOTS / "center-network.png"))
            button = tab.get_by_role("button", name="查看邻域网络").first
            button.wait_for(timeout=20_000)
            button.click()
            settle(tab, 2)
            tab.get_by_text("正在显示", exact=False).first.wait_for(timeout=20_000)
            graph_frame(tab)
        finally:
            browser.close()
    assert outside == [], outside
    assert errors == [], errors
    assert {f"{n}.png" for n, _ in PAGES} | {"center-network.png"} <= {p.name for p in SHOTS.glob("*.png")}
