"""The app, run headless with streamlit's AppTest on the bundled sample: every page in both languages, the main
interactions, and the numbers on the page — each computed here with the library and looked for on the page."""

import datetime as _dt
import io
import re
import sys
import zipfile
from pathlib import Path

import pytest
from conftest import ROOT

from graphkit import load_dataset, validate_dataset
from graphkit.checks.conditions import check
from graphkit.queries.claims import claims
from graphkit.queries.coverage import coverage
from graphkit.queries.gaps import gaps
from graphkit.queries.recruit import recruit

AppTest = pytest.importorskip("streamlit.testing.v1").AppTest
sys.path.insert(0, str(ROOT))
from app_pages import text  # noqa: E402
from app_pages.common import translate as shown  # noqa: E402  (the text as the page holds it: values escaped)
from app_pages.state import K, widget  # noqa: E402

SAMPLE = ROOT / "data" / "sample"
PAGES = ["overview", "center", "field", "explorer", "whatif", "claims", "data"]
TODAY = _dt.date.today().isoformat()


def pct(x) -> str:
    return f"{x * 100:.1f}%"


@pytest.fixture(scope="module")
def ds():
    return load_dataset(SAMPLE)


def start(monkeypatch, lang: str = "zh") -> AppTest:
    monkeypatch.setenv("GRAPHKIT_DATA", str(SAMPLE))
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=180).run()
    assert not at.exception, at.exception
    if lang != "zh":
        at.segmented_control(key=K.LANG).set_value(lang).run()
    return at


@pytest.fixture
def app(monkeypatch) -> AppTest:
    return start(monkeypatch)


def goto(at: AppTest, page: str) -> AppTest:
    at.switch_page(f"app_pages/{page}.py").run()
    ok(at)
    return at


def ok(at: AppTest) -> None:
    assert not at.exception, [e.value for e in at.exception]


def metric(at: AppTest, label: str) -> str:
    found = [m.value for m in at.metric if m.label == label]
    assert found, (label, [m.label for m in at.metric])
    return found[0]


def texts(at: AppTest, kind: str) -> list[str]:
    return [str(e.value) for e in getattr(at, kind)]


def zipped(folder: Path) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for path in sorted(folder.glob("*.csv")):
            zf.write(path, path.name)
    return buf.getvalue()


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_every_page_in_both_languages(monkeypatch, lang):
    at = start(monkeypatch, lang)
    for page in PAGES:
        goto(at, page)
        assert texts(at, "title")[0] == text.t(f"{page}.title", lang)
        assert not at.error, texts(at, "error")
    assert text.t("app.offline", lang) in texts(at, "caption")


def test_overview_numbers(app, ds):
    goto(app, "overview")
    t = text.t
    assert metric(app, t("kpi.centers")) == str(len(ds.frames["centers"]))
    assert metric(app, t("kpi.orgs")) == f"{len(ds.frames['organizations']):,}"
    layout = [g for g in gaps(ds) if g.layout == "2017-64"]
    assert metric(app, t("kpi.fields_with_center")) == f"{sum(g.centers > 0 for g in layout)}/{len(layout)}"
    meeting = sum(c.ratio is not None and c.ratio >= 0.5 for c in coverage(ds))
    assert metric(app, t("kpi.coverage_met")) == f"{meeting}/{len(ds.frames['centers'])}"
    provincial = ds.frames["centers"]["level"] == "provincial"
    eligible = sum(r.eligible for r in check(ds, as_of=TODAY) if ds.center(r.center_id).level == "provincial")
    assert metric(app, t("kpi.eligible")) == f"{eligible}/{int(provincial.sum())}"
    no_center = [g.field_id for g in gaps(ds) if g.centers == 0]
    assert f"**{t('overview.no_center', n=len(no_center))}**" in texts(app, "markdown")
    listed = " ".join(texts(app, "markdown"))
    assert all(f"- {f} " in listed for f in no_center)
    # the synthetic-data banner names the tables and their synthetic rows
    banner = texts(app, "warning")[0]
    synthetic = (ds.frames["centers"]["source"] == "synthetic").sum()
    assert f"创新中心 {synthetic}/{len(ds.frames['centers'])} 行" in banner
    gap_table = app.dataframe[0].value
    assert list(gap_table["领域编号"]) == [g.field_id for g in gaps(ds)]
    assert list(gap_table["无人覆盖"]) == [len(g.unreached_platform_ids) for g in gaps(ds)]


def test_center_page_checks_coverage_and_recruitment(app, ds):
    goto(app, "center")
    center = "C0036"
    app.selectbox(key=widget(K.CENTER)).select(center).run()
    ok(app)
    result = check(ds, center, as_of=TODAY)[0]
    cov = coverage(ds, center)[0]
    for code in ("met", "not_met", "insufficient_data", "needs_review"):
        label = [m.label for m in app.metric if m.label.endswith(text.term(code))][0]
        assert metric(app, label) == f"{sum(c.status == code for c in result.checks)}/21"
    assert metric(app, "覆盖率") == pct(cov.ratio)
    assert len(app.expander) == 21
    for expander, c in zip(app.expander, result.checks):
        assert expander.label.startswith(f"{c.id} ", 2) and expander.label.endswith(text.term(c.status))
    table = app.dataframe[0].value
    assert [s.split(" ", 1)[1] for s in table["状态"]] == [text.term(c.status) for c in result.checks]
    assert metric(app, "已覆盖") == str(cov.covered) and metric(app, "总数") == str(cov.total)
    r = recruit(ds, center)
    assert r.orgs, "the sample's C0036 needs recruits"
    recruits = [d.value for d in app.dataframe if "建议招募" not in d.value.columns and "新覆盖平台数" in d.value.columns][0]
    assert list(recruits["编号"]) == r.orgs
    # the recruits, tried in what-if: coverage reaches the plan's ratio
    app.button(key=f"{K.OPEN}:center:whatif").click().run()
    ok(app)
    assert texts(app, "title")[0] == "假设分析"
    assert metric(app, "覆盖率") == pct(r.ratio_after)


