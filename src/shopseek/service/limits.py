"""Bounds on what one client can make the server hold or compute: body size and a bounded compute pool."""

from __future__ import annotations

import asyncio
import json
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

from starlette.types import ASGIApp, Message, Receive, Scope, Send

T = TypeVar("T")


class PoolFull(Exception):
    """Every compute slot (running or queued) is taken: the client should retry shortly."""


class ComputePool:
    """CPU-heavy work (photo decoding, encoding, search) in a few threads off the event loop, with a bounded queue,
    so the loop keeps answering (`/healthz`) and a burst of uploads cannot pile up memory."""

    def __init__(self, workers: int, queued: int) -> None:
        self._executor = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="compute")
        self._slots = threading.BoundedSemaphore(workers + queued)

    async def run(self, work: Callable[[], T]) -> T:
        """Run `work` in the pool; PoolFull at once when no slot is free."""
        if not self._slots.acquire(blocking=False):
            raise PoolFull
        try:
            return await asyncio.get_running_loop().run_in_executor(self._executor, work)
        finally:
            self._slots.release()


class BodyLimit:
    """ASGI middleware: 413 for a request body over `limit` bytes, by its declared length or while it streams in
    (nothing beyond the limit is read, spooled or parsed)."""

    def __init__(self, app: ASGIApp, limit: int) -> None:
        self.app = app
        self.limit = limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope["headers"]).get(b"content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > self.limit):
            await self._too_large(send)
            return
        received = 0
        started = False

        async def counted() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.limit:
                    raise _TooLarge
            return message

        async def watched(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counted, watched)
        except _TooLarge:
            if not started:
                await self._too_large(send)

    async def _too_large(self, send: Send) -> None:
        body = json.dumps({"error": f"request body larger than {self.limit // 1_000_000} MB"}).encode()
        headers: list[Any] = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
        await send({"type": "http.response.start", "status": 413, "headers": headers})
        await send({"type": "http.response.body", "body": body})


class _TooLarge(Exception):
    """Raised inside the app when the streamed body passes the limit."""
