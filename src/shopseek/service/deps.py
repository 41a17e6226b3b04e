"""What routes depend on: the open shop, the API key, shopper tokens, rate limits and the compute pool."""

from __future__ import annotations

import base64
import contextlib
import hmac
import os
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Header, HTTPException, Request, params

from shopseek.app import ShopSeek
from shopseek.service.limits import ComputePool
from shopseek.service.shoppers import COOKIE, RateLimiter, ShopperTokens

RATES = {  # per client address: (requests a second, burst); SHOPSEEK_<NAME>_PER_S overrides the rate
    "searches": (20.0, 60),
    "events": (10.0, 30),
    "sessions": (1.0, 20),
}
BOT_MARKS = ("bot", "crawler", "spider", "headless", "slurp", "python-httpx", "python-requests", "playwright")
COMPUTE_WORKERS = 2
COMPUTE_QUEUE = 8


@dataclass
class Service:
    """Everything the routes share: the shop and the guards in front of it."""

    shop: ShopSeek
    tokens: ShopperTokens
    limits: dict[str, RateLimiter]
    pool: ComputePool

    @classmethod
    def over(cls, shop: ShopSeek) -> Service:
        """The service state for one open shop (rates from RATES and the environment)."""
        limits = {
            name: RateLimiter(float(os.environ.get(f"SHOPSEEK_{name.upper()}_PER_S", rate)), burst)
            for name, (rate, burst) in RATES.items()
        }
        return cls(shop, ShopperTokens.for_folder(shop.folder), limits, ComputePool(COMPUTE_WORKERS, COMPUTE_QUEUE))


def service(request: Request) -> Service:
    """The service state of the app handling this request."""
    state: Service = request.app.state.service
    return state


def shop(request: Request) -> ShopSeek:
    """The open shop of the app handling this request."""
    return service(request).shop


Shop = Annotated[ShopSeek, Depends(shop)]
State = Annotated[Service, Depends(service)]


def is_api_key(given: str) -> bool:
    """True when `given` is the server's API key (constant-time; never without SHOPSEEK_API_KEY set)."""
    expected = os.environ.get("SHOPSEEK_API_KEY")
    return bool(expected) and bool(given) and hmac.compare_digest(given.encode(), (expected or "").encode())


def require_key(authorization: Annotated[str | None, Header()] = None) -> None:
    """Writes need `Authorization: Bearer <SHOPSEEK_API_KEY>`; without the variable, writes are off."""
    if not os.environ.get("SHOPSEEK_API_KEY"):
        raise HTTPException(status_code=403, detail="writes are disabled: start the server with SHOPSEEK_API_KEY set")
    if not authorization or not authorization.startswith("Bearer "):
        raise HTTPException(status_code=401, detail="missing 'Authorization: Bearer <key>' header")
    if not is_api_key(authorization.removeprefix("Bearer ")):
        raise HTTPException(status_code=403, detail="wrong API key")


def require_owner(request: Request) -> None:
    """Shop-owner pages (analytics) need the API key: as a bearer token, or as the password of HTTP Basic
    authentication so a browser can ask for it; without SHOPSEEK_API_KEY they are off."""
    if not os.environ.get("SHOPSEEK_API_KEY"):
        raise HTTPException(status_code=403, detail="owner pages are off: start the server with SHOPSEEK_API_KEY set")
    given = request.headers.get("authorization") or ""
    if given.startswith("Bearer ") and is_api_key(given.removeprefix("Bearer ")):
        return
    if given.startswith("Basic "):
        with contextlib.suppress(ValueError, UnicodeDecodeError):
            _, _, password = base64.b64decode(given.removeprefix("Basic "), validate=True).decode().partition(":")
            if is_api_key(password):
                return
    raise HTTPException(
        status_code=401, detail="the API key is needed here", headers={"WWW-Authenticate": 'Basic realm="shopseek"'}
    )


def is_bot(user_agent: str) -> bool:
    """True for crawlers and headless browsers, whose searches are not shoppers' and stay out of analytics."""
    agent = user_agent.lower()
    return any(mark in agent for mark in BOT_MARKS)


def limited(kind: str) -> params.Depends:
    """A dependency that answers 429 when this client sends more `kind` requests than its rate allows."""

    def check(request: Request, state: State) -> None:
        if not state.limits[kind].allow(request.client.host if request.client else "unknown"):
            raise HTTPException(status_code=429, detail=f"too many {kind}: slow down", headers={"Retry-After": "1"})

    return Depends(check)


def act_as(user_id: str, request: Request) -> None:
    """Acting as a shopper needs that shopper's token (header, cookie or bearer) or the API key; 401 otherwise."""
    bearer = (request.headers.get("authorization") or "").removeprefix("Bearer ").strip()
    if is_api_key(bearer):
        return
    token = request.headers.get("x-shopper-token") or request.cookies.get(COOKIE) or bearer
    if not service(request).tokens.valid(user_id, token):
        raise HTTPException(status_code=401, detail=f"acting as shopper {user_id!r} needs their token (POST /sessions)")
