"""Fixtures for the graph tests: a real Bolt server for the Neo4j store, and a small hand-built graph.

The server is ArcadeDB, started once per test session by graph/arcadedb.py (a
child process on 127.0.0.1, free ports, a temporary folder) and stopped at the
end. When its package is missing the tests that need it *fail* with the
install command — they are never skipped, so a CI run without the server
cannot pass by running nothing.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from graph.arcadedb import ArcadeDBError, ArcadeDBServer, installation
from graph.model import (
    Category,
    Edge,
    Enterprise,
    Expert,
    Hazard,
    Kind,
    Lab,
    Node,
    Product,
    Region,
    Rel,
    Scope,
    Standard,
    TestItem,
)


@pytest.fixture(scope="session")
def arcadedb_server() -> Iterator[ArcadeDBServer]:
    try:
        installation()
    except ArcadeDBError as exc:
        pytest.fail(f"the Bolt integration tests need the ArcadeDB server: {exc}", pytrace=False)
    server = ArcadeDBServer()
    try:
        server.start()
    except ArcadeDBError as exc:
        pytest.fail(f"the ArcadeDB test server did not start: {exc}", pytrace=False)
    yield server
    server.stop()


@pytest.fixture(scope="session")
def neo4j_server_store(arcadedb_server: ArcadeDBServer):
    """One connected Neo4jStore (full schema in place) for the whole session."""
    store = arcadedb_server.connect()
    store.clear()
    yield store
    store.close()


@pytest.fixture
def neo4j_store(neo4j_server_store):
    """The session's Neo4jStore on an empty graph."""
    neo4j_server_store.clear()
    return neo4j_server_store


def _e(src: Node, rel: Rel, dst: Node, **props: object) -> Edge:
    return Edge(src.key, rel, dst.key, props)


