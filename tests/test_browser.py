"""The real app in a real browser: `streamlit run app.py` on a free port, driven by Playwright in headless Debian
Chromium. Visits every page in Chinese and in English, clicks a node of a network view, records a review decision,
downloads assessments.csv and reloads it in another session (the report then shows it), checks that no request
left localhost, and takes screenshots of every page — into a temporary folder, or into the folder named by GRAPHKIT_SCREENSHOTS
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
EN_TITLES = {"overview": "Overview", "center": "Center", "field": "Field", "explorer": "Network explorer",
             "whatif": "What-if", "claims": "Claims check", "data": "Data"}


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
            time.sleep(0.3)  # polling the health endpoint until the server answers
        yield base
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()


def settle(tab, timeout: float = 120) -> None:
    """Wait for the script run a user action started to be over: Streamlit's app root says ``running`` while a run
    is under way (a run may start a moment after the action), then ``notRunning``."""
    root = "[data-testid=stApp]"
    try:
        tab.wait_for_selector(f"{root}[data-test-script-state=running]", timeout=1500)
    except Exception:  # noqa: BLE001 (playwright's TimeoutError: the run was over before we looked, or none began)
        pass
    tab.wait_for_selector(f"{root}[data-test-script-state=notRunning]", timeout=timeout * 1000)
    # and nothing left to draw: no status widget, no skeleton (an element not sent yet), no element of a past run
    tab.wait_for_function("!document.querySelector('[data-testid=stStatusWidget], [data-testid=stSkeleton], "
                          "[data-stale=true]') && !!document.querySelector('[data-testid=stMain] h1')",
                          timeout=timeout * 1000)


def graph_frame(tab, timeout: float = 60):
    """The vis-network page inside the component (shell iframe → sandboxed graph iframe), once laid out."""
    deadline = time.time() + timeout
    while time.time() < deadline:
        for frame in tab.frames:
            try:
                if frame.evaluate("document.body && document.body.getAttribute('data-gk-ready')") == "1":
                    return frame
            except Exception:  # noqa: BLE001 (a frame still navigating)
                pass
        tab.wait_for_timeout(100)
    raise AssertionError("no network view became ready")


def steady(graph, timeout: float = 20) -> None:
    """Wait until the drawing has its final size (a tab shown after the view was made resizes it, and refits)."""
    deadline, last = time.time() + timeout, None
    while time.time() < deadline:
        size = graph.evaluate("[gkNetwork.body.container.clientWidth, gkNetwork.body.container.clientHeight, "
                              "gkNetwork.getScale()]")
        if size == last and size[0] > 0 and size[1] > 0:
            return
        last = size
        graph.wait_for_timeout(250)
    raise AssertionError("the network view never settled")


def open_page(tab, title: str) -> None:
    """Go to a page through the sidebar (a reload would start a new session and forget its state)."""
    tab.locator("[data-testid=stSidebarNav] a").filter(has_text=title).first.click()
    settle(tab)


def shoot(tab, path: Path, name: str) -> None:
    if name in ("overview", "explorer", "center"):
        graph_frame(tab) if name == "explorer" else tab.wait_for_selector("[data-testid=stMetric]")
    assert tab.locator("[data-testid=stException]").count() == 0, name
    tab.screenshot(path=str(path))


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
            def context():
                ctx = browser.new_context(viewport={"width": 1440, "height": 1300}, locale="zh-CN", accept_downloads=True)

                def guard(route):  # anything not for this machine is recorded and refused
                    host = urlparse(route.request.url).hostname
                    if route.request.url.startswith(("data:", "blob:", "about:")) or host in LOCAL:
                        route.continue_()
                    else:
                        outside.append(route.request.url)
                        route.abort()

                ctx.route("**/*", guard)
                tab = ctx.new_page()
                tab.on("request", lambda r: outside.append(r.url) if urlparse(r.url).hostname not in LOCAL
                       and not r.url.startswith(("data:", "blob:", "about:")) else None)
                tab.on("pageerror", lambda e: errors.append(str(e)))
                return tab

            tab = context()
            for name, path in PAGES:  # every page in Chinese …
                tab.goto(f"{served}/{path}")
                tab.wait_for_selector("[data-testid=stAppViewContainer]")
                settle(tab)
                shoot(tab, SHOTS / f"{name}.png", name)
                if name == "overview":  # the heat map, below the fold
                    tab.locator("[data-testid=stVegaLiteChart]").first.scroll_into_view_if_needed()
                    tab.wait_for_selector("[data-testid=stVegaLiteChart] canvas, [data-testid=stVegaLiteChart] svg")
                    tab.screenshot(path=str(SHOTS / "overview-heatmap.png"))
            # … and in English, switched in the session and navigated through the sidebar
            tab.locator("[data-testid=stSidebar]").get_by_role("radio", name="English").or_(
                tab.locator("[data-testid=stSidebar]").get_by_role("button", name="English")).first.click()
            settle(tab)
            for name, _ in PAGES:
                open_page(tab, EN_TITLES[name])
                shoot(tab, SHOTS / f"{name}-en.png", name)

            # the center page: open the network tab, click a node, see its details, open its neighbourhood
            ds = load_dataset(ROOT / "data" / "sample")
            center = sorted(ds.center_ids())[0]
            target = ds.center(center).operating_company_id
            assert target in {n["id"] for n in ego_network(ds, center).nodes}
            tab = context()
            tab.goto(f"{served}/center")
            settle(tab)
            tab.get_by_role("tab", name="下载").click()  # the review report, rendered on click
            with tab.expect_download(timeout=60_000) as download:
                tab.get_by_role("button", name="下载评审报告（HTML）").click()
            assert download.value.suggested_filename == f"report-{center}.html"
            assert Path(download.value.path()).read_bytes().startswith(b"<!DOCTYPE html>")
            tab.get_by_role("tab", name="关系网络").click()
            graph = graph_frame(tab)
            steady(graph)
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
            settle(tab)
            tab.get_by_text("正在显示", exact=False).first.wait_for(timeout=20_000)
            graph_frame(tab)

            # the review: record a decision on attested check 2, download assessments.csv …
            tab = context()
            tab.goto(f"{served}/center")
            settle(tab)
            tab.get_by_role("tab", name="评审记录").click()
            tab.get_by_role("radiogroup", name="评审结论").get_by_text("✘ 不符合", exact=True).click()
            tab.get_by_label("评审人").fill("张三")
            tab.get_by_label("说明").fill("需求论证不足")
            tab.get_by_role("button", name="记录评审意见").click()
            settle(tab)
            saved = tab.get_by_role("button", name="下载 assessments.csv")
            saved.wait_for(timeout=20_000)
            tab.screenshot(path=str(SHOTS / "center-review.png"))
            with tab.expect_download(timeout=60_000) as download:
                saved.click()
            csv = Path(download.value.path()).read_bytes().decode("utf-8-sig")
            assert download.value.suggested_filename == "assessments.csv"
            assert csv.splitlines()[1].startswith(f"{center},2,not_met,张三,"), csv
            # … reload it in a new session (the data page), and the report reads as a filed review
            tab = context()
            tab.goto(f"{served}/data")
            settle(tab)
            uploader = tab.locator("[data-testid=stFileUploader]").filter(has_text="载入评审意见")
            uploader.locator("input[type=file]").set_input_files(
                {"name": "assessments.csv", "mimeType": "text/csv", "buffer": csv.encode("utf-8-sig")})
            tab.get_by_text("载入 1 条评审意见", exact=False).first.wait_for(timeout=30_000)
            open_page(tab, "创新中心")
            tab.get_by_role("tab", name="下载").click()
            with tab.expect_download(timeout=60_000) as report:
                tab.get_by_role("button", name="下载评审报告（HTML）").click()
            page = Path(report.value.path()).read_text(encoding="utf-8")
            assert "评审意见（张三，" in page, page[:2000]  # the decision, with its reviewer, in the filed report
        finally:
            browser.close()
    assert outside == [], outside
    assert errors == [], errors
    expected = {f"{n}.png" for n, _ in PAGES} | {f"{n}-en.png" for n, _ in PAGES} | {"center-network.png",
                                                                                     "center-review.png", "overview-heatmap.png"}
    assert expected <= {p.name for p in SHOTS.glob("*.png")}
