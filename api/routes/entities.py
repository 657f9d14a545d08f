"""Entity lookups by id and search by name."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Header, Path, Query

from api.deps import ServiceDep
from api.schemas import ContactResponse, EntityResponse, SearchResponse
from api.service import ENTITY_KINDS

router = APIRouter(tags=["entities 实体"])


@router.get("/search", response_model=SearchResponse, summary="按名称搜索实体 (search by name)")
def search(
    service: ServiceDep,
    q: Annotated[str, Query(min_length=1, max_length=100, description="名称中的文字、标准号或编号")],
    kind: Annotated[list[str] | None, Query(description="实体类型，可重复 (Product, Standard, TestItem, Hazard, Lab, Expert, Enterprise)")] = None,
    limit: Annotated[int, Query(ge=1, le=200, description="返回条数")] = 20,
) -> SearchResponse:
    return service.search(q, kind or [], limit)


@router.get("/experts/{id}/contact", response_model=ContactResponse, summary="专家联系方式 (personal data; allowed roles only)")
def expert_contact(
    service: ServiceDep,
    id: Annotated[str, Path(description="专家编号")],
    x_api_key: Annotated[str, Header(description="有权查看个人信息的角色的 API key")] = "",
) -> ContactResponse:
    return service.contact(id, x_api_key)


def _lookup(collection: str):
    kind = ENTITY_KINDS[collection]

    def get(service: ServiceDep, id: Annotated[str, Path(description="实体编号")]) -> EntityResponse:
        return service.entity(kind, id)

    get.__name__ = f"get_{collection.replace('-', '_')}"
    return get


for _collection in ENTITY_KINDS:
    router.add_api_route(
        f"/{_collection}/{{id:path}}", _lookup(_collection), methods=["GET"], response_model=EntityResponse,
        summary=f"按编号查询 {ENTITY_KINDS[_collection].value} (lookup by id)",
    )  # fmt: skip
