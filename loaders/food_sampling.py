"""Loader for the food-safety supervision sampling results in ``../shared/data/sampling_food/``.

The files are aggregator exports of 国内监督抽查 notices, one row per batch and —
for a failed batch — one row per failed test item.  What the loader does with them:

- **Files**: every ``*.csv`` under the folder, recursively, in path order.  The
  encoding is detected per file (UTF-8 with or without BOM, else GB18030, a
  superset of GBK).  Columns are found by their Chinese header; the ``信息来源``
  column is missing in some files.
- **Foreign alerts**: EU RASFF rows (``信息来源`` or ``发布单位`` is RASFF, or the
  verdict is a RASFF class such as ``serious``/``严肃的``/``未定``) are alerts about
  consignments abroad, not supervision samplings of a Chinese authority: they are
  **skipped and counted** (``foreign_skipped``), never loaded.
- **One record per batch**: rows with the same batch key — authority as
  published, product, producer, seller, production date/batch and notice date,
  compared after width folding and whitespace removal — form one
  :class:`~graph.model.Sampling` holding all their failed items.  A row that
  repeats a row already read (same batch, same item, value and limit) is a
  duplicate: overlapping files merge, and ``duplicate_rows`` counts them.
- **Parties**: producers written ``/``, ``无`` or blank are unknown (``""``); padding
  and line breaks inside names are removed; labelled cells such as
  ``受委托生产商：A；委托商：B`` or ``经销者：A 生产者：B`` give the manufacturer
  (``A`` resp. ``B``).  A seller cell keeps its first part (before the shop URL …).
- **Dates**: the sources have no sampling date: ``date`` is the notice date
  (发布日期), which is required.  A production-date cell that is not a date
  (``DL04148``, spreadsheet serials) is kept as the batch identifier as written.
- **Authority**: ``发布单位`` gives name, level and province (rule in
  :mod:`loaders.authorities`).
- **Failed items**: a cell naming several items (``大肠菌群、霉菌``) with no value
  is split; a limit written into the item (``霉菌（≤100CFU/g）``) is moved to the
  limit when the limit cell is empty; the unit is the ``单位`` cell, else the unit
  written after the number in the limit or the value.
- **Category**: ``A-->B`` becomes the path ``(A, B)``; when empty, the search
  term (搜索条件) the aggregator filed the row under stands in.
- **Rejected rows** (reported with file:line and reason, the rest still load):
  no product name, a verdict that is neither 合格 nor 不合格, a notice date that
  cannot be read.  A file without the needed columns is rejected whole.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from graph.model import Sampling
from graph.sampling import FailedItem, batch_key, sampling_id, with_items
from loaders.authorities import parse_authority
from loaders.dates import parse_date
from loaders.names import normalise_name
from loaders.report import LoadReport, Progress
from loaders.tables import TableError, detect_encoding, read_rows

REQUIRED = ("物料名称", "判定", "发布日期")
FOREIGN_VERDICTS = {"serious", "not serious", "undecided", "严肃的", "未定", "不严重"}
VERDICTS = {"合格": "pass", "不合格": "fail"}
_NO_PARTY = {"", "无", "null", "none", "不详", "未知"}

# Labels written before a party's name; the first group are manufacturers.
_MAKER_LABELS = (
    "受委托生产商", "被委托生产商", "受委托生产企业", "被委托生产企业", "受委托单位", "被委托单位", "被委托方",
    "受委托方", "被委托商", "受委托商", "生产加工单位", "生产企业", "生产者", "生产商", "制造商", "标示", "标称",
)  # fmt: skip
_OTHER_LABELS = ("委托方", "委托商", "委托单位", "经销者", "经销商", "出品商", "出品")
_LABEL = re.compile("(" + "|".join(sorted(_MAKER_LABELS + _OTHER_LABELS, key=len, reverse=True)) + r")\s*[:：]")
_LIMIT_IN_ITEM = re.compile(r"^(.+?)\(((?:≤|≥|<|>|=|不得|不应|应|未检出)[^()]*)\)$")
_UNIT = re.compile(
    r"^\s*[≤≥<>=]?\s*\d+(?:\.\d+)?(?:\s*[×xX]\s*10[⁰¹²³⁴⁵⁶⁷⁸⁹⁻\d]*)?\s*([A-Za-zμµ%‰][^\s,，;；()]*)"
)


def _unbreak(text: str) -> str:
    """Remove line breaks (and the spaces around them) that split names and values across lines."""
    return re.sub(r"\s*\n\s*", "", text or "")


def producer_of(cell: str) -> str:
    """The manufacturer named in a producer cell ('' when unknown).

    >>> producer_of("/ "), producer_of("无"), producer_of(" 上海豪瀚食品有限公司 ")
    ('', '', '上海豪瀚食品有限公司')
    >>> producer_of("受委托生产商：四川南溪徽记食品有限公司；委托商：四川徽记食品股份有限公司 ")
    '四川南溪徽记食品有限公司'
    >>> producer_of("经销者：重庆佳仙食品有限公司\\n生产者：重庆佳仙九七食品有限公司 ")
    '重庆佳仙九七食品有限公司'
    >>> producer_of("四川省三台县潼川农产品开发有限责任公\\n司 ")
    '四川省三台县潼川农产品开发有限责任公司'
    """
    text = _unbreak(cell)
    labels = list(_LABEL.finditer(text))
    if labels:
        parties = []
        for i, m in enumerate(labels):
            end = labels[i + 1].start() if i + 1 < len(labels) else len(text)
            parties.append((m.group(1), text[m.end() : end]))
        makers = [name for label, name in parties if label in _MAKER_LABELS]
        text = makers[0] if makers else parties[0][1]
    name = normalise_name(text.strip().strip("；;"))
    return "" if name.casefold() in _NO_PARTY else name


def seller_of(cell: str) -> str:
    """The sampled seller: the first part of the cell (shop names and URLs follow after ；).

    >>> seller_of("重庆韵创电子商务有限责任公司；\\n被抽样网络店铺名称：天猫韵创食品专营店")
    '重庆韵创电子商务有限责任公司'
    >>> seller_of("/ ")
    ''
    """
    first = re.split(r"[；;]", _unbreak(cell), maxsplit=1)[0]
    name = normalise_name(first)
    return "" if name.casefold() in _NO_PARTY else name


def split_items(cell: str) -> list[str]:
    """Item names of a cell; several items are separated by 、 outside brackets.

    >>> split_items("菌落总数、霉菌、酵母菌")
    ['菌落总数', '霉菌', '酵母菌']
    >>> split_items("苯甲酸及其钠盐(以苯甲酸计、山梨酸)")
    ['苯甲酸及其钠盐(以苯甲酸计、山梨酸)']
    """
    items, depth, cur = [], 0, ""
    for ch in normalise_name(_unbreak(cell)):
        depth += ch == "("
        depth -= ch == ")" and depth > 0
        if ch == "、" and depth == 0:
            items.append(cur)
            cur = ""
        else:
            cur += ch
    items.append(cur)
    return [i.strip() for i in items if i.strip()]


def unit_of(*texts: str) -> str:
    """The unit written after the number in the first text that has one.

    >>> unit_of("≤100CFU/g"), unit_of("", "0.86g/100g(以脂肪计)"), unit_of("不得检出", "3.0×10⁴CFU/g")
    ('CFU/g', 'g/100g', 'CFU/g')
    >>> unit_of("不得使用")
    ''
    """
    for t in texts:
        m = _UNIT.match(normalise_name(t))
        if m:
            return m.group(1)
    return ""


def failed_items_of(item_cell: str, value: str, limit: str, unit: str) -> list[FailedItem]:
    """Failed items of one row (see the module doc for splitting and limits in item names).

    >>> failed_items_of("霉菌（≤100CFU/g）", "380CFU/g", "", "")
    [FailedItem(item='霉菌', value='380CFU/g', limit='≤100CFU/g', unit='CFU/g')]
    >>> [i.item for i in failed_items_of("大肠菌群、霉菌", "", "", "")]
    ['大肠菌群', '霉菌']
    """
    value, limit = _unbreak(value).strip(), _unbreak(limit).strip()
    names = split_items(item_cell)
    if len(names) > 1 and (value or limit):
        names = [normalise_name(_unbreak(item_cell))]  # one value for several items: keep them together
    out = []
    for name in names:
        own_limit = limit
        m = _LIMIT_IN_ITEM.match(name)
        if m and not limit:
            name, own_limit = m.group(1).strip(), m.group(2).strip()
        out.append(FailedItem(name, value, own_limit, unit.strip() or unit_of(own_limit, value)))
    return out


@dataclass
class _Batch:
    """The rows of one batch while the files are read."""

    first: tuple[str, int]
    fields: dict[str, object]
    result: str
    items: list[FailedItem] = field(default_factory=list)
    rows: set[tuple] = field(default_factory=set)
    files: set[str] = field(default_factory=set)
    sources: list[str] = field(default_factory=list)
    conflict: bool = False


@dataclass
class FoodLoad:
    """The records of a load and what happened to every row."""

    records: list[Sampling]
    report: LoadReport
    rows_read: int = 0
    foreign_skipped: int = 0
    duplicate_rows: int = 0
    records_from_several_files: int = 0
    result_conflicts: int = 0
    encodings: dict[str, str] = field(default_factory=dict)

    def summary(self) -> dict[str, int]:
        return {
            "rows_read": self.rows_read,
            "foreign_skipped": self.foreign_skipped,
            "rejected": len(self.report.rejected),
            "records": len(self.records),
            "failed_records": sum(r.result == "fail" for r in self.records),
            "duplicate_rows": self.duplicate_rows,
            "records_from_several_files": self.records_from_several_files,
        }


def food_files(paths: Iterable[Path]) -> list[Path]:
    """The CSV files of the given files and folders (folders recursively, sorted)."""
    files: list[Path] = []
    for p in paths:
        files += sorted(q for q in p.rglob("*") if q.suffix.lower() == ".csv") if p.is_dir() else [p]
    return files


def _is_foreign(row: dict[str, str]) -> bool:
    return (
        row.get("信息来源", "").upper() == "RASFF"
        or "RASFF" in row.get("发布单位", "").upper()
        or row.get("判定", "").strip().casefold() in FOREIGN_VERDICTS
    )


def load_food_sampling(paths: Iterable[Path], report: LoadReport | None = None) -> FoodLoad:
    """Read the food sampling files into one record per batch (rules in the module doc)."""
    report = report or LoadReport()
    load = FoodLoad([], report)
    batches: dict[tuple[str, ...], _Batch] = {}
    progress = Progress("food sampling")
    for path in food_files(paths):
        fr = report.file(str(path))
        try:
            load.encodings[str(path)] = detect_encoding(path)
            rows = read_rows(path)
            first = next(rows, None)
        except (TableError, OSError) as exc:
            fr.reject(0, f"cannot read the file: {exc}")
            continue
        if first is None:
            continue
        missing = [c for c in REQUIRED if c not in first[1]]
        if missing:
            fr.reject(1, f"not a food sampling file: no column {', '.join(missing)}")
            continue
        for line, row in [first, *rows]:
            progress.tick()
            fr.read += 1
            load.rows_read += 1
            if _is_foreign(row):
                load.foreign_skipped += 1
                continue
            reason = _add_row(batches, row, str(path), line, load)
            if reason == "duplicate":
                fr.merged += 1
            elif reason:
                fr.reject(line, reason)
            else:
                fr.loaded += 1
    progress.done()
    for key, b in batches.items():
        source = "；".join(b.sources)
        rec = Sampling(id=sampling_id(key), result=b.result, source=source, **b.fields)  # type: ignore[arg-type]
        load.records.append(with_items(rec, b.items))
        load.records_from_several_files += len(b.files) > 1
        load.result_conflicts += b.conflict
    if load.foreign_skipped:
        report.notes.append(
            f"{load.foreign_skipped} foreign alert rows (RASFF) skipped: they are not supervision samplings"
        )
    if load.duplicate_rows:
        report.notes.append(
            f"{load.duplicate_rows} duplicate rows merged; "
            f"{load.records_from_several_files} records come from several files"
        )
    if load.result_conflicts:
        report.notes.append(f"{load.result_conflicts} batches have both 合格 and 不合格 rows: kept as failed")
    return load


def _add_row(batches: dict[tuple[str, ...], _Batch], row: dict[str, str], file: str, line: int, load: FoodLoad) -> str:
    """Fold one domestic row into its batch; returns a rejection reason, ``"duplicate"`` or ``""``."""
    product = normalise_name(_unbreak(row.get("物料名称", "")))
    if not product:
        return "no product name (物料名称)"
    verdict = row.get("判定", "").strip()
    result = VERDICTS.get(verdict)
    if result is None:
        return f"unknown verdict {verdict!r} (expected 合格 or 不合格)"
    notice_date = parse_date(row.get("发布日期"))
    if notice_date is None:
        return f"cannot read the notice date {row.get('发布日期', '')!r}"
    producer = producer_of(row.get("生产商", ""))
    seller = seller_of(row.get("供应商", ""))
    raw_production = _unbreak(row.get("生产日期", "")).strip()
    production_date = parse_date(raw_production) or ""
    batch_no = row.get("批号", "").strip() or ("" if production_date else raw_production)
    notice = normalise_name(row.get("发布单位", ""))
    key = batch_key(notice, product, producer, seller, production_date or batch_no, notice_date)
    items = failed_items_of(row.get("检测项目", ""), row.get("检测结果", ""), row.get("限量值", ""), row.get("单位", ""))
    if result == "pass":
        items = []
    signature = (result, tuple(items))
    b = batches.get(key)
    if b is None:
        authority = parse_authority(notice)
        category = [normalise_name(c) for c in row.get("产品分类", "").split("-->") if normalise_name(c)]
        if not category and row.get("搜索条件"):
            category = [normalise_name(row["搜索条件"])]
        b = batches[key] = _Batch(
            first=(file, line),
            result=result,
            fields=dict(
                date=notice_date, level=authority.level, authority=authority.name, province=authority.province,
                product_name=product, category_path=tuple(category), producer_name=producer, seller=seller,
                production_date=production_date, batch_no=batch_no, standards=_standards(row.get("备注", "")),
                notice=notice, notice_date=notice_date,
            ),
        )  # fmt: skip
    elif b.result != result:
        b.conflict, b.result = True, "fail"
    b.files.add(file)
    source = row.get("信息来源", "").strip()
    if source and source not in b.sources:
        b.sources.append(source)
    if signature in b.rows:
        load.duplicate_rows += 1
        return "duplicate"
    b.rows.add(signature)
    b.items += [i for i in items if i not in b.items]
    return ""


def _standards(note: str) -> tuple[str, ...]:
    """Standard numbers a remark names (``GB2759-2015《…》`` → ``GB 2759-2015``); methods are ignored."""
    if not re.search(r"(?:GB|DB|[A-Z]{2}/T|T/|Q/)", note or ""):
        return ()
    from loaders.standards import standard_nodes

    return tuple(n.id for n in standard_nodes(_unbreak(note)) if n.props.get("kind") != "method")
