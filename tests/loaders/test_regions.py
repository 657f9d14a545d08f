"""Regions; addresses quoted are real 单位地址 values from ../shared/data/cnas unless marked otherwise."""

from __future__ import annotations

import csv
from collections import Counter

import pytest

from graph.model import Kind, Rel
from loaders.regions import (
    REGIONS_CSV,
    city_of,
    is_yrd,
    province_of,
    read_places,
    region_edges,
    region_of_address,
    region_records,
    yrd_provinces,
)
from tests.conftest import shared


# --- addresses ------------------------------------------------------------------


def test_shanghai_address_is_the_city_of_shanghai():
    assert region_of_address("上海市邯郸路99号") == ("上海市", "上海市")


def test_free_trade_zone_address_of_shanghai():
    assert region_of_address("中国（上海）自由贸易试验区华佗路68号9幢") == ("上海市", "上海市")


def test_province_and_city_prefix():
    assert region_of_address("浙江省杭州市西湖区环城西路33号") == ("浙江省", "杭州市")


def test_city_name_inside_a_development_zone():
    assert region_of_address("江苏省苏州工业园区民生路15号") == ("江苏省", "苏州市")


def test_city_without_province_prefix():
    # the real address above without its province, as a bureau's roster might write it
    assert region_of_address("苏州工业园区民生路15号") == ("江苏省", "苏州市")
    assert region_of_address("杭州市西湖区环城西路33号") == ("浙江省", "杭州市")


def test_county_level_city_gives_its_prefecture():
    assert region_of_address("江苏省张家港保税区长江润发国际大厦A座6楼") == ("江苏省", "苏州市")
    assert region_of_address("江苏省高邮经济开发区洞庭湖路66号") == ("江苏省", "扬州市")


def test_earliest_place_named_decides():
    # 靖江 (Taizhou) comes before 江阴 (Wuxi) in this address
    assert region_of_address("江苏省靖江市江阴经济开发区靖江园区联心路") == ("江苏省", "泰州市")
    # a street named after Inner Mongolia does not move a Tianjin address
    assert region_of_address("天津自贸试验区（东疆保税港区）内蒙道1399号") == ("天津市", "")


def test_leading_punctuation_is_ignored():
    assert region_of_address("·浙江省宁波市光华路299弄32号C13幢") == ("浙江省", "宁波市")


def test_outside_the_region_the_city_is_empty():
    assert region_of_address("北京东城区和平里九区甲4号安信大厦B403") == ("北京市", "")
    assert region_of_address("广西壮族自治区南宁市") == ("广西壮族自治区", "")  # constructed


def test_hong_kong_address():
    assert region_of_address("香港上环干诺道中168-200号信德中心东翼29楼") == ("香港特别行政区", "")


def test_no_place_gives_none():
    assert region_of_address("") is None
    assert region_of_address("火炭坳背湾街34-36号") is None


# --- names -----------------------------------------------------------------------


@pytest.mark.parametrize("name", ["浙江", "浙江省", "Zhejiang", "zhejiang province", "浙", "Hangzhou", "杭州", "义乌市"])
def test_province_of_accepts_short_english_and_city_forms(name):
    assert province_of(name) == "浙江省"


def test_province_of_other_provinces():
    assert province_of("内蒙古") == "内蒙古自治区"
    assert province_of("Inner Mongolia") == "内蒙古自治区"
    assert province_of("沪") == "上海市"


def test_ambiguous_english_city_gives_none():
    assert province_of("Suzhou") is None  # 苏州 (Jiangsu) and 宿州 (Anhui)
    assert province_of("Taizhou") is None  # 泰州 (Jiangsu) and 台州 (Zhejiang)


def test_unknown_name_gives_none():
    assert province_of("Atlantis") is None and province_of("") is None and province_of(None) is None


def test_city_of():
    assert city_of("昆山") == ("江苏省", "苏州市")
    assert city_of("Hefei") == ("安徽省", "合肥市")
    assert city_of("浦东新区") == ("上海市", "上海市")
    assert city_of("浙江省") is None


