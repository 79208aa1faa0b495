"""The bundled sample ``data/sample``: the national centers compiled in ``data/realdata`` (their real names,
cities, provinces, operating companies, approval or founding dates and the units the sources name, each row
citing its sources) inside a synthetic world designed so that every check status, claim verdict and recruitment
case occurs (see :data:`SAMPLE_DESIGN`). ``python scripts/build_sample.py`` rewrites it.
"""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import pandas as pd

from graphkit.data.synthetic import (
    _PLATFORM_ASPECT,
    _PLATFORM_SUFFIX,
    ATTESTED,
    EXTRA_FIELDS,
    FIELD_TOPICS,
    GOV,
    INV,
    KIND,
    MARKET_STREAMS,
    OTH,
    PLATFORM_KIND_LIST,
    PROV,
    PROV_P,
    REALDATA_DIR,
    REF_YEAR,
    REPO,
    SYNTHETIC,
    USR,
    E,
    R,
    U,
    _brand,
    _cdf,
    _chair_names,
    _counts,
    _draw,
    _field_names,
    _ids,
    _orgs,
    _pick,
    _platforms,
    _public,
    write_dataset,
)
from graphkit.data.registries import FIELD_RULE
from graphkit.data.sample_real import REAL_NOTE, RealWorld
from graphkit.errors import GraphkitError
from graphkit.model.notice import builtin_fields

__all__ = [
    "build_sample",
    "sample_frames",
    "sample_readme",
    "read_realdata",
    "SAMPLE_SEED",
    "SAMPLE_AS_OF",
    "SAMPLE_DESIGN",
    "SAMPLE_DIR",
    "REAL_CENTERS",
]

# ---- the bundled sample -------------------------------------------------------------------------------------------
#
# The real part: every national center compiled in data/realdata (name, city, province, operating company,
# approval or founding date) and the units its row names, with the row's source_urls as `source`. Everything else
# is synthetic and designed (SAMPLE_DESIGN) so that each check status, claim verdict and recruitment case occurs.

SAMPLE_SEED = 20170713  # the date of the notice
SAMPLE_AS_OF = "2026-11-26"
_SAMPLE_POOL_ORGS = 1_900
_SAMPLE_POOL_PLATFORMS = 700
MET, NOT, INS = "met", "not_met", "insufficient_data"

# Per national center (CSV order): field, `founded` (the approval date when the row reports one, else the founding,
# launch or unveiling date, at the precision reported; empty when the row has neither), the event it is, the
# shareholder count the row reports, the alliance size used (the reported size clipped to 30–300), and the units
# the row names with their tie: S = shareholder (股东/注资/创始), L = lead or founding unit (牵头/发起/共建/联合),
# M = named alliance member. Kinds are graphkit's reading of the names.
_e, _u, _ri, _inv, _oth = "enterprise", "university", "research_institute", "investor", "other"
REAL_CENTERS = {
    "国家动力电池创新中心": dict(field="X01", founded="2016-06-30", event="成立大会 2016-06-30", shareholders=14, units=[
        ("北京有色金属研究总院", _ri, "S"), ("一汽", _e, "S"), ("东风", _e, "S"), ("长安", _e, "S"), ("上汽", _e, "S"),
        ("北汽", _e, "S"), ("广汽", _e, "S"), ("华晨", _e, "S"), ("天津力神", _e, "S"), ("华鼎定新动力基金", _inv, "S"),
        ("宁德时代", _e, "S")]),
    "国家增材制造创新中心": dict(field="X02", founded="2017-01", event="认定 2017-01 (pishu表)", shareholders=18, units=[
        ("西安交通大学", _u, "S"), ("北京航空航天大学", _u, "S"), ("西北工业大学", _u, "S"), ("清华大学", _u, "S"),
        ("华中科技大学", _u, "S")]),
    "国家印刷及柔性显示创新中心": dict(field="F02", founded="2017-01", event="认定 2017-01 (pishu表)", units=[
        ("深圳华星光电", _e, "S"), ("天马微电子", _e, "S")]),
    "国家信息光电子创新中心": dict(field="F01", founded="2017-11", event="工信部科函[2017]469号 (2017-11)", alliance=(30, "25家"), units=[
        ("光迅科技", _e, "L"), ("烽火通信", _e, "L"), ("亨通光电", _e, "L"), ("中科院半导体所", _ri, "M"), ("华为", _e, "M"),
        ("清华大学", _u, "M")]),
    "国家机器人创新中心": dict(field="F03", founded="2018-01", event="认定 2018-01 (pishu表); 揭牌 2018-06-19", shareholders=14, units=[
        ("中科院沈阳自动化研究所", _ri, "L"), ("哈尔滨工业大学", _u, "L"), ("新松公司", _e, "L")]),
    "国家集成电路创新中心": dict(field="F09", founded="2018-07-03", event="启动 2018-07-03", units=[
        ("复旦大学", _u, "L"), ("中芯国际", _e, "L"), ("华虹集团", _e, "L")]),
    "国家智能传感器创新中心": dict(field="F08", founded="2018-07-03", event="揭牌 2018-07-03", alliance=(300, ">600家"), units=[
        ("上海新微技术研发中心有限公司", _e, "L"), ("中电海康", _e, "L"), ("上海国际汽车城", _e, "L"), ("格科微电子", _e, "L"),
        ("苏州晶方半导体", _e, "L"), ("福建上润精密仪器", _e, "L"), ("华立科技", _e, "L"), ("郑州炜盛电子", _e, "L"),
        ("杭州士兰微电子", _e, "L"), ("常州波速传感器", _e, "L"), ("北京中科微", _e, "L")]),
    "国家数字化设计与制造创新中心": dict(field="F15", founded="2018-10-25", event="启动 2018-10-25", units=[
        ("华中科技大学", _u, "L"), ("清华大学", _u, "L")]),
    "国家轻量化材料成形技术及装备创新中心": dict(field="F04", founded="", event="the row reports only 能力建设验收 2022-11-07", units=[
        ("机械科学研究总院集团", _ri, "L")]),
    "国家先进轨道交通装备创新中心": dict(field="X03", founded="2019-01", event="工信部批准 2019-01", shareholders=12,
                             alliance=(300, "398家联盟单位"), units=[("中国中车", _e, "L")]),
    "国家智能网联汽车创新中心": dict(field="F16", founded="2019-05-30", event="工信部批复 2019-05-30", shareholders=23, units=[
        ("中国汽车工程学会", _oth, "L"), ("中国汽车工业协会", _oth, "L"), ("一汽", _e, "S"), ("东风", _e, "S"), ("北汽", _e, "S"),
        ("广汽", _e, "S"), ("宇通", _e, "S"), ("江铃", _e, "S"), ("中汽中心", _ri, "S"), ("亚太股份", _e, "S"),
        ("保隆科技", _e, "S"), ("德赛西威", _e, "S"), ("启迪云控", _e, "S")]),
    "国家农机装备创新中心": dict(field="X04", founded="2019-06", event="工信部批复 2019-06", units=[
        ("中国一拖", _e, "L"), ("中联重机", _e, "L"), ("清华大学", _u, "L"), ("中科院计算所", _ri, "L")]),
    "国家先进功能纤维创新中心": dict(field="F22", founded="2019-06-25", event="工信部批复 2019-06-25", shareholders=15,
                             alliance=(110, ">100家联盟单位"), units=[("盛虹集团", _e, "L"), ("东华大学", _u, "L")]),
    "国家稀土功能材料创新中心": dict(field="F07", founded="2020-04-07", event="MIIT approval announced 2020-04-07", shareholders=16,
                             units=[("江西理工大学", _u, "S")]),
    "国家集成电路特色工艺及封装测试创新中心": dict(field="X05", founded="2020-05", event="工信部批复 2020-05", shareholders=10, units=[
        ("中科院微电子所", _ri, "S"), ("长电科技", _e, "S"), ("通富微电", _e, "S"), ("华天科技", _e, "S"), ("深南电路", _e, "S"),
        ("晶方", _e, "S"), ("安捷利", _e, "S"), ("中科物联", _e, "S"), ("兴森快捷", _e, "S"), ("国开基金", _inv, "S")]),
    "国家高性能医疗器械创新中心": dict(field="F19", founded="2020-04-28", event="工信部批复 2020-04-28", units=[
        ("迈瑞", _e, "S"), ("联影", _e, "S"), ("先健科技", _e, "S"), ("中科院深圳先进技术研究院", _ri, "S"),
        ("哈尔滨工业大学", _u, "S")]),
    "国家5G中高频器件创新中心": dict(field="X06", founded="2021-11", event="工信部批复 2021-11", shareholders=29,
                              alliance=(300, "~400家"), units=[("福田区投资控股", _inv, "L"), ("力合科创集团", _e, "L"),
                                                              ("南方科技大学", _u, "L")]),
    "国家玻璃新材料创新中心": dict(field="X07", founded="2021-11", event="批复 2021-11; 挂牌 2022-02", shareholders=11,
                            alliance=(80, "80家"), units=[
        ("中建材蚌埠玻璃工业设计研究院", _ri, "L"), ("浙江大学", _u, "M"), ("武汉理工大学", _u, "M"), ("合肥工业大学", _u, "M"),
        ("中国硅酸盐学会", _oth, "M"), ("天合光能", _e, "M"), ("福耀集团", _e, "M"), ("东旭集团", _e, "M")]),
    "国家高端智能化家用电器创新中心": dict(field="X08", founded="2021-11", event="工信部批复 2021-11", units=[
        ("海尔", _e, "S"), ("美的", _e, "S"), ("海信", _e, "S"), ("方太", _e, "S"), ("中国家用电器研究院", _ri, "S")]),
    "国家智能语音创新中心": dict(field="F12", founded="2021-11", event="工信部批复 2021-11", units=[("科大讯飞", _e, "L")]),
    "国家石墨烯创新中心": dict(field="F13", founded="2022-11", event="工信部批复 2022-11", units=[]),
    "国家虚拟现实创新中心": dict(field="X09", founded="2022-11", event="工信部批复 2022-11", units=[]),
    "国家超高清视频创新中心": dict(field="X10", founded="2022", event="工信部批复 2022-10/11", units=[
        ("广东博华超高清创新中心有限公司", _e, "L")]),
    "国家新型储能创新中心": dict(field="X11", founded="2024", event="2024", units=[]),
    "国家微纳制造创新中心": dict(field="X12", founded="2024", event="2024", units=[]),
    "国家分子药物创新中心": dict(field="X13", founded="2024", event="2024", units=[]),
    # not in national_mics.csv: the facts of data/realdata/public-registries/mic_extra_facts_pages.md item 1
    "国家先进印染技术创新中心": dict(field="X14", founded="", event="the pages give no approval date", units=[]),
}
# The national center the compiled facts miss (mic_extra_facts_pages.md item 1, grade A/B): a row in the form of
# national_mics.csv. Its operating company is numbered after the synthetic pool so that the other ids stay put.
EXTRA_REAL_ROWS = [dict(
    name_zh="国家先进印染技术创新中心", city="泰安", province="山东", operating_company="山东中康国创先进印染技术研究院有限公司",
    source_urls="http://nicadf.com/Article/show/id/381 | http://www.cofcofarm.com/information-list/detail/id/13409.html",
    confidence="A/B (data/realdata/public-registries/mic_extra_facts_pages.md item 1)")]
