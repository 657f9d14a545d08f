"""Semantic linking on a small hand-built graph with the real offline model."""

from __future__ import annotations

import csv

import pytest

from graph import offline_model as om
from graph.embeddings import Embedder, VectorIndex
from graph.linking import TopicLinker
from graph.matching import EXACT_MIN, Matcher, MatchQuery
from graph.model import Edge, Hazard, Kind, Lab, Product, Rel, Scope, Standard, TestItem
from graph.nx_store import NetworkxStore
from graph.semantic_linking import W_GUESS, SemanticLinker, node_entries, topic_parts
from loaders.pipeline import CATALOGUE

PRODUCTS = ["电动自行车充电器", "移动电源（充电宝）", "婴幼儿服装", "安全帽", "电热水壶", "延长线插座（接线板）",
            "塑料奶瓶", "儿童推车", "毛绒玩具", "钢化玻璃", "家用燃气灶", "防颗粒物口罩"]  # fmt: skip
ITEMS = ["温升", "绳带要求", "冲击吸收性能", "非正常工作（干烧）", "小零件", "甲醛含量", "过滤效率", "制动性能",
         "熄火保护装置", "碎片状态", "总迁移量", "接触电流"]  # fmt: skip


@pytest.fixture(scope="module")
def embedder(pytestconfig, tmp_path_factory) -> Embedder:
    cache = getattr(pytestconfig, "cache", None)
    base = cache.mkdir("yrdq-offline-e5") if cache is not None else tmp_path_factory.mktemp("e5")
    return Embedder.load(str(om.build(base / "model")), base)


@pytest.fixture(scope="module")
def store() -> NetworkxStore:
    s = NetworkxStore(None)
    nodes = [Product(p, name=p).to_node() for p in PRODUCTS] + [TestItem(i, name=i).to_node() for i in ITEMS]
    nodes += [
        Standard("GB 31701-2015", number="GB 31701-2015", title="婴幼儿及儿童纺织产品安全技术规范", kind="GB").to_node(),
        Standard("GB 4706.19-2008", number="GB 4706.19-2008", title="家用和类似用途电器的安全 液体加热器的特殊要求",
                 kind="GB").to_node(),  # fmt: skip
        Standard("method:WI-1", number="WI-1", title="检验作业指导书", kind="method").to_node(),
        Lab("IB1", name="某家电检验站", province="上海市", city="上海市").to_node(),
        Scope("IB1#1", lab="IB1", object="电热水壶", item="非正常工作（干烧）").to_node(),
    ]
    edges = [
        Edge((Kind.PRODUCT, "婴幼儿服装"), Rel.GOVERNED_BY, (Kind.STANDARD, "GB 31701-2015")),
        Edge((Kind.STANDARD, "GB 31701-2015"), Rel.SPECIFIES, (Kind.TEST_ITEM, "绳带要求")),
        Edge((Kind.PRODUCT, "电热水壶"), Rel.GOVERNED_BY, (Kind.STANDARD, "GB 4706.19-2008")),
        Edge((Kind.STANDARD, "GB 4706.19-2008"), Rel.SPECIFIES, (Kind.TEST_ITEM, "非正常工作（干烧）")),
        Edge((Kind.LAB, "IB1"), Rel.HAS_SCOPE, (Kind.SCOPE, "IB1#1")),
        Edge((Kind.SCOPE, "IB1#1"), Rel.COVERS_PRODUCT, (Kind.PRODUCT, "电热水壶")),
        Edge((Kind.SCOPE, "IB1#1"), Rel.COVERS_ITEM, (Kind.TEST_ITEM, "非正常工作（干烧）")),
    ]
    s.write(nodes, edges)
    return s


@pytest.fixture(scope="module")
def linker(store, embedder) -> SemanticLinker:
    return SemanticLinker.from_store(store, embedder)


def by_kind(links, kind: Kind) -> dict[str, object]:
    return {l.id: l for l in links.links if l.kind == kind}


