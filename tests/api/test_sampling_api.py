"""The sampling endpoints end to end: durable idempotent writes, checks that see them at once, files out."""

from __future__ import annotations

import io

import pytest
from fastapi.testclient import TestClient
from openpyxl import Workbook, load_workbook

from api.app import create_app
from api.sampling_service import record_out
from graph.model import Kind
from graph.nx_store import NetworkxStore
from graph.settings import Settings
from loaders.canonical_sampling import read_sampling_table
from loaders.pipeline import load
from loaders.synthetic_campaigns import OUTPUT

RECORD = {
    "date": "2022-03-01", "authority": "浙江省市场监督管理局", "product_name": "电动自行车充电器",
    "producer_name": "台州某某电子有限公司", "trademark": "某某", "model": "CH-4820", "standards": ["GB 4706.18-2014"],
    "result": "fail", "failed_items": [{"item": "温升", "value": "92", "limit": "≤75", "unit": "K"}],
}  # fmt: skip
PLAN = {"producer": "台州某某电子", "standard": "GB 4706.18-2014", "trademark": "某某", "model": "CH 4820",
        "date": "2022-08-01"}  # fmt: skip


@pytest.fixture
def folder(tmp_path):
    load([], NetworkxStore(tmp_path))  # the catalogue and regions
    return tmp_path


@pytest.fixture
def client(folder):
    return TestClient(create_app(NetworkxStore(folder), Settings(data_dir=folder)))


def test_a_written_record_is_durable_idempotent_and_seen_by_the_next_check(client, folder):
    assert client.post("/sampling/recognition", json=PLAN).json()["status"] == "not_recognised"
    first = client.post("/sampling/records", json=RECORD).json()
    assert (first["written"], first["created"]) == (1, 1)
    again = client.post("/sampling/records", json=RECORD).json()
    assert (again["created"], again["updated"], again["ids"]) == (0, 1, first["ids"])
    rid = first["ids"][0]
    assert NetworkxStore(folder).get(Kind.SAMPLING, rid) is not None  # on disk before the response
    answer = client.post("/sampling/recognition", json=PLAN).json()
    assert answer["status"] == "recognised" and answer["matches"][0]["id"] == rid
    got = client.get(f"/sampling/records/{rid}").json()
    assert (got["level"], got["province"], got["failed_items"][0]["item"]) == ("provincial", "浙江省", "温升")


def test_a_batch_with_one_bad_record_writes_nothing_and_says_which(client, folder):
    bad = RECORD | {"producer_name": "另一家", "result": "pass"}  # a passed batch with a failed item
    r = client.post("/sampling/records/batch", json=[RECORD, bad])
    assert r.status_code == 400 and r.json()["detail"].startswith("record 2:")
    assert not NetworkxStore(folder).nodes(Kind.SAMPLING)
    assert client.get("/sampling/records/no-such-id").status_code == 404


def test_a_planned_list_upload_comes_back_annotated_as_xlsx(client):
    client.post("/sampling/records", json=RECORD)
    wb = Workbook()
    wb.active.append(["生产者", "判定依据", "商标", "规格型号", "计划抽样日期"])
    wb.active.append(["台州某某电子有限公司", "GB 4706.18-2014", "某某", "CH-4820", "2022-05-01"])
    wb.active.append(["台州某某电子有限公司", "GB 4706.18-2014", "", "CH-4820", "2022-05-01"])
    buf = io.BytesIO()
    wb.save(buf)
    r = client.post("/sampling/recognition/file", files={"file": ("plan.xlsx", buf.getvalue())})
    assert r.status_code == 200 and r.headers["content-type"].startswith("application/vnd.openxmlformats")
    rows = list(load_workbook(io.BytesIO(r.content)).active.iter_rows(values_only=True))
    assert rows[0][-4:] == ("互认结论", "依据记录", "相近记录", "说明")
    assert [row[5] for row in rows[1:]] == ["是", "无法判定"]
    assert client.post("/sampling/recognition/file", files={"file": ("plan.txt", b"x")}).status_code == 400


def test_signals_and_campaign_plans_over_the_synthetic_set_written_as_one_batch(client):
    body = [record_out(r).model_dump() for r in read_sampling_table(OUTPUT)]
    assert client.post("/sampling/records/batch", json=body).json()["created"] == 1015
    sig = client.get("/sampling/signals").json()
    assert sig["records"] == 1015 and sig["items"][0]["item"] == "导体电阻"
    assert {s["kind"] for s in sig["signals"]} <= {"systemic", "regional", "emerging_rate", "emerging_item",
                                                     "repeat_offender"}  # fmt: skip
    assert client.get("/sampling/signals", params={"include_synthetic": False}).json()["records"] == 0
    plan = client.get("/sampling/campaign", params={"product": "电线"}).json()
    assert plan["product"] == "电线电缆" and plan["items"][0]["item"] == "导体电阻"
    assert plan["summary"]["batches"] == 214 and plan["summary"]["synthetic_records"] == 214
    xlsx = client.get("/sampling/campaign", params={"product": "电线", "format": "xlsx"})
    assert load_workbook(io.BytesIO(xlsx.content)).sheetnames[0] == "方案"
    assert client.get("/sampling/campaign", params={"product": "不存在"}).status_code == 404


def test_the_cli_prints_exactly_what_the_api_returns(client, folder, capsys):
    import json

    from api.cli import main

    client.post("/sampling/records", json=RECORD)
    argv = ["sampling", "check", "--data-dir", str(folder), "--json"]
    argv += [f"--{k.replace('_', '-')}={v}" for k, v in PLAN.items()]
    assert main(argv) == 0
    assert json.loads(capsys.readouterr().out) == client.post("/sampling/recognition", json=PLAN).json()
    assert main(["sampling", "signals", "--data-dir", str(folder), "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == client.get("/sampling/signals").json()
