"""Shared sampling results behind the API and the ``yrdq sampling`` CLI: one place for both.

Records are read from the store once and kept with their recognition index;
every write goes to the store first (the store call returns only when the
write is durable) and then drops the cache, so a check made right after a
write sees it.
"""

from __future__ import annotations

import dataclasses
import threading
from collections.abc import Sequence
from pathlib import Path

from api.sampling_schemas import (
    CampaignOut,
    EvidenceOut,
    LoadOut,
    PlannedIn,
    RateOut,
    RatesOut,
    RecognitionOut,
    SamplingIn,
    SamplingList,
    SamplingOut,
    SignalsOut,
    WriteResult,
)
from api.service import BadRequest, NotFound
from graph.campaign import CampaignPlan, matcher_functions, plan_campaign
from graph.model import Kind, Sampling
from graph.recognition import (
    PlannedSampling,
    PlanRow,
    RecognitionIndex,
    RecognitionRules,
    check,
    check_plan,
    read_plan,
    write_annotated_xlsx,
)
from graph.risk import RiskThresholds, analyse, failure_rates
from graph.sampling import FailedItem, batch_key, failed_items, problems, read_samplings, sampling_id, with_items
from graph.sampling import write_samplings
from graph.settings import Settings
from graph.store import GraphStore
from loaders.authorities import parse_authority
from loaders.canonical_sampling import is_canonical_sampling, read_sampling_table
from loaders.food_sampling import food_files, load_food_sampling
from loaders.regions import province_of
from loaders.report import LoadReport


def to_record(body: SamplingIn) -> Sampling:
    """A validated record from a request body; the reason is a :class:`BadRequest` when it is unfit."""
    if body.result == "pass" and body.failed_items:
        raise BadRequest("a passed batch (result=pass) cannot have failed items")
    authority = parse_authority(body.authority)
    province = body.province and province_of(body.province)
    if body.province and not province:
        raise BadRequest(f"unknown province {body.province!r}")
    rec = Sampling(
        id=body.id.strip(), date=body.date, level=body.level or authority.level,
        authority=authority.name or body.authority.strip(), province=province or authority.province,
        product_name=body.product_name.strip(), product=body.product.strip(), category_path=tuple(body.category_path),
        producer_name=body.producer_name.strip(), credit_code=body.credit_code.strip().upper(),
        seller=body.seller.strip(), trademark=body.trademark.strip(), model=body.model.strip(),
        production_date=body.production_date, batch_no=body.batch_no.strip(), standards=tuple(body.standards),
        institution=body.institution.strip(), result=body.result, notice=body.notice.strip(),
        notice_date=body.notice_date, source=body.source.strip(), synthetic=body.synthetic,
    )  # fmt: skip
    rec = with_items(rec, [FailedItem(i.item.strip(), i.value, i.limit, i.unit) for i in body.failed_items])
    if not rec.id:
        key = batch_key(rec.authority, rec.product_name or rec.product, rec.producer_name, rec.seller,
                        rec.production_date or rec.batch_no, rec.notice_date or rec.date)  # fmt: skip
        rec = dataclasses.replace(rec, id=sampling_id(key))
    bad = problems(rec)
    if bad:
        raise BadRequest("; ".join(bad))
    return rec


def record_out(rec: Sampling) -> SamplingOut:
    d = dataclasses.asdict(rec)
    d["failed_items"] = [dataclasses.asdict(i) for i in failed_items(rec)]
    for k in ("failed_values", "failed_limits", "failed_units"):
        d.pop(k)
    return SamplingOut.model_validate(d)


