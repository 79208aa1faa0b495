"""The RDF door: CSV → Turtle / JSON-LD → load gives the same dataset, whatever the strings; bad RDF is a problem."""

from __future__ import annotations

import json
import string
from datetime import date

import pytest
from conftest import eligible_tables, write_dataset
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from rdflib import Graph
from rdflib.compare import isomorphic

from graphkit import load_dataset, validate_dataset
from graphkit.errors import InvalidDatasetError
from graphkit.io.rdf.parse import nodes_from_graph, parse_jsonld, parse_turtle
from graphkit.io.rdf.read import raw_from_graph, raw_from_nodes, read_rdf
from graphkit.io.rdf.write import to_graph, to_jsonld, to_turtle, write_rdf
from graphkit.model.notice import CHECK_IDS
from graphkit.model.problems import Problems
from graphkit.model.schema import (
    ASSESSMENT_STATUSES,
    CLAIM_KINDS,
    COLLABORATION_KINDS,
    INCOME_STREAMS,
    MEMBER_ROLES,
    ORG_KINDS,
    PLATFORM_KINDS,
    PLATFORM_STATUSES,
    TABLES,
)

HOSTILE = [
    'say "hi"', "back\\slash\\", "two\nlines", '"""triple"""', "<script>alert(1)</script>", "机器人创新中心",
    "\u202eRTL\u200f mark", "emoji 🤖🏭", "tab\there", "a ; b . c", "semi;colon.", "#hash", "'quote'", "\\u0041",
    "@prefix x: <y> .", "100%", "&amp;", "x^^xsd:int", "( list )", "\u00a0nbsp\u00a0inside",
]

pytestmark = pytest.mark.filterwarnings("ignore:ConjunctiveGraph is deprecated:DeprecationWarning")  # rdflib's JSON-LD parser


def load_text(text: str, name: str):
    return load_dataset(text.encode("utf-8"), name=name)


def assert_round_trip(ds):
    """Turtle and JSON-LD both come back as the same dataset, and both describe the same graph."""
    ttl, jsonld = to_turtle(ds), to_jsonld(ds)
    from_ttl = load_text(ttl, "data.ttl")
    from_jsonld = load_text(jsonld, "data.jsonld")
    assert from_ttl.same_as(ds), _diff(ds, from_ttl)
    assert from_jsonld.same_as(ds), _diff(ds, from_jsonld)
    assert to_turtle(from_ttl) == ttl  # load → export → load is the identity, text and all
    return ttl, jsonld


def _diff(a, b) -> str:
    ca, cb = a.canonical(), b.canonical()
    return "\n".join(f"{k}:\n  {ca[k]}\n  {cb.get(k)}" for k in ca if ca[k] != cb.get(k))


# ---- examples -------------------------------------------------------------------------------------------------

def test_tiny_round_trips(tiny_dir):
    assert_round_trip(load_dataset(tiny_dir))


def test_eligible_round_trips_and_both_syntaxes_give_one_graph(eligible):
    ttl, jsonld = assert_round_trip(eligible)
    assert isomorphic(Graph().parse(data=ttl, format="turtle"), Graph().parse(data=jsonld, format="json-ld"))
    assert isomorphic(to_graph(eligible), Graph().parse(data=ttl, format="turtle"))


def test_hostile_strings_survive(tmp_path):
    tables = eligible_tables()
    orgs = tables["organizations"]
    for i, text in enumerate(HOSTILE):
        orgs.append({"org_id": f"H{i} {text}", "name": text, "kind": "other", "country": "CN", "province": text,
                     "aliases": f"{text}|别名{i}", "note": text, "source": text, f"extra {text}": text})
    tables["centers"][0].update({"name": HOSTILE[0], "committee_chair": HOSTILE[3], "note": HOSTILE[4],
                                 "source": "《中国制造2025》\n第 3 页"})
    tables["alliance_members"] += [{"center_id": "C1", "member_id": f"H{i} {t}", "role": "member", "note": t}
                                   for i, t in enumerate(HOSTILE)]
    tables["platforms"].append({"platform_id": 'P "9" / 平台', "name": HOSTILE[2], "kind": "other_national",
                                "field_ids": "F03|F01", "host_ids": f"H1 {HOSTILE[1]}|U1|H1 {HOSTILE[1]}"})
    tables["claims"] = [{"center_id": "C1", "claim": "covered_platforms", "value": 'P "9" / 平台|P1', "note": HOSTILE[5]}]
    ds = load_dataset(write_dataset(tmp_path / "hostile", **tables))
    ttl, jsonld = assert_round_trip(ds)
    assert "<script>" in ttl and "\\n" in ttl  # escaped, not dropped
    for text, name in ((ttl, "x.ttl"), (jsonld, "x.jsonld")):
        back = load_text(text, name)
        hosts = back.frames["platforms"].set_index("platform_id").loc['P "9" / 平台', "host_ids"]
        assert hosts == (f"H1 {HOSTILE[1]}", "U1", f"H1 {HOSTILE[1]}")  # order and repeats kept


