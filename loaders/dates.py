"""Dates in the written forms the source data uses, to ISO ``YYYY-MM-DD``.

Accepted (after NFKC width folding and surrounding whitespace removed):

- year first with ``/``, ``-``, ``.`` or a dash variant between the parts, one- or
  two-digit month and day: ``2019/05/22``, ``2015-5-18``, ``2016—05—03``;
- ``2019年5月22日``;
- eight digits ``20190522``;
- day first with a four-digit year at the end, as in the RASFF export
  (``23-01-2020 12:46:26``) — read as day-month-year, the European order;
- any of these followed by a time of day, which is ignored.

Anything else — six-digit ``140801``, spreadsheet serials ``42100``, impossible
dates such as ``15012501`` — gives ``None`` rather than a guess.
"""

from __future__ import annotations

import datetime as _dt
import re

from loaders.names import fold

_DASHES = str.maketrans({c: "-" for c in "－—–‐‑‒―~～"})
_TIME = r"(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?"
_YMD = re.compile(rf"(\d{{4}})\s*[-/.]\s*(\d{{1,2}})\s*[-/.]\s*(\d{{1,2}}){_TIME}")
_ZH = re.compile(rf"(\d{{4}})\s*年\s*(\d{{1,2}})\s*月\s*(\d{{1,2}})\s*[日号]?{_TIME}")
_COMPACT = re.compile(rf"(\d{{4}})(\d{{2}})(\d{{2}}){_TIME}")
_DMY = re.compile(rf"(\d{{1,2}})\s*[-/.]\s*(\d{{1,2}})\s*[-/.]\s*(\d{{4}}){_TIME}")


def _iso(y: str, m: str, d: str) -> str | None:
    try:
        return _dt.date(int(y), int(m), int(d)).isoformat()
    except ValueError:
        return None


def _one(text: str) -> str | None:
    for rx, order in ((_YMD, "ymd"), (_ZH, "ymd"), (_COMPACT, "ymd"), (_DMY, "dmy")):
        m = rx.fullmatch(text)
        if m:
            a, b, c = m.groups()
            return _iso(a, b, c) if order == "ymd" else _iso(c, b, a)
    return None


def parse_date(text: str | None) -> str | None:
    """ISO date of ``text``, or ``None`` when it is empty or not a date.

    A cell holding the same date twice in two spellings (``2016-06-10；20160610``)
    is that date; two different dates are not one date.

    >>> parse_date(" 2019/05/22 ")
    '2019-05-22'
    >>> parse_date("2019年5月22日")
    '2019-05-22'
    >>> parse_date("20190522"), parse_date("2019.05.22"), parse_date("2016—05—03")
    ('2019-05-22', '2019-05-22', '2016-05-03')
    >>> parse_date("23-01-2020 12:46:26")
    '2020-01-23'
    >>> parse_date("2019/02/30") is None, parse_date("42100") is None, parse_date("") is None
    (True, True, True)
    """
    t = fold(text or "").translate(_DASHES).strip()
    if not t:
        return None
    one = _one(t)
    if one:
        return one
    parts = [p.strip() for p in re.split(r"[;；,，]|\s/\s", t) if p.strip()]
    if len(parts) > 1:
        dates = {_one(p) for p in parts}
        if len(dates) == 1 and None not in dates:
            return dates.pop()
    return None


_RANGE_SEP = re.compile(r"\s+-(?:\s+|$)|\s*(?:至|到|~|～|—|－)\s*")


def parse_period(text: str | None) -> tuple[str | None, str | None]:
    """Start and end of a period such as the CNAS ``周期`` column.

    The two dates are separated by a spaced dash (``" - "``), 至/到, or a tilde
    or long dash; a side that cannot be read is ``None``.

    >>> parse_period("2019/04/24 - 2025/04/23")
    ('2019-04-24', '2025-04-23')
    >>> parse_period("2019年4月24日至2025年4月23日")
    ('2019-04-24', '2025-04-23')
    >>> parse_period("2019/04/24")
    ('2019-04-24', None)
    >>> parse_period("")
    (None, None)
    """
    t = fold(text or "").strip()
    if not t:
        return (None, None)
    single = parse_date(t)  # "2016—05—03" is one date, not a range of "2016" to "05—03"
    if single:
        return (single, None)
    parts = _RANGE_SEP.split(t, maxsplit=1)
    if len(parts) == 2:
        return (parse_date(parts[0]), parse_date(parts[1]))
    return (parse_date(t), None)
