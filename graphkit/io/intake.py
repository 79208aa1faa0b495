"""Application intake (SPEC §11): a names-based application workbook resolved against a registry and merged into it.

Every name (the operating company, shareholders, members, partners, claimed platforms) is resolved by
:mod:`graphkit.model.names`; an unknown organisation becomes ``<center_id>-N`` (N from 1 in sheet order, one id per
distinct name); an ambiguous name stops the intake until a decisions CSV (``sheet,row,name,id`` — an id or ``new``)
settles it. The merged tables are validated as one dataset, and every problem in the application's rows is
reported where the reviewer sees it: ``FILE:SHEET:ROW:COLUMN``. Nothing is written unless all is well.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from graphkit.io.application_book import SHEETS, canonical_enum, read_application_book
from graphkit.io.csv import read_csv_bytes
from graphkit.io.read import read_raw
from graphkit.model.dataset import Dataset
from graphkit.model.names import NameIndex, Resolution, normalize, resolve_in
from graphkit.model.notice import builtin_fields
from graphkit.model.problems import Problem, Problems
from graphkit.model.raw import RawDataset, RawTable, empty_raw_table
from graphkit.model.schema import (
    CLAIM_KINDS,
    COLLABORATION_KINDS,
    INCOME_STREAMS,
    LEVELS,
    MEMBER_ROLES,
    ORG_KINDS,
    TABLES,
)
from graphkit.model.validate import validate_raw
from graphkit.settings import Settings

__all__ = ["RESOLUTION_COLUMNS", "Intake", "ResolvedName", "intake", "resolution_frame", "write_intake"]

log = logging.getLogger(__name__)

RESOLUTION_COLUMNS = ("sheet", "row", "column", "name", "method", "resolved_id", "resolved_name", "score", "candidates")
_ENUMS = {("center", "level"): LEVELS, ("shareholders", "kind"): ORG_KINDS, ("members", "kind"): ORG_KINDS,
          ("members", "role"): MEMBER_ROLES, ("collaborations", "kind"): COLLABORATION_KINDS,
          ("collaborations", "partner_kind"): ORG_KINDS, ("income", "stream"): INCOME_STREAMS,
          ("claims", "claim"): CLAIM_KINDS}
_SPLIT = ("|", "、", "；", ";")


@dataclass
class ResolvedName:
    """One name of the application and how it resolved (the JSON of ``graphkit intake``)."""

    sheet: str
    row: int
    column: str
    name: str
    method: str
    resolved_id: str | None
    score: float | None
    candidates: list = field(default_factory=list)
    resolved_name: str | None = None

    def to_dict(self) -> dict:
        return {"sheet": self.sheet, "row": self.row, "column": self.column, "name": self.name, "method": self.method,
                "resolved_id": self.resolved_id, "score": self.score, "candidates": [c.to_dict() for c in self.candidates]}


@dataclass
class Intake:
    """The outcome of one intake: the resolutions, the new ids, every problem and (when all is well) the merged
    dataset. ``claim_names`` maps a merged claims row to the names the applicant wrote for its entries."""

    center_id: str | None
    application: str
    resolutions: list[ResolvedName]
    new_ids: list[str]
    problems: Problems
    dataset: Dataset | None = None
    claim_rows: dict[int, int] = field(default_factory=dict)
    claim_names: dict[int, dict[str, str]] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return self.dataset is not None and not self.problems.has_errors()

    @property
    def ambiguous(self) -> list[ResolvedName]:
        return [r for r in self.resolutions if r.method == "ambiguous"]

    def to_dict(self, lang: str = "zh") -> dict:
        return {"center_id": self.center_id, "resolutions": [r.to_dict() for r in self.resolutions],
                "new_ids": list(self.new_ids), "errors": self.problems.format_errors(lang),
                "warnings": self.problems.format_warnings(lang)}


def _split(value: str) -> list[str]:
    parts = [value]
    for sep in _SPLIT:
        parts = [x for p in parts for x in p.split(sep)]
    return [p.strip() for p in parts if p.strip()]


def _read_decisions(source, problems: Problems, settings) -> list[dict]:
    if source is None:
        return []
    if isinstance(source, (bytes, bytearray)):
        data, label = bytes(source), "decisions.csv"
    else:
        data, label = Path(source).read_bytes(), Path(source).name
    table = read_csv_bytes(data, "decisions", label, problems, settings)
    if table is None:
        return []
    frame = table.frame
    for column in ("name", "id"):
        if column not in frame.columns:
            problems.error(label, 1, column, "column_missing", column=column)
    if problems.has_errors():
        return []
    out = []
    for row, rec in zip(frame.index.tolist(), frame.to_dict("records")):
        d = {k: str(rec.get(k) or "").strip() for k in ("sheet", "row", "name", "id")}
        if not d["id"]:
            problems.error(label, row, "id", "required_empty")
            continue
        sheet = next((s.key for s in SHEETS.values() if d["sheet"] and d["sheet"].lower() in {n.lower() for n in s.names}), d["sheet"])
        out.append({**d, "sheet": sheet, "_row": row, "_label": label, "_used": False})
    return out


def _row_text(value) -> str:
    text = str(value).strip()
    return text[:-2] if text.endswith(".0") else text  # a row written by Excel or pandas as 6.0


def _decision_for(decisions, sheet, row, name):
    exact = [d for d in decisions if d["sheet"] == sheet and _row_text(d["row"]) == str(row) and normalize(d["name"]) == normalize(name)]
    loose = [d for d in decisions if not d["row"] and normalize(d["name"]) == normalize(name)]
    any_row = [d for d in decisions if normalize(d["name"]) == normalize(name)]
    for group in (exact, loose, any_row):
        if group:
            group[0]["_used"] = True
            return group[0]
    return None


def _field_id(value: str, raw: RawDataset) -> str:
    names = {normalize(f.name_zh): f.field_id for f in builtin_fields()}
    names.update({normalize(f.field_id): f.field_id for f in builtin_fields()})
    if "fields" in raw.tables:
        fr = raw.tables["fields"].frame
        for fid, zh in zip(fr.get("field_id", []), fr.get("name_zh", [""] * len(fr))):
            names[normalize(fid)] = str(fid)
            if zh:
                names[normalize(zh)] = str(fid)
    return names.get(normalize(value), value)


def _indexes(raw: RawDataset) -> tuple[NameIndex, NameIndex]:
    """Name indexes of the registry's organisations (with their aliases) and platforms, from the raw tables."""
    orgs = raw.tables.get("organizations")
    org_cols = ([], [], [])
    if orgs is not None and {"org_id", "name"} <= set(orgs.frame.columns):
        f = orgs.frame
        ids, names = f["org_id"].astype(str).tolist(), f["name"].astype(str).tolist()
        aliases = [[a for a in str(al).split("|") if a.strip()] if al else ()
                   for al in (f["aliases"].tolist() if "aliases" in f.columns else [""] * len(f))]
        keep = [i for i, x in enumerate(ids) if x]
        org_cols = ([ids[i] for i in keep], [names[i] for i in keep], [aliases[i] for i in keep])
    plats = raw.tables.get("platforms")
    plat_cols = ([], [], [])
    if plats is not None and {"platform_id", "name"} <= set(plats.frame.columns):
        f = plats.frame
        ids, names = f["platform_id"].astype(str).tolist(), f["name"].astype(str).tolist()
        plat_cols = (ids, names, [()] * len(ids))
    return NameIndex(columns=org_cols), NameIndex(columns=plat_cols)


