"""Provinces and cities: the region table, and province/city from an address.

The table is data, not code: ``data/catalogue/regions.csv``, one row per place,
columns

- ``name`` — full official name (上海市, 内蒙古自治区, 苏州市, 昆山市);
- ``level`` — ``province`` (all 34 province-level divisions: the 31 of mainland
  China plus 台湾省, 香港 and 澳门, which occur in the data), ``city``
  (prefecture level; only the 41 cities of the Yangtze River Delta, Shanghai
  counting as one city 上海市) or ``district`` (below a city: Shanghai's 16
  districts and the county-level cities of Jiangsu, Zhejiang and Anhui);
- ``province``, ``city`` — the parents (empty where they do not apply);
- ``short_names`` — ``|``-separated short forms that are also searched for in
  addresses (浙江, 苏州, 张家港);
- ``aliases`` — ``|``-separated names accepted by :func:`province_of` and
  :func:`city_of` but never searched for in addresses (沪 苏 浙 皖, English variants);
- ``name_en`` — English name;
- ``in_yrd`` — ``true`` for the four YRD provinces and their cities.

Add a row to extend it (e.g. a county 县 under its city); rows that cannot be
read are reported with file, line and reason and skipped.

Region ids: a province is its name (``上海市``), a city ``province/city``
(``江苏省/苏州市``, ``上海市/上海市``), a district ``province/city/district``.

How an address is read (:func:`region_of_address`): the earliest place name in
the address decides — a province's full or short name, or a YRD city or
district name.  Short forms of districts ending in 区 (普陀, 金山 …) are too
common in street names to decide on their own; they only count once the
address's province is known.  Within a YRD province the earliest city or
district named gives the city; outside the region the city is ``''``.
"""

from __future__ import annotations

import csv
import re
import warnings
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from graph.model import Edge, Kind, Region, Rel
from loaders.names import normalise_name

REGIONS_CSV = Path(__file__).resolve().parents[1] / "data" / "catalogue" / "regions.csv"
LEVELS = ("province", "city", "district")
_TRUE = {"true", "1", "yes", "y", "是"}
_FALSE = {"false", "0", "no", "n", "否", ""}


@dataclass(frozen=True, slots=True)
class Place:
    name: str
    level: str
    province: str  # the province for cities and districts; the place itself for a province
    city: str  # the city for districts; the place itself for a city; '' for a province
    short_names: tuple[str, ...] = ()
    aliases: tuple[str, ...] = ()
    name_en: str = ""
    in_yrd: bool = False

    @property
    def id(self) -> str:
        return region_id(self.province, self.city, self.name if self.level == "district" else "")

    @property
    def parent_id(self) -> str | None:
        if self.level == "province":
            return None
        return region_id(self.province, self.city if self.level == "district" else "")


def region_id(province: str, city: str = "", district: str = "") -> str:
    """The graph id of a region.

    >>> region_id("上海市"), region_id("江苏省", "苏州市"), region_id("江苏省", "苏州市", "昆山市")
    ('上海市', '江苏省/苏州市', '江苏省/苏州市/昆山市')
    """
    return "/".join(p for p in (province, city, district) if p)


def _split(cell: str) -> tuple[str, ...]:
    return tuple(s.strip() for s in (cell or "").split("|") if s.strip())


