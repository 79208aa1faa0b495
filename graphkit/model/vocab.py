"""The RDF vocabulary as code: namespaces, graphkit's own terms, reused standard terms, and column → term maps.

Terms are typo-safe (like rdflib's ``namespace/_PROV.py``): ``GK.InnovationCenter`` exists, ``GK.Inovation``
raises ``AttributeError``. ``tests/test_vocab.py`` keeps these terms and ``ontology/graphkit.ttl`` identical.

Reuse before invention: organisations and alliance membership are W3C ORG (``org:Organization``,
``org:Membership``, ``org:member``, ``org:organization``, ``org:role``); provenance is PROV-O (every row
``prov:wasDerivedFrom`` a ``prov:Entity`` whose ``rdfs:label`` is the ``source`` text); fields, layouts and code
lists are SKOS; names, places, founding and start dates are schema.org; ids are ``dcterms:identifier``. Our own
namespace (``gk:``) holds only what no standard covers: centers, platforms and their kinds, shareholding,
collaboration, income, ranking, assessment, claim, the checks, and the center's yearly and governance facts.

>>> str(GK.InnovationCenter)
'https://w3id.org/graphkit/ns#InnovationCenter'
>>> str(iri_for_id("测 试/1"))
'https://w3id.org/graphkit/id/%E6%B5%8B%20%E8%AF%95%2F1'
>>> id_from_iri(iri_for_id("测 试/1"), ID_BASE)
'测 试/1'
>>> str(CODE_LISTS["platforms", "kind"].namespace["state_key_lab"])
'https://w3id.org/graphkit/code/platform-kind/state_key_lab'
>>> str(CHECK["4.3"])
'https://w3id.org/graphkit/check/4.3'
"""

from __future__ import annotations

__all__ = [
    "BASE",
    "GK",
    "SCHEMA",
    "ORG",
    "PROV",
    "SKOS",
    "DCTERMS",
    "RDF",
    "RDFS",
    "OWL",
    "SH",
    "ID_BASE",
    "FIELD_BASE",
    "LAYOUT_BASE",
    "ROW_BASE",
    "SOURCE_BASE",
    "PROP_BASE",
    "CODE_BASE",
    "CHECK",
    "CodeList",
    "CODE_LISTS",
    "TableTerms",
    "TABLE_TERMS",
    "FIELD_TERMS",
    "PREFIXES",
    "iri_for_id",
    "iri_for_field",
    "iri_for_layout",
    "iri_for_row",
    "iri_for_source",
    "iri_for_extra",
    "id_from_iri",
    "row_from_iri",
]

import hashlib
import re
from dataclasses import dataclass
from urllib.parse import quote, unquote

from rdflib import Namespace, URIRef
from rdflib import namespace as _namespace
from rdflib.namespace import DCTERMS, ORG, OWL, PROV, RDF, RDFS, SH, SKOS, ClosedNamespace

# (rdflib's XSD namespace and the DefinedNamespace base warn on unknown attributes, which pytest's doctest
# collector probes, so neither is bound at module level here.)
from graphkit.model.notice import CHECK_IDS, NOTICE_ID
from graphkit.model.schema import (
    ASSESSMENT_STATUSES,
    CLAIM_KINDS,
    COLLABORATION_KINDS,
    INCOME_STREAMS,
    LEVELS,
    MEMBER_ROLES,
    ORG_KINDS,
    PLATFORM_KINDS,
    PLATFORM_STATUSES,
)

#: Every graphkit IRI starts here (w3id.org is a permanent-identifier redirect service; nothing is fetched).
BASE = "https://w3id.org/graphkit/"
ID_BASE = BASE + "id/"  # centers, organisations, platforms: one id space, as in the contract
FIELD_BASE = BASE + "field/"  # fields (skos:Concept + gk:Field)
LAYOUT_BASE = BASE + "layout/"  # layouts (skos:ConceptScheme + gk:Layout)
ROW_BASE = BASE + "row/"  # relation rows (shareholding, membership …): <row/TABLE-ROWNUMBER>, local to one dataset
SOURCE_BASE = BASE + "source/"  # provenance entities, one per distinct `source` text
PROP_BASE = BASE + "prop/"  # one predicate per extra (non-contract) column name
CODE_BASE = BASE + "code/"  # code lists (enum values) as SKOS concepts


