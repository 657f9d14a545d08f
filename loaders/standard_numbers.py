"""Standard numbers as written in the CNAS ``方法程序及编号`` column, read into :class:`StandardRef`.

A cell may hold one number, several (``、 , ; / newlines``, runs of spaces, or a
bracket holding further numbers), a range (``GB/T 150.1~4-2011``), notes
(``CJJ 69-1995(2003年局部修订)``, ``GB 50140-2005 5.1、6.1``), in-house work
instructions (``CCIC-HUN-WI-086-04-2016``) and ministry orders
(``交通部2004年第3号令``).  Every piece becomes one ref:

- a **standard** when it starts with a known issuer prefix (GB, GB/T, the
  industry codes, DBxx local, T/ group, Q/ enterprise, ISO, IEC, EN, ASTM …) and
  is followed by a number;
- a **method** (``kind="method"``) for any other text that names a document —
  work instructions, orders and notices, regulations (IMDG, ADR, EU/EC …),
  certification rules (CNCA, CQC);
- a **note** of the neighbouring ref for editions, clause numbers, appendices,
  amendments and bracketed remarks (``2003年局部修订``, ``R2015``, ``E``).

Pieces with nothing to attach to and no letters (``第60版``, ``2019-2020``) are
dropped, so such a cell reads as an empty list (unparseable).

Normal form of a number
-----------------------
- Text is width-folded (NFKC); ``－—–‐‑‒―`` count as ``-``; spaces inside the
  number are dropped and one space separates issuer and number:
  ``GB/T50152-2012`` → ``GB/T 50152-2012``, ``SY/T  0087.1-2006`` → ``SY/T 0087.1-2006``.
  ``~``/``～`` between two numbers is a range and is expanded (at most 60 members).
- Issuer prefixes are restored when a slash was dropped (``GBT``→``GB/T``,
  ``JGJT``→``JGJ/T``, ``TSGR7001``→``TSG R7001``, ``JTGD63``→``JTG D63``).
  Local standards keep the ``DBxx/`` form: ``DB 31/329.2-2005`` → ``DB31/329.2-2005``.
- **Year.** Chinese standards (national, industry, local, group, enterprise)
  write the year after ``-``; a ``:`` is accepted and rewritten (``CECS 252:2009``
  → ``CECS 252-2009``).  International documents follow their issuer: ISO, IEC,
  EN, BS, DIN, NF, JIS, AS/NZS, CIE, ESCC, AWS, MIL and national adoptions of
  ISO/EN use ``:`` (``ISO 4706-2008`` → ``ISO 4706:2008``); ASTM, ASME, API, ANSI,
  NACE, UL, SAE, IEEE, CSA, UIC, ACI and trade bodies use ``-``.
- A two-digit year is read as 19xx when it is 50 or more (``CECS40:92`` →
  1992, ``GB/T 2011-87`` → 1987); ASTM and CSA also use two digits for 2000–2049
  (``ASTM D4006-16e1`` → ``ASTM D4006-2016``, note ``e1``).  Other two-digit
  endings (``JTG/T B07-01``) are part of the number.  A truncated year
  (``GB/T 8089-200``) leaves ``year=None`` with a note.
- Amendments (``+A1:2009``, ``AMD.1-2017``, ``COR.1:2009``) go into the note;
  the edition's number stays that of the base edition.
- ASME Boiler and Pressure Vessel Code sections take ASME's own dotted form:
  ``ASME Ⅷ-1-2015`` → ``ASME BPVC.VIII.1-2015``.

When is a prefix a prefix
-------------------------
Only at the start of a token: ``WI-SL-002-2017`` and ``ZDS JC0022-2015`` are
in-house codes, not the water (SL) or building-materials (JC) standards; after
``/`` only when a number precedes (``GB/T 21109.3-2007/IEC61511-3:2003``).
Numbers the crawl ran together (``…-2013CCIC-WI-017-03-2013GB 1353-2009``) are
cut apart after the year.
"""

from __future__ import annotations

import re
import sys
import unicodedata
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

from loaders.names import normalise_name

KINDS = ("GB", "GB/T", "GB/Z", "industry", "local", "group", "enterprise", "international", "method")


@dataclass(frozen=True, slots=True)
class StandardRef:
    """One standard (or method) named in a cell."""

    number: str  # normalised, with year when known: "GB/T 50152-2012"; for methods the normalised text
    base: str  # without the year: "GB/T 50152"
    year: int | None  # four digits
    kind: str  # one of KINDS
    note: str = ""  # bracketed or trailing remarks: "2003年局部修订", "5.1、6.1", "+A1:2009"
    raw: str = ""  # the piece of the (width-folded) cell it was read from

    @property
    def id(self) -> str:
        return standard_id(self)


def standard_id(ref: StandardRef) -> str:
    """The id of a ref's node in the graph: the normalised number, or
    ``method:<normalised text>`` for methods (so that a method can never share
    an id with a standard).

    >>> [standard_id(r) for r in parse_standard_cell("GB/T50152-2012、IND-WI-13(V1.3)")]
    ['GB/T 50152-2012', 'method:IND-WI-13(V1.3)']
    """
    return f"method:{ref.number}" if ref.kind == "method" else ref.number


