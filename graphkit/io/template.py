"""The empty application workbook: a ``说明`` sheet documenting every table and column, then one sheet per table.

Everything comes from the contract registry (:mod:`graphkit.model.schema`), so the template cannot drift from what
the reader accepts. Header rows are bold and frozen, every header cell carries a note with the column's
Chinese and English documentation, and enum and boolean columns have drop-downs (a warning, not a refusal,
for other values, because the reader also accepts Chinese synonyms such as 企业 or 高校).

>>> rows = documentation_rows()
>>> rows[0][:4]
('表 table', '列 column', '必填 required', '类型 type')
>>> [r[1] for r in rows if r[0] == "centers"][:3]
['', 'center_id', 'name']
"""

from __future__ import annotations

from pathlib import Path

from graphkit.model.notice import CHECK_IDS
from graphkit.model.schema import ENUM_SYNONYMS, TABLES, Column, Table

__all__ = ["write_template", "template_bytes", "documentation_rows", "GENERAL_RULES", "DOC_SHEET", "EXAMPLES"]

DOC_SHEET = "说明"

GENERAL_RULES: tuple[tuple[str, str], ...] = (
    ("每个工作表对应一个数据表；第 1 行为列名，请勿修改。可以增加其他列，读入时作为属性保留。",
     "Each sheet is one table; row 1 holds the column names, keep them. Extra columns are allowed and kept as properties."),
    ("centers（创新中心）和 organizations（机构）为必需的表，至少各有一行数据；其他表可以留空。",
     "centers and organizations are required and need at least one data row each; the other tables may stay empty."),
    ("编号（center_id、org_id、platform_id）在创新中心、机构、平台之间不得重复。",
     "Ids (center_id, org_id, platform_id) are unique across centers, organisations and platforms."),
    ("金额单位为万元。", "Amounts are in 万元 (10,000 CNY)."),
    ("一个单元格中的多个值用 | 分隔，例如 F03|F06。", "Several values in one cell are separated by |, e.g. F03|F06."),
    ("是否类字段填写 true/false 或 是/否（也接受 yes/no、1/0）；留空表示未知。",
     "Booleans: true/false or 是/否 (yes/no and 1/0 are accepted too); an empty cell means unknown."),
    ("日期格式为 YYYY、YYYY-MM 或 YYYY-MM-DD。", "Dates are written YYYY, YYYY-MM or YYYY-MM-DD."),
    ("枚举列可从下拉列表中选择英文取值，也可填写对应的中文，例如 企业、高校、国家重点实验室。",
     "Enum columns: pick the English value from the drop-down, or write its Chinese equivalent, e.g. 企业, 高校, 国家重点实验室."),
    ("国家代码为 ISO 3166-1 二位字母代码，默认 CN；国家不是 CN 的机构视为国外合作方。",
     "Countries are ISO 3166-1 alpha-2 codes, default CN; an organisation whose country is not CN is a foreign partner."),
    ("每个表都可以填写 source（出处：引用来源；合成数据填 synthetic）和 note（备注）。",
     "Every table may carry source (a citation, or synthetic for synthetic data) and note."),
    ("请勿合并单元格，也不要使用公式；请粘贴为数值。", "Do not merge cells or use formulas; paste values."),
    ("导出时以 = + - @ 开头的文本前会加一个撇号 '，读入时自动去掉。",
     "On export, text starting with = + - @ gets a leading apostrophe ', which the reader removes again."),
)

_TYPES = {
    "id": ("编号", "id"), "text": ("文本", "text"), "enum": ("枚举", "enum"), "int": ("整数", "whole number"),
    "amount": ("金额（万元）", "amount (万元)"), "pct": ("百分比（0–100）", "percentage (0–100)"),
    "bool": ("是/否", "boolean"), "date": ("日期", "date"), "year": ("年份", "year"),
    "country": ("国家代码", "country code"), "province": ("省份", "province"), "list": ("列表（| 分隔）", "list (| separated)"),
    "ref": ("引用编号", "id reference"), "check_id": ("条件编号", "check id"), "claim_value": ("声明的值", "claimed value"),
}
_ENTITY = {"center": ("创新中心", "center"), "org": ("机构", "organisation"), "platform": ("平台", "platform"),
           "field": ("领域", "field")}
