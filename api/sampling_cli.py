"""``yrdq sampling load|check|signals|rates|plan`` — shared sampling results from the shell.

With ``--json`` each prints exactly what the API returns for the same request
(both go through :class:`api.sampling_service.SamplingService`).

Examples (after ``yrdq load``)::

    yrdq sampling load data/synthetic/samplings.csv ../shared/data/sampling_food
    yrdq sampling check --producer 苏州某某电器 --standard "GB 4706.18-2014" --trademark 某某 --model CH-4820
    yrdq sampling check --plan plan.xlsx --out plan-checked.xlsx
    yrdq sampling signals --all-provinces
    yrdq sampling plan 电线 --xlsx 电线-联合抽查方案.xlsx
"""

from __future__ import annotations

import argparse
import time
from collections import Counter
from pathlib import Path


from api.cli_common import print_json, settings_from
from api.sampling_schemas import PlannedIn
from api.sampling_service import SamplingService
from graph.campaign import write_plan_json, write_plan_xlsx
from graph.recognition import STATUS_ZH
from graph.risk import KIND_ORDER
from graph.stores import open_store

KIND_ZH = {"systemic": "系统性", "regional": "区域性", "emerging_rate": "苗头性(上升)", "emerging_item": "苗头性(新项目)",
           "repeat_offender": "重复不合格"}  # fmt: skip


def _service(args: argparse.Namespace) -> SamplingService:
    settings = settings_from(args)
    return SamplingService(open_store(settings), settings)


def cmd_load(args: argparse.Namespace) -> int:
    started = time.perf_counter()
    out = _service(args).load([Path(p) for p in args.paths])
    if args.json:
        print_json(out)
        return 0
    for k, v in out.summary.items():
        print(f"  {k:<28} {v:>8}")
    for r in out.rejected[:20]:
        print(f"rejected {r}")
    for n in out.notes:
        print(f"note: {n}")
    print(f"loaded in {time.perf_counter() - started:.1f} s")
    return 0


def cmd_check(args: argparse.Namespace) -> int:
    svc = _service(args)
    if args.plan:
        out = Path(args.out or Path(args.plan).with_name(Path(args.plan).stem + "-互认核查.xlsx"))
        rows = svc.check_file(Path(args.plan), out)
        counts = Counter(STATUS_ZH[r.answer.status] if r.answer else "无法读取" for r in rows)
        print(f"{len(rows)} 行 rows → {out}: " + ", ".join(f"{k} {v}" for k, v in counts.items()))
        return 0
    answer = svc.check(PlannedIn(producer=args.producer, credit_code=args.credit_code, standard=args.standard,
                                 trademark=args.trademark, model=args.model, date=args.date))  # fmt: skip
    if args.json:
        print_json(answer)
        return 0
    print(f"互认结论 {STATUS_ZH[answer.status]} ({answer.status})  窗口 {answer.window['from']} ~ {answer.window['to']}")
    print(answer.reason)
    for title, rows in (("依据记录 matches", answer.matches), ("相近记录 near-misses", answer.near_misses),
                        ("待核对 possible", answer.possible)):  # fmt: skip
        if rows:
            print(f"\n{title}:")
        for e in rows:
            diff = f"  ≠ {'; '.join(e.differences)}" if e.differences else ""
            print(f"  {e.id} {e.date} {e.authority or e.province} {e.producer_name} {e.trademark} {e.model} "
                  f"{'、'.join(e.standards)}{diff}")  # fmt: skip
    return 0


def cmd_signals(args: argparse.Namespace) -> int:
    out = _service(args).signals(args.all_provinces, not args.no_synthetic, args.kind, args.limit)
    if args.json:
        print_json(out)
        return 0
    print(f"范围 scope: {'、'.join(out.scope) or '全部省份'}; {out.records} 条记录 records")
    if out.excluded_sources:
        print(f"不计入不合格率（只公布不合格）: {out.excluded_sources}")
    for s in out.signals:
        print(f"[{KIND_ZH[s.kind]}] {s.summary}  ({len(s.record_ids)} 条记录)")
    if not out.signals:
        print("没有风险信号 no signals at these thresholds")
    print("\n不合格项目排名 failing items: " + ", ".join(f"{i.item} {i.failed_batches}" for i in out.items[:10]))
    return 0


