"""Request-body cap and the bounded compute pool: what one client can make the server hold or compute."""

from __future__ import annotations

import asyncio
import threading

import pytest
from fastapi.testclient import TestClient

from shopseek.app import ShopSeek
from shopseek.service.api import MAX_BODY_BYTES, create_app
from shopseek.service.limits import BodyLimit, ComputePool, PoolFull


def test_a_body_declared_too_large_is_refused_before_it_is_read(fake_shop: ShopSeek) -> None:
    client = TestClient(create_app(fake_shop))
    response = client.post("/events", content=b"x" * (MAX_BODY_BYTES + 1), headers={"content-type": "application/json"})
    assert response.status_code == 413 and "larger than" in response.json()["error"]


def test_a_streamed_body_is_cut_off_at_the_limit() -> None:
    reached: list[int] = []

    async def app(scope, receive, send):  # type: ignore[no-untyped-def]
        while True:
            message = await receive()
            reached.append(len(message.get("body", b"")))
            if not message.get("more_body"):
                break
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"ok"})

    chunks = [{"type": "http.request", "body": b"x" * 400, "more_body": True} for _ in range(10)]
    sent: list[dict] = []

    async def receive():  # type: ignore[no-untyped-def]
        return chunks.pop(0)

    async def send(message):  # type: ignore[no-untyped-def]
        sent.append(message)

    scope = {"type": "http", "headers": [(b"transfer-encoding", b"chunked")]}
    asyncio.run(BodyLimit(app, limit=1000)(scope, receive, send))
    assert sum(reached) <= 1000 and sent[0]["status"] == 413


def test_the_compute_pool_refuses_work_beyond_its_slots() -> None:
    pool = ComputePool(workers=1, queued=1)
    release = threading.Event()

    async def scenario() -> list[object]:
        first = asyncio.ensure_future(pool.run(release.wait))
        second = asyncio.ensure_future(pool.run(release.wait))
        await asyncio.sleep(0.05)
        with pytest.raises(PoolFull):
            await pool.run(release.wait)
        release.set()
        return list(await asyncio.gather(first, second))

    assert asyncio.run(scenario()) == [True, True]