_BOOL_CHOICES = ("true", "false", "是", "否")

EXAMPLES: dict[str, str] = {
    "centers.center_id": "C01", "centers.name": "国家机器人创新中心", "centers.level": "national",
    "field_id": "F03", "province": "辽宁", "centers.city": "沈阳", "operating_company_id": "O001",
    "founded": "2016-06", "centers.year": "2023", "employees": "120", "rd_staff": "80", "total_cost": "5000",
    "rd_expense": "1800.5", "has_board": "是", "has_management_team": "true", "has_expert_committee": "true",
    "committee_chair": "张三", "chair_is_leading_expert": "是", "has_roadmap": "true", "roadmap_year": "2019",
    "has_ip_policy": "true", "source": "synthetic", "note": "",
    "org_id": "O001", "organizations.name": "某某机器人股份有限公司", "organizations.kind": "enterprise",
    "country": "CN", "is_sme": "否", "aliases": "某某机器人|某某股份",
    "center_id": "C01", "share_pct": "40", "capital": "2000",
    "member_id": "O002", "role": "member", "joined": "2017-03",
    "platform_id": "P001", "platforms.name": "机器人学国家重点实验室", "platforms.kind": "state_key_lab",
    "field_ids": "F03|F06", "host_ids": "O003", "approved": "2007", "status": "active",
    "rank": "3", "field_rankings.year": "2022",
    "from_id": "C01", "to_id": "O006", "collaborations.kind": "joint_rd", "collaborations.year": "2022",
    "project": "路线图项目一", "income.year": "2023", "stream": "testing", "amount": "350",
    "check_id": "5.2", "assessments.status": "met", "assessor": "李四", "date": "2024-03-15",
    "evidence": "内部管理制度文件", "claim": "coverage_ratio", "value": "62%",
    "fields.field_id": "F23", "name_zh": "动力电池", "name_en": "power batteries", "layout": "custom",
    "difficulties": "高比能量电池材料与安全性",
}


def example(table: Table, col: Column) -> str:
    """An example value for a column ("" when none fits)."""
    return EXAMPLES.get(f"{table.name}.{col.name}", EXAMPLES.get(col.name, ""))


def _zh_label(value: str) -> str:
    for zh, canonical in ENUM_SYNONYMS.items():
        if canonical == value and not zh.isascii():
            return zh
    return ""


def _allowed(col: Column) -> str:
    if col.type == "enum":
        return " / ".join(f"{v} {_zh_label(v)}".strip() for v in col.enum) + (
            f"（默认 default {col.default}）" if col.default else "")
    if col.type == "bool":
        return "true / false / 是 / 否（yes / no / 1 / 0）"
    if col.type == "date":
        return "YYYY / YYYY-MM / YYYY-MM-DD"
    if col.type == "year":
        return "1900–2100"
    if col.type == "pct":
        return "0 < x ≤ 100"
    if col.type in ("int", "amount"):
        return f"≥ {int(col.minimum or 0)}"
    if col.type == "province":
        return "省级行政区，如 辽宁、北京市 / a province-level division"
    if col.type == "country":
        return "ISO 3166-1 alpha-2（默认 default CN）"
    if col.type == "check_id":
        return " / ".join(CHECK_IDS)
    if col.refs:
        kinds = " / ".join(f"{_ENTITY[r][0]} {_ENTITY[r][1]}" for r in col.refs)
        return f"{kinds} 的编号 id" + ("，用 | 分隔 separated by |" if col.is_list else "")
    if col.is_list:
        return "用 | 分隔 separated by |"
    return ""


