"""The names-based application workbook (SPEC §11): its sheets and columns in Chinese and English, read into rows.

Sheets are found by their Chinese or English name; row 1 holds the column names in either language (a second
header row in the other language, as the template writes it, is skipped). Every cell stays a string here; the
intake (:mod:`graphkit.io.intake`) resolves names and validates values.
"""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass, field

from graphkit.model.i18n import TERMS
from graphkit.model.problems import Problems
from graphkit.model.schema import ENUM_SYNONYMS
from graphkit.settings import Settings, get_settings

__all__ = ["SHEETS", "ApplicationBook", "Sheet", "SheetRows", "canonical_enum", "read_application_book"]


@dataclass(frozen=True)
class Sheet:
    """One sheet of the application workbook: its key (the English name), Chinese name, other accepted names and
    its columns as (English, Chinese) pairs."""

    key: str
    zh: str
    names: tuple[str, ...]
    columns: tuple[tuple[str, str], ...]

    def header(self, cell: str) -> str | None:
        c = cell.strip().lower()
        for en, zh in self.columns:
            if c in (en, zh.lower()) or c == f"{zh} {en}".lower() or c == f"{zh}({en})".lower():
                return en
        return None


_BOOLS = (("has_board", "董事会"), ("has_management_team", "经营管理团队"), ("has_expert_committee", "专家委员会"),
          ("chair_is_leading_expert", "主任为领军专家"), ("has_roadmap", "技术路线图"), ("has_ip_policy", "知识产权制度"))

SHEETS: dict[str, Sheet] = {s.key: s for s in (
    Sheet("center", "中心", ("中心", "center", "创新中心"), (
        ("center_id", "案卷编号"), ("name", "中心名称"), ("level", "级别"), ("field", "领域"), ("province", "省份"),
        ("city", "城市"), ("operating_company", "依托公司"), ("founded", "成立时间"), ("year", "数据年度"),
        ("employees", "职工总数"), ("rd_staff", "研发人员数"), ("total_cost", "成本费用总额"), ("rd_expense", "研发费用"),
        *_BOOLS[:3], ("committee_chair", "专家委员会主任"), *_BOOLS[3:5], ("roadmap_year", "路线图年份"), _BOOLS[5])),
    Sheet("shareholders", "股东", ("股东", "shareholders"), (
        ("name", "名称"), ("kind", "类型"), ("country", "国家"), ("province", "省份"), ("share_pct", "持股比例"),
        ("capital", "出资额"))),
    Sheet("members", "联盟成员", ("联盟成员", "members", "alliance_members", "成员"), (
        ("name", "名称"), ("kind", "类型"), ("country", "国家"), ("province", "省份"), ("is_sme", "中小企业"),
        ("role", "角色"), ("joined", "加入时间"))),
    Sheet("collaborations", "合作", ("合作", "collaborations"), (
        ("partner", "合作方"), ("kind", "合作类型"), ("year", "年份"), ("project", "项目"), ("partner_kind", "合作方类型"),
        ("partner_country", "合作方国家"))),
    Sheet("income", "收入", ("收入", "income"), (("year", "年份"), ("stream", "收入类别"), ("amount", "金额"))),
    Sheet("claims", "申报声明", ("申报声明", "claims", "声明"), (("claim", "声明"), ("value", "取值"), ("field", "领域"))),
)}

_DOC = {"说明", "readme", "instructions", "列说明", "columns", "lists", "列表"}


@dataclass
class SheetRows:
    """A sheet's data rows: ``rows`` are (spreadsheet row, {english column: cell}); ``headers`` the column names as the
    workbook writes them (for messages); ``label`` is ``FILE:SHEET``."""

    sheet: Sheet
    title: str
    label: str
    headers: dict[str, str]
    rows: list[tuple[int, dict[str, str]]] = field(default_factory=list)


@dataclass
class ApplicationBook:
    """The sheets found in one application workbook, and every problem reading it."""

    name: str
    sheets: dict[str, SheetRows]
    problems: Problems


