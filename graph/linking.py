"""Free-text topic → the products, test items, standards, hazards and categories it names.

Lexical linking, in four steps, each recorded in the link's ``via``:

1. ``number`` — standard numbers typed in any written form (``GB2811－2019``,
   ``gb 2811``) link to that edition, or to every edition of the base number.
2. ``synonym`` — the synonym table (data, loaded with the catalogue) rewrites
   what users type (电瓶车, 头盔, overheating) into catalogue words;
   ``translation`` — the English words of a topic are looked up in the
   dictionary (:mod:`graph.glossary`) and the Chinese terms the graph uses for
   them are linked in turn (tower crane → 塔吊, kettle → 水壶).
3. ``name`` / ``alias`` — every name is scored by how much of it the topic
   covers: character bigrams weighted by their rarity (so 试验, 检验 count for
   little), English names by words.  A product whose name contains a matched
   product's name or a word of the topic (压力容器 → 压力容器-超高压容器,
   桥梁 → 桥梁结构) is linked as ``narrower``.
4. ``hazard`` — a linked hazard brings the test items that address it (起火 →
   温升), which is how a colloquial topic reaches the test items.

>>> from graph.model import Product, TestItem
>>> from graph.nx_store import NetworkxStore
>>> store = NetworkxStore(None)
>>> store.write([Product("压力容器", "压力容器").to_node(), TestItem("定期检验", "定期检验").to_node()], [])
>>> links = TopicLinker.from_store(store).link("压力容器 定期检验")
>>> [(l.kind.value, l.id, l.via) for l in links.links]
[('Product', '压力容器', 'name'), ('TestItem', '定期检验', 'name')]
"""

from __future__ import annotations

import json
import logging
import math
import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from functools import lru_cache

import jieba

jieba.setLogLevel(logging.WARNING)  # its dictionary-loading chatter is not for users

from graph.glossary import Gloss, Glossary, cedict_pairs
from graph.model import Kind, Node, Rel
from graph.store import GraphStore, Linked
from loaders.names import name_variants
from loaders.standard_numbers import parse_standard_cell

LINK_THRESHOLD = 0.6  # least share of a name the topic must cover
NARROWER_SCORE = 0.7  # a product whose name contains a matched product's name or a topic word
MAX_NARROWER = 40  # a word inside more product names than this is too general to link them
ITEM_WORD_RATIO = 3  # a word inside this many times more item names than product names names a test
HAZARD_ITEM_FACTOR = 0.8  # items reached through a hazard
TRANSLATION_FACTOR = 0.9  # a dictionary term stands for the English word less surely than a synonym does
SHORTER_FACTOR = 0.6  # a matched product contained in a longer matched one (电动自行车 in 电动自行车充电器)
COMPOUND_FACTOR = 0.95  # a product naming more of the compound than the matched one, relative to it
MAX_PER_KIND = 25
LINKED_KINDS = (Kind.PRODUCT, Kind.TEST_ITEM, Kind.STANDARD, Kind.HAZARD, Kind.CATEGORY)

_ASCII_WORD = re.compile(r"[a-z0-9][a-z0-9.\-/']*")
_NUMBER_LIKE = re.compile(r"[A-Za-z]{1,6}\s*/?\s*[A-Za-z]{0,3}\s*\d[\d.\s]*(?:[-－—:：]\s*\d{2,4})?")


def fold(text: str) -> str:
    """Width-folded, lower-case text without whitespace between CJK characters.

    >>> fold("ＧＢ 电动 自行车  Charger")
    'gb 电动自行车 charger'
    """
    t = unicodedata.normalize("NFKC", text).lower()
    t = re.sub(r"(?<=[^\x00-\x7f])\s+(?=[^\x00-\x7f])", "", t)
    return re.sub(r"\s+", " ", t).strip()


