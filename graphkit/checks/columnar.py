"""The columnar check engine: every check's status and value for every center at once, as array operations.

:func:`check_table` computes the statuses (centers × checks) and the values of every computed check over the
dataset's index, the coverage model and the collaboration positions — the same inputs the per-center rules of
:mod:`graphkit.checks.conditions` read, on the same evaluation-date view. :func:`check_all` wraps it as
:class:`~graphkit.checks.conditions.CenterChecks` whose ``eligible`` comes from the table and whose results
(messages, evidence, names) are formatted only when a caller opens them, by the per-center rules themselves, so
the text has one source. ``tests/checks/test_columnar.py`` asserts both engines agree on every field.
"""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pandas as pd

from graphkit.checks.conditions import (
    INSUFFICIENT,
    MET,
    NEEDS_REVIEW,
    NOT_MET,
    CenterChecks,
    evaluate,
    last_complete_year,
    operating_years,
)
from graphkit.checks.facts import _clean, _tables, gather_facts, is_missing
from graphkit.model.notice import CHECK_IDS
from graphkit.model.schema import ORG_KINDS
from graphkit.queries.coverage import _exact, coverage_model
from graphkit.rules.thresholds import Rules

__all__ = ["CheckTable", "ColumnarCenterChecks", "check_all", "check_table"]

_ST = np.array([MET, NOT_MET, INSUFFICIENT, NEEDS_REVIEW], dtype=object)
_FIRMS_AND_SCHOLARS = ("enterprise", "university", "research_institute")
_ENTERPRISES = ("enterprise", "user")
_YN = {1: True, 0: False, -1: None}


def _combine(*parts: np.ndarray) -> np.ndarray:
    """Parts as int8 (1 true, 0 false, -1 unknown) → status codes (0 met, 1 not met, 2 insufficient)."""
    p = np.vstack(parts)
    return np.where((p == 0).any(axis=0), 1, np.where((p == -1).any(axis=0), 2, 0)).astype(np.int8)


def _tri(ok: np.ndarray, unknown: np.ndarray | None = None) -> np.ndarray:
    out = ok.astype(np.int8)
    if unknown is not None:
        out[unknown] = -1
    return out


def _in_rows(m, rows: np.ndarray, cols: np.ndarray) -> np.ndarray:
    """Whether entry (rows[i], cols[i]) is stored in the sparse matrix ``m``."""
    coo = m.tocoo()
    n = m.shape[1] + 1
    keys = np.sort(coo.row.astype(np.int64) * n + coo.col)
    q = rows.astype(np.int64) * n + cols
    at = np.searchsorted(keys, q)
    return (at < len(keys)) & (keys[np.minimum(at, len(keys) - 1)] == q) if len(keys) else np.zeros(len(q), bool)


