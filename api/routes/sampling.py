"""Shared sampling results: write records, mutual recognition, risk signals, joint campaign plans (issue 5)."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Annotated, Literal

from fastapi import APIRouter, Body, File, Path as PathParam, Query, Request, UploadFile
from fastapi.responses import Response

from api.deps import DATE
from api.sampling_schemas import (
    CampaignOut,
    PlannedIn,
    RatesOut,
    RecognitionOut,
    SamplingIn,
    SamplingList,
    SamplingOut,
    SignalsOut,
    WriteResult,
)
from api.sampling_service import SamplingService
from api.service import BadRequest
from graph.campaign import write_plan_xlsx
from graph.risk import KIND_ORDER

router = APIRouter(prefix="/sampling", tags=["sampling 抽检结果"])
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MAX_UPLOAD = 20 * 1024 * 1024


def _svc(request: Request) -> SamplingService:
    """One per app, over the app's store and matcher (created on first use)."""
    state = request.app.state
    if getattr(state, "sampling", None) is None:
        service = state.service
        state.sampling = SamplingService(service.store, service.settings, matcher=service.matcher)
    return state.sampling


@router.post("/records", response_model=WriteResult, summary="写入一条抽样结果 (write one record; idempotent by id)")
def write_one(request: Request, record: SamplingIn) -> WriteResult:
    return _svc(request).write([record])


@router.post("/records/batch", response_model=WriteResult,
             summary="批量写入抽样结果，全部有效才写入 (write a batch, all or nothing)")  # fmt: skip
def write_batch(
    request: Request, records: Annotated[list[SamplingIn], Body(min_length=1, max_length=50_000)]
) -> WriteResult:
    return _svc(request).write(records)


@router.get("/records", response_model=SamplingList, summary="查询抽样记录 (find records)")
def find(
    request: Request,
    producer: Annotated[str, Query(description="生产者名称 (比较时去除企业类型与括号注记)")] = "",
    product: Annotated[str, Query(description="产品编号、名称或分类")] = "",
    province: Annotated[str, Query(description="组织省份")] = "",
    result: Annotated[Literal["pass", "fail", ""], Query(description="pass 合格 / fail 不合格")] = "",
    limit: Annotated[int, Query(ge=1, le=1000)] = 50,
) -> SamplingList:
    return _svc(request).find(producer, product, province, result, limit)


@router.get("/records/{id:path}", response_model=SamplingOut, summary="按编号查询抽样记录 (record by id)")
def get(request: Request, id: Annotated[str, PathParam(description="记录编号")]) -> SamplingOut:
    return _svc(request).get(id)


@router.post("/recognition", response_model=RecognitionOut,
             summary="结果互认核查：6个月内是否已有省级及以上抽样 (mutual recognition check)")  # fmt: skip
def recognition(request: Request, plan: PlannedIn) -> RecognitionOut:
    return _svc(request).check(plan)


@router.post("/recognition/file", response_class=Response,
             summary="上传抽样计划 (CSV/XLSX)，返回逐行标注的 XLSX (check a planned list)",
             responses={200: {"content": {XLSX: {}}, "description": "原表加 互认结论/依据记录/相近记录/说明 四列"}})  # fmt: skip
async def recognition_file(
    request: Request,
    file: Annotated[UploadFile, File(description="抽样计划，列: 生产者, 统一社会信用代码, 判定依据, 商标, 规格型号, 计划抽样日期")],
) -> Response:
    suffix = Path(file.filename or "").suffix.lower()
    if suffix not in (".csv", ".xlsx"):
        raise BadRequest("upload a .csv or .xlsx file")
    data = await file.read(MAX_UPLOAD + 1)
    if len(data) > MAX_UPLOAD:
        raise BadRequest(f"the file is larger than {MAX_UPLOAD // (1024 * 1024)} MB")
    with tempfile.TemporaryDirectory() as tmp:
        src, out = Path(tmp) / f"plan{suffix}", Path(tmp) / "checked.xlsx"
        src.write_bytes(data)
        _svc(request).check_file(src, out)
        body = out.read_bytes()
    name = f"{Path(file.filename or 'plan').stem}-互认核查.xlsx"
    return _download(body, name)


@router.get("/signals", response_model=SignalsOut, summary="风险信号：系统性、区域性、苗头性、重复不合格 (risk signals)")
def signals(
    request: Request,
    all_provinces: Annotated[bool, Query(description="分析全部省份 (默认只看沪苏浙皖)")] = False,
    include_synthetic: Annotated[bool, Query(description="包含合成数据")] = True,
    kind: Annotated[list[str] | None, Query(description=f"信号类型，可重复: {', '.join(KIND_ORDER)}")] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 50,
) -> SignalsOut:
    unknown = set(kind or []) - set(KIND_ORDER)
    if unknown:
        raise BadRequest(f"unknown signal kind {', '.join(sorted(unknown))}; use one of {', '.join(KIND_ORDER)}")
    return _svc(request).signals(all_provinces, include_synthetic, kind or [], limit)


@router.get("/rates", response_model=RatesOut, summary="不合格率：产品 × 省份 × 期间，含置信区间 (failure rates)")
def rates(
    request: Request,
    product: Annotated[str, Query(description="产品 (目录编号或分类)")] = "",
    province: Annotated[str, Query(description="省份")] = "",
    all_provinces: Annotated[bool, Query(description="包含区域外省份")] = False,
    include_synthetic: Annotated[bool, Query(description="包含合成数据")] = True,
    limit: Annotated[int, Query(ge=1, le=5000)] = 200,
) -> RatesOut:
    return _svc(request).rates(product, province, all_provinces, include_synthetic, limit)


@router.get("/campaign", response_model=CampaignOut, responses={200: {"content": {XLSX: {}}}},
            summary="联合抽查方案 (五统一)：统一标准、检验项目、各省机构、专家与依据记录 (joint campaign plan)")  # fmt: skip
def campaign(
    request: Request,
    product: Annotated[str, Query(min_length=1, description="产品 (编号、名称或别名，如 电线 / 童车)")],
    on: Annotated[str, Query(pattern=f"({DATE})?", description="方案日期 YYYY-MM-DD；默认最近抽样日期")] = "",
    lookback_months: Annotated[int, Query(ge=1, le=120, description="统计近期不合格的月数")] = 24,
    format: Annotated[Literal["json", "xlsx"], Query(description="json 或 xlsx")] = "json",
):
    plan, out = _svc(request).plan(product, on, lookback_months)
    if format == "json":
        return out
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "plan.xlsx"
        write_plan_xlsx(plan, path)
        body = path.read_bytes()
    name = f"{plan.product_name}-联合抽查方案.xlsx"
    return _download(body, name)


def _download(body: bytes, name: str) -> Response:
    from urllib.parse import quote

    return Response(body, media_type=XLSX, headers={"Content-Disposition": f"attachment; filename*=UTF-8''{quote(name)}"})
