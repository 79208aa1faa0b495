"""The data contract (SPEC §3) as code: every table, column, type, reference and its documentation.

Validation, the template workbook, the CSV export, the docs and the ontology all read this one registry,
so the contract cannot drift between them.

>>> TABLES["centers"].required_columns[:3]
('center_id', 'name', 'level')
>>> TABLES["platforms"].column("host_ids").is_list
True
"""

from __future__ import annotations

from dataclasses import dataclass, field

__all__ = [
    "Column",
    "Table",
    "TABLES",
    "TABLE_ORDER",
    "ENTITY_TABLES",
    "ORG_KINDS",
    "PLATFORM_KINDS",
    "PLATFORM_STATUSES",
    "MEMBER_ROLES",
    "COLLABORATION_KINDS",
    "INCOME_STREAMS",
    "CLAIM_KINDS",
    "LEVELS",
    "ASSESSMENT_STATUSES",
    "ENUM_SYNONYMS",
    "DEFAULT_COUNTRY",
]

DEFAULT_COUNTRY = "CN"

LEVELS = ("national", "provincial")
ORG_KINDS = ("enterprise", "university", "research_institute", "user", "investor", "government", "other")
PLATFORM_KINDS = (
    "state_key_lab",
    "national_engineering_lab",
    "national_engineering_technology_research_center",
    "national_engineering_research_center",
    "other_national",
)
PLATFORM_STATUSES = ("active", "reorganized", "revoked")
MEMBER_ROLES = ("member", "user", "council", "chair")
COLLABORATION_KINDS = ("joint_rd", "contract_rd", "tech_transfer", "incubation", "exchange", "other")
INCOME_STREAMS = (
    "tech_transfer",
    "incubation",
    "contract_rd",
    "testing",
    "public_service",
    "shareholder",
    "government",
    "other",
)
CLAIM_KINDS = ("coverage_ratio", "covered_platforms", "member_count")
ASSESSMENT_STATUSES = ("met", "not_met")

# Chinese (and a few spelling) synonyms accepted for enum cells; the canonical value is what is stored.
ENUM_SYNONYMS: dict[str, str] = {
    # levels
    "国家级": "national", "国家": "national", "省级": "provincial", "省": "provincial",
    # organisation kinds
    "企业": "enterprise", "高校": "university", "大学": "university", "科研院所": "research_institute",
    "研究院所": "research_institute", "研究机构": "research_institute", "research institute": "research_institute",
    "用户": "user", "用户单位": "user", "投资机构": "investor", "社会资本": "investor", "政府": "government",
    "其他": "other",
    # platform kinds
    "国家重点实验室": "state_key_lab", "国家工程实验室": "national_engineering_lab",
    "国家工程技术研究中心": "national_engineering_technology_research_center",
    "国家工程研究中心": "national_engineering_research_center", "其他国家级平台": "other_national",
    # statuses
    "运行": "active", "在运行": "active", "重组": "reorganized", "reorganised": "reorganized", "撤销": "revoked",
    # roles
    "成员": "member", "理事": "council", "理事单位": "council", "理事长": "chair", "理事长单位": "chair",
    # collaboration kinds
    "联合研发": "joint_rd", "委托研发": "contract_rd", "技术转移": "tech_transfer", "成果转化": "tech_transfer",
    "孵化": "incubation", "企业孵化": "incubation", "交流": "exchange", "技术交流": "exchange",
    # income streams
    "检测检验": "testing", "公共服务": "public_service", "股东投入": "shareholder", "政府资助": "government",
    # claims
    "覆盖率": "coverage_ratio", "覆盖平台": "covered_platforms", "成员数": "member_count",
    # assessments
    "符合": "met", "满足": "met", "不符合": "not_met", "不满足": "not_met", "not met": "not_met",
}


@dataclass(frozen=True)
class Column:
    """One column of the contract.

    ``type`` is one of: id, text, enum, int, amount, pct, ratio_or_pct, bool, date, year, country, province,
    list, ref, check_id, claim_value. ``refs`` names the entity kinds a ref (or a list of refs) may point at:
    center, org, platform, field.
    """

    name: str
    type: str
    required: bool = False
    enum: tuple[str, ...] = ()
    refs: tuple[str, ...] = ()
    is_list: bool = False
    default: str | None = None
    minimum: float | None = None
    doc_zh: str = ""
    doc_en: str = ""


