"""FastAPI application: routes only parse, delegate to `ShopSeek`, and render JSON."""

from __future__ import annotations

import contextlib
import hmac
import os
from collections.abc import AsyncIterator
from importlib import resources
from pathlib import Path as FilePath
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import Depends, FastAPI, File, Form, Header, HTTPException, Path, Query, Request, UploadFile
from fastapi.exceptions import RequestValidationError
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from pydantic import BaseModel, Field, ValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException

from shopseek.app import ShopSeek
from shopseek.catalog.media import MAX_IMAGE_BYTES, MediaError, decode_image
from shopseek.catalog.readers import validation_reason
from shopseek.catalog.schema import Product
from shopseek.catalog.store import Filters
from shopseek.feedback.events import Event
from shopseek.feedback.experiments import Experiment, Variant
from shopseek.search.engine import SORTS, Hit, QueryError
from shopseek.search.engine import Query as SearchQuery
from shopseek.service import pages
from shopseek.service.limits import BodyLimit, ComputePool, PoolFull
from shopseek.service.shoppers import COOKIE, RateLimiter, ShopperTokens

MAX_K = 100
MAX_QUERY_CHARS = 1000
MAX_WRITE_BATCH = 1000
MAX_BODY_BYTES = MAX_IMAGE_BYTES + 1_000_000  # a photo at its cap plus the form around it
COMPUTE_WORKERS = 2
COMPUTE_QUEUE = 8
RATES = {  # per client address: (requests a second, burst); SHOPSEEK_<NAME>_PER_S overrides the rate
    "searches": (20.0, 60),
    "events": (10.0, 30),
    "sessions": (1.0, 20),
}
STATIC = FilePath(str(resources.files("shopseek").joinpath("service/static")))


class ErrorBody(BaseModel):
    """Every error answer: what went wrong, and for invalid requests each bad field."""

    error: str
    detail: list[dict[str, Any]] | None = None


ERRORS: dict[int | str, dict[str, Any]] = {
    code: {"model": ErrorBody, "description": description}
    for code, description in {
        401: "a shopper token or the API key is missing or wrong",
        403: "writes are disabled, or the API key is wrong",
        404: "unknown product or experiment",
        413: "request body or photo too large",
        422: "invalid request: each bad field is listed in `detail`",
        429: "too many requests from this client: retry after `Retry-After` seconds",
        503: "busy or recovering: retry after `Retry-After` seconds",
    }.items()
}


class SearchOptions(BaseModel):
    """Options shared by GET and POST /search."""

    k: int = Field(default=10, ge=1, le=MAX_K)
    page: int = Field(default=1, ge=1, le=1000)
    category: str | None = Field(default=None, max_length=200)
    brand: str | None = Field(default=None, max_length=200)
    price_min: float | None = Field(default=None, ge=0, allow_inf_nan=False)
    price_max: float | None = Field(default=None, ge=0, allow_inf_nan=False)
    sort: str = Field(default="relevance", pattern="^(" + "|".join(SORTS) + ")$")
    user: str | None = Field(default=None, max_length=128)


def hit_json(hit: Hit) -> dict[str, Any]:
    """The public JSON of one hit."""
    product = hit.product
    return {
        "id": product.id,
        "title": product.title,
        "price": product.price,
        "currency": product.currency,
        "brand": product.brand,
        "category": product.category,
        "image_url": f"/products/{quote(product.id, safe='')}/images/0" if hit.image_count else None,
        "score": round(hit.score, 6),
        "signals": hit.signals,
    }


def _options(
    k: Annotated[int, Query(ge=1, le=MAX_K, description="Results per page")] = 10,
    page: Annotated[int, Query(ge=1, le=1000)] = 1,
    category: Annotated[str | None, Query(max_length=200)] = None,
    brand: Annotated[str | None, Query(max_length=200)] = None,
    price_min: Annotated[float | None, Query(ge=0, allow_inf_nan=False)] = None,
    price_max: Annotated[float | None, Query(ge=0, allow_inf_nan=False)] = None,
    sort: Annotated[str, Query(pattern="^(" + "|".join(SORTS) + ")$")] = "relevance",
    user: Annotated[str | None, Query(max_length=128)] = None,
) -> SearchOptions:
    return SearchOptions(
        k=k, page=page, category=category, brand=brand, price_min=price_min, price_max=price_max, sort=sort, user=user
    )


