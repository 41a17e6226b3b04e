"""Shopper events (impressions, clicks, carts, purchases, likes, dislikes and their withdrawal, dwell) in SQLite."""

from __future__ import annotations

import sqlite3
import threading
import time
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

EventType = Literal["impression", "click", "cart", "purchase", "like", "dislike", "unvote", "dwell"]
VOTES = ("like", "dislike", "unvote")  # a shopper's latest vote on a product replaces the earlier ones

SCHEMA = """
CREATE TABLE IF NOT EXISTS events (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    at REAL NOT NULL,
    user_id TEXT NOT NULL,
    product_id TEXT NOT NULL,
    type TEXT NOT NULL,
    query TEXT,
    value REAL
);
CREATE INDEX IF NOT EXISTS events_user ON events(user_id, at);
CREATE INDEX IF NOT EXISTS events_product ON events(product_id);
CREATE TABLE IF NOT EXISTS searches (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    at REAL NOT NULL,
    user_id TEXT,
    query TEXT NOT NULL,
    results INTEGER NOT NULL,
    variant TEXT
);
CREATE INDEX IF NOT EXISTS searches_at ON searches(at);
"""


ENGAGEMENT = {"click": 1, "cart": 2, "purchase": 3, "like": 3}  # how much each event says a shopper wanted a product
ENGAGEMENT_WEIGHT_SQL = "CASE type " + " ".join(f"WHEN '{t}' THEN {w}" for t, w in ENGAGEMENT.items()) + " ELSE 0 END"


# Queries are ranked by how many shoppers asked them, not how often: anonymous searches count as one shopper.
SHOPPERS_SQL = "COUNT(DISTINCT COALESCE(user_id, ''))"


