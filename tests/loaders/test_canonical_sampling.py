"""The canonical sampling format: round trips through CSV and XLSX, merging and rejection."""

from __future__ import annotations

from pathlib import Path

import pytest
from openpyxl import Workbook

from graph.model import Sampling
from graph.sampling import with_items, FailedItem
from loaders.canonical_sampling import read_sampling_table, write_sampling_table
from loaders.report import LoadReport

RECS = [
    with_items(
        Sampling(id="A1", date="2020-08-01", level="provincial", authority="浙江省市场监督管理局", province="浙江省",
                 product_name="安全帽", product="安全帽", producer_name="某某安全防护用品有限公司",
                 credit_code="91330100MA0000000X", trademark="安途", model="ABS-01", standards=("GB 2811-2019",),
                 institution="某检测机构", result="pass", notice_date="2020-09-15", source="bureau"),
        [FailedItem("冲击吸收性能", "5230", "≤4900", "N"), FailedItem("下颏带强度", "-", "150~250", "N")],
    ),
    Sampling(id="A2", date="2020-08-02", level="city", authority="杭州市市场监督管理局", province="浙江省",
             product_name="电线", category_path=("电子电器", "电线电缆"), model="BV 1×2.5mm²", result="pass"),
]  # fmt: skip


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_records_written_in_the_canonical_format_read_back_equal(tmp_path, suffix):
    path = tmp_path / f"samplings{suffix}"
    write_sampling_table(RECS, path)
    assert read_sampling_table(path) == RECS


def _xlsx(path: Path, rows: list[list[str]]) -> None:
    wb = Workbook()
    for r in rows:
        wb.active.append(r)
    wb.save(path)


def test_english_headers_item_rows_merge_and_bad_rows_are_rejected_with_line_and_reason(tmp_path):
    head = ["date", "authority", "product_name", "producer", "brand", "model", "standards", "result", "failed_item",
            "failed_value", "failed_limit"]  # fmt: skip
    batch = ["2021-05-06", "安徽省市场监督管理局", "童车", "某某童车厂", "贝乐", "BB-301", "GB 14748-2006", "不合格"]
    _xlsx(tmp_path / "samplings.xlsx", [
        head,
        batch + ["制动性能", "不符合", "符合标准要求"],
        batch + ["稳定性", "倾翻", "不得倾翻"],
        batch + ["稳定性", "倾翻", "不得倾翻"],  # the same row again
        ["2021-05-06", "安徽省市场监督管理局", "童车", "某某童车厂", "贝乐", "BB-301", "GB 14748-2006", "合格", "", "", ""],
        ["2021/5/7", "安徽省市场监督管理局", "童车", "", "", "", "", "合格", "稳定性", "", ""],
        ["明天", "安徽省市场监督管理局", "童车", "", "", "", "", "合格", "", "", ""],
        ["2021-05-07", "", "童车", "", "", "", "", "待定", "", "", ""],
    ])  # fmt: skip
    report = LoadReport()
    [rec] = read_sampling_table(tmp_path / "samplings.xlsx", report)
    assert (rec.level, rec.province, rec.trademark, rec.result) == ("provincial", "安徽省", "贝乐", "fail")
    assert rec.failed_items == ("制动性能", "稳定性") and rec.failed_values == ("不符合", "倾翻")
    assert [(r.line, r.reason.split(":")[0].split(" ")[0]) for r in report.rejected] == [
        (5, "same"), (6, "a"), (7, "date"), (8, "result"),
    ]  # fmt: skip
    assert report.totals()["merged"] == 1
