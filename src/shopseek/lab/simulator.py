"""A click simulator over the fashion catalogue: shoppers with colour/type/gender tastes and position bias."""

from __future__ import annotations

import math
import random
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass

from shopseek.app import ShopSeek
from shopseek.feedback.events import Event, EventType
from shopseek.lab.fashion import FashionProduct
from shopseek.lab.synthetic_queries import chinese_terms
from shopseek.search.engine import Query

CLICK_PROBABILITY = {0: 0.02, 1: 0.12, 2: 0.65}
PURCHASE_PROBABILITY = {0: 0.0, 1: 0.05, 2: 0.3}
POSITION_BIAS = 1.0
PAGE = 10
GENDER_WORDS = {"Men": ("men", "男士"), "Women": ("women", "女士")}


@dataclass(frozen=True)
class Shopper:
    """A simulated shopper: gender, favourite colours and the kinds of products they shop for."""

    user_id: str
    gender: str
    colours: tuple[str, ...]
    types: tuple[str, ...]


@dataclass(frozen=True)
class Session:
    """One search by one shopper: the words typed and the product type they mean."""

    shopper: Shopper
    text: str
    article_type: str
    at: float


def grade(shopper: Shopper, article_type: str, product: FashionProduct) -> int:
    """How much the shopper wants a product for this search: 2 loved colour, 1 right kind, 0 not."""
    if product.article_type != article_type or product.gender not in (shopper.gender, "Unisex"):
        return 0
    return 2 if product.colour in shopper.colours else 1


def make_shoppers(products: list[FashionProduct], count: int, seed: int) -> list[Shopper]:
    """Shoppers whose tastes are drawn from what the catalogue offers their gender."""
    rng = random.Random(seed)
    shoppers = []
    for number in range(count):
        gender = rng.choice(["Men", "Women"])
        offered = [p for p in products if p.gender in (gender, "Unisex")]
        kinds = [k for k, n in Counter(p.article_type for p in offered).most_common(15) if n >= 30]
        types = tuple(rng.sample(kinds, min(3, len(kinds))))
        colours_offered = Counter(p.colour for p in offered if p.article_type in types)
        colours = tuple(rng.sample([c for c, _ in colours_offered.most_common(8)], 2))
        shoppers.append(Shopper(f"sim-{seed}-{number}", gender, colours, types))
    return shoppers


def make_sessions(shoppers: list[Shopper], per_shopper: int, seed: int, start: float) -> list[Session]:
    """Searches for each shopper, in English or Chinese, naming a kind and sometimes a gender, never a colour."""
    rng = random.Random(seed)
    sessions = []
    for shopper in shoppers:
        for number in range(per_shopper):
            kind = rng.choice(shopper.types)
            english, chinese = GENDER_WORDS[shopper.gender]
            if rng.random() < 0.5:
                text = f"{english} {kind.lower()}" if rng.random() < 0.5 else kind.lower()
            else:
                noun = rng.choice(chinese_terms(kind) or [kind.lower()])
                text = f"{chinese}{noun}" if rng.random() < 0.5 else noun
            sessions.append(Session(shopper, text, kind, start + number * 3600 + rng.random()))
    return sessions


def examine(position: int) -> float:
    """Probability that a shopper looks at a result at a 1-based position."""
    return 1.0 / math.pow(position, POSITION_BIAS)


def play(
    session: Session, shown: list[str], products: dict[str, FashionProduct], rng: random.Random
) -> list[tuple[str, EventType, int]]:
    """Simulated behaviour on a result list: (product id, event type, position) for each event."""
    events: list[tuple[str, EventType, int]] = []
    for position, product_id in enumerate(shown, start=1):
        events.append((product_id, "impression", position))
        wanted = grade(session.shopper, session.article_type, products[product_id])
        if rng.random() < examine(position) and rng.random() < CLICK_PROBABILITY[wanted]:
            events.append((product_id, "click", position))
            if rng.random() < PURCHASE_PROBABILITY[wanted]:
                events.append((product_id, "purchase", position))
    return events


Policy = Callable[[ShopSeek, Session], list[str]]


def policy(
    personal: bool, learned: bool, explore: float = 0.0, seed: int = 0, weights: dict[str, float] | None = None
) -> Policy:
    """A ranking policy: fusion (with optional weight overrides), optionally personalised and/or learned,
    optionally shuffled for exploration."""
    rng = random.Random(seed)

    def rank(shop: ShopSeek, session: Session) -> list[str]:
        profile = shop.profile(session.shopper.user_id, before=session.at) if personal else None
        query = Query(session.text, k=PAGE, profile=profile, learned_ranking=learned, weights=weights)
        hits = shop.search(query).hits
        shown = [hit.product.id for hit in hits]
        if explore and rng.random() < explore:
            rng.shuffle(shown)
        return shown

    return rank


def log_sessions(
    shop: ShopSeek, sessions: list[Session], products: dict[str, FashionProduct], rank: Policy, seed: int
) -> int:
    """Play sessions under a policy and write their events to the index's event log; returns clicks."""
    rng = random.Random(seed)
    clicks = 0
    for session in sessions:
        for product_id, kind, position in play(session, rank(shop, session), products, rng):
            event = Event(
                user_id=session.shopper.user_id,
                product_id=product_id,
                type=kind,
                query=session.text,
                value=float(position),
            )
            shop.events.append(event, at=session.at + position * 0.01)
            clicks += kind == "click"
    return clicks


def standard_policies(weights: dict[str, float] | None = None) -> dict[str, Policy]:
    """The four policies compared offline: fusion, personalised, learned, learned + personalised."""
    return {
        "fusion": policy(personal=False, learned=False, weights=weights),
        "personalised": policy(personal=True, learned=False, weights=weights),
        "learned": policy(personal=False, learned=True, weights=weights),
        "learned+personalised": policy(personal=True, learned=True, weights=weights),
    }
