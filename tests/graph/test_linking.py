"""Topic linking on the demo graph: synonyms, English, standard numbers, hazards, suggestions."""

from __future__ import annotations

import pytest

from graph.linking import TopicLinker


@pytest.fixture(scope="module")
def linker(demo_store) -> TopicLinker:
    return TopicLinker.from_store(demo_store)


def _ids(links, kind):
    return [l.id for l in links.links if l.kind.value == kind]


def test_colloquial_product_names_link_through_the_synonym_table(linker):
    links = linker.link("电瓶车充电机 发烫")
    assert _ids(links, "Product")[0] == "电动自行车充电器"
    assert "温升" in _ids(links, "TestItem")


def test_english_topic_links_to_chinese_nodes(linker):
    links = linker.link("e-bike charger overheating")
    assert _ids(links, "Product")[0] == "电动自行车充电器" and "温升" in _ids(links, "TestItem")


def test_standard_number_without_year_links_every_edition(linker):
    assert set(_ids(linker.link("gb2811"), "Standard")) >= {"GB 2811-2007", "GB 2811-2019"}


def test_standard_number_with_full_width_dash_links_that_edition(linker):
    links = linker.link("GB 2811－2019 冲击吸收")
    assert ("GB 2811-2019", "number") in {(l.id, l.via) for l in links.links}


def test_hazard_words_bring_the_test_items_that_address_them(linker):
    links = linker.link("插头 起火")
    assert "电气火灾" in _ids(links, "Hazard") and ("温升", "hazard") in {(l.id, l.via) for l in links.links}


def test_narrower_objects_link_under_a_general_product(linker):
    links = linker.link("压力容器")
    narrower = [l for l in links.links if l.via == "narrower"]
    assert narrower and all("压力容器" in l.name for l in narrower)


def test_explanation_names_the_words_of_the_topic(linker):
    first = linker.link("压力容器 定期检验").links[0]
    assert (first.id, first.matched) == ("压力容器", "压力容器")


def test_unknown_topic_links_nothing_and_suggests_names(linker):
    links = linker.link("量子纠缠通信卫星")
    assert links.links == [] and links.suggestions


def test_an_item_name_inside_a_longer_matched_name_is_not_linked(linker):
    items = _ids(linker.link("童车 制动性能"), "TestItem")
    assert "制动性能" in items and "性能" not in items
