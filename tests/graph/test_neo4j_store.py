"""The Neo4j store against a real Bolt server (ArcadeDB, started by conftest.py)."""

from __future__ import annotations

import re

import pytest

import cypher
from graph.arcadedb import ArcadeDBServer, free_port
from graph.model import Edge, Kind, Lab, Node, Region, Rel, Scope
import graph.neo4j_store as neo4j_store_module
from graph.neo4j_store import FULLTEXT_INDEX, FULLTEXT_LABELS, FULLTEXT_PROPERTIES, Neo4jStore
from graph.nx_store import NetworkxStore
from graph.settings import Settings
from graph.store import GraphStore, Linked, StoreError

RICH = Node(
    Kind.LAB,
    "CNAS IB0420",
    {
        "name": "浙江省质量科学研究院(检测中心)",
        "aliases": ["浙江质科院", "ZJIQS"],
        "years": [2019, 2024],
        "scope_lines": 1234,
        "share": 0.375,
        "suspended_any": False,
        "in_yrd": True,
        "note": "含 '引号' 与 \"双引号\" 及 \\ 反斜杠",
    },
)


def _sorted_scope_hits(hits):
    return sorted(hits, key=lambda h: (h.lab.id, h.scope.id))


def _sorted_specialty_hits(hits):
    return sorted(hits, key=lambda h: (h.expert.id, h.target, h.text))


def test_implements_the_store_protocol(neo4j_store):
    assert isinstance(neo4j_store, GraphStore)


def test_props_round_trip_exactly(neo4j_store):
    neo4j_store.write([RICH], [])
    got = neo4j_store.get(Kind.LAB, RICH.id)
    assert got == RICH
    assert got.kind is Kind.LAB and isinstance(got.props["aliases"], list)
    assert type(got.props["scope_lines"]) is int and type(got.props["in_yrd"]) is bool


def test_get_missing_node_is_none(neo4j_store):
    assert neo4j_store.get(Kind.LAB, "CNAS IB9999") is None


def test_writing_a_batch_twice_changes_nothing(neo4j_store, small_graph):
    nodes, edges = small_graph
    neo4j_store.write(nodes, edges)
    before = (neo4j_store.count(), neo4j_store.nodes(Kind.SCOPE), neo4j_store.edges(Rel.SPECIALISES_IN))
    neo4j_store.write(nodes, edges)
    after = (neo4j_store.count(), neo4j_store.nodes(Kind.SCOPE), neo4j_store.edges(Rel.SPECIALISES_IN))
    assert after == before
    assert before[0][Kind.SCOPE.value] == 6


def test_rewrite_replaces_properties(neo4j_store):
    a, b = Lab(id="L1", name="甲").to_node(), Region(id="330000", name="浙江省").to_node()
    neo4j_store.write([a, b], [Edge(a.key, Rel.IN_REGION, b.key, {"old": 1})])
    neo4j_store.write([Node(Kind.LAB, "L1", {"name": "乙"})], [Edge(a.key, Rel.IN_REGION, b.key, {"new": "x"})])
    assert neo4j_store.get(Kind.LAB, "L1").props == {"name": "乙"}  # body_type of the first write is gone
    assert [e.props for e in neo4j_store.edges(Rel.IN_REGION)] == [{"new": "x"}]


def test_same_id_in_two_kinds_are_two_nodes(neo4j_store):
    neo4j_store.write([Node(Kind.PRODUCT, "X", {"name": "p"}), Node(Kind.TEST_ITEM, "X", {"name": "i"})], [])
    assert neo4j_store.get(Kind.PRODUCT, "X").props == {"name": "p"}
    assert neo4j_store.get(Kind.TEST_ITEM, "X").props == {"name": "i"}


def test_edge_to_a_missing_node_writes_nothing(neo4j_store):
    good = [Lab(id="L1", name="甲").to_node(), Scope(id="L1#1", lab="L1").to_node()]
    edges = [Edge((Kind.LAB, "L1"), Rel.HAS_SCOPE, (Kind.SCOPE, "L1#1")),
             Edge((Kind.SCOPE, "L1#1"), Rel.COVERS_PRODUCT, (Kind.PRODUCT, "P-NONE"))]  # fmt: skip
    with pytest.raises(StoreError, match="missing node Product:P-NONE"):
        neo4j_store.write(good, edges)
    assert neo4j_store.count() == {}


def test_value_the_server_refuses_rolls_back_the_whole_call(neo4j_store):
    nodes = [Lab(id="L1", name="甲").to_node(), Node(Kind.PRODUCT, "P1", {"nested": {"a": 1}})]
    with pytest.raises(StoreError, match="refused"):
        neo4j_store.write(nodes, [])
    assert neo4j_store.get(Kind.LAB, "L1") is None