def test_topic_parts_keep_what_the_user_separated():
    assert topic_parts("插头发烫，烧焦") == ["插头发烫，烧焦", "插头发烫", "烧焦"]
    assert topic_parts("  安全帽  ") == ["安全帽"]
    assert topic_parts("hard hat, impact") == ["hard hat, impact", "hard hat", "impact"]


def test_boilerplate_method_titles_are_not_embedded(store):
    texts = {e.text for e in node_entries(store)}
    assert "检验作业指导书" not in texts and "婴幼儿及儿童纺织产品安全技术规范" in texts


def test_a_colloquial_topic_links_the_product_lexical_linking_misses(store, linker):
    topic = "电水壶 烧干了 起火"
    assert "电热水壶" not in by_kind(TopicLinker.from_store(store).link(topic), Kind.PRODUCT)
    link = by_kind(linker.link(topic), Kind.PRODUCT)["电热水壶"]
    assert link.via == "semantic" and 0.6 <= link.score <= 0.9
    assert link.matched.startswith("电水壶 ≈ 电热水壶 (cos ")  # which part matched what, with its evidence


def test_the_graph_brings_an_item_of_a_linked_product(linker):
    item = by_kind(linker.link("电水壶 烧干了 起火"), Kind.TEST_ITEM).get("非正常工作（干烧）")
    assert item is not None and item.via == "graph"
    assert item.score < by_kind(linker.link("电水壶 烧干了 起火"), Kind.PRODUCT)["电热水壶"].score


def test_exact_lexical_links_stay_first_and_note_agreement(linker):
    links = by_kind(linker.link("安全帽 冲击吸收性能"), Kind.PRODUCT)
    assert links["安全帽"].score == 1.0 and links["安全帽"].via == "name"
    assert "安全帽 ≈ 安全帽" in links["安全帽"].matched
    assert all(l.score < 1.0 for i, l in links.items() if i != "安全帽")


def test_an_unrelated_topic_gets_no_semantic_links(linker):
    assert [l for l in linker.link("量子计算 芯片 光刻").links if l.via in ("semantic", "graph")] == []


def test_the_matcher_takes_the_semantic_linker(store, linker):
    topic = "电水壶 烧干了 起火"
    assert Matcher(store).match(MatchQuery(topic)).labs == []
    result = Matcher(store, linker=linker).match(MatchQuery(topic))
    assert [m.id for m in result.labs] == ["IB1"]
    assert result.labs[0].evidence[0].item == "非正常工作（干烧）"


def test_the_index_is_kept_and_reused(store, embedder, tmp_path):
    SemanticLinker.from_store(store, embedder, tmp_path)
    saved = VectorIndex.load(tmp_path)
    assert saved is not None and len(saved) == len(list(node_entries(store)))
    again = VectorIndex.load(tmp_path)
    assert again.sync(embedder, node_entries(store)).embedded == 0


def test_opening_an_unchanged_graph_writes_nothing(store, embedder, tmp_path):
    """A query opens the index: on a read-only or shared data folder it must not write."""
    SemanticLinker.from_store(store, embedder, tmp_path)
    written = {f.name: f.stat().st_mtime_ns for f in tmp_path.iterdir()}
    SemanticLinker.from_store(store, embedder, tmp_path)
    assert {f.name: f.stat().st_mtime_ns for f in tmp_path.iterdir()} == written


def test_an_english_topic_reaches_the_chinese_product_through_its_gloss(linker):
    link = by_kind(linker.link("electric kettle boiled dry"), Kind.PRODUCT).get("电热水壶")
    assert link is not None and link.via == "semantic" and link.score > W_GUESS  # a phrase's term is no guess
    assert "≈ 电热水壶" in link.matched  # the Chinese term of the English words matched the name


