"""Messages in Chinese (first) and English: one catalog, looked up by key.

>>> msg("unknown_ref", "en", kind=entity_name("org", "en"), value="O9")
'unknown organisation id O9'
>>> msg("unknown_ref", "zh", kind=entity_name("org", "zh"), value="O9")
'引用了不存在的机构编号 O9'
"""

from __future__ import annotations

__all__ = ["LANGS", "TERMS", "COUNTRY_NAMES", "msg", "term", "country_name", "entity_name", "check_lang", "Kinds", "Term"]

LANGS = ("zh", "en")

_ENTITY = {
    "center": ("创新中心", "center"),
    "org": ("机构", "organisation"),
    "platform": ("平台", "platform"),
    "field": ("领域", "field"),
    "check": ("条件", "check"),
}

CATALOG: dict[str, tuple[str, str]] = {
    # files
    "file_missing": ("缺少必需文件 {file}", "required file {file} is missing"),
    "file_empty": ("文件为空（没有表头）", "the file is empty (no header row)"),
    "file_no_rows": ("必需文件只有表头，没有数据行", "a required file has a header but no data rows"),
    "not_text": ("不是文本文件（含 NUL 字节）；请另存为 CSV（UTF-8）", "not a text file (it contains NUL bytes); save it as CSV (UTF-8)"),
    "not_csv": ("不是 CSV 文件（看起来是 {what}）；请另存为 CSV（UTF-8）", "not a CSV file (it looks like {what}); save it as CSV (UTF-8)"),
    "not_utf8": ("文件编码既不是 UTF-8 也不是 GB18030/GBK；请另存为 CSV（UTF-8）", "the file is neither UTF-8 nor GB18030/GBK; save it as CSV (UTF-8)"),
    "mixed_encoding": ("文件混用了 UTF-8 与 GBK 编码；请统一另存为 CSV（UTF-8）", "the file mixes UTF-8 and GBK encodings; save it again as CSV (UTF-8)"),
    "gb18030": ("文件按 GB18030/GBK 编码读取；建议另存为 UTF-8", "read as GB18030/GBK; consider saving it as UTF-8"),
    "csv_parse": ("CSV 格式错误：{detail}", "malformed CSV: {detail}"),
    "unclosed_quote": ("引号未闭合（文件可能被截断）", "a quoted cell is never closed (the file may be truncated)"),
    "ragged_row": ("该行有 {n} 个单元格，多于表头的 {m} 列", "this row has {n} cells, more than the {m} header columns"),
    "column_missing": ("缺少必需列 {column}", "required column {column} is missing"),
    "column_duplicate": ("列名 {column} 重复", "column {column} appears more than once"),
    "column_blank": ("表头第 {n} 列没有列名", "header column {n} has no name"),
    "unknown_sheet": ("工作表 {sheet} 不属于数据规范，已忽略", "sheet {sheet} is not part of the data contract and was ignored"),
    "workbook_unreadable": ("无法读取工作簿：{detail}", "cannot read the workbook: {detail}"),
    "merged_cells": ("合并单元格 {range} 已拆分：仅左上角单元格有值", "merged cells {range} were split: only the top-left cell has the value"),
    "formula_cell": ("单元格包含公式 {formula}；请粘贴为数值", "the cell holds a formula {formula}; paste it as a value"),
    "cell_too_long": ("单元格长度 {n} 超过上限 {limit} 个字符", "the cell is {n} characters long, over the limit of {limit}"),
    "too_many_rows": ("数据行数 {n} 超过上限 {limit}", "{n} data rows, over the limit of {limit}"),
    "file_too_large": ("文件大小 {n} 字节超过上限 {limit} 字节", "the file is {n} bytes, over the limit of {limit}"),
    "nul_in_cell": ("单元格含有 NUL 字符", "the cell contains a NUL character"),
    "truncated_char": ("文件在一个字符中间结束（可能被截断）；请重新保存或重新复制", "the file ends in the middle of a character (it may be truncated); save or copy it again"),
    "header_repeated": ("该行重复了表头（两个文件被拼接？）；请删除该行", "this row repeats the header row (two files pasted together?); delete it"),
    "zip_unreadable": ("无法读取 zip 压缩包：{detail}", "cannot read the zip archive: {detail}"),
    "zip_method": ("zip 中的 {member} 使用 {method} 压缩；只接受 stored 或 deflate（请用常规 zip 工具重新打包）", "{member} in the zip is compressed with {method}; only stored or deflate members are read (zip it again with an ordinary zip tool)"),
    "zip_member_lies": ("zip 中的 {member} 解压后超过其声明的 {n} 字节（可能是压缩炸弹）；请重新打包", "{member} in the zip inflates beyond the {n} bytes its header declares (a decompression bomb?); zip it again"),
    "sheet_damaged": ("工作表已损坏，无法从此行读取：{detail}；请在 Excel 中打开并另存", "the sheet is damaged and cannot be read from this row on: {detail}; open it in Excel and save it again"),
    "too_many_rows_over": ("数据行数超过上限 {limit}（超过后不再计数）", "more than {limit} data rows, over the limit (counting stopped there)"),
    "too_many_columns": ("此行有 {n} 列，超过上限 {limit} 列（设置 max_columns）", "{n} columns, over the limit of {limit} (setting max_columns)"),
    "line_too_long": ("一行长 {n} 字节，超过上限 {limit} 字节（设置 max_line_bytes）", "a line of {n} bytes, over the limit of {limit} (setting max_line_bytes)"),
    "zip_member_unreadable": ("无法从 zip 中读取该文件（{detail}）；请重新打包", "cannot read this file from the zip ({detail}); zip the dataset again"),
    "zip_duplicate_member": ("zip 中有多个 {file}：{paths}；只保留一个", "the zip holds more than one {file}: {paths}; keep one"),
    "hidden_sheet": ("工作表 {sheet} 是隐藏的；其数据已读取", "sheet {sheet} is hidden; its rows were read"),
    "date_serial": ("{value} 像是 Excel 日期序列号（{date}）；请把单元格设为日期格式或写成 YYYY-MM-DD", "{value} looks like an Excel date serial number ({date}); format the cell as a date or write YYYY-MM-DD"),
    # cells
    "required_empty": ("必填项为空", "a required value is empty"),
    "duplicate_id": ("编号 {value} 重复（已出现在 {first}）", "duplicate id {value} (already at {first})"),
    "duplicate_row": ("与第 {first} 行重复", "duplicates row {first}"),
    "unknown_ref": ("引用了不存在的{kind}编号 {value}", "unknown {kind} id {value}"),
    "wrong_kind": ("编号 {value} 是{actual}，此处应为{expected}", "id {value} is of kind {actual}, expected {expected}"),
    "bad_enum": ("取值 {value} 无效，应为：{allowed}", "invalid value {value}; expected one of: {allowed}"),
    "bad_int": ("{value} 不是整数", "{value} is not a whole number"),
    "bad_number": ("{value} 不是数字", "{value} is not a number"),
    "bad_bool": ("{value} 不是布尔值（可用 true/false/yes/no/1/0/是/否）", "{value} is not a boolean (use true/false/yes/no/1/0/是/否)"),
    "bad_date": ("{value} 不是日期（应为 YYYY、YYYY-MM 或 YYYY-MM-DD）", "{value} is not a date (use YYYY, YYYY-MM or YYYY-MM-DD)"),
    "bad_year": ("{value} 不是年份（应为 1900–2100 的四位数）", "{value} is not a year (four digits, 1900–2100)"),
    "bad_country": ("{value} 不是 ISO 3166-1 二位国家代码", "{value} is not an ISO 3166-1 alpha-2 country code"),
    "negative": ("{value} 不能为负数", "{value} must not be negative"),
    "below_min": ("{value} 小于最小值 {minimum}", "{value} is below the minimum {minimum}"),
    "rd_staff_gt": ("研发人员 {rd_staff} 多于职工总数 {employees}", "rd_staff {rd_staff} exceeds employees {employees}"),
    "rd_expense_gt": ("研发费用 {rd_expense} 大于成本费用总额 {total_cost}", "rd_expense {rd_expense} exceeds total_cost {total_cost}"),
    "share_range": ("持股比例 {value} 不在 (0, 100] 范围内", "share_pct {value} is outside (0, 100]"),
    "list_empty": ("至少需要一个编号", "at least one id is required"),
    "bad_check_id": ("{value} 不是条件编号；可用：{allowed}", "{value} is not a check id; expected one of: {allowed}"),
    "bad_ratio": ("{value} 不是比例（如 0.62 或 62%）", "{value} is not a ratio (e.g. 0.62 or 62%)"),
    "ratio_range": ("比例 {value} 不在 0–100% 范围内", "ratio {value} is outside 0–100%"),
    "bad_count": ("{value} 不是非负整数", "{value} is not a non-negative whole number"),
    "platform_as_host": ("依托单位必须是机构", "a host must be an organisation"),
    # warnings
    "shareholder_not_member": ("股东 {org} 不是 {center} 的联盟成员", "shareholder {org} is not an alliance member of {center}"),
    "platform_inactive": ("平台状态为 {status}，不计入覆盖率", "platform status is {status}; it does not count towards coverage"),
    "shares_over_100": ("{center} 的股东持股合计 {total}%，超过 100%", "shares of {center} sum to {total}%, over 100%"),
    "name_is_alias": ("名称 {name} 与机构 {other} 的别名相同", "name {name} matches an alias of organisation {other}"),
    "duplicate_member": ("{member} 已是 {center} 的联盟成员（第 {first} 行）；重复行已忽略", "{member} is already a member of {center} (row {first}); the duplicate was ignored"),
    "unknown_province": ("{value} 不是已知的省级行政区名称", "{value} is not a known province name"),
    "field_overrides_builtin": ("领域 {value} 覆盖了内置领域的定义", "field {value} replaces the built-in definition"),
    "layout_is_builtin": ("领域 {value} 不能归入布局 {layout}：该布局即通知附件的 F01–F22，请为新增领域另取布局名称",
                          "field {value} cannot join layout {layout}: that layout is exactly the notice's annex F01–F22; give added fields a layout of their own"),
    "self_collaboration": ("合作双方相同（{value}）", "a collaboration from {value} to itself"),
    "foreign_with_province": ("国外机构（{country}）填写了省份 {province}", "a foreign organisation ({country}) has a province {province}"),
    "ratio_as_percent": ("比例 {value} 大于 1，按百分数 {pct}% 理解", "ratio {value} is above 1; read as {pct}%"),
    # RDF input (graphkit.io.rdf.read)
    "rdf_parse": ("无法解析 RDF（Turtle / JSON-LD）：{detail}", "cannot parse the RDF (Turtle / JSON-LD): {detail}"),
    "rdf_remote_context": ("JSON-LD 引用了外部 @context {url}；离线环境不下载，请改用内联 @context",
                           "the JSON-LD refers to a remote @context {url}; nothing is downloaded, inline the @context"),
    "rdf_multiple_values": ("该节点此列有 {n} 个不同的值（{values}），应只有一个", "the node has {n} different values for this column ({values}); expected one"),
    "rdf_ignored_node": ("节点 {node} 的类型不属于 graphkit 词汇，已忽略", "node {node} has no graphkit class and was ignored"),
    "rdf_ignored_property": ("{table} 节点的属性 {property} 不属于 graphkit 词汇，已忽略", "property {property} of {table} nodes is not graphkit vocabulary and was ignored"),
    # application intake (SPEC §11)
    "unknown_column": ("列 {column} 不属于申报书格式，已忽略", "column {column} is not part of the application workbook and was ignored"),
    "center_rows": ("中心表应恰有一行数据，现有 {n} 行", "the center sheet must hold exactly one data row, it holds {n}"),
    "ambiguous_name": ("名称 {name} 有歧义，候选：{candidates}；请在决定文件（sheet,row,name,id）中指定编号或 new", "the name {name} is ambiguous, candidates: {candidates}; settle it in a decisions CSV (sheet,row,name,id) with an id or new"),
    "new_org_kind": ("新机构 {name} 未填类型，按“其他”处理", "the new organisation {name} has no kind; it is recorded as other"),
    "decision_unknown_id": ("决定中的编号 {value} 不在名录中（可用 new 新建机构）", "the decision's id {value} is not in the registry (use new for a new organisation)"),
    "decision_unused": ("该决定未对应申报书中的任何名称（{name}）", "this decision matches no name of the application ({name})"),
    "new_org_kind_guessed": ("依托单位 {name} 不在名录中，已新建，类型按名称推断为 {kind}", "host {name} is not in the registry and was added; its kind {kind} was read from its name"),
    # generic
    "dataset_ok": ("数据集有效", "the dataset is valid"),
}