def read_places(path: Path) -> tuple[list[Place], list[str]]:
    """The places of a regions CSV, and a ``file:line: reason`` for each row skipped."""
    places: list[Place] = []
    problems: list[str] = []
    with open(path, encoding="utf-8-sig", newline="") as f:
        for line, row in enumerate(csv.DictReader(f), start=2):
            name = normalise_name(row.get("name"))
            level = (row.get("level") or "").strip().lower()
            province = normalise_name(row.get("province"))
            city = normalise_name(row.get("city"))
            flag = (row.get("in_yrd") or "").strip().lower()
            reason = (
                "empty name" if not name
                else f"unknown level {level!r} (expected one of {', '.join(LEVELS)})" if level not in LEVELS
                else "a city needs its province" if level == "city" and not province
                else "a district needs its province and city" if level == "district" and not (province and city)
                else f"in_yrd must be true or false, not {flag!r}" if flag not in _TRUE | _FALSE
                else ""
            )  # fmt: skip
            if reason:
                problems.append(f"{path}:{line}: {reason}")
                continue
            if level == "province":
                province, city = name, ""
            elif level == "city":
                city = name
            places.append(
                Place(name, level, province, city, _split(row.get("short_names", "")), _split(row.get("aliases", "")),
                      (row.get("name_en") or "").strip(), flag in _TRUE)  # fmt: skip
            )
    known = {p.name for p in places if p.level == "province"}
    cities = {(p.province, p.name) for p in places if p.level == "city"}
    kept = []
    for p in places:
        if p.level != "province" and p.province not in known:
            problems.append(f"{path}: {p.name}: unknown province {p.province!r}")
        elif p.level == "district" and (p.province, p.city) not in cities:
            problems.append(f"{path}: {p.name}: unknown city {p.city!r} in {p.province}")
        else:
            kept.append(p)
    return kept, problems


def _latin_key(text: str) -> str:
    """Lookup form of a name: case-folded, without spaces, apostrophes and hyphens,
    and without a trailing 'province'/'city'/'shi'/'sheng' in Latin spellings."""
    t = normalise_name(text).casefold()
    t = re.sub(r"[\s'’\-.]", "", t)
    if t.isascii():
        t = re.sub(r"(?:province|city|municipality|sheng|shi)$", "", t) or t
    return t


class Gazetteer:
    """Lookup tables built from the places."""

    def __init__(self, places: list[Place]):
        self.places = places
        self.provinces = {p.name: p for p in places if p.level == "province"}
        self.yrd_provinces = tuple(p.name for p in places if p.level == "province" and p.in_yrd)
        # name → the places it may mean (several for Suzhou, Taizhou …)
        self.lookup: dict[str, list[Place]] = {}
        for p in places:
            for n in (p.name, *p.short_names, *p.aliases, p.name_en):
                if n:
                    bucket = self.lookup.setdefault(_latin_key(n), [])
                    if p not in bucket:
                        bucket.append(p)
        # needles searched for in addresses: (text, place, decides_alone)
        self.needles: list[tuple[str, Place, bool]] = []
        for p in places:
            self.needles.append((p.name, p, True))
            for s in p.short_names:
                alone = not (p.level == "district" and p.name.endswith("区"))
                self.needles.append((normalise_name(s), p, alone))
        self.needles.sort(key=lambda n: -len(n[0]))

    def earliest(self, text: str, accept) -> tuple[int, Place] | None:
        best: tuple[int, int, Place] | None = None
        for needle, place, alone in self.needles:
            if not accept(place, alone):
                continue
            i = text.find(needle)
            if i >= 0 and (best is None or (i, -len(needle)) < (best[0], best[1])):
                best = (i, -len(needle), place)
        return (best[0], best[2]) if best else None


@lru_cache(maxsize=8)
def gazetteer(path: Path = REGIONS_CSV) -> Gazetteer:
    """The lookup tables of a regions CSV (cached); skipped rows raise a warning each."""
    places, problems = read_places(path)
    for problem in problems:
        warnings.warn(problem, stacklevel=2)
    return Gazetteer(places)


def region_of_address(address: str | None) -> tuple[str, str] | None:
    """``(province, city)`` of an address; city is ``''`` outside the YRD or when
    unknown; ``None`` when no place name is found.

    >>> region_of_address("上海市邯郸路99号")
    ('上海市', '上海市')
    >>> region_of_address("江苏省张家港保税区长江润发国际大厦A座6楼")
    ('江苏省', '苏州市')
    >>> region_of_address("苏州工业园区星汉街5号")
    ('江苏省', '苏州市')
    >>> region_of_address("广东省广州市黄埔区")
    ('广东省', '')
    >>> region_of_address("") is None
    True
    """
    text = normalise_name(address)
    if not text:
        return None
    g = gazetteer()
    first = g.earliest(text, lambda p, alone: alone)
    if first is None:
        return None
    place = first[1]
    province = place.province
    if place.level != "province":
        return (province, place.city)
    if not place.in_yrd:
        return (province, "")
    inside = g.earliest(text, lambda p, alone: p.province == province and p.level != "province")
    return (province, inside[1].city if inside else "")