def test_lists_keep_their_order(tmp_path):
    tables = eligible_tables()
    tables["platforms"][0].update({"field_ids": "F06|F03", "host_ids": "U1|R1"})
    tables["organizations"][0]["aliases"] = "乙|甲|乙"
    ds = load_dataset(write_dataset(tmp_path / "d", **tables))
    ttl, _ = assert_round_trip(ds)
    assert "gk:hostSequence ( id:U1 id:R1 )" in ttl
    assert "gk:hostSequence" not in ttl.split("id:P2 a")[1].split("\n\n")[0]  # a sorted list needs no sequence


def test_extra_columns_source_note_and_custom_fields(tmp_path):
    tables = eligible_tables()
    tables["shareholders"][0].update({"合同编号": "HT-001", "source": "工商登记", "note": "见附件"})
    tables["collaborations"][0]["weight"] = "0.5"
    tables["income"][0]["source"] = "synthetic"
    tables["fields"] = [
        {"field_id": "F23", "name_zh": "动力电池", "name_en": "Power batteries", "layout": "2016-guide",
         "difficulties": "高比能量", "source": "制造业创新中心建设工程实施指南"},
        {"field_id": "F24", "name_zh": "增材制造", "layout": ""},
    ]
    tables["centers"].append(dict(tables["centers"][0], center_id="C2", field_id="F23", year=""))
    ds = load_dataset(write_dataset(tmp_path / "d", **tables))
    assert_round_trip(ds)
    back = load_text(to_turtle(ds), "x.ttl")
    assert back.fields["F23"].layout == "2016-guide" and back.fields["F24"].layout == "custom"
    assert back.fields["F23"].source == "制造业创新中心建设工程实施指南"
    row = back.frames["shareholders"].iloc[0]
    assert (row["合同编号"], row["source"], row["note"]) == ("HT-001", "工商登记", "见附件")


def test_booleans_and_unknowns_stay_apart(tmp_path):
    tables = eligible_tables()
    tables["centers"][0].update({"has_board": "否", "has_roadmap": "", "has_ip_policy": "0"})
    ds = load_dataset(write_dataset(tmp_path / "d", **tables))
    assert_round_trip(ds)
    ttl = to_turtle(ds)
    assert "gk:hasBoard false" in ttl and "gk:hasRoadmap" not in ttl


def test_relation_rows_keep_their_row_numbers(tiny_dir):
    ds = load_dataset(tiny_dir)
    back = load_text(to_turtle(ds), "x.ttl")
    for name in ("shareholders", "alliance_members"):
        assert list(back.frames[name].index) == list(ds.frames[name].index)
    warn = [p for p in back.problems.warnings if p.code == "shareholder_not_member"]
    assert warn and warn[0].row == 3 and warn[0].file == "x.ttl[shareholders]"


def test_write_rdf_is_atomic_and_checks_the_format(tmp_path, tiny_dir):
    ds = load_dataset(tiny_dir)
    for fmt, suffix in (("turtle", ".ttl"), ("jsonld", ".jsonld")):
        path = write_rdf(ds, tmp_path / "out" / f"data{suffix}", fmt)
        assert load_dataset(path).same_as(ds)
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["data.jsonld", "data.ttl"]
    with pytest.raises(ValueError, match="unknown RDF format"):
        write_rdf(ds, tmp_path / "x.xml", "rdfxml")


def test_jsonld_context_is_inline(tiny_dir):
    doc = json.loads(to_jsonld(load_dataset(tiny_dir)))
    assert isinstance(doc["@context"], dict) and all(isinstance(v, str) for v in doc["@context"].values())


# ---- other writers' RDF goes through rdflib ----------------------------------------------------------------

