"""Rank institutions and experts for a topic; one ranking for both stores.

Each store only *retrieves* candidate scope lines and specialties for the linked
nodes (:meth:`GraphStore.scope_hits`, :meth:`GraphStore.specialty_hits`); the
ranking below is the same Python for both, so their answers are identical.

Tiers, from the most direct (the issue's "exact item and standard > same
product > same category"):

========  =====================================================================
exact     the line covers a linked product *and* a linked item or standard, both
          linked with weight ≥ ``EXACT_MIN``, or a standard the topic names by number
product   the line covers a linked product (linked with weight ≥ ``EXACT_MIN``)
item      the line covers a linked item or standard, on another product
category  the line covers another product of a linked product's category
related   the line covers only a product the semantic layer guessed (weight
          < ``EXACT_MIN``): the topic may mean it, nothing in its words names it
========  =====================================================================

A hit's score is ``tier base + 5 × link weight + breadth bonus``; tier bases are
10 apart and the rest stays below 10, so a hit never outranks a higher tier.
"""

from __future__ import annotations

import math
from functools import lru_cache
from collections import defaultdict
from dataclasses import dataclass, field, replace
from datetime import date

from graph.linking import TopicLinker
from graph.model import Kind, Node, valid_on
from graph.results import ExpertMatch, LabMatch, MatchResult, ScopeEvidence, SpecialtyEvidence
from graph.store import GraphStore, Linked, ScopeHit, SpecialtyHit
from loaders.names import name_key, org_key
from loaders.regions import province_of, yrd_provinces

TIER_BASE = {"exact": 40.0, "product": 30.0, "item": 20.0, "category": 10.0, "related": 0.0}
WEIGHT_SCALE = 5.0
MAX_BONUS = 1.0  # breadth bonus cap (log2 of the lines or targets): it orders equals, a weight 0.2 higher still wins
CLOSENESS_SCALE = 1.0  # a line or expert worded like the topic ranks up to this much higher in its tier
# Links below this weight (the semantic layer's guesses at 0.40, a product's more distant graph neighbours)
# rank candidates but never make a line exact: a guessed product with a guessed item is no exact match.
EXACT_MIN = 0.45


@dataclass(frozen=True)
class MatchQuery:
    topic: str
    province: str = ""
    city: str = ""
    exclude_province: str = ""
    as_of: str = ""  # YYYY-MM-DD; empty: the matcher's default
    top_k: int = 10
    parties: tuple[str, ...] = ()  # enterprises / institutions named in the request (conflict check)
    max_evidence: int = 5


@dataclass
class _Weights:
    w: dict[tuple[Kind, str], float]
    numbered: set[str] = field(default_factory=set)  # standards the topic names by number
    closeness: dict[tuple[Kind, str], float] = field(default_factory=dict)  # see TopicLinks.closeness

    def best(self, kind: Kind, ids: tuple[str, ...]) -> tuple[float, list[str]]:
        hits = [(self.w[(kind, i)], i) for i in ids if (kind, i) in self.w]
        return (max(h[0] for h in hits), [i for _, i in hits]) if hits else (0.0, [])


def _bonus(n: int) -> float:
    return min(MAX_BONUS, math.log2(n)) if n > 1 else 0.0


