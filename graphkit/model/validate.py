"""Validation (SPEC §3): raw string tables become typed tables, or every problem is reported at once.

The whole dataset is checked before anything is built; errors stop the load, warnings do not. Work is
vectorised per column (pandas), so validating half a million organisations stays near-linear; Python loops
run only over the rows that have a problem.
"""

from __future__ import annotations

import datetime as _dt
import logging
import re
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from graphkit.model import columns as C
from graphkit.model.geo import COUNTRIES, normalize_province
from graphkit.model.i18n import Kinds, Term
from graphkit.model.notice import BUILTIN_LAYOUT, CHECK_IDS, Field, builtin_fields
from graphkit.model.problems import Problems
from graphkit.model.raw import RawDataset, RawTable, empty_raw_table
from graphkit.model.schema import DEFAULT_COUNTRY, ENTITY_TABLES, ENUM_SYNONYMS, TABLES, Column

__all__ = ["Tables", "validate_raw", "BOOL_VALUES", "parse_ratio"]

log = logging.getLogger(__name__)

#: SPEC §3's spellings, then documented extras (README): t/f, y/n, 有/无, and 1.0/0.0 as a spreadsheet writes 1/0
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
    def __init__(self, raw: RawDataset, problems: Problems, consume: bool = False):
        self.raw = raw
        self.consume = consume
        self.present = set(raw.tables)  # the tables the source had (raw.tables empties when consumed)
        self.problems = problems
        self.tables: dict[str, RawTable] = {}
        self.missing_columns: dict[str, set] = {}
        self.id_array = pa.array([], pa.string())  # every entity id (centers, organisations, platforms)
        self.id_kind = np.empty(0, dtype=object)  # … and its kind
        self._pending_refs: list = []
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
            if self.consume:  # the raw strings are no longer needed: give their memory back now
                t = self.tables[name]
                self.tables[name] = RawTable(t.name, t.label, pd.DataFrame(columns=list(t.frame.columns)))
                self.raw.tables.pop(name, None)
                C.release_arrow_memory()
        self._resolve_refs()
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
                if col.required and t.name in self.present:
                    self.err(t, 1, col.name, "column_missing", column=col.name)
                missing.add(col.name)
                t.frame[col.name] = pd.Series([""] * len(t.frame), index=t.frame.index, dtype=object)
        self.missing_columns[t.name] = missing
        required_file = spec.required_file and t.name in self.present
        if required_file and len(t.frame) == 0:
            self.err(t, 1, "*", "file_no_rows")

    def _required(self, t: RawTable, col: Column, arr, rows) -> np.ndarray:
        """Report empty required cells; return the mask of non-empty cells."""
        ok = C.nonempty(arr)
        if col.required and col.name not in self.missing_columns[t.name] and not ok.all():
            for row in rows[~ok]:
                self.err(t, row, col.name, "required_empty")
        return ok

    def _report(self, t: RawTable, col: Column, rows, arr, mask, code, **kw):
        """One problem per row in ``mask``, quoting the cell."""
        if mask.any():
            values = arr.filter(pa.array(mask)).to_pylist()
            for row, value in zip(rows[mask], values):
                self.err(t, row, col.name, code, value=_shown(value), **kw)

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
            elif (rec.get("layout", "") or "").strip() == BUILTIN_LAYOUT:
                # the notice's annex is exactly F01–F22: no other id may join its layout (SPEC §4, check 1)
                self.err(t, row, "layout", "layout_is_builtin", value=_shown(fid), layout=BUILTIN_LAYOUT)
                continue
            extra = {k: v for k, v in rec.items() if k not in TABLES["fields"].column_names}
            self.fields[fid] = Field(
                fid, rec["name_zh"], rec.get("name_en", ""), rec.get("layout", "") or "custom",
                rec.get("difficulties", ""), rec.get("source", ""), rec.get("note", ""),
            )
            if extra:
                log.debug("field %s extra columns ignored: %s", fid, sorted(extra))

    def _entity_ids(self):
        ids, kinds, rows, labels = [], [], [], []
        for code, entity in enumerate(("center", "org", "platform")):
            t = self.tables[ENTITY_TABLES[entity]]
            col = TABLES[t.name].column(TABLES[t.name].key)
            arr = C.to_arrow(t.frame[col.name])
            r = t.frame.index.to_numpy()
            ok = self._required(t, col, arr, r)
            ids.append(arr.filter(pa.array(ok)))
            kinds.append(np.full(int(ok.sum()), code, dtype=np.int8))
            rows.append(r[ok])
            labels.append(np.full(int(ok.sum()), code, dtype=np.int8))
        all_ids = pa.concat_arrays(ids) if ids else pa.array([], pa.string())
        kind = np.concatenate(kinds)
        row = np.concatenate(rows)
        dup = pd.Index(all_ids.to_numpy(zero_copy_only=False)).duplicated(keep="first")
        if dup.any():
            values = all_ids.to_numpy(zero_copy_only=False)
            first = {}
            for i in np.flatnonzero(~dup):
                first.setdefault(values[i], i)
            names = ("center", "org", "platform")
            for i in np.flatnonzero(dup):
                f = first[values[i]]
                t = self.tables[ENTITY_TABLES[names[kind[i]]]]
                ft = self.tables[ENTITY_TABLES[names[kind[f]]]]
                self.err(t, row[i], TABLES[t.name].key, "duplicate_id", value=_shown(values[i]), first=f"{ft.label}:{row[f]}")
            keep = pa.array(~dup)
            all_ids = all_ids.filter(keep)
            kind = kind[~dup]
        self.id_array = all_ids
        self.id_kind = np.array(["center", "org", "platform"], dtype=object)[kind]

    # ---- typing ----------------------------------------------------------------------------------------
    def _type_table(self, t: RawTable) -> pd.DataFrame:
        spec = TABLES[t.name]
        rows = t.frame.index.to_numpy()
        out = {}
        for col in spec.columns:
            out[col.name] = self._type_column(t, col, t.frame[col.name], rows)
        for extra in t.frame.columns:
            if extra not in out:
                out[extra] = C.to_object(C.to_arrow(t.frame[extra]))
        index = t.frame.index
        # object arrays stay object (pandas 3 would infer its "str" dtype and turn None into NaN)
        return pd.DataFrame({k: pd.Series(v, index=index, dtype=object) if isinstance(v, np.ndarray) and v.dtype == object else
                             pd.Series(v, index=index) for k, v in out.items()}, index=index)

    def _type_column(self, t: RawTable, col: Column, s: pd.Series, rows: np.ndarray):
        if not len(s):  # an absent or empty table: nothing to check, only the column's dtype matters
            return pd.Series([], index=s.index, dtype=_EMPTY_DTYPES.get(col.type, object))
        arr = C.to_arrow(s)
        nonempty = self._required(t, col, arr, rows) if col.type != "id" else C.nonempty(arr)
        typ = col.type
        if typ in ("id", "text", "claim_value"):  # claim values are checked with their claim kind later
            return C.to_object(arr, nonempty)
        if typ == "enum":
            return self._enum(t, col, arr, rows, nonempty)
        if typ in ("int", "year"):
            return self._int(t, col, arr, rows, nonempty)
        if typ in ("amount", "pct"):
            return self._number(t, col, arr, rows, nonempty)
        if typ == "bool":
            codes, _ = C.map_uniques(pc.utf8_lower(arr), lambda v: -1 if v == "" else {True: 1, False: 0}.get(BOOL_VALUES.get(v), -2))
            codes = codes.astype(np.int8)
            self._report(t, col, rows, arr, codes == -2, "bad_bool")
            return pd.arrays.BooleanArray(codes == 1, codes < 0)
        if typ == "date":
            return self._date(t, col, arr, rows, nonempty)
        if typ == "country":
            mapped, _ = C.map_uniques(arr, lambda v: DEFAULT_COUNTRY if v == "" else (v.upper() if v.upper() in COUNTRIES else None))
            self._report(t, col, rows, arr, nonempty & (mapped == None), "bad_country")  # noqa: E711
            return mapped
        if typ == "province":
            mapped, table = C.map_uniques(arr, lambda v: (normalize_province(v) or v) if v else None)
            unknown = [v for v in table if v and normalize_province(v) is None]
            if unknown:
                values = arr.to_numpy(zero_copy_only=False)
                for v in unknown:
                    self.warn(t, rows[np.argmax(values == v)], col.name, "unknown_province", value=_shown(v))
            return mapped
        if typ == "ref":
            self._refs(t, col, arr, rows, nonempty)
            return C.to_object(arr, nonempty)
        if typ == "list":
            return self._list(t, col, arr, rows, nonempty)
        if typ == "check_id":
            mapped, _ = C.map_uniques(arr, lambda v: _norm_check_id(v) if v else None)
            bad = nonempty & ~np.isin(mapped, list(CHECK_IDS))
            self._report(t, col, rows, arr, bad, "bad_check_id", allowed=", ".join(CHECK_IDS))
            return mapped
        raise AssertionError(f"unknown column type {typ}")  # pragma: no cover

    def _enum(self, t, col, arr, rows, nonempty):
        allowed = set(col.enum)

        def canon(v):
            if v == "":
                return col.default
            low = v.lower()
            if low in allowed:
                return low
            syn = ENUM_SYNONYMS.get(v) or ENUM_SYNONYMS.get(low)
            return syn if syn in allowed else False

        mapped, _ = C.map_uniques(arr, canon)
        bad = mapped == False  # noqa: E712 — False marks an invalid value (None is "empty")
        self._report(t, col, rows, arr, bad, "bad_enum", allowed=" / ".join(col.enum))
        if bad.any():
            mapped[bad] = None
        return mapped

    def _clean_number(self, arr):
        if pc.any(pc.match_substring(arr, ",")).as_py() or pc.any(pc.match_substring(arr, "，")).as_py():
            arr = pc.replace_substring(pc.replace_substring(arr, ",", ""), "，", "")
        return arr

    def _int(self, t, col, arr, rows, nonempty):
        clean = self._clean_number(arr)
        looks = nonempty & C.matches(clean, r"[+-]?\d+(?:\.0+)?")
        num = C.to_float(clean, looks)
        bad = nonempty & ~looks
        self._report(t, col, rows, arr, bad, "bad_year" if col.type == "year" else "bad_int")
        ok = looks
        if col.type == "year":
            out = ok & ((num < 1900) | (num > 2100))
            self._report(t, col, rows, arr, out, "bad_year")
        else:
            self._report(t, col, rows, arr, ok & (num < 0), "negative")
            if col.minimum is not None and col.minimum > 0:
                self._report(t, col, rows, arr, ok & (num >= 0) & (num < col.minimum), "below_min", minimum=int(col.minimum))
        return C.int_array(num, ok)

    def _number(self, t, col, arr, rows, nonempty):
        clean = self._clean_number(arr)
        if col.type == "pct":
            clean = pc.utf8_rtrim(clean, "%％")
        looks = nonempty & C.matches(clean, r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?")
        num = C.to_float(clean, looks)
        looks &= np.isfinite(num)
        self._report(t, col, rows, arr, nonempty & ~looks, "bad_number")
        if col.type == "pct":
            self._report(t, col, rows, arr, looks & ((num <= 0) | (num > 100)), "share_range")
        else:
            self._report(t, col, rows, arr, looks & (num < 0), "negative")
        return np.where(looks, num, np.nan)

    def _date(self, t, col, arr, rows, nonempty):
        canonical = nonempty & C.matches(arr, r"\d{4}(?:-\d{2}(?:-\d{2})?)?")
        loose = nonempty & ~canonical & C.matches(arr, r"\d{4}(?:-\d{1,2}(?:-\d{1,2})?)?")
        if loose.any():  # 2018-6-1 → 2018-06-01 (rare: one Python call per such cell)
            fixed = [_pad_date(v) for v in arr.filter(pa.array(loose)).to_pylist()]
            values = arr.to_numpy(zero_copy_only=False).astype(object)
            values[loose] = fixed
            arr = pa.array(values, type=pa.string())
        ok = canonical | loose
        length = pc.utf8_length(arr).to_numpy(zero_copy_only=False)
        year = C.to_float(pc.utf8_slice_codeunits(arr, 0, 4), ok)
        month = C.to_float(pc.utf8_slice_codeunits(arr, 5, 7), ok & (length >= 7))
        good = ok & (year >= 1900) & (year <= 2100) & ((length < 7) | ((month >= 1) & (month <= 12)))
        full = good & (length == 10)
        if full.any():
            candidates = pc.if_else(pa.array(full), arr, pa.scalar(None, pa.string()))
            stamp = pc.strptime(candidates, format="%Y-%m-%d", unit="s", error_is_null=True)
            # strptime rolls 2019-02-30 over to 2019-03-02: a real date prints back as itself
            same = pc.equal(pc.strftime(stamp, format="%Y-%m-%d"), candidates)
            good &= ~(full & ~pc.fill_null(same, False).to_numpy(zero_copy_only=False))
        shown = arr if not loose.any() else C.to_arrow(t.frame[col.name])
        # a bare number such as 43200 is what Excel shows for a date cell formatted as a number: say so
        serial = nonempty & ~good & C.matches(shown, r"\d{5}(?:\.\d+)?")
        for row, value in zip(rows[serial], shown.filter(pa.array(serial)).to_pylist()):
            day = _dt.date(1899, 12, 30) + _dt.timedelta(days=int(float(value)))
            self.err(t, row, col.name, "date_serial", value=value, date=day.isoformat())
        self._report(t, col, rows, shown, nonempty & ~good & ~serial, "bad_date")
        return C.to_object(arr, good)

    def _list(self, t, col, arr, rows, nonempty):
        split = pc.split_pattern(arr, "|")
        flat = pc.utf8_trim_whitespace(pc.list_flatten(split))
        parents = pc.list_parent_indices(split).to_numpy(zero_copy_only=False)
        keep = C.nonempty(flat)
        flat = flat.filter(pa.array(keep))
        parents = parents[keep]
        counts = np.bincount(parents, minlength=len(arr))
        # one tuple per row, from the cleaned flat values (C-speed slicing, one tuple() per row)
        values = flat.to_pylist()
        ends = np.cumsum(counts)
        starts = ends - counts
        lists = np.empty(len(arr), dtype=object)
        lists[:] = [tuple(values[a:b]) for a, b in zip(starts.tolist(), ends.tolist())]
        if col.required and col.name not in self.missing_columns[t.name]:
            for row in rows[nonempty & (counts == 0)]:
                self.err(t, row, col.name, "list_empty")
        if col.refs and len(flat):
            self._refs(t, col, flat, rows[parents], np.ones(len(flat), dtype=bool))
        return lists

    def _refs(self, t, col, arr, rows, nonempty):
        """Every id in ``arr`` must exist and be of one of ``col.refs``' kinds (entity ids are checked later, all
        columns at once, so the id hash table is built once)."""
        if col.name in self.missing_columns[t.name]:
            return
        # a referenced table that could not be read, or lacks its id column (already an error), cannot say
        # which ids exist: leave these references unchecked rather than report every one as unknown
        for kind in col.refs:
            table = ENTITY_TABLES[kind]
            if table in self.raw.failed or (table in self.present and TABLES[table].key in self.missing_columns[table]):
                return
        if "field" in col.refs:
            known = pc.is_in(arr, value_set=pa.array(list(self.fields), pa.string())).to_numpy(zero_copy_only=False)
            self._report(t, col, rows, arr, nonempty & ~known, "unknown_ref", kind=Kinds(("field",)))
            return
        self._pending_refs.append((t, col, arr, rows, nonempty))

    def _resolve_refs(self):
        if not self._pending_refs:
            return
        everything = pa.concat_arrays([p[2] for p in self._pending_refs])
        found = pc.index_in(everything, value_set=self.id_array)
        pos_all = pc.fill_null(found, -1).to_numpy(zero_copy_only=False).astype(np.int64)
        id_objects = self.id_array.to_numpy(zero_copy_only=False).astype(object)
        offset = 0
        for t, col, arr, rows, nonempty in self._pending_refs:
            pos = pos_all[offset: offset + len(arr)]
            offset += len(arr)
            if col.type == "ref" and len(id_objects):
                # every reference holds the one shared copy of its id string (memory at 100× scale)
                frame = self.typed.get(t.name)
                if frame is not None and len(frame) == len(arr):
                    shared = np.where(pos >= 0, id_objects[np.maximum(pos, 0)], frame[col.name].to_numpy(dtype=object))
                    shared[~nonempty] = None
                    frame[col.name] = pd.Series(shared, index=frame.index, dtype=object)
            expected = Kinds(col.refs)
            self._report(t, col, rows, arr, nonempty & (pos < 0), "unknown_ref", kind=expected)
            if not len(self.id_kind):
                continue
            kinds = self.id_kind[np.maximum(pos, 0)]
            wrong = nonempty & (pos >= 0) & ~np.isin(kinds, list(col.refs))
            if wrong.any():
                values = arr.filter(pa.array(wrong)).to_pylist()
                for row, value, actual in zip(rows[wrong], values, kinds[wrong]):
                    self.err(t, row, col.name, "wrong_kind", value=_shown(value), actual=Kinds((actual,)), expected=expected)
        self._pending_refs = []

    # ---- rules across rows and tables --------------------------------------------------------------------
    def _cross_checks(self):
        c = self.typed["centers"]
        ct = self.tables["centers"]
        over = (c["rd_staff"] > c["employees"]).fillna(False).to_numpy(dtype=bool)
        for row, a, b in zip(c.index[over], c["rd_staff"][over], c["employees"][over]):
            self.err(ct, row, "rd_staff", "rd_staff_gt", rd_staff=int(a), employees=int(b))
        over = (c["rd_expense"] > c["total_cost"]).to_numpy(dtype=bool)
        for row, a, b in zip(c.index[over], c["rd_expense"][over], c["total_cost"][over]):
            self.err(ct, row, "rd_expense", "rd_expense_gt", rd_expense=_num(a), total_cost=_num(b))

        # organisations: names that are another organisation's alias; foreign orgs with a province
        o = self.typed["organizations"]
        ot = self.tables["organizations"]
        has_alias = o["aliases"].map(len).to_numpy() > 0 if len(o) else np.zeros(0, bool)
        if has_alias.any():
            aliases = o.loc[has_alias, ["org_id", "aliases"]].explode("aliases").dropna()
            owner = dict(zip(aliases["aliases"].tolist(), aliases["org_id"].tolist()))
            # a dict lookup per name (Series.map with a dict builds an index of every alias and an object copy
            # of every name: the peak of a 500,000-organisation load)
            get = owner.get
            names, ids = o["name"].to_numpy(dtype=object), o["org_id"].to_numpy(dtype=object)
            clash = np.fromiter((get(n, i) != i for n, i in zip(names, ids)), dtype=bool, count=len(o))
            for row, name in zip(o.index[clash], names[clash]):
                self.warn(ot, row, "name", "name_is_alias", name=_shown(name), other=_shown(owner[name]))
        foreign_prov = ((o["country"] != DEFAULT_COUNTRY) & o["province"].notna()).to_numpy(dtype=bool)
        for row, country, province in zip(o.index[foreign_prov], o["country"][foreign_prov], o["province"][foreign_prov]):
            self.warn(ot, row, "province", "foreign_with_province", country=country, province=_shown(province))

        # platforms that are not active
        p = self.typed["platforms"]
        pt = self.tables["platforms"]
        inactive = (p["status"].notna() & (p["status"] != "active")).to_numpy(dtype=bool)
        for row, status in zip(p.index[inactive], p["status"][inactive]):
            self.warn(pt, row, "status", "platform_inactive", status=Term(status))

        # alliance members: duplicates are dropped with a warning
        m = self.typed["alliance_members"]
        mt = self.tables["alliance_members"]
        pair = m[["center_id", "member_id"]]
        dup = pair.duplicated(keep="first").to_numpy() & m["center_id"].notna().to_numpy() & m["member_id"].notna().to_numpy()
        if dup.any():
            first = {}
            for row, a, b in zip(m.index, m["center_id"], m["member_id"]):
                first.setdefault((a, b), row)
            for row, a, b in zip(m.index[dup], m["center_id"][dup], m["member_id"][dup]):
                self.warn(mt, row, "member_id", "duplicate_member", member=_shown(b), center=_shown(a), first=int(first[(a, b)]))
            self.typed["alliance_members"] = m = m[~dup]

        # shareholders: duplicates are errors (which share holds?); sums over 100 %; shareholders not members
        s = self.typed["shareholders"]
        st = self.tables["shareholders"]
        spair = s[["center_id", "org_id"]]
        sdup = spair.duplicated(keep="first").to_numpy()
        if sdup.any():
            first = {}
            for row, a, b in zip(s.index, s["center_id"], s["org_id"]):
                first.setdefault((a, b), row)
            for row, a, b in zip(s.index[sdup], s["center_id"][sdup], s["org_id"][sdup]):
                self.err(st, row, "org_id", "duplicate_row", first=int(first[(a, b)]))
        if len(s):
            # only the member rows of organisations that hold shares can match (a small set even at 100x scale)
            holders = m["member_id"].isin(set(s["org_id"].dropna().tolist())).to_numpy(dtype=bool)
            member_pairs = set(zip(m["center_id"].to_numpy(dtype=object)[holders],
                                   m["member_id"].to_numpy(dtype=object)[holders]))
            is_member = np.fromiter((pair in member_pairs for pair in zip(s["center_id"], s["org_id"])),
                                    dtype=bool, count=len(s))
            not_member = ~is_member & s["center_id"].notna().to_numpy() & s["org_id"].notna().to_numpy()
            for row, a, b in zip(s.index[not_member], s["center_id"][not_member], s["org_id"][not_member]):
                self.warn(st, row, "org_id", "shareholder_not_member", org=_shown(b), center=_shown(a))
            sums = s.groupby("center_id", sort=False)["share_pct"].sum(min_count=1)
            for center, total in sums[sums > 100 + 1e-9].items():
                row = s.index[(s["center_id"] == center).to_numpy()][0]
                self.warn(st, row, "share_pct", "shares_over_100", center=_shown(center), total=_num(total))

        # field rankings: one rank per (org, field, year)
        fr = self.typed["field_rankings"]
        frt = self.tables["field_rankings"]
        if len(fr):
            fdup = fr[["org_id", "field_id", "year"]].astype(object).duplicated(keep="first").to_numpy()
            if fdup.any():
                first = {}
                keys = list(zip(fr["org_id"], fr["field_id"], fr["year"].astype(object)))
                for row, k in zip(fr.index, keys):
                    first.setdefault(k, row)
                for row, k in zip(fr.index[fdup], [k for k, d in zip(keys, fdup) if d]):
                    self.err(frt, row, "rank", "duplicate_row", first=int(first[k]))

        # collaborations with oneself
        co = self.typed["collaborations"]
        cot = self.tables["collaborations"]
        selfish = (co["from_id"].notna() & (co["from_id"] == co["to_id"])).to_numpy(dtype=bool)
        for row, value in zip(co.index[selfish], co["to_id"][selfish]):
            self.warn(cot, row, "to_id", "self_collaboration", value=_shown(value))

        # claims: the value must fit the claim kind
        cl = self.typed["claims"]
        clt = self.tables["claims"]
        parsed = []
        for row, value, kind in zip(cl.index, cl["value"], cl["claim"]):
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


def _pad_date(value: str) -> str:
    parts = value.split("-")
    return "-".join([parts[0]] + [p.zfill(2) for p in parts[1:]])


def _norm_check_id(value: str) -> str:
    v = str(value).strip().replace("．", ".").replace("。", ".")
    if re.fullmatch(r"\d+\.0", v) and v[:-2] in CHECK_IDS:
        return v[:-2]
    return v


def _num(x) -> str:
    f = float(x)
    return str(int(f)) if f.is_integer() else f"{f:g}"


def validate_raw(raw: RawDataset, problems: Problems, *, consume: bool = False) -> Tables | None:
    """Validate raw tables; return typed :class:`Tables`, or None when any error was found (see ``problems``).

    ``consume=True`` empties ``raw`` as it goes (each raw table is dropped once typed), which keeps the peak
    memory of a large load near the size of the typed tables."""
    return _Validator(raw, problems, consume).run()


__all__ += ["BUILTIN_LAYOUT"]
