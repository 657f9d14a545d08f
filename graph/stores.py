"""Open the store the settings name."""

from __future__ import annotations

from graph.nx_store import NetworkxStore
from graph.settings import Settings
from graph.store import GraphStore


def open_store(settings: Settings) -> GraphStore:
    if settings.store == "neo4j":
        from graph.neo4j_store import Neo4jStore  # the driver is only needed for this store

        return Neo4jStore.from_settings(settings)
    return NetworkxStore(settings.data_dir)
