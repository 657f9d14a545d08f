"""Fixtures shared by every test package: the bundled demo graph and the shared real data."""

from __future__ import annotations

from pathlib import Path

import pytest

from graph.nx_store import NetworkxStore
from loaders.pipeline import DEMO, load

REPO = Path(__file__).resolve().parents[1]
SHARED_DATA = REPO.parent / "shared" / "data"


def shared(*parts: str) -> Path:
    """A path under ../shared/data, or a skip with the reason when it is not there."""
    path = SHARED_DATA.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"the shared real data is not present at {path} (clone next to ../shared to run this test)")
    return path


@pytest.fixture(scope="session")
def demo_dir(tmp_path_factory) -> Path:
    """A data folder holding the demo graph (catalogue + the region's CNAS records), loaded once."""
    folder = tmp_path_factory.mktemp("demo-store")
    load([DEMO], NetworkxStore(folder))
    return folder


@pytest.fixture(scope="session")
def demo_store(demo_dir) -> NetworkxStore:
    return NetworkxStore(demo_dir)
