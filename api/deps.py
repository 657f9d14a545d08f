"""FastAPI dependencies, as ``Annotated`` aliases."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import Depends, Query, Request

from api.service import BadRequest, Service
from graph.matching import MatchQuery
from loaders.regions import province_of


def get_service(request: Request) -> Service:
    return request.app.state.service


ServiceDep = Annotated[Service, Depends(get_service)]

DATE = r"^\d{4}-\d{2}-\d{2}$"


def checked_province(value: str, field: str) -> str:
    if not value:
        return ""
    full = province_of(value)
    if not full:
        raise BadRequest(f"{field}: unknown province {value!r} (e.g. 浙江省, 浙江 or Zhejiang)")
    return full


def checked_date(value: str, field: str) -> str:
    """A real calendar date, or 400 with the reason (the pattern alone lets 2020-13-45 through)."""
    if not value:
        return ""
    try:
        return date.fromisoformat(value).isoformat()
    except ValueError:
        raise BadRequest(f"{field}: {value!r} is not a date (YYYY-MM-DD)") from None


def match_query(
    topic: Annotated[str, Query(min_length=1, max_length=200, description="风险主题，中文或英文 (e.g. 电动自行车充电器 温升)")],
    province: Annotated[str, Query(description="只看该省的机构/专家 (浙江省 / 浙江 / Zhejiang)")] = "",
    city: Annotated[str, Query(description="只看该市 (杭州市 / 杭州)")] = "",
    exclude_province: Annotated[str, Query(description="排除该省")] = "",
    as_of: Annotated[str, Query(pattern=DATE, description="认可须在该日期有效 (YYYY-MM-DD)；默认数据快照日期")] = "",
    top_k: Annotated[int, Query(ge=1, le=100, description="返回条数")] = 10,
    party: Annotated[list[str] | None, Query(description="请求涉及的企业或机构名称，用于利益冲突标记 (可重复)")] = None,
) -> MatchQuery:
    return MatchQuery(
        topic=topic.strip(), province=checked_province(province, "province"), city=city.strip(),
        exclude_province=checked_province(exclude_province, "exclude_province"), as_of=checked_date(as_of, "as_of"), top_k=top_k,
        parties=tuple(p for p in (party or []) if p.strip()),
    )  # fmt: skip


MatchQueryDep = Annotated[MatchQuery, Depends(match_query)]
