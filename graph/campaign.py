"""Joint campaign plan (五统一) for one product.

The five unifications are one plan, one product scope, one set of test items,
one judging standard and one publication of results for the four
jurisdictions.  A plan puts together what the graph knows:

- **standards** — the product's governing standards (``GOVERNED_BY``) that are
  current or of unknown status; superseded ones are named with their
  successor, and standards that recent samplings were judged against are added
  with a note;
- **test items** — every item those standards specify (``SPECIFIES``), ranked by
  failed batches of the product in the lookback window (default 24 months up
  to the plan date), then by how many of the standards name the item; items
  that failed but no unified standard specifies are listed too and flagged,
  because the campaign cannot judge them;
- **institutions** in each province — from matching, through a function
  ``match_labs(topic, province=…)``; the topic is the product name and its three
  most-failed items;
- **experts** — through ``match_experts(topic)``;
- **records** — the samplings of the product in the window that justify it.

The plan exports as JSON (:meth:`CampaignPlan.to_dict`) and XLSX
(:func:`write_plan_xlsx`).
"""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field, is_dataclass
from pathlib import Path
from typing import Any

from graph.model import Kind, Rel, Sampling
from graph.recognition import months_before
from graph.sampling import YRD_PROVINCES, failed_items, read_samplings
from graph.store import GraphStore
from loaders.names import name_key

LabFinder = Callable[..., Sequence[Any]]  # match_labs(topic, province=…) → ranked labs
ExpertFinder = Callable[[str], Sequence[Any]]  # match_experts(topic) → ranked experts


@dataclass(frozen=True)
class PlanStandard:
    id: str
    title: str
    status: str
    note: str = ""


@dataclass(frozen=True)
class PlanItem:
    item: str
    failed_batches: int  # in the window
    standards: tuple[str, ...]  # unified standards that specify it
    in_standards: bool  # False: failed, but no unified standard specifies it


@dataclass
class CampaignPlan:
    product: str  # Product id
    product_name: str
    window: tuple[str, str]
    standards: list[PlanStandard]
    items: list[PlanItem]
    labs: dict[str, list[dict]]  # province → ranked institutions
    experts: list[dict]
    records: list[Sampling]
    topic: str
    notes: list[str] = field(default_factory=list)

    def summary(self) -> dict[str, Any]:
        by_prov = Counter(r.province for r in self.records)
        failed = [r for r in self.records if r.result == "fail"]
        return {
            "batches": len(self.records), "failed": len(failed),
            "by_province": {p: {"batches": by_prov[p], "failed": sum(r.province == p for r in failed)}
                            for p in sorted(by_prov)},
            "synthetic_records": sum(r.synthetic for r in self.records),
        }  # fmt: skip

    def to_dict(self) -> dict[str, Any]:
        return {
            "product": self.product, "product_name": self.product_name, "topic": self.topic,
            "window": {"from": self.window[0], "to": self.window[1]},
            "standards": [asdict(s) for s in self.standards], "items": [asdict(i) for i in self.items],
            "labs": self.labs, "experts": self.experts, "summary": self.summary(),
            "records": [{"id": r.id, "date": r.date, "province": r.province, "level": r.level,
                         "producer_name": r.producer_name, "result": r.result, "failed_items": list(r.failed_items),
                         "synthetic": r.synthetic} for r in self.records],
            "notes": self.notes,
        }  # fmt: skip


def _plain(hit: Any) -> dict:
    """A ranked lab/expert (dataclass, pydantic model or dict) as a small dict."""
    if is_dataclass(hit):
        d = asdict(hit)
    elif hasattr(hit, "model_dump"):
        d = hit.model_dump()
    else:
        d = dict(hit)
    keep = ("id", "name", "province", "city", "score", "tier", "affiliation_name", "conflict", "evidence_total")
    out = {k: d[k] for k in keep if k in d}
    if "evidence" in d:
        out["evidence"] = [
            {k: e.get(k, "") for k in ("object", "item", "method", "limits", "text", "target")
             if isinstance(e, dict) and e.get(k)}
            for e in list(d["evidence"])[:3]
        ]  # fmt: skip
    return out


def find_product(store: GraphStore, text: str) -> str | None:
    """Product id for an id, name or alias."""
    if store.get(Kind.PRODUCT, text) is not None:
        return text
    key = name_key(text)
    for p in sorted(store.nodes(Kind.PRODUCT), key=lambda n: ("catalogue" not in n.props.get("sources", []), n.id)):
        if key in {name_key(n) for n in [p.props.get("name", ""), *p.props.get("aliases", [])]}:
            return p.id
    return None


