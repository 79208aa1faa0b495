"""Validation (SPEC §3) through the real CLI: a corpus of bad and good datasets with the exact expected lines.

Each folder of ``tests/fixtures/invalid/`` is a dataset plus ``expected.txt`` (the exact English error lines,
``FILE:ROW:COLUMN: message``); ``graphkit validate CASE --format json --lang en`` must exit 2 and report exactly
those errors (and, when present, exactly the lines of ``expected_warnings.txt``). Each folder of
``tests/fixtures/valid/`` must exit 0 with exactly the warnings of ``expected_warnings.txt``. A new case is a new
folder.

Inputs that are big or binary are built at test time: a case folder with a ``build.py`` (or whose parent folder
has one, as ``invalid_xlsx/`` and ``valid_xlsx/`` do) is validated as what ``build(case, out)`` returns — a folder,
a .zip or an .xlsx written under the test's temporary folder.
"""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import DATA, ROOT, run_cli, write_dataset

INVALID = sorted(p for kind in ("invalid", "invalid_xlsx") for p in (DATA / kind).iterdir() if p.is_dir())
VALID = sorted(p for kind in ("valid", "valid_xlsx") for p in (DATA / kind).iterdir() if p.is_dir())


def _id(case: Path) -> str:
    return case.name if case.parent.name in ("invalid", "valid") else f"{case.parent.name}/{case.name}"


def _source(case: Path, tmp_path: Path) -> Path:
    """What to validate for ``case``: the folder itself, or what the nearest ``build.py`` builds from it."""
    script = next((s for s in (case / "build.py", case.parent / "build.py") if s.exists()), None)
    if script is None:
        return case
    spec = importlib.util.spec_from_file_location(f"corpus_{case.parent.name}_{case.name}", script)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.build(case, tmp_path / case.name)


def _lines(path: Path) -> list[str]:
    return path.read_text(encoding="utf-8").splitlines() if path.exists() else []


def _validate(folder: Path, lang: str = "en"):
    r = run_cli("validate", folder, "--format", "json", "--lang", lang)
    assert r.exception is None or isinstance(r.exception, SystemExit), r.stderr
    return r, r.json()


def _assert_rows_ascending(lines: list[str]) -> None:
    """Within each file, problems are listed by row (what a reader scanning the file expects)."""
    last: dict[str, int] = {}
    for line in lines:
        file, row, _ = line.split(":", 2)
        assert int(row) >= last.get(file, 0), lines
        last[file] = int(row)


def test_corpus_is_large_enough():
    assert len(INVALID) >= 40 and len(VALID) >= 8
    assert sum(p.parent.name == "invalid_xlsx" for p in INVALID) >= 10
    for case in INVALID:
        assert (case / "expected.txt").exists(), case
        assert _lines(case / "expected.txt"), f"{case.name}: an invalid case must expect at least one error"


@pytest.mark.parametrize("case", INVALID, ids=[_id(p) for p in INVALID])
def test_invalid_dataset(case, tmp_path):
    r, out = _validate(_source(case, tmp_path))
    assert r.exit_code == 2, r.stdout
    assert sorted(out["errors"]) == sorted(_lines(case / "expected.txt"))
    if (case / "expected_warnings.txt").exists():
        assert sorted(out["warnings"]) == sorted(_lines(case / "expected_warnings.txt"))
    _assert_rows_ascending(out["errors"])
    # the structured problems carry the same lines and locations
    errors = [p for p in out["problems"] if p["severity"] == "error"]
    assert sorted(p["text"] for p in errors) == sorted(out["errors"])
    for p in errors:
        assert p["text"] == f"{p['file']}:{p['row']}:{p['column']}: {p['message']}"
    assert set(out["counts"]) >= {"centers", "organizations", "platforms"}


