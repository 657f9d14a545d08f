"""Topic linking with the semantic layer: lexical links fused with embedding evidence.

:class:`SemanticLinker` wraps the lexical :class:`~graph.linking.TopicLinker` and
has its interface (``link``, ``names``, ``suggest``), so the matcher takes either.

1. The lexical links come first, unchanged.
2. The topic and each of its parts (what the user separated by spaces or
   punctuation; an English topic stays whole) are embedded as queries.  A node's
   cosine is turned into a z-score against all nodes of its kind for the same
   query — e5 cosines crowd into 0.75–0.92, so only how far a node stands out
   from the rest says anything.  A node that stands out by
   ``Z_LINK`` links with a weight rising from ``W_MIN`` to ``W_MAX``; a node the
   lexical layer linked as well keeps the higher weight plus ``AGREE_BONUS``.
   In a small graph, where that spread says little, a cosine ``D_LINK`` above
   the mean also links.
3. The graph: among the standards governing a linked product, and the test
   items those standards specify, the ones the topic is closest to link, at a
   lower bar since the graph already vouches for them.  This is how a topic
   reaches test items whose words it never uses.

Every semantic link says which part of the topic matched which text, and its
cosine and z-score, in ``matched``.  An English topic's parts include the Chinese
terms the dictionary gives for its words (:mod:`graph.glossary`).

Scope lines, lab names and expert specialties are embedded too but not linked:
their ``closeness`` to the whole topic (0–1, from the z-score) ranks lines and
experts within a tier (:mod:`graph.matching`).
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

from graph.embeddings import Embedder, Entry, VectorIndex
from graph.linking import Link, TopicLinker, TopicLinks, fold, topic_word
from graph.model import Kind, Rel
from graph.store import GraphStore
from loaders.names import name_variants

SEMANTIC_KINDS = (Kind.PRODUCT, Kind.TEST_ITEM, Kind.STANDARD, Kind.HAZARD)
CLOSENESS_KINDS = (Kind.SCOPE, Kind.LAB, Kind.EXPERT)  # not linked: their wording refines the ranking
Z_CLOSE = 1.0  # closeness counts from this z-score up, reaching 1 at Z_FULL
Z_LINK = 5.0  # a node this many standard deviations above its kind links on its own
D_LINK = 0.07  # … or this much cosine above the mean (a small graph's spread says little)
D_NEAR = 0.03
Z_FULL = 9.0  # … and at this many with the full semantic weight
Z_NEAR = 3.0  # the bar for graph neighbours of linked products
W_MIN, W_MAX = 0.6, 0.9  # semantic-only weights stay below an exact lexical match (1.0)
AGREE_BONUS = 0.05
GRAPH_FACTOR = 0.8  # a graph neighbour's weight relative to the node it hangs from
GRAPH_MARGIN = 0.5  # neighbours this close (in z) to the best one link too, a little below it
MAX_SEMANTIC_PER_KIND = 3
MAX_FALLBACK = 2  # when nothing of a kind links, its nearest nodes above the lower bar link weakly
W_FALLBACK = 0.45
W_GUESS = 0.4  # the closest products when others linked already
MAX_GUESS = 2
GRAPH_DEPTH = 3  # how many of a linked product's standards / items the graph step ranks
GRAPH_NEXT = 0.7  # the weight of the ones after the closest, relative to it
GOVERNING_FACTOR = 0.5  # any standard governing a linked product, when the topic points at none of them
MAX_GOVERNING = 8  # a product governed by more standards than this is too broad to link them all
_PARTS = re.compile(r"[\s,，。；;、/|]+")
EXPLAINED = 0.9  # a lexical link this strong names its words in full
_WORD_VIA = ("name", "alias", "synonym", "translation", "number")
_WORDLESS = re.compile(r"\W+")  # what is left of a part once its linked words are taken out


@dataclass(frozen=True, slots=True)
class _Hit:
    kind: Kind
    id: str
    cos: float
    z: float
    delta: float  # cosine above the kind's mean
    part: str  # the part of the topic that matched
    text: str  # the node text it matched


def topic_parts(topic: str) -> list[str]:
    """The topic and the parts a user separated; English stays whole.

    >>> topic_parts("充电宝 鼓包 自燃")
    ['充电宝 鼓包 自燃', '充电宝', '鼓包', '自燃']
    >>> topic_parts("e-bike charger overheating")
    ['e-bike charger overheating']
    """
    topic = " ".join(topic.split())
    if topic.isascii():
        parts = [p.strip() for p in re.split(r"[,;/|]+", topic) if p.strip()]
    else:
        parts = [p for p in _PARTS.split(topic) if p]
    return list(dict.fromkeys([topic] + (parts if len(parts) > 1 else [])))


class SemanticLinker:
    """Lexical linking plus embeddings; build once per loaded graph."""

    def __init__(self, lexical: TopicLinker, embedder: Embedder, index: VectorIndex, graph: dict) -> None:
        self.lexical = lexical
        self.embedder = embedder
        self.index = index
        self.governs: dict[str, list[str]] = graph.get("governs", {})  # product → standards
        self.specifies: dict[str, list[str]] = graph.get("specifies", {})  # standard → items
        self._surface_texts = {s.text for s in lexical.surfaces}  # every name and alias, folded
        self._reachable = {  # what the graph step can reach from some product
            Kind.STANDARD: {s for ss in self.governs.values() for s in ss},
            Kind.TEST_ITEM: {i for ss in self.governs.values() for s in ss for i in self.specifies.get(s, [])},
        }

    @property
    def names(self):
        return self.lexical.names

    def suggest(self, q: str, k: int = 5) -> list[str]:
        return self.lexical.suggest(q, k)

    @classmethod
    def from_store(
        cls, store: GraphStore, embedder: Embedder, data_dir: Path | str | None = None, lexical: TopicLinker | None = None
    ) -> SemanticLinker:
        """Index the graph's linkable texts (re-embedding only what changed since ``data_dir``'s index)."""
        lexical = lexical or TopicLinker.from_store(store)
        index, _ = sync_vectors(store, embedder, data_dir)
        governs: dict[str, list[str]] = defaultdict(list)
        for e in store.edges(Rel.GOVERNED_BY):
            governs[e.src[1]].append(e.dst[1])
        specifies: dict[str, list[str]] = defaultdict(list)
        for e in store.edges(Rel.SPECIFIES):
            specifies[e.src[1]].append(e.dst[1])
        return cls(lexical, embedder, index, {"governs": governs, "specifies": specifies})

    # -- linking -------------------------------------------------------------
    def link(self, topic: str) -> TopicLinks:
        lex = self.lexical.link(topic)
        parts = topic_parts(topic)
        explained = _explained(parts[1:], lex.links)
        whole = [0]  # the parts that stand for the whole topic
        glosses = self.lexical.translate(topic)
        # Guesses, linked below the exact-match bar: what a dictionary sense of one English word that
        # names no node reaches (failing → 弱点 ≈ 弱电工程), and the other products and items a part
        # that names a product reaches (微波炉 ≈ 锅炉); standards titled after it still link in full.
        phrases = {g.chinese for g in glosses if " " in g.english}  # electric kettle → 电热壶 is no guess
        single_glosses = {g.chinese for g in glosses} - phrases - set(parts) - self._surface_texts
        if glosses:  # an English topic: the Chinese terms for its words are parts too, and all of them together
            whole.append(len(parts))
            parts += [" ".join(dict.fromkeys(g.chinese for g in glosses))] + [g.chinese for g in glosses]
            parts = list(dict.fromkeys(parts))
        vectors = self.embedder.encode_queries(parts)
        closeness = self._closeness(vectors[whole])
        found: dict[tuple[Kind, str], Link] = {(l.kind, l.id): l for l in lex.links}
        near: dict[tuple[Kind, str], _Hit] = {}  # every node's best evidence, for the graph step
        fallback: dict[Kind, list[_Hit]] = {}
        fallback_all: dict[Kind, list[_Hit]] = {}
        for kind in SEMANTIC_KINDS:
            hits = self._hits(kind, parts, vectors, near if kind in (Kind.STANDARD, Kind.TEST_ITEM) else None, explained)
            near.update({(h.kind, h.id): h for h in hits})
            strong = [h for h in hits if h.z >= Z_LINK or h.delta >= D_LINK][:MAX_SEMANTIC_PER_KIND]
            for h in strong:
                w = _weight(max(h.z, Z_LINK + (h.delta - D_LINK) * 100))
                product_part = Kind.PRODUCT in explained.get(h.part, ())
                guess = h.part in single_glosses or (product_part and kind in (Kind.PRODUCT, Kind.TEST_ITEM))
                self._fuse(found, h, min(w, W_GUESS) if guess else w)
            fallback[kind], fallback_all[kind] = hits[:MAX_FALLBACK], hits
        self._graph(found, near)
        for kind, hits in fallback.items():
            if not any(k == kind for k, _ in found):
                # nothing of this kind linked, even through the graph: the nearest nodes that stand out at
                # all link weakly, best first
                for rank, h in enumerate(hits):
                    self._fuse(found, h, W_FALLBACK - 0.01 * rank, via="semantic")
            elif kind == Kind.PRODUCT:
                # the product drives everything downstream: the closest ones that stand out are offered
                # too, below the others (a broad catalogue product linked by name, 童车, hides its kinds)
                for rank, h in enumerate([h for h in fallback_all[kind] if (kind, h.id) not in found][:MAX_GUESS]):
                    self._fuse(found, h, W_GUESS - 0.01 * rank, via="semantic")
        links = TopicLinker._top(found.values())
        return TopicLinks(topic, links, [] if links else lex.suggestions, closeness)

    def _closeness(self, vectors: np.ndarray) -> dict[tuple[Kind, str], float]:
        """How close each scope line, lab and expert is worded to the whole topic (or its Chinese gloss)."""
        out: dict[tuple[Kind, str], float] = {}
        for kind in CLOSENESS_KINDS:
            for q in vectors:
                ns = self.index.node_scores(q, kind.value)
                if ns is None or len(ns.ids) < 5:
                    continue
                close = np.clip((ns.z - Z_CLOSE) / (Z_FULL - Z_CLOSE), 0.0, 1.0)
                for i in np.flatnonzero(close > 0).tolist():
                    key = (kind, ns.ids[i])
                    out[key] = max(out.get(key, 0.0), round(float(close[i]), 4))
        return out

    def _hits(
        self,
        kind: Kind,
        parts: list[str],
        vectors: np.ndarray,
        every: dict[tuple[Kind, str], _Hit] | None = None,
        explained: dict[str, frozenset[Kind]] | None = None,
    ) -> list[_Hit]:
        """Nodes of ``kind`` near the topic or one of its parts, with their best z-score, best first.

        With ``every``, each node's best evidence goes there too, however weak: the
        graph step ranks a linked product's neighbours by it. A part whose words
        linked already as a hazard or test item (``explained``) only feeds ``every``
        for other kinds: an embedding's guess at them (鼓包, a hazard, ≈ 箱包) is noise.
        """
        explained = explained or {}
        best: dict[str, _Hit] = {}
        for part, q in zip(parts, vectors, strict=True):
            ns = self.index.node_scores(q, kind.value)
            if ns is None or len(ns.ids) < 5:  # too few to say what stands out
                continue
            z, delta = ns.z, ns.delta
            if every is not None:
                for i in self._neighbour_rows(kind, ns.ids):
                    old = every.get((kind, ns.ids[i]))
                    if old is None or z[i] > old.z:
                        every[kind, ns.ids[i]] = _Hit(kind, ns.ids[i], float(ns.cos[i]), float(z[i]),
                                                      float(delta[i]), part, ns.text(i))  # fmt: skip
            named = explained.get(part, frozenset())
            if named and Kind.PRODUCT not in named and kind not in named:
                continue
            for i in np.flatnonzero((z >= Z_NEAR) | (delta >= D_NEAR)).tolist():
                h = _Hit(kind, ns.ids[i], float(ns.cos[i]), float(z[i]), float(delta[i]), part, ns.text(i))
                if h.id not in best or h.z > best[h.id].z:
                    best[h.id] = h
        return sorted(best.values(), key=lambda h: -h.z)

    def _neighbour_rows(self, kind: Kind, ids) -> list[int]:
        reachable = self._reachable.get(kind, set())
        return [i for i, x in enumerate(ids) if x in reachable]

    def _fuse(self, found: dict[tuple[Kind, str], Link], h: _Hit, w: float, via: str = "semantic") -> None:
        key = (h.kind, h.id)
        why = f"{h.part} ≈ {h.text} (cos {h.cos:.3f}, z {h.z:.1f})"
        old = found.get(key)
        if old is None:
            found[key] = Link(h.kind, h.id, self.names.get(key, h.id), round(w, 4), via, why, h.text)
        elif old.via not in ("semantic", "graph"):
            # a lexical link that other evidence agrees with — the embeddings, and each linked product whose
            # standards specify it (the graph step fuses once per product) — gains the bonus each time
            score = min(1.0, max(old.score, w) + AGREE_BONUS)
            matched = old.matched if why in old.matched else f"{old.matched}; {why}"
            found[key] = replace(old, score=round(score, 4), matched=matched)

    def _graph(self, found: dict[tuple[Kind, str], Link], near: dict[tuple[Kind, str], _Hit]) -> None:
        """Standards of linked products and the items they specify, where the topic points at them.

        The graph vouches for the neighbourhood, so the bar is lower than for a
        link on semantic evidence alone: among a product's standards (and among
        their items) the ones the topic is closest to link, if they stand out
        from their kind at all (``D_NEAR`` above its mean, or ``Z_NEAR``).
        """
        for p in [l for l in found.values() if l.kind == Kind.PRODUCT]:
            standards = self.governs.get(p.id, [])
            items = list(dict.fromkeys(i for s in standards for i in self.specifies.get(s, [])))
            for kind, ids in ((Kind.STANDARD, standards), (Kind.TEST_ITEM, items)):
                hits = sorted((near[kind, i] for i in ids if (kind, i) in near), key=lambda h: -h.z)
                if not hits:
                    continue
                top = hits[0].z
                for rank, h in enumerate(hits[:GRAPH_DEPTH]):
                    if h.z >= top - GRAPH_MARGIN and (h.z >= Z_NEAR or h.delta >= D_NEAR):
                        # graded by how far the best one stands out more: a tie would leave the order to chance
                        self._fuse(found, h, p.score * GRAPH_FACTOR - 0.01 * (top - h.z), via="graph")
                    else:  # the product's next closest neighbours, ranked below: the graph vouches, the words less
                        self._fuse(found, h, p.score * GRAPH_FACTOR * GRAPH_NEXT - 0.01 * rank, via="graph")
            # every standard governing the product still applies to it, below the ones the topic points at
            for s in standards[:MAX_GOVERNING]:
                if (Kind.STANDARD, s) not in found:
                    name = self.names.get((Kind.STANDARD, s), s)
                    found[Kind.STANDARD, s] = Link(
                        Kind.STANDARD, s, name, round(p.score * GOVERNING_FACTOR, 4), "graph",
                        f"{p.name} → 适用标准 (governing standard) {name}", name,
                    )  # fmt: skip


def _explained(parts: list[str], links: Iterable[Link]) -> dict[str, frozenset[Kind]]:
    """The parts of a topic that lexical links name in full, with the kinds that name them.

    >>> link = Link(Kind.HAZARD, "电气火灾", "电气火灾", 1.0, "alias", "自燃", "自燃")
    >>> _explained(["自燃", "鼓包"], [link])
    {'自燃': frozenset({<Kind.HAZARD: 'Hazard'>})}
    """
    words: dict[str, set[Kind]] = defaultdict(set)
    for l in links:
        if l.score >= EXPLAINED and l.via in _WORD_VIA and topic_word(l):
            words[topic_word(l)].add(l.kind)
    longest_first = sorted(words, key=len, reverse=True)
    out = {}
    for part in parts:
        rest, kinds = fold(part), set()
        for w in longest_first:
            if w in rest:
                rest, kinds = rest.replace(w, ""), kinds | words[w]
        if kinds and not _WORDLESS.sub("", rest):
            out[part] = frozenset(kinds)
    return out


def sync_vectors(store: GraphStore, embedder: Embedder, data_dir: Path | str | None = None):
    """The graph's vector index, re-embedding only texts not in ``data_dir``'s index; saved back there.

    Returns the index and its :class:`~graph.embeddings.SyncStats` (how many texts were embedded).
    """
    index = (VectorIndex.load(data_dir) if data_dir is not None else None) or VectorIndex(embedder.dim, "")
    before = (index.model, index.entries)
    stats = index.sync(embedder, node_entries(store))
    if data_dir is not None and (index.model, index.entries) != before:  # a query leaves the folder alone
        index.save(data_dir)
    return index, stats


def vectors_dir(settings) -> Path:
    """Where a store's vectors are kept: beside the embedded graph, or in a folder of their own for Neo4j."""
    return Path(settings.data_dir) if settings.store == "networkx" else Path(settings.data_dir) / "vectors-neo4j"


