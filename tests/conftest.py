"""Shared fixtures: small named datasets written as CSV, and helpers to run the real CLI.

``make_dataset(tmp_path, centers=[...], organizations=[...])`` writes one CSV per keyword (a list of dicts, or
CSV text) and loads it; ``write_dataset`` only writes the folder (for the CLI). ``eligible_tables()`` is the
named dataset every check test starts from: one center, C1, that meets every computed check exactly at its
threshold (coverage 2/4, R&D staff 50/100, R&D expense 300/1000, 5 provinces, 2 top-10 shareholders, founded
exactly 2 years before ``AS_OF``), with the four attested checks assessed as met.
"""

from __future__ import annotations

import copy
import csv
import io
import json
import os
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
# Test modules share helpers across layers (test_hostile uses test_cypher's query list, …): every test folder is
# importable whichever subset of the suite runs, not only when pytest happened to collect that folder first.
for _folder in sorted(p for p in Path(__file__).resolve().parent.iterdir() if p.is_dir() and p.name != "fixtures"):
    if str(_folder) not in sys.path:
        sys.path.append(str(_folder))
DATA = Path(__file__).resolve().parent / "fixtures"
AS_OF = "2024-06-30"

# the corpus builders (tests/fixtures/**/build.py) are loaded by the tests that use them, not collected as modules
collect_ignore_glob = ["fixtures/*"]


# ---- writing and loading datasets ------------------------------------------------------------------------

def _csv_text(rows, name: str = "") -> str:
    """CSV text from a list of dicts (columns in order of first appearance; missing keys are empty).

    An empty list gives a header-only file with the contract's columns.
    """
    if isinstance(rows, str):
        return rows
    if not rows:
        from graphkit.model.schema import TABLES

        return ",".join(TABLES[name].column_names) + "\n"
    columns: list[str] = []
    for row in rows:
        for key in row:
            if key not in columns:
                columns.append(key)
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow(["" if row.get(c) is None else row.get(c) for c in columns])
    return buf.getvalue()


