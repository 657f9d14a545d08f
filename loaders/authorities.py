"""Organising authority of a sampling: its name, level and province.

Notices name their authority in many ways — ``国内监督抽查(江苏市场监管局)``,
``国内监督抽查(上海市食药监局)``, ``原国家食药总局``, ``国内监督抽查(深圳市食药监局)``.
The rule, applied to the name inside ``国内监督抽查(…)`` when it is wrapped:

1. empty → level and province unknown (``""``);
2. contains 国家 or 总局 → ``national`` (no province);
3. otherwise the place before the bureau word (市场监管局, 市场监督管理局, 食药监局,
   市场监管委员会 …) decides: a province-level name (江苏, 上海市, 内蒙古) →
   ``provincial``; a place below a province → ``city`` when it is a
   prefecture-level city (ends in 市, 州 or 盟 and is not a county-level city of
   the region table) and ``county`` for 县, 区, 旗 and county-level cities;
   its province comes from the region table (or the province written before it);
4. no bureau word → the whole name is read as the place the same way; a name
   that is no place at all gives level ``""``.

Municipalities (北京 天津 上海 重庆) are provinces: ``上海市食药监局`` is provincial,
``上海市浦东新区市场监管局`` is county level.

>>> parse_authority("国内监督抽查(江苏市场监管局)")
Authority(name='江苏市场监管局', level='provincial', province='江苏省')
>>> parse_authority("国内监督抽查(原国家食药总局)").level
'national'
>>> parse_authority("国内监督抽查(深圳市食药监局)")
Authority(name='深圳市食药监局', level='city', province='')
>>> parse_authority("苏州市市场监督管理局")
Authority(name='苏州市市场监督管理局', level='city', province='江苏省')
>>> parse_authority("杭州市临安区市场监管局")
Authority(name='杭州市临安区市场监管局', level='county', province='浙江省')
>>> parse_authority("国内监督抽查()")
Authority(name='', level='', province='')
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from loaders.names import normalise_name
from loaders.regions import gazetteer, region_of_address

_WRAPPER = re.compile(r"^(?:国内)?监督抽查\((.*)\)$")
# The bureau word at the end of an authority name: 市场监管局, 市场监督管理局, 食药监局, 药监局,
# 质监局, 市场和质量监督管理委员会 …
_BUREAU = re.compile(
    r"(?:市场和质量|市场|食品药品|食药|药品|药|质量技术|质量|质)?(?:监督管理|监督|监管|监)(?:局|厅|委员会|委)$"
)


@dataclass(frozen=True, slots=True)
class Authority:
    name: str
    level: str  # national | provincial | city | county | ""
    province: str  # full province name; "" for national or unknown


@lru_cache(maxsize=1)
def _province_prefixes() -> list[tuple[str, str]]:
    """(written form, full name) of every province, longest form first."""
    g = gazetteer()
    forms = [(form, p.name) for p in g.provinces.values() for form in (p.name, *p.short_names) if form]
    return sorted(forms, key=lambda f: -len(f[0]))


def _place(place: str) -> tuple[str, str]:
    """(level, province) of a place name such as 江苏, 深圳市, 江苏省苏州市, 上海市浦东新区."""
    if not place:
        return ("", "")
    g = gazetteer()
    province, rest = "", place
    for form, full in _province_prefixes():
        if place.startswith(form):
            province, rest = full, place[len(form) :]
            break
    if province and rest in ("", "省", "市", "自治区"):
        return ("provincial", province)
    # A place below a province: the region table knows YRD cities and districts.
    known = [p for p in g.places if p.level != "province" and (p.name == rest or rest in p.short_names)]
    if known:
        p = known[0]
        return ("county" if p.level == "district" else "city", province or p.province)
    province = province or (region_of_address(place) or ("", ""))[0]
    if rest.endswith(("县", "区", "旗")):
        return ("county", province)
    if rest.endswith(("市", "州", "盟", "地区")):
        return ("city", province)
    return ("", province)


def parse_authority(text: str) -> Authority:
    """Name, level and province of an authority as written in a notice (rule in the module doc)."""
    name = normalise_name(text)
    m = _WRAPPER.match(name)
    if m:
        name = m.group(1).strip()
    if not name:
        return Authority("", "", "")
    if "国家" in name or "总局" in name:
        return Authority(name, "national", "")
    bureau = _BUREAU.search(name)
    place = name[: bureau.start()] if bureau else name
    level, province = _place(place)
    return Authority(name, level, province)
