"""Measure topic linking on evaluation sets, with any ranking method plugged in.

A set is a folder with two tab-separated files (the format of
``../shared/eval/topic-linking``):

* ``candidates.tsv`` — ``id  type  text``: the pool of nodes a topic may link to;
  ``type`` is one of :data:`TYPES`.  A set written against a graph (such as
  ``data/eval/demo-topics`` against the demo data) has no such file: its pool is
  every product, standard, test item, lab and expert of the loaded graph.
* ``queries.tsv`` — ``id  kind  text  product  standard  test_item  lab  expert``:
  a topic, its kind (e.g. ``lex`` shares words with the answer, ``para`` is a
  paraphrase, ``en`` English) and per type the correct candidate ids, ``|``
  between several acceptable ones, empty for none.

A :class:`Ranker` scores candidates for a query text; the harness ranks them per
type (only that type's candidates) and in one mixed pool.  A candidate the ranker
does not score is ranked below every scored one.  **Ties count against the
method**: the rank of the answer is one plus the number of wrong candidates that
score at least as high as the best correct one.

Figures: per type top-1 / top-3 accuracy and MRR; "all types" averages over every
(query, type) pair that has an answer; the mixed pool gives hit@1, hit@5 and MRR
over the union of a query's answers.
"""

from __future__ import annotations

import argparse
import csv
import json
import math
import re
import sys
from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Protocol

TYPES = ("product", "standard", "test_item", "lab", "expert")
DEFAULT_SET = Path(__file__).resolve().parents[1] / ".." / "shared" / "eval" / "topic-linking"


Key = tuple[str, str]  # (type, id): ids need only be unique within a type


@dataclass(frozen=True, slots=True)
class Candidate:
    id: str
    type: str
    text: str

    @property
    def key(self) -> Key:
        return (self.type, self.id)


@dataclass(frozen=True, slots=True)
class Query:
    id: str
    kind: str
    text: str
    answers: Mapping[str, frozenset[str]]  # type → acceptable candidate ids (absent: none)


@dataclass
class EvalSet:
    name: str
    queries: list[Query]
    candidates: list[Candidate]
    problems: list[str] = field(default_factory=list)  # "file:line: reason" for rows left out


def load_set(folder: Path | str, store=None) -> EvalSet:
    """Read a set; bad rows are reported in ``problems`` and left out, good ones kept.

    Without ``candidates.tsv`` the pool is the graph in ``store``.
    """
    folder = Path(folder)
    problems: list[str] = []
    cand_path, query_path = folder / "candidates.tsv", folder / "queries.tsv"
    candidates: dict[tuple[str, str], Candidate] = {}
    if not cand_path.is_file():
        if store is None:
            raise FileNotFoundError(f"{cand_path}: missing, and no graph given to take the candidates from")
        candidates = {c.key: c for c in candidates_from_store(store)}
    for line, row in _rows(cand_path, ("id", "type", "text")) if not candidates else ():
        cid, ctype, text = row["id"].strip(), row["type"].strip(), row["text"].strip()
        if ctype not in TYPES:
            problems.append(f"{cand_path}:{line}: unknown type {ctype!r} (expected one of {', '.join(TYPES)})")
        elif not cid or not text:
            problems.append(f"{cand_path}:{line}: empty id or text")
        elif (ctype, cid) in candidates:
            problems.append(f"{cand_path}:{line}: duplicate {ctype} id {cid!r}")
        else:
            candidates[ctype, cid] = Candidate(cid, ctype, text)
    queries: list[Query] = []
    seen: set[str] = set()
    for line, row in _rows(query_path, ("id", "kind", "text", *TYPES)):
        qid, text = row["id"].strip(), row["text"].strip()
        if not qid or not text:
            problems.append(f"{query_path}:{line}: empty id or text")
            continue
        if qid in seen:
            problems.append(f"{query_path}:{line}: duplicate query id {qid!r}")
            continue
        answers: dict[str, frozenset[str]] = {}
        bad = False
        for t in TYPES:
            ids = frozenset(x.strip() for x in (row[t] or "").split("|") if x.strip())
            for x in sorted(ids):
                if (t, x) not in candidates:
                    where = "in the graph" if not cand_path.is_file() else "candidate"
                    problems.append(f"{query_path}:{line}: {qid} {t} answer {x!r} is not a {t} {where}")
                    bad = True
            if ids:
                answers[t] = ids
        if bad:
            continue
        if not answers:
            problems.append(f"{query_path}:{line}: {qid} has no answer of any type")
            continue
        seen.add(qid)
        queries.append(Query(qid, row["kind"].strip(), text, answers))
    return EvalSet(folder.name, queries, list(candidates.values()), problems)


