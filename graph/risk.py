"""Risk signals from shared sampling results: systemic, regional, emerging, repeat offenders.

Everything is computed over a *scope* of provinces (by default the four of the
region) from the records whose organising authority sits in one of them;
national samplings have no province and only enter the item ranking.

- **Failure rate** of a cell (product × province × period) = failed batches /
  batches, with a Wilson score interval (good for small counts and rates near 0).
- **Rates need passes too.** Some sources publish failures only (the 食安通 feed
  of the food data lists only 不合格 batches); a rate over them would be 100 %.
  A source with at least ``min_batches`` records and no passed batch is
  *failures-only*: its records are left out of every rate (they still count for
  failing items, new items and repeat offenders) and the result says so.
- **Product** of a record: its catalogue Product id when linked, else the most
  specific category (``蛋及蛋制品-->鲜蛋`` → ``鲜蛋``), else its name.
- **Systemic** (系统性): in a period, the product's Wilson lower bound exceeds
  the *regional baseline* — the failure rate of all products in the scope in
  that period — in at least ``systemic_min_provinces`` provinces, and in more
  than half of the provinces with at least ``min_batches`` batches of it.
- **Regional** (区域性): one province's failure rate of a product is above the
  rest of the scope's, by a one-sided Fisher exact test (exact for the small
  counts of sampling data, where a z-test is unreliable) with ``p < alpha``, and
  the province has at least ``min_failures`` failed batches.
- **Emerging** (苗头性): (a) the product's failure rate in the scope rose from
  the previous period to this one (one-sided Fisher, ``p < alpha``, at least
  ``min_failures`` failures now); (b) a test item failed for the product that
  never failed for it in any earlier period, although the product was sampled
  at least ``min_batches`` times before.
- **Repeat offenders**: producers (credit code, else organisation-name key) with
  failed batches in at least ``repeat_min_provinces`` provinces.

Each signal carries its numbers and the ids of the records behind it.  Many
cells are tested at once, so at ``alpha = 0.05`` about one cell in twenty with
no real difference can still signal: read signals as leads to check.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from statistics import NormalDist

from graph.model import Sampling
from graph.sampling import YRD_PROVINCES, failed_items
from loaders.names import name_key, org_key

PERIODS = ("year", "half", "quarter", "month")


@dataclass(frozen=True)
class RiskThresholds:
    """Thresholds of the risk signals; the defaults are the documented settings (graph/settings.py)."""

    period: str = "year"  # year | half | quarter | month
    confidence: float = 0.95  # of the Wilson intervals
    min_batches: int = 10  # batches a cell needs before its rate is compared
    min_failures: int = 2  # failed batches a systemic/regional/rising signal needs
    alpha: float = 0.05  # significance of the Fisher tests
    systemic_min_provinces: int = 3  # provinces above the baseline for a systemic signal
    repeat_min_provinces: int = 2  # provinces a producer must have failed in
    provinces: tuple[str, ...] = YRD_PROVINCES  # the scope; () = every province in the data

    @classmethod
    def from_settings(cls, settings, provinces: tuple[str, ...] | None = None) -> RiskThresholds:
        return cls(
            period=settings.risk_period, confidence=settings.risk_confidence, min_batches=settings.risk_min_batches,
            min_failures=settings.risk_min_failures, alpha=settings.risk_alpha,
            systemic_min_provinces=settings.risk_systemic_min_provinces,
            repeat_min_provinces=settings.risk_repeat_min_provinces,
            provinces=YRD_PROVINCES if provinces is None else provinces,
        )  # fmt: skip


# -- statistics ---------------------------------------------------------------


def wilson(k: int, n: int, confidence: float = 0.95) -> tuple[float, float]:
    """Wilson score interval of ``k`` successes in ``n`` trials.

    >>> [round(x, 4) for x in wilson(2, 10)]
    [0.0567, 0.5098]
    >>> wilson(0, 0)
    (0.0, 1.0)
    """
    if n == 0:
        return (0.0, 1.0)
    z = NormalDist().inv_cdf(1 - (1 - confidence) / 2)
    p = k / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    # The bounds are exactly 0 and 1 at the ends; the formula leaves rounding dust there.
    return (0.0 if k == 0 else max(0.0, centre - half), 1.0 if k == n else min(1.0, centre + half))


def fisher_greater(k1: int, n1: int, k2: int, n2: int) -> float:
    """One-sided Fisher exact p-value that group 1's rate (k1/n1) exceeds group 2's (k2/n2).

    >>> round(fisher_greater(8, 10, 1, 10), 4)
    0.0027
    >>> fisher_greater(0, 10, 5, 10)
    1.0
    """
    total, fails = n1 + n2, k1 + k2
    denom = math.comb(total, n1)
    p = sum(math.comb(fails, x) * math.comb(total - fails, n1 - x) for x in range(k1, min(fails, n1) + 1))
    return min(1.0, p / denom)


# -- grouping -----------------------------------------------------------------


def period_of(date: str, period: str = "year") -> str:
    """The period label of an ISO date.

    >>> [period_of("2022-08-03", p) for p in PERIODS]
    ['2022', '2022H2', '2022Q3', '2022-08']
    """
    y, m = date[:4], int(date[5:7])
    labels = {"year": y, "half": f"{y}H{1 + (m - 1) // 6}", "quarter": f"{y}Q{1 + (m - 1) // 3}", "month": date[:7]}
    return labels[period]


def previous_period(label: str, period: str = "year") -> str:
    """The period just before ``label``.

    >>> previous_period("2022", "year"), previous_period("2022H1", "half"), previous_period("2022Q1", "quarter")
    ('2021', '2021H2', '2021Q4')
    >>> previous_period("2022-01", "month")
    '2021-12'
    """
    y = int(label[:4])
    if period == "year":
        return str(y - 1)
    if period == "month":
        m = int(label[5:7])
        return f"{y - 1}-12" if m == 1 else f"{y}-{m - 1:02d}"
    size = 2 if period == "half" else 4
    n = int(label[5:])
    return f"{y - 1}{label[4]}{size}" if n == 1 else f"{y}{label[4]}{n - 1}"


def product_of(rec: Sampling) -> str:
    """The product a record is counted under (see the module doc)."""
    return rec.product or (rec.category_path[-1] if rec.category_path else "") or rec.product_name


def producer_identity(rec: Sampling) -> str:
    return rec.credit_code or org_key(rec.producer_name)


def failures_only_sources(records: Iterable[Sampling], min_batches: int) -> dict[str, int]:
    """Sources with at least ``min_batches`` records and no passed batch, with their record counts."""
    total: Counter[str] = Counter()
    passed: Counter[str] = Counter()
    for r in records:
        total[r.source] += 1
        passed[r.source] += r.result == "pass"
    return {s: n for s, n in total.items() if n >= min_batches and passed[s] == 0}


# -- results ------------------------------------------------------------------


@dataclass(frozen=True)
class RateCell:
    product: str
    province: str
    period: str
    batches: int
    failed: int
    rate: float
    ci_low: float
    ci_high: float
    failed_ids: tuple[str, ...]

    def to_dict(self) -> dict:
        return {
            "product": self.product, "province": self.province, "period": self.period, "batches": self.batches,
            "failed": self.failed, "rate": round(self.rate, 4), "ci": [round(self.ci_low, 4), round(self.ci_high, 4)],
            "failed_ids": list(self.failed_ids),
        }  # fmt: skip


@dataclass(frozen=True)
class ItemCount:
    item: str  # the spelling seen most often
    failed_batches: int
    products: tuple[str, ...]
    provinces: tuple[str, ...]
    record_ids: tuple[str, ...]

    def to_dict(self) -> dict:
        return {"item": self.item, "failed_batches": self.failed_batches, "products": list(self.products),
                "provinces": list(self.provinces), "record_ids": list(self.record_ids)}  # fmt: skip


@dataclass(frozen=True)
class Signal:
    kind: str  # systemic | regional | emerging_rate | emerging_item | repeat_offender
    subject: str  # product, or producer for repeat offenders
    province: str  # "" when region-wide
    period: str
    summary: str  # Chinese first, English after
    numbers: dict = field(default_factory=dict)
    record_ids: tuple[str, ...] = ()
    strength: float = 0.0  # for ranking within a kind: larger is stronger

    def to_dict(self) -> dict:
        return {"kind": self.kind, "subject": self.subject, "province": self.province, "period": self.period,
                "summary": self.summary, "numbers": self.numbers, "record_ids": list(self.record_ids)}  # fmt: skip


@dataclass
class RiskReport:
    rates: list[RateCell]
    items: list[ItemCount]
    signals: list[Signal]
    excluded_sources: dict[str, int]  # failures-only sources left out of the rates
    records: int  # records in scope

    def by_kind(self, kind: str) -> list[Signal]:
        return [s for s in self.signals if s.kind == kind]

    def to_dict(self) -> dict:
        return {
            "records": self.records, "excluded_sources": self.excluded_sources,
            "signals": [s.to_dict() for s in self.signals], "items": [i.to_dict() for i in self.items],
            "rates": [c.to_dict() for c in self.rates],
        }  # fmt: skip


# -- analysis -----------------------------------------------------------------


@dataclass
class _Cell:
    batches: int = 0
    failed: list[str] = field(default_factory=list)

    def add(self, rec: Sampling) -> None:
        self.batches += 1
        if rec.result == "fail":
            self.failed.append(rec.id)


def in_scope(records: Iterable[Sampling], th: RiskThresholds) -> list[Sampling]:
    """Domestic records organised in a scope province (every province when the scope is empty)."""
    return [r for r in records if r.province and (not th.provinces or r.province in th.provinces)]


def failure_rates(records: Sequence[Sampling], th: RiskThresholds = RiskThresholds()) -> list[RateCell]:
    """Product × province × period rates over rate-eligible records in scope, largest rate first."""
    cells: dict[tuple[str, str, str], _Cell] = defaultdict(_Cell)
    excluded = failures_only_sources(records, th.min_batches)
    for r in in_scope(records, th):
        if r.source not in excluded:
            cells[(product_of(r), r.province, period_of(r.date, th.period))].add(r)
    out = []
    for (product, province, period), c in cells.items():
        lo, hi = wilson(len(c.failed), c.batches, th.confidence)
        out.append(RateCell(product, province, period, c.batches, len(c.failed), len(c.failed) / c.batches, lo, hi,
                            tuple(c.failed)))  # fmt: skip
    return sorted(out, key=lambda c: (-c.rate, -c.batches, c.product, c.province, c.period))


def ranked_items(records: Iterable[Sampling], product: str | None = None) -> list[ItemCount]:
    """Failing test items ranked by failed batches (item names merged by name key)."""
    ids: dict[str, list[str]] = defaultdict(list)
    spellings: dict[str, Counter[str]] = defaultdict(Counter)
    products: dict[str, set[str]] = defaultdict(set)
    provinces: dict[str, set[str]] = defaultdict(set)
    for r in records:
        if r.result != "fail" or (product and product_of(r) != product):
            continue
        for key, item in {name_key(i.item): i.item for i in failed_items(r) if i.item}.items():
            ids[key].append(r.id)
            spellings[key][item] += 1
            products[key].add(product_of(r))
            if r.province:
                provinces[key].add(r.province)
    out = [ItemCount(spellings[k].most_common(1)[0][0], len(v), tuple(sorted(products[k])), tuple(sorted(provinces[k])),
                     tuple(v)) for k, v in ids.items()]  # fmt: skip
    return sorted(out, key=lambda i: (-i.failed_batches, i.item))


def _pct(x: float) -> str:
    return f"{100 * x:.1f}%"


def systemic_and_regional(records: Sequence[Sampling], th: RiskThresholds) -> list[Signal]:
    excluded = failures_only_sources(records, th.min_batches)
    scoped = [r for r in in_scope(records, th) if r.source not in excluded]
    baseline: dict[str, _Cell] = defaultdict(_Cell)
    cells: dict[tuple[str, str], dict[str, _Cell]] = defaultdict(lambda: defaultdict(_Cell))
    for r in scoped:
        period = period_of(r.date, th.period)
        baseline[period].add(r)
        cells[(product_of(r), period)][r.province].add(r)
    out: list[Signal] = []
    for (product, period), by_prov in sorted(cells.items()):
        base = baseline[period]
        base_rate = len(base.failed) / base.batches
        sized = {p: c for p, c in by_prov.items() if c.batches >= th.min_batches}
        above = {}
        for p, c in sorted(sized.items()):
            lo, hi = wilson(len(c.failed), c.batches, th.confidence)
            if lo > base_rate and len(c.failed) >= th.min_failures:
                above[p] = (c, lo, hi)
        if len(above) >= th.systemic_min_provinces and len(above) > len(sized) / 2:
            numbers = {"baseline": round(base_rate, 4), "baseline_batches": base.batches,
                       "provinces_with_data": len(sized),
                       "provinces": {p: {"batches": c.batches, "failed": len(c.failed),
                                         "rate": round(len(c.failed) / c.batches, 4),
                                         "ci": [round(lo, 4), round(hi, 4)]}
                                     for p, (c, lo, hi) in above.items()}}  # fmt: skip
            names = "、".join(above)
            out.append(Signal(
                "systemic", product, "", period,
                f"系统性风险：{period} {product} 在{len(above)}个省份（{names}）不合格率高于区域基线 {_pct(base_rate)}。"
                f" Systemic: {product} fails above the regional baseline in {len(above)} of {len(sized)} provinces.",
                numbers, tuple(i for c, _, _ in above.values() for i in c.failed),
                strength=sum(lo - base_rate for _, lo, _ in above.values()),
            ))  # fmt: skip
        for p, c in sorted(sized.items()):
            rest_n = sum(o.batches for q, o in by_prov.items() if q != p)
            rest_k = sum(len(o.failed) for q, o in by_prov.items() if q != p)
            k = len(c.failed)
            if k < th.min_failures or rest_n < th.min_batches:
                continue
            pval = fisher_greater(k, c.batches, rest_k, rest_n)
            if pval < th.alpha:
                rate, rest_rate = k / c.batches, rest_k / rest_n
                lo, hi = wilson(k, c.batches, th.confidence)
                out.append(Signal(
                    "regional", product, p, period,
                    f"区域性风险：{period} {p} {product} 不合格率 {_pct(rate)}（{k}/{c.batches}），"
                    f"区域其他省份 {_pct(rest_rate)}（{rest_k}/{rest_n}），p={pval:.3g}。"
                    f" Regional: {p} fails {product} more than the rest of the region.",
                    {"batches": c.batches, "failed": k, "rate": round(rate, 4), "ci": [round(lo, 4), round(hi, 4)],
                     "rest_batches": rest_n, "rest_failed": rest_k, "rest_rate": round(rest_rate, 4),
                     "p_value": pval},
                    tuple(c.failed), strength=-math.log10(max(pval, 1e-300)),
                ))  # fmt: skip
    return out


def emerging(records: Sequence[Sampling], th: RiskThresholds) -> list[Signal]:
    out: list[Signal] = []
    scoped = in_scope(records, th)
    excluded = failures_only_sources(records, th.min_batches)
    # (a) rising failure rate between adjacent periods, scope pooled
    cells: dict[tuple[str, str], _Cell] = defaultdict(_Cell)
    for r in scoped:
        if r.source not in excluded:
            cells[(product_of(r), period_of(r.date, th.period))].add(r)
    for (product, period), cur in sorted(cells.items()):
        prev_label = previous_period(period, th.period)
        prev = cells.get((product, prev_label))
        if prev is None or prev.batches < th.min_batches or cur.batches < th.min_batches:
            continue
        k1, k0 = len(cur.failed), len(prev.failed)
        if k1 < th.min_failures:
            continue
        pval = fisher_greater(k1, cur.batches, k0, prev.batches)
        if pval < th.alpha:
            r1, r0 = k1 / cur.batches, k0 / prev.batches
            out.append(Signal(
                "emerging_rate", product, "", period,
                f"苗头性风险：{product} 不合格率由 {prev_label} 的 {_pct(r0)}（{k0}/{prev.batches}）"
                f"升至 {period} 的 {_pct(r1)}（{k1}/{cur.batches}），p={pval:.3g}。"
                f" Emerging: the failure rate of {product} rose between {prev_label} and {period}.",
                {"previous_period": prev_label, "previous_batches": prev.batches, "previous_failed": k0,
                 "previous_rate": round(r0, 4), "batches": cur.batches, "failed": k1, "rate": round(r1, 4),
                 "p_value": pval},
                tuple(cur.failed), strength=-math.log10(max(pval, 1e-300)),
            ))  # fmt: skip
    # (b) an item failing for the first time for a product that was sampled before
    by_product: dict[str, list[Sampling]] = defaultdict(list)
    for r in scoped:
        by_product[product_of(r)].append(r)
    for product, recs in sorted(by_product.items()):
        periods = sorted({period_of(r.date, th.period) for r in recs})
        seen_items: set[str] = set()
        earlier = 0
        for period in periods:
            now = [r for r in recs if period_of(r.date, th.period) == period]
            new: dict[str, list[str]] = defaultdict(list)
            spelled: dict[str, str] = {}
            for r in now:
                for i in failed_items(r):
                    key = name_key(i.item)
                    if key and key not in seen_items:
                        new[key].append(r.id)
                        spelled.setdefault(key, i.item)
            if earlier >= th.min_batches:
                for key, ids in sorted(new.items()):
                    out.append(Signal(
                        "emerging_item", product, "", period,
                        f"苗头性风险：{period} {product} 首次出现不合格项目“{spelled[key]}”（{len(ids)}批），"
                        f"此前{earlier}批抽样从未在该项目不合格。"
                        f" Emerging: {spelled[key]} failed for {product} for the first time.",
                        {"item": spelled[key], "failed_batches": len(ids), "earlier_batches": earlier},
                        tuple(ids), strength=len(ids),
                    ))  # fmt: skip
            seen_items |= set(new)
            earlier += len(now)
    return out


def repeat_offenders(records: Sequence[Sampling], th: RiskThresholds) -> list[Signal]:
    """Producers whose failed batches come from at least ``repeat_min_provinces`` provinces."""
    fails: dict[str, list[Sampling]] = defaultdict(list)
    for r in in_scope(records, th):
        if r.result == "fail" and producer_identity(r):
            fails[producer_identity(r)].append(r)
    out = []
    for ident, recs in sorted(fails.items()):
        provinces = sorted({r.province for r in recs})
        if len(provinces) < th.repeat_min_provinces:
            continue
        # the spelling seen most often; on a tie the longest (the full registered name)
        name = max(Counter(r.producer_name for r in recs).items(), key=lambda kv: (kv[1], len(kv[0])))[0]
        items = sorted({i for r in recs for i in r.failed_items})
        products = sorted({product_of(r) for r in recs})
        out.append(Signal(
            "repeat_offender", name, "", f"{min(r.date for r in recs)}~{max(r.date for r in recs)}",
            f"重复不合格：{name} 在{len(provinces)}个省份（{'、'.join(provinces)}）共{len(recs)}批不合格。"
            f" Repeat offender: {name} failed {len(recs)} batches in {len(provinces)} provinces.",
            {"failed_batches": len(recs), "provinces": provinces, "products": products, "items": items,
             "credit_code": recs[0].credit_code},
            tuple(r.id for r in recs), strength=len(provinces) * 100 + len(recs),
        ))  # fmt: skip
    return out


KIND_ORDER = ("systemic", "regional", "emerging_rate", "emerging_item", "repeat_offender")


def analyse(records: Sequence[Sampling], th: RiskThresholds = RiskThresholds()) -> RiskReport:
    """Rates, ranked items and every signal, strongest first within each kind."""
    signals = systemic_and_regional(records, th) + emerging(records, th) + repeat_offenders(records, th)
    signals.sort(key=lambda s: (KIND_ORDER.index(s.kind), -s.strength, s.period, s.subject, s.province))
    scoped = in_scope(records, th)
    excluded = failures_only_sources(records, th.min_batches)
    return RiskReport(
        rates=failure_rates(records, th),
        items=ranked_items(scoped),
        signals=signals,
        excluded_sources={s: n for s, n in excluded.items() if any(r.source == s for r in scoped)},
        records=len(scoped),
    )
