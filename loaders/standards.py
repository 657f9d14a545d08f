"""Standard nodes from written standard numbers, and the supersession between editions.

A newer year of the same base number supersedes the older edition; the newest
known edition of a number is ``current`` unless the catalogue declares
otherwise (e.g. ``withdrawn``).  In-house methods and orders are kept as
``kind="method"`` nodes so that they are never counted as standards.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from graph.model import Edge, Kind, Node, Rel, Standard
from loaders.standard_numbers import parse_standard_cell


def standard_nodes(cell: str, title: str = "") -> list[Node]:
    """Nodes for every number written in ``cell`` (title only when there is one number)."""
    refs = parse_standard_cell(cell)
    nodes = []
    for ref in refs:
        std = Standard(ref.id, ref.number, ref.base, ref.year, ref.kind, title if len(refs) == 1 else "")
        nodes.append(std.to_node())
    return nodes


def supersession(standards: Iterable[Node]) -> tuple[list[Node], list[Edge]]:
    """Statuses and SUPERSEDES edges for a set of standard editions.

    >>> a = Standard("GB 2811-2007", "GB 2811-2007", "GB 2811", 2007, "GB").to_node()
    >>> b = Standard("GB 2811-2019", "GB 2811-2019", "GB 2811", 2019, "GB").to_node()
    >>> nodes, edges = supersession([a, b])
    >>> sorted((n.id, n.props["status"]) for n in nodes)
    [('GB 2811-2007', 'superseded'), ('GB 2811-2019', 'current')]
    >>> [(e.src[1], e.dst[1]) for e in edges]
    [('GB 2811-2019', 'GB 2811-2007')]
    """
    by_base: dict[str, list[Node]] = defaultdict(list)
    out_nodes: list[Node] = []
    for n in standards:
        if n.props.get("kind") == "method" or not n.props.get("base_number"):
            out_nodes.append(_with_status(n, n.props.get("declared_status") or "unknown"))
        else:
            by_base[n.props["base_number"]].append(n)
    edges: list[Edge] = []
    for editions in by_base.values():
        dated = sorted((e for e in editions if e.props.get("year")), key=lambda e: e.props["year"])
        newest_year = dated[-1].props["year"] if dated else None
        for n in editions:
            year = n.props.get("year")
            derived = "unknown" if year is None else ("current" if year == newest_year else "superseded")
            out_nodes.append(_with_status(n, n.props.get("declared_status") or derived))
        for older, newer in zip(dated, dated[1:]):
            if older.props["year"] != newer.props["year"]:
                edges.append(Edge(newer.key, Rel.SUPERSEDES, older.key, {"source": "derived"}))
    return out_nodes, edges


def _with_status(n: Node, status: str) -> Node:
    return Node(Kind.STANDARD, n.id, {**n.props, "status": status})