def candidates_from_store(store) -> list[Candidate]:
    """Every node of the five types in a graph, with the text a text-only method would see."""
    from graph.model import Kind

    out: list[Candidate] = []
    for t, kind in (("product", Kind.PRODUCT), ("standard", Kind.STANDARD), ("test_item", Kind.TEST_ITEM),
                    ("lab", Kind.LAB), ("expert", Kind.EXPERT)):  # fmt: skip
        for n in store.nodes(kind):
            p = n.props
            if kind == Kind.STANDARD:
                text = f"{n.id} {p.get('title', '')}".strip()
            elif kind == Kind.EXPERT:
                text = "；".join(p.get("specialties", [])) or n.name
            else:
                text = n.name
            out.append(Candidate(n.id, t, text))
    return out


def _rows(path: Path, columns: Sequence[str]):
    """(line number, row) pairs of a TSV file with the required header columns."""
    if not path.is_file():
        raise FileNotFoundError(f"{path}: evaluation file missing")
    with open(path, encoding="utf-8", newline="") as f:
        reader = csv.DictReader(f, delimiter="\t", quoting=csv.QUOTE_NONE)
        missing = [c for c in columns if c not in (reader.fieldnames or [])]
        if missing:
            raise ValueError(f"{path}:1: missing column(s) {', '.join(missing)}")
        for row in reader:
            yield reader.line_num, {k: (v or "") for k, v in row.items() if k is not None}


# -- ranking methods ----------------------------------------------------------------


class Ranker(Protocol):
    """A linking method under test: scores candidates for a query, higher is better."""

    name: str

    def prepare(self, candidates: Sequence[Candidate]) -> None:
        """Called once per set with its whole candidate pool."""

    def score(self, query: str) -> Mapping[Key, float]:
        """(type, id) → score; candidates left out are ranked last."""


class CharTfidfRanker:
    """Baseline: cosine of character 1–2-gram TF-IDF vectors (IDF over the pool).

    >>> r = CharTfidfRanker(); r.prepare([Candidate("a", "product", "安全帽"), Candidate("b", "product", "奶瓶")])
    >>> s = r.score("安全帽 冲击"); s["product", "a"] > s["product", "b"]
    True
    """

    name = "char 1-2-gram TF-IDF"

    def prepare(self, candidates: Sequence[Candidate]) -> None:
        self.keys = [c.key for c in candidates]
        grams = [self._grams(c.text) for c in candidates]
        df = Counter(g for gs in grams for g in set(gs))
        n = len(candidates)
        self.idf = {g: math.log((1 + n) / (1 + d)) + 1.0 for g, d in df.items()}  # smoothed, as is usual
        self.vectors = [self._vector(gs) for gs in grams]

    @staticmethod
    def _grams(text: str) -> list[str]:
        t = " ".join(text.lower().split())
        return list(t) + [t[i : i + 2] for i in range(len(t) - 1)]

    def _vector(self, grams: list[str]) -> dict[str, float]:
        v = {g: c * self.idf[g] for g, c in Counter(grams).items() if g in self.idf}
        norm = math.sqrt(sum(x * x for x in v.values())) or 1.0
        return {g: x / norm for g, x in v.items()}

    def score(self, query: str) -> dict[Key, float]:
        q = self._vector(self._grams(query))
        return {key: sum(w * vec.get(g, 0.0) for g, w in q.items()) for key, vec in zip(self.keys, self.vectors, strict=True)}


