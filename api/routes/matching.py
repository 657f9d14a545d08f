"""Matching: institutions and experts for a risk topic, and cross-region instructors."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from api.deps import MatchQueryDep, ServiceDep, checked_province
from api.schemas import MatchResponse

router = APIRouter(tags=["matching 匹配"])


@router.get("/match", response_model=MatchResponse, summary="为风险主题匹配检验检测机构和专家 (labs and experts for a topic)")
def match(q: MatchQueryDep, service: ServiceDep) -> MatchResponse:
    return service.match(q)


@router.get("/match/labs", response_model=MatchResponse, summary="只匹配机构 (labs only)")
def match_labs(q: MatchQueryDep, service: ServiceDep) -> MatchResponse:
    return service.match(q, experts=False)


@router.get("/match/experts", response_model=MatchResponse, summary="只匹配专家 (experts only)")
def match_experts(q: MatchQueryDep, service: ServiceDep) -> MatchResponse:
    return service.match(q, labs=False)


@router.get("/instructors", response_model=MatchResponse, summary="跨区域讲师: 来自其他省市的专家 (cross-region instructors)")
def instructors(
    q: MatchQueryDep,
    service: ServiceDep,
    home_province: Annotated[str, Query(min_length=1, description="请求方所在省份，讲师须来自其他省市")],
) -> MatchResponse:
    return service.instructors(q, checked_province(home_province, "home_province"))