_SAMPLE_TOPICS = {"X14": "先进印染 数码印花 印染废水 功能整理"}  # project names of the (synthetic) collaborations
SAMPLE_EXTRA_FIELDS = [("X14", "先进印染", "Advanced printing and dyeing", "other", "国家先进印染技术创新中心")]
_REAL_SHARE_PCT = {("国家动力电池创新中心", "北京有色金属研究总院"): 50}
_REAL_ALIASES = {"中科院深圳先进技术研究院": "中科院深圳先进院"}
_TIE_ZH = {"S": "股东", "L": "牵头/发起", "M": "联盟成员"}

# The design of the sample: per center, the computed checks that are NOT met (or lack data), with the knobs that
# produce them; every other computed check is met. `cov` = the alliance's coverage of its field ("half" = exactly
# 50 %, "fixed" = what the fixed members give); `assess` = reviewers' assessments (check → status, or a list of
# (status, date) where the latest holds); `claims` = what the application asserts.
SAMPLE_DESIGN: list[dict] = [
    dict(real="国家动力电池创新中心", expect={"1": NOT}),
    dict(real="国家增材制造创新中心", expect={"1": NOT, "4.2": INS}),
    dict(real="国家印刷及柔性显示创新中心", expect={"4.2": NOT}),
    dict(real="国家信息光电子创新中心", expect={}),
    dict(real="国家机器人创新中心", expect={}, rd_expense_ratio=0.3, assess={c: MET for c in ATTESTED}),
    dict(real="国家集成电路创新中心", expect={"4.3": NOT}, cov=0.48),
    dict(real="国家智能传感器创新中心", expect={}, claims=[("member_count", "600")]),
    dict(real="国家数字化设计与制造创新中心", expect={}),
    dict(real="国家轻量化材料成形技术及装备创新中心", expect={"12": INS}),
    dict(real="国家先进轨道交通装备创新中心", expect={"1": NOT, "4.2": INS}),
    dict(real="国家智能网联汽车创新中心", expect={}, assess={"2": MET, "11": NOT}),
    dict(real="国家农机装备创新中心", expect={"1": NOT, "4.2": INS, "6.2": NOT}, income="gap_year"),
    dict(real="国家先进功能纤维创新中心", expect={}, assess={"2": MET, "3": MET},
         claims=[("coverage_ratio", "exact"), ("covered_platforms", "all"), ("member_count", "100")]),
    dict(real="国家稀土功能材料创新中心", expect={}),
    dict(real="国家集成电路特色工艺及封装测试创新中心", expect={"1": NOT, "4.2": INS}),
    dict(real="国家高性能医疗器械创新中心", expect={}),
    dict(real="国家5G中高频器件创新中心", expect={"1": NOT, "4.2": INS}),
    dict(real="国家玻璃新材料创新中心", expect={"1": NOT, "4.2": INS}, claims=[("member_count", "80")]),
    dict(real="国家高端智能化家用电器创新中心", expect={"1": NOT, "4.2": INS}),
    dict(real="国家智能语音创新中心", expect={"4.1": INS}),
    dict(real="国家石墨烯创新中心", expect={"4.3": NOT}, cov=0.44),
    dict(real="国家虚拟现实创新中心", expect={"1": NOT, "4.2": INS, "7.3": INS}),
    dict(real="国家超高清视频创新中心", expect={"1": NOT, "4.2": INS, "5.1": INS}),
    dict(real="国家新型储能创新中心", expect={"1": NOT, "4.2": INS, "6.2": INS}, income="none"),
    dict(real="国家微纳制造创新中心", expect={"1": NOT, "4.2": INS, "7.2": INS}),
    dict(real="国家分子药物创新中心", expect={"1": NOT, "4.2": INS, "4.3": INS}, claims=[("coverage_ratio", "0.50")]),
    # provincial centers: invented names, all synthetic
    dict(name="江苏省先进功能纤维创新中心", field="F22", province="江苏", city="南通", expect={}),
    dict(name="广东省机器人创新中心", field="F03", province="广东", city="佛山", expect={}),
    dict(name="浙江省高档数控机床创新中心", field="F06", province="浙江", city="宁波", expect={}, rd_staff_ratio=0.5,
         assess={c: MET for c in ATTESTED}),
    dict(name="辽宁省高档数控机床创新中心", field="F06", province="辽宁", city="大连", expect={"7.3": NOT, "9.2": NOT}),
    dict(name="山东省先进复合材料创新中心", field="F11", province="山东", city="济南", expect={"4.3": NOT, "9.1": INS},
         members43="no_user"),
    dict(name="江苏省先进复合材料创新中心", field="F11", province="江苏", city="常州", expect={"7.1": INS, "8.2": NOT}),
    dict(name="贵州省工业大数据创新中心", field="F18", province="贵州", city="贵阳", expect={"4.1": NOT, "8.1": NOT},
         opco_kind="research_institute"),
    dict(name="湖南省资源循环利用创新中心", field="F20", province="湖南", city="长沙", expect={"4.3": NOT}, cov="fixed"),
    dict(name="四川省医药高端制剂与绿色制药创新中心", field="F21", province="四川", city="成都", expect={"4.3": INS},
         members43=("unknown", 4)),
    dict(name="湖北省传感器创新中心", field="F08", province="湖北", city="武汉", expect={"4.2": NOT, "4.3": NOT, "7.2": NOT},
         cov=0.45, assess={"2": MET, "3": [(MET, "2026-03-02"), (NOT, "2026-09-15")]},
         claims=[("coverage_ratio", "minus5"), ("covered_platforms", "half")]),
    dict(name="重庆市智能网联汽车创新中心", field="F16", province="重庆", city="重庆", expect={"4.3": NOT, "6.1": NOT, "9.1": NOT},
         cov=0.47, claims=[("coverage_ratio", "62%"), ("covered_platforms", "mixed"), ("member_count", "exact")]),
    dict(name="广东省高性能医疗器械创新中心", field="F19", province="广东", city="广州", expect={"7.2": NOT}, assess={"7.2": MET}),
    dict(name="上海市智能语音创新中心", field="F12", province="上海", city="上海", expect={},
         assess={"2": MET, "3": MET, "5.2": MET, "10.1": NOT}),
    dict(name="福建省印刷及柔性显示创新中心", field="F02", province="福建", city="厦门",
         expect={"4.2": NOT, "4.3": NOT, "6.2": NOT, "8.2": NOT}, cov=0.25, income="one_stream",
         assess={"5.2": NOT, "10.1": MET}),
    dict(name="陕西省数字化设计与制造创新中心", field="F15", province="陕西", city="西安", expect={"4.2": NOT, "5.1": NOT, "7.3": NOT}),
    dict(name="河北省轻量化材料及成型技术与装备创新中心", field="F04", province="河北", city="保定",
         expect={"4.3": NOT, "7.1": NOT, "10.2": NOT}, cov=0.40),
    dict(name="江西省石墨烯创新中心", field="F13", province="江西", city="南昌", expect={"4.3": NOT, "6.1": NOT, "8.2": NOT, "11": NOT},
         members43=("provinces", 3), assess={"2": NOT}),
    dict(name="天津市新一代信息光电子创新中心", field="F01", province="天津", city="天津", expect={"9.2": NOT}, cov="half",
         claims=[("coverage_ratio", "50%")]),
    dict(name="北京市集成电路先进工艺创新中心", field="F09", province="北京", city="北京",
         expect={"6.2": NOT, "8.2": NOT, "11": NOT, "12": NOT}, income="missing_prev", founded="2025-06-18"),
    dict(name="河南省动力电池创新中心", field="X01", province="河南", city="新乡",
         expect={"1": NOT, "4.2": NOT, "6.2": NOT, "8.1": INS, "12": NOT}, income="missing_prev", founded="2025-01-15"),
    # the 27th national center (appended so that the ids of the others stay put); no platform lists X14
    dict(real="国家先进印染技术创新中心", late=True, expect={"1": NOT, "4.2": INS, "4.3": INS, "12": INS}),
]
_RANKED_FIELDS = [f"F{i:02d}" for i in range(1, 23)] + ["X01"]
_RECRUIT_FIELD = "F20"  # its 20 platforms are laid out by hand so that exact search proves minimality
_EMPTY_FIELD = "X13"  # no platform lists it: coverage is undefined there