def _weight(z: float) -> float:
    return W_MIN + (W_MAX - W_MIN) * min(1.0, max(0.0, (z - Z_LINK) / (Z_FULL - Z_LINK)))


def node_entries(store: GraphStore) -> Iterable[Entry]:
    """The texts the semantic layer embeds: names (and their bracket variants), English names and
    aliases; standard titles; scope lines (object and item), lab names and expert specialties.

    In-house work instructions (standards of kind ``method``) are left out: their
    titles are boilerplate (检验作业指导书) that would match any topic.
    """
    for n in store.nodes(Kind.SCOPE):
        text = " ".join(x for x in (n.props.get("object", ""), n.props.get("item", "")) if x)
        if text:
            yield Entry(Kind.SCOPE.value, n.id, text)
    for n in store.nodes(Kind.LAB):
        yield Entry(Kind.LAB.value, n.id, n.name)
    for n in store.nodes(Kind.EXPERT):
        for text in n.props.get("specialties", []):
            yield Entry(Kind.EXPERT.value, n.id, str(text))
    for kind in SEMANTIC_KINDS:
        for n in store.nodes(kind):
            p = n.props
            if kind == Kind.STANDARD:
                if p.get("kind") != "method" and p.get("title"):
                    yield Entry(kind.value, n.id, str(p["title"]))
                continue
            name = p.get("name") or n.id
            for text in [name, p.get("name_en", ""), *p.get("aliases", []), *name_variants(name)]:
                if text:
                    yield Entry(kind.value, n.id, str(text))
