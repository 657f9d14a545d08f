"""Benchmark: load the full shared CNAS data into both stores, then time 200 mixed topic queries on each.

    .venv/bin/python bench/bench_matching.py [--cnas ../shared/data/cnas] [--queries 200] [--no-server]

Embedded store (networkx): load time, peak memory (RSS high-water mark of this
process), the graph's size and query latency p50 / p99 / max, next to a
baseline measured in the same run on the same topics: a plain scan of every
scope line for the topic's words (what a spreadsheet filter does), without
linking, ranking or explanation.

Server store (Neo4jStore over Bolt; skipped with ``--no-server``): an ArcadeDB
server is started by graph/arcadedb.py as the tests start it (no Neo4j server
can be installed here), the same files are loaded through the same pipeline,
then loaded again (which must change nothing: node and edge counts are printed
before and after), and the same topics run through the same Matcher. Prints
both stores' latency and their ratio, and checks that the two stores return
identical ranked results with identical explanations for every topic.
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import random
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path

import jieba

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from graph.arcadedb import ArcadeDBError, ArcadeDBServer  # noqa: E402
from graph.matching import Matcher, MatchQuery  # noqa: E402
from graph.model import Kind  # noqa: E402
from graph.nx_store import NetworkxStore  # noqa: E402
from graph.results import MatchResult  # noqa: E402
from loaders.pipeline import load  # noqa: E402
from loaders.report import LoadReport  # noqa: E402

# Topics as users type them: catalogue words, colloquial Chinese, English, standard numbers.
TYPED = [
    "电动自行车充电器 温升", "e-bike charger overheating", "电瓶车充电器 起火", "安全帽 冲击吸收性能", "头盔 耐穿刺",
    "电线 导体电阻", "electric wire conductor resistance", "童车 制动性能", "婴儿车 锁定装置", "校服 甲醛",
    "学生服 pH值", "school uniform formaldehyde", "压力容器 定期检验", "pressure vessel periodic inspection",
    "电梯 监督检验", "elevator inspection", "锅炉 定期检验", "建筑结构 检测", "桥梁 荷载试验", "玩具 小零件",
    "GB 2811-2019", "GB/T 5023.1", "TSG 21－2016", "gb4706.18", "家用电器 电气安全", "燃气 泄漏", "钢结构 焊缝",
    "消防设施 检测", "信息系统 安全等级测评", "矿产品 取样",
]  # fmt: skip


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def process_peak_mb(pid: int | None) -> float:
    """RSS high-water mark (VmHWM) of another process, e.g. the server's JVM; 0 when unknown."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except (OSError, ValueError):
        pass
    return 0.0


def make_topics(store: NetworkxStore, n: int, seed: int = 20261203) -> list[MatchQuery]:
    """``n`` topics: the typed ones, then object+item pairs, objects, items and standard numbers from the data."""
    rng = random.Random(seed)
    scopes = sorted(store.nodes(Kind.SCOPE), key=lambda s: s.id)
    standards = sorted(s.id for s in store.nodes(Kind.STANDARD) if s.props.get("kind") != "method")
    provinces = ["", "", "上海市", "江苏省", "浙江省", "安徽省"]
    topics = list(TYPED)
    while len(topics) < n:
        pick = rng.random()
        sc = rng.choice(scopes).props
        if pick < 0.4:
            topics.append(f"{sc.get('object', '')} {sc.get('item', '')[:12]}".strip())
        elif pick < 0.6:
            topics.append(sc.get("object", ""))
        elif pick < 0.8:
            topics.append(sc.get("item", "")[:12] or sc.get("object", ""))
        else:
            number = rng.choice(standards)
            topics.append(number.replace(" ", "") if rng.random() < 0.5 else number.replace("-", "－"))
    return [MatchQuery(t, province=rng.choice(provinces)) for t in topics[:n]]


def baseline_scan(scopes: list[dict], labs: dict[str, dict], q: MatchQuery) -> list[str]:
    """Labs with a scope line containing any word of the topic, most lines first."""
    words = [w for w in jieba.cut_for_search(q.topic) if len(w.strip()) >= 2]
    counts: dict[str, int] = {}
    for s in scopes:
        text = f"{s.get('object', '')} {s.get('item', '')} {s.get('method', '')} {s.get('standard_title', '')}"
        if any(w in text for w in words):
            lab = labs.get(s.get("lab", ""), {})
            if not q.province or lab.get("province") == q.province:
                counts[s.get("lab", "")] = counts.get(s.get("lab", ""), 0) + 1
    return sorted(counts, key=lambda k: -counts[k])[:10]


