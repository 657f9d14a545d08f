"""Name normalisation; every name quoted is a real value from ../shared/data/cnas."""

from __future__ import annotations

import csv
import re
from collections import defaultdict

import pytest

from loaders.names import name_key, normalise_name, org_key
from tests.conftest import shared


def test_spaces_between_chinese_characters_are_removed():
    assert normalise_name("建 筑 结 构") == "建筑结构"
    assert normalise_name("货    物") == "货物"


def test_single_spaces_between_latin_words_are_kept():
    raw = ("PED 2014/68/EU, 包括：模式A2、B Production Type、B Design Type、C2、D、D1、E、E1、F、G、H、H1、"
           "ANNEX I 3.1.2焊接/胀接工艺评定及操作工评定（不执行试验）")  # fmt: skip
    assert normalise_name(raw) == (
        "PED 2014/68/EU,包括:模式A2、B Production Type、B Design Type、C2、D、D1、E、E1、F、G、H、H1、"
        "ANNEX I 3.1.2焊接/胀接工艺评定及操作工评定(不执行试验)"
    )


def test_full_width_bracket_is_unified():
    assert normalise_name("建筑结构(含砼结构、砌体结构等）") == "建筑结构(含砼结构、砌体结构等)"


def test_trailing_punctuation_is_stripped():
    assert normalise_name("焊接，无损资料审核，尺寸外观，出厂试验见证，记录和报告审核。") == (
        "焊接,无损资料审核,尺寸外观,出厂试验见证,记录和报告审核"
    )


def test_variants_of_one_object_share_a_key():
    assert name_key("建筑结构") == name_key("建 筑 结 构") == name_key("建筑结构(含砼结构、砌体结构等）")


def test_different_objects_keep_different_keys():
    assert name_key("建筑结构") != name_key("建筑钢结构")


def test_org_key_strips_legal_form():
    assert org_key("钢研纳克检测技术股份有限公司") == "钢研纳克检测技术"
    assert org_key("中咨公路养护检测技术有限公司") == "中咨公路养护检测技术"


def test_org_key_strips_trailing_bracketed_note():
    assert org_key("上海市计量测试技术研究院（华东国家计量测试中心/中国上海测试中心）") == "上海市计量测试技术研究院"


def test_org_key_keeps_a_place_bracket_inside_the_name():
    # separate legal entities: SGS Shanghai and SGS China
    assert org_key("通标标准技术服务（上海）有限公司") != org_key("通标标准技术服务有限公司")
    assert org_key("通标标准技术服务（上海）有限公司") == org_key("通标标准技术服务(上海)有限公司")


def test_org_key_keeps_legal_forms_in_the_middle():
    assert org_key("中国检验认证集团检验有限公司-中国检验认证集团上海有限公司") == "中国检验认证集团检验有限公司中国检验认证集团上海"


@pytest.fixture(scope="module")
def scope_rows() -> list[dict[str, str]]:
    with open(shared("cnas", "inspection_bodies", "scope.csv"), encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def test_real_object_and_item_names(scope_rows):
    for col in ("检验对象", "检验项目名称"):
        raw = {r[col] for r in scope_rows}
        keys = {name_key(v) for v in raw}
        assert all(name_key(v) for v in raw if v.strip()), col
        for v in raw:
            n = normalise_name(v)
            assert n == n.strip() and "  " not in n and not re.search(r"[（）【】]|[\u4e00-\u9fff] | [\u4e00-\u9fff]", n), v
        assert len(keys) < len(raw)  # variants merge
    keys = {name_key(r["检验对象"]) for r in scope_rows if "建" in r["检验对象"]}
    assert "建筑结构" in keys and "建 筑 结 构" not in keys


def test_real_body_names_have_distinct_org_keys():
    with open(shared("cnas", "inspection_bodies", "bodies.csv"), encoding="utf-8", newline="") as f:
        names = [r["机构名称"] for r in csv.DictReader(f) if r["机构名称"]]
    by_key: dict[str, set[str]] = defaultdict(set)
    for n in names:
        by_key[org_key(n)].add(n)
    assert not [v for v in by_key.values() if len(v) > 1]
    assert len(by_key) == len(set(names)) > 500
