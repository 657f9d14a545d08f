"""Parity on the shipped demo data: both stores loaded by the same loader give identical matching results.

The demo dataset (data/demo, the Yangtze River Delta subset of the CNAS
disclosures, plus the catalogue) is loaded with ``loaders.pipeline.load`` into
a NetworkxStore and into the Neo4j store over Bolt; then the same queries,
covering every query path of matching, must return identical ranked labs and
experts with identical evidence.
"""

from __future__ import annotations

from dataclasses import replace

import pytest

from graph.matching import Matcher, MatchQuery
from graph.model import Kind
from graph.nx_store import NetworkxStore
from loaders.pipeline import DEMO, load


@pytest.fixture(scope="module")
def demo_matchers(neo4j_server_store):
    assert DEMO.is_dir(), f"the demo dataset is missing: {DEMO}"
    nx = NetworkxStore(None)
    load([DEMO], nx)
    neo4j_server_store.clear()
    load([DEMO], neo4j_server_store)
    yield Matcher(nx), Matcher(neo4j_server_store)
    neo4j_server_store.clear()


def test_demo_graph_is_the_same_in_both_stores(demo_matchers):
    nx, neo = (m.store for m in demo_matchers)
    assert neo.count() == nx.count() and neo.meta() == nx.meta()
    assert neo.nodes(Kind.LAB) == sorted(nx.nodes(Kind.LAB), key=lambda n: n.id)


# Each query exercises a path: product + item (exact tier), a standard named by
# its title, an alias and synonyms, a standard number with and without year,
# a hazard through the items that address it, a category, the category
# fallback, province / city / excluded-province filters, a date, top-k, and
# topics that link to nothing (reason and suggestions).
QUERIES = [
    MatchQuery("压力容器 定期检验", province="浙江省"),
    MatchQuery("安全帽 冲击吸收性能"),
    MatchQuery("头盔"),
    MatchQuery("GB 2811-2019"),
    MatchQuery("GB 2811"),
    MatchQuery("电动车 充电器 温升"),
    MatchQuery("电线电缆", exclude_province="江苏省"),
    MatchQuery("学生服 纤维含量", city="杭州市"),
    MatchQuery("电气火灾"),
    MatchQuery("童车", as_of="2030-01-01"),
    MatchQuery("食品 农药残留", top_k=3),
    MatchQuery("机械及特种设备"),
    MatchQuery("锅炉"),
    MatchQuery("量子计算机芯片"),
]


@pytest.mark.parametrize("query", QUERIES, ids=[f"{i}-{q.topic}" for i, q in enumerate(QUERIES)])
def test_demo_match_results_agree(demo_matchers, query):
    nx, neo = demo_matchers
    assert neo.match(query) == nx.match(query)


def test_demo_conflict_flags_agree(demo_matchers):
    nx, neo = demo_matchers
    plain = nx.match(MatchQuery("压力容器 定期检验"))
    party = next(e.affiliation_name for e in plain.experts if e.affiliation_name)
    query = replace(MatchQuery("压力容器 定期检验"), parties=(party,))
    expected = nx.match(query)
    assert any(e.conflict for e in expected.experts)
    assert neo.match(query) == expected


def test_demo_instructors_agree(demo_matchers):
    nx, neo = demo_matchers
    q = MatchQuery("安全帽")
    expected = nx.instructors(q, "浙江省")
    assert expected.experts and neo.instructors(q, "浙江省") == expected


def test_demo_queries_are_not_all_empty(demo_matchers):
    """Guards the comparisons above against two equally empty answers."""
    nx, _ = demo_matchers
    results = [nx.match(q) for q in QUERIES]
    assert sum(bool(r.labs) for r in results) >= 8 and sum(bool(r.experts) for r in results) >= 8
    assert {ev.tier for r in results for lab in r.labs for ev in lab.evidence} >= {"exact", "product", "category"}