@pytest.mark.parametrize("fmt,name", [("turtle", "x.ttl"), ("nt", "x.nt"), ("json-ld", "x.jsonld")])
def test_rdf_reserialised_by_rdflib_loads_the_same(eligible, fmt, name):
    text = to_graph(eligible).serialize(format=fmt)
    assert load_text(text, name).same_as(eligible)


def test_fast_parsers_agree_with_rdflib(tmp_path):
    tables = eligible_tables()
    tables["organizations"][0]["aliases"] = "丙|甲"
    tables["organizations"][1]["name"] = HOSTILE[3] + HOSTILE[6] + HOSTILE[13]
    ds = load_dataset(write_dataset(tmp_path / "d", **tables))
    ttl, jsonld = to_turtle(ds), to_jsonld(ds)
    fast_ttl, fast_jsonld = parse_turtle(ttl), parse_jsonld(json.loads(jsonld))
    assert fast_ttl is not None and fast_jsonld is not None
    slow = nodes_from_graph(Graph().parse(data=ttl, format="turtle"))

    def triples(nodes):  # list cells are blank nodes with parser-chosen names: compare them by content
        return sorted((s, p, o) for s, pairs in nodes.items() if not s.startswith("_:")
                      for p, o in pairs if not str(o).startswith("_:"))

    assert triples(fast_ttl) == triples(slow) == triples(fast_jsonld)
    frames = [raw_from_nodes(n, "x", "turtle", Problems()).tables for n in (fast_ttl, slow, fast_jsonld)]
    for name in frames[0]:
        key = TABLES[name].key  # entities: document order (fast) or sorted by IRI (rdflib), so compare by id
        a, b, c = (f[name].frame.sort_values(key, ignore_index=True) if key else f[name].frame for f in frames)
        assert a.equals(b) and a.equals(c), name


def test_layout_variations_fall_back_but_read_the_same(eligible):
    ttl = to_turtle(eligible)
    squashed = ttl.replace(" ;\n    ", " ; ")  # one line per node: not our layout, still our subset
    assert load_text(squashed, "x.ttl").same_as(eligible)
    bracketed = ttl + '\n[] a <https://example.org/Thing> .\n'  # beyond the subset: rdflib reads it
    back = load_text(bracketed, "x.ttl")
    assert back.same_as(eligible)
    assert any(p.code == "rdf_ignored_node" for p in back.problems.warnings)


# ---- bad input -------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("data,name,code", [
    (b"this is not turtle", "x.ttl", "rdf_parse"),
    (b'@prefix gk: <https://w3id.org/graphkit/ns#> .\ngk:a gk:b "unclosed .', "x.ttl", "rdf_parse"),
    (b"\xff\xfe\x00garbage", "x.ttl", "rdf_parse"),
    (b"{not json", "x.jsonld", "rdf_parse"),
    (b'{"@context": "https://schema.org/", "@id": "x"}', "x.jsonld", "rdf_remote_context"),
    (b'{"@context": [{"@import": "http://example.org/ctx.jsonld"}], "@graph": []}', "x.jsonld", "rdf_remote_context"),
    (b"", "x.ttl", "file_no_rows"),
])
def test_bad_rdf_is_a_clean_problem(data, name, code):
    report = validate_dataset(data, name=name)
    assert not report.ok
    assert code in {p.code for p in report.problems.errors}, report.problems.format_errors("en")
    with pytest.raises(InvalidDatasetError):
        load_dataset(data, name=name)


def test_two_values_for_one_column_is_an_error(eligible):
    ttl = to_turtle(eligible).replace('schema:name "甲创新中心"', 'schema:name "甲创新中心", "乙创新中心"')
    report = validate_dataset(ttl.encode(), name="x.ttl")
    errors = [p for p in report.problems.errors if p.code == "rdf_multiple_values"]
    assert errors and errors[0].column == "name" and errors[0].file == "x.ttl[centers]"


def test_rdf_goes_through_the_same_validation(eligible):
    ttl = to_turtle(eligible).replace("gk:orgKind orgkind:investor", "gk:orgKind orgkind:startup")
    ttl = ttl.replace("schema:numberOfEmployees 100", 'schema:numberOfEmployees "many"')
    codes = {p.code for p in validate_dataset(ttl.encode(), name="x.ttl").problems.errors}
    assert {"bad_enum", "bad_int"} <= codes


def test_read_rdf_reports_instead_of_raising():
    problems = Problems()
    raw = read_rdf(b"<a> <b> .", "x.nt", ".nt", problems)
    assert raw.tables == {} and problems.errors[0].code == "rdf_parse"
    assert raw_from_graph(Graph(), "g", "turtle", Problems()).tables["centers"].frame.empty