def plan_campaign(
    store: GraphStore,
    product: str,
    match_labs: LabFinder | None = None,
    match_experts: ExpertFinder | None = None,
    on: str = "",
    lookback_months: int = 24,
    provinces: Sequence[str] = YRD_PROVINCES,
    labs_per_province: int = 5,
    records: Sequence[Sampling] | None = None,
) -> CampaignPlan:
    """The joint campaign plan for ``product`` (id, name or alias) as of ``on`` (default: latest record or today)."""
    pid = find_product(store, product)
    if pid is None:
        raise LookupError(f"产品不在目录中 no product {product!r} in the catalogue")
    pnode = store.get(Kind.PRODUCT, pid)
    assert pnode is not None
    name = pnode.props.get("name", pid)
    all_recs = [r for r in (read_samplings(store) if records is None else records) if r.product == pid]
    end = on or max((r.date for r in all_recs), default="") or dt.date.today().isoformat()
    start = months_before(dt.date.fromisoformat(end), lookback_months).isoformat()
    recs = sorted((r for r in all_recs if start <= r.date <= end), key=lambda r: (r.date, r.id))
    notes: list[str] = []

    # standards: governing ones, current first; superseded ones point to their successor
    governs = [e.dst[1] for e in store.edges(Rel.GOVERNED_BY) if e.src == (Kind.PRODUCT, pid)]
    successor = {e.dst[1]: e.src[1] for e in store.edges(Rel.SUPERSEDES)}
    standards: list[PlanStandard] = []
    unified: list[str] = []
    todo = sorted(set(governs))
    while todo:
        sid = todo.pop(0)
        if sid in unified or any(s.id == sid for s in standards):
            continue
        node = store.get(Kind.STANDARD, sid)
        props = node.props if node else {}
        status = props.get("status", "unknown")
        if status in ("superseded", "withdrawn"):
            note = f"已被 {successor[sid]} 代替 replaced by {successor[sid]}" if sid in successor else "已作废 withdrawn"
            standards.append(PlanStandard(sid, props.get("title", ""), status, note))
            if sid in successor:
                todo.append(successor[sid])  # the current edition is the one to unify on
            continue
        unified.append(sid)
        standards.append(PlanStandard(sid, props.get("title", ""), status))
    used = Counter(s for r in recs for s in r.standards)
    for sid, n in used.most_common():
        if sid not in governs:
            node = store.get(Kind.STANDARD, sid)
            props = node.props if node else {}
            standards.append(PlanStandard(sid, props.get("title", ""), props.get("status", "unknown"),
                                          f"近期{n}批抽样的判定依据，不在产品目录中 judged in {n} recent batches"))
            if props.get("status") in ("superseded", "withdrawn"):
                notes.append(f"{n}批抽样仍按已代替的 {sid} 判定 ({n} batches judged by a superseded standard)")
    if not unified:
        notes.append("产品目录中没有现行标准 the catalogue names no current standard for this product")

    # items: what the unified standards specify, weighted by recent failures
    specified: dict[str, list[str]] = defaultdict(list)
    for e in store.edges(Rel.SPECIFIES):
        if e.src[1] in unified:
            specified[e.dst[1]].append(e.src[1])
    item_names = {n.id: n.props.get("name", n.id) for n in store.nodes(Kind.TEST_ITEM)}
    fails: Counter[str] = Counter()
    spelled: dict[str, str] = {}
    key_to_item = {name_key(item_names.get(i, i)): i for i in specified}
    for r in recs:
        for it in {i.item for i in failed_items(r)}:
            iid = key_to_item.get(name_key(it), it)
            fails[iid] += 1
            spelled.setdefault(iid, it)
    items = [PlanItem(item_names.get(i, i), fails[i], tuple(sorted(specified[i])), True) for i in specified]
    items += [PlanItem(spelled[i], n, (), False) for i, n in fails.items() if i not in specified]
    items.sort(key=lambda p: (-p.failed_batches, -len(p.standards), p.item))
    uncovered = [p.item for p in items if not p.in_standards]
    if uncovered:
        notes.append(f"不合格项目不在统一标准中: {'、'.join(uncovered)} (failing items no unified standard specifies)")

    top = [p.item for p in items if p.failed_batches][:3]
    topic = " ".join([name, *top])
    labs: dict[str, list[dict]] = {}
    if match_labs is not None:
        for prov in provinces:
            labs[prov] = [_plain(h) for h in list(match_labs(topic, province=prov))[:labs_per_province]]
            if not labs[prov]:
                notes.append(f"{prov} 没有具备该产品资质的检验机构 (no qualified institution in {prov})")
    else:
        notes.append("未提供机构匹配 no institution matching was given")
    experts = [_plain(h) for h in match_experts(topic)] if match_experts is not None else []
    if not recs:
        notes.append(f"{start}~{end} 没有该产品的抽样记录 (no sampling records in the window)")
    return CampaignPlan(pid, name, (start, end), standards, items, labs, experts, recs, topic, notes)


