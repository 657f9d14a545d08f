"""Sampling records: ids, node form, validation, and how they are written into the graph."""

from __future__ import annotations

import dataclasses

import pytest

from graph.model import Enterprise, Kind, Rel, Sampling
from graph.nx_store import NetworkxStore
from graph.sampling import (
    FailedItem,
    batch_key,
    failed_items,
    problems,
    read_samplings,
    sampling_id,
    with_items,
    write_samplings,
)
from loaders.pipeline import load

WIRE = with_items(
    Sampling(
        id="S-WIRE-1", date="2020-08-01", level="provincial", authority="江苏省市场监督管理局", province="江苏省",
        product_name="电线", producer_name="苏州某某电缆有限公司", credit_code="91320500MA1ABCDE2X",
        trademark="某牌", model="BV 2.5mm²", standards=("GB/T 5023.3-2008", "Q/XYZ 001-2019"), result="pass",
    ),
    [FailedItem("导体电阻", "9.86", "≤7.41", "Ω/km"), FailedItem("绝缘厚度", "0.61", "≥0.8", "mm")],
)  # fmt: skip


@pytest.fixture
def catalogue_store() -> NetworkxStore:
    """A fresh in-memory graph holding the catalogue and the region table."""
    store = NetworkxStore(None)
    load([], store)
    return store


def test_the_same_batch_written_differently_gets_the_same_id():
    a = batch_key("国内监督抽查(江苏市场监管局)", "黄原胶 ", "某某公司 ", "", "2021-06-30", "2021-06-30")
    b = batch_key("国内监督抽查（江苏市场监管局）", "黄原胶", "某某 公司", "", "2021-06-30", "2021-06-30")
    assert sampling_id(a) == sampling_id(b)
    assert sampling_id(a) != sampling_id(batch_key("国内监督抽查(江苏市场监管局)", "黄原胶", "某某公司", "", "", ""))


def test_failed_items_are_parallel_scalar_lists_on_the_node_and_come_back():
    node = WIRE.to_node()
    assert node.props["failed_items"] == ["导体电阻", "绝缘厚度"]
    assert node.props["failed_units"] == ["Ω/km", "mm"]
    assert all(isinstance(v, (str, bool, int, float, list)) for v in node.props.values())
    back = Sampling.from_node(node)
    assert back == WIRE
    assert failed_items(back)[1] == FailedItem("绝缘厚度", "0.61", "≥0.8", "mm")


def test_a_record_with_ragged_item_lists_or_a_passed_batch_with_items_is_refused():
    ragged = dataclasses.replace(WIRE, failed_values=("9.86",))
    assert any("as long as failed_items" in p for p in problems(ragged))
    passed = dataclasses.replace(WIRE, result="pass")
    assert "a passed batch cannot have failed items" in problems(passed)
    assert problems(WIRE) == []


def test_writing_links_the_catalogue_product_standard_region_and_a_new_producer(catalogue_store):
    [written] = write_samplings(catalogue_store, [WIRE])
    assert written.product == "电线电缆"  # "电线" is an alias of the catalogue product
    assert written.producer == "91320500MA1ABCDE2X"  # the credit code is the enterprise id
    src = (Kind.SAMPLING, "S-WIRE-1")

    def targets(rel: Rel) -> set[str]:
        return {e.dst[1] for e in catalogue_store.edges(rel) if e.src == src}

    assert targets(Rel.SAMPLED_PRODUCT) == {"电线电缆"}
    assert targets(Rel.PRODUCED_BY) == {"91320500MA1ABCDE2X"}
    assert targets(Rel.JUDGED_BY) == {"GB/T 5023.3-2008"}  # the enterprise standard is not in the graph
    assert targets(Rel.ORGANISED_IN) == {"江苏省"}
    assert catalogue_store.get(Kind.ENTERPRISE, "91320500MA1ABCDE2X").props["name"] == "苏州某某电缆有限公司"


def test_writing_the_same_records_twice_changes_nothing(catalogue_store):
    write_samplings(catalogue_store, [WIRE])
    before = catalogue_store.count()
    write_samplings(catalogue_store, [WIRE])
    assert catalogue_store.count() == before
    assert read_samplings(catalogue_store)[0].failed_items == ("导体电阻", "绝缘厚度")


def test_an_enterprise_already_in_the_graph_is_linked_but_never_rewritten(catalogue_store):
    known = Enterprise("91320500MA1ABCDE2X", name="苏州某某电缆有限公司", province="江苏省", city="苏州市")
    catalogue_store.write([known.to_node()], [])
    write_samplings(catalogue_store, [WIRE])
    assert catalogue_store.get(Kind.ENTERPRISE, known.id).props["city"] == "苏州市"


def test_records_go_through_the_neo4j_store_unchanged(neo4j_store):
    """Lists of scalars and booleans only: what Bolt stores, it gives back."""
    load([], neo4j_store)
    write_samplings(neo4j_store, [dataclasses.replace(WIRE, synthetic=True)])
    [back] = read_samplings(neo4j_store)
    assert back == dataclasses.replace(WIRE, synthetic=True, product="电线电缆", producer="91320500MA1ABCDE2X")
    assert {e.dst[1] for e in neo4j_store.edges(Rel.JUDGED_BY)} == {"GB/T 5023.3-2008"}
