"""Importer for the CNAS public-disclosure format (las.cnas.org.cn), as crawled.

Folder layout (any of the three parts may be absent)::

    inspection_bodies/bodies.csv, scope.csv, signatories.csv   (IB…, 检验机构)
    pt_providers/providers.csv, schemes.csv, schemes_extra.csv, signatories.csv   (PT…, 能力验证提供者)
    rm_producers/producers.csv, materials.csv   (RM…, 标准物质生产者)

Every accredited body becomes a ``Lab``; every scope line a ``Scope`` node linked
to the product (inspection object), the test items and the standards it names;
every authorised signatory an ``Expert`` whose specialties are parsed from the
signing field against the body's own scope.  Signatories are pseudonymised in the
source, so their display names here are visibly synthetic (``合成专家-…``).
"""

from __future__ import annotations

import hashlib
import re
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from graph.model import Expert, Kind, Lab, Product, Rel, Scope, TestItem
from loaders.batch import Batch
from loaders.dates import parse_date, parse_period
from loaders.names import name_key, normalise_name
from loaders.regions import region_id, region_of_address
from loaders.report import FileReport, LoadReport, Progress
from loaders.standard_numbers import parse_standard_title
from loaders.standards import standard_nodes
from loaders.tables import read_rows

PARTS = {
    "inspection_bodies": ("bodies.csv", "inspection"),
    "pt_providers": ("providers.csv", "pt_provider"),
    "rm_producers": ("producers.csv", "rm_producer"),
}

# Leading section numbers on object names: "2.7 落地灯/台灯", "1.电器和电器产品", "4.1 服装类".
_NUMBERING = re.compile(r"^\s*\d+(?:\.\d+)*\s*[.、．]?\s*")
# The accreditation round's note on an object, not part of its name: "锅炉(此次申请扩项，新增)".
_APPLICATION_NOTE = re.compile(r"\s*[（(][^（）()]*(?:申请|扩项|新增|变更)[^（）()]*[）)]\s*$")
# Several items in one cell: "数量、外观、包装、款式".
_ITEM_SPLIT = re.compile(r"[、，,；;]")
_ALL_SCOPE = re.compile(r"全部|所有|全项目|认可的.*项目$")
_FIELD_NOISE = re.compile(r"(的)?(检验|检测)?(项目|领域|范围|参数)$")
MAX_ITEM_LEN = 30  # a longer fragment is a sentence, not an item name
# A note limiting a line to some objects ("仅限锂电池", "只做：…"); "不含…" / "除…外" exclude and are not read.
_ONLY = re.compile(r"(?:仅限|只限|仅适用于|只适用于|仅检验?|只检验?|仅做|只做)[:：]?([^)）;；。]+)")
MIN_LIMITED_OBJECT = 3  # two-character names (金属, 货物) are too often part of a longer clause


def is_cnas(path: Path) -> bool:
    return path.is_dir() and (
        any((path / part / f).exists() for part, (f, _) in PARTS.items()) or (path / "bodies.csv").exists()
    )


def object_name(raw: str) -> str:
    """The product an inspection object names, without section numbering or an application note.

    >>> object_name("2.7 落地灯/台灯")
    '落地灯/台灯'
    >>> object_name("1.电器和电器产品")
    '电器和电器产品'
    >>> object_name("锅炉(此次申请扩项，新增)")
    '锅炉'
    """
    name = _APPLICATION_NOTE.sub("", _NUMBERING.sub("", raw))
    return normalise_name(name) or normalise_name(raw)


def _conjoined(name: str) -> list[str]:
    """Items joined by 和/及/与 that share their last word: 监督检验和定期检验 → 监督检验, 定期检验
    (标志和说明 is one item and stays whole)."""
    parts = re.split(r"[和及与]", name)
    if len(parts) > 1 and all(len(p) >= 3 for p in parts) and len({p[-2:] for p in parts}) == 1:
        return parts
    return [name]


def item_names(raw: str) -> list[str]:
    """Test items named in one cell; a list of short names is split, a sentence kept whole.

    >>> item_names("数量、外观、包装")
    ['数量', '外观', '包装']
    >>> item_names("温升")
    ['温升']
    >>> item_names("品质检验      重量鉴定      取样")
    ['品质检验', '重量鉴定', '取样']
    >>> item_names("监督检验和定期检验"), item_names("标志和说明")
    (['监督检验', '定期检验'], ['标志和说明'])
    """
    # Runs of spaces separate items too ("品质检验      重量鉴定      取样"); normalising would glue them.
    parts = [normalise_name(p) for chunk in re.split(r"\s{2,}", raw.strip()) for p in _ITEM_SPLIT.split(chunk)]
    parts = [q for p in parts if p for q in _conjoined(p)]
    text = normalise_name(raw)
    if len(parts) > 1 and all(len(p) <= MAX_ITEM_LEN for p in parts):
        return parts
    return [text] if text else []