def test_whatif_recomputes_and_stays_in_the_session(monkeypatch, app, ds):
    goto(app, "whatif")
    center = "C0028"
    app.selectbox(key=widget(K.CENTER)).select(center).run()
    assert text.t("whatif.no_edits") in texts(app, "info")
    base = coverage(ds, center)[0]
    helper = sorted(base.via.items())[0][1][0]  # a member through which a platform is covered
    app.multiselect(key=K.W_REMOVE).set_value([helper]).run()
    ok(app)
    uncovered_host = ds.hosts(base.uncovered_platform_ids[0])[0]
    app.text_input(key=K.W_QUERY).input(uncovered_host).run()
    app.selectbox(key=K.W_PICK).select(uncovered_host).run()
    app.button(key=f"{K.OPEN}:whatif:add").click().run()
    ok(app)
    assert app.multiselect(key=K.W_ADDED).value == [uncovered_host]
    edited = ds.with_members(center, add=[uncovered_host], remove=[helper])
    after = coverage(edited, center)[0]
    assert metric(app, "覆盖率") == pct(after.ratio)
    before_checks, after_checks = check(ds, center, as_of=TODAY)[0], check(edited, center, as_of=TODAY)[0]
    changed = sum((b.status, b.value) != (a.status, a.value) for b, a in zip(before_checks.checks, after_checks.checks))
    assert f"**{shown('whatif.checks', n=changed)}**" in texts(app, "markdown")
    assert coverage(ds, center)[0].covered == base.covered  # the loaded data is untouched
    # another browser session sees none of this session's edits
    other = goto(start(monkeypatch), "whatif")
    other.selectbox(key=widget(K.CENTER)).select(center).run()
    assert text.t("whatif.no_edits") in texts(other, "info") and metric(other, "覆盖率") == pct(base.ratio)
    app.button(key=f"{K.OPEN}:whatif:reset").click().run()
    assert text.t("whatif.no_edits") in texts(app, "info")


def test_two_sessions_never_see_each_others_edits_or_uploads(monkeypatch, ds):
    """Two browser sessions (two AppTest runs of the same app in one process, as two users of one server):
    each one's what-if edits and upload stay its own, to the exact coverage figure."""
    center = "C0028"
    base = coverage(ds, center)[0]
    helper = sorted(base.via.items())[0][1][0]  # removing it loses a covered platform
    host = ds.hosts(base.uncovered_platform_ids[0])[0]  # adding it gains one
    only_a = coverage(ds.with_members(center, remove=[helper]), center)[0]
    only_b = coverage(ds.with_members(center, add=[host]), center)[0]
    assert len({base.ratio, only_a.ratio, only_b.ratio}) == 3
    a, b = goto(start(monkeypatch), "whatif"), goto(start(monkeypatch), "whatif")
    for at in (a, b):
        at.selectbox(key=widget(K.CENTER)).select(center).run()
    a.multiselect(key=K.W_REMOVE).set_value([helper]).run()
    b.text_input(key=K.W_QUERY).input(host).run()
    b.selectbox(key=K.W_PICK).select(host).run()
    b.button(key=f"{K.OPEN}:whatif:add").click().run()
    a.run()
    ok(a), ok(b)
    assert (metric(a, "覆盖率"), a.multiselect(key=K.W_ADDED).value) == (pct(only_a.ratio), [])
    assert (metric(b, "覆盖率"), b.multiselect(key=K.W_REMOVE).value) == (pct(only_b.ratio), [])
    a.button(key=f"{K.OPEN}:whatif:reset").click().run()
    b.run()
    assert (metric(a, "覆盖率"), metric(b, "覆盖率")) == (pct(base.ratio), pct(only_b.ratio))
    # an upload replaces the data of the session that made it, and of no other
    tiny = ROOT / "tests" / "fixtures" / "tiny_full"
    goto(a, "data").file_uploader(key=K.UPLOAD).set_value(("tiny.zip", zipped(tiny), "application/zip")).run()
    assert metric(goto(a, "overview"), "创新中心") == str(len(load_dataset(tiny).frames["centers"]))
    assert metric(goto(b, "overview"), "创新中心") == str(len(ds.frames["centers"]))


