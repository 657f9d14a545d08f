"""The one place that turns store answers into API responses; routes and the CLI both call it."""

from __future__ import annotations

import secrets
from dataclasses import asdict
from functools import cached_property

from api.schemas import (
    ContactResponse,
    EntityResponse,
    GapOut,
    GapsResponse,
    HealthResponse,
    MatchResponse,
    NeighbourOut,
    NodeOut,
    SearchResponse,
    StatsResponse,
)
from graph.gaps import GAP_KINDS, find_gaps
from graph.matching import Matcher, MatchQuery
from graph.model import CONTACT_FIELDS, Kind, Node
from graph.results import MatchResult
from graph.settings import Settings
from graph.store import GraphStore, StoreError

ENTITY_KINDS = {
    "labs": Kind.LAB, "experts": Kind.EXPERT, "standards": Kind.STANDARD, "products": Kind.PRODUCT,
    "test-items": Kind.TEST_ITEM, "hazards": Kind.HAZARD, "enterprises": Kind.ENTERPRISE,
    "categories": Kind.CATEGORY, "regions": Kind.REGION, "scopes": Kind.SCOPE,
}  # fmt: skip
SEARCH_KINDS = (Kind.PRODUCT, Kind.STANDARD, Kind.TEST_ITEM, Kind.HAZARD, Kind.LAB, Kind.EXPERT, Kind.ENTERPRISE)


class NotFound(LookupError):
    """An entity id that is not in the graph."""


class Forbidden(PermissionError):
    """The caller's role may not see this (personal data)."""


class BadRequest(ValueError):
    """A request whose values are well-formed but unusable; the message says why."""


def public_node(n: Node) -> NodeOut:
    """A node as the API shows it: personal contact fields are never included."""
    props = {k: v for k, v in n.props.items() if k not in CONTACT_FIELDS}
    return NodeOut(kind=n.kind.value, id=n.id, name=n.name, props=props)


class Service:
    def __init__(self, store: GraphStore, settings: Settings) -> None:
        self.store = store
        self.settings = settings

    @cached_property
    def matcher(self) -> Matcher:
        linker, self.semantic = semantic_linker(self.store, self.settings)
        return Matcher(self.store, linker=linker, default_as_of=self.settings.as_of)

    semantic: str = "语义层未启用 / semantic layer off: not loaded yet"

    def match(self, q: MatchQuery, labs: bool = True, experts: bool = True) -> MatchResponse:
        return self._response(self.matcher.match(q, labs=labs, experts=experts))

    def instructors(self, q: MatchQuery, home_province: str) -> MatchResponse:
        return self._response(self.matcher.instructors(q, home_province))

    def _response(self, r: MatchResult) -> MatchResponse:
        links = [asdict(l) | {"kind": l.kind.value} for l in r.links]
        return MatchResponse.model_validate(asdict(r) | {"links": links, "semantic": self.semantic})

    def gaps(
        self, kinds: list[str], category: str, province: str, as_of: str, review_years: int, limit: int
    ) -> GapsResponse:
        unknown = set(kinds) - set(GAP_KINDS)
        if unknown:
            raise BadRequest(f"unknown gap kind {', '.join(sorted(unknown))}; use one of {', '.join(GAP_KINDS)}")
        as_of = as_of or self.matcher.default_as_of
        gaps = find_gaps(self.store, as_of, review_years, tuple(kinds or GAP_KINDS), category, province, limit)
        return GapsResponse(as_of=as_of, review_years=review_years, gaps=[GapOut.model_validate(asdict(g)) for g in gaps])

    def entity(self, kind: Kind, id: str) -> EntityResponse:
        node = self.store.get(kind, id)
        if node is None:
            raise NotFound(f"no {kind.value} with id {id!r}")
        neighbours = [
            NeighbourOut(rel=n.rel.value, direction=n.direction, kind=n.node.kind.value, id=n.node.id, name=n.node.name)
            for n in self.store.neighbours(kind, id)
        ]
        return EntityResponse(node=public_node(node), neighbours=neighbours)

    def contact(self, expert_id: str, api_key: str) -> ContactResponse:
        """An expert's contact details, for the roles whose key is in the ``contact_keys`` setting only."""
        keys = [k.strip() for k in self.settings.contact_keys.split(",") if k.strip()]
        if not api_key or not any(secrets.compare_digest(api_key, k) for k in keys):
            raise Forbidden("contact details are personal data: send the X-API-Key of a role allowed to see them")
        node = self.store.get(Kind.EXPERT, expert_id)
        if node is None:
            raise NotFound(f"no Expert with id {expert_id!r}")
        p = node.props
        return ContactResponse(id=node.id, name=node.name, contact_phone=p.get("contact_phone", ""),
                               contact_email=p.get("contact_email", ""))  # fmt: skip

    def search(self, text: str, kinds: list[str], limit: int) -> SearchResponse:
        try:
            wanted = [Kind(k) for k in kinds] if kinds else list(SEARCH_KINDS)
        except ValueError as exc:
            raise BadRequest(f"{exc}; use one of {', '.join(k.value for k in SEARCH_KINDS)}") from exc
        return SearchResponse(query=text, hits=[public_node(n) for n in self.store.search(text, wanted, limit)])

    def stats(self) -> StatsResponse:
        return StatsResponse(
            store=self.store.health().get("store", ""), snapshot=self.store.meta().get("snapshot", ""),
            counts=self.store.count(),
        )  # fmt: skip

    def health(self) -> HealthResponse:
        try:
            state = self.store.health()
        except StoreError as exc:
            state = {"status": "unreachable", "error": str(exc)}
        return HealthResponse(status=state.get("status", "unknown"), store=state, semantic=self.matcher_semantic())

    def matcher_semantic(self) -> str:
        """The semantic status, loading the matcher if need be (the store may be down: then say so)."""
        try:
            self.matcher  # noqa: B018 — builds the linker once and sets ``semantic``
        except StoreError as exc:
            return f"语义层未启用 / semantic layer off: the store is unavailable ({exc})"
        return self.semantic


def semantic_linker(store: GraphStore, settings: Settings):
    """The semantic linker when the configured model is already built and loads, else ``None`` (lexical).

    The model is never built here, at request time: ``yrdq model build`` (or
    ``yrdq load``) does that.  Returns the linker and the status text.
    """
    from graph.embeddings import load_embedder

    embedder, status = load_embedder(settings, build=False)
    if embedder is None:
        return None, f"off — {status.message}"
    from graph.semantic_linking import SemanticLinker, vectors_dir

    return SemanticLinker.from_store(store, embedder, vectors_dir(settings)), f"on — {status.message}"
