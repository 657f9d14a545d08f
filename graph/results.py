"""Result types of matching: ranked hits, each with the evidence that qualifies it."""

from __future__ import annotations

from dataclasses import dataclass, field

from graph.linking import Link


@dataclass(frozen=True, slots=True)
class ScopeEvidence:
    """An accredited scope line that qualifies a lab."""

    scope_id: str
    object: str
    item: str
    standard: str  # standard title
    method: str  # the standard / method numbers as published
    limits: str  # 说明: limits of the accreditation, e.g. 不做四级、五级
    valid_to: str
    tier: str  # exact | standard | product | item | category
    score: float
    matched: tuple[str, ...]  # names of the linked nodes this line covers
    closeness: float = 0.0  # 0–1: how close the line's (or its lab's) wording is to the topic (semantic layer)


@dataclass(frozen=True, slots=True)
class SpecialtyEvidence:
    """An expert's specialty that names a linked node."""

    text: str
    target_kind: str
    target: str
    tier: str
    score: float
    closeness: float = 0.0  # 0–1: how close the expert's specialties are to the topic (semantic layer)


@dataclass(frozen=True, slots=True)
class LabMatch:
    id: str
    name: str
    province: str
    city: str
    score: float
    tier: str
    body_type: str
    valid_to: str
    evidence: tuple[ScopeEvidence, ...]
    evidence_total: int  # qualifying scope lines, of which ``evidence`` shows the best


@dataclass(frozen=True, slots=True)
class ExpertMatch:
    id: str
    name: str
    province: str
    city: str
    score: float
    tier: str
    affiliation: str
    affiliation_name: str
    roles: tuple[str, ...]
    conflict: bool  # affiliated with a party named in the request
    conflict_reason: str
    evidence: tuple[SpecialtyEvidence, ...]


@dataclass
class MatchResult:
    topic: str
    as_of: str
    links: list[Link] = field(default_factory=list)
    labs: list[LabMatch] = field(default_factory=list)
    experts: list[ExpertMatch] = field(default_factory=list)
    reason: str = ""  # why a result is empty
    suggestions: list[str] = field(default_factory=list)