def test_upload_bad_keeps_data_then_good_replaces_it(app):
    goto(app, "data")
    bad = zipped(ROOT / "tests" / "fixtures" / "invalid" / "several_errors_in_several_files")
    app.file_uploader(key=K.UPLOAD).set_value(("bad.zip", bad, "application/zip")).run()
    ok(app)
    report = validate_dataset(bad, name="bad.zip")
    assert not report.ok
    assert app.code[0].value.splitlines() == report.problems.format_errors("zh") + report.problems.format_warnings("zh")
    assert all(re.match(r"^[\w.\[\]]+:\d+:[\w*]+: ", line) for line in app.code[0].value.splitlines())
    assert texts(app, "error")[0] == shown("data.rejected", name="bad.zip", errors=5, warnings=0)
    assert "当前数据：sample" in texts(app, "caption")  # the previous data stays
    good = zipped(ROOT / "tests" / "fixtures" / "tiny_full")
    app.file_uploader(key=K.UPLOAD).set_value(("good.zip", good, "application/zip")).run()
    ok(app)
    assert shown("data.in_use", name="good.zip") in texts(app, "caption")
    assert texts(app, "success")[0].startswith(shown("data.accepted", name="good.zip", warnings=0)[:12])
    goto(app, "overview")
    assert metric(app, "创新中心") == str(len(load_dataset(ROOT / "tests" / "fixtures" / "tiny_full").frames["centers"]))
    goto(app, "data")
    app.button(key=f"{K.OPEN}:data:default").click().run()
    assert "当前数据：sample" in texts(app, "caption")


@pytest.mark.parametrize("case", ["sheet_xml_with_a_bare_ampersand", "shared_string_index_out_of_range",
                                  "content_types_compressed_with_bzip2", "sheet_member_lying_about_its_size"])
