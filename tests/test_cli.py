"""The command line as a contract (SPEC §6): help everywhere, exit codes 0/1/2, the JSON keys and types of every
query command, unknown ids, languages, and stdout kept clean for JSON."""

from __future__ import annotations

import json
import subprocess
import sys
import sysconfig
from pathlib import Path

import click
import pytest
from conftest import AS_OF, ROOT, cli_json, run_cli

NUM = (int, float)
OPT_NUM = (int, float, type(None))


def _commands(group: click.Group, prefix=()):
    for name, cmd in sorted(group.commands.items()):
        yield prefix + (name,)
        if isinstance(cmd, click.Group):
            yield from _commands(cmd, prefix + (name,))


def _all_commands():
    from graphkit.cli import cli

    return [()] + list(_commands(cli))


COMMANDS = _all_commands()


@pytest.mark.parametrize("path", COMMANDS, ids=[" ".join(p) or "graphkit" for p in COMMANDS])
def test_every_command_has_help(path):
    r = run_cli(*path, "--help")
    assert r.exit_code == 0, r.stderr
    assert "Usage:" in r.stdout
    if path:
        from graphkit.cli import cli

        cmd = cli
        for name in path:
            cmd = cmd.commands[name]
        assert cmd.help and cmd.help.strip(), f"{path} has no help text"


def test_spec_commands_exist():
    names = {" ".join(p) for p in COMMANDS}
    assert names >= {"validate", "coverage", "check", "reach", "gaps", "recruit", "claims", "report", "export",
                     "neo4j push", "generate"}


def test_python_dash_m_and_console_script():
    proc = subprocess.run([sys.executable, "-m", "graphkit", "--help"], capture_output=True, text=True, cwd=ROOT, timeout=60)
    assert proc.returncode == 0 and "Usage:" in proc.stdout
    # the console script pip installed next to this interpreter (the venv need not be activated)
    script = Path(sysconfig.get_path("scripts")) / "graphkit"
    assert script.exists(), script
    proc = subprocess.run([str(script), "--version"], capture_output=True, text=True, cwd=ROOT, timeout=60)
    assert proc.returncode == 0 and "graphkit" in proc.stdout


# ---- JSON contracts ---------------------------------------------------------------------------------------

def _has(obj: dict, spec: dict):
    """Every required key is present with a value of the right type (extra keys are allowed)."""
    for key, types in spec.items():
        assert key in obj, key
        assert isinstance(obj[key], types), (key, obj[key])


def test_validate_json(eligible_dir):
    out = cli_json("validate", eligible_dir)
    _has(out, {"errors": list, "warnings": list, "counts": dict})
    assert out["counts"]["centers"] == 1 and out["counts"]["organizations"] == 12
    assert all(isinstance(v, int) for v in out["counts"].values())


def test_coverage_json(eligible_dir):
    out = cli_json("coverage", eligible_dir)
    assert isinstance(out, list) and len(out) == 1
    _has(out[0], {"center_id": str, "field_id": str, "covered": int, "total": int, "ratio": OPT_NUM,
                  "covered_platform_ids": list, "uncovered_platform_ids": list})


def test_check_json(eligible_dir):
    out = cli_json("check", eligible_dir, "--as-of", AS_OF)
    assert isinstance(out, list)
    _has(out[0], {"center_id": str, "eligible": bool, "checks": list})
    assert len(out[0]["checks"]) == 21
    for c in out[0]["checks"]:
        _has(c, {"id": str, "status": str, "evidence": list, "message": str})
        assert "value" in c and "threshold" in c
        assert c["status"] in ("met", "not_met", "insufficient_data", "needs_review")


def test_reach_json(eligible_dir):
    out = cli_json("reach", eligible_dir, "--center", "C1")
    _has(out, {"center_id": str, "hops": int, "reached": int, "foreign": int, "by_kind": dict, "countries": dict, "provinces": dict})


def test_gaps_json(eligible_dir):
    out = cli_json("gaps", eligible_dir)
    assert isinstance(out, list) and len(out) == 22
    for g in out:
        _has(g, {"field_id": str, "platforms": int, "centers": int, "best_center_id": (str, type(None)),
                 "best_ratio": OPT_NUM, "union_ratio": OPT_NUM, "unreached_platform_ids": list})