class _Merge:
    """Rows to add to each contract table, each remembered with where it came from in the workbook."""

    def __init__(self, raw: RawDataset, source: str):
        self.raw, self.source = raw, source
        self.rows: dict[str, list[dict]] = {}
        self.origin: dict[tuple[str, int], tuple[str, int, dict]] = {}
        self.start = {n: (int(t.frame.index.max()) + 1 if len(t.frame) else 2) for n, t in raw.tables.items()}

    def add(self, table: str, values: dict, sheet_rows, row: int, columns: dict) -> int:
        rows = self.rows.setdefault(table, [])
        number = self.start.get(table, 2) + len(rows)
        rows.append({**values, "source": self.source})
        label = self.raw.tables[table].label if table in self.raw.tables else TABLES[table].filename
        headers = {k: sheet_rows.headers.get(v, v) for k, v in columns.items()}
        self.origin[(label, number)] = (sheet_rows.label, row, headers)
        return number

    def merged(self) -> RawDataset:
        tables = dict(self.raw.tables)
        for name, rows in self.rows.items():
            base = tables.get(name) or empty_raw_table(name)
            add = pd.DataFrame(rows, dtype=object).fillna("")
            add.index = pd.RangeIndex(self.start.get(name, 2), self.start.get(name, 2) + len(add))
            frame = pd.concat([base.frame.astype(object), add], axis=0).fillna("")
            tables[name] = RawTable(name, base.label, frame, base.extras)
        return RawDataset(tables, self.raw.origin, self.raw.kind, set(self.raw.failed))