def write_dataset(folder: Path, **tables) -> Path:
    """Write ``<name>.csv`` for every keyword (a list of dicts, CSV text or bytes) into ``folder``."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    for name, rows in tables.items():
        path = folder / f"{name}.csv"
        if isinstance(rows, bytes):
            path.write_bytes(rows)
        else:
            path.write_text(_csv_text(rows, name), encoding="utf-8")
    return folder


def make_dataset(tmp_path: Path, **tables):
    """Write the tables under ``tmp_path/data`` and load them (raises InvalidDatasetError when invalid)."""
    from graphkit import load_dataset

    return load_dataset(write_dataset(Path(tmp_path) / "data", **tables))


# ---- the real CLI ------------------------------------------------------------------------------------------

class CliResult:
    """What one in-process ``graphkit`` run produced."""

    def __init__(self, result):
        self.exit_code = result.exit_code
        self.stdout = result.stdout
        self.stderr = result.stderr
        self.exception = result.exception

    def json(self):
        return json.loads(self.stdout)


def run_cli(*args) -> CliResult:
    """Run ``graphkit ARGS`` in-process through click (the same code path as the console script)."""
    from click.testing import CliRunner

    from graphkit.cli import cli

    result = CliRunner().invoke(cli, [str(a) for a in args], catch_exceptions=True)
    return CliResult(result)


def cli_json(*args, exit_code: int = 0):
    """Run a command with ``--format json --lang en`` and return the parsed stdout (asserting the exit code)."""
    r = run_cli(*args, "--format", "json", "--lang", "en")
    assert r.exit_code == exit_code, (r.exit_code, r.stdout, r.stderr, r.exception)
    return r.json()


# ---- named datasets ----------------------------------------------------------------------------------------

_ELIGIBLE = {
    "centers": [{
        "center_id": "C1", "name": "甲创新中心", "level": "provincial", "field_id": "F03", "province": "辽宁",
        "city": "沈阳", "operating_company_id": "OPCO", "founded": "2022-06-30", "year": "2023",
        "employees": "100", "rd_staff": "50", "total_cost": "1000", "rd_expense": "300",
        "has_board": "true", "has_management_team": "true", "has_expert_committee": "true",
        "committee_chair": "张三", "chair_is_leading_expert": "true", "has_roadmap": "true",
        "roadmap_year": "2021", "has_ip_policy": "true",
    }],
    "organizations": [
        {"org_id": "OPCO", "name": "甲公司", "kind": "enterprise", "country": "CN", "province": "辽宁", "is_sme": "no"},
        {"org_id": "E1", "name": "骨干企业一", "kind": "enterprise", "country": "CN", "province": "北京", "is_sme": "no"},
        {"org_id": "E2", "name": "骨干企业二", "kind": "enterprise", "country": "CN", "province": "上海", "is_sme": "no"},
        {"org_id": "E3", "name": "企业三", "kind": "enterprise", "country": "CN", "province": "天津", "is_sme": "no"},
        {"org_id": "INV", "name": "产业基金", "kind": "investor", "country": "CN", "province": "北京"},
        {"org_id": "U1", "name": "大学一", "kind": "university", "country": "CN", "province": "江苏"},
        {"org_id": "R1", "name": "研究院一", "kind": "research_institute", "country": "CN", "province": "广东"},
        {"org_id": "US1", "name": "用户一", "kind": "user", "country": "CN", "province": "辽宁"},
        {"org_id": "X1", "name": "外部大学", "kind": "university", "country": "CN", "province": "湖北"},
        {"org_id": "X2", "name": "外部研究所", "kind": "research_institute", "country": "CN", "province": "四川"},
        {"org_id": "FX", "name": "德国研究所", "kind": "research_institute", "country": "DE", "province": ""},
        {"org_id": "SME1", "name": "小企业", "kind": "enterprise", "country": "CN", "province": "浙江", "is_sme": "yes"},
    ],
    "shareholders": [
        {"center_id": "C1", "org_id": "E1", "share_pct": "40", "capital": "400"},
        {"center_id": "C1", "org_id": "E2", "share_pct": "30", "capital": "300"},
        {"center_id": "C1", "org_id": "INV", "share_pct": "30", "capital": "300"},
    ],
    "alliance_members": [
        {"center_id": "C1", "member_id": "OPCO", "role": "chair"},
        {"center_id": "C1", "member_id": "E1", "role": "council"},
        {"center_id": "C1", "member_id": "E2", "role": "member"},
        {"center_id": "C1", "member_id": "INV", "role": "member"},
        {"center_id": "C1", "member_id": "U1", "role": "member"},
        {"center_id": "C1", "member_id": "R1", "role": "member"},
        {"center_id": "C1", "member_id": "US1", "role": "user"},
    ],
    "platforms": [
        {"platform_id": "P1", "name": "机器人学国家重点实验室", "kind": "state_key_lab", "field_ids": "F03", "host_ids": "U1", "approved": "2007", "status": "active"},
        {"platform_id": "P2", "name": "机器人国家工程实验室", "kind": "national_engineering_lab", "field_ids": "F03", "host_ids": "R1", "approved": "2010", "status": "active"},
        {"platform_id": "P3", "name": "智能装备国家工程研究中心", "kind": "national_engineering_research_center", "field_ids": "F03", "host_ids": "X1", "approved": "2012", "status": "active"},
        {"platform_id": "P4", "name": "伺服国家工程技术研究中心", "kind": "national_engineering_technology_research_center", "field_ids": "F03", "host_ids": "X2", "approved": "2014", "status": "active"},
    ],
    "field_rankings": [
        {"org_id": "E1", "field_id": "F03", "rank": "1", "year": "2023"},
        {"org_id": "E2", "field_id": "F03", "rank": "10", "year": "2023"},
        {"org_id": "E3", "field_id": "F03", "rank": "11", "year": "2023"},
    ],
    "collaborations": [
        {"from_id": "C1", "to_id": "E1", "kind": "joint_rd", "year": "2023", "project": "路线图项目一"},
        {"from_id": "C1", "to_id": "U1", "kind": "joint_rd", "year": "2023", "project": "路线图项目一"},
        {"from_id": "C1", "to_id": "FX", "kind": "joint_rd", "year": "2023", "project": "路线图项目一"},
        {"from_id": "OPCO", "to_id": "SME1", "kind": "tech_transfer", "year": "2023", "project": ""},
    ],
    "income": [
        {"center_id": "C1", "year": "2023", "stream": "tech_transfer", "amount": "100"},
        {"center_id": "C1", "year": "2023", "stream": "testing", "amount": "50"},
        {"center_id": "C1", "year": "2023", "stream": "government", "amount": "500"},
        {"center_id": "C1", "year": "2022", "stream": "contract_rd", "amount": "80"},
    ],
    "assessments": [
        {"center_id": "C1", "check_id": cid, "status": "met", "assessor": "专家甲", "date": "2024-05-01", "note": "", "evidence": "现场核查"}
        for cid in ("2", "3", "5.2", "10.1")
    ],
}


def eligible_tables() -> dict[str, list[dict]]:
    """A fresh deep copy of the named dataset "eligible" (see the module docstring)."""
    return copy.deepcopy(_ELIGIBLE)


def minimal_tables() -> dict[str, list[dict]]:
    """The smallest valid dataset: one center and its operating company."""
    return {
        "centers": [{"center_id": "C1", "name": "中心一", "level": "provincial", "field_id": "F03", "province": "辽宁", "operating_company_id": "O1"}],
        "organizations": [{"org_id": "O1", "name": "公司一", "kind": "enterprise", "country": "CN", "province": "辽宁"}],
    }


@pytest.fixture
def eligible_dir(tmp_path) -> Path:
    """The "eligible" dataset written as a CSV folder."""
    return write_dataset(tmp_path / "eligible", **eligible_tables())


@pytest.fixture
def eligible(tmp_path):
    """The "eligible" dataset loaded."""
    return make_dataset(tmp_path, **eligible_tables())


@pytest.fixture
def tiny_dir() -> Path:
    """The checked-in tiny dataset (tests/fixtures/tiny)."""
    return DATA / "tiny"


# ---- a Bolt server (graphkit.testing) ----------------------------------------------------------------------

#: The password of the session's Neo4j (authentication is on there, as on any real deployment).
NEO4J_TEST_PASSWORD = "graphkit-test-pw"


@pytest.fixture(scope="session", params=["falkordb", "neo4j"])
def bolt_server(request):
    """The session's Bolt server, once per kind: a local FalkorDB, then a local Neo4j 5 Community with
    authentication on (a ``graphkit.testing`` server; one per session, it takes ~10 s to start). The Neo4j
    run is skipped with the reason where Java or Maven is missing, unless ``GRAPHKIT_REQUIRE_NEO4J=1``.
    With ``NEO4J_URI`` set the neo4j run uses that server instead and this yields None."""
    if request.param == "falkordb":
        from graphkit.testing import falkordb_server

        with falkordb_server() as server:
            yield server
        return
    if os.environ.get("NEO4J_URI"):
        yield None
        return
    from graphkit.testing import neo4j_available, neo4j_server

    if reason := neo4j_available():
        if os.environ.get("GRAPHKIT_REQUIRE_NEO4J") == "1":
            pytest.fail(f"Neo4j is required (GRAPHKIT_REQUIRE_NEO4J=1) but cannot run: {reason}")
        pytest.skip(f"no local Neo4j: {reason}")
    with neo4j_server(auth_password=NEO4J_TEST_PASSWORD) as server:
        yield server


@pytest.fixture(scope="session")
def bolt_uri(bolt_server) -> str:
    """``NEO4J_URI`` when set (auth from ``NEO4J_USER`` / ``NEO4J_PASSWORD``), else the local server's URI."""
    return os.environ["NEO4J_URI"] if bolt_server is None else bolt_server.uri


