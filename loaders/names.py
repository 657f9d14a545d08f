"""Name normalisation: one written form per object, item and organisation name.

The CNAS disclosures write the same name many ways — full-width letters and
brackets, spaces typed between Chinese characters (``建 筑 结 构``), notes in
brackets (``建筑结构(含砼结构、砌体结构等）``).  Three levels, each built on the
one before:

- :func:`normalise_name` — the display form: width-folded, brackets unified to
  ``()``, whitespace cleaned, stray punctuation at the ends removed.  Nothing
  that carries meaning is dropped.
- :func:`name_key` — the merge key of objects and items: the display form with
  bracketed notes removed and Latin letters case-folded.
- :func:`org_key` — the comparison key of organisation names: additionally
  without legal-form suffixes (有限公司 …) and without any spaces or dashes.
"""

from __future__ import annotations

import re
import unicodedata

# CJK ideographs and the CJK punctuation that sits between them (、。《》 …).
_CJK = r"\u2e80-\u2fff\u3000-\u303f\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\ufe30-\ufe4f"
_SPACE_NEXT_TO_CJK = re.compile(rf"(?<=[{_CJK}])\s+|\s+(?=[{_CJK}])")
# After NFKC: （）→() ［］→[] ﹝﹞→〔〕; the rest are unified here.
_BRACKETS = str.maketrans({"[": "(", "]": ")", "【": "(", "】": ")", "〔": "(", "〕": ")", "〖": "(", "〗": ")"})
# Punctuation that has no business at either end of a name.
_END_PUNCT = " \t\r\n,.;:!?、，。；：！？·•*_/\\|~-—–'\"`"


def fold(text: str) -> str:
    """NFKC width folding (full-width letters, digits and punctuation to ASCII).

    >>> fold("ＧＢ／Ｔ　５００")
    'GB/T 500'
    """
    return unicodedata.normalize("NFKC", text or "")


def normalise_name(text: str | None) -> str:
    """The display form of a name.

    Width-folds (NFKC), unifies （）【】[]〔〕 to ``()``, removes whitespace next to
    Chinese characters, collapses other whitespace to one space (Latin words
    keep their single spaces) and strips stray punctuation at the ends.

    >>> normalise_name("建 筑 结 构")
    '建筑结构'
    >>> normalise_name("建筑结构(含砼结构、砌体结构等）")
    '建筑结构(含砼结构、砌体结构等)'
    >>> normalise_name("  Pressure   vessel 【压力容器】。")
    'Pressure vessel (压力容器)'
    >>> normalise_name(None)
    ''
    """
    t = fold(text or "").translate(_BRACKETS)
    t = re.sub(r"\s+", " ", t)
    t = _SPACE_NEXT_TO_CJK.sub("", t)
    t = t.strip(_END_PUNCT)
    # An unmatched bracket left dangling at an end is debris too: "(第60版" keeps
    # its bracket, but "结构(" and ")结构" lose theirs.
    while t.endswith("(") or (t.startswith(")")):
        t = t[:-1] if t.endswith("(") else t[1:]
        t = t.strip(_END_PUNCT)
    return t


def strip_brackets(text: str) -> str:
    """Remove bracketed groups (nested too) from an already normalised text.

    >>> strip_brackets("建筑结构(含砼结构(砌体)等)")
    '建筑结构'
    >>> strip_brackets("玩具(童车")
    '玩具(童车'
    """
    prev = None
    while prev != text:
        prev, text = text, re.sub(r"\([^()]*\)", "", text)
    return text


_NOTE_WORDS = re.compile(r"^(含|不含|包括|包含|除|限|仅|其中|如|见|适用)|[、，,;；:：等]|\d")


