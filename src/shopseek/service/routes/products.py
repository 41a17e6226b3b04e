"""Products: read one, its photos and similar products; add, update and delete (API key)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Body, Depends, HTTPException, Query
from fastapi.responses import FileResponse
from pydantic import Field

from shopseek.catalog.schema import Product
from shopseek.search.synonyms import SynonymGroups
from shopseek.search.understand import MAX_QUERY_CHARS
from shopseek.service.deps import Shop, limited, require_key
from shopseek.service.models import (
    MAX_K,
    AnswerOut,
    Answers,
    AnswersAcross,
    Deleted,
    HitOut,
    ProductAnswers,
    ProductOut,
    Results,
    Written,
    image_url,
)

MAX_WRITE_BATCH = 1000
router = APIRouter()


@router.get("/products/{product_id}", tags=["products"])
def product(product_id: str, shop: Shop) -> ProductOut:
    """One product with URLs of its stored images."""
    stored = shop.product(product_id)
    body = stored.product.model_dump(exclude={"images", "video"})
    return ProductOut(**body, image_urls=[image_url(product_id, n) for n in range(stored.image_count)])


@router.get(
    "/products/{product_id}/images/{number}",
    tags=["products"],
    response_class=FileResponse,
    responses={200: {"content": {"image/jpeg": {}}, "description": "The stored JPEG copy"}},
)
def product_image(product_id: str, number: int, shop: Shop) -> FileResponse:
    """A stored copy of one product image (JPEG)."""
    return FileResponse(shop.image_file(product_id, number), media_type="image/jpeg")


@router.get("/products/{product_id}/similar", tags=["products"])
def similar(product_id: str, shop: Shop, k: Annotated[int, Query(ge=1, le=MAX_K)] = 10) -> Results:
    """Products that look or read like this one."""
    return Results(results=[HitOut.of(hit) for hit in shop.similar(product_id, k)])


@router.get("/products/{product_id}/answers", tags=["answers"], dependencies=[limited("searches")])
def product_answers(
    product_id: str,
    shop: Shop,
    q: Annotated[str, Query(min_length=1, max_length=MAX_QUERY_CHARS, description="A shopper's question")],
    k: Annotated[int, Query(ge=1, le=20)] = 3,
) -> Answers:
    """The sentences of this product's description, attributes and reviews that answer the question, best first."""
    return Answers(answers=[AnswerOut(**vars(a)) for a in shop.answers(product_id, q, k)])


@router.get("/answers", tags=["answers"], dependencies=[limited("searches")])
def answers(
    shop: Shop,
    q: Annotated[str, Query(min_length=1, max_length=MAX_QUERY_CHARS, description="A shopper's question")],
    products: Annotated[int, Query(ge=1, le=20)] = 5,
    k: Annotated[int, Query(ge=1, le=10)] = 2,
) -> AnswersAcross:
    """Products that match a question ("which watch is waterproof?"), each with its answering sentences."""
    found = shop.answers_across(q, products, k)
    return AnswersAcross(
        results=[
            ProductAnswers(product=HitOut.of(hit), answers=[AnswerOut(**vars(a)) for a in said]) for hit, said in found
        ]
    )


def with_url_media(products: list[Product]) -> list[Product]:
    """The products, when every image and video is an http(s) URL; 422 naming the first that is not."""
    for number, product in enumerate(products, start=1):
        local = [s for s in product.images if not s.startswith(("http://", "https://"))]
        if local or (product.video and not product.video.startswith(("http://", "https://"))):
            raise HTTPException(status_code=422, detail=f"product {number}: media must be http(s) URLs")
    return products


ProductBatch = Annotated[list[Product], Field(min_length=1, max_length=MAX_WRITE_BATCH)]


@router.post("/products", tags=["catalogue"], dependencies=[Depends(require_key)])
def add_products(
    body: Annotated[
        Product | ProductBatch,
        Body(description=f"One product or a list of 1 to {MAX_WRITE_BATCH}; images and video must be URLs"),
    ],
    shop: Shop,
) -> Written:
    """Add or update one product or a list (the catalogue schema; unknown fields become attributes)."""
    report = shop.add_products(with_url_media(body if isinstance(body, list) else [body]))
    problems = [{"product_id": p.product_id, "reason": p.reason} for p in report.problems]
    return Written(written=report.added, problems=problems, products=shop.count())


@router.delete("/products/{product_id}", tags=["catalogue"], dependencies=[Depends(require_key)])
def delete_product(product_id: str, shop: Shop) -> Deleted:
    """Remove a product from the catalogue and every index."""
    if not shop.delete(product_id):
        raise HTTPException(status_code=404, detail=f"unknown product {product_id!r}")
    return Deleted(deleted=product_id, products=shop.count())


@router.get("/synonyms", tags=["catalogue"])
def synonyms(shop: Shop) -> SynonymGroups:
    """This shop's synonym groups."""
    return shop.synonyms.groups


@router.put("/synonyms", tags=["catalogue"], dependencies=[Depends(require_key)])
def put_synonyms(groups: SynonymGroups, shop: Shop) -> SynonymGroups:
    """Replace this shop's synonym groups (each 2-20 words or phrases); searches use them at once."""
    shop.set_synonyms(groups)
    return shop.synonyms.groups
