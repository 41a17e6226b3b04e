"""Shoppers: sessions, events and for-you recommendations."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Body, Query, Request, Response

from shopseek.feedback.events import Event
from shopseek.service.deps import Shop, State, act_as, limited
from shopseek.service.models import MAX_K, HitOut, Recorded, Results, Session
from shopseek.service.shoppers import COOKIE

COOKIE_DAYS = 365
MAX_BATCH = 100
router = APIRouter(tags=["feedback"])


@router.post("/sessions", dependencies=[limited("sessions")])
def new_shopper(response: Response, state: State) -> Session:
    """A new shopper id and its token (also set as a cookie): events and personal results need it."""
    user_id, token = state.tokens.issue()
    response.set_cookie(COOKIE, token, httponly=True, samesite="strict", max_age=COOKIE_DAYS * 86400)
    return Session(user_id=user_id, token=token)


@router.get("/users/{user_id}/recommendations")
def recommendations(
    user_id: str, request: Request, shop: Shop, k: Annotated[int, Query(ge=1, le=MAX_K)] = 10
) -> Results:
    """For-you products from the shopper's likes, clicks and purchases (needs that shopper's token)."""
    act_as(user_id, request)
    return Results(results=[HitOut.of(hit) for hit in shop.recommend(user_id, k)])


@router.post("/events/batch", dependencies=[limited("events")])
def event_batch(
    events: Annotated[list[Event], Body(min_length=1, max_length=MAX_BATCH)], request: Request, shop: Shop
) -> Recorded:
    """Record up to 100 events at once (a page's impressions, sent with `navigator.sendBeacon`); all or none."""
    for user_id in {event.user_id for event in events}:
        act_as(user_id, request)
    return Recorded(recorded=shop.record_all(events))


@router.post("/events", dependencies=[limited("events")])
def events(event: Event, request: Request, shop: Shop) -> Recorded:
    """Record what a shopper did with a product (needs that shopper's token, or the API key)."""
    act_as(event.user_id, request)
    return Recorded(recorded=shop.record(event))