def _plain(value) -> str:
    """A typed cell back to the text a reader would have produced (no formula neutralisation: nothing is written)."""
    import math

    if value is None or value is pd.NA or value is pd.NaT:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool) or type(value).__name__ == "bool_":
        return "true" if value else "false"
    if isinstance(value, float):
        return "" if math.isnan(value) else (str(int(value)) if value.is_integer() else repr(value))
    if isinstance(value, (list, tuple)):
        return "|".join(str(v) for v in value)
    return str(value)


def raw_from_dataset(ds) -> RawDataset:
    """A loaded dataset as raw string tables again (the app's registry is a dataset in memory, not a file)."""
    from graphkit.io.export import dataset_tables

    tables = {}
    for name, frame in dataset_tables(ds).items():
        cols = [c for c in frame.columns if c != "parsed_value"]
        data = {c: [_plain(v) for v in frame[c].tolist()] for c in cols}
        out = pd.DataFrame(data, columns=cols, dtype=object)
        out.index = pd.RangeIndex(2, 2 + len(out))
        tables[name] = RawTable(name, TABLES[name].filename, out)
    return RawDataset(tables, str(getattr(ds, "origin", "") or "dataset"), "csv")


def intake(data, application, *, decisions=None, accept: float = 0.92, name: str | None = None,
           settings: Settings | None = None) -> Intake:
    """Resolve the application workbook ``application`` (a path, or bytes with ``name``) against the registry
    ``data`` (any dataset source, a loaded :class:`Dataset` or raw tables) and merge it; never raises for bad input (the problems say what is wrong)."""
    if isinstance(application, (bytes, bytearray)):
        book_bytes, label = bytes(application), name or "application.xlsx"
    else:
        book_bytes, label = Path(application).read_bytes(), name or Path(application).name
    book = read_application_book(book_bytes, label, settings)
    problems = book.problems
    result = Intake(None, label, [], [], problems)
    dec = _read_decisions(decisions, problems, settings)
    if problems.has_errors():
        return result
    center = dict(book.sheets["center"].rows[0][1]) if book.sheets["center"].rows else {}
    center_row = book.sheets["center"].rows[0][0]
    cid = center.get("center_id", "")
    result.center_id = cid or None
    if not cid:
        problems.error(book.sheets["center"].label, center_row, book.sheets["center"].headers.get("center_id", "center_id"), "required_empty")
    for key, sheet_rows in book.sheets.items():  # enum cells: code or Chinese term
        for row, values in sheet_rows.rows:
            for column, cell in values.items():
                allowed = _ENUMS.get((key, column))
                if allowed and cell:
                    code = canonical_enum(cell, allowed)
                    if code is None:
                        problems.error(sheet_rows.label, row, sheet_rows.headers[column], "bad_enum", value=cell, allowed=", ".join(allowed))
                    else:
                        values[column] = code
    if problems.has_errors():
        return result
    reg_problems = Problems()
    if isinstance(data, RawDataset):
        raw = data
    elif hasattr(data, "frames"):
        raw = raw_from_dataset(data)
    else:
        raw = read_raw(data, reg_problems, settings)
    if reg_problems.has_errors():
        problems.items += reg_problems.items
        return result
    orgs, platforms = _indexes(raw)
    merge = _Merge(raw, f"application:{label}")
    new_by_name: dict[str, str] = {}
    new_rows: list[tuple[str, dict, object, int, dict]] = []
    known_ids = set(orgs.names) | set(platforms.names)

    def resolve(sheet_rows, row, column, text, indexes, new_org: dict | None):
        res: Resolution
        decision = _decision_for(dec, sheet_rows.sheet.key, row, text)
        if decision is not None:
            did = decision["id"]
            if did.lower() == "new":
                res = Resolution(text, "decision")
            elif did in known_ids and any(did in ix.names for ix in indexes):
                res = Resolution(text, "decision", did, None)
            else:
                problems.error(decision["_label"], decision["_row"], "id", "decision_unknown_id", value=did)
                res = resolve_in(indexes, text, accept)
        else:
            res = resolve_in(indexes, text, accept)
        rid = res.resolved_id
        if rid is None and res.method in ("new", "decision") and new_org is not None:
            key = normalize(text)
            rid = new_by_name.get(key)
            if rid is None:
                rid = new_by_name[key] = f"{cid}-{len(new_by_name) + 1}"
                result.new_ids.append(rid)
                new_rows.append((rid, {**new_org, "name": text}, sheet_rows, row, column))
        shown = next((ix.names[rid] for ix in indexes if rid in ix.names), None) if rid else None
        result.resolutions.append(ResolvedName(sheet_rows.sheet.key, row, column, text, res.method,
                                               rid, res.score, res.candidates, shown or (text if rid else None)))
        if res.method == "ambiguous":
            cands = "；".join(f"{c.name} ({c.id}, {c.score:g})" for c in res.candidates)
            problems.error(sheet_rows.label, row, sheet_rows.headers.get(column, column), "ambiguous_name", name=text, candidates=cands)
        return rid

    csheet = book.sheets["center"]
    op = center.get("operating_company", "")
    # close matches of every name no exact step resolves, in one batch per index
    org_names = [op] + [v.get(c, "") for k, c in (("shareholders", "name"), ("members", "name"), ("collaborations", "partner"))
                        for _, v in (book.sheets[k].rows if k in book.sheets else [])]
    orgs.prefetch([n for n in org_names if n])
    platforms.prefetch([v.get("name", "") for _, v in (book.sheets["members"].rows if "members" in book.sheets else []) if v.get("name")]
                       + [e for _, v in (book.sheets["claims"].rows if "claims" in book.sheets else [])
                          if v.get("claim") == "covered_platforms" for e in _split(v.get("value", ""))])
    op_id = resolve(csheet, center_row, "operating_company", op, [orgs], {"kind": "enterprise", "_cols": {}}) if op else ""
    rows_of = {k: (book.sheets[k].rows if k in book.sheets else []) for k in SHEETS}
    share_ids = [(row, v, resolve(book.sheets["shareholders"], row, "name", v["name"], [orgs], _org(v, "kind", "country")))
                 for row, v in rows_of["shareholders"] if v.get("name")]
    member_ids = [(row, v, resolve(book.sheets["members"], row, "name", v["name"], [orgs, platforms], _org(v, "kind", "country")))
                  for row, v in rows_of["members"] if v.get("name")]
    collab_ids = [(row, v, resolve(book.sheets["collaborations"], row, "partner", v["partner"], [orgs], _org(v, "partner_kind", "partner_country")))
                  for row, v in rows_of["collaborations"] if v.get("partner")]
    claim_entries = []
    for row, v in rows_of["claims"]:
        if v.get("claim") == "covered_platforms" and v.get("value"):
            ids = [(e, resolve(book.sheets["claims"], row, "value", e, [platforms], None)) for e in _split(v["value"])]
            claim_entries.append((row, v, ids))
        else:
            claim_entries.append((row, v, None))
    for d in dec:
        if not d["_used"]:
            problems.warning(d["_label"], d["_row"], "name", "decision_unused", name=d["name"])
    for sheet_rows, row, name_col in [(book.sheets[k], r, "name") for k in ("shareholders", "members") for r, v in rows_of[k] if not v.get("name")] + \
            [(book.sheets["collaborations"], r, "partner") for r, v in rows_of["collaborations"] if not v.get("partner")]:
        problems.error(sheet_rows.label, row, sheet_rows.headers.get(name_col, name_col), "required_empty")
    if problems.has_errors():
        return result
    # the merged rows, each remembered with its workbook cell for messages
    for rid, org, sheet_rows, row, column in new_rows:
        cols = org.pop("_cols")
        if not org.get("kind"):
            problems.warning(sheet_rows.label, row, sheet_rows.headers.get(column, column), "new_org_kind", name=org["name"])
            org["kind"] = "other"
        merge.add("organizations", {"org_id": rid, **org}, sheet_rows, row, {"org_id": column, "name": column, **cols})
    values = {"center_id": cid, "name": center.get("name", ""), "level": center.get("level", ""),
              "field_id": _field_id(center.get("field", ""), raw), "operating_company_id": op_id or ""}
    for c in ("province", "city", "founded", "year", "employees", "rd_staff", "total_cost", "rd_expense", "has_board",
              "has_management_team", "has_expert_committee", "committee_chair", "chair_is_leading_expert",
              "has_roadmap", "roadmap_year", "has_ip_policy"):
        values[c] = center.get(c, "")
    merge.add("centers", values, csheet, center_row, {**{c: c for c in values}, "field_id": "field", "operating_company_id": "operating_company"})
    for row, v, oid in share_ids:
        merge.add("shareholders", {"center_id": cid, "org_id": oid, "share_pct": v.get("share_pct", ""), "capital": v.get("capital", "")},
                  book.sheets["shareholders"], row, {"org_id": "name", "share_pct": "share_pct", "capital": "capital", "center_id": "name"})
    for row, v, mid in member_ids:
        merge.add("alliance_members", {"center_id": cid, "member_id": mid, "role": v.get("role", ""), "joined": v.get("joined", "")},
                  book.sheets["members"], row, {"member_id": "name", "role": "role", "joined": "joined", "center_id": "name"})
    for row, v, oid in collab_ids:
        merge.add("collaborations", {"from_id": cid, "to_id": oid, "kind": v.get("kind", ""), "year": v.get("year", ""),
                                     "project": v.get("project", "")},
                  book.sheets["collaborations"], row, {"to_id": "partner", "kind": "kind", "year": "year", "project": "project", "from_id": "partner"})
    for row, v in rows_of["income"]:
        merge.add("income", {"center_id": cid, "year": v.get("year", ""), "stream": v.get("stream", ""), "amount": v.get("amount", "")},
                  book.sheets["income"], row, {"year": "year", "stream": "stream", "amount": "amount", "center_id": "year"})
    for row, v, ids in claim_entries:
        value = v.get("value", "")
        if ids is not None:
            value = "|".join(pid or e for e, pid in ids)
        number = merge.add("claims", {"center_id": cid, "claim": v.get("claim", ""), "value": value,
                                      "field_id": _field_id(v["field"], raw) if v.get("field") else ""},
                           book.sheets["claims"], row, {"claim": "claim", "value": "value", "field_id": "field", "center_id": "claim"})
        result.claim_rows[number] = row
        if ids is not None:
            result.claim_names[number] = {pid: e for e, pid in ids if pid}
    merged = merge.merged()
    found = Problems()
    tables = validate_raw(merged, found)
    mapped = _map_problems(found, merge.origin)
    problems.items += [p for p in mapped if p.severity == "error" or ":" in p.file]
    if tables is None or problems.has_errors():
        return result
    result.dataset = Dataset(tables, Problems([p for p in found.items if p.severity == "warning"]), origin=str(raw.origin))
    return result