@pytest.mark.parametrize("case", VALID, ids=[_id(p) for p in VALID])
def test_valid_dataset(case, tmp_path):
    r, out = _validate(_source(case, tmp_path))
    assert r.exit_code == 0, out["errors"]
    assert out["errors"] == []
    assert sorted(out["warnings"]) == sorted(_lines(case / "expected_warnings.txt"))
    _assert_rows_ascending(out["warnings"])


# ---- what valid inputs load as ------------------------------------------------------------------------------

def test_chinese_enum_synonyms_load_as_canonical_values():
    from graphkit import load_dataset

    ds = load_dataset(DATA / "valid" / "chinese_enum_synonyms")
    f = ds.frames
    assert f["centers"]["level"].tolist() == ["provincial", "national"]
    assert f["centers"]["has_board"].tolist() == [True, False]
    assert f["organizations"]["kind"].tolist() == ["enterprise", "university", "research_institute", "user", "investor"]
    assert f["platforms"]["kind"].tolist() == ["state_key_lab", "national_engineering_research_center"]
    assert f["platforms"]["status"].tolist() == ["active", "active"]  # empty status defaults to active
    assert f["alliance_members"]["role"].tolist() == ["chair", "member", "user"]
    assert f["collaborations"]["kind"].tolist() == ["joint_rd"]
    assert f["income"]["stream"].tolist() == ["testing"]
    assert f["assessments"]["status"].tolist() == ["met", "not_met"]


def test_booleans_every_accepted_spelling():
    from graphkit import load_dataset

    ds = load_dataset(DATA / "valid" / "booleans_every_spelling")
    got = [None if v is None or v is __import__("pandas").NA else bool(v) for v in ds.frames["centers"]["has_board"].tolist()]
    #        true  false  yes   no     1     0      是    否     TRUE  No     (empty = unknown)
    assert got == [True, False, True, False, True, False, True, False, True, False, None]


def test_bom_and_gb18030_read_the_same_text():
    from graphkit import load_dataset

    for case in ("bom", "gb18030"):
        ds = load_dataset(DATA / "valid" / case)
        assert ds.frames["centers"]["center_id"].tolist() == ["C1"]
        assert ds.frames["organizations"]["name"].tolist() == ["公司一", "大学二"]
    # 学院 in GBK is also valid UTF-8 (as two Cyrillic letters): the file is still read as one GB18030 text
    ds = load_dataset(DATA / "valid" / "gb18030_line_that_is_also_valid_utf8")
    assert ds.frames["organizations"]["name"].tolist() == ["学院", "大学二"]


def test_row_numbers_count_records_not_lines():
    """A quoted cell spanning two lines is one spreadsheet row; blank lines still count as rows."""
    from graphkit import load_dataset

    ds = load_dataset(DATA / "valid" / "blank_lines_quoted_newlines_extra_columns")
    orgs = ds.frames["organizations"]
    assert orgs.index.tolist() == [2, 4]
    assert orgs["name"].tolist() == ["公司\n一", "大学二"]
    assert orgs["website"].tolist() == ["http://o1", None]  # extra columns are kept (as text; empty = unknown)


def test_share_pct_boundaries(tmp_path):
    """(0, 100]: 100, 100.0, 0.01 and 50% are accepted; 0 and 100.01 are not (one center per share)."""
    shares = ["100", "100.0", "0.01", "50%", "0", "100.01"]
    folder = write_dataset(
        tmp_path / "d",
        centers="center_id,name,level,field_id,province\n" + "".join(f"C{i},中心{i},provincial,F03,辽宁\n" for i in range(len(shares))),
        organizations="org_id,name,kind\nO1,公司,enterprise\n",
        alliance_members="center_id,member_id\n" + "".join(f"C{i},O1\n" for i in range(len(shares))),
        shareholders="center_id,org_id,share_pct\n" + "".join(f"C{i},O1,{v}\n" for i, v in enumerate(shares)))
    r, out = _validate(folder)
    assert r.exit_code == 2
    assert out["errors"] == ["shareholders.csv:6:share_pct: share_pct 0 is outside (0, 100]",
                             "shareholders.csv:7:share_pct: share_pct 100.01 is outside (0, 100]"]


