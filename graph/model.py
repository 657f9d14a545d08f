"""The domain model: node kinds, relationship types and their typed records.

Every node is stored the same way in both stores — a kind (the Neo4j label), a
stable string id and a flat map of properties — so that the embedded networkx
store and the Neo4j store hold exactly the same graph.  Property values are
restricted to what Neo4j can store (str, int, float, bool and lists of them);
dates are ISO strings (``YYYY-MM-DD``), which compare correctly as text in both
Python and Cypher.

The typed dataclasses below are the views the rest of the code works with:

>>> lab = Lab(id="IB0001", name="上海某检测中心", province="上海市", city="上海市")
>>> node = lab.to_node()
>>> node.kind, node.id, node.props["name"]
(<Kind.LAB: 'Lab'>, 'IB0001', '上海某检测中心')
>>> Lab.from_node(node) == lab
True
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, ClassVar, Self


class Kind(StrEnum):
    """Node kinds; the value is the Neo4j label."""

    REGION = "Region"
    CATEGORY = "Category"
    PRODUCT = "Product"
    STANDARD = "Standard"
    TEST_ITEM = "TestItem"
    HAZARD = "Hazard"
    ENTERPRISE = "Enterprise"
    LAB = "Lab"
    SCOPE = "Scope"
    EXPERT = "Expert"
    SAMPLING = "Sampling"


class Rel(StrEnum):
    """Relationship types; the value is the Neo4j relationship type."""

    IN_REGION = "IN_REGION"  # Region(city) → Region(province); Lab/Expert/Enterprise → Region
    IN_CATEGORY = "IN_CATEGORY"  # Product → Category
    HAS_SCOPE = "HAS_SCOPE"  # Lab → Scope (one accredited scope line)
    COVERS_PRODUCT = "COVERS_PRODUCT"  # Scope → Product (the inspected object)
    COVERS_ITEM = "COVERS_ITEM"  # Scope → TestItem
    USES_STANDARD = "USES_STANDARD"  # Scope → Standard (the method it is accredited for)
    SPECIALISES_IN = "SPECIALISES_IN"  # Expert → Product | TestItem | Standard {text}
    AFFILIATED_WITH = "AFFILIATED_WITH"  # Expert → Lab | Enterprise
    GOVERNED_BY = "GOVERNED_BY"  # Product → Standard
    SPECIFIES = "SPECIFIES"  # Standard → TestItem
    ADDRESSES = "ADDRESSES"  # TestItem → Hazard
    HAS_HAZARD = "HAS_HAZARD"  # Product → Hazard
    SUPERSEDES = "SUPERSEDES"  # Standard(newer) → Standard(older)
    SAMPLED_PRODUCT = "SAMPLED_PRODUCT"  # Sampling → Product
    PRODUCED_BY = "PRODUCED_BY"  # Sampling → Enterprise (the producer)
    TESTED_BY = "TESTED_BY"  # Sampling → Lab (the testing institution)
    JUDGED_BY = "JUDGED_BY"  # Sampling → Standard (judged against)
    ORGANISED_IN = "ORGANISED_IN"  # Sampling → Region (province of the organising authority)


Props = Mapping[str, Any]


@dataclass(frozen=True, slots=True)
class Node:
    kind: Kind
    id: str
    props: Props = field(default_factory=dict)

    @property
    def key(self) -> tuple[Kind, str]:
        return (self.kind, self.id)

    @property
    def name(self) -> str:
        return str(self.props.get("name") or self.props.get("title") or self.id)


@dataclass(frozen=True, slots=True)
class Edge:
    src: tuple[Kind, str]
    type: Rel
    dst: tuple[Kind, str]
    props: Props = field(default_factory=dict)

    @property
    def key(self) -> tuple[tuple[Kind, str], Rel, tuple[Kind, str]]:
        return (self.src, self.type, self.dst)


def clean_props(props: Mapping[str, Any]) -> dict[str, Any]:
    """Drop empty values so that both stores hold identical property maps.

    >>> clean_props({"a": "x", "b": None, "c": "", "d": [], "e": 0})
    {'a': 'x', 'e': 0}
    """
    out: dict[str, Any] = {}
    for k, v in props.items():
        if v is None or v == "" or (isinstance(v, (list, tuple)) and not v):
            continue
        out[k] = list(v) if isinstance(v, tuple) else v
    return out


def valid_on(props: Mapping[str, Any], day: str) -> bool:
    """Whether a record with ``valid_from`` / ``valid_to`` (ISO dates, either may be empty) is valid on ``day``.

    >>> valid_on({"valid_from": "2019-01-01", "valid_to": "2025-01-01"}, "2025-01-01"), valid_on({}, "2030-01-01")
    (True, True)
    """
    start, end = props.get("valid_from", ""), props.get("valid_to", "")
    return (not start or start <= day) and (not end or day <= end)


@dataclass(frozen=True)
class Record:
    """Base of the typed node records; subclasses set ``KIND``."""

    KIND: ClassVar[Kind]
    id: str

    def to_node(self) -> Node:
        props = {f.name: getattr(self, f.name) for f in dataclasses.fields(self) if f.name != "id"}
        return Node(self.KIND, self.id, clean_props(props))

    @classmethod
    def from_node(cls, node: Node) -> Self:
        names = {f.name for f in dataclasses.fields(cls)}
        values = {k: (tuple(v) if isinstance(v, list) else v) for k, v in node.props.items() if k in names}
        return cls(id=node.id, **values)


@dataclass(frozen=True)
class Region(Record):
    KIND: ClassVar[Kind] = Kind.REGION
    name: str = ""
    level: str = ""  # province | city | district
    province: str = ""
    in_yrd: bool = False


@dataclass(frozen=True)
class Category(Record):
    KIND: ClassVar[Kind] = Kind.CATEGORY
    name: str = ""
    name_en: str = ""
    keywords: tuple[str, ...] = ()  # words that place a product name into this category


@dataclass(frozen=True)
class Product(Record):
    KIND: ClassVar[Kind] = Kind.PRODUCT
    name: str = ""
    name_en: str = ""
    aliases: tuple[str, ...] = ()
    category: str = ""  # Category id
    sources: tuple[str, ...] = ()  # catalogue | cnas-object | …


@dataclass(frozen=True)
class Standard(Record):
    """A standard edition; ``id`` is the normalised number with year, e.g. ``GB 2811-2019``."""

    KIND: ClassVar[Kind] = Kind.STANDARD
    number: str = ""
    base_number: str = ""  # number without the year: ``GB 2811``
    year: int | None = None
    kind: str = ""  # GB | GB/T | GB/Z | industry | local | group | enterprise | international | method
    title: str = ""
    status: str = "unknown"  # current | superseded | withdrawn | unknown


@dataclass(frozen=True)
class TestItem(Record):
    KIND: ClassVar[Kind] = Kind.TEST_ITEM
    __test__: ClassVar[bool] = False  # not a pytest test class
    name: str = ""
    name_en: str = ""
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True)
class Hazard(Record):
    KIND: ClassVar[Kind] = Kind.HAZARD
    name: str = ""
    name_en: str = ""
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True)
class Enterprise(Record):
    KIND: ClassVar[Kind] = Kind.ENTERPRISE
    name: str = ""
    credit_code: str = ""
    province: str = ""
    city: str = ""


@dataclass(frozen=True)
class Lab(Record):
    """A testing or inspection institution; ``id`` is its accreditation number."""

    KIND: ClassVar[Kind] = Kind.LAB
    name: str = ""
    alt_name: str = ""
    body_type: str = "inspection"  # inspection | pt_provider | rm_producer | laboratory
    body_class: str = ""  # A类 | B类 | C类
    valid_from: str = ""
    valid_to: str = ""
    suspended: str = ""
    address: str = ""
    province: str = ""
    city: str = ""
    website: str = ""
    accreditation_no: str = ""  # one number may cover several sites, each a Lab of its own


@dataclass(frozen=True)
class Scope(Record):
    """One accredited scope line: object → item → standard, with its own text and validity."""

    KIND: ClassVar[Kind] = Kind.SCOPE
    lab: str = ""
    object: str = ""
    item: str = ""
    standard_title: str = ""
    method: str = ""  # the raw 方法程序及编号 cell
    limits: str = ""  # 说明, e.g. 不做四级、五级
    group: str = ""
    valid_from: str = ""
    valid_to: str = ""
    status: str = ""  # as published, e.g. 有效


@dataclass(frozen=True)
class Expert(Record):
    """A person; contact fields are personal data and are only kept in ``contact_*``."""

    KIND: ClassVar[Kind] = Kind.EXPERT
    name: str = ""  # display name (synthetic for pseudonymised records)
    specialties: tuple[str, ...] = ()
    affiliation: str = ""  # Lab or Enterprise id
    affiliation_name: str = ""
    province: str = ""
    city: str = ""
    roles: tuple[str, ...] = ()  # signatory | instructor | assessor …
    valid_to: str = ""
    contact_phone: str = ""
    contact_email: str = ""


@dataclass(frozen=True)
class Sampling(Record):
    """One sampled batch (抽检批次) and its result; ``id`` is a hash of the normalised batch key.

    Failed test items are parallel lists (Neo4j stores lists of scalars only):
    ``failed_items[i]`` was measured ``failed_values[i]`` against ``failed_limits[i]`` in ``failed_units[i]``.
    """

    KIND: ClassVar[Kind] = Kind.SAMPLING
    date: str = ""  # sampling date; the notice date when the source gives none
    level: str = ""  # national | provincial | city | county | "" (unknown)
    authority: str = ""  # organising authority as published
    province: str = ""  # province of the authority ("" for national)
    product_name: str = ""
    product: str = ""  # Product id when linked to the catalogue
    category_path: tuple[str, ...] = ()  # e.g. ("豆及豆制品", "非发酵豆制品")
    producer_name: str = ""
    credit_code: str = ""  # producer's unified social credit code
    producer: str = ""  # Enterprise id
    seller: str = ""  # sampled seller (被抽样单位)
    trademark: str = ""
    model: str = ""  # specification / model (规格型号)
    production_date: str = ""
    batch_no: str = ""
    standards: tuple[str, ...] = ()  # standard numbers judged against
    institution: str = ""  # testing institution as written
    result: str = ""  # pass | fail
    failed_items: tuple[str, ...] = ()
    failed_values: tuple[str, ...] = ()
    failed_limits: tuple[str, ...] = ()
    failed_units: tuple[str, ...] = ()
    notice: str = ""  # the notice it was published in
    notice_date: str = ""
    source: str = ""  # where the record comes from; "synthetic" for generated data
    synthetic: bool = False


CONTACT_FIELDS = ("contact_phone", "contact_email")

RECORD_TYPES: dict[Kind, type[Record]] = {
    cls.KIND: cls
    for cls in (Region, Category, Product, Standard, TestItem, Hazard, Enterprise, Lab, Scope, Expert, Sampling)
}