class GK(_namespace.DefinedNamespace):
    """graphkit's own classes and properties (``ontology/graphkit.ttl`` documents each one)."""

    _NS = Namespace(BASE + "ns#")
    _fail = True

    # classes
    InnovationCenter: URIRef  # 制造业创新中心
    Platform: URIRef  # 国家级创新平台
    Field: URIRef  # 领域 (a skos:Concept)
    Layout: URIRef  # 领域布局 (a skos:ConceptScheme)
    Check: URIRef  # 条件 of the notice (a skos:Concept)
    Shareholding: URIRef
    Collaboration: URIRef
    Income: URIRef
    Ranking: URIRef
    Assessment: URIRef
    Claim: URIRef
    # code lists (skos:ConceptScheme)
    Levels: URIRef
    OrganizationKinds: URIRef
    PlatformKinds: URIRef
    PlatformStatuses: URIRef
    MemberRoles: URIRef
    CollaborationKinds: URIRef
    IncomeStreams: URIRef
    ClaimKinds: URIRef
    AssessmentStatuses: URIRef
    Checks: URIRef
    # properties of centers
    level: URIRef
    field: URIRef
    operatingCompany: URIRef
    year: URIRef
    rdStaff: URIRef
    totalCost: URIRef
    rdExpense: URIRef
    hasBoard: URIRef
    hasManagementTeam: URIRef
    hasExpertCommittee: URIRef
    committeeChair: URIRef
    chairIsLeadingExpert: URIRef
    hasRoadmap: URIRef
    roadmapYear: URIRef
    hasIpPolicy: URIRef
    # organisations
    orgKind: URIRef
    isSme: URIRef
    aliasSequence: URIRef
    # platforms
    platformKind: URIRef
    host: URIRef
    hostSequence: URIRef
    fieldSequence: URIRef
    approved: URIRef
    platformStatus: URIRef
    # relation rows
    center: URIRef
    shareholder: URIRef
    sharePct: URIRef
    capital: URIRef
    rankedOrganization: URIRef
    rank: URIRef
    collaborationFrom: URIRef
    collaborationTo: URIRef
    collaborationKind: URIRef
    project: URIRef
    incomeStream: URIRef
    amount: URIRef
    check: URIRef
    assessmentStatus: URIRef
    assessor: URIRef
    evidence: URIRef
    claimKind: URIRef
    claimedValue: URIRef
    # checks
    checkKind: URIRef


class SCHEMA(_namespace.DefinedNamespace):
    """The schema.org terms graphkit uses (rdflib's SDO is open; this one is closed, hence typo-safe)."""

    _NS = Namespace("https://schema.org/")
    _fail = True

    name: URIRef
    alternateName: URIRef
    addressRegion: URIRef
    addressLocality: URIRef
    addressCountry: URIRef
    foundingDate: URIRef
    numberOfEmployees: URIRef
    startDate: URIRef


CHECK = ClosedNamespace(BASE + "check/", list(CHECK_IDS))


@dataclass(frozen=True)
class CodeList:
    """An enum of the contract as a SKOS concept scheme: ``namespace[value]`` is the concept of ``value``."""

    slug: str
    scheme: URIRef
    values: tuple[str, ...]

    @property
    def namespace(self) -> ClosedNamespace:
        return ClosedNamespace(CODE_BASE + self.slug + "/", list(self.values))

    @property
    def base(self) -> str:
        return CODE_BASE + self.slug + "/"


_LEVEL = CodeList("level", GK.Levels, LEVELS)
_ORG_KIND = CodeList("org-kind", GK.OrganizationKinds, ORG_KINDS)
_PLATFORM_KIND = CodeList("platform-kind", GK.PlatformKinds, PLATFORM_KINDS)
_PLATFORM_STATUS = CodeList("platform-status", GK.PlatformStatuses, PLATFORM_STATUSES)
_ROLE = CodeList("role", GK.MemberRoles, MEMBER_ROLES)
_COLLAB_KIND = CodeList("collaboration-kind", GK.CollaborationKinds, COLLABORATION_KINDS)
_STREAM = CodeList("income-stream", GK.IncomeStreams, INCOME_STREAMS)
_CLAIM_KIND = CodeList("claim-kind", GK.ClaimKinds, CLAIM_KINDS)
_STATUS = CodeList("assessment-status", GK.AssessmentStatuses, ASSESSMENT_STATUSES)