def cmd_rates(args: argparse.Namespace) -> int:
    out = _service(args).rates(args.product, args.province, args.all_provinces, not args.no_synthetic, args.limit)
    if args.json:
        print_json(out)
        return 0
    for c in out.rates:
        print(f"{c.product:<16} {c.province:<10} {c.period:<8} {c.failed:>4}/{c.batches:<5} {100 * c.rate:5.1f}% "
              f"[{100 * c.ci[0]:.1f}%, {100 * c.ci[1]:.1f}%]")  # fmt: skip
    return 0


def cmd_plan(args: argparse.Namespace) -> int:
    plan, out = _service(args).plan(args.product, args.on, args.lookback_months)
    if args.xlsx:
        write_plan_xlsx(plan, Path(args.xlsx))
    if args.json_file:
        write_plan_json(plan, Path(args.json_file))
    if args.json:
        print_json(out)
        return 0
    s = out.summary
    print(f"联合抽查方案 joint campaign plan: {out.product_name} ({out.product})  {out.window['from']} ~ {out.window['to']}")
    print(f"依据 {s['batches']} 批抽样, {s['failed']} 批不合格 (合成数据 {s['synthetic_records']} 批)")
    print("统一标准: " + "; ".join(f"{x['id']} {x['title']}" + (f" [{x['note']}]" if x["note"] else "")
                                for x in out.standards))  # fmt: skip
    print("检验项目: " + "、".join(f"{i['item']}({i['failed_batches']})" + ("" if i["in_standards"] else "*")
                                for i in out.items))  # fmt: skip
    for prov, labs in out.labs.items():
        print(f"{prov}: " + ("; ".join(f"{h['name']} [{h['id']}]" for h in labs) or "无"))
    if out.experts:
        print("专家: " + "; ".join(f"{e['name']} ({e.get('province', '')})" for e in out.experts))
    for n in out.notes:
        print(f"说明: {n}")
    for path in (args.xlsx, args.json_file):
        if path:
            print(f"written {path}")
    return 0


def register(sub: argparse._SubParsersAction, common: argparse.ArgumentParser, out: argparse.ArgumentParser) -> None:
    """Add ``yrdq sampling …`` to the main parser."""
    p = sub.add_parser("sampling", help="shared sampling results: load, mutual recognition, risk signals, campaign plans")
    ss = p.add_subparsers(dest="sampling_cmd", required=True)
    s = ss.add_parser("load", parents=[common, out], help="load food-sampling folders or canonical samplings tables")
    s.add_argument("paths", nargs="+", help="a sampling_food folder/CSV, or samplings.csv / .xlsx in the canonical format")
    s.set_defaults(func=cmd_load)
    s = ss.add_parser("check", parents=[common, out], help="mutual recognition check of one planned sampling or a list")
    for name in ("producer", "credit-code", "standard", "trademark", "model"):
        s.add_argument(f"--{name}", default="")
    s.add_argument("--date", default="", help="planned date YYYY-MM-DD (default today)")
    s.add_argument("--plan", default="", help="a planned list (CSV/XLSX) to check row by row")
    s.add_argument("--out", default="", help="where to write the annotated XLSX (default: beside the plan)")
    s.set_defaults(func=cmd_check)
    s = ss.add_parser("signals", parents=[common, out], help="systemic, regional, emerging signals and repeat offenders")
    s.add_argument("--all-provinces", action="store_true", help="analyse every province, not only the four")
    s.add_argument("--no-synthetic", action="store_true", help="leave synthetic records out")
    s.add_argument("--kind", action="append", default=[], choices=KIND_ORDER)
    s.add_argument("--limit", type=int, default=50)
    s.set_defaults(func=cmd_signals)
    s = ss.add_parser("rates", parents=[common, out], help="failure rates by product × province × period")
    s.add_argument("--product", default="")
    s.add_argument("--province", default="")
    s.add_argument("--all-provinces", action="store_true")
    s.add_argument("--no-synthetic", action="store_true")
    s.add_argument("--limit", type=int, default=50)
    s.set_defaults(func=cmd_rates)
    s = ss.add_parser("plan", parents=[common, out], help="joint campaign plan (五统一) for a product")
    s.add_argument("product", help="product id, name or alias, e.g. 电线")
    s.add_argument("--on", default="", help="plan date YYYY-MM-DD (default: latest sampling of the product)")
    s.add_argument("--lookback-months", type=int, default=24)
    s.add_argument("--xlsx", default="", help="also write the plan as XLSX")
    s.add_argument("--json-file", default="", help="also write the plan as JSON")
    s.set_defaults(func=cmd_plan)
