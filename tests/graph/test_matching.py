"""Ranking and explanation of labs and experts, on a small hand-checked graph."""

from __future__ import annotations

import pytest

from graph.linking import Link
from graph.matching import Matcher, MatchQuery
from graph.model import Category, Edge, Expert, Hazard, Kind, Lab, Product, Rel, Scope, Standard, TestItem
from graph.nx_store import NetworkxStore

AS_OF = "2020-06-01"


def _scope(sid, lab, obj, item, std, valid_to="2025-01-01", limits=""):
    return Scope(sid, lab, obj, item, "", std, limits, valid_from="2019-01-01", valid_to=valid_to)


@pytest.fixture(scope="module")
def store() -> NetworkxStore:
    """Pressure vessels and boilers (category C4), and a food product, in four provinces.

    Hand-ranked for "压力容器 定期检验" in Zhejiang: ZJ-EXACT (vessel + item + standard) >
    ZJ-PRODUCT (vessel, other item) > ZJ-ITEM (boiler, same item) > ZJ-CAT (boiler, other item);
    ZJ-OLD's accreditation ended before the date, ZJ-SUSP has the item suspended.
    """
    s = NetworkxStore(None)
    cats = [Category("C4", "机械及特种设备"), Category("C8", "食品")]
    products = [Product("压力容器", "压力容器", category="C4"), Product("锅炉", "锅炉", category="C4"),
                Product("压力容器-超高压容器", "压力容器-超高压容器", category="C4"), Product("食用油", "食用油", category="C8")]  # fmt: skip
    items = [TestItem("定期检验", "定期检验"), TestItem("监督检验", "监督检验"), TestItem("外观检验", "外观检验"),
             TestItem("温升", "温升")]  # fmt: skip
    stds = [Standard("TSG 21-2016", "TSG 21-2016", "TSG 21", 2016, "industry", "固定式压力容器安全技术监察规程", "current")]
    hazards = [Hazard("电气火灾", "电气火灾", aliases=("起火",))]
    labs = [
        Lab("ZJ-EXACT", "浙江甲检验院", province="浙江省", city="杭州市", valid_from="2019-01-01", valid_to="2025-01-01"),
        Lab("ZJ-PRODUCT", "浙江乙检验站", province="浙江省", city="宁波市", valid_from="2019-01-01", valid_to="2025-01-01"),
        Lab("ZJ-ITEM", "浙江丙检验站", province="浙江省", city="温州市", valid_from="2019-01-01", valid_to="2025-01-01"),
        Lab("ZJ-CAT", "浙江丁检验站", province="浙江省", city="湖州市", valid_from="2019-01-01", valid_to="2025-01-01"),
        Lab("ZJ-OLD", "浙江戊检验站", province="浙江省", city="杭州市", valid_from="2014-01-01", valid_to="2019-12-31"),
        Lab("ZJ-SUSP", "浙江己检验站", province="浙江省", city="杭州市", valid_from="2019-01-01", valid_to="2025-01-01",
            suspended="定期检验"),
        Lab("JS-EXACT", "江苏甲检验院", province="江苏省", city="南京市", valid_from="2019-01-01", valid_to="2025-01-01"),
        Lab("ZJ-FOOD", "浙江庚食品检验所", province="浙江省", city="杭州市", valid_from="2019-01-01", valid_to="2025-01-01"),
    ]  # fmt: skip
    scopes = [
        (_scope("s1", "ZJ-EXACT", "压力容器", "定期检验", "TSG 21-2016", limits="不含超高压容器"), "压力容器", ["定期检验"], ["TSG 21-2016"]),
        (_scope("s2", "ZJ-EXACT", "压力容器", "监督检验", "TSG 21-2016"), "压力容器", ["监督检验"], ["TSG 21-2016"]),
        (_scope("s3", "ZJ-PRODUCT", "压力容器", "外观检验", ""), "压力容器", ["外观检验"], []),
        (_scope("s4", "ZJ-ITEM", "锅炉", "定期检验", ""), "锅炉", ["定期检验"], []),
        (_scope("s5", "ZJ-CAT", "锅炉", "外观检验", ""), "锅炉", ["外观检验"], []),
        (_scope("s6", "ZJ-OLD", "压力容器", "定期检验", "TSG 21-2016", valid_to="2019-12-31"), "压力容器", ["定期检验"], ["TSG 21-2016"]),
        (_scope("s7", "ZJ-SUSP", "压力容器", "定期检验", ""), "压力容器", ["定期检验"], []),
        (_scope("s8", "JS-EXACT", "压力容器", "定期检验", "TSG 21-2016"), "压力容器", ["定期检验"], ["TSG 21-2016"]),
        (_scope("s9", "ZJ-FOOD", "食用油", "外观检验", ""), "食用油", ["外观检验"], []),
    ]  # fmt: skip
    experts = [
        Expert("E-ZJ", "合成专家-A", ("压力容器定期检验",), "ZJ-EXACT", "浙江甲检验院", "浙江省", "杭州市", ("signatory",), "2025-01-01"),
        Expert("E-JS", "合成专家-B", ("压力容器",), "JS-EXACT", "江苏甲检验院有限公司", "江苏省", "南京市", ("signatory",), "2025-01-01"),
        Expert("E-OLD", "合成专家-C", ("压力容器",), "ZJ-OLD", "浙江戊检验站", "浙江省", "杭州市", ("signatory",), "2019-12-31"),
    ]  # fmt: skip
    nodes = [r.to_node() for r in [*cats, *products, *items, *stds, *hazards, *labs, *experts]]
    edges = [Edge((Kind.PRODUCT, p.id), Rel.IN_CATEGORY, (Kind.CATEGORY, p.category)) for p in products]
    edges.append(Edge((Kind.TEST_ITEM, "温升"), Rel.ADDRESSES, (Kind.HAZARD, "电气火灾")))
    for sc, product, its, ss in scopes:
        nodes.append(sc.to_node())
        edges.append(Edge((Kind.LAB, sc.lab), Rel.HAS_SCOPE, (Kind.SCOPE, sc.id)))
        edges.append(Edge((Kind.SCOPE, sc.id), Rel.COVERS_PRODUCT, (Kind.PRODUCT, product)))
        edges += [Edge((Kind.SCOPE, sc.id), Rel.COVERS_ITEM, (Kind.TEST_ITEM, i)) for i in its]
        edges += [Edge((Kind.SCOPE, sc.id), Rel.USES_STANDARD, (Kind.STANDARD, x)) for x in ss]
    edges += [
        Edge((Kind.EXPERT, "E-ZJ"), Rel.SPECIALISES_IN, (Kind.PRODUCT, "压力容器"), {"text": "压力容器定期检验"}),
        Edge((Kind.EXPERT, "E-ZJ"), Rel.SPECIALISES_IN, (Kind.TEST_ITEM, "定期检验"), {"text": "压力容器定期检验"}),
        Edge((Kind.EXPERT, "E-JS"), Rel.SPECIALISES_IN, (Kind.PRODUCT, "压力容器"), {"text": "压力容器"}),
        Edge((Kind.EXPERT, "E-OLD"), Rel.SPECIALISES_IN, (Kind.PRODUCT, "压力容器"), {"text": "压力容器"}),
    ]
    s.write(nodes, edges)
    return s


