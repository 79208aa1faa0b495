"""graphkit.present.report: the review report in HTML and Markdown, both languages; escaping; offline; the CLI."""

import csv
import html.parser
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

import graphkit
from graphkit.cli import cli
from graphkit.engine import EmbeddedEngine
from graphkit.present import report
from graphkit.present.report import fmt_value, md_escape, render_report, write_report

ROOT = Path(__file__).resolve().parents[2]
TINY = ROOT / "tests" / "fixtures" / "tiny"
SAMPLE = ROOT / "data" / "sample"
AS_OF = "2024-01-01"

HOSTILE = [
    "<script>alert(1)</script>",
    "[x](javascript:alert(1))",
    "<img src=x onerror=alert(1)>",
    "`code` | pipe | **bold** _em_ # head",
    '"><svg onload=alert(1)>',
    "- item\n# heading\n<iframe src=javascript:alert(1)>",
]


# ---- helpers --------------------------------------------------------------------------------------------------

def engine_for(path) -> EmbeddedEngine:
    return EmbeddedEngine(graphkit.load_dataset(path))


@pytest.fixture(scope="module")
def tiny():
    return engine_for(TINY)


def copy_tiny(tmp_path: Path, edit=None, extra: dict | None = None) -> Path:
    """tests/fixtures/tiny copied to tmp_path; ``edit(table, row)`` may change rows; ``extra`` adds tables."""
    out = tmp_path / "data"
    shutil.copytree(TINY, out)
    for path in out.glob("*.csv"):
        with path.open(encoding="utf-8", newline="") as fh:
            rows = list(csv.DictReader(fh))
        header = list(rows[0].keys()) if rows else []
        if edit:
            rows = [r for r in (edit(path.stem, dict(r)) for r in rows) if r is not None]
        write_csv(path, header, rows)
    for name, rows in (extra or {}).items():
        write_csv(out / f"{name}.csv", list(rows[0].keys()), rows)
    return out


def write_csv(path: Path, header: list, rows: list[dict]) -> None:
    with path.open("w", encoding="utf-8", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=header)
        w.writeheader()
        w.writerows(rows)


class Tags(html.parser.HTMLParser):
    """Every start tag with its attributes, and the text."""

    def __init__(self):
        super().__init__()
        self.tags, self.text = [], []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data):
        self.text.append(data)


def parse(page: str) -> Tags:
    t = Tags()
    t.feed(page)
    return t


def assert_safe_html(page: str) -> None:
    low = page.lower()
    assert "<script" not in low and "<img" not in low and "<iframe" not in low and "<svg" not in low
    tags = parse(page).tags
    assert {t for t, _ in tags} <= {"html", "head", "meta", "title", "style", "body", "header", "p", "h1", "h2", "h3",
                                    "dl", "dt", "dd", "span", "code", "div", "strong", "ul", "li", "section", "table",
                                    "thead", "tbody", "tr", "th", "td", "colgroup", "col", "blockquote", "br", "ol", "a"}
    for tag, attrs in tags:
        assert not any(k.startswith("on") for k in attrs), (tag, attrs)
        assert not any(v and "javascript:" in v.lower() for v in attrs.values()), (tag, attrs)


def assert_offline_html(page: str) -> None:
    assert not re.search(r"""(src|href|action|srcset)\s*=\s*["']?\s*(https?:)?//""", page, re.I)
    assert "@import" not in page and "url(" not in page
    assert not re.search(r"<(link|script|img|iframe|object|embed)\b", page, re.I)
    for _, attrs in parse(page).tags:
        href = attrs.get("href")
        assert href is None or href.startswith("#"), href


def unescaped_pipes(line: str) -> int:
    return len(re.findall(r"(?<!\\)\|", line))


