"""FastAPI application: routes only parse, delegate to `ShopSeek`, and render JSON."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import FastAPI, HTTPException, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import FileResponse, JSONResponse

from shopseek.app import ShopSeek
from shopseek.catalog.store import Filters
from shopseek.search.engine import Hit, QueryError
from shopseek.search.engine import Query as SearchQuery

MAX_K = 100
MAX_QUERY_CHARS = 1000


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
        "image_url": f"/products/{product.id}/images/0" if hit.image_count else None,
        "score": round(hit.score, 6),
        "signals": hit.signals,
    }


def create_app(shop: ShopSeek) -> FastAPI:
    """Build the API over one open index."""
    api = FastAPI(title="shopseek", version="0.1.0", description="Cross-modal product search API.")

    @api.exception_handler(RequestValidationError)
    async def invalid(_: Request, exc: RequestValidationError) -> JSONResponse:
        errors = [{"loc": list(e["loc"]), "msg": e["msg"]} for e in exc.errors()]
        return JSONResponse(status_code=422, content={"error": "invalid request", "detail": errors})

    @api.get("/healthz")
    def healthz() -> dict[str, Any]:
        """Liveness and catalogue size."""
        return {"status": "ok", "products": shop.count()}

    @api.get("/search")
    def search(
        q: Annotated[str, Query(max_length=MAX_QUERY_CHARS, description="Words, Chinese or English")] = "",
        k: Annotated[int, Query(ge=1, le=MAX_K)] = 10,
        page: Annotated[int, Query(ge=1, le=1000)] = 1,
        category: str | None = None,
        brand: str | None = None,
        price_min: Annotated[float | None, Query(ge=0)] = None,
        price_max: Annotated[float | None, Query(ge=0)] = None,
    ) -> dict[str, Any]:
        """Search by words with filters; one page of results."""
        query = SearchQuery(q, None, k, (page - 1) * k, Filters(category, brand, price_min, price_max))
        try:
            result = shop.search(query)
        except QueryError as exc:
            raise HTTPException(status_code=422, detail=str(exc)) from exc
        return {
            "results": [hit_json(h) for h in result.hits],
            "total": result.total,
            "took_ms": result.took_ms,
        }

    @api.get("/products/{product_id}")
    def product(product_id: str) -> dict[str, Any]:
        """One product with URLs of its stored images."""
        stored = shop.store.get(product_id)
        if stored is None:
            raise HTTPException(status_code=404, detail=f"unknown product {product_id!r}")
        body = stored.product.model_dump(exclude={"images", "video"})
        body["image_urls"] = [f"/products/{product_id}/images/{n}" for n in range(stored.image_count)]
        return body

    @api.get("/products/{product_id}/images/{number}")
    def product_image(product_id: str, number: int) -> FileResponse:
        """A stored copy of one product image."""
        stored = shop.store.get(product_id)
        if stored is None or not 0 <= number < stored.image_count:
            raise HTTPException(status_code=404, detail="no such image")
        return FileResponse(shop.store.media_dir / str(stored.key) / f"{number}.jpg", media_type="image/jpeg")

    return api
