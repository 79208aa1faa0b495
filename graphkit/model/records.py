"""Typed records for the entities and relations of the domain (SPEC §2).

Records are what a notebook user or the app sees for one thing; bulk work runs on the columnar tables and
indexes of :class:`graphkit.model.dataset.Dataset`. Columns beyond the contract travel in ``properties``.

>>> Organization.from_row({"org_id": "O1", "name": "华中科技大学", "kind": "university", "country": "CN"}).is_foreign
False
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from typing import Any

from graphkit.model.notice import Field

__all__ = [
    "Field",
    "Center",
    "Organization",
    "Platform",
    "Shareholding",
    "Membership",
    "Collaboration",
    "Income",
    "Ranking",
    "Assessment",
    "Claim",
    "RECORD_TYPES",
]


def _clean(value):
    """pandas' missing values (NA, NaN) become None; numpy scalars become Python ones."""
    if value is None:
        return None
    try:
        if value != value:  # NaN
            return None
    except (TypeError, ValueError):
        pass
    if type(value).__name__ == "NAType":
        return None
    if hasattr(value, "item") and not isinstance(value, (str, bytes, tuple, list)):
        return value.item()
    return value


class _Record:
    @classmethod
    def from_row(cls, row: dict) -> Any:
        names = {f.name for f in fields(cls)} - {"properties"}
        known = {k: _clean(row.get(k)) for k in names if k in row}
        extra = {k: _clean(v) for k, v in row.items() if k not in names and k != "parsed_value"}
        rec = cls(**known)
        rec.properties.update({k: v for k, v in extra.items() if v not in (None, "")})
        return rec

    def to_dict(self) -> dict:
        out = {f.name: getattr(self, f.name) for f in fields(self) if f.name != "properties"}
        out.update(self.properties)
        return out


@dataclass
class Center(_Record):
    """A manufacturing innovation center (创新中心), provincial or national."""

    center_id: str
    name: str = ""
    level: str | None = None
    field_id: str | None = None
    province: str | None = None
    city: str | None = None
    operating_company_id: str | None = None
    founded: str | None = None
    year: int | None = None
    employees: int | None = None
    rd_staff: int | None = None
    total_cost: float | None = None
    rd_expense: float | None = None
    has_board: bool | None = None
    has_management_team: bool | None = None
    has_expert_committee: bool | None = None
    committee_chair: str | None = None
    chair_is_leading_expert: bool | None = None
    has_roadmap: bool | None = None
    roadmap_year: int | None = None
    has_ip_policy: bool | None = None
    source: str | None = None
    note: str | None = None
    properties: dict = field(default_factory=dict)


@dataclass
class Organization(_Record):
    """An enterprise, university, research institute, user, investor, government body or other organisation."""

    org_id: str
    name: str = ""
    kind: str | None = None
    country: str = "CN"
    province: str | None = None
    is_sme: bool | None = None
    aliases: tuple = ()
    source: str | None = None
    note: str | None = None
    properties: dict = field(default_factory=dict)

    @property
    def is_foreign(self) -> bool:
        return (self.country or "CN") != "CN"


@dataclass
class Platform(_Record):
    """A national-level innovation platform (国家级创新平台) with its fields and host organisations."""

    platform_id: str
    name: str = ""
    kind: str | None = None
    field_ids: tuple = ()
    host_ids: tuple = ()
    approved: str | None = None
    status: str = "active"
    source: str | None = None
    note: str | None = None
    properties: dict = field(default_factory=dict)


@dataclass
class Shareholding(_Record):
    """An organisation's stake in a center's operating company."""

    center_id: str
    org_id: str
    share_pct: float | None = None
    capital: float | None = None
    source: str | None = None
    note: str | None = None
    properties: dict = field(default_factory=dict)


@dataclass
class Membership(_Record):
    """An organisation (or a platform itself) in a center's alliance."""

    center_id: str
    member_id: str
    role: str | None = None
    joined: str | None = None
    source: str | None = None
    note: str | None = None
    properties: dict = field(default_factory=dict)


@dataclass
class Collaboration(_Record):
    """A collaboration from a center or organisation to an organisation."""

    from_id: str
    to_id: str
    kind: str | None = None
    year: int | None = None
    project: str | None = None
    source: str | None = None
    note: str | None = None
    properties: dict = field(default_factory=dict)

    @property
    def edge_id(self) -> str:
        return f"{self.from_id}->{self.to_id}:{self.kind}"


@dataclass
class Income(_Record):
    """A center's income of one stream in one year (万元)."""

    center_id: str
    year: int
    stream: str
    amount: float
    source: str | None = None
    note: str | None = None
    properties: dict = field(default_factory=dict)


@dataclass
class Ranking(_Record):
    """An organisation's rank in a field."""

    org_id: str
    field_id: str
    rank: int
    year: int | None = None
    source: str | None = None
    note: str | None = None
    properties: dict = field(default_factory=dict)


@dataclass
class Assessment(_Record):
    """A reviewer's judgement of one check."""

    center_id: str
    check_id: str
    status: str
    assessor: str | None = None
    date: str | None = None
    evidence: str | None = None
    source: str | None = None
    note: str | None = None
    properties: dict = field(default_factory=dict)


@dataclass
class Claim(_Record):
    """What an application asserts: a coverage ratio, a list of covered platforms, or a member count."""

    center_id: str
    claim: str
    value: str
    field_id: str | None = None
    source: str | None = None
    note: str | None = None
    properties: dict = field(default_factory=dict)


RECORD_TYPES = {
    "centers": Center,
    "organizations": Organization,
    "platforms": Platform,
    "shareholders": Shareholding,
    "alliance_members": Membership,
    "collaborations": Collaboration,
    "income": Income,
    "field_rankings": Ranking,
    "assessments": Assessment,
    "claims": Claim,
}
