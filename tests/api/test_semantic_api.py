"""The API and CLI with the offline model already built: semantic matching on, explained, and said so.

The graph is the dev set's canonical graph (data/eval/topic-linking-graph) with the
catalogue, loaded by `yrdq load`; small enough to embed in seconds.
"""

from __future__ import annotations

import contextlib
import io

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from api.cli import main as cli
from graph import offline_model as om
from graph.evaluation import GRAPHS
from graph.settings import Settings


@pytest.fixture(scope="module")
def data_dir(pytestconfig, tmp_path_factory):
    """A data folder whose default offline model is built (once, cached) and whose graph is loaded."""
    cache = getattr(pytestconfig, "cache", None)
    base = cache.mkdir("yrdq-offline-e5") if cache is not None else tmp_path_factory.mktemp("e5")
    built = om.build(base / "model")
    folder = tmp_path_factory.mktemp("semantic-api")
    om.default_dir(folder).parent.mkdir(parents=True)
    om.default_dir(folder).symlink_to(built, target_is_directory=True)
    return folder


@pytest.fixture(scope="module")
def load_output(data_dir) -> str:
    """What `yrdq load` of the dev set's graph prints (capsys is per test, this load once per module)."""
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        assert cli(["load", str(GRAPHS / "topic-linking-graph"), "--data-dir", str(data_dir)]) == 0
    return out.getvalue()


@pytest.fixture(scope="module")
def loaded(data_dir, load_output):
    return data_dir


@pytest.fixture(scope="module")
def client(loaded) -> TestClient:
    return TestClient(create_app(settings=Settings(data_dir=loaded)), raise_server_exceptions=False)


def test_load_embeds_the_graph_texts_and_says_how_many(load_output):
    line = next(l for l in load_output.splitlines() if "vectors" in l)
    embedded = int(line.split(":", 1)[1].split()[0])
    assert embedded > 100  # the set's products, standards, items and hazards, plus the catalogue's


def test_health_and_match_say_the_semantic_layer_is_on(client):
    assert client.get("/health").json()["semantic"].startswith("on")
    assert client.get("/match", params={"topic": "温升"}).json()["semantic"].startswith("on")


def test_english_e_bike_charger_topic_finds_the_charger_and_its_labs(client):
    body = client.get("/match", params={"topic": "e-bike charger overheating"}).json()
    products = [l["name"] for l in body["links"] if l["kind"] == "Product"]
    assert products[0] == "电动自行车充电器"
    assert {"L02", "L08"} & {lab["id"] for lab in body["labs"][:2]}  # the e-bike and the appliance labs
    assert all(l["matched"] for l in body["links"])  # every link says why
    assert body["labs"][0]["evidence"] and body["experts"]


def test_colloquial_power_bank_topic_reaches_battery_lab_and_expert_with_semantic_evidence(client):
    body = client.get("/match", params={"topic": "充电宝 鼓包 自燃"}).json()
    assert any(l["kind"] == "Product" and l["id"] == "移动电源" for l in body["links"])
    assert "L01" in [lab["id"] for lab in body["labs"][:3]]  # lithium battery safety testing
    assert "E01" in [e["id"] for e in body["experts"][:3]]  # lithium battery thermal runaway
    assert any(l["via"] in ("semantic", "graph") and ("≈" in l["matched"] or "→" in l["matched"]) for l in body["links"])


def test_without_the_model_matching_is_lexical_and_says_why(loaded, tmp_path):
    client = TestClient(create_app(settings=Settings(data_dir=loaded, model="")))
    body = client.get("/match", params={"topic": "电动自行车充电器 温升"}).json()
    assert body["semantic"].startswith("off") and body["labs"]
    assert all(l["via"] not in ("semantic", "graph") for l in body["links"])


def test_the_service_is_ready_when_startup_completes(loaded):
    """The model and graph index load at start-up, not on the first request (which a health check may time)."""
    app = create_app(settings=Settings(data_dir=loaded))
    assert "matcher" not in vars(app.state.service)
    with TestClient(app):
        assert "matcher" in vars(app.state.service) and app.state.service.semantic.startswith("on")
