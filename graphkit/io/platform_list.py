"""A registry import for official lists of national platforms (``graphkit import-platforms``): a CSV or XLSX list with
Chinese or English column names, its host names resolved like an application's (SPEC §11), merged into a dataset.

Columns (first matching header wins; case and spaces ignored):

=============  ==========================================================
platform_id    编号, 平台编号, id, platform_id (optional: ``IMP-P-N`` in list order otherwise)
name           名称, 平台名称, 实验室名称, name (required)
kind           类别, 类型, 平台类别, kind (code or Chinese: 国家重点实验室 …; required)
hosts          依托单位, 依托单位名称, host, hosts, host_ids (one or several, separated by ``|``, ``、``, ``；`` or ``;``)
fields         领域, 学科, 领域/学科, field, fields, field_ids (ids or the annex's names, several allowed; required)
approved       批准年份, 批准时间, 批准, approved, year
status         状态, status (运行 / 重组 / 撤销 or the codes; default active)
source         来源, 出处, source (default ``import:<file name>``)
=============  ==========================================================

A host that is not in the registry becomes a new organisation ``IMP-O-N`` (N from 1 in list order) whose kind is
read from its name (大学/学院 → university; 研究所/研究院/科学院 → research_institute; 公司/集团/厂 → enterprise;
otherwise other — each such guess is a warning). An ambiguous host stops the import until a decisions CSV
(``sheet,row,name,id`` with sheet ``list``) settles it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from graphkit.io.application_book import canonical_enum
from graphkit.io.csv import read_csv_bytes
from graphkit.io.intake import (
    ResolvedName,
    _decision_for,
    _field_id,
    _indexes,
    _map_problems,
    _read_decisions,
    _split,
    raw_from_dataset,
)
from graphkit.io.read import read_raw
from graphkit.model.dataset import Dataset
from graphkit.model.names import Resolution, normalize, resolve_in
from graphkit.model.problems import Problems
from graphkit.model.raw import RawDataset, RawTable, empty_raw_table
from graphkit.model.schema import PLATFORM_KINDS, PLATFORM_STATUSES
from graphkit.model.validate import validate_raw
from graphkit.settings import Settings

__all__ = ["COLUMN_NAMES", "PlatformImport", "guess_org_kind", "import_platforms"]

COLUMN_NAMES: dict[str, tuple[str, ...]] = {
    "platform_id": ("编号", "平台编号", "id", "platform_id"),
    "name": ("名称", "平台名称", "实验室名称", "name"),
    "kind": ("类别", "类型", "平台类别", "kind"),
    "hosts": ("依托单位", "依托单位名称", "host", "hosts", "host_ids"),
    "fields": ("领域", "学科", "领域/学科", "field", "fields", "field_ids"),
    "approved": ("批准年份", "批准时间", "批准", "approved", "year"),
    "status": ("状态", "status"),
    "source": ("来源", "出处", "source"),
}
_KIND_WORDS = ((("研究所", "研究院", "科学院", "institute", "academy"), "research_institute"),
               (("大学", "学院", "university", "college"), "university"), (("公司", "集团", "厂", "co.", "ltd", "inc"), "enterprise"))


def guess_org_kind(name: str) -> str:
    """An organisation's kind read from its name (the import's documented rule).

    >>> guess_org_kind("哈尔滨工业大学"), guess_org_kind("中国科学院沈阳自动化研究所"), guess_org_kind("某某有限公司"), guess_org_kind("某委员会")
    ('university', 'research_institute', 'enterprise', 'other')
    >>> guess_org_kind("中国科学院大学"), guess_org_kind("北京工业学院")
    ('university', 'university')
    """
    low = name.lower()
    if low.endswith(("大学", "university")):
        return "university"
    for words, kind in _KIND_WORDS:
        if any(w in low for w in words):
            return kind
    return "other"


@dataclass
class PlatformImport:
    """The outcome of one import: host resolutions, new ids, problems and (when all is well) the merged dataset."""

    resolutions: list[ResolvedName]
    new_ids: list[str]
    problems: Problems
    dataset: Dataset | None = None
    platform_ids: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.dataset is not None and not self.problems.has_errors()

    def to_dict(self, lang: str = "zh") -> dict:
        return {"platform_ids": self.platform_ids, "resolutions": [r.to_dict() for r in self.resolutions],
                "new_ids": self.new_ids, "errors": self.problems.format_errors(lang), "warnings": self.problems.format_warnings(lang)}


def _read_list(data: bytes, label: str, problems: Problems, settings) -> pd.DataFrame | None:
    if label.lower().endswith((".xlsx", ".xlsm")):
        import io

        from openpyxl import load_workbook

        from graphkit.io.xlsx import _xlsx_cell

        try:
            ws = load_workbook(io.BytesIO(data), read_only=True, data_only=True).worksheets[0]
        except Exception as exc:  # noqa: BLE001 - a damaged file: openpyxl raises many types
            problems.error(label, 1, "*", "workbook_unreadable", detail=f"{type(exc).__name__}: {exc}"[:200])
            return None
        rows = [[_xlsx_cell(v).strip() for v in r] for r in ws.iter_rows(values_only=True)]
        if not rows:
            problems.error(label, 1, "*", "file_empty")
            return None
        width = max(len(r) for r in rows)
        frame = pd.DataFrame([r + [""] * (width - len(r)) for r in rows[1:]], columns=[str(c) for c in rows[0] + [""] * (width - len(rows[0]))])
        frame.index = pd.RangeIndex(2, 2 + len(frame))
        return frame[[any(str(v).strip() for v in r) for r in frame.itertuples(index=False)]]
    table = read_csv_bytes(data, "platform_list", label, problems, settings)
    return None if table is None else table.frame


def _columns(frame: pd.DataFrame) -> dict[str, str]:
    found = {}
    for key, names in COLUMN_NAMES.items():
        for col in frame.columns:
            if re.sub(r"\s+", "", str(col)).lower() in names and key not in found:
                found[key] = col
    return found


def import_platforms(data, source, *, name: str | None = None, decisions=None, accept: float = 0.92,
                     settings: Settings | None = None) -> PlatformImport:
    """Read the list ``source`` (a path, or bytes with ``name``), resolve its hosts against ``data`` and merge."""
    raw_bytes = bytes(source) if isinstance(source, (bytes, bytearray)) else Path(source).read_bytes()
    label = name or (Path(source).name if not isinstance(source, (bytes, bytearray)) else "list.csv")
    problems = Problems()
    result = PlatformImport([], [], problems)
    frame = _read_list(raw_bytes, label, problems, settings)
    dec = _read_decisions(decisions, problems, settings)
    if frame is None or problems.has_errors():
        return result
    cols = _columns(frame)
    for key in ("name", "kind", "hosts", "fields"):
        if key not in cols:
            problems.error(label, 1, key, "column_missing", column=f"{key} ({'/'.join(COLUMN_NAMES[key])})")
    if problems.has_errors():
        return result
    reg = Problems()
    raw = data if isinstance(data, RawDataset) else raw_from_dataset(data) if hasattr(data, "frames") else read_raw(data, reg, settings)
    if reg.has_errors():
        problems.items += reg.items
        return result
    orgs, _ = _indexes(raw)
    new_by_name: dict[str, str] = {}
    new_orgs, plats = [], []
    for n, (row, rec) in enumerate(zip(frame.index.tolist(), frame.to_dict("records")), start=1):
        cell = {k: str(rec.get(c) or "").strip() for k, c in cols.items()}
        pid = cell.get("platform_id") or f"IMP-P-{n}"
        kind = canonical_enum(cell["kind"], PLATFORM_KINDS) if cell["kind"] else None
        if kind is None:
            problems.error(label, row, cols["kind"], "bad_enum", value=cell["kind"], allowed=", ".join(PLATFORM_KINDS))
        status = canonical_enum(cell.get("status", ""), PLATFORM_STATUSES) if cell.get("status") else "active"
        if status is None:
            problems.error(label, row, cols["status"], "bad_enum", value=cell["status"], allowed=", ".join(PLATFORM_STATUSES))
        hosts = []
        for host in _split(cell["hosts"]):
            d = _decision_for(dec, "list", row, host)
            if d is not None and d["id"].lower() != "new" and d["id"] in orgs.names:
                res = Resolution(host, "decision", d["id"], None)
            elif d is not None and d["id"].lower() == "new":
                res = Resolution(host, "decision")
            else:
                res = resolve_in([orgs], host, accept)
            rid = res.resolved_id
            if rid is None and res.method in ("new", "decision"):
                rid = new_by_name.get(normalize(host))
                if rid is None:
                    rid = new_by_name[normalize(host)] = f"IMP-O-{len(new_by_name) + 1}"
                    result.new_ids.append(rid)
                    guessed = guess_org_kind(host)
                    problems.warning(label, row, cols["hosts"], "new_org_kind_guessed", name=host, kind=guessed)
                    new_orgs.append({"org_id": rid, "name": host, "kind": guessed, "source": f"import:{label}"})
            if res.method == "ambiguous":
                cands = "；".join(f"{c.name} ({c.id}, {c.score:g})" for c in res.candidates)
                problems.error(label, row, cols["hosts"], "ambiguous_name", name=host, candidates=cands)
            result.resolutions.append(ResolvedName("list", row, "hosts", host, res.method, rid, res.score, res.candidates,
                                                   orgs.names.get(rid, host) if rid else None))
            if rid:
                hosts.append(rid)
        fields = [_field_id(f, raw) for f in _split(cell["fields"])]
        plats.append({"platform_id": pid, "name": cell["name"], "kind": kind or "", "field_ids": "|".join(fields),
                      "host_ids": "|".join(dict.fromkeys(hosts)), "approved": cell.get("approved", ""), "status": status or "",
                      "source": cell.get("source") or f"import:{label}", "_row": row})
        result.platform_ids.append(pid)
    if problems.has_errors():
        return result
    tables = dict(raw.tables)
    origin = {}
    for table, rows in (("organizations", new_orgs), ("platforms", plats)):
        if not rows:
            continue
        base = tables.get(table) or empty_raw_table(table)
        start = int(base.frame.index.max()) + 1 if len(base.frame) else 2
        add = pd.DataFrame([{k: v for k, v in r.items() if k != "_row"} for r in rows], dtype=object).fillna("")
        add.index = pd.RangeIndex(start, start + len(add))
        if table == "platforms":
            back = {"platform_id": cols.get("platform_id", "platform_id"), "name": cols["name"], "kind": cols["kind"],
                    "field_ids": cols["fields"], "host_ids": cols["hosts"], "approved": cols.get("approved", "approved"),
                    "status": cols.get("status", "status")}
            for i, r in zip(add.index, rows):
                origin[(base.label, int(i))] = (label, r["_row"], back)
        tables[table] = RawTable(table, base.label, pd.concat([base.frame.astype(object), add]).fillna(""), base.extras)
    found = Problems()
    typed = validate_raw(RawDataset(tables, raw.origin, raw.kind, set(raw.failed)), found)
    problems.items += [p for p in _map_problems(found, origin) if p.severity == "error" or p.file == label]
    if typed is None or problems.has_errors():
        return result
    result.dataset = Dataset(typed, Problems([p for p in found.items if p.severity == "warning"]), origin=str(raw.origin))
    return result