class SamplingService:
    def __init__(self, store: GraphStore, settings: Settings, matcher=None) -> None:
        self.store, self.settings, self._matcher = store, settings, matcher
        self._lock = threading.Lock()
        self._records: dict[str, Sampling] | None = None
        self._index: RecognitionIndex | None = None

    # -- records -------------------------------------------------------------
    def records(self) -> dict[str, Sampling]:
        with self._lock:
            if self._records is None:
                self._records = {r.id: r for r in read_samplings(self.store)}
            return self._records

    def index(self) -> RecognitionIndex:
        records = self.records()
        with self._lock:
            if self._index is None:
                self._index = RecognitionIndex.build(records.values())
            return self._index

    def _changed(self) -> None:
        with self._lock:
            self._records, self._index = None, None

    def write(self, bodies: Sequence[SamplingIn]) -> WriteResult:
        """Validate all, then write all in one durable store call (nothing is written when one is bad)."""
        recs: list[Sampling] = []
        for n, body in enumerate(bodies):
            try:
                recs.append(to_record(body))
            except BadRequest as exc:
                raise BadRequest(f"record {n + 1}: {exc}") from exc
        return self._write(recs)

    def _write(self, recs: Sequence[Sampling]) -> WriteResult:
        unique = list({r.id: r for r in recs}.values())  # a batch repeating an id keeps the last
        known = self.records()
        created = sum(r.id not in known for r in unique)
        try:
            write_samplings(self.store, unique)
        finally:
            self._changed()
        return WriteResult(written=len(unique), created=created, updated=len(unique) - created,
                           ids=[r.id for r in recs])  # fmt: skip

    def get(self, id: str) -> SamplingOut:
        rec = self.records().get(id)
        if rec is None:
            raise NotFound(f"no sampling record with id {id!r}")
        return record_out(rec)

    def find(self, producer: str = "", product: str = "", province: str = "", result: str = "",
             limit: int = 50) -> SamplingList:  # fmt: skip
        from loaders.names import org_key

        key = org_key(producer) if producer else ""
        prov = province_of(province) if province else ""
        if province and not prov:
            raise BadRequest(f"unknown province {province!r}")
        hits = [
            r for r in self.records().values()
            if (not key or org_key(r.producer_name) == key)
            and (not product or product in (r.product, r.product_name) or product in r.category_path)
            and (not prov or r.province == prov) and (not result or r.result == result)
        ]  # fmt: skip
        hits.sort(key=lambda r: (r.date, r.id), reverse=True)
        return SamplingList(total=len(hits), records=[record_out(r) for r in hits[:limit]])

    def load(self, paths: Sequence[Path]) -> LoadOut:
        """Load food-sampling folders/files or canonical ``samplings`` tables into the store."""
        report = LoadReport()
        recs: list[Sampling] = []
        summary: dict[str, int] = {}
        for path in paths:
            if not path.exists():
                raise FileNotFoundError(f"{path}: no such file or folder")
            if path.is_file() and (is_canonical_sampling(path) or path.suffix.lower() == ".xlsx"):
                got = read_sampling_table(path, report)
                recs += got
                summary["canonical_records"] = summary.get("canonical_records", 0) + len(got)
            elif food_files([path]):
                food = load_food_sampling([path], report)
                recs += food.records
                for k, v in food.summary().items():
                    summary[k] = summary.get(k, 0) + v
            else:
                raise ValueError(f"{path}: neither a food sampling folder nor a canonical samplings table")
        result = self._write(recs)
        summary.update(written=result.written, created=result.created, updated=result.updated,
                       rejected=len(report.rejected))  # fmt: skip
        return LoadOut(summary=summary, rejected=[str(r) for r in report.rejected[:100]], notes=report.notes)

    # -- mutual recognition ----------------------------------------------------
    def rules(self) -> RecognitionRules:
        return RecognitionRules.from_settings(self.settings)

    def check(self, plan: PlannedIn) -> RecognitionOut:
        answer = check(PlannedSampling(**plan.model_dump()), self.index(), self.rules())
        return _recognition_out(answer.to_dict())

    def check_file(self, path: Path, out: Path) -> list[PlanRow]:
        """Check a planned list (CSV/XLSX) and write it annotated as XLSX to ``out``."""
        try:
            header, rows = read_plan(path)
        except (ValueError, OSError) as exc:
            raise BadRequest(f"cannot read the planned list: {exc}") from exc
        if not rows:
            raise BadRequest("the planned list has no rows")
        check_plan(rows, self.index(), self.rules())
        write_annotated_xlsx(header, rows, out)
        return rows

    # -- risk ----------------------------------------------------------------
    def thresholds(self, all_provinces: bool = False) -> RiskThresholds:
        return RiskThresholds.from_settings(self.settings, () if all_provinces else None)

    def _risk_records(self, include_synthetic: bool) -> list[Sampling]:
        return [r for r in self.records().values() if include_synthetic or not r.synthetic]

    def signals(self, all_provinces: bool = False, include_synthetic: bool = True, kinds: Sequence[str] = (),
                limit: int = 50) -> SignalsOut:  # fmt: skip
        th = self.thresholds(all_provinces)
        rep = analyse(self._risk_records(include_synthetic), th)
        signals = [s for s in rep.signals if not kinds or s.kind in kinds]
        return SignalsOut.model_validate({
            "scope": list(th.provinces), "records": rep.records, "excluded_sources": rep.excluded_sources,
            "thresholds": dataclasses.asdict(th) | {"provinces": list(th.provinces)},
            "signals": [s.to_dict() for s in signals[:limit]], "items": [i.to_dict() for i in rep.items[:limit]],
        })  # fmt: skip

    def rates(self, product: str = "", province: str = "", all_provinces: bool = False,
              include_synthetic: bool = True, limit: int = 200) -> RatesOut:  # fmt: skip
        prov = province_of(province) if province else ""
        if province and not prov:
            raise BadRequest(f"unknown province {province!r}")
        cells = failure_rates(self._risk_records(include_synthetic), self.thresholds(all_provinces or bool(prov)))
        cells = [c for c in cells if (not product or c.product == product) and (not prov or c.province == prov)]
        return RatesOut(rates=[RateOut.model_validate(c.to_dict()) for c in cells[:limit]])

    # -- joint campaign ----------------------------------------------------------
    def plan(self, product: str, on: str = "", lookback_months: int = 24) -> tuple[CampaignPlan, CampaignOut]:
        match_labs, match_experts = matcher_functions(self.store, matcher=self._matcher)
        try:
            plan = plan_campaign(self.store, product, match_labs, match_experts, on=on,
                                 lookback_months=lookback_months, records=list(self.records().values()))  # fmt: skip
        except LookupError as exc:
            raise NotFound(str(exc)) from exc
        return plan, CampaignOut.model_validate(plan.to_dict())

    def count(self) -> int:
        return len(self.records()) if self._records is not None else len(self.store.nodes(Kind.SAMPLING))


def _recognition_out(d: dict) -> RecognitionOut:
    return RecognitionOut.model_validate(
        d | {k: [EvidenceOut.model_validate(e) for e in d[k]] for k in ("matches", "near_misses", "possible")}
    )
