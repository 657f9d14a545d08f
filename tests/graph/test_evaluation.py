"""The evaluation harness: set loading, rank arithmetic, and the baseline figures on the shared dev set."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest

from graph import evaluation as ev
from graph import offline_model as om
from graph.embeddings import Embedder

DEV_SET = Path(__file__).resolve().parents[2] / ".." / "shared" / "eval" / "topic-linking"

HEADER_Q = "id\tkind\ttext\tproduct\tstandard\ttest_item\tlab\texpert\n"
HEADER_C = "id\ttype\ttext\n"


@pytest.fixture
def dev_set() -> ev.EvalSet:
    if not (DEV_SET / "queries.tsv").is_file():
        pytest.skip(f"the shared development set is not at {DEV_SET.resolve()}")
    return ev.load_set(DEV_SET)


@pytest.fixture(scope="module")
def embedder(pytestconfig, tmp_path_factory) -> Embedder:
    cache = getattr(pytestconfig, "cache", None)
    base = cache.mkdir("yrdq-offline-e5") if cache is not None else tmp_path_factory.mktemp("e5")
    return Embedder.load(str(om.build(base / "model")), base)


def write_set(folder: Path, queries: str, candidates: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "queries.tsv").write_text(HEADER_Q + queries, encoding="utf-8")
    (folder / "candidates.tsv").write_text(HEADER_C + candidates, encoding="utf-8")
    return folder


class SubstringRanker:
    """Scores a candidate by how many of its characters occur in the query (a real, tiny method)."""

    name = "substring"

    def prepare(self, candidates):
        self.texts = {c.key: c.text for c in candidates}

    def score(self, query):
        return {key: sum(ch in query for ch in text) / len(text) for key, text in self.texts.items() if text[0] in query}


SMALL_CANDIDATES = (
    "P1\tproduct\t安全帽\nP2\tproduct\t奶瓶\nP3\tproduct\t帽子\n"
    "T1\ttest_item\t冲击吸收\nT2\ttest_item\t迁移量\n"
)


# -- loading ------------------------------------------------------------------------


def test_dev_set_loads_whole(dev_set):
    assert len(dev_set.queries) == 32 and len(dev_set.candidates) == 109
    assert dev_set.problems == []
    q02 = next(q for q in dev_set.queries if q.id == "Q02")
    assert q02.answers["product"] == {"P04", "P05"} and "lab" in q02.answers


def test_bad_rows_are_reported_with_file_and_line_and_skipped(tmp_path):
    folder = write_set(
        tmp_path / "s",
        "Q1\tlex\t安全帽\tP1\t\t\t\t\n"
        "Q2\tlex\t奶瓶\tP9\t\t\t\t\n"  # unknown answer id
        "Q3\tlex\t帽子\tT1\t\t\t\t\n"  # answer of the wrong type
        "Q1\tlex\t重复\tP1\t\t\t\t\n"  # duplicate id
        "Q4\tlex\t什么也没有\t\t\t\t\t\n",  # no answer
        SMALL_CANDIDATES + "X1\tgadget\t某物\nP1\tproduct\t重复\n",
    )
    s = ev.load_set(folder)
    assert [q.id for q in s.queries] == ["Q1"]
    assert len(s.candidates) == 5
    text = "\n".join(s.problems)
    assert f"{folder / 'candidates.tsv'}:7: unknown type 'gadget'" in text
    assert f"{folder / 'candidates.tsv'}:8: duplicate product id 'P1'" in text
    assert f"{folder / 'queries.tsv'}:3: Q2 product answer 'P9'" in text
    assert f"{folder / 'queries.tsv'}:4: Q3 product answer 'T1'" in text
    assert f"{folder / 'queries.tsv'}:5: duplicate query id 'Q1'" in text
    assert f"{folder / 'queries.tsv'}:6: Q4 has no answer" in text


def test_missing_column_is_an_error(tmp_path):
    folder = tmp_path / "s"
    folder.mkdir()
    (folder / "candidates.tsv").write_text("id\ttext\nP1\t安全帽\n", encoding="utf-8")
    (folder / "queries.tsv").write_text(HEADER_Q, encoding="utf-8")
    with pytest.raises(ValueError, match="candidates.tsv:1: missing column"):
        ev.load_set(folder)


# -- arithmetic ---------------------------------------------------------------------


def test_ties_count_against_the_method():
    pool = ["a", "b", "c"]
    assert ev.rank_of({"a": 1.0, "b": 0.5, "c": 0.5}, pool, frozenset({"a"})) == 1
    assert ev.rank_of({"a": 0.5, "b": 0.5, "c": 0.5}, pool, frozenset({"a"})) == 3
    assert ev.rank_of({"a": 0.5, "b": 0.5, "c": 0.9}, pool, frozenset({"a", "b"})) == 2  # tie among answers is fine


def test_ids_need_only_be_unique_within_a_type(tmp_path):
    folder = write_set(tmp_path / "s", "Q1\tlex\t甲醛\tX\t\tX\t\t\n", "X\tproduct\t甲醛\nX\ttest_item\t甲醛含量\n")
    s = ev.load_set(folder)
    assert s.problems == [] and len(s.candidates) == 2
    r = ev.evaluate(s, SubstringRanker())
    assert r.per_type["product"].top1 == 1.0 and r.per_type["test_item"].top1 == 1.0


def test_unscored_answer_is_never_found():
    assert math.isinf(ev.rank_of({"b": 0.1}, ["a", "b"], frozenset({"a"})))
    assert math.isinf(ev.rank_of({}, ["a", "b"], frozenset({"a"})))


def test_figures_on_a_hand_checked_set(tmp_path):
    folder = write_set(
        tmp_path / "s",
        "Q1\tlex\t安全帽 冲击吸收\tP1\t\tT1\t\t\n"  # product #1 (P1 1.0 > P3 0.5), item #1
        "Q2\tpara\t奶瓶 迁移量\tP2\t\tT2\t\t\n"  # product #1, item #1
        "Q3\tpara\t帽子 安\tP1\t\t\t\t\n",  # P3 (1.0) beats P1 (2/3): product #2
        SMALL_CANDIDATES,
    )
    r = ev.evaluate(ev.load_set(folder), SubstringRanker())
    assert r.per_type["product"].n == 3
    assert r.per_type["product"].top1 == pytest.approx(2 / 3)
    assert r.per_type["product"].top3 == 1.0
    assert r.per_type["product"].mrr == pytest.approx((1 + 1 + 0.5) / 3)
    assert r.per_type["test_item"].top1 == 1.0
    assert r.all_types.n == 5 and r.all_types.top1 == pytest.approx(4 / 5)
    assert r.by_kind["para"].n == 3 and r.by_kind["para"].top1 == pytest.approx(2 / 3)
    # mixed pool: Q1's best answer P1 (1.0) ties with T1 (1.0), which is also an answer → #1
    assert r.mixed.n == 3 and r.mixed.hit1 == pytest.approx(2 / 3) and r.mixed.hit5 == 1.0
    assert json.loads(json.dumps(r.as_dict()))["method"] == "substring"


def test_report_lists_failures(tmp_path):
    folder = write_set(tmp_path / "s", "Q3\tpara\t帽子 安\tP1\t\t\t\t\n", SMALL_CANDIDATES)
    text = ev.format_report(ev.evaluate(ev.load_set(folder), SubstringRanker()), failures=True)
    assert "product        1    0.00    1.00    0.50" in text
    assert "Q3 [para] 帽子 安: product #2; top P3 P1" in text


# -- baselines on the shared development set ------------------------------------------


def test_char_tfidf_baseline_reproduces_the_published_figures(dev_set):
    r = ev.evaluate(dev_set, ev.CharTfidfRanker())
    assert (round(r.all_types.top1, 2), round(r.all_types.top3, 2)) == (0.62, 0.75)


def test_embedder_alone_reproduces_the_published_e5_figures(dev_set, embedder):
    r = ev.evaluate(dev_set, ev.EmbedderRanker(embedder))
    assert r.all_types.top1 == pytest.approx(0.69, abs=0.02)
    assert r.all_types.top3 == pytest.approx(0.89, abs=0.02)
    assert r.per_type["test_item"].top1 == pytest.approx(0.50, abs=0.04)  # the weakest type, as published


def test_command_prints_a_table(tmp_path, capsys):
    folder = write_set(tmp_path / "s", "Q1\tlex\t安全帽 冲击吸收\tP1\t\tT1\t\t\n", SMALL_CANDIDATES)
    assert ev.main([str(folder), "--method", "tfidf"]) == 0
    out = capsys.readouterr().out
    assert "== s · char 1-2-gram TF-IDF" in out and "all types" in out and "mixed pool" in out


# -- sets written against a graph, and the pipeline methods ---------------------------


@pytest.fixture
def tiny_graph():
    from graph.model import Edge, Kind, Lab, Product, Rel, Scope, TestItem
    from graph.nx_store import NetworkxStore

    store = NetworkxStore(None)
    store.write(
        [
            Product("安全帽", name="安全帽").to_node(),
            Product("奶瓶", name="奶瓶").to_node(),
            TestItem("冲击吸收性能", name="冲击吸收性能").to_node(),
            Lab("IB1", name="某防护用品检验站").to_node(),
            Scope("IB1#1", lab="IB1", object="安全帽", item="冲击吸收性能").to_node(),
        ],
        [
            Edge((Kind.LAB, "IB1"), Rel.HAS_SCOPE, (Kind.SCOPE, "IB1#1")),
            Edge((Kind.SCOPE, "IB1#1"), Rel.COVERS_PRODUCT, (Kind.PRODUCT, "安全帽")),
            Edge((Kind.SCOPE, "IB1#1"), Rel.COVERS_ITEM, (Kind.TEST_ITEM, "冲击吸收性能")),
        ],
    )
    return store


def test_a_set_without_candidates_takes_its_pool_from_the_graph(tmp_path, tiny_graph):
    folder = tmp_path / "g"
    folder.mkdir()
    (folder / "queries.tsv").write_text(
        HEADER_Q + "G1\tlex\t安全帽 冲击吸收性能\t安全帽\t\t冲击吸收性能\tIB1\t\nG2\tlex\t奶瓶\t不存在\t\t\t\t\n",
        encoding="utf-8",
    )
    with pytest.raises(FileNotFoundError, match="no graph given"):
        ev.load_set(folder)
    s = ev.load_set(folder, tiny_graph)
    assert {c.key for c in s.candidates} == {
        ("product", "安全帽"), ("product", "奶瓶"), ("test_item", "冲击吸收性能"), ("lab", "IB1")
    }  # fmt: skip
    assert [q.id for q in s.queries] == ["G1"]
    assert s.problems == [f"{folder / 'queries.tsv'}:3: G2 product answer '不存在' is not a product in the graph"]


def test_the_pipeline_ranker_measures_linking_and_matching(tmp_path, tiny_graph):
    folder = tmp_path / "g"
    folder.mkdir()
    (folder / "queries.tsv").write_text(HEADER_Q + "G1\tlex\t安全帽 冲击吸收性能\t安全帽\t\t冲击吸收性能\tIB1\t\n", encoding="utf-8")
    r = ev.evaluate(ev.load_set(folder, tiny_graph), ev.PipelineRanker(tiny_graph))
    assert r.all_types.n == 3 and r.all_types.top1 == 1.0


def test_a_candidates_set_becomes_a_graph_without_edges(dev_set):
    store = ev.graph_from_candidates(dev_set)
    from graph.model import Kind

    assert len(store.nodes(Kind.PRODUCT)) == 26 and len(store.nodes(Kind.SCOPE)) == 10
    s01 = store.get(Kind.STANDARD, "S01").props
    assert (s01["number"], s01["title"]) == ("GB 42295-2022", "电动自行车电气安全要求")
    assert {c.key for c in ev.candidates_from_store(store)} == {c.key for c in dev_set.candidates}