def canonical_enum(value: str, allowed) -> str | None:
    """A code from the code itself, its Chinese term (the app's term table) or a synonym; ``技术转让/成果转化``
    style cells are tried whole and part by part.

    >>> canonical_enum("高校", ("university", "enterprise")), canonical_enum("技术转让/成果转化", ("tech_transfer",))
    ('university', 'tech_transfer')
    """
    text = str(value).strip()
    if not text:
        return None
    for part in (text, *re.split(r"[/／、|]", text)):
        p = part.strip()
        low = p.lower()
        if low in allowed:
            return low
        if low.replace(" ", "_") in allowed:
            return low.replace(" ", "_")
        code = ENUM_SYNONYMS.get(p) or ENUM_SYNONYMS.get(low) or _ZH_TERMS.get(p) or _EXTRA.get(p)
        if code in allowed:
            return code
        for code, (zh, en) in TERMS.items():
            if code in allowed and low in (zh.lower(), en.lower()):
                return code
    return None


_ZH_TERMS = {zh: code for code, (zh, _) in TERMS.items()}
_EXTRA = {"技术转让": "tech_transfer", "检测": "testing", "检验": "testing", "检验检测": "testing", "孵化企业": "incubation"}


def _sheet_of(title: str) -> Sheet | None:
    t = title.strip().lower()
    tokens = {x for x in re.split(r"[\s()（）/|_\-·]+", t) if x} | {t}
    for s in SHEETS.values():
        if tokens & {n.lower() for n in s.names}:
            return s
    return None


def read_application_book(data: bytes, name: str, settings: Settings | None = None) -> ApplicationBook:
    """Read an application workbook (bytes, file ``name``); never raises for a bad workbook."""
    from openpyxl import load_workbook  # imported here: only workbook users pay for it

    from graphkit.io.xlsx import _xlsx_cell

    settings = settings or get_settings()
    problems = Problems()
    book = ApplicationBook(name, {}, problems)
    if len(data) > settings.max_upload_bytes:
        problems.error(name, 1, "*", "file_too_large", n=len(data), limit=settings.max_upload_bytes)
        return book
    try:
        unpacked = sum(i.file_size for i in zipfile.ZipFile(io.BytesIO(data)).infolist())
        if unpacked > settings.max_upload_bytes:
            problems.error(name, 1, "*", "file_too_large", n=unpacked, limit=settings.max_upload_bytes)
            return book
        wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # noqa: BLE001 - a damaged or foreign file: openpyxl and zipfile raise many types
        problems.error(name, 1, "*", "workbook_unreadable", detail=f"{type(exc).__name__}: {exc}"[:200])
        return book
    for ws in wb.worksheets:
        sheet = _sheet_of(ws.title)
        if sheet is None:
            if ws.title.strip().lower() not in _DOC:
                problems.warning(name, 1, "*", "unknown_sheet", sheet=ws.title)
            continue
        label = f"{name}:{ws.title}"
        if sheet.key in book.sheets:
            problems.error(label, 1, "*", "column_duplicate", column=ws.title)
            continue
        rows = []
        for r in ws.iter_rows(values_only=True):
            rows.append([_xlsx_cell(v).strip() for v in r])
            if len(rows) > settings.max_rows + 2:
                problems.error(label, 1, "*", "too_many_rows", n=len(rows), limit=settings.max_rows)
                break
        if not rows or not any(rows[0]):
            problems.error(label, 1, "*", "file_empty")
            continue
        positions: dict[int, str] = {}
        headers: dict[str, str] = {}
        for pos, cell in enumerate(rows[0]):
            if not cell:
                continue
            en = sheet.header(cell)
            if en is None:
                problems.warning(label, 1, cell, "unknown_column", column=cell)
                continue
            if en in headers:
                problems.error(label, 1, cell, "column_duplicate", column=cell)
                continue
            positions[pos] = en
            headers[en] = cell
        out = SheetRows(sheet, ws.title, label, headers)
        for number, cells in enumerate(rows[1:], start=2):
            if not any(cells):
                continue
            values = {en: (cells[pos] if pos < len(cells) else "") for pos, en in positions.items()}
            known = [c for c in cells if c and sheet.header(c)]
            if number == 2 and known and len(known) >= sum(bool(c) for c in cells) / 2:
                continue  # the template's second header row, in the other language
            out.rows.append((number, values))
        book.sheets[sheet.key] = out
    wb.close()
    if "center" not in book.sheets and not problems.has_errors():
        problems.error(f"{name}:中心", 1, "*", "file_missing", file=f"{name}:中心 (center)")
    elif "center" in book.sheets:
        c = book.sheets["center"]
        if len(c.rows) != 1:
            problems.error(c.label, 2, "*", "center_rows", n=len(c.rows))
    return book