@pytest.fixture(scope="session")
def small_graph() -> tuple[list[Node], list[Edge]]:
    """A hand-built graph that reaches every retrieval path once or more.

    Scope lines: SC-PV (Zhejiang lab: pressure vessel, wall thickness, TSG 21),
    SC-BOILER (Zhejiang: boiler only), SC-MILK (Shanghai: dairy, total plate
    count, GB 4789.2), SC-JS (Jiangsu: vessel *and* boiler, TSG 21), SC-MICRO
    (Jiangsu: item only, no product), SC-ORPHAN (no lab: never a hit).
    """
    sh = Region(id="310000", name="上海市", level="province", province="上海市", in_yrd=True).to_node()
    zj = Region(id="330000", name="浙江省", level="province", province="浙江省", in_yrd=True).to_node()
    hz = Region(id="330100", name="杭州市", level="city", province="浙江省", in_yrd=True).to_node()
    js = Region(id="320000", name="江苏省", level="province", province="江苏省", in_yrd=True).to_node()
    se = Category(id="CAT-SE", name="特种设备", name_en="Special equipment").to_node()
    food = Category(id="CAT-FOOD", name="食品", name_en="Food").to_node()
    pv = Product(id="P-PV", name="压力容器", aliases=("承压容器", "pressure vessel"), category="CAT-SE").to_node()
    boiler = Product(id="P-BOILER", name="锅炉", category="CAT-SE").to_node()
    milk = Product(id="P-MILK", name="乳制品", aliases=("牛奶",), category="CAT-FOOD").to_node()
    loose = Product(id="P-LOOSE", name="未归类产品").to_node()
    wall = TestItem(id="I-WALL", name="壁厚测定").to_node()
    micro = TestItem(id="I-MICRO", name="菌落总数", name_en="Aerobic plate count").to_node()
    tsg = Standard(id="TSG 21-2016", number="TSG 21-2016", base_number="TSG 21", year=2016, kind="industry",
                   title="固定式压力容器安全技术监察规程", status="current").to_node()  # fmt: skip
    gb = Standard(id="GB 4789.2-2022", number="GB 4789.2-2022", base_number="GB 4789.2", year=2022, kind="GB",
                  title="食品安全国家标准 食品微生物学检验 菌落总数测定", status="current").to_node()  # fmt: skip
    gb_old = Standard(id="GB 4789.2-2016", number="GB 4789.2-2016", base_number="GB 4789.2", year=2016,
                      kind="GB", status="superseded").to_node()  # fmt: skip
    burst = Hazard(id="H-BURST", name="爆炸", name_en="Explosion").to_node()
    germs = Hazard(id="H-MICRO", name="微生物污染").to_node()
    ent = Enterprise(id="91330100MA0000000X", name="杭州某乳业有限公司", province="浙江省", city="杭州市").to_node()
    lab_zj = Lab(id="CNAS IB0001", name="浙江省特种设备科学研究院", body_class="A类", valid_to="2026-05-01",
                 province="浙江省", city="杭州市").to_node()  # fmt: skip
    lab_sh = Lab(id="CNAS IB0002", name="上海市食品检验所", alt_name="Shanghai Food Inspection",
                 province="上海市", city="上海市").to_node()  # fmt: skip
    lab_js = Lab(id="CNAS IB0003", name="江苏省特检院", province="江苏省", city="南京市").to_node()
    sc_pv = Scope(id="CNAS IB0001#1", lab="CNAS IB0001", object="压力容器", item="壁厚", method="TSG 21-2016",
                  limits="不做超高压容器", valid_to="2026-05-01", status="有效").to_node()  # fmt: skip
    sc_boiler = Scope(id="CNAS IB0001#2", lab="CNAS IB0001", object="锅炉", status="有效").to_node()
    sc_milk = Scope(id="CNAS IB0002#1", lab="CNAS IB0002", object="乳制品", item="菌落总数").to_node()
    sc_js = Scope(id="CNAS IB0003#1", lab="CNAS IB0003", object="压力容器、锅炉").to_node()
    sc_micro = Scope(id="CNAS IB0003#2", lab="CNAS IB0003", item="菌落总数").to_node()
    sc_orphan = Scope(id="ORPHAN#1", object="压力容器").to_node()
    e1 = Expert(id="EXP-1", name="专家甲(合成)", specialties=("压力容器", "TSG 21"), affiliation="CNAS IB0001",
                province="浙江省", roles=("signatory", "instructor")).to_node()  # fmt: skip
    e2 = Expert(id="EXP-2", name="专家乙(合成)", specialties=("乳制品",), province="上海市",
                roles=("signatory",)).to_node()  # fmt: skip
    e3 = Expert(id="EXP-3", name="专家丙(合成)", affiliation="91330100MA0000000X", affiliation_name="杭州某乳业有限公司",
                province="浙江省", city="杭州市").to_node()  # fmt: skip
    nodes = [sh, zj, hz, js, se, food, pv, boiler, milk, loose, wall, micro, tsg, gb, gb_old, burst, germs, ent,
             lab_zj, lab_sh, lab_js, sc_pv, sc_boiler, sc_milk, sc_js, sc_micro, sc_orphan, e1, e2, e3]  # fmt: skip
    edges = [
        _e(hz, Rel.IN_REGION, zj),
        _e(lab_zj, Rel.IN_REGION, hz),
        _e(lab_sh, Rel.IN_REGION, sh),
        _e(lab_js, Rel.IN_REGION, js),
        _e(ent, Rel.IN_REGION, hz),
        _e(e1, Rel.IN_REGION, zj),
        _e(pv, Rel.IN_CATEGORY, se),
        _e(boiler, Rel.IN_CATEGORY, se),
        _e(milk, Rel.IN_CATEGORY, food),
        _e(lab_zj, Rel.HAS_SCOPE, sc_pv),
        _e(lab_zj, Rel.HAS_SCOPE, sc_boiler),
        _e(lab_sh, Rel.HAS_SCOPE, sc_milk),
        _e(lab_js, Rel.HAS_SCOPE, sc_js),
        _e(lab_js, Rel.HAS_SCOPE, sc_micro),
        _e(sc_pv, Rel.COVERS_PRODUCT, pv),
        _e(sc_pv, Rel.COVERS_ITEM, wall),
        _e(sc_pv, Rel.USES_STANDARD, tsg, method="TSG 21-2016 第4章"),
        _e(sc_boiler, Rel.COVERS_PRODUCT, boiler),
        _e(sc_milk, Rel.COVERS_PRODUCT, milk),
        _e(sc_milk, Rel.COVERS_ITEM, micro),
        _e(sc_milk, Rel.USES_STANDARD, gb),
        _e(sc_js, Rel.COVERS_PRODUCT, pv),
        _e(sc_js, Rel.COVERS_PRODUCT, boiler),
        _e(sc_js, Rel.USES_STANDARD, tsg),
        _e(sc_micro, Rel.COVERS_ITEM, micro),
        _e(sc_orphan, Rel.COVERS_PRODUCT, pv),
        _e(e1, Rel.SPECIALISES_IN, pv, text="压力容器检验"),
        _e(e1, Rel.SPECIALISES_IN, tsg, text="TSG 21"),
        _e(e2, Rel.SPECIALISES_IN, milk, text="乳制品 微生物"),
        _e(e2, Rel.SPECIALISES_IN, boiler),  # no text: both stores give ""
        _e(e3, Rel.SPECIALISES_IN, micro, text="菌落总数"),
        _e(e1, Rel.AFFILIATED_WITH, lab_zj),
        _e(e3, Rel.AFFILIATED_WITH, ent),
        _e(pv, Rel.GOVERNED_BY, tsg),
        _e(milk, Rel.GOVERNED_BY, gb),
        _e(tsg, Rel.SPECIFIES, wall),
        _e(gb, Rel.SPECIFIES, micro),
        _e(wall, Rel.ADDRESSES, burst),
        _e(micro, Rel.ADDRESSES, germs),
        _e(pv, Rel.HAS_HAZARD, burst),
        _e(gb, Rel.SUPERSEDES, gb_old),
    ]
    assert all(n.kind in Kind for n in nodes)
    return nodes, edges
