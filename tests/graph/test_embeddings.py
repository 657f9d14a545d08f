"""The embedder (real offline e5 model) and the vector index kept beside the graph."""

from __future__ import annotations

import json
import os

import numpy as np
import pytest

from graph import offline_model as om
from graph.embeddings import INDEX_FILE, Embedder, Entry, VectorIndex, load_embedder
from graph.settings import Settings


@pytest.fixture(scope="module")
def model_dir(pytestconfig, tmp_path_factory):
    """The offline model, built once into pytest's cache (a no-op when already there)."""
    cache = getattr(pytestconfig, "cache", None)
    base = cache.mkdir("yrdq-offline-e5") if cache is not None else tmp_path_factory.mktemp("e5")
    return om.build(base / "model")


@pytest.fixture(scope="module")
def data_dir(model_dir, tmp_path_factory):
    """A data dir whose default model folder is the cached build."""
    d = tmp_path_factory.mktemp("data")
    target = om.default_dir(d)
    target.parent.mkdir(parents=True)
    target.symlink_to(model_dir, target_is_directory=True)
    return d


@pytest.fixture(scope="module")
def embedder(data_dir):
    emb, status = load_embedder(Settings(data_dir=data_dir, model=om.OFFLINE_E5))
    assert emb is not None, status.message
    return emb


class CountingEmbedder:
    """The real embedder, counting the texts it is asked to embed."""

    def __init__(self, inner: Embedder) -> None:
        self.inner, self.calls = inner, []
        self.dim, self.fingerprint = inner.dim, inner.fingerprint

    def encode_passages(self, texts):
        self.calls.append(list(texts))
        return self.inner.encode_passages(texts)


# -- loading ------------------------------------------------------------------------


def test_default_setting_loads_the_offline_model(embedder, data_dir):
    _, status = load_embedder(Settings(data_dir=data_dir))
    assert status.enabled and status.model == om.OFFLINE_E5
    assert embedder.dim == 384
    assert embedder.query_prompt == "query: " and embedder.passage_prompt == "passage: "
    assert os.environ.get("HF_HUB_OFFLINE") == "1"


def test_a_local_folder_is_a_valid_setting(model_dir, tmp_path):
    emb, status = load_embedder(Settings(data_dir=tmp_path, model=str(model_dir)))
    assert status.enabled and emb is not None and emb.dim == 384


def test_empty_setting_means_lexical_only(tmp_path):
    emb, status = load_embedder(Settings(data_dir=tmp_path, model=""))
    assert emb is None and not status.enabled
    assert "lexical" in status.message and "词法" in status.message


def test_unbuilt_offline_model_is_reported_not_raised(tmp_path):
    emb, status = load_embedder(Settings(data_dir=tmp_path, model=om.OFFLINE_E5))
    assert emb is None and not status.enabled
    assert "not built" in status.message and "graph.offline_model" in status.message


def test_missing_model_folder_is_reported_not_raised(tmp_path):
    emb, status = load_embedder(Settings(data_dir=tmp_path, model=str(tmp_path / "nowhere")))
    assert emb is None and "no model folder" in status.message


def test_unloadable_folder_is_reported_not_raised(tmp_path):
    broken = tmp_path / "broken"
    broken.mkdir()
    (broken / "modules.json").write_text("not json")
    emb, status = load_embedder(Settings(data_dir=tmp_path, model=str(broken)))
    assert emb is None and "cannot load" in status.message


# -- encoding -----------------------------------------------------------------------


def test_vectors_are_normalised_float32(embedder):
    q = embedder.encode_queries(["充电宝 鼓包 自燃", "e-bike charger overheating"])
    p = embedder.encode_passages(["移动电源（充电宝）"])
    assert q.dtype == np.float32 and q.shape == (2, 384) and p.shape == (1, 384)
    assert np.allclose(np.linalg.norm(q, axis=1), 1.0, atol=1e-5)
    assert embedder.encode_queries([]).shape == (0, 384)