def _org(values: dict, kind_col: str, country_col: str) -> dict:
    out = {"kind": values.get(kind_col, ""), "country": values.get(country_col, ""), "province": values.get("province", ""),
           "is_sme": values.get("is_sme", "")}
    return {**out, "_cols": {"kind": kind_col, "country": country_col, "province": "province", "is_sme": "is_sme"}}


def _map_problems(found: Problems, origin) -> list[Problem]:
    out = []
    for p in found.items:
        where = origin.get((p.file, p.row))
        if where is None:
            out.append(p)
            continue
        label, row, headers = where
        params = tuple((k, _first_row(v, p.file, origin) if k == "first" else v) for k, v in p.params)
        out.append(Problem(p.severity, label, row, headers.get(p.column, p.column), p.code, params))
    return out


def _first_row(value, file: str, origin):
    """A message's "first seen in row N" pointed at the workbook row when row N is one of the application's."""
    try:
        where = origin.get((file, int(value)))
    except (TypeError, ValueError):
        return value
    return value if where is None else f"{where[0]}:{where[1]}"


def resolution_frame(result: Intake) -> pd.DataFrame:
    """The resolution report as a table (one row per name; candidates as ``id 名称 (score)`` joined by ``；``)."""
    rows = [[r.sheet, r.row, r.column, r.name, r.method, r.resolved_id or "", r.resolved_name or "",
             "" if r.score is None else r.score, "；".join(f"{c.id} {c.name} ({c.score:g})" for c in r.candidates)]
            for r in result.resolutions]
    return pd.DataFrame(rows, columns=list(RESOLUTION_COLUMNS))