# ---- property: any valid dataset round-trips ---------------------------------------------------------------

_CHARS = st.characters(blacklist_categories=("Cs", "Cc", "Zl", "Zp"), blacklist_characters="|'") | st.sampled_from(
    ['"', "\\", "\n", "\t", "<", ">", "\u200f", "🤖", "中"])
_TEXT = st.one_of(st.text(_CHARS, min_size=1, max_size=12), st.sampled_from(HOSTILE)).map(str.strip).filter(bool)
_OPT_TEXT = st.one_of(st.just(""), _TEXT)
_BOOL = st.sampled_from(["", "true", "false", "是", "否", "1", "0", "yes", "no"])
_YEAR = st.integers(1990, 2030).map(str)
_DATE = st.one_of(st.just(""), _YEAR, st.dates(date(1990, 1, 1), date(2030, 12, 31)).map(str),
                  st.tuples(_YEAR, st.integers(1, 12)).map(lambda t: f"{t[0]}-{t[1]:02d}"))
_AMOUNT = st.one_of(st.just(""), st.integers(0, 10**9).map(str),
                    st.decimals(0, 10**6, places=3, allow_nan=False).map(str), st.just("0.00001"))
_FIELD = st.sampled_from([f"F{i:02d}" for i in range(1, 23)])
_COLUMN = st.text(string.ascii_letters + "中文 _-#", min_size=1, max_size=8).map(str.strip).filter(
    lambda c: c and c.lower() not in {n for t in TABLES.values() for n in t.column_names} | {"parsed_value"})


def _extras(draw, rows):
    """Add one extra column with arbitrary text to some tables."""
    if rows and draw(st.booleans()):
        name = draw(_COLUMN)
        for row in rows:
            row[name] = draw(_OPT_TEXT)


