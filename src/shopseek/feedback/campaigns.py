"""Sponsored products: campaigns with a bid per click and a daily budget, an auction per search among the
campaign products that already answer the query, and a generalised second-price charge per click.

A sponsored slot is only ever given to a product the engine itself found relevant (among the query's answers above
the relevance floor, at least half as relevant as the best), never to a product the shopper disliked, and never
beyond a campaign's daily budget. Impressions are logged when served; a shopper's click on a product they were just
shown as an ad is charged once, at the price the auction set.
"""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from pydantic import BaseModel, Field, model_validator

RESERVE = 0.01  # the lowest price of a click
MIN_RELEVANCE = 0.5  # of the best answer's fused score
CLICK_WINDOW_S = 30 * 60  # a click charges an ad impression at most this old
DAY_S = 86_400.0

SCHEMA = """
CREATE TABLE IF NOT EXISTS campaigns (name TEXT PRIMARY KEY, spec TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS ad_events (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    at REAL NOT NULL,
    campaign TEXT NOT NULL,
    product_id TEXT NOT NULL,
    user_id TEXT NOT NULL,
    type TEXT NOT NULL,
    price REAL NOT NULL,
    charged INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX IF NOT EXISTS ad_events_campaign ON ad_events(campaign, type, at);
CREATE INDEX IF NOT EXISTS ad_events_user ON ad_events(user_id, product_id, at);
"""


class Campaign(BaseModel):
    """What a shop owner buys: clicks on some products, at a bid, within a daily budget and dates."""

    products: list[str] = Field(min_length=1, max_length=1000)
    bid: float = Field(gt=0, le=1000, allow_inf_nan=False, description="The most one click may cost")
    daily_budget: float = Field(gt=0, le=1_000_000, allow_inf_nan=False)
    start: datetime | None = None
    end: datetime | None = None
    target_text: str | None = Field(default=None, max_length=200, description="Show only for queries sharing a word")

    @model_validator(mode="after")
    def _dates_in_order(self) -> Campaign:
        if self.start and self.end and self.start >= self.end:
            raise ValueError("start must be before end")
        return self

    def running(self, now: float) -> bool:
        """True between its start and end."""
        moment = datetime.fromtimestamp(now, UTC)
        start, end = (_aware(d) for d in (self.start, self.end))
        return (start is None or start <= moment) and (end is None or moment < end)


def _aware(moment: datetime | None) -> datetime | None:
    return moment.replace(tzinfo=UTC) if moment is not None and moment.tzinfo is None else moment


@dataclass(frozen=True)
class Slot:
    """A sponsored product won in an auction, and what a click on it will cost."""

    campaign: str
    product_id: str
    price: float
    rank_score: float


def second_prices(bids: list[tuple[float, float]]) -> list[float]:
    """Generalised second price: for (bid, relevance) pairs sorted by bid × relevance, each winner pays what it
    needs to keep its place above the next (the next one's bid × relevance over its own relevance), at least the
    reserve and never more than its bid."""
    prices = []
    for n, (bid, relevance) in enumerate(bids):
        beaten = bids[n + 1][0] * bids[n + 1][1] if n + 1 < len(bids) else 0.0
        prices.append(round(min(bid, beaten / relevance + RESERVE) if beaten else RESERVE, 4))
    return prices