def test_damaged_and_bomb_workbooks_are_located_errors_on_both_upload_pages(app, case, tmp_path):
    """Issue 16: openpyxl parses lazily, so a damaged sheet used to crash the data page; every upload path shows
    the located errors (the same lines as the CLI) and keeps the data."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("xlsx_build", ROOT / "tests" / "fixtures" / "invalid_xlsx" / "build.py")
    build = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(build)
    book = build.CASES[case]()
    expected = (ROOT / "tests" / "fixtures" / "invalid_xlsx" / case / "expected.txt").read_text(encoding="utf-8")
    goto(app, "data").file_uploader(key=K.UPLOAD).set_value(("book.xlsx", book, "application/octet-stream")).run()
    ok(app)
    report = validate_dataset(book, name="book.xlsx")
    assert report.problems.format_errors("en") == expected.splitlines()
    assert app.code[0].value.splitlines() == report.problems.format_errors("zh")
    assert "当前数据：sample" in texts(app, "caption")
    goto(app, "claims").file_uploader(key=K.CLAIMS_UPLOAD).set_value(("book.xlsx", book, "application/octet-stream")).run()
    ok(app)
    assert texts(app, "error"), texts(app, "info")


def test_upload_over_the_size_limit_is_refused_with_a_clear_message(app, monkeypatch):
    """The library's limit (GRAPHKIT_MAX_UPLOAD_BYTES) is checked on every upload, whatever Streamlit's own limit
    (server.maxUploadSize, which .streamlit/config.toml keeps equal to the default)."""
    try:
        import tomllib
    except ImportError:  # Python 3.10
        import tomli as tomllib

    from graphkit.settings import Settings

    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text(encoding="utf-8"))
    assert config["server"]["maxUploadSize"] * 1024 * 1024 == Settings().max_upload_bytes
    good = zipped(ROOT / "tests" / "fixtures" / "tiny_full")
    monkeypatch.setenv("GRAPHKIT_MAX_UPLOAD_BYTES", str(len(good) - 1))
    goto(app, "data").file_uploader(key=K.UPLOAD).set_value(("big.zip", good, "application/zip")).run()
    ok(app)
    assert texts(app, "error")[0] == shown("data.rejected", name="big.zip", errors=1, warnings=0)
    assert app.code[0].value == f"big.zip:1:*: 文件大小 {len(good)} 字节超过上限 {len(good) - 1} 字节"
    assert "当前数据：sample" in texts(app, "caption")


def test_claims_check_upload_and_dataset(app, ds):
    from test_application import application_xlsx

    from graphkit.io.application import read_application

    goto(app, "claims")
    assert text.t("claims.upload_hint") in texts(app, "info")
    book = application_xlsx([("C0005", "coverage_ratio", "62%", ""), ("C9999", "member_count", "3", ""),
                             ("C0005", "covered_platforms", f"{ds.platforms_of_field('F03')[0]}|不存在的平台", "")])
    app.file_uploader(key=K.CLAIMS_UPLOAD).set_value(("申报书.xlsx", book, "application/octet-stream")).run()
    ok(app)
    assert app.code[0].value == "申报书.xlsx[claims]:3:center_id: 引用了不存在的创新中心编号 C9999"
    verdicts = claims(ds, frame=read_application(book, ds, name="申报书.xlsx").claims)
    table = [d.value for d in app.dataframe if "结论" in d.value.columns][0]
    assert [v.split(" ", 1)[1] for v in table["结论"]] == [text.term(v.verdict) for v in verdicts]
    assert list(table["行"]) == [2, 4]
    app.radio(key=K.CLAIMS_SOURCE).set_value("dataset").run()
    ok(app)
    counts = {code: sum(v.verdict == code for v in claims(ds)) for code in ("consistent", "overstated")}
    for code, n in counts.items():
        label = [m.label for m in app.metric if m.label.endswith(text.term(code))][0]
        assert metric(app, label) == str(n)


def test_field_page(app, ds):
    goto(app, "field")
    empty = next(g for g in gaps(ds) if g.centers == 0 and g.platforms)
    app.selectbox(key=widget(K.FIELD)).select(empty.field_id).run()
    ok(app)
    assert text.t("field.no_center") in texts(app, "warning")
    assert metric(app, "平台") == str(empty.platforms)
    busy = max(gaps(ds), key=lambda g: g.centers)
    app.selectbox(key=widget(K.FIELD)).select(busy.field_id).run()
    ok(app)
    assert metric(app, "中心数") == str(busy.centers) and metric(app, "最高覆盖率") == pct(busy.best_ratio)
    app.checkbox(key=K.FIELD_UNREACHED).check().run()
    assert len(app.dataframe[0].value) == len(busy.unreached_platform_ids)


def test_explorer_search_select_and_filters(app, ds):
    from graphkit.present.views import explore_network

    goto(app, "explorer")
    name = ds.center("C0005").name
    app.text_input(key=K.X_QUERY).input(name).run()
    app.selectbox(key=K.X_HIT).select("C0005").run()
    ok(app)
    assert any(m.startswith(f"**{name}**") for m in texts(app, "markdown"))  # the details of the chosen node
    app.multiselect(key=K.X_FIELDS).set_value([]).run()
    app.slider(key=K.X_CAP).set_value(100).run()
    ok(app)
    v = explore_network(ds, cap=100, keep=("C0005",))
    assert shown("explorer.counts", nodes=len(v.nodes), edges=len(v.edges), matched=v.matched_nodes,
                  matched_edges=v.matched_edges) in texts(app, "caption")
    app.radio(key=K.X_FOREIGN).set_value("foreign").run()
    app.multiselect(key=K.X_GROUPS).set_value(["university", "research_institute"]).run()
    ok(app)
    app.button(key=f"{K.OPEN}:explorer:nbr").click().run()  # "show its neighbourhood" of the selected node
    ok(app)
    assert shown("explorer.focus", name=f"{name} (C0005)") in texts(app, "info")


def test_language_switch_keeps_the_page_and_the_choice(app):
    goto(app, "center")
    app.selectbox(key=widget(K.CENTER)).select("C0036").run()
    app.segmented_control(key=K.LANG).set_value("en").run()
    ok(app)
    assert texts(app, "title")[0] == "Center" and app.selectbox(key=widget(K.CENTER)).value == "C0036"
    assert text.t("center.tab_checks", "en") in [tab.label for tab in app.tabs]


@pytest.mark.parametrize("page", PAGES)
def test_every_selector_through_its_options(app, page):
    """Flip each selectbox, radio, multiselect, slider and checkbox through (up to four of) its options."""
    goto(app, page)
    for kind in ("selectbox", "radio", "multiselect", "slider", "checkbox"):
        for key in [w.key for w in getattr(app, kind) if w.key]:
            found = getattr(app, kind)(key=key)
            if kind == "slider":
                values = [found.min, found.max]
            elif kind == "checkbox":
                values = [True, False]
            else:
                values = list(found.options)[:4]
            for value in values:
                found = [w for w in getattr(app, kind) if w.key == key]
                if not found:  # the widget went away (e.g. a search box emptied its results)
                    break
                found = found[0]
                if found.disabled:  # as a browser user: a disabled widget cannot be changed
                    break
                if kind == "selectbox":
                    found.select_index(list(found.options).index(value)).run()
                elif kind == "radio":
                    found.set_value(next(o for o in found.options if str(o) == str(value))).run()
                elif kind == "multiselect":
                    found.set_value([value]).run()
                else:
                    found.set_value(value).run()
                ok(app)
    app.segmented_control(key=K.LANG).set_value("en").run()
    ok(app)


def test_catalog_is_complete_in_both_languages():
    from graphkit.io.load import STAGES
    from graphkit.present.heatmap import GROUPINGS, ORDERS
    from graphkit.present.metrics import METRICS

    used = set()
    for path in [ROOT / "app.py", *sorted((ROOT / "app_pages").glob("*.py"))]:
        used |= set(re.findall(r"""\bt\(\s*["']([\w.]+)["']""", path.read_text(encoding="utf-8")))
    # keys built at run time: every member of each family
    used |= {f"nav.{p}" for p in PAGES} | {f"{p}.title" for p in PAGES} | {f"order.{o}" for o in ORDERS}
    used |= {f"group.{g}" for g in GROUPINGS} | {f"metric.{m}" for m in ("none", *METRICS)}
    used |= {f"net.mode_{m}" for m in ("size", "color")} | {f"net.note_{m}" for m in ("size", "color")}
    used |= {f"data.stage_{s}" for s in STAGES}
    used |= {f"minimal.{m}" for m in (True, False, None)} | {f"center.report_{f}" for f in ("html", "md")}
    used |= {f"claims.source_{s}" for s in ("upload", "dataset")} | {f"explorer.foreign_{v}" for v in ("any", "domestic", "foreign")}
    used |= {f"format.{f}" for f in ("turtle", "jsonld", "graphml", "gexf", "csv", "xlsx")}
    used |= {f"col.{c}" for c in ("member_id", "name", "group", "province", "country", "role", "joined", "shareholder", "platforms")}
    assert used <= set(text.TEXT), sorted(used - set(text.TEXT))
    for key, (zh, en) in text.TEXT.items():
        assert zh and en, key
        assert sorted(re.findall(r"{(\w+)}", zh)) == sorted(re.findall(r"{(\w+)}", en)), key


def test_app_code_rules():
    """No HTML from user data, no CSS aimed at Streamlit's generated classes, session keys only from K."""
    for path in [ROOT / "app.py", *sorted((ROOT / "app_pages").glob("*.py"))]:
        source = path.read_text(encoding="utf-8")
        assert "unsafe_allow_html" not in source and "st.html" not in source, path
        assert not re.search(r"\.st-|data-testid|<style", source), path
        assert not re.search(r"""key=["']""", source), f"{path}: a widget key that is not from app_pages.state.K"
        assert not re.search(r"""session_state\[["']""", source), f"{path}: a session key that is not from K"
    config = (ROOT / ".streamlit" / "config.toml").read_text(encoding="utf-8")
    assert re.search(r"^gatherUsageStats = false", config, re.M)


def test_neo4j_unreachable_server_is_a_message_not_a_crash(app):
    goto(app, "data")
    app.text_input(key=K.NEO4J_URI).input("bolt://127.0.0.1:9").run()  # nothing listens on port 9
    app.button(key="FormSubmitter:" + K.NEO4J_FORM + "-" + text.t("neo4j.query")).click().run()
    ok(app)
    errors = texts(app, "error")
    assert errors and (errors[0].startswith("服务器操作失败") or errors[0] == text.t("neo4j.missing")), errors


@pytest.mark.parametrize("uri, password", [("bolt://neo4j:secretpw@127.0.0.1:9", ""),
                                           ("bolt://127.0.0.1:9", "secretpw"), ("bolt://127.0.0.1:9:x", "secretpw")])
def test_neo4j_form_never_shows_the_password(app, uri, password):
    goto(app, "data")
    app.text_input(key=K.NEO4J_URI).input(uri)
    app.text_input(key=K.NEO4J_PASSWORD).input(password)
    app.button(key="FormSubmitter:" + K.NEO4J_FORM + "-" + text.t("neo4j.query")).click().run()
    ok(app)
    shown = [t for kind in ("error", "success", "markdown", "caption", "info", "warning") for t in texts(app, kind)]
    assert texts(app, "error"), shown
    assert not any("secretpw" in t for t in shown), shown


@pytest.mark.bolt
def test_neo4j_push_then_query_on_the_server(monkeypatch, bolt_server, bolt_uri, bolt_auth, tmp_path):
    """The data page pushes the loaded data to a real Bolt server and runs the gap query there: same answer."""
    pytest.importorskip("graphkit.neo4j")

    tiny = ROOT / "tests" / "fixtures" / "tiny_full"
    monkeypatch.setenv("GRAPHKIT_DATA", str(tiny))
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=180).run()
    goto(at, "data")
    at.text_input(key=K.NEO4J_URI).input(bolt_uri)
    at.text_input(key=K.NEO4J_USER).input(bolt_auth["user"] or "")
    if bolt_auth["password"]:
        at.text_input(key=K.NEO4J_PASSWORD).input(bolt_auth["password"])
    at.button(key="FormSubmitter:" + K.NEO4J_FORM + "-" + text.t("neo4j.push")).click().run()
    ok(at)
    assert text.t("neo4j.pushed") in texts(at, "success"), texts(at, "error")
    at.button(key="FormSubmitter:" + K.NEO4J_FORM + "-" + text.t("neo4j.query")).click().run()
    ok(at)
    table = [d.value for d in at.dataframe if "union_ratio" in d.value.columns][0]
    assert list(table["field_id"]) == [g.field_id for g in gaps(load_dataset(tiny))]
    assert list(table["platforms"]) == [g.platforms for g in gaps(load_dataset(tiny))]


def test_the_default_data_comes_from_env_or_the_command_line(monkeypatch):
    from app_pages import loading

    monkeypatch.delenv("GRAPHKIT_DATA", raising=False)
    monkeypatch.setattr(sys, "argv", ["app.py"])
    assert loading.default_source() == SAMPLE
    monkeypatch.setattr(sys, "argv", ["app.py", "--data", "/srv/mic"])  # streamlit run app.py -- --data /srv/mic
    assert loading.default_source() == Path("/srv/mic")
    monkeypatch.setattr(sys, "argv", ["app.py", "/srv/other"])
    assert loading.default_source() == Path("/srv/other")
    monkeypatch.setenv("GRAPHKIT_DATA", "/srv/env")
    assert loading.default_source() == Path("/srv/env")


def test_missing_default_data_explains_itself(monkeypatch, tmp_path):
    monkeypatch.setenv("GRAPHKIT_DATA", str(tmp_path / "nowhere"))
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60).run()
    ok(at)
    assert texts(at, "error") == [shown("data.no_default", path=str(tmp_path / "nowhere"))]
    goto(at, "data")  # the data page explains too, and lets the user upload a dataset
    assert texts(at, "error") == [shown("data.no_default", path=str(tmp_path / "nowhere"))]
    at.file_uploader(key=K.UPLOAD).set_value(("tiny.zip", zipped(ROOT / "tests" / "fixtures" / "tiny_full"),
                                              "application/zip")).run()
    ok(at)
    assert shown("data.in_use", name="tiny.zip") in texts(at, "caption") and not at.error


