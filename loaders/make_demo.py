"""Derive the bundled demo dataset: the Yangtze River Delta subset of the CNAS disclosures.

    python -m loaders.make_demo ../shared/data/cnas data/demo/cnas

Keeps the bodies whose address lies in Shanghai, Jiangsu, Zhejiang or Anhui, and
every scope line and signatory of theirs, in the source's own format and
columns.  The source has no personal data left (signatories are pseudonyms);
nothing is added.
"""

from __future__ import annotations

import csv
import sys
from pathlib import Path

from loaders.cnas import PARTS
from loaders.names import normalise_name
from loaders.regions import is_yrd, region_of_address
from loaders.tables import detect_encoding


def _read(path: Path) -> tuple[list[str], list[list[str]]]:
    with path.open(encoding=detect_encoding(path), newline="") as f:
        rows = list(csv.reader(f))
    return rows[0], rows[1:]


def _write(path: Path, header: list[str], rows: list[list[str]]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(header)
        w.writerows(rows)


def make_demo(src: Path, dst: Path) -> dict[str, int]:
    counts: dict[str, int] = {}
    for part, (bodies_file, _) in PARTS.items():
        folder = src / part
        if not folder.is_dir():
            continue
        header, rows = _read(folder / bodies_file)
        addr = header.index("单位地址")
        kept = [r for r in rows if is_yrd((region_of_address(r[addr]) or ("", ""))[0])]
        names = {normalise_name(r[0]) for r in kept}
        _write(dst / part / bodies_file, header, kept)
        counts[f"{part}/{bodies_file}"] = len(kept)
        for other in sorted(folder.glob("*.csv")):
            if other.name == bodies_file:
                continue
            header, rows = _read(other)
            sub = [r for r in rows if r and normalise_name(r[0]) in names]
            _write(dst / part / other.name, header, sub)
            counts[f"{part}/{other.name}"] = len(sub)
    return counts


if __name__ == "__main__":
    src, dst = (Path(a) for a in sys.argv[1:3])
    for name, n in make_demo(src, dst).items():
        print(f"{name:<40} {n:>6}")