class Matcher:
    """Links a topic and ranks the store's candidates for it."""

    def __init__(self, store: GraphStore, linker: TopicLinker | None = None, default_as_of: str = "") -> None:
        self.store = store
        self.linker = linker or TopicLinker.from_store(store)
        self.default_as_of = default_as_of or store.meta().get("snapshot", "") or date.today().isoformat()
        self.product_category = {p.id: p.props.get("category", "") for p in store.nodes(Kind.PRODUCT)}

    # -- public ------------------------------------------------------------
    def match(self, q: MatchQuery, labs: bool = True, experts: bool = True) -> MatchResult:
        as_of = q.as_of or self.default_as_of
        # Province filters in their full form once, not once per candidate line.
        q = replace(q, province=_full_province(q.province), exclude_province=_full_province(q.exclude_province))
        topic_links = self.linker.link(q.topic)
        result = MatchResult(q.topic, as_of, topic_links.links, suggestions=topic_links.suggestions)
        if not topic_links.links:
            result.reason = "主题未关联到任何产品、检验项目、标准或危害 (the topic links to nothing in the graph)"
            return result
        weights = _Weights(
            topic_links.weights(), {l.id for l in topic_links.links if l.via == "number"}, topic_links.closeness
        )
        linked = topic_links.linked()
        widened = self._widened(linked, weights)
        if labs:
            result.labs = self._rank_labs(q, as_of, linked, widened, weights)
        if experts:
            result.experts = self._rank_experts(q, as_of, linked, widened, weights)
        if (labs and not result.labs) or (experts and not result.experts):
            result.reason = self._empty_reason(q, as_of, labs and not result.labs)
        return result

    def instructors(self, q: MatchQuery, home_province: str) -> MatchResult:
        """Experts for the topic from the other provinces of the region."""
        home = _full_province(home_province)
        result = self.match(replace(q, exclude_province=home), labs=False)
        result.experts = [e for e in result.experts if e.province in yrd_provinces()]
        if not result.experts and not result.reason:
            result.reason = f"长三角其他省市没有该主题的专家 (no expert for this topic outside {home} in the region)"
        return result

    # -- retrieval with the category fallback -------------------------------
    def _widened(self, linked: Linked, weights: _Weights) -> Linked | None:
        """The categories of the linked products, for the category tier (not of guessed ones: a
        product the topic may mean does not make its whole category likely too)."""
        sure = [p for p in linked.products if weights.w.get((Kind.PRODUCT, p), 0.0) >= EXACT_MIN]
        cats = {self.product_category.get(p, "") for p in sure} - {""} - linked.categories
        if not cats:
            return None
        for c in cats:
            weights.w.setdefault((Kind.CATEGORY, c), 1.0)
        return Linked(categories=frozenset(cats))

    @staticmethod
    def _place_ok(q: MatchQuery, node: Node) -> bool:
        prov = node.props.get("province", "")
        if (q.province and prov != q.province) or (q.exclude_province and prov == q.exclude_province):
            return False
        return not q.city or _city_key(q.city) == _city_key(node.props.get("city", ""))

    # -- labs ----------------------------------------------------------------
    def _rank_labs(
        self, q: MatchQuery, as_of: str, linked: Linked, widened: Linked | None, weights: _Weights
    ) -> list[LabMatch]:
        hits = self.store.scope_hits(linked)
        lines = self._lines(hits, q, as_of, weights)
        ranked = self._labs_from(lines, q)
        if widened is not None and _named(ranked) < q.top_k:
            seen = {h.scope.id for h in hits}
            extra = [h for h in self.store.scope_hits(widened) if h.scope.id not in seen]
            ranked = self._labs_from(lines + self._lines(extra, q, as_of, weights), q)
        return ranked[: q.top_k]

    def _line(self, hit: ScopeHit, weights: _Weights) -> ScopeEvidence | None:
        wp, ps = weights.best(Kind.PRODUCT, hit.products)
        wi, items = weights.best(Kind.TEST_ITEM, hit.items)
        ws, stds = weights.best(Kind.STANDARD, hit.standards)
        wc, cats = weights.best(Kind.CATEGORY, hit.categories)
        ranked = _tier(wp, max(wi, ws), wc, numbered=any(s in weights.numbered for s in stds))
        if ranked is None:
            return None
        tier, w = ranked
        named = [(Kind.PRODUCT, ps), (Kind.TEST_ITEM, items), (Kind.STANDARD, stds)]
        if tier == "category":
            named.append((Kind.CATEGORY, cats))
        names = [self.linker.names.get((k, i), i) for k, ids in named for i in ids]
        s = hit.scope.props
        close = max(weights.closeness.get((Kind.SCOPE, hit.scope.id), 0.0), weights.closeness.get((Kind.LAB, hit.lab.id), 0.0))
        return ScopeEvidence(
            hit.scope.id, s.get("object", ""), s.get("item", ""), s.get("standard_title", ""), s.get("method", ""),
            s.get("limits", ""), s.get("valid_to", ""), tier,
            round(TIER_BASE[tier] + WEIGHT_SCALE * w + CLOSENESS_SCALE * close, 4), tuple(sorted(set(names))), close,
        )  # fmt: skip

    def _lines(
        self, hits: list[ScopeHit], q: MatchQuery, as_of: str, weights: _Weights
    ) -> list[tuple[Node, ScopeEvidence]]:
        """The qualifying lines among the hits, each with its lab and evidence."""
        out = []
        for hit in hits:
            lab = hit.lab
            if not valid_on(lab.props, as_of) or not valid_on(hit.scope.props, as_of) or not self._place_ok(q, lab):
                continue
            if self._suspended(lab, hit.scope):
                continue
            ev = self._line(hit, weights)
            if ev is not None:
                out.append((lab, ev))
        return out

    @staticmethod
    def _labs_from(lines: list[tuple[Node, ScopeEvidence]], q: MatchQuery) -> list[LabMatch]:
        by_lab: dict[str, list[ScopeEvidence]] = defaultdict(list)
        labs: dict[str, Node] = {}
        for lab, ev in lines:
            by_lab[lab.id].append(ev)
            labs[lab.id] = lab
        out = []
        for lab_id, evs in by_lab.items():
            evs.sort(key=lambda e: (-e.score, e.object, e.item, e.method, e.scope_id))
            best = evs[0]
            same_tier = sum(1 for e in evs if e.tier == best.tier)
            p = labs[lab_id].props
            out.append(
                LabMatch(
                    lab_id, p.get("name", lab_id), p.get("province", ""), p.get("city", ""),
                    round(best.score + _bonus(same_tier), 4), best.tier, p.get("body_type", ""),
                    p.get("valid_to", ""), tuple(evs[: q.max_evidence]), len(evs),
                )  # fmt: skip
            )
        out.sort(key=lambda m: (-m.score, m.name, m.id))
        return out

    @staticmethod
    def _suspended(lab: Node, scope: Node) -> bool:
        """A line whose object or item is among the lab's suspended items does not qualify."""
        if not lab.props.get("suspended"):
            return False
        suspended = name_key(lab.props["suspended"])
        return any(k and k in suspended for k in (name_key(scope.props.get("item", "")), name_key(scope.props.get("object", ""))))

    # -- experts -------------------------------------------------------------
    def _rank_experts(
        self, q: MatchQuery, as_of: str, linked: Linked, widened: Linked | None, weights: _Weights
    ) -> list[ExpertMatch]:
        hits = self.store.specialty_hits(linked)
        ranked = self._experts_from(hits, q, as_of, weights)
        if widened is not None and _named(ranked) < q.top_k:
            seen = {(h.expert.id, h.target) for h in hits}
            extra = [h for h in self.store.specialty_hits(widened) if (h.expert.id, h.target) not in seen]
            ranked = self._experts_from(hits + extra, q, as_of, weights)
        return ranked[: q.top_k]

    def _experts_from(
        self, hits: list[SpecialtyHit], q: MatchQuery, as_of: str, weights: _Weights
    ) -> list[ExpertMatch]:
        by_expert: dict[str, list[SpecialtyHit]] = defaultdict(list)
        for h in hits:
            if valid_on(h.expert.props, as_of) and self._place_ok(q, h.expert):
                by_expert[h.expert.id].append(h)
        parties = {org_key(p): p for p in q.parties if org_key(p)}
        out = []
        for eid, hs in by_expert.items():
            close = weights.closeness.get((Kind.EXPERT, eid), 0.0)
            kinds: dict[Kind, float] = {}
            evidence = []
            for h in hs:
                kind, tid = h.target
                w = weights.w.get((kind, tid), 0.0)
                if not w and kind == Kind.PRODUCT:
                    kind, w = Kind.CATEGORY, max((weights.w.get((Kind.CATEGORY, c), 0.0) for c in h.categories), default=0.0)
                if not w:
                    continue
                kinds[kind] = max(kinds.get(kind, 0.0), w)
                tier = {Kind.PRODUCT: "product" if w >= EXACT_MIN else "related", Kind.CATEGORY: "category"}.get(kind, "item")
                name = self.linker.names.get(h.target, tid)
                evidence.append(SpecialtyEvidence(h.text, h.target[0].value, name, tier, round(TIER_BASE[tier] + WEIGHT_SCALE * w, 4), close))
            if not evidence:
                continue
            wi = max(kinds.get(Kind.TEST_ITEM, 0.0), kinds.get(Kind.STANDARD, 0.0))
            tier, w = _tier(kinds.get(Kind.PRODUCT, 0.0), wi, kinds.get(Kind.CATEGORY, 0.0))  # evidence: some weight
            evidence.sort(key=lambda e: (-e.score, e.target, e.text))
            p = hs[0].expert.props
            conflict = next((name for key, name in parties.items() if _same_org(key, p.get("affiliation_name", ""))), "")
            out.append(
                ExpertMatch(
                    eid, p.get("name", eid), p.get("province", ""), p.get("city", ""),
                    round(TIER_BASE[tier] + WEIGHT_SCALE * w + _bonus(len({e.target for e in evidence})) + CLOSENESS_SCALE * close, 4), tier,
                    p.get("affiliation", ""), p.get("affiliation_name", ""), tuple(p.get("roles", [])),
                    bool(conflict), f"任职于请求中列出的单位 {conflict} (affiliated with a named party)" if conflict else "",
                    tuple(evidence[: q.max_evidence]),
                )  # fmt: skip
            )
        out.sort(key=lambda m: (-m.score, m.name, m.id))
        return out

    def _empty_reason(self, q: MatchQuery, as_of: str, labs_empty: bool) -> str:
        where = "、".join(x for x in (q.province, q.city) if x) or "长三角及全国"
        what = "检验检测机构" if labs_empty else "专家"
        return f"{where}没有在 {as_of} 有效认可、能力覆盖该主题的{what} (none valid on {as_of} covers the topic there)"


