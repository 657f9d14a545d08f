"""Benchmark: load the full shared CNAS data, then time 200 mixed topic queries.

    .venv/bin/python bench/bench_matching.py [--cnas ../shared/data/cnas] [--queries 200]

Prints load time, peak memory (RSS high-water mark of this process), the graph's
size and query latency p50 / p99 / max, next to a baseline measured in the same
run on the same topics: a plain scan of every scope line for the topic's words
(what a spreadsheet filter does), without linking, ranking or explanation.
"""

from __future__ import annotations

import argparse
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

from graph.matching import Matcher, MatchQuery  # noqa: E402
from graph.model import Kind  # noqa: E402
from graph.nx_store import NetworkxStore  # noqa: E402
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


def timed(fn, queries) -> list[float]:
    out = []
    for q in queries:
        t = time.perf_counter()
        fn(q)
        out.append((time.perf_counter() - t) * 1000)
    return out


def summary(label: str, ms: list[float]) -> str:
    return f"{label:<28} p50 {pct(ms, 50):8.2f} ms   p99 {pct(ms, 99):8.2f} ms   max {max(ms):8.2f} ms"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--cnas", default=str(REPO.parent / "shared" / "data" / "cnas"))
    ap.add_argument("--queries", type=int, default=200)
    args = ap.parse_args()
    cnas = Path(args.cnas)
    if not cnas.exists():
        print(f"no CNAS data at {cnas}", file=sys.stderr)
        return 2
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
              f"{counts.get('Product', 0)} products, {counts.get('Standard', 0)} standards, {counts.get('TestItem', 0)} items")  # fmt: skip
        print(f"load (read + merge + derive + atomic save): {load_s:.1f} s; graph file {size_mb:.1f} MB")
        print(f"reopen from disk: {reopen_s:.2f} s; build topic index: {index_s:.2f} s")
        print(f"peak RSS: {rss_load:.0f} MB after load (process start {rss0:.0f} MB)")

        queries = make_topics(reopened, args.queries)
        ms = timed(matcher.match, queries)
        scopes = [s.props for s in reopened.nodes(Kind.SCOPE)]
        labs = {lab.id: lab.props for lab in reopened.nodes(Kind.LAB)}
        base = timed(lambda q: baseline_scan(scopes, labs, q), queries)
        print(f"\n{len(queries)} topic queries (labs + experts, top 10, with explanations):")
        print(summary("yrdq match (networkx)", ms))
        print(summary("baseline: scan scope lines", base))
        print(f"ratio yrdq / baseline: p50 {pct(ms, 50) / pct(base, 50):.2f}×, p99 {pct(ms, 99) / pct(base, 99):.2f}×")
        print(f"peak RSS after queries: {peak_rss_mb():.0f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