@dataclass(frozen=True)
class Table:
    """One file / sheet of the contract."""

    name: str
    columns: tuple[Column, ...]
    key: str | None = None  # the id column of an entity table
    entity: str | None = None  # center, org, platform, field
    required_file: bool = False
    doc_zh: str = ""
    doc_en: str = ""
    _by_name: dict = field(default_factory=dict, compare=False, repr=False)

    def __post_init__(self):
        self._by_name.update({c.name: c for c in self.columns})

    @property
    def filename(self) -> str:
        return f"{self.name}.csv"

    @property
    def column_names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns)

    @property
    def required_columns(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns if c.required)

    def column(self, name: str) -> Column:
        return self._by_name[name]

    def has_column(self, name: str) -> bool:
        return name in self._by_name


def _c(name, type_, required=False, *, enum=(), refs=(), is_list=False, default=None, minimum=None, zh="", en=""):
    return Column(name, type_, required, tuple(enum), tuple(refs), is_list, default, minimum, zh, en)


_SOURCE = _c("source", "text", zh="出处：引用来源，或 synthetic 表示合成数据", en="provenance: a citation, or 'synthetic'")
_NOTE = _c("note", "text", zh="备注", en="free note")

TABLES: dict[str, Table] = {}


def _table(name, columns, **kw):
    TABLES[name] = Table(name, tuple(columns) + (_SOURCE, _NOTE), **kw)


_table(
    "centers",
    [
        _c("center_id", "id", True, zh="创新中心编号（与机构、平台编号不重复）", en="center id (unique across centers, organisations, platforms)"),
        _c("name", "text", True, zh="创新中心名称", en="center name"),
        _c("level", "enum", True, enum=LEVELS, zh="级别：national 国家级 / provincial 省级", en="level: national / provincial"),
        _c("field_id", "ref", True, refs=("field",), zh="所属领域编号（F01–F22 或 fields 表中的编号）", en="field id (F01–F22 or one from fields)"),
        _c("province", "province", True, zh="所在省份", en="province"),
        _c("city", "text", zh="所在城市", en="city"),
        _c("operating_company_id", "ref", refs=("org",), zh="依托公司（企业法人）的机构编号", en="org id of the operating company (依托公司)"),
        _c("founded", "date", zh="成立日期 YYYY / YYYY-MM / YYYY-MM-DD", en="founding date YYYY / YYYY-MM / YYYY-MM-DD"),
        _c("year", "year", zh="下列年度数据所属年份", en="year of the yearly figures below"),
        _c("employees", "int", minimum=0, zh="职工总数", en="employees"),
        _c("rd_staff", "int", minimum=0, zh="从事研发的科技人员数", en="R&D staff"),
        _c("total_cost", "amount", minimum=0, zh="成本费用支出总额（万元）", en="total cost and expense (10k CNY)"),
        _c("rd_expense", "amount", minimum=0, zh="年度研发费用总额（万元）", en="annual R&D expense (10k CNY)"),
        _c("has_board", "bool", zh="是否设董事会", en="has a board of directors"),
        _c("has_management_team", "bool", zh="是否有经营管理团队", en="has a management team"),
        _c("has_expert_committee", "bool", zh="是否设专家委员会", en="has an expert committee"),
        _c("committee_chair", "text", zh="专家委员会主任", en="chair of the expert committee"),
        _c("chair_is_leading_expert", "bool", zh="主任是否为行业领军专家", en="the chair is a leading expert of the field"),
        _c("has_roadmap", "bool", zh="是否制定技术路线图", en="has a technology roadmap"),
        _c("roadmap_year", "year", zh="技术路线图制定年份", en="year of the roadmap"),
        _c("has_ip_policy", "bool", zh="是否建立知识产权管理制度", en="has an IP policy"),
    ],
    key="center_id",
    entity="center",
    required_file=True,
    doc_zh="创新中心：每行一个省级或国家级制造业创新中心",
    doc_en="centers: one row per provincial or national manufacturing innovation center",
)

