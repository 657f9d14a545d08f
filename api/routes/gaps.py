"""Standards gaps for trade associations, and capability gaps per province."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from api.deps import DATE, ServiceDep, checked_date, checked_province
from api.schemas import GapsResponse

router = APIRouter(tags=["gaps 标准缺口"])


@router.get("/gaps", response_model=GapsResponse, summary="标准缺口与能力缺口 (standards and capability gaps)")
def gaps(
    service: ServiceDep,
    kind: Annotated[list[str] | None, Query(description="缺口类型，可重复: no_standard, outdated_standard, uncovered_hazard, unstandardised_item, no_lab_in_province")] = None,
    category: Annotated[str, Query(description="产品类别编号 (C1–C8)")] = "",
    province: Annotated[str, Query(description="只看该省的能力缺口")] = "",
    as_of: Annotated[str, Query(pattern=DATE, description="判定日期 (YYYY-MM-DD)；默认数据快照日期")] = "",
    review_years: Annotated[int, Query(ge=1, le=50, description="标准复审周期 (年)")] = 5,
    limit: Annotated[int, Query(ge=1, le=1000, description="返回条数")] = 50,
) -> GapsResponse:
    return service.gaps(kind or [], category, checked_province(province, "province"), checked_date(as_of, "as_of"), review_years, limit)
