"""The Cypher statements the Neo4j store runs, one purpose per ``.cypher`` file.

Files are read from the installed package (``importlib.resources``), so they
ship inside the wheel (pyproject lists ``cypher/*.cypher`` as package data).

>>> "MERGE" in load("upsert_nodes")
True
>>> statements("schema_constraints")[0].startswith("CREATE CONSTRAINT")
True
"""

from __future__ import annotations

import re
from functools import lru_cache
from importlib.resources import files

_COMMENT_LINE = re.compile(r"\s*//")  # a line that is only a comment


@lru_cache
def load(name: str) -> str:
    """The text of ``cypher/<name>.cypher``; ``FileNotFoundError`` for an unknown name."""
    return files(__name__).joinpath(f"{name}.cypher").read_text(encoding="utf-8")


def statements(name: str) -> list[str]:
    """The statements of a multi-statement file (schema), split at ``;`` ending a line.

    The driver runs one statement per call; comment lines are dropped.
    """
    parts = re.split(r";[ \t]*(?:\n|$)", load(name))
    cleaned = ("\n".join(line for line in p.splitlines() if not _COMMENT_LINE.match(line)).strip() for p in parts)
    return [p for p in cleaned if p]
