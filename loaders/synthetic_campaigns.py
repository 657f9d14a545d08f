"""A seeded generator of a SYNTHETIC joint-campaign sampling set (合成数据).

The five joint-campaign products have no public per-batch results, so this
makes a stand-in calibrated to the published totals — 2019 school uniforms: 243
batches, 233 passed; 2020 helmets, wire, e-bike chargers and children's
carriages: 772 batches, 59 failed — with failures on the test items that really
fail for those products.  The calibration is data: ``data/synthetic/calibration.json``
(totals, the invented split of the 2020 totals between products, standards,
models, test items with failure weights, limits and failing value ranges).

How a set is made (all draws from one ``random.Random(seed)``):

- each product gets its producers, each based in a province, with one or two
  trademarks and a failure propensity drawn from Beta(1, 6) — failures cluster
  on a few producers, as they do in real campaigns;
- each batch is a producer × model sampled in a province drawn from the
  calibration's weights, by that province's market-regulation bureau
  (provincial level), on a date in the campaign window;
- exactly the published number of batches fail, drawn without replacement in
  proportion to the producers' propensities; a failed batch fails one item (two
  in one case out of five), drawn by the items' weights, with a value from the
  item's failing range (qualitative items are written 不符合);
- a fifth of a producer's batches write its name differently (legal form dropped
  or a branch note added) and half omit its credit code, as real notices do.

Everything is labelled: producer, seller and institution names start with
合成样本 ("synthetic sample"), every record has ``synthetic=True`` and
``source="synthetic"``, credit codes start with ``Y9`` (no real registration
authority issues those), and ``data/synthetic/README.md`` says so.

Run ``python -m loaders.synthetic_campaigns`` to rewrite ``data/synthetic/samplings.csv``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import random
from dataclasses import dataclass
from pathlib import Path

from graph.model import Sampling
from graph.sampling import SYNTHETIC_SOURCE, FailedItem, with_items
from loaders.canonical_sampling import write_sampling_table

REPO = Path(__file__).resolve().parents[1]
CALIBRATION = REPO / "data" / "synthetic" / "calibration.json"
OUTPUT = REPO / "data" / "synthetic" / "samplings.csv"
DEFAULT_SEED = 20190901
PREFIX = "合成样本"

_CITIES = {
    "上海市": ["上海", "浦东", "闵行", "嘉定", "松江", "青浦"],
    "江苏省": ["苏州", "无锡", "常州", "南通", "扬州", "泰州", "宿迁", "徐州"],
    "浙江省": ["杭州", "宁波", "温州", "嘉兴", "湖州", "台州", "金华", "永康"],
    "安徽省": ["合肥", "芜湖", "安庆", "滁州", "阜阳", "六安", "宣城"],
}
_WORDS = ["恒达", "兴盛", "宏远", "华联", "永安", "金盾", "鑫源", "瑞丰", "康达", "天成", "安顺", "博远", "诚信", "利民",
          "佳美", "新星", "东升", "长城", "明辉", "正泰", "和润", "启航", "晨光", "立新"]  # fmt: skip
_TRADE = {"学生服": "服饰", "安全帽": "安全防护用品", "电线电缆": "电线电缆", "电动自行车充电器": "电子", "童车": "童车"}
_MARKS = ["安途", "卫士", "金盔", "康宁", "星宝", "贝乐", "小骑士", "启明", "蓝天", "恒泰", "天使", "乐途", "雄鹰", "晨星"]
_CODE_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_CODE_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
_BUREAU = {"上海市": "上海市市场监督管理局", "江苏省": "江苏省市场监督管理局", "浙江省": "浙江省市场监督管理局",
           "安徽省": "安徽省市场监督管理局"}  # fmt: skip


def credit_code(rng: random.Random) -> str:
    """A well-formed unified social credit code (GB 32100 check character) starting with ``Y9``.

    >>> code = credit_code(random.Random(1))
    >>> len(code), code[:2]
    (18, 'Y9')
    >>> from graph.sampling import normalise_credit_code
    >>> normalise_credit_code(code) == code
    True
    """
    digits = "".join(rng.choice("0123456789") for _ in range(6))
    body = "Y9" + digits + "".join(rng.choice(_CODE_CHARS) for _ in range(9))
    total = sum(_CODE_CHARS.index(c) * w for c, w in zip(body, _CODE_WEIGHTS))
    return body + _CODE_CHARS[(31 - total % 31) % 31]


@dataclass
class _Producer:
    name: str
    province: str
    city: str
    code: str
    marks: list[str]
    propensity: float


def _producers(rng: random.Random, product: str, n: int, weights: dict[str, float]) -> list[_Producer]:
    out, used = [], set()
    for _ in range(n):
        province = rng.choices(list(weights), list(weights.values()))[0]
        city = rng.choice(_CITIES[province])
        word = rng.choice(_WORDS)
        while (city, word) in used:
            city, word = rng.choice(_CITIES[province]), rng.choice(_WORDS)
        used.add((city, word))
        name = f"{PREFIX}{city}{word}{_TRADE[product]}有限公司"
        marks = rng.sample(_MARKS, rng.choice((1, 1, 2)))
        out.append(_Producer(name, province, city, credit_code(rng), marks, rng.betavariate(1, 6)))
    return out


def _spelling(rng: random.Random, p: _Producer) -> str:
    """The producer's name as one notice writes it: usually as registered, sometimes not."""
    roll = rng.random()
    if roll < 0.1:
        return p.name.removesuffix("有限公司")
    if roll < 0.2:
        return f"{p.name}({p.city}分公司)"
    return p.name


