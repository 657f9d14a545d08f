"""Stats and health."""

from __future__ import annotations

from fastapi import APIRouter

from api.deps import ServiceDep
from api.schemas import HealthResponse, StatsResponse

router = APIRouter(tags=["meta 状态"])


@router.get("/stats", response_model=StatsResponse, summary="图谱统计 (graph statistics)")
def stats(service: ServiceDep) -> StatsResponse:
    return service.stats()


@router.get("/health", response_model=HealthResponse, summary="健康检查 (health)")
def health(service: ServiceDep) -> HealthResponse:
    return service.health()
