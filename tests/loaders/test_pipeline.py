"""Loading into a store: idempotent, all or nothing, derived statuses and categories."""

from __future__ import annotations

import gzip
import json
import shutil

import pytest

from graph.model import Kind, Rel
from graph.nx_store import NetworkxStore
from loaders.pipeline import DEMO, load


def _snapshot(folder):
    with gzip.open(folder / "graph.json.gz", "rt", encoding="utf-8") as f:
        doc = json.load(f)
    return sorted(map(json.dumps, doc["nodes"])), sorted(map(json.dumps, doc["edges"])), doc["meta"]


def test_loading_the_same_files_twice_changes_nothing(demo_dir, tmp_path):
    shutil.copy(demo_dir / "graph.json.gz", tmp_path / "graph.json.gz")
    before = _snapshot(tmp_path)
    load([DEMO], NetworkxStore(tmp_path))  # the same files again
    assert _snapshot(tmp_path) == before and before[2]["snapshot"] == "2019-04-24"


def test_an_interrupted_write_leaves_the_previous_graph(tmp_path, monkeypatch):
    store = NetworkxStore(tmp_path)
    load([], store)
    before = _snapshot(tmp_path)

    def crash(*args, **kwargs):
        raise KeyboardInterrupt  # killed half-way through writing the file

    monkeypatch.setattr("gzip.GzipFile.write", crash)
    with pytest.raises(KeyboardInterrupt):
        store.write([store.get(Kind.PRODUCT, "安全帽")], [])
    monkeypatch.undo()
    assert _snapshot(tmp_path) == before
    assert not list(tmp_path.glob(".graph-*"))  # no temporary file left behind
    assert NetworkxStore(tmp_path).count() == store.count()


def test_newer_edition_supersedes_older_and_catalogue_status_wins(demo_store):
    old, new = demo_store.get(Kind.STANDARD, "GB 2811-2007"), demo_store.get(Kind.STANDARD, "GB 2811-2019")
    assert (old.props["status"], new.props["status"]) == ("superseded", "current")
    supersedes = {(e.src[1], e.dst[1]) for e in demo_store.edges(Rel.SUPERSEDES)}
    assert ("GB 2811-2019", "GB 2811-2007") in supersedes


def test_inspection_objects_are_placed_in_categories(demo_store):
    pv = demo_store.get(Kind.PRODUCT, "压力容器")
    assert pv.props["category"] == "C4"
    placed = [p for p in demo_store.nodes(Kind.PRODUCT) if p.props.get("category")]
    assert len(placed) / len(demo_store.nodes(Kind.PRODUCT)) > 0.95


def test_catalogue_alias_joins_an_inspection_object_to_the_catalogue_product(demo_store):
    charger = demo_store.get(Kind.PRODUCT, "电动自行车充电器")
    assert "catalogue" in charger.props["sources"]
    assert any(n.rel == Rel.COVERS_PRODUCT for n in demo_store.neighbours(Kind.PRODUCT, "电动自行车充电器"))


def _write(folder, name, text):
    folder.mkdir(exist_ok=True)
    (folder / name).write_text(text, encoding="utf-8")
    return folder


def test_terms_give_words_to_nodes_of_any_source_and_report_the_rest(tmp_path):
    store = NetworkxStore(None)
    load([_write(tmp_path / "a", "products.csv", "id,name\n蹦床乐园,蹦床乐园\n")], store)
    terms = "kind,id,name_en,aliases\nProduct,蹦床乐园,trampoline park,蹦蹦床|trampoline\nProduct,缆车站,,缆车\nRobot,x,,y\n"
    report = load([_write(tmp_path / "b", "terms.csv", terms)], store)
    park = store.get(Kind.PRODUCT, "蹦床乐园")
    assert park.props["name_en"] == "trampoline park" and park.props["aliases"] == ["蹦蹦床", "trampoline"]
    assert store.get(Kind.PRODUCT, "缆车站") is None  # words never create a node
    assert any("terms name no node of this graph" in n for n in report.notes)
    [bad] = report.rejected
    assert bad.line == 4 and "Robot" in bad.reason


def test_formatting_tags_of_the_web_export_are_gone(demo_store):
    """CNAS scope cells carry stray </B> tags (第</B>1</B>类爆炸品…); no name keeps them."""
    names = [n.props.get("name", n.id) for kind in (Kind.PRODUCT, Kind.TEST_ITEM) for n in demo_store.nodes(kind)]
    assert "第1类爆炸品安全技术说明书检验" in names
    assert not [n for n in names if "</" in n or "<b>" in n.lower()]


def test_a_line_limited_to_an_object_covers_it(demo_store):
    """轻工业化学电源研究所's 货物鉴定 line says 仅限锂电池: it is found for lithium batteries."""
    covered = {e.src[1] for e in demo_store.edges(Rel.COVERS_PRODUCT) if e.dst == (Kind.PRODUCT, "锂电池")}
    labs = {e.src[1] for e in demo_store.edges(Rel.HAS_SCOPE) if e.dst[1] in covered}
    assert {"IB0721", "IB0445", "IB0004"} <= labs