# ---------------------------------------------------------------------------
# Text preparation

_DASHES = str.maketrans({c: "-" for c in "－—–‐‑‒―−"} | {"～": "~", "〜": "~"})
_BRACKETS = str.maketrans({"[": "(", "]": ")", "【": "(", "】": ")", "〔": "(", "〕": ")", "〖": "(", "〗": ")"})


# Numbers run together where the crawl lost a line break: "…-2013CCIC-WI-…", "…-2015GB9110-1988".
# So are in-house codes separated by a single space: "CCIC-WI-006-03-2013 CCIC-WI-012-04-2015".
_RUN_TOGETHER = re.compile(
    r"(?<=\D(?:19|20)\d\d)(?=[A-Z]{2,}(?:/[A-Z]{1,2})?\s?\d|[A-Z]{2,}-)|(?<=\d)\s+(?=[A-Z]{2,}-[A-Z]{2,}-)"
)


def _prepare(cell: str) -> str:
    t = unicodedata.normalize("NFKC", cell or "").translate(_DASHES).translate(_BRACKETS)
    t = t.replace("\r\n", "\n").replace("\r", "\n").replace("\t", "  ")
    return _RUN_TOGETHER.sub("\n", t).strip()


# ---------------------------------------------------------------------------
# Issuer prefixes.  Each pattern ends where the number begins.

# Industry codes (行业标准代号) and engineering-construction codes; also GJB (military), JJF/JJG
# (metrology) and CCGF (product-quality sampling specifications), which are numbered like standards.
_INDUSTRY = sorted(
    """AQ BB CB CCGF CH CJ CJJ CY DA DL DZ EJ FZ GA GH GM GY HB HG HJ HS HY JB JC JG JGJ JJF JJG JR JT JTS JY
    LB LD LS LY MH MT MZ NB NY QB QC QJ QX RB SB SC SF SH SHJ SJ SL SN SW SY TB TD TY WB WH WJ WM WS WW XB YB YBJ
    YC YD YJ YS YY YZ ZY GJB""".split(),
    key=len,
    reverse=True,
)

_COLON_ORGS = ("ISO", "IEC", "EN", "BS", "DIN", "NF", "JIS", "AS/NZS", "CIE", "ESCC", "AWS", "JESD", "EIA",
               "PNS", "SASO", "GSO", "NTE INEN", "MIL", "OIML", "KS", "MS", "prEN")  # fmt: skip
_DASH_ORGS = ("ASTM", "ASME", "API", "ANSI", "NACE", "UL", "SAE", "IEEE", "CAN/CSA", "CSA", "TIA", "ANS", "ASQ",
              "UIC", "ACI", "NFPA", "GAFTA", "FOSFA")  # fmt: skip
_INTL_TOKEN = "|".join(
    re.escape(o).replace(r"\ ", r"\s+").replace("/", r"\s*/\s*")
    for o in sorted(_COLON_ORGS + _DASH_ORGS, key=len, reverse=True)
)
_INTL_TOKEN = _INTL_TOKEN.replace("prEN", "[Pp]rEN")  # draft EN, written PrEN too
# Issuers that may follow another in a chain ("BS EN ISO", "ISO/IEC", "ANSI/NACE").
_CHAIN_TOKEN = "|".join(sorted((o for o in _COLON_ORGS + _DASH_ORGS if " " not in o), key=len, reverse=True))

_ISSUER_WORD = re.compile(rf"(?:{_INTL_TOKEN}|{'|'.join(_INDUSTRY)}|GB|TSG|JTG|JTJ|CECS|CCES)")