def _one_province(places: list[Place]) -> str | None:
    provinces = {p.province for p in places}
    return provinces.pop() if len(provinces) == 1 else None


def province_of(name: str | None) -> str | None:
    """The full province name meant by a province, city or district name —
    full, short, abbreviated (沪苏浙皖) or English; ``None`` when unknown or when
    the name is ambiguous (English ``Suzhou`` is 苏州 and 宿州, ``Taizhou`` is 泰州
    and 台州: write them in Chinese).

    >>> province_of("浙江"), province_of("Zhejiang"), province_of("Hangzhou"), province_of("皖")
    ('浙江省', '浙江省', '浙江省', '安徽省')
    >>> province_of("内蒙古"), province_of("昆山"), province_of("Suzhou")
    ('内蒙古自治区', '江苏省', None)
    """
    if not name or not name.strip():
        return None
    return _one_province(gazetteer().lookup.get(_latin_key(name), []))


def city_of(name: str | None) -> tuple[str, str] | None:
    """``(province, city)`` for a city or district name (full, short or English);
    ``None`` for provinces other than Shanghai, unknown or ambiguous names.

    >>> city_of("苏州"), city_of("昆山市"), city_of("浦东新区"), city_of("Hangzhou")
    (('江苏省', '苏州市'), ('江苏省', '苏州市'), ('上海市', '上海市'), ('浙江省', '杭州市'))
    >>> city_of("上海"), city_of("江苏省"), city_of("Taizhou")
    (('上海市', '上海市'), None, None)
    """
    if not name or not name.strip():
        return None
    places = [p for p in gazetteer().lookup.get(_latin_key(name), []) if p.level != "province"]
    cities = {(p.province, p.city) for p in places}
    return cities.pop() if len(cities) == 1 else None


def is_yrd(province: str | None) -> bool:
    """Whether a province (any accepted form) is one of 上海/江苏/浙江/安徽.

    >>> is_yrd("上海"), is_yrd("安徽省"), is_yrd("广东省"), is_yrd("")
    (True, True, False, False)
    """
    full = province_of(province)
    return full in gazetteer().yrd_provinces if full else False


def yrd_provinces() -> tuple[str, ...]:
    """The full names of the region's provinces, in table order.

    >>> yrd_provinces()
    ('上海市', '江苏省', '浙江省', '安徽省')
    """
    return gazetteer().yrd_provinces


def region_records() -> list[Region]:
    """A :class:`graph.model.Region` for every row of the table.

    >>> recs = {r.id: r for r in region_records()}
    >>> recs["江苏省/苏州市"]
    Region(id='江苏省/苏州市', name='苏州市', level='city', province='江苏省', in_yrd=True)
    >>> sum(r.level == "city" for r in recs.values()), sum(r.level == "province" for r in recs.values())
    (41, 34)
    """
    return [Region(p.id, p.name, p.level, p.province, p.in_yrd) for p in gazetteer().places]


def region_edges() -> list[Edge]:
    """``IN_REGION`` edges city → province and district → city.

    >>> edges = {e.src[1]: e.dst[1] for e in region_edges()}
    >>> edges["江苏省/苏州市"], edges["上海市/上海市"], edges["江苏省/苏州市/昆山市"]
    ('江苏省', '上海市', '江苏省/苏州市')
    """
    return [
        Edge((Kind.REGION, p.id), Rel.IN_REGION, (Kind.REGION, p.parent_id))
        for p in gazetteer().places
        if p.parent_id
    ]