_table(
    "organizations",
    [
        _c("org_id", "id", True, zh="机构编号", en="organisation id"),
        _c("name", "text", True, zh="机构名称", en="name"),
        _c("kind", "enum", True, enum=ORG_KINDS,
           zh="类型：enterprise 企业 / university 高校 / research_institute 科研院所 / user 用户单位 / investor 社会资本 / government 政府 / other 其他",
           en="kind: enterprise / university / research_institute / user / investor / government / other"),
        _c("country", "country", default=DEFAULT_COUNTRY, zh="国家或地区（ISO 3166-1 二位代码，默认 CN；非 CN 为国外合作方）", en="country (ISO 3166-1 alpha-2, default CN; not CN = foreign partner)"),
        _c("province", "province", zh="所在省份（国内机构）", en="province (domestic organisations)"),
        _c("is_sme", "bool", zh="是否中小企业", en="is a small or medium enterprise"),
        _c("aliases", "list", is_list=True, zh="别名，多个用 | 分隔", en="aliases, separated by |"),
    ],
    key="org_id",
    entity="org",
    required_file=True,
    doc_zh="机构：企业、高校、科研院所、用户单位、社会资本等",
    doc_en="organisations: enterprises, universities, research institutes, users, investors …",
)

_table(
    "shareholders",
    [
        _c("center_id", "ref", True, refs=("center",), zh="创新中心编号", en="center id"),
        _c("org_id", "ref", True, refs=("org",), zh="股东机构编号", en="shareholder org id"),
        _c("share_pct", "pct", zh="持股比例（%，大于 0 且不超过 100）", en="share in % (0 < share ≤ 100)"),
        _c("capital", "amount", minimum=0, zh="出资额（万元）", en="capital contributed (10k CNY)"),
    ],
    doc_zh="股东：机构对创新中心依托公司的持股",
    doc_en="shareholders: an organisation's stake in the center's operating company",
)

_table(
    "alliance_members",
    [
        _c("center_id", "ref", True, refs=("center",), zh="创新中心编号", en="center id"),
        _c("member_id", "ref", True, refs=("org", "platform"), zh="成员编号（机构或平台）", en="member id (an organisation or a platform)"),
        _c("role", "enum", enum=MEMBER_ROLES, zh="角色：member 成员 / user 用户 / council 理事 / chair 理事长", en="role: member / user / council / chair"),
        _c("joined", "date", zh="加入日期", en="date joined"),
    ],
    doc_zh="联盟成员：加入创新中心联盟的机构或平台",
    doc_en="alliance members: organisations (or platforms) in the center's alliance",
)

_table(
    "platforms",
    [
        _c("platform_id", "id", True, zh="平台编号", en="platform id"),
        _c("name", "text", True, zh="平台名称", en="name"),
        _c("kind", "enum", True, enum=PLATFORM_KINDS,
           zh="类型：state_key_lab 国家重点实验室 / national_engineering_lab 国家工程实验室 / national_engineering_technology_research_center 国家工程技术研究中心 / national_engineering_research_center 国家工程研究中心 / other_national 其他国家级平台",
           en="kind: state_key_lab / national_engineering_lab / national_engineering_technology_research_center / national_engineering_research_center / other_national"),
        _c("field_ids", "list", True, refs=("field",), is_list=True, zh="所属领域编号，多个用 | 分隔", en="field ids, separated by |"),
        _c("host_ids", "list", True, refs=("org",), is_list=True, zh="依托单位机构编号，多个用 | 分隔", en="host organisation ids, separated by |"),
        _c("approved", "date", zh="批准年份或日期", en="approval year or date"),
        _c("status", "enum", enum=PLATFORM_STATUSES, default="active", zh="状态：active 运行 / reorganized 重组 / revoked 撤销（默认 active）", en="status: active / reorganized / revoked (default active)"),
    ],
    key="platform_id",
    entity="platform",
    doc_zh="国家级创新平台：国家重点实验室、国家工程实验室、国家工程技术研究中心、国家工程研究中心等",
    doc_en="national-level platforms: state key labs, national engineering labs and research centers",
)

_table(
    "field_rankings",
    [
        _c("org_id", "ref", True, refs=("org",), zh="企业机构编号", en="org id"),
        _c("field_id", "ref", True, refs=("field",), zh="领域编号", en="field id"),
        _c("rank", "int", True, minimum=1, zh="在本领域的排名（1 为最高）", en="rank in the field (1 = top)"),
        _c("year", "year", zh="排名年份", en="year of the ranking"),
    ],
    doc_zh="领域排名：用于判断“本领域排名前十的企业”",
    doc_en="field rankings: for 'top-10 enterprises of the field'",
)