HOSTILE_NAME = "![x](http://evil.example/t.png) [点我](javascript:alert(1)) <b>粗</b> :material/home: $x$"


def test_names_from_the_data_stay_plain_text(monkeypatch, tmp_path):
    """A name that is Markdown (an image that would be fetched, a link, HTML, an icon, LaTeX) is shown as text."""
    import shutil

    folder = tmp_path / "hostile"
    shutil.copytree(ROOT / "tests" / "fixtures" / "tiny_full", folder)
    for name, old in (("centers.csv", "测试中心"), ("organizations.csv", "运营公司"), ("fields.csv", "动力电池")):
        path = folder / name
        path.write_text(path.read_text(encoding="utf-8").replace(old, '"' + HOSTILE_NAME + '"'), encoding="utf-8")
    ds = load_dataset(folder)
    assert ds.center("C1").name == HOSTILE_NAME and ds.organization("O1").name == HOSTILE_NAME
    monkeypatch.setenv("GRAPHKIT_DATA", str(folder))
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120).run()
    for page in PAGES:
        goto(at, page)
        if page == "explorer":
            at.text_input(key=K.X_QUERY).input("O1").run()
            at.selectbox(key=K.X_HIT).select("O1").run()
        if page == "field":
            at.selectbox(key=widget(K.FIELD)).select("F23").run()
        ok(at)
        rendered = [(kind, str(e.value)) for kind in ("markdown", "caption", "title", "subheader", "header", "info",
                                                      "warning", "error", "success") for e in getattr(at, kind)]
        rendered += [("expander", e.label) for e in at.expander] + [("metric", m.label) for m in at.metric]
        for kind, value in rendered:
            for raw in ("](http", "](javascript", "<b>", ":material/home:", "$x$"):
                assert raw not in value, (page, kind, value)
        if page in ("center", "explorer"):
            assert any("evil" in v for _, v in rendered), page  # the name is there, escaped


