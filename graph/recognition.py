"""Mutual recognition of sampling results (结果互认).

A product already covered by a provincial-level (or higher) supervision
sampling in the region within the previous 6 months is not sampled again.
"The same product" is the same producer, made to the same standard, under the
same trademark, with the same specification/model.

The rules, as implemented (defaults in :class:`RecognitionRules`):

- **Producer**: the unified social credit codes decide when both sides have one
  (different codes are different producers, whatever the names); otherwise the
  organisation-name keys must be equal (:func:`loaders.names.org_key`: legal
  form, bracketed branch notes, spaces and dashes removed), so
  ``苏州某某电器有限公司`` and ``苏州某某电器（昆山分公司）`` are one producer.
- **Standard**: same base number; the years must agree when both are written
  (``GB 2811-2019`` ≠ ``GB 2811-2007``; ``GB 2811`` matches either).
- **Trademark, model**: equal after width folding, case folding and removing
  spaces and dashes (``ＡＢ－１２`` = ``ab 12``).
- **Level**: national or provincial counts; city and county samplings do not.
- **Region**: a provincial sampling counts when its province is one of the four
  (上海 江苏 浙江 安徽); a national sampling counts wherever it was organised,
  because national supervision sampling is recognised nationwide.
- **Window**: the sampling date lies in ``[planned date − 6 calendar months,
  planned date]``, both ends included: on 2022-07-15 a sampling of 2022-01-15
  counts, one of 2022-01-14 does not.  When the day does not exist in the
  earlier month the window starts at that month's last day (2022-08-31 →
  2022-02-28).  Samplings after the planned date do not count.
- **Missing attributes**: a plan without producer, standard, trademark or model
  cannot be "the same product": the answer is *undecidable* and says which are
  missing, listing the records that would match if they agreed.  A record
  without trademark or model cannot match either; it shows up as a near-miss.
- **Near-misses**: records of the same producer that fail at most
  ``near_miss_max_differences`` of the six conditions (standard, trademark,
  model, level, region, window), each with what differs.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from graph.model import Sampling
from graph.sampling import LEVEL_ZH, YRD_PROVINCES, normalise_credit_code
from loaders.names import org_key

STATUS_ZH = {"recognised": "是", "not_recognised": "否", "undecidable": "无法判定"}


@dataclass(frozen=True)
class RecognitionRules:
    """What counts as a recognisable earlier sampling (see the module doc)."""

    months: int = 6  # length of the window, in calendar months, both ends included
    levels: tuple[str, ...] = ("national", "provincial")  # levels that count
    provinces: tuple[str, ...] = YRD_PROVINCES  # where a provincial sampling must have been organised
    near_miss_max_differences: int = 1  # a near-miss fails at most this many conditions
    max_near_misses: int = 10  # near-misses listed per planned row

    @classmethod
    def from_settings(cls, settings) -> RecognitionRules:
        """The rules with the window length of the settings (``YRDQ_RECOGNITION_MONTHS``)."""
        return cls(months=settings.recognition_months)


@dataclass(frozen=True)
class PlannedSampling:
    """One row of a sampling plan."""

    producer: str = ""
    credit_code: str = ""
    standard: str = ""
    trademark: str = ""
    model: str = ""
    date: str = ""  # planned sampling date (YYYY-MM-DD)
    product_name: str = ""  # shown, not compared: the four attributes define the product


@dataclass(frozen=True)
class Difference:
    """One condition a record fails, with both sides."""

    field: str  # standard | trademark | model | level | region | window
    planned: str
    record: str

    def text(self) -> str:
        labels = {"standard": "标准", "trademark": "商标", "model": "规格型号", "level": "抽查级别",
                  "region": "组织地区", "window": "抽样日期"}  # fmt: skip
        return f"{labels[self.field]}({self.field}): {self.record or '(无)'} ≠ {self.planned}"


@dataclass(frozen=True)
class Evidence:
    record: Sampling
    differences: tuple[Difference, ...] = ()

    def to_dict(self) -> dict:
        r = self.record
        return {
            "id": r.id, "date": r.date, "level": r.level, "authority": r.authority, "province": r.province,
            "product_name": r.product_name, "producer_name": r.producer_name, "credit_code": r.credit_code,
            "trademark": r.trademark, "model": r.model, "standards": list(r.standards), "result": r.result,
            "synthetic": r.synthetic, "differences": [d.text() for d in self.differences],
        }  # fmt: skip


@dataclass(frozen=True)
class RecognitionAnswer:
    status: str  # recognised | not_recognised | undecidable
    reason: str  # Chinese first, English after
    window: tuple[str, str]
    matches: tuple[Evidence, ...] = ()
    near_misses: tuple[Evidence, ...] = ()
    possible: tuple[Evidence, ...] = ()  # undecidable only: records that match on what the plan gives
    missing: tuple[str, ...] = ()

    @property
    def recognised(self) -> bool | None:
        return {"recognised": True, "not_recognised": False}.get(self.status)

    def to_dict(self) -> dict:
        return {
            "status": self.status, "recognised": self.recognised, "reason": self.reason,
            "window": {"from": self.window[0], "to": self.window[1]}, "missing": list(self.missing),
            "matches": [e.to_dict() for e in self.matches], "near_misses": [e.to_dict() for e in self.near_misses],
            "possible": [e.to_dict() for e in self.possible],
        }  # fmt: skip


_DASHES = re.compile(r"[\s\-－—–‐‑‒―_·•]+")


def normalise_code(text: str) -> str:
    """Comparison form of a model or trademark: width- and case-folded, no spaces or dashes.

    >>> normalise_code("ＡＢ－１２"), normalise_code(" ab 12 "), normalise_code("BV-2.5 mm²")
    ('ab12', 'ab12', 'bv2.5mm2')
    """
    return _DASHES.sub("", unicodedata.normalize("NFKC", text or "")).casefold()


@lru_cache(maxsize=65536)
def standard_refs(text: str) -> frozenset[tuple[str, int | None]]:
    """(base number, year) of every standard written in ``text``.

    >>> sorted(standard_refs("GB2811－2019、GB/T 2812-2006"))
    [('GB 2811', 2019), ('GB/T 2812', 2006)]
    """
    from loaders.standards import standard_nodes

    return frozenset(
        (n.props.get("base_number") or n.props.get("number") or n.id, n.props.get("year")) for n in standard_nodes(text)
    )


def same_standard(planned: Iterable[tuple[str, int | None]], record: Iterable[tuple[str, int | None]]) -> bool:
    """Any planned standard equals any record standard: same base, years equal when both are written."""
    rec = list(record)
    return any(b == rb and (y is None or ry is None or y == ry) for b, y in planned for rb, ry in rec)


def months_before(date: dt.date, months: int) -> dt.date:
    """The same day ``months`` calendar months earlier, clamped to the month's end.

    >>> months_before(dt.date(2022, 7, 15), 6), months_before(dt.date(2022, 8, 31), 6)
    (datetime.date(2022, 1, 15), datetime.date(2022, 2, 28))
    """
    y, m = divmod(date.year * 12 + date.month - 1 - months, 12)
    return dt.date(y, m + 1, min(date.day, calendar.monthrange(y, m + 1)[1]))


@dataclass
class _Entry:
    rec: Sampling
    standards: frozenset[tuple[str, int | None]]
    trademark: str
    model: str


@dataclass
class RecognitionIndex:
    """Records indexed by producer name key and credit code, for fast checks."""

    by_name: dict[str, list[_Entry]] = field(default_factory=lambda: defaultdict(list))
    by_code: dict[str, list[_Entry]] = field(default_factory=lambda: defaultdict(list))
    size: int = 0

    @classmethod
    def build(cls, records: Iterable[Sampling]) -> RecognitionIndex:
        index = cls()
        for rec in records:
            if rec.level == "foreign":
                continue
            entry = _Entry(rec, frozenset(ref for s in rec.standards for ref in standard_refs(s)),
                           normalise_code(rec.trademark), normalise_code(rec.model))  # fmt: skip
            key = org_key(rec.producer_name)
            if key:
                index.by_name[key].append(entry)
            if rec.credit_code:
                index.by_code[rec.credit_code].append(entry)
            index.size += 1
        return index

    def same_producer(self, name: str, code: str) -> list[_Entry]:
        """Records of the producer: by code when both sides have one, else by name key."""
        seen: dict[str, _Entry] = {}
        if code:
            for e in self.by_code.get(code, []):
                seen[e.rec.id] = e
        for e in self.by_name.get(org_key(name), []) if name else []:
            if not (code and e.rec.credit_code and e.rec.credit_code != code):
                seen.setdefault(e.rec.id, e)
        return list(seen.values())


def check(
    plan: PlannedSampling, index: RecognitionIndex, rules: RecognitionRules = RecognitionRules(), today: str = ""
) -> RecognitionAnswer:
    """Is ``plan`` covered by an earlier recognisable sampling?  (Rules in the module doc.)"""
    when = dt.date.fromisoformat(plan.date or today or dt.date.today().isoformat())
    start = months_before(when, rules.months)
    window = (start.isoformat(), when.isoformat())
    code = normalise_credit_code(plan.credit_code)
    planned_std = standard_refs(plan.standard) if plan.standard else frozenset()
    tm, model = normalise_code(plan.trademark), normalise_code(plan.model)
    missing = tuple(
        name for name, value in (("producer", plan.producer or code), ("standard", planned_std),
                                 ("trademark", tm), ("model", model)) if not value
    )  # fmt: skip

    scored: list[Evidence] = []
    for e in index.same_producer(plan.producer, code):
        r = e.rec
        diffs = []
        if planned_std and not same_standard(planned_std, e.standards):
            diffs.append(Difference("standard", plan.standard, "、".join(r.standards)))
        if tm and e.trademark != tm:
            diffs.append(Difference("trademark", plan.trademark, r.trademark))
        if model and e.model != model:
            diffs.append(Difference("model", plan.model, r.model))
        if r.level not in rules.levels:
            wanted = "/".join(LEVEL_ZH[lv] for lv in rules.levels)
            diffs.append(Difference("level", wanted, LEVEL_ZH.get(r.level, r.level)))
        if r.level != "national" and r.province not in rules.provinces:
            diffs.append(Difference("region", "、".join(rules.provinces), r.province))
        if not (window[0] <= r.date <= window[1]):
            diffs.append(Difference("window", f"{window[0]}~{window[1]}", r.date))
        scored.append(Evidence(r, tuple(diffs)))
    scored.sort(key=lambda ev: (len(ev.differences), ev.record.date and -_ordinal(ev.record.date), ev.record.id))
    exact = tuple(ev for ev in scored if not ev.differences)
    near = tuple(ev for ev in scored if 0 < len(ev.differences) <= rules.near_miss_max_differences)
    near = near[: rules.max_near_misses]

    if missing:
        labels = {"producer": "生产者", "standard": "标准", "trademark": "商标", "model": "规格型号"}
        what = "、".join(labels[m] for m in missing)
        reason = (f"无法判定：计划缺少{what}，不能认定为同一产品（同一生产者、标准、商标、规格型号）。"
                  f" Cannot decide: missing {'/'.join(missing)}, so it cannot be the same product.")  # fmt: skip
        return RecognitionAnswer("undecidable", reason, window, (), near, exact[: rules.max_near_misses], missing)
    if exact:
        best = exact[0].record
        reason = (f"已有{LEVEL_ZH[best.level]}抽样 {best.date}（{best.authority or best.province}），"
                  f"6个月内结果互认，无需重复抽样。 Recognised: {len(exact)} recognisable sampling(s) in the window.")
        return RecognitionAnswer("recognised", reason, window, exact, near)
    reason = ("未找到6个月内省级及以上的同一产品抽样，需抽样。"
              f" Not recognised: no provincial-or-higher sampling of the same product in {window[0]}~{window[1]}.")
    return RecognitionAnswer("not_recognised", reason, window, (), near)


def _ordinal(iso: str) -> int:
    return dt.date.fromisoformat(iso).toordinal()


# -- a whole plan -------------------------------------------------------------

PLAN_ALIASES = {
    "生产者": "producer", "生产企业": "producer", "生产单位": "producer", "生产商": "producer",
    "producer_name": "producer", "统一社会信用代码": "credit_code", "信用代码": "credit_code",
    "标准": "standard", "判定依据": "standard", "执行标准": "standard", "standards": "standard",
    "商标": "trademark", "品牌": "trademark", "brand": "trademark", "规格型号": "model", "型号": "model",
    "specification": "model", "计划抽样日期": "date", "抽样日期": "date", "计划日期": "date",
    "产品名称": "product_name", "产品": "product_name", "product": "product_name",
}  # fmt: skip
RESULT_COLUMNS = ("互认结论", "依据记录", "相近记录", "说明")


@dataclass
class PlanRow:
    line: int
    cells: dict[str, str]  # the row as read, original headers
    plan: PlannedSampling | None
    error: str = ""
    answer: RecognitionAnswer | None = None


def read_plan(path: Path) -> tuple[list[str], list[PlanRow]]:
    """Header and rows of a planned list (CSV or XLSX); unreadable rows keep their error."""
    from loaders.dates import parse_date
    from loaders.tables import read_rows

    rows: list[PlanRow] = []
    header: list[str] = []
    for line, cells in read_rows(path):
        if not header:
            header = list(cells)
        row = {PLAN_ALIASES.get(k.strip(), k.strip().casefold()): v.strip() for k, v in cells.items()}
        date = row.get("date", "")
        iso = parse_date(date) if date else ""
        if iso is None:
            rows.append(PlanRow(line, cells, None, f"无法读取日期 cannot read the date {date!r}"))
            continue
        names = ("producer", "credit_code", "standard", "trademark", "model", "product_name")
        fields = {k: row.get(k, "") for k in names}
        rows.append(PlanRow(line, cells, PlannedSampling(date=iso, **fields)))
    return header, rows


def check_plan(
    rows: Sequence[PlanRow], index: RecognitionIndex, rules: RecognitionRules = RecognitionRules(), today: str = ""
) -> list[PlanRow]:
    for row in rows:
        if row.plan is not None:
            row.answer = check(row.plan, index, rules, today)
    return rows


def annotation(row: PlanRow) -> dict[str, str]:
    """The four result columns of one planned row."""
    if row.answer is None:
        return {"互认结论": "无法判定", "依据记录": "", "相近记录": "", "说明": row.error}
    a = row.answer
    evidence = "\n".join(f"{e.record.id} {e.record.date} {e.record.authority or e.record.province}" for e in a.matches)
    near = "\n".join(f"{e.record.id}: " + "; ".join(d.text() for d in e.differences) for e in a.near_misses)
    if a.possible:
        near = "\n".join([*(f"{e.record.id}: 待核对缺少的属性 to check" for e in a.possible), near]).strip()
    return {"互认结论": STATUS_ZH[a.status], "依据记录": evidence, "相近记录": near, "说明": a.reason}


def write_annotated_xlsx(header: Sequence[str], rows: Sequence[PlanRow], path: Path) -> None:
    """The planned list as read, with the four result columns appended, as XLSX (written atomically)."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    wb = Workbook()
    ws = wb.active
    ws.title = "互认核查"
    ws.append([*header, *RESULT_COLUMNS])
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for row in rows:
        notes = annotation(row)
        ws.append([row.cells.get(h, "") for h in header] + [notes[c] for c in RESULT_COLUMNS])
    for col in ws.iter_cols(min_col=len(header) + 1, max_col=len(header) + len(RESULT_COLUMNS), min_row=2):
        for cell in col:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    try:
        wb.save(tmp)
        tmp.replace(path)
    finally:
        tmp.unlink(missing_ok=True)