def test_recruit_json(eligible_dir):
    out = cli_json("recruit", eligible_dir, "--center", "C1")
    _has(out, {"center_id": str, "ratio_before": OPT_NUM, "ratio_after": OPT_NUM, "orgs": list, "minimal": (bool, type(None))})


def test_claims_json(eligible_dir):
    out = cli_json("claims", eligible_dir)
    assert out == []  # the eligible dataset makes no claim


def test_report_writes_a_file(eligible_dir, tmp_path):
    target = tmp_path / "report.md"
    r = run_cli("report", eligible_dir, "--center", "C1", "-o", target, "--as-of", AS_OF, "--lang", "en")
    assert r.exit_code == 0, r.stderr
    assert target.exists() and "C1" in target.read_text(encoding="utf-8")


@pytest.mark.parametrize("command", ["coverage", "check", "gaps", "claims", "validate"])
def test_text_format_exit_0(eligible_dir, command):
    extra = ["--as-of", AS_OF] if command == "check" else []
    r = run_cli(command, eligible_dir, *extra, "--lang", "en")
    assert r.exit_code == 0, r.stderr
    assert r.stdout.strip() or command == "claims"  # no claims, nothing to print


# ---- exit codes and errors ------------------------------------------------------------------------------------

@pytest.mark.parametrize("args", [
    ["check", "{d}", "--center", "NOPE"],
    ["coverage", "{d}", "--center", "NOPE"],
    ["reach", "{d}", "--center", "NOPE"],
    ["recruit", "{d}", "--center", "NOPE"],
    ["claims", "{d}", "--center", "NOPE"],
    ["report", "{d}", "--center", "NOPE", "-o", "{t}/r.md"],
])
def test_unknown_center_exit_2_without_traceback(eligible_dir, tmp_path, args):
    r = run_cli(*[a.format(d=eligible_dir, t=tmp_path) for a in args], "--format", "json", "--lang", "en")
    assert r.exit_code == 2
    assert r.stdout == ""
    assert "NOPE" in r.stderr and "Traceback" not in r.stderr


def test_invalid_data_exit_2(tmp_path):
    from conftest import DATA

    r = run_cli("check", DATA / "invalid" / "wrong_kind", "--format", "json", "--lang", "en")
    assert (r.exit_code, r.stdout) == (2, "")
    assert "alliance_members.csv:2:member_id: id C2 is of kind center, expected organisation/platform" in r.stderr


def test_internal_error_exit_1_without_traceback(eligible_dir, monkeypatch):
    import graphkit.queries.coverage

    def boom(*a, **k):
        raise RuntimeError("simulated failure")

    monkeypatch.setattr(graphkit.queries.coverage, "coverage_model", boom)
    monkeypatch.delenv("GRAPHKIT_DEBUG", raising=False)
    r = run_cli("coverage", eligible_dir, "--format", "json")
    assert r.exit_code == 1
    assert r.stdout == ""
    assert "internal error: RuntimeError: simulated failure" in r.stderr
    assert "Traceback" not in r.stderr


def test_success_exit_0(eligible_dir):
    r = run_cli("check", eligible_dir, "--as-of", AS_OF, "--format", "json")
    assert r.exit_code == 0 and r.json()[0]["center_id"] == "C1"


# ---- languages and output channels ------------------------------------------------------------------------

def test_lang_changes_messages(eligible_dir):
    en = run_cli("check", eligible_dir, "--as-of", AS_OF, "--format", "json", "--lang", "en").json()[0]
    zh = run_cli("check", eligible_dir, "--as-of", AS_OF, "--format", "json").json()[0]  # default zh
    assert en["checks"][0]["message"].startswith("Field F03 belongs to layout 2017-64")
    assert zh["checks"][0]["message"].startswith("领域 F03 属于布局 2017-64")
    text_en = run_cli("check", eligible_dir, "--as-of", AS_OF, "--lang", "en").stdout
    text_zh = run_cli("check", eligible_dir, "--as-of", AS_OF).stdout
    assert text_en.splitlines()[0] == "甲创新中心 (C1): eligible (as of 2024-06-30)"
    assert text_zh.splitlines()[0] == "甲创新中心（C1）：符合升级条件（评价日期 2024-06-30）"


