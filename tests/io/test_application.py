"""graphkit.io.application: an application's claims read from a workbook in the template's format (or claims.csv),
validated against the loaded dataset with FILE:ROW:COLUMN problems, then checked."""

import io

import openpyxl
import pytest
from conftest import ROOT

from graphkit import claims, load_dataset
from graphkit.io.application import read_application


def application_xlsx(rows, *, sheet="claims", header=("center_id", "claim", "value", "field_id")) -> bytes:
    """The template workbook with ``rows`` in its claims sheet (the other sheets stay empty)."""
    book = openpyxl.load_workbook(ROOT / "data" / "template.xlsx")
    if sheet != "claims":
        del book["claims"]
        book.create_sheet(sheet)
    ws = book[sheet]
    ws.delete_rows(1, ws.max_row)
    ws.append(list(header))
    for row in rows:
        ws.append(list(row))
    buf = io.BytesIO()
    book.save(buf)
    return buf.getvalue()


@pytest.fixture(scope="module")
def tiny():
    return load_dataset(ROOT / "tests" / "fixtures" / "tiny")


def test_workbook_claims_are_checked(tiny):
    data = application_xlsx([("C1", "覆盖率", "62%", ""), ("C1", "member_count", "6", "F03"),
                             ("C1", "covered_platforms", "P1|机器人学国家重点实验室|平台九", "")])
    app = read_application(data, tiny, name="申报书.xlsx")
    assert app.ok and app.problems.items == [] and app.origin == "申报书.xlsx[claims]"
    assert list(app.claims.index) == [2, 3, 4]
    verdicts = claims(tiny, frame=app.claims)
    assert [(v.claim, v.verdict, v.row) for v in verdicts] == [
        ("coverage_ratio", "understated", 2), ("member_count", "consistent", 3), ("covered_platforms", "overstated", 4)]
    assert [(e.entry, e.platform_id, e.verdict) for e in verdicts[2].entries] == [
        ("P1", "P1", "ok"), ("机器人学国家重点实验室", "P1", "ok"), ("平台九", None, "not_in_registry")]


def test_every_problem_at_once_with_file_row_column(tiny):
    data = application_xlsx([("C9", "coverage_ratio", "0.5", ""), ("C1", "bragging", "1", ""),
                             ("C1", "coverage_ratio", "abc", "F99"), ("", "member_count", "-3", ""),
                             ("C1", "coverage_ratio", "62", "")])
    app = read_application(data, tiny, name="app.xlsx")
    assert app.problems.format_errors("en") == [
        "app.xlsx[claims]:2:center_id: unknown center id C9",
        "app.xlsx[claims]:3:claim: invalid value bragging; expected one of: coverage_ratio, covered_platforms, member_count",
        "app.xlsx[claims]:4:field_id: unknown field id F99",
        "app.xlsx[claims]:4:value: abc is not a ratio (e.g. 0.62 or 62%)",
        "app.xlsx[claims]:5:center_id: a required value is empty",
        "app.xlsx[claims]:5:value: -3 is not a non-negative whole number",
    ]
    assert app.problems.format_warnings("en") == ["app.xlsx[claims]:6:value: ratio 62 is above 1; read as 62%"]
    assert list(app.claims.index) == [6]  # the valid row is still checked
    assert app.problems.format_errors("zh")[0] == "app.xlsx[claims]:2:center_id: 引用了不存在的创新中心编号 C9"


def test_missing_sheet_column_and_unreadable_files(tiny):
    app = read_application(application_xlsx([], sheet="notes"), tiny, name="a.xlsx")
    assert app.problems.format_errors("en") == ["a.xlsx[claims]:1:*: required file a.xlsx[claims] is missing"]
    app = read_application(application_xlsx([("C1", "0.5")], header=("center_id", "value")), tiny, name="b.xlsx")
    assert app.problems.format_errors("en") == ["b.xlsx[claims]:1:claim: required column claim is missing"]
    app = read_application(b"%PDF-1.4 ...", tiny, name="c.xlsx")
    assert not app.ok and app.problems.errors[0].file == "c.xlsx" and claims(tiny, frame=app.claims) == []
    app = read_application("center_id,claim,value\n".encode(), tiny, name="claims.csv")
    assert app.problems.format_errors("en") == ["claims.csv:1:*: a required file has a header but no data rows"]


def test_hidden_sheets_matter_only_when_it_is_the_claims_sheet(tiny):
    """An application workbook with other hidden sheets is fine; a hidden claims sheet is read, with a warning
    (the reviewer looking at the workbook in Excel would not see the claims)."""
    book = openpyxl.load_workbook(io.BytesIO(application_xlsx([("C1", "member_count", "6", "F03")])))
    book["centers"].sheet_state = "hidden"
    buf = io.BytesIO()
    book.save(buf)
    assert read_application(buf.getvalue(), tiny, name="app.xlsx").problems.items == []
    book["claims"].sheet_state = "hidden"
    buf = io.BytesIO()
    book.save(buf)
    app = read_application(buf.getvalue(), tiny, name="app.xlsx")
    assert app.ok and app.problems.format_warnings("en") == ["app.xlsx:1:*: sheet claims is hidden; its rows were read"]