def test_a_line_worded_like_the_topic_ranks_first_in_its_tier(embedder):
    s = NetworkxStore(None)
    nodes = [Product("电热水壶", "电热水壶").to_node(), Product("玩具", "玩具").to_node()]
    edges = []
    lines = [("A", "电热水壶", "干烧保护"), ("B", "电热水壶", "包装标志")] + [
        (f"F{i}", "玩具", x) for i, x in enumerate(["小零件", "锐利边缘", "可迁移元素", "燃烧性能", "邻苯二甲酸酯"])
    ]
    for lab, obj, item in lines:
        nodes += [Lab(lab, name=f"检验站{lab}").to_node(), Scope(f"{lab}#1", lab=lab, object=obj, item=item).to_node()]
        edges += [Edge((Kind.LAB, lab), Rel.HAS_SCOPE, (Kind.SCOPE, f"{lab}#1")),
                  Edge((Kind.SCOPE, f"{lab}#1"), Rel.COVERS_PRODUCT, (Kind.PRODUCT, obj))]  # fmt: skip
    s.write(nodes, edges)
    result = Matcher(s, linker=SemanticLinker.from_store(s, embedder)).match(MatchQuery("电热水壶 烧干了"))
    a, b = result.labs[:2]
    assert (a.id, b.id) == ("A", "B") and a.tier == b.tier == "product"
    assert a.evidence[0].closeness > b.evidence[0].closeness


def test_items_of_a_linked_product_rank_by_z_score_without_ties(embedder):
    s = NetworkxStore(None)
    items = ["外部短路保护", "过充电保护", "过放电保护", "挤压试验", "跌落试验", "标识"]
    std = Standard("GB 31241-2022", number="GB 31241-2022", title="便携式电子产品用锂离子电池和电池组 安全技术规范",
                   kind="GB")  # fmt: skip
    s.write(
        [Product(p, name=p).to_node() for p in PRODUCTS] + [TestItem(i, name=i).to_node() for i in items] + [std.to_node()],
        [Edge((Kind.PRODUCT, "移动电源（充电宝）"), Rel.GOVERNED_BY, (Kind.STANDARD, std.id))]
        + [Edge((Kind.STANDARD, std.id), Rel.SPECIFIES, (Kind.TEST_ITEM, i)) for i in items],
    )
    graph_items = [l for l in SemanticLinker.from_store(s, embedder).link("充电宝 进水后短路").links
                   if l.kind == Kind.TEST_ITEM and l.via == "graph"]  # fmt: skip
    # 过充电保护 has the higher cosine, to the part 充电宝 that linked the product; 外部短路保护 stands out more
    # from the other items for the part about the fault, and cosines of different parts are not comparable
    assert graph_items[0].id == "外部短路保护"
    zs = [float(l.matched.split("z ")[1].rstrip(")")) for l in graph_items]
    assert zs == sorted(zs, reverse=True)
    assert len({l.score for l in graph_items}) == len(graph_items)  # a closer item never ties a farther one


def test_a_part_a_hazard_names_brings_no_semantic_product(embedder):
    """鼓包 ≈ 箱包 by its characters; once 鼓包 names a hazard, the embeddings' guess at it is dropped."""
    linked = {}
    for hazards in ([], [Hazard("爆炸", name="爆炸", aliases=["鼓包"]).to_node()]):
        s = NetworkxStore(None)
        s.write([Product(p, name=p).to_node() for p in [*PRODUCTS, "箱包", "包袋类"]] + hazards, [])
        linked[bool(hazards)] = {l.id for l in SemanticLinker.from_store(s, embedder).link("充电宝 鼓包").links}
    assert "箱包" in linked[False]
    assert "箱包" not in linked[True] and {"移动电源（充电宝）", "爆炸"} <= linked[True]


def test_a_dictionary_sense_of_one_english_word_only_guesses(embedder):
    """brake → 制动 names no node here: what that sense alone reaches stays below the exact-match bar."""
    names = [r["id"] for r in csv.DictReader((CATALOGUE / "terms.csv").open(encoding="utf-8")) if r["kind"] == "Product"]
    s = NetworkxStore(None)
    s.write([Product(p, name=p).to_node() for p in {*names, "叉车"}], [])
    links = SemanticLinker.from_store(s, embedder).link("forklift with failing brakes").links
    from_one_word = [l for l in links if l.via == "semantic" and l.matched.startswith("制动 ≈")]
    assert from_one_word and all(l.score <= W_GUESS < EXACT_MIN for l in from_one_word)