def pct(values: list[float], p: float) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[int(p) - 1] if len(values) > 1 else values[0]


def timed(fn, queries, results: list | None = None) -> list[float]:
    out = []
    for q in queries:
        t = time.perf_counter()
        r = fn(q)
        out.append((time.perf_counter() - t) * 1000)
        if results is not None:
            results.append(r)
    return out


def first_difference(a: object, b: object, path: str = "") -> str:
    """Where two results first differ, e.g. ``labs[3].score: 36.0 != 35.0`` ('' when equal)."""
    if isinstance(a, dict) and isinstance(b, dict):
        for k in sorted(a.keys() | b.keys(), key=str):
            found = first_difference(a.get(k), b.get(k), f"{path}.{k}" if path else str(k))
            if found:
                return found
        return ""
    if isinstance(a, (list, tuple)) and isinstance(b, (list, tuple)):
        for i, (x, y) in enumerate(zip(a, b)):
            found = first_difference(x, y, f"{path}[{i}]")
            if found:
                return found
        return f"{path}: {len(a)} != {len(b)} entries" if len(a) != len(b) else ""
    return "" if a == b else f"{path}: {a!r} != {b!r}"


def graph_size(counts: dict[str, int]) -> str:
    nodes = sum(n for k, n in counts.items() if k in Kind._value2member_map_)
    edges = sum(counts.values()) - nodes
    return f"{nodes} nodes, {edges} edges"


def summary(label: str, ms: list[float]) -> str:
    return f"{label:<28} p50 {pct(ms, 50):8.2f} ms   p99 {pct(ms, 99):8.2f} ms   max {max(ms):8.2f} ms"


