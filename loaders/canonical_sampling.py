"""The canonical format of sampling records (CSV or XLSX), to read and to write.

A bureau keeps its sampling results in Excel; a file named ``samplings.csv`` or
``samplings.xlsx`` (first sheet) with these columns loads as is.  Headers may be
Chinese or English; a column that is absent is empty.

=================  ===================  ==============================================================
English            中文                 content
=================  ===================  ==============================================================
id                 记录编号             record id; empty → computed from the batch key (stable)
date               抽样日期             sampling date (any common written form); required unless
                                        公告日期 is given, which then stands in
level              抽查级别             national/provincial/city/county or 国家级/省级/市级/县级;
                                        empty → from the authority (:mod:`loaders.authorities`)
authority          组织单位             organising authority, e.g. 江苏省市场监督管理局
province           组织省份             its province; empty → from the authority
product_name       产品名称             product as sampled (required unless 产品编号 is given)
product            产品编号             catalogue Product id, when known
category           产品分类             category path, ``A-->B`` or ``A|B``
producer_name      生产者               producer (标称生产者)
credit_code        统一社会信用代码     producer's 18-character code
seller             被抽样单位           sampled seller
trademark          商标                 trademark / brand
model              规格型号             specification / model
production_date    生产日期             production date
batch_no           批号                 batch number
standards          判定依据             standard numbers, ``|``-separated (``GB 2811-2019|GB/T 2812-2006``)
institution        检验机构             testing institution
result             检验结论             合格/不合格 or pass/fail (required)
failed_item        不合格项目           one failed test item
failed_value       检验结果             its measured value
failed_limit       标准要求             its limit
failed_unit        单位                 its unit
notice             公告                 the notice it was published in
notice_date        公告日期             date of the notice
source             来源                 where the record comes from (``synthetic`` for generated data)
synthetic          合成数据             是/否 (true/false); ``是`` for generated data
=================  ===================  ==============================================================

One row per failed item: a failed batch with three failed items is three rows
with the same batch columns; a passed batch is one row with the item columns
empty.  Rows with the same id — or, without id, the same batch key — form one
record; a row repeating another exactly is a duplicate (counted as merged); a
row whose batch columns contradict the first row of its record is rejected.
Rejected rows are reported with file:line and reason; the others load.

>>> from graph.model import Sampling
>>> rec = Sampling(id="S1", date="2020-06-01", level="provincial", product_name="安全帽", result="fail",
...                failed_items=("冲击吸收性能",), failed_values=("5230",), failed_limits=("≤4900",),
...                failed_units=("N",), synthetic=True, source="synthetic")
>>> rows = record_rows(rec)
>>> rows[0]["不合格项目"], rows[0]["合成数据"]
('冲击吸收性能', '是')
"""

from __future__ import annotations

import csv
import dataclasses
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from graph.model import Sampling
from graph.sampling import FailedItem, LEVELS, RESULT_ZH, batch_key, failed_items, normalise_credit_code, problems
from graph.sampling import sampling_id, with_items
from loaders.authorities import parse_authority
from loaders.canonical import RowError, date_cell
from loaders.names import normalise_name
from loaders.regions import province_of
from loaders.report import FileReport, LoadReport
from loaders.tables import TableError, read_rows

# (English name, Chinese header) in writing order.
COLUMNS: tuple[tuple[str, str], ...] = (
    ("id", "记录编号"), ("date", "抽样日期"), ("level", "抽查级别"), ("authority", "组织单位"),
    ("province", "组织省份"), ("product_name", "产品名称"), ("product", "产品编号"), ("category", "产品分类"),
    ("producer_name", "生产者"), ("credit_code", "统一社会信用代码"), ("seller", "被抽样单位"),
    ("trademark", "商标"), ("model", "规格型号"), ("production_date", "生产日期"), ("batch_no", "批号"),
    ("standards", "判定依据"), ("institution", "检验机构"), ("result", "检验结论"), ("failed_item", "不合格项目"),
    ("failed_value", "检验结果"), ("failed_limit", "标准要求"), ("failed_unit", "单位"), ("notice", "公告"),
    ("notice_date", "公告日期"), ("source", "来源"), ("synthetic", "合成数据"),
)  # fmt: skip

# Header → English name: the columns above in both languages, plus the synonyms bureaus write.
ALIASES: dict[str, str] = {
    **{en: en for en, _ in COLUMNS},
    **{zh: en for en, zh in COLUMNS},
    "编号": "id", "抽样编号": "id", "抽样时间": "date", "抽查层级": "level", "抽查单位": "authority",
    "组织机关": "authority", "省份": "province", "产品": "product_name", "样品名称": "product_name",
    "生产企业": "producer_name", "生产单位": "producer_name", "生产商": "producer_name", "producer": "producer_name",
    "受检单位": "seller", "被抽查单位": "seller", "销售单位": "seller", "品牌": "trademark", "brand": "trademark",
    "型号": "model", "规格": "model", "specification": "model", "执行标准": "standards", "检验依据": "standards",
    "standard": "standards", "检测机构": "institution", "承检机构": "institution", "判定": "result", "结论": "result",
    "检验项目": "failed_item", "检测项目": "failed_item", "实测值": "failed_value", "检测结果": "failed_value",
    "限量值": "failed_limit", "标准值": "failed_limit", "发布日期": "notice_date",
}  # fmt: skip

