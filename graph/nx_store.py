"""The embedded store: a networkx graph in process, persisted atomically to a folder.

The whole graph is saved to ``<data_dir>/graph.json.gz`` after every write: the
file is written beside the old one, flushed to disk and then renamed over it,
so a process killed mid-write leaves the previous graph intact.
"""

from __future__ import annotations

import gzip
import json
import os
import tempfile
from collections import defaultdict
from collections.abc import Sequence
from pathlib import Path

import networkx as nx

from graph.model import Edge, Kind, Node, Rel
from graph.store import Linked, Neighbour, ScopeHit, SpecialtyHit, StoreError

FILE_NAME = "graph.json.gz"
FORMAT_VERSION = 1


def _key(kind: Kind | str, id: str) -> str:
    return f"{kind}:{id}"


class NetworkxStore:
    """In-process store; ``data_dir=None`` keeps the graph in memory only.

    >>> from graph.model import Lab
    >>> store = NetworkxStore(None)
    >>> store.write([Lab(id="IB1", name="某检测站").to_node()], [])
    >>> store.get(Kind.LAB, "IB1").props["name"]
    '某检测站'
    """

    name = "networkx"

    def __init__(self, data_dir: Path | str | None) -> None:
        self.path = Path(data_dir) / FILE_NAME if data_dir is not None else None
        self.g = nx.MultiDiGraph()
        self._meta: dict[str, str] = {}
        # Neighbours by relationship type: networkx keeps one adjacency for all types, and a scope
        # line's product can have thousands of GOVERNED_BY edges to walk past.
        self._succ: dict[tuple[str, str], list[str]] = defaultdict(list)
        self._pred: dict[tuple[str, str], list[str]] = defaultdict(list)
        if self.path is not None and self.path.exists():
            self._read()

    # -- persistence -------------------------------------------------------
    def _read(self) -> None:
        assert self.path is not None
        try:
            with gzip.open(self.path, "rt", encoding="utf-8") as f:
                doc = json.load(f)
        except (OSError, ValueError) as exc:
            raise StoreError(f"cannot read the graph file {self.path}: {exc}") from exc
        g = nx.MultiDiGraph()
        for kind, id, props in doc["nodes"]:
            g.add_node(_key(kind, id), kind=Kind(kind), id=id, props=props)
        self.g, self._meta = g, doc.get("meta", {})
        for s, rel, d, props in doc["edges"]:
            self._add_edge(s, rel, d, props)

    def _save(self) -> None:
        if self.path is None:
            return
        doc = {
            "version": FORMAT_VERSION,
            "meta": self._meta,
            "nodes": [[a["kind"].value, a["id"], a["props"]] for _, a in self.g.nodes(data=True)],
            "edges": [[s, k, d, a["props"]] for s, d, k, a in self.g.edges(keys=True, data=True)],
        }
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".graph-", dir=self.path.parent)
        try:
            with os.fdopen(fd, "wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", compresslevel=3) as f:
                f.write(json.dumps(doc, ensure_ascii=False, separators=(",", ":")).encode("utf-8"))
            with open(tmp, "rb") as f:
                os.fsync(f.fileno())
            os.replace(tmp, self.path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise

    # -- writing -----------------------------------------------------------
    def _add_edge(self, s: str, rel: str, d: str, props: dict) -> None:
        if not self.g.has_edge(s, d, key=rel):
            self._succ[(s, rel)].append(d)
            self._pred[(d, rel)].append(s)
        self.g.add_edge(s, d, key=rel, props=props)

    def _remove_edge(self, s: str, rel: str, d: str) -> None:
        self.g.remove_edge(s, d, key=rel)
        self._succ[(s, rel)].remove(d)
        self._pred[(d, rel)].remove(s)

    def write(self, nodes: Sequence[Node], edges: Sequence[Edge]) -> None:
        new_keys = {_key(n.kind, n.id) for n in nodes}
        for e in edges:  # validate everything before touching the graph
            for end in (e.src, e.dst):
                k = _key(*end)
                if k not in new_keys and k not in self.g:
                    raise StoreError(f"edge {e.type} refers to a missing node {k}")
        # An undo log of what this write replaces, so that a failed save leaves memory as on disk.
        undo_nodes = {k: (dict(self.g.nodes[k]) if k in self.g else None) for k in new_keys}
        undo_edges = {}
        for e in edges:
            s, d, rel = _key(*e.src), _key(*e.dst), e.type.value
            if (s, rel, d) not in undo_edges:
                undo_edges[(s, rel, d)] = self.g.edges[s, d, rel]["props"] if self.g.has_edge(s, d, key=rel) else None
        for n in nodes:
            self.g.add_node(_key(n.kind, n.id), kind=n.kind, id=n.id, props=dict(n.props))
        for e in edges:
            self._add_edge(_key(*e.src), e.type.value, _key(*e.dst), dict(e.props))
        try:
            self._save()
        except BaseException:
            for (s, rel, d), props in undo_edges.items():
                if props is None:
                    self._remove_edge(s, rel, d)
                else:
                    self.g.edges[s, d, rel]["props"] = props
            for k, attrs in undo_nodes.items():
                if attrs is None:
                    self.g.remove_node(k)
                else:
                    self.g.add_node(k, **attrs)
            raise

    def set_meta(self, values: dict[str, str]) -> None:
        self._meta.update(values)
        self._save()

    # -- reading -----------------------------------------------------------
    def _node(self, key: str) -> Node:
        a = self.g.nodes[key]
        return Node(a["kind"], a["id"], a["props"])

    def get(self, kind: Kind, id: str) -> Node | None:
        key = _key(kind, id)
        return self._node(key) if key in self.g else None

    def nodes(self, kind: Kind) -> list[Node]:
        return [Node(kind, a["id"], a["props"]) for _, a in self.g.nodes(data=True) if a["kind"] == kind]

    def edges(self, rel: Rel) -> list[Edge]:
        g = self.g
        return [
            Edge((g.nodes[s]["kind"], g.nodes[s]["id"]), rel, (g.nodes[d]["kind"], g.nodes[d]["id"]), a["props"])
            for s, d, k, a in g.edges(keys=True, data=True)
            if k == rel.value
        ]

    def neighbours(self, kind: Kind, id: str, limit: int = 200) -> list[Neighbour]:
        key = _key(kind, id)
        if key not in self.g:
            return []
        out = [Neighbour(Rel(k), "out", self._node(d)) for _, d, k in self.g.out_edges(key, keys=True)]
        out += [Neighbour(Rel(k), "in", self._node(s)) for s, _, k in self.g.in_edges(key, keys=True)]
        out.sort(key=lambda n: (n.rel.value, n.direction, n.node.kind.value, n.node.id))
        return out[:limit]

    def search(self, text: str, kinds: Sequence[Kind], limit: int = 20) -> list[Node]:
        needle = text.casefold()
        hits = []
        for _, a in self.g.nodes(data=True):
            if a["kind"] not in kinds:
                continue
            p = a["props"]
            fields = [a["id"], p.get("name", ""), p.get("title", ""), *p.get("aliases", [])]
            if any(needle in str(f).casefold() for f in fields):
                hits.append(Node(a["kind"], a["id"], p))
        hits.sort(key=lambda n: (len(n.name), n.kind.value, n.id))
        return hits[:limit]

    def count(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for _, a in self.g.nodes(data=True):
            counts[a["kind"].value] = counts.get(a["kind"].value, 0) + 1
        for _, _, k in self.g.edges(keys=True):
            counts[k] = counts.get(k, 0) + 1
        return counts

    def meta(self) -> dict[str, str]:
        return dict(self._meta)

    def health(self) -> dict[str, str]:
        return {"store": self.name, "status": "ok", "path": str(self.path) if self.path else "(memory)"}

    def close(self) -> None:
        pass

    # -- retrieval ---------------------------------------------------------
    def _out(self, key: str, rel: Rel) -> list[str]:
        return self._succ.get((key, rel.value), [])

    def _in(self, key: str, rel: Rel) -> list[str]:
        return self._pred.get((key, rel.value), [])

    def _ids(self, keys: list[str]) -> tuple[str, ...]:
        return tuple(sorted(self.g.nodes[k]["id"] for k in keys))

    def _category_products(self, linked: Linked) -> set[str]:
        keys: set[str] = set()
        for c in linked.categories:
            ck = _key(Kind.CATEGORY, c)
            if ck in self.g:
                keys.update(self._in(ck, Rel.IN_CATEGORY))
        return keys

    def scope_hits(self, linked: Linked) -> list[ScopeHit]:
        scopes: set[str] = set()
        starts = (
            [(_key(Kind.PRODUCT, p), Rel.COVERS_PRODUCT) for p in linked.products]
            + [(k, Rel.COVERS_PRODUCT) for k in self._category_products(linked)]
            + [(_key(Kind.TEST_ITEM, i), Rel.COVERS_ITEM) for i in linked.items]
            + [(_key(Kind.STANDARD, s), Rel.USES_STANDARD) for s in linked.standards]
        )
        for key, rel in starts:
            if key in self.g:
                scopes.update(self._in(key, rel))
        hits = []
        for sk in scopes:
            labs = self._in(sk, Rel.HAS_SCOPE)
            if not labs:
                continue
            products = self._out(sk, Rel.COVERS_PRODUCT)
            cats = {c for p in products for c in self._out(p, Rel.IN_CATEGORY)}
            hits.append(
                ScopeHit(
                    lab=self._node(min(labs, key=lambda k: self.g.nodes[k]["id"])),  # as the Cypher does
                    scope=self._node(sk),
                    products=self._ids(products),
                    items=self._ids(self._out(sk, Rel.COVERS_ITEM)),
                    standards=self._ids(self._out(sk, Rel.USES_STANDARD)),
                    categories=self._ids(list(cats)),
                )
            )
        return hits

    def specialty_hits(self, linked: Linked) -> list[SpecialtyHit]:
        targets = (
            {_key(Kind.PRODUCT, p) for p in linked.products}
            | self._category_products(linked)
            | {_key(Kind.TEST_ITEM, i) for i in linked.items}
            | {_key(Kind.STANDARD, s) for s in linked.standards}
        )
        hits = []
        for tk in targets:
            if tk not in self.g:
                continue
            a = self.g.nodes[tk]
            cats = self._ids(self._out(tk, Rel.IN_CATEGORY)) if a["kind"] == Kind.PRODUCT else ()
            for s, _, k, e in self.g.in_edges(tk, keys=True, data=True):
                if k == Rel.SPECIALISES_IN.value:
                    hits.append(SpecialtyHit(self._node(s), (a["kind"], a["id"]), e["props"].get("text", ""), cats))
        return hits