class Event(BaseModel):
    """One thing a shopper did with a product."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    user_id: str = Field(min_length=1, max_length=128)
    product_id: str = Field(min_length=1, max_length=128)
    type: EventType
    query: str | None = Field(default=None, max_length=1000)
    value: float | None = Field(default=None, ge=0, le=1e7, allow_inf_nan=False)


class EventLog:
    """Append-only event store beside the catalogue."""

    def __init__(self, path: Path) -> None:
        self._lock = threading.Lock()
        self._db = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.executescript(SCHEMA)

    def append(self, event: Event, at: float | None = None) -> int:
        """Store an event; returns its sequence number."""
        with self._lock:
            cursor = self._db.execute(
                "INSERT INTO events (at, user_id, product_id, type, query, value) VALUES (?, ?, ?, ?, ?, ?)",
                (at or time.time(), event.user_id, event.product_id, event.type, event.query, event.value),
            )
            return int(cursor.lastrowid or 0)

    def append_many(self, events: list[Event]) -> None:
        """Store several events in one transaction (all or none)."""
        now = time.time()
        rows = [(now, e.user_id, e.product_id, e.type, e.query, e.value) for e in events]
        with self._lock, self._db:
            self._db.execute("BEGIN")
            self._db.executemany(
                "INSERT INTO events (at, user_id, product_id, type, query, value) VALUES (?, ?, ?, ?, ?, ?)", rows
            )

    def log_search(self, query: str, results: int, user_id: str | None = None, variant: str | None = None) -> None:
        """Remember a search for analytics (words only; photo searches are logged as '[photo]')."""
        with self._lock:
            self._db.execute(
                "INSERT INTO searches (at, user_id, query, results, variant) VALUES (?, ?, ?, ?, ?)",
                (time.time(), user_id, query[:200], results, variant),
            )

    def popular_queries(self, prefix: str, limit: int, min_shoppers: int = 2) -> list[str]:
        """Queries starting with a prefix that found products for at least `min_shoppers` identified shoppers,
        most shoppers first (anonymous or one-shopper queries never reach autocomplete)."""
        pattern = prefix.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        with self._lock:
            rows = self._db.execute(
                "SELECT lower(query) q, COUNT(DISTINCT user_id) n FROM searches"
                " WHERE results > 0 AND lower(query) LIKE ? ESCAPE '\\' AND query != '[photo]'"
                " GROUP BY q HAVING n >= ? ORDER BY n DESC, q LIMIT ?",
                (pattern, min_shoppers, limit),
            ).fetchall()
        return [r[0] for r in rows]

    def analytics(self, limit: int = 20) -> dict[str, object]:
        """Top and zero-result queries by distinct shoppers, click-through by query, searches per day."""
        with self._lock:
            top = self._db.execute(
                f"SELECT query, {SHOPPERS_SQL} n FROM searches GROUP BY query ORDER BY n DESC LIMIT ?", (limit,)
            ).fetchall()
            zero = self._db.execute(
                f"SELECT query, {SHOPPERS_SQL} n FROM searches WHERE results = 0 GROUP BY query ORDER BY n DESC"
                " LIMIT ?",
                (limit,),
            ).fetchall()
            ctr = self._db.execute(
                "SELECT query, SUM(type = 'click') * 1.0 / MAX(1, SUM(type = 'impression')) c,"
                " SUM(type = 'impression') n FROM events WHERE query IS NOT NULL GROUP BY query"
                " HAVING n > 0 ORDER BY n DESC LIMIT ?",
                (limit,),
            ).fetchall()
            daily = self._db.execute(
                "SELECT date(at, 'unixepoch') d, COUNT(*) FROM searches GROUP BY d ORDER BY d"
            ).fetchall()
            clicks_daily = self._db.execute(
                "SELECT date(at, 'unixepoch') d, SUM(type = 'click') * 1.0 / MAX(1, SUM(type = 'impression'))"
                " FROM events GROUP BY d ORDER BY d"
            ).fetchall()
        return {
            "top_queries": [{"query": q, "shoppers": n} for q, n in top],
            "zero_result_queries": [{"query": q, "shoppers": n} for q, n in zero],
            "ctr_by_query": [{"query": q, "ctr": round(c, 4), "impressions": n} for q, c, n in ctr],
            "searches_per_day": [{"day": d, "searches": n} for d, n in daily],
            "ctr_per_day": [{"day": d, "ctr": round(c or 0.0, 4)} for d, c in clicks_daily],
        }

    def for_user(self, user_id: str, limit: int = 500, before: float | None = None) -> list[tuple[float, Event]]:
        """A user's most recent events (optionally only those before a time), newest first."""
        with self._lock:
            rows = self._db.execute(
                "SELECT at, user_id, product_id, type, query, value FROM events WHERE user_id = ? AND at < ?"
                " ORDER BY seq DESC LIMIT ?",
                (user_id, before if before is not None else float("inf"), limit),
            ).fetchall()
        return [(r[0], Event(user_id=r[1], product_id=r[2], type=r[3], query=r[4], value=r[5])) for r in rows]

    def popularity(self, product_ids: list[str], before: float | None = None) -> dict[str, float]:
        """Engagement per product, optionally before a time: each shopper counts once, with their strongest event
        (click 1, cart 2, purchase or like 3), so a few shoppers repeating events cannot make a product popular."""
        if not product_ids:
            return {}
        marks = ",".join("?" * len(product_ids))
        with self._lock:
            rows = self._db.execute(
                "SELECT product_id, SUM(strongest) FROM ("
                f" SELECT product_id, MAX({ENGAGEMENT_WEIGHT_SQL}) strongest FROM events"
                f" WHERE product_id IN ({marks}) AND at < ? GROUP BY product_id, user_id"
                ") GROUP BY product_id",
                [*product_ids, before if before is not None else float("inf")],
            ).fetchall()
        return {r[0]: float(r[1] or 0) for r in rows}

    def query_engagement(
        self, query: str, product_ids: list[str], before: float | None = None
    ) -> dict[str, tuple[float, float]]:
        """Per product under this exact query (optionally before a time): (engagement, shoppers shown it), each
        shopper counting once with their strongest event."""
        if not product_ids or not query:
            return {}
        marks = ",".join("?" * len(product_ids))
        with self._lock:
            rows = self._db.execute(
                "SELECT product_id, SUM(strongest), SUM(shown) FROM ("
                f" SELECT product_id, MAX({ENGAGEMENT_WEIGHT_SQL}) strongest, MAX(type = 'impression') shown"
                f" FROM events WHERE product_id IN ({marks}) AND query = ? AND at < ? GROUP BY product_id, user_id"
                ") GROUP BY product_id",
                [*product_ids, query, before if before is not None else float("inf")],
            ).fetchall()
        return {r[0]: (float(r[1] or 0), float(r[2] or 0)) for r in rows}

    def all_events(self) -> list[tuple[float, Event]]:
        """Every event in order, for training."""
        with self._lock:
            rows = self._db.execute(
                "SELECT at, user_id, product_id, type, query, value FROM events ORDER BY seq"
            ).fetchall()
        return [(r[0], Event(user_id=r[1], product_id=r[2], type=r[3], query=r[4], value=r[5])) for r in rows]

    def head(self) -> int:
        """Sequence number of the newest event (0 when none): changes whenever behaviour is logged."""
        with self._lock:
            return int(self._db.execute("SELECT COALESCE(MAX(seq), 0) FROM events").fetchone()[0])

    def count(self) -> int:
        """Number of events stored."""
        with self._lock:
            return int(self._db.execute("SELECT COUNT(*) FROM events").fetchone()[0])

    def close(self) -> None:
        """Close the database."""
        self._db.close()