class EmbedderRanker:
    """The embedding model alone: cosine of the query and each candidate's text."""

    def __init__(self, embedder) -> None:
        self.embedder = embedder
        self.name = f"embedder ({Path(embedder.name).name})"

    def prepare(self, candidates: Sequence[Candidate]) -> None:
        self.keys = [c.key for c in candidates]
        self.matrix = self.embedder.encode_passages([c.text for c in candidates])

    def score(self, query: str) -> dict[Key, float]:
        sims = self.matrix @ self.embedder.encode_queries([query])[0]
        return dict(zip(self.keys, sims.tolist(), strict=True))


class PipelineRanker:
    """The product itself: topic linking, then labs and experts through the graph.

    Products, standards and test items score by their link weight; labs and
    experts by their match score.  Give it the linker to measure (the lexical
    one by default) — a semantic linker plugs in the same way.
    """

    def __init__(
        self, store, linker=None, name: str = "pipeline", top_k: int = 100, ids: Mapping[Key, str] | None = None
    ) -> None:
        from graph.matching import Matcher

        self.matcher = Matcher(store, linker=linker)
        self.name, self.top_k = name, top_k
        self.ids = dict(ids or {})  # (type, graph id) → candidate id, for a set with its own graph

    def prepare(self, candidates: Sequence[Candidate]) -> None:
        pass  # the pool is the graph the matcher already holds

    def score(self, query: str) -> dict[Key, float]:
        from graph.matching import MatchQuery

        types = {"Product": "product", "Standard": "standard", "TestItem": "test_item"}
        result = self.matcher.match(MatchQuery(query, top_k=self.top_k))
        scores: dict[Key, float] = {}
        for link in result.links:
            if link.kind.value in types:
                key = (types[link.kind.value], link.id)
                scores[key] = max(scores.get(key, -math.inf), link.score)
        scores.update({("lab", m.id): m.score for m in result.labs})
        scores.update({("expert", m.id): m.score for m in result.experts})
        if self.ids:
            scores = {(k[0], self.ids.get(k, k[1])): v for k, v in scores.items()}
        return scores


# -- measuring ----------------------------------------------------------------------


def rank_of(scores: Mapping, pool: Sequence, correct: frozenset) -> float:
    """Rank of the best correct candidate in ``pool``; ``inf`` when none is scored.

    Ties count against the method:

    >>> rank_of({"a": 1.0, "b": 1.0, "c": 0.5}, ["a", "b", "c"], frozenset({"a"}))
    2
    >>> rank_of({"a": 1.0, "b": 0.9}, ["a", "b", "c"], frozenset({"c"}))
    inf
    """
    scored = [scores[c] for c in correct if c in scores and not math.isnan(scores[c])]
    if not scored:
        return math.inf
    best = max(scored)
    return 1 + sum(1 for c in pool if c not in correct and scores.get(c, -math.inf) >= best)


@dataclass
class TypeFigures:
    n: int = 0
    top1: float = 0.0
    top3: float = 0.0
    mrr: float = 0.0


@dataclass
class MixedFigures:
    n: int = 0
    hit1: float = 0.0
    hit5: float = 0.0
    mrr: float = 0.0


@dataclass
class QueryResult:
    id: str
    kind: str
    text: str
    ranks: dict[str, float]  # type → rank of the answer (inf: not found)
    mixed_rank: float
    top: list[str]  # the method's five best candidates in the mixed pool (ids)


@dataclass
class Report:
    set_name: str
    method: str
    per_type: dict[str, TypeFigures]
    all_types: TypeFigures  # over every (query, type) pair with an answer
    by_kind: dict[str, TypeFigures]  # the same, per query kind
    mixed: MixedFigures
    queries: list[QueryResult]

    def as_dict(self) -> dict:
        d = asdict(self)
        for q in d["queries"]:  # JSON has no infinity
            q["ranks"] = {t: (None if math.isinf(r) else r) for t, r in q["ranks"].items()}
            q["mixed_rank"] = None if math.isinf(q["mixed_rank"]) else q["mixed_rank"]
        return d