def assert_safe_md(md: str) -> None:
    assert "<" not in md, "raw HTML in Markdown"
    assert not re.search(r"(?<!\\)\]\(", md), "a Markdown link"
    for line in md.splitlines():
        if line.startswith("#"):
            assert re.match(r"#{1,3} ", line), line
    # every table keeps its shape: each row has as many cell separators as its header
    block: list[str] = []
    for line in md.splitlines() + [""]:
        if line.startswith("|"):
            block.append(line)
            continue
        if block:
            n = unescaped_pipes(block[0])
            assert all(unescaped_pipes(r) == n for r in block), block
            block = []


# ---- the report on the tiny dataset ----------------------------------------------------------------------------

@pytest.mark.parametrize("fmt", ["html", "md"])
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_tiny_report_key_numbers(tiny, fmt, lang):
    out = render_report(tiny, "C1", fmt=fmt, lang=lang, as_of=AS_OF)
    for text in ("测试中心", "C1", "F03", "3/3", "100.0%", "50.0%", AS_OF, graphkit.__version__,
                 f"embedded: {TINY}", "工信厅科〔2017〕64号", "O1", "运营公司", "synthetic"):
        assert text in out, text
    assert ("机器人" if lang == "zh" else "Robotics") in out
    statuses = ["符合", "不符合", "数据不足", "待评审"] if lang == "zh" else ["met", "not met", "insufficient data", "needs review"]
    assert all(s in out for s in statuses)
    assert ("合成数据" if lang == "zh" else "Synthetic data") in out
    assert ("不符合升级条件" if lang == "zh" else "not eligible for upgrade") in out
    # every check, with the notice's clause
    for c in graphkit.check(graphkit.load_dataset(TINY), "C1", as_of=AS_OF)[0].checks:
        assert report.CHECKS[c.id].clause_zh[:12] in out
    # covered platforms with the member that reaches each (P3 through O2 and O5)
    assert "机器人学国家重点实验室" in out and "O3" in out and "O5" in out
    # rules with their help text in both languages
    assert "min_coverage" in out and "条件 4.3：覆盖率下限（含本数）" in out and "check 4.3: minimum coverage (inclusive)" in out
    if fmt == "md":
        label = {"zh": ("符合", "不符合", "数据不足", "待评审", "条件总数"), "en": ("met", "not met", "insufficient data", "needs review", "checks")}[lang]
        for s, n in zip(label, (11, 4, 2, 4)):
            assert f"| {s} | {n} |" in out
        assert f"| **{label[4]}** | **21** |" in out
        assert_safe_md(out)
    else:
        assert out.startswith("<!DOCTYPE html>")
        assert f'lang="{"zh-CN" if lang == "zh" else "en"}"' in out
        assert 'class="badge met"' in out and 'class="badge not_met"' in out
        assert 'class="badge insufficient_data"' in out and 'class="badge needs_review"' in out
        assert "@page" in out and "A4" in out and "break-before: page" in out
        assert '"PingFang SC", "Hiragino Sans GB", "Microsoft YaHei", "Noto Sans CJK SC"' in out
        assert_safe_html(out)
        assert_offline_html(out)


def test_values_for_humans():
    assert fmt_value(0.5) == "50.0%"
    assert fmt_value(7) == "7"
    assert fmt_value(True) == "是" and fmt_value(False, "en") == "no" and fmt_value(None) == "—"
    assert fmt_value({"coverage": 1.0, "covered": 3, "total": 3, "member_kinds": ["enterprise", "user"]}) == \
        "覆盖率 100.0%；已覆盖 3；总数 3；成员类型 企业、用户单位"
    long = fmt_value([f"P{i}" for i in range(20)], "en")
    assert long.startswith("P0, P1") and "12 more (20 in all)" in long


def test_md_escape():
    assert md_escape("[x](javascript:alert(1))") == "\\[x\\](javascript:alert(1))"
    assert md_escape("<script>") == "&lt;script&gt;"
    assert md_escape("a|b\nc") == "a\\|b c"
    assert md_escape("# h") == "\\# h" and md_escape("1. x") == "1\\. x" and md_escape("- x") == "\\- x"
    assert md_escape("min_coverage 100.0% R&D") == "min_coverage 100.0% R&D"  # readable when harmless
    assert md_escape("_em_ *b* `c`") == "\\_em\\_ \\*b\\* \\`c\\`"
    assert md_escape("&lt;") == "&amp;lt;"