def test_query_and_passage_prompts_differ(embedder):
    assert not np.allclose(embedder.encode_queries(["安全帽"]), embedder.encode_passages(["安全帽"]))


def test_a_single_string_is_refused(embedder):
    with pytest.raises(TypeError):
        embedder.encode_queries("安全帽")


@pytest.mark.parametrize(
    ("topic", "product"),
    [
        ("充电宝 鼓包 自燃", "移动电源（充电宝）"),
        ("e-bike charger overheating", "电动自行车充电器"),
        ("hard hat", "安全帽"),
        ("baby bottle plasticizer", "塑料奶瓶"),
        ("electric kettle boils dry", "电热水壶"),
    ],
)
def test_topics_in_other_words_or_english_find_their_product(embedder, topic, product):
    names = ["电动自行车充电器", "移动电源（充电宝）", "婴幼儿服装", "安全帽", "电热水壶", "延长线插座（接线板）", "塑料奶瓶"]
    sims = embedder.encode_passages(names) @ embedder.encode_queries([topic])[0]
    assert names[int(np.argmax(sims))] == product


# -- the index ----------------------------------------------------------------------

ENTRIES = [
    Entry("Product", "P09", "移动电源（充电宝）"),
    Entry("Product", "P09", "power bank"),
    Entry("Product", "P03", "电动自行车充电器"),
    Entry("Product", "P06", "安全帽"),
    Entry("TestItem", "T01", "温升"),
    Entry("TestItem", "T03", "冲击吸收性能"),
]


def test_sync_embeds_every_text_once(embedder):
    spy = CountingEmbedder(embedder)
    ix = VectorIndex(dim=384, model="")
    stats = ix.sync(spy, ENTRIES + [ENTRIES[0], Entry("Product", "P00", "  ")])
    assert stats.embedded == 6 and len(ix) == 6  # duplicate and blank entries dropped
    assert sorted(spy.calls[0]) == sorted(e.text for e in ENTRIES)
    assert np.allclose(ix.matrix, embedder.encode_passages([e.text for e in ix.entries]), atol=1e-5)


def test_resync_embeds_only_changed_texts(embedder):
    spy = CountingEmbedder(embedder)
    ix = VectorIndex(dim=384, model="")
    ix.sync(spy, ENTRIES)
    changed = ENTRIES[:3] + [Entry("Product", "P06", "安全帽（头盔）")] + ENTRIES[5:]
    stats = ix.sync(spy, changed)
    assert spy.calls[-1] == ["安全帽（头盔）"]
    assert (stats.embedded, stats.reused, stats.removed) == (1, 4, 2)  # 安全帽 replaced, 温升 gone
    assert {e.id for e in ix.entries} == {"P09", "P03", "P06", "T03"}


def test_another_model_re_embeds_everything(embedder):
    ix = VectorIndex(dim=384, model="some-other-model")
    ix.add(ENTRIES[:1], np.ones((1, 384), np.float32) / np.sqrt(384))
    stats = ix.sync(CountingEmbedder(embedder), ENTRIES[:1])
    assert stats.embedded == 1 and ix.model == embedder.fingerprint


def test_search_ranks_nodes_by_their_best_text_within_kinds(embedder):
    ix = VectorIndex(dim=384, model="")
    ix.sync(embedder, ENTRIES)
    q = embedder.encode_queries(["power bank swelling"])[0]
    top = ix.search(q, kinds=["Product"], k=2)
    assert top[0].id == "P09" and top[0].text == "power bank"
    assert len(top) == 2 and {h.kind for h in top} == {"Product"}
    assert ix.search(q, kinds=["TestItem"], k=5)[0].kind == "TestItem"
    assert ix.search(q, kinds=["Lab"]) == []
    scores = ix.scores(q, "Product")
    assert set(scores) == {"P09", "P03", "P06"}


