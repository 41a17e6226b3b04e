"""Search by words (GET) or by words, a photo or both (POST, multipart)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, File, Form, HTTPException, Query, Request, UploadFile
from PIL import Image

from shopseek.app import SearchRequest
from shopseek.catalog.media import MAX_IMAGE_BYTES, decode_image
from shopseek.encoders.speech import MAX_AUDIO_BYTES
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
async def search_with_media(
    params: Annotated[SearchParams, Form()],
    request: Request,
    state: State,
    image: Annotated[UploadFile | None, File(description="A photo (JPEG, PNG, WebP...)")] = None,
    audio: Annotated[
        UploadFile | None, File(description="Spoken words (wav, mp3, ogg/opus, webm; 15 s at most)")
    ] = None,
) -> SearchPage:
    """Search by words, a photo, spoken words, or any of them together (multipart form; `user` needs that
    shopper's token). With `audio`, the answer carries the `transcript` that was searched for."""
    if params.user:
        act_as(params.user, request)
    form = await request.form()
    if len(form.getlist("image")) > 1 or len(form.getlist("audio")) > 1:
        raise HTTPException(status_code=422, detail="send one photo and one recording at most")
    photo_data = await read_capped(image, MAX_IMAGE_BYTES, "photo")
    audio_data = await read_capped(audio, MAX_AUDIO_BYTES, "recording")

    def understand_and_search() -> SearchPage:
        try:
            photo = decode_image(photo_data) if photo_data is not None else None
        except BadMedia as exc:
            raise BadMedia(f"photo: {exc}") from exc
        transcript = None
        words = params.q
        if audio_data is not None:
            try:
                transcript = state.shop.transcribe(audio_data)
            except BadMedia as exc:
                raise BadMedia(f"recording: {exc}") from exc
            words = f"{params.q} {transcript}".strip()
        asked = params.model_copy(update={"q": words})
        body = page_of(state.shop.search_for(request_of(asked, request, photo)), asked)
        return body.model_copy(update={"transcript": transcript})

    return await state.pool.run(understand_and_search)


async def read_capped(upload: UploadFile | None, limit: int, what: str) -> bytes | None:
    """An uploaded part's bytes; 413 when it is larger than the limit."""
    if upload is None:
        return None
    data = await upload.read(limit + 1)
    if len(data) > limit:
        raise HTTPException(status_code=413, detail=f"{what} larger than {limit // 1_000_000} MB")
    return data


@router.get("/suggest")
def suggest(
    shop: Shop,
    q: Annotated[str, Query(max_length=MAX_QUERY_CHARS, description="What the shopper has typed so far")] = "",
    k: Annotated[int, Query(ge=1, le=MAX_K)] = 5,
) -> Suggestions:
    """Autocomplete: popular queries that found products, then phrases from the catalogue's titles."""
    return Suggestions(suggestions=shop.suggest(q, k))
