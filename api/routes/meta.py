"""Stats and health."""

from __future__ import annotations

from fastapi import APIRouter, Response

from api.deps import ServiceDep
from api.schemas import HealthResponse, StatsResponse

router = APIRouter(tags=["meta 状态"])


@router.get("/stats", response_model=StatsResponse, summary="图谱统计 (graph statistics)")
def stats(service: ServiceDep) -> StatsResponse:
    return service.stats()


@router.get("/health", response_model=HealthResponse, responses={503: {"model": HealthResponse}}, summary="健康检查 (health)")
def health(service: ServiceDep, response: Response) -> HealthResponse:
    state = service.health()
    if state.status != "ok":  # load balancers and monitors read the status code
        response.status_code = 503
    return state
