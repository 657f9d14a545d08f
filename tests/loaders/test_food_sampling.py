"""The food sampling loader on the real shared files, and on hand-made bad input."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from graph.model import Sampling
from loaders.food_sampling import FoodLoad, load_food_sampling
from tests.conftest import shared

YRD = ("上海市", "江苏省", "浙江省", "安徽省")


@lru_cache(maxsize=1)
def _real(folder: Path) -> FoodLoad:
    return load_food_sampling([folder])


def real() -> FoodLoad:
    return _real(shared("sampling_food"))


def only(pred) -> Sampling:
    [rec] = [r for r in real().records if pred(r)]
    return rec


def test_every_row_is_read_foreign_alerts_are_skipped_and_nothing_is_rejected():
    s = real().summary()
    assert (s["rows_read"], s["foreign_skipped"], s["rejected"]) == (12210, 2226, 0)


def test_overlapping_files_merge_into_one_record_per_batch():
    s = real().summary()
    assert (s["records"], s["duplicate_rows"], s["records_from_several_files"]) == (8900, 1072, 757)
    # one 2015 failure is listed in three files (January, February and the yearly export)
    rec = only(lambda r: r.product_name == "天然小麦粉" and r.producer_name == "宝鸡扶风*马面粉厂")
    assert rec.failed_items == ("过氧化苯甲酰",) and rec.notice_date == "2015-02-27"


def test_the_gbk_file_is_decoded_and_its_rasff_rows_are_counted_as_foreign():
    load = real()
    [fr] = [f for f in load.report.files if "RASFF标题含环氧乙烷" in f.file]
    assert load.encodings[fr.file] == "gb18030"
    assert (fr.read, fr.loaded, fr.rejected) == (688, 0, [])
    assert not any("环氧乙烷" in r.failed_items for r in load.records)


def test_producers_written_as_a_slash_are_unknown_and_padding_is_removed():
    rec = only(lambda r: r.product_name == "三角(豆腐)")
    assert rec.producer_name == "" and rec.seller == "漳州市龙文区董世川豆制品店"
    assert all(r.producer_name == r.producer_name.strip() and r.producer_name != "/" for r in real().records)


def test_a_labelled_producer_cell_gives_the_manufacturer():
    assert len([r for r in real().records if r.producer_name == "重庆佳仙九七食品有限公司"]) == 4


def test_rows_of_one_failed_batch_become_its_failed_items():
    rec = only(lambda r: r.product_name == "菊葩无盐味精" and r.failed_limits and r.failed_limits[0])
    assert rec.failed_items == ("谷氨酸钠", "硫酸盐", "食盐(限99%味精和加盐味精)")
    assert rec.failed_limits == ("≥99%", "≤ 0.05%", "＜20%")


def test_a_limit_written_into_the_item_name_is_moved_to_the_limit():
    rec = only(lambda r: r.product_name == "食用小麦淀粉(分装)" and r.producer_name == "平湖市林埭镇广欣食品厂")
    assert (rec.failed_items, rec.failed_values, rec.failed_limits, rec.failed_units) == (
        ("霉菌",), ("380CFU/g",), ("≤100CFU/g",), ("CFU/g",)
    )  # fmt: skip
    assert (rec.level, rec.province) == ("provincial", "浙江省")


def test_provincial_records_of_the_four_provinces():
    counts = {p: sum(r.level == "provincial" and r.province == p for r in real().records) for p in YRD}
    assert counts == {"上海市": 381, "江苏省": 628, "浙江省": 425, "安徽省": 213}


def test_record_ids_are_stable_between_loads():
    again = load_food_sampling([shared("sampling_food")])
    assert [r.id for r in again.records] == [r.id for r in real().records]
    assert len({r.id for r in again.records}) == len(again.records)


HEADER = "信息来源,物料名称,产品分类,生产商,供应商,生产日期,批号,检测项目,单位,检测结果,限量值,判定,发布单位,发布日期\n"


def test_bad_rows_are_reported_with_file_line_and_reason_and_good_rows_load(tmp_path):
    f = tmp_path / "bad.csv"
    f.write_text(
        HEADER
        + "食品伙伴网,黄原胶,食品添加剂-->食品添加剂,某某公司 ,某店 ,2021-06-30,,,,,,合格,国内监督抽查(江苏市场监管局),2021-06-30\n"
        + "食品伙伴网,,食品添加剂-->食品添加剂,某某公司,某店,2021-06-30,,,,,,合格,国内监督抽查(江苏市场监管局),2021-06-30\n"
        + "食品伙伴网,淀粉,,某某公司,某店,2021-06-30,,,,,,待定,国内监督抽查(江苏市场监管局),2021-06-30\n"
        + "食品伙伴网,淀粉,,某某公司,某店,2021-06-30,,,,,,合格,国内监督抽查(江苏市场监管局),下周\n"
        + "食品伙伴网,黄原胶,食品添加剂-->食品添加剂,某某公司,某店,2021-06-30,,,,,,合格,国内监督抽查(江苏市场监管局),2021-06-30\n",
        encoding="utf-8",
    )
    load = load_food_sampling([f])
    assert [(r.line, r.reason.split(" (")[0].split(" '")[0]) for r in load.report.rejected] == [
        (3, "no product name"), (4, "unknown verdict"), (5, "cannot read the notice date"),
    ]  # fmt: skip
    assert all(r.file == str(f) for r in load.report.rejected)
    assert load.summary()["records"] == 1 and load.summary()["duplicate_rows"] == 1


def test_a_file_without_the_needed_columns_is_rejected_whole(tmp_path):
    f = tmp_path / "other.csv"
    f.write_text("名称,地址\n某某,某地\n", encoding="utf-8")
    [rej] = load_food_sampling([f]).report.rejected
    assert rej.line == 1 and "no column 物料名称" in rej.reason
