"""Mutual recognition (结果互认): hand-built edge cases, a planned list as XLSX, and the real food records."""

from __future__ import annotations

import dataclasses
from pathlib import Path

from openpyxl import Workbook, load_workbook

from graph.model import Sampling
from graph.recognition import (
    PlannedSampling,
    RecognitionIndex,
    RecognitionRules,
    check,
    check_plan,
    read_plan,
    write_annotated_xlsx,
)
from loaders.food_sampling import load_food_sampling
from tests.conftest import shared

BASE = Sampling(
    id="R1", date="2022-01-15", level="provincial", authority="江苏省市场监督管理局", province="江苏省",
    product_name="电动自行车充电器", producer_name="苏州恒达电器有限公司", trademark="恒达", model="CH-4820",
    standards=("GB 4706.18-2014",), result="pass",
)  # fmt: skip
PLAN = PlannedSampling(producer="苏州恒达电器有限公司", standard="GB 4706.18-2014", trademark="恒达", model="CH-4820",
                       date="2022-07-15")  # fmt: skip


def answer(plan: PlannedSampling = PLAN, *records: Sampling, rules: RecognitionRules = RecognitionRules()):
    return check(plan, RecognitionIndex.build(records or (BASE,)), rules)


def test_a_provincial_sampling_exactly_six_months_before_counts():
    a = answer()
    assert a.status == "recognised" and a.recognised is True
    assert [e.record.id for e in a.matches] == ["R1"]
    assert a.window == ("2022-01-15", "2022-07-15")


def test_one_day_more_than_six_months_does_not_count_and_shows_as_a_near_miss():
    a = answer(dataclasses.replace(PLAN, date="2022-07-16"))
    assert a.status == "not_recognised"
    assert [(d.field, d.record) for d in a.near_misses[0].differences] == [("window", "2022-01-15")]


def test_the_window_starts_at_the_month_end_when_the_day_does_not_exist():
    plan = dataclasses.replace(PLAN, date="2022-08-31")
    assert answer(plan, dataclasses.replace(BASE, date="2022-02-28")).status == "recognised"
    assert answer(plan, dataclasses.replace(BASE, date="2022-02-27")).status == "not_recognised"


def test_a_sampling_after_the_planned_date_does_not_count():
    assert answer(PLAN, dataclasses.replace(BASE, date="2022-07-16")).status == "not_recognised"


def test_city_and_county_samplings_do_not_count_but_are_shown_with_their_level():
    for level in ("city", "county"):
        a = answer(PLAN, dataclasses.replace(BASE, level=level, authority="苏州市市场监督管理局"))
        assert a.status == "not_recognised", level
        assert [d.field for d in a.near_misses[0].differences] == ["level"]


def test_a_provincial_sampling_outside_the_region_does_not_count_but_a_national_one_does():
    outside = dataclasses.replace(BASE, province="广东省", authority="广东省市场监督管理局")
    assert answer(PLAN, outside).status == "not_recognised"
    national = dataclasses.replace(BASE, level="national", province="", authority="国家市场监督管理总局")
    assert answer(PLAN, national).status == "recognised"


def test_a_plan_without_model_or_trademark_cannot_be_decided_and_says_what_is_missing():
    a = answer(dataclasses.replace(PLAN, model=""))
    assert a.status == "undecidable" and a.recognised is None
    assert a.missing == ("model",)
    assert "规格型号" in a.reason and "missing model" in a.reason
    assert [e.record.id for e in a.possible] == ["R1"]  # would match if the model agreed
    b = answer(dataclasses.replace(PLAN, model="", trademark=" "))
    assert b.missing == ("trademark", "model")


def test_a_record_without_model_cannot_be_the_same_product():
    a = answer(PLAN, dataclasses.replace(BASE, model=""))
    assert a.status == "not_recognised"
    assert [(d.field, d.record) for d in a.near_misses[0].differences] == [("model", "")]


def test_the_same_producer_under_two_spellings_is_one_producer():
    for spelling in ("苏州恒达电器", "苏州恒达电器有限公司（昆山分公司）", "苏州恒达电器 有限公司"):
        assert answer(dataclasses.replace(PLAN, producer=spelling)).status == "recognised", spelling
    assert answer(dataclasses.replace(PLAN, producer="苏州恒远电器有限公司")).status == "not_recognised"


