"""Shopper identities the server issues, and per-client rate limits.

A shopper id is only usable with the token the server signed for it (HMAC-SHA256 under a secret kept in the
index folder), so nobody can post events or read results as another shopper.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import secrets
import threading
import time
from pathlib import Path

SECRET_FILE = "shopper-secret"
COOKIE = "shopseek_token"


class ShopperTokens:
    """Issues shopper ids with signed tokens and checks them."""

    def __init__(self, secret: bytes) -> None:
        self._secret = secret

    @classmethod
    def for_folder(cls, folder: Path) -> ShopperTokens:
        """Tokens signed with the index folder's secret (made on first use, readable by its owner only)."""
        path = folder / SECRET_FILE
        if not path.exists():
            descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(descriptor, "wb") as handle:
                handle.write(secrets.token_bytes(32))
        return cls(path.read_bytes())

    def token_for(self, user_id: str) -> str:
        """The token that proves the right to act as `user_id`."""
        digest = hmac.new(self._secret, user_id.encode(), hashlib.sha256).digest()
        return base64.urlsafe_b64encode(digest).decode().rstrip("=")

    def issue(self) -> tuple[str, str]:
        """A new shopper id and its token."""
        user_id = f"s-{secrets.token_urlsafe(12)}"
        return user_id, self.token_for(user_id)

    def valid(self, user_id: str, token: str | None) -> bool:
        """True when `token` was issued for `user_id` (constant-time)."""
        return bool(token) and hmac.compare_digest(self.token_for(user_id), token or "")


class RateLimiter:
    """Token buckets per client: `rate` requests a second on average, bursts of up to `burst`."""

    def __init__(self, rate: float, burst: int, max_clients: int = 100_000) -> None:
        self.rate = rate
        self.burst = burst
        self._max_clients = max_clients
        self._buckets: dict[str, tuple[float, float]] = {}
        self._lock = threading.Lock()

    def allow(self, client: str) -> bool:
        """Take one token from the client's bucket; False when it is empty."""
        now = time.monotonic()
        with self._lock:
            tokens, since = self._buckets.get(client, (float(self.burst), now))
            tokens = min(float(self.burst), tokens + (now - since) * self.rate)
            if len(self._buckets) >= self._max_clients and client not in self._buckets:
                self._buckets.clear()  # bounded memory: forget idle clients wholesale
            if tokens < 1.0:
                self._buckets[client] = (tokens, now)
                return False
            self._buckets[client] = (tokens - 1.0, now)
            return True