_PATTERNS: list[tuple[str, re.Pattern[str]]] = [
    # national: GB, GB/T, GB/Z, GBT (slash dropped), GBJ
    ("national", re.compile(
        r"GB(?:(?P<j>J)|(?P<z>Z)(?:\s*/\s*(?P<zt>T))?|\s*/\s*(?P<s>[TZ])(?![A-Za-z])|\s?(?P<s2>T)(?=\s*\d))?\s*(?=\d)")),
    # highway (JTG/JTJ) with their letter classes: JTG D60, JTG/T F50, JTGT H21
    ("highway", re.compile(r"JT(?P<c>[GJ])(?:\s*/\s*(?P<s>T)|\s?(?P<s2>T)(?=\s*[A-J]\s*\d))?\s*(?=[A-J]?\s*\d)")),
    # special-equipment safety technical specifications: TSG 21-2016, TSG R7004-2013, TSGZF001
    ("tsg", re.compile(r"TSG\s*(?=(?:[A-Z]{1,2})?\s*\d)")),
    # local: DB31/329.2, DB11/T 140, DBJ 01-81, DBJ/T 15-88, DG/TJ 08-801, DGJ32/TJ 155, SZDB/Z, SJG, SZJG
    ("local_db", re.compile(
        r"DB\s*(?P<reg>\d{2}(?:\d{2}){0,2})\s*(?P<j>\(J\))?\s*"
        r"(?:/\s*(?:(?P<s>[TZ])(?![A-Za-z]))?|(?P<dash>-)|(?<=\d)\s|(?<=\)))\s*(?=\d)")),
    ("local_dbj", re.compile(r"DBJ(?:\s*(?P<reg>\d{2})(?=\s*/))?(?:\s*/\s*(?P<s>T)|(?P<s2>T))?\s*(?=\d)")),
    ("local_dgtj", re.compile(r"DG\s*/?\s*T\s*J\s*(?=\d)")),
    ("local_dgj", re.compile(
        r"D(?:GJ|JG)(?:\s*(?P<reg>\d{2})\s*(?:/\s*(?P<tj>T\s*J|J|T)|\s+(?P<tj3>T?\s*J))|\s*/\s*(?P<tj2>TJ))?"
        r"\s*(?=\d)")),
    ("local_sz", re.compile(r"(?P<code>SZDB\s*/\s*Z|SZJG|SJG)\s*(?=\d)")),
    # seismic industry DB/T (no region digits)
    ("seismic", re.compile(r"DB\s*/\s*T\s*(?=\d)")),
    # petrochemical energy standards NB/SH/T
    ("nbsh", re.compile(r"NB\s*/\s*SH(?:\s*/\s*(?P<s>T))?\s*(?=\d)")),
    # railway technical regulations TG/GW, TJ/DW …
    ("railway", re.compile(r"(?P<code>T[GJ])\s*/\s*(?P<sub>[A-Z]{2})\s*(?=\d)")),
    ("group", re.compile(r"(?:T\s*/\s*(?P<assoc>[A-Z]{2,10})|(?P<code>CECS|CCES))\s*:?\s*(?=\d)")),
    ("enterprise", re.compile(r"Q\s*/\s*(?P<ent>[A-Z]{2,10})\s*(?=\d)")),
    ("industry", re.compile(
        rf"(?P<code>{'|'.join(_INDUSTRY)})(?:\s*/\s*(?P<s>[TZ])(?![A-Za-z])|\s?(?P<s2>T)(?=\s*\d))?\s*(?=\d)")),
    # ASME Boiler and Pressure Vessel Code sections: ASME BPVC-VIII-1-2015, ASME Ⅷ-1-2015, ASME Section I -2015
    ("asme_bpvc", re.compile(
        r"ASME\s*(?:BPV(?:C|\s*Code)?\s*(?:Section)?|Section|第)?\s*-?\s*"
        r"(?P<roman>X{0,1}(?:IX|IV|V?I{1,3}|V|X))(?![A-Za-z])(?:\s*卷)?(?:\s*-\s*(?P<div>[1-3A-D])(?![\d.]))?")),
    ("asme_whole", re.compile(r"ASME\s*BPVC(?=[\s-]*\d{4})")),
    ("mil", re.compile(r"MIL\s*-\s*(?P<doc>STD|HDBK)\s*-\s*(?=\d)")),
    ("intl", re.compile(
        rf"(?P<chain>(?:{_INTL_TOKEN})"
        rf"(?:\s*/\s*(?:{_CHAIN_TOKEN})(?![a-z])|\s+(?:{_CHAIN_TOKEN})(?=[\s\d/]))*)"
        r"(?:[\s/]*(?P<doc>TS|TR|PAS|SPEC|Spec|RP|STD|Std|MPMS(?:\s*[Cc]hapter)?|[Cc]hapter|SP|PTC)(?![a-z]))?"
        r"(?:(?<=CSA|TIA|ANS)\s*(?P<dash>-))?\s*(?=(?:[A-Z]{1,2}\s?)?\d)")),
]  # fmt: skip

_BODY = re.compile(
    r"(?P<desig>(?P<let>[A-Z]{1,2}\s?)?\d+(?:[A-Z]{1,3}(?![a-z])|[a-z](?![a-z]))?(?:\.\d+[A-Za-z]?(?![a-z]))*"
    r"(?:\s?/\s?(?(let)(?:[A-Z]{1,2}\s?)?|)\d+(?:\.\d+)*(?:[A-Z]|\s?M)?(?![\d.A-Za-z]))?)"
    r"(?P<tail>(?:\s?-\s?\d+(?:e[1l]|[a-z]\d?)?(?:\.\d+)*(?![\d.a-z]))*)"
    r"(?:\s?:\s?(?P<cyear>\d{4}|\d{2})(?![\d.]))?"
)
_AMEND = re.compile(
    r"(?:(?:\s*[+/]\s*(?:AMD|Amd|AC|A|COR|Cor)|\s+(?:AMD|Amd|COR|Cor))\.?\s*\d*(?:\s*[:-]\s*\d{4})?)+"
)
_RANGE = re.compile(
    r"\s*~\s*(?:[A-Z]{1,4}\s*(?:/\s*[TZ]\s*)?)?(?P<to>\d+(?:\.\d+)*)"
    r"(?P<tail>(?:\s?-\s?\d+)*)(?:\s?:\s?(?P<cyear>\d{4}))?"
)
_COLON_FIRST = {o.replace(" ", "") for o in _COLON_ORGS} | {"MS"}
_TWO_DIGIT_MODERN = {"ASTM", "CAN/CSA", "CSA"}