def _figures(ranks: Sequence[float]) -> TypeFigures:
    if not ranks:
        return TypeFigures()
    n = len(ranks)
    return TypeFigures(
        n, sum(r <= 1 for r in ranks) / n, sum(r <= 3 for r in ranks) / n, sum(1 / r for r in ranks) / n
    )


def evaluate(eval_set: EvalSet, ranker: Ranker) -> Report:
    """Run ``ranker`` over every query of the set and gather the figures."""
    ranker.prepare(eval_set.candidates)
    pools = {t: [c.key for c in eval_set.candidates if c.type == t] for t in TYPES}
    everything = [c.key for c in eval_set.candidates]
    per_type: dict[str, list[float]] = defaultdict(list)
    by_kind: dict[str, list[float]] = defaultdict(list)
    results: list[QueryResult] = []
    for q in eval_set.queries:
        scores = ranker.score(q.text)
        ranks = {t: rank_of(scores, pools[t], frozenset((t, i) for i in ids)) for t, ids in q.answers.items()}
        for t, r in ranks.items():
            per_type[t].append(r)
            by_kind[q.kind].append(r)
        union = frozenset((t, i) for t, ids in q.answers.items() for i in ids)
        top = sorted((c for c in everything if c in scores), key=lambda c: -scores[c])[:5]
        results.append(QueryResult(q.id, q.kind, q.text, ranks, rank_of(scores, everything, union), [i for _, i in top]))
    mixed_ranks = [r.mixed_rank for r in results]
    n = len(mixed_ranks)
    mixed = (
        MixedFigures(
            n,
            sum(r <= 1 for r in mixed_ranks) / n,
            sum(r <= 5 for r in mixed_ranks) / n,
            sum(1 / r for r in mixed_ranks) / n,
        )
        if n
        else MixedFigures()
    )
    return Report(
        eval_set.name,
        ranker.name,
        {t: _figures(per_type[t]) for t in TYPES if per_type[t]},
        _figures([r for t in TYPES for r in per_type[t]]),
        {k: _figures(v) for k, v in sorted(by_kind.items())},
        mixed,
        results,
    )


def format_report(report: Report, *, failures: bool = False) -> str:
    """A plain-text table of a report (what the evaluation command prints)."""
    lines = [f"== {report.set_name} · {report.method}", f"{'type':<12}{'n':>4}{'top-1':>8}{'top-3':>8}{'MRR':>8}"]

    def row(label: str, f: TypeFigures) -> str:
        return f"{label:<12}{f.n:>4}{f.top1:>8.2f}{f.top3:>8.2f}{f.mrr:>8.2f}"

    lines += [row(t, f) for t, f in report.per_type.items()]
    lines.append(row("all types", report.all_types))
    lines += [row(f"  kind {k}", f) for k, f in report.by_kind.items()]
    m = report.mixed
    lines.append(f"mixed pool  n={m.n}  hit@1 {m.hit1:.2f}  hit@5 {m.hit5:.2f}  MRR {m.mrr:.2f}")
    if failures:
        for q in report.queries:
            missed = {t: r for t, r in q.ranks.items() if r > 1}
            if missed:
                shown = ", ".join(f"{t} #{'-' if math.isinf(r) else int(r)}" for t, r in missed.items())
                lines.append(f"  {q.id} [{q.kind}] {q.text}: {shown}; top {' '.join(q.top)}")
    return "\n".join(lines)


# -- the command ---------------------------------------------------------------------

METHODS = ("tfidf", "embedder", "lexical", "semantic")
"""``tfidf`` and ``embedder`` rank the candidates' texts; ``lexical`` and ``semantic``
run the matcher with the lexical or the semantic linker over a graph."""