def test_node_scores_are_the_best_of_their_texts():
    rng = np.random.default_rng(7)
    entries = [Entry(kind, f"N{rng.integers(40)}", f"t{i}") for i, kind in enumerate(rng.choice(["A", "B"], 300))]
    entries = list(dict.fromkeys(entries))
    vecs = rng.normal(size=(len(entries), 8)).astype(np.float32)
    ix = VectorIndex(dim=8, model="toy")
    ix.add(entries, vecs)
    q = rng.normal(size=8).astype(np.float32)
    for kind in ("A", "B"):
        expected: dict[str, tuple[float, str]] = {}
        for e, v in zip(entries, vecs, strict=True):
            s = float(v @ q)
            if e.kind == kind and (e.id not in expected or s > expected[e.id][0]):
                expected[e.id] = (s, e.text)
        got = ix.scores(q, kind)
        assert got.keys() == expected.keys()
        assert all(got[i][1] == expected[i][1] and abs(got[i][0] - expected[i][0]) < 1e-5 for i in got)
        top = ix.search(q, kinds=[kind], k=5)
        assert [h.id for h in top] == sorted(expected, key=lambda i: -expected[i][0])[:5]


def test_save_and_load_round_trip(embedder, tmp_path):
    ix = VectorIndex(dim=384, model="")
    ix.sync(embedder, ENTRIES)
    ix.save(tmp_path)
    back = VectorIndex.load(tmp_path)
    assert back is not None and back.entries == ix.entries and back.model == ix.model
    assert np.array_equal(back.matrix, ix.matrix)
    ix.sync(embedder, ENTRIES[:2])
    ix.save(tmp_path)
    assert len(list(tmp_path.glob("vectors-*.npy"))) == 1  # the superseded matrix is removed
    assert len(VectorIndex.load(tmp_path)) == 2


def test_interrupted_save_keeps_the_previous_index(embedder, tmp_path, monkeypatch):
    ix = VectorIndex(dim=384, model="")
    ix.sync(embedder, ENTRIES)
    ix.save(tmp_path)
    ix.sync(embedder, ENTRIES[:1])

    real_replace = os.replace

    def die_on_json(src, dst):
        if str(dst).endswith(INDEX_FILE):
            raise KeyboardInterrupt  # killed between the matrix and its index
        real_replace(src, dst)

    monkeypatch.setattr(os, "replace", die_on_json)
    with pytest.raises(KeyboardInterrupt):
        ix.save(tmp_path)
    monkeypatch.undo()
    back = VectorIndex.load(tmp_path)
    assert back is not None and len(back) == len(ENTRIES)
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]  # no temporary files left


def test_unreadable_index_loads_as_none(tmp_path):
    assert VectorIndex.load(tmp_path) is None
    (tmp_path / INDEX_FILE).write_text("{broken")
    assert VectorIndex.load(tmp_path) is None
    (tmp_path / INDEX_FILE).write_text(json.dumps({"version": 1, "model": "m", "dim": 2, "matrix": "x.npy", "rows": []}))
    assert VectorIndex.load(tmp_path) is None


def test_texts_are_judged_against_texts_of_their_own_script():
    # an English query is closer to any English name than to the Chinese ones: the one node with an
    # English name must not stand out for that reason alone
    from graph.embeddings import MIN_SCRIPT_ROWS

    n = MIN_SCRIPT_ROWS
    entries = [Entry("Product", f"zh{i}", f"中文{i}") for i in range(n)]
    entries += [Entry("Product", f"en{i}", f"english {i}") for i in range(n)]
    rng = np.random.default_rng(0)
    zh = rng.normal(0.0, 0.01, (n, 2)) + [1.0, 0.0]
    en = rng.normal(0.0, 0.01, (n, 2)) + [0.6, 0.8]
    zh[3] = [0.9, 0.436]  # the Chinese text that really is closest to the query
    vectors = np.vstack([zh, en]).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    ix = VectorIndex(dim=2, model="toy")
    ix.add(entries, vectors)
    ns = ix.node_scores(np.array([0.6, 0.8], np.float32), "Product")
    best_by_cos = ns.ids[int(np.argmax(ns.cos))]
    best_by_z = ns.ids[int(np.argmax(ns.z))]
    assert best_by_cos.startswith("en") and best_by_z == "zh3"