def _value(rng: random.Random, spec: dict) -> str:
    if "fail_values" in spec:
        return rng.choice(spec["fail_values"])
    if "fail_range" in spec:
        lo, hi = spec["fail_range"]
        digits = 3 if abs(hi) < 1 else 2 if abs(hi) < 20 else 1 if abs(hi) < 200 else 0
        return f"{rng.uniform(lo, hi):.{digits}f}"
    return "不符合"


def _date(rng: random.Random, start: str, end: str) -> dt.date:
    a, b = dt.date.fromisoformat(start), dt.date.fromisoformat(end)
    return a + dt.timedelta(days=rng.randrange((b - a).days + 1))


def generate(seed: int = DEFAULT_SEED, calibration: Path = CALIBRATION) -> list[Sampling]:
    """The synthetic records; the same seed and calibration always give the same records."""
    cal = json.loads(calibration.read_text(encoding="utf-8"))
    rng = random.Random(seed)
    weights: dict[str, float] = cal["provinces"]
    records: list[Sampling] = []
    for campaign in cal["campaigns"]:
        for spec in campaign["products"]:
            producers = _producers(rng, spec["product"], spec["producers"], weights)
            batches = []
            for _ in range(spec["batches"]):
                p = rng.choice(producers)
                batches.append((p, rng.choices(list(weights), list(weights.values()))[0]))
            failing = set()
            candidates = list(range(len(batches)))
            while len(failing) < spec["failed"]:  # exact count, weighted by propensity, without replacement
                i = rng.choices(candidates, [batches[j][0].propensity + 1e-3 for j in candidates])[0]
                failing.add(i)
                candidates.remove(i)
            std_sets, std_w = zip(*spec["standards"])
            item_w = [it["weight"] for it in spec["items"]]
            for i, (p, province) in enumerate(batches):
                day = _date(rng, campaign["from"], campaign["to"])
                notice = day + dt.timedelta(days=rng.randrange(30, 61))
                n = len(records) + 1
                rec = Sampling(
                    id=f"SYN-{campaign['year']}-{n:04d}", date=day.isoformat(), level="provincial",
                    authority=_BUREAU[province], province=province, product_name=rng.choice(spec["names"]),
                    product=spec["product"], producer_name=_spelling(rng, p),
                    credit_code=p.code if rng.random() < 0.5 else "",
                    seller=f"{PREFIX}{rng.choice(_CITIES[province])}{rng.choice(_WORDS)}商贸有限公司",
                    trademark=rng.choice(p.marks), model=rng.choice(spec["models"]),
                    batch_no=f"{day:%Y%m}{rng.randrange(1, 999):03d}",
                    standards=tuple(rng.choices(std_sets, std_w)[0]),
                    institution=f"{PREFIX}{province}产品质量检验机构", result="pass",
                    notice=f"{campaign['name']}结果公告(合成数据)", notice_date=notice.isoformat(),
                    source=SYNTHETIC_SOURCE, synthetic=True,
                )  # fmt: skip
                if i in failing:
                    specs = rng.choices(spec["items"], item_w, k=2 if rng.random() < 0.2 else 1)
                    items = [FailedItem(s["item"], _value(rng, s), s["limit"], s["unit"]) for s in specs]
                    rec = with_items(rec, items)
                records.append(rec)
    return records


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="Write the SYNTHETIC joint-campaign sampling set (canonical CSV).")
    ap.add_argument("--seed", type=int, default=DEFAULT_SEED)
    ap.add_argument("--calibration", type=Path, default=CALIBRATION)
    ap.add_argument("--out", type=Path, default=OUTPUT)
    args = ap.parse_args(argv)
    records = generate(args.seed, args.calibration)
    write_sampling_table(records, args.out)
    failed = sum(r.result == "fail" for r in records)
    print(f"{len(records)} synthetic records ({failed} failed) written to {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