def test_credit_codes_decide_when_both_sides_have_one():
    code = "91320500MA1ABCDE2X"
    renamed = dataclasses.replace(BASE, producer_name="恒达电器（苏州）有限公司", credit_code=code)
    assert answer(dataclasses.replace(PLAN, producer="苏州恒达", credit_code=code), renamed).status == "recognised"
    other = dataclasses.replace(BASE, credit_code="91320500MA1ZZZZZ9Y")
    a = answer(dataclasses.replace(PLAN, credit_code=code), other)
    assert a.status == "not_recognised" and not a.near_misses  # same name, another enterprise
    assert answer(dataclasses.replace(PLAN, credit_code=code)).status == "recognised"  # record has no code: by name


def test_another_standard_edition_is_a_near_miss_and_a_number_without_year_matches():
    a = answer(dataclasses.replace(PLAN, standard="GB 4706.18-2005"))
    assert a.status == "not_recognised"
    assert [d.field for d in a.near_misses[0].differences] == ["standard"]
    assert answer(dataclasses.replace(PLAN, standard="GB4706.18")).status == "recognised"


def test_models_and_trademarks_compare_after_width_case_space_and_dash_folding():
    plan = dataclasses.replace(PLAN, model="ＣＨ－４８２０", trademark=" 恒达 ")
    assert answer(plan).status == "recognised"
    assert answer(dataclasses.replace(PLAN, model="ch 4820")).status == "recognised"


def test_the_window_length_comes_from_the_settings():
    from graph.settings import Settings

    rules = RecognitionRules.from_settings(Settings(recognition_months=3))
    assert answer(rules=rules).status == "not_recognised"
    assert answer(dataclasses.replace(PLAN, date="2022-04-15"), rules=rules).status == "recognised"


def test_near_misses_are_limited_to_the_allowed_number_of_differences():
    far = dataclasses.replace(BASE, level="city", model="CH-6020")
    assert not answer(PLAN, far).near_misses
    assert answer(PLAN, far, rules=RecognitionRules(near_miss_max_differences=2)).near_misses


def _plan_xlsx(path: Path) -> None:
    wb = Workbook()
    ws = wb.active
    ws.append(["序号", "生产者", "判定依据", "商标", "规格型号", "计划抽样日期"])
    ws.append([1, "苏州恒达电器有限公司", "GB 4706.18-2014", "恒达", "CH-4820", "2022-07-15"])
    ws.append([2, "苏州恒达电器", "GB 4706.18-2014", "恒达", "", "2022/07/15"])
    ws.append([3, "无锡某某电器有限公司", "GB 4706.18-2014", "某某", "X1", "2022-07-15"])
    ws.append([4, "苏州恒达电器有限公司", "GB 4706.18-2014", "恒达", "CH-4820", "明年"])
    wb.save(path)


def test_a_planned_list_comes_back_as_the_same_rows_annotated_in_xlsx(tmp_path):
    _plan_xlsx(tmp_path / "plan.xlsx")
    header, rows = read_plan(tmp_path / "plan.xlsx")
    check_plan(rows, RecognitionIndex.build([BASE]))
    write_annotated_xlsx(header, rows, tmp_path / "out.xlsx")
    ws = load_workbook(tmp_path / "out.xlsx").active
    values = [[c.value for c in row] for row in ws.iter_rows()]
    assert values[0] == ["序号", "生产者", "判定依据", "商标", "规格型号", "计划抽样日期", "互认结论", "依据记录", "相近记录", "说明"]
    assert [v[0] for v in values[1:]] == ["1", "2", "3", "4"]  # every row, in order
    assert [v[6] for v in values[1:]] == ["是", "无法判定", "否", "无法判定"]
    assert values[1][7].startswith("R1 2022-01-15")
    assert "cannot read the date" in values[4][9]


def test_real_food_records_without_trademark_and_model_never_count_as_the_same_product():
    food = load_food_sampling([shared("sampling_food")]).records
    index = RecognitionIndex.build(food)
    rec = next(r for r in food if r.producer_name == "上海豪瀚食品有限公司" and r.level == "provincial")
    plan = PlannedSampling(producer="上海豪瀚食品", standard="GB 2733-2015", trademark="豪瀚", model="500g",
                           date=rec.date)  # fmt: skip
    a = check(plan, index, RecognitionRules(near_miss_max_differences=3))
    assert a.status == "not_recognised"
    near = next(e for e in a.near_misses if e.record.id == rec.id)
    assert {"trademark", "model"} <= {d.field for d in near.differences}