@dataclass
class _Body:
    lab: Lab
    products: dict[str, str] = field(default_factory=dict)  # product id → name, from its scope
    items: dict[str, str] = field(default_factory=dict)


class CnasLoader:
    """Reads one CNAS folder into a :class:`Batch`.

    ``product_aliases`` maps the name key of a catalogue alias to the catalogue
    product id, so that an inspection object called "婴儿推车" joins the
    catalogue's 童车 instead of becoming a product of its own.
    """

    def __init__(self, report: LoadReport, product_aliases: dict[str, str] | None = None) -> None:
        self.report = report
        self.aliases = product_aliases or {}
        self.batch = Batch()
        self.bodies: dict[str, dict[str, _Body]] = {}  # body type → normalised body name → body
        # The latest accreditation start among complete records: a lower bound of when the disclosure
        # was crawled, used as the default "as of" date (the source itself carries no date).
        self.latest_start = ""
        self.unparsed: dict[str, str] = {}  # method cells with no number → first file:line

    def load(self, folder: Path) -> Batch:
        parts = [(folder / p, t) for p, (_, t) in PARTS.items() if (folder / p).is_dir()] or [(folder, "inspection")]
        for part, body_type in parts:
            self._bodies(part, body_type)
        for part, body_type in parts:
            if body_type == "inspection":
                self._scope(part / "scope.csv", body_type, "检验对象", "检验项目名称", with_standards=True)
            elif body_type == "pt_provider":
                for name in ("schemes.csv", "schemes_extra.csv"):
                    self._scope(part / name, body_type, "样品名称", ("项目名称", "检验项目名称"), with_standards=False)
            else:
                self._scope(part / "materials.csv", body_type, "名称", "成分特性名称", with_standards=False)
            self._signatories(part / "signatories.csv", body_type)
        self._limited_objects()
        if self.latest_start:
            self.batch.meta["snapshot"] = self.latest_start
        if self.unparsed:
            examples = "; ".join(f"{where} {cell!r}" for cell, where in list(self.unparsed.items())[:8])
            self.report.notes.append(
                f"{len(self.unparsed)} distinct 方法程序及编号 cells hold no standard or method number "
                f"(lines kept, without a standard), e.g. {examples}"
            )
        return self.batch

    # -- bodies ------------------------------------------------------------
    def _bodies(self, folder: Path, body_type: str) -> None:
        path = folder / PARTS.get(folder.name, ("bodies.csv", ""))[0]
        if not path.exists():
            return
        fr = self.report.file(str(path))
        bodies = self.bodies.setdefault(body_type, {})
        # A site is sometimes listed again under its group's number without an end date: the
        # complete record (sorted first) is kept and the stale one counts as merged.
        rows = sorted(read_rows(path), key=lambda r: not parse_date(r[1].get("认证结束时间", "")))
        kept: list[tuple[int, dict[str, str], str, str]] = []
        seen: dict[str, str] = {}  # body name → number
        for line, row in rows:
            fr.read += 1
            number, name = row.get("注册编号", ""), normalise_name(row.get("机构名称", ""))
            if not number or not name:
                fr.reject(line, "missing 注册编号 or 机构名称")
            elif name in seen:
                fr.loaded += 1
                fr.merged += 1
                if seen[name] != number:
                    self.report.notes.append(f"{path}:{line}: {name} listed again under {number}; kept {seen[name]}")
            else:
                seen[name] = number
                kept.append((line, row, number, name))
        # One number listed with several names is one accreditation at several sites (a group's head
        # office and its branches): each site is a lab of its own.
        sites: dict[str, int] = defaultdict(int)
        for _, _, number, _ in kept:
            sites[number] += 1
        for line, row, number, name in kept:
            lab_id = number if sites[number] == 1 else f"{number}-{_short_hash(name)}"
            start, end = parse_date(row.get("认证开始时间", "")), parse_date(row.get("认证结束时间", ""))
            if end is None:
                # Kept (the scope lines still carry their own cycle), but said: validity can't be checked on the body.
                self.report.notes.append(f"{path}:{line}: {lab_id} has no readable accreditation end date "
                                         f"{row.get('认证结束时间', '')!r}")  # fmt: skip
            elif start and start <= end:
                self.latest_start = max(self.latest_start, start)
            province, city = region_of_address(row.get("单位地址", "")) or ("", "")
            lab = Lab(lab_id, name, normalise_name(row.get("报告/证书允许使用认可标识的其他名称", "")),
                      body_type, row.get("机构特点", ""), start or "", end or "", row.get("暂停项目/参数", ""),
                      normalise_name(row.get("单位地址", "")), province, city, row.get("网站地址", ""), number)  # fmt: skip
            if not province:
                self.report.notes.append(f"{path}:{line}: no province in the address of {lab_id}")
            self.batch.add(lab)
            fr.loaded += 1
            bodies[name] = _Body(lab)
            if province:
                self.batch.link((Kind.LAB, lab_id), Rel.IN_REGION, (Kind.REGION, region_id(province, city)))

    def _body(self, fr: FileReport, line: int, row: dict[str, str], body_type: str) -> _Body | None:
        """The body a scope or signatory row belongs to, by its name within the same part."""
        body = self.bodies.get(body_type, {}).get(normalise_name(row.get("机构名称", "")))
        if body is None:
            fr.reject(line, f"unknown body {row.get('机构名称', '')!r} (not in the bodies file)")
        return body

    @staticmethod
    def _cycle(row: dict[str, str], body: _Body) -> tuple[str, str]:
        cycle = row.get("周期", "")
        if " - " not in cycle:  # schemes.csv swaps the 周期 and 序号 headers
            cycle = next((v for v in row.values() if " - " in v), "")
        start, end = parse_period(cycle)
        return start or body.lab.valid_from, end or body.lab.valid_to

    # -- scope lines -------------------------------------------------------
    def _scope(self, path: Path, body_type: str, object_col: str, item_cols: str | tuple[str, ...], with_standards: bool) -> None:
        if not path.exists():
            return
        fr = self.report.file(str(path))
        progress = Progress(path.name)
        cols = (item_cols,) if isinstance(item_cols, str) else item_cols
        for line, row in read_rows(path):
            fr.read += 1
            progress.tick()
            body = self._body(fr, line, row, body_type)
            if body is None:
                continue
            obj_raw = row.get(object_col, "")
            if not obj_raw:
                fr.reject(line, f"empty {object_col}")
                continue
            item_raw = next((row[c] for c in cols if row.get(c)), "")
            method = row.get("方法程序及编号", "") if with_standards else ""
            title = parse_standard_title(row.get("依据的检测标准", "")) if with_standards else ""
            standards = standard_nodes(method, title=title) if method else []
            if method and not standards:
                self.unparsed.setdefault(method, f"{path.name}:{line}")
            valid_from, valid_to = self._cycle(row, body)
            lab_id = body.lab.id
            scope_id = _short_hash("\x1f".join((lab_id, name_key(obj_raw), name_key(item_raw), method, title)), 16)
            scope = Scope(scope_id, lab_id, normalise_name(obj_raw), normalise_name(item_raw), title,
                          normalise_name(method), normalise_name(row.get("说明", "")), row.get("分组名称", ""),
                          valid_from, valid_to, row.get("状态", ""))  # fmt: skip
            new = self.batch.add(scope)
            fr.loaded += 1
            fr.merged += not new
            skey = (Kind.SCOPE, scope_id)
            self.batch.link((Kind.LAB, lab_id), Rel.HAS_SCOPE, skey)
            pkey = self._product(obj_raw, body)
            self.batch.link(skey, Rel.COVERS_PRODUCT, pkey)
            items = []
            for name in item_names(item_raw):
                ikey = (Kind.TEST_ITEM, name_key(name))
                self.batch.add(TestItem(ikey[1], name))
                body.items[ikey[1]] = name
                self.batch.link(skey, Rel.COVERS_ITEM, ikey)
                items.append(ikey)
            for std in standards:
                self.batch.add(std)
                self.batch.link(skey, Rel.USES_STANDARD, std.key)
                if std.props.get("kind") != "method":
                    self.batch.link(pkey, Rel.GOVERNED_BY, std.key, source="cnas-scope")
                    for ikey in items:
                        self.batch.link(std.key, Rel.SPECIFIES, ikey)
        progress.done()

    def _limited_objects(self) -> None:
        """A line limited to an object (说明 仅限锂电池, 只检：嵌入式灯具) covers that object too, where another line
        of the load inspects it under that name: a lithium-battery laboratory's 货物鉴定 line is about batteries."""
        nodes = self.batch.nodes
        objects = {key[1]: name_key(n.props.get("name", key[1])) for key, n in nodes.items() if key[0] == Kind.PRODUCT}
        for key, node in list(nodes.items()):
            if key[0] == Kind.SCOPE:
                for pid in limited_to(node.props.get("limits", ""), objects):
                    self.batch.link(key, Rel.COVERS_PRODUCT, (Kind.PRODUCT, pid))

    def _product(self, raw: str, body: _Body) -> tuple[Kind, str]:
        name = object_name(raw)
        key = name_key(name)
        pid = self.aliases.get(key, key)
        if pid == key:
            self.batch.add(Product(pid, name, sources=("cnas-object",)))
        body.products[pid] = name
        return (Kind.PRODUCT, pid)

    # -- signatories → experts ---------------------------------------------
    def _signatories(self, path: Path, body_type: str) -> None:
        if not path.exists():
            return
        fr = self.report.file(str(path))
        unlinked = 0
        for line, row in read_rows(path):
            fr.read += 1
            body = self._body(fr, line, row, body_type)
            if body is None:
                continue
            pseudonym = row.get("签字人编号", "")
            if not pseudonym:
                fr.reject(line, "missing 签字人编号")
                continue
            field_text = normalise_name(row.get("授权签字领域", ""))
            _, valid_to = self._cycle(row, body)
            lab = body.lab
            expert = Expert(pseudonym, synthetic_name(pseudonym), (field_text,) if field_text else (),
                            lab.id, lab.name, lab.province, lab.city, ("signatory",), valid_to)  # fmt: skip
            new = self.batch.add(expert)
            fr.loaded += 1
            fr.merged += not new
            ekey = (Kind.EXPERT, pseudonym)
            self.batch.link(ekey, Rel.AFFILIATED_WITH, (Kind.LAB, lab.id))
            if lab.province:
                region = region_id(lab.province, lab.city)
                self.batch.link(ekey, Rel.IN_REGION, (Kind.REGION, region))
            targets = specialty_targets(field_text, body.products, body.items)
            unlinked += not targets
            for key in targets:
                self.batch.link(ekey, Rel.SPECIALISES_IN, key, text=field_text)
        if unlinked:
            self.report.notes.append(f"{path}: {unlinked} signing fields name nothing in their body's scope")


