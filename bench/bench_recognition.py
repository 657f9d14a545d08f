"""Figures for shared sampling results (issue 5), on the real food records.

Prints: the food load (rows, records, merged duplicates, time), the top risk
signals of the four provinces and of all provinces, and the time to check a
1,000-row planned list (XLSX in → annotated XLSX out) against the food records
plus the synthetic campaign set, and against an index 20× that size.

    .venv/bin/python bench/bench_recognition.py [--data ../shared/data/sampling_food] [--rows 1000]
"""

from __future__ import annotations

import argparse
import dataclasses
import random
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from openpyxl import Workbook  # noqa: E402

from graph.model import Sampling  # noqa: E402
from graph.recognition import RecognitionIndex, check_plan, read_plan, write_annotated_xlsx  # noqa: E402
from graph.risk import KIND_ORDER, RiskThresholds, analyse  # noqa: E402
from loaders.canonical_sampling import read_sampling_table  # noqa: E402
from loaders.food_sampling import load_food_sampling  # noqa: E402
from loaders.synthetic_campaigns import OUTPUT as SYNTHETIC  # noqa: E402


def planned_rows(food: list[Sampling], synthetic: list[Sampling], n: int, rng: random.Random) -> list[list[str]]:
    """A plan mixing re-samplings of synthetic batches (some inside the 6-month window, some spelled
    differently), real food producers with a brand and model, and producers nobody sampled."""
    rows = []
    named_food = [r for r in food if r.producer_name]
    for i in range(n):
        kind = i % 4
        if kind in (0, 1):
            r = rng.choice(synthetic)
            producer = r.producer_name.removesuffix("有限公司") if kind == 1 else r.producer_name
            day = (dt_from(r.date) + dt_delta(rng.randrange(0, 250))).isoformat()
            rows.append([producer, r.credit_code if kind == 0 else "", r.standards[0], r.trademark, r.model, day])
        elif kind == 2:
            r = rng.choice(named_food)
            rows.append([r.producer_name, "", "GB 2760-2014", "某品牌", "500g", r.date])
        else:
            rows.append([f"未抽过的企业{i}有限公司", "", "GB 2811-2019", "无名", "X-1", "2021-03-01"])
    return rows


def dt_from(iso: str):
    import datetime as dt

    return dt.date.fromisoformat(iso)


def dt_delta(days: int):
    import datetime as dt

    return dt.timedelta(days=days)


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", type=Path, default=REPO.parent / "shared" / "data" / "sampling_food")
    ap.add_argument("--rows", type=int, default=1000)
    args = ap.parse_args()
    if not args.data.exists():
        print(f"no food sampling data at {args.data}")
        return 1

    t = time.perf_counter()
    load = load_food_sampling([args.data])
    t_load = time.perf_counter() - t
    s = load.summary()
    print(f"food load: {s['rows_read']} rows read, {s['foreign_skipped']} RASFF rows skipped, {s['rejected']} rejected;"
          f" {s['records']} records ({s['failed_records']} failed), {s['duplicate_rows']} duplicate rows merged,"
          f" {s['records_from_several_files']} records from several files; {t_load:.2f} s")  # fmt: skip

    for label, provinces in (("four provinces (上海 江苏 浙江 安徽)", None), ("all provinces", ())):
        th = RiskThresholds() if provinces is None else RiskThresholds(provinces=provinces)
        t = time.perf_counter()
        rep = analyse(load.records, th)
        dt_risk = time.perf_counter() - t
        counts = Counter(sig.kind for sig in rep.signals)
        print(f"\nrisk, {label}: {rep.records} records in scope, rates exclude failures-only sources "
              f"{rep.excluded_sources}; {dict(counts)}; {dt_risk:.2f} s")
        for kind in KIND_ORDER:
            for sig in rep.by_kind(kind)[:3]:
                zh = sig.summary.split("。")[0]  # the Chinese sentence; the English one follows it
                print(f"  [{kind}] {zh}  ({len(sig.record_ids)} records)")
            if not counts[kind]:
                print(f"  [{kind}] none")
        print("  top failing items: " + ", ".join(f"{i.item} {i.failed_batches}" for i in rep.items[:5]))

    synthetic = read_sampling_table(SYNTHETIC)
    records = load.records + synthetic
    rng = random.Random(5)
    with tempfile.TemporaryDirectory() as tmp:
        plan_path, out_path = Path(tmp) / "plan.xlsx", Path(tmp) / "checked.xlsx"
        wb = Workbook()
        wb.active.append(["生产者", "统一社会信用代码", "判定依据", "商标", "规格型号", "计划抽样日期"])
        for row in planned_rows(load.records, synthetic, args.rows, rng):
            wb.active.append(row)
        wb.save(plan_path)

        for label, recs in (("food + synthetic", records), ("20× (scaled copies)", scaled(records, 20))):
            t = time.perf_counter()
            index = RecognitionIndex.build(recs)
            t_index = time.perf_counter() - t
            t = time.perf_counter()
            header, rows = read_plan(plan_path)
            t_read = time.perf_counter() - t
            t = time.perf_counter()
            check_plan(rows, index)
            t_check = time.perf_counter() - t
            t = time.perf_counter()
            write_annotated_xlsx(header, rows, out_path)
            t_write = time.perf_counter() - t
            status = Counter(r.answer.status if r.answer else "error" for r in rows)
            print(f"\nrecognition, {len(rows)}-row plan against {index.size} records ({label}):"
                  f" index {t_index:.2f} s, read XLSX {t_read:.2f} s, check {t_check:.3f} s"
                  f" ({1000 * t_check / len(rows):.3f} ms/row), write XLSX {t_write:.2f} s,"
                  f" total {t_read + t_check + t_write:.2f} s; {dict(status)}")  # fmt: skip
    return 0


def scaled(records: list[Sampling], times: int) -> list[Sampling]:
    """The records plus copies under other producer names: more records per lookup table, same plan."""
    out = list(records)
    for k in range(1, times):
        out += [dataclasses.replace(r, id=f"{r.id}~{k}", producer_name=f"{r.producer_name}{k}号") for r in records]
    return out


if __name__ == "__main__":
    raise SystemExit(main())
