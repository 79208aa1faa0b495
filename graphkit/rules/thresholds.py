"""The rules file: every threshold of the checks and queries, with defaults, help text and validation.

>>> r = Rules()
>>> r.min_coverage, r.min_member_provinces, r.active_layout
(0.5, 5, '2017-64')
>>> Rules.from_toml_text("min_coverage = 0.6").min_coverage
0.6
"""

from __future__ import annotations

import datetime as _dt
from dataclasses import asdict, dataclass, fields, replace
from fractions import Fraction
from importlib import resources
from pathlib import Path

from graphkit.errors import RulesError
from graphkit.model.schema import INCOME_STREAMS, ORG_KINDS, PLATFORM_KINDS

try:  # Python 3.11+
    import tomllib
except ModuleNotFoundError:  # pragma: no cover
    import tomli as tomllib

__all__ = ["Rules", "RULES_HELP", "load_rules", "default_rules_text", "parse_as_of"]

RULES_HELP: dict[str, tuple[str, str]] = {
    "active_layout": ("条件 1：其领域视为“符合总体布局”的布局（2017-64 即通知附件的 22 个领域）", "check 1: the layout whose fields are 'within the national layout' (2017-64 = the annex's 22 fields)"),
    "counted_platform_kinds": ("计入覆盖率的国家级平台类型", "platform kinds counted in coverage"),
    "count_shareholders_in_coverage": ("非联盟成员的股东是否计入覆盖率", "whether shareholders that are not alliance members count in coverage"),
    "min_coverage": ("条件 4.3：覆盖率下限（含本数）", "check 4.3: minimum coverage (inclusive)"),
    "min_member_provinces": ("条件 4.3：成员所在省份数下限", "check 4.3: minimum number of member provinces"),
    "required_member_kinds": ("条件 4.3：联盟须包含的成员类型", "check 4.3: member kinds the alliance must include"),
    "min_shareholders": ("条件 4.2：股东数下限", "check 4.2: minimum number of shareholders"),
    "min_top10_shareholders": ("条件 4.2：本领域排名前十的股东数下限", "check 4.2: minimum number of top-ranked shareholders"),
    "top_rank": ("条件 4.2：“排名前十”的名次上限", "check 4.2: the rank that still counts as top"),
    "income_streams": ("条件 6.2：计入的市场化收入来源", "check 6.2: income streams that count"),
    "min_income_streams": ("条件 6.2：最近一年收入来源数下限", "check 6.2: minimum number of streams in the latest year"),
    "income_years": ("条件 6.2：须连续有上述收入的年数", "check 6.2: consecutive years with such income"),
    "min_rd_staff_ratio": ("条件 7.2：研发人员占比下限（含本数）", "check 7.2: minimum R&D staff ratio (inclusive)"),
    "min_rd_expense_ratio": ("条件 7.3：研发费用占比下限（含本数）", "check 7.3: minimum R&D expense ratio (inclusive)"),
    "min_operating_years": ("条件 12：自成立至评价日的整年数下限", "check 12: minimum full years from founding to the evaluation date"),
    "claim_tolerance_pp": ("声明核查：比例相差不超过此百分点视为一致", "claims: a ratio within this many percentage points is consistent"),
    "fuzzy_accept": ("申报书名称匹配：相似度不低于此值的近似名称视为有歧义", "intake: a close match at or above this similarity is ambiguous"),
    "reach_hops": ("合作触达：默认跳数", "reach: default number of hops"),
    "as_of": ("评价日期（YYYY-MM-DD；空为今天）", "evaluation date (YYYY-MM-DD; empty = today)"),
}