@dataclass
class _Hit:
    start: int
    end: int
    refs: list[StandardRef]


def _issuer(family: str, m: re.Match[str]) -> tuple[str, str, bool, str]:
    """(canonical prefix, kind, letters allowed in the number, year separator) of a prefix match."""
    g = m.groupdict()
    if family == "national":
        if g.get("j"):
            return "GBJ", "GB", False, "-"
        if g.get("z"):  # national occupational-health standards GBZ, GBZ/T
            return ("GBZ/T", "GB/T", False, "-") if g.get("zt") else ("GBZ", "GB", False, "-")
        s = g.get("s") or g.get("s2")
        return (f"GB/{s}", f"GB/{s}", False, "-") if s else ("GB", "GB", False, "-")
    if family == "highway":
        s = g.get("s") or g.get("s2")
        return f"JT{g['c']}{'/T' if s else ''}", "industry", True, "-"
    if family == "tsg":
        return "TSG", "industry", True, "-"
    if family == "local_db":
        if g.get("j"):
            return f"DB{g['reg']}(J)", "local", False, "-"
        if g.get("dash"):  # Tianjin's engineering series is written DB29-221-2013
            return f"DB{g['reg']}-", "local", False, "-"
        return f"DB{g['reg']}/{g['s'] or ''}", "local", False, "-"
    if family == "local_dbj":
        return f"DBJ{g.get('reg') or ''}{'/T' if (g.get('s') or g.get('s2')) else ''}", "local", False, "-"
    if family == "local_dgtj":
        return "DG/TJ", "local", False, "-"
    if family == "local_dgj":
        if g.get("reg"):
            tj = re.sub(r"\s+", "", g.get("tj") or g.get("tj3") or "")
            return f"DGJ{g['reg']}/{tj}", "local", False, "-"
        return ("DGJ/TJ" if g.get("tj2") else "DGJ"), "local", False, "-"
    if family == "local_sz":
        return re.sub(r"\s+", "", g["code"]), "local", False, "-"
    if family == "seismic":
        return "DB/T", "industry", False, "-"
    if family == "nbsh":
        return ("NB/SH/T" if g.get("s") else "NB/SH"), "industry", False, "-"
    if family == "railway":
        return f"{g['code']}/{g['sub']}", "industry", False, "-"
    if family == "group":
        return (f"T/{g['assoc']}" if g.get("assoc") else g["code"]), "group", False, "-"
    if family == "enterprise":
        return f"Q/{g['ent']}", "enterprise", False, "-"
    if family == "industry":
        s = g.get("s") or g.get("s2")
        return f"{g['code']}{'/' + s if s else ''}", "industry", False, "-"
    if family == "mil":
        return f"MIL-{g['doc']}-", "international", False, ":"
    if family == "intl":
        chain = re.sub(r"\s*/\s*", "/", re.sub(r"\s+", " ", g["chain"].strip())).replace("PrEN", "prEN")
        doc = g.get("doc") or ""
        if doc:
            doc = re.sub(r"\s*[Cc]hapter", "", doc)  # "MPMS Chapter 3.1A" and "MPMS 3.1A" are one document
            doc = {"SPEC": "Spec", "STD": "Std", "Chapter": "", "chapter": ""}.get(doc, doc)
        if chain == "IEC/TS":  # IEC's current style
            chain, doc = "IEC", "TS"
        first = chain.split("/")[0].split(" ")[0]
        sep = ":" if first in _COLON_FIRST or chain.startswith("NTE INEN") else "-"
        prefix = chain + (f" {doc}" if doc else "") + ("-" if g.get("dash") else "")
        return prefix, "international", True, sep
    raise AssertionError(family)


def _year(text: str, modern_two_digit: bool = False, earliest: int = 1950) -> int | None:
    """A number component read as a year, or None.

    >>> _year("2012"), _year("87"), _year("01"), _year("16", modern_two_digit=True), _year("801")
    (2012, 1987, None, 2016, None)
    """
    if re.fullmatch(r"(19|20)\d\d", text):
        y = int(text)
        return y if earliest <= y <= 2035 else None
    if re.fullmatch(r"\d\d", text):
        n = int(text)
        if n >= 50:
            return 1900 + n
        return 2000 + n if modern_two_digit else None
    return None


def _join(prefix: str, desig: str) -> str:
    sep = "" if prefix.endswith(("/", "-")) else " "
    return f"{prefix}{sep}{desig}"


