"""Authority names of real notices → level and province."""

from __future__ import annotations

import pytest

from loaders.authorities import parse_authority


@pytest.mark.parametrize(
    "text, level, province",
    [
        ("国内监督抽查(江苏市场监管局)", "provincial", "江苏省"),
        ("国内监督抽查(上海市食药监局)", "provincial", "上海市"),
        ("国内监督抽查(天津市市场监管委员会)", "provincial", "天津市"),
        ("国内监督抽查(新疆食药监局)", "provincial", "新疆维吾尔自治区"),
        ("黑龙江市场监管局", "provincial", "黑龙江省"),
        ("国内监督抽查(原国家食药总局)", "national", ""),
        ("国内监督抽查(国家市场监管总局)", "national", ""),
        ("国内监督抽查(深圳市食药监局)", "city", ""),
        ("国内监督抽查(南京市食药监局)", "city", "江苏省"),
        ("国内监督抽查(瑞安市市场监督管理局)", "county", "浙江省"),
        ("上海市浦东新区市场监管局", "county", "上海市"),
        ("国内监督抽查()", "", ""),
    ],
)
def test_level_and_province_of_an_authority(text, level, province):
    a = parse_authority(text)
    assert (a.level, a.province) == (level, province)