#: (table, enum column) → its code list.
CODE_LISTS: dict[tuple[str, str], CodeList] = {
    ("centers", "level"): _LEVEL,
    ("organizations", "kind"): _ORG_KIND,
    ("platforms", "kind"): _PLATFORM_KIND,
    ("platforms", "status"): _PLATFORM_STATUS,
    ("alliance_members", "role"): _ROLE,
    ("collaborations", "kind"): _COLLAB_KIND,
    ("income", "stream"): _STREAM,
    ("claims", "claim"): _CLAIM_KIND,
    ("assessments", "status"): _STATUS,
}


@dataclass(frozen=True)
class TableTerms:
    """How one contract table becomes RDF: the class of its nodes and one predicate per contract column.

    ``sequences`` names, for list columns, the predicate of the ``rdf:List`` that keeps the cell's order when the
    plain triples (a set) would lose it.
    """

    table: str
    cls: URIRef
    predicates: dict[str, URIRef]
    sequences: dict[str, URIRef]
    entity: bool = False  # True: one node per id (IRI from the id); False: one node per row (a reified relation)


_COMMON = {"source": PROV.wasDerivedFrom, "note": SKOS.note}

TABLE_TERMS: dict[str, TableTerms] = {
    t.table: t
    for t in (
        TableTerms("centers", GK.InnovationCenter, {
            "center_id": DCTERMS.identifier, "name": SCHEMA.name, "level": GK.level, "field_id": GK.field,
            "province": SCHEMA.addressRegion, "city": SCHEMA.addressLocality, "operating_company_id": GK.operatingCompany,
            "founded": SCHEMA.foundingDate, "year": GK.year, "employees": SCHEMA.numberOfEmployees, "rd_staff": GK.rdStaff,
            "total_cost": GK.totalCost, "rd_expense": GK.rdExpense, "has_board": GK.hasBoard,
            "has_management_team": GK.hasManagementTeam, "has_expert_committee": GK.hasExpertCommittee,
            "committee_chair": GK.committeeChair, "chair_is_leading_expert": GK.chairIsLeadingExpert,
            "has_roadmap": GK.hasRoadmap, "roadmap_year": GK.roadmapYear, "has_ip_policy": GK.hasIpPolicy, **_COMMON,
        }, {}, entity=True),
        TableTerms("organizations", ORG.Organization, {
            "org_id": DCTERMS.identifier, "name": SCHEMA.name, "kind": GK.orgKind, "country": SCHEMA.addressCountry,
            "province": SCHEMA.addressRegion, "is_sme": GK.isSme, "aliases": SCHEMA.alternateName, **_COMMON,
        }, {"aliases": GK.aliasSequence}, entity=True),
        TableTerms("platforms", GK.Platform, {
            "platform_id": DCTERMS.identifier, "name": SCHEMA.name, "kind": GK.platformKind, "field_ids": GK.field,
            "host_ids": GK.host, "approved": GK.approved, "status": GK.platformStatus, **_COMMON,
        }, {"field_ids": GK.fieldSequence, "host_ids": GK.hostSequence}, entity=True),
        TableTerms("shareholders", GK.Shareholding, {
            "center_id": GK.center, "org_id": GK.shareholder, "share_pct": GK.sharePct, "capital": GK.capital, **_COMMON,
        }, {}),
        TableTerms("alliance_members", ORG.Membership, {
            "center_id": ORG.organization, "member_id": ORG.member, "role": ORG.role, "joined": SCHEMA.startDate, **_COMMON,
        }, {}),
        TableTerms("field_rankings", GK.Ranking, {
            "org_id": GK.rankedOrganization, "field_id": GK.field, "rank": GK.rank, "year": GK.year, **_COMMON,
        }, {}),
        TableTerms("collaborations", GK.Collaboration, {
            "from_id": GK.collaborationFrom, "to_id": GK.collaborationTo, "kind": GK.collaborationKind, "year": GK.year,
            "project": GK.project, **_COMMON,
        }, {}),
        TableTerms("income", GK.Income, {
            "center_id": GK.center, "year": GK.year, "stream": GK.incomeStream, "amount": GK.amount, **_COMMON,
        }, {}),
        TableTerms("assessments", GK.Assessment, {
            "center_id": GK.center, "check_id": GK.check, "status": GK.assessmentStatus, "assessor": GK.assessor,
            "date": DCTERMS.date, "evidence": GK.evidence, **_COMMON,
        }, {}),
        TableTerms("claims", GK.Claim, {
            "center_id": GK.center, "claim": GK.claimKind, "value": GK.claimedValue, "field_id": GK.field, **_COMMON,
        }, {}),
    )
}