def _read_standard(text: str, family: str, m: re.Match[str]) -> tuple[StandardRef, int] | None:
    """The ref starting at prefix match ``m`` and the end of what it consumed."""
    if family in ("asme_bpvc", "asme_whole"):
        return _read_asme(text, m)
    prefix, kind, letters, sep = _issuer(family, m)
    body = _BODY.match(text, m.end())
    if not body or (body.group("let") and not letters):
        return None
    desig = re.sub(r"\s+", "", body.group("desig"))
    if prefix.startswith("JIS") and body.group("let"):
        desig = f"{desig[0]} {desig[1:]}"  # JIS keeps "G 3101"
    comps = re.findall(r"-\s?(\d+(?:e[1l]|[a-z]\d?)?(?:\.\d+)*)", body.group("tail"))
    note_parts: list[str] = []
    first_org = prefix.split("/")[0].split(" ")[0].rstrip("-")
    modern = first_org in _TWO_DIGIT_MODERN or prefix.startswith("CAN/CSA")
    earliest = 1900 if kind == "international" else 1950  # PRC standards start in the 1950s
    year = None
    if body.group("cyear"):
        year = _year(body.group("cyear"), modern, earliest)
        if year is None:
            note_parts.append(f":{body.group('cyear')}")
    elif comps:
        last = comps[-1]
        lm = re.fullmatch(r"(\d+)(e[1l]|[a-z]\d?)?", last)
        if lm and (lm.group(2) is None or modern):
            year = _year(lm.group(1), modern, earliest)
            if year is not None:
                comps = comps[:-1]
                if lm.group(2):
                    note_parts.append(lm.group(2).replace("l", "1"))
        if year is None and re.fullmatch(r"(19|20)\d", last) and kind != "international":
            comps = comps[:-1]
            note_parts.append(f"incomplete year '{last}'")
    full = desig + "".join(f"-{c}" for c in comps)
    base = _join(prefix, full)
    if kind != "international":
        sep = "-"
    number = f"{base}{sep}{year}" if year else base
    end = body.end()
    amend = _AMEND.match(text, end)
    if amend and year:
        note_parts.append(re.sub(r"\s+", "", amend.group(0)))
        end = amend.end()
    raw = text[m.start() : end].strip()
    return StandardRef(number, base, year, kind, "; ".join(note_parts), raw), end


_ASME_YEAR = re.compile(r"\s*[-:]?\s*(\d{4})(?!\d)")


def _read_asme(text: str, m: re.Match[str]) -> tuple[StandardRef, int] | None:
    if "roman" in m.groupdict():
        roman, div = m.group("roman"), m.group("div")
        base = f"ASME BPVC.{roman}" + (f".{div}" if div else "")
    else:
        base = "ASME BPVC"
    end = m.end()
    y = _ASME_YEAR.match(text, end)
    year = int(y.group(1)) if y else None
    if y:
        end = y.end()
    number = f"{base}-{year}" if year else base
    return StandardRef(number, base, year, "international", "", text[m.start() : end].strip()), end


def _expand_range(text: str, ref: StandardRef, end: int) -> tuple[list[StandardRef], int] | None:
    """``GB/T 150.1~4-2011``, ``GB 30000.2-2013~GB 30000.29-2013``, ``HG20592~20635-2009``."""
    r = _RANGE.match(text, end)
    if not r or ref.kind == "international":
        return None
    head, _, frm = ref.base.rpartition(" ")
    if not head or not re.fullmatch(r"\d+(?:\.\d+)*", frm):
        return None
    to = r.group("to")
    comps = re.findall(r"-\s?(\d+)", r.group("tail"))
    to_year = None
    if r.group("cyear"):
        to_year = _year(r.group("cyear"), False)
    elif comps and _year(comps[-1], False) and len(comps[-1]) == 4:
        to_year = int(comps.pop())
    if comps:
        return None
    if "." in frm:
        stem, _, a = frm.rpartition(".")
        b = to.rpartition(".")[2] if to.startswith(stem + ".") else to
    else:
        stem, a, b = "", frm, to
    if not (a.isdigit() and b.isdigit()) or "." in b or not 0 < int(b) - int(a) <= 60:
        return None
    if ref.year and to_year and ref.year != to_year:
        # Editions differ: only the two ends are known.
        last = f"{head} {stem + '.' if stem else ''}{b}"
        return [ref, StandardRef(f"{last}-{to_year}", last, to_year, ref.kind, "", r.group(0).strip(" ~"))], r.end()
    year = ref.year or to_year
    raw = (ref.raw + r.group(0)).strip()
    refs = []
    width = len(a)
    for n in range(int(a), int(b) + 1):
        part = str(n).zfill(width) if not stem else str(n)
        base = f"{head} {stem + '.' if stem else ''}{part}"
        refs.append(StandardRef(f"{base}-{year}" if year else base, base, year, ref.kind, "", raw))
    return refs, r.end()


def _lookbehind_ok(text: str, i: int) -> bool:
    """A prefix must start a token: not inside a word or an in-house code
    (``WI-SL-002``, ``ZDS JC0022-2015``), but it may follow ``/`` after a number
    (``GB/T 21109.3-2007/IEC61511-3``, ``GB 3836.4-2010 /IEC …``) or a stray
    leading dash."""
    if i == 0:
        return True
    prev = text[i - 1]
    if prev.isascii() and (prev.isalnum() or prev in "_."):
        return False
    if prev == "/":
        return bool(re.search(r"(?:^|[\d)])\s*/$", text[:i]))
    if prev == "-":
        return i < 2 or not (text[i - 2].isascii() and text[i - 2].isalnum())
    # an upper-case word just before, that is not itself an issuer, makes this part of an in-house code
    word = re.search(r"(?:^|[^A-Za-z0-9])([A-Z]+)\s+$", text[:i])
    return not (word and not _ISSUER_WORD.fullmatch(word.group(1)))


