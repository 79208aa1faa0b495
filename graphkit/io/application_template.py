"""The empty names-based application workbook (SPEC §11): Chinese first, an English second header row, drop-downs
for kinds, roles, streams and fields, and a 说明 sheet listing every code with its Chinese name.

>>> from openpyxl import load_workbook
>>> import io
>>> book = load_workbook(io.BytesIO(application_template_bytes()))
>>> book.sheetnames
['说明', '中心', '股东', '联盟成员', '合作', '收入', '申报声明', '列表']
>>> [c.value for c in book["联盟成员"][1]], [c.value for c in book["联盟成员"][2]][:2]
(['名称', '类型', '国家', '省份', '中小企业', '角色', '加入时间'], ['name', 'kind'])
"""

from __future__ import annotations

from pathlib import Path

from graphkit.io.application_book import SHEETS
from graphkit.model.i18n import TERMS
from graphkit.model.notice import builtin_fields
from graphkit.model.schema import (
    CLAIM_KINDS,
    COLLABORATION_KINDS,
    INCOME_STREAMS,
    LEVELS,
    MEMBER_ROLES,
    ORG_KINDS,
)

__all__ = ["LISTS", "application_template_bytes", "write_application_template"]

_STREAM_ZH = {"tech_transfer": "技术转让/成果转化", "incubation": "企业孵化", "contract_rd": "委托研发", "testing": "检测检验",
              "public_service": "公共服务", "shareholder": "股东投入", "government": "政府资助", "other": "其他"}
_COLLAB_ZH = {"joint_rd": "联合研发", "contract_rd": "委托研发", "tech_transfer": "技术转移", "incubation": "企业孵化",
              "exchange": "技术交流", "other": "其他"}


def _zh(code: str) -> str:
    return TERMS[code][0] if code in TERMS else code


# list name → (code, Chinese name) pairs; the drop-downs offer the Chinese names, the reader takes either
LISTS: dict[str, list[tuple[str, str]]] = {
    "level": [(c, _zh(c)) for c in LEVELS],
    "kind": [(c, _zh(c)) for c in ORG_KINDS],
    "role": [(c, {"member": "成员", "user": "用户单位", "council": "理事单位", "chair": "理事长单位"}[c]) for c in MEMBER_ROLES],
    "collaboration": [(c, _COLLAB_ZH[c]) for c in COLLABORATION_KINDS],
    "stream": [(c, _STREAM_ZH[c]) for c in INCOME_STREAMS],
    "claim": [(c, _zh(c)) for c in CLAIM_KINDS],
    "field": [(f.field_id, f.name_zh) for f in builtin_fields()],
    "bool": [("true", "是"), ("false", "否")],
}
_DROPDOWNS = {("center", "level"): "level", ("center", "field"): "field", ("shareholders", "kind"): "kind",
              ("members", "kind"): "kind", ("members", "role"): "role", ("members", "is_sme"): "bool",
              ("collaborations", "kind"): "collaboration", ("collaborations", "partner_kind"): "kind",
              ("income", "stream"): "stream", ("claims", "claim"): "claim", ("claims", "field"): "field"}
for _b in ("has_board", "has_management_team", "has_expert_committee", "chair_is_leading_expert", "has_roadmap", "has_ip_policy"):
    _DROPDOWNS[("center", _b)] = "bool"

_RULES = (
    ("每个申报书描述一个创新中心；机构和平台按名称填写，无需编号。", "One workbook describes one center; organisations and platforms are written by name, no ids."),
    ("第 1 行为中文列名，第 2 行为英文列名（读取时跳过），自第 3 行起填写数据。", "Row 1 holds the Chinese column names, row 2 the English ones (skipped when read); data starts in row 3."),
    ("名称按以下顺序与名录匹配：完全一致、别名、规范化名称（全角半角、空格）、简称表（中科院、哈工大……）；找不到的机构新建，编号为“案卷编号-序号”。",
     "Names are matched to the registry in this order: exact, alias, normalised (full/half width, spaces), the short-form table (中科院, 哈工大 …); an unknown organisation is added as <case number>-N."),
    ("名称有歧义时不作猜测：请在决定文件（sheet,row,name,id）中写明编号或 new。", "An ambiguous name is never guessed: settle it in a decisions CSV (sheet,row,name,id) with an id or new."),
    ("申报声明的“覆盖的平台”可用 |、、、；或 ; 分隔多个平台名称。", "In the claims sheet, covered_platforms lists platform names separated by |, 、, ； or ;."),
    ("金额单位为万元；日期写作 YYYY、YYYY-MM 或 YYYY-MM-DD；国家为 ISO 二位代码（默认 CN）。", "Amounts in 万元; dates YYYY, YYYY-MM or YYYY-MM-DD; country as ISO alpha-2 (default CN)."),
)


def _doc(ws) -> None:
    from openpyxl.styles import Font

    ws.append(["graphkit 创新中心申报书（按名称填写）", "graphkit application workbook (by name)"])
    ws["A1"].font = Font(bold=True, size=14)
    ws.append([])
    for zh, en in _RULES:
        ws.append([zh, en])
    ws.append([])
    ws.append(["工作表 sheet", "列 column (中文)", "column (English)"])
    for s in SHEETS.values():
        for en, zh in s.columns:
            ws.append([f"{s.zh} {s.key}", zh, en])
    ws.append([])
    ws.append(["取值表 list", "中文", "code"])
    for name, pairs in LISTS.items():
        for code, zh in pairs:
            ws.append([name, zh, code])
    ws.column_dimensions["A"].width = 60
    ws.column_dimensions["B"].width = 60
    ws.column_dimensions["C"].width = 30


def application_template_bytes() -> bytes:
    """The empty application workbook as bytes (what the app offers for download)."""
    import io

    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    book = Workbook()
    book.active.title = "说明"
    _doc(book.active)
    sheets = {key: book.create_sheet(s.zh) for key, s in SHEETS.items()}
    lists = book.create_sheet("列表")
    ranges = {}
    for col, (name, pairs) in enumerate(LISTS.items(), start=1):
        lists.cell(1, col, name)
        for r, (_, zh) in enumerate(pairs, start=2):
            lists.cell(r, col, zh)
        letter = get_column_letter(col)
        ranges[name] = f"'列表'!${letter}$2:${letter}${len(pairs) + 1}"
    lists.sheet_state = "hidden"
    bold = Font(bold=True)
    for key, s in SHEETS.items():
        ws = sheets[key]
        for i, (en, zh) in enumerate(s.columns, start=1):
            ws.cell(1, i, zh).font = bold
            ws.cell(2, i, en)
            letter = get_column_letter(i)
            ws.column_dimensions[letter].width = max(12, 2 * len(zh) + 4)
            which = _DROPDOWNS.get((key, en))
            if which:
                dv = DataValidation(type="list", formula1=ranges[which], allow_blank=True, errorStyle="warning",
                                    showErrorMessage=True, error="请从列表中选择（也接受代码） / choose from the list (codes accepted too)")
                dv.add(f"{letter}3:{letter}1048576")
                ws.add_data_validation(dv)
        ws.freeze_panes = "A3"
    buf = io.BytesIO()
    book.save(buf)
    return buf.getvalue()


def write_application_template(path) -> Path:
    """Write the empty application workbook to ``path`` (atomically) and return the path."""
    from graphkit.io.files import write_bytes

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    return write_bytes(path, application_template_bytes())