def _tier(wp: float, wi: float, wc: float, numbered: bool = False) -> tuple[str, float] | None:
    """The tier (see the module's table) and weight of a line or expert from its best product, item or
    standard, and category link weights; ``numbered``: it uses a standard the topic names by number.

    >>> _tier(1.0, 0.6, 0.0), _tier(0.4, 0.6, 0.0), _tier(0.4, 0.0, 0.0), _tier(0.0, 0.0, 0.0)
    (('exact', 0.8), ('item', 0.6), ('related', 0.4), None)
    """
    if numbered:
        return "exact", max(wp, wi)
    if wp >= EXACT_MIN and wi >= EXACT_MIN:
        return "exact", (wp + wi) / 2
    if wp >= EXACT_MIN:
        return "product", wp
    if wi:
        return "item", wi
    if wc:
        return "category", wc
    if wp:  # a guessed product alone: below what the topic's words name
        return "related", wp
    return None


def _named(ranked: list[LabMatch] | list[ExpertMatch]) -> int:
    """How many candidates the topic's words qualify: guessed (related) ones leave room for the category tier."""
    return sum(1 for m in ranked if m.tier != "related")


def _full_province(name: str) -> str:
    return (province_of(name) or name) if name else ""


@lru_cache(maxsize=4096)
def _city_key(city: str) -> str:
    """杭州 and 杭州市 compare equal."""
    return name_key(city).rstrip("市")


def _same_org(party_key: str, affiliation: str) -> bool:
    key = org_key(affiliation)
    return bool(key) and (key == party_key or party_key in key or key in party_key)