_table(
    "collaborations",
    [
        _c("from_id", "ref", True, refs=("center", "org"), zh="发起方（创新中心或机构）编号", en="from (center or organisation) id"),
        _c("to_id", "ref", True, refs=("org",), zh="合作机构编号", en="partner organisation id"),
        _c("kind", "enum", True, enum=COLLABORATION_KINDS,
           zh="类型：joint_rd 联合研发 / contract_rd 委托研发 / tech_transfer 技术转移 / incubation 孵化 / exchange 交流 / other 其他",
           en="kind: joint_rd / contract_rd / tech_transfer / incubation / exchange / other"),
        _c("year", "year", zh="年份", en="year"),
        _c("project", "text", zh="项目（如技术路线图项目）", en="project (e.g. a roadmap project)"),
    ],
    doc_zh="合作：联合研发、委托研发、技术转移、孵化、交流",
    doc_en="collaborations: joint R&D, contract R&D, technology transfer, incubation, exchange",
)

_table(
    "income",
    [
        _c("center_id", "ref", True, refs=("center",), zh="创新中心编号", en="center id"),
        _c("year", "year", True, zh="年份", en="year"),
        _c("stream", "enum", True, enum=INCOME_STREAMS,
           zh="来源：tech_transfer 成果转化 / incubation 企业孵化 / contract_rd 委托研发 / testing 检测检验 / public_service 公共服务 / shareholder 股东投入 / government 政府资助 / other 其他",
           en="stream: tech_transfer / incubation / contract_rd / testing / public_service / shareholder / government / other"),
        _c("amount", "amount", True, minimum=0, zh="金额（万元）", en="amount (10k CNY)"),
    ],
    doc_zh="收入：按年度与来源",
    doc_en="income by year and stream",
)

_table(
    "assessments",
    [
        _c("center_id", "ref", True, refs=("center",), zh="创新中心编号", en="center id"),
        _c("check_id", "check_id", True, zh="条件编号（如 2、4.3、10.1）", en="check id (e.g. 2, 4.3, 10.1)"),
        _c("status", "enum", True, enum=ASSESSMENT_STATUSES, zh="评审结论：met 符合 / not_met 不符合", en="status: met / not_met"),
        _c("assessor", "text", zh="评审人", en="assessor"),
        _c("date", "date", zh="评审日期", en="date"),
        _c("evidence", "text", zh="证据", en="evidence"),
    ],
    doc_zh="评审意见：评审专家对某一条件的判断（覆盖计算结果，二者均保留）",
    doc_en="assessments: a reviewer's judgement of one check (overrides a computed result; both stay visible)",
)

_table(
    "claims",
    [
        _c("center_id", "ref", True, refs=("center",), zh="创新中心编号", en="center id"),
        _c("claim", "enum", True, enum=CLAIM_KINDS,
           zh="声明类型：coverage_ratio 覆盖率 / covered_platforms 覆盖的平台 / member_count 成员数",
           en="claim: coverage_ratio / covered_platforms / member_count"),
        _c("value", "claim_value", True, zh="声明的值：比例（0.62 或 62%）、平台编号或名称（| 分隔）、成员数", en="claimed value: a ratio (0.62 or 62%), platform ids or names (| separated), a count"),
        _c("field_id", "ref", refs=("field",), zh="领域编号（默认中心所属领域）", en="field id (default: the center's field)"),
    ],
    doc_zh="申报声明：申报材料中的覆盖率、覆盖平台清单、成员数",
    doc_en="claims made in an application: coverage ratio, covered platforms, member count",
)

_table(
    "fields",
    [
        _c("field_id", "id", True, zh="领域编号", en="field id"),
        _c("name_zh", "text", True, zh="领域名称（中文）", en="name in Chinese"),
        _c("name_en", "text", zh="领域名称（英文）", en="name in English"),
        _c("layout", "text", zh="所属布局（默认 custom；2017 年布局为 2017-64）", en="layout (default custom; the 2017 annex is 2017-64)"),
        _c("difficulties", "text", zh="技术难点", en="technical difficulties (技术难点)"),
    ],
    key="field_id",
    entity="field",
    doc_zh="领域（可选）：在内置 22 个领域之外增加的领域或其他布局",
    doc_en="fields (optional): fields beyond the 22 built in, or another layout",
)

TABLE_ORDER: tuple[str, ...] = (
    "fields",
    "organizations",
    "centers",
    "platforms",
    "shareholders",
    "alliance_members",
    "field_rankings",
    "collaborations",
    "income",
    "assessments",
    "claims",
)
ENTITY_TABLES = {"center": "centers", "org": "organizations", "platform": "platforms", "field": "fields"}