def _find_standards(text: str) -> list[_Hit]:
    hits: list[_Hit] = []
    pos = 0
    while pos < len(text):
        best: tuple[int, int, list[StandardRef]] | None = None
        for family, rx in _PATTERNS:
            for m in rx.finditer(text, pos):
                if best and m.start() > best[0]:
                    break
                if not _lookbehind_ok(text, m.start()):
                    continue
                read = _read_standard(text, family, m)
                if not read:
                    continue
                ref, end = read
                refs = [ref]
                rng = _expand_range(text, ref, end)
                if rng:
                    refs, end = rng
                if best is None or (m.start(), -end) < (best[0], -best[1]):
                    best = (m.start(), end, refs)
                break
        if best is None:
            break
        hits.append(_Hit(best[0], best[1], best[2]))
        pos = best[1]
    return hits


# ---------------------------------------------------------------------------
# What lies between the standards: notes and methods

# Notes: whole fragments that only qualify a neighbouring number.
_NOTE = re.compile(
    r"""(?ix)^(?:
      [\W\d_]*                                         # no letters at all: clause numbers, years, "2019-2020"
    | \(?e\d\)?|el|[a-z]                                # ASTM editorial marks, a lone letter
    | (?:mod|idt|neq|eqv)                              # degree of adoption
    | (?:r|reapproved\s*)\d{2,4}                       # reapproval
    | (?:ed(?:i|ition)?|rev(?:ision)?|version|ver|v|amdt?|amd|cor|a|ac)\.?\s*[\d.]+(?:\s*[-:]\s*\d+)*
    | (?:[\d\s,.-]*(?:st|nd|rd|th)?\s*(?:edition|ed\.?|revision)?\s*)+   # 6th, 59th 2018, 2017-2018 Edition
    | (?:edition|ed\.?)\s*[a-z\d.]+
    | [a-z\s-]*\bedition
    | (?:erta|errata)[\s-]*\d{4}(?:\s+(?:erta|errata)[\s-]*\d{4})*
    | xg\d+(?:\s*-\s*\d{4})?                           # 修改单 XG1-2016
    | l-[a-z]{2,4}                                     # lubricant class after SH/T numbers
    )$""",
)
# Chinese remarks: editions, partial revisions, confirmations, parts, clauses,
# appendices, dates, a place before a local number, a label.  Only for
# fragments that name no document of their own.
_NOTE_ZH = re.compile(
    r"""(?x)^(?:
      .*第?[\d一二三四五六七八九十百]+(?:年|次)?(?:修订)?版.*   # 第60版, 2009年版, 第六修订版
    | 最新版|现行有效版本?|现行版
    | 附录.*|附件.*|方法\s*[\dA-Z].*|第.{1,8}(?:部分|章|节|条|号修改|修改单).*
    | 第?\s*[\d一二三四五六七八九十]+\s*(?:分册|册|卷|部分|章|节|条)?
    | .*(?:局部修订|确认|修订|增补|修改单|修正).*
    | .*\d{4}\s*年.*(?:发布|实施|执行).*
    | \d{4}\s*年(?:\d{1,2}月(?:\d{1,2}日)?)?
    | [\u4e00-\u9fff]{2,7}(?:省|市|自治区|特别行政区)|上海|北京|天津|重庆
    | .*编号
    )$""",
)
_DOCUMENT_WORDS = re.compile(r"号|令|函|文件|通知|规定|规则|办法|细则|条例|公告|手册|出版社")
_OPEN, _CLOSE = "(《", ")》"


def _has_code(t: str) -> bool:
    """Whether a fragment names a document of its own (``UTS-I-W-02``, ``NJS/C-66``, ``IMO IMDG``)."""
    letters = len(re.findall(r"[A-Za-z]", t))
    return (letters >= 2 and bool(re.search(r"\d", t))) or bool(re.search(r"[A-Za-z]{2,}\s+[A-Za-z]{2,}", t))


def _is_note(text: str) -> bool:
    """Whether a fragment only qualifies its neighbour; a fragment made of a
    remark and bracketed remarks (``(2013)e1``, ``Edi.1 (R2015)``) is one too."""
    t = normalise_name(text) or text
    parts = [p.strip() for p in re.split(r"[()《》]", t) if p.strip()]
    if len(parts) > 1:
        return all(_is_note(p) for p in parts)
    if _NOTE.match(t):
        return True
    return not _has_code(t) and not _DOCUMENT_WORDS.search(t) and bool(_NOTE_ZH.match(t))