def matcher_functions(store: GraphStore, top_k: int = 10, matcher=None) -> tuple[LabFinder, ExpertFinder]:
    """``match_labs(topic, province=…)`` and ``match_experts(topic)`` over :class:`graph.matching.Matcher`
    (``matcher``, or a new one on ``store``)."""
    from graph.matching import Matcher, MatchQuery

    matcher = matcher or Matcher(store)

    def match_labs(topic: str, province: str = "") -> list:
        return matcher.match(MatchQuery(topic, province=province, top_k=top_k), experts=False).labs

    def match_experts(topic: str) -> list:
        return matcher.match(MatchQuery(topic, top_k=top_k), labs=False).experts

    return match_labs, match_experts


def write_plan_json(plan: CampaignPlan, path: Path) -> None:
    text = json.dumps(plan.to_dict(), ensure_ascii=False, indent=2)
    _atomic(path, lambda tmp: tmp.write_text(text, encoding="utf-8"))


def write_plan_xlsx(plan: CampaignPlan, path: Path) -> None:
    """Sheets 方案 (summary), 标准, 检验项目, 检验机构, 专家, 依据记录."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    wb = Workbook()
    ws = wb.active
    ws.title = "方案"
    s = plan.summary()
    for row in (
        ("产品 product", f"{plan.product_name} ({plan.product})"),
        ("统一判定标准 standards", "、".join(x.id for x in plan.standards if not x.note)),
        ("统计区间 window", f"{plan.window[0]} ~ {plan.window[1]}"),
        ("抽样批次 batches", s["batches"]), ("不合格批次 failed", s["failed"]),
        ("其中合成数据 synthetic records", s["synthetic_records"]),
        *(("说明 note", n) for n in plan.notes),
    ):  # fmt: skip
        ws.append(list(row))
    sheets = {
        "标准": (["标准号 id", "名称 title", "状态 status", "说明 note"],
                 [[x.id, x.title, x.status, x.note] for x in plan.standards]),
        "检验项目": (["检验项目 item", "近期不合格批次 failed batches", "规定该项目的标准 standards", "在统一标准中 in standards"],
                     [[i.item, i.failed_batches, "、".join(i.standards), "是" if i.in_standards else "否"]
                      for i in plan.items]),
        "检验机构": (["省份 province", "机构编号 id", "机构名称 name", "城市 city", "得分 score"],
                     [[p, h.get("id", ""), h.get("name", ""), h.get("city", ""), h.get("score", "")]
                      for p, hits in plan.labs.items() for h in hits]),
        "专家": (["编号 id", "姓名 name", "省份 province", "单位 affiliation", "得分 score"],
                 [[h.get("id", ""), h.get("name", ""), h.get("province", ""), h.get("affiliation_name", ""),
                   h.get("score", "")] for h in plan.experts]),
        "依据记录": (["记录编号 id", "抽样日期 date", "省份 province", "级别 level", "生产者 producer", "结论 result",
                      "不合格项目 failed items", "合成数据 synthetic"],
                     [[r.id, r.date, r.province, r.level, r.producer_name, r.result, "、".join(r.failed_items),
                       "是" if r.synthetic else "否"] for r in plan.records]),
    }  # fmt: skip
    for title, (header, rows) in sheets.items():
        sheet = wb.create_sheet(title)
        sheet.append(header)
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        for row in rows:
            sheet.append(row)
    _atomic(path, wb.save)


def _atomic(path: Path, write: Callable[[Path], object]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    try:
        write(tmp)
        tmp.replace(path)
    finally:
        tmp.unlink(missing_ok=True)
