"""Validation (SPEC §3): raw string tables become typed tables, or every problem is reported at once.

The whole dataset is checked before anything is built; errors stop the load, warnings do not. Work is
vectorised per column (pandas), so validating half a million organisations stays near-linear; Python loops
run only over the rows that have a problem.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from .geo import COUNTRIES, normalize_province
from .i18n import Kinds
from .notice import BUILTIN_LAYOUT, CHECK_IDS, Field, builtin_fields
from .problems import Problems
from .read import RawDataset, RawTable, empty_raw_table
from .schema import DEFAULT_COUNTRY, ENTITY_TABLES, ENUM_SYNONYMS, TABLES, Column

__all__ = ["Tables", "validate_raw", "BOOL_VALUES", "parse_ratio"]

log = logging.getLogger(__name__)

BOOL_VALUES = {
    "true": True, "false": False, "yes": True, "no": False, "1": True, "0": False, "是": True, "否": False,
    "t": True, "f": False, "y": True, "n": False, "有": True, "无": False, "1.0": True, "0.0": False,
}
_DATE = re.compile(r"^(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?$")
_INT = re.compile(r"^[+-]?\d+(?:\.0+)?$")
_MAX_SHOWN = 80
_EMPTY_DTYPES = {"int": "Int64", "year": "Int64", "amount": float, "pct": float, "bool": "boolean"}


@dataclass
class Tables:
    """Validated, typed tables (one DataFrame per contract table, index = spreadsheet row) and the fields."""

    frames: dict[str, pd.DataFrame]
    fields: list[Field]
    labels: dict[str, str] = field(default_factory=dict)  # table → file label used in messages


def _shown(value) -> str:
    text = str(value)
    return text if len(text) <= _MAX_SHOWN else text[: _MAX_SHOWN - 1] + "…"


def parse_ratio(text: str) -> tuple[float | None, bool]:
    """Parse a claimed ratio written 0.62, 62% or 62 (read as percent). Returns (ratio, was_read_as_percent).

    >>> parse_ratio("62%")
    (0.62, False)
    >>> parse_ratio("0.62")
    (0.62, False)
    >>> parse_ratio("62")
    (0.62, True)
    >>> parse_ratio("abc")
    (None, False)
    """
    s = str(text).strip().replace("％", "%").replace(" ", "")
    percent = s.endswith("%")
    if percent:
        s = s[:-1]
    try:
        value = float(s)
    except ValueError:
        return None, False
    if value != value or value in (float("inf"), float("-inf")):
        return None, False
    if percent:
        return round(value / 100, 12), False
    if value > 1:
        return round(value / 100, 12), True
    return value, False


class _Validator:
    def __init__(self, raw: RawDataset, problems: Problems):
        self.raw = raw
        self.problems = problems
        self.tables: dict[str, RawTable] = {}
        self.missing_columns: dict[str, set] = {}
        self.kind_of: dict[str, str] = {}
        self.where: dict[str, str] = {}  # first occurrence of an entity id: "file:row"
        self.typed: dict[str, pd.DataFrame] = {}
        self.fields: dict[str, Field] = {}

    # ---- helpers ---------------------------------------------------------------------------------------
    def err(self, t: RawTable, row, column, code, /, **kw):
        self.problems.error(t.label, int(row), column, code, **kw)

    def warn(self, t: RawTable, row, column, code, /, **kw):
        self.problems.warning(t.label, int(row), column, code, **kw)

    def column(self, t: RawTable, name: str) -> pd.Series:
        return t.frame[name]

    # ---- steps -----------------------------------------------------------------------------------------
    def run(self) -> Tables | None:
        for name in TABLES:
            raw_table = self.raw.tables.get(name)
            if raw_table is None:
                raw_table = empty_raw_table(name)
                if self.raw.kind == "xlsx":
                    raw_table.label = f"{self.raw.origin}[{name}]"
            self.tables[name] = raw_table
            self._check_header(raw_table)
        self._fields()
        self._entity_ids()
        for name in ("organizations", "centers", "platforms", "shareholders", "alliance_members",
                     "field_rankings", "collaborations", "income", "assessments", "claims"):
            self.typed[name] = self._type_table(self.tables[name])
        self._cross_checks()
        if self.problems.has_errors():
            return None
        labels = {name: t.label for name, t in self.tables.items()}
        return Tables(self.typed, list(self.fields.values()), labels)

    def _check_header(self, t: RawTable):
        spec = TABLES[t.name]
        missing = set()
        for col in spec.columns:
            if col.name not in t.frame.columns:
                if col.required and t.name in self.raw.tables:
                    self.err(t, 1, col.name, "column_missing", column=col.name)
                missing.add(col.name)
                t.frame[col.name] = pd.Series([""] * len(t.frame), index=t.frame.index, dtype=object)
        self.missing_columns[t.name] = missing
        required_file = spec.required_file and t.name in self.raw.tables
        if required_file and len(t.frame) == 0:
            self.err(t, 1, "*", "file_no_rows")

    def _required(self, t: RawTable, col: Column, series: pd.Series) -> pd.Series:
        """Report empty required cells; return the mask of non-empty cells."""
        nonempty = series != ""
        if col.required and col.name not in self.missing_columns[t.name]:
            for row in series.index[~nonempty.to_numpy()]:
                self.err(t, row, col.name, "required_empty")
        return nonempty

    def _fields(self):
        for f in builtin_fields():
            self.fields[f.field_id] = f
        t = self.tables["fields"]
        if not len(t.frame):
            return
        builtin = set(self.fields)
        seen: dict[str, int] = {}
        missing = self.missing_columns["fields"]
        if "field_id" in missing:
            return
        for row, rec in t.frame.iterrows():
            fid = rec["field_id"]
            if not fid:
                self.err(t, row, "field_id", "required_empty")
                continue
            if not rec["name_zh"] and "name_zh" not in missing:
                self.err(t, row, "name_zh", "required_empty")
            if fid in seen:
                self.err(t, row, "field_id", "duplicate_id", value=_shown(fid), first=f"{t.label}:{seen[fid]}")
                continue
            seen[fid] = row
            if fid in builtin:
                self.warn(t, row, "field_id", "field_overrides_builtin", value=_shown(fid))
            extra = {k: v for k, v in rec.items() if k not in TABLES["fields"].column_names}
            self.fields[fid] = Field(
                fid, rec["name_zh"], rec.get("name_en", ""), rec.get("layout", "") or "custom",
                rec.get("difficulties", ""), rec.get("source", ""), rec.get("note", ""),
            )
            if extra:
                log.debug("field %s extra columns ignored: %s", fid, sorted(extra))

    def _entity_ids(self):
        parts = []
        for entity in ("center", "org", "platform"):
            t = self.tables[ENTITY_TABLES[entity]]
            key = TABLES[t.name].key
            s = t.frame[key]
            nonempty = self._required(t, TABLES[t.name].column(key), s)
            s = s[nonempty]
            parts.append(pd.DataFrame({"id": s.to_numpy(), "row": s.index.to_numpy(), "entity": entity, "label": t.label}))
        ids = pd.concat(parts, ignore_index=True)
        dup = ids["id"].duplicated(keep="first")
        if dup.any():
            first = ids[~dup].set_index("id")
            for rec in ids[dup].itertuples(index=False):
                f = first.loc[rec.id]
                t = self.tables[ENTITY_TABLES[rec.entity]]
                self.err(t, rec.row, TABLES[t.name].key, "duplicate_id", value=_shown(rec.id), first=f"{f.label}:{f.row}")
        ids = ids[~dup]
        self.kind_of = dict(zip(ids["id"].tolist(), ids["entity"].tolist()))

    # ---- typing ----------------------------------------------------------------------------------------
    def _type_table(self, t: RawTable) -> pd.DataFrame:
        spec = TABLES[t.name]
        out = {}
        for col in spec.columns:
            out[col.name] = self._type_column(t, col, t.frame[col.name])
        for extra in t.frame.columns:
            if extra not in out:
                out[extra] = t.frame[extra].astype(object)
        frame = pd.DataFrame(out, index=t.frame.index)
        if not len(frame):
            return frame
        # pandas' map() turns a None result into NaN; object columns hold None for "unknown", never NaN
        for name in frame.columns:
            if frame[name].dtype == object:
                frame[name] = frame[name].where(frame[name].notna(), None)
        return frame

    def _type_column(self, t: RawTable, col: Column, s: pd.Series) -> pd.Series:
        if not len(s):  # an absent or empty table: nothing to check, only the column's dtype matters
            return pd.Series([], index=s.index, dtype=_EMPTY_DTYPES.get(col.type, object))
        nonempty = self._required(t, col, s) if col.type != "id" else s != ""
        typ = col.type
        if typ in ("id", "text"):
            return s.where(nonempty, None).astype(object)
        if typ == "enum":
            return self._enum(t, col, s, nonempty)
        if typ in ("int", "year"):
            return self._int(t, col, s, nonempty)
        if typ in ("amount", "pct"):
            return self._number(t, col, s, nonempty)
        if typ == "bool":
            mapped = s.str.lower().map(BOOL_VALUES)
            bad = nonempty & mapped.isna()
            for row, value in s[bad].items():
                self.err(t, row, col.name, "bad_bool", value=_shown(value))
            return mapped.astype("boolean")
        if typ == "date":
            return self._date(t, col, s, nonempty)
        if typ == "country":
            upper = s.str.upper()
            bad = nonempty & ~upper.isin(COUNTRIES)
            for row, value in s[bad].items():
                self.err(t, row, col.name, "bad_country", value=_shown(value))
            return upper.where(nonempty, DEFAULT_COUNTRY).astype(object)
        if typ == "province":
            uniques = {v: normalize_province(v) for v in s[nonempty].unique()}
            for value, norm in uniques.items():
                if norm is None:
                    rows = s.index[(s == value).to_numpy()]
                    self.warn(t, rows[0], col.name, "unknown_province", value=_shown(value))
            mapped = s.map(lambda v: uniques.get(v) or v if v else None)
            return mapped.astype(object)
        if typ == "ref":
            self._refs(t, col, s, nonempty)
            return s.where(nonempty, None).astype(object)
        if typ == "list":
            lists = s.map(lambda v: tuple(x.strip() for x in v.split("|") if x.strip()) if v else ())
            if col.required and col.name not in self.missing_columns[t.name]:
                empty_lists = nonempty & (lists.map(len) == 0)
                for row in s.index[empty_lists.to_numpy()]:
                    self.err(t, row, col.name, "list_empty")
            if col.refs:
                flat = lists.explode().dropna()
                self._refs(t, col, flat, pd.Series(True, index=flat.index))
            return lists.astype(object)
        if typ == "check_id":
            norm = s.map(_norm_check_id)
            bad = nonempty & ~norm.isin(CHECK_IDS)
            for row, value in s[bad].items():
                self.err(t, row, col.name, "bad_check_id", value=_shown(value), allowed=", ".join(CHECK_IDS))
            return norm.where(nonempty, None).astype(object)
        if typ == "claim_value":
            return s.where(nonempty, None).astype(object)  # checked with its claim kind in _cross_checks
        raise AssertionError(f"unknown column type {typ}")  # pragma: no cover

    def _enum(self, t, col, s, nonempty):
        allowed = set(col.enum)

        def canon(v):
            low = v.strip().lower()
            if low in allowed:
                return low
            syn = ENUM_SYNONYMS.get(v.strip()) or ENUM_SYNONYMS.get(low)
            return syn if syn in allowed else None

        uniques = {v: canon(v) for v in s[nonempty].unique()}
        mapped = s.map(lambda v: uniques.get(v) if v else None)
        bad = nonempty & mapped.isna()
        for row, value in s[bad].items():
            self.err(t, row, col.name, "bad_enum", value=_shown(value), allowed=" / ".join(col.enum))
        if col.default:
            mapped = mapped.where(nonempty, col.default)
        return mapped.astype(object)

    def _int(self, t, col, s, nonempty):
        clean = s.str.replace(",", "", regex=False).str.replace("，", "", regex=False)
        looks = clean.str.fullmatch(_INT.pattern)
        num = pd.to_numeric(clean.where(nonempty & looks), errors="coerce")
        bad = nonempty & num.isna()
        code = "bad_year" if col.type == "year" else "bad_int"
        for row, value in s[bad].items():
            self.err(t, row, col.name, code, value=_shown(value))
        ok = nonempty & ~bad
        if col.type == "year":
            out_of_range = ok & ((num < 1900) | (num > 2100))
            for row, value in s[out_of_range].items():
                self.err(t, row, col.name, "bad_year", value=_shown(value))
        else:
            negative = ok & (num < 0)
            for row, value in s[negative].items():
                self.err(t, row, col.name, "negative", value=_shown(value))
            if col.minimum is not None and col.minimum > 0:
                low = ok & (num >= 0) & (num < col.minimum)
                for row, value in s[low].items():
                    self.err(t, row, col.name, "below_min", value=_shown(value), minimum=int(col.minimum))
        return num.astype("Int64")

    def _number(self, t, col, s, nonempty):
        clean = s.str.replace(",", "", regex=False).str.replace("，", "", regex=False)
        if col.type == "pct":
            clean = clean.str.rstrip("%％")
        num = pd.to_numeric(clean.where(nonempty), errors="coerce")
        finite = np.isfinite(num.to_numpy(dtype=float, na_value=np.nan))
        bad = nonempty & ~pd.Series(finite, index=s.index)
        for row, value in s[bad].items():
            self.err(t, row, col.name, "bad_number", value=_shown(value))
        ok = nonempty & ~bad
        if col.type == "pct":
            out = ok & ((num <= 0) | (num > 100))
            for row, value in s[out].items():
                self.err(t, row, col.name, "share_range", value=_shown(value))
        else:
            negative = ok & (num < 0)
            for row, value in s[negative].items():
                self.err(t, row, col.name, "negative", value=_shown(value))
        return num.where(ok).astype(float)

    def _date(self, t, col, s, nonempty):
        parts = s.str.extract(_DATE.pattern)
        year = pd.to_numeric(parts[0], errors="coerce")
        month = pd.to_numeric(parts[1], errors="coerce")
        day = pd.to_numeric(parts[2], errors="coerce")
        bad = nonempty & (year.isna() | (year < 1900) | (year > 2100) | (month < 1) | (month > 12))
        full = nonempty & ~bad & day.notna()
        if full.any():
            stamp = pd.to_datetime(
                pd.DataFrame({"year": year[full], "month": month[full], "day": day[full]}), errors="coerce"
            )
            bad = bad | pd.Series(False, index=s.index).where(~full, stamp.reindex(s.index).isna())
        for row, value in s[bad].items():
            self.err(t, row, col.name, "bad_date", value=_shown(value))
        ok = nonempty & ~bad
        out = pd.Series(None, index=s.index, dtype=object)
        if ok.any():
            y = year[ok].astype(int).astype(str)
            m = month[ok].map(lambda v: "" if v != v else f"-{int(v):02d}")
            d = day[ok].map(lambda v: "" if v != v else f"-{int(v):02d}")
            out[ok] = y + m + d
        return out

    def _refs(self, t, col, s, nonempty):
        """Every id in ``s`` must exist and be of one of ``col.refs``' kinds."""
        if col.name in self.missing_columns[t.name]:
            return
        # a referenced table that could not be read, or lacks its id column (already an error), cannot say
        # which ids exist: leave these references unchecked rather than report every one as unknown
        for kind in col.refs:
            table = ENTITY_TABLES[kind]
            if table in self.raw.failed or (table in self.raw.tables and TABLES[table].key in self.missing_columns[table]):
                return
        values = s[nonempty]
        if "field" in col.refs:
            bad = ~values.isin(self.fields.keys())
            for row, value in values[bad].items():
                self.err(t, row, col.name, "unknown_ref", kind=Kinds(("field",)), value=_shown(value))
            return
        kinds = values.map(self.kind_of)
        unknown = kinds.isna()
        expected = Kinds(col.refs)
        for row, value in values[unknown].items():
            self.err(t, row, col.name, "unknown_ref", kind=expected, value=_shown(value))
        wrong = ~unknown & ~kinds.isin(col.refs)
        for (row, value), actual in zip(values[wrong].items(), kinds[wrong]):
            self.err(t, row, col.name, "wrong_kind", value=_shown(value), actual=Kinds((actual,)), expected=expected)

    # ---- rules across rows and tables --------------------------------------------------------------------
    def _cross_checks(self):
        c = self.typed["centers"]
        ct = self.tables["centers"]
        both = c["rd_staff"].notna() & c["employees"].notna()
        over = both & (c["rd_staff"] > c["employees"])
        for row, r in c[over.fillna(False).astype(bool)].iterrows():
            self.err(ct, row, "rd_staff", "rd_staff_gt", rd_staff=int(r["rd_staff"]), employees=int(r["employees"]))
        both = c["rd_expense"].notna() & c["total_cost"].notna()
        over = both & (c["rd_expense"] > c["total_cost"])
        for row, r in c[over].iterrows():
            self.err(ct, row, "rd_expense", "rd_expense_gt", rd_expense=_num(r["rd_expense"]), total_cost=_num(r["total_cost"]))

        # organisations: names that are another organisation's alias; foreign orgs with a province
        o = self.typed["organizations"]
        ot = self.tables["organizations"]
        aliases = o[["org_id", "aliases"]].explode("aliases").dropna()
        if len(aliases):
            owner = dict(zip(aliases["aliases"].tolist(), aliases["org_id"].tolist()))
            hit = o["name"].map(owner)
            clash = hit.notna() & (hit != o["org_id"])
            for row, r in o[clash].iterrows():
                self.warn(ot, row, "name", "name_is_alias", name=_shown(r["name"]), other=_shown(hit[row]))
        foreign_prov = (o["country"] != DEFAULT_COUNTRY) & o["province"].notna()
        for row, r in o[foreign_prov].iterrows():
            self.warn(ot, row, "province", "foreign_with_province", country=r["country"], province=_shown(r["province"]))

        # platforms that are not active
        p = self.typed["platforms"]
        pt = self.tables["platforms"]
        inactive = p["status"].notna() & (p["status"] != "active")
        for row, r in p[inactive].iterrows():
            self.warn(pt, row, "status", "platform_inactive", status=r["status"])

        # alliance members: duplicates are dropped with a warning
        m = self.typed["alliance_members"]
        mt = self.tables["alliance_members"]
        key = _key(m["center_id"], m["member_id"])
        dup = key.duplicated(keep="first") & m["center_id"].notna() & m["member_id"].notna()
        if dup.any():
            first_row = pd.Series(m.index, index=key)[~key.duplicated(keep="first").to_numpy()]
            for row, r in m[dup].iterrows():
                self.warn(mt, row, "member_id", "duplicate_member", member=_shown(r["member_id"]),
                          center=_shown(r["center_id"]), first=int(first_row[key[row]]))
            self.typed["alliance_members"] = m[~dup]
        member_keys = set(key[~dup].tolist())

        # shareholders: duplicates are errors (which share holds?); sums over 100 %; shareholders not members
        s = self.typed["shareholders"]
        st = self.tables["shareholders"]
        skey = _key(s["center_id"], s["org_id"])
        sdup = skey.duplicated(keep="first")
        if sdup.any():
            first_row = pd.Series(s.index, index=skey)[~sdup.to_numpy()]
            for row in s.index[sdup.to_numpy()]:
                self.err(st, row, "org_id", "duplicate_row", first=int(first_row[skey[row]]))
        not_member = ~skey.isin(member_keys) & s["center_id"].notna() & s["org_id"].notna()
        for row, r in s[not_member].iterrows():
            self.warn(st, row, "org_id", "shareholder_not_member", org=_shown(r["org_id"]), center=_shown(r["center_id"]))
        if len(s):
            sums = s.groupby("center_id", sort=False)["share_pct"].sum(min_count=1)
            for center, total in sums[sums > 100 + 1e-9].items():
                row = s.index[(s["center_id"] == center).to_numpy()][0]
                self.warn(st, row, "share_pct", "shares_over_100", center=_shown(center), total=_num(total))

        # field rankings: one rank per (org, field, year)
        fr = self.typed["field_rankings"]
        frt = self.tables["field_rankings"]
        fkey = _key(fr["org_id"], fr["field_id"], fr["year"])
        fdup = fkey.duplicated(keep="first")
        if fdup.any():
            first_row = pd.Series(fr.index, index=fkey)[~fdup.to_numpy()]
            for row in fr.index[fdup.to_numpy()]:
                self.err(frt, row, "rank", "duplicate_row", first=int(first_row[fkey[row]]))

        # collaborations with oneself
        co = self.typed["collaborations"]
        cot = self.tables["collaborations"]
        selfish = co["from_id"].notna() & (co["from_id"] == co["to_id"])
        for row, r in co[selfish].iterrows():
            self.warn(cot, row, "to_id", "self_collaboration", value=_shown(r["to_id"]))

        # claims: the value must fit the claim kind
        cl = self.typed["claims"]
        clt = self.tables["claims"]
        parsed = []
        for row, r in cl.iterrows():
            value, kind = r["value"], r["claim"]
            out = None
            if value is None or kind is None:
                parsed.append(None)
                continue
            if kind == "coverage_ratio":
                ratio, as_pct = parse_ratio(value)
                if ratio is None:
                    self.err(clt, row, "value", "bad_ratio", value=_shown(value))
                elif not 0 <= ratio <= 1:
                    self.err(clt, row, "value", "ratio_range", value=_shown(value))
                else:
                    out = ratio
                    if as_pct:
                        self.warn(clt, row, "value", "ratio_as_percent", value=_shown(value), pct=_num(ratio * 100))
            elif kind == "member_count":
                text = str(value).replace(",", "").strip()
                if not _INT.match(text) or text.startswith("-"):
                    self.err(clt, row, "value", "bad_count", value=_shown(value))
                else:
                    out = int(float(text))
            else:
                out = tuple(x.strip() for x in str(value).split("|") if x.strip())
                if not out:
                    self.err(clt, row, "value", "list_empty")
            parsed.append(out)
        cl = cl.copy()
        cl["parsed_value"] = pd.Series(parsed, index=cl.index, dtype=object)
        self.typed["claims"] = cl


def _key(*columns: pd.Series) -> pd.Series:
    """One string per row joining ``columns``; an empty cell is "" (pandas 3 would turn the whole key into NaN)."""
    out = columns[0].astype("string").fillna("")
    for col in columns[1:]:
        out = out + "\x1f" + col.astype("string").fillna("")
    return out.astype(object)


def _norm_check_id(value: str) -> str:
    v = str(value).strip().replace("．", ".").replace("。", ".")
    if re.fullmatch(r"\d+\.0", v) and v[:-2] in CHECK_IDS:
        return v[:-2]
    return v


def _num(x) -> str:
    f = float(x)
    return str(int(f)) if f.is_integer() else f"{f:g}"


def validate_raw(raw: RawDataset, problems: Problems) -> Tables | None:
    """Validate raw tables; return typed :class:`Tables`, or None when any error was found (see ``problems``)."""
    return _Validator(raw, problems).run()


__all__ += ["BUILTIN_LAYOUT"]