LEVEL_WORDS = {
    **{lv: lv for lv in LEVELS},
    "国家": "national", "国家级": "national", "国抽": "national", "省": "provincial", "省级": "provincial",
    "省抽": "provincial", "市": "city", "市级": "city", "地市级": "city", "县": "county", "县级": "county",
    "区县": "county", "区县级": "county",
}  # fmt: skip
RESULT_WORDS = {"合格": "pass", "不合格": "fail", "pass": "pass", "fail": "fail", "passed": "pass", "failed": "fail"}
TRUE_WORDS = {"是", "true", "yes", "y", "1"}
FALSE_WORDS = {"否", "false", "no", "n", "0", ""}
BATCH_FIELDS = tuple(
    f.name for f in dataclasses.fields(Sampling) if not f.name.startswith("failed_") and f.name != "id"
)


def split(cell: str) -> list[str]:
    return [v.strip() for v in (cell or "").replace("；", "|").replace(";", "|").split("|") if v.strip()]


def clean(text: str | None) -> str:
    """Values, limits, units, models and batch numbers as written: whitespace collapsed, nothing else
    (a leading minus or a superscript is meaning, not noise)."""
    return re.sub(r"\s+", " ", text or "").strip()


def _standards(cell: str) -> tuple[str, ...]:
    """Normalised standard numbers; a judging basis that is no standard (产品明示要求) is kept as written."""
    from loaders.standards import standard_nodes

    out = []
    for part in split(cell):
        nodes = standard_nodes(part)
        if not nodes:
            raise RowError(f"standards: no standard number in {part!r}")
        out += [n.props["number"] if n.props.get("kind") == "method" else n.id for n in nodes]
    return tuple(dict.fromkeys(out))


def parse_row(row: dict[str, str]) -> tuple[Sampling, FailedItem | None]:
    """The record (without id when none is given) and the failed item of one canonical row."""
    result = RESULT_WORDS.get(row.get("result", "").strip().casefold())
    if result is None:
        raise RowError(f"result must be 合格/不合格 (pass/fail), not {row.get('result', '')!r}")
    date, notice_date = date_cell(row, "date"), date_cell(row, "notice_date")
    if not (date or notice_date):
        raise RowError("no sampling date (抽样日期) or notice date (公告日期)")
    authority = parse_authority(row.get("authority", ""))
    level_cell = row.get("level", "").strip().casefold()
    level = LEVEL_WORDS.get(level_cell, None) if level_cell else authority.level
    if level is None:
        raise RowError(f"level must be national/provincial/city/county (国家级/省级/市级/县级), not {row['level']!r}")
    province = authority.province
    if row.get("province"):
        province = province_of(row["province"]) or ""
        if not province:
            raise RowError(f"unknown province {row['province']!r}")
    credit = ""
    if row.get("credit_code"):
        credit = normalise_credit_code(row["credit_code"])
        if not credit:
            raise RowError(f"credit_code {row['credit_code']!r} is not an 18-character unified social credit code")
    flag = row.get("synthetic", "").strip().casefold()
    if flag not in TRUE_WORDS | FALSE_WORDS:
        raise RowError(f"synthetic must be 是/否 (true/false), not {row['synthetic']!r}")
    category = row.get("category", "").replace("-->", "|")
    rec = Sampling(
        id=row.get("id", "").strip(),
        date=date or notice_date, level=level, authority=authority.name or normalise_name(row.get("authority")),
        province=province, product_name=normalise_name(row.get("product_name")), product=row.get("product", "").strip(),
        category_path=tuple(normalise_name(c) for c in split(category)),
        producer_name=normalise_name(row.get("producer_name")), credit_code=credit,
        seller=normalise_name(row.get("seller")), trademark=clean(row.get("trademark")),
        model=clean(row.get("model")), production_date=date_cell(row, "production_date"),
        batch_no=clean(row.get("batch_no")), standards=_standards(row.get("standards", "")),
        institution=normalise_name(row.get("institution")), result=result, notice=normalise_name(row.get("notice")),
        notice_date=notice_date, source=row.get("source", "").strip(), synthetic=flag in TRUE_WORDS,
    )  # fmt: skip
    item_name = normalise_name(row.get("failed_item"))
    item = None
    if item_name:
        if result == "pass":
            raise RowError(f"a 合格 row names the failed item {item_name!r}")
        item = FailedItem(item_name, *(clean(row.get(c)) for c in ("failed_value", "failed_limit", "failed_unit")))
    elif any(row.get(c) for c in ("failed_value", "failed_limit")):
        raise RowError("a measured value or limit without its failed item (不合格项目)")
    return rec, item