def _short_hash(text: str, n: int = 6) -> str:
    return hashlib.sha1(text.encode()).hexdigest()[:n]


def synthetic_name(pseudonym: str) -> str:
    """A display name that no one can mistake for a real person's.

    >>> synthetic_name("签字人-1ac00315")
    '合成专家-1AC00315'
    """
    return "合成专家-" + pseudonym.rsplit("-", 1)[-1].upper()


def limited_to(note: str, objects: dict[str, str]) -> list[str]:
    """The objects (id → name key) a scope note limits its line to; an exclusion names none.

    >>> objects = {"锂电池": "锂电池", "安全技术说明书": "安全技术说明书", "超高压容器": "超高压容器"}
    >>> limited_to("第九类杂项危险品(仅限锂电池)", objects), limited_to("不含超高压容器", objects)
    (['锂电池'], [])
    >>> limited_to("第1类爆炸品(只做热稳定性)、安全技术说明书", objects)  # the clause ends at the bracket
    []
    """
    text = "".join(" ".join(m.group(1) for m in _ONLY.finditer(note)).lower().split())
    if not text:
        return []
    hits = {pid: k for pid, k in objects.items() if len(k) >= MIN_LIMITED_OBJECT and k in text}
    return sorted(pid for pid, k in hits.items() if not any(k != o and k in o for o in hits.values()))