def _split_top(gap: str) -> list[tuple[str, str]]:
    """Pieces of a stretch of text cut at separators outside brackets and
    《》, each with the separator that preceded it."""
    pieces: list[tuple[str, str]] = []
    depth, cur, sep, i = 0, "", "", 0
    while i < len(gap):
        ch = gap[i]
        if ch in _OPEN:
            depth += 1
        elif ch in _CLOSE:
            depth = max(0, depth - 1)
        if depth == 0:
            cut = next((s for s in (" / ", "  ", *"、,;\n") if gap.startswith(s, i)), None)
            if cut:
                pieces.append((cur, sep))
                cur, sep = "", cut
                i += len(cut)
                continue
        cur += ch
        i += 1
    pieces.append((cur, sep))
    # A Latin title cut at its commas ("Sucker Rods, Polished Rods and Liners, …") is one piece.
    merged: list[tuple[str, str]] = []
    for text, sep in pieces:
        if merged and sep == "," and not re.search(r"[\d\u4e00-\u9fff]", text) and re.search(r"[A-Za-z]", text) \
                and not re.search(r"[\d\u4e00-\u9fff]", merged[-1][0]) and re.search(r"[A-Za-z]", merged[-1][0]):
            merged[-1] = (f"{merged[-1][0]},{text}", merged[-1][1])
        else:
            merged.append((text, sep))
    return merged


def _trim(p: str) -> str:
    """Strip separators and brackets left unbalanced by the cut (their other
    half was around a standard)."""
    p = p.strip(" /:+~")
    while p and (p.count("(") != p.count(")") or p.count("《") != p.count("》")):
        if p[0] in _OPEN and sum(p.count(c) for c in _OPEN) > sum(p.count(c) for c in _CLOSE):
            p = p[1:]
        elif p[-1] in _CLOSE and sum(p.count(c) for c in _CLOSE) > sum(p.count(c) for c in _OPEN):
            p = p[:-1]
        elif p[-1] in _OPEN:
            p = p[:-1]
        elif p[0] in _CLOSE:
            p = p[1:]
        else:
            break
        p = p.strip(" /:+~")
    return p


def _fragments(gap: str) -> list[tuple[str, bool]]:
    """The non-empty pieces of a gap, each with whether it was wholly inside
    one pair of brackets or 《》 (then without them)."""
    out = []
    for piece, _ in _split_top(gap):
        p = _trim(piece)
        if not p:
            continue
        pair = p[0] + p[-1]
        wrapped = pair in ("()", "《》") and _balanced_inside(p[1:-1])
        out.append((p[1:-1].strip() if wrapped else p, wrapped))
    return out


def _balanced_inside(s: str) -> bool:
    depth = 0
    for ch in s:
        depth += ch in _OPEN
        depth -= ch in _CLOSE
        if depth < 0:
            return False
    return depth == 0


def _method(text: str) -> StandardRef | None:
    t = normalise_name(text)
    if not t or not re.search(r"[A-Za-z\u4e00-\u9fff]", t):
        return None
    return StandardRef(t, t, None, "method", "", text.strip())


def _with_note(ref: StandardRef, note: str) -> StandardRef:
    note = normalise_name(note)
    if not note or note in ref.note.split("; "):
        return ref
    joined = f"{ref.note}; {note}" if ref.note else note
    return StandardRef(ref.number, ref.base, ref.year, ref.kind, joined, ref.raw)


def parse_standard_cell(cell: str | None) -> list[StandardRef]:
    """Every standard and method named in a ``方法程序及编号`` cell, in order, once each.

    Notes attach to the ref before them (or, at the start of the cell, to the
    first ref).  A bracketed piece is a note when the cell names anything else,
    and is read on its own otherwise (``（交通部2004年第3号令）``).

    >>> [r.number for r in parse_standard_cell("GB 50982－2014")]
    ['GB 50982-2014']
    >>> r = parse_standard_cell("CJJ69-1995（2003年局部修订）")[0]
    >>> r.number, r.base, r.year, r.kind, r.note
    ('CJJ 69-1995', 'CJJ 69', 1995, 'industry', '2003年局部修订')
    >>> [(r.number, r.kind) for r in parse_standard_cell("EN50128:2011(GB/T 28808-2012、IEC 62279:2015)")]
    [('EN 50128:2011', 'international'), ('GB/T 28808-2012', 'GB/T'), ('IEC 62279:2015', 'international')]
    >>> [(r.number, r.kind) for r in parse_standard_cell("交通部2004年第3号令")]
    [('交通部2004年第3号令', 'method')]
    >>> [(r.number, r.year) for r in parse_standard_cell("CECS40:92")]
    [('CECS 40-1992', 1992)]
    >>> parse_standard_cell("第60版")
    []
    """
    text = _prepare(cell or "")
    if not text:
        return []
    # The cell as a sequence of standards and text fragments.
    seq: list[tuple[StandardRef | None, str, bool]] = []
    pos = 0
    for hit in [*_find_standards(text), _Hit(len(text), len(text), [])]:
        seq += [(None, frag, wrapped) for frag, wrapped in _fragments(text[pos : hit.start])]
        seq += [(ref, "", False) for ref in hit.refs]
        pos = hit.end
    kinds = [
        "ref" if ref else ("note" if (wrapped or _is_note(frag)) else ("method" if _method(frag) else "drop"))
        for ref, frag, wrapped in seq
    ]
    if "ref" not in kinds and "method" not in kinds:
        # Nothing but bracketed pieces and remarks: a bracketed document stands for itself.
        kinds = ["method" if (w and not _is_note(f) and _method(f)) else k for (_, f, w), k in zip(seq, kinds)]
    items: list[StandardRef] = []
    pending: list[str] = []
    for (ref, frag, _), kind in zip(seq, kinds):
        if kind == "note":
            if items:
                items[-1] = _with_note(items[-1], frag)
            else:
                pending.append(frag)
        elif kind in ("ref", "method"):
            item = ref if ref else _method(frag)
            for p in pending:
                item = _with_note(item, p)
            pending = []
            items.append(item)
    seen: set[tuple[bool, str]] = set()
    out = []
    for ref in items:
        key = (ref.kind == "method", ref.number)
        if key not in seen:
            seen.add(key)
            out.append(ref)
    return out


