"""Load files into a store: read, merge with what the store holds, derive, write once.

Loading is idempotent: the derived parts (categories, standard statuses,
supersession) are recomputed over everything, and a node already in the store
keeps the properties a new load does not mention, so loading the same files
twice changes nothing.  The write is a single all-or-nothing store call.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from graph.model import Edge, Kind, Node, Rel
from graph.store import GraphStore
from loaders.batch import Batch
from loaders.canonical import is_canonical, load_canonical
from loaders.cnas import CnasLoader, is_cnas
from loaders.names import name_key
from loaders.regions import region_edges, region_records
from loaders.report import LoadReport
from loaders.standards import supersession

REPO = Path(__file__).resolve().parents[1]
CATALOGUE = REPO / "data" / "catalogue"
DEMO = REPO / "data" / "demo" / "cnas"


def load(paths: Sequence[Path], store: GraphStore, report: LoadReport | None = None) -> LoadReport:
    """Load the catalogue, then ``paths`` (CNAS folders or canonical tables), into ``store``."""
    report = report or LoadReport()
    batch = Batch()
    for r in region_records():
        batch.add(r)
    for e in region_edges():
        batch.edges[e.key] = e
    batch.update(load_canonical([CATALOGUE], report))
    for path in paths:
        if not path.exists():
            raise FileNotFoundError(f"{path}: no such file or folder")
        if is_cnas(path):
            loader = CnasLoader(report, product_aliases=_aliases(store, batch))
            batch.update(loader.load(path))
        elif is_canonical(path):
            batch.update(load_canonical([path], report))
        else:
            raise ValueError(f"{path}: neither a CNAS disclosure folder nor a canonical table (see loaders/canonical.py)")
    _apply_terms(store, batch, report)
    nodes = _merge_with_store(store, batch)
    _derive(store, batch, nodes)
    _check_ends(store, batch, report)
    store.write(list(nodes.values()), list(batch.edges.values()))
    store.set_meta(_meta(store, batch))
    return report


def _aliases(store: GraphStore, batch: Batch) -> dict[str, str]:
    """Name key of every catalogue product name and alias → product id."""
    products = [n for n in store.nodes(Kind.PRODUCT)] + [n for k, n in batch.nodes.items() if k[0] == Kind.PRODUCT]
    out: dict[str, str] = {}
    for p in products:
        if "catalogue" not in p.props.get("sources", []):
            continue
        for name in [p.props.get("name", ""), *p.props.get("aliases", [])]:
            key = name_key(name)
            # An alias shared by several catalogue products (童车 ← 儿童推车 …) keeps its first owner.
            if key and key not in out:
                out[key] = p.id
    return out


def _apply_terms(store: GraphStore, batch: Batch, report: LoadReport) -> None:
    """Give the nodes of this load and of the store the words the ``terms`` tables hold for them."""
    unused = 0
    stored = {(kind, n.id) for kind in {k for k, _ in batch.terms} for n in store.nodes(kind)}
    for key, props in batch.terms.items():
        if key in batch.nodes or key in stored:
            batch.add(Node(key[0], key[1], props))
        else:
            unused += 1
    if unused:
        report.notes.append(f"{unused} of {len(batch.terms)} terms name no node of this graph (not used)")


def _merge_props(old: dict[str, Any], new: dict[str, Any]) -> dict[str, Any]:
    merged = dict(old)
    for k, v in new.items():
        if isinstance(v, list) and isinstance(merged.get(k), list):
            merged[k] = merged[k] + [x for x in v if x not in merged[k]]
        else:
            merged[k] = v
    return merged


def _merge_with_store(store: GraphStore, batch: Batch) -> dict[tuple[Kind, str], Node]:
    nodes = dict(batch.nodes)
    for kind in {k for k, _ in nodes}:
        for old in store.nodes(kind):
            new = nodes.get(old.key)
            if new is not None:
                nodes[old.key] = Node(kind, old.id, _merge_props(dict(old.props), dict(new.props)))
    return nodes


def _all(store: GraphStore, nodes: dict[tuple[Kind, str], Node], kind: Kind) -> list[Node]:
    """Every node of a kind after this load: the store's, overlaid with the batch's."""
    merged = {n.key: n for n in store.nodes(kind)}
    merged.update({k: n for k, n in nodes.items() if k[0] == kind})
    return list(merged.values())


def _derive(store: GraphStore, batch: Batch, nodes: dict[tuple[Kind, str], Node]) -> None:
    # Standard statuses and supersession, over every standard known after this load.
    std_nodes, std_edges = supersession(_all(store, nodes, Kind.STANDARD))
    for n in std_nodes:
        nodes[n.key] = n
    for e in std_edges:
        batch.edges.setdefault(e.key, e)
    # Products without a category get the one whose keyword is the longest match in their name.
    categories = _all(store, nodes, Kind.CATEGORY)
    for p in _all(store, nodes, Kind.PRODUCT):
        category = p.props.get("category") or place_in_category(p.props.get("name", p.id), categories)
        if category:
            if p.props.get("category") != category:
                nodes[p.key] = Node(Kind.PRODUCT, p.id, {**p.props, "category": category})
            batch.edges.setdefault(
                (p.key, Rel.IN_CATEGORY, (Kind.CATEGORY, category)),
                Edge(p.key, Rel.IN_CATEGORY, (Kind.CATEGORY, category)),
            )


def place_in_category(name: str, categories: Iterable[Node]) -> str:
    """The category whose keyword is the longest one found in the name ('' when none).

    >>> from graph.model import Category
    >>> cats = [Category("C1", "电子电器", keywords=("电器",)).to_node(),
    ...         Category("C4", "机械及特种设备", keywords=("压力容器", "容器")).to_node()]
    >>> place_in_category("压力容器-超高压容器", cats), place_in_category("家用电器", cats), place_in_category("煤", cats)
    ('C4', 'C1', '')
    """
    best, best_len = "", 0
    for c in sorted(categories, key=lambda n: n.id):
        for kw in c.props.get("keywords", []):
            if kw and kw in name and len(kw) > best_len:
                best, best_len = c.id, len(kw)
    return best


def _check_ends(store: GraphStore, batch: Batch, report: LoadReport) -> None:
    """Drop edges whose ends exist nowhere, and say so (e.g. an expert's unknown affiliation)."""
    dangling = [
        key for key, e in batch.edges.items()
        if any(end not in batch.nodes and store.get(*end) is None for end in (e.src, e.dst))
    ]  # fmt: skip
    for key in dangling:
        e = batch.edges.pop(key)
        report.notes.append(f"{e.type} {e.src[1]} → {e.dst[1]} skipped: {e.dst[0]} {e.dst[1]!r} is not in the graph")


def _meta(store: GraphStore, batch: Batch) -> dict[str, str]:
    meta = dict(batch.meta)
    old = store.meta()
    if "synonyms" in meta and "synonyms" in old:
        syn = json.loads(old["synonyms"])
        for term, targets in json.loads(meta["synonyms"]).items():
            syn[term] = syn.get(term, []) + [t for t in targets if t not in syn.get(term, [])]
        meta["synonyms"] = json.dumps(syn, ensure_ascii=False, sort_keys=True)
    if "snapshot" in old and "snapshot" in meta:
        meta["snapshot"] = max(old["snapshot"], meta["snapshot"])
    return meta