def test_is_yrd():
    assert [is_yrd(p) for p in ("上海", "江苏省", "Zhejiang", "皖", "广东省", "")] == [True, True, True, True, False, False]
    assert yrd_provinces() == ("上海市", "江苏省", "浙江省", "安徽省")


# --- records and edges --------------------------------------------------------------


def test_region_records_cover_the_country_and_the_41_cities():
    recs = region_records()
    levels = Counter(r.level for r in recs)
    assert levels["province"] == 34  # 31 of mainland China + 台湾, 香港, 澳门
    assert levels["city"] == 41
    cities = Counter(r.province for r in recs if r.level == "city")
    assert cities == {"上海市": 1, "江苏省": 13, "浙江省": 11, "安徽省": 16}
    assert sum(r.level == "district" and r.province == "上海市" for r in recs) == 16
    assert len({r.id for r in recs}) == len(recs)
    assert all(r.in_yrd for r in recs if r.level != "province")
    assert {r.id for r in recs if r.level == "province" and r.in_yrd} == {"上海市", "江苏省", "浙江省", "安徽省"}


def test_region_ids():
    ids = {r.id for r in region_records()}
    assert {"上海市", "上海市/上海市", "江苏省/苏州市", "江苏省/苏州市/昆山市", "上海市/上海市/浦东新区"} <= ids


def test_region_edges_link_each_city_to_its_province():
    ids = {r.id for r in region_records()}
    edges = region_edges()
    assert all(e.type is Rel.IN_REGION and e.src[0] is Kind.REGION and e.dst[1] in ids for e in edges)
    up = {e.src[1]: e.dst[1] for e in edges}
    assert up["江苏省/苏州市"] == "江苏省" and up["上海市/上海市"] == "上海市"
    assert up["江苏省/苏州市/昆山市"] == "江苏省/苏州市"
    assert sum(1 for e in edges if e.dst[1] in {"上海市", "江苏省", "浙江省", "安徽省"}) == 41


def test_a_bad_row_is_reported_and_the_good_rows_kept(tmp_path):
    path = tmp_path / "regions.csv"
    text = REGIONS_CSV.read_text(encoding="utf-8")
    path.write_text(text + "吴江区,distric,江苏省,苏州市,吴江,,Wujiang,true\n嘉善县,district,浙江省,嘉兴市,嘉善,,Jiashan,true\n",
                    encoding="utf-8")  # fmt: skip
    places, problems = read_places(path)
    line = len(text.splitlines()) + 1
    assert problems == [f"{path}:{line}: unknown level 'distric' (expected one of province, city, district)"]
    assert any(p.name == "嘉善县" and p.city == "嘉兴市" for p in places)


# --- the real address columns -----------------------------------------------------------


def _addresses(*parts: str) -> list[str]:
    with open(shared("cnas", *parts), encoding="utf-8", newline="") as f:
        return [r["单位地址"] for r in csv.DictReader(f)]


def test_inspection_bodies_in_the_region():
    addresses = _addresses("inspection_bodies", "bodies.csv")
    found = [region_of_address(a) for a in addresses]
    assert [a for a, f in zip(addresses, found) if f is None] == [""]  # only the one empty address
    by_province = Counter(f[0] for f in found if f and is_yrd(f[0]))
    assert by_province == {"上海市": 73, "江苏省": 55, "浙江省": 33, "安徽省": 6}  # 167, as SOURCES.md says
    assert all(f[1] for f in found if f and is_yrd(f[0]))  # every YRD body has its city


def test_pt_providers_and_rm_producers_in_the_region():
    def yrd(addresses: list[str]) -> Counter[str]:
        return Counter(f[0] for f in map(region_of_address, addresses) if f and is_yrd(f[0]))

    pt = yrd(_addresses("pt_providers", "providers.csv"))
    rm = yrd(_addresses("rm_producers", "producers.csv"))
    assert pt == {"上海市": 12, "江苏省": 4, "浙江省": 5}
    assert rm == {"上海市": 3}