def test_long_lists_are_truncated_with_a_count(tiny, monkeypatch):
    monkeypatch.setattr(report, "LIST_LIMIT", 1)
    monkeypatch.setattr(report, "EVIDENCE_LIMIT", 2)
    for fmt in ("html", "md"):
        out = render_report(tiny, "C1", fmt=fmt, lang="zh", as_of=AS_OF)
        assert "另有 2 项（共 3 项）" in out  # covered platforms: P1 shown, P2 and P3 counted
        assert "另有 5 项（共 7 项）" in out  # evidence of 4.3
        en = render_report(tiny, "C1", fmt=fmt, lang="en", as_of=AS_OF)
        assert "and 2 more (3 in all)" in en


def test_assessments_show_computed_and_assessed(tmp_path):
    data = copy_tiny(tmp_path, extra={"assessments": [
        {"center_id": "C1", "check_id": "4.3", "status": "not_met", "assessor": "李四", "date": "2023-12-01", "note": "联盟名单有误", "evidence": "会议纪要"},
        {"center_id": "C1", "check_id": "2", "status": "met", "assessor": "王五", "date": "2023-12-02", "note": "", "evidence": ""},
    ]})
    eng = engine_for(data)
    md = render_report(eng, "C1", fmt="md", lang="zh", as_of=AS_OF)
    assert "计算结果: **符合** → 评审结论: **不符合**; 评审人: 李四; 日期: 2023-12-01; 意见: 联盟名单有误; 证据: 会议纪要" in md
    assert "计算结果: **待评审** → 评审结论: **符合**; 评审人: 王五" in md
    page = render_report(eng, "C1", fmt="html", lang="en", as_of=AS_OF)
    assert "李四" in page and 'class="assessed"' in page and "computed" in page and "assessed" in page


def test_claims_and_recruitment(tmp_path):
    # only O1 and O4 stay members: coverage falls to 0/3 and the plan recruits hosts
    def edit(table, row):
        if table == "alliance_members" and row["member_id"] not in ("O1", "O4"):
            return None
        return row

    data = copy_tiny(tmp_path, edit, extra={"claims": [
        {"center_id": "C1", "claim": "coverage_ratio", "value": "62%", "field_id": "F03"},
        {"center_id": "C1", "claim": "member_count", "value": "2", "field_id": "F03"},
        {"center_id": "C1", "claim": "covered_platforms", "value": "P1|机器人学国家重点实验室|平台九", "field_id": "F03"},
    ]})
    eng = engine_for(data)
    r = eng.recruit("C1")
    assert r.orgs and r.ratio_before == 0
    for fmt in ("html", "md"):
        zh = render_report(eng, "C1", fmt=fmt, lang="zh", as_of=AS_OF)
        assert "0/3" in zh and "62.0%" in zh and "高报" in zh and "一致" in zh and "平台名录中无此平台" in zh
        assert "0.0% → " in zh and all(o in zh for o in r.orgs)
        en = render_report(eng, "C1", fmt=fmt, lang="en", as_of=AS_OF)
        assert "overstated" in en and "consistent" in en and "not in the registry" in en and "proven minimal" in en


# ---- hostile strings ------------------------------------------------------------------------------------------

