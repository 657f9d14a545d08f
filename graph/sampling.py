"""Supervision sampling records (抽检批次) and how they enter the graph.

A :class:`~graph.model.Sampling` is one sampled batch with its result.  Its id
is a hash of the normalised *batch key* — organising authority, product,
producer, seller, production date or batch number, and notice date — so the
same batch read from two overlapping files, or posted twice to the API, is one
record.

In the graph a record links to what the store already knows:

- ``SAMPLED_PRODUCT`` → the catalogue :class:`Product` its name (or a category
  segment) names;
- ``PRODUCED_BY`` → the producer :class:`Enterprise` (created when new; id is the
  credit code, else the name key — the convention of the canonical loader);
- ``TESTED_BY`` → the :class:`Lab` whose name matches the testing institution;
- ``JUDGED_BY`` → each :class:`Standard` it was judged against;
- ``ORGANISED_IN`` → the province :class:`Region` of the organising authority.

Links are only made to nodes that exist, and an existing Enterprise is never
rewritten, so writing sampling records never changes the catalogue.

>>> rec = with_items(Sampling(id="S1", product_name="电线"), [FailedItem("导体电阻", "9.8", "≤7.41", "Ω/km")])
>>> rec.result, rec.failed_items, rec.failed_units
('fail', ('导体电阻',), ('Ω/km',))
>>> failed_items(rec)
[FailedItem(item='导体电阻', value='9.8', limit='≤7.41', unit='Ω/km')]
"""

from __future__ import annotations

import dataclasses
import hashlib
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from graph.model import Edge, Enterprise, Kind, Node, Rel, Sampling
from graph.store import GraphStore
from loaders.names import name_key, org_key

LEVELS = ("national", "provincial", "city", "county")
"""Sampling levels, highest first; ``""`` means the source does not say."""

LEVEL_ZH = {"national": "国家级", "provincial": "省级", "city": "市级", "county": "县级", "": "未知"}

RESULTS = ("pass", "fail")
RESULT_ZH = {"pass": "合格", "fail": "不合格"}

YRD_PROVINCES = ("上海市", "江苏省", "浙江省", "安徽省")
"""The four jurisdictions of the Yangtze River Delta (三省一市)."""

SYNTHETIC_SOURCE = "synthetic"


@dataclass(frozen=True, slots=True)
class FailedItem:
    """One failed test item of a batch: measured value against the limit."""

    item: str
    value: str = ""
    limit: str = ""
    unit: str = ""


def failed_items(rec: Sampling) -> list[FailedItem]:
    """The parallel failed-item lists of a record as :class:`FailedItem` rows."""

    def at(values: tuple[str, ...], i: int) -> str:
        return values[i] if i < len(values) else ""

    return [
        FailedItem(item, at(rec.failed_values, i), at(rec.failed_limits, i), at(rec.failed_units, i))
        for i, item in enumerate(rec.failed_items)
    ]


def with_items(rec: Sampling, items: Sequence[FailedItem]) -> Sampling:
    """The record with these failed items (duplicates dropped, order kept); any item makes it a failure."""
    unique = list(dict.fromkeys(items))
    return dataclasses.replace(
        rec,
        failed_items=tuple(i.item for i in unique),
        failed_values=tuple(i.value for i in unique),
        failed_limits=tuple(i.limit for i in unique),
        failed_units=tuple(i.unit for i in unique),
        result="fail" if unique else rec.result,
    )


_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def problems(rec: Sampling) -> list[str]:
    """What makes a record unfit to store (empty when it is fine).

    >>> problems(Sampling(id="S1", date="2022-01-05", product_name="电线", result="pass"))
    []
    >>> problems(Sampling(id="", date="5/1/2022", level="省", result="ok"))  # doctest: +NORMALIZE_WHITESPACE
    ['no id', 'date must be YYYY-MM-DD, not 5/1/2022', 'level must be one of national, provincial, city, county,
      not 省', 'result must be pass or fail, not ok', 'no product name or product id']
    """
    out = []
    if not rec.id:
        out.append("no id")
    for name in ("date", "notice_date", "production_date"):
        value = getattr(rec, name)
        if value and not _ISO_DATE.match(value):
            out.append(f"{name} must be YYYY-MM-DD, not {value}")
    if not rec.date:
        out.append("no sampling date")
    if rec.level and rec.level not in LEVELS:
        out.append(f"level must be one of {', '.join(LEVELS)}, not {rec.level}")
    if rec.result not in RESULTS:
        out.append(f"result must be pass or fail, not {rec.result or '(empty)'}")
    if not (rec.product_name or rec.product):
        out.append("no product name or product id")
    if rec.result == "pass" and rec.failed_items:
        out.append("a passed batch cannot have failed items")
    n = len(rec.failed_items)
    if any(len(v) not in (0, n) for v in (rec.failed_values, rec.failed_limits, rec.failed_units)):
        out.append("failed_values, failed_limits and failed_units must be as long as failed_items")
    if rec.credit_code and not CREDIT_CODE.match(rec.credit_code):
        out.append(f"credit_code {rec.credit_code} is not an 18-character unified social credit code")
    return out