def _form_options(
    k: Annotated[int, Form(ge=1, le=MAX_K)] = 10,
    page: Annotated[int, Form(ge=1, le=1000)] = 1,
    category: Annotated[str | None, Form(max_length=200)] = None,
    brand: Annotated[str | None, Form(max_length=200)] = None,
    price_min: Annotated[float | None, Form(ge=0)] = None,
    price_max: Annotated[float | None, Form(ge=0)] = None,
    sort: Annotated[str, Form(pattern="^(" + "|".join(SORTS) + ")$")] = "relevance",
    user: Annotated[str | None, Form(max_length=128)] = None,
) -> SearchOptions:
    return SearchOptions(
        k=k, page=page, category=category, brand=brand, price_min=price_min, price_max=price_max, sort=sort, user=user
    )


def require_key(authorization: Annotated[str | None, Header()] = None) -> None:
    """Writes need `Authorization: Bearer <SHOPSEEK_API_KEY>`; without the variable, writes are off."""
    expected = os.environ.get("SHOPSEEK_API_KEY")
    if not expected:
        raise HTTPException(status_code=403, detail="writes are disabled: start the server with SHOPSEEK_API_KEY set")
    if not authorization or not authorization.startswith("Bearer "):
        raise HTTPException(status_code=401, detail="missing 'Authorization: Bearer <key>' header")
    if not is_api_key(authorization.removeprefix("Bearer ")):
        raise HTTPException(status_code=403, detail="wrong API key")


def is_api_key(given: str) -> bool:
    """True when `given` is the server's API key (constant-time; never without SHOPSEEK_API_KEY set)."""
    expected = os.environ.get("SHOPSEEK_API_KEY")
    return bool(expected) and bool(given) and hmac.compare_digest(given.encode(), (expected or "").encode())


def limiters() -> dict[str, RateLimiter]:
    """One rate limiter per kind of request, from RATES and the environment."""
    return {
        name: RateLimiter(float(os.environ.get(f"SHOPSEEK_{name.upper()}_PER_S", rate)), burst)
        for name, (rate, burst) in RATES.items()
    }


