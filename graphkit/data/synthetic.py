"""Synthetic datasets in the contract's format: the seeded benchmark scales S, M and L.

:func:`generate` writes a dataset of a given scale (S ≈ today's real scale: 40 centers, 5,000 organisations,
1,600 platforms; M = 10×; L = 100×). Everything is drawn with numpy from one ``np.random.default_rng(seed)``
in a fixed order, so the same scale and seed give byte-identical files. Every row says ``source = synthetic``.

The bundled sample (real national centers inside a designed synthetic world) is built by :mod:`graphkit.data.sample`
from the same building blocks.

>>> SCALES["S"]
Scale(centers=40, organizations=5000, platforms=1600)
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from graphkit.errors import GraphkitError
from graphkit.io.files import atomic_folder
from graphkit.model.notice import CHECK_IDS, CHECKS, builtin_fields
from graphkit.model.schema import ORG_KINDS, TABLE_ORDER, TABLES

__all__ = [
    "Scale",
    "SCALES",
    "EXTRA_FIELDS",
    "generate",
    "generate_frames",
    "write_dataset",
    "REALDATA_DIR",
]

SYNTHETIC = "synthetic"
REF_YEAR = 2025  # the latest complete year of the yearly figures (income, staff, rankings)
REPO = Path(__file__).resolve().parents[2]
REALDATA_DIR = REPO / "data" / "realdata" / "mic-national-compiled"


@dataclass(frozen=True)
class Scale:
    """Row counts of the entity tables at one scale (the relation tables follow from them)."""

    centers: int
    organizations: int
    platforms: int


SCALES = {
    "S": Scale(40, 5_000, 1_600),
    "M": Scale(400, 50_000, 16_000),
    "L": Scale(4_000, 500_000, 160_000),
}

# Fields of the national centers outside the 2017 annex (named after the real centers in data/realdata).
# 动力电池 and 增材制造 were founded under the 2016 guide (SPEC §2); for the others graphkit assigns no layout.
EXTRA_FIELDS = [
    ("X01", "动力电池", "Power batteries", "2016-guide", "国家动力电池创新中心"),
    ("X02", "增材制造", "Additive manufacturing", "2016-guide", "国家增材制造创新中心"),
    ("X03", "先进轨道交通装备", "Advanced rail transit equipment", "other", "国家先进轨道交通装备创新中心"),
    ("X04", "农机装备", "Agricultural machinery", "other", "国家农机装备创新中心"),
    ("X05", "集成电路特色工艺及封装测试", "IC specialty processes, packaging and testing", "other", "国家集成电路特色工艺及封装测试创新中心"),
    ("X06", "5G中高频器件", "5G mid- and high-frequency devices", "other", "国家5G中高频器件创新中心"),
    ("X07", "玻璃新材料", "New glass materials", "other", "国家玻璃新材料创新中心"),
    ("X08", "高端智能化家用电器", "High-end intelligent household appliances", "other", "国家高端智能化家用电器创新中心"),
    ("X09", "虚拟现实", "Virtual reality", "other", "国家虚拟现实创新中心"),
    ("X10", "超高清视频", "Ultra-high-definition video", "other", "国家超高清视频创新中心"),
    ("X11", "新型储能", "New energy storage", "other", "国家新型储能创新中心"),
    ("X12", "微纳制造", "Micro- and nano-manufacturing", "other", "国家微纳制造创新中心"),
    ("X13", "分子药物", "Molecular drugs", "other", "国家分子药物创新中心"),
]

# ---- vocabulary -------------------------------------------------------------------------------------------------

_PROVINCES = [  # short name, weight (industrial skew), cities
    ("广东", 13, "广州 深圳 东莞 佛山 珠海"), ("江苏", 13, "南京 苏州 无锡 常州 南通"), ("浙江", 9, "杭州 宁波 温州 绍兴"),
    ("山东", 8, "济南 青岛 烟台 潍坊"), ("上海", 7, "上海"), ("北京", 7, "北京"), ("湖北", 5, "武汉 襄阳 宜昌"),
    ("四川", 4, "成都 绵阳 德阳"), ("安徽", 4, "合肥 芜湖 蚌埠"), ("河南", 4, "郑州 洛阳 新乡"), ("福建", 4, "福州 厦门 泉州"),
    ("湖南", 3, "长沙 株洲 湘潭"), ("陕西", 3, "西安 宝鸡"), ("辽宁", 3, "沈阳 大连 鞍山"), ("天津", 2.5, "天津"),
    ("重庆", 2.5, "重庆"), ("河北", 2, "石家庄 唐山 保定"), ("江西", 1.5, "南昌 赣州"), ("黑龙江", 1, "哈尔滨 大庆"),
    ("吉林", 1, "长春 吉林"), ("山西", 1, "太原 大同"), ("广西", 1, "南宁 柳州"), ("云南", 0.8, "昆明"), ("贵州", 0.8, "贵阳"),
    ("内蒙古", 0.7, "包头 呼和浩特"), ("甘肃", 0.5, "兰州"), ("新疆", 0.4, "乌鲁木齐"), ("宁夏", 0.2, "银川"),
    ("海南", 0.2, "海口"), ("青海", 0.1, "西宁"),
]
PROV = np.array([p[0] for p in _PROVINCES], dtype=object)
PROV_P = np.array([p[1] for p in _PROVINCES], dtype=float) / sum(p[1] for p in _PROVINCES)
_CITIES = [p[2].split() for p in _PROVINCES]
CITY = np.array([c for cs in _CITIES for c in cs], dtype=object)
CITY_START = np.cumsum([0] + [len(cs) for cs in _CITIES])[:-1]
CITY_COUNT = np.array([len(cs) for cs in _CITIES])
_MUNICIPALITIES = {"北京", "天津", "上海", "重庆"}
_AUTONOMOUS = {"内蒙古": "内蒙古自治区", "广西": "广西壮族自治区", "宁夏": "宁夏回族自治区", "新疆": "新疆维吾尔自治区"}


def _province_full(short: str) -> str:
    """江苏 → 江苏省, 上海 → 上海市, 广西 → 广西壮族自治区."""
    return _AUTONOMOUS.get(short) or short + ("市" if short in _MUNICIPALITIES else "省")


PROV_FULL = np.array([_province_full(p) for p in PROV], dtype=object)

_COUNTRIES = [  # code, weight, places, company suffixes
    ("DE", 18, "Rhein Bavaria Hessen Saxon Neckar Elbe Hanse", "GmbH|AG"),
    ("US", 20, "Bay Lakeshore Pacific Atlantic Midwest Summit Cascade", "Inc.|LLC|Corp."),
    ("JP", 16, "Kansai Tohoku Chubu Kanto Kyushu Hokuriku", "K.K.|Co., Ltd."),
    ("GB", 8, "Thames Pennine Mercia Wessex Clyde", "Ltd|plc"),
    ("FR", 8, "Loire Rhône Alsace Provence Seine", "SAS|SA"),
    ("KR", 8, "Hangang Gyeong Honam Yeongnam Chungcheong", "Co., Ltd."),
    ("IT", 5, "Lombarda Toscana Emilia Veneto Piemonte", "S.p.A.|S.r.l."),
    ("SG", 4, "Marina Jurong Kallang", "Pte. Ltd."),
    ("CH", 4, "Alpine Jura Léman Zürichsee", "AG|SA"),
    ("NL", 4, "Delta Maas Zuider Holland", "B.V.|N.V."),
    ("SE", 2, "Norrland Göta Svea", "AB"),
    ("AT", 1, "Donau Tirol", "GmbH"),
    ("FI", 1, "Uusimaa Pirkanmaa", "Oy"),
    ("BE", 1, "Flanders Wallonia", "NV|SA"),
]
COUNTRY = np.array([c[0] for c in _COUNTRIES], dtype=object)
COUNTRY_P = np.array([c[1] for c in _COUNTRIES], dtype=float) / sum(c[1] for c in _COUNTRIES)

_BRAND = list("华中恒瑞安达新创宏盛元泰丰嘉诚博远通鼎力科信联合汇聚众智天祥和永昌卓越星辰海峰德润金鑫启明晟航")
_ENT_INDUSTRY = ("精密机械 新材料 电子科技 智能装备 光电科技 半导体 汽车零部件 生物医药 化工 软件技术 能源科技 通信技术 传感技术 "
                 "机器人 数控设备 复合材料 环保科技 医疗器械 信息技术 纤维材料 稀土材料 显示科技 动力科技 海洋装备 工业互联网 检测技术").split()
_ENT_SUFFIX = ["有限公司", "股份有限公司", "集团有限公司"]
_DISCIPLINE = "理工 科技 工业 工程 交通 化工 材料 信息 电子 机械 航空 海洋 石油 农业 医科".split()
_UNI_TYPE = ["大学", "大学", "学院"]
_INST_TOPIC = "自动化 光电技术 微电子 材料 化学物理 计算技术 智能制造 先进技术 半导体 金属 硅酸盐 过程工程 声学 精密机械 工业技术".split()
_USER_SUFFIX = ("汽车集团有限公司 电网有限公司 钢铁集团有限公司 航空工业有限公司 地铁集团有限公司 石化有限公司 造船有限公司 "
                "港务集团有限公司 轨道交通集团有限公司 家电集团有限公司 医疗集团有限公司").split()
_INV_SUFFIX = ["创业投资有限公司", "产业投资基金（有限合伙）", "股权投资管理有限公司", "资本管理有限公司", "科技金融集团有限公司"]
_DISTRICT = ["", "高新区", "经开区", "新区", "开发区", "东区", "西区", "南区", "北区", "自贸区"]
_GOV_SUFFIX = ["工业和信息化局", "科学技术局", "发展和改革委员会", "经济和信息化局", "产业促进中心"]
_GOV_LOCAL = ["镇人民政府", "街道办事处", "园区管理委员会", "科技园管理办公室"]
_OTHER_SUFFIX = ["行业协会", "学会", "产业技术创新战略联盟", "产业促进会"]
_SYL1 = "Al Be Ca Do Ex Fa Ge Hi Io Jo Ka Lu Mo Ne Or Pa Qu Ri Sa Te Ul Ve Wi Xe Yo Ze".split()
_SYL2 = "tron dyne tek lux via mar nova gen ton ris lan vex".split()
_TECH_EN = ("Precision Photonics Materials Robotics Sensors Systems Devices Composites Fibers MedTech Semiconductor "
            "Automation Dynamics Optics Energy Graphene Display Acoustics Tooling Turbines").split()
_DISC_EN = ("Engineering|Materials Science|Photonics|Robotics|Microelectronics|Manufacturing|Applied Physics|Chemistry|"
            "Mechanics|Informatics|Biomedical Engineering").split("|")
_SURNAMES = list("王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗高郑梁谢宋唐许韩冯邓曹彭曾肖田董潘袁蔡蒋余于杜叶程魏苏吕丁任沈姚卢")

FIELD_TOPICS = {
    "F01": "光电子芯片 光通信器件 集成光子 光电集成", "F02": "印刷显示 柔性显示 OLED材料 新型显示",
    "F03": "机器人 智能机器人 精密减速器 伺服驱动", "F04": "轻合金 轻量化材料 先进成形 镁合金",
    "F05": "燃气轮机 高温叶片 燃烧技术 透平机械", "F06": "数控机床 数控系统 精密加工 高速切削",
    "F07": "稀土永磁 稀土功能材料 稀土冶炼分离 稀土催化", "F08": "MEMS传感器 智能传感 传感器封测 敏感材料",
    "F09": "集成电路工艺 先进逻辑工艺 集成电路装备 半导体材料", "F10": "工业控制系统安全 工业信息安全 网络空间安全 可信计算",
    "F11": "碳纤维复合材料 芳纶纤维 树脂基复合材料 先进复合材料", "F12": "智能语音 语音识别 语义理解 人机交互",
    "F13": "石墨烯 碳纳米材料 二维材料 石墨烯薄膜", "F14": "深海装备 海洋工程装备 水下生产系统 深水钻井",
    "F15": "数字化设计 数字化制造 工业软件 智能制造系统", "F16": "智能网联汽车 汽车电子 车路协同 自动驾驶",
    "F17": "工业云 云制造 制造服务 工业软件云", "F18": "工业大数据 数字孪生 数据分析 工业互联网平台",
    "F19": "医学影像 医疗器械 生物医用材料 体外诊断", "F20": "固废资源化 尾矿利用 节能环保 资源循环",
    "F21": "高端制剂 缓控释制剂 绿色制药 生物药制备", "F22": "功能纤维 生物基纤维 纤维素纤维 产业用纺织品",
    "X01": "动力电池 锂离子电池 电池材料 电池安全", "X02": "增材制造 3D打印 激光成形 金属增材",
    "X03": "轨道交通 高速列车 牵引传动 轨道车辆", "X04": "农业机械 智能农机 拖拉机 收获机械",
    "X05": "先进封装 封装测试 特色工艺 功率器件", "X06": "射频器件 5G通信 毫米波 滤波器",
    "X07": "玻璃新材料 特种玻璃 光伏玻璃 显示玻璃", "X08": "智能家电 家用电器 变频控制 家电节能",
    "X09": "虚拟现实 增强现实 近眼显示 三维交互", "X10": "超高清视频 视频编解码 超高清显示 广播电视",
    "X11": "新型储能 储能电池 液流电池 储能系统", "X12": "微纳制造 微纳传感 MEMS工艺 纳米加工",
    "X13": "分子药物 小分子药物 药物筛选 分子设计",
}
_PLATFORM_MOD = ["", "", "先进", "高性能", "智能", "精密", "绿色", "新型", "高端"]
_PLATFORM_ASPECT = ["", "材料", "工艺", "装备", "设计", "检测", "集成", "可靠性", "应用", "系统", "技术"]
_PLATFORM_SUFFIX = {
    "state_key_lab": ["国家重点实验室"],
    "national_engineering_lab": ["国家工程实验室"],
    "national_engineering_technology_research_center": ["国家工程技术研究中心"],
    "national_engineering_research_center": ["国家工程研究中心"],
    "other_national": ["国家技术创新中心", "国家产品质量检验检测中心", "国家地方联合工程研究中心"],
}
PLATFORM_KIND_LIST = list(_PLATFORM_SUFFIX)
PLATFORM_KIND_P = np.array([0.33, 0.14, 0.24, 0.26, 0.03])

KIND = {k: i for i, k in enumerate(ORG_KINDS)}
E, U, R, USR, INV, GOV, OTH = (KIND[k] for k in ORG_KINDS)
ORG_KIND_P = np.array([0.60, 0.06, 0.09, 0.13, 0.07, 0.025, 0.025])
FOREIGN_SHARE = 0.05
MEMBER_KIND_W = np.array([1.0, 1.3, 1.3, 0.8, 0.5, 0.15, 0.3])
MARKET_STREAMS = ["tech_transfer", "incubation", "contract_rd", "testing", "public_service"]
ALL_STREAMS = MARKET_STREAMS + ["shareholder", "government", "other"]
_STREAM_P = np.array([0.6, 0.3, 0.75, 0.55, 0.45, 0.6, 0.8, 0.25])
ATTESTED = [c for c in CHECK_IDS if CHECKS[c].kind == "attested"]


def _obj(values) -> np.ndarray:
    return np.asarray(values, dtype=object)


def _pick(rng, choices, n) -> np.ndarray:
    arr = _obj(choices)
    return arr[rng.integers(0, len(arr), n)]


def _cdf(weights: np.ndarray) -> np.ndarray:
    c = np.cumsum(weights, dtype=float)
    return c / c[-1]


def _draw(rng, cdf: np.ndarray, n: int) -> np.ndarray:
    """n indices drawn with replacement from the distribution whose cumulative weights are ``cdf``."""
    return np.minimum(np.searchsorted(cdf, rng.random(n), side="right"), len(cdf) - 1)


def _ids(prefix: str, start: int, n: int, width: int) -> np.ndarray:
    return _obj([f"{prefix}{i:0{width}d}" for i in range(start, start + n)])


def _unique_names(rng, make, n: int, rounds: int = 8) -> np.ndarray:
    """Names from ``make(rng, idx, first)``, redrawing the duplicates (``first`` false: from the larger name space),
    then numbering whatever is left, so that all names are unique."""
    names = make(rng, np.arange(n), True)
    for _ in range(rounds):
        dup = pd.Series(names, dtype=object).duplicated(keep="first").to_numpy()
        if not dup.any():
            return names
        names[dup] = make(rng, np.flatnonzero(dup), False)
    s = pd.Series(names, dtype=object)
    k = s.groupby(s, sort=False).cumcount().to_numpy()
    return np.where(k > 0, names + "（" + (k + 1).astype(str).astype(object) + "）", names)


def _rank_weight(rng, mask: np.ndarray, exponent: float, pool: float = 1.0) -> np.ndarray:
    """Zipf-like weights rank^-exponent over a random order of the rows in ``mask`` (0 elsewhere); with ``pool`` < 1
    only the first ``pool`` share of the ranks get a weight (the same ranks, and so the same weights, as a dataset
    1/``pool`` times smaller)."""
    w = np.zeros(len(mask))
    idx = np.flatnonzero(mask)
    ranks = rng.permutation(len(idx)) + 1
    w[idx] = ranks.astype(float) ** -exponent
    if pool < 1.0:
        w[idx[ranks > max(1, round(len(idx) * pool))]] = 0.0
    return w


def _fmt(values, decimals: int = 1) -> np.ndarray:
    """Amounts as text with at most ``decimals`` decimals (no trailing .0)."""
    v = np.round(np.asarray(values, dtype=float), decimals)
    out = v.astype(str).astype(object)
    whole = v == np.floor(v)
    out[whole] = v[whole].astype(np.int64).astype(str).astype(object)
    return out


# ---- organisations and platforms ------------------------------------------------------------------------------

def _orgs(rng, n: int, start: int, n_fields: int, field_p: np.ndarray, host_pool: float = 1.0) -> pd.DataFrame:
    """``n`` synthetic organisations (ids from ``start``) with internal columns for weights and home field.

    ``host_pool``: the share of universities, institutes and enterprises that may host platforms (1 at S; 1/10 at
    M and 1/100 at L, so that the hosts of a field are as many as at S and each hosts 10× or 100× as many
    platforms: a center's alliance of the same size then covers the same share of its field)."""
    kind = rng.choice(len(ORG_KINDS), size=n, p=ORG_KIND_P)
    can_abroad = np.isin(kind, [E, U, R])
    foreign = can_abroad & (rng.random(n) < FOREIGN_SHARE / ORG_KIND_P[[E, U, R]].sum())
    country = np.full(n, "CN", dtype=object)
    country[foreign] = COUNTRY[rng.choice(len(COUNTRY), size=int(foreign.sum()), p=COUNTRY_P)]
    prov_idx = rng.choice(len(PROV), size=n, p=PROV_P)
    city = CITY[CITY_START[prov_idx] + (rng.random(n) * CITY_COUNT[prov_idx]).astype(int)]
    province = PROV[prov_idx].copy()
    unknown = ~foreign & (rng.random(n) < 0.005)
    province[foreign | unknown] = ""
    n_inst = int(((kind == R) & ~foreign).sum())
    cas = (kind == R) & ~foreign & (rng.random(n) < min(0.2, 150 / max(n_inst, 1)))  # the CAS has ~100 institutes
    place_of = {c[0]: _obj(c[2].split()) for c in _COUNTRIES}
    suffix_of = {c[0]: _obj(c[3].split("|")) for c in _COUNTRIES}

    def make(rng, idx, first):
        m = len(idx)
        k, cty, pv = kind[idx], city[idx], PROV_FULL[prov_idx[idx]]
        brand = _pick(rng, _BRAND, m) + _pick(rng, _BRAND, m)
        plain = rng.random(m) < (0.6 if first else 0.0)
        out = np.empty(m, dtype=object)
        sel = k == E
        out[sel] = cty[sel] + brand[sel] + _pick(rng, _ENT_INDUSTRY, sel.sum()) + _pick(rng, _ENT_SUFFIX, sel.sum())
        sel = k == U
        out[sel] = (cty[sel] + np.where(plain[sel], "", brand[sel]) + _pick(rng, _DISCIPLINE, sel.sum())
                    + _pick(rng, _UNI_TYPE, sel.sum()))
        sel = (k == R) & cas[idx]
        out[sel] = "中国科学院" + cty[sel] + _pick(rng, _INST_TOPIC, sel.sum()) + "研究所"
        sel = (k == R) & ~cas[idx]
        out[sel] = np.where(plain[sel], pv[sel], cty[sel] + brand[sel]) + _pick(rng, _INST_TOPIC, sel.sum()) + "研究院"
        sel = k == USR
        out[sel] = cty[sel] + brand[sel] + _pick(rng, _USER_SUFFIX, sel.sum())
        sel = k == INV
        out[sel] = cty[sel] + brand[sel] + _pick(rng, _INV_SUFFIX, sel.sum())
        sel = k == GOV
        out[sel] = cty[sel] + np.where(plain[sel], _pick(rng, _DISTRICT, sel.sum()) + _pick(rng, _GOV_SUFFIX, sel.sum()),
                                       brand[sel] + _pick(rng, _GOV_LOCAL, sel.sum()))
        sel = k == OTH
        out[sel] = (pv[sel] + np.where(plain[sel], "", brand[sel]) + _pick(rng, _ENT_INDUSTRY, sel.sum())
                    + _pick(rng, _OTHER_SUFFIX, sel.sum()))
        # foreign organisations: English names by country
        fsel = np.flatnonzero(foreign[idx])
        if len(fsel):
            en_brand = _pick(rng, _SYL1, len(fsel)) + _pick(rng, _SYL2, len(fsel))
            for code in np.unique(country[idx][fsel]):
                here = fsel[country[idx][fsel] == code]
                b = en_brand[country[idx][fsel] == code]
                places = _pick(rng, place_of[code], len(here))
                kk = k[here]
                tpl = rng.integers(0, 3, len(here)) if first else np.full(len(here), 3)
                ent = b + " " + _pick(rng, _TECH_EN, len(here)) + " " + _pick(rng, suffix_of[code], len(here))
                uni = np.where(tpl == 0, "University of " + places,
                               np.where(tpl == 1, places + " Institute of Technology",
                                        np.where(tpl == 2, places + " University of " + _pick(rng, _DISC_EN, len(here)),
                                                 places + " " + b + " University")))
                ins = np.where(tpl == 0, places + " Institute for " + _pick(rng, _DISC_EN, len(here)),
                               b + " Research Center for " + _pick(rng, _DISC_EN, len(here)))
                out[here] = np.where(kk == E, ent, np.where(kk == U, uni, ins))
        return out

    names = _unique_names(rng, make, n)
    aliases = np.full(n, "", dtype=object)
    aliases[cas] = np.char.replace(names[cas].astype(str), "中国科学院", "中科院").astype(object)
    sme = np.full(n, "", dtype=object)
    r = rng.random(n)
    ent = kind == E
    sme[ent] = np.where(r[ent] < 0.55, "true", np.where(r[ent] < 0.98, "false", ""))
    usr = kind == USR
    sme[usr] = np.where(r[usr] < 0.2, "true", "false")
    sme[foreign] = ""
    host_w = (_rank_weight(rng, np.isin(kind, [U, R]) & ~foreign, 0.7, host_pool)
              + 0.6 * _rank_weight(rng, ent & ~foreign, 0.9, host_pool))
    member_w = np.zeros(n)
    for k in range(len(ORG_KINDS)):
        member_w += MEMBER_KIND_W[k] * _rank_weight(rng, kind == k, 0.5)
    return pd.DataFrame({
        "org_id": _ids("O", start, n, 6),
        "name": names,
        "kind": _obj(ORG_KINDS)[kind],
        "country": country,
        "province": province,
        "is_sme": sme,
        "aliases": aliases,
        "source": SYNTHETIC,
        "_kind": kind,
        "_foreign": foreign,
        "_city": city,
        "_w_host": host_w,
        "_w_member": member_w,
        "_field": rng.choice(n_fields, size=n, p=field_p),
    })


def _platforms(rng, n: int, start: int, orgs: pd.DataFrame, field_ids: list[str], field_p: np.ndarray,
               inactive: float, repeat: int = 1) -> pd.DataFrame:
    """``n`` platforms hosted mostly by a few large universities and institutes (Zipf-like), some by enterprises.

    ``repeat`` > 1 (M, L): hosts and fields are drawn for ``n / repeat`` platforms and each draw is given to
    ``repeat`` platforms, so a field has ``repeat`` times S's platforms on as many hosts as at S."""
    w = orgs["_w_host"].to_numpy()
    kind = orgs["_kind"].to_numpy()
    academic = np.isin(kind, [U, R])
    w_acad = np.where(academic, w, 0.0)
    w_ent = np.where(kind == E, w, 0.0)
    base = n // repeat if repeat > 1 else n
    by_acad = rng.random(base) < 0.72
    host1 = np.where(by_acad, _draw(rng, _cdf(w_acad), base), _draw(rng, _cdf(w_ent), base))
    host2 = _draw(rng, _cdf(w_acad + w_ent), base)
    two_hosts = (rng.random(base) < 0.12) & (host2 != host1)
    F = len(field_ids)
    home = orgs["_field"].to_numpy()[host1]
    field1 = np.where(rng.random(base) < 0.6, home, rng.choice(F, size=base, p=field_p))
    field2 = rng.choice(F, size=base, p=field_p)
    two_fields = (rng.random(base) < 0.15) & (field2 != field1)
    if base != n:
        copy = np.arange(n) % base  # platform i gets the hosts and fields of draw i mod base
        host1, host2, two_hosts, field1, field2, two_fields = (a[copy] for a in (host1, host2, two_hosts, field1, field2,
                                                                                    two_fields))
    fids = _obj(field_ids)
    kind_idx = rng.choice(len(PLATFORM_KIND_LIST), size=n, p=PLATFORM_KIND_P)
    kinds = _obj(PLATFORM_KIND_LIST)[kind_idx]
    oid = orgs["org_id"].to_numpy()
    oname = orgs["name"].to_numpy()
    topics = {f: _obj(FIELD_TOPICS[f].split()) for f in field_ids}

    def make(rng, idx, first):
        m = len(idx)
        topic = np.empty(m, dtype=object)
        f1 = field1[idx]
        for f in np.unique(f1):
            sel = f1 == f
            topic[sel] = _pick(rng, topics[field_ids[f]], sel.sum())
        suffix = np.empty(m, dtype=object)
        for k, words in _PLATFORM_SUFFIX.items():
            sel = kinds[idx] == k
            suffix[sel] = _pick(rng, words, sel.sum())
        base = _pick(rng, _PLATFORM_MOD, m) + topic + _pick(rng, _PLATFORM_ASPECT, m) + suffix
        # a name already used gets its host in brackets, as real registries do for same-named platforms
        return np.where(rng.random(m) < (0.5 if first else 0.0), base, base + "（" + oname[host1[idx]] + "）")

    names = _unique_names(rng, make, n)
    approved = np.where(kind_idx == 0, rng.integers(1985, 2020, n), rng.integers(1995, 2024, n))
    status = np.full(n, "active", dtype=object)
    off = rng.random(n)
    status[off < inactive] = "reorganized"
    status[off < inactive / 3] = "revoked"
    return pd.DataFrame({
        "platform_id": _ids("P", start, n, 6),
        "name": names,
        "kind": kinds,
        "field_ids": np.where(two_fields, fids[field1] + "|" + fids[field2], fids[field1]),
        "host_ids": np.where(two_hosts, oid[host1] + "|" + oid[host2], oid[host1]),
        "approved": approved,
        "status": status,
        "source": SYNTHETIC,
        "_field1": field1,
        "_field2": np.where(two_fields, field2, -1),
        "_host1": host1,
        "_host2": np.where(two_hosts, host2, -1),
    })


def _field_rows(field_ids: list[str]) -> list[dict]:
    extra = {f[0]: f for f in EXTRA_FIELDS}
    return [{"field_id": f, "name_zh": extra[f][1], "name_en": extra[f][2], "layout": extra[f][3], "difficulties": ""}
            for f in field_ids if f in extra]


def _field_names() -> dict[str, str]:
    names = {f.field_id: f.name_zh for f in builtin_fields()}
    names.update({f[0]: f[1] for f in EXTRA_FIELDS})
    return names


def _brand(rng) -> str:
    """Two brand characters (恒瑞, 华创 …) for one invented company name."""
    return "".join(_BRAND[i] for i in rng.integers(0, len(_BRAND), 2))


def _chair_names(rng, n) -> np.ndarray:
    """Placeholder names (王某 …): the sample names no real person as a committee chair."""
    return _pick(rng, _SURNAMES, n) + "某"


# ---- the benchmark scales ---------------------------------------------------------------------------------------

def generate_frames(scale: str, seed: int = 1) -> dict[str, pd.DataFrame]:
    """The CSV-ready tables of a synthetic dataset of ``scale`` (S, M or L), all strings or numbers."""
    key = str(scale).upper()
    if key not in SCALES:
        raise GraphkitError(f"unknown scale {scale!r}: use S, M or L")
    sc = SCALES[key]
    rng = np.random.default_rng(seed)
    field_ids = [f.field_id for f in builtin_fields()] + [f[0] for f in EXTRA_FIELDS]
    F = len(field_ids)
    field_p = rng.gamma(4.0, 1.0, F) * np.where(np.arange(F) < 22, 1.0, 0.35)
    field_p /= field_p.sum()
    fnames = _field_names()

    C = sc.centers
    # M and L keep S's shape: as many hosting organisations per field as at S, each hosting proportionally more
    orgs = _orgs(rng, sc.organizations, 1, F, field_p, host_pool=SCALES["S"].organizations / sc.organizations)
    plats = _platforms(rng, sc.platforms, 1, orgs, field_ids, field_p, inactive=0.01,
                       repeat=sc.platforms // SCALES["S"].platforms)
    O = len(orgs)
    kind = orgs["_kind"].to_numpy()
    foreign = orgs["_foreign"].to_numpy()
    hosts_any = np.zeros(O, dtype=bool)
    hosts_any[plats["_host1"].to_numpy()] = True
    h2 = plats["_host2"].to_numpy()
    hosts_any[h2[h2 >= 0]] = True

    # centers
    cfield = rng.choice(F, size=C, p=field_p)
    national = rng.random(C) < 0.3
    cprov = rng.choice(len(PROV), size=C, p=PROV_P)
    ccity = CITY[CITY_START[cprov] + (rng.random(C) * CITY_COUNT[cprov]).astype(int)]
    fname = _obj([fnames[field_ids[f]] for f in cfield])
    cname = np.where(national, "国家" + fname + "创新中心", PROV_FULL[cprov] + fname + "创新中心")
    s = pd.Series(cname)
    k = s.groupby(s, sort=False).cumcount().to_numpy()
    cname = np.where(k > 0, cname + "（" + ccity + _obj(np.where(k > 1, (k + 1).astype(str), "")) + "）", cname)
    center_ids = _ids("C", 1, C, 4)

    # operating companies: domestic enterprises that host no platform become "<city><brand><field>创新中心有限公司"
    pool = np.flatnonzero((kind == E) & ~foreign & ~hosts_any)
    opco = rng.choice(pool, size=C, replace=False)
    names = orgs["name"].to_numpy().copy()
    taken = set(names.tolist())
    opco_names = []
    for i in range(C):  # C ≤ 4,000: a loop over centers, not over rows
        while True:
            nm = f"{ccity[i]}{_brand(rng)}{fname[i]}创新中心有限公司"
            if nm not in taken:
                break
        taken.add(nm)
        opco_names.append(nm)
    names[opco] = _obj(opco_names)
    orgs["name"] = names
    orgs.loc[opco, "province"] = PROV[cprov]
    orgs.loc[opco, "is_sme"] = "false"
    is_opco = np.zeros(O, dtype=bool)
    is_opco[opco] = True
    oid = orgs["org_id"].to_numpy()

    founded_year = rng.choice(np.arange(2016, 2026), size=C, p=_norm(np.linspace(1.6, 0.6, 10)))
    month = rng.integers(1, 13, C)
    day = rng.integers(1, 29, C)
    founded = _obj([f"{y}-{m:02d}-{d:02d}" for y, m, d in zip(founded_year, month, day)])
    employees = np.clip(np.round(rng.lognormal(np.log(180), 0.6, C)), 20, 3000).astype(int)
    rd_ratio = np.clip(rng.beta(9, 6, C), 0.2, 0.95)
    rd_staff = np.floor(employees * rd_ratio).astype(int)
    total_cost = np.round(employees * rng.uniform(25, 60, C), 1)
    rd_exp = np.round(total_cost * np.clip(rng.beta(6, 9, C), 0.1, 0.9), 1)

    def flags(p_true, p_false):
        r = rng.random(C)
        return np.where(r < p_true, "true", np.where(r < p_true + p_false, "false", ""))

    centers = pd.DataFrame({
        "center_id": center_ids, "name": cname, "level": np.where(national, "national", "provincial"),
        "field_id": _obj(field_ids)[cfield], "province": PROV[cprov], "city": ccity, "operating_company_id": oid[opco],
        "founded": founded, "year": REF_YEAR, "employees": employees, "rd_staff": rd_staff,
        "total_cost": _fmt(total_cost), "rd_expense": _fmt(rd_exp),
        "has_board": flags(0.95, 0.04), "has_management_team": flags(0.95, 0.04), "has_expert_committee": flags(0.92, 0.06),
        "committee_chair": _chair_names(rng, C), "chair_is_leading_expert": flags(0.85, 0.12),
        "has_roadmap": flags(0.85, 0.12), "roadmap_year": np.minimum(founded_year + rng.integers(0, 3, C), REF_YEAR),
        "has_ip_policy": flags(0.88, 0.1), "source": SYNTHETIC,
    })

    # field rankings: the top 30 enterprises of each field (big firms more likely), no operating company
    rank_pool = np.flatnonzero((kind == E) & ~foreign & ~is_opco)
    rw = orgs["_w_member"].to_numpy()[rank_pool]
    top = np.empty((F, 30), dtype=np.int64)
    for f in range(F):
        top[f] = rank_pool[rng.choice(len(rank_pool), size=30, replace=False, p=rw / rw.sum())]
    rankings = pd.DataFrame({
        "org_id": oid[top.ravel()], "field_id": np.repeat(_obj(field_ids), 30), "rank": np.tile(np.arange(1, 31), F),
        "year": REF_YEAR, "source": SYNTHETIC,
    })

    # shareholders: 5–25 per center: some top-10 enterprises of the field, some investors, the rest big players
    n_sh = rng.integers(5, 26, C)
    n_top = np.minimum(rng.choice(5, size=C, p=[0.1, 0.15, 0.3, 0.25, 0.2]), n_sh)
    n_inv = np.minimum(rng.choice(4, size=C, p=[0.12, 0.4, 0.3, 0.18]), n_sh - n_top)
    n_rest = n_sh - n_top - n_inv
    order = np.argsort(rng.random((C, 10)), axis=1)
    top_pick = top[cfield][np.arange(C)[:, None], order]
    sh_top_c = np.repeat(np.arange(C), 10)[(np.arange(10)[None, :] < n_top[:, None]).ravel()]
    sh_top_o = top_pick[np.arange(10)[None, :] < n_top[:, None]]
    w_m = orgs["_w_member"].to_numpy()
    inv_cdf = _cdf(np.where((kind == INV) & ~foreign, w_m, 0))
    rest_cdf = _cdf(np.where(np.isin(kind, [E, U, R]) & ~foreign & ~is_opco, w_m, 0))
    sh_c = np.concatenate([sh_top_c, np.repeat(np.arange(C), n_inv), np.repeat(np.arange(C), n_rest)])
    sh_o = np.concatenate([sh_top_o, _draw(rng, inv_cdf, int(n_inv.sum())), _draw(rng, rest_cdf, int(n_rest.sum()))])
    sh = pd.DataFrame({"c": sh_c, "o": sh_o}).drop_duplicates(ignore_index=True)
    sh = sh[sh["o"].to_numpy() != opco[sh["c"].to_numpy()]].sort_values(["c", "o"], kind="stable", ignore_index=True)
    g = rng.gamma(1.0, 1.0, len(sh))
    gsum = pd.Series(g).groupby(sh["c"]).transform("sum").to_numpy()
    total = rng.uniform(70, 99.5, C)[sh["c"].to_numpy()]
    share = np.maximum(np.floor(g / gsum * total * 100) / 100, 0.01)
    capital = share / 100 * np.round(rng.lognormal(np.log(20000), 0.7, C))[sh["c"].to_numpy()]
    shareholders = pd.DataFrame({
        "center_id": center_ids[sh["c"].to_numpy()], "org_id": oid[sh["o"].to_numpy()],
        "share_pct": _fmt(share, 2), "capital": _fmt(capital), "source": SYNTHETIC,
    })

    members = _scale_members(rng, C, cfield, opco, sh, orgs, plats, field_ids, center_ids, founded_year)
    collaborations = _scale_collaborations(rng, centers, cfield, opco, members, orgs, field_ids, founded_year)
    income = _scale_income(rng, center_ids, founded_year)
    assessments = _scale_assessments(rng, center_ids)
    claims = _scale_claims(rng, center_ids, cfield, members, plats, field_ids)

    return {
        "fields": pd.DataFrame(_field_rows(field_ids)).assign(source=SYNTHETIC),
        "organizations": _public(orgs),
        "centers": centers,
        "platforms": _public(plats),
        "shareholders": shareholders,
        "alliance_members": members.drop(columns=["_c", "_o"]),
        "field_rankings": rankings,
        "collaborations": collaborations,
        "income": income,
        "assessments": assessments,
        "claims": claims,
    }


def _norm(w) -> np.ndarray:
    w = np.asarray(w, dtype=float)
    return w / w.sum()


def _public(frame: pd.DataFrame) -> pd.DataFrame:
    return frame[[c for c in frame.columns if not c.startswith("_")]].reset_index(drop=True)


def _field_host_weights(plats: pd.DataFrame, O: int, F: int):
    """Per field: (host org codes, weight = number of the field's active platforms each hosts)."""
    active = (plats["status"] == "active").to_numpy()
    f = np.concatenate([plats["_field1"].to_numpy(), plats["_field2"].to_numpy()] * 2)
    h = np.concatenate([plats["_host1"].to_numpy()] * 2 + [plats["_host2"].to_numpy()] * 2)
    a = np.concatenate([active] * 4)
    ok = (f >= 0) & (h >= 0) & a
    pairs, counts = np.unique(f[ok].astype(np.int64) * O + h[ok], return_counts=True)
    out = {}
    ff = pairs // O
    for fi in range(F):
        sel = ff == fi
        out[fi] = (pairs[sel] % O, counts[sel].astype(float))
    return out


def _scale_members(rng, C, cfield, opco, sh, orgs, plats, field_ids, center_ids, founded_year) -> pd.DataFrame:
    """Alliances: lognormal sizes (median ~100, 30–300); hubs join many; a share of each alliance is drawn among
    the hosts of its field's platforms, so coverage spreads around the 50 % threshold."""
    O = len(orgs)
    F = len(field_ids)
    size = np.clip(np.round(rng.lognormal(np.log(100), 0.45, C)), 30, 300).astype(int)
    w_m = orgs["_w_member"].to_numpy()
    kind = orgs["_kind"].to_numpy()
    is_opco = np.zeros(O, dtype=bool)
    is_opco[opco] = True
    general_cdf = _cdf(np.where(is_opco, 0, w_m))
    frac = rng.uniform(0.05, 0.45, C)
    k_field = np.round(frac * size).astype(int)
    hw = _field_host_weights(plats, O, F)
    parts_c, parts_o, parts_pri = [], [], []
    # fixed: the operating company (chair) and the shareholders (council)
    parts_c += [np.arange(C), sh["c"].to_numpy()]
    parts_o += [opco, sh["o"].to_numpy()]
    parts_pri += [np.zeros(C, dtype=np.int8), np.zeros(len(sh), dtype=np.int8)]
    for f in range(F):
        cs = np.flatnonzero(cfield == f)
        hosts, w = hw[f]
        if not len(cs) or not len(hosts):
            continue
        n = k_field[cs]
        parts_c.append(np.repeat(cs, n))
        parts_o.append(hosts[_draw(rng, _cdf(w), int(n.sum()))])
        parts_pri.append(np.ones(int(n.sum()), dtype=np.int8))
    extra = np.round(size * 1.3).astype(int)
    parts_c.append(np.repeat(np.arange(C), extra))
    parts_o.append(_draw(rng, general_cdf, int(extra.sum())))
    parts_pri.append(np.full(int(extra.sum()), 2, dtype=np.int8))
    m = pd.DataFrame({"_c": np.concatenate(parts_c), "_o": np.concatenate(parts_o), "pri": np.concatenate(parts_pri)})
    m = m.drop_duplicates(["_c", "_o"], keep="first")
    m = m[(m["pri"] == 0) | (m.groupby("_c", sort=False).cumcount().to_numpy() < size[m["_c"].to_numpy()])]
    m = m.sort_values(["_c", "_o"], kind="stable", ignore_index=True)
    c, o = m["_c"].to_numpy(), m["_o"].to_numpy()
    role = np.full(len(m), "member", dtype=object)
    role[kind[o] == USR] = "user"
    role[(kind[o] == E) & (rng.random(len(m)) < 0.05)] = "user"
    role[m["pri"].to_numpy() == 0] = "council"
    role[o == opco[c]] = "chair"
    jy = founded_year[c] + (rng.random(len(m)) * (REF_YEAR + 1 - founded_year[c])).astype(int)
    jm = rng.integers(1, 13, len(m))
    oid = orgs["org_id"].to_numpy()
    out = pd.DataFrame({
        "center_id": center_ids[c], "member_id": oid[o], "role": role,
        "joined": _obj([f"{y}-{mm:02d}" for y, mm in zip(jy, jm)]), "source": SYNTHETIC, "_c": c, "_o": o,
    })
    # a few platforms of the field join as members themselves
    k = rng.choice(3, size=C, p=[0.6, 0.3, 0.1])
    f1 = plats["_field1"].to_numpy()
    order = np.argsort(f1, kind="stable")
    starts = np.searchsorted(f1[order], np.arange(F))
    counts = np.bincount(f1, minlength=F)
    pc = np.repeat(np.arange(C), k)
    has = counts[cfield[pc]] > 0
    pc = pc[has]
    pick = order[starts[cfield[pc]] + (rng.random(len(pc)) * counts[cfield[pc]]).astype(int)]
    pm = pd.DataFrame({"center_id": center_ids[pc], "member_id": plats["platform_id"].to_numpy()[pick], "role": "member",
                       "joined": _obj([f"{y}" for y in founded_year[pc]]), "source": SYNTHETIC, "_c": pc, "_o": -1 - pick})
    pm = pm.drop_duplicates(["center_id", "member_id"])
    return pd.concat([out, pm], ignore_index=True).sort_values(["_c", "member_id"], kind="stable", ignore_index=True)


def _scale_collaborations(rng, centers, cfield, opco, members, orgs, field_ids, founded_year) -> pd.DataFrame:
    C = len(centers)
    O = len(orgs)
    kind = orgs["_kind"].to_numpy()
    foreign = orgs["_foreign"].to_numpy()
    sme = (orgs["is_sme"] == "true").to_numpy()
    w_m = orgs["_w_member"].to_numpy()
    oid = orgs["org_id"].to_numpy()
    kinds = np.array(["joint_rd", "contract_rd", "tech_transfer", "incubation", "exchange", "other"], dtype=object)
    # from the centers (or their operating companies)
    n = rng.poisson(18, C) + 4
    c = np.repeat(np.arange(C), n)
    N = len(c)
    kd = rng.choice(6, size=N, p=[0.32, 0.18, 0.14, 0.06, 0.24, 0.06])
    mem = members[members["_o"] >= 0]
    mc, mo = mem["_c"].to_numpy(), mem["_o"].to_numpy()
    start = np.searchsorted(mc, np.arange(C))
    cnt = np.bincount(mc, minlength=C)
    to = mo[start[c] + (rng.random(N) * cnt[c]).astype(int)]
    mode = rng.random(N)
    glob = _draw(rng, _cdf(w_m), N)
    abroad = _draw(rng, _cdf(np.where(foreign, w_m, 0)), N)
    smes = _draw(rng, _cdf(np.where(sme & (kind == E), w_m, 0)), N)
    to = np.where(mode < 0.55, to, np.where(mode < 0.86, glob, abroad))
    to = np.where(((kd == 2) & (rng.random(N) < 0.85)) | (kd == 3), smes, to)
    from_center = rng.random(N) < 0.5
    frm = np.where(from_center, centers["center_id"].to_numpy()[c], oid[opco[c]])
    ok = to != opco[c]
    topic = {f: _obj(FIELD_TOPICS[field_ids[f]].split()) for f in range(len(field_ids))}
    proj = np.full(N, "", dtype=object)
    with_proj = (kd == 0) & (rng.random(N) < 0.6)
    for f in np.unique(cfield[c[with_proj]]):
        sel = with_proj & (cfield[c] == f)
        proj[sel] = _pick(rng, topic[f], sel.sum()) + "路线图项目" + rng.integers(1, 13, sel.sum()).astype(str).astype(object)
    lo = np.maximum(founded_year[c], 2019)
    year = lo + (rng.random(N) * (REF_YEAR + 1 - lo)).astype(int)
    a = pd.DataFrame({"from_id": frm[ok], "to_id": oid[to[ok]], "kind": kinds[kd[ok]], "year": year[ok], "project": proj[ok]})
    # between organisations: the wider network that reach explores
    m = int(0.8 * O)
    f_o = _draw(rng, _cdf(w_m), m)
    t_o = _draw(rng, _cdf(w_m), m)
    keep = f_o != t_o
    kd2 = rng.choice(6, size=m, p=[0.35, 0.2, 0.15, 0.05, 0.2, 0.05])
    proj2 = np.where((kd2 == 0) & (rng.random(m) < 0.3), "联合攻关项目" + rng.integers(1, 500, m).astype(str).astype(object), "")
    b = pd.DataFrame({"from_id": oid[f_o[keep]], "to_id": oid[t_o[keep]], "kind": kinds[kd2[keep]],
                      "year": rng.integers(2018, REF_YEAR + 1, m)[keep], "project": proj2[keep]})
    out = pd.concat([a, b], ignore_index=True)
    out["source"] = SYNTHETIC
    return out


def _scale_income(rng, center_ids, founded_year) -> pd.DataFrame:
    C = len(center_ids)
    years = np.arange(REF_YEAR - 3, REF_YEAR + 1)
    has_data = rng.random(C) > 0.04
    active = rng.random((C, len(ALL_STREAMS))) < _STREAM_P
    grid = active[:, None, :] & (rng.random((C, len(years), len(ALL_STREAMS))) < 0.85)
    grid &= (years[None, :, None] >= founded_year[:, None, None]) & has_data[:, None, None]
    c, y, s = np.nonzero(grid)
    amount = np.round(rng.lognormal(np.log(800), 1.0, len(c)), 1)
    return pd.DataFrame({"center_id": center_ids[c], "year": years[y], "stream": _obj(ALL_STREAMS)[s],
                         "amount": _fmt(amount), "source": SYNTHETIC})


def _scale_assessments(rng, center_ids) -> pd.DataFrame:
    C = len(center_ids)
    chosen = rng.random(C) < 0.35
    grid = chosen[:, None] & (rng.random((C, len(ATTESTED))) < 0.7)
    c, k = np.nonzero(grid)
    computed = ["4.3", "6.2", "7.2", "8.2", "11", "12"]
    over = np.flatnonzero(rng.random(C) < 0.08)
    cc = np.concatenate([c, over])
    ids = np.concatenate([_obj(ATTESTED)[k], _pick(rng, computed, len(over))])
    status = np.where(rng.random(len(cc)) < 0.85, "met", "not_met")
    month = rng.integers(1, 13, len(cc))
    day = rng.integers(1, 29, len(cc))
    out = pd.DataFrame({
        "center_id": center_ids[cc], "check_id": ids, "status": status,
        "assessor": "评审专家组" + _pick(rng, list("ABCDEFG"), len(cc)),
        "date": _obj([f"{REF_YEAR}-{m:02d}-{d:02d}" for m, d in zip(month, day)]),
        "note": "", "evidence": "", "source": SYNTHETIC,
    })
    return out.sort_values(["center_id", "check_id"], kind="stable", ignore_index=True)


def _scale_claims(rng, center_ids, cfield, members, plats, field_ids) -> pd.DataFrame:
    C = len(center_ids)
    rows = []
    ratio_c = np.flatnonzero(rng.random(C) < 0.4)
    ratio = rng.uniform(0.3, 0.85, len(ratio_c))
    pct = rng.random(len(ratio_c)) < 0.5
    rows.append(pd.DataFrame({"center_id": center_ids[ratio_c], "claim": "coverage_ratio",
                              "value": np.where(pct, _fmt(ratio * 100, 1) + "%", _fmt(ratio, 2))}))
    size = members.groupby("_c").size().reindex(range(C), fill_value=0).to_numpy()
    count_c = np.flatnonzero(rng.random(C) < 0.3)
    delta = rng.choice([0, 0, 0, 5, -5, 10, 20], size=len(count_c))
    rows.append(pd.DataFrame({"center_id": center_ids[count_c], "claim": "member_count",
                              "value": np.maximum(size[count_c] + delta, 0).astype(str)}))
    list_c = np.flatnonzero(rng.random(C) < 0.2)
    f1 = plats["_field1"].to_numpy()
    pid = plats["platform_id"].to_numpy()
    order = np.argsort(f1, kind="stable")
    starts = np.searchsorted(f1[order], np.arange(len(field_ids)))
    counts = np.bincount(f1, minlength=len(field_ids))
    vals = []
    for c in list_c:  # ≤ 20 % of centers, a handful of ids each
        f = cfield[c]
        if counts[f] == 0:
            vals.append("")
            continue
        k = min(counts[f], int(rng.integers(3, 7)))
        pick = order[starts[f] + rng.choice(counts[f], size=k, replace=False)]
        vals.append("|".join(sorted(pid[pick])))
    lc = pd.DataFrame({"center_id": center_ids[list_c], "claim": "covered_platforms", "value": vals})
    rows.append(lc[lc["value"] != ""])
    out = pd.concat(rows, ignore_index=True)
    out["field_id"] = ""
    out["source"] = SYNTHETIC
    return out.sort_values(["center_id", "claim"], kind="stable", ignore_index=True)


# ---- writing ----------------------------------------------------------------------------------------------------

_OWN_FILES = {f"{name}.csv" for name in TABLES} | {"README.md"}


def write_dataset(frames: dict[str, pd.DataFrame], out, extra_files: dict[str, str] | None = None) -> Path:
    """Write the tables as UTF-8 CSV files (contract column order, extra columns after) into ``out``.

    The files are written into a temporary folder beside ``out`` that then replaces it, so a reader never sees
    half a dataset. An existing ``out`` is replaced only when it holds nothing but dataset files.
    """
    out = Path(out)
    with atomic_folder(out, _OWN_FILES) as tmp:
        for name in TABLE_ORDER:
            frame = frames.get(name)
            if frame is None:
                continue
            cols = [c for c in TABLES[name].column_names if c in frame.columns]
            cols += [c for c in frame.columns if c not in cols and not c.startswith("_")]
            frame[cols].to_csv(tmp / f"{name}.csv", index=False, lineterminator="\n", encoding="utf-8")
        for fname, text in (extra_files or {}).items():
            (tmp / fname).write_text(text, encoding="utf-8")
    return out


def _counts(frames: dict[str, pd.DataFrame]) -> dict[str, int]:
    """Rows per table as ``graphkit validate`` counts them (fields: the 22 built in plus fields.csv)."""
    out = {name: int(len(frames[name])) if name in frames else 0 for name in TABLE_ORDER if name != "fields"}
    out["fields"] = 22 + (len(frames["fields"]) if "fields" in frames else 0)
    return out


def generate(scale: str, seed: int = 1, out: str | Path | None = None) -> dict[str, int]:
    """Generate a synthetic dataset of ``scale`` (S, M, L); write it to ``out`` when given; return the row counts."""
    frames = generate_frames(scale, seed)
    if out is not None:
        write_dataset(frames, out)
    return _counts(frames)