# ---- language, output channels, the previous dataset -------------------------------------------------------

def test_messages_follow_lang():
    case = DATA / "invalid" / "wrong_kind"
    _, en = _validate(case, "en")
    _, zh = _validate(case, "zh")
    assert "collaborations.csv:2:to_id: id P1 is of kind platform, expected organisation" in en["errors"]
    assert "collaborations.csv:2:to_id: 编号 P1 是平台，此处应为机构" in zh["errors"]
    # no Chinese entity names leak into English messages
    assert not any("机构" in line or "平台" in line for line in en["errors"])


def test_text_mode_reports_on_stderr_with_exit_2():
    r = run_cli("validate", DATA / "invalid" / "rd_staff_over_employees", "--lang", "en")
    assert r.exit_code == 2
    assert "centers.csv:2:rd_staff: rd_staff 11 exceeds employees 10" in r.stderr
    assert "centers.csv:2" not in r.stdout


def test_other_commands_refuse_invalid_data_with_exit_2_and_the_same_lines():
    case = DATA / "invalid" / "several_errors_in_several_files"
    expected = _lines(case / "expected.txt")
    for command in (["check"], ["gaps"], ["reach", "--center", "C1"]):
        r = run_cli(*command, case, "--format", "json", "--lang", "en")
        assert r.exit_code == 2, command
        assert r.stdout == ""
        assert sorted(line for line in r.stderr.splitlines() if not line.startswith("warning ")) == sorted(expected)


def test_load_dataset_raises_with_every_problem():
    from graphkit import InvalidDatasetError, load_dataset

    case = DATA / "invalid" / "several_errors_in_several_files"
    with pytest.raises(InvalidDatasetError) as info:
        load_dataset(case)
    assert sorted(info.value.problems.format_errors("en")) == sorted(_lines(case / "expected.txt"))


def test_missing_folder_is_invalid_input(tmp_path):
    r = run_cli("validate", tmp_path / "nope", "--format", "json", "--lang", "en")
    assert r.exit_code == 2
    assert r.json()["errors"] == [f"nope:1:*: required file {tmp_path / 'nope'} is missing"]


def test_console_script_exit_code_and_json(tmp_path):
    """One run through a real subprocess: the installed entry point, stdout JSON, exit 2."""
    case = DATA / "invalid" / "share_pct_out_of_range"
    proc = subprocess.run([sys.executable, "-m", "graphkit", "validate", str(case), "--format", "json", "--lang", "en"],
                          capture_output=True, text=True, cwd=ROOT, timeout=60)
    assert proc.returncode == 2
    import json

    assert sorted(json.loads(proc.stdout)["errors"]) == sorted(_lines(case / "expected.txt"))


# ---- workbooks and zips: what loads, what is never touched ------------------------------------------------------

def test_workbook_cells_load_as_their_values(tmp_path):
    """A date cell is a date, a real boolean a boolean, 100.0 in a whole-number column the number 100; a formula's
    cached value is used (valid_xlsx/ holds the exact warnings)."""
    from graphkit import load_dataset

    ds = load_dataset(_source(DATA / "valid_xlsx" / "date_cells_booleans_and_whole_floats", tmp_path))
    c = ds.frames["centers"].iloc[0]
    assert (c["founded"], int(c["employees"]), int(c["rd_staff"]), bool(c["has_board"])) == ("2019-03-01", 100, 50, True)
    assert ds.frames["organizations"]["is_sme"].tolist()[:2] == [False, True]
    assert ds.frames["alliance_members"]["joined"].tolist() == ["2019-03", "2020-01-02", None]
    ds = load_dataset(_source(DATA / "valid_xlsx" / "formula_with_cached_value", tmp_path))
    assert int(ds.frames["centers"]["employees"].iloc[0]) == 100
    assert ds.frames["organizations"]["name"].tolist()[1] == "UNIVERSITY TWO"