@st.composite
def datasets(draw):
    ids = draw(st.lists(_TEXT, min_size=3, max_size=10, unique=True))
    n_centers = draw(st.integers(1, 2))
    n_platforms = draw(st.integers(0, len(ids) - n_centers - 1))
    center_ids, platform_ids = ids[:n_centers], ids[n_centers:n_centers + n_platforms]
    org_ids = ids[n_centers + n_platforms:]
    custom = draw(st.lists(st.sampled_from(["F23", "X 1", "电池"]), unique=True, max_size=2))
    field_ids = st.one_of(_FIELD, st.sampled_from(custom)) if custom else _FIELD
    tables = {
        "fields": [{"field_id": f, "name_zh": draw(_TEXT), "name_en": draw(_OPT_TEXT), "layout": draw(_OPT_TEXT),
                    "difficulties": draw(_OPT_TEXT), "source": draw(_OPT_TEXT), "note": draw(_OPT_TEXT)}
                   for f in custom],
        "organizations": [{"org_id": o, "name": draw(_TEXT), "kind": draw(st.sampled_from(ORG_KINDS + ("企业", "高校"))),
                           "country": draw(st.sampled_from(["", "CN", "DE", "us"])), "province": draw(_OPT_TEXT),
                           "is_sme": draw(_BOOL), "aliases": "|".join(draw(st.lists(_TEXT, max_size=3))),
                           "source": draw(st.sampled_from(["", "synthetic"]) | _TEXT), "note": draw(_OPT_TEXT)}
                          for o in org_ids],
    }
    centers = []
    for c in center_ids:
        employees = draw(st.integers(0, 500))
        total = draw(st.integers(0, 10**6))
        centers.append({
            "center_id": c, "name": draw(_TEXT), "level": draw(st.sampled_from(["national", "provincial", "省级"])),
            "field_id": draw(field_ids), "province": draw(_TEXT), "city": draw(_OPT_TEXT),
            "operating_company_id": draw(st.sampled_from(org_ids + [""])), "founded": draw(_DATE), "year": draw(_YEAR),
            "employees": str(employees), "rd_staff": str(draw(st.integers(0, employees))), "total_cost": str(total),
            "rd_expense": str(draw(st.integers(0, total))), "has_board": draw(_BOOL), "has_roadmap": draw(_BOOL),
            "committee_chair": draw(_OPT_TEXT), "roadmap_year": draw(st.one_of(st.just(""), _YEAR)),
            "source": draw(_OPT_TEXT),
        })
    tables["centers"] = centers
    tables["platforms"] = [{
        "platform_id": p, "name": draw(_TEXT), "kind": draw(st.sampled_from(PLATFORM_KINDS)),
        "field_ids": "|".join(draw(st.lists(field_ids, min_size=1, max_size=3))),
        "host_ids": "|".join(draw(st.lists(st.sampled_from(org_ids), min_size=1, max_size=3))),
        "approved": draw(_DATE), "status": draw(st.sampled_from(("",) + PLATFORM_STATUSES)), "note": draw(_OPT_TEXT),
    } for p in platform_ids]
    members = draw(st.lists(st.tuples(st.sampled_from(center_ids), st.sampled_from(org_ids + platform_ids)),
                            unique=True, max_size=6))
    tables["alliance_members"] = [{"center_id": c, "member_id": m, "role": draw(st.sampled_from(("",) + MEMBER_ROLES)),
                                   "joined": draw(_DATE), "source": draw(_OPT_TEXT)} for c, m in members]
    holders = draw(st.lists(st.tuples(st.sampled_from(center_ids), st.sampled_from(org_ids)), unique=True, max_size=3))
    tables["shareholders"] = [{"center_id": c, "org_id": o, "share_pct": draw(st.sampled_from(["", "100", "33.3", "0.5"])),
                               "capital": draw(_AMOUNT)} for c, o in holders]
    ranks = draw(st.lists(st.tuples(st.sampled_from(org_ids), _FIELD, _YEAR), unique=True, max_size=3))
    tables["field_rankings"] = [{"org_id": o, "field_id": f, "rank": str(draw(st.integers(1, 50))), "year": y}
                                for o, f, y in ranks]
    tables["collaborations"] = [{"from_id": draw(st.sampled_from(center_ids + org_ids)), "to_id": draw(st.sampled_from(org_ids)),
                                 "kind": draw(st.sampled_from(COLLABORATION_KINDS)), "year": draw(st.one_of(st.just(""), _YEAR)),
                                 "project": draw(_OPT_TEXT)} for _ in range(draw(st.integers(0, 3)))]
    tables["income"] = [{"center_id": draw(st.sampled_from(center_ids)), "year": draw(_YEAR),
                         "stream": draw(st.sampled_from(INCOME_STREAMS)), "amount": draw(_AMOUNT.filter(bool))}
                        for _ in range(draw(st.integers(0, 3)))]
    tables["assessments"] = [{"center_id": draw(st.sampled_from(center_ids)), "check_id": draw(st.sampled_from(CHECK_IDS)),
                              "status": draw(st.sampled_from(ASSESSMENT_STATUSES)), "assessor": draw(_OPT_TEXT),
                              "date": draw(_DATE), "evidence": draw(_OPT_TEXT)} for _ in range(draw(st.integers(0, 2)))]
    claim_values = {"coverage_ratio": st.sampled_from(["0.62", "62%", "0"]), "member_count": st.sampled_from(["3", "120"]),
                    "covered_platforms": st.lists(_TEXT, min_size=1, max_size=3).map("|".join)}
    claims = []
    for _ in range(draw(st.integers(0, 2))):
        kind = draw(st.sampled_from(CLAIM_KINDS))
        claims.append({"center_id": draw(st.sampled_from(center_ids)), "claim": kind, "value": draw(claim_values[kind]),
                       "field_id": draw(st.one_of(st.just(""), field_ids))})
    tables["claims"] = claims
    for rows in tables.values():
        _extras(draw, rows)
    return {name: rows for name, rows in tables.items() if rows or name in ("centers", "organizations")}


# Each example loads three datasets (CSV, Turtle, JSON-LD) and validation costs ~0.3 s each, hence 20 examples.
@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(tables=datasets())
def test_any_valid_dataset_round_trips(tmp_path_factory, tables):
    folder = write_dataset(tmp_path_factory.mktemp("ds"), **tables)
    report = validate_dataset(folder)
    assume(report.ok)  # the strategy builds valid data; this only guards against a rare generator slip
    ds = report.dataset
    ttl, jsonld = assert_round_trip(ds)
    assert parse_turtle(ttl) is not None and parse_jsonld(json.loads(jsonld)) is not None  # the fast paths held
    if len(ttl) < 20_000:  # and rdflib, the reference parser, reads the same graph
        assert isomorphic(Graph().parse(data=ttl, format="turtle"), Graph().parse(data=jsonld, format="json-ld"))
