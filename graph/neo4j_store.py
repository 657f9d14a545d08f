"""The server store: the same graph in Neo4j 5, spoken to over Bolt with the official driver.

Every statement lives in ``cypher/<purpose>.cypher`` and is run with parameters.
Labels and relationship types cannot be Cypher parameters, so the few
statements that need one carry a placeholder (``__LABEL__``, ``__SRC__``,
``__DST__``, ``__REL__``) that :func:`render` replaces with a member of the
fixed :class:`Kind` / :class:`Rel` enums — never with text from a request or a
file — and refuses anything else.

Writes: one :meth:`Neo4jStore.write` call is one transaction (``execute_write``,
which the driver retries on transient errors such as a leader switch or a
deadlock), made of batched ``UNWIND $rows … MERGE`` statements, one per kind
and per (type, start kind, end kind). Either the whole call is committed or
nothing is, and because every statement merges by id, a load interrupted
between calls is finished by simply running it again.

Node properties round-trip exactly: the id is stored as the ``id`` property
(the one the constraints make unique) and removed again when reading, and
nothing else — no element id, no label — is added to ``props``.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator, Sequence
from typing import Any

import neo4j
from neo4j import GraphDatabase
from neo4j.exceptions import AuthError, Neo4jError, ServiceUnavailable, SessionExpired

import cypher
from graph.model import Edge, Kind, Node, Rel
from graph.settings import Settings
from graph.store import Linked, Neighbour, ScopeHit, SpecialtyHit, StoreError

META_LABEL = "YrdqMeta"
"""Label of the graph-level facts (``meta``); not a :class:`Kind`, so never counted or listed."""

ROWS_PER_STATEMENT = 2000
"""Rows sent in one ``UNWIND``: large enough to amortise round trips, small enough to keep each statement's memory modest."""

DELETE_BATCH = 10_000

FULLTEXT_INDEX = "yrdq_names"
FULLTEXT_LABELS: tuple[Kind, ...] = (
    Kind.REGION, Kind.CATEGORY, Kind.PRODUCT, Kind.STANDARD, Kind.TEST_ITEM,
    Kind.HAZARD, Kind.ENTERPRISE, Kind.LAB, Kind.EXPERT,
)  # fmt: skip
FULLTEXT_PROPERTIES: tuple[str, ...] = ("name", "name_en", "title", "alt_name")
"""What ``cypher/schema_fulltext.cypher`` indexes (a test keeps the two in step)."""

BOLT_SCHEMES = ("neo4j", "neo4j+s", "neo4j+ssc", "bolt", "bolt+s", "bolt+ssc")
"""URI schemes the store accepts: ``neo4j`` routes (cluster, Aura), ``bolt`` talks to one server; ``+s`` is TLS."""

_PLACEHOLDERS = {"__LABEL__": Kind, "__SRC__": Kind, "__DST__": Kind, "__REL__": Rel}


def render(name: str, **names: Kind | Rel | str) -> str:
    """The statement ``cypher/<name>.cypher`` with its label / type placeholders filled in.

    Only enum members (and the meta label) are accepted, which is what keeps
    these statements injection-free although labels are spliced into the text.

    >>> "MERGE (n:Lab {id: row.id})" in render("upsert_nodes", LABEL=Kind.LAB)
    True
    >>> render("upsert_nodes", LABEL="Lab) DETACH DELETE (x")
    Traceback (most recent call last):
    ...
    ValueError: __LABEL__ must be a Kind, not 'Lab) DETACH DELETE (x'
    """
    text = cypher.load(name)
    for key, value in names.items():
        placeholder = f"__{key}__"
        allowed = _PLACEHOLDERS[placeholder]
        if not (isinstance(value, allowed) or (placeholder == "__LABEL__" and value == META_LABEL)):
            raise ValueError(f"{placeholder} must be a {allowed.__name__}, not {value!r}")
        text = text.replace(placeholder, str(value))
    leftover = [p for p in _PLACEHOLDERS if p in text]
    if leftover:
        raise ValueError(f"cypher/{name}.cypher still has {leftover}: pass them to render()")
    return text


def _chunks(rows: list[dict[str, Any]]) -> Iterator[list[dict[str, Any]]]:
    size = ROWS_PER_STATEMENT  # read at call time, so a test can make batches small
    for start in range(0, len(rows), size):
        yield rows[start : start + size]


def _kind(labels: Sequence[str] | frozenset[str]) -> Kind:
    for label in labels:
        if label in Kind._value2member_map_:
            return Kind(label)
    raise StoreError(f"node with labels {sorted(labels)} is not of any yrdq kind")