@pytest.fixture(scope="module")
def matcher(store) -> Matcher:
    return Matcher(store, default_as_of=AS_OF)


def test_labs_ranked_exact_then_product_then_item_then_category(matcher):
    r = matcher.match(MatchQuery("压力容器 定期检验", province="浙江省"))
    assert [(l.id, l.tier) for l in r.labs] == [
        ("ZJ-EXACT", "exact"), ("ZJ-PRODUCT", "product"), ("ZJ-ITEM", "item"), ("ZJ-CAT", "category")
    ]


def test_each_lab_is_explained_by_its_scope_lines(matcher):
    top = matcher.match(MatchQuery("压力容器 定期检验", province="浙江省")).labs[0]
    first = top.evidence[0]
    assert (first.object, first.item, first.method, first.limits) == ("压力容器", "定期检验", "TSG 21-2016", "不含超高压容器")
    assert set(first.matched) == {"压力容器", "定期检验"}
    assert top.evidence_total == 2


def test_expired_accreditation_is_left_out_but_counts_on_an_earlier_date(matcher):
    now = {l.id for l in matcher.match(MatchQuery("压力容器 定期检验")).labs}
    then = {l.id for l in matcher.match(MatchQuery("压力容器 定期检验", as_of="2019-06-01")).labs}
    assert "ZJ-OLD" not in now and "ZJ-OLD" in then


def test_suspended_item_does_not_qualify(matcher):
    assert "ZJ-SUSP" not in {l.id for l in matcher.match(MatchQuery("压力容器 定期检验")).labs if l.tier == "exact"}