def test_claims_intake_settle_an_ambiguous_name(app, ds):
    """Upload an application by names → every name's resolution → settle the ambiguous one → checks and verdicts."""
    from conftest import application_bytes

    orgs = ds.frames["organizations"]
    target = orgs[(orgs["name"].str.len() >= 14) & (orgs["kind"] == "enterprise")].iloc[0]
    near = target["name"][:6] + target["name"][7:]  # one character dropped: a close match (≥ 0.92), never a guess
    book = application_bytes({
        "中心": [["案卷编号", "中心名称", "级别", "领域", "省份", "依托公司"], ["T1", "测试中心", "省级", "机器人", "辽宁", "测试依托有限公司"]],
        "联盟成员": [["名称", "类型", "角色"], ["哈尔滨工业大学", "高校", "成员"], [near, "企业", "成员"], ["测试依托有限公司", "企业", "理事长单位"]],
        "申报声明": [["声明", "取值"], ["成员数", "3"], ["覆盖率", "90%"]],
    })
    goto(app, "claims")
    app.file_uploader(key=K.CLAIMS_UPLOAD).set_value(("申报书.xlsx", book, "application/octet-stream")).run()
    ok(app)
    table = app.dataframe[0].value
    assert list(table["名称"]) == ["测试依托有限公司", "哈尔滨工业大学", near, "测试依托有限公司"]
    assert list(table["匹配方式"]) == ["新建机构", "名称完全一致", "有歧义", "新建机构"]
    assert list(table["匹配到"])[:2] == ["测试依托有限公司 (T1-1)", "哈尔滨工业大学 (O000030)"]
    assert texts(app, "info")[-1] == text.t("intake.pending", n=1)
    settle = app.selectbox(key=f"{K.CLAIMS_SETTLE}:0")
    assert settle.options[0] == "请选择……" and settle.options[-1] == text.t("intake.new")
    assert settle.options[1] == f"{target['name']} ({target['org_id']}, 0.97)"
    settle.set_value(target["org_id"]).run()
    ok(app)
    table = app.dataframe[0].value
    assert list(table["匹配方式"])[2] == "评审决定" and list(table["匹配到"])[2] == f"{target['name']} ({target['org_id']})"
    verdicts = next(d.value for d in app.dataframe if "结论" in d.value.columns)
    assert list(verdicts.columns[:2]) == ["行", "结论"]  # the verdict beside the row, visible at 1440 px
    assert [v.split(" ", 1)[1] for v in verdicts["结论"]] == ["一致", "高报"]
    assert metric(app, "覆盖率") == "2.4%"  # F03: 哈尔滨工业大学 hosts 1 of its 42 platforms (P000701, a ROR lab)
    assert K.UPLOADED not in app.session_state or app.session_state[K.UPLOADED] is None  # the loaded data is untouched
    app.button(key=K.CLAIMS_USE).click().run()
    ok(app)
    assert app.session_state[K.UPLOADED]["dataset"].center("T1").name == "测试中心"


# ---- issue 12: readable by a reviewer -------------------------------------------------------------------------

def _examples(key: str) -> list[str]:
    """The examples a placeholder names ("如：哈工大、机器人" → ["哈工大", "机器人"])."""
    return text.t(key).split("：", 1)[1].split("、")


