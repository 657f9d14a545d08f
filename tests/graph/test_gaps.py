"""Standards gaps and capability gaps on a small hand-checked graph."""

from __future__ import annotations

import pytest

from graph.gaps import find_gaps
from graph.model import Edge, Hazard, Kind, Lab, Product, Rel, Scope, Standard, TestItem
from graph.nx_store import NetworkxStore

AS_OF = "2021-01-01"


@pytest.fixture(scope="module")
def store() -> NetworkxStore:
    """安全帽 (catalogue): current standard, but its hazard 触电 is covered by no item; lab only in 上海.
    电线: only a 2008 standard (13 years old). 插座: only a superseded edition. 量具: only an in-house method.
    外观检验: done only by an in-house method."""
    s = NetworkxStore(None)
    nodes = [
        Product("安全帽", "安全帽", category="C7", sources=("catalogue",)), Product("电线", "电线", category="C1"),
        Product("插座", "插座", category="C1"), Product("量具", "量具", category="C1"),
        Standard("GB 2811-2019", "GB 2811-2019", "GB 2811", 2019, "GB", "安全帽", "current"),
        Standard("GB/T 5023.1-2008", "GB/T 5023.1-2008", "GB/T 5023.1", 2008, "GB/T", "电缆", "current"),
        Standard("GB 2099.1-2008", "GB 2099.1-2008", "GB 2099.1", 2008, "GB", "插头插座", "superseded"),
        Standard("GB 2099.1-2021", "GB 2099.1-2021", "GB 2099.1", 2021, "GB", "插头插座", "current"),
        Standard("method:WI-01", "WI-01", "WI-01", None, "method"),
        TestItem("冲击吸收性能", "冲击吸收性能"), TestItem("外观检验", "外观检验"),
        Hazard("头部冲击伤害", "头部冲击伤害"), Hazard("触电", "触电"),
        Lab("SH-1", "上海某检测站", province="上海市", city="上海市", valid_from="2019-01-01", valid_to="2025-01-01"),
        Scope("s1", "SH-1", "安全帽", "冲击吸收性能", valid_from="2019-01-01", valid_to="2025-01-01"),
        Scope("s2", "SH-1", "量具", "外观检验", valid_from="2019-01-01", valid_to="2025-01-01"),
    ]  # fmt: skip
    e = [
        ("Product", "安全帽", Rel.GOVERNED_BY, "Standard", "GB 2811-2019"),
        ("Product", "电线", Rel.GOVERNED_BY, "Standard", "GB/T 5023.1-2008"),
        ("Product", "插座", Rel.GOVERNED_BY, "Standard", "GB 2099.1-2008"),
        ("Product", "量具", Rel.GOVERNED_BY, "Standard", "method:WI-01"),
        ("Standard", "GB 2099.1-2021", Rel.SUPERSEDES, "Standard", "GB 2099.1-2008"),
        ("Standard", "GB 2811-2019", Rel.SPECIFIES, "TestItem", "冲击吸收性能"),
        ("Standard", "method:WI-01", Rel.SPECIFIES, "TestItem", "外观检验"),
        ("TestItem", "冲击吸收性能", Rel.ADDRESSES, "Hazard", "头部冲击伤害"),
        ("Product", "安全帽", Rel.HAS_HAZARD, "Hazard", "头部冲击伤害"),
        ("Product", "安全帽", Rel.HAS_HAZARD, "Hazard", "触电"),
        ("Lab", "SH-1", Rel.HAS_SCOPE, "Scope", "s1"), ("Lab", "SH-1", Rel.HAS_SCOPE, "Scope", "s2"),
        ("Scope", "s1", Rel.COVERS_PRODUCT, "Product", "安全帽"), ("Scope", "s1", Rel.COVERS_ITEM, "TestItem", "冲击吸收性能"),
        ("Scope", "s2", Rel.COVERS_PRODUCT, "Product", "量具"), ("Scope", "s2", Rel.COVERS_ITEM, "TestItem", "外观检验"),
    ]  # fmt: skip
    s.write([n.to_node() for n in nodes], [Edge((Kind(a), b), r, (Kind(c), d)) for a, b, r, c, d in e])
    return s


def _found(gaps):
    return {(g.kind, g.subject_id, g.province) for g in gaps}


def test_product_with_only_an_in_house_method_has_no_standard(store):
    assert _found(find_gaps(store, AS_OF, kinds=("no_standard",))) == {("no_standard", "量具", "")}


def test_outdated_means_superseded_or_past_the_review_period(store):
    gaps = find_gaps(store, AS_OF, kinds=("outdated_standard",))
    assert _found(gaps) == {("outdated_standard", "电线", ""), ("outdated_standard", "插座", "")}
    socket = next(g for g in gaps if g.subject_id == "插座")
    assert socket.evidence == ("GB 2099.1-2008 superseded，被 GB 2099.1-2021 代替",)


def test_review_period_is_a_parameter(store):
    assert "电线" not in {g.subject_id for g in find_gaps(store, AS_OF, review_years=15, kinds=("outdated_standard",))}


def test_hazard_no_standard_item_covers(store):
    assert _found(find_gaps(store, AS_OF, kinds=("uncovered_hazard",))) == {("uncovered_hazard", "安全帽", "")}


def test_item_done_only_by_in_house_method(store):
    assert _found(find_gaps(store, AS_OF, kinds=("unstandardised_item",))) == {("unstandardised_item", "外观检验", "")}


def test_capability_gap_in_every_province_without_a_lab(store):
    gaps = find_gaps(store, AS_OF, kinds=("no_lab_in_province",))
    assert _found(gaps) >= {("no_lab_in_province", "安全帽", p) for p in ("江苏省", "浙江省", "安徽省")}
    assert ("no_lab_in_province", "安全帽", "上海市") not in _found(gaps)


def test_capability_gaps_need_a_valid_accreditation(store):
    later = find_gaps(store, "2026-01-01", kinds=("no_lab_in_province",))
    assert ("no_lab_in_province", "安全帽", "上海市") in _found(later)


def test_catalogue_products_rank_first(store):
    gaps = find_gaps(store, AS_OF)
    assert gaps[0].subject_id == "安全帽" and gaps == sorted(gaps, key=lambda g: -g.score)