def graph_from_candidates(eval_set: EvalSet):
    """An in-memory graph of a set's candidates, for the pipeline methods on a set that has no graph.

    Products, test items and standards become nodes (a standard's number is split
    from its title); each lab becomes one scope line whose object is its text, each
    expert one specialty.  There are no edges between them: the set says nothing
    about which product a standard governs, so the graph path cannot help here.
    """
    from graph.model import Edge, Expert, Kind, Lab, Product, Rel, Scope, Standard, TestItem
    from graph.nx_store import NetworkxStore

    nodes, edges = [], []
    for c in eval_set.candidates:
        if c.type == "product":
            nodes.append(Product(c.id, name=c.text).to_node())
        elif c.type == "test_item":
            nodes.append(TestItem(c.id, name=c.text).to_node())
        elif c.type == "standard":
            m = re.match(r"((?:GB|GB/T|GB/Z)\s*[\d.]+-\d{4})\s+(.*)", c.text)
            number, title = (m.group(1), m.group(2)) if m else ("", c.text)
            base = number.rsplit("-", 1)[0] if number else ""
            nodes.append(Standard(c.id, number=number, base_number=base, title=title, kind="GB").to_node())
        elif c.type == "lab":
            nodes += [Lab(c.id, name=c.text).to_node(), Scope(f"{c.id}#1", lab=c.id, object=c.text).to_node()]
            edges.append(Edge((Kind.LAB, c.id), Rel.HAS_SCOPE, (Kind.SCOPE, f"{c.id}#1")))
        else:
            nodes.append(Expert(c.id, name=c.id, specialties=(c.text,)).to_node())
    store = NetworkxStore(None)
    store.write(nodes, edges)
    return store


GRAPHS = Path(__file__).resolve().parents[1] / "data" / "eval"
"""Where a set's own graph lives: ``<set name>-graph``, canonical tables (loaders/canonical.py)."""


def graph_folder(set_folder: Path | str) -> Path | None:
    """The canonical graph written for a candidate set, if the project ships one.

    >>> graph_folder(DEFAULT_SET).name
    'topic-linking-graph'
    """
    folder = GRAPHS / f"{Path(set_folder).resolve().name}-graph"
    return folder if folder.is_dir() else None


def graph_id(c: Candidate) -> str:
    """The id the canonical loader gives a candidate's node: a name key, a standard number, or the id.

    >>> graph_id(Candidate("P09", "product", "移动电源（充电宝）"))
    '移动电源'
    >>> graph_id(Candidate("S12", "standard", "GB/T 2099.7-2015 家用和类似用途插头插座"))
    'GB/T 2099.7-2015'
    """
    from loaders.names import name_key
    from loaders.standards import standard_nodes

    if c.type in ("product", "test_item"):
        return name_key(c.text)
    if c.type == "standard":
        m = re.match(r"((?:GB|GB/T|GB/Z)\s*[\d.]+-\d{4})", c.text)
        nodes = standard_nodes(m.group(1)) if m else []
        return nodes[0].id if nodes else c.id
    return c.id


def store_from_graph(eval_set: EvalSet, folder: Path):
    """Load a set's canonical graph (with the catalogue, as ``yrdq load`` would) into a fresh in-memory store.

    Returns the store and the map from (type, graph id) to candidate id.  A
    candidate the graph lacks is reported in the set's ``problems``; the
    pipeline cannot rank it, so it counts as not found.
    """
    from graph.nx_store import NetworkxStore
    from loaders.pipeline import load

    store = NetworkxStore(None)
    report = load([folder], store)
    eval_set.problems += [str(r) for r in report.rejected]
    kinds = {"product": "Product", "standard": "Standard", "test_item": "TestItem", "lab": "Lab", "expert": "Expert"}
    present = {t: {n.id for n in store.nodes(kind)} for t, kind in _graph_kinds().items()}
    ids: dict[Key, str] = {}
    for c in eval_set.candidates:
        gid = graph_id(c)
        if gid not in present[c.type]:
            eval_set.problems.append(f"{folder}: no {kinds[c.type]} {gid!r} for candidate {c.id}")
        ids[c.type, gid] = c.id
    return store, ids


