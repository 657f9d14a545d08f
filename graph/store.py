"""The one interface both stores implement, and the rows their retrievals return.

The service layer (matching, gaps, API) only talks to :class:`GraphStore`.  Each
store retrieves candidates its own way (networkx traversal or Cypher); ranking
and explanation happen once, in Python, over these rows — which is what makes
the two stores give the same answers.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Protocol, runtime_checkable

from graph.model import Edge, Kind, Node, Rel


class StoreError(RuntimeError):
    """A store cannot do what was asked (unreachable server, bad batch …)."""


@dataclass(frozen=True, slots=True)
class ScopeHit:
    """A scope line reached from the topic's linked nodes, with its lab."""

    lab: Node
    scope: Node
    products: tuple[str, ...]  # Product ids the line covers
    items: tuple[str, ...]  # TestItem ids
    standards: tuple[str, ...]  # Standard ids
    categories: tuple[str, ...]  # Category ids of its products


@dataclass(frozen=True, slots=True)
class SpecialtyHit:
    """An expert's specialty edge reached from the topic's linked nodes."""

    expert: Node
    target: tuple[Kind, str]  # the Product / TestItem / Standard the specialty names
    text: str  # the specialty as written (e.g. the signatory's field)
    categories: tuple[str, ...]  # Category ids of the target (products only)


@dataclass(frozen=True, slots=True)
class Neighbour:
    rel: Rel
    direction: str  # "out": the entity → neighbour; "in": neighbour → the entity
    node: Node


@dataclass(frozen=True, slots=True)
class Linked:
    """The node ids a topic links to, by kind; the input of every retrieval."""

    products: frozenset[str] = frozenset()
    items: frozenset[str] = frozenset()
    standards: frozenset[str] = frozenset()
    categories: frozenset[str] = frozenset()

    def __bool__(self) -> bool:
        return bool(self.products or self.items or self.standards or self.categories)


@runtime_checkable
class GraphStore(Protocol):
    """Storage and retrieval of the supervision graph."""

    def write(self, nodes: Sequence[Node], edges: Sequence[Edge]) -> None:
        """Merge nodes (by kind and id) and edges (by ends and type), all or nothing.

        Properties of an existing node or edge are replaced by the new ones, so
        writing the same batch twice leaves the graph unchanged.
        """

    def get(self, kind: Kind, id: str) -> Node | None: ...

    def nodes(self, kind: Kind) -> list[Node]: ...

    def edges(self, rel: Rel) -> list[Edge]: ...

    def neighbours(self, kind: Kind, id: str, limit: int = 200) -> list[Neighbour]:
        """Nodes one relationship away, sorted by (rel, direction, kind, id), at most ``limit``."""

    def search(self, text: str, kinds: Sequence[Kind], limit: int = 20) -> list[Node]:
        """Nodes of the kinds whose id, name, title or an alias contains ``text`` (case-insensitive),
        sorted by (length of name, kind, id)."""

    def count(self) -> dict[str, int]:
        """Number of nodes per kind and edges per type (kinds with none are omitted)."""

    def scope_hits(self, linked: Linked) -> list[ScopeHit]:
        """Every scope line that covers a linked product, item or standard, or a product of a linked category."""

    def specialty_hits(self, linked: Linked) -> list[SpecialtyHit]:
        """Every expert specialty that names a linked node, or a product of a linked category."""

    def meta(self) -> dict[str, str]:
        """Graph-level facts such as the data snapshot date."""

    def set_meta(self, values: dict[str, str]) -> None: ...

    def health(self) -> dict[str, str]:
        """``{"store": name, "status": "ok" | …, …}`` for the health endpoint."""

    def close(self) -> None: ...


def ids_of(nodes: Iterable[Node]) -> set[str]:
    return {n.id for n in nodes}