def write_intake(result: Intake, output) -> Path:
    """Write the merged dataset as a folder of CSVs with ``resolution.csv`` and ``resolution.xlsx`` beside them,
    atomically (all or nothing)."""
    from graphkit.errors import GraphkitError
    from graphkit.io.export import (
        _csv_bytes,
        dataset_tables,
        table_to_csv_bytes,
        table_to_xlsx_bytes,
    )
    from graphkit.io.files import atomic_folder

    if not result.ok:
        raise GraphkitError("the intake has errors; nothing was written")
    output = Path(output)
    allowed = [t.filename for t in TABLES.values()] + ["resolution.csv", "resolution.xlsx"]
    frame = resolution_frame(result)
    with atomic_folder(output, allowed) as tmp:
        for name, table in dataset_tables(result.dataset).items():
            (tmp / TABLES[name].filename).write_bytes(_csv_bytes(table, name))
        (tmp / "resolution.csv").write_bytes(table_to_csv_bytes(frame))
        (tmp / "resolution.xlsx").write_bytes(table_to_xlsx_bytes({"resolution": frame}))
    return output


def merged_zip_bytes(result: Intake) -> bytes:
    """The merged dataset's CSVs and ``resolution.csv`` in one zip (what the app offers for download)."""
    import io
    import zipfile

    from graphkit.io.export import _csv_bytes, dataset_tables, table_to_csv_bytes

    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, table in dataset_tables(result.dataset).items():
            zf.writestr(TABLES[name].filename, _csv_bytes(table, name))
        zf.writestr("resolution.csv", table_to_csv_bytes(resolution_frame(result)))
    return buf.getvalue()