class Kinds(tuple):
    """Entity kinds as a message parameter, named in the language the message is rendered in.

    >>> msg("unknown_ref", "en", kind=Kinds(("org", "platform")), value="X")
    'unknown organisation/platform id X'
    """

    def render(self, lang: str) -> str:
        return "/".join(entity_name(k, lang) for k in self)


def check_lang(lang: str | None) -> str:
    """Return a supported language code, defaulting to Chinese."""
    return lang if lang in LANGS else "zh"


def msg(key: str, lang: str = "zh", **kw) -> str:
    """The message ``key`` in ``lang`` with its placeholders filled in."""
    zh, en = CATALOG[key]
    template = en if lang == "en" else zh
    kw = {k: (v.render(lang) if isinstance(v, (Kinds, Term)) else v) for k, v in kw.items()}
    return template.format(**kw)


def entity_name(kind: str, lang: str = "zh") -> str:
    """The name of an entity kind (center, org, platform, field) in ``lang``."""
    zh, en = _ENTITY.get(kind, (kind, kind))
    return en if lang == "en" else zh


# Codes of the data model (statuses, kinds, verdicts, tables, keys of check values) in words, shared by
# the report and the app so that both say the same thing.
TERMS: dict[str, tuple[str, str]] = {
    # statuses and kinds of checks
    "met": ("符合", "met"), "not_met": ("不符合", "not met"), "insufficient_data": ("数据不足", "insufficient data"),
    "needs_review": ("待评审", "needs review"), "computed": ("计算", "computed"), "attested": ("须专家评审", "reviewer decides"),
    "yes": ("是", "yes"), "no": ("否", "no"), "unknown": ("未知", "unknown"),
    "national": ("国家级", "national"), "provincial": ("省级", "provincial"),
    # entities and node groups
    "center": ("创新中心", "center"), "org": ("机构", "organisation"), "platform": ("国家级平台", "platform"),
    "edge": ("关系", "relation"), "aggregate": ("聚合", "aggregate"),
    "enterprise": ("企业", "enterprise"), "university": ("高校", "university"), "research_institute": ("科研院所", "research institute"),
    "user": ("用户单位", "user"), "investor": ("社会资本", "investor"), "government": ("政府", "government"), "other": ("其他", "other"),
    "state_key_lab": ("国家重点实验室", "state key laboratory"), "national_engineering_lab": ("国家工程实验室", "national engineering laboratory"),
    "national_engineering_technology_research_center": ("国家工程技术研究中心", "national engineering technology research center"),
    "national_engineering_research_center": ("国家工程研究中心", "national engineering research center"),
    "other_national": ("其他国家级平台", "other national platform"),
    "active": ("运行", "active"), "reorganized": ("重组", "reorganised"), "revoked": ("撤销", "revoked"),
    # relations and roles
    "member": ("联盟成员", "member"), "shareholder": ("股东", "shareholder"), "host": ("依托单位", "host"),
    "collaboration": ("合作", "collaboration"), "council": ("理事单位", "council"), "chair": ("理事长单位", "chair"),
    # claims
    "consistent": ("一致", "consistent"), "overstated": ("高报", "overstated"), "understated": ("低报", "understated"),
    "unverifiable": ("无法核实", "unverifiable"), "ok": ("核实无误", "ok"), "not_in_registry": ("平台名录中无此平台", "not in the registry"),
    "wrong_field": ("不属本领域", "wrong field"), "host_not_member": ("依托单位不是联盟成员", "host not a member"),
    "inactive": ("平台已撤销或重组", "inactive"), "coverage_ratio": ("覆盖率", "coverage ratio"),
    "covered_platforms": ("覆盖的平台", "covered platforms"), "member_count": ("成员数", "member count"),
    # tables
    "centers": ("创新中心", "centers"), "organizations": ("机构", "organisations"), "platforms": ("国家级平台", "platforms"),
    "shareholders": ("股东", "shareholders"), "alliance_members": ("联盟成员", "alliance members"),
    "field_rankings": ("领域排名", "field rankings"), "collaborations": ("合作", "collaborations"), "income": ("收入", "income"),
    "assessments": ("评审意见", "assessments"), "claims": ("申报声明", "claims"), "fields": ("领域", "fields"),
    # problems
    "error": ("错误", "error"), "warning": ("警告", "warning"),
    # keys of check values
    "coverage": ("覆盖率", "coverage"), "covered": ("已覆盖", "covered"), "total": ("总数", "total"),
    "provinces": ("省份数", "provinces"), "member_kinds": ("成员类型", "member kinds"),
    "operating_company_kind": ("依托公司类型", "operating company kind"), "members": ("成员数", "members"),
    "has_board": ("董事会", "board"), "has_management_team": ("经营管理团队", "management team"),
    "has_expert_committee": ("专家委员会", "expert committee"), "chair_is_leading_expert": ("主任为领军专家", "chair is a leading expert"),
    "has_roadmap": ("技术路线图", "roadmap"), "has_ip_policy": ("知识产权制度", "IP policy"),
    "university_or_institute": ("高校或科研院所", "universities or institutes"), "foreign": ("国外机构", "foreign"),
    # how an application's name was resolved (SPEC §11)
    "method.exact": ("名称完全一致", "exact name"), "method.alias": ("别名一致", "exact alias"),
    "method.normalized": ("规范化后一致", "normalised name"), "method.alias_table": ("简称表", "short-form table"),
    "method.decision": ("评审决定", "reviewer's decision"), "method.new": ("新建机构", "new"),
    "method.ambiguous": ("有歧义", "ambiguous"),
    # collaboration kinds and income streams (SPEC §10: codes in the UI language)
    "joint_rd": ("联合研发", "joint R&D"), "contract_rd": ("委托研发", "contract R&D"),
    "tech_transfer": ("技术转让/成果转化", "technology transfer"), "incubation": ("企业孵化", "incubation"),
    "exchange": ("交流", "exchange"), "testing": ("检测检验", "testing"), "public_service": ("公共服务", "public services"),
    "not_counted": ("平台类型不计入", "kind not counted"),
    # evidence types (SPEC §10)
    "organization": ("机构", "organisation"), "field": ("领域", "field"), "shareholding": ("股权", "shareholding"),
    "membership": ("联盟成员关系", "membership"), "assessment": ("评审意见", "assessment"),
}

