"""The canonical import format: one table per node kind, plus relationships and synonyms.

A bureau keeps its rosters, catalogue and standards lists in Excel; each sheet
(or CSV / JSON Lines file) is named for what it holds and loads as is:

==================  =====================================================================
file stem           columns (English or Chinese header; ``|`` separates several values)
==================  =====================================================================
categories          id, name (名称), name_en (英文名称), keywords (关键词)
products            id, name, name_en, aliases (别名), category (类别),
                    standards (标准) → GOVERNED_BY, hazards (危害) → HAS_HAZARD
standards           id (标准号), title (标题), status (状态: current/superseded/withdrawn),
                    items (检验项目) → SPECIFIES, supersedes (代替) → SUPERSEDES
test_items          id, name, name_en, aliases, hazards → ADDRESSES
hazards             id, name, name_en, aliases
enterprises         id (统一社会信用代码 or own id), name, credit_code, province, city, address
labs                id (认可编号), name, body_type, body_class, valid_from, valid_to, address,
                    province, city, website
experts             id, name (姓名), specialties (专长), affiliation (单位 id), province, city,
                    roles (角色), products / test_items / standards → SPECIALISES_IN,
                    contact_phone (电话), contact_email (邮箱) — personal data, never shown by the API
relationships       from_kind, from_id, type, to_kind, to_id, text
synonyms            term (用户用语), canonical (规范名称)
terms               kind (类型: Product / TestItem / Hazard), id, name_en, aliases — words for nodes
                    that other tables or other sources define; a term for a node the graph lacks
                    is not used (the count is reported)
==================  =====================================================================

Ids may be left empty for products, test items and hazards: the name is the id.
Standard numbers are normalised (``GB2811－2019`` → ``GB 2811-2019``).  Nodes
that a relationship names but no table defines are created with the id as name.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from pathlib import Path

from graph.model import (
    Category,
    Enterprise,
    Expert,
    Hazard,
    Kind,
    Lab,
    Node,
    Product,
    Rel,
    TestItem,
    clean_props,
)
from loaders.batch import Batch
from loaders.dates import parse_date
from loaders.names import name_key, normalise_name
from loaders.regions import province_of, region_id, region_of_address
from loaders.report import FileReport, LoadReport
from loaders.standards import standard_nodes
from loaders.tables import TABLE_SUFFIXES, TableError, read_rows

HEADER_ALIASES = {
    "编号": "id", "标准号": "id", "认可编号": "id", "注册编号": "id",
    "名称": "name", "姓名": "name", "英文名称": "name_en", "别名": "aliases", "关键词": "keywords",
    "类别": "category", "标准": "standards", "危害": "hazards", "标题": "title", "状态": "status",
    "检验项目": "items", "代替": "supersedes", "统一社会信用代码": "credit_code", "省份": "province",
    "城市": "city", "地址": "address", "机构类型": "body_type", "机构特点": "body_class",
    "有效期起": "valid_from", "有效期至": "valid_to", "网站": "website", "专长": "specialties",
    "单位": "affiliation", "角色": "roles", "产品": "products", "电话": "contact_phone",
    "邮箱": "contact_email", "用户用语": "term", "规范名称": "canonical", "类型": "kind",
}  # fmt: skip

KIND_OF_STEM = {
    "categories": Kind.CATEGORY, "products": Kind.PRODUCT, "standards": Kind.STANDARD,
    "test_items": Kind.TEST_ITEM, "hazards": Kind.HAZARD, "enterprises": Kind.ENTERPRISE,
    "labs": Kind.LAB, "experts": Kind.EXPERT,
}  # fmt: skip
STEMS = (*KIND_OF_STEM, "relationships", "synonyms", "terms")
TERM_KINDS = {k.value.lower(): k for k in (Kind.PRODUCT, Kind.TEST_ITEM, Kind.HAZARD)}


class RowError(ValueError):
    """A row that cannot be loaded; the message is the reason shown to the user."""


def split(cell: str) -> list[str]:
    return [v.strip() for v in cell.split("|") if v.strip()]


def is_canonical(path: Path) -> bool:
    """True for a canonical table file, or a folder holding at least one."""
    if path.is_dir():
        return any(is_canonical(p) for p in path.iterdir())
    return path.suffix.lower() in TABLE_SUFFIXES and path.stem.lower() in STEMS


def load_canonical(paths: Iterable[Path], report: LoadReport) -> Batch:
    files: list[Path] = []
    for p in paths:
        files += sorted(q for q in p.iterdir() if is_canonical(q)) if p.is_dir() else [p]
    # Relationships last, so that they can refer to nodes of any table.
    files.sort(key=lambda f: (f.stem.lower() == "relationships", STEMS.index(f.stem.lower())))
    batch = Batch()
    synonyms: dict[str, list[str]] = {}
    for f in files:
        stem = f.stem.lower()
        fr = report.file(str(f))
        if stem == "synonyms":
            _load(f, fr, lambda row: _synonym(row, synonyms))
        elif stem == "relationships":
            _load(f, fr, lambda row: _relationship(row, batch))
        elif stem == "terms":
            _load(f, fr, lambda row: _term(row, batch))
        else:
            kind = KIND_OF_STEM[stem]
            _load(f, fr, lambda row: ROW_LOADERS[kind](row, batch))
    if synonyms:
        batch.meta["synonyms"] = json.dumps(synonyms, ensure_ascii=False, sort_keys=True)
    return batch


def _load(path: Path, fr: FileReport, load_row: Callable[[dict[str, str]], object]) -> None:
    try:
        rows = list(read_rows(path))
    except (TableError, OSError, UnicodeDecodeError) as exc:
        fr.reject(0, f"cannot read the file: {exc}")
        return
    seen: set[tuple[str, ...]] = set()
    for line, raw in rows:
        fr.read += 1
        if "__error__" in raw:
            fr.reject(line, raw["__error__"])
            continue
        row = {HEADER_ALIASES.get(k, k): v for k, v in raw.items()}
        try:
            load_row(row)
        except RowError as exc:
            fr.reject(line, str(exc))
            continue
        fr.loaded += 1
        # Merged: the row repeats an entity of an earlier row of this file (a node that another
        # table created by reference, e.g. a product's standard, is not a duplicate row).
        key = _row_key(row)
        fr.merged += key in seen
        seen.add(key)


def _row_key(row: dict[str, str]) -> tuple[str, ...]:
    if "from_id" in row:
        return tuple(row.get(c, "") for c in ("from_kind", "from_id", "type", "to_kind", "to_id"))
    if "term" in row:
        return (row["term"].lower(), row.get("canonical", ""))
    return (row.get("id") or name_key(row.get("name", "")),)


def _need(row: dict[str, str], *cols: str) -> None:
    missing = [c for c in cols if not row.get(c)]
    if missing:
        raise RowError(f"missing {', '.join(missing)}")


def _named_id(row: dict[str, str]) -> str:
    _need(row, "name")
    return row.get("id") or name_key(row["name"])


def _standards(batch: Batch, cell: str) -> list[tuple[Kind, str]]:
    keys = []
    for node in standard_nodes(cell):
        batch.add(node)
        keys.append(node.key)
    if cell and not keys:
        raise RowError(f"no standard number in {cell!r}")
    return keys


def _ensure(batch: Batch, kind: Kind, id: str, written: str = "") -> tuple[Kind, str]:
    """The node a row refers to, created if no row defined it yet, named as the reference wrote it
    (非正常工作(干烧), whose id is 非正常工作): the name is what linking reads."""
    if (kind, id) not in batch.nodes:
        batch.add(Node(kind, id, {"name": normalise_name(written) or id}))
    return (kind, id)


def _category(row: dict[str, str], batch: Batch) -> bool:
    _need(row, "id", "name")
    return batch.add(Category(row["id"], row["name"], row.get("name_en", ""), tuple(split(row.get("keywords", "")))))


def _product(row: dict[str, str], batch: Batch) -> bool:
    pid = _named_id(row)
    node = Product(pid, normalise_name(row["name"]), row.get("name_en", ""), tuple(split(row.get("aliases", ""))),
                   row.get("category", ""), ("catalogue",))  # fmt: skip
    new = batch.add(node)
    if node.category:
        batch.link(node.to_node().key, Rel.IN_CATEGORY, (Kind.CATEGORY, node.category))
    for key in _standards(batch, row.get("standards", "")):
        batch.link((Kind.PRODUCT, pid), Rel.GOVERNED_BY, key, source="catalogue")
    for h in split(row.get("hazards", "")):
        batch.link((Kind.PRODUCT, pid), Rel.HAS_HAZARD, _ensure(batch, Kind.HAZARD, h))
    return new


def _standard(row: dict[str, str], batch: Batch) -> bool:
    _need(row, "id")
    nodes = standard_nodes(row["id"], title=row.get("title", ""))
    if len(nodes) != 1:
        raise RowError(f"expected one standard number in id, found {len(nodes)}: {row['id']!r}")
    node = nodes[0]
    status = row.get("status", "").lower()
    if status and status not in ("current", "superseded", "withdrawn", "unknown"):
        raise RowError(f"status must be current, superseded, withdrawn or unknown, not {status!r}")
    props = dict(node.props)
    if status:
        props["declared_status"] = status
    new = batch.add(Node(Kind.STANDARD, node.id, props))
    for item in split(row.get("items", "")):
        batch.link(node.key, Rel.SPECIFIES, _ensure(batch, Kind.TEST_ITEM, name_key(item), item))
    for key in _standards(batch, "、".join(split(row.get("supersedes", "")))):
        batch.link(node.key, Rel.SUPERSEDES, key, source="catalogue")
    return new


def _test_item(row: dict[str, str], batch: Batch) -> bool:
    iid = _named_id(row)
    new = batch.add(TestItem(iid, normalise_name(row["name"]), row.get("name_en", ""), tuple(split(row.get("aliases", "")))))
    for h in split(row.get("hazards", "")):
        batch.link((Kind.TEST_ITEM, iid), Rel.ADDRESSES, _ensure(batch, Kind.HAZARD, h))
    return new


def _hazard(row: dict[str, str], batch: Batch) -> bool:
    hid = _named_id(row)
    return batch.add(Hazard(hid, normalise_name(row["name"]), row.get("name_en", ""), tuple(split(row.get("aliases", "")))))


def _place(row: dict[str, str]) -> tuple[str, str]:
    province = province_of(row.get("province", "")) or ""
    city = row.get("city", "")
    if not province and row.get("address"):
        province, city = region_of_address(row["address"]) or ("", "")
    if row.get("province") and not province:
        raise RowError(f"unknown province {row['province']!r}")
    return province, city


def _region_link(batch: Batch, key: tuple[Kind, str], province: str, city: str) -> None:
    if province:
        batch.link(key, Rel.IN_REGION, (Kind.REGION, region_id(province, city)))


def date_cell(row: dict[str, str], col: str) -> str:
    """The ISO date in a cell, "" when empty; an unreadable date rejects the row."""
    if not row.get(col):
        return ""
    iso = parse_date(row[col])
    if iso is None:
        raise RowError(f"{col}: cannot read the date {row[col]!r}")
    return iso


def _enterprise(row: dict[str, str], batch: Batch) -> bool:
    _need(row, "name")
    eid = row.get("id") or row.get("credit_code") or name_key(row["name"])
    province, city = _place(row)
    e = Enterprise(eid, normalise_name(row["name"]), row.get("credit_code", ""), province, city)
    new = batch.add(e)
    _region_link(batch, e.to_node().key, province, city)
    return new


def _lab(row: dict[str, str], batch: Batch) -> bool:
    _need(row, "id", "name")
    province, city = _place(row)
    lab = Lab(row["id"], normalise_name(row["name"]), row.get("alt_name", ""), row.get("body_type") or "laboratory",
              row.get("body_class", ""), date_cell(row, "valid_from"), date_cell(row, "valid_to"), row.get("suspended", ""),
              row.get("address", ""), province, city, row.get("website", ""), row.get("accreditation_no") or row["id"])  # fmt: skip
    new = batch.add(lab)
    _region_link(batch, lab.to_node().key, province, city)
    return new


def _expert(row: dict[str, str], batch: Batch) -> bool:
    _need(row, "id", "name")
    province, city = _place(row)
    expert = Expert(row["id"], normalise_name(row["name"]), tuple(split(row.get("specialties", ""))),
                    row.get("affiliation", ""), row.get("affiliation_name", ""), province, city,
                    tuple(split(row.get("roles", ""))), date_cell(row, "valid_to"),
                    row.get("contact_phone", ""), row.get("contact_email", ""))  # fmt: skip
    new = batch.add(expert)
    key = (Kind.EXPERT, expert.id)
    _region_link(batch, key, province, city)
    if expert.affiliation:
        batch.link(key, Rel.AFFILIATED_WITH, (Kind.LAB, expert.affiliation))
    for p in split(row.get("products", "")):
        batch.link(key, Rel.SPECIALISES_IN, _ensure(batch, Kind.PRODUCT, name_key(p), p), text=p)
    for i in split(row.get("test_items", "")):
        batch.link(key, Rel.SPECIALISES_IN, _ensure(batch, Kind.TEST_ITEM, name_key(i), i), text=i)
    for s in split(row.get("standards", "")):
        for skey in _standards(batch, s):
            batch.link(key, Rel.SPECIALISES_IN, skey, text=s)
    return new


def _relationship(row: dict[str, str], batch: Batch) -> bool:
    _need(row, "from_kind", "from_id", "type", "to_kind", "to_id")
    try:
        src_kind, dst_kind, rel = Kind(row["from_kind"]), Kind(row["to_kind"]), Rel(row["type"])
    except ValueError as exc:
        raise RowError(str(exc)) from exc
    ends = []
    for kind, id in ((src_kind, row["from_id"]), (dst_kind, row["to_id"])):
        if kind == Kind.STANDARD:
            ends += _standards(batch, id)[:1]
        else:
            ends.append(_ensure(batch, kind, id))
    new = (ends[0], rel, ends[1]) not in batch.edges
    batch.link(ends[0], rel, ends[1], text=row.get("text", ""))
    return new


def _synonym(row: dict[str, str], synonyms: dict[str, list[str]]) -> bool:
    _need(row, "term", "canonical")
    term = row["term"].lower()
    new = term not in synonyms
    targets = synonyms.setdefault(term, [])
    if row["canonical"] not in targets:
        targets.append(row["canonical"])
    return new


def _term(row: dict[str, str], batch: Batch) -> bool:
    _need(row, "kind", "id")
    kind = TERM_KINDS.get(row["kind"].strip().lower().replace("_", ""))
    if kind is None:
        raise RowError(f"kind must be one of Product, TestItem, Hazard, not {row['kind']!r}")
    props = {"name_en": row.get("name_en", "").strip(), "aliases": split(row.get("aliases", ""))}
    return batch.add_terms((kind, normalise_name(row["id"])), clean_props(props))


ROW_LOADERS: dict[Kind, Callable[[dict[str, str], Batch], bool]] = {
    Kind.CATEGORY: _category,
    Kind.PRODUCT: _product,
    Kind.STANDARD: _standard,
    Kind.TEST_ITEM: _test_item,
    Kind.HAZARD: _hazard,
    Kind.ENTERPRISE: _enterprise,
    Kind.LAB: _lab,
    Kind.EXPERT: _expert,
}
