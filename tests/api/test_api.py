"""The API end to end on the demo graph: answers, 4xx with reasons, no personal data, CLI parity."""

from __future__ import annotations

import json

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from api.cli import main as cli
from graph.settings import Settings


@pytest.fixture(scope="module")
def client(demo_store, demo_dir) -> TestClient:
    return TestClient(create_app(demo_store, Settings(data_dir=demo_dir)), raise_server_exceptions=False)


def test_match_ranks_zhejiang_institutions_with_their_scope_lines(client):
    r = client.get("/match", params={"topic": "压力容器 定期检验", "province": "浙江省"})
    assert r.status_code == 200
    body = r.json()
    assert body["labs"] and {lab["province"] for lab in body["labs"]} == {"浙江省"}
    top = body["labs"][0]
    assert top["tier"] == "exact" and {"id", "name", "province", "city", "score", "evidence"} <= top.keys()
    assert any(e["object"] == "压力容器" and "定期检验" in e["item"] for e in top["evidence"])
    assert [lab["score"] for lab in body["labs"]] == sorted((lab["score"] for lab in body["labs"]), reverse=True)


def test_short_province_names_and_english_are_accepted(client):
    r = client.get("/match/labs", params={"topic": "pressure vessel periodic inspection", "province": "Zhejiang"})
    assert r.status_code == 200 and r.json()["labs"][0]["province"] == "浙江省"


def test_unknown_province_is_a_400_with_the_reason(client):
    r = client.get("/match", params={"topic": "压力容器", "province": "火星"})
    assert r.status_code == 400 and "火星" in r.json()["detail"]


@pytest.mark.parametrize(
    "params",
    [{"topic": ""}, {"topic": "压力容器", "as_of": "2020/01/01"}, {"topic": "压力容器", "top_k": 0}, {}],
)
def test_malformed_requests_are_422_not_500(client, params):
    r = client.get("/match", params=params)
    assert r.status_code == 422 and r.json()["detail"]


def test_impossible_date_is_a_400_with_the_reason(client):
    r = client.get("/match", params={"topic": "压力容器", "as_of": "2020-13-45"})
    assert r.status_code == 400 and "2020-13-45" in r.json()["detail"]


def test_topic_linking_to_nothing_is_an_empty_answer_with_reason(client):
    body = client.get("/match", params={"topic": "量子纠缠通信卫星"}).json()
    assert body["labs"] == [] and body["reason"] and body["suggestions"]


def test_instructors_exclude_the_home_province(client):
    body = client.get("/instructors", params={"topic": "压力容器", "home_province": "浙江"}).json()
    assert body["experts"] and "浙江省" not in {e["province"] for e in body["experts"]}


def test_experts_never_carry_contact_fields(client, demo_store):
    body = client.get("/match/experts", params={"topic": "压力容器"}).json()
    expert_id = body["experts"][0]["id"]
    detail = client.get(f"/experts/{expert_id}").json()
    assert not [k for k in detail["node"]["props"] if k.startswith("contact")]
    assert detail["node"]["name"].startswith("合成专家-")


def test_contact_details_only_for_an_allowed_role(tmp_path):
    from graph.model import Expert
    from graph.nx_store import NetworkxStore

    store = NetworkxStore(None)
    store.write([Expert("X-1", "张工", contact_phone="13800000000").to_node()], [])
    c = TestClient(create_app(store, Settings(data_dir=tmp_path, contact_keys="regulator-key")))
    assert c.get("/experts/X-1/contact").status_code == 403
    assert c.get("/experts/X-1/contact", headers={"X-API-Key": "wrong"}).status_code == 403
    ok = c.get("/experts/X-1/contact", headers={"X-API-Key": "regulator-key"})
    assert ok.status_code == 200 and ok.json()["contact_phone"] == "13800000000"
    assert "contact_phone" not in c.get("/experts/X-1").json()["node"]["props"]


def test_entity_lookup_by_id_with_slash_in_the_standard_number(client):
    r = client.get("/standards/GB/T 5023.1-2008")
    assert r.status_code == 200 and r.json()["node"]["props"]["kind"] == "GB/T"


def test_unknown_entity_is_404(client):
    r = client.get("/labs/IB9999")
    assert r.status_code == 404 and "IB9999" in r.json()["detail"]


def test_search_by_name(client):
    hits = client.get("/search", params={"q": "特种设备", "kind": "Lab"}).json()["hits"]
    assert hits and all("特种设备" in h["name"] for h in hits)


def test_gaps_are_ranked_with_reasons_and_bad_kind_is_400(client):
    body = client.get("/gaps", params={"kind": "no_lab_in_province", "province": "安徽"}).json()
    assert body["gaps"] and {g["province"] for g in body["gaps"]} == {"安徽省"}
    assert client.get("/gaps", params={"kind": "nonsense"}).status_code == 400


def test_stats_and_health(client):
    assert client.get("/stats").json()["counts"]["Lab"] > 150
    assert client.get("/health").json()["status"] == "ok"


def test_openapi_documents_fields_in_chinese(client):
    schema = client.get("/openapi.json").json()["components"]["schemas"]["LabOut"]["properties"]
    assert schema["name"]["description"] == "机构名称"


def test_cli_json_is_exactly_the_api_response(client, demo_dir, capsys):
    api = client.get("/match", params={"topic": "电动自行车充电器 温升", "province": "上海市", "top_k": 3}).json()
    assert cli(["match", "电动自行车充电器 温升", "--province", "上海", "--top-k", "3", "--json",
                "--data-dir", str(demo_dir)]) == 0  # fmt: skip
    assert json.loads(capsys.readouterr().out) == api


def test_cli_bad_province_exits_2_with_the_reason(demo_dir, capsys):
    assert cli(["match", "压力容器", "--province", "火星", "--data-dir", str(demo_dir)]) == 2
    assert "火星" in capsys.readouterr().err


def test_health_is_503_when_the_store_is_unreachable(tmp_path):
    from graph.nx_store import NetworkxStore
    from graph.store import StoreError

    class Gone(NetworkxStore):
        def health(self):
            raise StoreError("cannot reach the Neo4j server at bolt://127.0.0.1:1")

    r = TestClient(create_app(Gone(None), Settings(data_dir=tmp_path))).get("/health")
    assert r.status_code == 503 and r.json()["status"] == "unreachable"
    assert "bolt://127.0.0.1:1" in r.json()["store"]["error"]