def test_failure_in_a_later_statement_rolls_back_earlier_chunks(neo4j_store, monkeypatch):
    monkeypatch.setattr(neo4j_store_module, "ROWS_PER_STATEMENT", 100)
    n = 100 * 2 + 7  # three UNWIND statements per kind and for the edges
    labs = [Node(Kind.LAB, f"L{i:05d}", {"name": f"实验室{i}"}) for i in range(n)]
    products = [Node(Kind.PRODUCT, f"P{i:05d}", {"name": f"产品{i}"}) for i in range(n)]
    edges = [Edge(lab.key, Rel.IN_REGION, p.key) for lab, p in zip(labs, products)]
    bad = edges + [Edge(labs[0].key, Rel.IN_REGION, (Kind.PRODUCT, "P-LAST-MISSING"))]
    with pytest.raises(StoreError, match="P-LAST-MISSING"):
        neo4j_store.write(labs + products, bad)
    assert neo4j_store.count() == {}
    neo4j_store.write(labs + products, edges)  # the re-run completes the load
    assert neo4j_store.count() == {"Lab": n, "Product": n, "IN_REGION": n}


def test_id_property_is_reserved(neo4j_store):
    with pytest.raises(StoreError, match="reserved"):
        neo4j_store.write([Node(Kind.LAB, "L1", {"id": "other"})], [])


def test_nodes_edges_and_count_equal_the_networkx_store(neo4j_store, small_graph):
    nodes, edges = small_graph
    nx = NetworkxStore(None)
    nx.write(nodes, edges)
    neo4j_store.write(nodes, edges)
    assert neo4j_store.count() == nx.count()
    for kind in Kind:
        assert sorted(neo4j_store.nodes(kind), key=lambda n: n.id) == sorted(nx.nodes(kind), key=lambda n: n.id)
    for rel in Rel:
        assert sorted(neo4j_store.edges(rel), key=lambda e: e.key) == sorted(nx.edges(rel), key=lambda e: e.key)


TOPICS = {
    "product": Linked(products=frozenset({"P-PV"})),
    "category": Linked(categories=frozenset({"CAT-SE"})),
    "item": Linked(items=frozenset({"I-MICRO"})),
    "standard": Linked(standards=frozenset({"TSG 21-2016"})),
    "all kinds": Linked(frozenset({"P-MILK"}), frozenset({"I-WALL"}), frozenset({"GB 4789.2-2022"}), frozenset({"CAT-SE"})),
    "overlapping": Linked(products=frozenset({"P-PV", "P-BOILER"}), categories=frozenset({"CAT-SE"})),
    "unknown ids": Linked(products=frozenset({"P-NONE"}), standards=frozenset({"GB 0-0000"})),
    "product without scope": Linked(products=frozenset({"P-LOOSE"})),
    "empty": Linked(),
}


@pytest.mark.parametrize("topic", list(TOPICS))
def test_scope_hits_equal_the_networkx_store(neo4j_store, small_graph, topic):
    nodes, edges = small_graph
    nx = NetworkxStore(None)
    nx.write(nodes, edges)
    neo4j_store.write(nodes, edges)
    linked = TOPICS[topic]
    assert _sorted_scope_hits(neo4j_store.scope_hits(linked)) == _sorted_scope_hits(nx.scope_hits(linked))


@pytest.mark.parametrize("topic", list(TOPICS))
def test_specialty_hits_equal_the_networkx_store(neo4j_store, small_graph, topic):
    nodes, edges = small_graph
    nx = NetworkxStore(None)
    nx.write(nodes, edges)
    neo4j_store.write(nodes, edges)
    linked = TOPICS[topic]
    got = _sorted_specialty_hits(neo4j_store.specialty_hits(linked))
    assert got == _sorted_specialty_hits(nx.specialty_hits(linked))


def test_scope_hits_carry_the_whole_scope_line(neo4j_store, small_graph):
    neo4j_store.write(*small_graph)
    hits = _sorted_scope_hits(neo4j_store.scope_hits(Linked(products=frozenset({"P-PV"}))))
    assert [(h.lab.id, h.scope.id) for h in hits] == [("CNAS IB0001", "CNAS IB0001#1"), ("CNAS IB0003", "CNAS IB0003#1")]
    assert hits[0].scope.props["limits"] == "不做超高压容器"
    assert (hits[0].items, hits[0].standards, hits[0].categories) == (("I-WALL",), ("TSG 21-2016",), ("CAT-SE",))
    assert hits[1].products == ("P-BOILER", "P-PV")  # sorted like NetworkxStore sorts them


def test_meta_round_trip_and_not_counted(neo4j_store):
    assert neo4j_store.meta() == {}
    neo4j_store.set_meta({"snapshot": "2020-10-15", "source": "CNAS 公示"})
    neo4j_store.set_meta({"snapshot": "2020-11-01"})
    assert neo4j_store.meta() == {"snapshot": "2020-11-01", "source": "CNAS 公示"}
    assert neo4j_store.count() == {}


def test_clear_removes_graph_and_meta(neo4j_store, small_graph):
    neo4j_store.write(*small_graph)
    neo4j_store.set_meta({"snapshot": "2020-10-15"})
    neo4j_store.clear()
    assert neo4j_store.count() == {} and neo4j_store.meta() == {}


