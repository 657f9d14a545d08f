"""Read CSV, XLSX and JSON Lines files as numbered rows of text cells.

Each row comes with the line number a person would look for in the file: the
physical line for CSV (so a quoted cell that spans lines is counted right) and
JSON Lines, the sheet row for XLSX.
"""

from __future__ import annotations

import csv
import json
import re
from collections.abc import Iterator
from pathlib import Path

TABLE_SUFFIXES = (".csv", ".xlsx", ".jsonl")


class TableError(ValueError):
    """A file that cannot be read as a table at all."""


def detect_encoding(path: Path) -> str:
    """UTF-8 (with or without BOM) when the bytes decode, else GB18030 (a superset of GBK)."""
    data = path.read_bytes()
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return "gb18030"
    return "utf-8-sig"


def read_rows(path: Path) -> Iterator[tuple[int, dict[str, str]]]:
    """Yield ``(line, {column: text})``; cells are stripped, missing cells are ``""``."""
    suffix = path.suffix.lower()
    if suffix == ".csv":
        yield from _csv_rows(path)
    elif suffix == ".xlsx":
        yield from _xlsx_rows(path)
    elif suffix == ".jsonl":
        yield from _jsonl_rows(path)
    else:
        raise TableError(f"{path}: not a table file (expected one of {', '.join(TABLE_SUFFIXES)})")


# HTML formatting tags that web exports leave in cells (CNAS scope items: 第</B>1</B>类爆炸品…)
_MARKUP = re.compile(r"</?(?:b|i|u|em|strong|font|span|p|br|sub|sup)\b[^<>]*/?>", re.IGNORECASE)


def _clean(v: object) -> str:
    """A cell's text: stripped, without formatting tags, a whole float as an integer.

    >>> _clean("第</B>1</B>类爆炸品 "), _clean(3.0), _clean("粒径<5mm")
    ('第1类爆炸品', '3', '粒径<5mm')
    """
    if v is None:
        return ""
    if isinstance(v, float) and v.is_integer():
        v = int(v)
    return _MARKUP.sub("", str(v)).strip()


def _csv_rows(path: Path) -> Iterator[tuple[int, dict[str, str]]]:
    with path.open(encoding=detect_encoding(path), newline="") as f:
        reader = csv.reader(f)
        header = next(reader, None)
        if header is None:
            return
        header = [h.strip() for h in header]
        start = reader.line_num + 1
        for cells in reader:
            if any(c.strip() for c in cells):
                yield start, {h: _clean(cells[i]) if i < len(cells) else "" for i, h in enumerate(header)}
            start = reader.line_num + 1


def _xlsx_rows(path: Path) -> Iterator[tuple[int, dict[str, str]]]:
    from openpyxl import load_workbook

    try:
        wb = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises several unrelated types for a bad file
        raise TableError(f"{path}: cannot open as XLSX: {exc}") from exc
    try:
        rows = wb.worksheets[0].iter_rows(values_only=True)
        header = [_clean(h) for h in next(rows, ())]
        for n, cells in enumerate(rows, start=2):
            if any(_clean(c) for c in cells):
                yield n, {h: _clean(cells[i]) if i < len(cells) else "" for i, h in enumerate(header) if h}
    finally:
        wb.close()


def _jsonl_rows(path: Path) -> Iterator[tuple[int, dict[str, str]]]:
    with path.open(encoding="utf-8-sig") as f:
        for n, line in enumerate(f, start=1):
            if not line.strip():
                continue
            try:
                obj = json.loads(line)
            except json.JSONDecodeError as exc:
                yield n, {"__error__": f"invalid JSON: {exc.msg}"}
                continue
            if not isinstance(obj, dict):
                yield n, {"__error__": "a line must hold a JSON object"}
                continue
            yield n, {k: "|".join(map(_clean, v)) if isinstance(v, list) else _clean(v) for k, v in obj.items()}