def _part(text: str) -> str:
    """A batch-key part: width-folded, without any whitespace, case-folded."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text or "")).casefold()


def batch_key(
    authority: str, product_name: str, producer: str, seller: str, production: str, notice_date: str
) -> tuple[str, ...]:
    """The normalised identity of a sampled batch.

    >>> batch_key("国内监督抽查(江苏市场监管局)", "黄原胶 ", "某某公司 ", "", "2021-06-30", "2021-06-30") == \\
    ...     batch_key("国内监督抽查（江苏市场监管局）", "黄原胶", "某某公司", "", "2021-06-30", "2021-06-30")
    True
    """
    return tuple(_part(p) for p in (authority, product_name, producer, seller, production, notice_date))


def sampling_id(key: Sequence[str]) -> str:
    """Stable record id from a batch key: ``S`` + 16 hex digits of its SHA-1.

    >>> sampling_id(("a", "b"))
    'S687d61996b1c1278'
    """
    return "S" + hashlib.sha1("\x1f".join(key).encode("utf-8")).hexdigest()[:16]


CREDIT_CODE = re.compile(r"^[0-9A-HJ-NPQRTUWXY]{2}\d{6}[0-9A-HJ-NPQRTUWXY]{10}$")


def normalise_credit_code(text: str) -> str:
    """The 18-character unified social credit code, upper-cased; ``""`` when the text is not one.

    >>> normalise_credit_code(" 91320500ma1abcde2x ")
    '91320500MA1ABCDE2X'
    >>> normalise_credit_code("/")
    ''
    """
    code = re.sub(r"\s+", "", unicodedata.normalize("NFKC", text or "")).upper()
    return code if CREDIT_CODE.match(code) else ""


def enterprise_id(name: str, credit_code: str = "") -> str:
    """Enterprise node id: the credit code when known, else the name key (as the canonical loader does)."""
    return credit_code or name_key(name)


@dataclass
class LinkIndex:
    """What the store already holds that sampling records can link to."""

    products: dict[str, str]  # name key of a product name or alias → Product id
    labs: dict[str, str]  # org key of a lab name or alternative name → Lab id
    standards: set[str]  # Standard ids
    regions: dict[str, str]  # province name → Region id
    enterprises: set[str]  # Enterprise ids

    @classmethod
    def from_store(cls, store: GraphStore) -> LinkIndex:
        products: dict[str, str] = {}
        for p in sorted(store.nodes(Kind.PRODUCT), key=lambda n: ("catalogue" not in n.props.get("sources", []), n.id)):
            for name in [p.props.get("name", ""), *p.props.get("aliases", [])]:
                if name_key(name):
                    products.setdefault(name_key(name), p.id)  # catalogue products win a shared name
        labs: dict[str, str] = {}
        for lab in store.nodes(Kind.LAB):
            for name in (lab.props.get("name", ""), lab.props.get("alt_name", "")):
                if org_key(name):
                    labs.setdefault(org_key(name), lab.id)
        regions = {
            r.props.get("name", r.id): r.id for r in store.nodes(Kind.REGION) if r.props.get("level") == "province"
        }
        return cls(
            products=products,
            labs=labs,
            standards={s.id for s in store.nodes(Kind.STANDARD)},
            regions=regions,
            enterprises={e.id for e in store.nodes(Kind.ENTERPRISE)},
        )

    def product_of(self, rec: Sampling) -> str:
        """The Product id a record names: its own, else its product name, else its most specific category."""
        if rec.product:
            return rec.product
        for name in (rec.product_name, *reversed(rec.category_path)):
            pid = self.products.get(name_key(name))
            if pid:
                return pid
        return ""


def link(rec: Sampling, index: LinkIndex) -> Sampling:
    """The record with its product and producer ids filled in where they can be."""
    producer = rec.producer or (enterprise_id(rec.producer_name, rec.credit_code) if rec.producer_name else "")
    return dataclasses.replace(rec, product=index.product_of(rec), producer=producer)


def sampling_graph(records: Iterable[Sampling], index: LinkIndex) -> tuple[list[Node], list[Edge]]:
    """Nodes and edges for ``records`` (already :func:`link`-ed), linking only to nodes that exist."""
    nodes: dict[tuple[Kind, str], Node] = {}
    edges: dict[tuple, Edge] = {}

    def edge(src: tuple[Kind, str], rel: Rel, dst: tuple[Kind, str]) -> None:
        edges.setdefault((src, rel, dst), Edge(src, rel, dst))

    for rec in records:
        node = rec.to_node()
        nodes[node.key] = node
        if rec.product and rec.product in index.products.values():
            edge(node.key, Rel.SAMPLED_PRODUCT, (Kind.PRODUCT, rec.product))
        if rec.producer:
            ent = (Kind.ENTERPRISE, rec.producer)
            if rec.producer not in index.enterprises and ent not in nodes:
                nodes[ent] = Enterprise(rec.producer, name=rec.producer_name, credit_code=rec.credit_code).to_node()
            edge(node.key, Rel.PRODUCED_BY, ent)
        lab = index.labs.get(org_key(rec.institution)) if rec.institution else None
        if lab:
            edge(node.key, Rel.TESTED_BY, (Kind.LAB, lab))
        for std in rec.standards:
            for sid in (std, f"method:{std}"):  # methods are kept as written on the record
                if sid in index.standards:
                    edge(node.key, Rel.JUDGED_BY, (Kind.STANDARD, sid))
        region = index.regions.get(rec.province)
        if region:
            edge(node.key, Rel.ORGANISED_IN, (Kind.REGION, region))
    return list(nodes.values()), list(edges.values())


def write_samplings(store: GraphStore, records: Sequence[Sampling]) -> list[Sampling]:
    """Link and write records in one all-or-nothing store call; returns the records as written."""
    index = LinkIndex.from_store(store)
    linked = [link(r, index) for r in records]
    nodes, edges = sampling_graph(linked, index)
    store.write(nodes, edges)
    return linked


def read_samplings(store: GraphStore) -> list[Sampling]:
    """Every sampling record the store holds."""
    return [Sampling.from_node(n) for n in store.nodes(Kind.SAMPLING)]
