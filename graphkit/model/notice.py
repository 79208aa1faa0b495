"""The notice 工信厅科〔2017〕64号 as data: its checks (with the clause each one quotes) and the annex's 22 fields.

>>> [f.field_id for f in builtin_fields()][:3]
['F01', 'F02', 'F03']
>>> builtin_fields()[2].name_zh
'机器人'
>>> CHECKS["4.3"].kind
'computed'
>>> len(CHECK_IDS)
21
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

__all__ = ["Field", "CheckDef", "CHECKS", "CHECK_IDS", "BUILTIN_LAYOUT", "NOTICE_ID", "builtin_fields"]

NOTICE_ID = "工信厅科〔2017〕64号"
BUILTIN_LAYOUT = "2017-64"


@dataclass(frozen=True)
class Field:
    """A field (领域) of a layout: id, names, layout and the annex's 技术难点 text."""

    field_id: str
    name_zh: str
    name_en: str = ""
    layout: str = BUILTIN_LAYOUT
    difficulties: str = ""
    source: str = ""
    note: str = ""

    def name(self, lang: str = "zh") -> str:
        return (self.name_en or self.name_zh) if lang == "en" else self.name_zh


@lru_cache(maxsize=1)
def builtin_fields() -> tuple[Field, ...]:
    """The 22 fields of the 2017 annex, ids F01–F22 in annex order, names and texts exactly as in the notice."""
    text = resources.files("graphkit").joinpath("data/layout-2017-64.csv").read_text(encoding="utf-8")
    rows = csv.DictReader(text.splitlines())
    return tuple(
        Field(r["field_id"], r["name_zh"], r["name_en"], r["layout"], r["difficulties"], source=NOTICE_ID + " 附件")
        for r in rows
    )


@dataclass(frozen=True)
class CheckDef:
    """One condition of the notice: ``kind`` is computed (from data) or attested (a reviewer decides)."""

    id: str
    kind: str
    clause_zh: str  # the notice's words
    title_zh: str
    title_en: str


_DEFS = [
    ("1", "computed", "一、创新中心建设领域应符合国家制造业创新中心建设领域总体布局要求。",
     "领域符合总体布局", "field within the national layout"),
    ("2", "attested", "二、创新中心应面向制造业创新发展的重大需求，突出协同创新取向，符合《指南》有关要求。",
     "面向重大需求、突出协同创新", "major needs and collaborative innovation, per the Guide"),
    ("3", "attested", "三、创新中心应以重点领域关键共性技术的研发供给、转移扩散和首次商业化为目标。",
     "以关键共性技术研发供给、转移扩散和首次商业化为目标", "aims at R&D supply, diffusion and first commercialisation of key common technologies"),
    ("4.1", "computed", "（一）创新中心应是企业法人形态，采取“公司+联盟”等模式运行。",
     "企业法人形态，“公司+联盟”模式", "enterprise legal person, company + alliance"),
    ("4.2", "computed", "（二）……股东中应包括若干家在本领域排名前十的企业。",
     "股东包括若干家本领域排名前十的企业", "shareholders include several top-10 enterprises of the field"),
    ("4.3", "computed", "（三）创新中心的联盟应汇聚全国范围内，包括用户在内的企业、科研院所、高校等各类创新主体，并覆盖 50%以上本领域的国家重点实验室、国家工程实验室、国家工程技术中心、国家工程研究中心等国家级创新平台。",
     "全国性联盟，含各类主体，覆盖 50% 以上国家级创新平台", "nationwide alliance of all kinds incl. users, covering ≥ 50% of the field's national-level platforms"),
    ("5.1", "computed", "（一）创新中心依托公司应建立现代企业制度，有责权明晰的董事会和经营管理团队，实现企业化运行。",
     "董事会和经营管理团队", "board and management team"),
    ("5.2", "attested", "（二）创新中心应充分发挥各类主体作用，通过内部管理制度建设，明确各类主体的责权利，形成产学研用协同的创新机制。",
     "内部管理制度明确各方责权利", "internal rules make each party's rights clear"),
    ("6.1", "computed", "（一）创新中心的股东投资应满足基本运行需要，建设运营过程中，应按市场化运行，并已与社会资本有密切合作。",
     "与社会资本密切合作", "close cooperation with social capital"),
    ("6.2", "computed", "（二）创新中心应通过技术成果转化、企业孵化、企业委托研发、检测检验和为行业提供公共服务等方式获得稳定收入。",
     "稳定的市场化收入", "stable income from transfer, incubation, contract R&D, testing, public services"),
    ("7.1", "computed", "（一）创新中心内设专家委员会负责研判行业发展重大问题并筛选确定研究方向，专家委员会应由行业领军专家担任主任。",
     "专家委员会由行业领军专家担任主任", "expert committee chaired by a leading expert"),
    ("7.2", "computed", "（二）……从事研发和相关技术创新活动的科技人员占企业职工总数的比例不低于 50%。",
     "研发人员占比不低于 50%", "R&D staff ≥ 50% of employees"),
    ("7.3", "computed", "（三）创新中心的年度研发费用总额占成本费用支出总额的比例应不低于 30%。",
     "研发费用占比不低于 30%", "R&D expense ≥ 30% of total cost"),
    ("8.1", "computed", "（一）创新中心已在专家委员会的指导下，按照市场需求，结合行业发展，制定明确的技术路线图。",
     "制定技术路线图", "a technology roadmap"),
    ("8.2", "computed", "（二）创新中心组织本领域国内外企业、高校、研究机构共同实施技术路线图，突破制约产业发展的关键共性技术瓶颈。",
     "国内外企业、高校、研究机构共同实施路线图", "domestic and foreign firms, universities and institutes implement the roadmap"),
    ("9.1", "computed", "（一）创新中心已建立知识产权创造、运用、管理制度，根据前期投入比例享受相应的知识产权收益。",
     "知识产权制度", "an IP system with benefits by investment share"),
    ("9.2", "computed", "（二）……已向企业尤其是中小企业或通过自行孵化企业，实现至少 1 项共性技术的转移扩散。",
     "至少 1 项共性技术转移扩散", "at least one common technology transferred (esp. to SMEs) or via incubation"),
    ("10.1", "attested", "（一）创新中心充分发挥现有资源优势，实现与成员单位间的资源开放共享，具备持续提升创新水平的能力。",
     "与成员单位资源开放共享", "resources shared with members"),
    ("10.2", "computed", "（二）创新中心已成为本领域具有一定影响的技术创新平台，具有与创新中心成员以外的单位开展技术合作的业绩。",
     "与成员以外单位开展技术合作", "technical cooperation with units outside the members"),
    ("11", "computed", "十一、创新中心应与国外知名高校、科研机构或企业有开展技术交流或合作的基础。",
     "与国外高校、科研机构或企业交流合作", "exchange or cooperation with foreign universities, institutes or firms"),
    ("12", "computed", "十二、创新中心应运行一段时间，运行稳定且对本领域产业技术创新做出重大贡献、发挥重大作用、形成重大影响，方可提出升级国家创新中心的申请。",
     "已运行一段时间且运行稳定", "has operated stably for a period"),
]

CHECKS: dict[str, CheckDef] = {d[0]: CheckDef(*d) for d in _DEFS}
CHECK_IDS: tuple[str, ...] = tuple(CHECKS)