def test_schema_is_in_place(neo4j_store):
    constraints = {tuple(r["labelsOrTypes"]) for r in neo4j_store._read("SHOW CONSTRAINTS")}
    assert {(k.value,) for k in Kind} | {("YrdqMeta",)} <= constraints
    indexes = {(r["labelsOrTypes"][0], r["properties"][0], r["type"]) for r in neo4j_store._read("SHOW INDEXES")}
    assert {("Lab", "province", "RANGE"), ("Standard", "base_number", "RANGE"), ("Lab", "name", "FULLTEXT")} <= indexes


def test_health_reports_the_server(neo4j_store, arcadedb_server):
    health = neo4j_store.health()
    assert health["status"] == "ok" and health["store"] == "neo4j" and health["uri"] == arcadedb_server.bolt_uri


def test_from_settings_connects_with_the_settings(arcadedb_server, neo4j_store):
    settings = Settings(
        store="neo4j",
        neo4j_uri=arcadedb_server.bolt_uri,
        neo4j_user=arcadedb_server.user,
        neo4j_password=arcadedb_server.password,
        neo4j_database=arcadedb_server.database,
    )
    neo4j_store.write([RICH], [])
    with Neo4jStore.from_settings(settings) as other:
        assert other.get(Kind.LAB, RICH.id) == RICH


def test_wrong_password_names_the_uri_and_user(arcadedb_server):
    with pytest.raises(StoreError) as err:
        Neo4jStore(arcadedb_server.bolt_uri, arcadedb_server.user, "not-the-password")
    assert arcadedb_server.bolt_uri in str(err.value) and "credentials of user 'root'" in str(err.value)


def test_unreachable_server_names_the_uri():
    uri = f"bolt://127.0.0.1:{free_port()}"
    with pytest.raises(StoreError, match=f"cannot reach the Neo4j server at {re.escape(uri)}"):
        Neo4jStore(uri, "neo4j", "password")


@pytest.mark.parametrize("uri", ["http://127.0.0.1:7474", "localhost:7687"])
def test_uri_without_a_bolt_scheme_is_refused_naming_it(uri):
    with pytest.raises(StoreError, match=f"cannot use the Neo4j URI {re.escape(repr(uri))}: it must start with one of neo4j://"):
        Neo4jStore(uri, "neo4j", "password")


def test_unknown_database_is_named(arcadedb_server):
    with pytest.raises(StoreError, match="no database 'nosuchdb'"):
        Neo4jStore(arcadedb_server.bolt_uri, arcadedb_server.user, arcadedb_server.password, "nosuchdb")


def test_health_turns_unreachable_when_the_server_stops():
    with ArcadeDBServer() as server:
        store = Neo4jStore(server.bolt_uri, server.user, server.password, server.database)
        assert store.health()["status"] == "ok"
    try:
        health = store.health()
    finally:
        store.close()
    assert health["status"] == "unreachable" and server.bolt_uri in health["error"]


def test_fulltext_statement_matches_the_declared_fields():
    """graph/arcadedb.py builds ArcadeDB's index from the constants; they must say what the Cypher says."""
    text = cypher.load("schema_fulltext")
    assert f"INDEX {FULLTEXT_INDEX} " in text
    labels = re.search(r"FOR \(n:([\w|]+)\)", text).group(1).split("|")
    props = re.findall(r"n\.(\w+)", text.split("ON EACH", 1)[1])
    assert labels == [k.value for k in FULLTEXT_LABELS] and props == list(FULLTEXT_PROPERTIES)


def test_every_kind_has_a_uniqueness_constraint_statement():
    text = cypher.load("schema_constraints")
    for kind in Kind:
        assert f"FOR (n:{kind.value}) REQUIRE n.id IS UNIQUE" in text


@pytest.mark.parametrize(
    "key, limit",
    [((Kind.PRODUCT, "P-PV"), 200), ((Kind.PRODUCT, "P-PV"), 3), ((Kind.LAB, "CNAS IB0001"), 200),
     ((Kind.STANDARD, "GB 4789.2-2016"), 200), ((Kind.LAB, "CNAS IB9999"), 200)],
)  # fmt: skip
def test_neighbours_equal_the_networkx_store(neo4j_store, small_graph, key, limit):
    nx = NetworkxStore(None)
    nx.write(*small_graph)
    neo4j_store.write(*small_graph)
    assert neo4j_store.neighbours(*key, limit=limit) == nx.neighbours(*key, limit=limit)


@pytest.mark.parametrize(
    "text, kinds",
    [("压力", [Kind.PRODUCT, Kind.STANDARD, Kind.LAB]), ("PRESSURE", [Kind.PRODUCT]), ("牛奶", [Kind.PRODUCT]),
     ("ib000", [Kind.LAB]), ("菌落总数", [Kind.STANDARD, Kind.TEST_ITEM]), ("shanghai", [Kind.LAB]),
     ("无此名称", list(Kind))],
)  # fmt: skip
def test_search_equals_the_networkx_store(neo4j_store, small_graph, text, kinds):
    nx = NetworkxStore(None)
    nx.write(*small_graph)
    neo4j_store.write(*small_graph)
    assert neo4j_store.search(text, kinds) == nx.search(text, kinds)
    assert neo4j_store.search(text, kinds, limit=1) == nx.search(text, kinds, limit=1)