@pytest.fixture(scope="session")
def _bolt_session_driver(bolt_server, bolt_uri):
    from graphkit.testing import bolt_driver as make_driver

    user, password = getattr(bolt_server, "user", None), getattr(bolt_server, "password", None)
    if bolt_server is None:
        user, password = os.environ.get("NEO4J_USER"), os.environ.get("NEO4J_PASSWORD")
    with make_driver(bolt_uri, user, password) as driver:
        yield driver


@pytest.fixture
def bolt_driver(bolt_server, _bolt_session_driver):
    """The session's neo4j driver; fails the test with the server log if the local server died."""
    from graphkit.testing import server_died_message

    if message := server_died_message(bolt_server):
        pytest.fail(f"the Bolt server died in an earlier test: {message}")
    yield _bolt_session_driver
    if message := server_died_message(bolt_server):
        pytest.fail(message)


def _org(org_id, kind="university", province="北京", country="CN", **extra):
    return {"org_id": org_id, "name": extra.pop("name", f"机构{org_id}"), "kind": kind, "country": country,
            "province": province if country == "CN" else "", **extra}


def _plat(pid, fields, hosts, kind="state_key_lab", status="active", name=None):
    return {"platform_id": pid, "name": name or f"平台{pid}", "kind": kind, "field_ids": fields, "host_ids": hosts, "status": status}


def _center(cid, field_id, opco, province="辽宁"):
    return {"center_id": cid, "name": f"中心{cid}", "level": "provincial", "field_id": field_id, "province": province,
            "operating_company_id": opco}


def _members(cid, *ids):
    return [{"center_id": cid, "member_id": m, "role": "member"} for m in ids]


