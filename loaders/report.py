"""What a load did: rows read, loaded, merged as duplicates, rejected with file:line and reason."""

from __future__ import annotations

import sys
from pathlib import Path
from dataclasses import dataclass, field
from typing import TextIO


@dataclass(frozen=True, slots=True)
class Rejected:
    file: str
    line: int
    reason: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.reason}"


@dataclass
class FileReport:
    file: str
    read: int = 0
    loaded: int = 0
    merged: int = 0  # rows that repeat an entity an earlier row already gave (counted in loaded too)
    rejected: list[Rejected] = field(default_factory=list)

    def reject(self, line: int, reason: str) -> None:
        self.rejected.append(Rejected(self.file, line, reason))


@dataclass
class LoadReport:
    files: list[FileReport] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # e.g. values that could not be parsed but were kept

    def file(self, name: str) -> FileReport:
        fr = FileReport(name)
        self.files.append(fr)
        return fr

    @property
    def rejected(self) -> list[Rejected]:
        return [r for f in self.files for r in f.rejected]

    def totals(self) -> dict[str, int]:
        return {
            "read": sum(f.read for f in self.files),
            "loaded": sum(f.loaded for f in self.files),
            "merged": sum(f.merged for f in self.files),
            "rejected": sum(len(f.rejected) for f in self.files),
        }

    def print(self, out: TextIO = sys.stdout, max_rejected: int = 20) -> None:
        out.write(f"{'file':<48} {'read':>7} {'loaded':>7} {'merged':>7} {'rejected':>8}\n")
        for f in self.files:
            out.write(f"{_short(f.file):<48} {f.read:>7} {f.loaded:>7} {f.merged:>7} {len(f.rejected):>8}\n")
        t = self.totals()
        out.write(f"{'total':<48} {t['read']:>7} {t['loaded']:>7} {t['merged']:>7} {t['rejected']:>8}\n")
        rejected = self.rejected
        for r in rejected[:max_rejected]:
            out.write(f"rejected {r}\n")
        if len(rejected) > max_rejected:
            out.write(f"… and {len(rejected) - max_rejected} more rejected rows\n")
        for note in self.notes:
            out.write(f"note: {note}\n")


def _short(path: str) -> str:
    """The file and its folder, enough to tell scope.csv of one part from another's."""
    p = Path(path)
    return f"{p.parent.name}/{p.name}" if p.parent.name else p.name


class Progress:
    """A one-line progress counter on stderr for long files (silent when stderr is not a terminal)."""

    def __init__(self, label: str, every: int = 2000, out: TextIO = sys.stderr) -> None:
        self.label, self.every, self.out, self.n = label, every, out, 0
        self.live = out.isatty()

    def tick(self) -> None:
        self.n += 1
        if self.live and self.n % self.every == 0:
            self.out.write(f"\r{self.label}: {self.n} rows")
            self.out.flush()

    def done(self) -> None:
        if self.live and self.n >= self.every:
            self.out.write(f"\r{self.label}: {self.n} rows\n")