def test_zip_member_paths_are_never_extracted(tmp_path):
    """Members named ../../evil/centers.csv and /abs/organizations.csv are read in memory by their base name."""
    from graphkit import load_dataset

    source = _source(DATA / "valid" / "zip_member_names_with_paths", tmp_path / "a" / "b")
    ds = load_dataset(source)
    assert ds.frames["centers"]["center_id"].tolist() == ["C1"]
    assert sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*")) == [Path("a"), Path("a/b"), Path("a/b/zip_member_names_with_paths"),
                                                                       Path("a/b/zip_member_names_with_paths/paths.zip")]
    assert not Path("/abs").exists()


@pytest.mark.parametrize("case", ["zip_damaged_members", "invalid_xlsx/merged_cells_over_a_required_column", "cell_2mb"])
def test_nothing_is_loaded_from_an_invalid_source(case, tmp_path):
    from graphkit import InvalidDatasetError, load_dataset, validate_dataset

    source = _source(DATA / ("invalid" if "/" not in case else "") / case, tmp_path)
    assert validate_dataset(source).dataset is None
    with pytest.raises(InvalidDatasetError):
        load_dataset(source)


# ---- limits (graphkit.settings, overridden by GRAPHKIT_* environment variables) ------------------------------------

def _zip(folder: Path, path: Path) -> Path:
    import zipfile

    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for p in sorted(folder.glob("*.csv")):
            zf.write(p, p.name)
    return path


def test_row_limit(tmp_path, monkeypatch):
    from conftest import eligible_tables

    folder = write_dataset(tmp_path / "d", **eligible_tables())  # 12 organisations, every other table ≤ 10 rows
    book = tmp_path / "d.xlsx"
    assert run_cli("export", folder, "--to", "xlsx", "-o", book).exit_code == 0
    monkeypatch.setenv("GRAPHKIT_MAX_ROWS", "10")
    r, out = _validate(folder)
    assert r.exit_code == 2 and out["errors"] == ["organizations.csv:1:*: 12 data rows, over the limit of 10"]
    r, out = _validate(_zip(folder, tmp_path / "d.zip"))
    assert r.exit_code == 2 and out["errors"] == ["organizations.csv:1:*: 12 data rows, over the limit of 10"]
    r, out = _validate(book)  # a workbook stops reading just past the limit (a 1,048,576-row sheet costs no more)
    assert r.exit_code == 2 and out["errors"] == [
        "d.xlsx[organizations]:1:*: more than 10 data rows, over the limit (counting stopped there)"]
    monkeypatch.setenv("GRAPHKIT_MAX_ROWS", "12")
    assert _validate(folder)[0].exit_code == 0


def test_cell_length_limit(tmp_path, monkeypatch):
    monkeypatch.setenv("GRAPHKIT_MAX_CELL_CHARS", "20")
    folder = write_dataset(tmp_path / "d", centers="center_id,name,level,field_id,province\nC1,中心,provincial,F03,辽宁\n",
                           organizations="org_id,name,kind\nO1," + "长" * 21 + ",enterprise\nO2," + "x" * 20 + ",other\n")
    r, out = _validate(folder)
    assert r.exit_code == 2 and out["errors"] == ["organizations.csv:2:name: the cell is 21 characters long, over the limit of 20"]