def coverage_tables() -> dict[str, list[dict]]:
    """The named dataset "fields": five centers in F03, F05, F06, platforms of every status and kind.

    F03 counts P01 P02 P03 P04 P07 (P05 revoked, P09 reorganised, P06 other_national are not counted).
    CA (F03) reaches P01 via H1, P03 via H3 and H4 (two hosts, counted once), P07 as a member itself; its
    shareholder S1 hosts P04 but is not a member: 3/5. CB (F03) reaches P02: 1/5. CE and CC (F06, CE listed
    first) both reach P03 (also in F06) and P08: 2/2. CD (F05) is in a field with no platform. F07 has no
    center: P10 is reached by CA (a center of another field), P11 by no center at all.
    """
    hosts = ["H1", "H2", "H3", "H4", "H5"]
    return {
        "centers": [_center("CA", "F03", "OA"), _center("CB", "F03", "OB"), _center("CE", "F06", "OE"),
                    _center("CC", "F06", "OC"), _center("CD", "F05", "OD")],
        "organizations": [_org(o, "enterprise") for o in ("OA", "OB", "OC", "OD", "OE")]
        + [_org(h) for h in hosts] + [_org("S1", "enterprise"), _org("N1", "research_institute")],
        "platforms": [
            _plat("P01", "F03", "H1"),
            _plat("P02", "F03", "H2", "national_engineering_lab"),
            _plat("P03", "F03|F06", "H3|H4", "national_engineering_research_center"),
            _plat("P04", "F03", "S1"),
            _plat("P05", "F03", "H1", status="revoked"),
            _plat("P06", "F03", "H1", "other_national"),
            _plat("P07", "F03", "N1", "national_engineering_technology_research_center"),
            _plat("P08", "F06", "H5"),
            _plat("P09", "F03", "H2", status="reorganized"),
            _plat("P10", "F07", "H1"),
            _plat("P11", "F07", "N1"),
        ],
        "alliance_members": _members("CA", "OA", "H1", "H3", "H4", "P07") + _members("CB", "OB", "H2")
        + _members("CE", "OE", "H3", "H5") + _members("CC", "OC", "H5", "H3") + _members("CD", "OD", "H1"),
        "shareholders": [{"center_id": "CA", "org_id": "S1", "share_pct": "20"}, {"center_id": "CA", "org_id": "OA", "share_pct": "80"}],
    }


def reach_tables() -> dict[str, list[dict]]:
    """The named dataset "network": center R (operating company RO) and, two hops away, center Q.

    Hop 1: members M1 M2 and platform PL; shareholder SH (tied to RO); A2 (RO → A2); F1 (R → F1, foreign).
    Hop 2: A1 (A1 → M1, traversed against its direction); Q (PL is also a member of Q).
    Hop 3: B1 (B1 → A1); QM (a member of Q). Hop 4: Z1 (QM → Z1, foreign).
    Never reached: HX (hosts PL: hosting is not a reach edge), QO (Q's operating company: no edge ties a center
    to its company), LONE.
    """
    return {
        "centers": [_center("R", "F03", "RO"), _center("Q", "F06", "QO")],
        "organizations": [
            _org("RO", "enterprise", "辽宁"), _org("M1", "university", "北京"), _org("M2", "enterprise", "上海"),
            _org("SH", "investor", "北京"), _org("A2", "enterprise", "江苏"), _org("F1", "university", country="DE"),
            _org("A1", "research_institute", "北京"), _org("B1", "enterprise", "北京"), _org("QM", "user", "上海"),
            _org("Z1", "enterprise", country="US"), _org("HX", "university", "湖北"), _org("QO", "enterprise", "广东"),
            _org("LONE", "enterprise", "广东"),
        ],
        "platforms": [_plat("PL", "F03", "HX")],
        "alliance_members": _members("R", "M1", "M2", "PL") + _members("Q", "PL", "QM"),
        "shareholders": [{"center_id": "R", "org_id": "SH", "share_pct": "10"}],
        "collaborations": [
            {"from_id": "RO", "to_id": "A2", "kind": "contract_rd"},
            {"from_id": "R", "to_id": "F1", "kind": "exchange"},
            {"from_id": "A1", "to_id": "M1", "kind": "joint_rd"},
            {"from_id": "B1", "to_id": "A1", "kind": "tech_transfer"},
            {"from_id": "QM", "to_id": "Z1", "kind": "joint_rd"},
            {"from_id": "R", "to_id": "SH", "kind": "exchange"},
        ],
    }