# Codes the app and the report show beside those above: collaboration kinds, income streams, field layouts,
# entity kinds of evidence, and the countries of the data (ISO 3166-1 alpha-2).
TERMS.update({
    "field": ("领域", "field"),
    "joint_rd": ("联合研发", "joint R&D"), "contract_rd": ("委托研发", "contract R&D"),
    "tech_transfer": ("技术转让/成果转化", "technology transfer"), "incubation": ("企业孵化", "incubation"),
    "exchange": ("交流合作", "exchange"), "testing": ("检测检验", "testing"), "public_service": ("公共服务", "public services"),
    "2017-64": ("64号文附件布局（22 个领域）", "the 64号 annex layout (22 fields)"),
    "2016-guide": ("2016 年建设指南布局", "the 2016 guide's layout"),
})
COUNTRY_NAMES: dict[str, tuple[str, str]] = {
    "CN": ("中国", "China"), "US": ("美国", "United States"), "DE": ("德国", "Germany"), "FR": ("法国", "France"),
    "GB": ("英国", "United Kingdom"), "JP": ("日本", "Japan"), "SG": ("新加坡", "Singapore"), "NL": ("荷兰", "Netherlands"),
    "CH": ("瑞士", "Switzerland"), "KR": ("韩国", "South Korea"), "IT": ("意大利", "Italy"), "FI": ("芬兰", "Finland"),
    "SE": ("瑞典", "Sweden"), "AT": ("奥地利", "Austria"), "BE": ("比利时", "Belgium"), "CA": ("加拿大", "Canada"),
    "AU": ("澳大利亚", "Australia"), "IL": ("以色列", "Israel"), "RU": ("俄罗斯", "Russia"), "ES": ("西班牙", "Spain"),
    "DK": ("丹麦", "Denmark"), "NO": ("挪威", "Norway"), "IE": ("爱尔兰", "Ireland"), "IN": ("印度", "India"),
    "HK": ("中国香港", "Hong Kong, China"), "MO": ("中国澳门", "Macao, China"), "TW": ("中国台湾", "Taiwan, China"),
}


def country_name(code, lang: str = "zh") -> str:
    """A country code in words ("US" → 美国); an unlisted code is shown as is."""
    pair = COUNTRY_NAMES.get(str(code).strip().upper()) if code else None
    return str(code or "") if pair is None else pair[1 if lang == "en" else 0]


class Term(str):
    """A code as a message parameter: in Chinese through :data:`TERMS`; in English the code itself, which is an
    English word already (so English messages stay as they were)."""

    def render(self, lang: str) -> str:
        return term(str(self), lang) if lang != "en" else str(self)


def term(code, lang: str = "zh") -> str:
    """A code of the data model (status, kind, verdict, table …) in words; an unknown code is shown as is."""
    pair = TERMS.get(code) if isinstance(code, str) else None
    return str(code) if pair is None else pair[1 if lang == "en" else 0]
