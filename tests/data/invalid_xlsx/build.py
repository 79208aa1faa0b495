"""Builds the workbooks of the XLSX corpus at test time (binary files stay out of the repository).

Each folder of ``invalid_xlsx/`` and ``valid_xlsx/`` is one case: its ``expected.txt`` / ``expected_warnings.txt``
hold the exact lines, and ``build(case, out)`` below writes ``out/book.xlsx`` from ``CASES[case.name]``. A case
starts from a small valid workbook (sheets ``centers``, ``organizations``, ``alliance_members``) and changes one
thing. How graphkit reads a workbook (graphkit.read_xlsx.read_xlsx):

- a date-formatted cell is a date; a bare number such as 43200 in a date column is an error that says it looks
  like an Excel date serial number (and which date that would be); a date with a time of day is not a date;
- real booleans read as true/false; a float with no fractional part (12.0) is the whole number 12;
- a formula uses the value Excel cached for it, with a warning; a formula with no cached value is an error;
- merged cells are a warning (only the top-left cell holds the value: the other cells read as empty);
- a sheet that is not part of the contract is ignored with a warning; a hidden contract sheet is read, with a
  warning (a reviewer looking at the workbook in Excel would not see it);
- row 1 is the header: a second header row, or a title above the header, is reported as such data would be.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from pathlib import Path
from xml.sax.saxutils import escape

import openpyxl

CENTERS = ["center_id", "name", "level", "field_id", "province", "operating_company_id", "founded", "employees",
           "rd_staff", "has_board"]
ORGS = ["org_id", "name", "kind", "is_sme"]
MEMBERS = ["center_id", "member_id", "role", "joined"]


def base() -> dict[str, list[list]]:
    """The sheets of the valid starting workbook, as rows (row 1 the header)."""
    return {
        "centers": [CENTERS, ["C1", "中心一", "provincial", "F03", "辽宁", "O1", dt.date(2019, 3, 1), 100, 50, True]],
        "organizations": [ORGS, ["O1", "公司一", "enterprise", False], ["O2", "大学二", "university", None],
                          ["O3", "研究所三", "research_institute", None]],
        "alliance_members": [MEMBERS, ["C1", "O1", "chair", "2019-03"], ["C1", "O2", "member", dt.date(2020, 1, 2)],
                             ["C1", "O3", "member", None]],
    }


def workbook(sheets: dict[str, list[list]], *, hidden=(), merged=None) -> openpyxl.Workbook:
    book = openpyxl.Workbook()
    book.remove(book.active)
    for name, rows in sheets.items():
        ws = book.create_sheet(name)
        for row in rows:
            ws.append(row)
        if name in hidden:
            ws.sheet_state = "hidden"
        for sheet, ref in merged or ():
            if sheet == name:
                ws.merge_cells(ref)
    return book


def to_bytes(book: openpyxl.Workbook, cached: dict[str, str] | None = None) -> bytes:
    """The workbook's bytes; ``cached`` maps a formula (as written, without "=") to the value Excel would have
    cached for it (openpyxl never writes cached values: they are patched into the sheet XML)."""
    buf = io.BytesIO()
    book.save(buf)
    if not cached:
        return buf.getvalue()
    out = io.BytesIO()
    with zipfile.ZipFile(buf) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info)
            if info.filename.startswith("xl/worksheets/"):
                text = data.decode("utf-8")
                for formula, value in cached.items():
                    f = re.escape(escape(formula))
                    kind = "" if re.fullmatch(r"-?[0-9.]+", value) else ' t="str"'  # a text result says so
                    text = re.sub(f"(<c [^>]*?)>(<f>{f}</f>)<v>\\s*</v>", f"\\1{kind}>\\2<v>{escape(value)}</v>", text)
                data = text.encode("utf-8")
            dst.writestr(info, data)
    return out.getvalue()


def _set(sheets, sheet, row, column, value):
    header = sheets[sheet][0]
    sheets[sheet][row - 1][header.index(column)] = value
    return sheets


# ---- the cases: name → the workbook's bytes -------------------------------------------------------------------

def missing_required_sheet():
    s = base()
    del s["organizations"]
    return to_bytes(workbook(s))


def empty_and_header_only_required_sheets():
    s = base()
    s["centers"] = []
    s["organizations"] = [ORGS]
    del s["alliance_members"]
    return to_bytes(workbook(s))


def formula_without_cached_value():
    return to_bytes(workbook(_set(base(), "centers", 2, "employees", "=40+60")))


def formula_with_cached_value():
    s = _set(base(), "centers", 2, "employees", "=40+60")
    _set(s, "organizations", 3, "name", '=UPPER("university two")')
    return to_bytes(workbook(s), cached={"40+60": "100", 'UPPER("university two")': "UNIVERSITY TWO"})


def merged_cells_over_a_required_column():
    s = base()
    s["organizations"][2][2] = None  # the merge C2:C3 leaves C3 empty
    return to_bytes(workbook(s, merged=[("organizations", "C2:C3")]))


def merged_cells_in_an_optional_column():
    s = base()
    s["organizations"][1].append("备注")
    s["organizations"][0] = ORGS + ["note"]
    for row in s["organizations"][2:]:
        row.append(None)
    return to_bytes(workbook(s, merged=[("organizations", "E2:E4")]))


def excel_serial_in_a_date_column():
    s = _set(base(), "centers", 2, "founded", 43525)  # 2019-03-01, typed as a number
    _set(s, "alliance_members", 3, "joined", 43831.75)
    _set(s, "alliance_members", 4, "joined", dt.datetime(2020, 1, 2, 9, 30))  # a time of day: not a date
    return to_bytes(workbook(s))


def date_cells_booleans_and_whole_floats():
    s = _set(base(), "centers", 2, "employees", 100.0)
    _set(s, "centers", 2, "rd_staff", 50.0)
    _set(s, "centers", 2, "founded", dt.datetime(2019, 3, 1))  # a date cell: midnight is a plain date
    _set(s, "organizations", 3, "is_sme", True)
    return to_bytes(workbook(s))


def fractional_float_in_a_whole_number_column():
    s = _set(base(), "centers", 2, "employees", 100.5)
    _set(s, "centers", 2, "rd_staff", 1e20)
    return to_bytes(workbook(s))


def error_values_and_text_in_typed_cells():
    s = _set(base(), "centers", 2, "employees", "#N/A")
    _set(s, "centers", 2, "has_board", "#VALUE!")
    _set(s, "alliance_members", 2, "joined", "2019年3月")
    return to_bytes(workbook(s))


def two_header_rows():
    s = base()
    s["centers"].insert(1, ["中心编号", "名称", "级别", "领域", "省份", "运营公司", "成立时间", "职工", "研发人员", "董事会"])
    return to_bytes(workbook(s))


def title_row_above_the_header():
    s = base()
    s["organizations"].insert(0, ["机构表（2023 年）"])
    return to_bytes(workbook(s))


def extra_unknown_sheet():
    s = base()
    s["汇总"] = [["合计", 3]]
    s["说明"] = [["this documentation sheet is ignored silently"]]
    return to_bytes(workbook(s))


def hidden_contract_sheet():
    s = base()
    s["shareholders"] = [["center_id", "org_id", "share_pct"], ["C1", "O1", 100]]
    return to_bytes(workbook(s, hidden=("shareholders",)))


def sheet_names_in_other_case_and_spaces():
    s = base()
    renamed = {"Centers ": s["centers"], " ORGANIZATIONS": s["organizations"], "alliance_members": s["alliance_members"]}
    return to_bytes(workbook(renamed))


def not_a_workbook():
    return b"center_id,name\nC1,x\n"


def csv_zip_named_xlsx():
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("centers.csv", "center_id,name,level,field_id,province\nC1,x,provincial,F03,辽宁\n")
    return buf.getvalue()


def zip_bomb_workbook():
    """A workbook whose sheet XML inflates to 600 MB of padding (1 MB on disk)."""
    buf = io.BytesIO(to_bytes(workbook(base())))
    with zipfile.ZipFile(buf, "a", zipfile.ZIP_DEFLATED, compresslevel=1) as zf:
        with zf.open("xl/padding.xml", "w", force_zip64=True) as f:
            block = b" " * (1 << 20)
            for _ in range(600):
                f.write(block)
    return buf.getvalue()


CASES = {name: fn for name, fn in globals().items() if callable(fn) and fn.__module__ == __name__
         and name not in ("base", "workbook", "to_bytes", "build") and not name.startswith("_")}


def build(case: Path, out: Path) -> Path:
    """Write the workbook of ``case`` (a corpus folder named like one of :data:`CASES`) as ``out/book.xlsx``."""
    out.mkdir(parents=True, exist_ok=True)
    path = out / "book.xlsx"
    path.write_bytes(CASES[case.name]())
    return path