def fold_query(text: str) -> str:
    """Like :func:`fold`, but the spaces a user typed between words are kept: they separate terms.

    >>> fold_query("压力容器  定期检验")
    '压力容器 定期检验'
    """
    return re.sub(r"\s+", " ", unicodedata.normalize("NFKC", text).lower()).strip()


def _segments(q: str) -> list[str]:
    """The parts of a query the user separated with spaces."""
    return q.split()


def bigrams(text: str) -> list[str]:
    cjk = re.sub(r"[\x00-\x7f]+", " ", text)
    grams = []
    for run in cjk.split():
        grams += [run] if len(run) == 1 else [run[i : i + 2] for i in range(len(run) - 1)]
    return grams


def words(text: str) -> list[str]:
    return [w.rstrip("'s").rstrip("s") if len(w) > 3 else w for w in _ASCII_WORD.findall(text)]


@lru_cache(maxsize=65536)
def _word_spans(text: str) -> tuple[frozenset[int], frozenset[int]]:
    """Where jieba's words (and, in search mode, the words inside longer ones) start and end."""
    spans = [(start, end) for _, start, end in jieba.tokenize(text, mode="search", HMM=False)]
    return frozenset(s for s, _ in spans), frozenset(e for _, e in spans)


def _on_word_boundaries(word: str, text: str) -> bool:
    """Whether ``word`` occurs in ``text`` as whole words.

    >>> _on_word_boundaries("桥梁", "桥梁工程"), _on_word_boundaries("漏电", "泄漏电流模拟电气盒")
    (True, False)
    """
    starts, ends = _word_spans(text) if word in text else ((), ())
    return any(i in starts and i + len(word) in ends for i in range(len(text)) if text.startswith(word, i))


@dataclass(frozen=True, slots=True)
class Link:
    """One node the topic links to, and why."""

    kind: Kind
    id: str
    name: str
    score: float
    via: str  # number | synonym | translation | name | alias | narrower | hazard | semantic | graph
    matched: str  # the words of the topic (or the synonym) that produced the link
    surface: str = ""  # the name or alias that matched, folded


def _rank(link: Link) -> tuple[float, bool, int, str, str, str]:
    """Order of two links to one node: higher score, then a number, then the longer surface (and text)."""
    return (link.score, link.via == "number", len(link.surface), link.surface, link.via, link.matched)


def topic_word(link: Link) -> str:
    """The words of the topic a link was made from: the synonym term, or the name it matched."""
    return link.matched if link.via in ("synonym", "translation") else link.surface


def _text(link: Link) -> str:
    return link.surface or fold(link.name)


@dataclass
class TopicLinks:
    topic: str
    links: list[Link] = field(default_factory=list)
    suggestions: list[str] = field(default_factory=list)
    # (Scope | Lab | Expert, id) → 0–1, how close its own wording is to the topic (semantic layer only)
    closeness: dict[tuple[Kind, str], float] = field(default_factory=dict)

    def weights(self) -> dict[tuple[Kind, str], float]:
        return {(l.kind, l.id): l.score for l in self.links}

    def linked(self) -> Linked:
        by: dict[Kind, set[str]] = defaultdict(set)
        for l in self.links:
            by[l.kind].add(l.id)
        return Linked(
            products=frozenset(by[Kind.PRODUCT]),
            items=frozenset(by[Kind.TEST_ITEM]),
            standards=frozenset(by[Kind.STANDARD]),
            categories=frozenset(by[Kind.CATEGORY]),
        )


@dataclass(frozen=True, slots=True)
class _Surface:
    kind: Kind
    id: str
    text: str  # folded
    via: str  # name | alias