class Campaigns:
    """Campaigns and their ad log in `campaigns.sqlite` beside the catalogue."""

    def __init__(self, path: Path, tokenizer: Callable[[str], list[str]]) -> None:
        self._tokenize = tokenizer
        self._lock = threading.Lock()
        self._db = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.executescript(SCHEMA)
        self._campaigns = {
            name: Campaign.model_validate_json(spec)
            for name, spec in self._db.execute("SELECT name, spec FROM campaigns").fetchall()
        }

    def put(self, name: str, campaign: Campaign) -> None:
        """Create or replace a campaign (its log and today's spend are kept)."""
        with self._lock:
            self._db.execute("INSERT OR REPLACE INTO campaigns VALUES (?, ?)", (name, campaign.model_dump_json()))
            self._campaigns = {**self._campaigns, name: campaign}

    def delete(self, name: str) -> bool:
        """Stop and remove a campaign; False when unknown (its log stays for reports)."""
        with self._lock:
            if name not in self._campaigns:
                return False
            self._db.execute("DELETE FROM campaigns WHERE name = ?", (name,))
            self._campaigns = {n: c for n, c in self._campaigns.items() if n != name}
            return True

    def names(self) -> list[str]:
        """Every campaign's name."""
        return sorted(self._campaigns)

    def get(self, name: str) -> Campaign | None:
        """A campaign by name."""
        return self._campaigns.get(name)

    def any_running(self, now: float | None = None) -> bool:
        """True when some campaign could show now."""
        moment = now or time.time()
        return any(campaign.running(moment) for campaign in self._campaigns.values())

    def auction(
        self, query: str, answers: list[tuple[str, float]], excluded: set[str], slots: int, now: float | None = None
    ) -> list[Slot]:
        """Sponsored slots for a query whose answers (product id, fused score; best first) are given: eligible are
        running campaigns' products among the answers, relevant enough, not excluded, within budget, and sharing
        a word with the campaign's target text when it has one."""
        if not answers or slots <= 0:
            return []
        moment = now or time.time()
        query_words = set(self._tokenize(query))
        campaigns = self._campaigns  # one version throughout, though a campaign may be replaced meanwhile
        spent = {name: self.spent_today(name, moment) for name, c in campaigns.items() if c.running(moment)}
        best = answers[0][1]
        relevance = {pid: score / best for pid, score in answers if best > 0 and score / best >= MIN_RELEVANCE}
        offers: dict[str, tuple[float, float, str]] = {}  # product -> (bid, relevance, campaign)
        for name, campaign in campaigns.items():
            if name not in spent or spent[name] + RESERVE > campaign.daily_budget:
                continue
            if campaign.target_text and not set(self._tokenize(campaign.target_text)) & query_words:
                continue
            for product in campaign.products:
                if product in relevance and product not in excluded:
                    offer = (campaign.bid, relevance[product], name)
                    if product not in offers or offer[0] * offer[1] > offers[product][0] * offers[product][1]:
                        offers[product] = offer
        ranked = sorted(offers.items(), key=lambda item: -item[1][0] * item[1][1])
        prices = second_prices([(bid, rel) for _, (bid, rel, _) in ranked])
        won = []
        for (product, (bid, rel, name)), price in zip(ranked, prices, strict=True):
            if spent[name] + price <= campaigns[name].daily_budget:
                won.append(Slot(name, product, price, round(bid * rel, 6)))
            if len(won) == slots:
                break
        return won

    def served(self, slots: list[Slot], user_id: str, now: float | None = None) -> None:
        """Log the impressions of served slots (with the price a click on each will cost)."""
        moment = now or time.time()
        rows = [(moment, s.campaign, s.product_id, user_id, "impression", s.price) for s in slots]
        with self._lock:
            self._db.executemany(
                "INSERT INTO ad_events (at, campaign, product_id, user_id, type, price) VALUES (?, ?, ?, ?, ?, ?)", rows
            )

    def clicked(self, user_id: str, product_id: str, now: float | None = None) -> float:
        """Charge a shopper's click on a product they were shown as an ad in the last half hour (once per
        impression); returns the price charged (0 when the click was not on an ad)."""
        moment = now or time.time()
        with self._lock:
            row = self._db.execute(
                "SELECT seq, campaign, price FROM ad_events WHERE user_id = ? AND product_id = ?"
                " AND type = 'impression' AND charged = 0 AND at > ? ORDER BY seq DESC LIMIT 1",
                (user_id, product_id, moment - CLICK_WINDOW_S),
            ).fetchone()
            if row is None:
                return 0.0
            self._db.execute("UPDATE ad_events SET charged = 1 WHERE seq = ?", (row[0],))
            self._db.execute(
                "INSERT INTO ad_events (at, campaign, product_id, user_id, type, price)"
                " VALUES (?, ?, ?, ?, 'click', ?)",
                (moment, row[1], product_id, user_id, row[2]),
            )
            return float(row[2])

    def spent_today(self, name: str, now: float | None = None) -> float:
        """What a campaign's clicks cost since midnight UTC."""
        moment = now or time.time()
        with self._lock:
            row = self._db.execute(
                "SELECT COALESCE(SUM(price), 0) FROM ad_events WHERE campaign = ? AND type = 'click' AND at >= ?",
                (name, moment - moment % DAY_S),
            ).fetchone()
        return float(row[0])

    def report(self, name: str, now: float | None = None) -> dict[str, object]:
        """Impressions, clicks, CTR and spend of a campaign, in all and today."""
        moment = now or time.time()
        campaign = self._campaigns.get(name)
        with self._lock:
            totals = self._db.execute(
                "SELECT SUM(type = 'impression'), SUM(type = 'click'), COALESCE(SUM(CASE type WHEN 'click' THEN"
                " price END), 0) FROM ad_events WHERE campaign = ?",
                (name,),
            ).fetchone()
        impressions, clicks, spend = int(totals[0] or 0), int(totals[1] or 0), float(totals[2] or 0)
        today = self.spent_today(name, moment)
        return {
            "campaign": name,
            "running": bool(campaign and campaign.running(moment)),
            "impressions": impressions,
            "clicks": clicks,
            "ctr": round(clicks / impressions, 4) if impressions else 0.0,
            "spend": round(spend, 4),
            "spend_today": round(today, 4),
            "budget_left_today": round(max(0.0, campaign.daily_budget - today), 4) if campaign else 0.0,
        }

    def reports(self) -> list[dict[str, object]]:
        """The report of every campaign (for the analytics page)."""
        return [self.report(name) for name in sorted(self._campaigns)]

    def close(self) -> None:
        """Close the database."""
        self._db.close()