def specialty_targets(field_text: str, products: dict[str, str], items: dict[str, str]) -> list[tuple[Kind, str]]:
    """What a signing field names within the body's scope: its products, else its items.

    "全部检验项目" (all items) names every product of the scope.

    >>> specialty_targets("压力容器定期检验", {"压力容器": "压力容器", "锅炉": "锅炉"}, {"定期检验": "定期检验"})
    [(<Kind.PRODUCT: 'Product'>, '压力容器'), (<Kind.TEST_ITEM: 'TestItem'>, '定期检验')]
    >>> len(specialty_targets("全部检验项目", {"压力容器": "压力容器", "锅炉": "锅炉"}, {}))
    2
    """
    text = name_key(field_text)
    if not text:
        return []
    if _ALL_SCOPE.search(text):
        return [(Kind.PRODUCT, p) for p in sorted(products)]
    parts = [_FIELD_NOISE.sub("", p) for p in re.split(r"[、，,；;/\s]", text) if p]
    found: list[tuple[Kind, str]] = []
    for pid, name in sorted(products.items()):
        k = name_key(name)
        if len(k) >= 2 and any(k in part or (len(part) >= 2 and part in k) for part in parts):
            found.append((Kind.PRODUCT, pid))
    for iid, name in sorted(items.items()):
        k = name_key(name)
        if len(k) >= 2 and any(k in part for part in parts):
            found.append((Kind.TEST_ITEM, iid))
    return found
