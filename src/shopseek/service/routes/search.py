"""Search by words (GET) or by words, a photo or both (POST, multipart)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, File, Form, HTTPException, Query, Request, UploadFile
from PIL import Image

from shopseek.app import SearchRequest
from shopseek.catalog.media import MAX_IMAGE_BYTES, decode_image
from shopseek.errors import BadMedia
from shopseek.search.engine import SearchResult
from shopseek.search.understand import MAX_QUERY_CHARS
from shopseek.service.deps import Shop, State, act_as, is_bot, limited
from shopseek.service.models import MAX_K, HitOut, SearchPage, SearchParams, Suggestions

router = APIRouter(tags=["search"], dependencies=[limited("searches")])


def page_of(result: SearchResult, params: SearchParams) -> SearchPage:
    """The JSON page of a search result."""
    return SearchPage(
        results=[HitOut.of(hit) for hit in result.hits],
        total=result.total,
        page=params.page,
        facets=result.facets,
        took_ms=result.took_ms,
        corrected=result.corrected,
    )


def request_of(params: SearchParams, request: Request, photo: Image.Image | None = None) -> SearchRequest:
    """The application's search request for these parameters (bots' searches are not logged for analytics)."""
    logged = not is_bot(request.headers.get("user-agent", ""))
    filters = params.filters()
    return SearchRequest(params.q, photo, params.k, params.page, filters, params.sort, params.user, logged)


@router.get("/search")
def search(params: Annotated[SearchParams, Query()], request: Request, shop: Shop) -> SearchPage:
    """Search by words, with filters, facets, sort and pages (`user` needs that shopper's token)."""
    if params.user:
        act_as(params.user, request)
    return page_of(shop.search_for(request_of(params, request)), params)


@router.post("/search")
async def search_with_photo(
    params: Annotated[SearchParams, Form()],
    request: Request,
    state: State,
    image: Annotated[UploadFile | None, File(description="A photo (JPEG, PNG, WebP...)")] = None,
) -> SearchPage:
    """Search by words, a photo, or both together (multipart form; `user` needs that shopper's token)."""
    if params.user:
        act_as(params.user, request)
    if len((await request.form()).getlist("image")) > 1:
        raise HTTPException(status_code=422, detail="send one photo (one `image` part)")
    data = None
    if image is not None:
        data = await image.read(MAX_IMAGE_BYTES + 1)
        if len(data) > MAX_IMAGE_BYTES:
            raise HTTPException(status_code=413, detail=f"photo larger than {MAX_IMAGE_BYTES // 1_000_000} MB")

    def decode_and_search() -> SearchPage:
        try:
            photo = decode_image(data) if data is not None else None
        except BadMedia as exc:
            raise BadMedia(f"photo: {exc}") from exc
        return page_of(state.shop.search_for(request_of(params, request, photo)), params)

    return await state.pool.run(decode_and_search)


@router.get("/suggest")
def suggest(
    shop: Shop,
    q: Annotated[str, Query(max_length=MAX_QUERY_CHARS, description="What the shopper has typed so far")] = "",
    k: Annotated[int, Query(ge=1, le=MAX_K)] = 5,
) -> Suggestions:
    """Autocomplete: popular queries that found products, then phrases from the catalogue's titles."""
    return Suggestions(suggestions=shop.suggest(q, k))