@pytest.mark.parametrize("page, box, hit", [("explorer", K.X_QUERY, K.X_HIT), ("whatif", K.W_QUERY, K.W_PICK)])
def test_search_finds_the_placeholders_examples_and_says_no_hit_in_chinese(app, page, box, hit):
    goto(app, page)
    examples = _examples("explorer.search_hint")
    assert examples == ["哈工大", "机器人"]
    for example in examples:
        app.text_input(key=box).input(example).run()
        ok(app)
        assert app.selectbox(key=hit).options, example  # something found
        if example == "哈工大":  # the short form finds the full name (the sample has no such alias)
            assert [o.split(" ")[0] for o in app.selectbox(key=hit).options] == ["哈尔滨工业大学"]
    app.text_input(key=box).input("zzzz").run()
    ok(app)  # was KeyError: 0 and Streamlit's English error page
    message = "explorer.no_hit_msg" if page == "explorer" else "whatif.no_hit_msg"
    assert shown(message, query="zzzz") in texts(app, "info")
    assert not app.selectbox(key=hit).options


def test_explorer_by_province_keeps_the_centers_and_their_edges(app):
    goto(app, "explorer")  # its default field: X01 (the field of the first center)
    app.multiselect(key=K.X_PROVINCES).set_value(["北京"]).run()
    ok(app)
    # was "显示 ... 0 条边": the centers that 北京 organisations belong to stay, and so do their edges
    assert shown("explorer.counts", nodes=24, edges=24, matched=24, matched_edges=24) in texts(app, "caption")


def test_language_switch_shows_every_choice_in_the_new_language(app):
    """The browser keeps a select's choice as the text it showed: after a switch the app must send the choice again,
    in the new language (else the radio shows nothing selected while its filter stays on)."""
    goto(app, "explorer")
    app.radio(key=K.X_FOREIGN).set_value("foreign").run()
    app.multiselect(key=K.X_GROUPS).set_value(["university"]).run()
    app.segmented_control(key=K.LANG).set_value("en").run()
    ok(app)
    radio = app.radio(key=K.X_FOREIGN)
    assert (radio.value, radio.proto.set_value, radio.proto.raw_value) == ("foreign", True, "foreign")
    groups = app.multiselect(key=K.X_GROUPS)
    assert (groups.value, groups.proto.set_value, list(groups.proto.raw_values)) == (["university"], True, ["university"])
    fields = app.multiselect(key=K.X_FIELDS)
    assert list(fields.proto.raw_values) == ["X01 Power batteries"]  # was still "X01 动力电池"
    goto(app, "overview")
    app.selectbox(key=K.HEAT_ORDER).select("best").run()
    app.segmented_control(key=K.LANG).set_value("zh").run()
    ok(app)
    order = app.selectbox(key=K.HEAT_ORDER)
    assert (order.value, order.proto.set_value, order.proto.raw_value) == ("best", True, "本领域覆盖率从高到低")


def test_headline_counts_provincial_centers_and_thousands_separators(app):
    goto(app, "overview")
    assert metric(app, "省级中心全部达标") == "1/20"
    assert "另有 27 个已是国家级中心" in texts(app, "caption")
    assert metric(app, "机构") == "2,361"
    assert "47 个创新中心 · 2,361 家机构 · 776 个平台" in texts(app, "caption")


def _heatmap_spec(at) -> dict:
    import json

    charts = [e for e in at.main if getattr(e, "type", "") == "vega_lite_chart"]
    assert len(charts) == 1
    return json.loads(charts[0].proto.spec)


def test_heat_map_labels_rows_names_fields_and_groups(app):
    goto(app, "overview")
    spec = _heatmap_spec(app)
    layers = spec["layer"]
    assert [layer["encoding"]["x"]["field"] for layer in layers] == ["field"] * 3  # field names, not ids
    assert layers[0]["encoding"]["y"]["axis"]["labelOverlap"] is False  # every row keeps its label
    assert layers[1]["mark"]["color"] == "#bdbdbd"  # a field without platforms is grey
    assert text.t("overview.heat_more", shown="40", total="47") in texts(app, "caption")
    app.selectbox(key=K.HEAT_GROUP).select("province").run()
    ok(app)
    assert app.text_input(key=K.HEAT_QUERY).disabled
    app.selectbox(key=K.HEAT_GROUP).select("center").run()
    app.text_input(key=K.HEAT_QUERY).input("zzzz").run()
    assert text.t("overview.heat_none") in texts(app, "info")


def test_codes_shown_in_words_and_the_real_upload_limit(app):
    goto(app, "center")
    app.selectbox(key=widget(K.CENTER)).select("C0005").run()
    ok(app)
    countries = [d.value for d in app.dataframe if "国家/地区" in d.value.columns and "数量" in d.value.columns][0]
    assert "US" not in set(countries["国家/地区"]) and "中国" in set(countries["国家/地区"])
    first = app.dataframe[0].value
    assert "2017-64" not in " ".join(first["要求"]) and "64号文附件布局（22 个领域）" in list(first["要求"])
    goto(app, "data")
    warnings = " ".join(m for d in app.dataframe if "问题" in d.value.columns for m in d.value["问题"])
    assert "reorganized" not in warnings and "revoked" not in warnings and "平台状态为 重组" in warnings
    uploader = app.get("file_uploader")[0].proto
    # Streamlit prints max_upload_size itself ("500MB per file"): the label and the limit say the same
    assert (uploader.label, uploader.max_upload_size_mb) == ("选择文件（单个文件不超过 500 MB；zip 解压后合计也不超过）", 500)