def test_progress_goes_to_stderr_never_stdout(eligible_dir, monkeypatch):
    """Force every progress step to announce itself at once: stdout must still be exactly one JSON document."""
    import graphkit.cli

    class Immediate:
        def __init__(self, interval, fn):
            self.fn, self.daemon = fn, True

        def start(self):
            self.fn()

        def cancel(self):
            pass

    monkeypatch.setattr(graphkit.cli.threading, "Timer", Immediate)
    r = run_cli("check", eligible_dir, "--as-of", AS_OF, "--format", "json", "--lang", "en")
    assert r.exit_code == 0
    assert "… loading" in r.stderr and "✓" in r.stderr
    assert json.loads(r.stdout)[0]["center_id"] == "C1"
    quiet = run_cli("check", eligible_dir, "--as-of", AS_OF, "--format", "json", "--quiet")
    assert quiet.stderr == ""


@pytest.mark.parametrize("args", [["coverage", "--all-fields"], ["check", "--as-of", AS_OF], ["reach", "--center", "C1"],
                                  ["gaps"], ["recruit", "--center", "C1"], ["claims"]])
def test_smallest_valid_dataset_runs_every_query(tmp_path, args):
    """Only the two required files: no platform, member, shareholder, income … — nothing may crash."""
    from conftest import minimal_tables, write_dataset

    folder = write_dataset(tmp_path / "m", **minimal_tables())
    r = run_cli(args[0], folder, *args[1:], "--format", "json", "--lang", "en")
    assert r.exit_code == 0, r.stderr
    json.loads(r.stdout)


# ---- application intake (SPEC §11) ---------------------------------------------------------------------------

def test_intake_ambiguous_exit_2_nothing_written(application_file, tmp_path):
    from conftest import INTAKE

    out = tmp_path / "out"
    r = run_cli("intake", INTAKE / "registry", application_file, "-o", out, "--format", "json", "--lang", "en")
    assert r.exit_code == 2 and not out.exists()
    data = r.json()
    assert [x["name"] for x in data["resolutions"] if x["method"] == "ambiguous"] == ["国家电网 (北京)", "沈阳新松机器人自动化股份公司"]
    assert "app.xlsx:联盟成员:6:名称: the name 国家电网 (北京) is ambiguous" in r.stderr


def test_intake_with_decisions_writes_the_merged_dataset(application_file, tmp_path):
    from conftest import INTAKE

    out = tmp_path / "out"
    data = cli_json("intake", INTAKE / "registry", application_file, "-o", out, "--decisions", INTAKE / "decisions.csv")
    assert data["center_id"] == "A2026" and data["new_ids"] == ["A2026-1", "A2026-2"] and data["errors"] == []
    assert {"method", "resolved_id", "score", "candidates", "sheet", "row", "column", "name"} == set(data["resolutions"][0])
    assert (out / "resolution.csv").exists() and (out / "resolution.xlsx").exists()
    checks = cli_json("check", out, "--center", "A2026", "--as-of", "2026-06-30")
    assert {c["id"]: c["status"] for c in checks[0]["checks"]}["12"] == "met"
    cov = cli_json("coverage", out, "--center", "A2026")
    assert (cov[0]["covered"], cov[0]["total"], cov[0]["covered_platform_ids"]) == (3, 4, ["P1", "P2", "P3"])


def test_claims_application(application_file):
    from conftest import INTAKE

    verdicts = cli_json("claims", INTAKE / "registry", "--application", application_file, "--decisions", INTAKE / "decisions.csv")
    assert [(v["claim"], v["verdict"], v["row"]) for v in verdicts] == [
        ("coverage_ratio", "understated", 2), ("covered_platforms", "overstated", 3), ("member_count", "overstated", 4)]
    assert [e["verdict"] for e in verdicts[1]["entries"]] == ["ok", "ok", "inactive", "not_in_registry"]
    r = run_cli("claims", INTAKE / "registry", "--application", application_file)
    assert r.exit_code == 2 and "沈阳新松机器人自动化股份公司" in r.stderr


def test_template_application(tmp_path):
    from openpyxl import load_workbook

    r = run_cli("template", "--application", "-o", tmp_path / "a.xlsx")
    assert r.exit_code == 0
    book = load_workbook(tmp_path / "a.xlsx")
    assert book.sheetnames[:7] == ["说明", "中心", "股东", "联盟成员", "合作", "收入", "申报声明"]
    assert [c.value for c in book["收入"][1]] == ["年份", "收入类别", "金额"]
    assert book["联盟成员"].data_validations.dataValidation  # drop-downs for kind, SME, role
