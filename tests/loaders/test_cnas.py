"""The CNAS disclosure importer, on the bundled demo subset and on the full shared records."""

from __future__ import annotations

import shutil

import pytest

from graph.model import Kind, Rel
from loaders.batch import Batch
from loaders.cnas import CnasLoader, item_names, object_name, specialty_targets, synthetic_name
from loaders.pipeline import DEMO
from loaders.report import LoadReport
from tests.conftest import shared


def _load(folder) -> tuple[Batch, LoadReport]:
    report = LoadReport()
    return CnasLoader(report).load(folder), report


def test_object_numbering_is_stripped_from_real_object_names():
    assert object_name("4.1 服装类") == "服装类"
    assert object_name("1.电器和电器产品") == "电器和电器产品"


def test_a_cell_listing_several_items_becomes_several_items():
    assert item_names("数量、外观、包装、款式、材料、颜色、功能 、工艺质量检查") == [
        "数量", "外观", "包装", "款式", "材料", "颜色", "功能", "工艺质量检查"
    ]  # fmt: skip


def test_expert_display_names_are_visibly_synthetic():
    assert synthetic_name("签字人-e06aa732") == "合成专家-E06AA732"


def test_signing_field_for_all_items_names_every_product_of_the_body():
    products = {"压力容器": "压力容器", "锅炉": "锅炉"}
    assert len(specialty_targets("全部检验项目", products, {})) == 2


def test_demo_bodies_are_all_in_the_region():
    batch, report = _load(DEMO)
    labs = [n for k, n in batch.nodes.items() if k[0] == Kind.LAB]
    assert labs and {n.props["province"] for n in labs} <= {"上海市", "江苏省", "浙江省", "安徽省"}
    assert not report.rejected


def test_scope_line_links_lab_object_item_and_standard():
    batch, _ = _load(DEMO)
    rels = {(e.src[0], e.type, e.dst[0]) for e in batch.edges.values()}
    assert {(Kind.LAB, Rel.HAS_SCOPE, Kind.SCOPE), (Kind.SCOPE, Rel.COVERS_PRODUCT, Kind.PRODUCT),
            (Kind.SCOPE, Rel.COVERS_ITEM, Kind.TEST_ITEM), (Kind.SCOPE, Rel.USES_STANDARD, Kind.STANDARD)} <= rels  # fmt: skip


def test_in_house_work_instructions_are_methods_not_standards():
    batch, _ = _load(DEMO)
    ccic = [n for k, n in batch.nodes.items() if k[0] == Kind.STANDARD and "CCIC" in n.id]
    assert ccic and all(n.props["kind"] == "method" and n.id.startswith("method:") for n in ccic)


def test_scope_line_of_an_unknown_body_is_rejected_with_file_and_line(tmp_path):
    folder = tmp_path / "cnas"
    shutil.copytree(DEMO, folder)
    scope = folder / "inspection_bodies" / "scope.csv"
    with scope.open("a", encoding="utf-8") as f:
        f.write("不存在的检验机构,2019/01/01 - 2025/01/01,暂无分组,1,压力容器,1,定期检验,1,规程,TSG 21-2016,\n")
    batch, report = _load(folder)
    bad = report.rejected
    assert len(bad) == 1 and bad[0].file.endswith("scope.csv") and "不存在的检验机构" in bad[0].reason
    assert bad[0].line == sum(1 for _ in scope.open(encoding="utf-8"))
    assert sum(1 for k in batch.nodes if k[0] == Kind.SCOPE) > 9000  # the good lines still load


@pytest.fixture(scope="module")
def full() -> tuple[Batch, LoadReport]:
    return _load(shared("cnas"))


def test_full_shared_records_load_every_body(full):
    """563 rows: 6 repeat another row, 2 list a branch again under its group's number, one has no name."""
    batch, report = full
    bodies = report.files[0]
    assert (bodies.read, bodies.loaded, bodies.merged, len(bodies.rejected)) == (563, 562, 8, 1)
    assert bodies.rejected[0].line == 85 and "机构名称" in bodies.rejected[0].reason
    labs = [n for k, n in batch.nodes.items() if k[0] == Kind.LAB and n.props["body_type"] == "inspection"]
    assert (len(labs), len({n.props["accreditation_no"] for n in labs})) == (554, 551)
    assert sum(n.props.get("province") in ("上海市", "江苏省", "浙江省", "安徽省") for n in labs) == 164
    assert report.totals()["rejected"] == 1


def test_a_branch_listed_again_under_its_group_number_keeps_its_own_record(full):
    batch, report = full
    zj = [n for k, n in batch.nodes.items() if k[0] == Kind.LAB and n.name.endswith("中国检验认证集团浙江有限公司")]
    assert [(n.id, n.props["valid_to"], n.props["province"]) for n in zj] == [("IB0074-013", "2023-07-24", "浙江省")]
    assert any("listed again under IB0074" in note for note in report.notes)


def test_a_body_accredited_both_as_inspection_body_and_pt_provider_is_two_labs(full):
    batch, _ = full
    cti = sorted(n.id for k, n in batch.nodes.items() if k[0] == Kind.LAB and n.name == "华测检测认证集团股份有限公司")
    assert cti == ["IB0135", "PT0028", "RM0008"]