@pytest.fixture
def hostile_engine(tmp_path):
    def edit(table, row):
        h = HOSTILE
        if table == "centers":
            row.update(name=h[0] + h[1], city=h[2], committee_chair=h[4])
        elif table == "organizations":
            row["name"] = h[int(row["org_id"][1:]) % len(h)] + row["org_id"]
        elif table == "platforms":
            row["name"] = h[int(row["platform_id"][1:]) % len(h)] + row["platform_id"]
        return row

    data = copy_tiny(tmp_path, edit, extra={
        "assessments": [
            {"center_id": "C1", "check_id": "2", "status": "met", "assessor": HOSTILE[0], "date": "2024-01-01", "note": HOSTILE[5], "evidence": HOSTILE[1]},
            {"center_id": "C1", "check_id": "4.3", "status": "not_met", "assessor": HOSTILE[2], "date": "", "note": HOSTILE[3], "evidence": HOSTILE[4]},
        ],
        "claims": [{"center_id": "C1", "claim": "covered_platforms", "value": "|".join(HOSTILE[:5]), "field_id": "F03"}],
    })
    return engine_for(data)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_hostile_strings_are_escaped_in_html(hostile_engine, lang):
    page = render_report(hostile_engine, "C1", fmt="html", lang=lang, as_of=AS_OF)
    assert_safe_html(page)
    assert_offline_html(page)
    text = "".join(parse(page).text)
    for s in ("<script>alert(1)</script>", "<img src=x onerror=alert(1)>", "[x](javascript:alert(1))"):
        assert s in text  # shown to the reader as written
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_hostile_strings_are_escaped_in_markdown(hostile_engine, lang):
    md = render_report(hostile_engine, "C1", fmt="md", lang=lang, as_of=AS_OF)
    assert_safe_md(md)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in md
    assert "\\[x\\](javascript:alert(1))" in md
    assert "&lt;img src=x onerror=alert(1)&gt;" in md
    assert "\\`code\\` \\| pipe \\| \\*\\*bold\\*\\* \\_em\\_ \\# head" in md


# ---- engines ----------------------------------------------------------------------------------------------------

class InterfaceOnly:
    """Only the Engine interface (no dataset, no name lookups): what a server engine offers."""

    name = "interface-only"

    def __init__(self, inner, broken=()):
        self._inner, self._broken = inner, set(broken)

    def __getattr__(self, attr):
        if attr in {"coverage", "check", "reach", "gaps", "recruit", "claims", "center_ids", "center", "field",
                    "provenance", "describe"}:
            if attr in self._broken:
                def fail(*a, **k):
                    raise NotImplementedError(f"{attr} is not implemented here")
                return fail
            return getattr(self._inner, attr)
        raise AttributeError(attr)


def test_any_engine_and_missing_queries(tiny):
    md = render_report(InterfaceOnly(tiny, broken={"recruit", "reach"}), "C1", fmt="md", lang="en", as_of=AS_OF)
    assert "3/3" in md and "P1" in md
    assert md.count("not available on this engine") == 2
    page = render_report(InterfaceOnly(tiny), "C1", fmt="html", lang="zh", as_of=AS_OF)
    assert "3/3" in page and "100.0%" in page


def test_unknown_center_and_bad_arguments(tiny):
    with pytest.raises(graphkit.UnknownIdError):
        render_report(tiny, "C404")
    with pytest.raises(ValueError):
        render_report(tiny, "C1", fmt="pdf")
    with pytest.raises(ValueError):
        render_report(tiny, "C1", lang="fr")


# ---- writing ----------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("suffix,start", [(".html", "<!DOCTYPE html>"), (".htm", "<!DOCTYPE html>"), (".md", "# "), (".markdown", "# ")])
def test_write_report_by_suffix_atomically(tiny, tmp_path, suffix, start):
    target = tmp_path / "sub" / f"report{suffix.upper() if suffix == '.md' else suffix}"
    target.parent.mkdir()
    target.write_text("old", encoding="utf-8")
    path = write_report(tiny, "C1", target, lang="zh", rules=None, as_of=AS_OF)
    assert path == target
    assert target.read_text(encoding="utf-8").startswith(start)
    assert [p.name for p in target.parent.iterdir()] == [target.name]  # no temporary file left behind


