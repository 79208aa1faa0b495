"""Places: ISO 3166-1 alpha-2 country codes and China's 34 provincial-level divisions with their name variants.

>>> normalize_province("广西壮族自治区")
'广西'
>>> normalize_province("Inner Mongolia")
'内蒙古'
>>> normalize_province("Province X") is None
True
"""

from __future__ import annotations

__all__ = ["COUNTRIES", "PROVINCES", "PROVINCE_EN", "normalize_province", "normalize_country"]

COUNTRIES = frozenset(
    """AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ BR BS BT BV BW BY
    BZ CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK DM DO DZ EC EE EG EH ER ES ET FI FJ FK FM FO
    FR GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS GT GU GW GY HK HM HN HR HT HU ID IE IL IM IN IO IQ IR IS IT JE JM
    JO JP KE KG KH KI KM KN KP KR KW KY KZ LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH MK ML MM MN MO MP MQ
    MR MS MT MU MV MW MX MY MZ NA NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF PG PH PK PL PM PN PR PS PT PW PY QA RE
    RO RS RU RW SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV SX SY SZ TC TD TF TG TH TJ TK TL TM TN TO TR TT
    TV TW TZ UA UG UM US UY UZ VA VC VE VG VI VN VU WF WS YE YT ZA ZM ZW""".split()
)

# short name, full name, English
_PROVINCES = [
    ("北京", "北京市", "Beijing"), ("天津", "天津市", "Tianjin"), ("河北", "河北省", "Hebei"),
    ("山西", "山西省", "Shanxi"), ("内蒙古", "内蒙古自治区", "Inner Mongolia"), ("辽宁", "辽宁省", "Liaoning"),
    ("吉林", "吉林省", "Jilin"), ("黑龙江", "黑龙江省", "Heilongjiang"), ("上海", "上海市", "Shanghai"),
    ("江苏", "江苏省", "Jiangsu"), ("浙江", "浙江省", "Zhejiang"), ("安徽", "安徽省", "Anhui"),
    ("福建", "福建省", "Fujian"), ("江西", "江西省", "Jiangxi"), ("山东", "山东省", "Shandong"),
    ("河南", "河南省", "Henan"), ("湖北", "湖北省", "Hubei"), ("湖南", "湖南省", "Hunan"),
    ("广东", "广东省", "Guangdong"), ("广西", "广西壮族自治区", "Guangxi"), ("海南", "海南省", "Hainan"),
    ("重庆", "重庆市", "Chongqing"), ("四川", "四川省", "Sichuan"), ("贵州", "贵州省", "Guizhou"),
    ("云南", "云南省", "Yunnan"), ("西藏", "西藏自治区", "Tibet"), ("陕西", "陕西省", "Shaanxi"),
    ("甘肃", "甘肃省", "Gansu"), ("青海", "青海省", "Qinghai"), ("宁夏", "宁夏回族自治区", "Ningxia"),
    ("新疆", "新疆维吾尔自治区", "Xinjiang"), ("台湾", "台湾省", "Taiwan"), ("香港", "香港特别行政区", "Hong Kong"),
    ("澳门", "澳门特别行政区", "Macao"),
]
PROVINCES = tuple(p[0] for p in _PROVINCES)
PROVINCE_EN = {p[0]: p[2] for p in _PROVINCES}

_VARIANTS: dict[str, str] = {}
for _short, _full, _en in _PROVINCES:
    for _v in (_short, _full, _en, _en.replace(" ", "")):
        _VARIANTS[_v.lower()] = _short
_VARIANTS.update({"xizang": "西藏", "nei mongol": "内蒙古", "neimenggu": "内蒙古", "macau": "澳门",
                  "新疆生产建设兵团": "新疆", "兵团": "新疆", "hongkong": "香港", "shaanxi province": "陕西"})


def normalize_province(value: str) -> str | None:
    """The short Chinese name of a province given any common variant, or None when it is not a known province."""
    return _VARIANTS.get(value.strip().lower())


def normalize_country(value: str) -> str | None:
    """The upper-case ISO code, or None when ``value`` is not an ISO 3166-1 alpha-2 code."""
    code = value.strip().upper()
    return code if code in COUNTRIES else None