def create_app(shop: ShopSeek) -> FastAPI:
    """Build the API and web page over one open index."""

    @contextlib.asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        yield
        shop.save()  # checkpoint the indexes on a clean shutdown; the journal covers the unclean ones

    api = FastAPI(
        lifespan=lifespan,
        title="shopseek",
        version="0.1.0",
        description="Cross-modal product search: words (Chinese or English), a photo, or both.",
        responses=ERRORS,
    )

    api.add_middleware(BodyLimit, limit=MAX_BODY_BYTES)
    pool = ComputePool(COMPUTE_WORKERS, COMPUTE_QUEUE)
    tokens = ShopperTokens.for_folder(shop.folder)
    limits = limiters()

    def limited(kind: str) -> Any:
        def check(request: Request) -> None:
            if not limits[kind].allow(request.client.host if request.client else "unknown"):
                raise HTTPException(status_code=429, detail=f"too many {kind}: slow down", headers={"Retry-After": "1"})

        return Depends(check)

    def act_as(user_id: str, request: Request) -> None:
        """Acting as a shopper needs that shopper's token (header, cookie or bearer) or the API key."""
        bearer = (request.headers.get("authorization") or "").removeprefix("Bearer ").strip()
        if is_api_key(bearer):
            return
        token = request.headers.get("x-shopper-token") or request.cookies.get(COOKIE) or bearer
        if not tokens.valid(user_id, token):
            raise HTTPException(
                status_code=401, detail=f"acting as shopper {user_id!r} needs their token (POST /sessions)"
            )

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

    def run_search(text: str, image: Any, options: SearchOptions) -> dict[str, Any]:
        filters = Filters(options.category, options.brand, options.price_min, options.price_max)
        offset = (options.page - 1) * options.k
        assigned = shop.experiments.active_for(options.user) if options.user else None
        variant = assigned[2] if assigned else Variant()
        profile = shop.profile(options.user) if options.user and variant.personalised else None
        query = SearchQuery(
            text,
            image,
            options.k,
            offset,
            filters,
            sort=options.sort,
            profile=profile,
            learned_ranking=variant.learned_ranking,
            weights=variant.weights or None,
        )
        try:
            result = shop.search(query)
        except QueryError as exc:
            raise HTTPException(status_code=422, detail=str(exc)) from exc
        label = f"{text} [+photo]" if text and image is not None else text or "[photo]"
        shop.events.log_search(label, result.total, options.user, f"{assigned[0]}:{assigned[1]}" if assigned else None)
        return {
            "results": [hit_json(h) for h in result.hits],
            "total": result.total,
            "page": options.page,
            "facets": result.facets,
            "took_ms": result.took_ms,
        }

    @api.get("/healthz", tags=["service"])
    def healthz() -> dict[str, Any]:
        """Liveness and catalogue size."""
        return {"status": "ok", "products": shop.count()}

    @api.post("/sessions", tags=["feedback"], dependencies=[limited("sessions")])
    def new_shopper(response: Response) -> dict[str, str]:
        """A new shopper id and its token (also set as a cookie): events and personal results need it."""
        user_id, token = tokens.issue()
        response.set_cookie(COOKIE, token, httponly=True, samesite="strict", max_age=365 * 86400)
        return {"user_id": user_id, "token": token}

    @api.get("/search", tags=["search"], dependencies=[limited("searches")])
    def search(
        request: Request,
        options: Annotated[SearchOptions, Depends(_options)],
        q: Annotated[str, Query(max_length=MAX_QUERY_CHARS, description="Words, Chinese or English")] = "",
    ) -> dict[str, Any]:
        """Search by words, with filters, facets, sort and pages (`user` needs that shopper's token)."""
        if options.user:
            act_as(options.user, request)
        return run_search(q, None, options)

    @api.post("/search", tags=["search"], dependencies=[limited("searches")])
    async def search_with_photo(
        request: Request,
        options: Annotated[SearchOptions, Depends(_form_options)],
        q: Annotated[str, Form(max_length=MAX_QUERY_CHARS)] = "",
        image: Annotated[UploadFile | None, File(description="A photo (JPEG, PNG, WebP...)")] = None,
    ) -> dict[str, Any]:
        """Search by words, a photo, or both together (multipart form; `user` needs that shopper's token)."""
        if options.user:
            act_as(options.user, request)
        if len((await request.form()).getlist("image")) > 1:
            raise HTTPException(status_code=422, detail="send one photo (one `image` part)")
        data = None
        if image is not None:
            data = await image.read(MAX_IMAGE_BYTES + 1)
            if len(data) > MAX_IMAGE_BYTES:
                raise HTTPException(status_code=413, detail=f"photo larger than {MAX_IMAGE_BYTES // 1_000_000} MB")

        def decode_and_search() -> dict[str, Any]:
            try:
                photo = decode_image(data) if data is not None else None
            except MediaError as exc:
                raise HTTPException(status_code=422, detail=f"photo: {exc}") from exc
            return run_search(q, photo, options)

        return await pool.run(decode_and_search)

    @api.get("/products/{product_id}", tags=["products"])
    def product(product_id: str) -> dict[str, Any]:
        """One product with URLs of its stored images."""
        stored = shop.store.get(product_id)
        if stored is None:
            raise HTTPException(status_code=404, detail=f"unknown product {product_id!r}")
        body = stored.product.model_dump(exclude={"images", "video"})
        body["image_urls"] = [f"/products/{quote(product_id, safe='')}/images/{n}" for n in range(stored.image_count)]
        return body

    @api.get("/products/{product_id}/images/{number}", tags=["products"])
    def product_image(product_id: str, number: int) -> FileResponse:
        """A stored copy of one product image."""
        stored = shop.store.get(product_id)
        if stored is None or not 0 <= number < stored.image_count:
            raise HTTPException(status_code=404, detail="no such image")
        return FileResponse(shop.store.media_dir / str(stored.key) / f"{number}.jpg", media_type="image/jpeg")

    @api.get("/products/{product_id}/similar", tags=["products"])
    def similar(product_id: str, k: Annotated[int, Query(ge=1, le=MAX_K)] = 10) -> dict[str, Any]:
        """Products that look or read like this one."""
        try:
            hits = shop.similar(product_id, k)
        except KeyError as exc:
            raise HTTPException(status_code=404, detail=f"unknown product {product_id!r}") from exc
        return {"results": [hit_json(h) for h in hits]}

    @api.post("/products", tags=["catalogue"], dependencies=[Depends(require_key)])
    def add_products(body: Annotated[dict[str, Any] | list[dict[str, Any]], ...]) -> dict[str, Any]:
        """Add or update one product or a list (same schema as ingest; images must be URLs)."""
        raw = body if isinstance(body, list) else [body]
        if not raw or len(raw) > MAX_WRITE_BATCH:
            raise HTTPException(status_code=422, detail=f"send between 1 and {MAX_WRITE_BATCH} products")
        products = []
        for number, item in enumerate(raw, start=1):
            try:
                product = Product.model_validate(item)
            except ValidationError as exc:
                raise HTTPException(status_code=422, detail=f"product {number}: {validation_reason(exc)}") from exc
            except ValueError as exc:
                raise HTTPException(status_code=422, detail=f"product {number}: {exc}") from exc
            local = [s for s in product.images if not s.startswith(("http://", "https://"))]
            if local or (product.video and not product.video.startswith(("http://", "https://"))):
                raise HTTPException(status_code=422, detail=f"product {number}: media must be http(s) URLs")
            products.append(product)
        report = shop.add_products(products)
        problems = [{"product_id": p.product_id, "reason": p.reason} for p in report.problems]
        return {"written": report.added, "problems": problems, "products": shop.count()}

    @api.delete("/products/{product_id}", tags=["catalogue"], dependencies=[Depends(require_key)])
    def delete_product(product_id: str) -> dict[str, Any]:
        """Remove a product from the catalogue and every index."""
        if not shop.delete(product_id):
            raise HTTPException(status_code=404, detail=f"unknown product {product_id!r}")
        return {"deleted": product_id, "products": shop.count()}

    @api.get("/users/{user_id}/recommendations", tags=["feedback"])
    def recommendations(
        user_id: str, request: Request, k: Annotated[int, Query(ge=1, le=MAX_K)] = 10
    ) -> dict[str, Any]:
        """For-you products from the shopper's likes, clicks and purchases (needs that shopper's token)."""
        act_as(user_id, request)
        return {"results": [hit_json(h) for h in shop.recommend(user_id, k)]}

    @api.post("/events", tags=["feedback"], dependencies=[limited("events")])
    def events(event: Event, request: Request) -> dict[str, Any]:
        """Record what a shopper did with a product (needs that shopper's token, or the API key)."""
        act_as(event.user_id, request)
        try:
            sequence = shop.record(event)
        except KeyError as exc:
            raise HTTPException(status_code=404, detail=f"unknown product {event.product_id!r}") from exc
        return {"recorded": sequence}

    @api.put("/experiments/{name}", tags=["experiments"], dependencies=[Depends(require_key)])
    def put_experiment(name: Annotated[str, Path(pattern=r"^[\w-]{1,64}$")], experiment: Experiment) -> dict[str, Any]:
        """Create or replace an A/B experiment (users are assigned by a hash of their id)."""
        shop.experiments.put(name, experiment)
        return {"experiment": name, "variants": list(experiment.variants)}

    @api.get("/experiments/{name}/report", tags=["experiments"])
    def experiment_report(name: str) -> dict[str, Any]:
        """Per-variant CTR, conversion and NDCG-from-clicks with a significance test."""
        if shop.experiments.get(name) is None:
            raise HTTPException(status_code=404, detail=f"unknown experiment {name!r}")
        return shop.experiments.report(name, shop.events)

    @api.get("/experiments/{name}", include_in_schema=False)
    def experiment_page(name: str) -> HTMLResponse:
        """The experiment report as a page."""
        if shop.experiments.get(name) is None:
            raise HTTPException(status_code=404, detail=f"unknown experiment {name!r}")
        return HTMLResponse(pages.experiment_page(shop.experiments.report(name, shop.events)))

    @api.get("/analytics/data", tags=["analytics"])
    def analytics_data() -> dict[str, Any]:
        """Top queries, zero-result queries, CTR by query, searches and CTR per day."""
        return shop.events.analytics()

    @api.get("/analytics", include_in_schema=False)
    def analytics_page() -> HTMLResponse:
        """Analytics with plots."""
        return HTMLResponse(pages.analytics_page(shop.events.analytics()))

    @api.get("/", include_in_schema=False)
    def page() -> FileResponse:
        """The shopper web page."""
        return FileResponse(STATIC / "index.html", media_type="text/html")

    api.mount("/static", StaticFiles(directory=STATIC), name="static")
    return api