def _node(n: neo4j.graph.Node) -> Node:
    return _from_props(_kind(n.labels), dict(n))


def _from_props(kind: Kind, props: dict[str, Any]) -> Node:
    """A node from its property map (``properties(n)``, the leaner form retrievals return)."""
    id = props.pop("id")
    return Node(kind, id, props)


class Neo4jStore:
    """The graph in a Neo4j 5 database (or any server that speaks Bolt and Cypher).

    Connecting checks the server, the credentials and the database at once and
    raises :class:`StoreError` naming the URI. The schema is created on the
    first write (or by :meth:`ensure_schema`).
    """

    name = "neo4j"

    def __init__(self, uri: str, user: str, password: str, database: str = "neo4j") -> None:
        self.uri, self.user, self.database = uri, user, database
        self._schema_ready = False
        scheme = uri.partition("://")[0].lower() if "://" in uri else ""
        if scheme not in BOLT_SCHEMES:
            # driver 6 would take http(s):// as its preview HTTP API and fail on a missing package
            raise StoreError(f"cannot use the Neo4j URI {uri!r}: it must start with one of "
                             + ", ".join(f"{s}://" for s in BOLT_SCHEMES))  # fmt: skip
        try:
            self._driver = GraphDatabase.driver(uri, auth=(user, password))
        except (ValueError, Neo4jError, neo4j.exceptions.DriverError) as exc:  # a malformed URI
            raise StoreError(f"cannot use the Neo4j URI {uri!r}: {exc}") from exc
        try:
            self._ping()
        except Exception as exc:
            self._driver.close()
            raise self._connection_error(exc) from exc

    @classmethod
    def from_settings(cls, settings: Settings) -> Neo4jStore:
        return cls(settings.neo4j_uri, settings.neo4j_user, settings.neo4j_password, settings.neo4j_database)

    def _connection_error(self, exc: Exception) -> StoreError:
        where = f"the Neo4j server at {self.uri}"
        if isinstance(exc, AuthError):
            return StoreError(f"{where} rejected the credentials of user {self.user!r} (check YRDQ_NEO4J_USER / YRDQ_NEO4J_PASSWORD)")
        if isinstance(exc, (ServiceUnavailable, SessionExpired, OSError)):
            return StoreError(f"cannot reach {where} (check YRDQ_NEO4J_URI and that the server is running): {exc}")
        if isinstance(exc, Neo4jError) and exc.code and "DatabaseNotFound" in exc.code:
            return StoreError(f"{where} has no database {self.database!r} (check YRDQ_NEO4J_DATABASE)")
        return StoreError(f"{where} failed: {exc}")

    # -- running statements ------------------------------------------------
    def _ping(self) -> None:
        """Reach the server, authenticate and open the database; raises the driver's error.

        An auto-commit ``session.run`` is not retried, so an unreachable server is
        reported at once instead of after the driver's 30 s of transaction retries.
        """
        with self._driver.session(database=self.database, default_access_mode=neo4j.READ_ACCESS) as session:
            session.run(cypher.load("ping")).consume()

    def _read(self, query: str, **params: Any) -> list[neo4j.Record]:
        try:
            records, _, _ = self._driver.execute_query(
                query, params, database_=self.database, routing_=neo4j.RoutingControl.READ
            )
        except Exception as exc:
            raise self._failure(exc) from exc
        return records

    def _write_tx(self, work: Any) -> Any:
        try:
            with self._driver.session(database=self.database) as session:
                return session.execute_write(work)
        except StoreError:
            raise
        except Exception as exc:
            raise self._failure(exc) from exc

    def _failure(self, exc: Exception) -> StoreError:
        if isinstance(exc, (AuthError, ServiceUnavailable, SessionExpired, OSError)):
            return self._connection_error(exc)
        if isinstance(exc, Neo4jError):  # the server refused the statement: bad value, constraint …
            return StoreError(f"the Neo4j server at {self.uri} refused the write or query: {exc.message or exc}")
        return StoreError(f"the Neo4j server at {self.uri} failed: {exc}")

    # -- schema --------------------------------------------------------------
    def ensure_schema(self) -> None:
        """Create the constraints, range indexes and the full-text index; idempotent.

        The full-text DDL is skipped when a full-text index on the labels already
        exists: ours from an earlier run, or one the server made with its own DDL
        (graph/arcadedb.py creates ArcadeDB's that way, since ArcadeDB refuses
        ``CREATE FULLTEXT INDEX``).
        """
        try:
            with self._driver.session(database=self.database) as session:
                # schema statements run in auto-commit transactions: Neo4j refuses
                # schema changes mixed with data changes in one explicit transaction
                for name in ("schema_constraints", "schema_indexes"):
                    for statement in cypher.statements(name):
                        session.run(statement).consume()
                if not self._has_fulltext(session):
                    for statement in cypher.statements("schema_fulltext"):
                        session.run(statement).consume()
        except Exception as exc:
            raise self._failure(exc) from exc
        self._schema_ready = True

    def _has_fulltext(self, session: neo4j.Session) -> bool:
        for record in session.run(cypher.load("show_fulltext_indexes")):
            if record["name"] == FULLTEXT_INDEX or Kind.LAB.value in (record["labelsOrTypes"] or ()):
                return True
        return False

    # -- writing -------------------------------------------------------------
    def write(self, nodes: Sequence[Node], edges: Sequence[Edge]) -> None:
        if not self._schema_ready:
            self.ensure_schema()
        node_rows: dict[Kind, list[dict[str, Any]]] = defaultdict(list)
        for n in nodes:
            if "id" in n.props:  # the id property is the node's identity; a second one would be lost
                raise StoreError(f"node {n.kind}:{n.id} has a property named 'id', which is reserved for its id")
            node_rows[Kind(n.kind)].append({"id": n.id, "props": dict(n.props)})
        edge_rows: dict[tuple[Rel, Kind, Kind], list[dict[str, Any]]] = defaultdict(list)
        for e in edges:
            group = (Rel(e.type), Kind(e.src[0]), Kind(e.dst[0]))
            edge_rows[group].append({"src": e.src[1], "dst": e.dst[1], "props": dict(e.props)})

        def work(tx: neo4j.ManagedTransaction) -> None:
            for kind, rows in node_rows.items():
                statement = render("upsert_nodes", LABEL=kind)
                for chunk in _chunks(rows):
                    tx.run(statement, rows=chunk).consume()
            for (rel, src, dst), rows in edge_rows.items():
                statement = render("upsert_edges", REL=rel, SRC=src, DST=dst)
                for chunk in _chunks(rows):
                    # one count per chunk, not one record per row: the rows are only looked
                    # at again when some did not merge, to name the first missing end
                    if tx.run(statement, rows=chunk).single(strict=True)["merged"] < len(chunk):
                        raise StoreError(self._missing_end(tx, (rel, src, dst), chunk))

        self._write_tx(work)

    @staticmethod
    def _missing_end(tx: neo4j.ManagedTransaction, group: tuple[Rel, Kind, Kind], chunk: list[dict[str, Any]]) -> str:
        """Why a chunk of edges did not merge: the first of its rows whose start or end node does not exist."""
        rel, src, dst = group
        found = {
            end: {r[0] for r in tx.run(render("existing_ids", LABEL=kind), ids=sorted({r[end] for r in chunk})).values()}
            for end, kind in (("src", src), ("dst", dst))
        }
        for row in chunk:
            for end, kind in (("src", src), ("dst", dst)):
                if row[end] not in found[end]:
                    return f"edge {rel} refers to a missing node {kind}:{row[end]}"
        return f"some {rel} edges from {src} to {dst} could not be merged although both ends exist"

    def set_meta(self, values: dict[str, str]) -> None:
        rows = [{"key": k, "value": v} for k, v in values.items()]
        statement = cypher.load("write_meta")
        self._write_tx(lambda tx: tx.run(statement, rows=rows).consume())

    def clear(self) -> None:
        """Delete every yrdq node, relationship and meta fact (other labels in the database are left alone)."""
        for label in [*Kind, META_LABEL]:
            statement = render("delete_nodes", LABEL=label)
            while self._write_tx(lambda tx: tx.run(statement, limit=DELETE_BATCH).single()["deleted"]):
                pass

    # -- reading -------------------------------------------------------------
    def get(self, kind: Kind, id: str) -> Node | None:
        records = self._read(render("get_node", LABEL=Kind(kind)), id=id)
        return _node(records[0]["n"]) if records else None

    def nodes(self, kind: Kind) -> list[Node]:
        # sorted by id so that every call returns the same order (the server's order may change)
        rows = self._read(render("nodes_of_kind", LABEL=Kind(kind)))
        return sorted((_from_props(Kind(kind), r["n"]) for r in rows), key=lambda n: n.id)

    def edges(self, rel: Rel) -> list[Edge]:
        found = [
            Edge((_kind(r["src_labels"]), r["src"]), rel, (_kind(r["dst_labels"]), r["dst"]), r["props"])
            for r in self._read(render("edges_of_type", REL=Rel(rel)))
        ]
        return sorted(found, key=lambda e: e.key)

    def neighbours(self, kind: Kind, id: str, limit: int = 200) -> list[Neighbour]:
        found = [
            Neighbour(Rel(r["rel"]), r["direction"], _node(r["node"]))
            for r in self._read(render("neighbours", LABEL=Kind(kind)), id=id)
            if r["rel"] in Rel._value2member_map_
        ]
        found.sort(key=lambda n: (n.rel.value, n.direction, n.node.kind.value, n.node.id))
        return found[:limit]

    def search(self, text: str, kinds: Sequence[Kind], limit: int = 20) -> list[Node]:
        needle = text.casefold()
        hits = []
        for kind in dict.fromkeys(kinds):
            for r in self._read(render("search_names", LABEL=Kind(kind)), needle=text.lower()):
                node = _node(r["n"])
                p = node.props
                # the server lower-cases, Python case-folds (ß → ss …): keep exactly NetworkxStore's matches
                fields = [node.id, p.get("name", ""), p.get("title", ""), *p.get("aliases", [])]
                if any(needle in str(f).casefold() for f in fields):
                    hits.append(node)
        hits.sort(key=lambda n: (len(n.name), n.kind.value, n.id))
        return hits[:limit]

    def count(self) -> dict[str, int]:
        def work(tx: neo4j.ManagedTransaction) -> dict[str, int]:
            counts = {k.value: tx.run(render("count_nodes", LABEL=k)).single()["n"] for k in Kind}
            counts |= {r.value: tx.run(render("count_edges", REL=r)).single()["n"] for r in Rel}
            return {k: n for k, n in counts.items() if n}

        try:
            with self._driver.session(database=self.database) as session:
                return session.execute_read(work)
        except Exception as exc:
            raise self._failure(exc) from exc

    def meta(self) -> dict[str, str]:
        return {r["key"]: r["value"] for r in self._read(cypher.load("read_meta"))}

    def health(self) -> dict[str, str]:
        base = {"store": self.name, "uri": self.uri, "database": self.database}
        try:
            self._ping()
            info = self._driver.get_server_info()
        except Exception as exc:
            return base | {"status": "unreachable", "error": str(self._connection_error(exc))}
        return base | {"status": "ok", "server": str(info.agent)}

    def close(self) -> None:
        self._driver.close()

    def __enter__(self) -> Neo4jStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- retrieval -----------------------------------------------------------
    @staticmethod
    def _linked_params(linked: Linked) -> dict[str, list[str]]:
        return {
            "products": sorted(linked.products),
            "items": sorted(linked.items),
            "standards": sorted(linked.standards),
            "categories": sorted(linked.categories),
        }

    def _read_tx(self, work: Any) -> Any:
        """Run ``work(tx)`` in one read transaction (several statements, one consistent view)."""
        try:
            with self._driver.session(database=self.database, default_access_mode=neo4j.READ_ACCESS) as session:
                return session.execute_read(work)
        except StoreError:
            raise
        except Exception as exc:
            raise self._failure(exc) from exc

    def scope_hits(self, linked: Linked) -> list[ScopeHit]:
        if not linked:
            return []
        params = self._linked_params(linked)

        def work(tx: neo4j.ManagedTransaction) -> tuple[list[list[Any]], dict[str, list[str]]]:
            groups = tx.run(cypher.load("scope_hits"), params).values()
            products = sorted({p for _, lines in groups for line in lines for p in line[1]})
            cats = dict(tx.run(cypher.load("product_categories"), ids=products).values()) if products else {}
            return groups, cats

        groups, product_cats = self._read_tx(work)
        # id tuples are sorted here, in Python, so both stores order them by the same rule
        hits = []
        for lab_props, lines in groups:
            lab = _from_props(Kind.LAB, lab_props)
            for scope_props, products, items, standards in lines:
                hits.append(
                    ScopeHit(
                        lab=lab,
                        scope=_from_props(Kind.SCOPE, scope_props),
                        products=tuple(sorted(products)),
                        items=tuple(sorted(items)),
                        standards=tuple(sorted(standards)),
                        categories=tuple(sorted({c for p in products for c in product_cats.get(p, ())})),
                    )
                )
        return sorted(hits, key=lambda h: (h.lab.id, h.scope.id))

    def specialty_hits(self, linked: Linked) -> list[SpecialtyHit]:
        if not linked:
            return []
        hits = []
        for r in self._read(cypher.load("specialty_hits"), **self._linked_params(linked)):
            expert = _from_props(Kind.EXPERT, r["expert"])
            for labels, target, text, categories in r["specialties"]:
                kind = _kind(labels)
                cats = tuple(sorted(set(categories))) if kind == Kind.PRODUCT else ()
                hits.append(SpecialtyHit(expert, (kind, target), text, cats))
        return sorted(hits, key=lambda h: (h.expert.id, h.target))
