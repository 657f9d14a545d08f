"""The nodes and edges one load produces, merged by identity before they reach a store."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from graph.model import Edge, Kind, Node, Record, Rel, clean_props


@dataclass
class Batch:
    """Nodes keyed by (kind, id), edges by (src, type, dst).

    Adding a node that is already there fills in the properties it lacked and
    unions list properties, so variants of one entity seen on several rows
    become one node.

    >>> b = Batch()
    >>> b.add(Node(Kind.PRODUCT, "童车", {"name": "童车"}))
    True
    >>> b.add(Node(Kind.PRODUCT, "童车", {"aliases": ["婴儿车"]}))
    False
    >>> dict(b.nodes[(Kind.PRODUCT, "童车")].props)
    {'name': '童车', 'aliases': ['婴儿车']}
    """

    nodes: dict[tuple[Kind, str], Node] = field(default_factory=dict)
    edges: dict[tuple, Edge] = field(default_factory=dict)
    meta: dict[str, str] = field(default_factory=dict)
    # words (name_en, aliases) for nodes that may come from another source; applied once all sources are in
    terms: dict[tuple[Kind, str], dict[str, Any]] = field(default_factory=dict)

    def add(self, node: Node | Record) -> bool:
        """Add or merge a node; True when it is new to this batch."""
        if isinstance(node, Record):
            node = node.to_node()
        old = self.nodes.get(node.key)
        if old is None:
            self.nodes[node.key] = node
            return True
        self.nodes[node.key] = Node(node.kind, node.id, _fill(old.props, node.props))
        return False

    def add_terms(self, key: tuple[Kind, str], props: dict[str, Any]) -> bool:
        """Words for the node ``key``, merged like :meth:`add`; True when the node had none yet."""
        new = key not in self.terms
        self.terms[key] = _fill(self.terms.get(key, {}), props)
        return new

    def link(self, src: tuple[Kind, str], rel: Rel, dst: tuple[Kind, str], **props: Any) -> None:
        key = (src, rel, dst)
        if key not in self.edges:
            self.edges[key] = Edge(src, rel, dst, clean_props(props))

    def update(self, other: Batch) -> None:
        for n in other.nodes.values():
            self.add(n)
        for e in other.edges.values():
            self.edges.setdefault(e.key, e)
        self.meta.update(other.meta)
        for key, props in other.terms.items():
            self.add_terms(key, props)


def _fill(old: Mapping[str, Any], new: Mapping[str, Any]) -> dict[str, Any]:
    """``old`` with the properties it lacked taken from ``new``, and list properties united."""
    merged = dict(old)
    for k, v in new.items():
        if k not in merged:
            merged[k] = v
        elif isinstance(v, list) and isinstance(merged[k], list):
            merged[k] = merged[k] + [x for x in v if x not in merged[k]]
    return merged