def server_part(args: argparse.Namespace, cnas: Path, nx_counts: dict[str, int], queries: list[MatchQuery],
                nx_ms: list[float], nx_results: list[MatchResult]) -> None:
    """Load the same files into the Neo4j store on an ArcadeDB server, twice, and run the same topics on it."""
    import importlib.util

    import neo4j

    from graph.neo4j_store import Neo4jStore

    # the driver decodes Bolt in pure Python unless the optional neo4j-rust-ext package is installed
    codec = "Rust extension" if importlib.util.find_spec("neo4j._rust") else "pure Python"
    print(f"\nneo4j driver {neo4j.__version__}, Bolt decoding: {codec}")
    with ArcadeDBServer(heap=args.heap) as server:
        store: Neo4jStore = server.connect()  # schema: constraints, range indexes, full-text (ArcadeDB's own DDL)
        print(f"--- server store: Neo4jStore over Bolt on {server.bolt_uri} ({store.health().get('server', '?')}, "
              f"heap {args.heap}, ready in {server.start_seconds:.1f} s) ---")
        t = time.perf_counter()
        report = load([cnas], store, LoadReport())
        load_s = time.perf_counter() - t
        before = store.count()
        t = time.perf_counter()
        load([cnas], store, LoadReport())
        reload_s = time.perf_counter() - t
        after = store.count()
        print(f"rows read {report.totals()['read']}, rejected {report.totals()['rejected']}")
        print(f"load (read + merge with the store + derive + batched UNWIND/MERGE in one transaction): {load_s:.1f} s")
        print(f"re-load of the same files: {reload_s:.1f} s")
        print(f"counts after load:    {graph_size(before)}  {before}")
        print(f"counts after re-load: {graph_size(after)}  "
              + ("(unchanged)" if after == before else f"CHANGED: {after}"))
        print("same counts as the networkx store: " + ("yes" if after == nx_counts else f"NO: networkx {nx_counts}"))
        t = time.perf_counter()
        matcher = Matcher(store)
        print(f"build topic index from the server: {time.perf_counter() - t:.2f} s")

        neo_results: list[MatchResult] = []
        ms = timed(matcher.match, queries, neo_results)
        print(f"\n{len(queries)} topic queries on both stores, same topics, same Matcher:")
        print(summary("yrdq match (networkx)", nx_ms))
        print(summary("yrdq match (neo4j/Bolt)", ms))
        print(f"ratio neo4j / networkx: p50 {pct(ms, 50) / pct(nx_ms, 50):.1f}×, p99 {pct(ms, 99) / pct(nx_ms, 99):.1f}×, "
              f"max {max(ms) / max(nx_ms):.1f}×")
        mismatches = [(q, a, b) for q, a, b in zip(queries, nx_results, neo_results) if a != b]
        print(f"parity: {len(mismatches)} of {len(queries)} topics differ between the stores "
              "(ranked labs and experts, scores, tiers, evidence, links, reasons)")
        if mismatches:
            q, a, b = mismatches[0]
            print(f"  first: {q.topic!r} province {q.province or '-'}: "
                  f"{first_difference(dataclasses.asdict(a), dataclasses.asdict(b))}  (networkx != neo4j)")
        print(f"peak RSS: this process {peak_rss_mb():.0f} MB; ArcadeDB server (JVM) {process_peak_mb(server.pid):.0f} MB")
        store.close()


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--cnas", default=str(REPO.parent / "shared" / "data" / "cnas"))
    ap.add_argument("--queries", type=int, default=200)
    ap.add_argument("--no-server", action="store_true", help="skip the server store (ArcadeDB over Bolt)")
    ap.add_argument("--heap", default="2g", help="Java heap of the ArcadeDB server (default 2g)")
    args = ap.parse_args()
    cnas = Path(args.cnas)
    if not cnas.exists():
        print(f"no CNAS data at {cnas}", file=sys.stderr)
        return 2
    print(f"machine: {os.cpu_count()} CPUs, load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    with tempfile.TemporaryDirectory() as tmp:
        rss0 = peak_rss_mb()
        t = time.perf_counter()
        store = NetworkxStore(tmp)
        report = load([cnas], store, LoadReport())
        load_s = time.perf_counter() - t
        rss_load = peak_rss_mb()
        size_mb = (Path(tmp) / "graph.json.gz").stat().st_size / 1e6
        t = time.perf_counter()
        reopened = NetworkxStore(tmp)
        reopen_s = time.perf_counter() - t
        t = time.perf_counter()
        matcher = Matcher(reopened)
        index_s = time.perf_counter() - t
        counts = reopened.count()
        print(f"CNAS data: {cnas}")
        print(f"rows read {report.totals()['read']}, rejected {report.totals()['rejected']}")
        print(f"graph: {counts.get('Lab', 0)} labs, {counts.get('Scope', 0)} scope lines, {counts.get('Expert', 0)} experts, "
              f"{counts.get('Product', 0)} products, {counts.get('Standard', 0)} standards, {counts.get('TestItem', 0)} items"
              f" ({graph_size(counts)})")  # fmt: skip
        print(f"load (read + merge + derive + atomic save): {load_s:.1f} s; graph file {size_mb:.1f} MB")
        print(f"reopen from disk: {reopen_s:.2f} s; build topic index: {index_s:.2f} s")
        print(f"peak RSS: {rss_load:.0f} MB after load (process start {rss0:.0f} MB)")

        queries = make_topics(reopened, args.queries)
        results: list[MatchResult] = []
        ms = timed(matcher.match, queries, results)
        scopes = [s.props for s in reopened.nodes(Kind.SCOPE)]
        labs = {lab.id: lab.props for lab in reopened.nodes(Kind.LAB)}
        base = timed(lambda q: baseline_scan(scopes, labs, q), queries)
        print(f"\n{len(queries)} topic queries (labs + experts, top 10, with explanations):")
        print(summary("yrdq match (networkx)", ms))
        print(summary("baseline: scan scope lines", base))
        print(f"ratio yrdq / baseline: p50 {pct(ms, 50) / pct(base, 50):.2f}×, p99 {pct(ms, 99) / pct(base, 99):.2f}×")
        print(f"peak RSS after queries: {peak_rss_mb():.0f} MB")
    if args.no_server:
        return 0
    try:
        server_part(args, cnas, counts, queries, ms, results)
    except ArcadeDBError as exc:
        print(f"server store skipped: {exc} (use --no-server to skip it on purpose)", file=sys.stderr)
        return 3
    return 0


if __name__ == "__main__":
    sys.exit(main())
