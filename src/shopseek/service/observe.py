"""What operators watch: Prometheus request counters and latencies (`/metrics`) and one JSON access-log line per
request (logger `shopseek.access`)."""

from __future__ import annotations

import json
import logging
import time

from prometheus_client import Counter, Histogram
from starlette.types import ASGIApp, Message, Receive, Scope, Send

REQUESTS = Counter("shopseek_requests_total", "HTTP requests answered", ["method", "route", "status"])
LATENCY = Histogram("shopseek_request_seconds", "Time to answer an HTTP request", ["method", "route"])
log = logging.getLogger("shopseek.access")


class AccessLog:
    """ASGI middleware: counts and times every request by its route template (never its raw path, which holds ids)
    and logs it as one JSON line."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = [500]

        async def record_status(message: Message) -> None:
            if message["type"] == "http.response.start":
                status[0] = int(message["status"])
            await send(message)

        try:
            await self.app(scope, receive, record_status)
        finally:
            seconds = time.perf_counter() - started
            route = getattr(scope.get("route"), "path", "unmatched")
            REQUESTS.labels(scope["method"], route, str(status[0])).inc()
            LATENCY.labels(scope["method"], route).observe(seconds)
            line = {"method": scope["method"], "route": route, "status": status[0], "ms": round(seconds * 1000, 1)}
            log.info(json.dumps(line))