def parse_standard_title(cell: str | None) -> str:
    """The title in a ``依据的检测标准`` cell: width-folded, without 《》, with
    whitespace collapsed to single spaces (title parts stay apart:
    ``头部防护 安全帽``).

    >>> parse_standard_title("《信息安全技术 信息系统安全等级保护基本要求》")
    '信息安全技术 信息系统安全等级保护基本要求'
    >>> parse_standard_title("  《公路工程竣（交）工验收办法》\\n")
    '公路工程竣(交)工验收办法'
    """
    t = unicodedata.normalize("NFKC", cell or "")
    t = t.replace("《", " ").replace("》", " ")
    t = re.sub(r"\s+", " ", t).strip()
    return t.strip(" ,;、")


# ---------------------------------------------------------------------------
# Report over a column


@dataclass
class ParseReport:
    """How the distinct non-empty cells of a column were read."""

    cells: int = 0  # distinct non-empty cells
    with_standards: int = 0  # at least one standard
    methods_only: int = 0  # methods but no standard
    unparsed: int = 0  # nothing read
    standards: Counter[str] = field(default_factory=Counter)  # distinct standard ids → cells naming them
    methods: Counter[str] = field(default_factory=Counter)
    kinds: Counter[str] = field(default_factory=Counter)
    unparsed_samples: list[str] = field(default_factory=list)

    def lines(self, samples: int = 15) -> list[str]:
        pct = (lambda n: f"{100 * n / self.cells:.1f}%") if self.cells else (lambda n: "-")
        out = [
            f"distinct non-empty cells: {self.cells}",
            f"  with standards: {self.with_standards} ({pct(self.with_standards)})",
            f"  methods only:   {self.methods_only} ({pct(self.methods_only)})",
            f"  unparsed:       {self.unparsed} ({pct(self.unparsed)})",
            f"distinct standards: {len(self.standards)}; distinct methods: {len(self.methods)}",
            "refs by kind: " + ", ".join(f"{k} {n}" for k, n in self.kinds.most_common()),
        ]
        if self.unparsed_samples:
            out.append(f"unparsed samples ({min(samples, len(self.unparsed_samples))} of {self.unparsed}):")
            out += [f"  {s!r}" for s in self.unparsed_samples[:samples]]
        return out


def parse_report(cells: Iterable[str]) -> ParseReport:
    """Parse every distinct non-empty cell once and count the outcomes.

    >>> rep = parse_report(["GB 2811-2019", "GB 2811-2019", "CCIC-WI-003-03-2013", "第19版", ""])
    >>> rep.cells, rep.with_standards, rep.methods_only, rep.unparsed
    (3, 1, 1, 1)
    """
    rep = ParseReport()
    for cell in dict.fromkeys(c for c in cells if c and c.strip()):
        rep.cells += 1
        refs = parse_standard_cell(cell)
        for r in refs:
            rep.kinds[r.kind] += 1
            (rep.methods if r.kind == "method" else rep.standards)[standard_id(r)] += 1
        if not refs:
            rep.unparsed += 1
            rep.unparsed_samples.append(cell)
        elif any(r.kind != "method" for r in refs):
            rep.with_standards += 1
        else:
            rep.methods_only += 1
    return rep


def main(argv: list[str] | None = None) -> int:
    """``python -m loaders.standard_numbers scope.csv [column]`` prints the report."""
    import csv

    args = sys.argv[1:] if argv is None else argv
    if not args:
        print("usage: python -m loaders.standard_numbers <scope.csv> [column]", file=sys.stderr)
        return 2
    path, column = args[0], (args[1] if len(args) > 1 else "方法程序及编号")
    with open(path, encoding="utf-8-sig", newline="") as f:
        reader = csv.DictReader(f)
        if column not in (reader.fieldnames or []):
            print(f"{path}: no column {column!r}", file=sys.stderr)
            return 2
        rep = parse_report(row.get(column) or "" for row in reader)
    print("\n".join(rep.lines()))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