def name_variants(name: str) -> list[str]:
    """The other names a name written with brackets stands for: the name without them, and a
    bracketed alternative name (not a note such as 含…, a list, or a number).

    >>> name_variants("移动电源(充电宝)")
    ['移动电源', '充电宝']
    >>> name_variants("建筑结构(含砼结构、砌体结构等)")
    ['建筑结构']
    >>> name_variants("可迁移元素(铅、镉、汞)")
    ['可迁移元素']
    >>> name_variants("电梯")
    []
    """
    t = normalise_name(name)
    if "(" not in t:
        return []
    out = [normalise_name(strip_brackets(t))]
    for inside in re.findall(r"\(([^()]*)\)", t):
        inside = inside.strip()
        if 2 <= len(inside) <= 8 and not inside.isascii() and not _NOTE_WORDS.search(inside):
            out.append(inside)
    return [v for v in dict.fromkeys(out) if v and v != t]


def name_key(text: str | None) -> str:
    """The merge key of an object or item name: variants that differ only by
    spacing, width, bracket style, bracketed notes or letter case share it.

    When the whole name is a bracketed note, its inside is kept instead of an
    empty key.

    >>> name_key("建筑结构") == name_key("建 筑 结 构") == name_key("建筑结构(含砼结构、砌体结构等）")
    True
    >>> name_key("ＰＶＣ 管材")
    'pvc管材'
    >>> name_key("（第60版）")
    '第60版'
    """
    t = normalise_name(text)
    key = normalise_name(strip_brackets(t))
    if not key:
        key = normalise_name(t.replace("(", " ").replace(")", " "))
    return key.casefold()


# Legal forms, longest first; stripped repeatedly from the end so that
# "集团股份有限公司" loses both parts.
_LEGAL_FORMS_ZH = ("股份有限公司", "有限责任公司", "集团有限公司", "有限公司", "股份公司", "集团公司", "公司", "集团")
_LEGAL_FORMS_EN = re.compile(
    r"(?:[\s,.]*(?:co\.?,?\s*ltd|company\s+limited|limited|ltd|inc|incorporated|corporation|corp|"
    r"gmbh|llc|plc|s\.?a|ag|group|co|company))+\.?$",
    re.IGNORECASE,
)


def org_key(name: str | None) -> str:
    """The comparison key of an organisation name.

    Rule: take :func:`normalise_name`; drop bracketed notes at the *end* of the
    name (branch and status notes such as ``（第六研究所）``, ``（上海分公司）``);
    strip legal-form suffixes from the end, repeatedly — 股份有限公司,
    有限责任公司, 集团有限公司, 有限公司, 股份公司, 集团公司, 公司, 集团 and the
    Latin Co., Ltd. / Inc. / GmbH / Corporation …; drop spaces, dashes and the
    middle dot; case-fold.

    A bracket in the *middle* of a name is part of the registered name — the
    place of a separate legal entity, ``通标标准技术服务（上海）有限公司`` is not
    ``通标标准技术服务有限公司`` — so it is kept (as ``()``).  Legal forms in the
    middle are kept too, so two bodies of one group
    (``中国检验认证集团检验有限公司-中国检验认证集团上海有限公司``) stay apart.

    >>> org_key("上海材料研究所检测中心有限公司") == org_key("上海材料研究所检测中心")
    True
    >>> org_key("钢研纳克检测技术股份有限公司")
    '钢研纳克检测技术'
    >>> org_key("中国电子信息产业集团有限公司（第六研究所）")
    '中国电子信息产业'
    >>> org_key("通标标准技术服务（上海）有限公司") == org_key("通标标准技术服务有限公司")
    False
    >>> org_key("SGS-CSTC Standards Technical Services Co., Ltd.")
    'sgscstcstandardstechnicalservices'
    """
    t = normalise_name(name)
    prev = None
    while prev != t:  # trailing bracketed notes, before the legal form is looked at
        prev, t = t, re.sub(r"\s*\([^()]*\)$", "", t)
    prev = None
    while prev != t and t:
        prev = t
        t = _LEGAL_FORMS_EN.sub("", t).rstrip(" ,.")
        for form in _LEGAL_FORMS_ZH:
            if t.endswith(form) and len(t) > len(form):
                t = t[: -len(form)]
                break
    t = re.sub(r"[\s\-—–·•.,]+", "", t)
    return t.casefold()
