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


def test_english_words_link_through_the_dictionary():
    links = _tiny(products=["锂电池", "铅酸蓄电池"]).link("lithium battery")  # neither has an English name
    assert "锂电池" in _ids(links, "Product")
    link = next(l for l in links.links if l.id == "锂电池")
    assert link.via == "translation" and link.matched == "lithium battery → 锂电池" and link.score < 1.0


def test_a_bracketed_alternative_name_links_as_an_alias():
    from graph.model import Product
    from graph.nx_store import NetworkxStore

    store = NetworkxStore(None)
    store.write([Product("移动电源", "移动电源(充电宝)").to_node()], [])
    link = TopicLinker.from_store(store).link("充电宝 鼓包").links[0]
    assert (link.id, link.score, link.via) == ("移动电源", 1.0, "alias")


def _tiny(products=(), items=(), synonyms=None):
    import json

    from graph.model import Product, TestItem
    from graph.nx_store import NetworkxStore

    store = NetworkxStore(None)
    store.write([Product(p, p).to_node() for p in products] + [TestItem(i, i).to_node() for i in items], [])
    store.set_meta({"synonyms": json.dumps(synonyms or {}, ensure_ascii=False)})
    return TopicLinker.from_store(store)


def test_a_name_inside_another_nodes_longer_match_is_a_fragment_even_when_that_node_kept_other_words():
    import json

    from graph.model import Product
    from graph.nx_store import NetworkxStore

    store = NetworkxStore(None)
    crane = Product("桥式起重机", "桥式起重机", aliases=("行车",))  # a crane's colloquial name
    store.write([Product("电动自行车", "电动自行车", "e-bike").to_node(), crane.to_node()], [])
    store.set_meta({"synonyms": json.dumps({"e-bike": ["电动自行车"]})})
    linker = TopicLinker.from_store(store)
    assert _ids(linker.link("e-bike charger"), "Product") == ["电动自行车"]  # 行车 inside 电动自行车 is no crane


def test_a_product_naming_more_of_the_compound_beats_a_synonym_of_its_last_word():
    linker = _tiny(products=["安全帽", "摩托车乘员头盔"], synonyms={"头盔": ["安全帽"]})
    assert _ids(linker.link("摩托车头盔 被扎穿"), "Product")[0] == "摩托车乘员头盔"
    assert _ids(linker.link("头盔 被扎穿"), "Product")[0] == "安全帽"  # no other word: the synonym stands


def test_the_head_of_a_compound_is_the_product_that_also_names_it():
    linker = _tiny(products=["电动自行车", "电动自行车用锂离子蓄电池", "电动自行车充电器"],
                   synonyms={"电动车": ["电动自行车"]})  # fmt: skip
    assert _ids(linker.link("电动车锂电池 起火"), "Product")[0] == "电动自行车用锂离子蓄电池"


def test_an_item_named_after_the_product_and_the_item_ranks_first():
    linker = _tiny(products=["压力容器"], items=["定期检验", "压力容器定期检验"])
    assert _ids(linker.link("压力容器 定期检验"), "TestItem")[:2] == ["压力容器定期检验", "定期检验"]