@dataclass(frozen=True)
class Rules:
    """Thresholds of the notice as graphkit applies them (see ``rules.toml`` for the documented defaults)."""

    active_layout: str = "2017-64"
    counted_platform_kinds: tuple = PLATFORM_KINDS[:4]
    count_shareholders_in_coverage: bool = False
    min_coverage: float = 0.50
    min_member_provinces: int = 5
    required_member_kinds: tuple = ("enterprise", "university", "research_institute", "user")
    min_shareholders: int = 2
    min_top10_shareholders: int = 2
    top_rank: int = 10
    income_streams: tuple = INCOME_STREAMS[:5]
    min_income_streams: int = 2
    income_years: int = 2
    min_rd_staff_ratio: float = 0.50
    min_rd_expense_ratio: float = 0.30
    min_operating_years: int = 2
    claim_tolerance_pp: float = 0.5
    fuzzy_accept: float = 0.92
    reach_hops: int = 2
    as_of: str = ""

    def __post_init__(self):
        for f in fields(self):
            value = getattr(self, f.name)
            if isinstance(value, list):
                object.__setattr__(self, f.name, tuple(value))
        self._validate()

    def _validate(self):
        def bad(name, why):
            raise RulesError(f"rules: {name} {why}")

        for name in ("min_coverage", "min_rd_staff_ratio", "min_rd_expense_ratio", "fuzzy_accept"):
            v = getattr(self, name)
            if isinstance(v, bool) or not isinstance(v, (int, float)) or not 0 <= v <= 1:
                bad(name, f"must be a number between 0 and 1, not {v!r}")
        for name in ("min_member_provinces", "min_shareholders", "min_top10_shareholders", "top_rank",
                     "min_income_streams", "income_years", "min_operating_years", "reach_hops"):
            v = getattr(self, name)
            if isinstance(v, bool) or not isinstance(v, int) or v < 0:
                bad(name, f"must be a whole number ≥ 0, not {v!r}")
        if self.income_years < 1:
            bad("income_years", "must be at least 1")
        if not isinstance(self.claim_tolerance_pp, (int, float)) or self.claim_tolerance_pp < 0:
            bad("claim_tolerance_pp", "must be a number ≥ 0")
        for name, allowed in (("counted_platform_kinds", PLATFORM_KINDS), ("required_member_kinds", ORG_KINDS),
                              ("income_streams", INCOME_STREAMS)):
            for v in getattr(self, name):
                if v not in allowed:
                    bad(name, f"has unknown value {v!r}; allowed: {', '.join(allowed)}")
        if not isinstance(self.count_shareholders_in_coverage, bool):
            bad("count_shareholders_in_coverage", "must be true or false")
        if self.as_of:
            parse_as_of(self.as_of)

    @classmethod
    def from_mapping(cls, data: dict) -> "Rules":
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(data) - known)
        if unknown:
            raise RulesError(f"rules: unknown setting(s) {', '.join(unknown)}; known: {', '.join(sorted(known))}")
        return cls(**data)

    @classmethod
    def from_toml_text(cls, text: str) -> "Rules":
        try:
            data = tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            raise RulesError(f"rules: not valid TOML: {exc}") from None
        return cls.from_mapping(data)

    def with_(self, **changes) -> "Rules":
        return replace(self, **changes)

    def to_dict(self) -> dict:
        return {k: (list(v) if isinstance(v, tuple) else v) for k, v in asdict(self).items()}

    def fraction(self, name: str) -> Fraction:
        """A threshold as an exact fraction (so 0.30 is exactly 3/10 when compared)."""
        return Fraction(str(getattr(self, name)))

    def evaluation_date(self, as_of: str | _dt.date | None = None) -> _dt.date:
        """``as_of`` if given, else the rules' ``as_of``, else today."""
        value = as_of or self.as_of
        if isinstance(value, _dt.date):
            return value
        return parse_as_of(value) if value else _dt.date.today()


def parse_as_of(value: str) -> _dt.date:
    """Parse an evaluation date YYYY-MM-DD (YYYY-MM and YYYY mean the last day of that month / year)."""
    text = str(value).strip()
    try:
        parts = [int(x) for x in text.split("-")]
        if len(parts) == 3:
            return _dt.date(*parts)
        if len(parts) == 2:
            nxt = _dt.date(parts[0] + (parts[1] == 12), parts[1] % 12 + 1, 1)
            return nxt - _dt.timedelta(days=1)
        if len(parts) == 1 and len(text) == 4:
            return _dt.date(parts[0], 12, 31)
    except ValueError:
        pass
    raise RulesError(f"as-of date {value!r} is not YYYY-MM-DD")


def default_rules_text() -> str:
    """The documented default rules file shipped with graphkit."""
    return resources.files("graphkit.rules").joinpath("rules.toml").read_text(encoding="utf-8")


def load_rules(path: str | Path | None = None) -> Rules:
    """Rules from a TOML file (missing keys keep their defaults), or the defaults."""
    if path is None:
        return Rules()
    p = Path(path)
    if not p.exists():
        raise RulesError(f"rules file {p} does not exist")
    try:
        text = p.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise RulesError(f"rules file {p} is not UTF-8 text") from None
    return Rules.from_toml_text(text)
