"""Parity: the networkx store and the Neo4j store (over Bolt, on ArcadeDB) give the same answers.

The same graph is written into both stores once for the module; every
retrieval the service layer uses, and then whole matching results (ranking
and explanations, computed once in Python over each store's own retrieval),
must come out identical.
"""

from __future__ import annotations

import json

import pytest

from graph.matching import Matcher, MatchQuery
from graph.model import Kind, Rel
from graph.nx_store import NetworkxStore
from graph.store import Linked

META = {"snapshot": "2024-06-30", "synonyms": json.dumps({"承压设备": ["压力容器"]}, ensure_ascii=False)}


@pytest.fixture(scope="module")
def stores(small_graph, neo4j_server_store):
    nodes, edges = small_graph
    nx = NetworkxStore(None)
    neo4j_server_store.clear()
    for store in (nx, neo4j_server_store):
        store.write(nodes, edges)
        store.set_meta(META)
    yield nx, neo4j_server_store
    neo4j_server_store.clear()


LINKED = [
    Linked(products=frozenset({"P-PV"})),
    Linked(products=frozenset({"P-BOILER", "P-LOOSE"})),
    Linked(categories=frozenset({"CAT-SE", "CAT-FOOD"})),
    Linked(items=frozenset({"I-MICRO", "I-WALL"})),
    Linked(standards=frozenset({"TSG 21-2016", "GB 4789.2-2016"})),
    Linked(frozenset({"P-MILK"}), frozenset({"I-WALL"}), frozenset({"GB 4789.2-2022"}), frozenset({"CAT-SE"})),
    Linked(products=frozenset({"P-NONE"})),
]


def test_counts_and_meta_agree(stores):
    nx, neo = stores
    assert neo.count() == nx.count()
    assert neo.meta() == nx.meta()


@pytest.mark.parametrize("kind", list(Kind))
def test_nodes_agree(stores, kind):
    nx, neo = stores
    assert neo.nodes(kind) == sorted(nx.nodes(kind), key=lambda n: n.id)


@pytest.mark.parametrize("rel", list(Rel))
def test_edges_agree(stores, rel):
    nx, neo = stores
    assert neo.edges(rel) == sorted(nx.edges(rel), key=lambda e: e.key)


@pytest.mark.parametrize("linked", LINKED, ids=range(len(LINKED)))
def test_scope_hits_agree(stores, linked):
    nx, neo = stores
    assert neo.scope_hits(linked) == sorted(nx.scope_hits(linked), key=lambda h: (h.lab.id, h.scope.id))


@pytest.mark.parametrize("linked", LINKED, ids=range(len(LINKED)))
def test_specialty_hits_agree(stores, linked):
    nx, neo = stores
    assert neo.specialty_hits(linked) == sorted(nx.specialty_hits(linked), key=lambda h: (h.expert.id, h.target))


# Topics and filters covering every query path of matching: a product with an
# item (exact tier), a product alone, an item on other products, standard
# numbers with and without year, a category, a hazard, a synonym, the category
# fallback, each place filter, a date that expires an accreditation, top-k, a
# named party (conflict flag), and a topic that links to nothing.
QUERIES = [
    MatchQuery("压力容器 壁厚测定"),
    MatchQuery("锅炉"),
    MatchQuery("菌落总数"),
    MatchQuery("TSG 21-2016"),
    MatchQuery("GB 4789.2 菌落总数测定"),
    MatchQuery("特种设备"),
    MatchQuery("微生物污染"),
    MatchQuery("承压设备 定期检验"),
    MatchQuery("乳制品", province="浙江省"),
    MatchQuery("压力容器", province="浙江省", city="杭州市"),
    MatchQuery("压力容器", exclude_province="浙江省"),
    MatchQuery("压力容器", as_of="2027-01-01"),
    MatchQuery("压力容器 锅炉 乳制品", top_k=1),
    MatchQuery("菌落总数", parties=("杭州某乳业有限公司",)),
    MatchQuery("航空发动机叶片"),
]


@pytest.fixture(scope="module")
def matchers(stores):
    """One matcher per store, each built from its own store (vocabulary, categories, meta)."""
    nx, neo = stores
    return Matcher(nx), Matcher(neo)


@pytest.mark.parametrize("query", QUERIES, ids=[f"{i}-{q.topic}" for i, q in enumerate(QUERIES)])
def test_match_results_agree(matchers, query):
    nx, neo = matchers
    assert neo.match(query) == nx.match(query)


@pytest.mark.parametrize("topic", ["压力容器", "菌落总数"])
def test_instructors_agree(matchers, topic):
    nx, neo = matchers
    q = MatchQuery(topic)
    assert neo.instructors(q, "浙江省") == nx.instructors(q, "浙江省")


def test_matching_finds_something_on_this_graph(matchers):
    """Guards the parity tests above against comparing two empty answers."""
    nx, _ = matchers
    result = nx.match(MatchQuery("压力容器 壁厚测定"))
    assert [lab.id for lab in result.labs][:1] == ["CNAS IB0001"] and result.experts
