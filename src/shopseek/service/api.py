"""The FastAPI application: middleware, error mapping and the topic routers over one open `ShopSeek`."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.staticfiles import StaticFiles
from fastapi_offline import FastAPIOffline
from prometheus_client import make_asgi_app
from starlette.exceptions import HTTPException as StarletteHTTPException

from shopseek import __version__
from shopseek.app import ShopSeek
from shopseek.catalog.media import MAX_IMAGE_BYTES
from shopseek.errors import BadInput, IndexMismatch, NotFound, ShopSeekError
from shopseek.service.deps import Service
from shopseek.service.limits import BodyLimit, PoolFull
from shopseek.service.models import ErrorBody
from shopseek.service.observe import AccessLog
from shopseek.service.routes import campaigns, experiments, feedback, products, search, site

MAX_BODY_BYTES = MAX_IMAGE_BYTES + 1_000_000  # a photo at its cap plus the form around it
STATUS = {NotFound: 404, BadInput: 422, IndexMismatch: 409}  # every other ShopSeekError is a 400
ERRORS: dict[int | str, dict[str, Any]] = {
    code: {"model": ErrorBody, "description": description}
    for code, description in {
        401: "a shopper token or the API key is missing or wrong",
        403: "writes are disabled, or the API key is wrong",
        404: "unknown product, image or experiment",
        413: "request body or photo too large",
        422: "invalid request: each bad field is listed in `detail`",
        429: "too many requests from this client: retry after `Retry-After` seconds",
        503: "busy or recovering: retry after `Retry-After` seconds",
    }.items()
}


def status_of(error: ShopSeekError) -> int:
    """The HTTP status of an application error, by its kind."""
    return next((code for kind, code in STATUS.items() if isinstance(error, kind)), 400)


def create_app(shop: ShopSeek) -> FastAPI:
    """Build the API and web page over one open index."""

    @contextlib.asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        yield
        shop.save()  # checkpoint the indexes on a clean shutdown; the journal covers the unclean ones

    api = FastAPIOffline(  # Swagger UI and ReDoc served from the package: /docs works offline
        lifespan=lifespan,
        title="shopseek",
        version=__version__,
        description="Cross-modal product search: words (Chinese or English), a photo, or both.",
        responses=ERRORS,
    )
    api.state.service = Service.over(shop)
    api.add_middleware(BodyLimit, limit=MAX_BODY_BYTES)
    api.add_middleware(AccessLog)

    @api.middleware("http")
    async def until_ready(request: Request, call_next: Any) -> Any:
        """While the index recovers after a crash, answer at once: `/healthz` says so, the rest asks to retry."""
        if shop.ready.is_set():
            return await call_next(request)
        if request.url.path == "/healthz":
            return JSONResponse(status_code=503, content={"status": "recovering"}, headers={"Retry-After": "2"})
        return JSONResponse(
            status_code=503, content={"error": "recovering: try again shortly"}, headers={"Retry-After": "2"}
        )

    @api.exception_handler(ShopSeekError)
    async def explained(_: Request, exc: ShopSeekError) -> JSONResponse:
        return JSONResponse(status_code=status_of(exc), content={"error": str(exc)})

    @api.exception_handler(PoolFull)
    async def busy(_: Request, exc: PoolFull) -> JSONResponse:
        return JSONResponse(status_code=503, content={"error": "busy: try again shortly"}, headers={"Retry-After": "1"})

    @api.exception_handler(RequestValidationError)
    async def invalid(_: Request, exc: RequestValidationError) -> JSONResponse:
        errors = [{"loc": [str(p) for p in e["loc"]], "msg": str(e["msg"])} for e in exc.errors()]
        return JSONResponse(status_code=422, content={"error": "invalid request", "detail": errors})

    @api.exception_handler(StarletteHTTPException)
    async def http_error(_: Request, exc: StarletteHTTPException) -> JSONResponse:
        return JSONResponse(status_code=exc.status_code, content={"error": exc.detail}, headers=exc.headers)

    for module in (site, search, products, feedback, experiments, campaigns):
        api.include_router(module.router)
    api.mount("/static", StaticFiles(directory=site.STATIC), name="static")
    api.mount("/metrics", make_asgi_app())
    return api