def documentation_rows() -> list[tuple[str, ...]]:
    """The column table of the 说明 sheet: a header, then per table one row for the table and one per column."""
    rows: list[tuple[str, ...]] = [
        ("表 table", "列 column", "必填 required", "类型 type", "允许值 allowed values", "说明", "description", "示例 example")
    ]
    for table in TABLES.values():
        need = ("必需的表 required table", "") if table.required_file else ("可选的表 optional table", "")
        rows.append((table.name, "", need[0], "", "", table.doc_zh, table.doc_en, ""))
        for col in table.columns:
            zh, en = _TYPES[col.type]
            rows.append((table.name, col.name, "是 yes" if col.required else "否 no", f"{zh} {en}", _allowed(col),
                         col.doc_zh, col.doc_en, example(table, col)))
    return rows


def _width(text: str) -> float:
    return sum(2 if ord(ch) > 0x2E7F else 1 for ch in text)


def _doc_sheet(ws) -> None:
    from openpyxl.styles import Alignment, Font

    ws.append(["graphkit 制造业创新中心申报数据模板", "graphkit application workbook for manufacturing innovation centers"])
    ws.append(["依据：工信厅科〔2017〕64号", "Per MIIT notice 工信厅科〔2017〕64号 (2017)"])
    ws.append([])
    ws.append(["填写规则", "rules"])
    for zh, en in GENERAL_RULES:
        ws.append([zh, en])
    ws.append([])
    start = ws.max_row + 1
    for row in documentation_rows():
        ws.append(list(row))
    big, bold, wrap = Font(bold=True, size=14), Font(bold=True), Alignment(wrap_text=True, vertical="top")
    ws["A1"].font = big
    ws["A4"].font = ws["B4"].font = bold
    for cell in ws[start]:
        cell.font = bold
    for r in range(start + 1, ws.max_row + 1):
        if not ws.cell(r, 2).value:  # a table's own row
            for cell in ws[r]:
                cell.font = bold
    for row in ws.iter_rows(min_row=5):
        for cell in row:
            cell.alignment = wrap
    for letter, width in zip("ABCDEFGH", (40, 40, 14, 20, 36, 40, 44, 22)):
        ws.column_dimensions[letter].width = width
    ws.freeze_panes = f"A{start + 1}"


def _table_sheet(ws, table: Table) -> None:
    from openpyxl.comments import Comment
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    bold = Font(bold=True)
    for i, col in enumerate(table.columns, start=1):
        cell = ws.cell(1, i, col.name)
        cell.data_type = "s"
        cell.font = bold
        need = "必填 required" if col.required else "选填 optional"
        allowed = _allowed(col)
        text = f"{col.doc_zh}\n{col.doc_en}\n{need}" + (f"\n{allowed}" if allowed else "")
        note = Comment(text, "graphkit")
        note.width, note.height = 320, 120
        cell.comment = note
        letter = get_column_letter(i)
        longest = max([_width(col.name), _width(example(table, col))] + [_width(v) for v in col.enum])
        ws.column_dimensions[letter].width = min(longest + 4, 40)
        choices = col.enum if col.type == "enum" else _BOOL_CHOICES if col.type == "bool" else ()
        if choices:
            dv = DataValidation(type="list", formula1='"' + ",".join(choices) + '"', allow_blank=True,
                                errorStyle="warning", showErrorMessage=True, errorTitle=col.name,
                                error=f"请选择 {' / '.join(choices)}（也接受中文同义词） / choose one of the listed values")
            dv.add(f"{letter}2:{letter}1048576")
            ws.add_data_validation(dv)
    ws.freeze_panes = "A2"


def template_bytes() -> bytes:
    """The template workbook as bytes (what the app offers for download)."""
    import io

    from openpyxl import Workbook

    book = Workbook()
    _doc_sheet(book.active)
    book.active.title = DOC_SHEET
    for table in TABLES.values():
        _table_sheet(book.create_sheet(table.name), table)
    buf = io.BytesIO()
    book.save(buf)
    return buf.getvalue()


def write_template(path) -> Path:
    """Write the empty application workbook to ``path`` (atomically) and return the path."""
    from graphkit.io.files import write_bytes

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    return write_bytes(path, template_bytes())
