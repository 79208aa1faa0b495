"""graphkit.io.template: the application workbook — its sheets, headers, notes, drop-downs, 说明 sheet, and the
committed data/template.xlsx kept in step with the generator."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest
from conftest import eligible_tables, run_cli

from graphkit.errors import InvalidDatasetError
from graphkit.io.load import load_dataset, validate_dataset
from graphkit.io.template import DOC_SHEET, GENERAL_RULES, write_template
from graphkit.model.schema import TABLES

ROOT = Path(__file__).resolve().parents[2]
COMMITTED = ROOT / "data" / "template.xlsx"


@pytest.fixture(scope="module")
def fresh(tmp_path_factory):
    return write_template(tmp_path_factory.mktemp("template") / "template.xlsx")


@pytest.fixture(scope="module")
def book(fresh):
    return openpyxl.load_workbook(fresh)


def _contents(path):
    """Sheet names, every cell value and every header note: what a user sees, not the bytes."""
    wb = openpyxl.load_workbook(path)
    return {
        ws.title: ([[c.value for c in row] for row in ws.iter_rows()],
                   [c.comment.text if c.comment else None for c in ws[1]])
        for ws in wb.worksheets
    }


def test_committed_template_is_current(fresh):
    assert COMMITTED.exists(), "run: graphkit template -o data/template.xlsx"
    assert _contents(COMMITTED) == _contents(fresh), "data/template.xlsx is stale: run graphkit template -o data/template.xlsx"


def test_sheets_and_headers(book):
    assert book.sheetnames == [DOC_SHEET, *TABLES]
    for name, table in TABLES.items():
        ws = book[name]
        assert [c.value for c in ws[1]] == list(table.column_names)
        assert ws.max_row == 1  # empty: only the header
        assert ws.freeze_panes == "A2"
        assert all(c.font.bold for c in ws[1])
        assert all(ws.column_dimensions[c.column_letter].width >= 8 for c in ws[1])


def test_header_notes_carry_both_languages(book):
    for name, table in TABLES.items():
        for cell, col in zip(book[name][1], table.columns):
            assert cell.comment is not None, (name, col.name)
            assert col.doc_zh in cell.comment.text and col.doc_en in cell.comment.text
            assert ("必填" in cell.comment.text) == col.required


def test_drop_downs_for_enum_and_boolean_columns(book):
    for name, table in TABLES.items():
        ws = book[name]
        found = {}
        for dv in ws.data_validations.dataValidation:
            assert dv.type == "list" and dv.errorStyle == "warning"  # Chinese synonyms stay possible
            for rng in dv.sqref.ranges:
                found[rng.min_col] = dv.formula1.strip('"').split(",")
                assert rng.min_row == 2 and rng.max_row == 1048576
        expected = {i: list(c.enum) for i, c in enumerate(table.columns, 1) if c.type == "enum"}
        expected.update({i: ["true", "false", "是", "否"] for i, c in enumerate(table.columns, 1) if c.type == "bool"})
        assert found == expected, name


def test_doc_sheet_explains_every_table_and_column(book):
    ws = book[DOC_SHEET]
    rows = [[c.value for c in row] for row in ws.iter_rows()]
    text = "\n".join(str(v) for row in rows for v in row if v)
    for zh, en in GENERAL_RULES:
        assert zh in text and en in text
    for needle in ("万元", "|", "true/false", "是/否", "YYYY", "YYYY-MM", "YYYY-MM-DD", "synthetic"):
        assert needle in text
    header = next(i for i, r in enumerate(rows) if r[0] == "表 table")
    documented = {(r[0], r[1]) for r in rows[header + 1:]}
    for name, table in TABLES.items():
        assert (name, None) in documented  # the table's own row
        for col in table.columns:
            assert (name, col.name) in documented
    by_column = {(r[0], r[1]): r for r in rows[header + 1:]}
    assert by_column[("centers", "center_id")][2] == "是 yes"
    assert by_column[("centers", "city")][2] == "否 no"
    assert "national" in by_column[("centers", "level")][4] and "国家级" in by_column[("centers", "level")][4]
    assert by_column[("platforms", "field_ids")][7] == "F03|F06"
    assert by_column[("centers", "total_cost")][3].endswith("amount (万元)")


def test_empty_template_reports_only_the_two_required_tables():
    report = validate_dataset(COMMITTED)
    assert [(p.file, p.row, p.column, p.code) for p in report.problems.errors] == [
        ("template.xlsx[centers]", 1, "*", "file_no_rows"),
        ("template.xlsx[organizations]", 1, "*", "file_no_rows"),
    ]
    assert report.problems.warnings == []
    with pytest.raises(InvalidDatasetError):
        load_dataset(COMMITTED)


def test_filled_template_loads(tmp_path, fresh):
    wb = openpyxl.load_workbook(fresh)
    for name, rows in eligible_tables().items():
        ws = wb[name]
        header = [c.value for c in ws[1]]
        for row in rows:
            ws.append([row.get(col) or None for col in header])
    path = tmp_path / "filled.xlsx"
    wb.save(path)
    ds = load_dataset(path)
    assert ds.counts()["centers"] == 1 and ds.counts()["organizations"] == len(eligible_tables()["organizations"])


def test_cli_template(tmp_path):
    result = run_cli("template", "-o", tmp_path / "t.xlsx")
    assert result.exit_code == 0, (result.stdout, result.stderr)
    assert _contents(tmp_path / "t.xlsx") == _contents(COMMITTED)