#: fields.csv columns → terms (a field is ``skos:Concept, gk:Field``; names are language-tagged prefLabels).
FIELD_TERMS: dict[str, URIRef] = {
    "field_id": SKOS.notation,
    "name_zh": SKOS.prefLabel,  # @zh
    "name_en": SKOS.prefLabel,  # @en
    "layout": SKOS.inScheme,
    "difficulties": SKOS.definition,  # @zh: the annex's 技术难点
    **_COMMON,
}

#: Turtle / JSON-LD prefixes, in the order the files declare them.
PREFIXES: dict[str, str] = {
    "gk": str(GK._NS),
    "id": ID_BASE,
    "field": FIELD_BASE,
    "layout": LAYOUT_BASE,
    "row": ROW_BASE,
    "src": SOURCE_BASE,
    "prop": PROP_BASE,
    "check": str(CHECK),
    **{c.slug.replace("-", ""): c.base for c in dict.fromkeys(CODE_LISTS.values())},
    "org": str(ORG._NS),
    "prov": str(PROV._NS),
    "skos": str(SKOS._NS),
    "dcterms": str(DCTERMS._NS),
    "schema": str(SCHEMA._NS),
    "rdf": str(RDF._NS),
    "rdfs": str(RDFS._NS),
    "xsd": "http://www.w3.org/2001/XMLSchema#",
}


# ---- IRIs for instance data ----------------------------------------------------------------------------------

def _encode(text: str) -> str:
    """Percent-encode everything but ``A-Z a-z 0-9 _ . -`` so any id (Chinese, spaces, quotes, slashes) is safe."""
    local = quote(text, safe="").replace("~", "%7E")
    if local in (".", ".."):  # a path segment of dots would be removed by IRI normalisation
        local = local.replace(".", "%2E")
    return local


def iri_for_id(id_: str) -> URIRef:
    """The IRI of a center, organisation or platform id."""
    return URIRef(ID_BASE + _encode(id_))


def iri_for_field(field_id: str) -> URIRef:
    return URIRef(FIELD_BASE + _encode(field_id))


def iri_for_layout(layout: str) -> URIRef:
    return URIRef(LAYOUT_BASE + _encode(layout))


def iri_for_row(table: str, row: int) -> URIRef:
    """The IRI of one relation row, e.g. ``row:shareholders-3`` (3 = the spreadsheet row it came from)."""
    return URIRef(f"{ROW_BASE}{table}-{int(row)}")


_PLAIN_SOURCE = re.compile(r"^[A-Za-z0-9_.]{1,64}$")
_KNOWN_SOURCES = {NOTICE_ID + " 附件": "miit-2017-64-annex", NOTICE_ID: "miit-2017-64"}


def iri_for_source(source: str) -> URIRef:
    """The ``prov:Entity`` of a ``source`` text: ``src:synthetic`` for a plain word, else a stable hash.

    The text itself travels as the entity's ``rdfs:label``; the IRI only has to be stable and distinct.
    """
    local = _KNOWN_SOURCES.get(source)
    if local is None:
        if _PLAIN_SOURCE.match(source):
            local = source
        else:
            local = "sha1-" + hashlib.sha1(source.encode("utf-8")).hexdigest()[:24]
    return URIRef(SOURCE_BASE + local)


def iri_for_extra(column: str) -> URIRef:
    """The predicate of an extra (non-contract) column: ``prop:`` + the percent-encoded column name."""
    return URIRef(PROP_BASE + _encode(column))


def id_from_iri(iri: str, base: str) -> str | None:
    """The id an IRI under ``base`` stands for, or None when it is not under ``base``."""
    if not iri.startswith(base):
        return None
    return unquote(iri[len(base):])


_ROW = re.compile(r"^([a-z_]+)-(\d{1,9})$")


def row_from_iri(iri: str) -> tuple[str, int] | None:
    """``(table, row)`` of a relation row IRI made by :func:`iri_for_row`, else None."""
    if not iri.startswith(ROW_BASE):
        return None
    m = _ROW.match(iri[len(ROW_BASE):])
    return (m.group(1), int(m.group(2))) if m else None
