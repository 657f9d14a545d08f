"""Standards gaps: where a trade association could propose a group standard, and capability gaps.

Five kinds of finding, each with its reason and the evidence behind it:

====================  ==============================================================
no_standard           a product with no standard at all (in-house methods don't count)
outdated_standard     a product whose standards are all superseded, withdrawn, or older
                      than the review period (标龄, 5 years by default)
uncovered_hazard      a product's hazard that no test item of its standards addresses
unstandardised_item   a test item that no standard specifies (only in-house methods)
no_lab_in_province    a product no institution in that province is accredited for,
                      while another province of the region has one (or it is a catalogue product)
====================  ==============================================================

Ranking: ``severity × priority × (1 + activity / 10)``, where catalogue products
(the products the bureaus supervise) have priority 2 and activity is
``log(1 + scope lines that cover the subject)`` — a gap matters more where more
institutions work.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass

from graph.model import Kind, Node, Rel, valid_on
from graph.store import GraphStore
from loaders.regions import yrd_provinces

SEVERITY = {
    "no_standard": 1.0,
    "uncovered_hazard": 0.9,
    "outdated_standard": 0.8,
    "unstandardised_item": 0.6,
    "no_lab_in_province": 0.5,
}
GAP_KINDS = tuple(SEVERITY)


@dataclass(frozen=True, slots=True)
class Gap:
    kind: str
    subject_kind: str
    subject_id: str
    subject_name: str
    province: str
    category: str
    score: float
    reason: str
    evidence: tuple[str, ...]


@dataclass
class _Graph:
    """The slices of the graph gap detection reads, fetched once."""

    products: dict[str, Node]
    standards: dict[str, Node]
    items: dict[str, Node]
    product_standards: dict[str, set[str]]
    standard_items: dict[str, set[str]]
    item_hazards: dict[str, set[str]]
    product_hazards: dict[str, set[str]]
    lines_of_product: dict[str, int]
    lines_of_item: dict[str, int]
    provinces_of_product: dict[str, dict[str, set[str]]]  # product → province → lab ids
    newer: dict[str, list[str]]  # standard → newer editions

    @classmethod
    def read(cls, store: GraphStore, as_of: str) -> _Graph:
        def rel(r: Rel) -> dict[str, set[str]]:
            out: dict[str, set[str]] = defaultdict(set)
            for e in store.edges(r):
                out[e.src[1]].add(e.dst[1])
            return out

        labs = {n.id: n for n in store.nodes(Kind.LAB)}
        scopes = {n.id: n for n in store.nodes(Kind.SCOPE)}
        lab_of_scope = {e.dst[1]: e.src[1] for e in store.edges(Rel.HAS_SCOPE)}
        lines_p: dict[str, int] = defaultdict(int)
        provinces: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
        for e in store.edges(Rel.COVERS_PRODUCT):
            lines_p[e.dst[1]] += 1
            scope, lab = scopes.get(e.src[1]), labs.get(lab_of_scope.get(e.src[1], ""))
            if scope is None or lab is None or not valid_on(scope.props, as_of) or not valid_on(lab.props, as_of):
                continue
            if lab.props.get("province"):
                provinces[e.dst[1]][lab.props["province"]].add(lab.id)
        lines_i: dict[str, int] = defaultdict(int)
        for e in store.edges(Rel.COVERS_ITEM):
            lines_i[e.dst[1]] += 1
        newer: dict[str, list[str]] = defaultdict(list)
        for e in store.edges(Rel.SUPERSEDES):
            newer[e.dst[1]].append(e.src[1])
        return cls(
            products={n.id: n for n in store.nodes(Kind.PRODUCT)},
            standards={n.id: n for n in store.nodes(Kind.STANDARD)},
            items={n.id: n for n in store.nodes(Kind.TEST_ITEM)},
            product_standards=rel(Rel.GOVERNED_BY),
            standard_items=rel(Rel.SPECIFIES),
            item_hazards=rel(Rel.ADDRESSES),
            product_hazards=rel(Rel.HAS_HAZARD),
            lines_of_product=lines_p,
            lines_of_item=lines_i,
            provinces_of_product=provinces,
            newer=newer,
        )

    def real_standards(self, product_id: str) -> list[Node]:
        return sorted(
            (self.standards[s] for s in self.product_standards.get(product_id, ()) if s in self.standards
             and self.standards[s].props.get("kind") != "method"),
            key=lambda n: n.id,
        )  # fmt: skip


def find_gaps(
    store: GraphStore,
    as_of: str,
    review_years: int = 5,
    kinds: tuple[str, ...] = GAP_KINDS,
    category: str = "",
    province: str = "",
    limit: int = 50,
) -> list[Gap]:
    """Ranked gaps of the given kinds, optionally for one category or province."""
    g = _Graph.read(store, as_of)
    year = int(as_of[:4])
    gaps: list[Gap] = []
    for pid, p in g.products.items():
        if category and p.props.get("category") != category:
            continue
        stds = g.real_standards(pid)
        if "no_standard" in kinds and not stds:
            gaps.append(_gap(g, "no_standard", p, "", "该产品没有任何国家、行业、地方或团体标准，只有机构内部方法 "
                             "(no standard; only in-house methods)", ()))  # fmt: skip
        if "outdated_standard" in kinds and stds:
            states = [_state(s, year, review_years, g.newer) for s in stds]
            if all(ok is False for ok, _ in states):
                gaps.append(_gap(g, "outdated_standard", p, "", "该产品的标准全部作废、被代替或超过复审周期 "
                                 "(every standard is superseded, withdrawn or past its review period)",
                                 tuple(text for _, text in states)))  # fmt: skip
        if "uncovered_hazard" in kinds:
            covered = {h for s in stds for i in g.standard_items.get(s.id, ()) for h in g.item_hazards.get(i, ())}
            for h in sorted(g.product_hazards.get(pid, set()) - covered):
                gaps.append(_gap(g, "uncovered_hazard", p, "", f"危害“{h}”没有任何标准检验项目覆盖 "
                                 f"(no test item of its standards addresses the hazard {h})",
                                 tuple(s.id for s in stds)))  # fmt: skip
        if "no_lab_in_province" in kinds:
            gaps += _capability(g, p, province)
    if "unstandardised_item" in kinds and not category:
        specified = {i for s, items in g.standard_items.items() if g.standards.get(s) is not None
                     and g.standards[s].props.get("kind") != "method" for i in items}  # fmt: skip
        for iid, item in g.items.items():
            if iid not in specified and g.lines_of_item.get(iid, 0) > 0:
                gaps.append(_gap(g, "unstandardised_item", item, "", "检验项目只有机构内部方法，没有标准规定 "
                                 "(the test item is only done by in-house methods)", ()))  # fmt: skip
    if province:
        gaps = [x for x in gaps if x.province in ("", province)]
    gaps.sort(key=lambda x: (-x.score, x.kind, x.subject_id, x.province))
    return gaps[:limit]


def _state(s: Node, year: int, review_years: int, newer: dict[str, list[str]]) -> tuple[bool, str]:
    status, y = s.props.get("status", "unknown"), s.props.get("year")
    if status in ("superseded", "withdrawn"):
        by = f"，被 {', '.join(sorted(newer[s.id]))} 代替" if newer.get(s.id) else ""
        return False, f"{s.id} {status}{by}"
    if y and year - y > review_years:
        return False, f"{s.id} 标龄 {year - y} 年 (older than {review_years} years)"
    return True, f"{s.id} {status}"


def _capability(g: _Graph, p: Node, only_province: str) -> list[Gap]:
    have = g.provinces_of_product.get(p.id, {})
    in_region = {prov for prov in have if prov in yrd_provinces()}
    catalogue = "catalogue" in p.props.get("sources", [])
    if not in_region and not catalogue:
        return []  # nothing to compare with: not a regional capability gap
    out = []
    for prov in yrd_provinces():
        if prov in in_region or (only_province and prov != only_province):
            continue
        elsewhere = [f"{q}: {len(have[q])} 家" for q in sorted(in_region)]
        reason = (f"{prov}没有获认可可检验该产品的机构 (no accredited institution in {prov})"
                  + (f"；区域内其他省市: {', '.join(elsewhere)}" if elsewhere else "；长三角均无"))  # fmt: skip
        share_missing = (len(yrd_provinces()) - len(in_region)) / len(yrd_provinces())
        out.append(_gap(g, "no_lab_in_province", p, prov, reason, tuple(sorted(in_region)), 0.5 + 0.5 * share_missing))
    return out


def _gap(g: _Graph, kind: str, n: Node, province: str, reason: str, evidence: tuple[str, ...], factor: float = 1.0) -> Gap:
    is_product = n.kind == Kind.PRODUCT
    activity = math.log1p((g.lines_of_product if is_product else g.lines_of_item).get(n.id, 0))
    priority = 2.0 if "catalogue" in n.props.get("sources", []) else 1.0
    score = SEVERITY[kind] * factor * priority * (1 + activity / 10)
    return Gap(kind, n.kind.value, n.id, n.name, province, n.props.get("category", ""), round(score, 4), reason, evidence)