def test_a_review_recorded_exported_reloaded(monkeypatch, app):
    from graphkit.present.review import assessments_csv_bytes

    goto(app, "center")
    app.selectbox(key=widget(K.CENTER)).select("C0001").run()
    assert app.expander[1].label == "✎ 2 · 面向重大需求、突出协同创新 — 待评审"
    app.selectbox(key=K.R_CHECK).select("2")
    app.radio(key=K.R_STATUS).set_value("not_met")
    app.text_area(key=K.R_NOTE).input("需求论证不足")
    submit = [b for b in app.button if b.proto.form_id][0]
    submit.click().run()
    assert texts(app, "error") == [text.t("review.need_name")]  # a decision names its reviewer
    app.text_input(key=K.R_NAME).input("张三")
    [b for b in app.button if b.proto.form_id][0].click().run()
    ok(app)
    assert app.expander[1].label == "✘ 2 · 面向重大需求、突出协同创新 — 不符合"
    table = [d.value for d in app.dataframe if "评审人" in d.value.columns][0]
    assert table.to_dict("records") == [{"创新中心": "国家动力电池创新中心 (C0001)", "条件": "2 面向重大需求、突出协同创新",
                                         "评审结论": "✘ 不符合", "评审人": "张三", "日期": TODAY, "说明": "需求论证不足",
                                         "证据": ""}]
    # another session reloads the exported table on the data page: the decision holds there too
    exported = assessments_csv_bytes([{"center_id": "C0001", "check_id": "2", "status": "not_met", "assessor": "张三",
                                       "date": TODAY, "note": "需求论证不足"}])
    other = goto(start(monkeypatch), "data")
    other.file_uploader(key=K.R_UPLOAD_DATA).set_value(("assessments.csv", exported, "text/csv")).run()
    ok(other)
    assert shown("review.loaded", name="assessments.csv", n=1) in texts(other, "success")
    goto(other, "center").selectbox(key=widget(K.CENTER)).select("C0001").run()
    assert other.expander[1].label == "✘ 2 · 面向重大需求、突出协同创新 — 不符合"
    # a bad table: every problem, nothing taken
    bad = "center_id,check_id,status\nC0001,99,ok\n".encode()
    third = goto(start(monkeypatch), "data")
    third.file_uploader(key=K.R_UPLOAD_DATA).set_value(("bad.csv", bad, "text/csv")).run()
    ok(third)
    assert texts(third, "error") == [shown("review.rejected", name="bad.csv", errors=2)]
    assert third.code[-1].value.splitlines()[1] == "bad.csv:2:status: 取值 ok 无效，应为：met / not_met"


def test_network_views_by_metric_without_labels(app):
    goto(app, "explorer")
    app.selectbox(key=f"{K.NET_METRIC}:{K.X_CLICK}").select("coverage").run()
    app.radio(key=f"{K.NET_MODE}:{K.X_CLICK}").set_value("color").run()
    app.toggle(key=f"{K.NET_LABELS}:{K.X_CLICK}").set_value(False).run()
    ok(app)
    import json

    component = [e for e in app.main if getattr(e, "type", "") == "component_instance"]
    args = json.loads(component[0].proto.json_args)
    assert "节点颜色：本领域覆盖率（中心），0%（浅）至 100%（深）；灰色为无此指标" in args["html"]
    graph = json.loads(args["html"].split('id="gk-data">', 1)[1].split("</script>", 1)[0])
    assert {n["label"] for n in graph["nodes"]} == {" "}


def test_real_center_says_its_failing_facts_are_synthetic(app):
    """Issue 11 item 5: 国家印刷及柔性显示创新中心 (C0003) fails 4.2 on synthetic shareholders and rankings."""
    goto(app, "center")
    app.selectbox(key=widget(K.CENTER)).select("C0003").run()
    ok(app)
    warnings = [w for w in texts(app, "warning") if "依据的以下事实" in w]
    assert warnings == ["该项结果依据的以下事实为合成数据（不是该中心的真实情况）：股东 4/6 行；领域排名 30/30 行。"]
    # a synthetic center gets the page-level warning instead, never the per-check one
    app.selectbox(key=widget(K.CENTER)).select("C0040").run()
    ok(app)
    assert not [w for w in texts(app, "warning") if "依据的以下事实" in w]
    assert text.t("center.synthetic") in texts(app, "warning")


def test_overview_banner_says_what_is_real(app):
    goto(app, "overview")
    # as the page shows them: md()'s escapes (a backslash, a word joiner after each colon) are not seen
    captions = [c.replace("\\", "").replace("\u2060", "") for c in texts(app, "caption") if c.startswith("真实部分")]
    assert len(captions) == 1
    assert "国家级平台: ROR 机构登记（CC0） 299；" in captions[0]
    assert "机构: 公开网页（见各行 source） 105、ROR 机构登记（CC0） 249、A 股上市公司名单（tushare，CC-BY 4.0） 488、" in captions[0]
    assert "股东: 公开网页（见各行 source） 50；联盟成员: 公开网页（见各行 source） 48。" in captions[0]