class TopicLinker:
    """Links topics against the vocabulary of one graph; build it once per loaded graph."""

    def __init__(
        self,
        nodes: list[Node],
        synonyms: dict[str, list[str]],
        hazard_items: dict[str, list[str]],
        glossary_pairs: Iterable[tuple[str, str]] | None = None,
    ) -> None:
        """``glossary_pairs``: (English, Chinese) dictionary entries; by default CC-CEDICT's."""
        self.names = {(n.kind, n.id): n.name for n in nodes}
        self.synonyms = {fold(k): [fold(v) for v in vs] for k, vs in synonyms.items()}
        self.hazard_items = hazard_items
        self.surfaces: list[_Surface] = []
        self.editions: dict[str, list[str]] = defaultdict(list)  # base number → standard ids
        self.standard_ids: set[str] = set()
        for n in nodes:
            self._add_surfaces(n)
        self.by_gram: dict[str, list[int]] = defaultdict(list)
        self.by_word: dict[str, list[int]] = defaultdict(list)
        for i, s in enumerate(self.surfaces):
            for g in set(bigrams(s.text)):
                self.by_gram[g].append(i)
            for w in set(words(s.text)):
                self.by_word[w].append(i)
        n_surf = max(len(self.surfaces), 1)
        self.idf = {g: math.log(1 + n_surf / len(ix)) for g, ix in self.by_gram.items()}
        self.widf = {w: math.log(1 + n_surf / len(ix)) for w, ix in self.by_word.items()}
        self.tokenizer = jieba.Tokenizer()
        jieba.initialize()  # the plain dictionary word boundaries are read with, loaded now, not on a first query
        for s in self.surfaces:
            if s.kind in (Kind.PRODUCT, Kind.TEST_ITEM, Kind.HAZARD) and not s.text.isascii():
                self.tokenizer.add_word(s.text, freq=2000)
        self.glossary = Glossary(cedict_pairs() if glossary_pairs is None else glossary_pairs, self._term_use)

    def _term_use(self, term: str) -> float:
        """How much of the graph's vocabulary a Chinese term shares: inside a name 2 (and more the more
        names), every bigram somewhere 1, some 0.5; none 0.25 — the embedder may still place it."""
        term = fold(term)
        grams = bigrams(term)
        if not grams or term.isascii():
            return 0.0
        postings = [self.by_gram.get(g, ()) for g in set(grams)]
        rarest = min(postings, key=len)
        inside = sum(1 for i in rarest if term in self.surfaces[i].text)
        if inside:
            return 2.0 + math.log1p(inside)
        present = sum(1 for p in postings if p)
        return 1.0 if present == len(postings) else (0.5 if present else 0.25)

    def translate(self, topic: str) -> list[Gloss]:
        """The graph's Chinese terms for the English words of a topic (see :mod:`graph.glossary`)."""
        return self.glossary.translate(fold_query(topic)) if re.search(r"[a-zA-Z]{3}", topic) else []

    @classmethod
    def from_store(cls, store: GraphStore) -> TopicLinker:
        nodes = [n for kind in LINKED_KINDS for n in store.nodes(kind)]
        synonyms = json.loads(store.meta().get("synonyms", "{}"))
        hazard_items: dict[str, list[str]] = defaultdict(list)
        for e in store.edges(Rel.ADDRESSES):
            hazard_items[e.dst[1]].append(e.src[1])
        return cls(nodes, synonyms, {h: sorted(items) for h, items in hazard_items.items()})

    def _add_surfaces(self, n: Node) -> None:
        p = n.props
        if n.kind == Kind.STANDARD:
            if p.get("kind") != "method":
                self.standard_ids.add(n.id)
                self.editions[fold(p.get("base_number", n.id))].append(n.id)
            if p.get("title"):
                self.surfaces.append(_Surface(n.kind, n.id, fold(p["title"]), "name"))
            return
        name = p.get("name", n.id)
        for text, via in [(name, "name"), (p.get("name_en", ""), "name")] + [
            (a, "alias") for a in [*p.get("aliases", []), *name_variants(name)]
        ]:
            if text and fold(text):
                self.surfaces.append(_Surface(n.kind, n.id, fold(text), via))

    # -- linking -----------------------------------------------------------
    def link(self, topic: str) -> TopicLinks:
        q = fold_query(topic)
        found: dict[tuple[Kind, str], Link] = {}

        def keep(link: Link) -> None:
            # ties are broken by the link itself, never by the order the store listed nodes in
            # (the stores list them in different orders): a number first, then the longer surface
            old = found.get((link.kind, link.id))
            if old is None or _rank(link) > _rank(old):
                found[(link.kind, link.id)] = link

        for link in self._numbers(topic):
            keep(link)
        texts = [(q, "", "")] + [(c, t, "synonym") for c, t in self._synonym_hits(q)]
        texts += [(g.chinese, f"{g.english} → {g.chinese}", "translation") for g in self.translate(topic)]
        matches: list[Link] = []  # every match, also those a better one of the same node replaced
        for text, term, via in texts:
            for link in self._names(text, term, via):
                matches.append(link)
                keep(link)
        self._shorter(found, matches)
        self._modifiers(found, q)
        self._narrower(found, keep, q)
        self._compounds(found, q)
        self._compound_items(found, keep)
        for link in list(found.values()):
            if link.kind == Kind.HAZARD:
                for item in self.hazard_items.get(link.id, []):
                    keep(Link(Kind.TEST_ITEM, item, self.names.get((Kind.TEST_ITEM, item), item),
                              round(link.score * HAZARD_ITEM_FACTOR, 4), "hazard", link.name))  # fmt: skip
        links = self._top(found.values())
        suggestions = [] if links else self.suggest(q)
        return TopicLinks(topic, links, suggestions)

    def _numbers(self, topic: str) -> list[Link]:
        links = []
        for m in _NUMBER_LIKE.finditer(unicodedata.normalize("NFKC", topic).upper()):
            for ref in parse_standard_cell(m.group(0)):
                if ref.kind == "method":
                    continue
                if ref.number in self.standard_ids:
                    links.append(Link(Kind.STANDARD, ref.number, ref.number, 1.0, "number", m.group(0).strip()))
                for sid in self.editions.get(fold(ref.base), []) if ref.year is None else []:
                    links.append(Link(Kind.STANDARD, sid, sid, 1.0, "number", m.group(0).strip()))
        return links

    def _synonym_hits(self, q: str) -> list[tuple[str, str]]:
        """(canonical, term) for every synonym term the topic contains."""
        qwords = set(words(q))
        hits = []
        for term, canons in self.synonyms.items():
            if (term.isascii() and set(words(term)) <= qwords and words(term)) or (not term.isascii() and term in q):
                hits += [(c, term) for c in canons]
        return hits

    def _names(self, text: str, term: str, via: str = "") -> list[Link]:
        qgrams, qwords = set(bigrams(text)), set(words(text))
        candidates = {i for g in qgrams for i in self.by_gram.get(g, ())} | {
            i for w in qwords for i in self.by_word.get(w, ())
        }
        links = []
        for i in candidates:
            s = self.surfaces[i]
            score = self._cover(s.text, text, qgrams, qwords)
            if score >= LINK_THRESHOLD:
                if via == "translation":
                    score *= TRANSLATION_FACTOR
                matched = term or self._matched_words(s.text, text)
                links.append(Link(s.kind, s.id, self.names.get((s.kind, s.id), s.id), round(score, 4), via or s.via, matched, s.text))
        return links

    def _cover(self, name: str, text: str, qgrams: set[str], qwords: set[str]) -> float:
        """IDF-weighted share of the name's bigrams (and English words) found in the text."""
        if name in text:
            return 1.0
        total = found = 0.0
        for g in set(bigrams(name)):
            w = self.idf.get(g, 1.0)
            total += w
            found += w if g in qgrams else 0.0
        for wd in set(words(name)):
            w = self.widf.get(wd, 1.0)
            total += w
            found += w if wd in qwords else 0.0
        return found / total if total else 0.0

    def _matched_words(self, name: str, text: str) -> str:
        """The topic's words (jieba tokens) that overlap the name, for the explanation."""
        grams = set(bigrams(name)) | set(words(name))
        toks = [t.strip() for t in self.tokenizer.cut_for_search(text) if t.strip()]
        hit = [t for t in toks if t in name or set(bigrams(t)) & grams or (t.isascii() and t in grams)]
        longest = [t for t in hit if not any(t != o and t in o for o in hit)]
        return " ".join(dict.fromkeys(longest)) or name

    def _narrower(self, found: dict[tuple[Kind, str], Link], keep, q: str) -> None:
        """Products whose name contains a matched product's name or a word of the topic (桥梁 →
        桥梁结构, 桥梁工程) as words, not across them (漏电 is not in 泄漏电流), unless the word is so
        common that it names no product in particular."""
        words = {fold(l.name) for l in found.values() if l.kind == Kind.PRODUCT and l.score >= 1.0}
        words |= {t for t in self.tokenizer.cut(q) if len(t) >= 2 and not t.isascii()}
        for word in sorted(w for w in words if len(w) >= 2):
            grams = bigrams(word)
            pool = set(self.by_gram.get(grams[0], ())) if grams else set()
            inside = [self.surfaces[i] for i in pool if _on_word_boundaries(word, self.surfaces[i].text)]
            ids = {x.id for x in inside if x.kind == Kind.PRODUCT}
            items = {x.id for x in inside if x.kind == Kind.TEST_ITEM}
            # Too general (安全, 系统), or a word of tests rather than things (检测, 定期检验).
            if len(ids) > MAX_NARROWER or len(items) > ITEM_WORD_RATIO * len(ids):
                continue
            for pid in sorted(ids):
                if (Kind.PRODUCT, pid) not in found:
                    keep(Link(Kind.PRODUCT, pid, self.names[(Kind.PRODUCT, pid)], NARROWER_SCORE, "narrower", word))

    @staticmethod
    def _shorter(found: dict[tuple[Kind, str], Link], matches: list[Link]) -> None:
        """A full match inside a longer full match of another node is the less specific reading: 电机 in
        充电机, 电动自行车 in 电动自行车充电器, 性能 in 制动性能, 行车 (a crane) in 电动自行车 — also where
        that node kept a match in other words (e-bike → 电动自行车)."""
        def full(l: Link) -> bool:
            return l.kind in (Kind.PRODUCT, Kind.TEST_ITEM) and l.score >= 1.0 and bool(l.surface)

        hosts = [m for m in matches if full(m)]
        for l in [l for l in found.values() if full(l)]:
            inside = [o for o in hosts if len(o.surface) > len(l.surface) and l.surface in o.surface
                      and (o.kind, o.id) != (l.kind, l.id)]  # fmt: skip
            if not inside:
                continue
            if l.kind == Kind.PRODUCT and any(fold(l.name) in fold(o.name) for o in inside):
                # the product family (电动自行车 of 电动自行车充电器) still matters, below the product named
                found[(l.kind, l.id)] = replace(l, score=round(l.score * SHORTER_FACTOR, 4))
            else:  # a fragment (性能 in 制动性能, 行车 in 电动自行车), not a second item or product
                del found[(l.kind, l.id)]

    @staticmethod
    def _modifiers(found: dict[tuple[Kind, str], Link], q: str) -> None:
        """In a compound the last product is the head, the ones before it modify it:
        电瓶车充电机 is about the charger, not the e-bike."""
        for segment in _segments(q):
            spans = []
            for l in found.values():
                if l.kind != Kind.PRODUCT or l.score < 1.0:
                    continue
                word = topic_word(l)
                at = segment.find(word) if word else -1
                if at >= 0:
                    spans.append((at, at + len(word), l))
            if len(spans) < 2:
                continue
            head_start = max(start for start, _, _ in spans)
            for start, end, l in spans:
                if end <= head_start:
                    found[(l.kind, l.id)] = replace(l, score=round(l.score * SHORTER_FACTOR, 4))

    @staticmethod
    def _compounds(found: dict[tuple[Kind, str], Link], q: str) -> None:
        """A product whose name holds a matched product's word *and* more of the same compound is the
        reading the user meant: 摩托车头盔 is 摩托车乘员头盔 rather than 安全帽 (头盔's synonym),
        电动车锂电池 is 电动自行车用锂离子蓄电池 rather than 电动自行车.  It takes the matched
        product's place; that one drops as a modifier does."""
        products = [l for l in found.values() if l.kind == Kind.PRODUCT]
        for segment in _segments(q):
            for p in [l for l in products if l.score >= 1.0]:
                word = topic_word(p)
                at = segment.find(word) if word else -1
                if at < 0:
                    continue
                rest = set(bigrams(segment[:at] + " " + segment[at + len(word) :]))
                cores = {word, fold(p.name)}
                better = [m for m in products if m.id != p.id and any(c in _text(m) for c in cores)
                          and rest & set(bigrams(_text(m)))]  # fmt: skip
                if not better:
                    continue
                for m in better:
                    found[m.kind, m.id] = replace(m, score=max(m.score, round(p.score * COMPOUND_FACTOR, 4)))
                found[p.kind, p.id] = replace(p, score=round(p.score * SHORTER_FACTOR, 4))

    def _compound_items(self, found: dict[tuple[Kind, str], Link], keep) -> None:
        """A test item named after a matched product and a matched item together (压力容器定期检验 for
        压力容器 + 定期检验) is the one the topic asks for; the bare item (定期检验) ranks just below it."""
        products = {fold(l.name) for l in found.values() if l.kind == Kind.PRODUCT and l.score >= 1.0}
        items = [l for l in found.values() if l.kind == Kind.TEST_ITEM and l.score >= 1.0]
        for item in items:
            word = fold(item.name)
            grams = bigrams(word)
            pool = self.by_gram.get(min(grams, key=lambda g: len(self.by_gram.get(g, ()))), ()) if grams else ()
            compound = [self.surfaces[i] for i in pool if self.surfaces[i].kind == Kind.TEST_ITEM and
                        self.surfaces[i].id != item.id and word in self.surfaces[i].text and
                        any(p in self.surfaces[i].text for p in products)]  # fmt: skip
            for c in compound:
                keep(Link(Kind.TEST_ITEM, c.id, self.names[(Kind.TEST_ITEM, c.id)], round(item.score * COMPOUND_FACTOR, 4),
                          "narrower", item.matched, c.text))  # fmt: skip
            if compound:
                found[item.kind, item.id] = replace(item, score=round(item.score * COMPOUND_FACTOR**2, 4))

    @staticmethod
    def _top(links) -> list[Link]:
        by_kind: dict[Kind, list[Link]] = defaultdict(list)
        for l in links:
            by_kind[l.kind].append(l)
        out: list[Link] = []
        for kind in LINKED_KINDS:
            ranked = sorted(by_kind[kind], key=lambda l: (-l.score, -len(l.surface), len(l.name), l.id))
            out += ranked[:MAX_PER_KIND]
        return out

    def suggest(self, q: str, k: int = 5) -> list[str]:
        """Names that share the most with a topic that linked to nothing."""
        qgrams, qwords = set(bigrams(q)), set(words(q))
        scored: dict[str, float] = {}
        for g in qgrams:
            for i in self.by_gram.get(g, ()):
                s = self.surfaces[i]
                name = self.names.get((s.kind, s.id), s.id)
                scored[name] = max(scored.get(name, 0.0), self._cover(s.text, q, qgrams, qwords))
        for w in qwords:
            for i in self.by_word.get(w, ()):
                s = self.surfaces[i]
                name = self.names.get((s.kind, s.id), s.id)
                scored[name] = max(scored.get(name, 0.0), self._cover(s.text, q, qgrams, qwords))
        return [n for n, _ in sorted(scored.items(), key=lambda x: (-x[1], len(x[0]), x[0]))[:k]]