@pytest.fixture
def coverage_dir(tmp_path) -> Path:
    return write_dataset(tmp_path / "fields", **coverage_tables())


@pytest.fixture
def reach_dir(tmp_path) -> Path:
    return write_dataset(tmp_path / "network", **reach_tables())


# ---- a real browser (the app's and the network component's browser tests) ----------------------------------

#: Launch arguments for Debian's Chromium: headless, and nothing that phones home.
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]


@pytest.fixture(scope="session")
def chromium() -> str:
    """The path of the system Chromium for Playwright (a browser is never downloaded).

    Without Chromium (or Playwright) the test is skipped — unless ``GRAPHKIT_REQUIRE_BROWSER=1`` (CI sets it),
    where it fails: a browser test that cannot run must not pass as a skip there.
    """
    import importlib.util
    import os
    import shutil

    path = shutil.which("chromium") or shutil.which("chromium-browser")
    missing = [] if path else ["Chromium (Debian package chromium)"]
    if importlib.util.find_spec("playwright") is None:
        missing.append("the playwright Python package")
    if missing:
        reason = "needs " + " and ".join(missing)
        if os.environ.get("GRAPHKIT_REQUIRE_BROWSER") == "1":
            pytest.fail(reason + " (GRAPHKIT_REQUIRE_BROWSER=1)")
        pytest.skip(reason)
    return path


# ---- Cypher engine tests (tests/test_cypher.py) ---------------------------------------------------------------

@pytest.fixture(scope="session")
def bolt_auth(bolt_server) -> dict:
    """Credentials for ``graphkit.neo4j``: none for the local FalkorDB, the local Neo4j's user and password,
    ``NEO4J_USER`` / ``NEO4J_PASSWORD`` for ``NEO4J_URI``."""
    if bolt_server is not None:
        return {"user": getattr(bolt_server, "user", None), "password": getattr(bolt_server, "password", None)}
    return {"user": os.environ.get("NEO4J_USER"), "password": os.environ.get("NEO4J_PASSWORD")}


# ---- application intake (tests/io/test_intake.py, tests/test_cli.py, tests/test_app.py) -----------------------

INTAKE = Path(__file__).parent / "fixtures" / "intake"


def application_bytes(sheets: dict) -> bytes:
    """A workbook with one sheet per key of ``sheets`` (rows as lists), as an applicant would fill it in."""
    import io

    from openpyxl import Workbook

    book = Workbook()
    book.remove(book.active)
    for title, rows in sheets.items():
        ws = book.create_sheet(title)
        for row in rows:
            ws.append(list(row))
    buf = io.BytesIO()
    book.save(buf)
    return buf.getvalue()


@pytest.fixture
def application_sheets() -> dict:
    """The sheets of ``tests/fixtures/intake/application.json`` (names, aliases, brackets, a new foreign partner and
    two ambiguous names, settled by ``decisions.csv``)."""
    import json

    return json.loads((INTAKE / "application.json").read_text(encoding="utf-8"))


@pytest.fixture
def application_file(tmp_path, application_sheets) -> Path:
    path = tmp_path / "app.xlsx"
    path.write_bytes(application_bytes(application_sheets))
    return path


# ---- the snapshot cache ----------------------------------------------------------------------------------

def pytest_configure(config):
    """Snapshots of the test run go to a throwaway folder (inherited by every CLI subprocess), not the user's cache."""
    if not os.environ.get("GRAPHKIT_CACHE_DIR"):
        import tempfile

        os.environ["GRAPHKIT_CACHE_DIR"] = tempfile.mkdtemp(prefix="graphkit-test-cache-")


# ---- the bundled sample, loaded once per session ---------------------------------------------------------------

@pytest.fixture(scope="session")
def sample_dataset():
    """``data/sample`` loaded once for the whole session (tests must not change it; what-if copies are fine)."""
    from graphkit import load_dataset

    if not (ROOT / "data" / "sample" / "centers.csv").exists():
        pytest.skip("data/sample is not there")
    return load_dataset(ROOT / "data" / "sample")


# ---- hypothesis: derandomised in CI (HYPOTHESIS_PROFILE=ci, or CI set), so a run is repeatable ----------------

try:
    from hypothesis import settings as _hypothesis_settings

    _hypothesis_settings.register_profile("ci", derandomize=True, database=None, print_blob=True)
    _hypothesis_settings.register_profile("dev", database=None)
    _hypothesis_settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE") or ("ci" if os.environ.get("CI") else "dev"))
except ImportError:  # pragma: no cover - hypothesis is a test dependency
    pass
