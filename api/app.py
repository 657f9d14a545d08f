"""The FastAPI application: routers, and errors as 4xx answers with a reason."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from api.routes import entities, gaps, matching, meta, sampling
from api.service import BadRequest, Forbidden, NotFound, Service
from graph.settings import Settings, get_settings
from graph.store import GraphStore, StoreError
from graph.stores import open_store

log = logging.getLogger("yrdq.api")


@asynccontextmanager
async def _warm_up(app: FastAPI) -> AsyncIterator[None]:
    """Build the matcher (graph index, and the model when there is one) before the first request, so that
    "startup complete" means ready; a store that is down leaves requests to answer 503."""
    try:
        app.state.service.matcher
    except StoreError as exc:
        log.warning("the graph store is unavailable at start-up: %s", exc)
    yield


def create_app(store: GraphStore | None = None, settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()
    app = FastAPI(
        title="yrdq 长三角产品质量监管知识图谱",
        description="为风险主题匹配检验检测机构与专家、发现标准缺口、共享抽检结果。"
        " Matching of testing institutions and experts to risk topics, standards gaps and shared sampling results"
        " for the Yangtze River Delta.",
        version="0.1.0",
        lifespan=_warm_up,
    )
    app.state.service = Service(store if store is not None else open_store(settings), settings)
    for r in (matching.router, gaps.router, entities.router, meta.router, sampling.router):
        app.include_router(r)

    @app.exception_handler(NotFound)
    async def not_found(_: Request, exc: NotFound) -> JSONResponse:
        return JSONResponse(status_code=404, content={"detail": str(exc)})

    @app.exception_handler(Forbidden)
    async def forbidden(_: Request, exc: Forbidden) -> JSONResponse:
        return JSONResponse(status_code=403, content={"detail": str(exc)})

    @app.exception_handler(BadRequest)
    async def bad_request(_: Request, exc: BadRequest) -> JSONResponse:
        return JSONResponse(status_code=400, content={"detail": str(exc)})

    @app.exception_handler(StoreError)
    async def store_error(_: Request, exc: StoreError) -> JSONResponse:
        return JSONResponse(status_code=503, content={"detail": f"the graph store is unavailable: {exc}"})

    return app