def read_realdata(path: str | Path | None = None) -> list[dict]:
    """The rows of ``national_mics.csv`` (the compiled real facts) as dicts, in file order."""
    path = Path(path) if path else REALDATA_DIR / "national_mics.csv"
    with open(path, encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def _clean_paren(text: str) -> tuple[str, str]:
    """("苏州(吴江)") → ("苏州", "(吴江)"); the part in brackets is kept for the note."""
    text = text.strip()
    if "(" in text:
        head, _, rest = text.partition("(")
        return head.strip(), "(" + rest
    return text, ""


class _Sample:
    """Builds the sample's tables step by step (small sizes: plain Python where it reads better)."""

    def __init__(self, seed: int, realdata):
        self.rng = np.random.default_rng(seed)
        self.real_rows = {r["name_zh"]: r for r in read_realdata(realdata) + EXTRA_REAL_ROWS}
        missing = [d["real"] for d in SAMPLE_DESIGN if "real" in d and d["real"] not in self.real_rows]
        if missing:
            raise GraphkitError(f"national_mics.csv has no row for {missing}")
        self.fnames = _field_names()

    # -- organisations and platforms --------------------------------------------------------------------------
    def build_world(self):
        rng = self.rng
        real_orgs: dict[str, dict] = {}
        for d in SAMPLE_DESIGN:
            if "real" not in d or d.get("late"):
                continue
            row = self.real_rows[d["real"]]
            cite = row["source_urls"]
            opco, extra = _clean_paren(row["operating_company"])
            if opco:  # "(not captured)" leaves it empty
                note = "operating company (依托公司) per source" + (f"; source adds {extra}" if extra else "")
                real_orgs[opco] = dict(name=opco, kind="enterprise", province=row["province"], cite=[cite], ties=[note])
            for name, kind, tie in REAL_CENTERS[d["real"]]["units"]:
                rec = real_orgs.setdefault(name, dict(name=name, kind=kind, province="", cite=[], ties=[]))
                if cite not in rec["cite"]:
                    rec["cite"].append(cite)
                rec["ties"].append(f"{d['real']} {_TIE_ZH[tie]}")
        n_real = len(real_orgs)
        provincial = [d for d in SAMPLE_DESIGN if "real" not in d]
        n_opco = len(provincial)
        pool_fields = [f for f in [f.field_id for f in builtin_fields()] + [x[0] for x in EXTRA_FIELDS]
                       if f not in (_RECRUIT_FIELD, _EMPTY_FIELD)]
        fp = np.array([1.0 if f.startswith("F") else 0.45 for f in pool_fields])
        fp = fp * rng.uniform(0.6, 1.4, len(fp))
        fp /= fp.sum()
        pool = _orgs(rng, _SAMPLE_POOL_ORGS, 1 + n_real + n_opco, len(pool_fields), fp)
        # real names: the labs' hosts, then the pool's universities, institutes and enterprises (same province)
        world = self.world = RealWorld()
        hosts = world.host_rows(set(real_orgs))
        names_taken = set(real_orgs) | {h["name"] for h in hosts}
        pool["source"] = SYNTHETIC
        world.relabel_pool(pool, names_taken)
        real = pd.DataFrame({
            "org_id": _ids("O", 1, n_real, 6),
            "name": [r["name"] for r in real_orgs.values()],
            "kind": [r["kind"] for r in real_orgs.values()],
            "country": "CN",
            "province": [r["province"] for r in real_orgs.values()],
            "is_sme": "",
            "aliases": [_REAL_ALIASES.get(r["name"], "") for r in real_orgs.values()],
            "source": [" | ".join(r["cite"]) for r in real_orgs.values()],
            "note": [r["ties"][0] if r["ties"][0].startswith("operating") else "named in the source: " + "；".join(r["ties"])
                     for r in real_orgs.values()],
            "_kind": [KIND[r["kind"]] for r in real_orgs.values()],
        })
        # provincial operating companies: "<city><brand><field>创新中心有限公司"
        taken = set(pool["name"]) | set(real["name"])
        rows = []
        for i, d in enumerate(provincial):
            if d.get("opco_kind") == "research_institute":
                name, kind = f"{d['province']}{self.fnames[d['field']]}创新研究院", "research_institute"
            else:
                while True:
                    name = f"{d['city']}{_brand(rng)}{self.fnames[d['field']]}创新中心有限公司"
                    if name not in taken:
                        break
                kind = "enterprise"
            taken.add(name)
            rows.append(dict(org_id=f"O{1 + n_real + i:06d}", name=name, kind=kind, country="CN", province=d["province"],
                             is_sme="false" if kind == "enterprise" else "", aliases="", source=SYNTHETIC, note="",
                             _kind=KIND[kind]))
        opcos = pd.DataFrame(rows)
        for frame in (real, opcos):
            frame["_foreign"] = False
            frame["_w_host"] = 0.0
            frame["_w_member"] = 0.0
            frame["_field"] = -1
            frame["_real"] = frame is real
            frame["_opco"] = frame is opcos
        pool["_real"] = False
        pool["_opco"] = False
        late = self._late_orgs(real, hosts, pool, names_taken | taken, 1 + n_real + n_opco + len(pool))
        self.orgs = pd.concat([real, opcos, pool, late], ignore_index=True)
        o = self.orgs
        # plain arrays: per-row pandas access is far too slow for the loops below
        self.K, self.FOR, self.REAL = o["_kind"].to_numpy(), o["_foreign"].to_numpy(bool), o["_real"].to_numpy(bool)
        self.OPCO, self.W = o["_opco"].to_numpy(bool), o["_w_member"].to_numpy(float)
        self.PRV, self.OID, self.NAME = (o[c].to_numpy(object) for c in ("province", "org_id", "name"))
        self.SME = o["is_sme"].to_numpy(object)
        self.pool_start = n_real + n_opco
        self.real_org_code = {n: i for i, n in enumerate(real["name"])}
        late_start = n_real + n_opco + len(pool)
        self.real_org_code.update({n: late_start + i for i, n in enumerate(late["name"])})
        self.opco_code = {d["name"]: n_real + i for i, d in enumerate(provincial)}

        plats = _platforms(rng, _SAMPLE_POOL_PLATFORMS, 1, pool.reset_index(drop=True), pool_fields, fp, inactive=0.03)
        # host codes index the pool: shift them to codes of self.orgs
        for col in ("_host1", "_host2"):
            plats[col] = np.where(plats[col] >= 0, plats[col] + self.pool_start, -1)
        # the state key laboratories are the real ones (ROR); the other kinds stay synthetic
        plats = plats[plats["kind"] != "state_key_lab"].reset_index(drop=True)
        self.pn = plats["name"].tolist()
        self.pk = plats["kind"].tolist()
        self.pa = plats["approved"].tolist()
        self.ps = plats["status"].tolist()
        self.pf = [tuple(s.split("|")) for s in plats["field_ids"]]
        self.ph = [tuple(int(h) for h in (a, b) if h >= 0) for a, b in zip(plats["_host1"], plats["_host2"])]
        self.psrc = [SYNTHETIC] * len(plats)
        self.pfs = [SYNTHETIC] * len(plats)
        code_of = {str(n): i for i, n in enumerate(self.NAME) if self.REAL[i]}
        for lab in world.lab_platforms(code_of):
            self.pn.append(lab["name"])
            self.pk.append(lab["kind"])
            self.pa.append(lab["approved"])
            self.ps.append(lab["status"])
            self.pf.append(lab["fields"])
            self.ph.append(lab["hosts"])
            self.psrc.append(lab["source"])
            self.pfs.append(lab["field_source"])
        self.pid = [f"P{i + 1:06d}" for i in range(len(self.pn))]
        self._cache: dict = {}
        self._recruit_field_platforms()
        self._fix_platforms()

    def _late_orgs(self, real: pd.DataFrame, hosts: list[dict], pool: pd.DataFrame, taken: set, start: int):
        """The real organisations numbered after the pool: lab hosts (ROR) the compiled facts do not name, the
        operating company of the appended national center, and MoE universities up to MIN_REAL_UNIVERSITIES. A lab
        host the compiled facts already name keeps its row and gains the ROR citation (and its province)."""
        rows = []
        for h in hosts:
            if h["in_use"]:
                at = real.index[real["name"] == h["name"]][0]
                if not real.at[at, "province"]:
                    real.at[at, "province"] = h["province"]
                real.at[at, "source"] = f"{real.at[at, 'source']} | {h['source']}"
                continue
            rows.append(dict(name=h["name"], kind=h["kind"], province=h["province"], source=h["source"],
                             note="host of a state key laboratory per ROR; " + REAL_NOTE))
        for d in SAMPLE_DESIGN:
            if d.get("late"):
                row = self.real_rows[d["real"]]
                taken.add(row["operating_company"])
                rows.append(dict(name=row["operating_company"], kind="enterprise", province=row["province"],
                                 source=row["source_urls"], note="operating company (依托公司) per source"))
        moe = "MoE "
        have = sum(1 for r in rows if r["kind"] == "university" and moe in r["source"] and r["province"])
        have += int(((real["kind"] == "university") & real["source"].str.contains(moe) & (real["province"] != "")).sum())
        have += int(((pool["_kind"] == U) & pool["source"].str.startswith(moe)).sum())
        rows += [dict(r, note=REAL_NOTE) for r in self.world.extra_universities(taken, have)]
        late = pd.DataFrame(rows)
        late.insert(0, "org_id", _ids("O", start, len(late), 6))
        late["country"], late["is_sme"], late["aliases"] = "CN", "", ""
        late["_kind"] = [KIND[k] for k in late["kind"]]
        late["_foreign"], late["_w_host"], late["_w_member"], late["_field"] = False, 0.0, 0.0, -1
        late["_real"], late["_opco"] = True, False
        return late

    def _recruit_field_platforms(self):
        """F20: T1–T5 hosted jointly by A and B, T6–T20 by one host each (see the module docstring of recruit)."""
        rng = self.rng
        o = self.orgs
        cand = np.flatnonzero((o["_kind"].isin([U, R, E])) & ~o["_foreign"] & ~o["_real"] & ~o["_opco"]
                              & (o["province"] != ""))
        hosted = {h for hs in self.ph for h in hs}
        fresh = [c for c in cand.tolist() if c not in hosted]
        uni = [c for c in fresh if self.K[c] == U][:1]
        ins = [c for c in fresh if self.K[c] == R][:1]
        others = [c for c in rng.permutation(fresh).tolist() if c not in uni + ins][:15]
        a, b = uni[0], ins[0]
        self.recruit_hosts = dict(A=a, B=b, singles=others)
        topics = FIELD_TOPICS[_RECRUIT_FIELD].split()
        start = len(self.pid) + 1
        for i in range(20):
            kind = PLATFORM_KIND_LIST[i % 4]
            hosts = (a, b) if i < 5 else (others[i - 5],)
            name = f"{topics[i % 4]}{_PLATFORM_ASPECT[1 + i % 10]}{_PLATFORM_SUFFIX[kind][0]}"
            if i >= 4:
                name = f"{name}（{self.NAME[hosts[0]]}）"
            self.pid.append(f"P{start + i:06d}")
            self.pn.append(name)
            self.pk.append(kind)
            self.pa.append(2000 + i)
            self.ps.append("active")
            self.pf.append((_RECRUIT_FIELD,))
            self.ph.append(hosts)
            self.psrc.append(SYNTHETIC)
            self.pfs.append(SYNTHETIC)

    def counted(self, field_id: str) -> list[int]:
        """The field's platforms that coverage counts (active, of the four kinds), by position."""
        key = ("counted", field_id)
        if key not in self._cache:
            counted = set(PLATFORM_KIND_LIST[:4])
            self._cache[key] = [i for i in range(len(self.pid))
                                if field_id in self.pf[i] and self.ps[i] == "active" and self.pk[i] in counted]
        return self._cache[key]

    def _fix_platforms(self):
        p = self.pid
        # F01 needs an even number of counted platforms (a center sits at exactly 50 %)
        f01 = self.counted("F01")
        if len(f01) % 2:
            only = [i for i in f01 if self.pf[i] == ("F01",) and self.psrc[i] == SYNTHETIC]
            self.ps[only[-1]] = "reorganized"
            self._cache.clear()
        # F16 needs an inactive platform listing only F16 (the claims check's "inactive" entry)
        f16_inactive = [i for i in range(len(p)) if self.pf[i] == ("F16",) and self.ps[i] != "active"]
        if not f16_inactive:
            only = [i for i in self.counted("F16") if self.pf[i] == ("F16",) and len(self.ph[i]) == 1
                    and self.psrc[i] == SYNTHETIC]
            self.ps[only[0]] = "revoked"
            self._cache.clear()
        # F16 also gets a platform named after a CAS institute, in full-width brackets (name normalisation)
        o = self.orgs
        cas = [i for i in range(len(o)) if str(self.NAME[i]).startswith("中国科学院")]
        f16 = self.counted("F16")
        load = {c: sum(1 for i in f16 if c in self.ph[i]) for c in cas}
        inst = min(cas, key=lambda c: (load[c], c))
        target = [i for i in f16 if self.pf[i] == ("F16",) and len(self.ph[i]) == 1 and self.psrc[i] == SYNTHETIC][0]
        self.ph[target] = (inst,)
        base = str(self.pn[target]).split("（")[0]
        self.pn[target] = f"{base}（{self.NAME[inst]}）"
        self.cas_platform = target
        self.cas_institute = inst
        self._cache.clear()

    # -- per field lookups -------------------------------------------------------------------------------------
    def host_map(self, field_id: str) -> dict[int, set]:
        """Host → the field's counted platforms it hosts."""
        key = ("hosts", field_id)
        if key not in self._cache:
            out: dict[int, set] = {}
            for i in self.counted(field_id):
                for h in self.ph[i]:
                    out.setdefault(h, set()).add(i)
            self._cache[key] = out
        return self._cache[key]

    def field_hosts_any(self, field_id: str) -> set:
        """Organisations hosting any platform (whatever its status) that lists the field."""
        key = ("any", field_id)
        if key not in self._cache:
            self._cache[key] = {h for i in range(len(self.pid)) if field_id in self.pf[i] for h in self.ph[i]}
        return self._cache[key]

    def build_rankings(self):
        rng = self.rng
        o = self.orgs
        base = (o["_kind"] == E) & ~o["_foreign"] & ~o["_real"] & ~o["_opco"] & (o["province"] != "")
        reserved = {self.recruit_hosts["A"], self.recruit_hosts["B"], *self.recruit_hosts["singles"]}
        self.top: dict[str, list[int]] = {}
        rows = []
        for f in _RANKED_FIELDS:
            hosts = self.field_hosts_any(f) | reserved
            cand = [c for c in np.flatnonzero(base.to_numpy()).tolist() if c not in hosts]
            w = o["_w_member"].to_numpy()[cand]
            pick = rng.choice(cand, size=30, replace=False, p=w / w.sum()).tolist()
            self.top[f] = pick
            rows += [dict(org_id=self.OID[c], field_id=f, rank=r + 1, year=REF_YEAR, source=SYNTHETIC)
                     for r, c in enumerate(pick)]
        self.rankings = pd.DataFrame(rows)

    # -- centers -----------------------------------------------------------------------------------------------
    def build_centers(self):
        self.centers, self.shareholders, self.members, self.collabs, self.income = [], [], [], [], []
        self.assessments, self.claims = [], []
        self.member_sets: dict[str, tuple[set, set]] = {}
        for i, d in enumerate(SAMPLE_DESIGN):
            self._center(f"C{i + 1:04d}", d)

    def _center(self, cid: str, d: dict):
        rng = self.rng
        expect = d["expect"]
        if "11" in expect and expect.get("8.2") != NOT:
            raise AssertionError(f"{cid}: no foreign partner (11) also fails 8.2")
        if "real" in d:
            row = self.real_rows[d["real"]]
            info = REAL_CENTERS[d["real"]]
            field, province = info["field"], row["province"]
            city, city_extra = _clean_paren(row["city"])
            opco_name, _ = _clean_paren(row["operating_company"])
            opco = self.real_org_code.get(opco_name)
            founded = info["founded"]
            source = row["source_urls"]
            real_cols = ["name", f"city (reported {row['city']})" if city_extra and city else "city" if city else None,
                         "province", "operating_company_id" if opco is not None else None,
                         f"founded ({info['event']})" if founded else None]
            gaps = ([f"city (reported only {row['city']})"] if not city else []) + \
                   (["operating company (not captured)"] if opco is None else []) + \
                   ([f"founded ({info['event']})"] if not founded else [])
            note = (f"confidence: {row['confidence']}. Real (from the source): {', '.join(c for c in real_cols if c)}. "
                    + (f"Left empty, not in the source: {', '.join(gaps)}. " if gaps else "")
                    + "Every other column is synthetic.")
            name, level = d["real"], "national"
        else:
            field, province, city = d["field"], d["province"], d["city"]
            opco = self.opco_code[d["name"]]
            founded = d.get("founded") or f"{rng.integers(2016, 2024)}-{rng.integers(1, 13):02d}-{rng.integers(1, 29):02d}"
            source, note, name, level = SYNTHETIC, "", d["name"], "provincial"
        fy = int(founded[:4]) if founded else 2019
        if expect.get("12") == NOT and not (founded and int(founded[:4]) >= 2025):
            raise AssertionError(f"{cid}: 12 not_met needs a recent founding date")

        # yearly figures and governance (synthetic for every center)
        emp = int(rng.integers(60, 600)) * 2
        r72 = {NOT: 0.42, INS: None}.get(expect.get("7.2"), d.get("rd_staff_ratio") or rng.uniform(0.52, 0.78))
        if r72 is None:
            rd_staff = ""
        elif r72 == 0.5:
            rd_staff = emp // 2  # exactly the threshold
        else:  # round away from the threshold
            rd_staff = int(np.ceil(emp * r72)) if r72 > 0.5 else int(emp * r72)
        tc = int(rng.integers(800, 6000)) * 10
        r73 = {NOT: 0.22, INS: None}.get(expect.get("7.3"), d.get("rd_expense_ratio") or rng.uniform(0.32, 0.55))
        rd_exp = tc * 3 // 10 if r73 == 0.3 else ("" if r73 is None else round(tc * r73, 1))
        tri = {MET: "true", NOT: "false", INS: ""}
        crow = dict(
            center_id=cid, name=name, level=level, field_id=field, province=province, city=city,
            operating_company_id=self.OID[opco] if opco is not None else "", founded=founded, year=REF_YEAR,
            employees=emp, rd_staff=rd_staff, total_cost="" if expect.get("7.3") == INS else tc, rd_expense=rd_exp,
            has_board="false" if expect.get("5.1") == NOT else "true",
            has_management_team="" if expect.get("5.1") == INS else "true",
            has_expert_committee="true", committee_chair=_chair_names(rng, 1)[0],
            chair_is_leading_expert=tri[expect.get("7.1", MET)],
            has_roadmap=tri[expect.get("8.1", MET)], roadmap_year=min(fy + int(rng.integers(0, 3)), REF_YEAR),
            has_ip_policy=tri[expect.get("9.1", MET)], source=source, note=note,
        )
        if crow["has_roadmap"] != "true":
            crow["roadmap_year"] = ""
        self.centers.append(crow)

        # shareholders: the real ones, then synthetic top-10 enterprises, investors and others
        units = REAL_CENTERS[d["real"]]["units"] if "real" in d else []
        real_sh = [(self.real_org_code[n], k) for n, k, t in units if t == "S"]
        real_lead = [(self.real_org_code[n], t) for n, k, t in units if t != "S"]
        e42 = expect.get("4.2", MET)
        ranked = field in self.top
        if e42 == MET and not ranked:
            raise AssertionError(f"{cid}: 4.2 met needs rankings in {field}")
        if e42 == INS and ranked:
            raise AssertionError(f"{cid}: 4.2 insufficient needs a field without rankings")
        f_hosts = self.field_hosts_any(field)
        allowed = self._allowed_provinces(d, field)
        top10 = [c for c in self.top.get(field, [])[:10] if allowed is None or self.PRV[c] in allowed]
        n_top = min(int(rng.integers(2, 4)), len(top10)) if e42 == MET else (int(rng.integers(0, 2)) if e42 == NOT else 0)
        picks = [int(c) for c in rng.permutation(top10)[:n_top]]
        if len(picks) < n_top or (e42 == MET and n_top < 2):
            raise AssertionError(f"{cid}: not enough top-10 enterprises")
        if e42 == NOT:  # ranked, but below the top 10
            picks += [int(c) for c in rng.permutation(self.top[field][10:])[:2] if allowed is None or self.PRV[c] in allowed]
        has_inv = any(k == "investor" for _, k in real_sh)
        n_inv = 0 if expect.get("6.1") == NOT else (0 if has_inv else int(rng.integers(1, 3)))
        if expect.get("6.1") == NOT and has_inv:
            raise AssertionError(f"{cid}: 6.1 not_met but a real shareholder is an investor")
        reported = REAL_CENTERS.get(d.get("real"), {}).get("shareholders")
        n_syn = (reported - len(real_sh)) if reported else int(rng.integers(5, 11)) - len(real_sh)
        n_syn = max(n_syn, len(picks) + n_inv, 0 if real_sh else 5)
        pool = self._pool(allowed, exclude=f_hosts | {opco}, kinds=(E, U, R))
        inv_pool = self._pool(allowed, exclude=f_hosts | {opco}, kinds=(INV,))
        syn = list(picks)
        syn += self._weighted(inv_pool, n_inv, exclude=set(syn))
        syn += self._weighted(pool, n_syn - len(syn), exclude=set(syn) | set(self.top.get(field, [])[:10]))
        g = rng.gamma(1.0, 1.0, len(syn))
        known = sum(_REAL_SHARE_PCT.get((d.get("real"), self.NAME[c]), 0) for c, _ in real_sh)
        room = (100 - known) * rng.uniform(0.6, 0.95)  # shares sum to less than 100 %
        shares = np.maximum(np.floor(g / g.sum() * room * 100) / 100, 0.01) if len(syn) else []
        capital = rng.integers(5_000, 60_000)
        sh_codes = []
        for c, _ in real_sh:
            pct = _REAL_SHARE_PCT.get((d["real"], self.NAME[c]))
            note = "shareholder per source" + (f" ({pct}% per source)" if pct else "; share not reported")
            self.shareholders.append(dict(center_id=cid, org_id=self.OID[c], share_pct=pct or "", capital="", source=source,
                                          note=note))
            sh_codes.append(c)
        for c, pct in zip(syn, shares):
            self.shareholders.append(dict(center_id=cid, org_id=self.OID[c], share_pct=float(pct),
                                          capital=round(capital * float(pct) / 100, 1), source=SYNTHETIC, note=""))
            sh_codes.append(c)

        # the alliance
        members, plat_members = self._alliance(cid, d, field, opco, sh_codes, real_lead, allowed, f_hosts)
        self.member_sets[cid] = (members, plat_members)
        self._collaborations(cid, d, field, opco, members, set(sh_codes), fy)
        self._income(cid, d, fy)
        for check_id, spec in (d.get("assess") or {}).items():
            for status, date in (spec if isinstance(spec, list) else [(spec, "2026-10-20")]):
                self.assessments.append(dict(
                    center_id=cid, check_id=check_id, status=status, assessor="评审专家组（合成）", date=date,
                    note="synthetic assessment" + (" overriding the computed result" if check_id not in ATTESTED else ""),
                    evidence=f"review-{cid}-{check_id.replace('.', '-')}", source=SYNTHETIC))

    def _allowed_provinces(self, d, field) -> set | None:
        spec = d.get("members43")
        if not isinstance(spec, tuple):
            return None
        n = spec[1]
        top = self.top.get(field, [])[:10]
        provs = [d["province"]] + [self.PRV[c] for c in top]
        allowed = list(dict.fromkeys(provs))[: max(n - 0, 1)]
        for p in PROV[np.argsort(-PROV_P)]:
            if len(allowed) >= n:
                break
            if p not in allowed:
                allowed.append(p)
        return set(allowed[:n])

    def _pool(self, allowed, exclude, kinds) -> np.ndarray:
        o = self.orgs
        ok = o["_kind"].isin(kinds) & ~o["_foreign"] & ~o["_real"] & ~o["_opco"] & (o["province"] != "")
        if allowed is not None:
            ok &= o["province"].isin(allowed)
        return np.array([c for c in np.flatnonzero(ok.to_numpy()).tolist() if c not in exclude], dtype=np.int64)

    def _weighted(self, cand: np.ndarray, k: int, exclude=frozenset()) -> list[int]:
        cand = np.array([c for c in cand.tolist() if c not in exclude], dtype=np.int64)
        k = min(max(k, 0), len(cand))
        if k == 0:
            return []
        w = self.orgs["_w_member"].to_numpy()[cand] + 1e-3
        return [int(c) for c in self.rng.choice(cand, size=k, replace=False, p=w / w.sum())]

    def _alliance(self, cid, d, field, opco, sh_codes, real_lead, allowed, f_hosts):
        rng = self.rng
        o = self.orgs
        info = REAL_CENTERS.get(d.get("real"), {})
        size = info.get("alliance", (None,))[0] or int(np.clip(round(rng.lognormal(np.log(95), 0.4)), 40, 260))
        fixed = ([opco] if opco is not None else []) + list(sh_codes) + [c for c, _ in real_lead]
        if d.get("cov") == "fixed":
            fixed += self.recruit_hosts["singles"][-3:]
        if field == "F16" and d.get("cov") is not None and "mixed" in str(d.get("claims")):
            fixed.append(self.cas_institute)
        fixed = list(dict.fromkeys(fixed))
        hm = self.host_map(field)
        total = len(self.counted(field))
        covered = set().union(*(hm.get(c, set()) for c in fixed)) if fixed else set()
        plat_members: list[int] = []
        members = list(fixed)
        cov = d.get("cov")
        if total and cov != "fixed":
            if cov == "half":
                if total % 2:
                    raise AssertionError(f"{cid}: {field} has an odd number of platforms")
                k = total // 2
            elif cov is None:
                k = int(np.ceil(total * rng.uniform(0.52, 0.85)))
            else:
                k = int(round(cov * total))
                k = min(k, (total - 1) // 2) if cov < 0.5 else max(k, (total + 1) // 2)
            if len(covered) > k:
                raise AssertionError(f"{cid}: fixed members already cover {len(covered)} > {k}")
            hosts = [h for h in hm if h not in members and (allowed is None or self.PRV[h] in allowed)
                     and not self.FOR[h]]
            w = np.array([self.W[h] + 1e-3 for h in hosts])
            order = [hosts[j] for j in np.argsort(-np.log(rng.random(len(hosts))) / w)] if hosts else []
            for h in order:
                gain = hm[h] - covered
                if gain and len(covered) + len(gain) <= k:
                    members.append(h)
                    covered |= gain
                if len(covered) == k:
                    break
            uncovered = [i for i in self.counted(field) if i not in covered]
            for i in rng.permutation(uncovered).tolist()[: k - len(covered)]:
                plat_members.append(int(i))
                covered.add(int(i))
        self.coverage_of = getattr(self, "coverage_of", {})
        self.coverage_of[cid] = (len(covered), total)
        # fill with organisations that reach none of the field's platforms
        spec = d.get("members43")
        kinds = (E, U, R, INV, GOV, OTH) if spec == "no_user" else (E, U, R, USR, INV, GOV, OTH)
        ok = o["_kind"].isin(kinds) & ~o["_real"] & ~o["_opco"]
        ok &= (o["province"] != "") | o["_foreign"]
        if allowed is not None:
            ok &= o["province"].isin(allowed) | o["_foreign"]
        cand = np.array([c for c in np.flatnonzero(ok.to_numpy()).tolist() if c not in f_hosts], dtype=np.int64)
        fillers = self._weighted(cand, size - len(members) - len(plat_members), exclude=set(members))
        members += fillers

        def ensure(pool_mask):  # swap a filler enterprise for one organisation of the missing sort (size unchanged)
            got = self._weighted(cand[pool_mask], 1, exclude=set(members))
            if not got:
                return
            spare = [c for c in fillers if self.K[c] == E]
            if spare and len(spare) > 3:
                members.remove(spare[-1])
                fillers.remove(spare[-1])
            members.append(got[0])

        ckind = o["_kind"].to_numpy()[cand]
        for k in (E, U, R, USR, INV):
            if k in kinds and not any(self.K[c] == k for c in members):
                ensure(ckind == k)
        if not any(self.FOR[c] for c in members):
            ensure(o["_foreign"].to_numpy()[cand] & (ckind != R))
        if isinstance(spec, tuple) and spec[0] == "unknown":
            unknown = (self.PRV == "") & ~self.FOR & ~self.REAL
            unk = np.array([c for c in np.flatnonzero(unknown).tolist() if c not in f_hosts], dtype=np.int64)
            for c in self._weighted(unk, 2, exclude=set(members)):
                spare = [x for x in fillers if self.K[x] == E]
                members.remove(spare[-1])
                fillers.remove(spare[-1])
                members.append(c)
        # rows
        real_m = {c: t for c, t in real_lead}
        cite = self.real_rows[d["real"]]["source_urls"] if "real" in d else SYNTHETIC
        fy = int(self.centers[-1]["founded"][:4]) if self.centers[-1]["founded"] else 2019
        for c in members:
            kind = self.K[c]
            if c == opco:
                role, src, note = "chair", SYNTHETIC, "operating company as 理事长单位 (synthetic)"
            elif c in real_m:
                role = "council" if real_m[c] == "L" else "member"
                src = cite
                note = ("named in the source as a lead or founding unit (牵头/发起); recorded as an alliance member"
                        if real_m[c] == "L" else "alliance member per source")
            elif c in sh_codes:
                role, src, note = "council", SYNTHETIC, ("shareholder per source; alliance membership assumed (synthetic)"
                                                          if self.REAL[c] else "")
            else:
                role = "user" if kind == USR or (kind == E and spec != "no_user" and rng.random() < 0.04) else "member"
                src, note = SYNTHETIC, ""
            jy = int(rng.integers(fy, REF_YEAR + 1)) if fy <= REF_YEAR else REF_YEAR
            self.members.append(dict(center_id=cid, member_id=self.OID[c], role=role,
                                     joined=f"{jy}-{int(rng.integers(1, 13)):02d}", source=src, note=note))
        for i in plat_members:
            self.members.append(dict(center_id=cid, member_id=self.pid[i], role="member",
                                     joined=f"{max(fy, 2019)}", source=SYNTHETIC, note="the platform itself is a member"))
        return set(members), set(plat_members)

    def _collaborations(self, cid, d, field, opco, members, shareholders, fy):
        rng = self.rng
        o = self.orgs
        expect = d["expect"]
        kind = o["_kind"].to_numpy()
        foreign = o["_foreign"].to_numpy()
        outside_ok = expect.get("10.2") != NOT
        foreign_ok = expect.get("11") != NOT
        project_abroad = expect.get("8.2") != NOT
        inside = (members | shareholders) - {opco}
        synthetic = ~o["_real"].to_numpy() & ~o["_opco"].to_numpy()
        outside = np.array([c for c in np.flatnonzero(synthetic).tolist() if c not in inside and c != opco], dtype=np.int64)
        ins = np.array(sorted(inside), dtype=np.int64)

        def partner(sel_kind, abroad=False, sme=None, prefer_outside=True):
            for group in ((outside, ins) if (prefer_outside and outside_ok) else (ins,)):
                m = np.isin(kind[group], sel_kind) & (foreign[group] == abroad)
                if sme is not None:
                    m &= self.SME[group] == sme
                got = self._weighted(group[m], 1)
                if got:
                    return got[0]
            raise AssertionError(f"{cid}: no partner of kind {sel_kind} abroad={abroad} sme={sme!r}")

        def src():
            return cid if opco is None or rng.random() < 0.5 else self.OID[opco]

        topics = (FIELD_TOPICS.get(field) or _SAMPLE_TOPICS[field]).split()
        lo = max(fy, 2019)

        def add(to, k, project=""):
            year = int(rng.integers(min(lo, REF_YEAR), REF_YEAR + 1))
            self.collabs.append(dict(from_id=src(), to_id=self.OID[to], kind=k, year=year, project=project, source=SYNTHETIC))

        proj = [f"{topics[j]}路线图项目{j + 1}" for j in range(int(rng.integers(2, 4)))]
        add(partner([E], prefer_outside=False), "joint_rd", proj[0])
        add(partner([U, R], prefer_outside=False), "joint_rd", proj[1 % len(proj)])
        if project_abroad:
            add(partner([U, R, E], abroad=True), "joint_rd", proj[-1])
        if foreign_ok:  # an exchange with a university or institute abroad, else with any foreign partner it has
            try:
                add(partner([U, R], abroad=True), "exchange")
            except AssertionError:
                add(partner([U, R, E], abroad=True), "exchange")
        e92 = expect.get("9.2", MET)
        if e92 == MET:
            add(partner([E], sme="true"), "tech_transfer")
            if rng.random() < 0.6:
                add(partner([E], sme="true"), "incubation")
        elif e92 == NOT:  # check 9.2 counts transfers to any enterprise (SPEC §4): an exchange is none
            add(partner([E], sme="false"), "exchange")
        else:
            add(partner([E], sme=""), "tech_transfer")
        for _ in range(int(rng.integers(4, 12))):
            k = str(_pick(rng, ["contract_rd", "contract_rd", "exchange", "joint_rd", "other"], 1)[0])
            add(partner([E, U, R, USR]), k)
        if outside_ok and not any(c["from_id"] in (cid, self.OID[opco] if opco is not None else cid)
                                  and o.index[o["org_id"] == c["to_id"]][0] not in inside for c in self.collabs[-20:]):
            add(partner([E]), "contract_rd")

    def _income(self, cid, d, fy):
        rng = self.rng
        mode = d.get("income", "ok")
        if mode == "none":
            return
        first = REF_YEAR if mode == "missing_prev" else max(REF_YEAR - 3, fy)
        for y in range(first, REF_YEAR + 1):
            if mode == "one_stream" and y == REF_YEAR:
                market = ["testing"]
            elif mode == "gap_year" and y == REF_YEAR - 1:
                market = []
            else:
                market = sorted(rng.choice(MARKET_STREAMS, size=int(rng.integers(2, 5)), replace=False).tolist())
            for stream in market + ["government"] + (["shareholder"] if rng.random() < 0.5 else []):
                self.income.append(dict(center_id=cid, year=y, stream=stream,
                                        amount=round(float(rng.lognormal(np.log(900), 0.8)), 1), source=SYNTHETIC))

    # -- claims ------------------------------------------------------------------------------------------------
    def build_claims(self):
        for i, d in enumerate(SAMPLE_DESIGN):
            cid = f"C{i + 1:04d}"
            members, plat_members = self.member_sets[cid]
            field = REAL_CENTERS[d["real"]]["field"] if "real" in d else d["field"]
            covered = sorted(self._covered(field, members, plat_members))
            n_cov, total = self.coverage_of[cid]
            for kind, spec in d.get("claims", []):
                value = spec
                if kind == "coverage_ratio":
                    if spec == "exact":
                        value = f"{100 * n_cov / total:.1f}%"
                    elif spec == "minus5":
                        value = f"{n_cov / total - 0.05:.3f}"
                elif kind == "member_count" and spec == "exact":
                    value = str(len(members) + len(plat_members))
                elif kind == "covered_platforms":
                    ids = [self.pid[j] for j in covered]
                    if spec == "all":
                        value = "|".join(ids)
                    elif spec == "half":
                        value = "|".join(ids[: len(ids) // 2])
                    else:
                        value = "|".join(self._mixed_entries(field, members, covered))
                self.claims.append(dict(center_id=cid, claim=kind, value=value, field_id="", source=SYNTHETIC,
                                        note="synthetic claim"))

    def _covered(self, field, members, plat_members) -> set:
        hm = self.host_map(field)
        out = set(plat_members)
        for c in members:
            out |= hm.get(c, set())
        return out

    def _mixed_entries(self, field, members, covered) -> list[str]:
        """A list with every entry verdict: ok (ids and a name written differently), not_in_registry, wrong_field,
        host_not_member and inactive."""
        cas = self.cas_platform
        if cas not in covered:
            raise AssertionError("the CAS-hosted platform must be covered")
        ok = [self.pid[j] for j in covered if j != cas][:2]
        written = str(self.pn[cas]).replace("中国科学院", "中科院").replace("（", " (").replace("）", ")")
        wrong = next(self.pid[j] for j in self.counted("F03") if field not in self.pf[j])
        not_member = next(self.pid[j] for j in self.counted(field) if j not in covered)
        inactive = next(j for j in range(len(self.pid)) if self.pf[j] == (field,) and self.ps[j] != "active")
        host = next(c for c in sorted(members) if self.K[c] in (U, R) and not self.FOR[c])
        self.ph[inactive] = tuple(dict.fromkeys(self.ph[inactive] + (host,)))
        self._cache.clear()
        return ok + [written, "智能座舱人因工程国家重点实验室", wrong, not_member, self.pid[inactive]]

    def background(self):
        """Collaborations between organisations (the wider network that reach explores)."""
        rng = self.rng
        o = self.orgs
        syn = np.flatnonzero((~o["_real"] & ~o["_opco"]).to_numpy())
        w = o["_w_member"].to_numpy()[syn] + 1e-3
        n = 1_500
        a = syn[_draw(rng, _cdf(w), n)]
        b = syn[_draw(rng, _cdf(w), n)]
        keep = a != b
        kinds = _pick(rng, ["joint_rd", "contract_rd", "tech_transfer", "exchange", "other"], n)
        years = rng.integers(2018, REF_YEAR + 1, n)
        for x, y, k, yr in zip(a[keep], b[keep], kinds[keep], years[keep]):
            self.collabs.append(dict(from_id=self.OID[x], to_id=self.OID[y], kind=k, year=int(yr), project="",
                                     source=SYNTHETIC))

    def frames(self) -> dict[str, pd.DataFrame]:
        o = self.orgs
        platforms = pd.DataFrame({
            "platform_id": self.pid, "name": self.pn, "kind": self.pk, "field_ids": ["|".join(f) for f in self.pf],
            "host_ids": ["|".join(self.OID[h] for h in hs) for hs in self.ph], "approved": self.pa, "status": self.ps,
            "source": self.psrc, "field_source": self.pfs,
        })
        fields = []
        for fid, zh, en, layout, center in EXTRA_FIELDS + SAMPLE_EXTRA_FIELDS:
            fields.append(dict(field_id=fid, name_zh=zh, name_en=en, layout=layout, difficulties="",
                               source=self.real_rows[center]["source_urls"],
                               note=f"field named after {center} (real); the layout label is graphkit's"))
        orgs = _public(o).drop(columns=["_kind"], errors="ignore")
        return {
            "fields": pd.DataFrame(fields),
            "organizations": orgs[["org_id", "name", "kind", "country", "province", "is_sme", "aliases", "source", "note"]],
            "centers": pd.DataFrame(self.centers),
            "platforms": platforms,
            "shareholders": pd.DataFrame(self.shareholders),
            "alliance_members": pd.DataFrame(self.members),
            "field_rankings": self.rankings,
            "collaborations": pd.DataFrame(self.collabs),
            "income": pd.DataFrame(self.income),
            "assessments": pd.DataFrame(self.assessments),
            "claims": pd.DataFrame(self.claims),
        }


def sample_frames(seed: int = SAMPLE_SEED, realdata: str | Path | None = None) -> dict[str, pd.DataFrame]:
    """The tables of the bundled sample (see :data:`SAMPLE_DESIGN`), built from ``realdata`` and ``seed``."""
    s = _Sample(seed, realdata)
    s.build_world()
    s.build_rankings()
    s.build_centers()
    s.build_claims()
    s.background()
    return s.frames()


SAMPLE_DIR = REPO / "data" / "sample"


def build_sample(out: str | Path | None = None, *, seed: int = SAMPLE_SEED,
                 realdata: str | Path | None = None) -> dict[str, int]:
    """Write the bundled sample (CSV files and a README saying what is real) to ``out`` (default ``data/sample``)."""
    frames = sample_frames(seed, realdata)
    write_dataset(frames, out or SAMPLE_DIR, extra_files={"README.md": sample_readme(frames)})
    return _counts(frames)


def _design_summary(d: dict) -> tuple[str, str]:
    parts_zh, parts_en = [], []
    word = {NOT: ("不符合", "not met"), INS: ("数据不足", "insufficient data"), MET: ("符合", "met")}
    for check_id, status in d["expect"].items():
        parts_zh.append(f"{check_id} {word[status][0]}")
        parts_en.append(f"{check_id} {word[status][1]}")
    for check_id, spec in (d.get("assess") or {}).items():
        final = spec[-1][0] if isinstance(spec, list) else spec
        parts_zh.append(f"{check_id} 评审{word[final][0]}")
        parts_en.append(f"{check_id} assessed {word[final][1]}")
    if d.get("cov") == "half":
        parts_zh.append("覆盖率恰为 50%")
        parts_en.append("coverage exactly 50%")
    elif d.get("cov") == "fixed":
        parts_zh.append("招募建议经精确搜索证明最少")
        parts_en.append("recruitment proven minimal by exact search")
    elif isinstance(d.get("cov"), float):
        parts_zh.append(f"覆盖率接近 {d['cov']:.0%}")
        parts_en.append(f"coverage near {d['cov']:.0%}")
    if d.get("rd_staff_ratio") == 0.5:
        parts_zh.append("研发人员恰为 50%")
        parts_en.append("R&D staff exactly 50%")
    if d.get("rd_expense_ratio") == 0.3:
        parts_zh.append("研发费用恰为 30%")
        parts_en.append("R&D expense exactly 30%")
    if d.get("claims"):
        parts_zh.append("申报声明：" + "、".join(k for k, _ in d["claims"]))
        parts_en.append("claims: " + ", ".join(k for k, _ in d["claims"]))
    return "；".join(parts_zh) or "全部计算条件符合", "; ".join(parts_en) or "every computed check met"


def sample_readme(frames: dict[str, pd.DataFrame]) -> str:
    """The sample's README (Chinese, then English): which parts are real, with the citation, and which synthetic."""
    c = frames["centers"]
    o = frames["organizations"]
    real_c = c[c["source"] != SYNTHETIC]
    real_o = o[o["source"] != SYNTHETIC]
    sh = frames["shareholders"]
    m = frames["alliance_members"]
    counts = _counts(frames)
    n_real_sh = int((sh["source"] != SYNTHETIC).sum())
    n_real_m = int((m["source"] != SYNTHETIC).sum())
    first, last = real_c["center_id"].iloc[0], real_c["center_id"].iloc[-1]
    ofirst, olast = real_o["org_id"].iloc[0], real_o["org_id"].iloc[-1]
    rows = []
    for (_, r), d in zip(c.iterrows(), SAMPLE_DESIGN):
        zh, en = _design_summary(d)
        kind = "真实/real" if r["source"] != SYNTHETIC else "合成/synthetic"
        rows.append(f"| {r['center_id']} | {r['name']} | {r['level']} | {r['field_id']} | {kind} | {zh} | {en} |")
    count_rows = "\n".join(f"| {k} | {v:,} |" for k, v in counts.items())
    p = frames["platforms"]
    n_labs = int(p["source"].str.startswith("ROR ").sum())
    n_syn_p = int((p["source"] == SYNTHETIC).sum())
    n_ror = int(o["source"].str.contains("ROR ").sum() - o["note"].eq(REAL_NOTE).mul(o["source"].str.startswith("ROR ")).sum())
    n_ror_r = int((o["note"].eq(REAL_NOTE) & o["source"].str.startswith("ROR ")).sum())
    n_moe_u = int((o["source"].str.contains("MoE ") & (o["kind"] == "university") & (o["province"] != "")).sum())
    n_listed = int(o["source"].str.startswith("A-share ").sum())
    n_mic = int(o["source"].str.startswith("http").sum())
    n_syn_o = int((o["source"] == SYNTHETIC).sum())
    left = RealWorld().left_out
    left_rows = "\n".join(f"- `{rid}`: {why}" for rid, why in left.items())
    return f"""# 样例数据 / Sample data

> 本数据集部分真实、大部分为合成数据。每一行的 `source` 列注明出处：网址为真实资料来源，`synthetic` 为合成数据。
> This dataset is partly real and mostly synthetic. Every row's `source` column says which: web addresses cite
> the real sources, `synthetic` marks generated rows.

由 `python scripts/build_sample.py` 生成（`graphkit.data.sample.build_sample`，随机种子 {SAMPLE_SEED}），请勿手工编辑。
Built by `python scripts/build_sample.py` (`graphkit.data.sample.build_sample`, seed {SAMPLE_SEED}); do not edit by hand.
The checks are designed for the evaluation date {SAMPLE_AS_OF} (`graphkit check data/sample --as-of {SAMPLE_AS_OF}`).

## 每张表：真实与合成 / Per table: what is real, what is synthetic

| 表 table | 真实（出处）real (source) | 合成 synthetic (`source = synthetic`) |
|---|---|---|
| centers | {len(real_c)} 家国家制造业创新中心（{first}–C0026 及 C0047）：名称、城市、省份、依托公司、批复/成立日期。C0001–C0026 出自 `data/realdata/mic-national-compiled/national_mics.csv`（每行来源网址在 `source`）；C0047 国家先进印染技术创新中心出自 `data/realdata/public-registries/mic_extra_facts_pages.md` 第 1 条（nicadf.com，A/B 级）。 26+1 national centers: name, city, province, operating company, approval/founding date, citing their pages. | 20 家省级中心（名称虚构）；所有中心的职工、研发、治理、路线图等列（`note` 写明哪些列真实）。 The 20 provincial centers (invented) and every center's yearly and governance columns. |
| platforms | {n_labs} 个国家重点实验室：名称与依托单位（`host_ids`）完全按 ROR（`ror_cn_state_key_labs.csv`，ror-community/ror-records@d93fc66，CC0 1.0），`source` 写明 ROR 记录号；成立年份按 ROR（无则留空）。领域（`field_ids`）不是官方分类：由规则 `{FIELD_RULE}` 推导（`field_source` 列；见下）。 {n_labs} state key laboratories, name and hosts exactly as ROR gives them, `source` = the ROR record. | 其余三类平台及其他国家级平台（名称虚构，并非真实名录）{n_syn_p} 个，包括 F20 的 20 个手工布局平台。 The other platform kinds ({n_syn_p}, invented names), incl. F20's 20 hand-laid platforms. |
| organizations | {n_ror} 家实验室依托单位（ROR 标签，省份按 ROR/教育部名单）；{n_moe_u} 所高校名称与省份按教育部《全国普通高等学校名单》（2025-06-20，学校标识码）；{n_ror_r} 家研究所（ROR）与 {n_listed} 家上市公司（tushare stock_basic，经 AFAN-LIFE/macropage，CC-BY 4.0，注册省份）替换了同省的合成机构名称；{n_mic} 家为中心资料点名的单位。 Real names and provinces as cited in `source`. | 机构类型之外的一切关系均为合成；其余 {n_syn_o} 家机构（中小企业、用户、投资、政府、其他、境外）为合成。 Every tie of a real organisation is synthetic unless its row cites a source; {n_syn_o} organisations are synthetic. |
| fields | X01–X14：以真实中心命名（布局标签由 graphkit 指定，条件 1 因而“不符合”）。 Named after the real centers. | — |
| shareholders | {n_real_sh} 行为原文所载股东（仅北京有色金属研究总院 50% 为原文比例）。 As the pages state. | 其余股东与持股比例。 The rest, and all other shares. |
| alliance_members | {n_real_m} 行为原文点名的牵头/发起单位和联盟成员。 As the pages name them. | 其余全部成员关系（含实验室依托单位的成员身份）。 Every other membership, incl. those of real lab hosts. |
| field_rankings, collaborations, income, assessments, claims | — | 全部合成。 All synthetic. |

原文报道的联盟规模限制在 30–300 家（>600 家记为 300 家）；股东数按原文，不足部分以合成股东补足。
Reported alliance sizes are clipped to 30–300 (">600" becomes 300); shareholder counts follow the source where reported.

### 领域推导规则 / The field rule `{FIELD_RULE}` (derived, not official)

任何来源都不给出实验室属于 22 个领域中的哪一个。`graphkit.data.registries.derive_field`：去掉名称中括号部分与
“国家重点实验室/全国重点实验室/国家重点联合实验室”等字样，取汉字二元组（去掉“技术、工程、研究”等类别词），在该领域名称中出现记 2 分、
在附件“技术难点”文字中出现记 1 分；二元组全不得分时改用单字；得分最高者胜，同分取编号小者；全不得分的实验室不收入。
样例中 F20 不参与（F20 的 20 个平台为招募精确搜索案例手工布局）。这是可复现的关键词匹配，不是官方分类。
No source gives a laboratory's field. The rule strips brackets and the words 国家重点实验室/全国重点实验室/…, scores
the name's Han bigrams (minus kind words such as 技术, 工程, 研究) 2 per bigram in the field's name and 1 per bigram in the
annex's 技术难点 text, falls back to single characters when no bigram scores, takes the highest score (ties: lower field
number) and leaves out a lab nothing scores. In the sample F20 does not compete (its 20 platforms are the hand-laid
recruitment case). It is a reproducible keyword match, never an official classification.

### 未收入的实验室 / ROR rows left out ({len(left)})

{left_rows}

## 计数 / Counts

| table | rows |
|---|---|
{count_rows}

## 各中心覆盖的情形 / What each center exercises

| id | name | level | field | data | 设计 | design |
|---|---|---|---|---|---|---|
""" + "\n".join(rows) + "\n"
