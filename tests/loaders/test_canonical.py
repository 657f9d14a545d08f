"""The canonical import format: CSV, XLSX and JSON Lines, with bad rows reported and good rows kept."""

from __future__ import annotations

import json

from openpyxl import Workbook

from graph.model import Kind, Rel
from loaders.canonical import load_canonical
from loaders.report import LoadReport


def _write_csv(path, text: str):
    path.write_text(text.strip() + "\n", encoding="utf-8")
    return path


def test_products_with_chinese_headers_and_written_standard_numbers(tmp_path):
    f = _write_csv(tmp_path / "products.csv", """
名称,别名,类别,标准
电动自行车充电器,充电机|电瓶车充电器,C1,GB42295－2022、GB 4706.18-2014
""")
    batch = load_canonical([f], LoadReport())
    p = batch.nodes[(Kind.PRODUCT, "电动自行车充电器")]
    assert p.props["aliases"] == ["充电机", "电瓶车充电器"]
    governed = {e.dst[1] for e in batch.edges.values() if e.type == Rel.GOVERNED_BY}
    assert governed == {"GB 42295-2022", "GB 4706.18-2014"}


def test_bad_rows_are_reported_with_file_line_and_reason_and_good_rows_load(tmp_path):
    f = _write_csv(tmp_path / "standards.csv", """
id,title,status
GB 2811-2019,头部防护 安全帽,current
,没有标准号,current
GB 2811-2007,安全帽,obsolete
GB/T 2812-2006,安全帽测试方法,
""")
    report = LoadReport()
    batch = load_canonical([f], report)
    assert [(r.line, r.reason) for r in report.rejected] == [
        (3, "missing id"),
        (4, "status must be current, superseded, withdrawn or unknown, not 'obsolete'"),
    ]
    assert {k[1] for k in batch.nodes if k[0] == Kind.STANDARD} == {"GB 2811-2019", "GB/T 2812-2006"}


def test_xlsx_sheet_loads_like_csv_with_sheet_row_numbers(tmp_path):
    wb = Workbook()
    ws = wb.active
    ws.append(["id", "name", "province", "valid_to"])
    ws.append(["L-1", "某市产品质量监督检验所", "浙江", "2026-01-31"])
    ws.append(["L-2", "某检验站", "火星省", ""])
    wb.save(tmp_path / "labs.xlsx")
    report = LoadReport()
    batch = load_canonical([tmp_path / "labs.xlsx"], report)
    lab = batch.nodes[(Kind.LAB, "L-1")]
    assert (lab.props["province"], lab.props["valid_to"]) == ("浙江省", "2026-01-31")
    assert [(r.line, r.reason) for r in report.rejected] == [(3, "unknown province '火星省'")]


def test_json_lines_with_a_broken_line(tmp_path):
    f = tmp_path / "hazards.jsonl"
    f.write_text(json.dumps({"name": "触电", "aliases": ["电击", "漏电"]}, ensure_ascii=False) + "\n{oops\n", encoding="utf-8")
    report = LoadReport()
    batch = load_canonical([f], report)
    assert batch.nodes[(Kind.HAZARD, "触电")].props["aliases"] == ["电击", "漏电"]
    assert report.rejected[0].line == 2 and report.rejected[0].reason.startswith("invalid JSON")


def test_experts_keep_contact_fields_as_personal_data(tmp_path):
    f = _write_csv(tmp_path / "experts.csv", """
id,姓名,专长,省份,角色,产品,电话
X-1,张工,电线电缆导体电阻,江苏省,instructor,电线电缆,13800000000
""")
    batch = load_canonical([f], LoadReport())
    e = batch.nodes[(Kind.EXPERT, "X-1")]
    assert e.props["contact_phone"] == "13800000000" and e.props["roles"] == ["instructor"]
    assert ((Kind.EXPERT, "X-1"), Rel.SPECIALISES_IN, (Kind.PRODUCT, "电线电缆")) in batch.edges


def test_synonyms_go_to_graph_metadata(tmp_path):
    f = _write_csv(tmp_path / "synonyms.csv", """
term,canonical
电瓶车,电动自行车
E-Bike,电动自行车
""")
    batch = load_canonical([f], LoadReport())
    assert json.loads(batch.meta["synonyms"]) == {"e-bike": ["电动自行车"], "电瓶车": ["电动自行车"]}