def test_province_city_and_exclusion_filters(matcher):
    assert {l.province for l in matcher.match(MatchQuery("压力容器", province="江苏省")).labs} == {"江苏省"}
    assert [l.id for l in matcher.match(MatchQuery("压力容器", city="宁波")).labs] == ["ZJ-PRODUCT"]
    assert "江苏省" not in {l.province for l in matcher.match(MatchQuery("压力容器", exclude_province="江苏省")).labs}


def test_top_k_cuts_the_list(matcher):
    assert len(matcher.match(MatchQuery("压力容器 定期检验", top_k=2)).labs) == 2


def test_standard_number_in_any_written_form_is_an_exact_match(matcher):
    r = matcher.match(MatchQuery("TSG21－2016", province="浙江省"))
    assert r.labs[0].id == "ZJ-EXACT" and r.labs[0].tier == "exact"


def test_experts_ranked_and_explained_by_specialties(matcher):
    r = matcher.match(MatchQuery("压力容器 定期检验"))
    assert [(e.id, e.tier) for e in r.experts] == [("E-ZJ", "exact"), ("E-JS", "product")]
    assert r.experts[0].evidence[0].text == "压力容器定期检验"


def test_conflict_flag_for_an_expert_of_a_named_party(matcher):
    r = matcher.match(MatchQuery("压力容器", parties=("江苏甲检验院",)))
    flagged = {e.id: e.conflict for e in r.experts}
    assert flagged == {"E-ZJ": False, "E-JS": True}


def test_instructors_come_from_other_provinces(matcher):
    r = matcher.instructors(MatchQuery("压力容器 定期检验"), home_province="浙江")
    assert [e.id for e in r.experts] == ["E-JS"] and r.labs == []


def test_topic_linking_to_nothing_gives_a_reason_and_suggestions(matcher):
    r = matcher.match(MatchQuery("压力锅"))
    assert r.labs == [] and r.experts == [] and r.reason
    assert "压力容器" in r.suggestions


def test_hazard_words_reach_test_items(matcher):
    r = matcher.match(MatchQuery("起火"))
    assert ("TestItem", "温升", "hazard") in {(l.kind.value, l.id, l.via) for l in r.links}


def test_empty_province_result_says_why(matcher):
    r = matcher.match(MatchQuery("压力容器", province="安徽省"))
    assert r.labs == [] and "安徽省" in r.reason


def guessing(store, extra):
    """The lexical linker plus one more link, as the semantic layer adds them."""
    from dataclasses import replace

    from graph.linking import TopicLinker

    lexical = TopicLinker.from_store(store)

    class Guessing:
        names, suggest = lexical.names, lexical.suggest

        def link(self, topic):
            links = lexical.link(topic)
            return replace(links, links=[*links.links, extra])

    return Guessing()


@pytest.mark.parametrize(("weight", "tier"), [(0.4, "product"), (0.6, "exact")])
def test_a_guessed_link_never_makes_a_line_exact(store, weight, tier):
    item = Link(Kind.TEST_ITEM, "外观检验", "外观检验", weight, "semantic", "")
    r = Matcher(store, linker=guessing(store, item), default_as_of=AS_OF).match(MatchQuery("压力容器", province="浙江省"))
    assert next(l.tier for l in r.labs if l.id == "ZJ-PRODUCT") == tier


def test_a_guessed_product_alone_ranks_below_the_items_the_topic_names(store):
    product = Link(Kind.PRODUCT, "压力容器", "压力容器", 0.4, "semantic", "")
    r = Matcher(store, linker=guessing(store, product), default_as_of=AS_OF).match(MatchQuery("定期检验", province="浙江省"))
    tiers = {l.id: l.tier for l in r.labs}
    assert tiers["ZJ-PRODUCT"] == "related" and tiers["ZJ-ITEM"] == tiers["ZJ-EXACT"] == "item"
    assert [l.tier for l in r.labs][-1] == "related"


def test_guessed_candidates_leave_room_for_the_category_tier(store):
    """A guess at edible oil does not keep out the boilers, of the pressure vessels' own category."""
    product = Link(Kind.PRODUCT, "食用油", "食用油", 0.4, "semantic", "")
    m = Matcher(store, linker=guessing(store, product), default_as_of=AS_OF)
    r = m.match(MatchQuery("压力容器", province="浙江省", top_k=3))
    assert [l.tier for l in r.labs] == ["product", "product", "category"]
    assert [l.tier for l in m.match(MatchQuery("压力容器", province="浙江省", top_k=5)).labs][-1] == "related"
