"""Joint campaign plans (五统一) on the demo graph, with the synthetic campaign records as evidence."""

from __future__ import annotations

import json

import pytest
from openpyxl import load_workbook

from graph.campaign import matcher_functions, plan_campaign, write_plan_json, write_plan_xlsx
from graph.sampling import YRD_PROVINCES
from loaders.canonical_sampling import read_sampling_table
from loaders.synthetic_campaigns import OUTPUT


@pytest.fixture(scope="module")
def synthetic():
    return read_sampling_table(OUTPUT)


def test_a_superseded_governing_standard_is_replaced_by_its_current_edition(demo_store, synthetic):
    plan = plan_campaign(demo_store, "儿童推车", records=synthetic)
    assert plan.product == "童车"
    by_id = {s.id: s for s in plan.standards}
    assert by_id["GB 14748-2006"].status == "superseded" and "GB 14748-2020" in by_id["GB 14748-2006"].note
    assert by_id["GB 14748-2020"].note == ""  # unified on the current edition
    assert any(i.item == "锁定装置" and "GB 14748-2020" in i.standards for i in plan.items)


def test_items_are_ranked_by_recent_failures_of_the_product(demo_store, synthetic):
    plan = plan_campaign(demo_store, "电线", records=synthetic)
    failures = [i.failed_batches for i in plan.items]
    assert failures == sorted(failures, reverse=True)
    assert plan.items[0].item == "导体电阻" and plan.items[0].in_standards
    assert plan.summary()["batches"] == 214 and plan.summary()["failed"] == 21
    assert plan.topic.startswith("电线电缆 导体电阻")


def test_institutions_come_from_matching_for_each_province(demo_store, synthetic):
    match_labs, match_experts = matcher_functions(demo_store)
    plan = plan_campaign(demo_store, "电线", match_labs, match_experts, records=synthetic)
    assert list(plan.labs) == list(YRD_PROVINCES)
    assert all(h["province"] == p for p, hits in plan.labs.items() for h in hits)
    assert plan.labs["上海市"] and plan.experts


def test_a_plan_exports_to_json_and_xlsx(demo_store, synthetic, tmp_path):
    plan = plan_campaign(demo_store, "安全帽", records=synthetic)
    write_plan_json(plan, tmp_path / "plan.json")
    write_plan_xlsx(plan, tmp_path / "plan.xlsx")
    doc = json.loads((tmp_path / "plan.json").read_text(encoding="utf-8"))
    assert doc["product"] == "安全帽" and len(doc["records"]) == 196
    wb = load_workbook(tmp_path / "plan.xlsx")
    assert wb.sheetnames == ["方案", "标准", "检验项目", "检验机构", "专家", "依据记录"]
    assert wb["依据记录"].max_row == 197


def test_an_unknown_product_is_an_error_with_the_reason(demo_store):
    with pytest.raises(LookupError, match="no product"):
        plan_campaign(demo_store, "不存在的产品")