def test_failed_report_write_keeps_the_old_report_and_leaves_nothing(tiny, tmp_path, monkeypatch):
    """A failure while writing (disk full, simulated at fsync) keeps the earlier report and leaves no temporary
    file; through the CLI it is a one-line message and exit 1, never a traceback."""
    target = tmp_path / "report.html"
    target.write_text("old report", encoding="utf-8")

    def full(fd):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "fsync", full)
    with pytest.raises(OSError, match="No space"):
        write_report(tiny, "C1", target, lang="zh", rules=None, as_of=AS_OF)
    assert [p.name for p in tmp_path.iterdir()] == ["report.html"] and target.read_text(encoding="utf-8") == "old report"
    res = CliRunner().invoke(cli, ["report", str(TINY), "--center", "C1", "-o", str(target)])
    assert res.exit_code == 2 and "No space left on device" in res.stderr and "Traceback" not in res.stderr
    assert "internal error" not in res.stderr
    assert [p.name for p in tmp_path.iterdir()] == ["report.html"] and target.read_text(encoding="utf-8") == "old report"


def test_write_report_rejects_other_suffixes(tiny, tmp_path):
    with pytest.raises(ValueError, match=r"\.html"):
        write_report(tiny, "C1", tmp_path / "report.txt", lang="zh", rules=None, as_of=None)
    assert not list(tmp_path.iterdir())


def test_cli_report_console(tmp_path):
    out = tmp_path / "out.html"
    res = subprocess.run([sys.executable, "-m", "graphkit", "report", "tests/fixtures/tiny", "--center", "C1", "-o", str(out)],
                         cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert res.returncode == 0, res.stderr
    assert "3/3" in out.read_text(encoding="utf-8")
    res = subprocess.run([sys.executable, "-m", "graphkit", "report", "tests/fixtures/tiny", "--center", "C1", "-o", str(tmp_path / "r.txt")],
                         cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert res.returncode == 2 and ".html" in res.stderr


def test_cli_report(tmp_path):
    runner = CliRunner()
    out = tmp_path / "out.html"
    res = runner.invoke(cli, ["report", str(TINY), "--center", "C1", "-o", str(out), "--as-of", AS_OF, "-q"])
    assert res.exit_code == 0, res.output
    page = out.read_text(encoding="utf-8")
    assert "3/3" in page and "100.0%" in page and AS_OF in page
    assert_offline_html(page)
    md = tmp_path / "out.md"
    res = runner.invoke(cli, ["report", str(TINY), "--center", "C1", "-o", str(md), "--lang", "en", "-q"])
    assert res.exit_code == 0, res.output
    assert "Coverage" in md.read_text(encoding="utf-8")
    bad = tmp_path / "out.txt"
    res = runner.invoke(cli, ["report", str(TINY), "--center", "C1", "-o", str(bad)])
    assert res.exit_code == 2
    assert ".html" in res.output and not bad.exists()


# ---- the sample dataset (generated elsewhere; skipped while absent) ---------------------------------------------

@pytest.fixture(scope="module")
def sample(sample_dataset):
    return EmbeddedEngine(sample_dataset)


@pytest.mark.parametrize("fmt", ["html", "md"])
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_sample_reports(sample, fmt, lang):
    ids = sample.center_ids()
    for cid in ids[:3] + ids[-2:]:
        out = render_report(sample, cid, fmt=fmt, lang=lang, as_of=AS_OF)
        cov = sample.coverage(cid, as_of=AS_OF)[0]  # the report sees the dataset as of its date
        assert f"{cov.covered}/{cov.total}" in out
        if fmt == "html":
            assert_safe_html(out)
            assert_offline_html(out)
        else:
            assert_safe_md(out)


@pytest.mark.parametrize("lang,verdict", [("zh", "符合升级条件"), ("en", "eligible for upgrade")])
def test_eligible_center(eligible, lang, verdict):
    """The conftest's "eligible" dataset (its evaluation date): every check met, attested ones by assessment."""
    eng = EmbeddedEngine(eligible)
    md = render_report(eng, "C1", fmt="md", lang=lang, as_of="2024-06-30")
    assert f"**{verdict}**" in md
    met = "符合" if lang == "zh" else "met"
    assert f"| {met} | 21 |" in md
    assert_safe_md(md)
    page = render_report(eng, "C1", fmt="html", lang=lang, as_of="2024-06-30")
    assert 'class="verdict ok"' in page