def test_file_and_upload_size_limits(tmp_path, monkeypatch):
    from conftest import eligible_tables

    folder = write_dataset(tmp_path / "d", **eligible_tables())
    size = (folder / "organizations.csv").stat().st_size
    monkeypatch.setenv("GRAPHKIT_MAX_FILE_BYTES", str(size - 1))  # one CSV file of a folder or zip
    r, out = _validate(folder)
    assert r.exit_code == 2 and out["errors"] == [f"organizations.csv:1:*: the file is {size} bytes, over the limit of {size - 1}"]
    monkeypatch.delenv("GRAPHKIT_MAX_FILE_BYTES")
    book = tmp_path / "d.xlsx"
    assert run_cli("export", folder, "--to", "xlsx", "-o", book).exit_code == 0
    tables = eligible_tables()
    for org in tables["organizations"]:
        org["note"] = "说明" * 500  # compresses well: the zip is far smaller than its unpacked files
    folder = write_dataset(tmp_path / "compressible", **tables)
    archive = _zip(folder, tmp_path / "d.zip")
    unpacked = sum((folder / n).stat().st_size for n in (p.name for p in folder.glob("*.csv")))
    for source, n in ((archive, archive.stat().st_size), (book, book.stat().st_size)):
        monkeypatch.setenv("GRAPHKIT_MAX_UPLOAD_BYTES", str(n - 1))  # the file as uploaded
        r, out = _validate(source)
        assert r.exit_code == 2 and out["errors"] == [f"{source.name}:1:*: the file is {n} bytes, over the limit of {n - 1}"]
    monkeypatch.setenv("GRAPHKIT_MAX_UPLOAD_BYTES", str(unpacked - 1))  # a zip's unpacked total counts too
    r, out = _validate(archive)
    assert r.exit_code == 2 and out["errors"] == [f"d.zip:1:*: the file is {unpacked} bytes, over the limit of {unpacked - 1}"]


def test_a_bad_limit_setting_is_a_clear_message(tmp_path, monkeypatch):
    monkeypatch.setenv("GRAPHKIT_MAX_ROWS", "ten")
    r = run_cli("validate", DATA / "tiny", "--lang", "en")
    assert r.exit_code == 2 and "internal error" not in r.stderr  # the user's setting: exit 2, as bad input
    assert "GRAPHKIT_MAX_ROWS must be a whole number, not 'ten'" in r.stderr


@pytest.mark.parametrize("name, value, least", [("MAX_ROWS", "-1", 1), ("MAX_UPLOAD_BYTES", "0", 1),
                                                 ("MAX_COLUMNS", "-5", 1), ("BOLT_RETRIES", "-1", 0)])
def test_a_negative_or_zero_limit_is_refused(monkeypatch, name, value, least):
    monkeypatch.setenv(f"GRAPHKIT_{name}", value)
    r = run_cli("validate", DATA / "tiny", "--lang", "en")
    assert r.exit_code == 2 and "internal error" not in r.stderr and "Traceback" not in r.stderr
    assert (f"the setting {name.lower()} (environment variable GRAPHKIT_{name}) must be a whole number of at least "
            f"{least}, not {value}") in r.stderr


# ---- booleans: SPEC §3's spellings and the documented extras (README) --------------------------------------------

BOOLEANS = [("true", True), ("FALSE", False), ("Yes", True), ("no", False), ("1", True), ("0", False), ("是", True),
            ("否", False), ("t", True), ("F", False), ("y", True), ("n", False), ("有", True), ("无", False),
            ("1.0", True), ("0.0", False), ("", None)]


def test_boolean_spellings(tmp_path):
    from conftest import minimal_tables

    from graphkit import load_dataset

    t = minimal_tables()
    t["centers"] = [dict(t["centers"][0], center_id=f"C{i}", has_board=text) for i, (text, _) in enumerate(BOOLEANS)]
    ds = load_dataset(write_dataset(tmp_path / "d", **t))
    got = [None if type(v).__name__ == "NAType" or v is None else bool(v) for v in ds.frames["centers"]["has_board"].tolist()]
    assert got == [b for _, b in BOOLEANS]


@pytest.mark.parametrize("text", ["maybe", "2", "-1", "真", "tru", "0.5"])
def test_other_boolean_spellings_are_errors(tmp_path, text):
    from conftest import minimal_tables

    t = minimal_tables()
    t["centers"][0]["has_board"] = text
    r = run_cli("validate", write_dataset(tmp_path / "d", **t), "--format", "json", "--lang", "en")
    assert r.exit_code == 2
    assert r.json()["errors"] == [f"centers.csv:2:has_board: {text} is not a boolean (use true/false/yes/no/1/0/是/否)"]