def record_key(rec: Sampling) -> tuple[str, ...]:
    """The batch key of a parsed row (used when the row has no id)."""
    return batch_key(rec.authority, rec.product_name or rec.product, rec.producer_name, rec.seller,
                     rec.production_date or rec.batch_no, rec.notice_date or rec.date)  # fmt: skip


@dataclass
class _Pending:
    line: int
    rec: Sampling
    items: list[FailedItem] = field(default_factory=list)
    rows: set[tuple] = field(default_factory=set)


def is_canonical_sampling(path: Path) -> bool:
    """A canonical sampling table: ``samplings.csv`` / ``samplings.xlsx`` (any case)."""
    return path.is_file() and path.stem.lower() == "samplings" and path.suffix.lower() in (".csv", ".xlsx")


def read_sampling_table(path: Path, report: LoadReport | None = None) -> list[Sampling]:
    """The records of one canonical CSV/XLSX file; bad rows go to ``report`` with line and reason."""
    report = report or LoadReport()
    fr = report.file(str(path))
    try:
        rows = list(read_rows(path))
    except (TableError, OSError, UnicodeDecodeError) as exc:
        fr.reject(0, f"cannot read the file: {exc}")
        return []
    return _records(rows, fr)


def _records(rows: Iterable[tuple[int, dict[str, str]]], fr: FileReport) -> list[Sampling]:
    pending: dict[object, _Pending] = {}
    for line, raw in rows:
        fr.read += 1
        row = {ALIASES.get(k.strip(), ALIASES.get(k.strip().casefold(), k)): v for k, v in raw.items()}
        try:
            rec, item = parse_row(row)
        except RowError as exc:
            fr.reject(line, str(exc))
            continue
        key = rec.id or record_key(rec)
        p = pending.get(key)
        if p is None:
            p = pending[key] = _Pending(line, rec)
        else:
            differ = [f for f in BATCH_FIELDS if getattr(rec, f) != getattr(p.rec, f)]
            if differ:
                fr.reject(line, f"same record as line {p.line} but {', '.join(differ)} differ")
                continue
        signature = item
        if signature in p.rows or (item is None and p.rows):
            fr.merged += 1  # an exact repeat, or a bare row of a batch already read
            continue
        p.rows.add(signature)
        if item is not None:
            p.items.append(item)
        fr.loaded += 1
    out = []
    for key, p in pending.items():
        rec = p.rec if p.rec.id else dataclasses.replace(p.rec, id=sampling_id(key))  # type: ignore[arg-type]
        rec = with_items(rec, p.items)
        bad = problems(rec)
        if bad:
            fr.reject(p.line, "; ".join(bad))
            continue
        out.append(rec)
    return out


def record_rows(rec: Sampling) -> list[dict[str, str]]:
    """The canonical rows (Chinese headers) of one record: one per failed item, one for a passed batch."""
    base = {
        "记录编号": rec.id, "抽样日期": rec.date, "抽查级别": rec.level, "组织单位": rec.authority,
        "组织省份": rec.province, "产品名称": rec.product_name, "产品编号": rec.product,
        "产品分类": "-->".join(rec.category_path), "生产者": rec.producer_name, "统一社会信用代码": rec.credit_code,
        "被抽样单位": rec.seller, "商标": rec.trademark, "规格型号": rec.model, "生产日期": rec.production_date,
        "批号": rec.batch_no, "判定依据": "|".join(rec.standards), "检验机构": rec.institution,
        "检验结论": RESULT_ZH.get(rec.result, rec.result), "公告": rec.notice, "公告日期": rec.notice_date,
        "来源": rec.source, "合成数据": "是" if rec.synthetic else "否",
    }  # fmt: skip
    items = failed_items(rec) or [FailedItem("")]
    return [
        {**base, "不合格项目": i.item, "检验结果": i.value, "标准要求": i.limit, "单位": i.unit} for i in items
    ]


def write_sampling_table(records: Sequence[Sampling], path: Path) -> None:
    """Write records in the canonical format: CSV (UTF-8 with BOM, for Excel) or XLSX by the suffix.

    The file is written beside the target and renamed over it, so a failure never leaves half a file.
    """
    header = [zh for _, zh in COLUMNS]
    rows = [r for rec in records for r in record_rows(rec)]
    tmp = path.with_name(f".{path.name}.tmp")
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        if path.suffix.lower() == ".xlsx":
            from openpyxl import Workbook

            wb = Workbook()
            ws = wb.active
            ws.title = "samplings"
            ws.append(header)
            for r in rows:
                ws.append([r[h] for h in header])
            wb.save(tmp)
        else:
            with open(tmp, "w", encoding="utf-8-sig", newline="") as f:
                w = csv.DictWriter(f, fieldnames=header, lineterminator="\n")
                w.writeheader()
                w.writerows(rows)
        tmp.replace(path)
    finally:
        tmp.unlink(missing_ok=True)