def _graph_kinds():
    from graph.model import Kind

    return {"product": Kind.PRODUCT, "standard": Kind.STANDARD, "test_item": Kind.TEST_ITEM, "lab": Kind.LAB,
            "expert": Kind.EXPERT}  # fmt: skip


def make_ranker(
    method: str, store=None, settings=None, vectors_dir: Path | None = None, ids: Mapping[Key, str] | None = None
) -> Ranker:
    """The ranker a method name stands for; the pipeline methods need ``store``.

    ``vectors_dir`` keeps the semantic index of ``store`` between runs.
    """
    if method == "tfidf":
        return CharTfidfRanker()
    from graph.embeddings import load_embedder
    from graph.settings import get_settings

    settings = settings or get_settings()
    if method == "lexical":
        return PipelineRanker(store, name="pipeline, lexical linking", ids=ids)
    embedder, status = load_embedder(settings, build=True)
    if embedder is None:
        raise SystemExit(status.message)
    if method == "embedder":
        return EmbedderRanker(embedder)
    from graph.semantic_linking import SemanticLinker

    linker = SemanticLinker.from_store(store, embedder, vectors_dir)
    return PipelineRanker(store, linker=linker, name="pipeline, semantic linking", ids=ids)


def main(argv: list[str] | None = None) -> int:
    """``python -m graph.evaluation [SET ...] [--method M] [--json] [--failures]``."""
    parser = argparse.ArgumentParser(description="评测主题关联 / evaluate topic linking on evaluation sets")
    parser.add_argument("sets", nargs="*", type=Path, help=f"set folders (default: {DEFAULT_SET.resolve()})")
    parser.add_argument("--method", action="append", choices=METHODS, help="repeatable; default: all")
    parser.add_argument("--graph", type=Path, help="canonical tables of the set's graph (default: data/eval/<set>-graph)")
    parser.add_argument("--no-graph", action="store_true", help="measure a candidate set on its candidates alone, without edges")
    parser.add_argument("--json", action="store_true", help="print the reports as JSON")
    parser.add_argument("--failures", action="store_true", help="list queries whose answer is not first")
    args = parser.parse_args(argv)
    from graph.settings import get_settings
    from graph.stores import open_store

    settings = get_settings()
    reports = []
    for folder in args.sets or [DEFAULT_SET]:
        # a set written against a graph (no candidates.tsv) is measured on the loaded one
        # a candidate set is measured on its own canonical graph (``--graph``, or data/eval/<set>-graph),
        # else on an edgeless graph of its candidates
        own_graph = (folder / "candidates.tsv").is_file()
        ids: dict[Key, str] = {}
        if own_graph:
            eval_set = load_set(folder)
            tables = None if args.no_graph else (args.graph or graph_folder(folder))
            if tables is not None and set(args.method or METHODS) & {"lexical", "semantic"}:
                store, ids = store_from_graph(eval_set, tables)
            else:
                store = graph_from_candidates(eval_set)
        else:
            store = open_store(settings)
            eval_set = load_set(folder, store)
        vectors_dir = None if own_graph or settings.store != "networkx" else settings.data_dir
        for p in eval_set.problems:
            print(p, file=sys.stderr)
        for method in args.method or METHODS:
            report = evaluate(eval_set, make_ranker(method, store, settings, vectors_dir, ids))
            reports.append(report)
            if not args.json:
                print(format_report(report, failures=args.failures), flush=True)
    if args.json:
        print(json.dumps([r.as_dict() for r in reports], ensure_ascii=False, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())


__all__ = [
    "TYPES",
    "Candidate",
    "CharTfidfRanker",
    "PipelineRanker",
    "candidates_from_store",
    "graph_from_candidates",
    "graph_folder",
    "graph_id",
    "store_from_graph",
    "make_ranker",
    "EmbedderRanker",
    "EvalSet",
    "Query",
    "Ranker",
    "Report",
    "evaluate",
    "format_report",
    "load_set",
    "rank_of",
]