def _distinct(rows: np.ndarray, cols: np.ndarray, mask: np.ndarray, C: int) -> np.ndarray:
    """Per row, how many distinct ``cols`` among the entries where ``mask`` holds."""
    r, c = rows[mask].astype(np.int64), cols[mask].astype(np.int64)
    if not len(r):
        return np.zeros(C, dtype=np.int64)
    u = np.unique(r * (int(c.max()) + 2) + (c + 1))
    return np.bincount(u // (int(c.max()) + 2), minlength=C)


class CheckTable:
    """Statuses (``status[c, k]``, codes into ``STATUSES``) and value columns of every center and check."""

    def __init__(self, center_ids, as_of, status, values):
        self.center_ids, self.as_of, self.status, self._values = center_ids, as_of, status, values

    def status_of(self, c: int, check_id: str) -> str:
        return _ST[self.status[c, CHECK_IDS.index(check_id)]]

    def statuses(self, c: int) -> list[str]:
        return _ST[self.status[c]].tolist()

    def eligible(self) -> np.ndarray:
        return (self.status == 0).all(axis=1)

    def value(self, c: int, check_id: str):
        fn = self._values.get(check_id)
        return fn(c) if fn else None


def _bools(centers: pd.DataFrame, name: str) -> np.ndarray:
    return np.array([-1 if is_missing(v) else int(bool(v)) for v in centers[name].tolist()], dtype=np.int8)


def _ratio(centers, num_name, den_name, threshold):
    """(status codes, values) of a ratio check, exact like the per-center rule (Fraction of the decimal text)."""
    t = Fraction(str(threshold))
    status, values = [], []
    for num, den in zip(centers[num_name].tolist(), centers[den_name].tolist()):
        num, den = _clean(num), _clean(den)
        if num is None or den is None:
            status.append(2), values.append(None)
        elif den == 0:
            status.append(1), values.append(None)
        else:
            r = (Fraction(num) if isinstance(num, int) else Fraction(str(num))) / (Fraction(den) if isinstance(den, int) else Fraction(str(den)))
            status.append(0 if r >= t else 1), values.append(float(r))
    return np.array(status, dtype=np.int8), values


def check_table(ds, rules: Rules | None = None, as_of=None) -> CheckTable:
    """Every check's status and value for every center of ``ds`` on the evaluation date ``as_of``."""
    from graphkit.queries.asof import dataset_as_of

    rules = rules or Rules()
    date = rules.evaluation_date(as_of)
    view = dataset_as_of(ds, date)
    ix, t = view.index, _tables(view)
    C = ix.shape[0]
    K = len(CHECK_IDS)
    centers = t.centers
    cids = ix.centers.to_numpy(dtype=object)
    status = np.full((C, K), 3, dtype=np.int8)  # attested checks: needs review
    values: dict[str, object] = {}
    col = {k: i for i, k in enumerate(CHECK_IDS)}
    kinds_arr = np.array(list(ORG_KINDS), dtype=object)
    fields = ix.center_field

    # 1: the field's layout
    layouts = np.array([(view.fields.get(f).layout if view.fields.get(f) else None) for f in ix.fields], dtype=object)
    lay = layouts[fields]
    status[:, col["1"]] = np.where(lay == rules.active_layout, 0, 1)
    values["1"] = lambda c: lay[c]

    # members and shareholders as (center, org) entries
    mo, sh = ix.member_org.tocoo(), ix.share.tocoo()
    m_rows, m_cols = mo.row.astype(np.int64), mo.col.astype(np.int64)
    s_rows, s_cols = sh.row.astype(np.int64), sh.col.astype(np.int64)
    n_members = np.diff(ix.member_org.indptr) + np.diff(ix.member_platform.indptr)
    opco = ix.center_opco.astype(np.int64)
    opco_named = centers["operating_company_id"].notna().to_numpy() & (centers["operating_company_id"].fillna("") != "").to_numpy()
    opco_kind = np.where(opco >= 0, kinds_arr[ix.org_kind[np.maximum(opco, 0)]], None)
    opco_member = np.zeros(C, dtype=bool)
    opco_member[m_rows[m_cols == opco[m_rows]]] = True
    others = n_members - (opco_member & (opco >= 0))

    # 4.1
    company = _tri(opco_kind == "enterprise", ~opco_named)
    status[:, col["4.1"]] = _combine(company, _tri(others >= 1))
    values["4.1"] = lambda c: {"operating_company_kind": opco_kind[c], "members": int(others[c])}

    # 4.2 / 6.1: shareholders by kind and rank in the field's latest ranking
    s_kind = kinds_arr[ix.org_kind[s_cols]]
    n_sh = np.bincount(s_rows, minlength=C)
    F = ix.shape[3]
    rank_keys = np.array([ix.org_pos[o] * F + ix.field_pos[f] for (o, f) in t.rank
                          if o in ix.org_pos and f in ix.field_pos], dtype=np.int64)
    rank_vals = np.array([r for (o, f), r in t.rank.items() if o in ix.org_pos and f in ix.field_pos], dtype=np.int64)
    order = np.argsort(rank_keys)
    rank_keys, rank_vals = rank_keys[order], rank_vals[order]
    q = s_cols * F + fields[s_rows]
    at = np.searchsorted(rank_keys, q)
    found = (at < len(rank_keys)) & (rank_keys[np.minimum(at, max(len(rank_keys) - 1, 0))] == q) if len(rank_keys) else np.zeros(len(q), bool)
    rk = np.where(found, rank_vals[np.minimum(at, max(len(rank_keys) - 1, 0))] if len(rank_keys) else 0, 0)
    top_mask = (s_kind == "enterprise") & found & (rk >= 1) & (rk <= rules.top_rank)
    n_top = np.bincount(s_rows[top_mask], minlength=C)
    has_rank = np.array([f in t.ranked_fields for f in ix.fields], dtype=bool)[fields]
    ranked = np.where(n_top >= rules.min_top10_shareholders, 1, np.where(~has_rank, -1, 0)).astype(np.int8)
    status[:, col["4.2"]] = _combine(_tri(n_sh >= rules.min_shareholders), ranked)
    values["4.2"] = lambda c: int(n_top[c])
    n_inv = np.bincount(s_rows[s_kind == "investor"], minlength=C)
    status[:, col["6.1"]] = np.where(n_inv > 0, 0, 1)
    values["6.1"] = lambda c: int(n_inv[c])

    # 4.3: member kinds, provinces, coverage of the own field
    required = list(rules.required_member_kinds)
    kind_present = np.zeros((C, len(required)), dtype=bool)
    m_kind = kinds_arr[ix.org_kind[m_cols]]
    for j, k in enumerate(required):
        kind_present[m_rows[m_kind == k], j] = True
    if "user" in required:
        ju = required.index("user")
        for cid, mids in t.user_role.items():
            if cid in ix.center_pos and any(m in ix.org_pos for m in mids):
                kind_present[ix.center_pos[cid], ju] = True
    prov = ix.org_province
    truthy = np.fromiter((bool(p) for p in prov.tolist()), dtype=bool, count=len(prov))
    pcode = pd.factorize(pd.Series(prov, dtype=object), use_na_sentinel=False)[0]
    pm = truthy[m_cols]
    n_prov = _distinct(m_rows, pcode[m_cols], pm, C)
    no_prov = np.bincount(m_rows[~pm & ~ix.org_foreign[m_cols]], minlength=C)
    need = rules.min_member_provinces
    prov_ok = np.where(n_prov >= need, 1, np.where(n_prov + no_prov >= need, -1, 0)).astype(np.int8)
    model = coverage_model(view, rules)
    covered_m, totals_f = model.matrix()
    covered = covered_m[np.arange(C), fields]
    total = totals_f[fields]
    th = _exact(rules.min_coverage)
    cov_ok = np.where(total == 0, -1, (covered * th.denominator >= th.numerator * total).astype(np.int8)).astype(np.int8)
    status[:, col["4.3"]] = _combine(_tri(kind_present.all(axis=1)), prov_ok, cov_ok)
    values["4.3"] = lambda c: {"coverage": None if total[c] == 0 else int(covered[c]) / int(total[c]),
                               "covered": int(covered[c]), "total": int(total[c]), "provinces": int(n_prov[c]),
                               "member_kinds": [k for j, k in enumerate(required) if kind_present[c, j]]}

    # 5.1, 7.1, 8.1, 9.1: the center's own yes/no fields
    for cid_, names in (("5.1", ("has_board", "has_management_team")), ("7.1", ("has_expert_committee", "chair_is_leading_expert")),
                        ("8.1", ("has_roadmap",)), ("9.1", ("has_ip_policy",))):
        cols = [_bools(centers, n) for n in names]
        status[:, col[cid_]] = _combine(*cols)
        values[cid_] = ((lambda cols, names: lambda c: {n: _YN[int(v[c])] for n, v in zip(names, cols)})(cols, names)
                        if len(names) > 1 else (lambda v: lambda c: _YN[int(v[c])])(cols[0]))

    # 6.2: market income streams in the last complete years
    latest = last_complete_year(date)
    inc = view.frames["income"]
    has_income = np.zeros(C, dtype=bool)
    n_latest = np.zeros(C, dtype=np.int64)
    years_ok = np.ones(C, dtype=bool)
    if len(inc):
        g = inc.groupby(["center_id", "year", "stream"], sort=False)["amount"].sum().reset_index()
        gc = g["center_id"].map(ix.center_pos).to_numpy()
        known = ~pd.isna(gc)
        g, gc = g[known], gc[known].astype(np.int64)
        has_income[gc] = True
        mk = (g["stream"].isin(list(rules.income_streams)) & (g["amount"] > 0)).to_numpy()
        gy = g["year"].astype("int64").to_numpy()
        n_latest = np.bincount(gc[mk & (gy == latest)], minlength=C)
        for y in range(latest - rules.income_years + 1, latest + 1):
            any_y = np.zeros(C, dtype=bool)
            any_y[gc[mk & (gy == y)]] = True
            years_ok &= any_y
    st62 = np.where((n_latest >= rules.min_income_streams) & years_ok, 0, 1)
    status[:, col["6.2"]] = np.where(has_income, st62, 2)
    values["6.2"] = lambda c: int(n_latest[c]) if has_income[c] else None

    # 7.2, 7.3
    for cid_, num, den, thr in (("7.2", "rd_staff", "employees", rules.min_rd_staff_ratio),
                                ("7.3", "rd_expense", "total_cost", rules.min_rd_expense_ratio)):
        st, vals = _ratio(centers, num, den, thr)
        status[:, col[cid_]] = st
        values[cid_] = vals.__getitem__

    # 8.2, 9.2, 10.2, 11: the center's collaborations as (center, position) pairs
    by_center = ix.collab_by_center
    if by_center:
        pc = np.concatenate([np.full(len(p), c, dtype=np.int64) for c, p in by_center.items()])
        pp = np.concatenate(list(by_center.values())).astype(np.int64)
    else:
        pc = pp = np.zeros(0, dtype=np.int64)
    kind_c, project_c = t.collab_columns[2], t.collab_columns[3]
    ck = kind_c[pp]
    proj = np.fromiter((bool(_clean(p)) for p in project_c[pp].tolist()), dtype=bool, count=len(pp))
    to = ix.collab_to[pp].astype(np.int64)
    tk = kinds_arr[ix.org_kind[to]]
    tf = ix.org_foreign[to]
    joint = (ck == "joint_rd") & proj
    ent = joint & (tk == "enterprise")
    uni = joint & ((tk == "university") | (tk == "research_institute"))
    firms = np.isin(tk, _FIRMS_AND_SCHOLARS)
    fgn = joint & tf & firms
    v82 = [_distinct(pc, to, m, C) for m in (ent, uni, fgn)]
    status[:, col["8.2"]] = np.where((v82[0] > 0) & (v82[1] > 0) & (v82[2] > 0), 0, 1)
    values["8.2"] = lambda c: {"enterprise": int(v82[0][c]), "university_or_institute": int(v82[1][c]), "foreign": int(v82[2][c])}
    ents = np.isin(tk, _ENTERPRISES)
    n92 = np.bincount(pc[((ck == "tech_transfer") | (ck == "incubation")) & ents], minlength=C)
    status[:, col["9.2"]] = np.where(n92 > 0, 0, 1)
    values["9.2"] = lambda c: int(n92[c])
    outside = ~(_in_rows(ix.member_org, pc, to) | _in_rows(ix.share, pc, to) | (to == opco[pc]))
    n102 = _distinct(pc, to, outside, C)
    status[:, col["10.2"]] = np.where(np.bincount(pc[outside], minlength=C) > 0, 0, 1)
    values["10.2"] = lambda c: int(n102[c])
    hits = tf & firms
    n11 = _distinct(pc, to, hits, C)
    status[:, col["11"]] = np.where(np.bincount(pc[hits], minlength=C) > 0, 0, 1)
    values["11"] = lambda c: int(n11[c])

    # 12: full operating years
    years = [operating_years(_clean(f), date) for f in centers["founded"].tolist()]
    status[:, col["12"]] = [2 if y is None else (0 if y >= rules.min_operating_years else 1) for y in years]
    values["12"] = years.__getitem__

    # assessments override the computed status
    codes = {s: i for i, s in enumerate(_ST)}
    for cid, checks in t.assessments.items():
        if cid in ix.center_pos:
            for k, a in checks.items():
                if k in col:
                    status[ix.center_pos[cid], col[k]] = codes[a["status"]]
    return CheckTable(cids, date, status, values)


class ColumnarCenterChecks(CenterChecks):
    """One center's checks from a :class:`CheckTable`: ``eligible`` at once, the results formatted on first use."""

    def __init__(self, table: CheckTable, c: int, view, rules: Rules):
        self.center_id, self.as_of = table.center_ids[c], table.as_of.isoformat()
        self._table, self._c, self._view, self._rules, self._checks = table, c, view, rules, None

    @property
    def checks(self):
        if self._checks is None:
            self._checks = evaluate(gather_facts(self._view, self.center_id, self._rules), self._rules, self._table.as_of).checks
        return self._checks

    @property
    def eligible(self) -> bool:
        return bool((self._table.status[self._c] == 0).all())

    def __reduce__(self):  # a pickled result is a plain one: formatted, without the table and the view
        return (CenterChecks, (self.center_id, self.as_of, self.checks))

    def status(self, check_id: str) -> str:
        return self._table.status_of(self._c, check_id)


def check_all(ds, *, as_of=None, rules: Rules | None = None) -> list[CenterChecks]:
    """Every center's checks (sorted by id), statuses from :func:`check_table`, texts formatted lazily."""
    from graphkit.queries.asof import dataset_as_of

    rules = rules or Rules()
    table = check_table(ds, rules, as_of)
    view = dataset_as_of(ds, table.as_of)
    order = np.argsort(table.center_ids.astype(str), kind="stable")
    return [ColumnarCenterChecks(table, int(c), view, rules) for c in order]

